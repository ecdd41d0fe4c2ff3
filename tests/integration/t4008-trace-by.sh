#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace --by: two processes with the same comm (forked workers, in effect)
# that each close N connections first are one row with 2 processes by comm
# (the default), two rows by pid, and one row per cgroup by cgroup.
. "$(dirname "$0")/lib.sh"
require_trace
N=15
PORT=9100

setup_ns NS
# run_by WHAT: trace the two helpers with --by WHAT into $TW_TMP/WHAT.json
run_by() {
	local out=$TW_TMP/$1.json
	trace_start "$out" --netns "$NS" --duration 40 --json ${1:+--by "$1"}
	trace_helper "$TW_TMP/h1" close $PORT $N
	first=$CLOSER
	trace_helper "$TW_TMP/h2" close $PORT $N
	second=$CLOSER
	trace_stop "$1"
}
rows='[.events[] | select(.kind == "active_close" and .remote.port == '$PORT')]'

run_by ""
check_eq "default: grouped by comm" comm "$(jq -r .by "$TW_TMP/.json")"
run_by comm
check_eq "by comm: one row, 2 processes, 2N closes, the lowest pid" \
	"1 twt-closer 2 $((2 * N)) $((first < second ? first : second))" \
	"$(jq -r "$rows | \"\\(length) \\(.[0].comm) \\(.[0].pids) \\(.[0].count) \\(.[0].pid)\"" "$TW_TMP/comm.json")"
check_eq "by comm: no cgroup id" null "$(jq -r "$rows | .[0].cgroup_id" "$TW_TMP/comm.json")"
run_by pid
check_eq "by pid: two rows of N, one per process" "2 $N $N 1" \
	"$(jq -r "$rows | \"\\(length) \\(.[0].count) \\(.[1].count) \\(.[0].pids)\"" "$TW_TMP/pid.json")"
run_by cgroup
check_eq "by cgroup: both in this test's cgroup, one row" "1 2 $((2 * N)) null" \
	"$(jq -r "$rows | \"\\(length) \\(.[0].pids) \\(.[0].count) \\(.[0].comm)\"" "$TW_TMP/cgroup.json")"
"$TWSCOPE" trace --by nope >/dev/null 2>"$TW_TMP/err"
check_eq "--by nope: usage error" 2 $?
check_eq "--by nope: says what it takes" 1 "$(grep -c "^twscope trace: --by takes comm, pid or cgroup, not 'nope'$" "$TW_TMP/err")"
done_test
