#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where serve listens: a port below ip_unprivileged_port_start without
# CAP_NET_BIND_SERVICE fails with one line naming the capability; listening
# beyond loopback without TLS or basic auth prints a warning (plain, IPv6
# any, auth without TLS), loopback does not. All inside a fresh namespace.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS
command -v setpriv >/dev/null || skip "setpriv missing (util-linux)"
[ -x "$HELPERS/bcrypt" ] || skip "helper $HELPERS/bcrypt not built"

setup_ns NS
# Without CAP_NET_BIND_SERVICE (dropped from the bounding set, so even root lacks it).
ip netns exec "$NS" setpriv --bounding-set=-net_bind_service --inh-caps=-net_bind_service \
	"$TWSCOPE" serve --listen 127.0.0.1:80 2>"$TW_TMP/priv.err"
check_eq "port 80 without CAP_NET_BIND_SERVICE: exit" 1 "$?"
check_eq "port 80 without CAP_NET_BIND_SERVICE: message" \
	"twscope serve: cannot listen on 127.0.0.1:80: ports below 1024 need CAP_NET_BIND_SERVICE (or root); pick a port >= 1024: Permission denied" \
	"$(cat "$TW_TMP/priv.err")"

# warn NAME ADDR [ARGS...]: start serve on ADDR in NS, print its warning line ("" when none).
warn() {
	local err=$TW_TMP/w.$RANDOM.err pid; shift
	ip netns exec "$NS" "$TWSCOPE" serve --listen "$@" 2>"$err" &
	pid=$!
	TW_PIDS+=("$pid")
	wait_until 10 grep -q 'listening on' "$err" || { echo "did not start: $(cat "$err")"; return; }
	kill -TERM "$pid"; wait "$pid"
	grep warning "$err" | sed 's/:[0-9]* without/:PORT without/'
}
W="anyone who can reach it reads this host's connection data (see --web.config.file)"
check_eq "0.0.0.0 without TLS or auth" \
	"twscope serve: warning: listening on 0.0.0.0:PORT without TLS or basic auth: $W" "$(warn x 0.0.0.0:0)"
if [ -e /proc/net/if_inet6 ]; then
	check_eq "[::] without TLS or auth" \
		"twscope serve: warning: listening on [::]:PORT without TLS or basic auth: $W" "$(warn x '[::]:0')"
	check_eq "[::1]: no warning" "" "$(warn x '[::1]:0')"
fi
check_eq "127.0.0.1: no warning" "" "$(warn x 127.0.0.1:0)"
# localhost is 127.0.0.1, without a resolver: accepted, loopback, no warning.
check_eq "localhost: no warning" "" "$(warn x localhost:0)"
ip netns exec "$NS" "$TWSCOPE" serve --listen LocalHost:0 2>"$TW_TMP/lh.err" &
lh=$!
TW_PIDS+=("$lh")
wait_until 10 grep -q 'listening on' "$TW_TMP/lh.err"
kill -TERM "$lh"; wait "$lh"
check_eq "localhost listens on 127.0.0.1" 1 "$(grep -c 'listening on http://127.0.0.1:[0-9]*/metrics' "$TW_TMP/lh.err")"
"$TWSCOPE" serve --listen localhost >/dev/null 2>"$TW_TMP/bad.err"
check_eq "localhost without a port: usage" 2 $?
check_eq "localhost without a port: message" \
	"twscope serve: invalid --listen 'localhost' (ADDR:PORT, [V6ADDR]:PORT or localhost:PORT)" "$(head -1 "$TW_TMP/bad.err")"
check_eq "127.0.0.2: no warning" "" "$(warn x 127.0.0.2:0)"
printf 'basic_auth_users:\n  alice: %s\n' "$("$HELPERS/bcrypt" pw 4)" >"$TW_TMP/auth.yml"
check_eq "0.0.0.0 with auth but no TLS" \
	"twscope serve: warning: listening on 0.0.0.0:PORT without TLS (passwords travel in clear text): $W" \
	"$(warn x 0.0.0.0:0 --web.config.file "$TW_TMP/auth.yml")"
done_test
