#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: help, usage errors (exit 2), and the one-line message naming the
# missing capability when run without privileges (exit 1).
# Self-contained (exit 0 pass, 1 fail, 77 skip).
set -u
TWSCOPE=${TWSCOPE:-./twscope}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

timeout 10 "$TWSCOPE" trace --help >"$TMP/help"; rc=$?
[ "$rc" = 0 ] || fail "--help exited $rc"
tail -n 6 "$TMP/help" | grep -q "^EXAMPLES" || fail "help does not end with EXAMPLES"
timeout 10 "$TWSCOPE" help trace >"$TMP/help2" || fail "'help trace' failed"
cmp -s "$TMP/help" "$TMP/help2" || fail "'help trace' differs from 'trace --help'"

for bad in "--pid 0" "--pid x" "--port 70000" "--interval 0" "--duration -1" \
	   "--comm 0123456789abcdef" "--bogus" "extra" "--duration"; do
	# shellcheck disable=SC2086
	timeout 10 "$TWSCOPE" trace $bad >"$TMP/o" 2>"$TMP/e"; rc=$?
	[ "$rc" = 2 ] || fail "'trace $bad' exited $rc, want 2"
	[ -s "$TMP/o" ] && fail "'trace $bad' wrote to stdout"
	grep -q "try 'twscope trace --help'" "$TMP/e" || fail "'trace $bad': no hint"
done

if timeout 10 "$TWSCOPE" trace -d 0.01 2>&1 | grep -q "without BPF"; then
	echo "ok: usage checks (built without BPF)"
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "ok: usage checks (no privilege check: not root)"; exit 0; }
command -v setpriv >/dev/null 2>&1 || { echo "ok: usage checks (no setpriv)"; exit 0; }
timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all "$TWSCOPE" trace -d 1 >"$TMP/o" 2>"$TMP/e"; rc=$?
[ "$rc" = 1 ] || fail "unprivileged trace exited $rc, want 1"
[ "$(wc -l <"$TMP/e")" = 1 ] || fail "unprivileged: want one line, got: $(cat "$TMP/e")"
grep -q "CAP_BPF" "$TMP/e" || fail "unprivileged: message does not name CAP_BPF: $(cat "$TMP/e")"
timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	--bounding-set=-all "$TWSCOPE" trace -d 1 --json >"$TMP/o" 2>/dev/null
jq -e '.code == 1 and (.error | length > 0)' "$TMP/o" >/dev/null ||
	fail "unprivileged --json: no error document"
echo "ok: usage checks, unprivileged: $(cat "$TMP/e")"
exit 0
