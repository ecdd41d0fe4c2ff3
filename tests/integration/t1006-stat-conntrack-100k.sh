#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A conntrack table of 100,000 entries (UDP datagrams to 100,000 distinct
# loopback destinations 127.X.Y.Z:9 of a private namespace; the ruleset only
# turns conntrack on there): stat --conntrack and doctor count them exactly,
# in bounded time, and the census's memory stays flat (peak RSS at 100,000
# entries within 4 MiB of the peak at 1,000: memory grows with SNAT groups,
# never with entries).
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ
command -v nft >/dev/null || skip "nft missing (Debian package nftables)"
[ -x /usr/bin/time ] || skip "/usr/bin/time missing (Debian package time)"

N=100000
setup_ns NS
nsexec "$NS" nft -f - <<'NFT' || skip "cannot load an nft ct rule (nf_conntrack missing?)"
table ip twct {
	chain out {
		type filter hook output priority 0; policy accept;
		ct state new counter accept
	}
}
NFT
max=$(nsexec "$NS" cat /proc/sys/net/netfilter/nf_conntrack_max)
[ "$max" -ge $((N + 1000)) ] || skip "nf_conntrack_max $max is below $N entries"
# The entries must outlive the test (UDP without a reply: 30 s by default).
nssysctl "$NS" net.netfilter.nf_conntrack_udp_timeout=600

send() { # send FIRST LAST: one datagram to a distinct 127.X.Y.Z:9 for each i in FIRST..LAST
	nsexec "$NS" bash -c 'for ((i = $1; i <= $2; i++)); do
		echo x 2>/dev/null >"/dev/udp/127.$((2 + i / 62500)).$((1 + i / 250 % 250)).$((1 + i % 250))/9"
	done' _ "$1" "$2"
}
peak_kib() { # peak_kib FILE: run stat --conntrack --json into FILE, print the peak RSS in KiB
	nsexec "$NS" /usr/bin/time -f %M -o "$TW_TMP/rss" "$TWSCOPE" stat --conntrack --json >"$1" ||
		{ echo "stat --conntrack failed"; exit 1; }
	cat "$TW_TMP/rss"
}

send 0 999
check_eq "1k: udp entries" 1000 "$(nsexec "$NS" cat /proc/sys/net/netfilter/nf_conntrack_count)"
small=$(peak_kib "$TW_TMP/1k.json")
check_eq "1k: census counts them" 1000 "$(jqv "$TW_TMP/1k.json" .conntrack.protocols.udp)"

t0=$(date +%s%N)
send 1000 $((N - 1))
t1=$(date +%s%N)
echo "made $N entries in $(((t1 - t0) / 1000000)) ms"
check_eq "100k: entries in the table" $N "$(nsexec "$NS" cat /proc/sys/net/netfilter/nf_conntrack_count)"

t0=$(date +%s%N)
big=$(peak_kib "$TW_TMP/100k.json")
ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "100k: census counts them" $N "$(jqv "$TW_TMP/100k.json" .conntrack.protocols.udp)"
check_eq "100k: nothing malformed, nothing SNAT'd" "0 0" \
	"$(jqv "$TW_TMP/100k.json" '"\(.conntrack.malformed_entries // 0) \(.conntrack.snat_entries)"')"
echo "stat --conntrack: $ms ms, peak RSS $small KiB at 1k, $big KiB at 100k"
if [ "$ms" -lt 10000 ]; then pass "100k: census in $ms ms (< 10 s)"; else fail "100k: census took $ms ms"; fi
if [ $((big - small)) -lt 4096 ]; then pass "100k: memory flat (+$((big - small)) KiB)"
else fail "100k: peak RSS grew by $((big - small)) KiB ($small -> $big)"; fi

# doctor reads the same table (two dumps over its interval) within bounded time.
t0=$(date +%s%N)
nsexec "$NS" "$TWSCOPE" doctor --json -i 0.2 >"$TW_TMP/doc.json"
ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "doctor: table-full sees the count" "ok $N" \
	"$(jqv "$TW_TMP/doc.json" '.findings[] | select(.id == "conntrack-table-full") | "\(.severity) \(.data.count)"')"
check_eq "doctor: no SNAT" ok \
	"$(jqv "$TW_TMP/doc.json" '.findings[] | select(.id == "snat-port-exhaustion") | .severity')"
if [ "$ms" -lt 15000 ]; then pass "doctor in $ms ms (< 15 s)"; else fail "doctor took $ms ms"; fi
done_test
