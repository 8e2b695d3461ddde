#!/usr/bin/env bash
# diskio.sh - direct writes to a file on a real disk show as that disk's write throughput and as
# the writer's write bytes (PID/io) in a dump.
. "$(dirname "$0")/lib.sh"

src=$(findmnt -no SOURCE -T "$T" 2>/dev/null)
case "$src" in
/dev/*) ;;
*) skip_all "$T is not on a block device ($src)" ;;
esac
dev=$(readlink -f "$src")
disk=$(lsblk -ndo PKNAME "$dev" 2>/dev/null)
[ -n "$disk" ] || disk=$(basename "$dev")
grep -q " $disk " /proc/diskstats || skip_all "$disk is not in /proc/diskstats"

# one long-lived writer: O_DIRECT writes of 1 MiB over a 16 MiB file, ~20 MB/s, so the page cache
# cannot absorb them and the bytes reach the disk while the daemon watches (dd would need a new
# process per pass, or fill the disk)
bg writer "$PY" -c '
import mmap, os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_DIRECT, 0o600)
buf = mmap.mmap(-1, 1 << 20)
buf.write(b"\xa5" * (1 << 20))
off, nxt = 0, time.monotonic()
while True:
    os.pwrite(fd, buf, off)
    off = (off + (1 << 20)) % (16 << 20)
    nxt += 0.05
    time.sleep(max(0, nxt - time.monotonic()))' "$T/data"
WRITER=$BG_PID
wait_for 10 test -s "$T/data"
ok $? "the writer is writing to $T/data on $disk"

cat >"$T/c.toml" <<EOT
[anomaly_detection]
cooldown_seconds = 0.0
[features]
enable_psi_triggers = false
[sampling]
context_snapshots_per_dump = 40
[process_collection]
top_processes_stored = 5
EOT
start_daemon d -c "$T/c.toml" -o "$T/out" -i 0.25
ok $? "daemon started"
# a writer that uses little CPU has its PID/io re-read at least every 30 samples
wait_samples d 34
# a new busy process forces a dump holding the snapshots before it
busy spike
wait_for 30 sh -c "ls '$T/out' 2>/dev/null | grep -q '_$BUSY_PID.json'"
ok $? "a dump was written"
f=$(ls "$T/out"/spike_*_"$BUSY_PID".json 2>/dev/null | head -1)
if [ -n "$f" ]; then
	check "it validates (disks, network, per-process io)" validate "$f"
	check "$disk shows write throughput (> 5 MB/s in some snapshot)" "$PY" -c "
import json, sys
d = json.load(open('$f'))
w = [k['write_bytes_per_s'] for s in d['snapshots'] for k in s['disks'] if k['name'] == '$disk']
print('# $disk write_bytes_per_s:', w)
sys.exit(not (w and max(w) > 5e6))"
	check "the writer ($WRITER) is in top_io_procs with its write bytes" "$PY" -c "
import json, sys
d = json.load(open('$f'))
ps = [p for s in d['snapshots'] for p in s['top_io_procs'] if p['pid'] == $WRITER]
print('# writer io:', [p['io'] for p in ps][-2:])
sys.exit(not (ps and max(p['io']['write_bytes_per_s'] for p in ps) > 5e6 and
              ps[-1]['io']['write_bytes'] >= 16 << 20))"
	check "PID 1's io is null or an object, never an error" "$PY" -c "
import json, sys
d = json.load(open('$f'))
sys.exit(not all('io' in p for s in d['snapshots'] for p in s['procs']))"
	"$BIN" show "$f" >"$T/show.txt" 2>&1
	check "show prints a disk line and the writer" grep -q "^  disk: .*$disk .*write" "$T/show.txt"
	check "show names the writer on its io line" grep -q "^  io: .*$WRITER (python3) .*write" "$T/show.txt"
else
	for i in 1 2 3 4 5 6; do ok 1 "no dump"; done
fi
kill_bg
done_testing
