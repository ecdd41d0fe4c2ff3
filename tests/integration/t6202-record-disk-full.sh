#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A full disk under the recorder (a small tmpfs, in a private mount
# namespace): it says so in one line, keeps running, and writes again once
# there is space, with a line saying how many samples were lost. The file
# passes the integrity check and SIGTERM still ends it with status 0.
if [ -z "${TW_IN_MNTNS:-}" ] && [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	TW_IN_MNTNS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ
[ -n "${TW_IN_MNTNS:-}" ] || skip "needs unshare -m (util-linux)"

setup_ns NS
D=$TW_TMP/small
mkdir "$D"
mount -t tmpfs -o size=8m tmpfs "$D" || skip "cannot mount a tmpfs"
ERR=$TW_TMP/rec.err
DB=$D/h.db

"$TWSCOPE" record --netns "$NS" --db "$DB" --census-interval 1 2>"$ERR" &
REC=$!
TW_PIDS+=($REC)
count() {
	"$TWSCOPE" history --db "$DB" --json --series time_wait --since "${1:--1h}" 2>/dev/null |
		jq '[.series[].points[]] | length' 2>/dev/null || echo 0
}
has() { [ "$(count)" -ge "$1" ]; }
wait_until 20 has 3 || { fail "no samples: $(cat "$ERR")"; done_test; }

# Fill the file system: the WAL cannot grow any more.
dd if=/dev/zero of="$D/fill" bs=64k 2>/dev/null
failing() { grep -q "cannot write the sample" "$ERR"; }
if wait_until 20 failing; then pass "full disk reported"; else fail "no report: $(cat "$ERR")"; fi
sleep 2
kill -0 "$REC" 2>/dev/null
check_eq "recorder still running on a full disk" 0 "$?"
check_eq "reported once, in one line" 1 "$(grep -c "cannot write the sample" "$ERR")"
case $(grep "cannot write the sample" "$ERR") in
*"No space left on device"*) pass "the line names the cause" ;;
*) fail "cause missing: $(cat "$ERR")" ;;
esac

rm -f "$D/fill"
AFTER=$(date +%s)
recovered() { grep -q "writing again" "$ERR" && [ "$(count "$AFTER")" -ge 2 ]; }
if wait_until 20 recovered; then pass "writes again: $(grep 'writing again' "$ERR")"
else fail "did not recover: $(cat "$ERR")"; fi
check_eq "integrity" ok "$("$TWSCOPE" history --db "$DB" --check)"
kill -TERM "$REC"
wait "$REC"
check_eq "SIGTERM exit" 0 "$?"
umount "$D"
done_test
