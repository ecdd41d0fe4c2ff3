#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# --max-size: a history already over the cap (2 MB of old raw rows added
# beside a real recording, with python3's sqlite3) is cut back under it by
# the recorder: the oldest raw rows go first, one log line says up to when,
# freed pages go back to the file system, the newest samples stay, and
# history no longer picks the raw tier for the dropped time.
. "$(dirname "$0")/lib.sh"
require JQ
command -v python3 >/dev/null && python3 -c 'import sqlite3' 2>/dev/null || skip "python3 with sqlite3 missing"

DB=$TW_TMP/m.db
ERR=$TW_TMP/rec.err
"$TWSCOPE" record --db "$DB" 2>/dev/null &
P=$!
TW_PIDS+=($P)
has() { [ "$("$TWSCOPE" history --db "$DB" --json 2>/dev/null | jq '[.series[].points[]] | length' 2>/dev/null || echo 0)" -ge 10 ]; }
wait_until 20 has || { fail "no samples"; done_test; }
kill -TERM "$P"
wait "$P"

# 200 series x 600 s of raw rows, an hour ago: about 2 MB.
OLD=$(( $(date +%s) - 3600 ))
python3 - "$DB" "$OLD" <<'PY' || { fail "python3 could not fill the database"; done_test; }
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
old = int(sys.argv[2])
db.executemany("INSERT INTO raw VALUES (?, ?, ?)",
               ((old + t, 1000 + s, 123456.789 + t) for t in range(600) for s in range(200)))
db.commit()
db.close()
PY
before=$(stat -c %s "$DB")
[ "$before" -gt $((1536 * 1024)) ] && pass "filled to $before bytes" || fail "only $before bytes"

START=$(date +%s)
"$TWSCOPE" record --db "$DB" --max-size 1M 2>"$ERR" &
P=$!
TW_PIDS+=($P)
trimmed() { grep -q "over --max-size" "$ERR" && [ "$(stat -c %s "$DB")" -le $((1024 * 1024)) ]; }
if wait_until 30 trimmed; then pass "cut to $(stat -c %s "$DB") bytes: $(grep 'over --max-size' "$ERR")"
else fail "not cut: $(stat -c %s "$DB") bytes, log: $(cat "$ERR")"; fi
case $(grep "over --max-size" "$ERR" | head -1) in
*"(1 MiB): dropped raw rows before "*) pass "the line says what went" ;;
*) fail "log line: $(cat "$ERR")" ;;
esac
newest() { "$TWSCOPE" history --db "$DB" --json --since "$START" | jq '[.series[] | select(.name == "time_wait") | .points[]] | length'; }
sleep 2
[ "$(newest)" -ge 3 ] && pass "recent samples kept" || fail "recent samples: $(newest)"
kill -TERM "$P"
wait "$P"
check_eq "SIGTERM exit" 0 "$?"
check_eq "integrity" ok "$("$TWSCOPE" history --db "$DB" --check)"
# The raw rows of an hour ago are gone: that range now comes from minutes.
check_eq "tier for the dropped time" 1m "$("$TWSCOPE" history --db "$DB" --json --since "$OLD" --until "$((OLD + 600))" | jq -r .tier)"
done_test
