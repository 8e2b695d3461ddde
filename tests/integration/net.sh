#!/usr/bin/env bash
# net.sh - the network anomaly monitor against real traffic over a veth pair into a network
# namespace: per-interface throughput in snapshots, net_throughput_drop when the traffic stops (and
# not while it is steady, nor when the interface disappears), net_latency from a latency file.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root to create a veth pair and a network namespace"
command -v ip >/dev/null || skip_all "no ip command (iproute2)"
r=$((RANDOM % 100000))
A=st${r}a B=st${r}b NS=stns$r$$
NET=10.$((200 + RANDOM % 50)).$((RANDOM % 256))
net_cleanup() {
	ip link del "$A" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	cleanup
}
trap net_cleanup EXIT
ip netns add "$NS" 2>"$T/ip.err" || skip_all "cannot create a network namespace: $(cat "$T/ip.err")"
if ! { ip link add "$A" type veth peer name "$B" &&
	ip link set "$B" netns "$NS" &&
	ip addr add "$NET.1/30" dev "$A" && ip link set "$A" up &&
	ip -n "$NS" addr add "$NET.2/30" dev "$B" && ip -n "$NS" link set "$B" up &&
	ip -n "$NS" link set lo up; } 2>"$T/ip.err"; then
	skip_all "cannot set up a veth pair: $(cat "$T/ip.err")"
fi

# a steady UDP stream at ~2 MB/s from the root namespace into the namespace: every 10 ms, 20
# datagrams of 1000 bytes, paced on absolute time so a late wake-up catches up
sender() {
	bg sender "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dst, data, nxt = (sys.argv[1], 9), b"x" * 1000, time.monotonic()
while True:
    for _ in range(20):
        try:
            s.sendto(data, dst)
        except OSError:
            pass  # an ICMP unreachable from the peer: the bytes were sent anyway
    nxt += 0.01
    time.sleep(max(0, nxt - time.monotonic()))' "$NET.2"
	SENDER_PID=$BG_PID
}

echo 1000 >"$T/latency"
# only the network triggers: the sender's CPU must not make dumps of its own, nor other
# programs on a shared host security dumps (a program run from /tmp is one)
cat >"$T/c.toml" <<EOT
[anomaly_detection]
cooldown_seconds = 0.0
[features]
enable_cpu_detection = false
enable_memory_detection = false
enable_swap_detection = false
enable_fork_detection = false
enable_psi_triggers = false
$SECURITY_OFF_TOML
[sampling]
context_snapshots_per_dump = 8
[network]
anomaly_enabled = true
anomaly_interfaces = ["$A"]
anomaly_interval_ms = 500
anomaly_warmup_samples = 4
anomaly_throughput_ratio = 0.5
anomaly_refractory_ms = 2000
anomaly_latency_path = "$T/latency"
anomaly_latency_ratio = 2.0
EOT
"$BIN" daemon -c "$T/c.toml" --check-config >/dev/null
ok $? "the [network] configuration is accepted"

sender
start_daemon d -c "$T/c.toml" -o "$T/out" -i 1
ok $? "daemon started, watching $A"

# steady traffic: warm-up (4 readings of 0.5 s) and then eight judged readings, no trigger
wait_samples d 7
ok $? "it samples"
check "steady traffic raises no net_throughput_drop" test -z "$(dumps "$T/out")"

# the traffic stops: throughput falls to zero against a ~2 MB/s baseline
{ kill -KILL -- "-$SENDER_PID"; wait "$SENDER_PID"; } 2>/dev/null
wait_for 20 dump_with_trigger "$T/out" net_throughput_drop >/dev/null
ok $? "stopping the traffic raises net_throughput_drop"
read -r f _ < <(dump_with_trigger "$T/out" net_throughput_drop)
if [ -n "${f:-}" ]; then
	check "the dump validates" validate "$f"
	check "the trigger names the interface $A" test "$(jget "$f" "d['trigger']['interface']")" = "$A"
	check "value is under threshold_ratio x baseline" "$PY" -c "
import json, sys
t = json.load(open('$f'))['trigger']
sys.exit(not (t['unit'] == 'bytes_per_s' and t['baseline'] > 500000 and
              t['value'] < t['threshold_ratio'] * t['baseline'] and t['ratio'] < 0.5))"
	check "earlier snapshots carry $A's throughput (tx ~2 MB/s)" "$PY" -c "
import json, sys
d = json.load(open('$f'))
rates = [n['tx_bytes_per_s'] for s in d['snapshots'] for n in s['network'] if n['name'] == '$A']
sys.exit(not (rates and max(rates) > 500000))"
	"$BIN" show "$f" >"$T/show.txt" 2>&1
	check "show explains the trigger" grep -q "net_throughput_drop at .*: interface $A throughput" "$T/show.txt"
	check "show prints a network line" grep -q "^  net: .*$A rx" "$T/show.txt"
else
	for i in 1 2 3 4 5 6; do ok 1 "no net_throughput_drop dump"; done
fi
grep -q "trigger net_throughput_drop: interface $A " "$T/d.err"
ok $? "the log names the interface"

# latency: a baseline of 1000 us, then 5000 us (ratio 5 > 2)
echo 5000 >"$T/latency.new" && mv "$T/latency.new" "$T/latency"
wait_for 20 dump_with_trigger "$T/out" net_latency >/dev/null
ok $? "a latency rise raises net_latency"
read -r f _ < <(dump_with_trigger "$T/out" net_latency)
[ -n "${f:-}" ] && validate "$f" && check "the net_latency dump validates, value 5000 us" \
	"$PY" -c "
import json, sys
t = json.load(open('$f'))['trigger']
sys.exit(not (t['unit'] == 'us' and t['value'] == 5000 and t['ratio'] > 2))" || ok 1 "no dump"
# an unreadable latency file is said once per episode, not every interval
rm -f "$T/latency"
wait_for 20 grep -q "anomaly_latency_path '$T/latency'" "$T/d.err"
# an absence can only be shown over time: six monitor intervals (500 ms) later, still one line
# (not samples: in diagnostic mode they come every 100 ms, faster than the monitor reads)
sleep 3
check "an unreadable latency file is logged once" test "$(grep -c "anomaly_latency_path '$T/latency'" "$T/d.err")" -eq 1
echo 1000 >"$T/latency"
wait_for 10 grep -q "anomaly_latency_path '$T/latency' is readable again" "$T/d.err"
ok $? "and its return once"

# traffic again, then the interface disappears: that is not a drop to zero
sender
wait_samples d 5
before=$(dumps "$T/out" | xargs -r grep -l '"net_throughput_drop"' | wc -l)
ip link del "$A"
wait_samples d 4
after=$(dumps "$T/out" | xargs -r grep -l '"net_throughput_drop"' | wc -l)
check "a vanished interface raises no net_throughput_drop ($before then $after dumps)" test "$before" -eq "$after"
stop_daemon
check "the daemon stops cleanly" test "$DAEMON_STATUS" -eq 0
done_testing
