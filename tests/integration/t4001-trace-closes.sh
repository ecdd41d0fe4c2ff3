#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: a helper that closes N connections first is reported with N active
# closes under its pid/comm and the right destination; its peer with N
# passive closes. SIGTERM stops trace cleanly with the summary.
. "$(dirname "$0")/lib.sh"
require_trace
N=20
PORT=9100
OUT=$TW_TMP/out

setup_ns NS
trace_start "$OUT" --netns "$NS" --duration 40 --json

trace_helper "$TW_TMP/helper" close $PORT $N
closer=$CLOSER peer=$PEER
check_eq "helper connections" "done=$N" "$(tail -n 1 "$TW_TMP/helper")"

trace_stop
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
check_eq "no close_wait counts (the list says what sits there)" 0 \
	"$(jqv "$OUT" '[.events[] | select(.kind == "close_wait")] | length')"
check_eq "lost/dropped" "0 0" "$(jqv "$OUT" '"\(.lost_events) \(.dropped_aggregates)"')"
done_test
