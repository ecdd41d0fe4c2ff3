#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real CPU cost of `twscope trace` without bpf_stats: alternating rounds of
# the same loopback load with and without tracing, machine-wide busy time
# from /proc/stat over the load window only. Prints one line per round.
#
#   bench/trace-cpu.sh [RATE] [SECONDS] [PAIRS] [TRACE-ARGS...]
#                                   (defaults 50000 20 5 --json; root)
#
# Busy = user + nice + system + irq + softirq of all CPUs (steal, idle and
# iowait excluded), in % of one core. With perf installed, the load
# generator's own task-clock (its threads, and the softirqs that ran in
# their context) is printed too. It contains everything the load costs
# (both ends of every connection, the softirqs, ksoftirqd) plus the BPF
# programs and twscope itself; the difference between a traced and an
# untraced round is the cost of tracing. No host sysctl is changed.
set -eu
RATE=${1:-50000}
SECS=${2:-20}
PAIRS=${3:-5}
[ $# -gt 3 ] && shift 3 || set -- --json
TWSCOPE=${TWSCOPE:-./twscope}
LOAD=${LOAD:-.output/bench/trace-load}
PERF=$(command -v perf || true)
. "$(dirname "$0")/trace-lib.sh"
trace_bench_init twcpu "$LOAD" "make .output/bench/trace-load"
ip netns add "$NS"
ip netns exec "$NS" sh -c 'ip link set lo up
	sysctl -qw net.ipv4.ip_local_port_range="10000 65535"
	sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535'
HZ=$(getconf CLK_TCK)

# "busy softirq" ticks of all CPUs.
ticks() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8, $8; exit }' /proc/stat; }
now() { date +%s.%N; }

# round MODE [TRACE-ARGS]: MODE is "off" or "on". Prints one result line.
round() {
	mode=$1; shift
	tpid=
	if [ "$mode" = on ]; then
		"$TWSCOPE" trace -d $((SECS + 30)) "$@" >"$TMP/tw.out" 2>"$TMP/tw.err" &
		tpid=$!
		t=100; while [ $t -gt 0 ] && ! grep -qs tracing "$TMP/tw.err"; do sleep 0.1; t=$((t-1)); done
	fi
	sleep 1
	set -- $(ticks) $(now)
	b0=$1 s0=$2 t0=$3
	if [ -n "$PERF" ]; then
		ip netns exec "$NS" perf stat -x, -e task-clock -o "$TMP/perf" \
			"$LOAD" "$RATE" "$SECS" 8 >"$TMP/load.out"
	else
		ip netns exec "$NS" "$LOAD" "$RATE" "$SECS" 8 >"$TMP/load.out"
	fi
	set -- $(ticks) $(now)
	b1=$1 s1=$2 t1=$3
	if [ -n "$tpid" ]; then
		kill -TERM "$tpid" 2>/dev/null || true; wait "$tpid" || true; tpid=
	fi
	achieved=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$TMP/load.out")
	pms=0
	[ -n "$PERF" ] && pms=$(awk -F, '/task-clock/ { print $1 }' "$TMP/perf")
	awk -v b="$((b1 - b0))" -v s="$((s1 - s0))" -v t0="$t0" -v t1="$t1" -v hz="$HZ" \
		-v a="$achieved" -v m="$mode" -v p="$pms" 'BEGIN {
		d = t1 - t0
		printf "%s %.1f %.1f %s %.2f %.1f\n", m, b / hz / d * 100, s / hz / d * 100, a,
			b / hz / d / a * 1e6, p / 10 / d }'
}

echo "# rate=$RATE secs=$SECS pairs=$PAIRS trace args: $*" >&2
echo "mode busy%_of_core softirq% conn/s us_cpu/conn load_task_clock%"
i=0
while [ $i -lt "$PAIRS" ]; do
	# Alternate the order so that drift does not favour one mode.
	if [ $((i % 2)) = 0 ]; then first=off second=on; else first=on second=off; fi
	for mode in $first $second; do
		if [ $mode = on ]; then round on "$@"; else round off; fi
	done
	i=$((i + 1))
done
