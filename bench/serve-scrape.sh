#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CPU per /metrics scrape of `twscope serve` at N TIME_WAIT sockets (not a test).
# For each size: a fresh netns gets N client TIME_WAIT sockets (bench/twpop),
# `twscope serve --netns` scrapes it R times in a row; CPU = utime + stime of
# the serve process (the sock_diag dump runs in its thread) / R.
# Usage (root, repo root): bench/serve-scrape.sh [SIZES] [RUNS] [SERVE-OPTS]
#   e.g. bench/serve-scrape.sh 100000,1000000 10 "--findings-interval 0.001"
set -u
sizes=${1:-100000,1000000}
runs=${2:-5}
opts=${3:-}
B=.output/bench
make -s twscope "$B/twpop" >&2 || exit 1
tck=$(getconf CLK_TCK)
NS= SP= tmp=$(mktemp -d)
cleanup() {
	[ -n "$SP" ] && kill "$SP" 2>/dev/null && wait "$SP" 2>/dev/null
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
echo "| TIME_WAIT | scrapes | CPU per scrape | wall per scrape | CPU per round of 4 concurrent scrapes | body | twscope_sockets{time_wait} first/last |"
echo "|---:|---:|---:|---:|---:|---:|---|"
for n in ${sizes//,/ }; do
	NS=twsbench-$$-$n
	ip netns add "$NS"
	ip netns exec "$NS" ip link set lo up
	ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="1024 65535" \
		net.ipv4.tcp_max_tw_buckets=$((2 * n + 100000)) net.ipv4.tcp_tw_reuse=0 \
		net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
	timeout 150 ip netns exec "$NS" "$B/twpop" -n "$n" -j 2 -t 120 >"$tmp/pop.json" ||
		{ echo "twpop failed: $(cat "$tmp/pop.json")" >&2; exit 1; }
	./twscope serve --netns "$NS" --listen 127.0.0.1:0 $opts 2>"$tmp/serve.err" &
	SP=$!
	for i in $(seq 1 50); do grep -q listening "$tmp/serve.err" && break; sleep 0.1; done
	url=$(sed -n 's|.*\(http://[^ ]*\)$|\1|p' "$tmp/serve.err")
	curl -s -m 60 -o "$tmp/m0" "$url"	# warm-up
	first=$(awk '$1 == "twscope_sockets{state=\"time_wait\",family=\"ipv4\"}" { print $2 }' "$tmp/m0")
	c0=$(cpu_ticks "$SP") t0=$(date +%s%N)
	for i in $(seq 1 "$runs"); do curl -s -m 60 -o "$tmp/m" "$url"; done
	c1=$(cpu_ticks "$SP") t1=$(date +%s%N)
	# Rounds of 4 simultaneous scrapes: shared census, so about one census of CPU each.
	c2=$(cpu_ticks "$SP")
	for i in $(seq 1 "$runs"); do
		for j in 1 2 3 4; do curl -s -m 60 -o "$tmp/c$j" "$url" & done
		wait $(jobs -p | grep -vx "$SP")
	done
	c3=$(cpu_ticks "$SP")
	last=$(awk '$1 == "twscope_sockets{state=\"time_wait\",family=\"ipv4\"}" { print $2 }' "$tmp/m")
	awk -v n="$n" -v r="$runs" -v c=$((c1 - c0)) -v t=$((t1 - t0)) -v hz="$tck" -v b="$(wc -c <"$tmp/m")" \
		-v f="$first" -v l="$last" -v cc=$((c3 - c2)) \
		'BEGIN { printf "| %d | %d | %.0f ms | %.0f ms | %.0f ms | %d B | %s / %s |\n", n, r, c * 1000 / hz / r, t / 1e6 / r, cc * 1000 / hz / r, b, f, l }'
	kill "$SP"; wait "$SP"; SP=
	ip netns del "$NS"; NS=
done
