#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stat on an exact population: client TIME_WAIT to two IPv4 and one IPv6
# destination, server TIME_WAIT on a port whose listener is gone, held
# ESTABLISHED pairs, CLOSE_WAIT/FIN_WAIT2 pairs, a narrowed port range with
# reserved ports and a listener inside it. Every number is asserted.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ SS

setup_ns NS
nssysctl "$NS" net.ipv4.ip_local_port_range="40000 40099"
nssysctl "$NS" net.ipv4.ip_local_reserved_ports=40000-40009
sockpop "$NS" listen 127.0.0.1:9000 listen 127.0.0.2:9000 listen '[::1]:9000' \
	listen 127.0.0.1:8080 listen 127.0.0.1:40050 \
	client-tw 127.0.0.1:9000 30 client-tw 127.0.0.2:9000 20 client-tw '[::1]:9000' 5 \
	server-tw 127.0.0.1:8080 7 unlisten 127.0.0.1:8080 \
	estab 127.0.0.1:9000 4 close-wait 127.0.0.1:9000 2 fin-wait2 127.0.0.1:9000 3

J=$TW_TMP/stat.json
nsexec "$NS" "$TWSCOPE" stat --json --top 0 >"$J" || { fail "stat --json exit $?"; done_test; }

check_eq schema 1 "$(jqv "$J" .schema)"
# Usable = 100 in range - 10 reserved - 1 listener (40050) = 89.
check_eq "range size" 100 "$(jqv "$J" .port_range.size)"
check_eq "reserved in range" 10 "$(jqv "$J" .port_range.reserved)"
check_eq "listening in range" 1 "$(jqv "$J" .port_range.listening)"
check_eq usable 89 "$(jqv "$J" .port_range.usable)"

check_eq "ipv4 time_wait" 57 "$(jqv "$J" .states.ipv4.time_wait)"
check_eq "ipv6 time_wait" 5 "$(jqv "$J" .states.ipv6.time_wait)"
check_eq "established (4 pairs)" 8 "$(jqv "$J" .states.total.established)"
check_eq "close_wait" 5 "$(jqv "$J" .states.total.close_wait)"
check_eq "fin_wait2" 5 "$(jqv "$J" .states.total.fin_wait2)"
check_eq "listen v4" 3 "$(jqv "$J" .states.ipv4.listen)"
check_eq "listen v6" 1 "$(jqv "$J" .states.ipv6.listen)"
check_eq "fin_wait2 orphans" 2 "$(jqv "$J" .fin_wait2.orphan)"
check_eq "fin_wait2 live" 3 "$(jqv "$J" .fin_wait2.live)"

check_eq "tw total" 62 "$(jqv "$J" .time_wait.total)"
check_eq "tw client side" 55 "$(jqv "$J" .time_wait.client)"
check_eq "tw server side (listener gone)" 7 "$(jqv "$J" .time_wait.server)"
check_eq "tw unknown" 0 "$(jqv "$J" .time_wait.unknown)"
check_eq "tw/established" 7.75 "$(jqv "$J" .time_wait.per_established)"

# Per destination, worst first. 127.0.0.1:9000 holds 30 TW + 4 ESTAB + 2 orphan FW2 + 3 live FW2.
check_eq destinations 3 "$(jqv "$J" .destinations_total)"
check_eq "dest0" "127.0.0.1 127.0.0.1 9000 39 30 4 89 43.82 1.48" \
	"$(jqv "$J" '.destinations[0] | "\(.local) \(.remote) \(.remote_port) \(.held) \(.time_wait) \(.established) \(.usable) \(.utilization_pct) \(.ceiling_per_sec)"')"
# The 30 closes happened in the last seconds: 30 in the 10 s window, 30 over the minute.
check_eq "dest0 closes" "3 10 0.5 growing 9" \
	"$(jqv "$J" '.destinations[0] | "\(.close_rate_per_sec) \(.close_rate_window_sec) \(.close_rate_minute_per_sec) \(.trend) \(.projected_held - .sustained_close_rate_per_sec * 60 | round)"')"
check_eq "dest1" "127.0.0.1 127.0.0.2 9000 20 20 22.47" \
	"$(jqv "$J" '.destinations[1] | "\(.local) \(.remote) \(.remote_port) \(.held) \(.time_wait) \(.utilization_pct)"')"
check_eq "dest2" "::1 ::1 9000 5 5 5.62" \
	"$(jqv "$J" '.destinations[2] | "\(.local) \(.remote) \(.remote_port) \(.held) \(.time_wait) \(.utilization_pct)"')"

# Server ports: 8080 has the 7 server-side TIME_WAIT; 9000 the accepted halves.
check_eq "server port 0" "8080 7 1 127.0.0.1:7" \
	"$(jqv "$J" '.server_ports[0] | "\(.port) \(.time_wait) \(.distinct_remotes) \(.top_remotes[0].addr):\(.top_remotes[0].time_wait)"')"
check_eq "server port 9000" "9000 0 4 5 9" \
	"$(jqv "$J" '.server_ports[] | select(.port == 9000) | "\(.port) \(.time_wait) \(.established) \(.states.close_wait) \(.total)"')"

# Timers: all just created, so all in the last 5 s bucket.
check_eq "timer buckets" 12 "$(jqv "$J" '.timers.time_wait | length')"
check_eq "timer 55-60s" 62 "$(jqv "$J" '.timers.time_wait[11]')"
# sockstat tw = TIME_WAIT + FIN_WAIT2 mini-sockets (docs/kernel.md#sockstat-tw).
check_eq "sockstat tw" 64 "$(jqv "$J" .sockstat.tcp_tw)"
check_eq "census tw + fw2 mini" 64 "$(jqv "$J" .consistency.census_tw_and_fin_wait2_mini)"

# Agreement with ss on the same namespace.
for st in time-wait established close-wait fin-wait-2 listening; do
	key=$(echo "$st" | tr - _ | sed 's/listening/listen/; s/fin_wait_2/fin_wait2/')
	check_eq "ss agrees on $st" "$(nsexec "$NS" ss -Htan state "$st" | wc -l)" "$(jqv "$J" ".states.total.$key")"
done

# Filters: -6 only, --dst, --state, --port.
nsexec "$NS" "$TWSCOPE" stat --json -6 >"$J.6"
check_eq "-6 time_wait" 5 "$(jqv "$J.6" .states.total.time_wait)"
check_eq "-6 no ipv4" 0 "$(jqv "$J.6" .states.ipv4.time_wait)"
nsexec "$NS" "$TWSCOPE" stat --json --dst 127.0.0.2:9000 >"$J.d"
check_eq "--dst 127.0.0.2:9000" 20 "$(jqv "$J.d" .states.total.time_wait)"
nsexec "$NS" "$TWSCOPE" stat --json --dst '[::1]:9000' -s time-wait >"$J.d6"
check_eq "--dst [::1]:9000 tw" 5 "$(jqv "$J.d6" .states.total.time_wait)"
nsexec "$NS" "$TWSCOPE" stat --json --port 8080 -s tw >"$J.p"
check_eq "--port 8080 tw" 7 "$(jqv "$J.p" .states.total.time_wait)"
check_eq "--port 8080 no estab" 0 "$(jqv "$J.p" .states.total.established)"
check_eq "--state mask sent to kernel" 64 "$(jqv "$J.p" .consistency.kernel_state_mask)"

# --summary answers from sockstat alone.
nsexec "$NS" "$TWSCOPE" stat --summary --json >"$J.s"
check_eq "summary tw" 64 "$(jqv "$J.s" .sockstat.tcp_tw)"

# --netns from outside gives the same census.
"$TWSCOPE" stat --netns "$NS" --json --top 0 >"$J.n"
check_eq "--netns NAME same tw" 62 "$(jqv "$J.n" .time_wait.total)"
check_eq "--netns NAME same dest0" 39 "$(jqv "$J.n" .destinations[0].held)"
"$TWSCOPE" stat --netns "/run/netns/$NS" --json >"$J.p2"
check_eq "--netns PATH" 62 "$(jqv "$J.p2" .time_wait.total)"
PID=${TW_PIDS[0]}
"$TWSCOPE" stat --netns "$PID" --json >"$J.pid"
check_eq "--netns PID" 62 "$(jqv "$J.pid" .time_wait.total)"

# Unprivileged inside the namespace: the same numbers (docs/kernel.md#diag-privileges).
nsexec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups "$TWSCOPE" stat --json >"$J.u"
check_eq "unprivileged tw" 62 "$(jqv "$J.u" .time_wait.total)"
check_eq "unprivileged sides" "55 7" "$(jqv "$J.u" '"\(.time_wait.client) \(.time_wait.server)"')"

# The human report renders without error and mentions the worst destination.
out=$(nsexec "$NS" "$TWSCOPE" stat)
case $out in *"127.0.0.1:9000"*"43.8%"*) pass "table shows dest0" ;; *) fail "table: $out" ;; esac
done_test
