#!/usr/bin/env bash
# trace_oracle.sh - spiketrace trace --stats against strace -f -c on the same workloads:
# identical per-syscall call and error counts, and the traced command's exit status.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || skip_all "strace is not installed (the oracle)"
W=${BUILD_DIR:-$ROOT/${BUILD:-build}}/workloads
[ -x "$W/files" ] || skip_all "workloads not built ($W); run make unit"

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

compare() { # compare NAME EXTRA-TRACE-OPTS -- CMD...   ($SKIP_SYSCALLS: names not compared)
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

oracle() {
compare files -- "$W/files" "$T"
# how often threads wait on a futex depends on their timing, traced or not
SKIP_SYSCALLS=futex compare threads -- "$W/threads"
# (forks polls /proc with preadv + clock_nanosleep, as often as timing wants: not compared)
SKIP_SYSCALLS='preadv|clock_nanosleep' compare forks -- "$W/forks"
compare signals -- "$W/signals"
compare shell -- sh -c 'for i in 1 2 3; do ls / >/dev/null; cat /etc/hostname >/dev/null; done; exit 5'
# with a seccomp filter (-e trace=): only the chosen syscalls, still the same counts
compare files-filtered -e trace=file,desc -- "$W/files" "$T"
SKIP_SYSCALLS='preadv|clock_nanosleep' compare forks-filtered -e trace=process -- "$W/forks"
}
for_engines oracle

# exit status of a command that cannot run
"$BIN" trace -- /nonexistent/cmd 2>"$T/e"; rc=$?
check "a missing command exits 127 ($rc)" test $rc -eq 127
grep -q "cannot run '/nonexistent/cmd': No such file or directory" "$T/e"; ok $? "and says why"
done_testing
