#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/conntrack.sh: the conntrack census (`twscope stat --conntrack`)
# against the cheapest ctnetlink count (bench/ctfloor, the floor) and
# `conntrack -L | wc -l`, on a private namespace holding N UDP entries to
# distinct loopback destinations. Sizes above the host's nf_conntrack_max
# (writable only on the host: this script never changes it) are skipped.
# Usage (root, repo root): bench/conntrack.sh [--sizes 100000,250000] [--runs 5]
set -u
SIZES=100000,250000
RUNS=5
while [ $# -gt 0 ]; do
	case $1 in
	--sizes) SIZES=$2; shift 2 ;;
	--runs) RUNS=$2; shift 2 ;;
	*) echo "usage: bench/conntrack.sh [--sizes N,...] [--runs N]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "bench/conntrack.sh: needs root (creates a network namespace)" >&2; exit 1; }
command -v conntrack >/dev/null || { echo "bench/conntrack.sh: conntrack missing (apt-get install conntrack)" >&2; exit 1; }
B=.output/bench
make -s twscope $B/ctfloor $B/tmeas >&2 || exit 1
NS=twbench-ct-$$
trap 'ip netns del $NS 2>/dev/null' EXIT
max=$(cat /proc/sys/net/netfilter/nf_conntrack_max 2>/dev/null || echo 0)

declare -A cmd=(
	[floor]="$B/ctfloor"
	[census]="./twscope stat --conntrack --json"
	[conntrack-L]="sh -c 'conntrack -L 2>/dev/null | wc -l'"
)
METHODS="floor census conntrack-L"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "# conntrack census vs floor vs conntrack -L ($(uname -r), $(nproc) CPUs, $(date -u +%FT%TZ))"
for n in ${SIZES//,/ }; do
	if [ "$n" -gt $((max - 1000)) ]; then
		echo; echo "## $n entries: skipped (nf_conntrack_max is $max on this host)"; continue
	fi
	ip netns add $NS || exit 1
	ip -n $NS link set lo up
	printf 'table ip b {\n chain o {\n  type filter hook output priority 0;\n  ct state new accept\n }\n}\n' |
		ip netns exec $NS nft -f - || exit 1
	ip netns exec $NS sysctl -q -w net.netfilter.nf_conntrack_udp_timeout=3600
	ip netns exec $NS bash -c 'for ((i = 0; i < $1; i++)); do
		echo x 2>/dev/null >"/dev/udp/127.$((2 + i / 62500)).$((1 + i / 250 % 250)).$((1 + i % 250))/9"
	done' _ "$n"
	count=$(ip netns exec $NS cat /proc/sys/net/netfilter/nf_conntrack_count)
	echo; echo "## $n entries (nf_conntrack_count $count; floor counted $(ip netns exec $NS $B/ctfloor))"
	declare -A wall=() rss=()
	for ((r = 0; r < RUNS + 1; r++)); do
		set -- $METHODS
		for ((k = 0; k < r % 3; k++)); do set -- "${@:2}" "$1"; done	# rotate the order
		for m in "$@"; do
			ip netns exec $NS $B/ctfloor >/dev/null	# equally warm tables
			out=$(eval "$B/tmeas -N $NS -t 120 -- ${cmd[$m]}")
			[ "$r" -eq 0 ] && continue	# warm-up round
			wall[$m]+="$(echo "$out" | awk '{ print $1 / 1e6 }') "
			rss[$m]+="$(echo "$out" | awk '{ print $4 }') "
		done
	done
	fl=$(echo ${wall[floor]} | tr ' ' '\n' | median)
	printf '| %-12s | %10s | %8s | %9s |\n' method "median ms" "x floor" "peak KiB"
	printf '|---|---|---|---|\n'
	for m in $METHODS; do
		w=$(echo ${wall[$m]} | tr ' ' '\n' | median)
		k=$(echo ${rss[$m]} | tr ' ' '\n' | median)
		printf '| %-12s | %10.1f | %8.2f | %9s |\n' "$m" "$w" "$(awk -v a="$w" -v b="$fl" 'BEGIN { print a / b }')" "$k"
	done
	ip netns del $NS
done
