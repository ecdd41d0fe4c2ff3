#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Per-connection cost of `twscope trace` without bpf_stats: rounds of
# trace-loop (one thread, N back-to-back loopback connections pinned to one
# CPU, a fresh private netns per round) without tracing and under each
# given twscope binary, in rotating order. One line per round: mode, wall
# ns/conn, CPU ns/conn, the machine's busy % outside the pinned CPU, and
# twscope's own CPU per connection (tracer_ns, from /proc/PID/schedstat).
# Paths must not contain spaces.
#
#   bench/trace-loop.sh [CONNS] [ROUNDS] [TWSCOPE...]
#                         (defaults 200000 10 ./twscope; root)
#
# TRACE_ARGS (default "--json") are passed to every twscope. The traced
# minus untraced CPU ns/conn, plus twscope's own, times 50000 conn/s, is
# the cost in % of one core at 50k conn/s (400 ns/conn = 2%). Summarise
# with `awk -f bench/loop-summary.awk`.
set -eu
CONNS=${1:-200000}
ROUNDS=${2:-10}
[ $# -gt 2 ] && shift 2 || set -- ./twscope
TRACE_ARGS=${TRACE_ARGS:---json}
LOOP=${LOOP:-.output/bench/trace-loop}
CPU=${CPU:-1}
. "$(dirname "$0")/trace-lib.sh"
trace_bench_init twloop "$LOOP" "make .output/bench/trace-loop"

# Busy ticks of the CPUs other than $CPU: other load on a shared machine.
others() { awk -v c="cpu$CPU" '/^cpu[0-9]/ && $1 != c { b += $2 + $3 + $4 + $7 + $8 } END { print b }' /proc/stat; }

# Nanoseconds PID has run on a CPU (0 without a PID).
oncpu() { if [ -n "$1" ]; then cut -d' ' -f1 "/proc/$1/schedstat"; else echo 0; fi; }

# round MODE: MODE is "off" or the path of a twscope binary.
round() {
	mode=$1
	ip netns add "$NS"
	ip netns exec "$NS" sh -c 'ip link set lo up
		sysctl -qw net.ipv4.ip_local_port_range="10000 65535"'
	tpid=
	if [ "$mode" != off ]; then
		# shellcheck disable=SC2086
		taskset -c 0 "$mode" trace -d 600 $TRACE_ARGS >"$TMP/tw.out" 2>"$TMP/tw.err" &
		tpid=$!
		t=100; while [ $t -gt 0 ] && ! grep -qs tracing "$TMP/tw.err"; do sleep 0.1; t=$((t-1)); done
		grep -qs tracing "$TMP/tw.err" || { echo "$mode did not start: $(cat "$TMP/tw.err")" >&2; exit 1; }
	fi
	o0=$(others); t0=$(date +%s.%N)
	s0=$(oncpu "$tpid")
	r=$(ip netns exec "$NS" taskset -c "$CPU" "$LOOP" "$CONNS")
	o1=$(others); t1=$(date +%s.%N)
	s1=$(oncpu "$tpid")
	if [ -n "$tpid" ]; then
		kill -TERM "$tpid" 2>/dev/null || true; wait "$tpid" || true; tpid=
	fi
	ip netns del "$NS"
	echo "$mode $r" | sed 's/conns=[0-9]* //' | tr '\n' ' '
	awk -v o="$((o1 - o0))" -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" \
		-v tr="$((s1 - s0))" -v n="$CONNS" \
		'BEGIN { printf "others=%.0f%% tracer_ns=%.0f\n", o / hz / (t1 - t0) * 100, tr / n }'
	sleep 2	# let the netns cleanup run before the next round
}

MODES="off $*"
echo "# conns=$CONNS rounds=$ROUNDS cpu=$CPU modes: $MODES; trace args: $TRACE_ARGS" >&2
i=0
while [ $i -lt "$ROUNDS" ]; do
	# Rotate the order of the modes from round to round.
	set -- $MODES
	j=0
	while [ $j -lt $# ]; do
		k=$(( (i + j) % $# + 1 ))
		eval "m=\${$k}"
		printf '%s ' "$i"
		round "$m"
		j=$((j + 1))
	done
	i=$((i + 1))
done
