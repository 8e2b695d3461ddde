#!/usr/bin/env bash
# trace_track.sh - the tracer's default report: live file/network/process lines and the FINAL
# summary, checked against what the workloads know they did.
. "$(dirname "$0")/lib.sh"

W=${BUILD_DIR:-$ROOT/${BUILD:-build}}/workloads
[ -x "$W/net" ] || skip_all "workloads not built ($W); run make unit"

track() {
"$BIN" trace --engine=$ENGINE --no-filter -o "$T/$ENGINE-net.txt" -- "$W/net"; rc=$?
check "$ENGINE: net workload exits 0 under trace ($rc)" test $rc -eq 0
check "$ENGINE: the client's connect is shown with its address" grep -Eq '\] connect tcp4 → 127\.0\.0\.1:[0-9]+$' "$T/$ENGINE-net.txt"
check "$ENGINE: the server's accept(fd, NULL, NULL) is shown with the peer from the kernel's tables" grep -Eq '\] accept tcp4 ← 127\.0\.0\.1:[0-9]+$' "$T/$ENGINE-net.txt"
check "$ENGINE: 517 bytes sent by the client" grep -Eq '\] send +517 B$' "$T/$ENGINE-net.txt"
check "$ENGINE: 1.4 KiB received by the client" grep -Eq '\] recv +1\.4 KiB$' "$T/$ENGINE-net.txt"
check "$ENGINE: the fork is shown" grep -Eq '─── process [0-9]+ → [0-9]+ \(clone\) ───' "$T/$ENGINE-net.txt"
check "$ENGINE: FINAL: net sent = received = 517 + 1400 B" sh -c "grep -q '   Net sent: *1.9 KiB' '$T/$ENGINE-net.txt' && grep -q '   Net received: *1.9 KiB' '$T/$ENGINE-net.txt'"
check "$ENGINE: FINAL: the connection with its bytes" grep -Eq '   tcp4 → 127\.0\.0\.1:[0-9]+ \(sent 517 B, received 1\.4 KiB\)' "$T/$ENGINE-net.txt"
check "$ENGINE: FINAL: heap growth of ~1 MiB through brk" grep -Eq '   Heap: +1\.[0-9] MiB' "$T/$ENGINE-net.txt"
check "$ENGINE: FINAL: both processes with their exit" test "$(grep -Ec '^   [0-9]+ .*/net \(exit 0\)$' "$T/$ENGINE-net.txt")" -eq 2
check "$ENGINE: FINAL: exit status" grep -q '^ Exit: 0$' "$T/$ENGINE-net.txt"

# loopback connections are hidden by default, as are /proc, /sys, /dev, the linker and libraries
"$BIN" trace --engine=$ENGINE -o "$T/$ENGINE-net2.txt" -- "$W/net"
grep -q 'connect tcp4' "$T/$ENGINE-net2.txt"; check "$ENGINE: loopback connections are hidden without --no-filter" test $? -ne 0
grep -Eq 'open (/dev/|/proc/|.*\.so)' "$T/$ENGINE-net2.txt"; check "$ENGINE: system paths and libraries are hidden without --no-filter" test $? -ne 0

"$BIN" trace --engine=$ENGINE -o "$T/$ENGINE-files.txt" -- "$W/files" "$T"; rc=$?
check "$ENGINE: files workload: exit 7 ($rc)" test $rc -eq 7
check "$ENGINE: the created file's opens are shown, for write and for read" sh -c "grep -Eq 'open $T/workload-files\.[0-9]+ \(write\)' '$T/$ENGINE-files.txt' && grep -Eq 'open $T/workload-files\.[0-9]+ \(read\)' '$T/$ENGINE-files.txt'"
check "$ENGINE: FINAL: 50 x 12 bytes written and read" sh -c "grep -q '   Files written: *600 B' '$T/$ENGINE-files.txt' && grep -q '   Files read: *600 B' '$T/$ENGINE-files.txt'"
check "$ENGINE: FINAL: the file listed once with its opens and bytes" grep -Eq "^   $T/workload-files\.[0-9]+ \(100 opens\) read 600 B written 600 B$" "$T/$ENGINE-files.txt"

# --faults: the net workload touches ~250 new heap pages (256 x 4000-byte mallocs)
"$BIN" trace --engine=$ENGINE --faults -o "$T/$ENGINE-faults.txt" -- "$W/net"; rc=$?
check "$ENGINE: --faults run exits 0 ($rc)" test $rc -eq 0
heap=$(sed -n 's/^ Page faults: [0-9]* minor (heap \([0-9]*\),.*/\1/p' "$T/$ENGINE-faults.txt")
check "$ENGINE: --faults counts the heap's page faults (${heap:-none} >= 200)" test "${heap:-0}" -ge 200
"$BIN" trace --engine=$ENGINE -o "$T/$ENGINE-nofaults.txt" -- "$W/net"
grep -q 'Page faults' "$T/$ENGINE-nofaults.txt"; check "$ENGINE: without --faults there is no fault line" test $? -ne 0

# relative paths are resolved against the cwd
(cd "$T" && "$BIN" trace --engine=$ENGINE -o "$T/$ENGINE-rel.txt" -- sh -c 'echo hi > rel-file')
check "$ENGINE: a relative path is shown resolved against the cwd" grep -q "open $T/rel-file (write)" "$T/$ENGINE-rel.txt"
# ... twelve directories down (the eBPF engine walks the cwd up in the kernel)
deep=$T/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12
mkdir -p "$deep"
(cd "$deep" && "$BIN" trace --engine=$ENGINE -o "$T/$ENGINE-deep.txt" -- sh -c 'echo hi > deep-file')
check "$ENGINE: a relative path twelve directories down is resolved" grep -q "open $deep/deep-file (write)" "$T/$ENGINE-deep.txt"
# execve's argv: 40 arguments (the eBPF engine copies the first 32)
"$BIN" trace --engine=$ENGINE --json -o "$T/$ENGINE-argv.json" -- /bin/true $(seq 1 40)
check "$ENGINE: execve's argv is decoded, argument 31 included" grep -q 'execve(\\"/bin/true\\", \[\\"/bin/true\\", \\"1\\", \\"2\\",.* \\"31\\"' "$T/$ENGINE-argv.json"
}
for_engines track
done_testing
