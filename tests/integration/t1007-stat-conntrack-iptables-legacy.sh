#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stat --conntrack and doctor on a NAT gateway whose source NAT is a legacy
# iptables rule (iptables-legacy MASQUERADE --to-ports 43000-43019, read
# through libip4tc, next to a UDP one with --random-fully): the pool from
# that rule, the rules marked legacy; a namespace without a legacy nat table does not get one
# from being looked at. Addresses are private, inside our namespaces.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ
command -v iptables-legacy >/dev/null || skip "iptables-legacy missing (Debian package iptables)"
[ -x "$HELPERS/natpeer" ] || skip "helper $HELPERS/natpeer not built"

setup_ns C1; setup_ns GW; setup_ns SV; setup_ns EMPTY

link() { # link NS_A IF_A ADDR_A NS_B IF_B ADDR_B
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" || exit 1
	ip -n "$1" addr add "$3/24" dev "$2"; ip -n "$1" link set "$2" up
	ip -n "$4" addr add "$6/24" dev "$5"; ip -n "$4" link set "$5" up
}
link "$C1" c1 10.207.1.2 "$GW" g1 10.207.1.1
link "$GW" gs 10.207.3.1 "$SV" sv 10.207.3.2
ip -n "$C1" route add default via 10.207.1.1
nssysctl "$GW" net.ipv4.ip_forward=1
# Client ports inside the pool: masquerade keeps each one (see t1005).
nssysctl "$C1" net.ipv4.ip_local_port_range="43000 43009"
# random-fully only on the UDP rule: it would make every TCP flow search a
# port, and the search may evict TIME_WAIT entries (docs/kernel.md#snat-default-range).
{ nsexec "$GW" iptables-legacy -t nat -A POSTROUTING -o gs -p tcp -j MASQUERADE \
	--to-ports 43000-43019 &&
	nsexec "$GW" iptables-legacy -t nat -A POSTROUTING -o gs -p udp -j MASQUERADE \
	--to-ports 44000-44099 --random-fully; } ||
	skip "cannot load a legacy MASQUERADE rule (ip_tables/iptable_nat missing?)"
grep -qx nat <(nsexec "$GW" cat /proc/net/ip_tables_names) || skip "no legacy nat table in the netns"

start_peer() { # start_peer NS ARGS... : waits for its first line
	local ns=$1; shift
	local fifo=$TW_TMP/peer.$RANDOM line
	mkfifo "$fifo"
	ip netns exec "$ns" "$HELPERS/natpeer" "$@" >"$fifo" 2>>"$TW_TMP/peer.err" &
	TW_PIDS+=($!)
	read -r -t 60 line <"$fifo" || { echo "natpeer $*: no answer $(cat "$TW_TMP/peer.err")"; exit 1; }
	case $line in ready|done) ;; *) echo "natpeer $*: $line"; exit 1 ;; esac
}
command -v nft >/dev/null && no_resets "$SV"
start_peer "$SV" serve 10.207.3.2 8080
start_peer "$C1" connect 10.207.3.2 8080 5

J=$TW_TMP/ct.json
# Wait, bounded, until no entry is in a closing state (see t1005).
for k in $(seq 50); do
	nsexec "$GW" "$TWSCOPE" stat --conntrack --json >"$J"
	[ "$(jqv "$J" '.conntrack.tcp_states | [.fin_wait, .close_wait, .last_ack, .close, .syn_sent, .syn_recv] | map(. // 0) | add')" = 0 ] && break
	sleep 0.2
done
nsexec "$GW" "$TWSCOPE" stat --conntrack --json >"$J"
check_eq "exit" 0 "$?"
check_eq "snat entries" 5 "$(jqv "$J" .conntrack.snat_entries)"
check_eq "rules read: the legacy ones" 2 "$(jqv "$J" '.conntrack.nat_rules | length')"
R='"\(.table) \(.chain) \(.type) \(.port_low) \(.port_high) \(.random_fully) \(.iptables) \(.legacy)"'
check_eq "legacy rule" "nat POSTROUTING masquerade 43000 43019 false true true" \
	"$(jqv "$J" ".conntrack.nat_rules[0] | $R")"
check_eq "legacy rule, random-fully" "nat POSTROUTING masquerade 44000 44099 true true true" \
	"$(jqv "$J" ".conntrack.nat_rules[1] | $R")"
G='.conntrack.snat_groups[0]'
check_eq "group" "10.207.3.1 10.207.3.2 8080 5" \
	"$(jqv "$J" "$G | \"\(.nat_source) \(.destination) \(.destination_port) \(.held)\"")"
check_eq "pool from the legacy rule" "rule 43000 43019 20 false nat POSTROUTING" \
	"$(jqv "$J" "$G.pool | \"\(.source) \(.low) \(.high) \(.size) \(.random_fully) \(.table) \(.chain)\"")"

D=$TW_TMP/doc.json
nsexec "$GW" "$TWSCOPE" doctor --json -i 0 >"$D"
S='.findings[] | select(.id == "snat-port-exhaustion")'
check_eq "doctor: pool" "rule 43000 43019" \
	"$(jqv "$D" "$S.data | \"\(.pool_source) \(.pool_lo) \(.pool_hi)\"")"
case $(jqv "$D" "$S.evidence | join(\" \")") in
*iptables-legacy*) pass "doctor: evidence names the iptables-legacy rule" ;;
*) fail "doctor evidence: $(jqv "$D" "$S.evidence")" ;;
esac

# No legacy nat table: none is asked for (asking would make the kernel create it).
nsexec "$EMPTY" "$TWSCOPE" stat --conntrack --json >/dev/null
check_eq "empty: exit" 0 "$?"
check_eq "empty: no legacy nat table made" "" \
	"$(nsexec "$EMPTY" cat /proc/net/ip_tables_names 2>/dev/null | grep -x nat)"
done_test
