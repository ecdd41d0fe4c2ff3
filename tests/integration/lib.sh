# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for integration tests. Source it first:  . "$(dirname "$0")/lib.sh"
# A test exits 0 (pass), 1 (fail) or 77 (skip, after a "skip: reason" line).
# Namespaces made with setup_ns are deleted on every exit path.
set -u
TWSCOPE=${TWSCOPE:-$PWD/twscope}
HELPERS=${HELPERS:-$PWD/.output/helpers}
TW_NAMESPACES=()
TW_PIDS=()
TW_TMP=$(mktemp -d /tmp/twtest.XXXXXX)
TW_FAILS=0

cleanup_all() {
	local p ns
	for p in "${TW_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${TW_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for ns in "${TW_NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null; done
	[ -z "${TW_TMUX_SOCKET:-}" ] || tmux -S "$TW_TMUX_SOCKET" kill-server 2>/dev/null
	rm -rf "$TW_TMP"
}
trap cleanup_all EXIT
trap 'exit 130' INT TERM

skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*"; TW_FAILS=$((TW_FAILS + 1)); }
pass() { echo "ok: $*"; }
# done_test: call last; exit 1 if any check failed.
done_test() { [ "$TW_FAILS" -eq 0 ] || { echo "$TW_FAILS check(s) failed"; exit 1; }; exit 0; }

# require ROOT NETNS JQ SS ...: skip the test unless every prerequisite holds.
require() {
	local r
	for r in "$@"; do
		case $r in
		ROOT) [ "$(id -u)" -eq 0 ] || skip "needs root (creates network namespaces)" ;;
		NETNS) ip netns list >/dev/null 2>&1 || skip "ip netns unavailable" ;;
		JQ) command -v jq >/dev/null || skip "jq missing (make deps)" ;;
		SS) command -v ss >/dev/null || skip "ss missing (iproute2)" ;;
		BTF) [ -r /sys/kernel/btf/vmlinux ] || skip "kernel has no BTF" ;;
		TMUX) command -v tmux >/dev/null || skip "tmux missing (make test-deps)" ;;
		*) echo "unknown prerequisite $r"; exit 1 ;;
		esac
	done
}

# setup_ns VAR: create a fresh namespace with lo up; its name goes into VAR.
setup_ns() {
	local name="tw$$-${RANDOM}"
	ip netns add "$name" || { echo "cannot create netns"; exit 1; }
	TW_NAMESPACES+=("$name")
	ip -n "$name" link set lo up
	ip -n "$name" addr add ::1/128 dev lo 2>/dev/null || true
	printf -v "$1" '%s' "$name"
}

# nsexec NS CMD...: run inside the namespace.
nsexec() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# no_resets NS: NS sends no TCP RST (an nft rule in NS only). For NAT tests
# with exact conntrack counts: when a delayed ACK follows the server's FIN
# (seen under qemu emulation), the client's TIME_WAIT answers it, the
# server's listener resets, and conntrack ends that TIME_WAIT entry early.
no_resets() {
	nsexec "$1" nft -f - <<'NFT' || { echo "cannot load the no-RST rule in $1"; exit 1; }
table inet twnorst {
	chain out {
		type filter hook output priority 0; policy accept;
		tcp flags & rst == rst drop
	}
}
NFT
}

# nssysctl NS key=value: set a sysctl inside the namespace only.
nssysctl() { ip netns exec "$1" sysctl -q -w "$2" >/dev/null || { echo "sysctl $2 failed"; exit 1; }; }

# sockpop NS ARGS...: start the population helper in NS; waits until it says ready.
# The helper keeps its sockets until the test ends. NS is the test's own, so
# the helper may turn tcp_tw_reuse off there while it builds (see sockpop.c).
sockpop() {
	local ns=$1; shift
	local fifo=$TW_TMP/pop.$RANDOM
	mkfifo "$fifo"
	SOCKPOP_OWN_NETNS=1 ip netns exec "$ns" "$HELPERS/sockpop" "$@" >"$fifo" 2>"$TW_TMP/pop.err" &
	TW_PIDS+=($!)
	local line
	if ! read -r -t 60 line <"$fifo"; then
		echo "sockpop did not start: $(cat "$TW_TMP/pop.err")"; exit 1
	fi
	case $line in
	ready*) ;;
	*) echo "sockpop failed: $line $(cat "$TW_TMP/pop.err")"; exit 1 ;;
	esac
}

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then pass "$1 = $2"; else fail "$1: expected '$2', got '$3'"; fi
}

# jqv FILE FILTER: one value from a JSON file.
jqv() { jq -r "$2" "$1"; }

# wait_until TIMEOUT_SEC CMD...: poll (every 0.1 s) until CMD succeeds.
wait_until() {
	local limit=$1; shift
	local end=$((SECONDS + limit))
	while ! "$@"; do
		[ $SECONDS -ge "$end" ] && return 1
		sleep 0.1
	done
}

# require_trace [CAPS...]: what the trace tests need (root, netns, jq, BTF and
# CAPS), a build with BPF, and the trace-tcp helper; otherwise skip.
require_trace() {
	require ROOT NETNS JQ BTF "$@"
	[ -x "$HELPERS/trace-tcp" ] || skip "helper $HELPERS/trace-tcp not built"
	"$TWSCOPE" trace -d 0.01 2>&1 | grep -q "without BPF" && skip "built without BPF"
}

# trace_start OUT ARGS...: `twscope trace ARGS` in the background, stdout to
# OUT and stderr to OUT.err, until it says it is tracing; its pid in TPID.
trace_start() {
	local out=$1; shift
	timeout 60 "$TWSCOPE" trace "$@" >"$out" 2>"$out.err" &
	TPID=$!
	TW_PIDS+=("$TPID")
	wait_until 20 grep -qs "tracing" "$out.err" ||
		{ echo "trace did not start: $(cat "$out.err")"; exit 1; }
}

# trace_stop [NAME]: SIGTERM to trace, which must exit 0 with its summary.
trace_stop() {
	kill -TERM "$TPID"
	wait "$TPID"
	check_eq "${1:+$1: }trace exit code after SIGTERM" 0 $?
}

# trace_helper FILE MODE PORT N: run `trace-tcp MODE PORT N` in the
# namespace $NS, output to FILE; CLOSER and PEER are its two processes.
trace_helper() {
	local out=$1; shift
	timeout 30 ip netns exec "$NS" "$HELPERS/trace-tcp" "$@" >"$out" ||
		{ echo "helper ($1) failed"; exit 1; }
	CLOSER=$(sed -n 's/^closer_pid=\([0-9]*\) .*/\1/p' "$out")
	PEER=$(sed -n 's/.* peer_pid=\([0-9]*\)$/\1/p' "$out")
}
