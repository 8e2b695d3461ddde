#!/usr/bin/env bash
# view.sh - `spiketrace view` in a real terminal (tmux): list, time travel, sorting, filter, tree,
# bad and odd dumps (FIFO, cut, damaged), a 5,000-character command line, resize, 80x24, mouse
# (clicks, wheel), PgUp/PgDn, snapshot modes, live refresh, ASCII and monochrome, exit statuses.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || skip_all "tmux is not installed (scripts/install-deps installs it)"
if ! "$BIN" view --help >/dev/null 2>&1; then
	ok 1 "spiketrace has a 'view' command (src/main.c's table)"
	done_testing
fi

SOCK=$T/tmux.sock
D=$T/dumps
tmux_kill() { tmux -S "$SOCK" kill-server 2>/dev/null; }
view_cleanup() {
	local s
	for s in "$T"/tmux*.sock; do tmux -S "$s" kill-server 2>/dev/null; done
	cleanup
}
# Each viewer gets a server on a socket of its own: a killed server removes its socket file
# some time after kill-server returns, which could take a new server's socket with it.
NSOCK=0
trap view_cleanup EXIT

tx() { tmux -S "$SOCK" "$@"; }
screen() { tx capture-pane -p -t t 2>/dev/null; }
keys() { tx send-keys -t t "$@"; }
has() { screen | grep -qF -- "$1"; }
has_re() { screen | grep -qE -- "$1"; }
lacks() { ! screen | grep -qF -- "$1"; }
show_screen() { screen | diag; }
# expect DESC CMD... : waits up to 10 s for CMD; prints the screen when it never holds
expect() {
	local d=$1
	shift
	if wait_for 10 "$@"; then
		ok 0 "$d"
	else
		ok 1 "$d"
		show_screen
	fi
}

# viewer LANG ARGS... : a new tmux server running `spiketrace view ARGS`, 120x40 (or $VW x $VH)
viewer() {
	local lang=$1
	shift
	tmux_kill
	NSOCK=$((NSOCK + 1))
	SOCK=$T/tmux.$NSOCK.sock
	tx -f /dev/null new-session -d -s t -x "${VW:-120}" -y "${VH:-40}" \
		"env LANG=$lang LC_ALL= LC_CTYPE= TERM=${VTERM:-xterm-256color} $BIN view $*" \; \
		set-option -t t remain-on-exit on
}
pane_dead() { [ "$(tx display -p -t t '#{pane_dead}')" = 1 ]; }
# exited_with N : the pane is dead with status N. tmux 3.3a sometimes misses the SIGCHLD of a
# pane process (it stays a zombie, the status unknown); any later child exit makes it reap
# every zombie, so a `run-shell true` settles the status.
status_is() {
	tx run-shell true 2>/dev/null
	[ "$(tx display -p -t t '#{pane_dead_status}')" = "$1" ]
}
exited_with() { wait_for 5 status_is "$1"; }
viewer_pid() { tx display -p -t t '#{pane_pid}'; }

# The Details rows as "PID USER CPU RSS_KIB" lines (the 120-column layout shows USER).
details() {
	screen | "$PY" -c '
import re, sys
sys.stdin.reconfigure(encoding="utf-8", errors="replace")
mult = {"K": 1, "M": 1024, "G": 1024 ** 2, "T": 1024 ** 3, "P": 1024 ** 4}
for line in sys.stdin:
    right = line.split("\u2502", 1)[1] if "\u2502" in line else ""
    m = re.match(r"\s*(\d+) +(\S+) +([\d.]+) +([\d.]+)([KMGTP]) \S ", right)
    if m:
        print(m.group(1), m.group(2), m.group(3), int(float(m.group(4)) * mult[m.group(5)]))'
}
# sorted_by FIELD(1-based) ORDER(asc|desc) : the Details rows are in that order (and there are some)
sorted_by() {
	local col
	col=$(details | cut -d' ' -f"$1")
	[ -n "$col" ] || return 1
	if [ "$2" = asc ]; then
		[ "$col" = "$(printf '%s\n' "$col" | sort -g)" ]
	else
		[ "$col" = "$(printf '%s\n' "$col" | sort -gr)" ]
	fi
}
rows_all_match() { # every Details row's line contains $1, and there is at least one
	local n m
	n=$(screen | grep -cE '│ *[0-9]+ +[^ ]+ +[0-9.]+ +[0-9.]+[KMGTP] ')
	m=$(screen | grep -E '│ *[0-9]+ +[^ ]+ +[0-9.]+ +[0-9.]+[KMGTP] ' | grep -cF -- "$1")
	[ "$n" -gt 0 ] && [ "$n" = "$m" ]
}
details_count() { details | wc -l; }
more_rows_than() { [ "$(details_count)" -gt "$1" ]; }

# ---- dumps from the real daemon: two busy processes, one after the other ----
cat >"$T/c.toml" <<EOT
[anomaly_detection]
cooldown_seconds = 0.0
cpu_delta_threshold_pct = 80.0
[sampling]
ring_buffer_capacity = 20
context_snapshots_per_dump = 10
[features]
enable_diagnostic_mode = false
# only the busy loops below should make dumps, whatever else runs on the host
enable_psi_triggers = false
enable_memory_detection = false
enable_swap_detection = false
enable_fork_detection = false
$SECURITY_OFF_TOML
EOT
start_daemon d -c "$T/c.toml" -o "$D" -i 0.2
ok $? "the daemon runs"
wait_samples d 12 # a full context before the spikes
has_dump_for() { ls "${SPIKE_DIR:-$D}" 2>/dev/null | grep -q "_$1.json\$"; }
# spike NAME : a busy process with NAME on its command line, until a dump is named after it.
# On a busy host another process may fire on the same sample and name the dump (ours is then
# one of its other_triggers): try again with a new process, three times at most.
spike() {
	local try
	for try in 1 2 3; do
		bg "$1" sh -c 'while :; do :; done' "$1"
		SPIKE_PID=$BG_PID
		wait_for 15 has_dump_for "$SPIKE_PID"
		{
			kill -KILL -- "-$SPIKE_PID"
			wait "$SPIKE_PID"
		} 2>/dev/null
		has_dump_for "$SPIKE_PID" && return 0
	done
	return 1
}
spike st-alpha
A=$SPIKE_PID
spike st-bravo
B=$SPIKE_PID
stop_daemon
FA=$(ls "$D"/spike_*_"$A".json 2>/dev/null | head -1)
FB=$(ls "$D"/spike_*_"$B".json 2>/dev/null | head -1)
if [ -z "$FA" ] || [ -z "$FB" ]; then
	ok 1 "the daemon wrote a dump for each busy process"
	done_testing
fi
ok 0 "the daemon wrote a dump for each busy process"
NSNAP=$(jget "$FB" "len(d['snapshots'])")

# ---- hand-made bad dumps (old names: they sort last) and a 5,000-character command line ----
printf '{"schema_version": 1, "trig' >"$D/spike_20200101T000004.000Z_cpu_delta_104.json"
printf 'this is not JSON at all\n' >"$D/spike_20200101T000003.000Z_cpu_delta_103.json"
head -c 300 "$FA" >"$D/spike_20200101T000002.000Z_cpu_delta_102.json"
sed 's/"schema_version": 1/"schema_version": 99/' "$FA" >"$D/spike_20200101T000001.000Z_cpu_delta_101.json"
LONGF=$D/spike_20210101T000000.000Z_cpu_new_process_$A.json
"$PY" - "$FA" "$LONGF" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
long = "longcmd-" + "x" * 5000 + "-END"
d["trigger"]["cmdline"] = long
for s in d["snapshots"]:
    for p in s["procs"] + s["top_rss_procs"]:
        if p["pid"] == d["trigger"]["pid"]:
            p["cmdline"] = long
json.dump(d, open(sys.argv[2], "w"), indent=2)
EOP
NDUMPS=$(ls "$D" | wc -l)
# the rows in the order the list must show them: newest (largest name) first
mapfile -t ORDER < <(ls "$D" | sort -r)
row_of() { # row_of FILE : its index in the list
	local i
	for i in "${!ORDER[@]}"; do [ "${ORDER[$i]}" = "$(basename "$1")" ] && echo "$i" && return; done
	echo -1
}

# ---- the list ----
viewer C.UTF-8 "$D"
expect "the viewer shows its three panels" has_re 'Explorer.*│.*Trigger'
expect "the title counts the dumps ($NDUMPS)" has "$NDUMPS dumps"
# (types are full names or short ones, as the Explorer's width allows)
pids_in_list() { screen | awk -F'│' '{print $1}' | grep -oE '^ [0-9:]+ +[a-z_-]+ +[0-9]+ ' | awk '{print $3}'; }
want_order=$(for f in "${ORDER[@]}"; do
	case $f in spike_202[01]*) ;; *) echo "$f" | sed -E 's/.*_([0-9]+)\.json$/\1/' ;; esac
done | head -5)
list_order_ok() { [ "$(pids_in_list | head -"$(echo "$want_order" | wc -l)")" = "$want_order" ]; }
expect "the list shows the dumps newest first" list_order_ok
expect "rows show trigger type, pid and culprit comm" has_re "^ [0-9:]+ +(cpu_new_process|new) +$B sh"
newest_pid=$(echo "${ORDER[0]}" | sed -E 's/.*_([0-9]+)\.json$/\1/')
expect "the newest dump opens in the Trigger panel" has_re "│ [a-z_]+  pid $newest_pid \\("
rb=$(row_of "$FB")
ra=$(row_of "$FA")
for ((i = 0; i < rb; i++)); do keys j; done # other dumps may be newer than B's
expect "B's dump shows in the Trigger panel" has_re "│ cpu_new_process  pid $B \\(sh\\)"
has_re '│ value [0-9.]+ %  baseline [0-9.]+ %  delta [+0-9.]+ %  threshold [0-9.]+ %'
ok $? "the Trigger panel shows value, baseline, delta and threshold with units"
has_re '│ scope per_process  cooldown 0 s'; ok $? "and the scope and cooldown"
has_re "│ cmdline sh -c while :; do :; done st-bravo"; ok $? "and the culprit's command line"

keys j
expect "j moves the selection down" has "Explorer  $((rb + 2))/$NDUMPS"
# (on a shared host another test's process may have a dump between the two spikes: walk to A's)
for ((i = rb + 1; i < ra; i++)); do keys j; done
expect "moving the selection previews that dump" has_re "│ cpu_new_process  pid $A \\(sh\\)"
for ((i = rb + 1; i < ra; i++)); do keys k; done
keys k
expect "k moves it back up" has "Explorer  $((rb + 1))/$NDUMPS"
expect "and the Trigger panel follows" has_re "│ cpu_new_process  pid $B \\(sh\\)"
keys Enter
expect "Enter opens the dump and focuses Details" has '> Details'
expect "Details lists the busy process" has_re "│ +$B [^ ]+ +[0-9.]+ +[0-9.]+[KMG] [A-Z] .*st-bravo"
screen | grep -E "│ +$B " | grep -qE '○[○●]*● '
ok $? "its HIST dots: absent in early snapshots, present at the trigger"
expect "the dump opens at its trigger snapshot" has "snapshot $NSNAP/$NSNAP"
has "[TRIGGER]"; ok $? "which the status line marks [TRIGGER]"

# ---- time travel ----
keys '['
expect "[ goes back one snapshot" has "snapshot $((NSNAP - 1))/$NSNAP"
lacks "[TRIGGER]"; ok $? "an earlier snapshot is not marked as the trigger"
has_re "offset -0\\.[0-9] s"; ok $? "the status line shows the offset from the trigger"
keys p
expect "p goes back too" has "snapshot $((NSNAP - 2))/$NSNAP"
keys ']' n
expect "] and n go forward to the trigger snapshot again" has "snapshot $NSNAP/$NSNAP"
has "[TRIGGER]"; ok $? "marked again"

# ---- sorting ----
expect "processes start sorted by CPU, descending" sorted_by 3 desc
keys P
expect "P sorts by PID, ascending" sorted_by 1 asc
has 'sort pid'; ok $? "the Details header names the pid sort"
keys m
expect "m sorts by memory (RSS), descending" sorted_by 4 desc
has 'sort mem'; ok $? "the Details header names the memory sort"
by_mem=$(details | cut -d' ' -f1)
keys c
expect "c sorts by CPU again" sorted_by 3 desc
by_cpu=$(details | cut -d' ' -f1)
[ "$by_mem" != "$by_cpu" ]; ok $? "sorting changes the order of the rows"

# ---- tree ----
keys t
expect "t shows the process tree" has '└─'
has 'tree'; ok $? "and says so in the header"
keys t
expect "t again flattens it" lacks '└─'

# ---- filter ----
keys /
keys -l st-bravo
expect "/ shows the filter being typed on the bottom line" has_re '^/st-bravo'
keys Enter
expect "the filter narrows Details to matching commands" rows_all_match st-bravo
has 'filter "st-bravo"'; ok $? "the header shows the filter"
keys Escape
expect "Esc clears the filter" more_rows_than 1

# ---- help ----
keys '?'
expect "? shows the help" has 'spiketrace view - keys'
keys Escape
expect "any key closes it" lacks 'spiketrace view - keys'

# ---- mouse: an SGR click (what xterm sends) on an Explorer row other than the selected one ----
keys Tab
explorer_sel() { screen | grep -oE "Explorer  [0-9]+/$NDUMPS" | grep -oE '[0-9]+/' | tr -d /; }
cur=$(explorer_sel)
want=$([ "$cur" = 3 ] && echo 4 || echo 3)
# row r of the list is screen line r + 2 (title bar, panel header)
tx send-keys -t t -l $'\e[<0;5;'$((want + 2))$'M\e[<0;5;'$((want + 2))'m'
expect "clicking row $want (row $cur was selected) selects it" has "Explorer  $want/$NDUMPS"

# ---- bad dumps are listed with their reason, never crash the viewer ----
keys End # their old names sort last: a busy host's other dumps must not push them off the screen
expect "End selects the oldest (the future-schema dump)" has "Explorer  $NDUMPS/$NDUMPS"
expect "a corrupt dump is listed with a mark and 'truncated'" has_re '^!.*truncated'
expect "a non-JSON file is listed as 'not JSON'" has_re '^!.*not JSON'
expect "a future schema is listed as 'schema_version 99'" has_re '^!.*schema_version 99'
expect "its reason is shown in the Trigger panel" has_re '│ .*schema_version 99 is newer'
keys k
expect "the truncated copy shows why it cannot be read" has_re '│ .*truncated'
keys k k
expect "moving over the bad dumps keeps the viewer alive" has "Explorer  $((NDUMPS - 3))/$NDUMPS"

# ---- a 5,000-character command line ----
keys Home
rl=$(row_of "$LONGF")
for ((i = 0; i < rl; i++)); do keys j; done
keys Enter
expect "the long-cmdline dump opens" has_re '│ cmdline longcmd-xxxx'
has_re "│ +$A [^ ]+ .* longcmd-xxxx"; ok $? "Details shows its command, cut at the panel width"
lacks -END; ok $? "the command line is truncated, not wrapped"
# (capture-pane always prints 40 lines: what counts is what is on them)
long_layout() {
	screen | head -1 | grep -q '^ spiketrace view' && screen | tail -1 | grep -q '^ snapshot ' &&
		[ "$(screen | grep -c 'longcmd-')" -eq 2 ] && ! screen | grep -q '^xxxx'
}
long_layout; ok $? "the title bar and the status line keep their lines; the command line takes one line in Trigger and one in Details"
keys '['
expect "the viewer stays responsive after drawing it" has "snapshot $((NSNAP - 1))/$NSNAP"
keys -l '}'
expect "} returns to the trigger snapshot" has "snapshot $NSNAP/$NSNAP"

# ---- idle: no busy loop ----
vp=$(viewer_pid)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
t0=$(ticks "$vp")
sleep 2 # measuring, not waiting for a state
t1=$(ticks "$vp")
[ -n "$vp" ] && [ $((t1 - t0)) -le 10 ]
ok $? "idle, the viewer uses no CPU ($((t1 - t0)) ticks in 2 s)"

# ---- resize ----
tx resize-window -t t -x 80 -y 24
panels_80() {
	[ "$(screen | wc -l)" -eq 24 ] && screen | head -1 | grep -q '^ spiketrace view' &&
		has_re '^> Explorer|^ Explorer' && has '│ Trigger' && has_re '│>? ?Details' &&
		screen | tail -1 | grep -q 'snapshot'
}
expect "after resizing to 80x24 every panel header is drawn again" panels_80
once() { [ "$(screen | grep -c -- "$1")" -eq 1 ]; }
once ' Trigger' && once 'Details  ' && once ' Explorer  ' && once ' snapshot '
ok $? "each panel header and the status line once: nothing left over from 120x40"
no_garbage() { ! screen | awk -F'│' 'NF > 2' | grep -q .; }
no_garbage; ok $? "no stale text from the wider layout (one separator per line)"
[ "$(screen | grep -c 'spiketrace view')" -eq 1 ]; ok $? "one title bar"

# ---- live refresh: a new dump written while the viewer runs ----
start_daemon d2 -c "$T/c.toml" -o "$D" -i 0.2
wait_samples d2 3
spike st-charlie
ok $? "the daemon wrote a dump for a third busy process"
C=$SPIKE_PID
stop_daemon
n_now=$(ls "$D" | wc -l)
expect "the title counts the new dumps ($n_now)" has "$n_now dumps"
keys Tab Home # the Explorer had lost the focus to Details (Enter)
expect "Home selects the newest dump" has "Explorer  1/$n_now"
newest_pid=$(ls "$D" | sort -r | head -1 | sed -E 's/.*_([0-9]+)\.json$/\1/')
expect "the newest dump is at the top of the list" has_re "│ [a-z_]+  pid $newest_pid \\("
expect "the new dump is listed with its pid and comm" has_re "^ [0-9:]+ new +$C sh"

# ---- q ----
keys q
expect "q quits" pane_dead
check "with exit status 0" exited_with 0

# ---- ASCII dots when the locale is not UTF-8, or with --ascii ----
viewer C "$D"
expect "with LANG=C the viewer starts" has 'Explorer'
keys Enter
ROW_ASCII='\| +[0-9]+ +[^ ]+ +[0-9.]+ +[0-9.]+[KMGTP] [A-Z?] [.*]+ '
expect "HIST uses '*' and '.' dots" has_re "$ROW_ASCII"
lacks '●'; ok $? "and no UTF-8 dot"
keys q
expect "q quits it" pane_dead
viewer C.UTF-8 --ascii --no-color "$D"
expect "--ascii forces ASCII dots in a UTF-8 locale" has_re "$ROW_ASCII"

# ---- monochrome, and clicks in Details ----
# colour_escapes : how many SGR sequences on the screen set a colour (39/49, the defaults, do not)
colour_escapes() {
	tx capture-pane -e -p -t t | "$PY" -c '
import re, sys
n = 0
for m in re.finditer(r"\x1b\[([0-9;]*)m", sys.stdin.read()):
    ps = [int(p) for p in m.group(1).split(";") if p]
    n += any(30 <= p <= 38 or 40 <= p <= 48 or 90 <= p <= 97 or 100 <= p <= 107 for p in ps)
print(n)'
}
check "--no-color draws no colour escape" test "$(colour_escapes)" -eq 0
# the selected Details row is in reverse video: the pid right after that escape
selected_pid() {
	tx capture-pane -e -p -t t | grep -oE $'\e\\[[0-9;]*7m *[0-9]+ ' | grep -oE '[0-9]+ $' | tr -d ' '
}
selected_is() { [ -n "$1" ] && [ "$(selected_pid)" = "$1" ]; }
keys Enter
expect "Enter focuses Details" has '> Details'
details_ascii() { screen | grep -E "$ROW_ASCII" | awk -F'|' '{print $2}' | awk '{print $1}'; }
first=$(details_ascii | head -1)
third=$(details_ascii | sed -n 3p)
[ -n "$first" ] && [ -n "$third" ] && [ "$first" != "$third" ] && selected_is "$first"
ok $? "its first row ($first) is selected"
# Details' first row is screen line 14 at 120x40 (title, 9 Trigger lines, header, summary, columns)
tx send-keys -t t -l $'\e[<0;60;16M\e[<0;60;16m'
expect "clicking its third row ($third) selects it" selected_is "$third"
keys Tab
expect "Tab gives the Explorer the focus" has '> Explorer'
tx send-keys -t t -l $'\e[<0;60;15M\e[<0;60;15m'
expect "a click in Details gives it the focus back" has '> Details'
check "and selects the row clicked (the second, $(details_ascii | sed -n 2p))" \
	selected_is "$(details_ascii | sed -n 2p)"
keys q
expect "and q quits" pane_dead
check "with status 0" exited_with 0
viewer C.UTF-8 "$D"
expect "in colour" has 'Explorer'
check "the same screen has colour escapes (so the checks above can fail)" test "$(colour_escapes)" -gt 0
keys q
expect "q quits" pane_dead
VTERM=xterm-mono viewer C.UTF-8 "$D"
expect "TERM=xterm-mono: the viewer starts" has 'Explorer'
check "and draws no colour escape" test "$(colour_escapes)" -eq 0
keys q
expect "q quits" pane_dead
tmux_kill

# ---- odd files: a FIFO, a string pid, big dumps cut short or damaged past their trigger ----
O=$T/odd
mkdir "$O"
cp "$FB" "$O/"
mkfifo "$O/spike_20990101T000000.000Z_cpu_delta_1.json" # the newest: opened first
# a trigger pid that is not a number: not pid 0
sed 's/"pid": '"$B"',/"pid": "abc",/' "$FB" >"$O/spike_20980101T000000.000Z_cpu_delta_2.json"
# the list reads a dump's head (its trigger) and its last bytes: a big dump cut short is bad at
# once; one damaged between the two is marked when it is opened
"$PY" - "$FB" "$O/spike_20970101T000000.000Z_cpu_new_process_3.json" \
	"$O/spike_20960101T000000.000Z_cpu_new_process_4.json" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d["snapshots"]:
    s["padding"] = "x" * 30000
text = json.dumps(d, indent=2) + "\n"
assert text.index('"trigger"') < 4096 and len(text) > 4 * 65536
open(sys.argv[2], "w").write(text[: text.index("xxxx", 2 * 65536)])  # cut inside a string
bad = text.index("xxxx", 3 * 65536)
open(sys.argv[3], "w").write(text[:bad] + "\x01" + text[bad + 1 :])
EOP
viewer C.UTF-8 "$O"
expect "a FIFO is listed with a mark and its reason" has_re '^!.*cannot read: not a regular'
expect "the Trigger panel says why it cannot be read" has_re '│ .*cannot read: not a regular file'
expect "a string trigger pid is listed as bad, naming the field" has_re "^!.*invalid 'trigger.pid"
expect "a big dump cut short is listed as truncated" has_re "^!00:00:00 truncated: the file"
expect "a big dump damaged past its trigger is listed with its culprit" \
	has_re "^ 00:00:00 (cpu_new_process|new) +$B sh"
keys j
expect "the Trigger panel gives the pid's reason in full" has "invalid 'trigger.pid': not a number"
keys j j
expect "opening the damaged dump shows why it cannot be read" has_re '│ .*not JSON: control character'
expect "and marks its row" has_re "^!00:00:00 not JSON"
keys j
expect "the next dump opens" has_re "│ cpu_new_process  pid $B \\(sh\\)"
keys k k k k Enter
expect "and the FIFO again, after Enter" has 'Nothing to show: the dump cannot be read.'
keys q
expect "q still quits" pane_dead
check "with status 0" exited_with 0
tmux_kill

# ---- 80x24 from the start: every trigger fact shows, and a readable culprit ----
N=$T/narrow
mkdir "$N"
"$PY" - "$FB" "$N/$(basename "$FB")" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
d["trigger"]["comm"] = "st-bravo-worker"
json.dump(d, open(sys.argv[2], "w"), indent=2)
EOP
VW=80 VH=24 viewer C.UTF-8 "$N"
trigger_panel() { screen | sed -n '3,10p' | sed 's/^[^│]*│ //'; }
explorer_rows() { screen | sed -n '3,$p' | sed 's/│.*//'; }
in_trigger() { trigger_panel | grep -qF -- "$1"; }
type_pid_comm() { trigger_panel | grep -qE "^cpu_[a-z_]+  pid $B \(st-bravo-worker\)"; }
expect "at 80x24 the Trigger panel shows the type, pid and comm" type_pid_comm
for fact in "value " "baseline " "delta " "threshold " "scope per_process" "user root" "at 20"; do
	in_trigger "$fact"
	ok $? "and '$fact'"
done
explorer_rows | grep -qE "^ [0-9:]+ +[a-z-]+ +($B +)?st-bravo"
ok $? "the Explorer shows 8 or more characters of the culprit"
keys q
expect "q quits" pane_dead
tmux_kill

# ---- PgUp/PgDn and the mouse wheel over a list longer than the screen ----
M=$T/many
mkdir "$M"
for i in $(seq 10 69); do
	ln "$FB" "$M/spike_20250101T00${i}00.000Z_cpu_new_process_$B.json" 2>/dev/null ||
		cp "$FB" "$M/spike_20250101T00${i}00.000Z_cpu_new_process_$B.json"
done
VW=80 VH=24 viewer C.UTF-8 --no-color "$M"
expect "60 dumps at 80x24: the newest is selected" has "Explorer  1/60"
# 21 rows show: a page moves 20
keys NPage
expect "PgDn moves a page down" has "Explorer  21/60"
keys NPage
expect "PgDn again" has "Explorer  41/60"
keys PPage
expect "PgUp moves a page up" has "Explorer  21/60"
wheel() { tx send-keys -t t -l $'\e[<'"$1;$2;$3"'M'; } # wheel 64|65 X Y: up | down
wheel 65 5 10
expect "the wheel down over the Explorer moves 3 rows" has "Explorer  24/60"
wheel 64 5 10
expect "the wheel up moves them back" has "Explorer  21/60"
keys Enter
expect "Enter opens the dump" has '> Details'
fourth=$(details | sed -n 4p | cut -d' ' -f1)
wheel 65 50 18
expect "the wheel over Details moves its selection 3 rows (to $fourth)" selected_is "$fourth"
has "Explorer  21/60"; ok $? "and leaves the Explorer's alone"
keys q
expect "q quits" pane_dead
tmux_kill

# ---- snapshot modes: a dump with diagnostic samples after its trigger snapshot ----
sed 's/enable_diagnostic_mode = false/enable_diagnostic_mode = true/' "$T/c.toml" >"$T/diag.toml"
printf '[diagnostic]\ndiagnostic_interval_ms = 100.0\ndiagnostic_seconds = 1.0\ndiagnostic_quiet_seconds = 0.5\ndiagnostic_budget_pct = 100.0\n' >>"$T/diag.toml"
DG=$T/diagdumps
start_daemon dg -c "$T/diag.toml" -o "$DG" -i 0.2
wait_samples dg 12
# diag_dump PID : the dump blaming PID, once its episode added diagnostic samples after the trigger
diag_dump() {
	local f
	f=$(ls "$DG"/spike_*_"$1".json 2>/dev/null | head -1)
	[ -n "$f" ] && "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
i = d["trigger_snapshot_index"]
sys.exit(not (i + 1 < len(d["snapshots"]) and d["snapshots"][i + 1]["mode"] == "diagnostic"))' "$f" 2>/dev/null
}
# (an episode another process started on a busy host may take our trigger's place: try again)
for try in 1 2 3; do
	SPIKE_DIR=$DG spike st-diag
	G=$SPIKE_PID
	wait_for 15 diag_dump "$G" && break
done
stop_daemon
FG=$(ls "$DG"/spike_*_"$G".json 2>/dev/null | head -1)
TI=$(jget "$FG" "d['trigger_snapshot_index']" 2>/dev/null)
NG=$(jget "$FG" "len(d['snapshots'])" 2>/dev/null)
[ -n "$FG" ] && [ "$(jget "$FG" "d['snapshots'][$TI + 1]['mode']" 2>/dev/null)" = diagnostic ]
ok $? "the daemon wrote a dump with diagnostic snapshots after the trigger ($((TI + 1)) of $NG)"
# (on a busy host another process's episode may make the snapshots before ours diagnostic too)
mode_of() { jget "$FG" "d['snapshots'][$1]['mode']"; }
viewer C.UTF-8 "$FG"
expect "it opens at its trigger snapshot, not the last" \
	has "snapshot $((TI + 1))/$NG  offset +0.0 s  mode $(mode_of "$TI")  [TRIGGER]"
keys ']'
expect "the next one is a diagnostic sample after the trigger" \
	has_re "snapshot $((TI + 2))/$NG  offset \\+0\\.[0-9] s  mode diagnostic"
lacks "[TRIGGER]"; ok $? "and is not marked as the trigger"
keys '{'
expect "{ goes to the first snapshot, with its mode ($(mode_of 0))" \
	has_re "snapshot 1/$NG  offset -[0-9.]+ s  mode $(mode_of 0)"
keys '}'
expect "} back to the trigger snapshot" has "snapshot $((TI + 1))/$NG  offset +0.0 s  mode $(mode_of "$TI")  [TRIGGER]"
keys q
expect "q quits" pane_dead
tmux_kill

# ---- a directory the daemon has not created yet: the viewer waits for it ----
printf '[output]\noutput_directory = "%s"\n' "$T/nowhere/dumps" >"$T/good.toml"
viewer C.UTF-8 -c "$T/good.toml"
expect "without DIR, the configured output_directory is viewed, though it does not exist" \
	has_re "^ spiketrace view  $T/nowhere/dumps  0 dumps"
expect "the list is empty and says the directory does not exist yet" \
	has 'The directory does not exist yet.'
expect "the Trigger panel names it as watched" has "│ $T/nowhere/dumps"
mkdir -p "$T/nowhere/dumps" # as the daemon does: one level after the other
cp "$FB" "$T/nowhere/dumps/"
expect "once created, its dumps appear" has "Explorer  1/1"
expect "and the first opens" has_re "│ [a-z_]+  pid $B \\(sh\\)"
cp "$FA" "$T/nowhere/dumps/"
expect "and it is watched like any other" has "2 dumps"
keys q
expect "q quits" pane_dead
tmux_kill

# ---- exit statuses and messages (no terminal needed) ----
"$BIN" view "$T/c.toml/dumps" >"$T/out" 2>"$T/err"
rc=$?
ok $([ $rc -eq 1 ] && echo 0 || echo 1) "a directory that cannot be one exits 1 (got $rc)"
check "with one line naming it" test "$(cat "$T/err")" = \
	"spiketrace: cannot read '$T/c.toml/dumps': Not a directory"
"$BIN" view "$T/missing.json" >"$T/out" 2>"$T/err"
rc=$?
ok $([ $rc -eq 1 ] && echo 0 || echo 1) "a missing FILE.json exits 1 (got $rc)"
check "with one line naming it" test "$(cat "$T/err")" = \
	"spiketrace: cannot read '$T/missing.json': No such file or directory"
"$BIN" view "$D" >"$T/out" 2>"$T/err"
rc=$?
ok $([ $rc -eq 2 ] && echo 0 || echo 1) "stdout not a terminal exits 2 (got $rc)"
grep -q "spiketrace show" "$T/err"; ok $? "and suggests 'spiketrace show'"
[ "$(wc -l <"$T/err")" -eq 1 ]; ok $? "in one line"
"$BIN" view --bogus >/dev/null 2>&1
ok $([ $? -eq 2 ] && echo 0 || echo 1) "an unknown option exits 2"
printf 'nonsense = 1\n' >"$T/bad.toml"
"$BIN" view -c "$T/bad.toml" >/dev/null 2>"$T/err"
rc=$?
ok $([ $rc -eq 2 ] && echo 0 || echo 1) "a bad configuration file exits 2 (got $rc)"
[ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "bad.toml" "$T/err"
ok $? "with one line naming the file"
"$BIN" view --help | grep -q '^KEYS'; ok $? "--help documents the keys"
"$BIN" view --help | grep -q '^EXIT STATUS'; ok $? "and the exit statuses"
"$BIN" view --help | grep -q 'P, capital: p is the previous snapshot'; ok $? "and why P sorts by PID"
"$BIN" view --help | grep -qE '^ +mouse +a click selects a row'; ok $? "and the mouse"
grep -q '^| mouse | click a row' "$ROOT/README.md"; ok $? "the README's key table has the mouse"
done_testing
