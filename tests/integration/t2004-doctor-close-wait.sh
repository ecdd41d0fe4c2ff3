#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# close-wait-leak on the real kernel: a process that never closes 60 accepted
# connections after the peers closed is named with its pid; 10 stay quiet.
# Their idle time (since the peer's FIN) comes from tcp_info: about the
# time waited here, and none of them is stale (60 s) yet.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

setup_ns NS
sockpop "$NS" listen 127.0.0.1:9000 close-wait 127.0.0.1:9000 60
OWNER=${TW_PIDS[0]}
J=$TW_TMP/d.json
"$TWSCOPE" doctor --netns "$NS" --interval 0 --json >"$J"
check_eq "exit (warning)" 1 $?
F='.findings[] | select(.id == "close-wait-leak")'
check_eq severity warning "$(jqv "$J" "$F | .severity")"
check_eq "close_wait count" 60 "$(jqv "$J" "$F | .data.close_wait")"
check_eq "top port" "9000 60" "$(jqv "$J" "$F | \"\(.data.port_0) \(.data.port_0_count)\"")"
check_eq "owner pid" "$OWNER" "$(jqv "$J" "$F | .data.owner_pid")"
check_eq "owner comm" sockpop "$(jqv "$J" "$F | .data.owner_comm")"

setup_ns NS2
sockpop "$NS2" listen 127.0.0.1:9000 close-wait 127.0.0.1:9000 10
sleep 1.5
"$TWSCOPE" doctor --netns "$NS2" --interval 0 --json --save "$TW_TMP/b.json" >"$J"
check_eq "10 CLOSE_WAIT: exit" 0 $?
check_eq "10 CLOSE_WAIT: quiet" ok "$(jqv "$J" "$F | .severity")"
check_eq "10 CLOSE_WAIT: idle 1.5 s .. 60 s, none stale" true \
	"$(jqv "$J" "$F | .data.oldest_idle_sec >= 1.5 and .data.oldest_idle_sec < 60 and .data.stale == 0")"
check_eq "bundle keeps the idle times" "0 true" \
	"$(jqv "$TW_TMP/b.json" '"\(.close_wait.stale) \(.close_wait.oldest_idle_ms >= 1500)"')"
check_eq "bundle: owner, its port and sockets" "sockpop 9000 10" \
	"$(jqv "$TW_TMP/b.json" '.close_wait.owners[0] | "\(.comm) \(.port) \(.sockets)"')"
done_test
