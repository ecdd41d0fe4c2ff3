#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: sockets sitting in CLOSE_WAIT are listed at the end (an iterator
# over every process's files), with their owner, endpoint and age: those
# already there when tracing started as well as new ones; sockets that
# only pass through CLOSE_WAIT are not listed.
. "$(dirname "$0")/lib.sh"
require_trace
N=5
PORT=9120
OUT=$TW_TMP/out

setup_ns NS
# M sockets are in CLOSE_WAIT before tracing starts.
M=3
sockpop "$NS" listen 127.0.0.1:$((PORT + 2)) close-wait 127.0.0.1:$((PORT + 2)) $M
OLD=${TW_PIDS[-1]}
trace_start "$OUT" --netns "$NS" --duration 40 --json

# N sockets stay in CLOSE_WAIT (held by sockpop); N more pass through to LAST_ACK.
sockpop "$NS" listen 127.0.0.1:$PORT close-wait 127.0.0.1:$PORT $N
POP=${TW_PIDS[-1]}
trace_helper "$TW_TMP/helper" close $((PORT + 1)) $N
sleep 1.5

trace_stop
check_eq "CLOSE_WAIT rows" 2 "$(jqv "$OUT" '.close_wait | length')"
check_eq "CLOSE_WAIT sockets on the listener" "$N" \
	"$(jqv "$OUT" '[.close_wait[] | select(.local.port == '$PORT' and .local.addr == "127.0.0.1") | .count] | add // 0')"
check_eq "CLOSE_WAIT owner" "$POP sockpop" \
	"$(jqv "$OUT" '.close_wait[] | select(.local.port == '$PORT') | "\(.pid) \(.comm)"')"
check_eq "CLOSE_WAIT sockets from before the trace" "$M" \
	"$(jqv "$OUT" '[.close_wait[] | select(.local.port == '$((PORT + 2))') | .count] | add // 0')"
check_eq "their owner" "$OLD sockpop" \
	"$(jqv "$OUT" '.close_wait[] | select(.local.port == '$((PORT + 2))') | "\(.pid) \(.comm)"')"
check_eq "ages: older ones > 1.5 s > new ones > 0" true \
	"$(jqv "$OUT" '([.close_wait[] | select(.local.port == '$((PORT + 2))') | .oldest_sec][0]) as $o |
		([.close_wait[] | select(.local.port == '$PORT') | .oldest_sec][0]) as $n |
		$o >= 1.5 and $o < 40 and $n > 0 and $n < $o')"
check_eq "passed through CLOSE_WAIT, not listed" 0 \
	"$(jqv "$OUT" '[.close_wait[] | select(.local.port == '$((PORT + 1))' or .remote.port == '$((PORT + 1))')] | length')"
check_eq "untracked" 0 "$(jqv "$OUT" '.close_wait_untracked')"
done_test
