#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace without a kernel config file: libbpf looks for /boot/config-RELEASE
# and /proc/config.gz, and Debian's kernels have no /proc/config.gz, so in a
# container or an initramfs neither exists. trace must load all the same (it
# gives libbpf CONFIG_HZ itself) and count closes. /boot is hidden by a tmpfs
# in a private mount namespace; a kernel with /proc/config.gz cannot be
# tested this way (skipped): make check-kernels runs this on Debian's kernel.
. "$(dirname "$0")/lib.sh"
require_trace
command -v unshare >/dev/null || skip "unshare missing (util-linux)"
[ -e /proc/config.gz ] &&
	skip "this kernel has /proc/config.gz (CONFIG_IKCONFIG_PROC): its config cannot be hidden"
[ -d /boot ] || skip "no /boot to hide"
N=5
PORT=9140
OUT=$TW_TMP/out

# twscope with /boot hidden from it (and from libbpf inside it).
cat >"$TW_TMP/tw-nokconfig" <<EOF
#!/bin/sh
exec unshare -m sh -c 'mount -t tmpfs none /boot && exec "\$0" "\$@"' "$TWSCOPE" "\$@"
EOF
chmod 755 "$TW_TMP/tw-nokconfig"
check_eq "config hidden" "" "$("$TW_TMP/tw-nokconfig" trace --help >/dev/null 2>&1;
	unshare -m sh -c 'mount -t tmpfs none /boot && ls /boot')"

setup_ns NS
TWSCOPE=$TW_TMP/tw-nokconfig trace_start "$OUT" --netns "$NS" --duration 40 --json
trace_helper "$TW_TMP/helper" close $PORT $N
trace_stop
check_eq "active closes of twt-closer" "$N" "$(jq --argjson p "$CLOSER" '[.events[] |
	select(.pid == $p and .kind == "active_close") | .count] | add // 0' "$OUT")"
check_eq "syscall hook chosen" true "$(jqv "$OUT" '.hooks.syscalls | length > 0')"
done_test
