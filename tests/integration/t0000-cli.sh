#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The command table: --help, --version, help <cmd>, unknown commands and options.
. "$(dirname "$0")/lib.sh"

"$TWSCOPE" --version >"$TW_TMP/v"; check_eq "--version exit" 0 $?
case $(cat "$TW_TMP/v") in "twscope "[0-9]*) pass "--version text" ;; *) fail "--version: $(cat "$TW_TMP/v")" ;; esac
"$TWSCOPE" --help >"$TW_TMP/h"; check_eq "--help exit" 0 $?
grep -q EXAMPLES "$TW_TMP/h" && pass "--help has EXAMPLES" || fail "--help lacks EXAMPLES"
"$TWSCOPE" >/dev/null 2>&1; check_eq "no command exit" 2 $?

"$TWSCOPE" stats >/dev/null 2>"$TW_TMP/e"; check_eq "unknown command exit" 2 $?
grep -q "The most similar command is" "$TW_TMP/e" && pass "did you mean" || fail "no suggestion: $(cat "$TW_TMP/e")"
"$TWSCOPE" --bogus >/dev/null 2>&1; check_eq "unknown global option exit" 2 $?
# Exact names only: no prefix matching.
"$TWSCOPE" st >/dev/null 2>&1; check_eq "prefix is not a command" 2 $?

for cmd in stat doctor lab serve trace explain; do
	"$TWSCOPE" help "$cmd" >"$TW_TMP/a" 2>&1; ra=$?
	"$TWSCOPE" "$cmd" --help >"$TW_TMP/b" 2>&1; rb=$?
	check_eq "help $cmd exit" 0 "$ra"
	check_eq "$cmd --help exit" 0 "$rb"
	cmp -s "$TW_TMP/a" "$TW_TMP/b" && pass "help $cmd == $cmd --help" || fail "help $cmd differs from $cmd --help"
	grep -q EXAMPLES "$TW_TMP/b" && pass "$cmd help has EXAMPLES" || fail "$cmd help lacks EXAMPLES"
done
"$TWSCOPE" help nosuch >/dev/null 2>&1; check_eq "help nosuch exit" 2 $?

# A write error on stdout is a failure, not a silent success.
if [ -w /dev/full ]; then
	"$TWSCOPE" stat --help >/dev/full 2>/dev/null; check_eq "write error exit" 1 $?
fi
done_test
