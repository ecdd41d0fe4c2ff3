#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server-side-timewait names the process that serves the port whose
# TIME_WAIT it counts (it closes first), and says when nothing listens there
# any more.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

F='.findings[] | select(.id == "server-side-timewait")'
setup_ns NS
sockpop "$NS" listen 127.0.0.1:8080 server-tw 127.0.0.1:8080 20
pid=$(nsexec "$NS" ss -Htlnp 'sport = :8080' | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)
nsexec "$NS" "$TWSCOPE" doctor --interval 0 --json >"$TW_TMP/d.json"
check_eq "listening: severity, port, tw" "info 8080 20" \
	"$(jq -r "$F | \"\\(.severity) \\(.data.top_port) \\(.data.tw_server)\"" "$TW_TMP/d.json")"
check_eq "listening: the server named" "sockpop $pid" \
	"$(jq -r "$F | \"\\(.data.listener_comm) \\(.data.listener_pid)\"" "$TW_TMP/d.json")"
check_eq "listening: evidence" 1 \
	"$(jq -r "$F | .evidence[]" "$TW_TMP/d.json" | grep -c "^port 8080 is served by sockpop (pid $pid): it closes first")"
# --save keeps it for --load
nsexec "$NS" "$TWSCOPE" doctor --interval 0 --save "$TW_TMP/b.json" >/dev/null
"$TWSCOPE" doctor --load "$TW_TMP/b.json" --json >"$TW_TMP/l.json"
check_eq "--load: the server named" "sockpop $pid" \
	"$(jq -r "$F | \"\\(.data.listener_comm) \\(.data.listener_pid)\"" "$TW_TMP/l.json")"

setup_ns NS2
sockpop "$NS2" listen 127.0.0.1:8080 server-tw 127.0.0.1:8080 20 unlisten 127.0.0.1:8080
nsexec "$NS2" "$TWSCOPE" doctor --interval 0 --json >"$TW_TMP/gone.json"
check_eq "gone: nothing listens" 1 \
	"$(jq -r "$F | .evidence[]" "$TW_TMP/gone.json" | grep -c '^nothing listens on port 8080 now')"
done_test
