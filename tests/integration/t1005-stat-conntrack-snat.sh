#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stat --conntrack on a real NAT gateway: two client namespaces -> gateway
# (nft masquerade to :40000-40099) -> server, real traffic that the clients
# close first. Exact conntrack counts per TCP state and per SNAT group, the
# pool read from the rule; a second gateway without a port range uses the
# kernel's default pool 1024-65535. Addresses are private, inside our namespaces.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ
command -v nft >/dev/null || skip "nft missing (Debian package nftables)"
[ -x "$HELPERS/natpeer" ] || skip "helper $HELPERS/natpeer not built"

setup_ns C1; setup_ns C2; setup_ns C3; setup_ns GW; setup_ns SV
nsexec "$GW" nft list tables >/dev/null 2>&1 || skip "nf_tables unavailable in a new netns"

link() { # link NS_A IF_A ADDR_A NS_B IF_B ADDR_B
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" || exit 1
	ip -n "$1" addr add "$3/24" dev "$2"; ip -n "$1" link set "$2" up
	ip -n "$4" addr add "$6/24" dev "$5"; ip -n "$4" link set "$5" up
}
link "$C1" c1 10.201.1.2 "$GW" g1 10.201.1.1
link "$C2" c2 10.201.2.2 "$GW" g2 10.201.2.1
link "$C3" c3 10.201.4.2 "$GW" g3 10.201.4.1
link "$GW" gs 10.201.3.1 "$SV" sv 10.201.3.2
ip -n "$C1" route add default via 10.201.1.1
ip -n "$C2" route add default via 10.201.2.1
ip -n "$C3" route add default via 10.201.4.1
nssysctl "$GW" net.ipv4.ip_forward=1
# The clients' ports toward 8080 lie inside the NAT pool and never collide,
# so masquerade keeps each one: no port search, which near a full pool may
# evict a TIME_WAIT entry (nf_nat_used_tuple_harder), and the counts below
# are exact. C3's ports toward 8081 stay outside the pool's range.
nssysctl "$C1" net.ipv4.ip_local_port_range="40000 40059"
nssysctl "$C2" net.ipv4.ip_local_port_range="40060 40099"
# (with its default range, C3's ports fell inside the pool's once in a CI run:
# the pool is told by the rule whose range holds a group's ports)
nssysctl "$C3" net.ipv4.ip_local_port_range="50000 50009"
nsexec "$GW" nft -f - <<'NFT' || skip "cannot load an nft masquerade rule (nft_masq/nf_nat missing?)"
table ip twnat {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "gs" tcp dport 8080 masquerade to :40000-40099
		oifname "gs" masquerade
	}
}
NFT

start_peer() { # start_peer NS ARGS... : waits for its first line
	local ns=$1; shift
	local fifo=$TW_TMP/peer.$RANDOM line
	mkfifo "$fifo"
	ip netns exec "$ns" "$HELPERS/natpeer" "$@" >"$fifo" 2>>"$TW_TMP/peer.err" &
	TW_PIDS+=($!)
	read -r -t 60 line <"$fifo" || { echo "natpeer $*: no answer $(cat "$TW_TMP/peer.err")"; exit 1; }
	case $line in ready|done) ;; *) echo "natpeer $*: $line"; exit 1 ;; esac
}
no_resets "$SV"
start_peer "$SV" serve 10.201.3.2 8080
start_peer "$SV" serve 10.201.3.2 8081
start_peer "$C1" connect 10.201.3.2 8080 60
start_peer "$C2" connect 10.201.3.2 8080 25 5
start_peer "$C3" connect 10.201.3.2 8081 3

J=$TW_TMP/ct.json
# natpeer reports a client's close once its own socket is in TIME_WAIT; the
# last ACK may still be on its way through the gateway (seen under qemu
# emulation), so wait, bounded, until no entry is in a closing state.
for k in $(seq 50); do
	nsexec "$GW" "$TWSCOPE" stat --conntrack --json >"$J"
	[ "$k" = 1 ] && echo "note: first dump: $(jq -c '[.conntrack.count, .conntrack.entries, .conntrack.tcp_states, .conntrack.stats]' "$J")"
	[ "$(jqv "$J" '.conntrack.tcp_states | [.fin_wait, .close_wait, .last_ack, .close, .syn_sent, .syn_recv] | map(. // 0) | add')" = 0 ] && break
	sleep 0.2
done
echo "note: dumps until quiet: $k; client 1: $(nsexec "$C1" nstat -az TcpExtTCPAbortOnData TcpAttemptFails TcpRetransSegs TcpExtTCPTimeouts TcpEstabResets TcpOutRsts 2>/dev/null | awk 'NR > 1 { printf "%s=%s ", $1, $2 }')"
nsexec "$GW" "$TWSCOPE" stat --conntrack --json >"$J"
check_eq "exit" 0 "$?"
check_eq "loaded" true "$(jqv "$J" .conntrack.loaded)"
check_eq "tcp entries" 93 "$(jqv "$J" .conntrack.protocols.tcp)"
check_eq "time_wait / established" "88 5" \
	"$(jqv "$J" '.conntrack.tcp_states | "\(.time_wait) \(.established)"')"
check_eq "snat entries" 93 "$(jqv "$J" .conntrack.snat_entries)"
check_eq "groups" 2 "$(jqv "$J" .conntrack.snat_groups_total)"
G='.conntrack.snat_groups[0]'
check_eq "worst group" "10.201.3.1 10.201.3.2 8080 tcp" \
	"$(jqv "$J" "$G | \"\(.nat_source) \(.destination) \(.destination_port) \(.protocol)\"")"
check_eq "held/tw/estab" "90 85 5" "$(jqv "$J" "$G | \"\(.held) \(.time_wait) \(.established)\"")"
check_eq "pool from the rule" "rule 40000 40099 100 false" \
	"$(jqv "$J" "$G.pool | \"\(.source) \(.low) \(.high) \(.size) \(.random_fully)\"")"
check_eq "utilization" 90 "$(jqv "$J" "$G.utilization_pct")"
lo=$(jqv "$J" "$G.port_low_seen"); hi=$(jqv "$J" "$G.port_high_seen")
if [ "$lo" -ge 40000 ] && [ "$hi" -le 40099 ]; then pass "ports $lo-$hi in the pool"; else fail "ports $lo-$hi"; fi
G2='.conntrack.snat_groups[1]'
check_eq "second group" "8081 3 3" "$(jqv "$J" "$G2 | \"\(.destination_port) \(.held) \(.time_wait)\"")"
check_eq "second group: kernel default pool" "kernel_default 1024 65535 64512" \
	"$(jqv "$J" "$G2.pool | \"\(.source) \(.low) \(.high) \(.size)\"")"
check_eq "rules read" 2 "$(jqv "$J" '.conntrack.nat_rules | length')"
check_eq "rule 1" "masquerade 40000 40099" \
	"$(jqv "$J" '.conntrack.nat_rules[0] | "\(.type) \(.port_low) \(.port_high)"')"

# The same from outside with --netns, and the table names the group.
nsexec "$GW" "$TWSCOPE" stat --conntrack >"$TW_TMP/ct.txt"
check_eq "table exit" 0 "$?"
case $(grep -c '10.201.3.2:8080/tcp' "$TW_TMP/ct.txt") in
1) pass "table row for the group" ;;
*) fail "table: $(cat "$TW_TMP/ct.txt")" ;;
esac
"$TWSCOPE" stat --conntrack --netns "$GW" --json >"$TW_TMP/out.json"
check_eq "--netns same tcp count" 93 "$(jqv "$TW_TMP/out.json" .conntrack.protocols.tcp)"

# A gateway namespace without any rule: nothing SNAT'd, one line, exit 0.
setup_ns EMPTY
nsexec "$EMPTY" "$TWSCOPE" stat --conntrack --json >"$TW_TMP/empty.json"
check_eq "no NAT: exit" 0 "$?"
check_eq "no NAT: groups" 0 "$(jqv "$TW_TMP/empty.json" '.conntrack.snat_groups_total // 0')"

# Without CAP_NET_ADMIN: one warning line, counts from /proc only, exit 0.
if command -v setpriv >/dev/null; then
	nsexec "$GW" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$TWSCOPE" stat --conntrack --json >"$TW_TMP/user.json" 2>"$TW_TMP/user.err"
	check_eq "unprivileged exit" 0 "$?"
	check_eq "unprivileged partial" true "$(jqv "$TW_TMP/user.json" .partial)"
	case $(cat "$TW_TMP/user.err") in
	*CAP_NET_ADMIN*) pass "unprivileged warning names CAP_NET_ADMIN" ;;
	*) fail "unprivileged stderr: $(cat "$TW_TMP/user.err")" ;;
	esac
	check_eq "unprivileged warning is one line" 1 "$(wc -l <"$TW_TMP/user.err")"
fi
done_test
