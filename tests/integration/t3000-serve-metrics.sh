#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve --netns against an exact population: the HTTP listener stays on the
# host loopback while /metrics measures the namespace; every sample that the
# population fixes is asserted, promtool finds nothing to criticise, routes
# and methods get the right codes, bad options fail cleanly, SIGTERM exits 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
require ROOT NETNS SS JQ
command -v curl >/dev/null || skip "curl missing (make deps)"
command -v promtool >/dev/null || skip "promtool missing (Debian package prometheus; make deps)"

setup_ns NS
nssysctl "$NS" net.ipv4.ip_local_port_range="40000 40099"
nssysctl "$NS" net.ipv4.ip_local_reserved_ports=40000-40009
nssysctl "$NS" net.ipv4.tcp_tw_reuse=0
sockpop "$NS" listen 127.0.0.1:9000 listen 127.0.0.1:8080 listen '[::1]:9000' \
	client-tw 127.0.0.1:9000 30 client-tw '[::1]:9000' 5 \
	server-tw 127.0.0.1:8080 7 unlisten 127.0.0.1:8080 \
	estab 127.0.0.1:9000 4 close-wait 127.0.0.1:9000 2

start_serve --netns "$NS" --top-destinations 1
M=$TW_TMP/metrics.txt
check_eq "GET /metrics" 200 "$(http_code "$SERVE_URL/metrics" -o "$M")"
curl -s -m 10 -o "$M" "$SERVE_URL/metrics"

check_eq "time_wait client" 35 "$(metric "$M" 'twscope_time_wait_sockets{side="client"}')"
check_eq "time_wait server" 7 "$(metric "$M" 'twscope_time_wait_sockets{side="server"}')"
check_eq "time_wait unknown" 0 "$(metric "$M" 'twscope_time_wait_sockets{side="unknown"}')"
check_eq "sockets tw v4" 37 "$(metric "$M" 'twscope_sockets{state="time_wait",family="ipv4"}')"
check_eq "sockets tw v6" 5 "$(metric "$M" 'twscope_sockets{state="time_wait",family="ipv6"}')"
check_eq "sockets established" 8 "$(metric "$M" 'twscope_sockets{state="established",family="ipv4"}')"
check_eq "sockets close_wait" 2 "$(metric "$M" 'twscope_sockets{state="close_wait",family="ipv4"}')"
check_eq "sockets listen v4" 1 "$(metric "$M" 'twscope_sockets{state="listen",family="ipv4"}')"
check_eq "sockets listen v6" 1 "$(metric "$M" 'twscope_sockets{state="listen",family="ipv6"}')"
check_eq "fin_wait2 orphans" 2 "$(metric "$M" 'twscope_fin_wait2_orphans')"
check_eq "ephemeral usable" 90 "$(metric "$M" 'twscope_ephemeral_ports{kind="usable"}')"
check_eq "ephemeral reserved" 10 "$(metric "$M" 'twscope_ephemeral_ports{kind="reserved"}')"
check_eq "destinations" 2 "$(metric "$M" 'twscope_destinations')"
D='{local="127.0.0.1",remote="127.0.0.1",remote_port="9000"}'
check_eq "dest ports used" 36 "$(metric "$M" "twscope_destination_ports_used$D")"
check_eq "dest time_wait" 30 "$(metric "$M" "twscope_destination_time_wait_sockets$D")"
check_eq "dest usable" 90 "$(metric "$M" "twscope_destination_ports_usable$D")"
check_eq "dest ratio" 0.4 "$(metric "$M" "twscope_destination_port_utilization_ratio$D")"
# The 30 closes are seconds old: all inside the 10 s window.
check_eq "dest close rate" 3 "$(metric "$M" "twscope_destination_close_rate$D")"
check_eq "top-K=1: one destination series" 1 "$(grep -c '^twscope_destination_ports_used{' "$M")"
check_eq "histogram count" 42 "$(metric "$M" 'twscope_time_wait_remaining_seconds_count')"
check_eq "histogram +Inf" 42 "$(metric "$M" 'twscope_time_wait_remaining_seconds_bucket{le="+Inf"}')"
check_eq "sockstat tw (TW + FIN_WAIT2 mini)" 44 "$(metric "$M" 'twscope_sockstat_tcp_tw')"
check_eq "sysctl tcp_tw_reuse (namespace value)" 0 "$(metric "$M" 'twscope_sysctl{name="net.ipv4.tcp_tw_reuse"}')"
check_eq "tcpext tw counter" 44 "$(metric "$M" 'twscope_tcpext_tw_total')"
check_eq "active opens" "$(nsexec "$NS" awk '/^Tcp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp)" \
	"$(metric "$M" 'twscope_tcp_active_opens_total')"
check_eq "scrape success" 1 "$(metric "$M" 'twscope_scrape_success')"
check_eq "scrape errors" 0 "$(metric "$M" 'twscope_scrape_errors_total')"
check_eq "build info" 1 "$(metric "$M" "twscope_build_info{version=\"$("$TWSCOPE" --version | awk '{print $NF}')\"}")"
check_eq "final newline" "" "$(tail -c1 "$M")"

out=$(promtool check metrics <"$M" 2>&1); rc=$?
check_eq "promtool check metrics exit" 0 "$rc"
check_eq "promtool check metrics output" "" "$out"

# Doctor's findings: the same non-ok set as `twscope doctor` on the namespace;
# the 100-port range (90 usable) is below doctor's port-range threshold.
F=$(sed -n 's/^twscope_finding{id="\([^"]*\)",severity="\([^"]*\)"} 1$/\1 \2/p' "$M" | sort)
DOC=$(nsexec "$NS" "$TWSCOPE" doctor --json | jq -r '.findings[] | select(.severity != "ok") | "\(.id) \(.severity)"' | sort)
check_eq "findings = doctor's" "$DOC" "$F"
case $F in *"port-range warning"*) pass "finding port-range warning" ;; *) fail "no port-range finding: $F" ;; esac

# stat --format prom prints the same families (minus the scrape_* ones).
nsexec "$NS" "$TWSCOPE" stat --format prom >"$M.stat"
check_eq "stat prom: client tw" 35 "$(metric "$M.stat" 'twscope_time_wait_sockets{side="client"}')"
check_eq "stat prom: top-20 default" 2 "$(grep -c '^twscope_destination_ports_used{' "$M.stat")"
check_eq "stat prom: no scrape families" 0 "$(grep -c '^twscope_scrape' "$M.stat")"
out=$(promtool check metrics <"$M.stat" 2>&1)
check_eq "stat prom: promtool" "" "$out"

# Routes, methods and headers.
check_eq "GET /healthz" 200 "$(http_code "$SERVE_URL/healthz")"
check_eq "GET /" 200 "$(http_code "$SERVE_URL/")"
check_eq "GET /nope" 404 "$(http_code "$SERVE_URL/nope")"
check_eq "POST /metrics" 405 "$(http_code "$SERVE_URL/metrics" -X POST -d x=1)"
check_eq "DELETE /" 405 "$(http_code "$SERVE_URL/" -X DELETE)"
check_eq "HEAD /metrics" 200 "$(http_code "$SERVE_URL/metrics" -I)"
H=$TW_TMP/headers
curl -s -m 10 -o /dev/null -D "$H" "$SERVE_URL/metrics"
check_eq "content type" "text/plain; version=0.0.4; charset=utf-8" \
	"$(sed -n 's/^Content-Type: \(.*\)\r$/\1/p' "$H")"
curl -s -m 10 -o /dev/null -D "$H" -X PUT "$SERVE_URL/metrics"
check_eq "405 Allow header" "GET, HEAD" "$(sed -n 's/^Allow: \(.*\)\r$/\1/p' "$H")"
case $(curl -s -m 10 "$SERVE_URL/") in *'href="/metrics"'*) pass "landing page links /metrics" ;; *) fail "landing page" ;; esac
check_eq "healthz body" ok "$(curl -s -m 10 "$SERVE_URL/healthz")"

# --min-interval serves the cached body: two scrapes are byte-identical.
P1=$SERVE_PID PORT1=$SERVE_PORT
start_serve --netns "$NS" --min-interval 60
curl -s -m 10 -o "$M.1" "$SERVE_URL/metrics"
curl -s -m 10 -o "$M.2" "$SERVE_URL/metrics"
if cmp -s "$M.1" "$M.2"; then pass "--min-interval reuses the scrape"; else fail "--min-interval: bodies differ"; fi
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"
check_eq "second server SIGINT-free stop" 0 "$?"

# --findings-interval 0 turns findings off.
start_serve --netns "$NS" --findings-interval 0
curl -s -m 10 -o "$M.nf" "$SERVE_URL/metrics"
check_eq "--findings-interval 0: no finding series" 0 "$(grep -c '^twscope_finding' "$M.nf")"
check_eq "--findings-interval 0: census still there" 35 "$(metric "$M.nf" 'twscope_time_wait_sockets{side="client"}')"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"

# Bad usage and runtime errors: one line, the right exit code.
kill -0 "$P1" 2>/dev/null; check_eq "first server still running" 0 "$?"
err=$("$TWSCOPE" serve --listen "127.0.0.1:$PORT1" 2>&1); rc=$?
check_eq "port in use exit" 1 "$rc"
case $err in *"cannot listen on 127.0.0.1:"*"in use"*) pass "port in use message: $err" ;; *) fail "port in use: $err" ;; esac
check_eq "one line" 1 "$(printf '%s\n' "$err" | wc -l)"
"$TWSCOPE" serve --listen nowhere 2>/dev/null; check_eq "bad --listen exit" 2 "$?"
"$TWSCOPE" serve --min-interval -1 2>/dev/null; check_eq "bad --min-interval exit" 2 "$?"
"$TWSCOPE" serve --top-destinations 99999 2>/dev/null; check_eq "bad --top-destinations exit" 2 "$?"
"$TWSCOPE" serve --findings-interval x 2>/dev/null; check_eq "bad --findings-interval exit" 2 "$?"
"$TWSCOPE" serve --listen 127.0.0.1:0 --netns tw-no-such-ns 2>/dev/null; check_eq "missing netns exit" 1 "$?"
"$TWSCOPE" serve --help | grep -q EXAMPLES; check_eq "help has EXAMPLES" 0 "$?"

# SIGTERM: clean exit 0.
kill -TERM "$P1"; wait "$P1"
check_eq "SIGTERM exit" 0 "$?"
done_test
