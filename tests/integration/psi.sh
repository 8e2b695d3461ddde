#!/usr/bin/env bash
# psi.sh - a CPU stall wakes the daemon through the kernel's PSI trigger: a dump is taken at once,
# between two ticks of a long interval.
. "$(dirname "$0")/lib.sh"

[ -r /proc/pressure/cpu ] || skip_all "no PSI on this kernel (/proc/pressure/cpu)"
printf '[anomaly_detection]\ncooldown_seconds = 0.0\npsi_stall_ms = 100.0\npsi_window_ms = 2000.0\n' >"$T/c.toml"
start_daemon d -c "$T/c.toml" -o "$T/out" -i 30
ok $? "daemon started with a 30 s interval"
grep -q "PSI trigger on cpu unavailable" "$T/d.err"; check "the cpu trigger was armed" test $? -ne 0
# three busy loops on two CPUs: runnable tasks wait, the "some" stall line is crossed quickly
for i in 1 2 3; do busy "b$i"; done
wait_for 25 dump_with_trigger "$T/out" cpu_stall >/dev/null
ok $? "a cpu_stall dump was written"
read -r f _ interval < <(dump_with_trigger "$T/out" cpu_stall)
[ -n "${f:-}" ] && check "it validates" validate "$f" || ok 1 "no dump"
check "it was sampled on the kernel's word, not at a 30 s tick (interval ${interval:-?} s)" \
	"$PY" -c "import sys; sys.exit(not float('${interval:-99}') < 25)"
kill_bg
done_testing
