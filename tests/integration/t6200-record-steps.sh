#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# twscope record over a namespace whose population changes in known steps:
# 0 -> 500 -> 2000 TIME_WAIT (client closes first), then 100 ESTABLISHED
# pairs. `twscope history --json` holds exactly those numbers at the right
# times: time_wait every second (sockstat), established and the destination
# series at each census (every 2 s here). Then serve --history records too.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

setup_ns NS
DB=$TW_TMP/h.db
J=$TW_TMP/h.json
now() { date +%s; }

"$TWSCOPE" record --netns "$NS" --db "$DB" --census-interval 2 --findings-interval 0 \
	2>"$TW_TMP/rec.err" &
REC=$!
TW_PIDS+=($REC)

# points of SERIES with FROM <= t <= TO, as "t value" lines (value = avg)
points() { jq -r --arg s "$1" --argjson a "$2" --argjson b "$3" \
	'.series[] | select(.name == $s) | .points[] | select(.[0] >= $a and .[0] <= $b)
	 | "\(.[0]) \(.[2])"' "$J"; }
# check_window WHAT SERIES FROM TO VALUE MIN_POINTS: every point in the window is VALUE
check_window() {
	local what=$1 s=$2 a=$3 b=$4 want=$5 min=$6 n bad
	n=$(points "$s" "$a" "$b" | wc -l)
	bad=$(points "$s" "$a" "$b" | awk -v w="$want" '$2 != w' | head -3 | tr '\n' ' ')
	if [ "$n" -ge "$min" ] && [ -z "$bad" ]; then
		pass "$what: $n points of $s in [$a, $b] all $want"
	else
		fail "$what: $n points of $s in [$a, $b] (want >= $min), not $want: '$bad'"
	fi
}
has_samples() {
	"$TWSCOPE" history --db "$DB" --json --series time_wait >"$J" 2>/dev/null &&
	[ "$(jq '[.series[] | select(.name == "time_wait") | .points[]] | length' "$J")" -ge 3 ]
}
wait_until 20 has_samples || { fail "no samples: $(cat "$TW_TMP/rec.err")"; done_test; }
T0=$(now)
sleep 3

S1=$(now)
sockpop "$NS" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 500
T1=$(now)
sleep 5
S2=$(now)
sockpop "$NS" listen 127.0.0.1:9001 client-tw 127.0.0.1:9001 1500
T2=$(now)
sleep 5
S3=$(now)
sockpop "$NS" listen 127.0.0.1:9002 estab 127.0.0.1:9002 100
T3=$(now)
sleep 5
END=$(now)
kill -TERM "$REC"
wait "$REC"
check_eq "record exit status after SIGTERM" 0 "$?"
USABLE=$(nsexec "$NS" "$TWSCOPE" stat --json | jq '.port_range.usable')

"$TWSCOPE" history --db "$DB" --json --since "$((T0 - 10))" --until "$END" >"$J"
check_eq "exit" 0 "$?"
check_eq "version" 1 "$(jqv "$J" .version)"
check_eq "tier" raw "$(jqv "$J" .tier)"
check_eq "netns label" "$NS" "$(jqv "$J" .netns)"
check_eq "raw points: min == avg == max" 0 \
	"$(jq '[.series[].points[] | select(.[1] != .[2] or .[2] != .[3])] | length' "$J")"
check_eq "points sorted by time" 0 \
	"$(jq '[.series[] | .points as $p | range(1; $p | length) | select($p[.][0] <= $p[. - 1][0])] | length' "$J")"

check_window "before the first step" time_wait "$T0" "$((S1 - 1))" 0 2
check_window "500 TIME_WAIT" time_wait "$((T1 + 1))" "$((S2 - 1))" 500 3
check_window "2000 TIME_WAIT" time_wait "$((T2 + 1))" "$END" 2000 8
check_window "no ESTABLISHED before the pairs" established "$T0" "$((S3 - 1))" 0 5
check_window "100 pairs = 200 ESTABLISHED" established "$((T3 + 1))" "$END" 200 1
check_window "census sides: 500 client TIME_WAIT" tw_client "$((T1 + 1))" "$((S2 - 1))" 500 1
check_window "census sides: 2000 client TIME_WAIT" tw_client "$((T2 + 1))" "$END" 2000 2
check_eq "census step" 2 "$(jq '.series[] | select(.name == "established") | .step_sec' "$J")"
check_eq "sockstat step" 1 "$(jq '.series[] | select(.name == "time_wait") | .step_sec' "$J")"

# Port use of a destination: 1500 TIME_WAIT toward 127.0.0.1:9001 of USABLE ports.
if [ -n "$USABLE" ]; then
	want=$(awk -v u="$USABLE" 'BEGIN { printf "%.6f", 150000 / u }')
	got=$(points "dest_use_pct:127.0.0.1:9001" "$((T2 + 1))" "$END" | tail -1 | awk '{ printf "%.6f", $2 }')
	check_eq "dest_use_pct:127.0.0.1:9001 (1500 of $USABLE)" "$want" "$got"
else
	fail "stat --json has no usable port count"
fi
check_eq "dest_close_rate series present" 1 \
	"$(jq '[.series[] | select(.name == "dest_close_rate:127.0.0.1:9000")] | length' "$J")"
# tw_rate: 2000 TIME_WAIT entered in the recording, spread over its seconds.
check_eq "tw_rate sums to 2000" 2000 \
	"$(jq --argjson a "$S1" '[.series[] | select(.name == "tw_rate") | .points[] | select(.[0] >= $a) | .[2]] | add' "$J")"

# The other formats and a series filter.
"$TWSCOPE" history --db "$DB" --csv --series time_wait --since "$((T2 + 1))" --until "$END" >"$TW_TMP/h.csv"
check_eq "csv header" "time,series,min,avg,max" "$(head -1 "$TW_TMP/h.csv")"
check_eq "csv rows all time_wait 2000" 0 "$(tail -n +2 "$TW_TMP/h.csv" | awk -F, '$2 != "time_wait" || $3 != 2000' | wc -l)"
"$TWSCOPE" history --db "$DB" --since "$T0" --until "$END" >"$TW_TMP/h.txt"
check_eq "table exit" 0 "$?"
check_eq "integrity" ok "$("$TWSCOPE" history --db "$DB" --check)"
"$TWSCOPE" history --db "$DB" --since yesterday >/dev/null 2>&1
check_eq "bad --since is a usage error" 2 "$?"

# graph --db: the picture drawn from the same database holds the same steps.
"$TWSCOPE" graph --db "$DB" --since "$T0" --until "$END" -o "$TW_TMP/h.svg" 2>/dev/null
check_eq "graph --db exit" 0 "$?"
check_eq "graph --db: time_wait drawn at 500 and at 2000" "500 2000" \
	"$(python3 tests/integration/graphcheck.py points "$TW_TMP/h.svg" time_wait | tr ' ' '\n' |
		cut -d: -f2 | grep -xE '500|2000' | sort -nu | tr '\n' ' ' | sed 's/ $//')"

# serve --history: the same recorder inside serve.
DB2=$TW_TMP/s.db
"$TWSCOPE" serve --netns "$NS" --listen 127.0.0.1:0 --history "$DB2" 2>"$TW_TMP/serve.err" &
SRV=$!
TW_PIDS+=($SRV)
has_serve_samples() {
	"$TWSCOPE" history --db "$DB2" --json --series time_wait >"$J" 2>/dev/null &&
	[ "$(jq '[.series[] | select(.name == "time_wait") | .points[] | select(.[2] == 2000)] | length' "$J")" -ge 2 ]
}
if wait_until 20 has_serve_samples; then pass "serve --history records time_wait 2000"
else fail "serve --history: $(cat "$TW_TMP/serve.err")"; fi
kill -TERM "$SRV"
wait "$SRV"
check_eq "serve exit status after SIGTERM" 0 "$?"
done_test
