#!/usr/bin/env bash
# trace_order.sh - spiketrace trace -v (ptrace) prints its lines in time order, as strace -f does:
# a call in progress when another task's line comes is split into "NAME(ARGS <unfinished ...>"
# and "<... NAME resumed>REST) = RET". The order workload: a vfork parent suspended while its
# child execs, a parent in wait4 while its child makes calls, two threads each blocked in a read
# on a pipe while the other writes. Then the same shapes in strace's output, and the --json order.
. "$(dirname "$0")/lib.sh"

W=${BUILD_DIR:-$ROOT/${BUILD:-build}}/workloads
[ -x "$W/order" ] || skip_all "workloads not built ($W); run make unit"

"$BIN" trace -v -o "$T/o.txt" -- "$W/order" >"$T/o.out"; rc=$?
check "the order workload exits 0 under trace -v ($rc)" test $rc -eq 0
# what it did: "vfork=PID wait4=PID ping=FD pong=FD" (the read ends of the two pipes)
report() { sed -n 's/^vfork=\([0-9]*\) wait4=\([0-9]*\) ping=\([0-9]*\) pong=\([0-9]*\)$/\1 \2 \3 \4/p' "$1"; }
read -r VCHILD FCHILD PING PONG < <(report "$T/o.out")
check "it reported its vfork and fork children (${VCHILD:-?}, ${FCHILD:-?})" test -n "${VCHILD:-}" -a -n "${FCHILD:-}"
VCHILD=${VCHILD:-0} FCHILD=${FCHILD:-0} PING=${PING:-0} PONG=${PONG:-0}

# the stamps: [+S.mmm] at the start of every line, never smaller than the line before
"$PY" - "$T/o.txt" <<'PYEOF'
import re, sys
prev, n = -1.0, 0
for no, line in enumerate(open(sys.argv[1]), 1):
    m = re.match(r"\[\+(\d+\.\d+)\] ", line)
    if not m:
        continue  # the "spiketrace: tracing" headline
    n += 1
    t = float(m.group(1))
    if t < prev:
        print(f"# line {no} steps back from {prev}: {line.rstrip()}")
        sys.exit(1)
    prev = t
sys.exit(0 if n > 50 else 1)
PYEOF
ok $? "the timestamps in the file never decrease"

# every <unfinished ...> line of a task has its <... NAME resumed> line after it, and no resumed
# line comes without one (nothing else of that task in between)
"$PY" - "$T/o.txt" <<'PYEOF'
import re, sys
line_re = re.compile(r"\[\+[\d.]+\] \[pid +(\d+)\] (.*)$")
open_call, bad = {}, 0
for no, line in enumerate(open(sys.argv[1]), 1):
    m = line_re.match(line.rstrip("\n"))
    if not m:
        continue
    tid, text = m.groups()
    r = re.match(r"<\.\.\. (\w+) resumed>", text)
    if text.endswith(" <unfinished ...>"):
        if tid in open_call:
            print(f"# line {no}: {tid} starts a call inside {open_call[tid]}"); bad += 1
        open_call[tid] = re.match(r"(\w+)\(", text).group(1)
    elif r:
        if open_call.pop(tid, None) != r.group(1):
            print(f"# line {no}: a resumed {r.group(1)} without its unfinished line"); bad += 1
    elif tid in open_call and not text.startswith("+++"):
        print(f"# line {no}: {tid} prints inside its unfinished {open_call[tid]}"); bad += 1
if open_call:
    print(f"# never resumed: {open_call}"); bad += 1
sys.exit(1 if bad else 0)
PYEOF
ok $? "every <unfinished ...> line has its <... NAME resumed> line later, from the same task"

# the lines of one task, in order, without stamps: "[pid N] TEXT"
lines_of() { sed -n "s/^\[+[0-9.]*\] \[pid *$1\] //p" "$T/o.txt"; }
MAIN=$(sed -n 's/^\[+[0-9.]*\] \[pid *\([0-9]*\)\] vfork( <unfinished \.\.\.>$/\1/p' "$T/o.txt" | head -1)
check "the vfork parent's call is left unfinished while its child runs (pid ${MAIN:-none})" test -n "$MAIN"
MAIN=${MAIN:-0}
check "and it resumes with the child's pid: <... vfork resumed>) = $VCHILD" grep -qE "^\[\+[0-9.]+\] \[pid +$MAIN\] <\.\.\. vfork resumed>\) += $VCHILD$" "$T/o.txt"
# between the two: the child's execve (the parent cannot return before the child's exec)
"$PY" - "$T/o.txt" "$MAIN" "$VCHILD" <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
main, child = sys.argv[2], sys.argv[3]
a = re.search(rf"\[pid +{main}\] vfork\( <unfinished \.\.\.>\n", text)
b = re.search(rf"\[pid +{main}\] <\.\.\. vfork resumed>", text)
c = re.search(rf"\[pid +{child}\] execve\(\"/bin/true\", \[\"true\"\]", text)
sys.exit(0 if a and b and c and a.start() < c.start() < b.start() else 1)
PYEOF
ok $? "the child's execve of /bin/true comes between the unfinished and the resumed vfork"
check "the +++ vfork process $VCHILD +++ line follows the unfinished vfork" grep -qE "^\[\+[0-9.]+\] \[pid +$MAIN\] \+\+\+ vfork process $VCHILD \+\+\+$" "$T/o.txt"

check "the parent's wait4 is left unfinished while its child runs" grep -qE "^\[\+[0-9.]+\] \[pid +$MAIN\] wait4\($FCHILD,  <unfinished \.\.\.>$" "$T/o.txt"
"$PY" - "$T/o.txt" "$MAIN" "$FCHILD" <<'PYEOF'
import re, sys
text = open(sys.argv[1]).read()
main, child = sys.argv[2], sys.argv[3]
a = re.search(rf"\[pid +{main}\] wait4\({child},  <unfinished \.\.\.>\n", text)
b = a and re.compile(rf"\[pid +{main}\] <\.\.\. wait4 resumed>").search(text, a.end())
calls = [m.start() for m in re.finditer(rf"\[pid +{child}\] getppid\(\) += {main}\n", text)]
sys.exit(0 if a and b and any(a.start() < c < b.start() for c in calls) else 1)
PYEOF
ok $? "its child's calls come in between (getppid)"
check "wait4 resumes with the status and the child's pid" grep -qE "^\[\+[0-9.]+\] \[pid +$MAIN\] <\.\.\. wait4 resumed>\[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 5\}\], 0, NULL\) += $FCHILD$" "$T/o.txt"

READER=$(grep -E "\] <\.\.\. read resumed>\"x\", 1\) += 1$" "$T/o.txt" | sed -n 's/^\[+[0-9.]*\] \[pid *\([0-9]*\)\].*/\1/p' | head -1)
check "the reader thread's read resumes with what the main thread wrote (tid ${READER:-none})" test -n "$READER" -a "${READER:-0}" != "$MAIN"
check "it was left unfinished first: read($PING,  <unfinished ...>" test "$(lines_of "${READER:-0}" | grep -c "^read($PING,  <unfinished \.\.\.>$")" -eq 1
check "the main thread's read on the other pipe too: read($PONG,  <unfinished ...>" test "$(lines_of "$MAIN" | grep -c "^read($PONG,  <unfinished \.\.\.>$")" -eq 1
check "and it resumes with the reader's answer" test "$(lines_of "$MAIN" | grep -c '^<\.\.\. read resumed>"y", 1) *= 1$')" -eq 1
check "a call with no other line in between stays one line (the child's exit_group(5))" test "$(lines_of "$FCHILD" | grep -c '^exit_group(5) *= ?$')" -eq 1

# the same shapes in strace -f's own output of the same workload
if command -v strace >/dev/null && strace -f -o "$T/s.txt" "$W/order" >"$T/s.out" 2>"$T/s.err"; then
	read -r SV SF _ _ < <(report "$T/s.out")
	norm() { # FILE VCHILD FCHILD: the text of each line, pids named, "= RET" unpadded
		sed -E -e 's/^(\[\+[0-9.]*\] )?(\[pid *[0-9]+\] |[0-9]+ +)//' -e 's/\)  +=/) =/' \
			-e "s/\\b$2\\b/VCHILD/g" -e "s/\\b$3\\b/FCHILD/g" "$1"
	}
	norm "$T/o.txt" "$VCHILD" "$FCHILD" >"$T/o.norm"
	norm "$T/s.txt" "${SV:-0}" "${SF:-0}" >"$T/s.norm"
	shapes=(
		'vfork( <unfinished ...>'
		'<... vfork resumed>) = VCHILD'
		'wait4(FCHILD,  <unfinished ...>'
		'<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 5}], 0, NULL) = FCHILD'
		"read($PING,  <unfinished ...>"
		'<... read resumed>"x", 1) = 1'
		"read($PONG,  <unfinished ...>"
		'<... read resumed>"y", 1) = 1'
	)
	missing=0
	for s in "${shapes[@]}"; do
		grep -qxF -- "$s" "$T/s.norm" || { echo "# strace has no line: $s"; missing=1; }
		grep -qxF -- "$s" "$T/o.norm" || { echo "# spiketrace has no line: $s"; missing=1; }
	done
	ok $missing "the split lines are strace's: ${#shapes[@]} shapes found in both outputs"
	# the child's execve: split or not depends on whether the parent's vfork return is seen
	# before the execve's (a race, in strace too); its entry part is the same either way
	entry_of_exec() { grep -oE '^execve\("/bin/true", \["true"\], 0x[0-9a-f]+ /\* [0-9]+ vars \*/' "$1" | sed 's/0x[0-9a-f]*/ADDR/'; }
	entry_of_exec "$T/s.norm" >"$T/s.exec"
	entry_of_exec "$T/o.norm" >"$T/o.exec"
	check "the vfork child's execve entry part is strace's ($(head -1 "$T/o.exec"))" test -s "$T/o.exec" -a "$(cat "$T/s.exec")" = "$(cat "$T/o.exec")"
else
	_n=$((_n + 1)); echo "ok $_n - # SKIP strace -f did not run here: $(head -1 "$T/s.err" 2>/dev/null)"
	_n=$((_n + 1)); echo "ok $_n - # SKIP strace -f did not run here"
fi

# --json: a syscall event is written when the call ends, with t = its entry and latency_ns to
# its exit; the other events' t is when they happened. docs/trace.md: the end (t + latency_ns,
# or t) never decreases from one line to the next
json_order() { # FILE ALL|SYSCALLS TOLERANCE_S
	"$PY" - "$@" <<'PYEOF'
import json, sys
path, which, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
prev, back_t, n = -1.0, 0, 0
last_t = -1.0
for no, line in enumerate(open(path), 1):
    ev = json.loads(line)
    if which == "SYSCALLS" and ev["event"] != "syscall":
        continue
    n += 1
    t = ev["t"]
    end = t + ev["latency_ns"] / 1e9 if ev["event"] == "syscall" else t
    if end < prev - tol:
        print(f"# line {no}: ends at {end:.6f}, before {prev:.6f} of the line before")
        sys.exit(1)
    back_t += t < last_t
    prev, last_t = max(prev, end), t
print(f"# {n} events, t steps back {back_t} times (calls that blocked)")
sys.exit(0 if n > 50 and (which == "SYSCALLS" or back_t > 0) else 1)
PYEOF
}
"$BIN" trace --json --engine=ptrace -o "$T/o.json" -- "$W/order" >/dev/null; rc=$?
check "--json --engine=ptrace runs the workload ($rc)" test $rc -eq 0
json_order "$T/o.json" ALL 0.000001
ok $? "--json (ptrace): every event ends no earlier than the one before (t alone steps back for blocked calls)"
"$PY" - "$T/o.json" <<'PYEOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
vf = [e for e in ev if e["event"] == "syscall" and e["syscall"] == "vfork"]
sp = [e for e in ev if e["event"] == "spawn" and e["kind"] == "vfork"]
sys.exit(0 if len(vf) == 1 and len(sp) == 1 and vf[0]["ret"] == sp[0]["child"] and vf[0]["latency_ns"] > 0 else 1)
PYEOF
ok $? "--json: the vfork event returns the child its spawn event names"
if why=$("$BIN" trace --engine=bpf -o /dev/null -- true 2>&1); then
	"$BIN" trace --json --engine=bpf -o "$T/b.json" -- "$W/order" >/dev/null; rc=$?
	check "--json --engine=bpf runs the workload ($rc)" test $rc -eq 0
	json_order "$T/b.json" ALL 0.001
	ok $? "--json (eBPF): events come in the order they ended, spawns and exits included (kernel times; within 1 ms across CPUs)"
else
	_n=$((_n + 1)); echo "ok $_n - # SKIP eBPF engine: ${why:-unavailable}"
	_n=$((_n + 1)); echo "ok $_n - # SKIP eBPF engine: ${why:-unavailable}"
fi

done_testing
