#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The first hour of an ordinary user, in a clean copy of the tracked sources
# owned by 'nobody': the build and `twscope doctor` work with the PATH Debian
# gives a normal user (no /usr/sbin, where bpftool lives); root building in
# that clone afterwards (`sudo make check`) leaves no root-owned file among
# the user's, so the user's rebuild and `make clean` still work.
. "$(dirname "$0")/lib.sh"
require ROOT
REPO=$(cd "$(dirname "$0")/../.." && pwd)
command -v setpriv >/dev/null || skip "setpriv missing (util-linux)"
command -v git >/dev/null || skip "git missing"
command -v make >/dev/null || skip "make missing"
UPATH=/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games
ID=65534
W=$TW_TMP/src
chmod 755 "$TW_TMP"
mkdir -p "$W" "$TW_TMP/home"
git -C "$REPO" ls-files -z --cached --others --exclude-standard |
	(cd "$REPO" && xargs -0 tar -cf -) | tar -xf - -C "$W" || { fail "copy of the sources"; done_test; }
chown -R $ID:$ID "$W" "$TW_TMP/home"
# as_user CMD...: in the clone, as nobody, with a fresh login-like environment.
as_user() {
	(cd "$W" && setpriv --reuid=$ID --regid=$ID --clear-groups \
		env -i HOME="$TW_TMP/home" PATH=$UPATH LANG=C.UTF-8 "$@")
}
# as_root CMD...: root's make in the clone, without the caller's make state.
as_root() { (cd "$W" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u TWSCOPE "$@"); }

if as_user sh -c 'command -v bpftool' >/dev/null; then
	echo "note: bpftool is in the user's PATH here; the /usr/sbin lookup is not exercised"
fi
# 1. The user's build of a clean checkout, and doctor unprivileged.
out=$(as_user make -j2 2>&1); rc=$?
check_eq "user: make exit" 0 "$rc"
[ "$rc" -eq 0 ] || echo "$out" | tail -15
[ -x "$W/twscope" ] && [ "$(stat -c %u "$W/twscope")" = $ID ] && pass "user: ./twscope built" ||
	fail "user: no ./twscope of the user's"
[ -s "$W/.output/completion/twscope" ] && pass "user: completion generated" || fail "user: no completion"
as_user ./twscope doctor >"$TW_TMP/doctor.out" 2>&1; rc=$?
case $rc in
0|1|2) pass "user: twscope doctor exit $rc" ;;
*) fail "user: twscope doctor exit $rc: $(tail -3 "$TW_TMP/doctor.out")" ;;
esac
grep -q . "$TW_TMP/doctor.out" || fail "user: twscope doctor printed nothing"

# 2. Root builds what `make check` builds, in the user's clone.
out=$(as_root make -j2 test-bins 2>&1); rc=$?
check_eq "root: make test-bins exit" 0 "$rc"
[ "$rc" -eq 0 ] || echo "$out" | tail -15
[ -x "$W/.output-root/twscope" ] && pass "root: its build is in .output-root" || fail "root: no .output-root/twscope"
stray=$(cd "$W" && find . -user 0 ! -path './.output-root' ! -path './.output-root/*' | head -5)
check_eq "root-owned files among the user's" "" "$stray"

# 3. The user rebuilds after an edit, then cleans.
as_user touch src/census.c
out=$(as_user make -j2 2>&1); rc=$?
check_eq "user: rebuild after root's build" 0 "$rc"
[ "$rc" -eq 0 ] || echo "$out" | tail -15
out=$(as_user make clean 2>&1); rc=$?
check_eq "user: make clean exit" 0 "$rc"
case $out in
*"leaving '.output-root'"*"sudo make clean"*) pass "user: make clean explains root's folder" ;;
*) fail "user: make clean says: $out" ;;
esac
left=$(cd "$W" && ls -d .output .output-san twscope 2>/dev/null)
check_eq "user: make clean removed the user's build" "" "$left"
out=$(as_root make clean 2>&1); rc=$?
check_eq "root: make clean exit" 0 "$rc"
[ ! -e "$W/.output-root" ] || fail "root: make clean left .output-root"
done_test
