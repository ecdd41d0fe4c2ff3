#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# twscope report --html on a namespace with a known population (200 client
# TIME_WAIT, 30 ESTABLISHED pairs, 60 CLOSE_WAIT held by a process named
# with markup): one self-contained page (no URL fetched, no script), the
# doctor's findings and the census numbers stat reports, the process name
# escaped, and with --history the three graphs as inline SVG whose ids do
# not collide. --load renders a saved bundle the same way.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ
command -v python3 >/dev/null || skip "python3 missing"
GC="python3 $PWD/tests/integration/graphcheck.py"
FIX=$PWD/tests/fixtures/history/basic.json

EVIL='<i>x</i>&"'"'"$'\e'
setup_ns NS
sockpop "$NS" comm "$EVIL" listen 127.0.0.1:9000 client-tw 127.0.0.1:9000 200 \
	estab 127.0.0.1:9000 30 close-wait 127.0.0.1:9000 60
cd "$TW_TMP" || exit 1

"$TWSCOPE" stat --netns "$NS" --json >stat.json
"$TWSCOPE" report --html --netns "$NS" --interval 0 --history "$FIX" -o r.html 2>err
check_eq "exit" 0 $?
check_eq "message" "twscope report: wrote r.html (warning)" "$(cat err)"

# self-contained: nothing to fetch, nothing to run
check_eq "no src/href to a URL" 0 "$(grep -ciE '(src|href)[[:space:]]*=[[:space:]]*["'"'"']?([a-z]+:)?//' r.html)"
check_eq "no src/href at all outside SVG fragments" 0 \
	"$(grep -oiE '(src|href)[[:space:]]*=[[:space:]]*["'"'"'][^#][^"'"'"']*' r.html | wc -l)"
check_eq "no script" 0 "$(grep -ci '<script' r.html)"
check_eq "no stylesheet link or import" 0 "$(grep -ciE '<link|@import|url\((["'"'"'])?[a-z]+:' r.html)"

# findings
check_eq "close-wait-leak row" 1 \
	"$(grep -c '<tr><td><span class="sev sev-warning">warning</span></td><td>[^<]*</td><td>close-wait-leak</td></tr>' r.html)"
check_eq "overall warning" 1 "$(grep -c '<p>Overall: <span class="sev sev-warning">warning</span>' r.html)"

# census: the rows of stat's table, with stat --json's numbers
row() { sed -n '/<h2 id="census">/,/<\/pre>/p' r.html | awk -v s="$1" '$1 == s { print $NF; exit }'; }
for s in time_wait established close_wait listen; do
	check_eq "census $s" "$(jq -r ".states.total.$s" stat.json)" "$(row $s)"
done
check_eq "census time_wait is the population" 200 "$(row time_wait)"
check_eq "census close_wait is the population" 60 "$(row close_wait)"

# the hostile process name: escaped markup, its ESC shown as text
check_eq "name escaped" 1 "$(grep -c 'pid [0-9]* (&lt;i&gt;x&lt;/i&gt;&amp;&quot;&#39;\\x1b) holds 60' r.html)"
check_eq "no raw markup from the name" 0 "$(grep -c '<i>x' r.html)"
check_eq "no control byte" 0 "$(tr -d '\n\t' <r.html | tr -d '[:print:]' | tr -d '\200-\377' | wc -c)"

# the graphs
check_eq "three inline SVGs, ids resolved, none repeated" "3 ok" "$($GC svgs-in-html r.html)"
check_eq "overview values inline" 1 "$(grep -c 'data-name="time_wait" .*data-points="1764250000 0 0 0;1764250010 100 100 100;' r.html)"

# a saved bundle renders the same findings, its census from the bundle
"$TWSCOPE" doctor --netns "$NS" --interval 0 --save b.json >/dev/null
"$TWSCOPE" report --load b.json -o - >l.html 2>err
check_eq "--load: exit" 0 $?
check_eq "--load: stdout only" "" "$(cat err)"
check_eq "--load: heading names the bundle" 1 "$(grep -c '^<h1>twscope report: bundle b.json</h1>$' l.html)"
check_eq "--load: close-wait-leak" 1 "$(grep -c '<td>close-wait-leak</td>' l.html)"
check_eq "--load: census time_wait" 1 "$(grep -c '<tr><td>time_wait</td><td class="num">200</td></tr>' l.html)"
check_eq "--load: name escaped" 1 "$(grep -c 'pid [0-9]* (&lt;i&gt;x&lt;/i&gt;&amp;&quot;&#39;\\x1b) holds 60' l.html)"

# errors: a bad history fails the report with one line and writes nothing
printf '{' >bad.json
"$TWSCOPE" report --load b.json --history bad.json -o bad.html 2>err
check_eq "bad history: exit" 1 $?
check_eq "bad history: message" \
	"twscope report: cannot read 'bad.json': history is truncated: the JSON ends before the document does" "$(cat err)"
check_eq "bad history: no file" no "$([ -e bad.html ] && echo yes || echo no)"
"$TWSCOPE" report --load b.json --netns x 2>/dev/null
check_eq "--load with --netns: usage" 2 $?
done_test
