#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# deploy/systemd/twscope-record.service: systemd-analyze verify passes, it
# has the serve unit's hardening, its ExecStart runs (a few seconds, as the
# unit would: --db inside its StateDirectory) and stops on SIGTERM with 0.
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
U=$REPO/deploy/systemd/twscope-record.service

# Every hardening line of the serve unit is in the recorder's unit too.
while read -r k; do
	grep -qxF "$k" "$U" && pass "has $k" || fail "lacks $k (serve's unit has it)"
done < <(grep -E '^(NoNewPrivileges|CapabilityBoundingSet|AmbientCapabilities|Protect[A-Za-z]*|Private[A-Za-z]*|Restrict[A-Za-z]*|LockPersonality|MemoryDenyWriteExecute|RemoveIPC|SystemCall[A-Za-z]*|UMask|DynamicUser)=' \
	"$REPO/deploy/systemd/twscope.service")
dir=$(sed -n 's/^StateDirectory=//p' "$U")
db=$(sed -n 's/^ExecStart=.* --db \([^ ]*\).*/\1/p' "$U")
check_eq "--db is inside StateDirectory" "/var/lib/$dir/history.db" "$db"

if command -v systemd-analyze >/dev/null; then
	T=$TW_TMP/twscope-record.service
	sed "s|/usr/local/bin/twscope|$TWSCOPE|" "$U" >"$T"
	out=$(systemd-analyze verify --man=no "$T" 2>&1); rc=$?
	check_eq "systemd-analyze verify exit" 0 "$rc"
	check_eq "systemd-analyze verify output" "" "$out"
else
	echo "note: systemd-analyze missing, unit not verified"
fi

# The command line of ExecStart, with the database moved under TW_TMP.
args=$(sed -n 's/^ExecStart=[^ ]* //p' "$U" | sed "s|/var/lib/$dir/|$TW_TMP/|")
# shellcheck disable=SC2086
"$TWSCOPE" $args 2>"$TW_TMP/err" &
P=$!
TW_PIDS+=($P)
ready() { [ "$("$TWSCOPE" history --db "$TW_TMP/history.db" --json 2>/dev/null | jq '.series | length' 2>/dev/null)" -gt 0 ] 2>/dev/null; }
if command -v jq >/dev/null && wait_until 20 ready; then pass "ExecStart records"
else fail "ExecStart does not record: $(cat "$TW_TMP/err")"; fi
kill -TERM "$P"
wait "$P"
check_eq "SIGTERM exit" 0 "$?"
done_test
