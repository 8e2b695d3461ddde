#!/usr/bin/env bash
# signals.sh - SIGHUP reloads a good configuration and keeps the old one on a bad file; SIGTERM is clean.
. "$(dirname "$0")/lib.sh"

cat >"$T/c.toml" <<EOT
[anomaly_detection]
cooldown_seconds = 0.0
[output]
output_directory = "$T/first"
EOT
start_daemon d -c "$T/c.toml" -i 0.2
ok $? "daemon started"
# (any process's dump shows which directory is used: on a busy CI host another test's process
# can take the dump of the sample in which ours is new)
busy one
wait_for 30 sh -c "ls '$T/first' 2>/dev/null | grep -q '^spike_'"
ok $? "first spike lands in the first directory"

# a broken file: logged, the running configuration stays, sampling goes on
printf '[output]\noutput_directory = "%s/second"\nbogus = 1\n' "$T" >"$T/c.toml"
kill -HUP "$DAEMON_PID"
wait_for 20 grep -q "configuration not reloaded" "$T/d.err"
ok $? "a bad file on SIGHUP is reported"
grep "configuration not reloaded" "$T/d.err" | grep -q "c.toml:3: unknown key 'bogus' in \[output\]"
ok $? "naming file, line and key"
kill -0 "$DAEMON_PID"; ok $? "the daemon is still running"
before=$(ls "$T/first" | grep -c '^spike_')
busy two
wait_for 30 sh -c "[ \$(ls '$T/first' | grep -c '^spike_') -gt $before ]"
ok $? "the old configuration still applies (a new dump in the first directory)"
check "the second directory was not used" test ! -e "$T/second"

# a good file: applied from the next sample
printf '[anomaly_detection]\ncooldown_seconds = 0.0\n[output]\noutput_directory = "%s/second"\n' "$T" >"$T/c.toml"
kill -HUP "$DAEMON_PID"
wait_for 20 grep -q "configuration reloaded" "$T/d.err"
ok $? "a good file on SIGHUP is applied"
busy three
wait_for 30 sh -c "ls '$T/second' 2>/dev/null | grep -q '^spike_'"
ok $? "the new output directory is used"

stop_daemon
ok $DAEMON_STATUS "SIGTERM: exit status 0"
grep -q "stopped after [0-9]* samples" "$T/d.err"; ok $? "final summary logged"
leftovers=$(find "$T/first" "$T/second" -name '.*' -type f | wc -l)
check "no temp files left behind" test "$leftovers" -eq 0
check "every dump is complete and valid" validate $(dumps "$T/first") $(dumps "$T/second")

# SIGINT works the same
start_daemon e -o "$T/third" -i 0.2
kill -INT "$DAEMON_PID"; wait "$DAEMON_PID"; ok $? "SIGINT: exit status 0"
done_testing
