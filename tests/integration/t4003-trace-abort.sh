#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: SO_LINGER{1,0} closes and closes with unread data are reported as
# abortive (RST, no TIME_WAIT), per process, and not as active closes.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ BTF SS
[ -x "$HELPERS/trace-tcp" ] || skip "helper $HELPERS/trace-tcp not built"
"$TWSCOPE" trace -d 0.01 2>&1 | grep -q "without BPF" && skip "built without BPF"
N=12
PORT=9100
OUT=$TW_TMP/out

setup_ns NS
timeout 60 "$TWSCOPE" trace --netns "$NS" --port $PORT --duration 40 --json \
	>"$OUT" 2>"$TW_TMP/err" &
TPID=$!
TW_PIDS+=("$TPID")
wait_until 20 grep -qs "tracing" "$TW_TMP/err" || { echo "trace did not start: $(cat "$TW_TMP/err")"; exit 1; }

timeout 20 ip netns exec "$NS" "$HELPERS/trace-tcp" linger0 $PORT $N >"$TW_TMP/h1" ||
	{ echo "helper (linger0) failed"; exit 1; }
timeout 20 ip netns exec "$NS" "$HELPERS/trace-tcp" unread $PORT 3 >"$TW_TMP/h2" ||
	{ echo "helper (unread) failed"; exit 1; }
check_eq "linger0 helper" "done=$N" "$(tail -n 1 "$TW_TMP/h1")"
check_eq "unread helper" "done=3" "$(tail -n 1 "$TW_TMP/h2")"
c1=$(sed -n 's/^closer_pid=\([0-9]*\) .*/\1/p' "$TW_TMP/h1")
c2=$(sed -n 's/^closer_pid=\([0-9]*\) .*/\1/p' "$TW_TMP/h2")
check_eq "TIME_WAIT sockets left by abortive closes" 0 \
	"$(nsexec "$NS" ss -Htan state time-wait | wc -l)"

kill -TERM "$TPID"
wait "$TPID"
check_eq "trace exit code after SIGTERM" 0 $?

count() { # count KIND REASON PID
	jq --argjson p "$3" '[.events[] | select(.kind == "'"$1"'" and (.reason // "") == "'"$2"'"
		and .pid == $p and .comm == "twt-closer" and .remote.port == '$PORT') | .count]
		| add // 0' "$OUT"
}
check_eq "abort/linger0 of pid $c1" "$N" "$(count abort linger0 "$c1")"
check_eq "active closes of the linger0 helper" 0 "$(count active_close "" "$c1")"
check_eq "abort/unread of pid $c2" 3 "$(count abort unread "$c2")"
done_test
