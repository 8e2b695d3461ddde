#!/usr/bin/env bash
# show.sh - `spiketrace show`: text for grep, normalised JSON for jq, one line per bad file.
. "$(dirname "$0")/lib.sh"

printf '[anomaly_detection]\ncooldown_seconds = 0.0\n[sampling]\nring_buffer_capacity = 5\ncontext_snapshots_per_dump = 3\n[features]\nenable_psi_triggers = false\nenable_diagnostic_mode = false\n' >"$T/c.toml"
start_daemon d -c "$T/c.toml" -o "$T/out" -i 0.2
wait_samples d 3 # so that the dump has its full 3 snapshots of context
busy burner
wait_for 30 sh -c "ls '$T/out' 2>/dev/null | grep -q '_$BUSY_PID.json'"
ok $? "a real dump to show"
f=$(ls "$T/out"/spike_*_"$BUSY_PID".json | head -1)
stop_daemon

"$BIN" show "$f" >"$T/text"; ok $? "show exits 0 on a good dump"
grep -q "^== $(basename "$f")" "$T/text"; ok $? "header line names the file"
grep -Eq "^trigger cpu_(new_process|delta) at .*: pid $BUSY_PID \(sh\)" "$T/text"; ok $? "trigger line with type, pid and comm"
grep -q "cmdline: sh -c while :; do :; done" "$T/text"; ok $? "the culprit's command line"
check "one line per snapshot" test "$(grep -c '^snapshot [0-9]/3 ' "$T/text")" -eq 3
grep -q '^snapshot 3/3 .*\[trigger\]' "$T/text"; ok $? "the trigger snapshot is marked"
grep -Eq "^ +$BUSY_PID +[0-9]+ root +[0-9.]+ .* R sh -c while" "$T/text"; ok $? "the busy process is listed with user, CPU, RSS, state, command"
"$BIN" show --top 1 "$f" | grep -c '^ \+[0-9]\+ ' >"$T/n"; check "--top 1 lists one process per snapshot" test "$(cat "$T/n")" -eq 3

"$BIN" show --json "$f" >"$T/json"; ok $? "--json exits 0"
check "--json is one line per dump" test "$(wc -l <"$T/json")" -eq 1
"$PY" - "$T/json" "$BUSY_PID" <<'PYEOF'
import json, sys
d = json.loads(open(sys.argv[1]).readline())
pid = int(sys.argv[2])
assert d["schema_version"] == 1
assert d["trigger"]["pid"] == pid and d["trigger"]["user"] == "root"
assert len(d["snapshots"]) == 3 and d["snapshots"][-1]["is_trigger"]
assert all(set(p) >= {"pid", "ppid", "user", "cpu_pct", "rss_kib", "state", "comm", "cmdline"} for s in d["snapshots"] for p in s["procs"])
PYEOF
ok $? "--json carries the trigger, snapshots and processes (docs/show.md)"

# bad files: one line each on stderr, exit 1, good files still shown
printf '{"schema_version": 1, "trig' >"$T/cut.json"
sed 's/"schema_version": 1/"schema_version": 99/' "$f" >"$T/future.json"
head -c 300 "$f" >"$T/trunc.json"
"$BIN" show "$T/cut.json" "$f" "$T/future.json" "$T/trunc.json" "$T/missing.json" >"$T/o" 2>"$T/e"
rc=$?
check "exit 1 when some file could not be read (got $rc)" test $rc -eq 1
check "one stderr line per bad file" test "$(wc -l <"$T/e")" -eq 4
grep -q "'$T/future.json': schema_version 99 is newer than this spiketrace reads (1)" "$T/e"; ok $? "future schema is named"
grep -q "'$T/trunc.json': truncated" "$T/e"; ok $? "a truncated file is named"
grep -q "'$T/missing.json': cannot read: No such file or directory" "$T/e"; ok $? "a missing file is named"
grep -q "^== $(basename "$f")" "$T/o"; ok $? "the good dump is still shown"
# a trigger pid that is not a number is refused, naming the field (it used to read as pid 0)
sed 's/"pid": '"$BUSY_PID"',/"pid": "abc",/' "$f" >"$T/strpid.json"
grep -q '"pid": "abc"' "$T/strpid.json"; ok $? "a dump with \"pid\": \"abc\" in its trigger"
"$BIN" show "$T/strpid.json" >/dev/null 2>"$T/e"; rc=$?
check "is refused: exit 1 (got $rc)" test $rc -eq 1
check "with one line naming trigger.pid" test "$(cat "$T/e")" = \
	"spiketrace: '$T/strpid.json': invalid 'trigger.pid': not a number"
# a FIFO named like a dump: refused at once (it used to block in open() for ever)
mkdir "$T/fifodir"
mkfifo "$T/fifodir/spike_20200101T000000.000Z_cpu_delta_1.json"
timeout 10 "$BIN" show "$T/fifodir/spike_20200101T000000.000Z_cpu_delta_1.json" >/dev/null 2>"$T/e"
rc=$?
check "a FIFO exits 1 within 10 s (got $rc)" test $rc -eq 1
check "with one stderr line saying it is not a regular file" test "$(cat "$T/e")" = \
	"spiketrace: '$T/fifodir/spike_20200101T000000.000Z_cpu_delta_1.json': cannot read: not a regular file"
timeout 10 "$BIN" show "$T/fifodir" >/dev/null 2>"$T/e"
rc=$?
check "a directory holding it exits 1 too (got $rc), one line" test $rc -eq 1 -a "$(wc -l <"$T/e")" -eq 1
"$BIN" show --json "$T/cut.json" 2>&1 >/dev/null | "$PY" -c 'import json,sys; d=json.loads(sys.stdin.readline()); assert d["file"].endswith("cut.json") and d["error"]'
ok $? "--json makes errors JSON too"
"$BIN" show "$T/out" | grep -c '^== ' >"$T/n"; check "a directory shows its dumps" test "$(cat "$T/n")" -ge 1
"$BIN" show 2>/dev/null; check "no file is a usage error (2)" test $? -eq 2
"$BIN" show --top x "$f" 2>/dev/null; check "bad --top is a usage error (2)" test $? -eq 2
done_testing
