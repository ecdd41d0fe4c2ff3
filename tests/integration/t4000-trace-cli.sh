#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: help, usage errors (exit 2), and the one-line message naming the
# missing capability when run without privileges (exit 1).
. "$(dirname "$0")/lib.sh"
require JQ

timeout 10 "$TWSCOPE" trace --help >"$TW_TMP/help"
check_eq "--help exit code" 0 $?
check_eq "help ends with EXAMPLES" 1 "$(tail -n 6 "$TW_TMP/help" | grep -c "^EXAMPLES")"
timeout 10 "$TWSCOPE" help trace >"$TW_TMP/help2"
check_eq "'help trace' is 'trace --help'" 0 "$(cmp -s "$TW_TMP/help" "$TW_TMP/help2"; echo $?)"

for bad in "--pid 0" "--pid x" "--pid 4294967295" "--pid 2147483648" "--port 70000" "--interval 0" "--duration -1" \
	   "--comm 0123456789abcdef" "--bogus" "extra" "--duration"; do
	# shellcheck disable=SC2086
	timeout 10 "$TWSCOPE" trace $bad >"$TW_TMP/o" 2>"$TW_TMP/e"
	check_eq "'trace $bad' exit code" 2 $?
	check_eq "'trace $bad' stdout bytes" 0 "$(wc -c <"$TW_TMP/o")"
	check_eq "'trace $bad' hint" 1 "$(grep -c "try 'twscope trace --help'" "$TW_TMP/e")"
done

if timeout 10 "$TWSCOPE" trace -d 0.01 2>&1 | grep -q "without BPF"; then
	timeout 10 "$TWSCOPE" trace -d 0.01 --json >"$TW_TMP/o" 2>/dev/null
	check_eq "no-BPF exit code" 1 $?
	check_eq "no-BPF JSON error" "1 built without BPF support" \
		"$(jqv "$TW_TMP/o" '"\(.code) \(.error)"')"
	done_test
fi
# A pid that does not exist is refused in one line before anything is loaded.
true & GONE=$!
wait "$GONE"
for pid in 2147483647 "$GONE"; do
	timeout 10 "$TWSCOPE" trace -d 1 -p "$pid" >"$TW_TMP/o" 2>"$TW_TMP/e"
	check_eq "'trace -p $pid' (no such process) exit code" 2 $?
	check_eq "'trace -p $pid' stdout bytes" 0 "$(wc -c <"$TW_TMP/o")"
	check_eq "'trace -p $pid' one line" "1 1" \
		"$(wc -l <"$TW_TMP/e") $(grep -c "no process with pid $pid" "$TW_TMP/e")"
done
[ "$(id -u)" = 0 ] || { pass "no privilege check (not root)"; done_test; }
command -v setpriv >/dev/null 2>&1 || { pass "no privilege check (no setpriv)"; done_test; }
unpriv() {
	timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$TWSCOPE" trace -d 1 "$@"
}
unpriv >"$TW_TMP/o" 2>"$TW_TMP/e"
check_eq "unprivileged exit code" 1 $?
check_eq "unprivileged stderr lines" 1 "$(wc -l <"$TW_TMP/e")"
check_eq "unprivileged message names CAP_BPF" 1 "$(grep -c "CAP_BPF" "$TW_TMP/e")"
unpriv --json >"$TW_TMP/o" 2>/dev/null
check_eq "unprivileged --json error document" true \
	"$(jqv "$TW_TMP/o" '.code == 1 and (.error | length > 0)')"
done_test
