#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# top -A: a row per namespace (its worst destination's held, usable, use %,
# close rate; the namespace's TIME_WAIT) for two namespaces with exact
# populations, and top --netns NAME from outside.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

setup_ns A
setup_ns B
nssysctl "$A" net.ipv4.ip_local_port_range="40000 40099"
nssysctl "$B" net.ipv4.ip_local_port_range="50000 50999"
sockpop "$A" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 30 estab 127.0.0.1:9000 2
sockpop "$B" listen 127.0.0.1:7000 listen 127.0.0.2:7000 client-tw 127.0.0.1:7000 5 \
	client-tw 127.0.0.2:7000 8
POPA=${TW_PIDS[0]}

J=$TW_TMP/all.ndjson
# Other namespaces on the host may come and go: look at ours only (--filter).
"$TWSCOPE" top -A --json --iterations 2 -i 0.2 --top 0 --filter "tw$$-" >"$J" 2>"$J.err"
check_eq "exit" 0 $?
check_eq "two objects" 2 "$(jq -s length "$J")"
L=$TW_TMP/l.json
tail -n 1 "$J" >"$L"
check_eq "our rows" 2 "$(jqv "$L" '.rows | length')"
check_eq "A: worst destination" "netns $A 127.0.0.1:9000 32 100 32 30 3 growing" \
	"$(jqv "$L" '.rows[0] | "\(.name) \(.worst_destination) \(.held) \(.usable) \(.use_pct) \(.time_wait) \(.close_rate_per_sec) \(.trend)"')"
check_eq "B: worst destination, TIME_WAIT of the namespace" "netns $B 127.0.0.2:7000 8 1000 0.8 13" \
	"$(jqv "$L" '.rows[1] | "\(.name) \(.worst_destination) \(.held) \(.usable) \(.use_pct) \(.time_wait)"')"
check_eq "namespaces counted" true "$(jqv "$L" '.namespaces >= 2')"
check_eq "totals include ours" true "$(jqv "$L" '.totals.time_wait >= 43 and .totals.time_wait_client >= 43')"

# Plain lines, sorted by name.
"$TWSCOPE" top -A -b --iterations 1 --sort name --filter "tw$$-" | tr -s ' ' >"$TW_TMP/b.txt"
# The label is "netns NAME" (a /run/netns name), so a row has one more field.
check_eq "batch rows" "$(printf '%s\n' "netns netns $A 127.0.0.1:9000 32 100 32.0 30" \
	"netns netns $B 127.0.0.2:7000 8 1000 0.8 13" | sort | paste -sd'|')" \
	"$(grep '^netns ' "$TW_TMP/b.txt" | cut -d' ' -f1-8 | sort | paste -sd'|')"

# --netns NAME from outside: the namespace's own destinations, culprit named.
"$TWSCOPE" top --netns "$A" -b --iterations 1 | tr -s ' ' >"$TW_TMP/n.txt"
check_eq "--netns row" "dest 127.0.0.1:9000 127.0.0.1 32 100 32.0 30 3.0 2.0 - growing sockpop[$POPA]" \
	"$(grep '^dest' "$TW_TMP/n.txt")"
"$TWSCOPE" top --netns "$A" -A -b >/dev/null 2>&1
check_eq "--netns with -A" 2 $?
done_test
