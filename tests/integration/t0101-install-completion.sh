#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion (scripts/gen-completion, installed by make install)
# completes every command the binary lists, every long option of every
# command's getopt_long() table (read here independently, with grep), every
# lab scenario, and offers nothing the binary rejects as an unknown option.
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
command -v bash >/dev/null || skip "bash missing"
C=$TW_TMP/twscope.bash
"$REPO/scripts/gen-completion" "$REPO/src" >"$C" || { fail "gen-completion failed"; done_test; }
# The copy the build made (make all / make install) is the same text.
built=$(dirname "$HELPERS")/completion/twscope
if [ -f "$built" ]; then
	cmp -s "$C" "$built" && pass "built completion is current" || fail "$built differs from scripts/gen-completion"
fi
out=$(bash -c ". '$C' && complete -p twscope" 2>&1)
check_eq "complete -p twscope" "complete -F _twscope twscope" "$out"

# complete WORDS...: what bash offers for the last word.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}; _twscope; printf "%s\n" "${COMPREPLY[@]}"' _ "$C" "$@"
}
has() { grep -qxF -- "$2" <<<"$1"; }

cmds=$("$TWSCOPE" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p')
[ -n "$cmds" ] || fail "no commands in 'twscope --help'"
got=$(complete_words twscope "")
for c in $cmds; do has "$got" "$c" || fail "'twscope <TAB>' lacks the command '$c'"; done
got=$(complete_words twscope help "")
for c in $cmds; do [ "$c" = help ] || has "$got" "$c" || fail "'twscope help <TAB>' lacks '$c'"; done

n=0
for c in $cmds; do
	[ "$c" = help ] && continue
	f=$(grep -l "^int cmd_${c//-/_}(" "$REPO"/src/*.c | head -1)
	[ -n "$f" ] || { fail "no source file defines cmd_$c()"; continue; }
	longs=$(grep -oE '\{ *"[A-Za-z0-9._-]+", *(no|required|optional)_argument' "$f" |
		sed -E 's/^\{ *"([^"]*)".*/--\1/' | sort -u)
	[ -n "$longs" ] || fail "no options found in $f"
	all=$(complete_words twscope "$c" --)
	for o in $longs; do
		n=$((n + 1))
		has "$all" "$o" || fail "'twscope $c --<TAB>' lacks $o"
		got=$(complete_words twscope -v "$c" --json "${o:0:$((${#o} - 1))}")
		has "$got" "$o" || fail "'twscope $c ${o:0:$((${#o} - 1))}<TAB>' does not complete to $o"
	done
	# Nothing offered that the binary does not know (a value after options
	# that take one; --help last makes every accepted line stop there).
	for o in $all; do
		err=$(timeout 5 "$TWSCOPE" "$c" "$o=1" --help 2>&1 >/dev/null </dev/null)
		case $err in
		*"unknown option"*|*"unrecognized option"*|*"doesn't allow an argument"*)
			err=$(timeout 5 "$TWSCOPE" "$c" "$o" --help 2>&1 >/dev/null </dev/null) ;;
		esac
		case $err in
		*"unknown option"*|*"unrecognized option"*) fail "completion offers $o, which 'twscope $c' rejects: $err" ;;
		esac
	done
	# An option's value is not completed with options.
	got=$(complete_words twscope "$c" --netns "")
	if grep -q -- '--netns' "$f" && grep -q '^--' <<<"$got"; then
		fail "'twscope $c --netns <TAB>' offers options"
	fi
done
[ "$n" -gt 20 ] && pass "$n long options complete" || fail "only $n long options found"

got=$(complete_words twscope lab "")
has "$got" run && has "$got" list && pass "lab subcommands" || fail "'twscope lab <TAB>': $got"
got=$(complete_words twscope lab run --quick "")
scn=$("$TWSCOPE" lab list | awk 'NR > 1 && NF { print $1 }')
[ -n "$scn" ] || fail "'twscope lab list' printed no scenario"
for s in $scn all; do has "$got" "$s" || fail "'twscope lab run <TAB>' lacks $s"; done
done_test
