#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# trace: a helper bind()s an address its peer listens on, N times. With
# --bind, trace reports N EADDRINUSE failures with the helper's pid, comm
# and the address. Without it, on a kernel without BPF trampolines, bind()
# is not watched (no syscall hook: hooks.syscalls "none") and trace says so
# on stderr; where fexit works, bind() is watched either way.
. "$(dirname "$0")/lib.sh"
require_trace
N=4
PORT=9130

setup_ns NS
# run_trace NAME [ARGS...]: trace the helper's rebind loop into $TW_TMP/NAME.
run_trace() {
	local name=$1; shift
	trace_start "$TW_TMP/$name" --netns "$NS" --comm twt-closer --duration 40 --json "$@"
	trace_helper "$TW_TMP/$name.helper" rebind $PORT $N
	echo "$CLOSER" >"$TW_TMP/$name.closer"
	trace_stop "$name"
	check_eq "$name: helper outcome" "fails=$N" "$(tail -n 1 "$TW_TMP/$name.helper")"
}
# bind_fails NAME: EADDRINUSE rows of the helper's pid on 127.0.0.1:PORT.
bind_fails() {
	jq --argjson p "$(cat "$TW_TMP/$1.closer")" '[.events[] | select(.kind == "bind_eaddrinuse" and .pid == $p
		and .comm == "twt-closer" and .errno == 98 and .remote == null
		and .local.addr == "127.0.0.1" and .local.port == '$PORT') | .count] | add // 0' \
		"$TW_TMP/$1"
}

run_trace with-bind --bind
check_eq "with --bind: a syscall hook" true \
	"$(jqv "$TW_TMP/with-bind" '.hooks.syscalls != "none"')"
check_eq "with --bind: EADDRINUSE of the helper on 127.0.0.1:$PORT" "$N" "$(bind_fails with-bind)"

run_trace default
hook=$(jqv "$TW_TMP/default" '.hooks.syscalls')
if [ "$hook" = fexit ]; then
	check_eq "default, fexit: EADDRINUSE counted" "$N" "$(bind_fails default)"
else
	check_eq "default without trampolines: no syscall hook" none "$hook"
	check_eq "default: nothing counted" 0 "$(bind_fails default)"
	check_eq "default: said on stderr" 1 \
		"$(grep -c 'bind() failures are not traced' "$TW_TMP/default.err")"
fi
done_test
