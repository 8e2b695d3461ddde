#!/usr/bin/env bash
# trace_structs.sh - spiketrace trace -v decodes the structs behind pointers as strace does: the
# fields the structs workload knows (a 1234-byte file of mode 0640, SIGUSR1's action, a 0.25 s
# sleep, rlimits, children that exit 3, are killed and stop, a 24x80 pty), then line for line
# against strace on the same workload.
. "$(dirname "$0")/lib.sh"

W=${BUILD_DIR:-$ROOT/${BUILD:-build}}/workloads
[ -x "$W/structs" ] || skip_all "workloads not built ($W); run make unit"

before=$(date +%s)
"$BIN" trace -v -o "$T/s.split" -- "$W/structs" "$T"; rc=$?
after=$(date +%s)
check "the workload got what it asked of every call (exit 0 = $rc)" test $rc -eq 0
# a parent's wait4 is split by its child's lines ("wait4(PID,  <unfinished ...>", later
# "<... wait4 resumed>[...], 0, NULL) = PID", trace_order.sh tests that): joined back into one
# line at the entry's place for the checks below
"$PY" - "$T/s.split" >"$T/s.txt" <<'PYEOF'
import re, sys
out, open_at = [], {}
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    m = re.match(r"(\[\+[\d.]+\] (?:\[pid +(\d+)\] )?)(.*)$", line)
    tid = m.group(2) if m else None
    text = m.group(3) if m else ""
    r = re.match(r"<\.\.\. \w+ resumed>(.*)$", text)
    if text.endswith(" <unfinished ...>"):
        open_at[tid] = len(out)
        out.append(line[: -len(" <unfinished ...>")])
    elif r and tid in open_at:
        out[open_at.pop(tid)] += r.group(1)
    else:
        out.append(line)
print("\n".join(out))
PYEOF
has() { grep -qF -- "$1" "$T/s.txt"; }
has_re() { grep -qE -- "$1" "$T/s.txt"; }
F=$T/structs-file
ADDR='0x[0-9a-f]+'

# struct stat and statx of the file it wrote
check "stat: the file's type, mode and size" has "stat(\"$F\", {st_mode=S_IFREG|0640, st_size=1234, ...}) = 0"
check "lstat too" has "lstat(\"$F\", {st_mode=S_IFREG|0640, st_size=1234, ...}) = 0"
check "fstat too" has_re "fstat\([0-9]+, \{st_mode=S_IFREG\|0640, st_size=1234, \.\.\.\}\) += 0$"
check "newfstatat too" has "newfstatat(AT_FDCWD, \"$F\", {st_mode=S_IFREG|0640, st_size=1234, ...}, 0)"
check "statx: sync type, mask and the struct" has_re "statx\(AT_FDCWD, \"$F\", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, \{stx_mask=STATX_BASIC_STATS[|A-Z_]*, stx_attributes=[|A-Z_0-9]+, stx_mode=S_IFREG\|0640, stx_size=1234, \.\.\.\}\) += 0$"
check "a stat that failed shows the pointer" has_re "stat\(\"/nonexistent/structs\", $ADDR\) += -1 ENOENT"

# struct sigaction and sigsets
check "rt_sigaction: the handler it set, its mask and flags" has_re "rt_sigaction\(SIGUSR1, \{sa_handler=$ADDR, sa_mask=\[INT TERM\], sa_flags=SA_RESTORER\|SA_RESTART, sa_restorer=$ADDR\}, NULL, 8\) += 0$"
check "rt_sigaction: the same read back as the old action" has_re "rt_sigaction\(SIGUSR1, NULL, \{sa_handler=$ADDR, sa_mask=\[INT TERM\], sa_flags=SA_RESTORER\|SA_RESTART, sa_restorer=$ADDR\}, 8\) += 0$"
check "rt_sigaction: SIG_IGN set, SIG_DFL was there" has_re "rt_sigaction\(SIGPIPE, \{sa_handler=SIG_IGN, sa_mask=\[\], sa_flags=SA_RESTORER, sa_restorer=$ADDR\}, \{sa_handler=SIG_DFL, sa_mask=\[\], sa_flags=0\}, 8\) += 0$"
check "rt_sigprocmask: how by name, the set it blocked" has "rt_sigprocmask(SIG_BLOCK, [INT CHLD], [], 8)"
check "rt_sigprocmask: a full set minus one as its complement" has "rt_sigprocmask(SIG_SETMASK, ~[USR2 RTMIN RT_1], NULL, 8)"

# timespecs and clocks
check "nanosleep of 0.25 s" has "nanosleep({tv_sec=0, tv_nsec=250000000}, NULL) = 0"
check "clock_nanosleep: clock by name, 1 ms" has "clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=0, tv_nsec=1000000}, NULL) = 0"
check "clock_getres of CLOCK_MONOTONIC" has_re "clock_getres\(CLOCK_MONOTONIC, \{tv_sec=0, tv_nsec=[0-9]+\}\) += 0$"
now=$(sed -nE 's/.*clock_gettime\(CLOCK_REALTIME, \{tv_sec=([0-9]+), tv_nsec=[0-9]+\}\) += 0$/\1/p' "$T/s.txt")
check "clock_gettime: the time of day it read (${now:-none} in [$before, $after])" test -n "$now" -a "${now:-0}" -ge "$before" -a "${now:-0}" -le "$after"

# rlimits: what this shell passed on, then what the workload set
rlim() { # strace's form of a limit from ulimit
	if [ "$1" = unlimited ]; then echo RLIM64_INFINITY
	elif [ "$1" -gt 1024 ] && [ $(($1 % 1024)) -eq 0 ]; then echo "$(($1 / 1024))*1024"
	else echo "$1"; fi
}
nofile="{rlim_cur=$(rlim "$(ulimit -Sn)"), rlim_max=$(rlim "$(ulimit -Hn)")}"
case $(ulimit -Hs) in unlimited) stack_max=RLIM64_INFINITY ;; *) stack_max=$(rlim $(($(ulimit -Hs) * 1024))) ;; esac
check "getrlimit(RLIMIT_NOFILE): the limits it inherited $nofile" has "getrlimit(RLIMIT_NOFILE, $nofile) = 0"
check "setrlimit(RLIMIT_NOFILE): the soft limit it set" has "setrlimit(RLIMIT_NOFILE, {rlim_cur=256, rlim_max=$(rlim "$(ulimit -Hn)")}) = 0"
check "prlimit64(RLIMIT_STACK): 4 MiB as 4096*1024" has "prlimit64(0, RLIMIT_STACK, {rlim_cur=4096*1024, rlim_max=$stack_max}, NULL) = 0"

# wait statuses
check "wait4: a child that exited 3" has_re "wait4\(([0-9]+), \[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 3\}\], 0, NULL\) += \1$"
check "wait4: a child killed by SIGKILL" has_re "wait4\(([0-9]+), \[\{WIFSIGNALED\(s\) && WTERMSIG\(s\) == SIGKILL\}\], 0, NULL\) += \1$"
check "wait4: a child stopped by SIGSTOP (WUNTRACED)" has_re "wait4\(([0-9]+), \[\{WIFSTOPPED\(s\) && WSTOPSIG\(s\) == SIGSTOP\}\], WSTOPPED, NULL\) += \1$"
check "waitid: the stopped child's exit 5" has_re "waitid\(P_PID, ([0-9]+), \{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=\1, si_uid=$(id -u), si_status=5, si_utime=[0-9]+, si_stime=[0-9]+\}, WEXITED, NULL\) += 0$"
check "wait4 WNOHANG without children: the pointer, ECHILD" has_re "wait4\(-1, $ADDR, WNOHANG, NULL\) += -1 ECHILD"

# ioctls
check "FIONREAD: the 5 bytes in the pipe" has_re "ioctl\([0-9]+, FIONREAD, \[5\]\) += 0$"
check "FIONBIO, FIOCLEX, FIONCLEX" has_re "ioctl\([0-9]+, FIONBIO, \[1\]\) += 0$" && has_re "ioctl\([0-9]+, FIOCLEX\) += 0$" && has_re "ioctl\([0-9]+, FIONCLEX\) += 0$"
check "TCGETS on a pipe: the pointer, ENOTTY" has_re "ioctl\([0-9]+, TCGETS, $ADDR\) += -1 ENOTTY"
check "TIOCSWINSZ: the 24x80 it set" has_re "ioctl\([0-9]+, TIOCSWINSZ, \{ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0\}\) += 0$"
check "TIOCGWINSZ: the 24x80 it read back" has_re "ioctl\([0-9]+, TIOCGWINSZ, \{ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0\}\) += 0$"
TERMIOS='\{c_iflag=[A-Z0-9|]*, c_oflag=NL0\|CR0\|TAB0\|BS0\|VT0\|FF0\|[A-Z0-9|]+, c_cflag=B[0-9]+\|CS8\|[A-Z0-9|]+, c_lflag=[A-Z0-9|]*ICANON[A-Z0-9|]*, \.\.\.\}'
check "TCGETS on the pty: its termios (the four flag words)" has_re "ioctl\([0-9]+, TCGETS, $TERMIOS\) += 0$"
check "TCSETS, by strace's double name, with the same termios" has_re "ioctl\([0-9]+, SNDCTL_TMR_START or TCSETS, $TERMIOS\) += 0$"
check "SIOCGIFCONF by name" has_re "ioctl\([0-9]+, SIOCGIFCONF, $ADDR\) += 0$"
check "an unknown request as _IOC()" has_re "ioctl\([0-9]+, _IOC\(_IOC_READ, 0x99, 0x1, 0x4\), $ADDR\) += -1 ENOTTY"

# line for line against strace: the main process's decoded calls, addresses and pids masked;
# strace's ifconf decoding and its restarted calls left out
if ! command -v strace >/dev/null; then
	ok 0 "same lines as strace # SKIP strace is not installed"
	done_testing
fi
strace -o "$T/s.strace" "$W/structs" "$T" >/dev/null 2>&1; src=$?
check "the workload exits 0 under strace too ($src)" test $src -eq 0
main=$(sed -nE 's/^\[\+[0-9.]+\] \[pid +([0-9]+)\] clone\(.*/\1/p' "$T/s.txt" | head -1)
decoded() { # FILE : the main process's lines of the struct-decoding calls, normalised
	sed -E -e 's/^\[\+[0-9.]+\] //' -e "s/^\[pid +$main\] //" "$1" |
		grep -E '^(stat|lstat|fstat|newfstatat|statx|rt_sigaction|rt_sigprocmask|nanosleep|clock_nanosleep|clock_getres|getrlimit|setrlimit|prlimit64|wait4|waitid|ioctl)\(' |
		grep -vE 'ERESTART|, SIOCGIFCONF, .*\) += 0$' |
		sed -E -e 's/\) +=/) =/' -e 's/0x[0-9a-f]{5,}/ADDR/g' -e '/^(wait4|waitid)\(/ s/[0-9]{3,}/PID/g'
}
decoded "$T/s.txt" >"$T/ours"
decoded "$T/s.strace" >"$T/theirs"
if [ -s "$T/theirs" ] && diff -u "$T/theirs" "$T/ours" >"$T/diff"; then
	ok 0 "the decoded calls are strace's, line for line ($(wc -l <"$T/theirs") lines)"
else
	ok 1 "the decoded calls are strace's, line for line"
	diag <"$T/diff"
fi
done_testing
