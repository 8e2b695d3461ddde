#!/usr/bin/env bash
# shortlived.sh - processes that live and die between two samples are still caught: their exit
# record (taskstats) and exec-time command line (proc connector); and a fork storm triggers.
. "$(dirname "$0")/lib.sh"

W=${BUILD_DIR:-$ROOT/${BUILD:-build}}/workloads
[ -x "$W/hotcold" ] || skip_all "workloads not built ($W); run make unit"
[ "$(id -u)" -eq 0 ] || skip_all "the taskstats exit listener and the proc connector need root"

printf '[anomaly_detection]\ncooldown_seconds = 0.0\nfork_rate_threshold_per_s = 150.0\n' >"$T/c.toml"
# a 2 s interval: a 300 ms process lives and dies between two samples
start_daemon d -c "$T/c.toml" -o "$T/out" -i 2
ok $? "daemon started"
sh -c "echo \$\$ >'$T/pid'; exec '$W/hotcold' 0.3 short-lived-marker"
pid=$(cat "$T/pid")
wait_for 30 sh -c "ls '$T/out' 2>/dev/null | grep -q '_cpu_new_process_$pid.json'"
ok $? "a process that burned 300 ms between two samples fired cpu_new_process"
f=$(ls "$T"/out/spike_*_cpu_new_process_"$pid".json 2>/dev/null | head -1)
if [ -n "$f" ]; then
	check "its dump validates" validate "$f"
	"$PY" - "$f" "$pid" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1])); pid = int(sys.argv[2])
t = d["trigger"]
assert t["culprit_exited"] and t["pid"] == pid, t
assert "short-lived-marker" in t["cmdline"], t["cmdline"]
ex = [e for e in d["snapshots"][-1]["exited"] if e["pid"] == pid]
assert ex and 0.2 <= ex[0]["cpu_time_seconds"] <= 0.6 and not ex[0]["seen"], ex
assert ex[0]["comm"] == "hotcold" and ex[0]["exit_code"] == 0
PYEOF
	ok $? "the trigger and the exited list carry its exec-time cmdline, CPU time and exit code"
else
	ok 1 "no dump to check"; ok 1 "no dump to check"
fi

# a fork storm: hundreds of short processes a second
sh -c 'echo $$ >"$0"; i=0; while [ $i -lt 1500 ]; do /bin/true; i=$((i + 1)); done' "$T/stormpid"
storm=$(cat "$T/stormpid")
# (the forking shell is busy and new too: fork_storm may share a dump with its cpu trigger)
wait_for 30 dump_with_trigger "$T/out" fork_storm >/dev/null
ok $? "a fork storm fired fork_storm"
read -r f culprit _ < <(dump_with_trigger "$T/out" fork_storm)
[ -n "${f:-}" ] && check "its dump validates" validate "$f" || ok 1 "no dump"
check "the culprit is the forking shell ($storm = ${culprit:-none})" test "${culprit:-0}" = "$storm"
stop_daemon
ok $DAEMON_STATUS "clean stop"
done_testing
