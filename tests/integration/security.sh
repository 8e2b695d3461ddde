#!/usr/bin/env bash
# security.sh - the security rules against harmless programs that really do the things: a miner
# stand-in speaking stratum to a loopback listener (steady, throttled under the line, on a loaded
# CPU), busy clients whose only sign is the protocol (sent, or received after a login), deleted
# and world-writable executables; execs from /tmp, /var/tmp, /dev/shm and memfd_create +
# fexecve; RWX mappings (private, shared), shells under listening, late-listening and
# per-connection parents; renamed processes; sudden RSS growth; and the negative cases (a plain
# busy loop, another JSON-RPC, a shell under a non-listener or a client, a shebang script,
# allow-lists by exe, cgroup and user, per-rule switches). Each finding's dump, rule, reason and
# evidence are asserted. Nothing leaves 127.0.0.1.
. "$(dirname "$0")/lib.sh"

W=${BUILD_DIR:-$ROOT/${BUILD:-build}}/workloads
[ -x "$W/xmrig" ] && [ -x "$W/secwork" ] || skip_all "workloads not built ($W); run make unit"
[ "$(id -u)" -eq 0 ] || skip_all "exec-time checks need the proc connector (root)"
[ -d /dev/shm ] && [ -w /dev/shm ] || skip_all "no writable /dev/shm"

# a loopback "pool": accepts, records the first line of every connection, keeps them open; to
# a connection that logs in (xmrig's dialect) it pushes a job every second, as pools do
POOL='
import socket, sys, threading, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
job = (b"{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"blob\":\"0707e6df\","
       b"\"job_id\":\"%d\",\"target\":\"b88d0600\",\"id\":\"1\"}}\n")
def serve(c):
    first = c.recv(512)
    print(first.decode(errors="replace").strip(), flush=True)
    n = 0
    while b"\"login\"" in first:
        time.sleep(1); n += 1
        try: c.sendall(job % n)
        except OSError: return
keep = []
while True:
    c, _ = s.accept(); keep.append(c)
    threading.Thread(target=serve, args=(c,), daemon=True).start()
'
bg pool "$PY" -u -c "$POOL" "$T/port"
# a second one on a port that is no pool port: only the protocol can tell
bg spool "$PY" -u -c "$POOL" "$T/sport"
wait_for 10 test -s "$T/port"
wait_for 10 test -s "$T/sport"
PORT=$(cat "$T/port")
SPORT=$(cat "$T/sport")
export PORT SPORT

conf() { # conf EXTRA-SECURITY-LINES : only the security rules, short windows, no cooldown
	cat <<EOF2
[anomaly_detection]
cooldown_seconds = 0.0
[features]
enable_cpu_detection = false
enable_memory_detection = false
enable_swap_detection = false
enable_fork_detection = false
enable_psi_triggers = false
[security]
miner_window_seconds = 4.0
miner_min_cpu_pct = 60.0
miner_pool_ports = [$PORT]
rss_growth_threshold_mib = 100.0
$1
EOF2
}
conf "" >"$T/c.toml"
start_daemon d -c "$T/c.toml" -o "$T/out" -i 0.5
ok $? "daemon started"

# sec_dump DIR TYPE PID [SIGNAL] : the first dump with such a trigger (primary or other)
sec_dump() {
	"$PY" - "$@" <<'PYEOF'
import glob, json, sys
d_, typ, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
sig = sys.argv[4] if len(sys.argv) > 4 else None
primary = len(sys.argv) > 5 and sys.argv[5] == "primary"
for f in sorted(glob.glob(d_ + "/spike_*.json")):
    d = json.load(open(f))
    for t in [d["trigger"]] + ([] if primary else d["other_triggers"]):
        if t["type"] == typ and t["pid"] == pid and (sig is None or t["security"]["signal"] == sig):
            print(f); sys.exit(0)
sys.exit(1)
PYEOF
}
# sec_signal FILE PID TYPE : the signal of PID's TYPE finding in FILE
sec_signal() {
	"$PY" -c "
import json, sys
d = json.load(open(sys.argv[1]))
print([t for t in [d['trigger']] + d['other_triggers'] if t['pid'] == int(sys.argv[2])
       and t['type'] == sys.argv[3]][0]['security']['signal'])" "$@"
}
# sec_check FILE PID TYPE SIGNAL PYTHON-ASSERTS : asserts on `s` (the security object of PID's
# TYPE/SIGNAL finding: one process can have several in a dump) and `t` (its trigger)
sec_check() {
	"$PY" - "$1" "$2" "$3" "$4" "$5" <<'PYEOF'
import json, os, sys
d = json.load(open(sys.argv[1])); pid = int(sys.argv[2]); typ, sig = sys.argv[3], sys.argv[4]
t = [t for t in [d["trigger"]] + d["other_triggers"] if t["pid"] == pid and "security" in t
     and t["type"] == typ and t["security"]["signal"] == sig][0]
s = t["security"]; ev = s["evidence"]
assert ev["pid"] == pid and ev["parents"] and ev["parents"][-1]["pid"] == 1, ev["parents"]
assert s["mitre"]["technique_id"].startswith("T") and s["reason"], s
exec(sys.argv[5])
PYEOF
}

# finding TYPE PID SIGNAL DESCRIPTION [CHECK-DESCRIPTION PYTHON-ASSERTS] : waits for PID's
# TYPE/SIGNAL finding (a test point); with asserts, validates its dump and runs them through
# sec_check (a second point). The dump's file in $F.
finding() {
	local typ=$1 pid=$2 sig=$3
	wait_for 20 sec_dump "$T/out" "$typ" "$pid" "$sig" >/dev/null
	ok $? "$4"
	F=$(sec_dump "$T/out" "$typ" "$pid" "$sig")
	[ $# -ge 6 ] || return 0
	[ -n "$F" ] && validate "$F" && sec_check "$F" "$pid" "$typ" "$sig" "$6"
	ok $? "$5"
}

kill_one() { { kill -KILL -- "-$1"; wait "$1"; } 2>/dev/null; }

# --- miner: busy, stratum on a pool port, miner flags ---
bg miner "$W/xmrig" -o "stratum+tcp://127.0.0.1:$PORT" -u 44testwallet --donate-level=1 --seconds 60
mpid=$BG_PID
wait_for 30 sec_dump "$T/out" miner "$mpid" >/dev/null
ok $? "a busy xmrig with a pool connection fired miner"
check "the pool really got a stratum mining.subscribe" grep -q '"mining.subscribe"' "$T/pool.out"
f=$(sec_dump "$T/out" miner "$mpid")
if [ -n "$f" ]; then
	check "its dump validates" validate "$f"
	sec_check "$f" "$mpid" miner "$(sec_signal "$f" "$mpid" miner)" '
assert s["rule"] == "miner" and s["severity"] == "high" and s["mitre"]["technique_id"] == "T1496"
assert any("mining-pool port" in x for x in s["signs"]), s["signs"]
assert any("miner-like command line" in x for x in s["signs"]), s["signs"]
assert any(x.startswith("TCP 127.0.0.1:") and x.endswith(" -> 127.0.0.1:" + os.environ["PORT"]) for x in ev["sockets"]), ev["sockets"]
assert ev["exe"].endswith("/xmrig") and not ev["exe_deleted"] and "stratum+tcp://" in ev["cmdline"]
assert t["value"] >= 60 and s["window_seconds"] == 4 and t["threshold"] == 60
'
	ok $? "rule, severity, MITRE T1496, pool-port and flag signs, the socket, exe and cmdline"
else
	ok 1 "no miner dump"; ok 1 "no miner dump"
fi
kill_one "$mpid"

# --- a miner that throttles itself below the line (busy 1.5 s, idle 2.5 s: 37.5 % over any
# window, the line is 60 %): its busy stretches add up over the horizon ---
bg throttled "$W/xmrig" -o "stratum+tcp://127.0.0.1:$PORT" --busy 1.5 --idle 2.5 --seconds 60
tpid=$BG_PID
finding miner "$tpid" miner "a miner busy 1.5 s, idle 2.5 s (under the 60 % line) fired miner" \
	"held in bursts: the reason says so; value, pool-port and flag signs, the socket" '
import re
m = re.match(r"xmrig held a CPU in bursts: ([\d.]+) s of CPU demand over the last (\d+) s in intervals at or above 60% \(as much as 60% over the 4 s window\), with 2 corroborating signs \(miner-like command line ", s["reason"])
assert m and float(m.group(1)) >= 2.4 and int(m.group(2)) >= 4, s["reason"]
assert t["value"] >= 60 and len(s["signs"]) == 2 and "miner-like command line (\x27stratum+tcp://\x27)" in s["signs"], s["signs"]
assert any(x.endswith(" -> 127.0.0.1:" + os.environ["PORT"]) for x in ev["sockets"]), ev["sockets"]
'
kill_one "$tpid"

# --- a busy miner on a loaded CPU: pinned beside three busy loops it runs about a quarter of
# the time (under the line) and waits for the CPU the rest: its demand is what counts ---
if command -v taskset >/dev/null && [ "$(nproc)" -ge 1 ]; then
	hogs=()
	for i in 1 2 3; do bg hog$i taskset -c 0 sh -c 'while :; do :; done'; hogs+=("$BG_PID"); done
	bg loaded taskset -c 0 "$W/xmrig" -o "stratum+tcp://127.0.0.1:$PORT" --seconds 30
	lpid=$BG_PID
	finding miner "$lpid" miner "a miner sharing one CPU with three busy loops fired miner" \
		"steadily: it ran under the line and waited for the CPU, and the reason splits the two" '
import re
m = re.match(r"xmrig held (\d+)% of a CPU over 4 s \(ran (\d+)%, waited for a CPU (\d+)%\), with 2 corroborating signs", s["reason"])
assert m and int(m.group(1)) >= 60 and int(m.group(2)) < 60 and int(m.group(3)) > 20, s["reason"]
'
	kill_one "$lpid"
	for h in "${hogs[@]}"; do kill_one "$h"; done
else
	_n=$((_n + 1)); echo "ok $_n - # SKIP taskset is not installed"
	_n=$((_n + 1)); echo "ok $_n - # SKIP taskset is not installed"
fi

# --- the stratum protocol is the only sign: a busy client with a clean command line, not
# named like a miner, run from a private directory, to a port that is no pool port. One sends
# mining.submit every second (caught as it sends, once watched); one logged in (xmrig's
# dialect) before it was busy and only reads the jobs the pool pushes (caught as it receives);
# one speaks another JSON-RPC (not a miner). Needs the stratum watch (eBPF) ---
if grep -q "security: the stratum watch (eBPF)" "$T/d.err" || ! grep -q "security: no stratum watch" "$T/d.err"; then
	bg sub "$W/secwork" busy-client "$SPORT" submit 30
	spid=$BG_PID
	bg late "$W/secwork" busy-client "$SPORT" login 30
	lgpid=$BG_PID
	bg json "$W/secwork" busy-client "$SPORT" other 30
	jpid=$BG_PID
	finding miner "$spid" miner "a busy client sending mining.submit to a non-pool port fired miner" \
		"its one sign is the protocol, sent, with the endpoint" '
assert s["signs"] == ["speaks the stratum mining protocol (\x27mining.submit\x27 sent to 127.0.0.1:%s)" % os.environ["SPORT"]], s["signs"]
assert s["reason"].startswith("secwork held ") and s["reason"].endswith(", with 1 corroborating sign (%s)" % s["signs"][0]), s["reason"]
assert "stratum" not in ev["cmdline"] and "xmrig" not in ev["cmdline"] and not ev["exe_deleted"]
assert any(x.endswith(" -> 127.0.0.1:" + os.environ["SPORT"]) for x in ev["sockets"]), ev["sockets"]
'
	finding miner "$lgpid" miner "a busy client that logged in before it was watched fired miner on the pushed jobs" \
		"its one sign is the protocol, received" '
assert s["signs"] == ["speaks the stratum mining protocol (\x27job\x27 received from 127.0.0.1:%s)" % os.environ["SPORT"]], s["signs"]
'
	sec_dump "$T/out" miner "$jpid" >/dev/null
	ok $((!$?)) "a busy client speaking another JSON-RPC to the same listener is not a miner"
	grep -q "security: the stratum watch looks at pid $jpid " "$T/d.err"
	ok $? "(it was watched: the watch saw its calls and found no stratum)"
	kill_one "$spid"; kill_one "$lgpid"; kill_one "$jpid"
	wait_for 10 grep -q '"method":"login"' "$T/spool.out"
	ok $? "the pool got the login"
else
	for w in "submit" "its sign" "login" "its sign" "other JSON-RPC" "(watched)" "the pool"; do
		_n=$((_n + 1)); echo "ok $_n - # SKIP $w: $(grep -o 'no stratum watch ([^)]*)' "$T/d.err")"
	done
fi

# --- the file signs: a busy program deleted after it started, and one run from a world-writable
# directory (not /tmp: a private one made so, under the build directory) ---
MDIR=$(mktemp -d "${BUILD_DIR:-$ROOT/${BUILD:-build}}/sectest.XXXXXX")
mkdir -m 1777 "$MDIR/open" && chmod 1777 "$MDIR/open"
cp "$W/secwork" "$MDIR/worker"
cp "$W/secwork" "$MDIR/open/worker"
bg wdel "$MDIR/worker" burn 30
delpid=$BG_PID
bg wopen "$MDIR/open/worker" burn 30
openpid=$BG_PID
sleep 0.5
rm "$MDIR/worker"
export MDIR
finding miner "$delpid" miner "a busy program whose file was deleted after it started fired miner" \
	"its one sign: the deleted executable" '
assert s["signs"] == ["executable deleted after start (\x27%s/worker\x27)" % os.environ["MDIR"]], s["signs"]
assert ev["exe_deleted"] and ev["exe"] == os.environ["MDIR"] + "/worker", ev
'
finding miner "$openpid" miner "a busy program run from a world-writable directory fired miner" \
	"its one sign: the directory" '
assert s["signs"] == ["started from a world-writable directory (\x27%s/open/worker\x27)" % os.environ["MDIR"]], s["signs"]
'
kill_one "$delpid"; kill_one "$openpid"
rm -f "$MDIR/open/worker"

# --- negative: a plain busy loop with no corroborating sign is not a miner ---
busy plain
ppid_busy=$BUSY_PID
sleep 1
plain=$(pgrep -P "$ppid_busy" | head -1)
plain=${plain:-$ppid_busy}
wait_samples d 20 # 10 s: 2.5 windows
sec_dump "$T/out" miner "$ppid_busy" >/dev/null || sec_dump "$T/out" miner "$plain" >/dev/null
ok $((!$?)) "an ordinary busy process (no sign) is not a miner"
kill_one "$ppid_busy"

# --- exec from /dev/shm: short-lived, caught at exec time ---
shm=/dev/shm/spiketrace-sectest-$$
cp /bin/sleep "$shm"
sh -c "echo \$\$ >'$T/shmpid'; exec '$shm' 0.3"
rm -f "$shm"
spid=$(cat "$T/shmpid")
wait_for 20 sec_dump "$T/out" suspicious_spawn "$spid" exec_from_tmp >/dev/null
ok $? "a 0.3 s program exec'd from /dev/shm fired suspicious_spawn (exec_from_tmp)"
f=$(sec_dump "$T/out" suspicious_spawn "$spid" exec_from_tmp)
[ -n "$f" ] && { validate "$f" && sec_check "$f" "$spid" suspicious_spawn exec_from_tmp '
assert ev["exe"].startswith("/dev/shm/spiketrace-sectest-"), ev["exe"]
assert s["mitre"]["technique_id"] == "T1105" and ev["cmdline"].endswith(" 0.3")
'; }
ok $? "its dump validates; evidence has the /dev/shm exe and the cmdline read at exec"

# --- exec from /tmp and /var/tmp: reported on its own (medium), high with a second sign ---
tdir=$(mktemp -d /tmp/spiketrace-sectest.XXXXXX)
vdir=$(mktemp -d /var/tmp/spiketrace-sectest.XXXXXX)
cp /bin/sleep "$tdir/plain"
cp /bin/sleep "$vdir/plain"
sh -c "echo \$\$ >'$T/tmppid'; exec '$tdir/plain' 0.3"
tpid=$(cat "$T/tmppid")
sh -c "echo \$\$ >'$T/vtmppid'; exec '$vdir/plain' 0.3"
vpid=$(cat "$T/vtmppid")
cp /bin/sleep "$tdir/open"
chmod 0777 "$tdir/open"
sh -c "echo \$\$ >'$T/tmppid2'; exec '$tdir/open' 0.3"
wpid=$(cat "$T/tmppid2")
export TDIR=$tdir VDIR=$vdir TESTPID=$$
finding suspicious_spawn "$tpid" exec_from_tmp \
	"a plain program exec'd from /tmp fired suspicious_spawn (exec_from_tmp)" \
	"medium, no second sign; reason, exe, cmdline and parent" '
assert s["reason"] == "\x27%s/plain\x27 was executed from the world-writable /tmp/" % os.environ["TDIR"], s["reason"]
assert s["severity"] == "medium" and s["signs"] == [] and ev["exe"] == os.environ["TDIR"] + "/plain"
assert ev["cmdline"].endswith("/plain 0.3") and ev["parents"][0]["pid"] == int(os.environ["TESTPID"])
'
finding suspicious_spawn "$vpid" exec_from_tmp \
	"a plain program exec'd from /var/tmp fired suspicious_spawn (exec_from_tmp)" \
	"its reason names /var/tmp" '
assert s["reason"].endswith(" was executed from the world-writable /var/tmp/") and ev["exe"] == os.environ["VDIR"] + "/plain", s
'
finding suspicious_spawn "$wpid" exec_from_tmp \
	"a world-writable program exec'd from /tmp fired suspicious_spawn (exec_from_tmp)" \
	"its second sign (world-writable) makes it high" '
assert s["signs"] == ["the executable is world-writable (mode 777)"], s["signs"]
assert s["severity"] == "high", s["severity"]
'

rm -rf "$tdir" "$vdir"

# --- memfd_create + fexecve ---
"$W/secwork" memfd 2 >"$T/memfd.out"
mfpid=$(awk '{print $2}' "$T/memfd.out")
wait_for 20 sec_dump "$T/out" suspicious_spawn "$mfpid" exec_from_memfd >/dev/null
ok $? "memfd_create + fexecve fired suspicious_spawn (exec_from_memfd)"
f=$(sec_dump "$T/out" suspicious_spawn "$mfpid" exec_from_memfd)
[ -n "$f" ] && { validate "$f" && sec_check "$f" "$mfpid" suspicious_spawn exec_from_memfd '
assert ev["exe"].startswith("/memfd:payload") and s["mitre"]["technique_id"] == "T1620"
'; }
ok $? "its evidence names the memfd exe, MITRE T1620"
finding memory_anomaly "$mfpid" memfd_exec_map \
	"the memfd mapped executable fired memory_anomaly (memfd_exec_map)" \
	"its reason counts the mappings; the r-xp /memfd:payload lines are the evidence" '
import re
assert re.fullmatch(re.escape(t["comm"]) + r" maps a memfd as executable \(\d+ mappings?\)", s["reason"]), s["reason"]
assert ev["maps"] and all("/memfd:payload" in m and m.split()[1][2] == "x" for m in ev["maps"]), ev["maps"]
assert s["severity"] == "high" and s["mitre"]["technique_id"] == "T1620" and ev["exe"].startswith("/memfd:payload")
'

# --- an RWX anonymous mapping ---
bg rwx "$W/secwork" rwx 30
rpid=$BG_PID
wait_for 20 sec_dump "$T/out" memory_anomaly "$rpid" rwx_anon >/dev/null
ok $? "an RWX anonymous mapping fired memory_anomaly (rwx_anon)"
f=$(sec_dump "$T/out" memory_anomaly "$rpid" rwx_anon)
[ -n "$f" ] && { validate "$f" && sec_check "$f" "$rpid" memory_anomaly rwx_anon '
assert ev["maps"] and all(" rwxp " in m for m in ev["maps"]), ev["maps"]
assert s["mitre"]["technique_id"] == "T1055"
'; }
ok $? "its dump validates and lists the offending rwxp mapping"
kill_one "$rpid"
# Python's mmap is shared by default: shared anonymous RWX memory ("rwxs ... /dev/zero (deleted)").
# PYRWX [EUID]: maps it, holds a listening socket, sets its effective uid when given; prints
# "pid N PORT"
PYRWX='import mmap, os, socket, sys, time
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
if len(sys.argv) > 1: os.seteuid(int(sys.argv[1]))
print("pid", os.getpid(), ls.getsockname()[1], flush=True); time.sleep(30)'
bg pyrwx "$PY" -c "$PYRWX" 65534
pypid=$BG_PID
wait_for 20 sec_dump "$T/out" memory_anomaly "$pypid" rwx_anon >/dev/null
ok $? "shared anonymous RWX memory (python3 mmap) fired memory_anomaly (rwx_anon)"
f=$(sec_dump "$T/out" memory_anomaly "$pypid" rwx_anon)
export PYPORT=$(awk '{print $3}' "$T/pyrwx.out")
[ -n "$f" ] && { validate "$f" && sec_check "$f" "$pypid" memory_anomaly rwx_anon '
assert s["reason"] == "python3 has 1 new writable+executable anonymous mapping (it had none)", s["reason"]
assert len(ev["maps"]) == 1 and " rwxs " in ev["maps"][0] and ev["maps"][0].endswith("/dev/zero (deleted)"), ev["maps"]
assert ev["exe"].startswith("/usr/bin/python3") and s["severity"] == "high"
assert ev["uid"] == 0 and ev["euid"] == 65534, (ev["uid"], ev["euid"])
assert ev["sockets"] == ["TCP 127.0.0.1:%s (LISTEN)" % os.environ["PYPORT"]], ev["sockets"]
'; }
ok $? "its reason, the rwxs /dev/zero mapping, uid 0 with euid 65534, its listening socket"
kill_one "$pypid"

# --- later changes of a process already looked at: an mprotect to RWX (the size of its mappings
# does not change) and its executable deleted while it runs. The BPF source tells both at the
# next sample; /proc only shows them to a slow round robin (minutes at hundreds of processes).
if grep -qE 'reading the BPF task (walker|iterator)' "$T/d.err"; then
	bg rwxl "$W/secwork" rwx-late 30
	lpid=$BG_PID
	wait_for 10 grep -qs "pid $lpid" "$T/rwxl.out"
	wait_samples d 3 # first looked at: a writable mapping, nothing executable
	sec_dump "$T/out" memory_anomaly "$lpid" >/dev/null
	ok $((!$?)) "a writable mapping alone is not reported"
	kill -USR1 "$lpid"
	wait_for 20 sec_dump "$T/out" memory_anomaly "$lpid" rwx_anon >/dev/null
	ok $? "an mprotect to RWX in a process already looked at fired memory_anomaly (rwx_anon)"
	kill_one "$lpid"

	# a private directory outside /tmp (a program run from /tmp is exec_from_tmp at once)
	# not the build directory: a clone in /tmp (as CI's) puts it under /tmp, where a program run
	# is exec_from_tmp at once; /var/lib is root's and not world-writable
	PRIV=$(mktemp -d /var/lib/spiketrace-sectest.XXXXXX)
	cp /bin/sleep "$PRIV/tempsleep"
	bg dsleep "$PRIV/tempsleep" 30
	dpid=$BG_PID
	wait_samples d 3
	sec_dump "$T/out" suspicious_spawn "$dpid" >/dev/null
	ok $((!$?)) "a program run from a private directory is not reported while its file exists"
	rm "$PRIV/tempsleep"
	wait_for 20 sec_dump "$T/out" suspicious_spawn "$dpid" exe_deleted >/dev/null
	ok $? "its executable deleted while it runs fired suspicious_spawn (exe_deleted)"
	f=$(sec_dump "$T/out" suspicious_spawn "$dpid" exe_deleted)
	[ -n "$f" ] && { validate "$f" && sec_check "$f" "$dpid" suspicious_spawn exe_deleted '
assert ev["exe"].endswith("/tempsleep (deleted)") or ev["exe_deleted"], ev
assert s["mitre"]["technique_id"] == "T1070.004"
'; }
	ok $? "its evidence says the exe was deleted, MITRE T1070.004"
	kill_one "$dpid"
	rmdir "$PRIV"
else
	for w in "a writable mapping alone" "a late mprotect to RWX" "a run from a private directory" \
		"an exe deleted while it runs" "its evidence"; do
		_n=$((_n + 1)); echo "ok $_n - # SKIP $w: the daemon reads /proc here (no BPF task iterator), whose round robin takes minutes"
	done
fi

# --- a shell spawned by a process holding a listening socket; and by one that does not ---
"$W/secwork" listen-spawn 1 >"$T/ls.out"
shpid=$(awk '{print $2}' "$T/ls.out")
wait_for 20 sec_dump "$T/out" suspicious_spawn "$shpid" shell_from_listener >/dev/null
ok $? "a shell under a listening parent fired suspicious_spawn (shell_from_listener)"
f=$(sec_dump "$T/out" suspicious_spawn "$shpid" shell_from_listener)
[ -n "$f" ] && { validate "$f" && sec_check "$f" "$shpid" suspicious_spawn shell_from_listener '
assert ev["parents"][0]["comm"] == "secwork" and any("(LISTEN)" in x for x in s["signs"]), s
assert ev["exe"] in ("/usr/bin/dash", "/bin/dash", "/usr/bin/bash", "/bin/bash") or ev["exe"].endswith("sh")
'; }
ok $? "its evidence: the listening parent first in the chain, its LISTEN socket as the sign"
"$W/secwork" spawn 1 >"$T/sp.out"
nspid=$(awk '{print $2}' "$T/sp.out")
wait_samples d 4
sec_dump "$T/out" suspicious_spawn "$nspid" >/dev/null
ok $((!$?)) "a shell spawned by a non-listening parent is not suspicious"
# a service that ran a shell before it listened: its shells after are not forgotten
"$W/secwork" late-listen 1 >"$T/ll.out"
llpid=$(awk '{print $2}' "$T/ll.out")
wait_for 20 sec_dump "$T/out" suspicious_spawn "$llpid" shell_from_listener >/dev/null
ok $? "a shell 1 s after its parent (which ran sh -c true before) started listening fired"

# --- a per-connection server (a postgres backend, an inetd child): it closed the listener and
# holds only the connection it accepted; and a client holding only an outgoing connection ---
bg fork "$PY" -u -c '
import os, socket, subprocess, time
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(4)
print("port", ls.getsockname()[1])
c, _ = ls.accept()
if os.fork() == 0:
    ls.close()
    p = subprocess.Popen(["/bin/sh", "-c", "sleep 2"])
    print("pid", p.pid, os.getpid()); p.wait(); os._exit(0)
c.close(); os.wait(); time.sleep(30)'
wait_for 10 grep -qs "^port" "$T/fork.out"
FPORT=$(awk '/^port/ {print $2}' "$T/fork.out")
"$PY" -c 'import socket, sys, time; s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); time.sleep(3)' "$FPORT" &
cpid=$!
wait_for 10 grep -qs "^pid" "$T/fork.out"
fshpid=$(awk '/^pid/ {print $2}' "$T/fork.out")
export FCHILD=$(awk '/^pid/ {print $3}' "$T/fork.out") FPORT
finding suspicious_spawn "$fshpid" shell_from_listener \
	"a shell under a forked per-connection child (listener closed, accepted connection held) fired" \
	"its sign is the accepted connection on the server's port; reason and parent" '
import re
assert len(s["signs"]) == 1 and re.fullmatch(r"holds an accepted inbound connection \(TCP 127\.0\.0\.1:%s -> 127\.0\.0\.1:\d+\)" % os.environ["FPORT"], s["signs"][0]), s["signs"]
assert s["reason"].startswith(os.path.basename(ev["exe"]) + " (" + ev["exe"] + ")") and " was started by pid %s (python3" % os.environ["FCHILD"] in s["reason"] and "network-facing" in s["reason"], s["reason"]
assert ev["parents"][0]["pid"] == int(os.environ["FCHILD"]) and s["severity"] == "high"
'
wait $cpid 2>/dev/null
bg client "$PY" -u -c '
import socket, subprocess, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
p = subprocess.Popen(["/bin/sh", "-c", "sleep 1"]); print("pid", p.pid); p.wait()' "$PORT"
wait_for 10 grep -qs "^pid" "$T/client.out"
clsh=$(awk '/^pid/ {print $2}' "$T/client.out")
wait_samples d 4
sec_dump "$T/out" suspicious_spawn "$clsh" >/dev/null
ok $((!$?)) "a shell under a client holding only an outgoing connection is not suspicious"

# --- names that are not the program's: like a kernel thread (high), or anything else (medium) ---
bg comm "$W/secwork" comm kworker/0:7 30
cpid=$BG_PID
bg comm2 "$W/secwork" comm innocent 30
c2pid=$BG_PID
bg comm3 "$PY" -c 'import ctypes, time
ctypes.CDLL(None).prctl(15, b"sshd", 0, 0, 0); time.sleep(30)'
c3pid=$BG_PID
bg comm4 bash -c 'printf cron >/proc/$$/comm; sleep 30; :'
c4pid=$BG_PID
# and names that are: a shebang script (the script's name, cut to 15 bytes; python3 runs it)
PRIV=$(mktemp -d /var/lib/spiketrace-sectest.XXXXXX) # not under /tmp, where a clone may be
printf '#!/usr/bin/python3 -u\nimport time; time.sleep(30)\n' >"$PRIV/nightly-report-builder.py"
chmod 755 "$PRIV/nightly-report-builder.py"
bg comm5 "$PRIV/nightly-report-builder.py"
c5pid=$BG_PID
export W
finding suspicious_spawn "$cpid" comm_mismatch \
	"a user process renamed kworker/0:7 fired suspicious_spawn (comm_mismatch)" \
	"high; its reason names the kernel-thread name and the exe" '
assert s["severity"] == "high" and s["mitre"]["technique_id"] == "T1036.004"
assert s["reason"] == "user process \x27kworker/0:7\x27 is named like a kernel thread (exe \x27%s/secwork\x27, argv[0] \x27%s/secwork\x27)" % (os.environ["W"], os.environ["W"]), s["reason"]
assert ev["exe"] == os.environ["W"] + "/secwork" and ev["cmdline"].endswith("comm kworker/0:7 30")
'
finding suspicious_spawn "$c2pid" comm_mismatch \
	"secwork renamed 'innocent' fired suspicious_spawn (comm_mismatch)" \
	"medium; its reason names comm, exe and argv[0]" '
assert s["severity"] == "medium", s["severity"]
assert s["reason"] == "process \x27innocent\x27 is named after neither its executable \x27%s/secwork\x27 nor its argv[0] \x27%s/secwork\x27" % (os.environ["W"], os.environ["W"]), s["reason"]
assert t["comm"] == "innocent"
'
finding suspicious_spawn "$c3pid" comm_mismatch \
	"python3 naming itself sshd (prctl PR_SET_NAME) fired suspicious_spawn (comm_mismatch)" \
	"its reason names sshd and the python3 exe" '
assert s["reason"].startswith("process \x27sshd\x27 is named after neither its executable \x27/usr/bin/python3"), s["reason"]
'
finding suspicious_spawn "$c4pid" comm_mismatch \
	"bash writing cron to /proc/\$\$/comm fired suspicious_spawn (comm_mismatch)" \
	"its reason names cron and the bash exe" '
assert s["reason"] == "process \x27cron\x27 is named after neither its executable \x27/usr/bin/bash\x27 nor its argv[0] \x27bash\x27", s["reason"]
'
sec_dump "$T/out" suspicious_spawn "$c5pid" comm_mismatch >/dev/null
ok $((!$?)) "a shebang script run by python3 (comm: the script's name cut to 15) is not reported"
check "(its comm really is the script's name)" test "$(cat /proc/$c5pid/comm)" = "nightly-report-"
kill_one "$cpid"; kill_one "$c2pid"; kill_one "$c3pid"; kill_one "$c4pid"; kill_one "$c5pid"
rm -rf "$PRIV"

# --- RSS growth over the threshold within one interval ---
bg grow "$W/secwork" grow 300 30
gpid=$BG_PID
wait_for 20 sec_dump "$T/out" memory_anomaly "$gpid" rss_growth >/dev/null
ok $? "300 MiB touched at once fired memory_anomaly (rss_growth)"
f=$(sec_dump "$T/out" memory_anomaly "$gpid" rss_growth)
[ -n "$f" ] && { validate "$f" && sec_check "$f" "$gpid" memory_anomaly rss_growth '
import re
m = re.match(r"the RSS of secwork grew by (\d+) MiB in [\d.]+ s \(to (\d+) MiB; threshold 100 MiB\)$", s["reason"])
assert m and 100 <= int(m.group(1)) <= int(m.group(2)), s["reason"]
assert s["severity"] == "low" and s["mitre"]["technique_id"] == "T1496" and t["value"] >= 100 * 1024
assert ev["exe"].endswith("/secwork") and ev["cmdline"].endswith(" grow 300 30") and ev["uid"] == ev["euid"] == 0
assert ev["sockets"] == [] and ev["maps"] == [], ev
'; }
ok $? "its reason gives the growth, the size and the threshold; evidence: exe, cmdline, ids"
kill_one "$gpid"
# a new process already over the threshold at its first sample grew from nothing
bg grown "$W/secwork" grow-now 300 30
gnpid=$BG_PID
wait_for 20 sec_dump "$T/out" memory_anomaly "$gnpid" rss_growth >/dev/null
ok $? "a new process holding 300 MiB at its first sample fired memory_anomaly (rss_growth)"
f=$(sec_dump "$T/out" memory_anomaly "$gnpid" rss_growth)
[ -n "$f" ] && { validate "$f" && sec_check "$f" "$gnpid" memory_anomaly rss_growth '
assert "grew by" in s["reason"] and ev["cmdline"].endswith(" grow-now 300 30"), s["reason"]
'; }
ok $? "its reason and evidence"
kill_one "$gnpid"

# --- show prints the security lines (the viewer's Trigger panel shows the primary trigger's) ---
f=$(sec_dump "$T/out" memory_anomaly "$rpid" rwx_anon primary || sec_dump "$T/out" memory_anomaly "$rpid" rwx_anon)
"$BIN" show "$f" >"$T/show.txt" 2>&1
check "spiketrace show prints the rule, reason and offending mapping" \
	grep -q "security map: .* rwxp " "$T/show.txt"
check "spiketrace show prints the MITRE technique" grep -q "security rule: memory_anomaly/rwx_anon .*T1055" "$T/show.txt"
if command -v tmux >/dev/null; then
	sess=sec-$$
	tmux new-session -d -s "$sess" -x 160 -y 50 "env TERM=xterm-256color $BIN view '$f'"
	wait_for 10 sh -c "tmux capture-pane -p -t '$sess' | grep -q 'security rule: memory_anomaly/rwx_anon'"
	ok $? "the viewer's Trigger panel shows the security finding"
	tmux kill-session -t "$sess" 2>/dev/null
else
	ok 0 "the viewer's Trigger panel shows the security finding # SKIP tmux is not installed"
fi

# reload EXTRA-SECURITY-LINES : the daemon's configuration, through SIGHUP; waits for its log line
# (what the daemon did meanwhile is shown when it does not come)
reloads=$(grep -c "configuration reloaded" "$T/d.err")
reload() {
	conf "$1" >"$T/c.toml"
	kill -HUP "$DAEMON_PID"
	reloads=$((reloads + 1))
	wait_for 20 test "$(grep -c "configuration reloaded" "$T/d.err")" -ge "$reloads" && return 0
	grep -E "reload|SIGHUP|sample [0-9]+:" "$T/d.err" | tail -6 | diag
	return 1
}

# --- allow-list by exe path (reloaded with SIGHUP): the same RWX program is left alone ---
reload "allow_exe = [\"$W/\", \"/dev/shm/spiketrace-allowed-*\"]"
ok $? "configuration with allow_exe reloaded"
bg rwx2 "$W/secwork" rwx 30
r2=$BG_PID
wait_samples d 6
sec_dump "$T/out" memory_anomaly "$r2" >/dev/null
ok $((!$?)) "an allow-listed executable's RWX mapping is not reported"
kill_one "$r2"
shm=/dev/shm/spiketrace-allowed-$$
cp /bin/sleep "$shm"
sh -c "echo \$\$ >'$T/shmpid2'; exec '$shm' 0.3"
rm -f "$shm"
wait_samples d 4
sec_dump "$T/out" suspicious_spawn "$(cat "$T/shmpid2")" >/dev/null
ok $((!$?)) "an exec from /dev/shm matching an allow_exe glob is not reported"

# --- allow-lists by cgroup and by user. The cgroup is made in the v1 memory hierarchy where
# there is one (on a hybrid host every process's unified path is "/": the evidence must name the
# v1 path and allow_cgroup must match it), else in the unified one ---
"$PY" - "$$" >"$T/cg" <<'PYEOF' || true
import sys
mounts = {}
for line in open("/proc/self/mountinfo"):
    f = line.split(); fs = f[f.index("-") + 1:]
    if fs[0] == "cgroup" and "memory" in fs[2].split(","): mounts.setdefault("memory", f[4])
    if fs[0] == "cgroup2": mounts.setdefault("unified", f[4])
for line in open("/proc/self/cgroup"):
    hid, ctl, path = line.rstrip("\n").split(":", 2)
    kind = "memory" if "memory" in ctl.split(",") else "unified" if hid == "0" else None
    if kind == "memory" or (kind == "unified" and "memory" not in mounts and kind in mounts):
        if kind in mounts:
            rel = path.rstrip("/") + "/spiketrace-sectest-" + sys.argv[1]
            print(mounts[kind] + rel, rel); break
PYEOF
read -r CG_DIR CG_PATH <"$T/cg"
if [ -n "${CG_DIR:-}" ] && mkdir "$CG_DIR" 2>/dev/null; then
	trap 'cleanup; rmdir "$CG_DIR" 2>/dev/null' EXIT
	bg cgrwx sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -c "$3"' sh "$CG_DIR" "$PY" "$PYRWX"
	cgpid=$BG_PID
	wait_for 20 sec_dump "$T/out" memory_anomaly "$cgpid" rwx_anon >/dev/null
	ok $? "a process in a cgroup of its own fired memory_anomaly"
	f=$(sec_dump "$T/out" memory_anomaly "$cgpid" rwx_anon)
	export CG_PATH
	[ -n "$f" ] && sec_check "$f" "$cgpid" memory_anomaly rwx_anon '
assert ev["cgroup"] == os.environ["CG_PATH"], (ev["cgroup"], os.environ["CG_PATH"])
'
	ok $? "its evidence names the cgroup it runs in ($CG_PATH), not the unified root"
	kill_one "$cgpid"
else
	_n=$((_n + 1)); echo "ok $_n - # SKIP no cgroup hierarchy to make a test cgroup in"
	_n=$((_n + 1)); echo "ok $_n - # SKIP no cgroup hierarchy to make a test cgroup in"
	CG_DIR=
fi
bg nobody setpriv --reuid=65534 --regid=65534 --clear-groups "$PY" -c "$PYRWX"
nbpid=$BG_PID
wait_for 20 sec_dump "$T/out" memory_anomaly "$nbpid" rwx_anon >/dev/null
ok $? "a process of user nobody fired memory_anomaly"
f=$(sec_dump "$T/out" memory_anomaly "$nbpid" rwx_anon)
[ -n "$f" ] && sec_check "$f" "$nbpid" memory_anomaly rwx_anon '
assert ev["uid"] == ev["euid"] == 65534, ev
'
ok $? "its evidence: uid and euid 65534"
kill_one "$nbpid"

reload "allow_cgroup = [\"${CG_PATH:-/nonexistent}\"]
allow_user = [\"nobody\"]"
ok $? "configuration with allow_cgroup and allow_user reloaded"
if [ -n "$CG_DIR" ]; then
	bg cgrwx2 sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" -c "$3"' sh "$CG_DIR" "$PY" "$PYRWX"
	cg2=$BG_PID
fi
bg nobody2 setpriv --reuid=65534 --regid=65534 --clear-groups "$PY" -c "$PYRWX"
nb2=$BG_PID
bg control "$PY" -c "$PYRWX"
ctl=$BG_PID
wait_for 20 sec_dump "$T/out" memory_anomaly "$ctl" rwx_anon >/dev/null
ok $? "the same program as root outside the cgroup still fires (the lists are that narrow)"
wait_samples d 4
if [ -n "$CG_DIR" ]; then
	sec_dump "$T/out" memory_anomaly "$cg2" >/dev/null
	ok $((!$?)) "allow_cgroup: the same program in the allow-listed cgroup is not reported"
	kill_one "$cg2"
else
	_n=$((_n + 1)); echo "ok $_n - # SKIP no test cgroup"
fi
sec_dump "$T/out" memory_anomaly "$nb2" >/dev/null
ok $((!$?)) "allow_user: the same program as the allow-listed user is not reported"
kill_one "$nb2"
kill_one "$ctl"

# --- per-rule switches, reloaded: with miner and memory_anomaly off, a busy program from a
# world-writable directory and an RWX mapping are not reported while an exec from /dev/shm
# still is; with suspicious_spawn off (the others on), the other way round ---
shm_exec() { # shm_exec NAME : runs a copy of sleep from /dev/shm for 0.3 s; its pid
	cp /bin/sleep "/dev/shm/spiketrace-$1-$$"
	sh -c "echo \$\$ >'$T/$1.pid'; exec '/dev/shm/spiketrace-$1-$$' 0.3"
	rm -f "/dev/shm/spiketrace-$1-$$"
	cat "$T/$1.pid"
}
reload "enable_miner_detection = false
enable_memory_anomaly_detection = false"
ok $? "reloaded with miner and memory_anomaly off"
cp "$W/secwork" "$MDIR/open/worker"
bg off1 "$MDIR/open/worker" burn 20
o1=$BG_PID
bg off2 "$W/secwork" rwx 20
o2=$BG_PID
o3=$(shm_exec off3)
finding suspicious_spawn "$o3" exec_from_tmp "with miner and memory_anomaly off, an exec from /dev/shm still fires"
wait_samples d 12 # 6 s: more than a window
sec_dump "$T/out" miner "$o1" >/dev/null
ok $((!$?)) "enable_miner_detection = false: a busy program from a world-writable directory is not reported"
sec_dump "$T/out" memory_anomaly "$o2" >/dev/null
ok $((!$?)) "enable_memory_anomaly_detection = false: an RWX mapping is not reported"
kill_one "$o1"; kill_one "$o2"
reload "enable_spawn_detection = false"
ok $? "reloaded with suspicious_spawn off"
bg on2 "$W/secwork" rwx 20
o4=$BG_PID
o5=$(shm_exec off5)
finding memory_anomaly "$o4" rwx_anon "with suspicious_spawn off, an RWX mapping still fires"
wait_samples d 4
sec_dump "$T/out" suspicious_spawn "$o5" >/dev/null
ok $((!$?)) "enable_spawn_detection = false: an exec from /dev/shm is not reported"
kill_one "$o4"
rm -rf "$MDIR"

stop_daemon
ok $DAEMON_STATUS "clean stop"

# --- a finding in the same sample as a resource trigger that starts a diagnostic episode: a new
# process busy from its start with an RWX mapping (cpu_new_process and rwx_anon at its first
# sample). Each security finding gets a dump of its own, not an other_trigger of the episode's ---
cat >"$T/e.toml" <<EOF2
[anomaly_detection]
cooldown_seconds = 0.0
[features]
enable_memory_detection = false
enable_swap_detection = false
enable_fork_detection = false
enable_psi_triggers = false
enable_diagnostic_mode = true
EOF2
start_daemon e -c "$T/e.toml" -o "$T/eout" -i 0.5
bg rwxbusy "$W/secwork" rwx-busy 4
rbpid=$BG_PID
wait_for 20 sec_dump "$T/eout" memory_anomaly "$rbpid" rwx_anon primary >/dev/null
ok $? "during an episode the finding is the primary trigger of a dump of its own"
# cpu_new_process at its first sample; cpu_delta if that sample caught it before it ran
cpu_dump() { dump_with_trigger "$T/eout" cpu_new_process "$rbpid" || dump_with_trigger "$T/eout" cpu_delta "$rbpid"; }
wait_for 20 cpu_dump >/dev/null
wait_for 20 grep -q "diagnostic mode ends" "$T/e.err"
same=$("$PY" - "$T/eout" "$rbpid" 2>&1 <<'PYEOF'
import glob, json, sys
pid = int(sys.argv[2]); sec = cpu = None
for f in sorted(glob.glob(sys.argv[1] + "/spike_*.json")):
    d = json.load(open(f)); t = d["trigger"]
    if t["pid"] != pid: continue
    if t["type"] == "memory_anomaly": sec = d
    if t["type"] in ("cpu_new_process", "cpu_delta") and cpu is None: cpu = d
assert sec and cpu, "no dumps"
assert all("security" not in o for o in cpu["other_triggers"]), cpu["other_triggers"]
assert sec["trigger"]["security"]["signal"] == "rwx_anon" and not sec["other_triggers"], sec["other_triggers"]
assert cpu["diagnosis"] is not None, "the cpu trigger started the episode"
print("in the same sample" if sec["trigger"]["timestamp"] == cpu["trigger"]["timestamp"] else "in different samples")
PYEOF
)
ok $? "the episode's dump (cpu, with its diagnosis) holds no security trigger; the finding's dump holds only it ($same)"
kill_one "$rbpid"
stop_daemon
done_testing
