#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An unprivileged user who owns a network namespace (a rootless container)
# sends forged sock_diag "replies" to root's twscope socket in it: a 2 GiB
# nlmsg_len, a fake TIME_WAIT socket and listener on port 4242, an invalid
# state, NLMSG_ERROR and early NLMSG_DONE (tests/helpers/nlforge.c finds the
# port ids in /proc/net/netlink and guesses serve's from its PID, as an
# attacker would). stat --netns and
# serve --netns must neither crash nor fail nor count anything forged: the
# exact population made in that namespace comes out, every time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
require ROOT JQ
for t in unshare setpriv curl; do command -v $t >/dev/null || skip "$t missing"; done
for h in sockpop nlforge; do [ -x "$HELPERS/$h" ] || skip "helper $HELPERS/$h not built"; done
if [ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null)" = 0 ]; then
	skip "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0)"
fi
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
"${NOBODY[@]}" unshare --user --map-root-user --net true 2>/dev/null ||
	skip "an unprivileged user cannot create a user namespace here"

# The attacker's files: nobody must be able to write them.
U=$TW_TMP/u
chmod 755 "$TW_TMP" && mkdir -m 1777 "$U"
FORGE_SEC=40
# As nobody: a user namespace owning a new netns; inside it a known population
# (listener 127.0.0.1:9000, 7 client TIME_WAIT, 2 ESTABLISHED pairs) and the forger.
# unshare execs sh in place, so $! is the PID whose ns/net we measure; setsid
# makes it a process group, killed whole (sh, sockpop, nlforge) on every exit.
setsid "${NOBODY[@]}" unshare --user --map-root-user --net -- sh -c '
	ip link set lo up || exit 1
	"$1/sockpop" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 7 estab 127.0.0.1:9000 2 \
		>"$2/pop.out" 2>"$2/pop.err" &
	"$1/nlforge" "$3" "$2/targets" >"$2/forge.out" 2>"$2/forge.err"
	kill $! 2>/dev/null; wait' nlattack "$HELPERS" "$U" "$FORGE_SEC" &
APID=$!
TW_PIDS+=("$APID")
trap 'kill -- -"$APID" 2>/dev/null; cleanup_all' EXIT
NSPATH=/proc/$APID/ns/net
has_ready() { grep -q '^ready' "$1" 2>/dev/null; }
wait_until 20 has_ready "$U/pop.out" || { fail "sockpop not ready: $(cat "$U/pop.err" 2>/dev/null)"; done_test; }
wait_until 20 has_ready "$U/forge.out" || { fail "nlforge not ready: $(cat "$U/forge.err" 2>/dev/null)"; done_test; }
[ "$(readlink "$NSPATH")" != "$(readlink /proc/self/ns/net)" ] || { fail "attacker netns is ours"; done_test; }
END=$((SECONDS + FORGE_SEC - 5))

# Listener 1, TIME_WAIT 7, ESTABLISHED 4 (both ends), 12 sockets; nothing on port 4242.
WANT="rc=0 listen=1 time_wait=7 established=4 sockets=12 forged=0"
runs=0 bad=0
while [ $runs -lt 15 ] && [ $SECONDS -lt $END ]; do
	runs=$((runs + 1))
	timeout 10 "$TWSCOPE" stat --netns "$NSPATH" --json --top 0 >"$TW_TMP/s.json" 2>"$TW_TMP/s.err"
	rc=$?
	got="rc=$rc $(jq -r '"listen=\(.states.total.listen) time_wait=\(.states.total.time_wait) established=\(.states.total.established) sockets=\([.states.total[]] | add) forged=\([paths(type == "object" and (.port? == 4242 or .remote_port? == 4242))] | length)"' "$TW_TMP/s.json" 2>/dev/null)"
	if [ "$got" != "$WANT" ]; then
		bad=$((bad + 1))
		[ $bad -le 8 ] && echo "run $runs: $got; stderr: $(head -c 300 "$TW_TMP/s.err")"
	fi
done
check_eq "stat --netns runs under forgery with exact counts ($runs runs)" 0 "$bad"

start_serve --netns "$NSPATH"
# Its census sockets get the PID as port id: aim there too, without looking.
echo "$SERVE_PID" >"$U/targets"
scrapes=0 bad=0
while [ $scrapes -lt 15 ] && [ $SECONDS -lt $END ]; do
	scrapes=$((scrapes + 1))
	code=$(curl -s -m 10 -o "$TW_TMP/m" -w '%{http_code}' "$SERVE_URL/metrics")
	got="code=$code ok=$(metric "$TW_TMP/m" twscope_scrape_success)"
	got+=" listen=$(metric "$TW_TMP/m" 'twscope_sockets{state="listen",family="ipv4"}')"
	got+=" tw=$(metric "$TW_TMP/m" 'twscope_sockets{state="time_wait",family="ipv4"}')"
	got+=" est=$(metric "$TW_TMP/m" 'twscope_sockets{state="established",family="ipv4"}')"
	got+=" forged=$(grep -c '"4242"' "$TW_TMP/m")"
	if [ "$got" != "code=200 ok=1 listen=1 tw=7 est=4 forged=0" ]; then
		bad=$((bad + 1))
		[ $bad -le 8 ] && echo "scrape $scrapes: $got"
	fi
done
check_eq "serve --netns scrapes under forgery with exact counts ($scrapes scrapes)" 0 "$bad"
kill -0 "$SERVE_PID" 2>/dev/null && pass "serve still running" || fail "serve died: $(tail -3 "$SERVE_ERR")"
kill "$SERVE_PID"; wait "$SERVE_PID"
check_eq "serve exit after SIGTERM" 0 $?
[ $((runs + scrapes)) -ge 10 ] && pass "enough rounds ($runs + $scrapes)" || fail "only $runs + $scrapes rounds in time"
# The forger did aim at twscope's sockets (sent or refused by the kernel).
FPID=$(sed -n 's/^ready pid=\([0-9]*\).*/\1/p' "$U/forge.out")
[ -n "$FPID" ] && kill "$FPID" 2>/dev/null
has_sent() { grep -q '^sent' "$U/forge.out"; }
wait_until 10 has_sent || fail "nlforge did not stop"
read -r _ sent _ refused < <(grep '^sent' "$U/forge.out")
echo "nlforge: $sent forged datagrams queued, $refused refused"
[ "$((${sent:-0} + ${refused:-0}))" -gt 0 ] && pass "forgeries reached twscope's sockets" ||
	fail "nlforge never found a twscope socket to attack"
done_test
