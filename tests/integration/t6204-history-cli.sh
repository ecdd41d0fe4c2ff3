#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# record/history usage errors (exit 2), runtime errors in one line (exit 1,
# valid JSON with --json), and `history --check` failing on a damaged file.
. "$(dirname "$0")/lib.sh"
require JQ

T=$TW_TMP
usage() {
	local what=$1; shift
	out=$("$@" 2>&1 >/dev/null); rc=$?
	check_eq "$what: exit" 2 "$rc"
	check_eq "$what: two lines (error + try)" 2 "$(printf '%s\n' "$out" | wc -l)"
}
usage "record --census-interval 0" "$TWSCOPE" record --db "$T/x.db" --census-interval 0
usage "record --max-size 12" "$TWSCOPE" record --db "$T/x.db" --max-size 12
usage "record --max-size 1T" "$TWSCOPE" record --db "$T/x.db" --max-size 1T
usage "record --top-destinations 101" "$TWSCOPE" record --db "$T/x.db" --top-destinations 101
usage "record extra argument" "$TWSCOPE" record --db "$T/x.db" extra
usage "history --tier 5m" "$TWSCOPE" history --db "$T/x.db" --tier 5m
usage "history --until before --since" "$TWSCOPE" history --db "$T/x.db" --since -1h --until -2h
usage "history --since 2026-02-30" "$TWSCOPE" history --db "$T/x.db" --since 2026-02-30
[ -e "$T/x.db" ] && fail "a usage error created the database"

out=$("$TWSCOPE" history --db "$T/none.db" 2>&1); rc=$?
check_eq "missing database: exit" 1 "$rc"
check_eq "missing database: message" "twscope history: cannot read '$T/none.db': No such file or directory" "$out"
echo "not sqlite" >"$T/text.db"
out=$("$TWSCOPE" history --db "$T/text.db" --json 2>/dev/null); rc=$?
check_eq "not a database: exit" 1 "$rc"
check_eq "not a database: JSON error" "'$T/text.db' is not a twscope history database" "$(jq -r .error <<<"$out")"
out=$("$TWSCOPE" record --db "$T/text.db" 2>&1); rc=$?
check_eq "record refuses a foreign file: exit" 1 "$rc"
check_eq "record refuses a foreign file: message" "twscope record: '$T/text.db' is not a twscope history database" "$out"
out=$("$TWSCOPE" record --db "$T/no/such/dir/h.db" 2>&1); rc=$?
check_eq "record in a missing directory: exit" 1 "$rc"
check_eq "record in a missing directory: one line" 1 "$(printf '%s\n' "$out" | wc -l)"

# A few seconds of recording, then damage one page in the middle: --check says so.
"$TWSCOPE" record --db "$T/h.db" --census-interval 1 2>/dev/null &
P=$!
TW_PIDS+=($P)
filled() { [ "$("$TWSCOPE" history --db "$T/h.db" --json 2>/dev/null | jq '[.series[].points[]] | length' 2>/dev/null || echo 0)" -ge 40 ]; }
wait_until 20 filled || fail "recorder wrote nothing"
out=$("$TWSCOPE" record --db "$T/h.db" 2>&1); rc=$?
check_eq "second recorder on one file: exit" 1 "$rc"
check_eq "second recorder on one file: message" "twscope record: another recorder is writing '$T/h.db'" "$out"
kill -TERM "$P"
wait "$P"
check_eq "record SIGTERM exit" 0 "$?"
check_eq "check on a good file" ok "$("$TWSCOPE" history --db "$T/h.db" --check)"
pages=$(( $(stat -c %s "$T/h.db") / 4096 ))
[ "$pages" -ge 4 ] || fail "only $pages pages"
dd if=/dev/urandom of="$T/h.db" bs=4096 seek=$((pages - 1)) count=1 conv=notrunc 2>/dev/null
out=$("$TWSCOPE" history --db "$T/h.db" --check 2>&1); rc=$?
check_eq "check on a damaged file: exit" 1 "$rc"
[ "$out" != ok ] && pass "check reports: $out" || fail "damaged file passed the check"
done_test
