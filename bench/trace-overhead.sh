#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Overhead of `twscope trace` under a steady loopback connection rate, in a
# private network namespace (host sysctls untouched). Prints a Markdown table.
#
#   bench/trace-overhead.sh [RATE] [SECONDS]      (defaults 50000 10; root)
#
# CPU is measured per process with /usr/bin/time (%P of one core): the BPF
# programs run inside the load generator's syscalls and softirqs, so their
# cost shows up as extra CPU of trace-load; twscope's own CPU is added.
# BPF run time per event comes from BPF_ENABLE_STATS (held by a small
# python helper while one run lasts, so no sysctl is changed).
set -eu
RATE=${1:-50000}
SECS=${2:-10}
TWSCOPE=${TWSCOPE:-./twscope}
LOAD=${LOAD:-.output/bench/trace-load}
NS=twbench-$$
TMP=$(mktemp -d)
cleanup() { ip netns del "$NS" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 77; }
[ -x "$LOAD" ] || { echo "build $LOAD first (make .output/bench/trace-load)" >&2; exit 1; }
ip netns add "$NS"
ip netns exec "$NS" sh -c 'ip link set lo up
	sysctl -qw net.ipv4.ip_local_port_range="10000 65535"
	sysctl -qw net.core.somaxconn=65535 net.ipv4.tcp_max_syn_backlog=65535'

cpu_of() { sed -n 's/^cpu \([0-9.]*\)%.*/\1/p' "$1"; }

# run NAME RATE TRACE-ARGS...: one timed load run, optionally under trace.
run() {
	name=$1 rate=$2; shift 2
	tpid=
	if [ "$1" != none ]; then
		/usr/bin/time -f "cpu %P" -o "$TMP/tw.time" \
			timeout $((SECS + 20)) "$TWSCOPE" trace -d $((SECS + 2)) "$@" \
			>"$TMP/tw.out" 2>"$TMP/tw.err" &
		tpid=$!
		t=100; while [ $t -gt 0 ] && ! grep -qs tracing "$TMP/tw.err"; do sleep 0.1; t=$((t-1)); done
	fi
	ip netns exec "$NS" /usr/bin/time -f "cpu %P" -o "$TMP/load.time" \
		"$LOAD" "$rate" "$SECS" 8 >"$TMP/load.out"
	achieved=$(sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$TMP/load.out")
	lcpu=$(cpu_of "$TMP/load.time")
	tcpu=0 lost=- streamed=-
	if [ -n "$tpid" ]; then
		wait "$tpid" || true
		tcpu=$(cpu_of "$TMP/tw.time")
		lost=$(jq -rs 'last | .lost_events' "$TMP/tw.out" 2>/dev/null || echo "?")
		streamed=$(jq -rs 'last | .streamed_events' "$TMP/tw.out" 2>/dev/null || echo "?")
		# Normalise to one core: trace runs SECS+2 s, the load SECS s.
		tcpu=$(echo "$tcpu * ($SECS + 2) / $SECS" | bc -l)
	fi
	printf '| %s | %s | %s | %.0f%% | %.1f%% | %s | %s |\n' "$name" "$rate" "$achieved" \
		"$lcpu" "$tcpu" "$streamed" "$lost"
}

echo "| run | target conn/s | achieved conn/s | trace-load CPU | twscope CPU | events streamed | lost |"
echo "|---|---:|---:|---:|---:|---:|---:|"
run "no tracing" "$RATE" none
run "trace --json" "$RATE" --json
run "trace --events" "$RATE" --events
ev_rate=$((RATE * 2 / 3))
run "trace --events" "$ev_rate" --events
run "no tracing" "$ev_rate" none

# BPF run time per program (ns/event), with kernel stats held on for one run.
python3 - "$TMP/stats.pid" <<'PY' &
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
attr = (ctypes.c_uint32 * 4)(0)  # BPF_STATS_RUN_TIME
fd = libc.syscall(321, 32, ctypes.byref(attr), 4)  # bpf(BPF_ENABLE_STATS)
open(sys.argv[1], "w").write(str(os.getpid()) if fd >= 0 else "fail")
time.sleep(120)
PY
spid=$!
sleep 0.5
"$TWSCOPE" trace -d $((SECS + 2)) --json >"$TMP/tw.out" 2>"$TMP/tw.err" &
tpid=$!
t=100; while [ $t -gt 0 ] && ! grep -qs tracing "$TMP/tw.err"; do sleep 0.1; t=$((t-1)); done
ip netns exec "$NS" "$LOAD" "$RATE" "$SECS" 8 >/dev/null
bpftool prog show -j | jq -r '.[] | select(.name | test("^(handle_|tp_|raw_sys)"))
	| select(.run_cnt != null and .run_cnt > 0)
	| "| \(.name) | \(.run_cnt) | \(.run_time_ns / .run_cnt | floor) | \(.run_time_ns / 1e9 / '"$SECS"' * 100 * 100 | floor / 100)% |"' \
	>"$TMP/stats.md"
wait "$tpid" || true
kill "$spid" 2>/dev/null || true
echo
echo "| BPF program (stats run, RATE=$RATE) | runs | ns/run | CPU of one core |"
echo "|---|---:|---:|---:|"
cat "$TMP/stats.md"
