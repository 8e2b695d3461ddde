#!/usr/bin/env bash
# disk.sh - unwritable directories, a full filesystem, the free-space guard and retention.
. "$(dirname "$0")/lib.sh"

# conf FILE DIR EXTRA-TOML : no security rules: other programs on a shared host (one run from /tmp
# is a finding) would add dumps, several in one sample, to the ones these tests count and order
conf() {
	printf '[anomaly_detection]\ncooldown_seconds = 0.0\n%s\n[output]\noutput_directory = "%s"\n%s\n' \
		"$SECURITY_OFF_TOML" "$2" "$3" >"$1"
}
spike_until() { # spike_until GREP-PATTERN FILE : start busy processes until PATTERN shows in FILE
	local i
	for i in 1 2 3 4 5 6; do
		busy "s$RANDOM"
		wait_for 10 grep -q "$1" "$2" && return 0
	done
	return 1
}

# 1. an output directory that cannot exist (below a regular file): logged once, sampling goes on
touch "$T/file"
conf "$T/a.toml" "$T/file/dumps" ""
start_daemon a -c "$T/a.toml" -i 0.2
spike_until "cannot write dumps" "$T/a.err"
ok $? "an unwritable directory is reported"
grep "cannot write dumps" "$T/a.err" | head -1 | grep -q "'$T/file/dumps': Not a directory"
ok $? "naming the directory and the reason"
busy more1; busy more2
wait_for 10 sh -c "[ \$(grep -c 'trigger cpu_' '$T/a.err') -ge 3 ]"
ok $? "more triggers happen"
check "the failure is logged once per episode ($(grep -c 'cannot write dumps' "$T/a.err"))" test "$(grep -c 'cannot write dumps' "$T/a.err")" -eq 1
wait_samples a 3; ok $? "sampling goes on"
stop_daemon; ok $DAEMON_STATUS "clean stop after write failures"
kill_bg

# 2. a full filesystem: a 4 MiB tmpfs filled to the last byte by a filler file (so the test does not
# depend on how large this host's dumps are); ENOSPC, no partial file, the daemon keeps running
mkdir -p "$T/small"
if ! mount -t tmpfs -o size=4m tmpfs "$T/small" 2>/dev/null; then
	ok 0 "# SKIP cannot mount a tmpfs here (not root?)"
else
	dd if=/dev/zero of="$T/small/filler" bs=64k 2>/dev/null
	check "the filesystem is full ($(df -k --output=avail "$T/small" | tail -1) KiB free)" \
		test "$(df -k --output=avail "$T/small" | tail -1)" -eq 0
	conf "$T/b.toml" "$T/small" $'[retention]\nmin_free_mib = 0.0\nmax_total_mib = 0.0\nmax_dumps = 0'
	start_daemon b -c "$T/b.toml" -i 0.2
	spike_until "No space left on device" "$T/b.err"
	ok $? "ENOSPC is reported"
	check "it is logged once ($(grep -c 'No space left' "$T/b.err"))" test "$(grep -c 'No space left' "$T/b.err")" -eq 1
	kill -0 "$DAEMON_PID"; ok $? "the daemon keeps running on a full disk"
	check "no temp file is left on the full filesystem" test "$(find "$T/small" -name '.*.tmp' | wc -l)" -eq 0
	check "nothing but the filler is there" test "$(ls "$T/small")" = filler
	# free space: writing works again and says so
	rm -f "$T/small/filler"
	spike_until "writing dumps to '$T/small' works again" "$T/b.err"
	r=$?
	ok $r "recovery is logged once space is back"
	[ $r -eq 0 ] || grep -E 'trigger|dump|space' "$T/b.err" | tail -5 | diag
	check "what was written validates" sh -c "'$PY' '$ROOT/tests/integration/validate_dump.py' '$T'/small/spike_*.json"
	stop_daemon; ok $DAEMON_STATUS "clean stop"
	kill_bg
	rm -f "$T"/small/spike_*.json

	# 3. min_free_mib keeps a margin: a 4 MiB filesystem is always below 100 MiB free
	conf "$T/c.toml" "$T/small" $'[retention]\nmin_free_mib = 100.0'
	start_daemon c -c "$T/c.toml" -i 0.2
	spike_until "free space below min_free_mib" "$T/c.err"
	ok $? "min_free_mib stops dumps before the disk is full"
	check "and nothing was written" test -z "$(ls "$T/small")"
	stop_daemon
	kill_bg
	umount "$T/small"
fi

# 4. retention: max_dumps = 2 keeps the two newest
conf "$T/d.toml" "$T/ret" $'[retention]\nmax_dumps = 2'
start_daemon d -c "$T/d.toml" -i 0.2
for i in 1 2 3 4 5; do busy "r$i"; wait_for 10 sh -c "ls '$T/ret' 2>/dev/null | grep -q '_$BUSY_PID.json'"; done
wait_for 10 sh -c "[ \$(grep -c '^.*wrote ' '$T/d.err') -ge 4 ]"
ok $? "several dumps were written ($(grep -c 'wrote ' "$T/d.err"))"
check "max_dumps = 2 keeps two ($(ls "$T/ret" | wc -l))" test "$(ls "$T/ret" | wc -l)" -eq 2
# the newest by name (time first), as retention has it: the last line written may be an older
# dump rewritten when a diagnostic episode ends (at the stop, for every culprit it followed)
newest=$(grep -o 'wrote [^ ]*' "$T/d.err" | sed 's/wrote //' | sort | tail -1)
check "the newest dump is among those kept" test -e "$newest"
stop_daemon
kill_bg

# 5. retention by size: max_total_mib = 0.06 (~61 KiB) keeps the newest dumps that fit
conf "$T/e.toml" "$T/size" $'[retention]\nmax_dumps = 0\nmax_total_mib = 0.06'
start_daemon e -c "$T/e.toml" -i 0.2
for i in 1 2 3 4; do busy "z$i"; wait_for 10 sh -c "ls '$T/size' 2>/dev/null | grep -q '_$BUSY_PID.json'"; done
wait_for 10 sh -c "[ \$(grep -c 'wrote ' '$T/e.err') -ge 3 ]"
ok $? "dumps were written ($(grep -c 'wrote ' "$T/e.err"))"
# measured once the daemon has stopped: other tests' busy processes trigger dumps too, and a dump
# being written (its temporary file) or written a moment before (trimmed by the retention pass
# that follows) would be counted
stop_daemon
total=$(du -cb "$T"/size/spike_*.json 2>/dev/null | tail -1 | cut -f1)
check "max_total_mib keeps the directory under ~61 KiB ($total bytes), or one dump if larger" \
	sh -c "[ '${total:-0}' -le 62915 ] || [ \$(ls '$T'/size/spike_*.json | wc -l) -eq 1 ]"
# newest by name, which is what retention orders by: an episode's dump is written again at its
# end under its first (older) name, so the last "wrote" line is not always the newest dump
check "the newest dump is always kept" test -e "$(grep -o 'wrote [^ ]*' "$T/e.err" | sed 's/wrote //' | sort | tail -1)"
done_testing
