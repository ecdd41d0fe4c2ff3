#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The full-screen top under tmux, inside a namespace with an exact
# population: the rows and numbers on the screen, a population change, the
# keys (sort, filter, pause, help), a resize to a narrower window, colour
# and NO_COLOR, and the terminal given back (stty -a before = after) after
# q, SIGINT, SIGTERM and SIGHUP. tmux runs on its own socket, killed on every exit.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS TMUX
unset TMUX

setup_ns NS
nssysctl "$NS" net.ipv4.ip_local_port_range="40000 40099"
sockpop "$NS" listen 127.0.0.1:9000 listen 127.0.0.2:9000 \
	client-tw 127.0.0.1:9000 30 client-tw 127.0.0.2:9000 20 estab 127.0.0.1:9000 4 \
	close-wait 127.0.0.1:9000 2
POP=${TW_PIDS[0]}
# Its own server on a socket in the test's directory (lib.sh kills it on exit).
TW_TMUX_SOCKET=$TW_TMP/tmux.sock
tm() { tmux -S "$TW_TMUX_SOCKET" -f /dev/null "$@"; }

# start NAME COLS ROWS [VAR=VALUE...]: top in a new detached session; the
# pane records stty -a before and after it and its exit code.
start() {
	local name=$1 cols=$2 rows=$3 d=$TW_TMP/$1
	shift 3
	cat >"$d.sh" <<-EOS
	stty -a >$d.before
	ip netns exec $NS env LC_ALL=C $* $TWSCOPE top -i 0.3 2>$d.err
	echo \$? >$d.rc
	stty -a >$d.after
	EOS
	tm new-session -d -s "$name" -x "$cols" -y "$rows" "sh $d.sh" || { fail "tmux new-session"; done_test; }
}
# shot NAME [-e]: the pane's text (with -e its colours) into $TW_TMP/NAME.shot
shot() { tm capture-pane -p ${2:-} -t "$1" >"$TW_TMP/$1.shot" 2>/dev/null; }
# shows NAME TEXT: does the pane show TEXT (spaces squeezed)?
shows() { shot "$1" && tr -s ' ' <"$TW_TMP/$1.shot" | grep -F -- "$2" >/dev/null; }
# topline NAME REGEX: the first screen line matching REGEX, spaces squeezed
topline() { tr -s ' ' <"$TW_TMP/$1.shot" | grep -E -m1 -- "$2"; }
top_pid() { ps -o pid= --ppid "$(tm list-panes -t "$1" -F '#{pane_pid}')" | tr -d ' '; }
# ended NAME [RC [STDERR]]: top exited with RC (0) and STDERR (none), terminal restored
ended() {
	local d=$TW_TMP/$1
	wait_until 10 test -s "$d.after" || { fail "$1: top did not exit"; return; }
	check_eq "$1: exit code" "${2:-0}" "$(cat "$d.rc")"
	check_eq "$1: stderr" "${3:-}" "$(cat "$d.err")"
	# The window size may differ after a resize; every mode must be back.
	sed 's/rows [0-9]*; columns [0-9]*;//' "$d.before" >"$d.b"
	sed 's/rows [0-9]*; columns [0-9]*;//' "$d.after" >"$d.a"
	if cmp -s "$d.b" "$d.a"; then pass "$1: stty -a restored"; else fail "$1: stty -a differs: $(diff "$d.b" "$d.a")"; fi
}

# 1. The rows on an 80x24 screen, then q.
start main 80 24
wait_until 20 shows main "127.0.0.1:9000" || fail "screen never showed the rows: $(cat "$TW_TMP/main.shot")"
wait_until 5 shows main "per second: TW 0.0" || fail "no rates line"
shot main
check_eq "title" "twscope top" "$(head -n 1 "$TW_TMP/main.shot" | cut -c1-11)"
check_eq "totals" "TIME_WAIT 50 (client 50 server 0 unknown 0) ESTAB 8 CLOSE_WAIT 2" "$(topline main '^TIME_WAIT')"
check_eq "columns at 80" "NAME HELD USE% TW CLOSE/S PROJ% EXHAUST T CULPRIT" "$(topline main '^NAME')"
check_eq "row 1" "127.0.0.1:9000 36 36.0 30 3.0 6.0 - ^ sockpop[$POP]" "$(topline main '^127\.0\.0\.1:9000')"
check_eq "row 2" "127.0.0.2:9000 20 20.0 20 2.0 0.0 - ^ -" "$(topline main '^127\.0\.0\.2:9000')"
check_eq "port row" ":9000 6 - 0 0.0 - - . sockpop[$POP]" "$(topline main '^:9000')"
check_eq "no line wider than 80" 0 "$(awk 'length > 80' "$TW_TMP/main.shot" | wc -l)"

# A population change shows up on the next refresh.
sockpop "$NS" listen 127.0.0.3:9000 client-tw 127.0.0.3:9000 12
wait_until 20 shows main "127.0.0.3:9000 12 12.0 12 1.2" || fail "new destination not shown: $(cat "$TW_TMP/main.shot")"
wait_until 5 shows main "TIME_WAIT 62 (client 62" || fail "totals not updated"

# Keys: n sorts by name, / filters, p pauses, ? shows the help.
tm send-keys -t main n
wait_until 5 shows main "sort name" || fail "n did not sort by name"
check_eq "by name: first row" "127.0.0.1:9000" "$(tr -s ' ' <"$TW_TMP/main.shot" | sed -n 7p | cut -d' ' -f1)"
tm send-keys -t main t
wait_until 5 shows main "sort time_wait" || fail "t did not sort by TIME_WAIT"
tm send-keys -t main / 1 2 7 . 0 . 0 . 2 Enter
wait_until 5 shows main "filter: 127.0.0.2" || fail "filter not applied: $(cat "$TW_TMP/main.shot")"
check_eq "filtered rows" "1 of" "$(tail -n 1 "$TW_TMP/main.shot" | cut -d' ' -f1-2)"
tm send-keys -t main / BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace Enter
wait_until 5 shows main "4 of 4 rows" || fail "filter not cleared: $(tail -n 1 "$TW_TMP/main.shot")"
tm send-keys -t main p
wait_until 5 shows main "[PAUSED]" || fail "p did not pause"
tm send-keys -t main '?'
wait_until 5 shows main "twscope top: keys" || fail "? did not show the help"
tm send-keys -t main Escape
tm send-keys -t main p
wait_until 5 eval '! shows main "[PAUSED]"' || fail "p did not resume"
tm send-keys -t main q
ended main

# 2. Resize: the view redraws to the new width and drops columns.
start resize 100 24
wait_until 20 shows resize "127.0.0.1:9000" || fail "resize: no rows"
check_eq "columns at 100" "KIND NAME HELD USABLE USE% TW CLOSE/S PROJ% EXHAUST T CULPRIT" "$(topline resize 'NAME')"
# Paused, so only the resize itself (SIGWINCH, KEY_RESIZE) can redraw.
tm send-keys -t resize p
wait_until 5 shows resize "[PAUSED]" || fail "resize: p did not pause"
tm resize-window -t resize -x 60 -y 20
wait_until 10 eval 'shows resize "NAME HELD USE% TW CLOSE/S PROJ% T" && awk "length > 60 {exit 1}" "$TW_TMP/resize.shot"' ||
	fail "no redraw at 60 columns: $(cat "$TW_TMP/resize.shot")"
check_eq "lines at 20 rows" 20 "$(wc -l <"$TW_TMP/resize.shot")"
check_eq "row at 60 columns" "127.0.0.1:9000 36 36.0 30" "$(topline resize '^127\.0\.0\.1:9000' | cut -d' ' -f1-4)"
tm resize-window -t resize -x 132 -y 30
wait_until 10 shows resize "KIND NAME SOURCE HELD USABLE USE%" || fail "no redraw at 132 columns"
tm send-keys -t resize q
ended resize

# 3. SIGINT, SIGTERM and SIGHUP give the terminal back too (exit 0, like q).
for sig in INT TERM HUP; do
	start "sig$sig" 80 24
	wait_until 20 shows "sig$sig" "127.0.0.1:9000" || fail "sig$sig: no rows"
	pid=$(top_pid "sig$sig")
	check_eq "sig$sig: top is the pane's child" twscope "$(ps -o comm= -p "$pid")"
	kill -"$sig" "$pid"
	ended "sig$sig"
done

# 4. Colour on a colour terminal, none with NO_COLOR.
start colour 80 24
wait_until 20 shows colour "127.0.0.1:9000" || fail "colour: no rows"
shot colour -e
check_eq "use % in colour" 1 "$(grep -c $'\e\\[3[0-7]m *36\\.0' "$TW_TMP/colour.shot")"
tm send-keys -t colour q
ended colour
start nocolour 80 24 NO_COLOR=1
wait_until 20 shows nocolour "127.0.0.1:9000" || fail "nocolour: no rows"
shot nocolour -e
check_eq "NO_COLOR: no colour codes" 0 "$(grep -c $'\e\\[3[0-7]m' "$TW_TMP/nocolour.shot")"
tm send-keys -t nocolour q
ended nocolour

# 5. A terminal that cannot place the cursor: one line, exit 1, terminal as it was.
start dumb 80 24 TERM=dumb
ended dumb 1 "twscope top: cannot drive this terminal (check TERM); -b/--batch needs none"
done_test
