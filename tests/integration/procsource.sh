#!/usr/bin/env bash
# procsource.sh - process_source: the daemon says which source it reads, "bpf" fails clearly where
# the task iterator cannot load (an unprivileged user), "auto" falls back to /proc, and a dump
# taken through the iterator is valid and names the busy process.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root to load the BPF task iterator"
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) missing"

src() { printf '[advanced]\nprocess_source = "%s"\n' "$1" >"$T/$1.toml"; }
src auto; src bpf; src proc

# Whether this kernel has the iterator at all: "auto" as root tells.
"$BIN" daemon --config "$T/auto.toml" -o "$T/probe" -i 0.1 --samples 2 -l info 2>"$T/probe.err"
ok $? "process_source = \"auto\" runs"
if ! grep -qE 'processes: reading the BPF task (walker|iterator)' "$T/probe.err"; then
	sed 's/^/# /' "$T/probe.err" | head -3
	grep -q 'processes: .*; reading /proc instead' "$T/probe.err"
	ok $? "without the iterator, \"auto\" says why and reads /proc"
	"$BIN" daemon --config "$T/bpf.toml" -o "$T/o" --samples 1 2>"$T/bpf.err"
	ok $([ $? -ne 0 ] && echo 0 || echo 1) "and \"bpf\" refuses to start"
	done_testing
fi
ok 0 "as root \"auto\" picks the BPF task iterator"
[ "$(grep -c 'processes:' "$T/probe.err")" -eq 1 ]; ok $? "in one line"

"$BIN" daemon --config "$T/proc.toml" -o "$T/o" -i 0.1 --samples 2 -l info 2>"$T/proc.err"
ok $? "process_source = \"proc\" runs"
grep -q 'processes: reading /proc (process_source = "proc")' "$T/proc.err"; ok $? "and says so"

# An unprivileged user cannot load BPF programs: the honest "unavailable" case.
mkdir -p "$T/nobody" && chmod 0777 "$T/nobody" && chmod 0755 "$T"
cp "$T/bpf.toml" "$T/auto.toml" "$T/nobody/" && chmod 0644 "$T/nobody/"*.toml
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_nobody "$BIN" daemon --config "$T/nobody/bpf.toml" -o "$T/nobody/out" --samples 1 \
	>"$T/nb.out" 2>"$T/nb.err"
rc=$?
ok $([ $rc -ne 0 ] && echo 0 || echo 1) "\"bpf\" as nobody fails (exit $rc)"
grep -q 'error: processes: process_source is "bpf" but cannot load the task iterator: Operation not permitted' "$T/nb.err"
ok $? "naming what failed and why"
grep -q 'cannot start the processes collector' "$T/nb.err"; ok $? "and that the daemon did not start"
sed 's/^/# stderr: /' "$T/nb.err" | head -3
as_nobody "$BIN" daemon --config "$T/nobody/auto.toml" -o "$T/nobody/out" -i 0.1 --samples 2 \
	>"$T/na.out" 2>"$T/na.err"
ok $? "\"auto\" as nobody runs"
[ "$(grep -c 'processes: cannot load the task iterator: Operation not permitted.*; reading /proc instead' "$T/na.err")" -eq 1 ]
ok $? "with one line saying why it reads /proc"
grep -q 'libbpf' "$T/na.err" && grep -v 'processes:' "$T/na.err" | grep -q libbpf
ok $([ $? -ne 0 ] && echo 0 || echo 1) "libbpf's own chatter stays out of the log"

# A spike seen through the iterator: the dump is valid and names the busy process.
mkdir -p "$T/out"
start_daemon d --config "$T/bpf.toml" -o "$T/out" -i 0.5
ok $? "daemon on the BPF source takes samples"
busy burner
# the dump whose cpu_new_process trigger is our burner (other tests may run busy processes too)
ours() {
	"$PY" - "$T/out" "$BUSY_PID" <<'PYEOF'
import glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + "/spike_*.json")):
    d = json.load(open(f))
    for t in [d["trigger"]] + d["other_triggers"]:
        if t["type"] == "cpu_new_process" and t["pid"] == int(sys.argv[2]):
            print(f)
            sys.exit(0)
sys.exit(1)
PYEOF
}
wait_for 30 ours >/dev/null
ok $? "a busy new process triggers cpu_new_process"
file=$(ours)
validate "$file" >"$T/v" 2>&1; ok $? "the dump validates"
[ "$(jget "$file" '[p["state"] for s in d["snapshots"] for p in s["procs"] if p["pid"] == '"$BUSY_PID"'][-1]')" = R ]
ok $? "the busy process reads as running (state from the iterator's task bits)"
stop_daemon
ok $DAEMON_STATUS "daemon stops cleanly"
done_testing
