#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# doctor on a narrowed port range (40000-40099) with 90 client-side TIME_WAIT
# toward one destination: port-exhaustion critical with exact evidence, exit 2;
# the nagios line; --save/--load and --netns give the same findings.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

setup_ns NS
nssysctl "$NS" net.ipv4.ip_local_port_range="40000 40099"
sockpop "$NS" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 90

J=$TW_TMP/doc.json
nsexec "$NS" "$TWSCOPE" doctor --json --interval 0 --save "$TW_TMP/bundle.json" >"$J"
check_eq "exit code (critical)" 2 "$?"
check_eq schema 1 "$(jqv "$J" .schema)"
check_eq overall critical "$(jqv "$J" .overall)"
check_eq "first finding" port-exhaustion "$(jqv "$J" '.findings[0].id')"
PE='.findings[] | select(.id == "port-exhaustion")'
check_eq "port-exhaustion severity" critical "$(jqv "$J" "$PE.severity")"
check_eq "evidence held/usable/util/tw/estab" "90 100 90 90 0" \
	"$(jqv "$J" "$PE.data | \"\(.held) \(.usable) \(.worst_utilization_pct) \(.time_wait) \(.established)\"")"
check_eq "worst destination" "127.0.0.1 127.0.0.1 9000" \
	"$(jqv "$J" "$PE.data | \"\(.worst_local) \(.worst_remote) \(.worst_remote_port)\"")"
check_eq "fix count (ranked)" 5 "$(jqv "$J" "$PE.fix | length")"
case $(jqv "$J" "$PE.fix[2]") in
*'sysctl -w net.ipv4.ip_local_port_range="10000 65535"'*'/etc/sysctl.d/'*) pass "fix 3 widens the range" ;;
*) fail "fix 3: $(jqv "$J" "$PE.fix[2]")" ;;
esac
check_eq "port-range warns (100 usable)" warning \
	"$(jqv "$J" '.findings[] | select(.id == "port-range") | .severity')"
check_eq "server-side-timewait quiet" ok \
	"$(jqv "$J" '.findings[] | select(.id == "server-side-timewait") | .severity')"
check_eq "tw-count-mismatch quiet (sockstat = census)" ok \
	"$(jqv "$J" '.findings[] | select(.id == "tw-count-mismatch") | .severity')"

# Nagios: first line format and exit code.
N=$TW_TMP/nagios.txt
nsexec "$NS" "$TWSCOPE" doctor --format nagios --interval 0 >"$N"
check_eq "nagios exit" 2 "$?"
line=$(head -1 "$N")
if [[ $line =~ ^TWSCOPE\ CRITICAL\ -\ port-exhaustion:\ .*\ \|\ time_wait=90\;\;\;0\ .*worst_port_util=90\.0%\;50\;80\;0\;100 ]]; then
	pass "nagios first line"
else
	fail "nagios first line: $line"
fi

# --load of the saved bundle gives the same findings and exit code.
L=$TW_TMP/load.json
"$TWSCOPE" doctor --load "$TW_TMP/bundle.json" --json >"$L"
check_eq "--load exit" 2 "$?"
check_eq "--load same findings" "$(jq -c '[.findings[] | [.id, .severity, .data]]' "$J")" \
	"$(jq -c '[.findings[] | [.id, .severity, .data]]' "$L")"
check_eq "--load source" bundle "$(jqv "$L" .source)"

# --netns from outside equals running inside.
O=$TW_TMP/outside.json
"$TWSCOPE" doctor --netns "$NS" --json --interval 0 >"$O"
check_eq "--netns exit" 2 "$?"
# Clear time, 10 s rate and trend move between the two runs; everything else is the same.
same='[.findings[] | select(.id | test("port-|tw-count|server-side|close-wait|fin-")) | [.id, .severity, (.data | del(.clears_in_sec, .close_rate_per_sec, .projected_utilization_pct, .trend))]]'
check_eq "--netns same census findings" "$(jq -c "$same" "$J")" "$(jq -c "$same" "$O")"
check_eq "--netns names the namespace" "$NS" "$(jqv "$O" .netns)"

# The human report renders and leads with the critical finding.
out=$(nsexec "$NS" "$TWSCOPE" doctor --interval 0)
case $out in *"Overall: CRITICAL"*"critical "*"port-exhaustion"*) pass "table leads with critical" ;; *) fail "table: $out" ;; esac
check_eq "table: TIME_WAIT line" "TIME_WAIT 90 (client 90, server 0)  ESTABLISHED 0" \
	"$(echo "$out" | grep -o '^TIME_WAIT .*ESTABLISHED [0-9]*')"

# TIME_WAIT whose side cannot be told (listener gone, local port no longer in
# the range) is counted as unknown in the table, so that the sides add up.
setup_ns NS3
nssysctl "$NS3" net.ipv4.ip_local_port_range="40000 40099"
sockpop "$NS3" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 3 unlisten 127.0.0.1:9000
nssysctl "$NS3" net.ipv4.ip_local_port_range="50000 50099"
out=$(nsexec "$NS3" "$TWSCOPE" doctor --interval 0)
check_eq "table: unknown sides" "TIME_WAIT 3 (client 0, server 0, unknown 3)" \
	"$(echo "$out" | grep -o '^TIME_WAIT [^)]*)')"
# ...and explained, not silently OK.
check_eq "unknown-side explains them" "info 3" \
	"$(nsexec "$NS3" "$TWSCOPE" doctor --interval 0 --json |
		jq -r '.findings[] | select(.id == "unknown-side") | "\(.severity) \(.data.tw_unknown)"')"
done_test
