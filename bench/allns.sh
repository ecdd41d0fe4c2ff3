#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/allns.sh: the cost of -A against one census, in one run.
# Phase 1: TW client-side TIME_WAIT sockets in one namespace: `stat` there (the
# single census, the baseline) and `doctor --interval 0` (its target: <= 1.05x).
# The namespace is then deleted, which purges its TIME_WAIT (inet_twsk_purge).
# Phase 2: the same TW spread over BUSY of N namespaces: `stat -A` and
# `doctor -A` (target: doctor -A <= 2x the baseline). Medians of R rounds, in ms.
# TIME_WAIT lives 60 s: each phase measures right after building its sockets.
set -euo pipefail

n=200 tw=200000 busy=2 runs=3 threads=2
cmdline="bench/allns.sh $*"
while [ $# -gt 0 ]; do
	case "$1" in
	--namespaces) n=${2:?}; shift 2 ;;
	--tw) tw=${2:?}; shift 2 ;;
	--busy) busy=${2:?}; shift 2 ;;
	--runs) runs=${2:?}; shift 2 ;;
	-h|--help) echo "usage: bench/allns.sh [--namespaces N] [--tw TOTAL] [--busy K] [--runs R]"; exit 0 ;;
	*) echo "bench/allns.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[[ $n =~ ^[0-9]+$ && $n -ge 2 && $n -le 4000 ]] || { echo "bench/allns.sh: bad --namespaces" >&2; exit 2; }
[[ $tw =~ ^[0-9]+$ && $tw -le 2000000 ]] || { echo "bench/allns.sh: bad --tw" >&2; exit 2; }
[[ $busy =~ ^[0-9]+$ && $busy -ge 1 && $busy -le 16 && $busy -lt $n ]] ||
	{ echo "bench/allns.sh: bad --busy (1-16, fewer than --namespaces)" >&2; exit 2; }
[[ $runs =~ ^[0-9]+$ && $runs -ge 1 && $runs -le 20 ]] || { echo "bench/allns.sh: bad --runs" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "bench/allns.sh: needs root" >&2; exit 1; }
B=.output/bench
make -s twscope $B/twpop >&2
P=twbench-$$-ns
tmpd=$(mktemp -d)
cleanup() {
	{ echo "netns del $P-one"; for i in $(seq 1 "$n"); do echo "netns del $P-$i"; done; } |
		ip -force -batch - 2>/dev/null || true
	rm -rf "$tmpd"
}
trap cleanup EXIT

# populate NS COUNT: COUNT client-side TIME_WAIT in NS (sysctls inside NS only).
populate() {
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv4.ip_local_port_range="1024 65535" \
		net.ipv4.tcp_max_tw_buckets=$(($2 + 100000)) net.core.somaxconn=65535 \
		net.ipv4.tcp_max_syn_backlog=65535 net.ipv4.tcp_tw_reuse=0
	timeout 150 ip netns exec "$1" $B/twpop -n "$2" -j "$threads" -t 120 >"$tmpd/pop-$1.json"
}
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A t
load0=$(cut -d' ' -f1 /proc/loadavg)

# Phase 1: one namespace with every socket.
ip netns add "$P-one"
populate "$P-one" "$tw"
for r in $(seq 1 "$runs"); do
	t[stat1]+="$(ms ip netns exec "$P-one" ./twscope stat --json) "
	t[doctor1]+="$(ms ip netns exec "$P-one" ./twscope doctor --json --interval 0) "
done
ip netns del "$P-one"
sleep 2

# Phase 2: N namespaces, the sockets spread over the first BUSY of them.
for i in $(seq 1 "$n"); do echo "netns add $P-$i"; done | ip -batch -
for i in $(seq 1 "$busy"); do populate "$P-$i" $((tw / busy)); done
for r in $(seq 1 "$runs"); do
	t[empty]+="$(ms ip netns exec "$P-$n" ./twscope stat --json) "
	t[statA]+="$(ms ./twscope stat -A --json) "
	t[doctorA]+="$(ms ./twscope doctor -A --json) "
done
walked=$(./twscope stat -A --json 2>/dev/null | jq '[.namespaces[] | select(.walked)] | length')

med() { tr ' ' '\n' <<<"${t[$1]}" | grep . | median; }
ratio() { awk -v a="$(med "$1")" -v b="$(med stat1)" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo "Command: \`$cmdline\` ($(date -u '+%Y-%m-%d %H:%M UTC')), $(nproc) CPUs, load average $load0 at the start"
echo
echo "Phase 1: $tw TIME_WAIT in one namespace. Phase 2: the same spread over $busy of $n namespaces"
echo "($walked namespaces walked by \`stat -A\`, the host's included)."
echo
echo "| run | median ms | × one census |"
echo "|---|---|---|"
echo "| \`stat\`, all $tw in one namespace (one census: the baseline) | $(med stat1) | 1.00 |"
echo "| \`doctor --interval 0\` in the same namespace | $(med doctor1) | $(ratio doctor1) |"
echo "| \`stat\` in an empty namespace, phase 2 (walks the shared hash anyway) | $(med empty) | $(ratio empty) |"
echo "| \`stat -A\` (all $n) | $(med statA) | $(ratio statA) |"
echo "| \`doctor -A\` (all $n) | $(med doctorA) | $(ratio doctorA) |"
