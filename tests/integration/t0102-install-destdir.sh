#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make install PREFIX=... DESTDIR=...: the binary, man page, bash completion,
# systemd unit (its ExecStart is the installed binary) and docs land under
# DESTDIR only, for the default prefix and for /usr.
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
command -v make >/dev/null || skip "make missing"
command -v git >/dev/null || skip "git missing"
W=$TW_TMP/src
mkdir -p "$W"
git -C "$REPO" ls-files -z --cached --others --exclude-standard |
	(cd "$REPO" && xargs -0 tar -cf -) | tar -xf - -C "$W" || { fail "copy of the sources"; done_test; }
mk() { (cd "$W" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u TWSCOPE make BPF=0 "$@"); }

out=$(mk -j2 2>&1) || { fail "build: $(echo "$out" | tail -5)"; done_test; }
for prefix in /usr/local /usr /opt/tw; do
	D=$TW_TMP/dest$(echo "$prefix" | tr / _)
	if [ "$prefix" = /usr/local ]; then
		out=$(mk install DESTDIR="$D" 2>&1); rc=$?
	else
		out=$(mk install DESTDIR="$D" PREFIX="$prefix" 2>&1); rc=$?
	fi
	check_eq "make install PREFIX=$prefix exit" 0 "$rc"
	[ "$rc" -eq 0 ] || { echo "$out" | tail -5; continue; }
	for f in bin/twscope share/man/man1/twscope.1 share/bash-completion/completions/twscope \
		 lib/systemd/system/twscope.service lib/systemd/system/twscope-record.service \
		 share/doc/twscope/README.md \
		 share/doc/twscope/docs/kernel.md share/doc/twscope/docs/install.md \
		 share/doc/twscope/examples/alerts.yml; do
		[ -f "$D$prefix/$f" ] || fail "PREFIX=$prefix: $prefix/$f not installed"
	done
	[ -x "$D$prefix/bin/twscope" ] || fail "PREFIX=$prefix: twscope not executable"
	v=$("$D$prefix/bin/twscope" --version 2>&1)
	case $v in "twscope "*) ;; *) fail "PREFIX=$prefix: installed twscope --version: $v" ;; esac
	exe=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$D$prefix/lib/systemd/system/twscope.service")
	check_eq "PREFIX=$prefix: unit ExecStart" "$prefix/bin/twscope" "$exe"
	exe=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$D$prefix/lib/systemd/system/twscope-record.service")
	check_eq "PREFIX=$prefix: record unit ExecStart" "$prefix/bin/twscope" "$exe"
	# Nothing but the prefix below DESTDIR (no stray absolute paths).
	top=$(cd "$D" && find . -mindepth 1 -maxdepth 1 | sort | tr '\n' ' ')
	check_eq "PREFIX=$prefix: top of DESTDIR" "./$(echo "$prefix" | cut -d/ -f2) " "$top"
	bad=$(grep -rl "$D" "$D" 2>/dev/null | head -3)
	check_eq "PREFIX=$prefix: DESTDIR baked into files" "" "$bad"
done
done_test
