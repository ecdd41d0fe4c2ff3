/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Common includes for cmocka unit tests (cmocka needs these before its header) and test helpers. */
#ifndef TWSCOPE_TW_TEST_H
#define TWSCOPE_TW_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>

#include <stdio.h>
#include <stdlib.h>

/*
 * golden_compare() - assert text equals the golden file; with
 * TW_UPDATE_GOLDEN=1 in the environment, rewrite the file first.
 */
static inline void golden_compare(const char *golden, const char *text)
{
	char *want = NULL;
	size_t n = 0;
	FILE *f;

	if (getenv("TW_UPDATE_GOLDEN")) {
		f = fopen(golden, "we");
		assert_non_null(f);
		fputs(text, f);
		assert_int_equal(fclose(f), 0);
	}
	f = fopen(golden, "re");
	assert_non_null(f);
	assert_true(getdelim(&want, &n, '\0', f) >= 0);
	fclose(f);
	assert_string_equal(text, want);
	free(want);
}

/*
 * tw_utf8_check() - a reference UTF-8 decoder independent of safetext.c:
 * true when s is well-formed (no overlong forms, surrogates or values
 * above U+10FFFF) and, with no_controls, holds no C0 control but '\n', no
 * DEL, no C1 control and no bidi override (U+202A..U+202E, U+2066..U+2069).
 */
static inline bool tw_utf8_check(const char *str, bool no_controls)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		size_t len = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 :
			     (*s & 0xf8) == 0xf0 ? 4 : 0;
		uint32_t cp;

		if (!len)
			return false;
		cp = len == 1 ? *s : *s & (0xff >> (len + 1));
		for (size_t i = 1; i < len; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		if (no_controls && ((cp < 0x20 && cp != '\n') || (cp >= 0x7f && cp <= 0x9f) ||
				    (cp >= 0x202a && cp <= 0x202e) ||
				    (cp >= 0x2066 && cp <= 0x2069)))
			return false;
		s += len;
	}
	return true;
}

#endif
