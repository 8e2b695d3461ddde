#!/usr/bin/env bash
# config.sh - configuration files: search order, overrides, and one-line errors with FILE:LINE.
. "$(dirname "$0")/lib.sh"

bad() { # bad DESCRIPTION EXPECTED-MESSAGE TOML
	printf '%s' "$3" >"$T/bad.toml"
	"$BIN" daemon --config "$T/bad.toml" --samples 1 -o "$T/out" >"$T/o" 2>"$T/e"
	local rc=$?
	ok $([ $rc -eq 2 ] && echo 0 || echo 1) "$1: exit 2 (got $rc)"
	[ "$(wc -l <"$T/e")" -eq 1 ] && grep -qF "$2" "$T/e"
	ok $? "$1: one line '$2'"
	[ -s "$T/e" ] && sed 's/^/# stderr: /' "$T/e" | head -3
}
bad "unknown key" "$T/bad.toml:3: unknown key 'colour' in [output]" $'[output]\n\ncolour = "red"\n'
bad "wrong type" "$T/bad.toml:2: 'cooldown_seconds' must be a number, not string" $'[anomaly_detection]\ncooldown_seconds = "5"\n'
bad "out of range" "$T/bad.toml:2: 'ring_buffer_capacity' is out of range: 1 (allowed 2 to 100000)" $'[sampling]\nring_buffer_capacity = 1\n'
bad "syntax" "$T/bad.toml:1:" $'[sampling\n'
bad "cross-key rule" "context_snapshots_per_dump (30) is larger than ring_buffer_capacity (20)" $'[sampling]\nring_buffer_capacity = 20\ncontext_snapshots_per_dump = 30\n'
"$BIN" daemon --config "$T/missing.toml" --samples 1 2>"$T/e"; rc=$?
ok $([ $rc -eq 2 ] && echo 0 || echo 1) "missing --config file exits 2"
grep -q "cannot read '$T/missing.toml': No such file or directory" "$T/e"; ok $? "and says why"
ok $([ ! -e "$T/out" ] && echo 0 || echo 1) "nothing was written for a bad configuration"
# /dev/null is the usual "no configuration": the defaults; a FIFO is refused, never waited on
"$BIN" daemon --config /dev/null --print-config >"$T/eff" 2>"$T/e"
ok $? "--config /dev/null is read as an empty file"
grep -qx 'cooldown_seconds = 5.0' "$T/eff"; ok $? "which gives the defaults"
mkfifo "$T/fifo.toml"
timeout 10 "$BIN" daemon --config "$T/fifo.toml" --print-config >/dev/null 2>"$T/e"; rc=$?
ok $([ $rc -eq 2 ] && echo 0 || echo 1) "a FIFO as --config exits 2 at once (got $rc)"
check "with one line saying it is not a regular file" test "$(cat "$T/e")" = \
	"spiketrace: cannot read '$T/fifo.toml': not a regular file"

# search order: ~/.config/spiketrace/config.toml when no --config (and no /etc file)
if [ -e /etc/spiketrace/config.toml ]; then
	ok 0 "# SKIP /etc/spiketrace/config.toml exists on this machine"
else
	mkdir -p "$T/home/.config/spiketrace"
	printf '[anomaly_detection]\ncooldown_seconds = 42.0\n' >"$T/home/.config/spiketrace/config.toml"
	HOME=$T/home "$BIN" daemon --print-config | grep -qx 'cooldown_seconds = 42.0'; ok $? "~/.config/spiketrace/config.toml is read"
	printf '[anomaly_detection]\ncooldown_seconds = 7.0\n' >"$T/explicit.toml"
	HOME=$T/home "$BIN" daemon --config "$T/explicit.toml" --print-config | grep -qx 'cooldown_seconds = 7.0'; ok $? "--config wins over the home file"
fi
# flags override the file
printf '[sampling]\nsampling_interval_seconds = 2.0\n[output]\noutput_directory = "/from/file"\nlog_level = "warn"\n' >"$T/f.toml"
"$BIN" daemon -c "$T/f.toml" -i 0.5 -o /from/flag -l debug --print-config >"$T/eff"
grep -qx 'sampling_interval_seconds = 0.5' "$T/eff"; ok $? "--interval overrides the file"
grep -qx 'output_directory = "/from/flag"' "$T/eff"; ok $? "--output-dir overrides the file"
grep -qx 'log_level = "debug"' "$T/eff"; ok $? "--log-level overrides the file"
"$BIN" daemon -c "$T/f.toml" --print-config | grep -qx 'output_directory = "/from/file"'; ok $? "the file overrides the defaults"
done_testing
