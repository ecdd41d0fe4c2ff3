#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: SO_LINGER{1,0} closes and closes with unread data are reported as
# abortive (RST, no TIME_WAIT), per process, and not as active closes.
# Self-contained (exit 0 pass, 1 fail, 77 skip).
set -u
TWSCOPE=${TWSCOPE:-./twscope}
HELPERS=${HELPERS:-.output/helpers}
N=12
PORT=9100

skip() { echo "skip: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; [ -s "$TMP/err" ] && sed 's/^/  trace: /' "$TMP/err" >&2; exit 1; }
# wait_for SECONDS CMD...: poll every 0.1 s until CMD succeeds.
wait_for() {
	t=$(($1 * 10)); shift
	while [ "$t" -gt 0 ]; do "$@" && return 0; sleep 0.1; t=$((t - 1)); done
	return 1
}

[ "$(id -u)" = 0 ] || skip "needs root"
[ -r /sys/kernel/btf/vmlinux ] || skip "needs kernel BTF"
command -v jq >/dev/null 2>&1 || skip "needs jq"
[ -x "$HELPERS/trace-tcp" ] || skip "helper $HELPERS/trace-tcp not built"
"$TWSCOPE" trace --pid 1 --duration 0.01 >/dev/null 2>&1 ||
	{ "$TWSCOPE" trace -d 0.01 2>&1 | grep -q "without BPF" && skip "built without BPF"; }

NS=twtrace-$$-linger
TMP=$(mktemp -d)
TPID=
cleanup() {
	[ -n "$TPID" ] && kill "$TPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"
ip netns exec "$NS" ip link set lo up || fail "lo up"
timeout 60 "$TWSCOPE" trace --netns "$NS" --port $PORT --duration 40 --json \
	>"$TMP/out" 2>"$TMP/err" &
TPID=$!
wait_for 20 grep -qs "tracing" "$TMP/err" || fail "trace did not start"

timeout 20 ip netns exec "$NS" "$HELPERS/trace-tcp" linger0 $PORT $N >"$TMP/h1" ||
	fail "helper (linger0) failed"
timeout 20 ip netns exec "$NS" "$HELPERS/trace-tcp" unread $PORT 3 >"$TMP/h2" ||
	fail "helper (unread) failed"
grep -q "^done=$N\$" "$TMP/h1" || fail "linger0 helper: $(tail -1 "$TMP/h1")"
grep -q "^done=3\$" "$TMP/h2" || fail "unread helper: $(tail -1 "$TMP/h2")"
c1=$(sed -n 's/^closer_pid=\([0-9]*\) .*/\1/p' "$TMP/h1")
c2=$(sed -n 's/^closer_pid=\([0-9]*\) .*/\1/p' "$TMP/h2")
tw=$(ip netns exec "$NS" ss -Htan state time-wait | wc -l)

kill -TERM "$TPID"
wait "$TPID"; rc=$?
TPID=
[ "$rc" = 0 ] || fail "trace exited with $rc"

count() { # count KIND REASON PID
	jq --argjson p "$3" '[.events[] | select(.kind == "'"$1"'" and (.reason // "") == "'"$2"'"
		and .pid == $p and .comm == "twt-closer" and .remote.port == '$PORT') | .count]
		| add // 0' "$TMP/out"
}
got=$(count abort linger0 "$c1")
[ "$got" = "$N" ] || fail "abort/linger0 for pid $c1: want $N, got $got"
got=$(count active_close "" "$c1")
[ "$got" = 0 ] || fail "linger0 closes counted as $got active closes"
got=$(count abort unread "$c2")
[ "$got" = 3 ] || fail "abort/unread for pid $c2: want 3, got $got"
[ "$tw" = 0 ] || fail "abortive closes left $tw TIME_WAIT sockets"
echo "ok: $N SO_LINGER{1,0} and 3 unread-data closes reported as abortive, no TIME_WAIT"
exit 0
