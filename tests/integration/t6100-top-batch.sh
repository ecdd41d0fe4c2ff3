#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# top -b and --json on an exact population: the rows (held, usable, use %,
# TIME_WAIT, close rate, projected use, trend, culprit) and the header totals
# asserted exactly; then a population added while top runs shows up in a
# later interval, and SIGTERM ends the NDJSON stream cleanly.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

setup_ns NS
nssysctl "$NS" net.ipv4.ip_local_port_range="40000 40099"
sockpop "$NS" listen 127.0.0.1:9000 listen 127.0.0.2:9000 listen 127.0.0.1:8080 \
	client-tw 127.0.0.1:9000 30 client-tw 127.0.0.2:9000 20 server-tw 127.0.0.1:8080 7 \
	estab 127.0.0.1:9000 4 close-wait 127.0.0.1:9000 2
POP=${TW_PIDS[0]}

# Plain batch: two intervals, every row exact (spaces squeezed).
B=$TW_TMP/batch.txt
nsexec "$NS" "$TWSCOPE" top -b --iterations 2 -i 0.2 >"$B" 2>"$B.err"
check_eq "batch exit" 0 $?
check_eq "batch stderr empty" "" "$(cat "$B.err")"
check_eq "two intervals" 2 "$(grep -c '^twscope top - ' "$B")"
last=$TW_TMP/last.txt
awk '/^twscope top - /{n++} n==2' "$B" | tr -s ' ' >"$last"
check_eq "totals line" "TIME_WAIT 57 (client 50, server 7, unknown 0) ESTABLISHED 8 CLOSE_WAIT 2 FIN_WAIT2 orphans 2" \
	"$(grep '^TIME_WAIT' "$last")"
check_eq "sockstat tw (TIME_WAIT + 2 FIN_WAIT2 mini-sockets)" 59 \
	"$(sed -n 's/^sockstat: inuse [0-9]* tw \([0-9]*\) .*/\1/p' "$last")"
check_eq "rates after the first interval" "rates/s: TW 0.0 ActiveOpens 0.0 TCPTimeWaitOverflow 0.0 PAWS 0.0" \
	"$(grep '^rates' "$last")"
check_eq "first interval has no rates yet" 1 "$(grep -c 'PAWS - (after the first interval)' "$B")"
check_eq "column header" "KIND NAME SOURCE HELD USABLE USE% TW CLOSE/S PROJ% EXHAUST TREND CULPRIT" \
	"$(grep '^KIND' "$last")"
# 127.0.0.1:9000: 30 TW + 4 ESTAB + 2 orphan FIN_WAIT2 held of 100 usable;
# 30 closes in the 10 s window = 3.0/s, a burst (not sustained): projected = 6 live.
check_eq "row 1" "dest 127.0.0.1:9000 127.0.0.1 36 100 36.0 30 3.0 6.0 - growing sockpop[$POP]" \
	"$(grep '^dest' "$last" | sed -n 1p)"
check_eq "row 2 (no live socket: no culprit)" "dest 127.0.0.2:9000 127.0.0.1 20 100 20.0 20 2.0 0.0 - growing -" \
	"$(grep '^dest' "$last" | sed -n 2p)"
check_eq "port 8080 (server side TW, listener held by sockpop)" "port :8080 - 7 - - 7 0.7 - - growing sockpop[$POP]" \
	"$(grep '^port :8080 ' "$last")"
check_eq "rows" 4 "$(grep -c '^dest\|^port' "$last")"

# Sort and filter, as the keys t and / do on the screen.
nsexec "$NS" "$TWSCOPE" top -b --iterations 1 --sort name --filter 9000 | tr -s ' ' >"$B.f"
check_eq "filter 9000, by name" "127.0.0.1:9000 127.0.0.2:9000 :9000" \
	"$(awk '/^(dest|port) /{printf "%s%s", s, $2; s=" "}' "$B.f")"
nsexec "$NS" "$TWSCOPE" top -b --iterations 1 --sort tw --top 2 | tr -s ' ' >"$B.t"
check_eq "top 2 by TIME_WAIT" "127.0.0.1:9000 127.0.0.2:9000" \
	"$(awk '/^(dest|port) /{printf "%s%s", s, $2; s=" "}' "$B.t")"

# NDJSON: one object per interval, exact numbers.
J=$TW_TMP/top.ndjson
nsexec "$NS" "$TWSCOPE" top --json --iterations 3 -i 0.2 >"$J"
check_eq "json exit" 0 $?
check_eq "three objects" 3 "$(jq -s length "$J")"
check_eq "samples" "1 2 3" "$(jq -r .sample "$J" | tr '\n' ' ' | sed 's/ $//')"
L=$TW_TMP/l.json
tail -n 1 "$J" >"$L"
check_eq "totals" "57 50 7 0 8 2 2" \
	"$(jqv "$L" '.totals | "\(.time_wait) \(.time_wait_client) \(.time_wait_server) \(.time_wait_unknown) \(.established) \(.close_wait) \(.fin_wait2_orphans)"')"
check_eq "usable" 100 "$(jqv "$L" .usable)"
check_eq "sockstat tw" 59 "$(jqv "$L" .sockstat.tcp_tw)"
check_eq "first object: no rates yet" null "$(head -n 1 "$J" | jq -c .rates_per_sec)"
check_eq "rates (nothing happens)" '{"tw":0,"active_opens":0,"tw_overflow":0,"paws":0}' "$(jq -c .rates_per_sec "$L")"
check_eq "dest row" "dest 127.0.0.1:9000 127.0.0.1 36 100 36 30 3 6 null growing $POP sockpop" \
	"$(jqv "$L" '.rows[0] | "\(.kind) \(.name) \(.local) \(.held) \(.usable) \(.use_pct) \(.time_wait) \(.close_rate_per_sec) \(.projected_use_pct) \(.exhaust_in_sec) \(.trend) \(.culprit.pid) \(.culprit.comm)"')"
check_eq "port row" "port 7 7 null growing" \
	"$(jqv "$L" '.rows[] | select(.name == ":8080") | "\(.kind) \(.held) \(.time_wait) \(.use_pct) \(.trend)"')"
# The census runs every interval unless its cost (x 100 / 10 %) is longer:
# a census shown older than the interval must have cost more than 10 % of it.
check_eq "first census fresh" "true 0" "$(head -n 1 "$J" | jq -r '"\(.census.taken) \(.census.age_sec)"')"
check_eq "stale = from an earlier interval" 0 \
	"$(jq -s '[.[] | select(.census.stale != (.census.age_sec > 0))] | length' "$J")"
check_eq "an old census only when it was costly" 0 \
	"$(jq -s '[.[] | select(.census.age_sec > 0 and .census.cost_ms * 10 / 1000 <= .interval_sec)] | length' "$J")"

# A population change between intervals: 12 more TIME_WAIT toward
# 127.0.0.3:9000 while top runs; then SIGTERM ends the stream with exit 0.
J2=$TW_TMP/live.ndjson
# ip netns exec execs twscope: $! is top itself. --iterations bounds it (60 s).
ip netns exec "$NS" "$TWSCOPE" top --json -i 0.2 --top 0 --iterations 300 >"$J2" 2>"$J2.err" &
TOP=$!
TW_PIDS+=("$TOP")
wait_until 20 test -s "$J2" || fail "top --json wrote nothing: $(cat "$J2.err")"
sockpop "$NS" listen 127.0.0.3:9000 client-tw 127.0.0.3:9000 12
seen() { jq -e 'select(any(.rows[]; .name == "127.0.0.3:9000"))' "$J2" >/dev/null 2>&1; }
wait_until 20 seen || fail "the new destination never showed"
kill -TERM "$TOP"
wait "$TOP"
check_eq "top --json exit after SIGTERM" 0 $?
check_eq "every line is one JSON object" "$(wc -l <"$J2")" "$(jq -s length "$J2")"
check_eq "first interval: no 127.0.0.3" 0 "$(head -n 1 "$J2" | jq '[.rows[] | select(.name == "127.0.0.3:9000")] | length')"
tail -n 1 "$J2" >"$L"
check_eq "last interval: the new row" "12 12 12 1.2" \
	"$(jqv "$L" '.rows[] | select(.name == "127.0.0.3:9000") | "\(.held) \(.time_wait) \(.use_pct) \(.close_rate_per_sec)"')"
check_eq "last interval: TIME_WAIT total" 69 "$(jqv "$L" .totals.time_wait)"
check_eq "the TW rate saw the 12 closes" true "$(jq -s '[.[].rates_per_sec.tw // 0] | max > 0' "$J2")"
check_eq "ActiveOpens rate saw the 12 connects" true "$(jq -s '[.[].rates_per_sec.active_opens // 0] | max > 0' "$J2")"

# Usage errors.
"$TWSCOPE" top --iterations 2 >/dev/null 2>&1
check_eq "--iterations without -b" 2 $?
"$TWSCOPE" top -b -i 0 >/dev/null 2>&1
check_eq "interval 0" 2 $?
"$TWSCOPE" top -b --sort bogus >/dev/null 2>&1
check_eq "bad sort key" 2 $?
out=$("$TWSCOPE" top </dev/null 2>&1 >/dev/null)
check_eq "no terminal" "twscope top: needs a terminal; use -b/--batch or --json for pipes and logs" "$out"
done_test
