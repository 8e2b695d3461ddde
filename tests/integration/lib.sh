# lib.sh - shared helpers for integration tests: TAP output, deadlines, a daemon under test.
# Source it; it sets BIN, a private $T temp dir removed at exit, and kills what the test started.
set -u
BIN=${SPIKETRACE_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/spiketrace}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d /tmp/spiketrace-it.XXXXXX)
PY=/usr/bin/python3
_n=0
_failed=0
_pids=()

cleanup() {
	exec 2>/dev/null # the shell reports the jobs it kills; nothing a reader needs
	local p
	for p in "${_pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	if mountpoint -q "$T/small" 2>/dev/null; then umount "$T/small"; fi
	rm -rf "$T"
}
trap cleanup EXIT

ok() { # ok COND-STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}
check() { # check DESCRIPTION CMD... : runs CMD, ok on exit 0
	local d=$1; shift
	if "$@"; then ok 0 "$d"; else ok 1 "$d"; fi
}
diag() { sed 's/^/# /'; }
done_testing() { echo "1..$_n"; [ $_failed -eq 0 ]; exit $?; }
skip_all() { echo "1..0 # SKIP $*"; exit 77; }

# wait_for SECONDS CMD... : polls CMD every 0.1 s until it succeeds or the deadline passes
wait_for() {
	local limit=$1; shift
	local end=$((SECONDS + limit))
	while [ $SECONDS -lt $end ]; do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# bg NAME CMD... : starts CMD in its own process group, remembered for cleanup; PID in $BG_PID
bg() {
	local name=$1; shift
	setsid "$@" >"$T/$name.out" 2>"$T/$name.err" &
	BG_PID=$!
	_pids+=("$BG_PID")
}

# kill_bg : kills every process group the test started so far (quietly)
kill_bg() {
	local p
	{
		for p in "${_pids[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done
		wait
	} 2>/dev/null
	_pids=()
}

# start_daemon NAME ARGS... : runs the daemon with debug logs; waits for its first sample
start_daemon() {
	local name=$1; shift
	bg "$name" "$BIN" daemon -l debug "$@"
	DAEMON_PID=$BG_PID
	wait_for 20 grep -q 'sample 1:' "$T/$name.err"
}

# samples_seen NAME : how many samples the daemon named NAME has logged
samples_seen() { local n; n=$(grep -c 'debug: sample [0-9]*:' "$T/$1.err" 2>/dev/null); echo "${n:-0}"; }

# wait_samples NAME N : until the daemon logged at least N more samples than now
_samples_ge() { [ "$(samples_seen "$1")" -ge "$2" ]; }
wait_samples() {
	local target=$(($(samples_seen "$1") + $2))
	wait_for 30 _samples_ge "$1" "$target"
}

# The security rules off, as TOML for a test's config: other programs on a shared host (one run
# from /tmp is a finding) make dumps, and start episodes, of their own.
SECURITY_OFF_TOML='[security]
enable_miner_detection = false
enable_spawn_detection = false
enable_memory_anomaly_detection = false'

# dump_with_trigger DIR TYPE [PID] : "FILE PID INTERVAL" of the first dump in DIR with a TYPE trigger
# (primary or other: a trigger may share a dump with others of the same sample), blaming PID when
# given (other tests' processes on a shared host trigger too); fails if none
dump_with_trigger() {
	"$PY" - "$1" "$2" "${3:-}" <<'PYEOF'
import glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + "/spike_*.json")):
    d = json.load(open(f))
    for t in [d["trigger"]] + d["other_triggers"]:
        if t["type"] == sys.argv[2] and sys.argv[3] in ("", str(t["pid"])):
            print(f, t["pid"], d["snapshots"][d["trigger_snapshot_index"]]["interval_seconds"])
            sys.exit(0)
sys.exit(1)
PYEOF
}

# triggered_pids DIR : the pids of every trigger (primary and other) in DIR's dumps
triggered_pids() {
	"$PY" -c '
import glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + "/spike_*.json")):
    d = json.load(open(f))
    for t in [d["trigger"]] + d["other_triggers"]:
        print(t["pid"])' "$1"
}

# busy NAME : a process burning one CPU until the test ends; PID in $BUSY_PID
busy() {
	bg "$1" sh -c 'while :; do :; done'
	BUSY_PID=$BG_PID
}

# dumps DIR : the dump files in DIR, one per line
dumps() { ls "$1"/spike_*.json 2>/dev/null; }

# validate FILE... : JSON Schema + invariants (tests/integration/validate_dump.py)
validate() { "$PY" "$ROOT/tests/integration/validate_dump.py" "$@"; }

# jq-like field read with python: jget FILE EXPR (EXPR is python on `d`)
jget() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# stop_daemon : SIGTERM and wait for exit; its status in $DAEMON_STATUS
stop_daemon() {
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID"
	DAEMON_STATUS=$?
}

# counts FILE : "name calls errors" lines from a strace -c style table (ours has more columns)
counts() {
	"$PY" - "$1" <<'PYEOF'
import sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 5 or not f[0][0].isdigit() or f[-1] == "total":
        continue
    name = f[-1]
    calls = int(f[3])
    errors = int(f[4]) if len(f) > 5 and f[4].isdigit() and (len(f) == 6 or not f[4].endswith("s")) else 0
    rows[name] = (calls, errors)
for k in sorted(rows):
    print(k, *rows[k])
PYEOF
}

# compare NAME EXTRA-TRACE-OPTS -- CMD... : the command under strace -f -c and under
# spiketrace trace --engine=$ENGINE --stats: the same exit status and per-syscall call and error
# counts ($SKIP_SYSCALLS: names not compared); spiketrace's stderr is left in $T/$ENGINE-NAME.err
compare() {
	local name=$ENGINE-$1; shift
	local opts=()
	while [ "$1" != "--" ]; do opts+=("$1"); shift; done
	shift
	# (the shell reports a command killed by a signal on its stderr: keep that out of TAP)
	local want got
	want=$( (strace -f -c -o "$T/$name.strace" "${opts[@]}" "$@" >/dev/null 2>&1; echo $?) 2>/dev/null)
	got=$( ("$BIN" trace --engine=$ENGINE --stats -o "$T/$name.ours" "${opts[@]}" -- "$@" >/dev/null 2>"$T/$name.err"; echo $?) 2>/dev/null)
	check "$name: exit status passed through ($got, strace saw $want)" test "$got" = "$want"
	counts "$T/$name.strace" | grep -vwE "^(${SKIP_SYSCALLS:-none})" >"$T/$name.want"
	counts "$T/$name.ours" | grep -vwE "^(${SKIP_SYSCALLS:-none})" >"$T/$name.got"
	if diff -u "$T/$name.want" "$T/$name.got" >"$T/$name.diff"; then
		ok 0 "$name: per-syscall calls and errors equal strace -c ($(wc -l <"$T/$name.want") syscalls)"
	else
		ok 1 "$name: per-syscall calls and errors equal strace -c"
		diag <"$T/$name.diff"
	fi
}

# for_engines FN : runs FN once per tracer engine (bpf, ptrace) with $ENGINE set; the bpf pass is
# reported as skipped, with the reason, when eBPF cannot load here
for_engines() {
	local fn=$1 why
	for ENGINE in bpf ptrace; do
		if [ "$ENGINE" = bpf ] && ! why=$("$BIN" trace --engine=bpf -o /dev/null -- true 2>&1); then
			_n=$((_n + 1)); echo "ok $_n - # SKIP eBPF engine: ${why:-unavailable}"
			continue
		fi
		"$fn"
	done
}
