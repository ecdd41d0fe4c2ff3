#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: in a private namespace with a 10-port ephemeral range, a helper
# exhausts it; trace reports each EADDRNOTAVAIL connect() with the helper's
# pid and the destination. Self-contained (exit 0 pass, 1 fail, 77 skip).
set -u
TWSCOPE=${TWSCOPE:-./twscope}
HELPERS=${HELPERS:-.output/helpers}
N=7
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

NS=twtrace-$$-exhaust
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
# Only inside the private namespace: the host's sysctls stay untouched.
ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="40000 40009" || fail "port range"

timeout 60 "$TWSCOPE" trace --netns "$NS" --comm twt-closer --duration 40 --json \
	>"$TMP/out" 2>"$TMP/err" &
TPID=$!
wait_for 20 grep -qs "tracing" "$TMP/err" || fail "trace did not start"

timeout 20 ip netns exec "$NS" "$HELPERS/trace-tcp" exhaust $PORT $N >"$TMP/helper" ||
	fail "helper failed"
closer=$(sed -n 's/^closer_pid=\([0-9]*\) .*/\1/p' "$TMP/helper")
grep -q "^held=10 fails=$N\$" "$TMP/helper" || fail "helper: $(tail -1 "$TMP/helper")"

kill -TERM "$TPID"
wait "$TPID"; rc=$?
TPID=
[ "$rc" = 0 ] || fail "trace exited with $rc"

got=$(jq --argjson p "$closer" '[.events[] | select(.kind == "connect_eaddrnotavail"
	and .pid == $p and .comm == "twt-closer" and .errno == 99
	and .remote.addr == "127.0.0.1" and .remote.port == '$PORT') | .count] | add // 0' "$TMP/out")
[ "$got" = "$N" ] || fail "EADDRNOTAVAIL for pid $closer: want $N, got $got"
# --comm filter: nothing from the peer may appear.
other=$(jq '[.events[] | select(.comm != "twt-closer")] | length' "$TMP/out")
[ "$other" = 0 ] || fail "--comm filter let $other other rows through"
echo "ok: $N connect() EADDRNOTAVAIL failures of pid $closer to 127.0.0.1:$PORT"
exit 0
