#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# doctor on real NAT gateways: two clients masqueraded (nft, to :40000-40099)
# to one server hold 90 of the 100 SNAT ports (85 in conntrack TIME_WAIT, no
# socket on the gateway), next to a quiet group of 3 ports in the kernel's
# default pool: the conntrack metrics; snat-port-exhaustion critical at the
# right group with the pool from the rule, conntrack-timewait counts the entries without a
# socket; the same from a saved bundle and from doctor -A. A second gateway
# with an iptables-nft MASQUERADE --to-ports 41000-41019: quiet at 5 of 20,
# warning at 10 of 20, the pool read from the iptables-nft rule.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ
command -v nft >/dev/null || skip "nft missing (Debian package nftables)"
[ -x "$HELPERS/natpeer" ] || skip "helper $HELPERS/natpeer not built"

setup_ns C1; setup_ns C2; setup_ns C3; setup_ns GW; setup_ns SV; setup_ns C4; setup_ns GI
nsexec "$GW" nft list tables >/dev/null 2>&1 || skip "nf_tables unavailable in a new netns"

link() { # link NS_A IF_A ADDR_A NS_B IF_B ADDR_B
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" || exit 1
	ip -n "$1" addr add "$3/24" dev "$2"; ip -n "$1" link set "$2" up
	ip -n "$4" addr add "$6/24" dev "$5"; ip -n "$4" link set "$5" up
}
link "$C1" c1 10.202.1.2 "$GW" g1 10.202.1.1
link "$C2" c2 10.202.2.2 "$GW" g2 10.202.2.1
link "$C3" c3 10.202.4.2 "$GW" g3 10.202.4.1
link "$GW" gs 10.202.3.1 "$SV" sv 10.202.3.2
link "$C4" c4 10.202.5.2 "$GI" i1 10.202.5.1
link "$GI" is 10.202.6.1 "$SV" sv2 10.202.6.2
ip -n "$C1" route add default via 10.202.1.1
ip -n "$C2" route add default via 10.202.2.1
ip -n "$C3" route add default via 10.202.4.1
ip -n "$C4" route add default via 10.202.5.1
nssysctl "$GW" net.ipv4.ip_forward=1
nssysctl "$GI" net.ipv4.ip_forward=1
# Client ports inside the pool, never colliding: masquerade keeps each one,
# so no port search (which near a full pool may evict TIME_WAIT entries,
# docs/kernel.md#snat-default-range) and the counts are exact.
nssysctl "$C1" net.ipv4.ip_local_port_range="40000 40059"
nssysctl "$C2" net.ipv4.ip_local_port_range="40060 40099"
nssysctl "$C3" net.ipv4.ip_local_port_range="50000 50009"
nssysctl "$C4" net.ipv4.ip_local_port_range="41000 41019"
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
start_peer "$SV" serve 10.202.3.2 8080
start_peer "$SV" serve 10.202.3.2 8081
start_peer "$SV" serve 10.202.6.2 8080
start_peer "$C1" connect 10.202.3.2 8080 60
start_peer "$C2" connect 10.202.3.2 8080 25 5
# A second, quiet group: 3 ports of the kernel's default pool toward 8081.
start_peer "$C3" connect 10.202.3.2 8081 3

J=$TW_TMP/doc.json
f() { echo ".findings[] | select(.id == \"$1\")"; }
nsexec "$GW" "$TWSCOPE" doctor --json -i 0.2 --save "$TW_TMP/gw.bundle" >"$J" 2>"$TW_TMP/doc.err"
check_eq "exit: critical" 2 "$?"
S=$(f snat-port-exhaustion)
check_eq "snat: critical at the group" "critical 10.202.3.1 10.202.3.2 8080 tcp" \
	"$(jqv "$J" "$S | \"\(.severity) \(.data.worst_nat_src) \(.data.worst_dst) \(.data.worst_dst_port) \(.data.protocol)\"")"
check_eq "snat: held/tw/estab of the pool" "90 85 5 100 90" \
	"$(jqv "$J" "$S.data | \"\(.held) \(.time_wait) \(.established) \(.pool_size) \(.worst_utilization_pct)\"")"
check_eq "snat: pool from the rule" "rule 40000 40099 0" \
	"$(jqv "$J" "$S.data | \"\(.pool_source) \(.pool_lo) \(.pool_hi) \(.random_fully)\"")"
check_eq "snat: growth sampled" 0 "$(jqv "$J" "$S.data.held_growth_per_sec")"
check_eq "snat: two groups, one over the warning" "2 1" \
	"$(jqv "$J" "$S.data | \"\(.snat_groups) \(.groups_over_warning)\"")"
case $(jqv "$J" "$S.fix | join(\" \")") in
*random-fully*keep-alive*nf_conntrack_tcp_timeout_time_wait*) pass "snat: fix names random-fully, keep-alive, the timeout" ;;
*) fail "snat fix: $(jqv "$J" "$S.fix")" ;;
esac
T=$(f conntrack-timewait)
check_eq "timewait: entries vs sockets" "info 88 0 88 88" \
	"$(jqv "$J" "$T | \"\(.severity) \(.data.conntrack_time_wait) \(.data.socket_time_wait) \(.data.without_socket_min) \(.data.snat_time_wait)\"")"
check_eq "timewait: all forwarded (no end on the gateway)" "88 0" \
	"$(jqv "$J" "$T | \"\(.data.forwarded_time_wait) \(.data.local_time_wait)\"")"
case $(jqv "$J" "$T.fix | join(\" \")") in
*"Only if SNAT ports run out"*) fail "timewait fix still says only if: $(jqv "$J" "$T.fix")" ;;
*"SNAT ports are running out"*) pass "timewait: fix knows the ports ran out" ;;
*) fail "timewait fix: $(jqv "$J" "$T.fix")" ;;
esac
check_eq "table-full: ok at 93 entries" "ok 93" \
	"$(jqv "$J" "$(f conntrack-table-full) | \"\(.severity) \(.data.count)\"")"
check_eq "insert-failed: ok" ok "$(jqv "$J" "$(f conntrack-insert-failed).severity")"

# The bundle replays the same findings.
"$TWSCOPE" doctor --load "$TW_TMP/gw.bundle" --json >"$TW_TMP/load.json" 2>"$TW_TMP/load.err"
check_eq "bundle: exit critical" 2 "$?"
check_eq "bundle: same snat finding" "critical 90 100 rule" \
	"$(jqv "$TW_TMP/load.json" "$S | \"\(.severity) \(.data.held) \(.data.pool_size) \(.data.pool_source)\"")"
check_eq "bundle: same timewait" 88 "$(jqv "$TW_TMP/load.json" "$T.data.without_socket_min")"

# The metrics of the gateway (stat --format prom = a serve scrape without the scrape_* families).
nsexec "$GW" "$TWSCOPE" stat --format prom >"$TW_TMP/gw.prom"
check_eq "prom: exit" 0 "$?"
L='{nat_source="10.202.3.1",destination="10.202.3.2",destination_port="8080",protocol="tcp"}'
prom() { awk -v k="$1" '$1 == k { print $2 }' "$TW_TMP/gw.prom"; }
check_eq "prom: snat ports used" 90 "$(prom "twscope_conntrack_snat_ports_used$L")"
check_eq "prom: snat time_wait" 85 "$(prom "twscope_conntrack_snat_time_wait_entries$L")"
check_eq "prom: snat pool" 100 "$(prom "twscope_conntrack_snat_pool_ports$L")"
check_eq "prom: snat utilization" 0.9 "$(prom "twscope_conntrack_snat_pool_utilization_ratio$L")"
check_eq "prom: tcp time_wait entries" 88 "$(prom 'twscope_conntrack_tcp_entries{state="time_wait"}')"
check_eq "prom: entries" 93 "$(prom twscope_conntrack_entries)"
check_eq "prom: groups" 2 "$(prom twscope_conntrack_snat_groups)"
check_eq "prom: the quiet group's default pool" 64512 \
	"$(prom 'twscope_conntrack_snat_pool_ports{nat_source="10.202.3.1",destination="10.202.3.2",destination_port="8081",protocol="tcp"}')"
check_eq "prom: insert_failed counter" 0 "$(prom 'twscope_conntrack_stat_total{stat="insert_failed"}')"
check_eq "prom: one HELP per family" 0 "$(grep '^# HELP' "$TW_TMP/gw.prom" | sort | uniq -d | wc -l)"

# doctor -A finds the gateway among all namespaces.
"$TWSCOPE" doctor -A --json >"$TW_TMP/all.json" 2>"$TW_TMP/all.err"
NG=".namespaces[] | select(.netns.netns_name == \"$GW\") | .report"
check_eq "-A: gateway snat critical" "critical 90" \
	"$(jqv "$TW_TMP/all.json" "$NG | $S | \"\(.severity) \(.data.held)\"")"

# iptables-nft: the pool comes from the xt MASQUERADE target.
command -v iptables-nft >/dev/null || { done_test; }
nsexec "$GI" iptables-nft -t nat -A POSTROUTING -o is -p tcp --dport 8080 -j MASQUERADE \
	--to-ports 41000-41019 || { echo "skip: iptables-nft MASQUERADE unavailable"; done_test; }
start_peer "$C4" connect 10.202.6.2 8080 5
nsexec "$GI" "$TWSCOPE" doctor --json -i 0 >"$J"
check_eq "iptables: quiet at 5 of 20" "ok 5 20 25" \
	"$(jqv "$J" "$S | \"\(.severity) \(.data.held) \(.data.pool_size) \(.data.worst_utilization_pct)\"")"
check_eq "iptables: pool from its rule" "rule 41000 41019" \
	"$(jqv "$J" "$S.data | \"\(.pool_source) \(.pool_lo) \(.pool_hi)\"")"
start_peer "$C4" connect 10.202.6.2 8080 5
nsexec "$GI" "$TWSCOPE" doctor --json -i 0 >"$J"
check_eq "iptables: warning at 10 of 20" "warning 10 50" \
	"$(jqv "$J" "$S | \"\(.severity) \(.data.held) \(.data.worst_utilization_pct)\"")"
case $(jqv "$J" "$S.evidence | join(\" \")") in
*iptables-nft*) pass "iptables: evidence names the iptables-nft rule" ;;
*) fail "iptables evidence: $(jqv "$J" "$S.evidence")" ;;
esac

# Without CAP_NET_ADMIN: not checked (info, so a user's doctor is not UNKNOWN),
# naming the capability.
if command -v setpriv >/dev/null; then
	nsexec "$GW" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$TWSCOPE" doctor --json -i 0 >"$TW_TMP/user.json" 2>"$TW_TMP/user.err"
	check_eq "unprivileged: snat not checked, names CAP_NET_ADMIN" \
		"info conntrack entries (reading them needs CAP_NET_ADMIN: run as root)" \
		"$(jqv "$TW_TMP/user.json" "$S | \"\(.severity) \(.data.missing)\"")"
	# A namespace whose nf_conntrack_count is 0 has nothing to dump: known
	# empty without a dump, so without CAP_NET_ADMIN too.
	setup_ns QUIET
	nsexec "$QUIET" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$TWSCOPE" doctor --json -i 0 >"$TW_TMP/quiet.json" 2>/dev/null
	check_eq "unprivileged, empty conntrack: snat ok, no groups" "ok 0" \
		"$(jqv "$TW_TMP/quiet.json" "$S | \"\(.severity) \(.data.snat_groups)\"")"
fi
done_test
