#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A history of 10^6 one-second samples (TIME_WAIT a saw tooth 0..999) draws
# in bounded time: the SVG keeps at most one point per pixel column, each
# column spans a whole tooth (min 0, max 999) but perhaps the last,
# and the line is drawn at those values.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 missing"
GC="python3 $PWD/tests/integration/graphcheck.py"
cd "$TW_TMP" || exit 1
S=1764000000
python3 - "$S" <<'PY' >big.json
import sys
s, n = int(sys.argv[1]), 1000000
w = sys.stdout.write
w('{"version":1,"since":%d,"until":%d,"step_sec":1,"host":"big","series":[' % (s, s + n - 1))
w('{"name":"time_wait","unit":"sockets","points":[')
w(",".join("[%d,%d,%d,%d]" % (s + i, i % 1000, i % 1000, i % 1000) for i in range(n)))
w(']}]}\n')
PY
timeout 120 "$TWSCOPE" graph --input big.json -o big.svg 2>/dev/null
check_eq "exit" 0 $?
check_eq "valid XML" ok "$($GC xml big.svg)"
n=$($GC points big.svg time_wait | wc -w)
[ "$n" -ge 800 ] && [ "$n" -le 902 ] && pass "$n drawn points for a 902-pixel plot" ||
	fail "$n drawn points for a 902-pixel plot"
check_eq "source points" 1000000 "$(grep -o 'data-source-points="[0-9]*"' big.svg | cut -d'"' -f2)"
check_eq "first column min/max" "0 999" "$($GC minmax big.svg time_wait | cut -d' ' -f2 | awk -F: '{print $2, $4}')"
# about 1110 samples a column: each holds a whole tooth (the last may be short)
check_eq "every column 0..999" "$((n - 1))" \
	"$($GC minmax big.svg time_wait | tr ' ' '\n' | head -n $((n - 1)) | grep -c '^[0-9]*:0:[0-9.]*:999$')"
check_eq "drawn at the values" ok "$($GC drawn big.svg time_wait)"
check_eq "one unbroken line" 1 "$($GC segments big.svg time_wait)"
timeout 120 "$TWSCOPE" graph --input big.json --format png -o big.png 2>/dev/null
check_eq "png: exit" 0 $?
check_eq "png: size" 1000x$($GC size big.png | cut -dx -f2) "$($GC size big.png)"
done_test
