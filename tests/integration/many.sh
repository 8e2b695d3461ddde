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
start_daemon d -o "$T/out" -i 0.5
ok $? "daemon samples $(pgrep -c .) processes"
wait_samples d 3
ok $? "several samples taken"
procs=$(grep -o 'sample [0-9]*: [0-9]* processes' "$T/d.err" | tail -1 | awk '{print $3}')
check "it reads every process, no cap ($procs)" test "${procs:-0}" -ge "$N"
echo go >"$T/go"
wait_for 30 sh -c "ls '$T/out' 2>/dev/null | grep -q '_cpu_delta_$target.json'"
ok $? "the quiet process turning busy fires cpu_delta among $N+ processes"
f=$(ls "$T/out"/spike_*_cpu_delta_"$target".json 2>/dev/null | head -1)
[ -n "$f" ] && check "its dump validates" validate "$f" || ok 1 "no dump"
ms=$(grep -o 'processes in [0-9.]* ms' "$T/d.err" | tail -5 | awk '{s+=$3} END {if (NR) printf "%.2f", s/NR}')
echo "# last samples took ${ms} ms for ${procs} processes"
stop_daemon
ok $DAEMON_STATUS "clean stop"
done_testing
