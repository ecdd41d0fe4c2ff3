/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A reference UTF-8 decoder for tests and fuzz harnesses, independent of
 * src/safetext.c, so that the two can check each other.
 */
#ifndef TWSCOPE_TESTS_UTF8_CHECK_H
#define TWSCOPE_TESTS_UTF8_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_NO_CONTROLS 1u	/* no C0 control but '\n', no DEL, no C1, no bidi override */
#define UTF8_NO_NEWLINE 2u	/* with UTF8_NO_CONTROLS: not even '\n' */
#define UTF8_NO_HIDDEN 4u	/* no U+2028, U+2029 or BOM */

/*
 * utf8_check() - true when s is well-formed UTF-8 (no overlong forms,
 * surrogates or values above U+10FFFF) and holds nothing flags exclude.
 */
static inline bool utf8_check(const char *str, unsigned int flags)
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
		if ((flags & UTF8_NO_CONTROLS) &&
		    ((cp < 0x20 && (cp != '\n' || (flags & UTF8_NO_NEWLINE))) ||
		     (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
		     (cp >= 0x2066 && cp <= 0x2069)))
			return false;
		if ((flags & UTF8_NO_HIDDEN) && (cp == 0x2028 || cp == 0x2029 || cp == 0xfeff))
			return false;
		s += len;
	}
	return true;
}

#endif
