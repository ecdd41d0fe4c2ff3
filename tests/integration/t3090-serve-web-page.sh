#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve's landing page and its JSON API against an exact population: every
# /api/ answer checked with jq (census, findings, the series ring, info,
# history without a recorder and from serve's own recorder), the headers (CSP, nosniff, Content-Type,
# Cache-Control), basic auth on the API, option errors; then the page in
# headless Chromium driven through chromedriver: no console errors, no
# request outside the server, the charts hold the recorded series, and a
# screenshot is kept under $TW_OUT/artifacts/. Runs in a network namespace
# of its own, so neither serve nor the browser can reach anything else.
if [ -z "${T3090_INNER:-}" ] && [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	T3090_INNER=1 exec unshare --net --mount --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
require ROOT NETNS JQ
[ -n "${T3090_INNER:-}" ] || skip "unshare missing (util-linux)"
command -v curl >/dev/null || skip "curl missing (make deps)"
ip link set lo up

setup_ns NS
nssysctl "$NS" net.ipv4.ip_local_port_range="40000 40099"
nssysctl "$NS" net.ipv4.tcp_tw_reuse=0
# 90 TIME_WAIT + 3 ESTABLISHED + 2 FIN_WAIT2 hold 95 of 100 ports toward :9000.
# TIME_WAIT lasts 60 s: everything below runs well within that.
sockpop "$NS" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 90 estab 127.0.0.1:9000 3 \
	close-wait 127.0.0.1:9000 2

start_serve --netns "$NS" --sample-interval 1 --findings-interval 1 --series-samples 50
MAIN=$SERVE_URL
J=$TW_TMP/api.json
H=$TW_TMP/headers.txt
# get PATH: the body into $J, the headers into $H; prints the status code.
get() { curl -s -m 10 -D "$H" -o "$J" -w '%{http_code}' "$MAIN$1"; }
# header NAME: its value in $H (without the CR).
header() { sed -n "s/^$1: \(.*\)\r$/\1/Ip" "$H" | head -1; }

check_eq "GET /api/info" 200 "$(get /api/info)"
check_eq "info: netns findings history sample_interval series_samples" \
	"$NS true false 1 50" \
	"$(jq -r '[.netns, .findings, .history, .sample_interval_sec, .series_samples] | join(" ")' "$J")"
check_eq "api Content-Type" "application/json" "$(header Content-Type)"
check_eq "api Cache-Control" "no-store" "$(header Cache-Control)"
check_eq "api X-Content-Type-Options" "nosniff" "$(header X-Content-Type-Options)"
case $(header Content-Security-Policy) in
"default-src 'self';"*) pass "api Content-Security-Policy starts with default-src 'self'" ;;
*) fail "api Content-Security-Policy: '$(header Content-Security-Policy)'" ;;
esac

check_eq "GET /api/census" 200 "$(get /api/census)"
check_eq "census: sockets time_wait client server unknown" "101 90 90 0 0" \
	"$(jq -r '[.sockets, .time_wait.total, .time_wait.client, .time_wait.server, .time_wait.unknown] | join(" ")' "$J")"
check_eq "census: established close_wait fin_wait2 listen" "6 2 2 1" \
	"$(jq -r '.states.total | [.established, .close_wait, .fin_wait2, .listen] | join(" ")' "$J")"
check_eq "census: usable ports, destinations" "100 1" \
	"$(jq -r '[.port_range.usable, .destinations_total] | join(" ")' "$J")"
check_eq "census: top destination remote port held tw estab use" "127.0.0.1 9000 95 90 3 95" \
	"$(jq -r '.destinations[0] | [.remote, .remote_port, .held, .time_wait, .established, .utilization_pct] | join(" ")' "$J")"
check_eq "census: at is now (within 5 s)" 1 \
	"$(jq -r --argjson now "$(date +%s)" '(.at - $now) | fabs < 5 | if . then 1 else 0 end' "$J")"

check_eq "GET /api/findings" 200 "$(get /api/findings)"
check_eq "findings: state, port-exhaustion severity" "CRITICAL critical" \
	"$(jq -r '[.state, (.findings[] | select(.id == "port-exhaustion") | .severity)] | join(" ")' "$J")"
check_eq "findings: findings_interval_sec" 1 "$(jq -r '.findings_interval_sec' "$J")"

# The ring: a sample a second; wait for three.
samples() { get /api/series >/dev/null && [ "$(jq '.series[] | select(.name == "time_wait") | .points | length' "$J")" -ge "$1" ]; }
wait_until 15 samples 3 || fail "fewer than 3 samples in /api/series after 15 s"
check_eq "series: version step host netns" "1 1 $(hostname) $NS" \
	"$(jq -r '[.version, .step_sec, .host, .netns] | join(" ")' "$J")"
check_eq "series: names" "time_wait established close_wait tw_rate dest_use_pct:127.0.0.1:9000" \
	"$(jq -r '[.series[].name] | join(" ")' "$J")"
check_eq "series: units" "sockets sockets sockets per_second percent" \
	"$(jq -r '[.series[].unit] | join(" ")' "$J")"
last() { jq -r --arg n "$1" '.series[] | select(.name == $n) | .points[-1] | .[1:] | join(" ")' "$J"; }
check_eq "series: time_wait last [min avg max]" "90 90 90" "$(last time_wait)"
check_eq "series: established last" "6 6 6" "$(last established)"
check_eq "series: close_wait last" "2 2 2" "$(last close_wait)"
check_eq "series: dest_use_pct:127.0.0.1:9000 last" "95 95 95" "$(last dest_use_pct:127.0.0.1:9000)"
check_eq "series: tw_rate 0 (no connection closes in the namespace)" "0 0 0" "$(last tw_rate)"
check_eq "series: every point [t, v, v, v], times rising by >= 1 s" true \
	"$(jq '[.series[].points | (all(length == 4)) and ([.[][0]] as $t | [range(1; $t | length)] | all($t[.] > $t[. - 1]))] | all' "$J")"
check_eq "series: since/until span the points" true \
	"$(jq '[.series[].points[][0]] as $t | .since == ($t | min) and .until == ($t | max)' "$J")"
get "/api/series?since=$(( $(date +%s) + 3600 ))" >/dev/null
check_eq "series?since=future: no points" 0 "$(jq '[.series[].points[]] | length' "$J")"
check_eq "series?since=x" 400 "$(get '/api/series?since=x')"
# The ring is bounded: a second server keeping 2 samples holds 2 after 4 s.
start_serve --netns "$NS" --sample-interval 1 --series-samples 2
wait_until 10 sh -c "curl -s -m 5 '$SERVE_URL/api/series' | jq -e '.series[0].points | length >= 2' >/dev/null" ||
	fail "second server: no 2 samples after 10 s"
sleep 2
check_eq "--series-samples 2: at most 2 points" 2 \
	"$(curl -s -m 5 "$SERVE_URL/api/series" | jq '[.series[] | .points | length] | max')"

check_eq "history without a recorder" "404 no history: serve runs without --history" \
	"$(get /api/history) $(jq -r .error "$J")"
check_eq "history?since>until" 400 "$(get '/api/history?since=10&until=5')"
check_eq "unknown /api/ path" "404 not found" "$(get /api/nope) $(jq -r .error "$J")"
check_eq "POST /api/census" 405 "$(http_code "$MAIN/api/census" -X POST)"

# The page and its files: embedded, with their types and the same headers.
check_eq "GET /" 200 "$(get /)"
check_eq "/ Content-Type" "text/html; charset=utf-8" "$(header Content-Type)"
check_eq "/ Cache-Control" "no-cache" "$(header Cache-Control)"
case $(cat "$J") in *'href="/metrics"'*) pass "page links /metrics" ;; *) fail "page: no link to /metrics" ;; esac
case $(cat "$J") in *'<script src="/app.js"'*) pass "page loads /app.js" ;; *) fail "page: no /app.js" ;; esac
check_eq "page: no inline script" 0 "$(grep -c '<script>' "$J")"
for f in app.js:text/javascript app.css:text/css favicon.svg:image/svg+xml \
	vendor/uPlot.iife.min.js:text/javascript vendor/uPlot.min.css:text/css; do
	check_eq "GET /${f%%:*}" "200 ${f#*:}" "$(get "/${f%%:*}") $(header Content-Type | cut -d';' -f1)"
done
# (the embedding ends the last line with a newline)
[ "$(cat "$J")" == "$(cat web/vendor/uPlot.min.css)" ] && pass "uPlot.min.css served as vendored" || fail "uPlot.min.css differs"
check_eq "GET /nope" 404 "$(get /nope)"

# Options.
err=$("$TWSCOPE" serve --sample-interval 0.5 2>&1); rc=$?
check_eq "--sample-interval 0.5: exit, message" "2 twscope serve: invalid --sample-interval '0.5' (0-86400 whole seconds)" "$rc $(head -1 <<<"$err")"
err=$("$TWSCOPE" serve --series-samples 0 2>&1); rc=$?
check_eq "--series-samples 0: exit" 2 "$rc"
err=$("$TWSCOPE" serve --listen 127.0.0.1:0 --history "$TW_TMP/nodir/h.db" 2>&1); rc=$?
check_eq "--history in a missing folder: exit, message" \
	"1 twscope serve: cannot open '$TW_TMP/nodir/h.db': No such file or directory" "$rc $(head -1 <<<"$err")"

# /api/history answers from the database serve's own recorder thread writes.
start_serve --netns "$NS" --sample-interval 0 --history "$TW_TMP/h.db"
HIST=$SERVE_URL
wait_until 15 sh -c "[ \"\$(curl -s -m 5 '$HIST/api/history' | jq '[.series[] | select(.name == \"time_wait\") | .points[]] | length')\" -ge 3 ]" ||
	fail "/api/history: fewer than 3 time_wait samples after 15 s"
check_eq "/api/info: history" true "$(curl -s -m 5 "$HIST/api/info" | jq .history)"
sock_tw=$(ip netns exec "$NS" awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "tw") print $(i + 1) }' /proc/net/sockstat)
check_eq "/api/history: the last time_wait sample is sockstat's tw" "$sock_tw" \
	"$(curl -s -m 5 "$HIST/api/history" | jq '[.series[] | select(.name == "time_wait") | .points[-1][2]] | .[0]')"

# Basic auth covers the API and the page.
if [ -x "$HELPERS/bcrypt" ]; then
	printf "basic_auth_users:\n  alice: '%s'\n" "$("$HELPERS/bcrypt" 'pw' 10)" >"$TW_TMP/web.yml"
	start_serve --netns "$NS" --web.config.file "$TW_TMP/web.yml" --sample-interval 0
	check_eq "auth: /api/census without credentials" 401 "$(http_code "$SERVE_URL/api/census")"
	check_eq "auth: / without credentials" 401 "$(http_code "$SERVE_URL/")"
	check_eq "auth: /app.js without credentials" 401 "$(http_code "$SERVE_URL/app.js")"
	check_eq "auth: /api/census with credentials" 200 "$(http_code "$SERVE_URL/api/census" -u alice:pw)"
	check_eq "auth: --sample-interval 0: one sample, from the one /api/census" 1 \
		"$(curl -s -m 5 -u alice:pw "$SERVE_URL/api/series" | jq '.series[] | select(.name == "time_wait") | .points | length')"
else
	fail "helper $HELPERS/bcrypt not built"
fi

# The page in a real browser.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || ! command -v python3 >/dev/null; then
	echo "note: chromium, chromium-driver or python3 missing (scripts/install-deps test): browser part skipped"
	done_test
fi
ART=${TW_OUT:-.output}/artifacts
mkdir -p "$ART"
R=$TW_TMP/page.json
timeout --kill-after=5 90 python3 tests/browser/page-check.py --url "$MAIN/" \
	--screenshot "$ART/t3090-serve-web-page.png" --polls 2 --timeout 60 >"$R"
check_eq "page-check exit" 0 "$?"
check_eq "browser: page polled the API twice, no error shown" "true false" \
	"$(jq -r '[.state.polls >= 2, .state.status_error] | join(" ")' "$R")"
check_eq "browser: console messages of level SEVERE or WARNING" "" \
	"$(jq -r '.console[] | select(.level == "SEVERE" or .level == "WARNING") | .message' "$R")"
check_eq "browser: requests outside $MAIN" "" \
	"$(jq -r --arg b "$MAIN/" '.requests[] | select(test("^(https?|wss?|ftp):") and (startswith($b) | not))' "$R")"
check_eq "browser: requested the page, app.js, uPlot, /api/census, /api/series" 5 \
	"$(jq --arg b "$MAIN" '[.requests[] | select(. == $b + "/" or . == $b + "/app.js" or . == $b + "/vendor/uPlot.iife.min.js" or . == $b + "/api/census" or . == $b + "/api/series")] | unique | length' "$R")"
check_eq "browser: cards sockets time_wait established close_wait usable" "101 90 6 2 100" \
	"$(jq -r '.state.cards | [.sockets, .time_wait, .established, .close_wait, .usable] | join(" ")' "$R")"
check_eq "browser: TIME_WAIT sides" "90 0 0" "$(jq -r '.state.sides | [.client, .server, .unknown] | join(" ")' "$R")"
check_eq "browser: destination rows" "127.0.0.1:9000" "$(jq -r '[.state.dest_rows[].remote] | join(" ")' "$R")"
check_eq "browser: findings show port-exhaustion as critical" "critical" \
	"$(jq -r '.state.findings[] | select(.id == "port-exhaustion") | .severity' "$R")"
check_eq "browser: sockets chart series" '["time_wait","established","close_wait"]' \
	"$(jq -c '.state.charts.sockets.series' "$R")"
check_eq "browser: sockets chart last values" '{"close_wait":2,"established":6,"time_wait":90}' \
	"$(jq -cS '.state.charts.sockets.last' "$R")"
check_eq "browser: port use chart last value" '{"dest_use_pct:127.0.0.1:9000":95}' \
	"$(jq -cS '.state.charts.dests.last' "$R")"
check_eq "browser: tw_rate chart last value" '{"tw_rate":0}' "$(jq -cS '.state.charts.rate.last' "$R")"
check_eq "browser: the three charts are drawn (canvas) with >= 3 points" "true true true" \
	"$(jq -r '[.state.charts[] | .canvas and .points >= 3] | join(" ")' "$R")"
[ -s "$ART/t3090-serve-web-page.png" ] && pass "screenshot kept: $ART/t3090-serve-web-page.png" ||
	fail "no screenshot"
done_test
