#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bounded load on /metrics (wrk, 2 threads, 20 connections, loopback):
# no socket errors, no non-2xx answers, and the server's RSS stays roughly
# flat between a warm-up run and a 10 s run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
require ROOT NETNS SS
command -v curl >/dev/null || skip "curl missing (make deps)"
command -v wrk >/dev/null || skip "wrk missing (Debian package wrk; make deps)"

setup_ns NS
sockpop "$NS" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 200 estab 127.0.0.1:9000 10
start_serve --netns "$NS"
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVE_PID/status"; }

W=$TW_TMP/wrk.txt
wrk -t2 -c20 -d3s --timeout 5s "$SERVE_URL/metrics" >"$W.warm" 2>&1 || fail "warm-up wrk failed: $(cat "$W.warm")"
# The warm-up's 20 connections must be gone first: 20 + 20 would pass serve's
# limit of 32, and the connections over the limit are closed (wrk: read errors).
open_conns() { ss -Htn state established "( sport = :$SERVE_PORT )" | wc -l; }
no_conns() { [ "$(open_conns)" -eq 0 ]; }
wait_until 10 no_conns || fail "warm-up connections still open: $(open_conns)"
before=$(rss)
wrk -t2 -c20 -d10s --timeout 5s "$SERVE_URL/metrics" >"$W" 2>&1 || fail "wrk failed: $(cat "$W")"
after=$(rss)
sed 's/^/    wrk: /' "$W"
reqs=$(awk '/requests in/ { print $1 }' "$W")
[ "${reqs:-0}" -gt 100 ] && pass "$reqs requests served" || fail "too few requests: '${reqs:-}'"
check_eq "socket errors" "" "$(grep 'Socket errors' "$W")"
check_eq "non-2xx answers" "" "$(grep 'Non-2xx' "$W")"
echo "VmRSS before ${before} kB, after ${after} kB"
# Flat: at most 25 % or 4 MiB growth, whichever is larger. Under ASan, freed
# memory waits in the allocator's quarantine (up to 256 MiB), so RSS is not a
# leak signal there; LeakSanitizer checks leaks at the SIGTERM exit below.
limit=$((before / 4 > 4096 ? before + before / 4 : before + 4096))
if ldd "$TWSCOPE" 2>/dev/null | grep -q libasan; then
	pass "RSS not judged under ASan (${before} -> ${after} kB); leaks are checked at exit"
elif [ "$after" -le "$limit" ]; then
	pass "RSS flat (${before} -> ${after} kB, limit ${limit})"
else
	fail "RSS grew ${before} -> ${after} kB (limit ${limit})"
fi
# Every scrape under load was a full, correct census.
check_eq "after load: client TIME_WAIT" 200 \
	"$(curl -s -m 10 "$SERVE_URL/metrics" | awk '$1 == "twscope_time_wait_sockets{side=\"client\"}" { print $2 }')"
check_eq "no failed census" 0 \
	"$(curl -s -m 10 "$SERVE_URL/metrics" | awk '$1 == "twscope_scrape_errors_total" { print $2 }')"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"
check_eq "SIGTERM exit after load" 0 "$?"
done_test
