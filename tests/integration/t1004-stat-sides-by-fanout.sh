#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sides that ports and listeners cannot tell: a server on a port inside the
# ephemeral range that closed first and then stopped listening keeps its
# TIME_WAIT on the server side; clients of a stopped service on a port inside
# the range (many destinations, one port) stay on the client side.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

setup_ns NS
nssysctl "$NS" net.ipv4.ip_local_port_range="40000 60999"
nssysctl "$NS" net.ipv4.tcp_tw_reuse=0
# 50051: 40 connections the server closes first, then the server goes away.
# 50052 on eight loopback addresses, 3 connections each that the clients close
# first, then that service goes away too: 24 local ports face one remote port.
# The listener on 45000 (inside the range) comes first: bound, its port is
# never handed to the clients below (one CI run did, and listen() then met
# a TIME_WAIT on 127.0.0.1:45000).
ops=(listen 127.0.0.1:45000)
ops+=(listen 127.0.0.1:50051 server-tw 127.0.0.1:50051 40 unlisten 127.0.0.1:50051)
for i in 2 3 4 5 6 7 8 9; do
	ops+=(listen "127.0.0.$i:50052" client-tw "127.0.0.$i:50052" 3 unlisten "127.0.0.$i:50052")
done
# Five toward a live listener inside the range: client by the loopback rule.
ops+=(client-tw 127.0.0.1:45000 5)
sockpop "$NS" "${ops[@]}"

J=$TW_TMP/stat.json
nsexec "$NS" "$TWSCOPE" stat --json >"$J" || fail "stat --json failed"
check_eq "tw total" 69 "$(jq .time_wait.total "$J")"
check_eq "server side: the stopped 50051" 40 "$(jq .time_wait.server "$J")"
check_eq "client side: 24 toward 50052 + 5 toward the live 45000" 29 "$(jq .time_wait.client "$J")"
check_eq "unknown" 0 "$(jq .time_wait.unknown "$J")"
check_eq "server port 50051" "50051 40 1" \
	"$(jq -r '.server_ports[] | select(.port == 50051) | "\(.port) \(.time_wait) \(.distinct_remotes)"' "$J")"
check_eq "destinations toward 50052" 8 "$(jq '[.destinations[] | select(.remote_port == 50052)] | length' "$J")"
check_eq "each holds 3" "3" "$(jq -r '[.destinations[] | select(.remote_port == 50052) | .held] | unique | join(",")' "$J")"
done_test
