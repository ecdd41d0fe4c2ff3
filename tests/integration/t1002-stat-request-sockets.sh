#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Request sockets (NEW_SYN_RECV) are reported by the kernel as SYN_RECV; stat
# counts them as new_syn_recv, apart from full SYN_RECV sockets, and agrees with ss.
. "$(dirname "$0")/lib.sh"
require ROOT NETNS JQ SS

setup_ns NS
sockpop "$NS" listen 127.0.0.1:7000 deferred 127.0.0.1:7000 4
J=$TW_TMP/s.json
nsexec "$NS" "$TWSCOPE" stat --json >"$J"
check_eq "new_syn_recv" 4 "$(jqv "$J" .states.total.new_syn_recv)"
check_eq "syn_recv (full sockets)" 0 "$(jqv "$J" .states.total.syn_recv)"
check_eq "client side established" 4 "$(jqv "$J" .states.total.established)"
check_eq "ss shows them as SYN-RECV" 4 "$(nsexec "$NS" ss -Htan state syn-recv | wc -l)"
# Request sockets hold no port of their own: no destination rows from them.
check_eq "destinations (the 4 clients)" "1 4" "$(jqv "$J" '"\(.destinations_total) \(.destinations[0].held)"')"
nsexec "$NS" "$TWSCOPE" stat --json --state new_syn_recv >"$J.f"
check_eq "--state new_syn_recv" "4 0" "$(jqv "$J.f" '"\(.states.total.new_syn_recv) \(.states.total.established)"')"
done_test
