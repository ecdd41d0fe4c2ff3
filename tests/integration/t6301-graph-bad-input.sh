#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# twscope graph on broken or hostile history files: each gives exit 1, one
# error line naming the problem, and no picture file; usage errors exit 2.
# Markup in series names and findings stays text (the SVG still parses).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 missing"
GC="python3 $PWD/tests/integration/graphcheck.py"
cd "$TW_TMP" || exit 1

H='"version":1,"since":1764250000,"until":1764250100,"step_sec":10'
P1='[1764250000,1,1,1]'
# bad WHAT JSON EXPECTED-MESSAGE
bad() {
	printf '%s' "$2" >in.json
	"$TWSCOPE" graph --input in.json -o out.svg 2>err
	check_eq "$1: exit" 1 $?
	check_eq "$1: one line" 1 "$(wc -l <err)"
	check_eq "$1: message" "twscope graph: $3" "$(cat err)"
	check_eq "$1: no file" no "$([ -e out.svg ] && echo yes || echo no)"
}
R="cannot read 'in.json': "
bad "not JSON" 'hello' "${R}history is not valid JSON: unexpected character at line 1 column 1"
bad "truncated" "{$H," "${R}history is truncated: the JSON ends before the document does"
bad "trailing data" "{$H,\"series\":[]} x" "${R}history has data after the JSON document at line 1 column 79"
bad "empty file" '' "${R}history is empty"
bad "array" '[]' "${R}history must be a JSON object, not an array"
bad "version 2" '{"version":2,"since":1,"until":2,"series":[]}' "${R}history \"version\" must be 1"
bad "no series" "{$H}" "${R}history has no \"series\""
bad "series object" "{$H,\"series\":{}}" "${R}history \"series\" must be an array, not an object"
bad "until < since" '{"version":1,"since":5,"until":4,"series":[]}' "${R}history \"until\" is before \"since\""
bad "no points at all" "{$H,\"series\":[]}" "cannot draw 'in.json': the history holds no points for the overview graph"
bad "empty series" "{$H,\"series\":[{\"name\":\"time_wait\",\"points\":[]}]}" \
	"cannot draw 'in.json': the history holds no points for the overview graph"
bad "huge value" "{$H,\"series\":[{\"name\":\"time_wait\",\"points\":[[1764250000,1,1,1e300]]}]}" \
	"${R}series 'time_wait': point 0: max must be a finite number within +-1e15"
bad "NaN" "{$H,\"series\":[{\"name\":\"time_wait\",\"points\":[[1764250000,NaN,1,1]]}]}" \
	"${R}series 'time_wait': point 0: min must be a finite number within +-1e15"
bad "string value" "{$H,\"series\":[{\"name\":\"time_wait\",\"points\":[[1764250000,1,\"2\",3]]}]}" \
	"${R}series 'time_wait': point 0: avg must be a finite number within +-1e15"
bad "unsorted" "{$H,\"series\":[{\"name\":\"time_wait\",\"points\":[[1764250010,1,1,1],$P1]}]}" \
	"${R}series 'time_wait': point 1 is not later than the one before (points must be sorted by time, without duplicates)"
bad "duplicate time" "{$H,\"series\":[{\"name\":\"time_wait\",\"points\":[$P1,$P1]}]}" \
	"${R}series 'time_wait': point 1 is not later than the one before (points must be sorted by time, without duplicates)"
bad "min > max" "{$H,\"series\":[{\"name\":\"time_wait\",\"points\":[[1764250000,3,2,1]]}]}" \
	"${R}series 'time_wait': point 0: min <= avg <= max does not hold"
bad "three numbers" "{$H,\"series\":[{\"name\":\"time_wait\",\"points\":[[1764250000,1,1]]}]}" \
	"${R}series 'time_wait': point 0 must be [time, min, avg, max]"
bad "fractional time" "{$H,\"series\":[{\"name\":\"time_wait\",\"points\":[[1764250000.5,1,1,1]]}]}" \
	"${R}series 'time_wait': point 0: time must be whole unix seconds between 0 and 253402300799"
bad "time past 9999" "{$H,\"series\":[{\"name\":\"time_wait\",\"points\":[[99999999999999,1,1,1]]}]}" \
	"${R}series 'time_wait': point 0: time must be whole unix seconds between 0 and 253402300799"
bad "control character" "{$H,\"series\":[{\"name\":\"a\\u001b[2J\",\"points\":[]}]}" \
	"${R}series 0: \"name\" contains a control character"
bad "series twice" "{$H,\"series\":[{\"name\":\"x\",\"points\":[]},{\"name\":\"x\",\"points\":[]}]}" \
	"${R}series 'x' appears twice"
bad "bad severity" "{$H,\"series\":[{\"name\":\"time_wait\",\"points\":[$P1]}],\"events\":[{\"t\":1764250000,\"severity\":\"fatal\",\"id\":\"x\"}]}" \
	"${R}event 0: unknown severity (critical, warning or info)"
bad "deep nesting" "$(printf '[%.0s' $(seq 100))" "${R}history is not valid JSON: nested deeper than 16 levels at line 1 column 17"
# 9 million numbers under an unknown key: refused before json-c builds them
python3 -c 'import sys; sys.stdout.write("{\"version\":1,\"since\":0,\"until\":1,\"series\":[],\"x\":[" + ",".join(["1"] * 9000000) + "]}")' >in.json
"$TWSCOPE" graph --input in.json -o out.svg 2>err
check_eq "too many values: exit" 1 $?
check_eq "too many values" "twscope graph: ${R}history holds more values than 2000000 points need" "$(cat err)"
printf '{"version":1,\0}' >in.json
"$TWSCOPE" graph --input in.json -o out.svg 2>err
check_eq "NUL byte" "twscope graph: ${R}history is not JSON: it contains a NUL byte" "$(cat err)"
"$TWSCOPE" graph --input /nonexistent/h.json 2>err
check_eq "missing file" "twscope graph: cannot read '/nonexistent/h.json': No such file or directory" "$(cat err)"

# usage errors
"$TWSCOPE" graph -o x.svg 2>err
check_eq "no input: exit" 2 $?
"$TWSCOPE" graph --input a --db b 2>err
check_eq "both inputs: exit" 2 $?
"$TWSCOPE" graph --input a --width 10 2>err
check_eq "tiny width: exit" 2 $?
check_eq "tiny width: message" "twscope graph: invalid --width '10' (320-8000 pixels)" "$(head -n 1 err)"
"$TWSCOPE" graph --input a --what nope 2>err
check_eq "unknown view: exit" 2 $?
"$TWSCOPE" graph --input a --format jpeg 2>err
check_eq "unknown format: exit" 2 $?

# markup in names and texts is text, in a valid SVG
cat >in.json <<JSON
{$H,"host":"<h>&amp;","series":[{"name":"dest_use_pct:<b>\"x'&","points":[$P1]},
 {"name":"time_wait","points":[$P1]}],
 "events":[{"t":1764250000,"severity":"critical","id":"<i>","text":"</svg><script>x</script>"}]}
JSON
"$TWSCOPE" graph --input in.json -o m.svg 2>/dev/null
check_eq "markup: exit" 0 $?
check_eq "markup: valid XML" ok "$($GC xml m.svg)"
check_eq "markup: title text" yes "$($GC has-text m.svg "<h>&amp;: TIME_WAIT and ESTABLISHED")"
check_eq "markup: no raw script" 0 "$(grep -c '<script' m.svg)"
"$TWSCOPE" graph --input in.json --what dest -o d.svg 2>/dev/null
check_eq "markup: dest series read back" "1764250000:1" "$($GC points d.svg "dest_use_pct:<b>\"x'&")"
# a --db without the recorder built in says so
"$TWSCOPE" graph --db /nonexistent.db 2>err
rc=$?
if grep -q 'built without the history recorder' err; then
	check_eq "--db without recorder: exit" 1 $rc
fi
done_test
