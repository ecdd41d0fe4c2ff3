#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A fresh namespace is healthy (exit 0, nothing above info, nagios OK line);
# bad input (also a null or FIFO bundle) gives exit 3 (UNKNOWN) with one
# clear line on stderr.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

setup_ns NS
J=$TW_TMP/a.json
nsexec "$NS" "$TWSCOPE" doctor --json --interval 0.2 >"$J"
check_eq "fresh exit" 0 "$?"
check_eq "fresh overall" ok "$(jqv "$J" .overall)"
check_eq "nothing above info" "" "$(jqv "$J" '[.findings[] | select(.severity != "ok" and .severity != "info") | .id] | join(",")')"
check_eq "all rules reported" "$("$TWSCOPE" doctor --list-rules | wc -l)" "$(jqv "$J" '.findings | length')"
check_eq "interval honoured" 0.2 "$(jqv "$J" '.interval_sec | . * 10 | round / 10')"
line=$(nsexec "$NS" "$TWSCOPE" doctor --format nagios --interval 0 | head -1)
case $line in "TWSCOPE OK - no TIME_WAIT problems "*" | time_wait=0;;;0 "*) pass "nagios OK line" ;; *) fail "nagios: $line" ;; esac

# Usage errors: exit 3, first stderr line names the problem.
"$TWSCOPE" doctor --bogus >/dev/null 2>"$TW_TMP/err"
check_eq "unknown flag exit" 3 "$?"
check_eq "unknown flag message" "twscope doctor: unknown option '--bogus'" "$(head -1 "$TW_TMP/err")"
"$TWSCOPE" doctor --interval abc >/dev/null 2>&1
check_eq "bad interval exit" 3 "$?"
"$TWSCOPE" doctor --load "$TW_TMP/missing.json" >/dev/null 2>"$TW_TMP/err"
check_eq "missing bundle exit" 3 "$?"
check_eq "missing bundle one line" 1 "$(wc -l <"$TW_TMP/err")"
echo '{"schema": 1, "kind": "twscope-doctor-bundle", "kernel": 5}' >"$TW_TMP/bad.json"
"$TWSCOPE" doctor --load "$TW_TMP/bad.json" --json >"$TW_TMP/out" 2>"$TW_TMP/err"
check_eq "malformed bundle exit" 3 "$?"
check_eq "malformed bundle JSON error" 3 "$(jqv "$TW_TMP/out" .code)"
case $(cat "$TW_TMP/err") in *"bundle field 'kernel': must be a string"*) pass "malformed reason" ;; *) fail "reason: $(cat "$TW_TMP/err")" ;; esac
echo 'not json' >"$TW_TMP/bad2.json"
"$TWSCOPE" doctor --load "$TW_TMP/bad2.json" >/dev/null 2>&1
check_eq "not-JSON bundle exit" 3 "$?"
echo null >"$TW_TMP/null.json"
"$TWSCOPE" doctor --load "$TW_TMP/null.json" >/dev/null 2>"$TW_TMP/err"
check_eq "null bundle exit" 3 "$?"
check_eq "null bundle message" "twscope doctor: cannot load '$TW_TMP/null.json': bundle must be a JSON object, not null" "$(cat "$TW_TMP/err")"
# A FIFO blocked open() forever: refused at once, one line, UNKNOWN.
mkfifo "$TW_TMP/fifo"
timeout 5 "$TWSCOPE" doctor --load "$TW_TMP/fifo" >/dev/null 2>"$TW_TMP/err"
check_eq "FIFO bundle exit" 3 "$?"
check_eq "FIFO bundle message" "twscope doctor: cannot load '$TW_TMP/fifo': not a regular file" "$(cat "$TW_TMP/err")"
"$TWSCOPE" doctor --load "$TW_TMP/bad.json" --netns "$NS" >/dev/null 2>&1
check_eq "--load with --netns exit" 3 "$?"
"$TWSCOPE" doctor --netns no-such-ns-$$ >/dev/null 2>&1
check_eq "missing netns exit" 3 "$?"
done_test
