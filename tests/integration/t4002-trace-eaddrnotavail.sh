#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: in a private namespace with a 10-port ephemeral range, a helper
# exhausts it; trace reports each EADDRNOTAVAIL connect() with the helper's
# pid and the destination, and --comm keeps everything else out.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ BTF
[ -x "$HELPERS/trace-tcp" ] || skip "helper $HELPERS/trace-tcp not built"
"$TWSCOPE" trace -d 0.01 2>&1 | grep -q "without BPF" && skip "built without BPF"
N=7
PORT=9100
OUT=$TW_TMP/out

setup_ns NS
# Only inside the private namespace: the host's sysctls stay untouched.
nssysctl "$NS" net.ipv4.ip_local_port_range="40000 40009"
timeout 60 "$TWSCOPE" trace --netns "$NS" --comm twt-closer --duration 40 --json \
	>"$OUT" 2>"$TW_TMP/err" &
TPID=$!
TW_PIDS+=("$TPID")
wait_until 20 grep -qs "tracing" "$TW_TMP/err" || { echo "trace did not start: $(cat "$TW_TMP/err")"; exit 1; }

timeout 20 ip netns exec "$NS" "$HELPERS/trace-tcp" exhaust $PORT $N >"$TW_TMP/helper" ||
	{ echo "helper failed"; exit 1; }
closer=$(sed -n 's/^closer_pid=\([0-9]*\) .*/\1/p' "$TW_TMP/helper")
check_eq "helper outcome" "held=10 fails=$N" "$(tail -n 1 "$TW_TMP/helper")"

kill -TERM "$TPID"
wait "$TPID"
check_eq "trace exit code after SIGTERM" 0 $?
check_eq "EADDRNOTAVAIL of pid $closer to 127.0.0.1:$PORT" "$N" \
	"$(jq --argjson p "$closer" '[.events[] | select(.kind == "connect_eaddrnotavail"
		and .pid == $p and .comm == "twt-closer" and .errno == 99 and .local == null
		and .remote.addr == "127.0.0.1" and .remote.port == '$PORT') | .count] | add // 0' "$OUT")"
# --comm filter: nothing from the peer may appear.
check_eq "rows of other comms" 0 "$(jqv "$OUT" '[.events[] | select(.comm != "twt-closer")] | length')"
done_test
