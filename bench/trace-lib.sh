# SPDX-License-Identifier: GPL-2.0-or-later
# Shared set-up of the trace benchmarks (sourced, POSIX sh):
#   trace_bench_init PREFIX BINARY HINT
# checks root and that BINARY is built (HINT says how), then sets NS (a
# netns name, created by the caller), TMP (a scratch dir) and tpid (a
# twscope pid, set by the caller), all removed on exit.
trace_bench_init() {
	NS=$1-$$
	TMP=$(mktemp -d)
	tpid=
	trap trace_bench_cleanup EXIT
	trap 'exit 1' INT TERM
	[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 77; }
	[ -x "$2" ] || { echo "build $2 first ($3)" >&2; exit 1; }
}

trace_bench_cleanup() {
	[ -z "$tpid" ] || kill "$tpid" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
