#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile HTTP against serve: malformed request lines, garbage, oversized
# headers and URLs, unknown methods, a slow client that never finishes its
# request, and more connections from one address than its limit. Each gets the expected
# status (or a closed connection), and the server still answers /healthz.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
require SS
command -v curl >/dev/null || skip "curl missing (make deps)"

start_serve

# raw REQUEST: send printf-format REQUEST on a fresh connection, print the status line.
# The request goes out in one write (cat of a file): bash's printf flushes per line, and a
# server that answers a bad request line and closes while the rest is still arriving
# resets the connection, which can discard its answer before we read it.
raw() {
	printf "$1" >"$TW_TMP/req"
	timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SERVE_PORT && cat '$TW_TMP/req' >&3 && head -1 <&3" |
		tr -d '\r' | awk '{ print $2 }'
}
alive() { [ "$(http_code "$SERVE_URL/healthz")" = 200 ]; }

check_eq "no Host, bad target" 400 "$(raw 'GET  HTTP/1.1\r\nHost: x\r\n\r\n')"
check_eq "header without colon" 400 "$(raw 'GET /healthz HTTP/1.1\r\nHost x\r\n\r\n')"
check_eq "request line without version" 400 "$(raw 'GET /healthz\r\n\r\n')"
check_eq "bad Content-Length" 400 "$(raw 'GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: zz\r\n\r\n')"
check_eq "unknown HTTP version" 505 "$(raw 'GET /healthz HTTP/9.9\r\nHost: a\r\n\r\n')"
# Garbage is not HTTP at all: libmicrohttpd closes without an answer.
check_eq "garbage request line: closed, no answer" "" "$(raw 'GARBAGE\r\n\r\n')"
check_eq "binary junk: closed, no answer" "" "$(raw '\\x00\\x01\\xff\\xfe\r\n\r\n')"
alive && pass "alive after malformed requests" || fail "dead after malformed requests"

big=$(head -c 40000 /dev/zero | tr '\0' a)
check_eq "40 kB header (limit 16 KiB)" 431 "$(http_code "$SERVE_URL/healthz" -H "X-Big: $big")"
check_eq "40 kB URL" 414 "$(http_code "$SERVE_URL/$big")"
check_eq "many headers" 431 "$(http_code "$SERVE_URL/healthz" $(for i in $(seq 1 600); do printf -- '-H X-H%d:%s ' "$i" 0123456789abcdef; done))"
check_eq "unknown method BREW" 405 "$(http_code "$SERVE_URL/metrics" -X BREW)"
check_eq "OPTIONS" 405 "$(http_code "$SERVE_URL/" -X OPTIONS)"
check_eq "POST with a 1 MB body" 405 "$(head -c 1000000 /dev/zero | curl -s -o /dev/null -m 10 -w '%{http_code}' --data-binary @- "$SERVE_URL/metrics")"
alive && pass "alive after oversized requests" || fail "dead after oversized requests"

# A slow client that sends half a request and waits: closed after the 10 s timeout.
start=$SECONDS
timeout 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SERVE_PORT && printf 'GET /metrics HTTP/1.1\r\n' >&3 && cat <&3 >/dev/null"
rc=$? took=$((SECONDS - start))
check_eq "slow client: server closed (not our 30 s timeout)" 0 "$rc"
if [ "$took" -ge 8 ] && [ "$took" -le 15 ]; then pass "slow client closed after ${took}s"; else fail "slow client closed after ${took}s (want ~10)"; fi

# More idle connections from one address than its limit (64): new ones from that
# address are refused, another address is still served, then it recovers.
fds=()
for i in $(seq 1 70); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$SERVE_PORT" && fds+=("$fd")
done
check_eq "70 idle connections opened" 70 "${#fds[@]}"
sleep 0.5
check_eq "over the per-address limit: refused" 000 "$(http_code "$SERVE_URL/healthz" -m 3)"
check_eq "another address is still served" 200 "$(http_code "$SERVE_URL/healthz" -m 3 --interface 127.0.0.2)"
for fd in "${fds[@]}"; do exec {fd}>&-; done
wait_until 10 alive && pass "answers again after idle connections close" || fail "no recovery after connection flood"

# An IPv6 listener ([::1]:0), when the host has IPv6 loopback.
if [ -e /proc/net/if_inet6 ]; then
	"$TWSCOPE" serve --listen '[::1]:0' 2>"$TW_TMP/v6.err" &
	V6=$!
	TW_PIDS+=("$V6")
	if wait_until 10 grep -q 'listening on' "$TW_TMP/v6.err"; then
		u=$(sed -n 's|.*\(http://\[::1\]:[0-9]*\)/metrics$|\1|p' "$TW_TMP/v6.err")
		check_eq "IPv6 listener /healthz" 200 "$(curl -s -g -o /dev/null -m 5 -w '%{http_code}' "$u/healthz")"
		kill -TERM "$V6"; wait "$V6"
		check_eq "IPv6 listener SIGTERM exit" 0 "$?"
	else
		fail "IPv6 listener did not start: $(cat "$TW_TMP/v6.err")"
	fi
fi

kill -0 "$SERVE_PID" 2>/dev/null && pass "server still running" || fail "server died"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"
check_eq "SIGTERM exit after abuse" 0 "$?"
done_test
