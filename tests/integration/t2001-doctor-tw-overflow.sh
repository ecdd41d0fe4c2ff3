#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tcp_max_tw_buckets=5 and 12 client active closes: 7 overflows
# (docs/kernel.md#tw-overflow). Since boot only -> warning; during the sampling
# interval -> critical with the exact delta.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ

setup_ns NS
nssysctl "$NS" net.ipv4.tcp_max_tw_buckets=5
out=$(nsexec "$NS" "$HELPERS/closer" 127.0.0.1 9000 12) || { fail "closer: $out"; done_test; }

J=$TW_TMP/a.json
nsexec "$NS" "$TWSCOPE" doctor --json --interval 0 >"$J"
check_eq "exit (warning)" 1 "$?"
OV='.findings[] | select(.id == "tw-bucket-overflow")'
check_eq "severity since boot" warning "$(jqv "$J" "$OV.severity")"
check_eq "overflow total" 7 "$(jqv "$J" "$OV.data.overflow_total")"
check_eq "tw / max" "5 5" "$(jqv "$J" "$OV.data | \"\(.tw) \(.tcp_max_tw_buckets)\"")"

# Now overflow while doctor samples: start it, make 12 more closes inside its interval.
# The first 5 closes above still hold all buckets (60 s), so all 12 overflow.
J2=$TW_TMP/b.json
nsexec "$NS" "$TWSCOPE" doctor --json --interval 4 >"$J2" &
DOC=$!
sleep 1
out=$(nsexec "$NS" "$HELPERS/closer" 127.0.0.1 9001 12) || fail "closer 2: $out"
wait "$DOC"
check_eq "exit (critical)" 2 "$?"
check_eq "severity while rising" critical "$(jqv "$J2" "$OV.severity")"
check_eq "overflow delta" 12 "$(jqv "$J2" "$OV.data.overflow_delta")"
check_eq "overflow total" 19 "$(jqv "$J2" "$OV.data.overflow_total")"
done_test
