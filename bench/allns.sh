#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/allns.sh: the cost of -A. N namespaces, TIME_WAIT sockets spread over
# two of them; times one census in a busy namespace (the whole shared
# established hash is walked by every dump), `stat -A`, `doctor -A`, and
# `doctor` against `stat` in one namespace. Medians of R rounds, in ms.
set -euo pipefail

n=200 tw=200000 runs=3 threads=2
cmdline="bench/allns.sh $*"
while [ $# -gt 0 ]; do
	case "$1" in
	--namespaces) n=${2:?}; shift 2 ;;
	--tw) tw=${2:?}; shift 2 ;;
	--runs) runs=${2:?}; shift 2 ;;
	-h|--help) echo "usage: bench/allns.sh [--namespaces N] [--tw TOTAL] [--runs R]"; exit 0 ;;
	*) echo "bench/allns.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[[ $n =~ ^[0-9]+$ && $n -ge 2 && $n -le 4000 ]] || { echo "bench/allns.sh: bad --namespaces" >&2; exit 2; }
[[ $tw =~ ^[0-9]+$ && $tw -le 2000000 ]] || { echo "bench/allns.sh: bad --tw" >&2; exit 2; }
[[ $runs =~ ^[0-9]+$ && $runs -ge 1 && $runs -le 20 ]] || { echo "bench/allns.sh: bad --runs" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "bench/allns.sh: needs root" >&2; exit 1; }
B=.output/bench
make -s twscope $B/twpop >&2
P=twbench-$$-ns
tmpd=$(mktemp -d)
cleanup() {
	for i in $(seq 1 "$n"); do echo "netns del $P-$i"; done | ip -force -batch - 2>/dev/null || true
	rm -rf "$tmpd"
}
trap cleanup EXIT
for i in $(seq 1 "$n"); do echo "netns add $P-$i"; done | ip -batch -
for i in 1 2; do
	ip -n "$P-$i" link set lo up
	ip netns exec "$P-$i" sysctl -qw net.ipv4.ip_local_port_range="1024 65535" \
		net.ipv4.tcp_max_tw_buckets=$((tw + 100000)) net.core.somaxconn=65535 \
		net.ipv4.tcp_max_syn_backlog=65535
	timeout 150 ip netns exec "$P-$i" $B/twpop -n $((tw / 2)) -j "$threads" -t 120 >"$tmpd/pop$i.json"
done
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A t
for r in $(seq 1 "$runs"); do
	t[stat1]+="$(ms ip netns exec "$P-1" ./twscope stat --json) "
	t[doctor1]+="$(ms ip netns exec "$P-1" ./twscope doctor --json --interval 0) "
	t[empty]+="$(ms ip netns exec "$P-3" ./twscope stat --json) "
	t[statA]+="$(ms ./twscope stat -A --json) "
	t[doctorA]+="$(ms ./twscope doctor -A --json) "
done
med() { tr ' ' '\n' <<<"${t[$1]}" | grep . | median; }
echo "Command: \`$cmdline\` ($(date -u '+%Y-%m-%d %H:%M UTC')), $n namespaces, $tw TIME_WAIT in two of them"
echo
echo "| run | median ms |"
echo "|---|---|"
echo "| \`stat\` in a busy namespace (one census) | $(med stat1) |"
echo "| \`doctor --interval 0\` in the same namespace | $(med doctor1) |"
echo "| \`stat\` in an empty namespace (walks the shared hash anyway) | $(med empty) |"
echo "| \`stat -A\` (all $n) | $(med statA) |"
echo "| \`doctor -A\` (all $n) | $(med doctorA) |"
