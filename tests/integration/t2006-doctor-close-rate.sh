#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# doctor judges where port use is heading, from the close rate it reads off
# the TIME_WAIT timers: a client closing 30 times a second toward a
# destination with 2118 usable ports settles at 1800 held (85 %). Within
# about 10 s of the start doctor measures the rate (+-15 %) and projects
# critical; after the load stops it says draining with the right clear time
# and is not critical any more; a 1-second burst is never projected; once
# the TIME_WAIT have expired the destination is gone.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

setup_ns NS
nssysctl "$NS" net.ipv4.ip_local_port_range="40000 42117"
nssysctl "$NS" net.ipv4.tcp_tw_reuse=0
F='.findings[] | select(.id == "port-exhaustion")'
# The small range itself always warns (port-range); nothing else may.
only_port_range() { jq -r '[.findings[] | select(.severity != "ok" and .severity != "info") | .id] | join(",")' "$1"; }
# in_range LO HI VALUE: 1 when LO <= VALUE <= HI
in_range() { jq -n --argjson lo "$1" --argjson hi "$2" --argjson v "$3" '$v >= $lo and $v <= $hi'; }

t0=$SECONDS
nsexec "$NS" "$HELPERS/pacer" 127.0.0.1 9000 30 14 >"$TW_TMP/pacer.out" 2>&1 &
PACER=$!
TW_PIDS+=("$PACER")

# -- under load: the census lands about 10.5 s after the start --
sleep 9.5
nsexec "$NS" "$TWSCOPE" doctor --json >"$TW_TMP/load.json"
check_eq "under load: exit (critical)" 2 $?
check_eq "under load: severity, basis" "critical projection" \
	"$(jq -r "$F | \"\\(.severity) \\(.data.basis)\"" "$TW_TMP/load.json")"
rate=$(jq "$F | .data.close_rate_per_sec" "$TW_TMP/load.json")
check_eq "under load: close rate $rate/s within 30 +-15%" true "$(in_range 25.5 34.5 "$rate")"
proj=$(jq "$F | .data.projected_utilization_pct" "$TW_TMP/load.json")
check_eq "under load: projected $proj% within 85 +-15% and critical" true "$(in_range 80 97.75 "$proj")"
check_eq "under load: trend" growing "$(jq -r "$F | .data.trend" "$TW_TMP/load.json")"
check_eq "under load: title says projected" 1 "$(jq -r "$F | .title" "$TW_TMP/load.json" | grep -c '^Projected')"
# The old TIME_WAIT / 60 would have said about 5/s here.
check_eq "under load: the minute average is far below" true \
	"$(in_range 3 8 "$(jq "$F | .data.close_rate_minute_per_sec" "$TW_TMP/load.json")")"

wait "$PACER"
check_eq "pacer made all connections" "done 420" "$(cat "$TW_TMP/pacer.out")"
t_end=$SECONDS

# -- after the load: draining, not critical, clears when the last TIME_WAIT expires --
sleep 5
nsexec "$NS" "$TWSCOPE" doctor --json >"$TW_TMP/drain.json"
rc=$?
check_eq "draining: exit (420 of 2118 held is fine; the small range warns)" 1 "$rc"
check_eq "draining: only port-range warns" port-range "$(only_port_range "$TW_TMP/drain.json")"
check_eq "draining: severity, trend" "ok draining" \
	"$(jq -r "$F | \"\\(.severity) \\(.data.trend)\"" "$TW_TMP/drain.json")"
clears=$(jq "$F | .data.clears_in_sec" "$TW_TMP/drain.json")
# the last close was at the end of the load, about 6 s before the census
want=$((60 - (SECONDS - t_end)))
check_eq "draining: clears in $clears s, expected about $want" true "$(in_range $((want - 3)) $((want + 2)) "$clears")"
check_eq "draining: evidence says so" 1 \
	"$(jq -r "$F | .evidence[]" "$TW_TMP/drain.json" | grep -c '^draining: no new TIME_WAIT for')"

# -- a burst of 1000 closes in about a second: shown as a rate, never projected --
nsexec "$NS" "$HELPERS/pacer" 127.0.0.1 9001 0 1000 >"$TW_TMP/burst.out" 2>&1
check_eq "burst made" "done 1000" "$(cat "$TW_TMP/burst.out")"
nsexec "$NS" "$TWSCOPE" stat --json >"$TW_TMP/burst-stat.json"
B='.destinations[] | select(.remote_port == 9001)'
check_eq "burst: held, rate, sustained, projected held" "1000 100 0 0" \
	"$(jq -r "$B | \"\\(.held) \\(.close_rate_per_sec) \\(.sustained_close_rate_per_sec) \\(.projected_held)\"" \
		"$TW_TMP/burst-stat.json")"
nsexec "$NS" "$TWSCOPE" doctor --json >"$TW_TMP/burst.json"
check_eq "burst: doctor exit (47 % now, nothing projected)" 1 $?
check_eq "burst: only port-range warns" port-range "$(only_port_range "$TW_TMP/burst.json")"
check_eq "burst: port-exhaustion" ok "$(jq -r "$F | .severity" "$TW_TMP/burst.json")"

# -- cleared: a minute after the last close the destination is gone (the
# kernel's timer wheel may fire a 60 s timer a few seconds late: poll, bounded) --
left=$((t_end + 58 - SECONDS))
[ "$left" -gt 0 ] && sleep "$left"
gone() {
	nsexec "$NS" "$TWSCOPE" stat --json >"$TW_TMP/clear.json" &&
		[ "$(jq '[.destinations[] | select(.remote_port == 9000)] | length' "$TW_TMP/clear.json")" = 0 ]
}
wait_until 20 gone
check_eq "cleared: no destination toward 9000" 0 \
	"$(jq '[.destinations[] | select(.remote_port == 9000)] | length' "$TW_TMP/clear.json")"
nsexec "$NS" "$TWSCOPE" doctor --json >"$TW_TMP/cleared.json"
check_eq "cleared: only port-range warns" port-range "$(only_port_range "$TW_TMP/cleared.json")"
echo "took $((SECONDS - t0)) s"
done_test
