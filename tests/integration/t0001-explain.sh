#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# twscope explain: findings, scenarios and kernel facts offline; unknown ids
# get one line with the closest id and exit 2.
. "$(dirname "$0")/lib.sh"

"$TWSCOPE" explain port-exhaustion >"$TW_TMP/o" 2>"$TW_TMP/e"; check_eq "finding exit" 0 $?
check_eq "finding: nothing on stderr" 0 "$(wc -c <"$TW_TMP/e")"
check_eq "finding title" "port-exhaustion: Ephemeral ports toward one destination" "$(head -1 "$TW_TMP/o")"
grep -q '^Fix, best first: ' "$TW_TMP/o" && pass "finding has its fix" || fail "no fix: $(cat "$TW_TMP/o")"
grep -q '^  ADV_PORT_WARN_PCT / ADV_PORT_CRIT_PCT = 50 % / 80 %$' "$TW_TMP/o" &&
	pass "finding has its thresholds" || fail "no thresholds"
grep -q '^  docs/kernel.md#port-budget: ' "$TW_TMP/o" && pass "finding has its references" || fail "no refs"

"$TWSCOPE" explain --json tw-bucket-overflow >"$TW_TMP/j"; check_eq "json exit" 0 $?
check_eq "json kind" finding "$(jqv "$TW_TMP/j" .kind)"
check_eq "json refs" "docs/kernel.md#tw-overflow docs/kernel.md#tw-buckets docs/kernel.md#sockstat-tw docs/kernel.md#per-netns" \
	"$(jqv "$TW_TMP/j" '[.references[].ref] | join(" ")')"
case $(jqv "$TW_TMP/j" .items.fix) in "raise tcp_max_tw_buckets above the peak"*) pass "json fix" ;;
	*) fail "json fix: $(jqv "$TW_TMP/j" .items.fix)" ;; esac

"$TWSCOPE" explain -j nat-timewait >"$TW_TMP/j"; check_eq "scenario exit" 0 $?
check_eq "scenario kind" scenario "$(jqv "$TW_TMP/j" .kind)"
check_eq "scenario has its text" true "$(jqv "$TW_TMP/j" '.text | length > 0')"
"$TWSCOPE" explain -j kernel.md#tw-recycle >"$TW_TMP/j"; check_eq "fact exit" 0 $?
check_eq "fact kind" kernel-fact "$(jqv "$TW_TMP/j" .kind)"

"$TWSCOPE" explain port-exhastion >"$TW_TMP/o" 2>"$TW_TMP/e"; check_eq "unknown id exit" 2 $?
check_eq "unknown id: nothing on stdout" 0 "$(wc -c <"$TW_TMP/o")"
check_eq "unknown id: one line" "twscope explain: unknown id 'port-exhastion'; did you mean 'port-exhaustion'?" \
	"$(cat "$TW_TMP/e")"
"$TWSCOPE" explain -j nope >"$TW_TMP/o" 2>/dev/null; check_eq "unknown id json exit" 2 $?
check_eq "unknown id json code" 2 "$(jqv "$TW_TMP/o" .code)"
"$TWSCOPE" explain >/dev/null 2>&1; check_eq "no id exit" 2 $?
"$TWSCOPE" explain a b >/dev/null 2>&1; check_eq "two ids exit" 2 $?

# Every rule and scenario the program lists can be explained.
for id in $("$TWSCOPE" lab list -j | jq -r '.scenarios[].name'); do
	"$TWSCOPE" explain "$id" >/dev/null 2>&1 || fail "explain $id"
done
pass "every scenario explains"
done_test
