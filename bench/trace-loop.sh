#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Per-connection cost of `twscope trace` without bpf_stats: alternating
# rounds of trace-loop (one thread, N back-to-back loopback connections,
# pinned to one CPU) with and without tracing, in a fresh private netns per
# round. Prints one line per round: mode, wall ns/conn, CPU ns/conn.
#
#   bench/trace-loop.sh [CONNS] [PAIRS] [TRACE-ARGS...]
#                                   (defaults 200000 10 --json; root)
#
# The traced-minus-untraced CPU ns/conn times 50000 conn/s is the cost in
# % of one core at 50k conn/s (400 ns/conn = 2%). twscope's own CPU is
# reported separately (it reads the maps every --interval only).
set -eu
CONNS=${1:-200000}
PAIRS=${2:-10}
[ $# -gt 2 ] && shift 2 || set -- --json
TWSCOPE=${TWSCOPE:-./twscope}
LOOP=${LOOP:-.output/bench/trace-loop}
CPU=${CPU:-1}
NS=twloop-$$
TMP=$(mktemp -d)
tpid=
cleanup() {
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 77; }
[ -x "$LOOP" ] || { echo "build $LOOP first (make .output/bench/trace-loop)" >&2; exit 1; }

# round MODE [TRACE-ARGS]: MODE is "off" or "on".
round() {
	mode=$1; shift
	ip netns add "$NS"
	ip netns exec "$NS" sh -c 'ip link set lo up
		sysctl -qw net.ipv4.ip_local_port_range="10000 65535"'
	tpid=
	if [ "$mode" = on ]; then
		taskset -c 0 "$TWSCOPE" trace -d 600 "$@" >"$TMP/tw.out" 2>"$TMP/tw.err" &
		tpid=$!
		t=100; while [ $t -gt 0 ] && ! grep -qs tracing "$TMP/tw.err"; do sleep 0.1; t=$((t-1)); done
	fi
	r=$(ip netns exec "$NS" taskset -c "$CPU" "$LOOP" "$CONNS")
	tcpu=-
	if [ -n "$tpid" ]; then
		tcpu=$(awk '{ print $14 + $15 }' "/proc/$tpid/stat")
		kill -TERM "$tpid"; wait "$tpid" || true; tpid=
	fi
	ip netns del "$NS"
	echo "$mode $r twscope_ticks=$tcpu" | sed 's/conns=[0-9]* //'
	sleep 2	# let the netns cleanup run before the next round
}

echo "# conns=$CONNS pairs=$PAIRS cpu=$CPU trace args: $*" >&2
i=0
while [ $i -lt "$PAIRS" ]; do
	if [ $((i % 2)) = 0 ]; then first=off second=on; else first=on second=off; fi
	for m in $first $second; do
		if [ $m = on ]; then round on "$@"; else round off; fi
	done
	i=$((i + 1))
done
