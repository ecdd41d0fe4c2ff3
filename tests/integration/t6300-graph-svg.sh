#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# twscope graph on a history fixture built to known values
# (tests/fixtures/history/basic.json: 31 samples 10 s apart; TIME_WAIT = 100 i
# with no sample for i = 11..15, a gap of 6 steps; ESTABLISHED = 1000 + 10 i;
# the last TIME_WAIT sample has min 2900, avg 3000, max 3100; two findings).
# The SVG is XML, holds each series with the recorded values, draws them where
# they belong (cairo's paths map back to the values within a pixel), splits
# the line at the gap, and carries the title, legend and axis labels; its
# rsvg-convert rendering and the PNG from cairo are not blank.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 missing"
command -v rsvg-convert >/dev/null || skip "rsvg-convert missing (librsvg2-bin, make test-deps)"
FIX=$PWD/tests/fixtures/history/basic.json
GC="python3 $PWD/tests/integration/graphcheck.py"
S=1764250000

cd "$TW_TMP" || exit 1
"$TWSCOPE" graph --input "$FIX" 2>err
check_eq "exit" 0 $?
check_eq "default file named in the message" "twscope graph: wrote twscope-overview.svg (SVG, $(stat -c %s twscope-overview.svg) bytes)" "$(cat err)"
O=twscope-overview.svg
check_eq "valid XML" ok "$($GC xml $O)"

want=""
for i in $(seq 0 30); do
	[ "$i" -ge 11 ] && [ "$i" -le 15 ] && continue
	want+="$((S + 10 * i)):$((100 * i)) "
done
check_eq "time_wait values" "${want% }" "$($GC points $O time_wait)"
check_eq "time_wait last point min/avg/max" "$((S + 300)):2900:3000:3100" "$($GC minmax $O time_wait | tr ' ' '\n' | tail -n 1)"
want=""
for i in $(seq 0 30); do want+="$((S + 10 * i)):$((1000 + 10 * i)) "; done
check_eq "established values" "${want% }" "$($GC points $O established)"
check_eq "close_wait values" "$S:5" "$($GC points $O close_wait | cut -d' ' -f1)"
check_eq "ratio at the end (3000 / 1300)" "$((S + 300)):2.30769" "$($GC points $O tw_estab_ratio | tr ' ' '\n' | tail -n 1)"
for s in time_wait established close_wait tw_estab_ratio tw_rate active_opens_rate; do
	check_eq "$s drawn at its values" ok "$($GC drawn $O $s)"
done
check_eq "time_wait line split at the gap" 2 "$($GC segments $O time_wait)"
check_eq "established line unbroken" 1 "$($GC segments $O established)"

for t in "web1.example: TIME_WAIT and ESTABLISHED" "2025-11-27 13:26:40 - 13:31:40 UTC" \
	"TCP sockets by state (sockets)" "TIME_WAIT (max 3100, last 3000)" \
	"ESTABLISHED (max 1300, last 1300)" "CLOSE_WAIT (max 5, last 5)" \
	"Connections closed and opened (per second)" "closes (entered TIME_WAIT) (max 40, last 40)" \
	"3.5k" "1.0k" "500" "13:27" "13:31" "time (UTC)" "1 tw-bucket-overflow" \
	"1  13:28:20  WARNING  tw-bucket-overflow: TIME_WAIT overflow: 12 drops/s" \
	"2  13:30:50  CRITICAL  port-exhaustion: 127.0.0.2:9000: 92% of usable ports held"; do
	check_eq "text '$t'" yes "$($GC has-text $O "$t")"
done

# the dest view: top destinations by peak use, percent axis to 100
"$TWSCOPE" graph --input "$FIX" --what dest -o dest.svg 2>/dev/null
check_eq "dest: exit" 0 $?
check_eq "dest: 127.0.0.2:9000 at 30 s" "$((S + 30)):9" "$($GC points dest.svg dest_use_pct:127.0.0.2:9000 | cut -d' ' -f4)"
check_eq "dest: [::1]:443" "$S:50" "$($GC points dest.svg 'dest_use_pct:[::1]:443' | cut -d' ' -f1)"
check_eq "dest: legend" yes "$($GC has-text dest.svg "127.0.0.2:9000 (max 90, last 90)")"
check_eq "dest: percent axis ends at 100" yes "$($GC has-text dest.svg 100)"
check_eq "dest: drawn" ok "$($GC drawn dest.svg dest_use_pct:127.0.0.2:9000)"
check_eq "dest: close rate" "$S:5.5" "$($GC points dest.svg dest_close_rate:127.0.0.2:9000 | cut -d' ' -f1)"
"$TWSCOPE" graph --input "$FIX" --what rates -o rates.svg 2>/dev/null
check_eq "rates: overflow series" "$S:0" "$($GC points rates.svg tw_overflow_rate | cut -d' ' -f1)"

# pictures: rsvg-convert's rendering of the SVG, and cairo's own PNG
rsvg-convert "$O" -o rsvg.png
check_eq "rsvg-convert exit" 0 $?
check_eq "rsvg: size" 1000x860 "$($GC size rsvg.png)"
px=$($GC colorpx rsvg.png e6550d)
[ "$px" -gt 1000 ] && pass "rsvg: $px TIME_WAIT-coloured pixels" || fail "rsvg: only $px TIME_WAIT-coloured pixels"
"$TWSCOPE" graph --input "$FIX" --format png --width 800 --height 600 -o - >cairo.png 2>err
check_eq "png to stdout: exit" 0 $?
check_eq "png to stdout: quiet" "" "$(cat err)"
check_eq "png: size" 800x600 "$($GC size cairo.png)"
px=$($GC colorpx cairo.png 3182bd)
[ "$px" -gt 800 ] && pass "png: $px ESTABLISHED-coloured pixels" || fail "png: only $px ESTABLISHED-coloured pixels"
"$TWSCOPE" graph --input "$FIX" -o x.PNG 2>/dev/null
check_eq "format from the .png name" "89504e47" "$(head -c 4 x.PNG | od -An -tx1 | tr -d ' \n')"
done_test
