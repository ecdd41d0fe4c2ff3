#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A process that names itself "ESC]0;pwned BEL ESC[2J \xff" (retitle and
# clear the admin's terminal, then an invalid UTF-8 byte) holds 60
# CLOSE_WAIT sockets. doctor's table and Nagios output carry no control
# byte and show the name escaped; --json and the --save bundle are valid
# UTF-8 that jq reads back; a --load of that bundle renders as safely.
# Values are compared in hex so this log never carries the escapes either.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ
command -v iconv >/dev/null || skip "iconv missing"

EVIL=$'\e]0;pwned\a\e[2J\xff'
# Control bytes but '\n' (C0, DEL) in FILE.
ctl_bytes() { od -An -v -tx1 "$1" | tr -s ' ' '\n' | grep -cxE '0[0-9b-f]|1[0-9a-f]|7f'; }
# Bytes outside printable ASCII and '\n' in FILE.
non_ascii() { od -An -v -tx1 "$1" | tr -s ' ' '\n' | grep -cxE '0[0-9b-f]|1[0-9a-f]|7f|[89a-f][0-9a-f]'; }
hex() { od -An -v -tx1 | tr -d ' \n'; }
utf8_ok() { iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 && echo yes || echo no; }

setup_ns NS
sockpop "$NS" comm "$EVIL" listen 127.0.0.1:9000 close-wait 127.0.0.1:9000 60
OWNER=${TW_PIDS[0]}
check_eq "the owner's comm is hostile" "$(printf '%s' "$EVIL" | hex)0a" "$(hex </proc/"$OWNER"/comm)"

# check_text WHAT FILE: no control byte, valid UTF-8, the name shown escaped.
check_text() {
	check_eq "$1: control bytes" 0 "$(ctl_bytes "$2")"
	check_eq "$1: valid UTF-8" yes "$(utf8_ok "$2")"
	check_eq "$1: owner shown escaped" 1 \
		"$(grep -cF "pid $OWNER (\\x1b]0;pwned\\x07\\x1b[2J\\xff) holds 60" "$2")"
}
# check_nagios WHAT FILE: printable ASCII only, one '|' and it is on line 1.
check_nagios() {
	check_eq "$1: bytes outside printable ASCII" 0 "$(non_ascii "$2")"
	check_eq "$1: '|' on the status line" 1 "$(head -n 1 "$2" | tr -cd '|' | wc -c)"
	check_eq "$1: '|' after it" 0 "$(tail -n +2 "$2" | tr -cd '|' | wc -c)"
}
# check_json WHAT FILE: valid UTF-8, parsed by jq, no raw control byte, U+FFFD for \xff.
check_json() {
	check_eq "$1: valid UTF-8" yes "$(utf8_ok "$2")"
	check_eq "$1: jq parses it" 0 "$(jq empty "$2" >/dev/null 2>&1; echo $?)"
	check_eq "$1: control bytes" 0 "$(ctl_bytes "$2")"
}
COMM_HEX=$(printf '%s' $'\e]0;pwned\a\e[2J\xef\xbf\xbd' | hex)
F='.findings[] | select(.id == "close-wait-leak")'

"$TWSCOPE" doctor --netns "$NS" --interval 0 >"$TW_TMP/table"
check_eq "table: exit (warning)" 1 $?
check_text table "$TW_TMP/table"
"$TWSCOPE" doctor --netns "$NS" --interval 0 --format nagios >"$TW_TMP/nagios"
check_eq "nagios: exit (warning)" 1 $?
check_nagios nagios "$TW_TMP/nagios"
"$TWSCOPE" doctor --netns "$NS" --interval 0 --json --save "$TW_TMP/b.json" >"$TW_TMP/j"
check_eq "json: exit (warning)" 1 $?
check_json json "$TW_TMP/j"
check_json bundle "$TW_TMP/b.json"
check_eq "json: owner comm" "$COMM_HEX" "$(jq -j "$F | .data.owner_comm" "$TW_TMP/j" | hex)"
check_eq "bundle: owner comm" "$COMM_HEX" \
	"$(jq -j '.close_wait.owners[0].comm' "$TW_TMP/b.json" | hex)"
check_eq "bundle: owner pid" "$OWNER" "$(jqv "$TW_TMP/b.json" '.close_wait.owners[0].pid')"

# The saved bundle renders the same way: sanitised at render time, not only at collection.
"$TWSCOPE" doctor --load "$TW_TMP/b.json" >"$TW_TMP/ltable"
check_eq "load table: exit" 1 $?
check_eq "load table: control bytes" 0 "$(ctl_bytes "$TW_TMP/ltable")"
check_eq "load table: valid UTF-8" yes "$(utf8_ok "$TW_TMP/ltable")"
"$TWSCOPE" doctor --load "$TW_TMP/b.json" --format nagios >"$TW_TMP/lnagios"
check_nagios "load nagios" "$TW_TMP/lnagios"
"$TWSCOPE" doctor --load "$TW_TMP/b.json" --json >"$TW_TMP/lj"
check_json "load json" "$TW_TMP/lj"
check_eq "load json: owner comm" "$COMM_HEX" "$(jq -j "$F | .data.owner_comm" "$TW_TMP/lj" | hex)"

# JSON is UTF-8: a bundle edited by hand with a raw \xff is refused in one line.
sed 's/pwned/pw\xffned/' "$TW_TMP/b.json" >"$TW_TMP/bad.json"
"$TWSCOPE" doctor --load "$TW_TMP/bad.json" >/dev/null 2>"$TW_TMP/bad.err"
check_eq "raw invalid UTF-8 bundle: exit" 3 $?
check_eq "raw invalid UTF-8 bundle: one line" 1 "$(wc -l <"$TW_TMP/bad.err")"
# Escapes are valid JSON: kept as loaded, made safe when shown.
jq --arg k $'6.1\e]0;k\a' '.kernel = $k | .netns = "ns\u001b[2J|x\ny"' "$TW_TMP/b.json" >"$TW_TMP/h.json"
"$TWSCOPE" doctor --load "$TW_TMP/h.json" >"$TW_TMP/htable"
check_eq "hand-made bundle: table control bytes" 0 "$(ctl_bytes "$TW_TMP/htable")"
check_eq "hand-made bundle: netns shown escaped" 1 \
	"$(head -n 1 "$TW_TMP/htable" | grep -cF 'netns ns\x1b[2J|x\x0ay')"
"$TWSCOPE" doctor --load "$TW_TMP/h.json" --format nagios >"$TW_TMP/hnagios"
check_nagios "hand-made bundle nagios" "$TW_TMP/hnagios"
"$TWSCOPE" doctor --load "$TW_TMP/h.json" --json >"$TW_TMP/hj"
check_json "hand-made bundle json" "$TW_TMP/hj"
done_test
