#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# twscope kill on an exact population: only the filtered sockets die (the
# rest is counted with stat --json after each run), the dry run changes
# nothing, no filter is refused, LISTEN is never touched unless named,
# --max caps a run, ESTABLISHED needs --state and warns, an unprivileged
# run gives one line naming CAP_NET_ADMIN.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

setup_ns NS
sockpop "$NS" listen 127.0.0.1:9000 listen 127.0.0.2:9000 listen '[::1]:9000' listen 127.0.0.1:8080 \
	client-tw 127.0.0.1:9000 30 client-tw 127.0.0.2:9000 20 client-tw '[::1]:9000' 5 \
	server-tw 127.0.0.1:8080 7 unlisten 127.0.0.1:8080 estab 127.0.0.1:9000 4

S=$TW_TMP/stat.json
J=$TW_TMP/kill.json
E=$TW_TMP/kill.err
# counts TW4 TW6 ESTAB LISTEN: the population as stat sees it now
counts() {
	nsexec "$NS" "$TWSCOPE" stat --json >"$S" || { echo "stat exit $?"; return; }
	jq -r '"\(.states.ipv4.time_wait) \(.states.ipv6.time_wait) \(.states.total.established) \(.states.total.listen)"' "$S"
}
kill_json() { nsexec "$NS" "$TWSCOPE" kill --json "$@" >"$J" 2>"$E"; }

check_eq "population" "57 5 8 3" "$(counts)"

# -- refused without a filter; -4/-6 alone is no filter --
nsexec "$NS" "$TWSCOPE" kill --yes >/dev/null 2>"$E"
check_eq "no filter exit" 2 $?
check_eq "no filter message" 1 "$(grep -c 'refusing to destroy without a filter' "$E")"
nsexec "$NS" "$TWSCOPE" kill -4 --yes >/dev/null 2>&1
check_eq "-4 alone exit" 2 $?
nsexec "$NS" "$TWSCOPE" kill -p 9000 --yes --dry-run >/dev/null 2>&1
check_eq "--yes with --dry-run exit" 2 $?
nsexec "$NS" "$TWSCOPE" kill -p 9000 --max 0 >/dev/null 2>&1
check_eq "--max 0 exit" 2 $?
check_eq "after refusals" "57 5 8 3" "$(counts)"

# -- dry run (the default): says what, destroys nothing --
kill_json -d 127.0.0.2
check_eq "dry run exit" 0 $?
check_eq "dry run doc" "true 20 20 false 20" \
	"$(jqv "$J" '"\(.dry_run) \(.matched) \(.selected) \(.capped) \(.states.time_wait)"')"
check_eq "dry run destinations" "127.0.0.2:20" "$(jqv "$J" '[.destinations[] | "\(.addr):\(.sockets)"] | join(",")')"
check_eq "dry run ports" "9000 remote 20" "$(jqv "$J" '.ports[0] | "\(.port) \(.side) \(.sockets)"')"
check_eq "dry run results" "not_tried" "$(jqv "$J" '[.sockets[].result] | unique | join(",")')"
check_eq "after dry run" "57 5 8 3" "$(counts)"
"$TWSCOPE" kill --netns "$NS" -d 127.0.0.2 --json >"$J" 2>"$E"
check_eq "--netns from outside" "$NS 20" "$(jqv "$J" '"\(.netns) \(.selected)"')"

# -- --yes: exactly the filtered sockets --
kill_json -d 127.0.0.2:9000 --yes
check_eq "dst exit" 0 $?
check_eq "dst destroyed" "false 20 0 0" "$(jqv "$J" '"\(.dry_run) \(.destroyed) \(.failed) \(.gone)"')"
check_eq "after dst" "37 5 8 3" "$(counts)"
check_eq "127.0.0.2 gone, 127.0.0.1 kept" "0 30" \
	"$(jq -r '[.destinations[] | select(.remote == "127.0.0.2") | .time_wait] | add // 0' "$S") $(jq -r '[.destinations[] | select(.remote == "127.0.0.1") | .time_wait] | add' "$S")"

kill_json -p 8080 --yes
check_eq "server port destroyed" "7 8080 local" "$(jqv "$J" '"\(.destroyed) \(.ports[0].port) \(.ports[0].side)"')"
check_eq "after port 8080" "30 5 8 3" "$(counts)"
check_eq "no server-side TIME_WAIT left" 0 "$(jqv "$S" .time_wait.server)"

kill_json -6 -p 9000 --yes
check_eq "-6 destroyed" 5 "$(jqv "$J" .destroyed)"
check_eq "after -6" "30 0 8 3" "$(counts)"

# -- --max caps a run and says so --
kill_json -p 9000 --max 10 --yes
check_eq "capped doc" "30 10 true 10" "$(jqv "$J" '"\(.matched) \(.selected) \(.capped) \(.destroyed)"')"
check_eq "capped warning" 1 "$(grep -c 'capped at --max 10: 20 more' "$E")"
check_eq "after cap" "20 0 8 3" "$(counts)"

# -- LISTEN untouched unless named; ESTABLISHED only when named, with a warning --
kill_json --src 127.0.0.1 --yes
check_eq "src: TIME_WAIT only" "20 20" "$(jqv "$J" '"\(.selected) \(.destroyed)"')"
check_eq "after src: listeners and established kept" "0 0 8 3" "$(counts)"
kill_json -s established -p 9000
check_eq "established dry run" "true 8" "$(jqv "$J" '"\(.dry_run) \(.states.established)"')"
check_eq "established warning" 1 "$(grep -c 'would destroy 8 live connections.*reset' "$E")"
kill_json -s listen -p 9000
check_eq "listen named: dry run sees 3" 3 "$(jqv "$J" .states.listen)"
check_eq "listen warning" 1 "$(grep -c 'would destroy 3 listening sockets' "$E")"
check_eq "after dry runs" "0 0 8 3" "$(counts)"

# -- unprivileged: one line naming CAP_NET_ADMIN, nothing destroyed --
nsexec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups "$TWSCOPE" kill -s established \
	-p 9000 --yes >/dev/null 2>"$E"
check_eq "unprivileged exit" 1 $?
check_eq "unprivileged lines" 1 "$(grep -vc 'warning:' "$E")"
check_eq "unprivileged names CAP_NET_ADMIN" 1 "$(grep -c 'needs CAP_NET_ADMIN' "$E")"
nsexec "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups "$TWSCOPE" kill -s established \
	-p 9000 --yes --json >"$J" 2>/dev/null
check_eq "unprivileged json error" 1 "$(jqv "$J" .code)"
check_eq "after unprivileged" "0 0 8 3" "$(counts)"

# -- established, named: the local half is reset; its peer may be gone by then --
kill_json -s established -p 9000 --yes
check_eq "established exit" 0 $?
check_eq "established destroyed + gone" 8 "$(jqv "$J" '.destroyed + .gone')"
check_eq "established warning before acting" 1 "$(grep -c 'destroying 8 live connections' "$E")"
check_eq "after established" "0 0 0 3" "$(counts)"

done_test
