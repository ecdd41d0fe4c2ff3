#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: SO_LINGER{1,0} closes and closes with unread data are reported as
# abortive (RST, no TIME_WAIT), per process, and not as active closes.
. "$(dirname "$0")/lib.sh"
require_trace SS
N=12
PORT=9100
OUT=$TW_TMP/out

setup_ns NS
trace_start "$OUT" --netns "$NS" --port $PORT --duration 40 --json

trace_helper "$TW_TMP/h1" linger0 $PORT $N
c1=$CLOSER
trace_helper "$TW_TMP/h2" unread $PORT 3
c2=$CLOSER
check_eq "linger0 helper" "done=$N" "$(tail -n 1 "$TW_TMP/h1")"
check_eq "unread helper" "done=3" "$(tail -n 1 "$TW_TMP/h2")"
check_eq "TIME_WAIT sockets left by abortive closes" 0 \
	"$(nsexec "$NS" ss -Htan state time-wait | wc -l)"

trace_stop

count() { # count KIND REASON PID
	jq --argjson p "$3" '[.events[] | select(.kind == "'"$1"'" and (.reason // "") == "'"$2"'"
		and .pid == $p and .comm == "twt-closer" and .remote.port == '$PORT') | .count]
		| add // 0' "$OUT"
}
check_eq "abort/linger0 of pid $c1" "$N" "$(count abort linger0 "$c1")"
check_eq "active closes of the linger0 helper" 0 "$(count active_close "" "$c1")"
check_eq "abort/unread of pid $c2" 3 "$(count abort unread "$c2")"
done_test
