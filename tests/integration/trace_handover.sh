#!/usr/bin/env bash
# trace_handover.sh - the default engine on a command with a syscall set: ptrace stopping only on
# the set (seccomp) while stops are rare, eBPF once they are frequent. Both halves together must
# still give strace's counts; a seccomp filter the program asks for, before or after the
# handover, must stay enforced; a loop of untraced calls never loads eBPF.
. "$(dirname "$0")/lib.sh"

command -v strace >/dev/null || skip_all "strace is not installed (the oracle)"
W=${BUILD_DIR:-$ROOT/${BUILD:-build}}/workloads
[ -x "$W/handover" ] || skip_all "workloads not built ($W); run make unit"
"$BIN" trace --engine=bpf -o /dev/null -- true 2>"$T/why" ||
	skip_all "eBPF engine unavailable here, so there is nothing to hand over to: $(cat "$T/why")"
export SPIKETRACE_BPF_DEBUG=1 # says when the handover happens
ENGINE=auto
CLS=file,process

handed() { # handed NAME : the run handed its tracees over to eBPF
	grep -q "handed over to eBPF" "$T/auto-$1.err"
}

compare opens -e trace=$CLS -- "$W/handover" opens 3000
handed opens
ok $? "3,000 opens: handed over to eBPF"

# execve not in the set: the command's calls count from its exec all the same
compare openat-only -e trace=openat -- "$W/handover" opens 3000
handed openat-only
ok $? "with only openat traced: handed over too"

compare threads -e trace=$CLS -- "$W/handover" threads 2000
handed threads
ok $? "4 threads and a child after the handover: handed over, counts above equal strace's"

# the program's own filter, installed after the handover: ptrace takes the process back, the
# filter is enforced at once (the workload exits 3 if getppid is not denied)
compare seccomp-late -e trace=$CLS -- "$W/handover" seccomp-late 2000
handed seccomp-late
ok $? "seccomp filter asked for after the handover: it had happened"
"$BIN" trace -e trace=$CLS -o /dev/null -- "$W/handover" seccomp-late 2000 2>"$T/late.err"
rc=$?
check "and the filter was enforced (the workload exits 0, got $rc)" test $rc -eq 0
check "because ptrace took the process back" grep -q "back on ptrace (seccomp)" "$T/late.err"

# a 32-bit call after the handover (int 0x80): the eBPF program cannot read its number, so ptrace
# takes the process back (its filter stops on every 32-bit call); x86_64 counts still equal
compare compat -e trace=$CLS -- "$W/handover" compat 2000
check "a 32-bit call after the handover takes the process back to ptrace" \
	grep -q "back on ptrace (seccomp)" "$T/auto-compat.err"

# a filter from the start: the process is never handed over (its filter would be suspended)
compare seccomp-early -e trace=$CLS -- "$W/handover" seccomp-early 2000
"$BIN" trace -e trace=$CLS -o /dev/null -- "$W/handover" seccomp-early 2000 2>/dev/null
rc=$?
check "a filter installed before the handover stays enforced (exit $rc)" test $rc -eq 0

# untraced calls only: nothing to stop on, so eBPF is never loaded
"$BIN" trace -e trace=$CLS -o "$T/quiet.out" -- "$W/loops" getppid 300000 2>"$T/quiet.err"
rc=$?
check "a loop of untraced getppid calls runs to its end (exit $rc)" test $rc -eq 0
grep -q "handed over" "$T/quiet.err"
ok $((!$?)) "and stays on ptrace: no eBPF load"
grep -q "bpf: load" "$T/quiet.err"
ok $((!$?)) "(no eBPF program was loaded at all)"

# the default report reads the calls nearly every program makes often (read, write, mmap):
# it starts on eBPF, and forks and execs never stop
"$BIN" trace -o "$T/report.out" -- "$W/handover" opens 3000 2>"$T/report.err"
grep -q "handed over" "$T/report.err"
ok $((!$?)) "the default report starts on eBPF (nothing to hand over)"
check "and counts every open of the file" grep -q "/etc/hostname (3000 opens)" "$T/report.out"

# seccomp itself in the set: the request can be ptrace's own call at the handover, and the
# process is still taken back
compare seccomp-traced -e trace=file,seccomp -- "$W/handover" seccomp-late 2000
check "with seccomp traced too, the filter asked for after the handover is enforced" \
	grep -q "back on ptrace (seccomp)" "$T/auto-seccomp-traced.err"
done_testing
