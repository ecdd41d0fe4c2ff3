#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: the owner of CLOSE_WAIT sockets names itself "ESC]0;pwned BEL
# ESC[2J \xff". The table shows the name escaped with no control byte, and
# the --json document is valid UTF-8 with U+FFFD for the \xff byte (it used
# to carry the raw byte). Compared in hex so this log stays clean.
. "$(dirname "$0")/lib.sh"
require_trace
command -v iconv >/dev/null || skip "iconv missing"
EVIL=$'\e]0;pwned\a\e[2J\xff'
PORT=9130
ctl_bytes() { od -An -v -tx1 "$1" | tr -s ' ' '\n' | grep -cxE '0[0-9b-f]|1[0-9a-f]|7f'; }
hex() { od -An -v -tx1 | tr -d ' \n'; }
utf8_ok() { iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 && echo yes || echo no; }

setup_ns NS
sockpop "$NS" comm "$EVIL" listen 127.0.0.1:$PORT close-wait 127.0.0.1:$PORT 3
POP=${TW_PIDS[-1]}

trace_start "$TW_TMP/j" --netns "$NS" --duration 30 --json
trace_stop json
check_eq "json: one document jq reads" 0 "$(jq empty "$TW_TMP/j" >/dev/null 2>&1; echo $?)"
check_eq "json: valid UTF-8" yes "$(utf8_ok "$TW_TMP/j")"
check_eq "json: control bytes" 0 "$(ctl_bytes "$TW_TMP/j")"
check_eq "json: CLOSE_WAIT owner pid" "$POP" \
	"$(jqv "$TW_TMP/j" '.close_wait[] | select(.local.port == '$PORT') | .pid')"
check_eq "json: CLOSE_WAIT owner comm" "$(printf '%s' $'\e]0;pwned\a\e[2J\xef\xbf\xbd' | hex)" \
	"$(jq -j '.close_wait[] | select(.local.port == '$PORT') | .comm' "$TW_TMP/j" | hex)"

trace_start "$TW_TMP/t" --netns "$NS" --duration 30
trace_stop table
check_eq "table: control bytes" 0 "$(ctl_bytes "$TW_TMP/t")"
check_eq "table: owner shown escaped" "$POP" \
	"$(grep -F ' \x1b]0;pwned\x07\x1b[2J\xff ' "$TW_TMP/t" | awk '{print $1}')"
done_test
