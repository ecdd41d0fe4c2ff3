#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 the recorder 20 times (as many as fit in 40 s) at random moments,
# half of them just after a whole second (while it writes a sample and a
# census with events): each
# time the database passes PRAGMA integrity_check (history --check) and the
# last sample written is at most one second older than the kill (only the
# sample in flight is lost). The next recorder carries on in the same file.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

KILLS=${TW_KILLS:-20}
setup_ns NS
# Ten destinations with TIME_WAIT and a few ESTABLISHED pairs: every census
# writes some 30 series; tcp_max_tw_buckets just above the 1000 TIME_WAIT
# keeps a warning up (tw-bucket-overflow at 90 %), written as an event.
nssysctl "$NS" net.ipv4.tcp_max_tw_buckets=1100
args=()
for p in $(seq 9000 9009); do args+=(listen "127.0.0.1:$p" client-tw "127.0.0.1:$p" 100); done
sockpop "$NS" "${args[@]}" listen 127.0.0.1:9100 estab 127.0.0.1:9100 50
# The TIME_WAIT sockets live 60 s: no run starts after 40 s, so every sample
# sees all 1000 (a slow machine, ASan, does fewer runs, not wrong ones).
POP_END=$((SECONDS + 40))
DB=$TW_TMP/k.db
J=$TW_TMP/k.json

# last_t FROM: newest time_wait sample at or after FROM, or 0
last_t() {
	"$TWSCOPE" history --db "$DB" --json --series time_wait --since "$1" --until now >"$J" 2>/dev/null ||
		{ echo 0; return; }
	jq '[.series[] | select(.name == "time_wait") | .points[][0]] | max // 0' "$J"
}
started() { [ "$(last_t "$1")" -gt 0 ]; }

lost=0 runs=0
for i in $(seq 1 "$KILLS"); do
	[ "$SECONDS" -lt "$POP_END" ] || break
	runs=$i
	START=$(date +%s)
	"$TWSCOPE" record --netns "$NS" --db "$DB" --census-interval 1 --findings-interval 1 \
		2>>"$TW_TMP/rec.err" &
	REC=$!
	TW_PIDS+=($REC)
	if ! wait_until 20 started "$START"; then
		fail "run $i: no sample: $(tail -3 "$TW_TMP/rec.err")"
		kill -9 "$REC"; wait "$REC" 2>/dev/null
		break
	fi
	ns=$(date +%N)
	if [ $((i % 2)) -eq 0 ]; then
		# just after one of the next three whole seconds: the write in progress
		delay=$(awk -v n="$ns" -v r="$RANDOM" -v w="$((RANDOM % 3))" \
			'BEGIN { printf "%.3f", (1e9 - n) / 1e9 + w + (r % 40) / 1000 }')
	else
		delay=$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", 0.2 + (r % 2800) / 1000 }')
	fi
	sleep "$delay"
	K=$(date +%s)
	kill -9 "$REC"
	wait "$REC" 2>/dev/null
	check=$("$TWSCOPE" history --db "$DB" --check 2>&1)
	[ "$check" = ok ] || fail "run $i: integrity check after kill -9: $check"
	last=$(last_t "$START")
	if [ "$last" -lt $((K - 1)) ]; then
		fail "run $i: killed at $K (after ${delay}s), last sample $last: more than one lost"
		lost=$((lost + 1))
	fi
done
[ "$runs" -ge 5 ] || fail "only $runs kill(s) within the 40 s the TIME_WAIT population lasts"
check_eq "kills that lost more than the sample in flight" 0 "$lost"
check_eq "final integrity check" ok "$("$TWSCOPE" history --db "$DB" --check)"
# The runs add up: one file, samples of every run, events of the findings.
check_eq "time_wait exact in every run" 0 \
	"$("$TWSCOPE" history --db "$DB" --json --series time_wait --since -10m | jq '[.series[].points[] | select(.[2] != 1000)] | length')"
"$TWSCOPE" history --db "$DB" --json --since -10m >"$J"
n=$(jq '[.events[] | select(.id == "tw-bucket-overflow" and .severity == "warning")] | length' "$J")
if [ "$n" -ge 1 ] && [ "$n" -le "$KILLS" ]; then pass "$n tw-bucket-overflow events (one per run at most)"
else fail "tw-bucket-overflow events: $n (want 1..$KILLS)"; fi
done_test
