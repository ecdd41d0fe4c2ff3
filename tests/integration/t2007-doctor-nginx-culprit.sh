#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# doctor names the program behind a destination whose ports run out and
# prints its fix: nginx proxying with the common half-fix
# (proxy_http_version 1.1 and an empty Connection header, but no keepalive
# in the upstream block) closes every upstream connection first, so its
# TIME_WAIT pile up toward the backend. With 'keepalive' sized to the load
# the same traffic leaves no TIME_WAIT and doctor is quiet.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ
command -v nginx >/dev/null || skip "nginx missing (make deps installs nginx-light)"
command -v wrk >/dev/null || skip "wrk missing (make deps)"

setup_ns NS
# 2000 usable ports toward the backend; the backend answers 64 KiB at 64 KiB/s,
# so each upstream connection lives about 1 s and 64 of them are always open:
# about 64 closes/s, heading for 3840 ports held, far past the 2000 usable.
nssysctl "$NS" net.ipv4.ip_local_port_range="40000 41999"
nssysctl "$NS" net.ipv4.tcp_tw_reuse=0
W=$TW_TMP/nginx
mkdir -p "$W/www"
head -c 65536 /dev/zero >"$W/www/blob"
chmod -R a+rX "$TW_TMP"
F='.findings[] | select(.id == "port-exhaustion")'

# nginx_conf UPSTREAM_EXTRA: the proxy on 127.0.0.1:8080, the backend on 127.0.0.2:9000.
nginx_conf() {
	cat >"$W/nginx.conf" <<CONF
worker_processes 2;
pid $W/nginx.pid;
error_log $W/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $W/body;
	proxy_temp_path $W/proxy;
	fastcgi_temp_path $W/fastcgi;
	uwsgi_temp_path $W/uwsgi;
	scgi_temp_path $W/scgi;
	upstream backend { server 127.0.0.2:9000; $1 }
	server { listen 127.0.0.2:9000; root $W/www; limit_rate 64k; keepalive_requests 100000; }
	server {
		# reuseport: the kernel spreads wrk's 64 connections over both
		# workers by hash (without it one worker may accept them all).
		listen 127.0.0.1:8080 reuseport;
		location / {
			proxy_pass http://backend;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
	}
}
CONF
}

# run_load SECONDS: wrk with 64 connections through the proxy, in the background.
run_load() {
	nsexec "$NS" wrk -t2 -c64 -d"$1"s --timeout 10s http://127.0.0.1:8080/blob >"$W/wrk.out" 2>&1 &
	LOAD=$!
	TW_PIDS+=("$LOAD")
}

start_nginx() {
	nginx_conf "$1"
	nsexec "$NS" nginx -c "$W/nginx.conf" || { fail "nginx did not start: $(cat "$W/error.log")"; done_test; }
	for _ in $(seq 50); do [ -s "$W/nginx.pid" ] && break; sleep 0.1; done
	NGINX=$(cat "$W/nginx.pid")
}

stop_nginx() {
	kill "$NGINX" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$NGINX" 2>/dev/null || break; sleep 0.1; done
}
trap 'stop_nginx; cleanup_all' EXIT

# -- the half-fix --
start_nginx ""
run_load 14
sleep 9
nsexec "$NS" "$TWSCOPE" doctor --json >"$TW_TMP/half.json"
check_eq "half-fix: exit (critical)" 2 $?
check_eq "half-fix: port-exhaustion critical toward the backend" "critical 127.0.0.2 9000" \
	"$(jq -r "$F | \"\\(.severity) \\(.data.worst_remote) \\(.data.worst_remote_port)\"" "$TW_TMP/half.json")"
check_eq "half-fix: culprit comm" nginx "$(jq -r "$F | .data.culprit_comm" "$TW_TMP/half.json")"
pid=$(jq -r "$F | .data.culprit_pid" "$TW_TMP/half.json")
check_eq "half-fix: culprit pid $pid is an nginx worker of this master" "nginx $NGINX" \
	"$(echo "$(cat "/proc/$pid/comm" 2>/dev/null) $(awk '{print $4}' "/proc/$pid/stat" 2>/dev/null)")"
check_eq "half-fix: the nginx recipe" nginx "$(jq -r "$F | .data.recipe" "$TW_TMP/half.json")"
check_eq "half-fix: fix names keepalive in the upstream block" 1 \
	"$(jq -r "$F | .fix[0]" "$TW_TMP/half.json" | grep -c 'keepalive N')"
check_eq "half-fix: the half-fix is called out" 1 \
	"$(jq -r "$F | .fix[]" "$TW_TMP/half.json" | grep -c '^Not the half-fix: proxy_http_version 1.1 without keepalive')"
check_eq "half-fix: evidence names nginx with 2 processes" 1 \
	"$(jq -r "$F | .evidence[]" "$TW_TMP/half.json" | grep -c "^held by nginx (pid $pid and 1 more, ")"
# Critical from the projection, 9 s in, while under half the ports are held.
check_eq "half-fix: judged on the projection, with a time to exhaustion" "projection true true" \
	"$(jq -r "$F | \"\\(.data.basis) \\(.data.worst_utilization_pct < 50) \\(.data.exhaustion_in_sec > 0)\"" \
		"$TW_TMP/half.json")"
wait "$LOAD"
stop_nginx

# -- the fix: keepalive sized to the load, in a fresh namespace --
setup_ns NS
nssysctl "$NS" net.ipv4.ip_local_port_range="40000 41999"
nssysctl "$NS" net.ipv4.tcp_tw_reuse=0
start_nginx "keepalive 64;"
run_load 10
sleep 7
nsexec "$NS" "$TWSCOPE" doctor --json >"$TW_TMP/fixed.json"
check_eq "keepalive: port-exhaustion" ok "$(jq -r "$F | .severity" "$TW_TMP/fixed.json")"
check_eq "keepalive: TIME_WAIT toward the backend (first connections only)" true \
	"$(jq "$F | (.data.time_wait // 0) < 200" "$TW_TMP/fixed.json")"
wait "$LOAD"
stop_nginx
done_test
