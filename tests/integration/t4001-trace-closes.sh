#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: a helper that closes N connections first is reported with N active
# closes under its pid/comm and the right destination; its peer with N
# passive closes. SIGTERM stops trace cleanly with the summary.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ BTF
[ -x "$HELPERS/trace-tcp" ] || skip "helper $HELPERS/trace-tcp not built"
"$TWSCOPE" trace -d 0.01 2>&1 | grep -q "without BPF" && skip "built without BPF"
N=20
PORT=9100
OUT=$TW_TMP/out

setup_ns NS
timeout 60 "$TWSCOPE" trace --netns "$NS" --duration 40 --json >"$OUT" 2>"$TW_TMP/err" &
TPID=$!
TW_PIDS+=("$TPID")
wait_until 20 grep -qs "tracing" "$TW_TMP/err" || { echo "trace did not start: $(cat "$TW_TMP/err")"; exit 1; }

timeout 20 ip netns exec "$NS" "$HELPERS/trace-tcp" close $PORT $N >"$TW_TMP/helper" ||
	{ echo "helper failed"; exit 1; }
closer=$(sed -n 's/^closer_pid=\([0-9]*\) .*/\1/p' "$TW_TMP/helper")
peer=$(sed -n 's/.* peer_pid=\([0-9]*\)$/\1/p' "$TW_TMP/helper")
check_eq "helper connections" "done=$N" "$(tail -n 1 "$TW_TMP/helper")"

kill -TERM "$TPID"
wait "$TPID"
check_eq "trace exit code after SIGTERM" 0 $?
check_eq "schema/command" "1 trace" "$(jqv "$OUT" '"\(.schema) \(.command)"')"

sum() { jq --argjson p "$1" "[.events[] | select(.pid == \$p and $2) | .count] | add // 0" "$OUT"; }
check_eq "active closes of twt-closer" "$N" "$(sum "$closer" '.kind == "active_close" and
	.comm == "twt-closer" and .remote.addr == "127.0.0.1" and .remote.port == '$PORT)"
check_eq "passive closes of twt-peer" "$N" "$(sum "$peer" '.kind == "passive_close" and
	.comm == "twt-peer" and .local.port == '$PORT)"
# Nobody else got blamed: the peer closed no connection first, the closer none last.
check_eq "active closes of the peer" 0 "$(sum "$peer" '.kind == "active_close"')"
check_eq "passive closes of the closer" 0 "$(sum "$closer" '.kind == "passive_close"')"
# The peer's FIN reaches the closer's side in softirq: it must be marked, not blamed.
check_eq "close_wait rows blamed on a task" 0 \
	"$(jqv "$OUT" '[.events[] | select(.kind == "close_wait" and .softirq == false)] | length')"
check_eq "close_wait (softirq) count" "$N" \
	"$(jqv "$OUT" '[.events[] | select(.kind == "close_wait" and .softirq) | .count] | add // 0')"
check_eq "lost/dropped" "0 0" "$(jqv "$OUT" '"\(.lost_events) \(.dropped_aggregates)"')"
done_test
