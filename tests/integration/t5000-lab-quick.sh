#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# twscope lab: the whole quick run on the real kernel (every verdict "as
# expected" or "skipped" with a reason, key numbers exact), usage errors,
# the missing-privilege line, and SIGINT leaving no process behind.
. "$(dirname "$0")/lib.sh"
require ROOT JQ

# -- usage and listing (no privileges needed) --
"$TWSCOPE" lab run nosuch >/dev/null 2>"$TW_TMP/err"
check_eq "unknown scenario exit" 2 $?
check_eq "did you mean" 1 "$("$TWSCOPE" lab run bucket-overflw 2>&1 >/dev/null | grep -c "did you mean 'bucket-overflow'")"
"$TWSCOPE" lab list --json >"$TW_TMP/list.json"
check_eq "lab list exit" 0 $?
NAMES="bucket-overflow client-exhaustion connect-latency cost fin-timeout fixed-source-port kill-timewait linger-reset nat-timewait restart-reuseaddr server-closes-first snat-exhaustion"
check_eq "lab list names" "$NAMES" "$(jq -r '[.scenarios[].name] | sort | join(" ")' "$TW_TMP/list.json")"
check_eq "lab list schema" 1 "$(jqv "$TW_TMP/list.json" .schema)"

# -- without privileges: one line naming the capability, exit 1 --
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$TWSCOPE" lab run linger-reset \
		>/dev/null 2>"$TW_TMP/np.err"
	check_eq "non-root exit" 1 $?
	check_eq "non-root message lines" 1 "$(wc -l <"$TW_TMP/np.err")"
	check_eq "non-root names the capability" 1 "$(grep -c 'CAP_SYS_ADMIN' "$TW_TMP/np.err")"
fi

# -- the quick run of everything --
J=$TW_TMP/lab.json
start=$SECONDS
"$TWSCOPE" lab run all --quick --json >"$J"
rc=$?
elapsed=$((SECONDS - start))
check_eq "lab run all --quick exit" 0 "$rc"
[ "$elapsed" -lt 120 ] && pass "quick run took ${elapsed}s (< 120)" || fail "quick run took ${elapsed}s"
check_eq schema 1 "$(jqv "$J" .schema)"
check_eq "scenario names" "$NAMES" "$(jq -r '[.scenarios[].name] | sort | join(" ")' "$J")"
check_eq "verdicts other than as expected / skipped-with-reason" 0 \
	"$(jq '[.scenarios[] | select(.verdict != "as expected" and
		 ((.verdict == "skipped" and (.reason // "") != "") | not))] | length' "$J")"
check_eq "failed checks" 0 "$(jq '[.scenarios[].checks[]? | select(.ok != true)] | length' "$J")"
check_eq "summary differs+error" 0 "$(jq '.summary.differs + .summary.error' "$J")"
# Which scenario and which check, when not as expected (the guests' logs show only this output).
jq -r '.scenarios[] | select(.verdict != "as expected" and .verdict != "skipped") |
	"note: \(.name): \(.verdict): " + ([.checks[]? | select(.ok != true) | "\(.what): expected \(.expected), observed \(.observed)"] | join("; ")) +
	" " + (.error // "")' "$J"

sc() { jq -r --arg n "$1" ".scenarios[] | select(.name == \$n) | $2" "$J"; }
if [ "$(sc connect-latency .verdict)" = "as expected" ]; then
	check_eq "connect-latency: usable, samples" "8000 100" \
		"$(sc connect-latency '"\(.observed.usable_ports) \(.observed.samples_per_level)"')"
	# The parity walk starts once one parity is full: at 50 %, not at 40 %.
	check_eq "connect-latency: slow from" 50 "$(sc connect-latency .observed.slow_from_use_pct)"
fi
if [ "$(sc client-exhaustion .verdict)" = "as expected" ]; then
	check_eq "exhaustion: usable" 100 "$(sc client-exhaustion .observed.usable_ports)"
	check_eq "exhaustion: EADDRNOTAVAIL at usable+1" "101 EADDRNOTAVAIL" \
		"$(sc client-exhaustion '"\(.observed.failing_attempt) \(.observed.failure_errno)"')"
	check_eq "exhaustion: census client TIME_WAIT" 100 "$(sc client-exhaustion .observed.census_after_exhaustion.tw_client_side)"
	check_eq "exhaustion: no-timestamps errno" EADDRNOTAVAIL "$(sc client-exhaustion .observed.no_timestamps_after_delay_errno)"
fi
# Labelled phases, and fractional checks with their decimals (not "x100" integers).
check_eq "exhaustion: phases" "1. exhaust the ports, reuse off|2. reuse on right after exhaustion|3. measure the ceiling, reuse off" \
	"$(sc client-exhaustion '[.setup.phases[].phase][0:3] | join("|")')"
check_eq "exhaustion: phase 2 sets reuse" "net.ipv4.tcp_tw_reuse=1" \
	"$(sc client-exhaustion '.setup.phases[1].sysctls | join(",")')"
check_eq "exhaustion: ceiling check has decimals" "1.58..1.76" \
	"$(sc client-exhaustion '.checks[] | select(.what | startswith("reuse off: measured ceiling in conn/s")) | .expected')"
check_eq "bucket-overflow: one phase" "setup" "$(sc bucket-overflow '[.setup.phases[].phase] | join("|")')"
"$TWSCOPE" lab run bucket-overflow >"$TW_TMP/text" 2>/dev/null
check_eq "text: setup phase line" 1 "$(grep -c '^    setup: net.ipv4.tcp_max_tw_buckets=5$' "$TW_TMP/text")"
check_eq "text: observed, one line each" 1 "$(grep -c '^    overflowed: 7$' "$TW_TMP/text")"
check_eq "bucket-overflow: overflowed" 7 "$(sc bucket-overflow .observed.overflowed)"
check_eq "bucket-overflow: census TIME_WAIT" 5 "$(sc bucket-overflow .observed.census.time_wait)"
check_eq "linger-reset: TCPAbortOnData" 1 "$(sc linger-reset '.observed.counters["TcpExt.TCPAbortOnData"]')"
check_eq "linger-reset: TCPAbortOnLinger" 0 "$(sc linger-reset '.observed.counters["TcpExt.TCPAbortOnLinger"]')"
check_eq "restart-reuseaddr: table" "EADDRINUSE EADDRINUSE EADDRINUSE success" \
	"$(sc restart-reuseaddr '.observed | "\(.old_plain_new_plain) \(.old_plain_new_reuseaddr) \(.old_reuseaddr_new_plain) \(.old_reuseaddr_new_reuseaddr)"')"
check_eq "fixed-source-port: pinned ports" "50 0" \
	"$(sc fixed-source-port '.observed | "\(.pin_other_dst_connects) \(.pin_other_dst_on_bind_ports)"')"
check_eq "fixed-source-port: no-port sharing" 200 "$(sc fixed-source-port .observed.no_port_total_connects)"
check_eq "fin-timeout: FIN_WAIT2 gone, TIME_WAIT stays" "0 1" \
	"$(sc fin-timeout '.observed.census_after_5_5s | "\(.fin_wait2_orphan) \(.time_wait)"')"
if [ "$(sc snat-exhaustion .verdict)" = "as expected" ]; then
	check_eq "snat-exhaustion: pool, client TIME_WAIT, second pool" "100 0 40 100" \
		"$(sc snat-exhaustion '.observed | "\(.pool_pool) \(.client_time_wait_sockets) \(.second_pool_held) \(.second_pool_pool)"')"
fi
if [ "$(sc nat-timewait .verdict)" = "as expected" ]; then
	check_eq "nat-timewait: rfc1337=1 outcome" ETIMEDOUT "$(sc nat-timewait .observed.rfc1337_1_reconnect)"
	check_eq "nat-timewait: rfc1337=0 outcome" success "$(sc nat-timewait .observed.rfc1337_0_reconnect)"
fi
check_eq "cost: TIME_WAIT built" 20000 "$(sc cost .observed.built)"

# -- SIGINT during a run: exit 1, no process left (the marker argument finds them) --
marker="--cost-n 4242"
"$TWSCOPE" lab run fin-timeout nat-timewait $marker >/dev/null 2>"$TW_TMP/int.err" &
pid=$!
wait_until 10 pgrep -f -- "lab run fin-timeout nat-timewait $marker" >/dev/null
sleep 1
kill -INT "$pid"
# bounded: the parent kills and reaps its child at once
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
	fail "lab did not exit within 5 s of SIGINT"
	kill -KILL "$pid"
fi
wait "$pid"
check_eq "SIGINT exit" 1 $?
check_eq "processes left after SIGINT" 0 "$(pgrep -c -f -- "lab run fin-timeout nat-timewait $marker")"
check_eq "SIGINT message" 1 "$(grep -c interrupted "$TW_TMP/int.err")"
done_test
