#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Cost of `twscope record` at its defaults (not a test): CPU of the real
# recorder over IDLE seconds in an empty namespace and over BUSY seconds in
# one holding 100,000 TIME_WAIT (bench/twpop; they live 60 s, so BUSY <= 55),
# as a share of one core and CPU seconds per hour; first the database a day
# leaves (bench/record-day: the recorder's own ticks with a clock advanced a
# second per tick, in a namespace with 10 destinations of 10 ESTABLISHED
# connections each, so the dest_* series exist).
# Usage (root, repo root): bench/record-cost.sh [IDLE_SEC] [BUSY_SEC] [DAYS]
set -u
idle=${1:-300}
busy=${2:-50}
days=${3:-1}
B=.output/bench
make -s twscope "$B/twpop" "$B/record-day" .output/helpers/sockpop >&2 || exit 1
tck=$(getconf CLK_TCK)
NS= RP= PP= tmp=$(mktemp -d)
cleanup() {
	[ -n "$RP" ] && kill "$RP" 2>/dev/null && wait "$RP" 2>/dev/null
	[ -n "$PP" ] && kill "$PP" 2>/dev/null && wait "$PP" 2>/dev/null
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
mkns() {
	NS=twrbench-$$-$1
	ip netns add "$NS"
	ip netns exec "$NS" ip link set lo up
}
# measure LABEL SECONDS: CPU of a recorder in $NS over SECONDS (after 5 s of start-up)
measure() {
	./twscope record --netns "$NS" --db "$tmp/$1.db" 2>"$tmp/$1.err" &
	RP=$!
	sleep 5
	local c0 c1 t0 t1
	c0=$(cpu_ticks "$RP") t0=$(date +%s%N)
	sleep "$2"
	c1=$(cpu_ticks "$RP") t1=$(date +%s%N)
	kill "$RP"; wait "$RP"; RP=
	awk -v l="$1" -v c=$((c1 - c0)) -v t=$((t1 - t0)) -v hz="$tck" -v tw="$3" \
		'BEGIN { s = c / hz; w = t / 1e9
		         printf "| %s | %s | %.0f s | %.2f s | %.3f %% | %.1f s |\n", l, tw, w, s, 100 * s / w, 3600 * s / w }'
}

# The day first: sockets of a deleted namespace (the 100,000 TIME_WAIT) stay
# in the kernel's shared hash until they expire, and every census walks them.
echo "Database after $days simulated day(s) (bench/record-day, defaults: census 10 s, top 10 destinations):"
mkns day
args=()
for p in $(seq 9000 9009); do args+=(listen "127.0.0.1:$p" estab "127.0.0.1:$p" 10); done
ip netns exec "$NS" .output/helpers/sockpop "${args[@]}" >"$tmp/pop.out" &
PP=$!
for i in $(seq 1 100); do grep -q ready "$tmp/pop.out" && break; sleep 0.1; done
ip netns exec "$NS" "$B/record-day" "$tmp/day.db" "$days" | tee "$tmp/day.json"
jq -r --argjson d "$days" '"file \(.file_bytes / 1048576 * 100 | floor / 100) MiB after \($d) day(s): \(.file_bytes / 1048576 / $d * 100 | floor / 100) MiB per day; \(.raw_rows) raw, \(.min_rows) minute and \(.hour_rows) hour rows of \(.series) series; \(.cpu_sec) CPU s for \(.ticks) ticks (\(.cpu_sec / .ticks * 1000 * 1000 | floor / 1000) ms each)"' "$tmp/day.json"
ip netns del "$NS"; NS=
kill "$PP"; wait "$PP" 2>/dev/null; PP=
echo
echo "| namespace | sockstat tw | measured | CPU | share of one core | CPU per hour |"
echo "|---|---:|---:|---:|---:|---:|"
mkns idle
measure idle "$idle" 0
ip netns del "$NS"; NS=

mkns busy
ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="1024 65535" \
	net.ipv4.tcp_max_tw_buckets=300000 net.ipv4.tcp_tw_reuse=0 \
	net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535
timeout 150 ip netns exec "$NS" "$B/twpop" -n 100000 -j 2 -t 120 >"$tmp/pop.json" ||
	{ echo "twpop failed: $(cat "$tmp/pop.json")" >&2; exit 1; }
tw=$(ip netns exec "$NS" awk '/^TCP:/ { print $7 }' /proc/net/sockstat)
measure busy "$busy" "$tw"
ip netns del "$NS"; NS=

