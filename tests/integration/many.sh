#!/usr/bin/env bash
# many.sh - with thousands of processes on the host, a quiet process that turns busy still triggers.
. "$(dirname "$0")/lib.sh"

N=${MANY_PROCS:-3000}
[ "$(ulimit -u)" = unlimited ] || [ "$(ulimit -u)" -gt $((N + 500)) ] || skip_all "ulimit -u $(ulimit -u) is below $((N + 500))"
# one process group of N idle sleeps, killed together at the end
bg sleepers sh -c "i=0; while [ \$i -lt $N ]; do sleep 100000 & i=\$((i + 1)); done; wait"
wait_for 60 sh -c "[ \$(pgrep -c -g $BG_PID) -ge $N ]"
ok $? "$N idle processes running"

# a process that is quiet when the daemon starts and turns busy when told to
mkfifo "$T/go"
bg sleeper sh -c "read x < '$T/go'; while :; do :; done"
target=$BG_PID
# (PSI stall triggers would rightly blame the same busy process first: they have a test of their own)
printf '[features]\nenable_psi_triggers = false\n' >"$T/d.toml"
start_daemon d -c "$T/d.toml" -o "$T/out" -i 0.5
ok $? "daemon samples $(pgrep -c .) processes"
wait_samples d 3
ok $? "several samples taken"
procs=$(grep -o 'sample [0-9]*: [0-9]* processes' "$T/d.err" | tail -1 | awk '{print $3}')
check "it reads every process, no cap ($procs)" test "${procs:-0}" -ge "$N"
echo go >"$T/go"
wait_for 30 dump_with_trigger "$T/out" cpu_delta "$target" >/dev/null
r=$?
ok $r "the quiet process turning busy fires cpu_delta among $N+ processes"
[ $r -eq 0 ] || grep -E 'trigger|wrote' "$T/d.err" | tail -5 | diag
f=$(dump_with_trigger "$T/out" cpu_delta "$target" | cut -d' ' -f1)
if [ -n "$f" ]; then check "its dump validates" validate "$f"; else ok 1 "no dump"; fi
ms=$(grep -o 'processes in [0-9.]* ms' "$T/d.err" | tail -5 | awk '{s+=$3} END {if (NR) printf "%.2f", s/NR}')
echo "# last samples took ${ms} ms for ${procs} processes"
stop_daemon
ok $DAEMON_STATUS "clean stop"
done_testing
