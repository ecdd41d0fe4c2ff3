#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# serve --web.config.file: TLS and basic auth. A test CA and server
# certificate are made here with openssl, the bcrypt hash with the bcrypt
# helper (libcrypt). curl: 200 with the right credentials on every path, 401
# with WWW-Authenticate without or with wrong ones, plain HTTP to the TLS port
# gets no answer. A real Prometheus scrapes over HTTPS with basic auth and
# must see the exact population. Then client certificates
# (RequireAndVerifyClientCert) and the config errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/serve-lib.sh"
require ROOT NETNS JQ SS
command -v curl >/dev/null || skip "curl missing (make deps)"
command -v openssl >/dev/null || skip "openssl missing (make deps)"
command -v prometheus >/dev/null || skip "prometheus missing (Debian package prometheus; make deps)"
[ -x "$HELPERS/bcrypt" ] || skip "helper $HELPERS/bcrypt not built"

# A CA, a server certificate for 127.0.0.1 and a client certificate, all P-256.
D=$TW_TMP/pki
mkdir -p "$D"
cert() { # NAME CN EXT: key + certificate signed by the test CA
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$2" \
		-keyout "$D/$1.key" -out "$D/$1.csr" 2>/dev/null &&
	printf '%s\n' "$3" >"$D/$1.ext" &&
	openssl x509 -req -in "$D/$1.csr" -CA "$D/ca.crt" -CAkey "$D/ca.key" -CAcreateserial \
		-days 2 -extfile "$D/$1.ext" -out "$D/$1.crt" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=twscope-test-ca -keyout "$D/ca.key" -out "$D/ca.crt" 2>/dev/null || { fail "openssl CA"; done_test; }
cert server 127.0.0.1 'subjectAltName=IP:127.0.0.1' || { fail "openssl server cert"; done_test; }
cert client scraper 'extendedKeyUsage=clientAuth' || { fail "openssl client cert"; done_test; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=intruder -keyout "$D/self.key" -out "$D/self.crt" 2>/dev/null || { fail "openssl self-signed"; done_test; }
chmod 600 "$D"/*.key
HASH=$("$HELPERS/bcrypt" 's3cret pass' 10)
cat >"$D/web.yml" <<CONF
# relative file names are relative to this file
tls_server_config:
  cert_file: server.crt
  key_file: $D/server.key
basic_auth_users:
  alice: '$HASH'
CONF

setup_ns NS
sockpop "$NS" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 30 estab 127.0.0.1:9000 3

# serve_tls OUTVAR ARGS...: serve in the background until "listening on https://"; the URL in OUTVAR.
serve_tls() {
	local var=$1 err=$TW_TMP/serve.$RANDOM.err; shift
	"$TWSCOPE" serve --listen 127.0.0.1:0 "$@" 2>"$err" &
	TW_PIDS+=($!)
	LAST_PID=$!
	wait_until 10 grep -q 'listening on' "$err" || { fail "serve did not start: $(cat "$err")"; done_test; }
	printf -v "$var" '%s' "$(sed -n 's|.*listening on \(https://127\.0\.0\.1:[0-9]*\)/metrics$|\1|p' "$err")"
	LAST_ERR=$err
}
serve_tls URL --netns "$NS" --web.config.file "$D/web.yml"
SERVE=$LAST_PID
check_eq "no warning on loopback with TLS and auth" "" "$(grep -c warning "$LAST_ERR" | grep -v '^0$')"
code() { curl -s -o /dev/null -m 10 -w '%{http_code}' --cacert "$D/ca.crt" "$@"; }

check_eq "/metrics with the right credentials" 200 "$(code -u 'alice:s3cret pass' "$URL/metrics")"
check_eq "/healthz with the right credentials" 200 "$(code -u 'alice:s3cret pass' "$URL/healthz")"
check_eq "/ with the right credentials" 200 "$(code -u 'alice:s3cret pass' "$URL/")"
check_eq "/metrics without credentials" 401 "$(code "$URL/metrics")"
check_eq "/healthz without credentials" 401 "$(code "$URL/healthz")"
check_eq "wrong password" 401 "$(code -u 'alice:s3cret pas' "$URL/metrics")"
check_eq "unknown user" 401 "$(code -u 'bob:s3cret pass' "$URL/metrics")"
check_eq "right password, wrong user case" 401 "$(code -u 'Alice:s3cret pass' "$URL/metrics")"
check_eq "WWW-Authenticate on 401" 'WWW-Authenticate: Basic realm="twscope"' \
	"$(curl -s -m 10 -D - -o /dev/null --cacert "$D/ca.crt" "$URL/metrics" | tr -d '\r' | grep -i '^www-authenticate')"
check_eq "plain HTTP to the TLS port: no answer" 000 \
	"$(curl -s -o /dev/null -m 5 -w '%{http_code}' -u 'alice:s3cret pass' "${URL/https/http}/metrics")"
check_eq "HTTPS without trusting the test CA fails" 000 \
	"$(curl -s -o /dev/null -m 5 -w '%{http_code}' -u 'alice:s3cret pass' "$URL/metrics")"
curl -s -m 10 --cacert "$D/ca.crt" -u 'alice:s3cret pass' "$URL/metrics" >"$TW_TMP/m.txt"
check_eq "TIME_WAIT over HTTPS" 30 "$(metric "$TW_TMP/m.txt" 'twscope_time_wait_sockets{side="client"}')"
# Many authenticated requests in a row stay fast: the good password is cached, not re-hashed.
start=$(date +%s%N)
n200=0
for i in $(seq 1 30); do [ "$(code -u 'alice:s3cret pass' "$URL/healthz")" = 200 ] && n200=$((n200 + 1)); done
ms=$((($(date +%s%N) - start) / 1000000))
check_eq "30 authenticated requests" 30 "$n200"
[ "$ms" -lt 6000 ] && pass "30 authenticated requests in ${ms} ms" || fail "30 authenticated requests took ${ms} ms"

# A flood of wrong passwords (bcrypt is slow): at most two verifications run at a time, the
# rest get 503 at once, and the already verified scraper is answered quickly all along.
att=()
for j in 1 2 3 4; do
	(for i in $(seq 1 25); do code -u "alice:wrong$j-$i" "$URL/healthz"; echo; done >"$TW_TMP/att.$j") &
	att+=($!)
done
good=0
for i in $(seq 1 5); do
	t=$(curl -s -o /dev/null -m 10 -w '%{http_code} %{time_total}' --cacert "$D/ca.crt" -u 'alice:s3cret pass' "$URL/metrics")
	[ "${t% *}" = 200 ] && awk -v t="${t#* }" 'BEGIN { exit !(t < 1.5) }' && good=$((good + 1)) || echo "scrape during the flood: $t"
done
wait "${att[@]}"
check_eq "scrapes answered within 1.5 s during a wrong-password flood" 5 "$good"
check_eq "flood answers are only 401 or 503" "" "$(cat "$TW_TMP"/att.* | grep -v '^\(401\|503\)$')"

# A real Prometheus scrapes over HTTPS with basic auth.
PP=$(free_port) || { fail "no free port for prometheus"; done_test; }
cat >"$TW_TMP/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: twscope
    scheme: https
    tls_config:
      ca_file: $D/ca.crt
    basic_auth:
      username: alice
      password: 's3cret pass'
    static_configs:
      - targets: ['${URL#https://}']
CONF
prometheus --config.file="$TW_TMP/prometheus.yml" --storage.tsdb.path="$TW_TMP/tsdb" \
	--web.listen-address="127.0.0.1:$PP" --log.level=warn >"$TW_TMP/prom.log" 2>&1 &
TW_PIDS+=($!)
PROM=http://127.0.0.1:$PP
q() { curl -s -m 5 -G "$PROM/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'; }
two_scrapes() { [ "$(q 'count_over_time(twscope_build_info{job="twscope"}[1m])')" -ge 2 ] 2>/dev/null; }
wait_until 40 two_scrapes || fail "prometheus did not scrape over HTTPS: $(tail -5 "$TW_TMP/prom.log"); $(curl -s -m 5 "$PROM/api/v1/targets" | jq -c '.data.activeTargets[0].lastError')"
check_eq "prometheus: up" 1 "$(q 'up{job="twscope"}')"
check_eq "prometheus: TIME_WAIT client over HTTPS + basic auth" 30 "$(q 'twscope_time_wait_sockets{side="client"}')"
check_eq "prometheus: established" 6 "$(q 'twscope_sockets{state="established",family="ipv4"}')"
kill -TERM "$SERVE"; wait "$SERVE"
check_eq "SIGTERM exit" 0 "$?"

# Client certificates: RequireAndVerifyClientCert with the test CA.
cat >"$D/mtls.yml" <<CONF
tls_server_config:
  cert_file: server.crt
  key_file: server.key
  client_ca_file: ca.crt
  client_auth_type: RequireAndVerifyClientCert
CONF
serve_tls URL2 --web.config.file "$D/mtls.yml"
check_eq "client certificate: 200" 200 "$(code --cert "$D/client.crt" --key "$D/client.key" "$URL2/healthz")"
check_eq "no client certificate: 403" 403 "$(code "$URL2/healthz")"
check_eq "self-signed client certificate: 403" 403 "$(code --cert "$D/self.crt" --key "$D/self.key" "$URL2/healthz")"

# Config errors: one line naming the key, exit 2; unreadable files exit 1.
bad() { # NAME EXIT EXPECTED-TEXT YAML
	printf '%s\n' "$4" >"$D/bad.yml"
	"$TWSCOPE" serve --listen 127.0.0.1:0 --web.config.file "$D/bad.yml" >/dev/null 2>"$TW_TMP/bad.err"
	check_eq "$1: exit" "$2" "$?"
	check_eq "$1: one line" 1 "$(wc -l <"$TW_TMP/bad.err")"
	grep -qF -- "$3" "$TW_TMP/bad.err" && pass "$1: names '$3'" || fail "$1: $(cat "$TW_TMP/bad.err")"
}
bad "unknown top-level key" 2 "unknown key 'tls_config'" "tls_config: {}"
bad "unknown tls key" 2 "unknown key 'tls_server_config.certfile'" $'tls_server_config:\n  certfile: a'
bad "unsupported key" 2 "'tls_server_config.cipher_suites' is not supported" $'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: [a]'
bad "missing key_file" 2 "'tls_server_config.key_file' is missing" $'tls_server_config:\n  cert_file: server.crt'
bad "not a bcrypt hash" 2 "'basic_auth_users.bob' is not a bcrypt hash" $'basic_auth_users:\n  bob: secret'
bad "bad client_auth_type" 2 "client_auth_type" $'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: Maybe'
bad "duplicate user" 2 "duplicate key 'basic_auth_users.a'" $'basic_auth_users:\n  a: '"'$HASH'"$'\n  a: '"'$HASH'"
bad "bad YAML" 2 "bad YAML at line 3: did not find expected ','" $'basic_auth_users:\n  a: [b'
bad "missing cert file" 1 "cannot read cert_file '$D/nope.crt'" $'tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key'
bad "key of another certificate" 2 "cannot use cert_file" $'tls_server_config:\n  cert_file: server.crt\n  key_file: client.key'
"$TWSCOPE" serve --listen 127.0.0.1:0 --web.config.file "$D/missing.yml" 2>"$TW_TMP/bad.err"
check_eq "missing config file: exit" 1 "$?"
check_eq "missing config file: message" "twscope serve: --web.config.file '$D/missing.yml': No such file or directory" "$(cat "$TW_TMP/bad.err")"

# A key file every user can read: a warning, still serves.
chmod 644 "$D/server.key"
serve_tls URL3 --web.config.file "$D/web.yml"
grep -q "warning: key_file '$D/server.key' is readable by every user" "$LAST_ERR" &&
	pass "warning for a world-readable key" || fail "no key warning: $(cat "$LAST_ERR")"
check_eq "serves with a world-readable key" 200 "$(code -u 'alice:s3cret pass' "$URL3/healthz")"
done_test
