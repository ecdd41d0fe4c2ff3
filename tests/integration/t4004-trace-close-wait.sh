#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: sockets that enter CLOSE_WAIT while tracing and stay there are
# listed at the end (socket-local storage + iterator), with their owner,
# endpoint and age; nothing else in the namespace is listed.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ BTF
"$TWSCOPE" trace -d 0.01 2>&1 | grep -q "without BPF" && skip "built without BPF"
N=5
PORT=9120
OUT=$TW_TMP/out

setup_ns NS
timeout 60 "$TWSCOPE" trace --netns "$NS" --duration 40 --json >"$OUT" 2>"$TW_TMP/err" &
TPID=$!
TW_PIDS+=("$TPID")
wait_until 20 grep -qs "tracing" "$TW_TMP/err" || { echo "trace did not start: $(cat "$TW_TMP/err")"; exit 1; }

# N sockets stay in CLOSE_WAIT (held by sockpop); N more pass through to LAST_ACK.
sockpop "$NS" listen 127.0.0.1:$PORT close-wait 127.0.0.1:$PORT $N
POP=${TW_PIDS[-1]}
timeout 20 ip netns exec "$NS" "$HELPERS/trace-tcp" close $((PORT + 1)) $N >"$TW_TMP/helper" ||
	{ echo "helper failed"; exit 1; }
sleep 1

kill -TERM "$TPID"
wait "$TPID"
check_eq "trace exit code after SIGTERM" 0 $?
check_eq "CLOSE_WAIT rows" 1 "$(jqv "$OUT" '.close_wait | length')"
check_eq "CLOSE_WAIT sockets on the listener" "$N" \
	"$(jqv "$OUT" '[.close_wait[] | select(.local.port == '$PORT' and .local.addr == "127.0.0.1") | .count] | add // 0')"
check_eq "CLOSE_WAIT owner" "$POP sockpop" "$(jqv "$OUT" '.close_wait[0] | "\(.pid) \(.comm)"')"
check_eq "age > 0" true "$(jqv "$OUT" '.close_wait[0].oldest_sec > 0 and .close_wait[0].oldest_sec < 40')"
check_eq "close_wait events" "$((2 * N))" \
	"$(jqv "$OUT" '[.events[] | select(.kind == "close_wait") | .count] | add // 0')"
check_eq "untracked" 0 "$(jqv "$OUT" '.close_wait_untracked')"
done_test
