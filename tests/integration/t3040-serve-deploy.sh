#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped deployment files are valid: promtool checks and unit-tests the
# alerting rules, jq parses the Grafana dashboard, systemd-analyze verifies
# the unit with no complaint at all (warnings included).
. "$(dirname "$0")/lib.sh"
require JQ
command -v promtool >/dev/null || skip "promtool missing (Debian package prometheus; make deps)"
REPO=$(cd "$(dirname "$0")/../.." && pwd)

out=$(promtool check rules "$REPO/deploy/prometheus/alerts.yml" 2>&1); rc=$?
check_eq "promtool check rules" 0 "$rc"
case $out in *"SUCCESS: 7 rules found"*) pass "7 rules" ;; *) fail "promtool: $out" ;; esac
out=$(cd "$REPO/deploy/prometheus" && promtool test rules alerts_test.yml 2>&1); rc=$?
check_eq "promtool test rules" 0 "$rc"
[ "$rc" -eq 0 ] || echo "$out"

jq . "$REPO/deploy/grafana/twscope.json" >/dev/null; check_eq "dashboard is JSON" 0 "$?"
check_eq "dashboard panels" 9 "$(jq '.panels | length' "$REPO/deploy/grafana/twscope.json")"
check_eq "dashboard panel ids unique" "$(jq '.panels | length' "$REPO/deploy/grafana/twscope.json")" \
	"$(jq '[.panels[].id] | unique | length' "$REPO/deploy/grafana/twscope.json")"
check_eq "classic graph queries time_wait and established" 2 \
	"$(jq '[.panels[0].targets[].expr | select(test("time_wait|established"))] | length' "$REPO/deploy/grafana/twscope.json")"

if ! command -v systemd-analyze >/dev/null; then
	echo "note: systemd-analyze missing, unit not verified"
else
	# verify needs ExecStart to exist (point it at the built binary) and looks up
	# Documentation=man: pages, which are not installed here (--man=no).
	U=$TW_TMP/twscope.service
	sed "s|/usr/local/bin/twscope|$TWSCOPE|" "$REPO/deploy/systemd/twscope.service" >"$U"
	out=$(systemd-analyze verify --man=no "$U" 2>&1); rc=$?
	check_eq "systemd-analyze verify exit" 0 "$rc"
	check_eq "systemd-analyze verify output" "" "$out"
	# A unit with a mistake must be reported: the check can fail.
	sed 's/^NoNewPrivileges=yes/NoNewPrivilegez=yes/' "$U" >"$U.bad.service"
	out=$(systemd-analyze verify --man=no "$U.bad.service" 2>&1)
	case $out in *"Unknown key"*) pass "verify catches a typo" ;; *) fail "verify missed a typo: $out" ;; esac
	for k in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
		"CapabilityBoundingSet=" "RestrictAddressFamilies=AF_INET AF_INET6 AF_NETLINK AF_UNIX"; do
		grep -qx "$k" "$U" && pass "unit has $k" || fail "unit lacks $k"
	done
fi
done_test
