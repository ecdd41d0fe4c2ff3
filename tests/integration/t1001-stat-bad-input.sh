#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# stat rejects bad input with one line on stderr and the right exit code:
# 2 for usage errors, 1 for runtime errors (missing namespace, no permission).
. "$(dirname "$0")/lib.sh"
require JQ

usage() { # usage DESC ARGS...: expect exit 2 and a one-line error plus the hint
	local desc=$1; shift
	"$TWSCOPE" stat "$@" >"$TW_TMP/o" 2>"$TW_TMP/e"
	local rc=$?
	check_eq "$desc: exit" 2 "$rc"
	check_eq "$desc: stderr lines" 2 "$(wc -l <"$TW_TMP/e")"
	check_eq "$desc: no stdout" 0 "$(wc -c <"$TW_TMP/o")"
}
usage "unknown flag" --frobnicate
usage "missing value" --port
usage "port 0" --port 0
usage "port 70000" --port 70000
usage "port text" --port http
usage "bad dst" --dst 10.0.0.300
usage "bad dst port" --dst 10.0.0.1:99999
usage "hostname dst" --dst example.com
usage "unclosed v6" --dst '[::1:80'
usage "bad state" --state sleeping
usage "empty state list" --state ""
usage "comma state list" --state ,
usage "trailing comma in states" --state time_wait,
usage "bracketed IPv4 dst" --dst '[1.2.3.4]:80'
usage "bracketed IPv4 dst without port" --dst '[1.2.3.4]'
usage "bad top" --top -3
usage "bad format" --format xml
usage "-4 and -6" -4 -6
usage "summary with filter" --summary --port 80
usage "stray argument" extra
usage "two netns" --netns a --netns b

runtime() { # runtime DESC PATTERN ARGS...: expect exit 1 and one line containing PATTERN
	local desc=$1 pat=$2; shift 2
	"$TWSCOPE" stat "$@" >"$TW_TMP/o" 2>"$TW_TMP/e"
	local rc=$?
	check_eq "$desc: exit" 1 "$rc"
	check_eq "$desc: stderr lines" 1 "$(wc -l <"$TW_TMP/e")"
	grep -q -- "$pat" "$TW_TMP/e" && pass "$desc: says '$pat'" || fail "$desc: stderr was: $(cat "$TW_TMP/e")"
}
runtime "missing netns" "not found" --netns twscope-no-such-ns
runtime "missing netns path" "not found" --netns /nonexistent/ns
runtime "missing pid" "not found" --netns 999999999
runtime "not a netns" "not a network namespace" --netns /proc/self/ns/mnt
# Not a namespace file: refused at once with one line, never opened for
# reading (a FIFO would block open() forever).
mkfifo "$TW_TMP/fifo" && : >"$TW_TMP/plain" && mkdir "$TW_TMP/dir"
for p in "$TW_TMP/fifo" /dev/null "$TW_TMP/dir" "$TW_TMP/plain"; do
	timeout 5 "$TWSCOPE" stat --netns "$p" >"$TW_TMP/o" 2>"$TW_TMP/e"
	check_eq "--netns $p: exit" 1 $?
	check_eq "--netns $p: one line" "twscope stat: '$p' is not a network namespace" "$(cat "$TW_TMP/e")"
done
timeout 5 "$TWSCOPE" serve --listen 127.0.0.1:0 --netns "$TW_TMP/fifo" >/dev/null 2>"$TW_TMP/e"
check_eq "serve --netns fifo: exit" 1 $?
check_eq "serve --netns fifo: stderr lines" 1 "$(wc -l <"$TW_TMP/e")"
timeout 5 "$TWSCOPE" doctor --netns "$TW_TMP/fifo" >/dev/null 2>&1
check_eq "doctor --netns fifo: exit (UNKNOWN)" 3 $?
# JSON mode still yields a JSON error document on stdout.
"$TWSCOPE" stat --json --netns twscope-no-such-ns >"$TW_TMP/j" 2>/dev/null
check_eq "json error exit" 1 $?
check_eq "json error document" "1 1" "$(jq -r '"\(.schema) \(.code)"' "$TW_TMP/j")"

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	setup_ns NS
	setpriv --reuid=65534 --regid=65534 --clear-groups "$TWSCOPE" stat --netns "$NS" >"$TW_TMP/o" 2>"$TW_TMP/e"
	check_eq "unprivileged --netns exit" 1 $?
	grep -q "CAP_SYS_ADMIN" "$TW_TMP/e" && pass "names CAP_SYS_ADMIN" || fail "stderr: $(cat "$TW_TMP/e")"
fi

# Every command words a netns error the same way (the text after "twscope <cmd>: ").
for cmd in stat doctor serve trace; do
	"$TWSCOPE" $cmd --netns twscope-no-such-ns >/dev/null 2>"$TW_TMP/e.$cmd"
	[ $cmd = trace ] && ! grep -q "network namespace" "$TW_TMP/e.$cmd" && continue	# no BPF access here
	check_eq "$cmd --netns nope: wording" "twscope $cmd: network namespace 'twscope-no-such-ns' not found" \
		"$(cat "$TW_TMP/e.$cmd")"
done

# As root the kernel may still refuse (a user namespace that does not own the
# target): the message must then not say "needs root". unshare -Ur makes us
# root with full capabilities in a new user namespace that owns nothing of the host.
if [ "$(id -u)" -eq 0 ] && unshare -Ur true 2>/dev/null; then
	setup_ns NS2
	for target in 1 "/run/netns/$NS2"; do
		unshare -Ur "$TWSCOPE" stat --netns "$target" >/dev/null 2>"$TW_TMP/e"
		check_eq "root in a user ns, --netns $target: exit" 1 $?
		check_eq "root in a user ns, --netns $target: one line" 1 "$(wc -l <"$TW_TMP/e")"
		case $(cat "$TW_TMP/e") in
		*"needs root"*|*"run as root"*) fail "root told it needs root: $(cat "$TW_TMP/e")" ;;
		*"although"*) pass "root in a user ns, --netns $target: names another cause" ;;
		*) fail "unexpected: $(cat "$TW_TMP/e")" ;;
		esac
	done
fi
# An unreadable proc tree is a runtime error, not zeros.
mkdir -p "$TW_TMP/proc"
TWSCOPE_PROC_ROOT=$TW_TMP/proc "$TWSCOPE" stat >/dev/null 2>"$TW_TMP/e"
check_eq "missing /proc files exit" 1 $?
TWSCOPE_PROC_ROOT=$TW_TMP/proc "$TWSCOPE" stat --summary >/dev/null 2>"$TW_TMP/e"
check_eq "missing sockstat exit" 1 $?
done_test
