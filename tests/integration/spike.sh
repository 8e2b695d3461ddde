#!/usr/bin/env bash
# spike.sh - the daemon catches a real CPU spike, writes a valid dump, and ignores what ran before it.
. "$(dirname "$0")/lib.sh"

# a process already busy when the daemon starts must never trigger
busy before
before=$BUSY_PID
# cpu_delta's line is high here: a steady spinner's share moves on a loaded 2-core host, and
# this test is about start-up artefacts (first-sample lifetime averages), not about load
# (PSI stall triggers blame the busiest process, rightly: they have a test of their own)
cat >"$T/c.toml" <<EOT
[anomaly_detection]
cooldown_seconds = 0.0
cpu_delta_threshold_pct = 60.0
[features]
enable_psi_triggers = false
enable_diagnostic_mode = false
[sampling]
ring_buffer_capacity = 8
context_snapshots_per_dump = 4
[process_collection]
top_processes_stored = 3
EOT
start_daemon d -c "$T/c.toml" -o "$T/out" -i 0.25
ok $? "daemon starts and samples"
wait_samples d 6
ok $? "it keeps sampling"
triggered_pids "$T/out" | grep -qx "$before"
ok $([ $? -ne 0 ] && echo 0 || echo 1) "no trigger for a process busy before the daemon started"

# a new busy process must trigger, naming it
busy spike
wait_for 30 sh -c "ls '$T/out' 2>/dev/null | grep -q '_$BUSY_PID.json'"
ok $? "a new busy process triggers a dump named after it"
f=$(ls "$T/out"/spike_*_"$BUSY_PID".json 2>/dev/null | head -1)
if [ -n "$f" ]; then
	check "the dump validates against docs/dump.schema.json" validate "$f"
	check "mode 0640" test "$(stat -c %a "$f")" = 640
	check "trigger type is cpu_new_process or cpu_delta" grep -Eq '"type": "(cpu_new_process|cpu_delta)"' "$f"
	check "trigger names the command line" test "$(jget "$f" "d['trigger']['cmdline']")" = "sh -c while :; do :; done"
	check "context_snapshots_per_dump = 4 is honoured" test "$(jget "$f" "len(d['snapshots'])")" = 4
	check "top_processes_stored = 3 is honoured" test "$(jget "$f" "len(d['snapshots'][-1]['procs'])")" = 3
	check "the trigger's CPU is at least new_process_threshold_pct ($(jget "$f" "d['trigger']['cpu_pct']"))" \
		test "$(jget "$f" "int(d['trigger']['cpu_pct'] >= 5)")" = 1
	gap=$(jget "$f" "round(d['snapshots'][-1]['interval_seconds'], 2)")
	check "snapshots are sampling_interval_seconds apart ($gap s)" "$PY" -c "import sys; sys.exit(not 0.2 <= $gap <= 1.5)"
	check "file name is spike_<UTC>_<type>_<pid>.json" sh -c "basename '$f' | grep -Eq '^spike_[0-9]{8}T[0-9]{6}\.[0-9]{3}Z_cpu_(new_process|delta)_$BUSY_PID\.json$'"
else
	for i in 1 2 3 4 5 6 7 8 9; do ok 1 "no dump to check"; done
fi
ls -a "$T/out" | grep -q '\.tmp$'; ok $([ $? -ne 0 ] && echo 0 || echo 1) "no temp file left in the output directory"
check "every dump written validates" validate $(dumps "$T/out")
triggered_pids "$T/out" | grep -qx "$before"
ok $([ $? -ne 0 ] && echo 0 || echo 1) "still no trigger for the process that was busy before start"
stop_daemon
ok $DAEMON_STATUS "SIGTERM stops the daemon with status 0"
grep -q 'SIGTERM\|Terminated' "$T/d.err"; ok $? "and it says so"

# log_level: info hides the per-sample debug lines
"$BIN" daemon -o "$T/o2" -i 0.1 --samples 3 -l info 2>"$T/info.err"
grep -q 'debug:' "$T/info.err"; ok $([ $? -ne 0 ] && echo 0 || echo 1) "log level info prints no debug lines"
"$BIN" daemon -o "$T/o2" -i 0.1 --samples 3 -l debug 2>"$T/debug.err"
check "log level debug prints one line per sample" test "$(grep -c 'debug: sample' "$T/debug.err")" -eq 3
done_testing
