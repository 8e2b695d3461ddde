#!/usr/bin/env bash
# trace_cli.sh - spiketrace trace: decoded lines, NDJSON against its schema, exit statuses,
# signals passed on, group-stops, exec by a non-leader thread, attach/detach, Ctrl-C.
. "$(dirname "$0")/lib.sh"

W=${BUILD_DIR:-$ROOT/${BUILD:-build}}/workloads
[ -x "$W/files" ] || skip_all "workloads not built ($W); run make unit"

"$BIN" trace -v -o "$T/files.txt" -- "$W/files" "$T"; rc=$?
check "exit status of the command (7) is ours ($rc)" test $rc -eq 7
check "failed opens decoded with path, flags and errno (50)" test "$(grep -c 'openat(AT_FDCWD, "/nonexistent/workload", O_RDONLY) = -1 ENOENT (No such file or directory)' "$T/files.txt")" -eq 50
check "writes show their data and byte count" test "$(grep -Ec 'write\(3, "hello world\\n", 12\) += 12$' "$T/files.txt")" -eq 50
check "creating opens show every flag and the mode" grep -q "openat(AT_FDCWD, \"$T/workload-files.[0-9]*\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = 3" "$T/files.txt"
check "reads show what the kernel returned" grep -Eq 'read\(3, "hello world\\n", 4096\) += 12$' "$T/files.txt"
check "the process's end is reported" grep -q '+++ exited with 7 +++' "$T/files.txt"

"$BIN" trace --json --stats -o "$T/forks.json" -- "$W/forks"; rc=$?
check "forks workload exits 0 under trace ($rc)" test $rc -eq 0
"$PY" - "$ROOT/docs/trace-events.schema.json" "$T/forks.json" <<'PYEOF'
import json, sys, jsonschema, collections
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(schema)
kinds = collections.Counter()
for n, line in enumerate(open(sys.argv[2]), 1):
    ev = json.loads(line)
    errs = list(v.iter_errors(ev))
    if errs:
        print(f"# line {n}: {errs[0].message}")
        sys.exit(1)
    kinds[ev["event"]] += 1
print("# events:", dict(kinds))
assert kinds["spawn"] == 12 and kinds["exit"] >= 12 and kinds["stats"] == 1 and kinds["syscall"] > 100
assert kinds["summary"] == 1 and ev["event"] == "summary", "the summary event comes last"
assert len(ev["processes"]) == 13 and ev["exit_status"] == 0, ev["processes"]
PYEOF
ok $? "--json events validate against docs/trace-events.schema.json (12 spawns, exits, stats, a final summary of 13 processes)"
grep -q '"event":"exit","t":[0-9.]*,"pid":[0-9]*,"signal":"SIGTERM","status":143' "$T/forks.json"; ok $? "a child killed by SIGTERM is reported with the signal"

"$BIN" trace -v -o "$T/sig.txt" -- "$W/signals"; rc=$?
check "signals are passed on: the handler ran 50 times and SIGUSR2 killed it (140 = $rc)" test $rc -eq 140
check "each delivered signal is shown" test "$(grep -c -- '--- SIGUSR1 ---' "$T/sig.txt")" -eq 50

"$BIN" trace -o "$T/te.txt" -- "$W/thread_exec"; rc=$?
check "execve by a non-leader thread is followed to the new program's exit (9 = $rc)" test $rc -eq 9

# a group-stop (SIGSTOP) must stay a stop until SIGCONT, and then the program goes on
bg gs "$BIN" trace -o "$T/gs.txt" -- sh -c 'kill -STOP $$; echo resumed'
tracer=$BG_PID
stopped() { for p in $(pgrep -P "$tracer"); do [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = t ] || [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = T ] && { echo "$p"; return 0; }; done; return 1; }
wait_for 20 stopped >/dev/null
ok $? "the traced shell stopped itself"
child=$(stopped)
kill -CONT "$child" 2>/dev/null
wait_for 20 grep -q resumed "$T/gs.out"
ok $? "after SIGCONT it resumes"
wait "$tracer"; check "and exits 0 ($?)" test $? -eq 0

# attach and detach: the process runs on, unharmed, not stopped
bg target sh -c 'while :; do sleep 0.05; done'
target=$BG_PID
bg att "$BIN" trace -v -p "$target"
att=$BG_PID
wait_for 20 grep -q 'wait4\|nanosleep\|clock_nanosleep' "$T/att.err"
ok $? "-p attaches and sees the loop's syscalls"
kill -INT "$att"
wait "$att"; rc=$?
check "Ctrl-C detaches, trace exits ($rc)" test $rc -eq 0
state=$(awk '{print $3}' "/proc/$target/stat")
# D is a moment of disk sleep on a busy host: what must not be seen is T or t (stopped, traced)
check "the process is still running and not stopped (state $state)" test "$state" = S -o "$state" = R -o "$state" = D
check "and it keeps running afterwards" kill -0 "$target"

# Ctrl-C on a spawned command: the first goes to the command, which may handle it
bg c1 "$BIN" trace -o "$T/c1.txt" -- sh -c 'trap "exit 4" INT; while :; do sleep 0.05; done'
t1=$BG_PID
# (the shell has installed its trap once it runs its first sleep)
wait_for 10 sh -c "[ -n \"\$(pgrep -P \$(pgrep -P $t1 | head -1) 2>/dev/null)\" ]"
kill -INT "$t1"
wait "$t1"; rc=$?
check "first Ctrl-C: the command got SIGINT and its handler's exit status is ours (4 = $rc)" test $rc -eq 4
# a command that ignores SIGINT: the second Ctrl-C kills the traced tree
bg c2 "$BIN" trace -o "$T/c2.txt" -- sh -c 'trap "" INT; while :; do sleep 0.05; done'
t2=$BG_PID
wait_for 10 sh -c "[ -n \"\$(pgrep -P \$(pgrep -P $t2 | head -1) 2>/dev/null)\" ]"
kill -INT "$t2"
wait_for 5 sh -c "! kill -0 $t2 2>/dev/null" && first_killed=1 || first_killed=0
check "one Ctrl-C does not kill a command that ignores it" test $first_killed -eq 0
kill -INT "$t2"
wait "$t2"; rc=$?
check "the second Ctrl-C kills the traced tree (137 = $rc)" test $rc -eq 137
done_testing
