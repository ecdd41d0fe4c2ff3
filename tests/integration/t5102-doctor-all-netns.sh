#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# doctor -A: port exhaustion in one namespace, a CLOSE_WAIT leak in another,
# a third that disappears during the walk: each finding on the right
# namespace (JSON, table, nagios), worst first, the exit code the worst of
# all, sysctl-drift on the namespace whose narrow range is not the host's,
# and without rights the others are skipped and the state is UNKNOWN.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ
command -v unshare >/dev/null || skip "unshare missing (util-linux)"

GONE_PID=
cleanup_t5102() {
	[ -n "$GONE_PID" ] && kill "$GONE_PID" 2>/dev/null
	cleanup_all
}
trap cleanup_t5102 EXIT

setup_ns A
setup_ns B
nssysctl "$A" net.ipv4.ip_local_port_range="40000 40099"
sockpop "$A" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 90
sockpop "$B" listen 127.0.0.1:8080 close-wait 127.0.0.1:8080 60
unshare --net sleep 600 &
GONE_PID=$!
wait_until 10 sh -c "[ \"\$(readlink /proc/$GONE_PID/ns/net 2>/dev/null)\" != \"\$(readlink /proc/self/ns/net)\" ]" ||
	{ echo "unshare did not enter a new netns"; exit 1; }

J=$TW_TMP/doc.json
GATE=$TW_TMP/gate
touch "$GATE"
TWSCOPE_TEST_NSWALK_GATE=$GATE "$TWSCOPE" doctor -A --json >"$J" 2>"$TW_TMP/doc.err" &
DPID=$!
wait_until 20 test -e "$GATE.ready" || { echo "doctor -A did not reach the walk: $(cat "$TW_TMP/doc.err")"; exit 1; }
kill "$GONE_PID"; wait "$GONE_PID" 2>/dev/null
rm -f "$GATE"
wait "$DPID"
check_eq "exit code: the worst of all (critical)" 2 "$?"
check_eq overall critical "$(jqv "$J" .overall)"
check_eq "first namespace is critical" critical "$(jqv "$J" '.namespaces[0].overall')"

NA=".namespaces[] | select(.netns.netns_name == \"$A\")"
NB=".namespaces[] | select(.netns.netns_name == \"$B\")"
f() { echo "$1.report.findings[] | select(.id == \"$2\")"; }
check_eq "A: port-exhaustion critical, 90 of 100" "critical 90 100" \
	"$(jqv "$J" "$(f "$NA" port-exhaustion) | \"\(.severity) \(.data.held) \(.data.usable)\"")"
check_eq "A: the finding names its namespace" "netns $A" "$(jqv "$J" "$(f "$NA" port-exhaustion).netns")"
check_eq "A: close-wait-leak ok" ok "$(jqv "$J" "$(f "$NA" close-wait-leak).severity")"
check_eq "B: close-wait-leak warning, 60 sockets" "warning netns $B" \
	"$(jqv "$J" "$(f "$NB" close-wait-leak) | \"\(.severity) \(.netns)\"")"
check_eq "B: port-exhaustion ok" ok "$(jqv "$J" "$(f "$NB" port-exhaustion).severity")"
check_eq "A before B (worst first)" true \
	"$(jqv "$J" "[.namespaces[].netns.netns_name] | (index(\"$A\") < index(\"$B\"))")"

# sysctl-drift: A's 100-port range is narrower than the host's, and A connects out.
if [ -r /proc/1/ns/net ] && [ "$(readlink /proc/1/ns/net)" != "" ]; then
	HOST_RANGE=$(nsenter -t 1 -n cat /proc/sys/net/ipv4/ip_local_port_range)
else
	HOST_RANGE=$(cat /proc/sys/net/ipv4/ip_local_port_range)
fi
read -r lo hi <<<"$HOST_RANGE"
check_eq "A: sysctl-drift warning, 100 ports against the host's" "warning 100 $((hi - lo + 1))" \
	"$(jqv "$J" "$(f "$NA" sysctl-drift) | \"\(.severity) \(.data.port_range_size) \(.data.host_port_range_size)\"")"
case $(jqv "$J" "$(f "$NA" sysctl-drift).fix | join(\" / \")") in
*"ip netns exec $A sysctl -w"*"net.ipv4.ip_local_port_range=\"$lo $hi\""*) pass "A: drift fix for a named netns" ;;
*) fail "A: drift fix: $(jqv "$J" "$(f "$NA" sysctl-drift).fix")" ;;
esac
case $(jqv "$J" "$(f "$NB" sysctl-drift).severity") in
ok|info) pass "B: no drift warning (default range, no client traffic)" ;;
*) fail "B: sysctl-drift $(jqv "$J" "$(f "$NB" sysctl-drift).severity")" ;;
esac
check_eq "host: sysctl-drift is the reference" ok \
	"$(jqv "$J" "[.namespaces[] | select(.netns.host)][0].report.findings[] | select(.id == \"sysctl-drift\") | .severity")"
check_eq "vanished: skipped with the reason" "gone during the walk" \
	"$(jqv "$J" ".skipped[] | select(.netns.pid == $GONE_PID) | .reason")"
GONE_PID=

# Table and Nagios say the same, each line naming its namespace.
T=$TW_TMP/doc.txt
"$TWSCOPE" doctor -A >"$T" 2>/dev/null
check_eq "table exit" 2 "$?"
check_eq "table: A's row" "CRITICAL port-exhaustion, port-range, sysctl-drift" \
	"$(awk -v n="netns $A" '$0 ~ n && /^CRITICAL/ { sub(n, ""); $1 = $1; print; exit }' "$T")"
grep -q "^== CRITICAL netns $A ==" "$T"
check_eq "table: A's section" 0 "$?"
N=$TW_TMP/doc.nagios
"$TWSCOPE" doctor -A --format nagios >"$N" 2>/dev/null
check_eq "nagios exit" 2 "$?"
case $(head -1 "$N") in
"TWSCOPE CRITICAL - "*" | namespaces="*) pass "nagios status line" ;;
*) fail "nagios status line: $(head -1 "$N")" ;;
esac
grep -q "^\[netns $A\] critical port-exhaustion: " "$N"
check_eq "nagios: A's finding named" 0 "$?"
grep -q "^\[netns $B\] warning close-wait-leak: " "$N"
check_eq "nagios: B's finding named" 0 "$?"

# No rights: every other namespace skipped, UNKNOWN unless a visible one is worse.
if command -v setpriv >/dev/null && setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$TWSCOPE" --version >/dev/null 2>&1; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$TWSCOPE" doctor -A --json >"$J" 2>"$TW_TMP/nobody.err"
	check_eq "nobody: exit unknown" 3 "$?"
	check_eq "nobody: A skipped" "entering it needs CAP_SYS_ADMIN" \
		"$(jqv "$J" ".skipped[] | select(.netns.netns_name == \"$A\") | .reason")"
	grep -q "entering network namespaces needs CAP_SYS_ADMIN (run as root)" "$TW_TMP/nobody.err"
	check_eq "nobody: the message" 0 "$?"
fi
done_test
