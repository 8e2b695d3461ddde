#!/usr/bin/env bash
# shortlived.sh - processes that live and die between two samples are still caught: their exit
# record (taskstats) and exec-time command line (proc connector); and a fork storm triggers.
. "$(dirname "$0")/lib.sh"

W=${BUILD_DIR:-$ROOT/${BUILD:-build}}/workloads
[ -x "$W/hotcold" ] || skip_all "workloads not built ($W); run make unit"
[ "$(id -u)" -eq 0 ] || skip_all "the taskstats exit listener and the proc connector need root"

# (diagnostic mode off: another test's process triggering on a shared host would start 100 ms
# samples that see ours alive)
printf '[anomaly_detection]\ncooldown_seconds = 0.0\nfork_rate_threshold_per_s = 150.0\n[features]\nenable_diagnostic_mode = false\n' >"$T/c.toml"
# a 4 s interval: a process burning 300 ms of CPU lives and dies between two samples (even on a
# loaded host), started just after one
start_daemon d -c "$T/c.toml" -o "$T/out" -i 4
ok $? "daemon started"
wait_samples d 1
sh -c "echo \$\$ >'$T/pid'; exec '$W/hotcold' -c 0.3 short-lived-marker"
pid=$(cat "$T/pid")
# (the dump may be named after another trigger of the same sample: look inside)
wait_for 30 dump_with_trigger "$T/out" cpu_new_process "$pid" >/dev/null
r=$?; ok $r "a process that burned 300 ms between two samples fired cpu_new_process"; [ $r -eq 0 ] || grep -v debug "$T/d.err" | tail -5 | diag
f=$(dump_with_trigger "$T/out" cpu_new_process "$pid" | cut -d' ' -f1)
if [ -n "$f" ]; then
	check "its dump validates" validate "$f"
	"$PY" - "$f" "$pid" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1])); pid = int(sys.argv[2])
t = [t for t in [d["trigger"]] + d["other_triggers"] if t["type"] == "cpu_new_process" and t["pid"] == pid][0]
assert t["culprit_exited"], t
assert "short-lived-marker" in t["cmdline"], t["cmdline"]
ex = [e for e in d["snapshots"][d["trigger_snapshot_index"]]["exited"] if e["pid"] == pid]
assert ex and 0.29 <= ex[0]["cpu_time_seconds"] <= 0.6 and not ex[0]["seen"], ex
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
# (on a shared host another process's burst may fire first: look for the one naming the shell)
storm_dump() {
	"$PY" - "$T/out" "$storm" <<'PYEOF'
import glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + "/spike_*.json")):
    d = json.load(open(f))
    if any(t["type"] == "fork_storm" and t["pid"] == int(sys.argv[2])
           for t in [d["trigger"]] + d["other_triggers"]):
        print(f)
        sys.exit(0)
sys.exit(1)
PYEOF
}
wait_for 30 storm_dump >/dev/null
ok $? "a fork storm fired fork_storm naming the forking shell as the culprit"
f=$(storm_dump)
if [ -n "$f" ]; then check "its dump validates" validate "$f"; else ok 1 "no dump"; fi
stop_daemon
ok $DAEMON_STATUS "clean stop"
done_testing
