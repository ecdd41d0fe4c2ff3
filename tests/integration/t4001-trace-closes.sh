#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: a helper that closes N connections first is reported with N active
# closes under its pid/comm and the right destination; its peer with N
# passive closes. Self-contained (exit 0 pass, 1 fail, 77 skip).
set -u
TWSCOPE=${TWSCOPE:-./twscope}
HELPERS=${HELPERS:-.output/helpers}
N=20
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

NS=twtrace-$$-closes
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

timeout 60 "$TWSCOPE" trace --netns "$NS" --duration 40 --json >"$TMP/out" 2>"$TMP/err" &
TPID=$!
wait_for 20 grep -qs "tracing" "$TMP/err" || fail "trace did not start"

timeout 20 ip netns exec "$NS" "$HELPERS/trace-tcp" close $PORT $N >"$TMP/helper" ||
	fail "helper failed"
closer=$(sed -n 's/^closer_pid=\([0-9]*\) .*/\1/p' "$TMP/helper")
peer=$(sed -n 's/.* peer_pid=\([0-9]*\)$/\1/p' "$TMP/helper")
grep -q "^done=$N\$" "$TMP/helper" || fail "helper did not close $N connections"

# SIGTERM must stop trace cleanly (exit 0) with the final summary.
kill -TERM "$TPID"
wait "$TPID"; rc=$?
TPID=
[ "$rc" = 0 ] || fail "trace exited with $rc"
jq -e '.schema == 1 and .command == "trace"' "$TMP/out" >/dev/null || fail "bad JSON document"

active=$(jq --argjson p "$closer" '[.events[] | select(.kind == "active_close" and .pid == $p
	and .comm == "twt-closer" and .remote.addr == "127.0.0.1" and .remote.port == '$PORT')
	| .count] | add // 0' "$TMP/out")
[ "$active" = "$N" ] || fail "active closes for twt-closer: want $N, got $active"

passive=$(jq --argjson p "$peer" '[.events[] | select(.kind == "passive_close" and .pid == $p
	and .comm == "twt-peer" and .local.port == '$PORT') | .count] | add // 0' "$TMP/out")
[ "$passive" = "$N" ] || fail "passive closes for twt-peer: want $N, got $passive"

# Nobody else got blamed: the peer closed no connection first, the closer none last.
other=$(jq --argjson p "$peer" '[.events[] | select(.kind == "active_close" and .pid == $p)
	| .count] | add // 0' "$TMP/out")
[ "$other" = 0 ] || fail "peer wrongly has $other active closes"
other=$(jq --argjson p "$closer" '[.events[] | select(.kind == "passive_close" and .pid == $p)
	| .count] | add // 0' "$TMP/out")
[ "$other" = 0 ] || fail "closer wrongly has $other passive closes"

# The peer's FIN reaches the closer's side in softirq: it must be marked, not blamed.
cw=$(jq '[.events[] | select(.kind == "close_wait" and .softirq == false)] | length' "$TMP/out")
[ "$cw" = 0 ] || fail "close_wait events attributed to a task"
jq -e '.lost_events == 0 and .dropped_aggregates == 0' "$TMP/out" >/dev/null ||
	fail "lost events or aggregates"
echo "ok: $N active closes (pid $closer), $N passive closes (pid $peer)"
exit 0
