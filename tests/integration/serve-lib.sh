# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the t3xxx serve tests; source after lib.sh.

# start_serve ARGS...: run `twscope serve --listen 127.0.0.1:0 ARGS` in the
# background and wait (10 s at most) for its "listening on" line.
# Sets SERVE_PID, SERVE_PORT, SERVE_URL and SERVE_ERR (its stderr file).
start_serve() {
	SERVE_ERR=$TW_TMP/serve.$RANDOM.err
	: >"$SERVE_ERR"
	"$TWSCOPE" serve --listen 127.0.0.1:0 "$@" 2>"$SERVE_ERR" &
	SERVE_PID=$!
	TW_PIDS+=("$SERVE_PID")
	if ! wait_until 10 grep -q 'listening on' "$SERVE_ERR"; then
		echo "serve did not start: $(cat "$SERVE_ERR")"; exit 1
	fi
	SERVE_PORT=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' "$SERVE_ERR")
	SERVE_URL=http://127.0.0.1:$SERVE_PORT
}

# http_code URL [CURL-ARGS...]: the status code (000 when no answer).
http_code() {
	local url=$1; shift
	curl -s -o /dev/null -m 10 -w '%{http_code}' "$@" "$url"
}

# metric FILE SAMPLE: the value of one exact sample line ("name{labels}") in FILE.
metric() {
	awk -v s="$2" 'index($0, s " ") == 1 { print substr($0, length(s) + 2) }' "$1"
}

# free_port: a loopback TCP port nobody listens on (random in 20000-29999).
free_port() {
	local p i
	for i in $(seq 1 50); do
		p=$((20000 + RANDOM % 10000))
		[ -z "$(ss -Htln "sport = :$p")" ] && { echo "$p"; return 0; }
	done
	return 1
}
