#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stat -A over 500 named namespaces: every one is found and entered, the
# one with sockets is walked with exact numbers, and it finishes in bounded
# time (entering is setns from the process, no fork per namespace).
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

N=500
PFX="tw$$-many"
B=$TW_TMP/add.batch
for i in $(seq 1 $N); do echo "netns add $PFX-$i"; done >"$B"
cleanup_t5101() {
	sed 's/^netns add/netns del/' "$B" | ip -force -batch - 2>/dev/null
	cleanup_all
}
trap cleanup_t5101 EXIT
ip -batch "$B" || { echo "cannot create $N namespaces"; exit 1; }
ip -n "$PFX-77" link set lo up
sockpop "$PFX-77" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 40

J=$TW_TMP/all.json
start=$(date +%s%N)
timeout 60 "$TWSCOPE" stat -A --json --top 1 >"$J"
check_eq "exit" 0 "$?"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 20000 ] && pass "$N namespaces in $ms ms (< 20 s)" || fail "$N namespaces took $ms ms"
check_eq "all $N found and entered" $N \
	"$(jqv "$J" "[.namespaces[] | select(.netns.netns_name // \"\" | startswith(\"$PFX-\"))] | length")"
check_eq "none of ours skipped" 0 \
	"$(jqv "$J" "[.skipped[] | select(.netns.netns_name // \"\" | startswith(\"$PFX-\"))] | length")"
R=".namespaces[] | select(.netns.netns_name == \"$PFX-77\")"
check_eq "the busy one: walked tw client" "true 40 40" \
	"$(jqv "$J" "$R | \"\(.walked) \(.time_wait) \(.time_wait_client)\"")"
check_eq "an empty one is not walked (sockstat only)" "false 0" \
	"$(jqv "$J" ".namespaces[] | select(.netns.netns_name == \"$PFX-1\") | \"\(.walked) \(.sockets)\"")"

# doctor -A: every rule in each of them, also bounded (empty ones are not walked).
J=$TW_TMP/doc.json
start=$(date +%s%N)
timeout 120 "$TWSCOPE" doctor -A --json >"$J" 2>/dev/null
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 60000 ] && pass "doctor -A over $N namespaces in $ms ms (< 60 s)" || fail "doctor -A took $ms ms"
check_eq "doctor -A: all $N audited" $N \
	"$(jqv "$J" "[.namespaces[] | select(.netns.netns_name // \"\" | startswith(\"$PFX-\"))] | length")"
check_eq "doctor -A: the busy one, 40 TIME_WAIT counted" 40 \
	"$(jqv "$J" ".namespaces[] | select(.netns.netns_name == \"$PFX-77\") | .report.findings[] | select(.id == \"port-exhaustion\") | .data.held")"
case $rc in 0|1|2|3) pass "doctor -A exit $rc" ;; *) fail "doctor -A exit $rc" ;; esac
done_test
