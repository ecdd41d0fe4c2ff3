#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stat -A: three named namespaces, one kept alive only by a bind mount (its
# creating process gone), one that disappears during the walk, each with an
# exact population; exact numbers per namespace from --json, the names, the
# worst-first order, the detail of the worst, and the no-rights message.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ
command -v unshare >/dev/null && command -v nsenter >/dev/null || skip "unshare/nsenter missing (util-linux)"

MNT=$TW_TMP/keep-net
GONE_PID=
cleanup_t5100() {
	[ -n "$GONE_PID" ] && kill "$GONE_PID" 2>/dev/null
	umount "$MNT" 2>/dev/null
	cleanup_all
}
trap cleanup_t5100 EXIT

setup_ns A
setup_ns B
setup_ns C
nssysctl "$A" net.ipv4.ip_local_port_range="40000 40099"
sockpop "$A" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 90
sockpop "$B" listen 127.0.0.1:8080 server-tw 127.0.0.1:8080 30 close-wait 127.0.0.1:8080 5
sockpop "$C" listen 127.0.0.1:7000 estab 127.0.0.1:7000 3

# A namespace held only by a bind mount: made by unshare, populated, then every process is gone.
touch "$MNT"
unshare --net="$MNT" true || skip "unshare --net=FILE unsupported"
nsenter --net="$MNT" ip link set lo up
fifo=$TW_TMP/keep.fifo
mkfifo "$fifo"
nsenter --net="$MNT" "$HELPERS/sockpop" listen 127.0.0.1:9100 client-tw 127.0.0.1:9100 7 >"$fifo" &
KPID=$!
read -r -t 30 line <"$fifo" || { echo "sockpop in the bind-mounted netns did not start"; exit 1; }
kill "$KPID"; wait "$KPID" 2>/dev/null
# a process-only namespace that will vanish between enumeration and the walk
unshare --net sleep 600 &
GONE_PID=$!
wait_until 10 test -e "/proc/$GONE_PID/ns/net" || { echo "unshare did not start"; exit 1; }
wait_until 10 sh -c "[ \"\$(readlink /proc/$GONE_PID/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" ||
	{ echo "unshare did not enter a new netns"; exit 1; }

J=$TW_TMP/all.json
GATE=$TW_TMP/gate
touch "$GATE"
TWSCOPE_TEST_NSWALK_GATE=$GATE "$TWSCOPE" stat -A --json --top 1 >"$J" 2>"$TW_TMP/all.err" &
SPID=$!
wait_until 20 test -e "$GATE.ready" || { echo "stat -A did not reach the walk: $(cat "$TW_TMP/all.err")"; exit 1; }
kill "$GONE_PID"; wait "$GONE_PID" 2>/dev/null
rm -f "$GATE"
wait "$SPID"
check_eq "stat -A exit" 0 "$?"

row() { echo ".namespaces[] | select(.netns.netns_name == \"$1\")"; }
RA=$(row "$A"); RB=$(row "$B"); RC=$(row "$C")
check_eq "A: label" "netns $A" "$(jqv "$J" "$RA.netns.label")"
check_eq "A: walked tw client server unknown close_wait" "true 90 90 0 0 0" \
	"$(jqv "$J" "$RA | \"\(.walked) \(.time_wait) \(.time_wait_client) \(.time_wait_server) \(.time_wait_unknown) \(.close_wait)\"")"
check_eq "A: worst destination and use" "127.0.0.1 9000 90 100 90" \
	"$(jqv "$J" "$RA.worst_destination | \"\(.remote) \(.remote_port) \(.held) \(.usable) \(.utilization_pct)\"")"
check_eq "A: port range" "40000 40099" "$(jqv "$J" "$RA | \"\(.port_range_low) \(.port_range_high)\"")"
check_eq "B: tw server close_wait" "30 0 30 5" \
	"$(jqv "$J" "$RB | \"\(.time_wait) \(.time_wait_client) \(.time_wait_server) \(.close_wait)\"")"
check_eq "C: sockets tw, worst destination established" "7 0 3" \
	"$(jqv "$J" "$RC | \"\(.sockets) \(.time_wait) \(.worst_destination.established)\"")"
RM=".namespaces[] | select(.netns.mount == \"$MNT\")"
check_eq "bind-mounted: found, no process, label" "null mount $MNT" \
	"$(jqv "$J" "$RM | \"\(.netns.pid) \(.netns.label)\"")"
check_eq "bind-mounted: tw client" "7 7" "$(jqv "$J" "$RM | \"\(.time_wait) \(.time_wait_client)\"")"
check_eq "vanished: skipped with the reason" "gone during the walk" \
	"$(jqv "$J" ".skipped[] | select(.netns.pid == $GONE_PID) | .reason")"
GONE_PID=
check_eq "rows worst first" true \
	"$(jqv "$J" '[.namespaces[] | .worst_destination.utilization_pct // 0] as $u | $u == ($u | sort | reverse)')"
check_eq "--top 1: one detail, on the first row" "1 true" \
	"$(jqv "$J" '"\([.namespaces[] | select(has("detail"))] | length) \(.namespaces[0] | has("detail"))"')"
check_eq "enumeration not capped" false "$(jqv "$J" .enumeration.capped)"

# The detail of A (every row detailed with --top 0) is the ordinary stat document.
"$TWSCOPE" stat -A --json --top 0 >"$J"
check_eq "A detail: destination held" 90 "$(jqv "$J" "$RA.detail.destinations[0].held")"
check_eq "C detail: established" 6 "$(jqv "$J" "$RC.detail.states.total.established")"

# Table: a row per namespace, named.
T=$TW_TMP/all.txt
"$TWSCOPE" stat -A --top 0 >"$T"
check_eq "table row of A" "90 90 0 0 0 127.0.0.1:9000 90.0%" \
	"$(awk -v n="netns $A" 'index($0, n) == 1 { sub(n, ""); $1 = $1; print; exit }' "$T")"

# No rights: every other namespace is skipped with the capability it needs.
if command -v setpriv >/dev/null && setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$TWSCOPE" --version >/dev/null 2>&1; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$TWSCOPE" stat -A --json >"$J" 2>"$TW_TMP/nobody.err"
	check_eq "nobody: exit" 0 "$?"
	check_eq "nobody: A skipped, needs CAP_SYS_ADMIN" "entering it needs CAP_SYS_ADMIN" \
		"$(jqv "$J" ".skipped[] | select(.netns.netns_name == \"$A\") | .reason")"
	check_eq "nobody: partial" true "$(jqv "$J" .partial)"
	grep -q "entering network namespaces needs CAP_SYS_ADMIN (run as root): [0-9]* skipped" \
		"$TW_TMP/nobody.err"
	check_eq "nobody: warning on stderr" 0 "$?"
else
	echo "note: setpriv cannot drop to nobody here, no-rights case not run"
fi
done_test
