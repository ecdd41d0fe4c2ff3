#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A real Prometheus server (Debian package prometheus) scrapes `twscope serve
# --netns` every second; after at least two scrapes its HTTP API must return
# the exact values of the namespace's population. The shipped alerting rules
# load and evaluate, and every PromQL expression of the Grafana dashboard is
# accepted by this Prometheus.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
require ROOT NETNS JQ SS
command -v curl >/dev/null || skip "curl missing (make deps)"
command -v prometheus >/dev/null || skip "prometheus missing (Debian package prometheus; make deps)"
REPO=$(cd "$(dirname "$0")/../.." && pwd)

setup_ns NS
sockpop "$NS" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 30 estab 127.0.0.1:9000 3
start_serve --netns "$NS"

PP=$(free_port) || { fail "no free port for prometheus"; done_test; }
cp "$REPO/deploy/prometheus/alerts.yml" "$TW_TMP/alerts.yml"
cat >"$TW_TMP/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $TW_TMP/alerts.yml
scrape_configs:
  - job_name: twscope
    static_configs:
      - targets: ['127.0.0.1:$SERVE_PORT']
CONF
prometheus --config.file="$TW_TMP/prometheus.yml" --storage.tsdb.path="$TW_TMP/tsdb" \
	--web.listen-address="127.0.0.1:$PP" --log.level=warn >"$TW_TMP/prom.log" 2>&1 &
TW_PIDS+=($!)
PROM=http://127.0.0.1:$PP

# q EXPR: the value of the first sample of an instant query ("" when none).
q() {
	curl -s -m 5 -G "$PROM/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'
}
ready() { [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$PROM/-/ready")" = 200 ]; }
two_scrapes() { [ "$(q 'count_over_time(twscope_build_info{job="twscope"}[1m])')" -ge 2 ] 2>/dev/null; }

wait_until 30 ready || { fail "prometheus not ready: $(tail -5 "$TW_TMP/prom.log")"; done_test; }
wait_until 30 two_scrapes || { fail "prometheus did not scrape twice: $(tail -5 "$TW_TMP/prom.log")"; done_test; }
pass "prometheus scraped twscope at least twice"

check_eq "up" 1 "$(q 'up{job="twscope"}')"
check_eq "time_wait client" 30 "$(q 'twscope_time_wait_sockets{side="client"}')"
check_eq "time_wait server" 0 "$(q 'twscope_time_wait_sockets{side="server"}')"
check_eq "established" 6 "$(q 'twscope_sockets{state="established",family="ipv4"}')"
check_eq "dest ports used" 33 \
	"$(q 'twscope_destination_ports_used{local="127.0.0.1",remote="127.0.0.1",remote_port="9000"}')"
check_eq "histogram count" 30 "$(q 'twscope_time_wait_remaining_seconds_count')"
check_eq "tcpext tw" 30 "$(q 'twscope_tcpext_tw_total')"
check_eq "scrape errors" 0 "$(q 'twscope_scrape_errors_total')"
check_eq "series per scrape (no sample rejected)" 0 "$(q 'scrape_samples_scraped{job="twscope"} - scrape_samples_post_metric_relabeling{job="twscope"}')"

# The alerting rules loaded and evaluate without error.
R=$TW_TMP/rules.json
curl -s -m 5 "$PROM/api/v1/rules" >"$R"
check_eq "rules loaded" 7 "$(jq '[.data.groups[].rules[]] | length' "$R")"
wait_until 10 bash -c "curl -s -m 5 '$PROM/api/v1/rules' | jq -e '[.data.groups[].rules[] | select(.health != \"ok\")] | length == 0 and ([.data.groups[].rules[] | select(.lastEvaluation | startswith(\"0001\"))] | length == 0)' >/dev/null"
check_eq "rules healthy" 0 "$(curl -s -m 5 "$PROM/api/v1/rules" | jq '[.data.groups[].rules[] | select(.health != "ok")] | length')"

# Every dashboard query parses and runs.
bad=0
while IFS= read -r e; do
	e=${e//\$instance/.*}
	e=${e//\$__rate_interval/1m}
	st=$(curl -s -m 5 -G "$PROM/api/v1/query" --data-urlencode "query=$e" | jq -r .status)
	[ "$st" = success ] || { bad=$((bad + 1)); echo "dashboard query failed: $e"; }
done < <(jq -r '.panels[].targets[].expr' "$REPO/deploy/grafana/twscope.json")
check_eq "dashboard queries accepted" 0 "$bad"
check_eq "dashboard shows TIME_WAIT for this instance" 30 \
	"$(q "$(jq -r '.panels[0].targets[0].expr' "$REPO/deploy/grafana/twscope.json" | sed 's/\$instance/.*/')")"
done_test
