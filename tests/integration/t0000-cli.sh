#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The command table: --help, --version, help <cmd>, unknown commands and options.
. "$(dirname "$0")/lib.sh"

"$TWSCOPE" --version >"$TW_TMP/v"; check_eq "--version exit" 0 $?
case $(cat "$TW_TMP/v") in "twscope "[0-9]*) pass "--version text" ;; *) fail "--version: $(cat "$TW_TMP/v")" ;; esac
"$TWSCOPE" --help >"$TW_TMP/h"; check_eq "--help exit" 0 $?
grep -q EXAMPLES "$TW_TMP/h" && pass "--help has EXAMPLES" || fail "--help lacks EXAMPLES"
"$TWSCOPE" >"$TW_TMP/o" 2>"$TW_TMP/e"; check_eq "no command exit" 2 $?
# No command is a usage error: the usage goes to stderr, stdout stays empty.
check_eq "no command: nothing on stdout" 0 "$(wc -c <"$TW_TMP/o")"
check_eq "no command: usage on stderr" 1 "$(grep -c '^usage: twscope' "$TW_TMP/e")"

"$TWSCOPE" stats >/dev/null 2>"$TW_TMP/e"; check_eq "unknown command exit" 2 $?
grep -q "The most similar command is" "$TW_TMP/e" && pass "did you mean" || fail "no suggestion: $(cat "$TW_TMP/e")"
"$TWSCOPE" --bogus >/dev/null 2>&1; check_eq "unknown global option exit" 2 $?
"$TWSCOPE" --versoin >/dev/null 2>"$TW_TMP/e"
check_eq "global option did you mean" "twscope: unknown option '--versoin'; did you mean '--version'?" "$(head -1 "$TW_TMP/e")"

# Mistyped options get the closest option of that command, like mistyped commands.
"$TWSCOPE" stat --jsn >/dev/null 2>"$TW_TMP/e"; check_eq "stat --jsn exit" 2 $?
check_eq "stat --jsn did you mean" "twscope stat: unknown option '--jsn'; did you mean '--json'?" "$(head -1 "$TW_TMP/e")"
"$TWSCOPE" doctor --intervl=2 >/dev/null 2>"$TW_TMP/e"; check_eq "doctor --intervl exit (UNKNOWN)" 3 $?
check_eq "doctor --intervl did you mean" "twscope doctor: unknown option '--intervl=2'; did you mean '--interval'?" "$(head -1 "$TW_TMP/e")"
"$TWSCOPE" serve --listne 127.0.0.1:1 >/dev/null 2>"$TW_TMP/e"; check_eq "serve --listne exit" 2 $?
check_eq "serve --listne did you mean" "twscope serve: unknown option '--listne'; did you mean '--listen'?" "$(head -1 "$TW_TMP/e")"
"$TWSCOPE" lab list --qiuck >/dev/null 2>"$TW_TMP/e"
check_eq "lab --qiuck did you mean" "twscope lab: unknown option '--qiuck'; did you mean '--quick'?" "$(head -1 "$TW_TMP/e")"
"$TWSCOPE" stat --zzzzzzzz >/dev/null 2>"$TW_TMP/e"
check_eq "far-off option: no suggestion" "twscope stat: unknown option '--zzzzzzzz'" "$(head -1 "$TW_TMP/e")"
# Exact names only: no prefix matching.
"$TWSCOPE" st >/dev/null 2>&1; check_eq "prefix is not a command" 2 $?

for cmd in stat doctor lab serve trace explain graph report; do
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
