#!/usr/bin/env bash
# trace_oracle.sh - spiketrace trace --stats against strace -f -c on the same workloads:
# identical per-syscall call and error counts, and the traced command's exit status.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || skip_all "strace is not installed (the oracle)"
W=${BUILD_DIR:-$ROOT/${BUILD:-build}}/workloads
[ -x "$W/files" ] || skip_all "workloads not built ($W); run make unit"

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
# a set without execve: the command's calls are still counted from its exec on
compare no-execve -e trace=openat,close -- "$W/files" "$T"
}
for_engines oracle

# exit status of a command that cannot run
"$BIN" trace -- /nonexistent/cmd 2>"$T/e"; rc=$?
check "a missing command exits 127 ($rc)" test $rc -eq 127
grep -q "cannot run '/nonexistent/cmd': No such file or directory" "$T/e"; ok $? "and says why"
done_testing
