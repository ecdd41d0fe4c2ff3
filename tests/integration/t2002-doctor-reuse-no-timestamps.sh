#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tcp_tw_reuse=1 with tcp_timestamps=0: tw-reuse-ineffective warns (docs/kernel.md#tw-reuse-conditions).
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

setup_ns NS
nssysctl "$NS" net.ipv4.tcp_tw_reuse=1
nssysctl "$NS" net.ipv4.tcp_timestamps=0
J=$TW_TMP/a.json
nsexec "$NS" "$TWSCOPE" doctor --json --interval 0 >"$J"
check_eq "exit (warning)" 1 "$?"
R='.findings[] | select(.id == "tw-reuse-ineffective")'
check_eq severity warning "$(jqv "$J" "$R.severity")"
check_eq "data" "1 0" "$(jqv "$J" "$R.data | \"\(.tcp_tw_reuse) \(.tcp_timestamps)\"")"
case $(jqv "$J" "$R.fix[0]") in *"sysctl -w net.ipv4.tcp_timestamps=1"*) pass "fix" ;; *) fail "fix: $(jqv "$J" "$R.fix[0]")" ;; esac

# With timestamps back on, the rule is quiet.
nssysctl "$NS" net.ipv4.tcp_timestamps=1
nsexec "$NS" "$TWSCOPE" doctor --json --interval 0 >"$J"
check_eq "exit (ok)" 0 "$?"
check_eq "quiet" ok "$(jqv "$J" "$R.severity")"
done_test
