#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: in a private namespace with a 10-port ephemeral range, a helper
# exhausts it; trace reports each EADDRNOTAVAIL connect() with the helper's
# pid and the destination, and --comm keeps everything else out.
. "$(dirname "$0")/lib.sh"
require_trace
N=7
PORT=9100
OUT=$TW_TMP/out

setup_ns NS
# Only inside the private namespace: the host's sysctls stay untouched.
nssysctl "$NS" net.ipv4.ip_local_port_range="40000 40009"
trace_start "$OUT" --netns "$NS" --comm twt-closer --duration 40 --json

trace_helper "$TW_TMP/helper" exhaust $PORT $N
closer=$CLOSER
check_eq "helper outcome" "held=10 fails=$N" "$(tail -n 1 "$TW_TMP/helper")"

trace_stop
check_eq "EADDRNOTAVAIL of pid $closer to 127.0.0.1:$PORT" "$N" \
	"$(jq --argjson p "$closer" '[.events[] | select(.kind == "connect_eaddrnotavail"
		and .pid == $p and .comm == "twt-closer" and .errno == 99 and .local == null
		and .remote.addr == "127.0.0.1" and .remote.port == '$PORT') | .count] | add // 0' "$OUT")"
# --comm filter: nothing from the peer may appear.
check_eq "rows of other comms" 0 "$(jqv "$OUT" '[.events[] | select(.comm != "twt-closer")] | length')"
done_test
