#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve -A in a world of its own (fresh pid, mount and network namespaces:
# pid 1's netns is the "host", no other test's namespace is visible): four
# named namespaces with exact populations; every twscope_netns_* sample and
# label from /metrics, the netns="other" sum when --top-netns is small (the
# unwalked ones read through sockstat of the scraping thread's namespace),
# promtool, and the option errors.
if [ -z "${T3080_INNER:-}" ] && [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null &&
	command -v findmnt >/dev/null; then
	T3080_INNER=1 exec unshare --net --pid --fork --mount --mount-proc --propagation private \
		bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
require ROOT NETNS
[ -n "${T3080_INNER:-}" ] || skip "unshare or findmnt missing (util-linux)"
command -v curl >/dev/null || skip "curl missing (make deps)"
command -v promtool >/dev/null || skip "promtool missing (Debian package prometheus; make deps)"

# Only our namespaces: drop every inherited nsfs mount, a private /run/netns.
findmnt -rn -t nsfs -o TARGET | while read -r t; do umount -l "$(printf '%b' "$t")"; done
mkdir -p /run/netns && mount -t tmpfs -o size=1m,mode=0755 t3080 /run/netns ||
	{ echo "cannot mount a private /run/netns"; exit 1; }
# The "host" here is our own fresh netns: serve listens in it, curl scrapes
# from it, and without TIME_WAIT buckets the scrapes leave nothing behind.
ip link set lo up
sysctl -q -w net.ipv4.tcp_max_tw_buckets=0 >/dev/null

setup_ns A
setup_ns B
setup_ns C
setup_ns D
nssysctl "$A" net.ipv4.ip_local_port_range="40000 40099"
# B: 51 sockets in 100 ports could put a destination at 50%: always walked.
nssysctl "$B" net.ipv4.ip_local_port_range="40000 40099"
sockpop "$A" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 90
sockpop "$B" listen 127.0.0.1:8080 client-tw 127.0.0.1:8080 40 close-wait 127.0.0.1:8080 5
sockpop "$C" listen 127.0.0.1:7000 server-tw 127.0.0.1:7000 20
sockpop "$D" listen 127.0.0.1:7100 estab 127.0.0.1:7100 3
ino() { stat -L -c %i "/run/netns/$1"; }
L() { echo "{netns=\"$1\",inode=\"$2\",runtime=\"\",container=\"\",pod=\"\",pod_namespace=\"\"}"; }
LA=$(L "netns $A" "$(ino "$A")"); LB=$(L "netns $B" "$(ino "$B")")
LC=$(L "netns $C" "$(ino "$C")"); LD=$(L "netns $D" "$(ino "$D")")
LH=$(L host "$(stat -L -c %i /proc/1/ns/net)"); LO=$(L other "")
M=$TW_TMP/metrics.txt

# --top-netns 2: A and B (the busiest, walked) have their own series;
# C, D and the host (sockstat only) are summed as other.
start_serve -A --top-netns 2
curl -s -m 20 -o "$M" "$SERVE_URL/metrics"
check_eq "K=2: A sockets tw close_wait usable" "91 90 0 100" \
	"$(metric "$M" "twscope_netns_sockets$LA") $(metric "$M" "twscope_netns_time_wait_sockets$LA") $(metric "$M" "twscope_netns_close_wait_sockets$LA") $(metric "$M" "twscope_netns_ephemeral_ports_usable$LA")"
check_eq "K=2: A busiest destination 90 of 100" 0.9 \
	"$(metric "$M" "twscope_netns_destination_port_utilization_ratio$LA")"
check_eq "K=2: B sockets tw close_wait usable" "51 40 5 100" \
	"$(metric "$M" "twscope_netns_sockets$LB") $(metric "$M" "twscope_netns_time_wait_sockets$LB") $(metric "$M" "twscope_netns_close_wait_sockets$LB") $(metric "$M" "twscope_netns_ephemeral_ports_usable$LB")"
check_eq "K=2: B busiest destination 45 of 100 (40 TIME_WAIT, 5 FIN_WAIT2)" 0.45 \
	"$(metric "$M" "twscope_netns_destination_port_utilization_ratio$LB")"
# other = C (listener + 20 TIME_WAIT) + D (listener + 3 pairs) + host (listener + this scrape's pair)
check_eq "K=2: other sockets, time_wait" "31 20" \
	"$(metric "$M" "twscope_netns_sockets$LO") $(metric "$M" "twscope_netns_time_wait_sockets$LO")"
check_eq "K=2: other has no close_wait, usable, utilization (none of it walked)" 0 \
	"$(grep -c 'netns="other".*} ' "$M" | awk -v n=2 '{ print $1 - n }')"
check_eq "K=2: namespaces found walked skipped other" "5 2 0 3" \
	"$(for k in found walked skipped other; do metric "$M" "twscope_netns_namespaces{kind=\"$k\"}"; done | xargs)"
check_eq "K=2: rows: A, B, other in that order" "netns $A|netns $B|other" \
	"$(sed -n 's/^twscope_netns_sockets{netns="\([^"]*\)".*/\1/p' "$M" | paste -sd'|')"
check_eq "K=2: not capped" 0 "$(metric "$M" twscope_netns_enumeration_capped)"
check_eq "K=2: the own namespace's families stay" 1 "$(metric "$M" twscope_scrape_success)"
out=$(promtool check metrics <"$M" 2>&1); rc=$?
check_eq "promtool check metrics exit" 0 "$rc"
check_eq "promtool check metrics output" "" "$out"
# Concurrent scrapes share one collection and all succeed.
for i in 1 2 3 4; do curl -s -m 20 -o "$TW_TMP/c$i" "$SERVE_URL/metrics" & done
wait_until 30 sh -c "! pgrep -P $$ curl >/dev/null"
for i in 1 2 3 4; do
	check_eq "concurrent scrape $i: A's time_wait" 90 "$(metric "$TW_TMP/c$i" "twscope_netns_time_wait_sockets$LA")"
done
check_eq "no scrape errors" 0 "$(metric "$TW_TMP/c4" twscope_scrape_errors_total)"
kill "$SERVE_PID"; wait "$SERVE_PID"
check_eq "serve -A exit after SIGTERM" 0 "$?"

# Default K (20): every namespace walked and on its own, the host named host.
start_serve --all-netns
curl -s -m 20 -o "$M" "$SERVE_URL/metrics"
check_eq "K=20: C sockets tw close_wait" "21 20 0" \
	"$(metric "$M" "twscope_netns_sockets$LC") $(metric "$M" "twscope_netns_time_wait_sockets$LC") $(metric "$M" "twscope_netns_close_wait_sockets$LC")"
check_eq "K=20: D sockets tw" "7 0" \
	"$(metric "$M" "twscope_netns_sockets$LD") $(metric "$M" "twscope_netns_time_wait_sockets$LD")"
check_eq "K=20: host sockets tw (listener + this scrape)" "3 0" \
	"$(metric "$M" "twscope_netns_sockets$LH") $(metric "$M" "twscope_netns_time_wait_sockets$LH")"
check_eq "K=20: no other" "" "$(grep '^twscope_.*netns="other"' "$M")"
check_eq "K=20: namespaces found walked other" "5 5 0" \
	"$(for k in found walked other; do metric "$M" "twscope_netns_namespaces{kind=\"$k\"}"; done | xargs)"
kill "$SERVE_PID"; wait "$SERVE_PID"

# K=1: only A has its own series; B is still walked (it could be at 50%)
# and summed into other, whose utilization is the highest walked one, B's.
start_serve -A --top-netns 1
curl -s -m 20 -o "$M" "$SERVE_URL/metrics"
check_eq "K=1: other = B + C + D + host" "82 60" \
	"$(metric "$M" "twscope_netns_sockets$LO") $(metric "$M" "twscope_netns_time_wait_sockets$LO")"
check_eq "K=1: other utilization: the highest walked one (B)" 0.45 \
	"$(metric "$M" "twscope_netns_destination_port_utilization_ratio$LO")"
check_eq "K=1: namespaces walked other" "2 4" \
	"$(for k in walked other; do metric "$M" "twscope_netns_namespaces{kind=\"$k\"}"; done | xargs)"
kill "$SERVE_PID"; wait "$SERVE_PID"

# Option errors: one line, exit 2.
"$TWSCOPE" serve -A --top-netns 0 2>"$TW_TMP/e1"
check_eq "--top-netns 0 exit" 2 "$?"
check_eq "--top-netns 0 message" "twscope serve: invalid --top-netns '0' (1-1000)" "$(head -1 "$TW_TMP/e1")"
"$TWSCOPE" serve -A --netns "$A" 2>"$TW_TMP/e2"
check_eq "-A with --netns exit" 2 "$?"
check_eq "-A with --netns message" "twscope serve: --all-netns and --netns exclude each other" \
	"$(head -1 "$TW_TMP/e2")"
done_test
