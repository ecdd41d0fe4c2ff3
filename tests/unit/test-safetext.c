// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * safetext: terminal escapes, C1 controls, invalid and overlong UTF-8,
 * surrogates, bidi overrides, Nagios separators and buffer limits; every
 * 1- and 2-byte input and every 3-byte non-ASCII input against a reference
 * UTF-8 decoder written differently.
 */
#include "tw-test.h"

#include <string.h>

#include "safetext.h"

static const char *term(const char *s, unsigned int flags)
{
	static char buf[SAFETEXT_TERM_SIZE(64)];
	size_t need;

	assert_true(strlen(s) <= 64);
	need = safetext_term(buf, sizeof(buf), s, strlen(s), flags);
	assert_int_equal(need, strlen(buf));
	return buf;
}

static const char *json(const char *s)
{
	static char buf[SAFETEXT_JSON_SIZE(64)];
	size_t need;

	assert_true(strlen(s) <= 64);
	need = safetext_json(buf, sizeof(buf), s, strlen(s));
	assert_int_equal(need, strlen(buf));
	return buf;
}

static void test_term_escapes(void **state)
{
	(void)state;
	assert_string_equal(term("nginx: worker", 0), "nginx: worker");
	assert_string_equal(term("\x1b]0;title\x07", 0), "\\x1b]0;title\\x07");
	assert_string_equal(term("\x1b[2J", SAFETEXT_UTF8), "\\x1b[2J");
	assert_string_equal(term("\x1b]0;pwned\x07\x1b[2J\xff", SAFETEXT_UTF8),
			    "\\x1b]0;pwned\\x07\\x1b[2J\\xff");
	assert_string_equal(term("a\xff", SAFETEXT_UTF8), "a\\xff");
	/* overlong NUL */
	assert_string_equal(term("\xc0\x80", SAFETEXT_UTF8), "\\xc0\\x80");
	/* overlong '/' */
	assert_string_equal(term("\xe0\x80\xaf", SAFETEXT_UTF8), "\\xe0\\x80\\xaf");
	/* surrogate */
	assert_string_equal(term("\xed\xa0\x80", SAFETEXT_UTF8), "\\xed\\xa0\\x80");
	assert_string_equal(term("\xf4\x90\x80\x80", SAFETEXT_UTF8), "\\xf4\\x90\\x80\\x80");
	/* C1 CSI */
	assert_string_equal(term("\xc2\x9b" "2J", SAFETEXT_UTF8), "\\xc2\\x9b2J");
	/* raw CSI byte */
	assert_string_equal(term("\x9b" "2J", SAFETEXT_UTF8), "\\x9b2J");
	/* RLO */
	assert_string_equal(term("x\xe2\x80\xaey", SAFETEXT_UTF8), "x\\xe2\\x80\\xaey");
	/* BOM */
	assert_string_equal(term("\xef\xbb\xbf", SAFETEXT_UTF8), "\\xef\\xbb\\xbf");
	assert_string_equal(term("a\nb\tc\rd\x7f", 0), "a\\x0ab\\x09c\\x0dd\\x7f");
	assert_string_equal(term("C:\\x1b", 0), "C:\\\\x1b");
	/* truncated sequence at the end */
	assert_string_equal(term("ab\xe2\x82", SAFETEXT_UTF8), "ab\\xe2\\x82");
}

static void test_term_utf8(void **state)
{
	(void)state;
	assert_string_equal(term("caf\xc3\xa9", SAFETEXT_UTF8), "caf\xc3\xa9");
	assert_string_equal(term("caf\xc3\xa9", 0), "caf\\xc3\\xa9");
	assert_string_equal(term("\xe2\x82\xac\xf0\x9f\x98\x80", SAFETEXT_UTF8),
			    "\xe2\x82\xac\xf0\x9f\x98\x80");
	assert_string_equal(term("\xf0\x9f\x98\x80", 0), "\\xf0\\x9f\\x98\\x80");
}

static void test_term_nagios(void **state)
{
	(void)state;
	assert_string_equal(term("a|b", 0), "a|b");
	assert_string_equal(term("a|b=1;;;0\nCRIT", SAFETEXT_NAGIOS), "a\\x7cb=1;;;0\\x0aCRIT");
	assert_null(strchr(term("|\n|\r", SAFETEXT_NAGIOS), '|'));
}

/* The buffer is never overrun, never holds half an escape, and the needed length comes back. */
static void test_term_limits(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(safetext_term(buf, 6, "\x1b\x1b", 2, 0), 8);
	assert_string_equal(buf, "\\x1b");
	assert_int_equal(buf[6], 'Z');
	assert_int_equal(safetext_term(buf, 4, "\x1b", 1, 0), 4);
	assert_string_equal(buf, "");
	assert_int_equal(safetext_term(buf, 5, "\x1b", 1, 0), 4);
	assert_string_equal(buf, "\\x1b");
	/* a character is not cut either */
	assert_int_equal(safetext_term(buf, 3, "a\xc3\xa9", 3, SAFETEXT_UTF8), 3);
	assert_string_equal(buf, "a");
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(safetext_term(buf, 0, "abc", 3, 0), 3);
	assert_int_equal(buf[0], 'Z');
	assert_int_equal(safetext_term(NULL, 0, "\xff", 1, 0), 4);
	/* n bounds the input; a NUL ends it earlier */
	assert_int_equal(safetext_term(buf, sizeof(buf), "abcdef", 2, 0), 2);
	assert_string_equal(buf, "ab");
	assert_int_equal(safetext_term(buf, sizeof(buf), "a\0\x1b", 3, 0), 1);
	/* a comm buffer of 16 bytes without a NUL */
	assert_int_equal(safetext_term(buf, sizeof(buf), "0123456789abcdef", 3, 0), 3);
	assert_int_equal(safetext_json(buf, 4, "\xff\xff", 2), 6);
	assert_string_equal(buf, "\xef\xbf\xbd");
}

static void test_json(void **state)
{
	(void)state;
	assert_string_equal(json("app"), "app");
	/* controls stay: json-c escapes them */
	assert_string_equal(json("\x1b]0;t\x07"), "\x1b]0;t\x07");
	assert_string_equal(json("a\xff" "b"), "a\xef\xbf\xbd" "b");
	assert_string_equal(json("\xc0\x80"), "\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(json("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(json("\xc2\x9b"), "\xc2\x9b");
	assert_string_equal(json("caf\xc3\xa9\xe2\x82"), "caf\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd");
	assert_true(safetext_is_utf8("caf\xc3\xa9", 5));
	assert_false(safetext_is_utf8("\xed\xbf\xbf", 3));
	assert_false(safetext_is_utf8("\xf0\x8f\xbf\xbf", 4));
	assert_true(safetext_is_utf8("\xf4\x8f\xbf\xbf", 4));
	assert_true(safetext_is_utf8("\xff", 0));
}

/* Reference: decode any 1-4 byte form, then reject overlong, surrogate and too-large values. */
static size_t ref_utf8_len(const uint8_t *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		len = 1;
	else if ((s[0] & 0xe0) == 0xc0)
		len = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	*cp = len == 1 ? s[0] : s[0] & (0xff >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < min[len] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

static bool ref_valid(const char *s)
{
	size_t n = strlen(s);
	uint32_t cp;

	for (size_t i = 0; i < n;) {
		size_t l = ref_utf8_len((const uint8_t *)s + i, n - i, &cp);

		if (!l)
			return false;
		i += l;
	}
	return true;
}

static void check_one(const uint8_t *in, size_t n)
{
	char t[SAFETEXT_TERM_SIZE(4)], tu[SAFETEXT_TERM_SIZE(4)], j[SAFETEXT_JSON_SIZE(4)];
	uint32_t cp = 0, rcp = 0;
	size_t l = safetext_utf8_len((const char *)in, n, &cp);

	assert_int_equal(l, ref_utf8_len(in, n, &rcp));
	if (l)
		assert_int_equal(cp, rcp);
	(void) safetext_term(t, sizeof(t), (const char *)in, n, SAFETEXT_NAGIOS);
	(void) safetext_term(tu, sizeof(tu), (const char *)in, n, SAFETEXT_UTF8);
	(void) safetext_json(j, sizeof(j), (const char *)in, n);
	for (const char *p = t; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f && *p != '|');
	for (const unsigned char *p = (const unsigned char *)tu; *p; p++)
		assert_true(*p >= 0x20 && *p != 0x7f);
	assert_true(ref_valid(tu));
	assert_true(ref_valid(j));
}

static void test_exhaustive(void **state)
{
	uint8_t in[4];

	(void)state;
	for (unsigned int a = 1; a < 256; a++) {
		in[0] = (uint8_t)a;
		check_one(in, 1);
		for (unsigned int b = 1; b < 256; b++) {
			in[1] = (uint8_t)b;
			check_one(in, 2);
		}
	}
	for (unsigned int a = 0xc0; a < 256; a++)
		for (unsigned int b = 0x80; b < 0xc0; b++)
			for (unsigned int c = 1; c < 256; c++) {
				in[0] = (uint8_t)a;
				in[1] = (uint8_t)b;
				in[2] = (uint8_t)c;
				check_one(in, 3);
				in[3] = 0x80;
				check_one(in, 4);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_term_escapes),
		cmocka_unit_test(test_term_utf8),
		cmocka_unit_test(test_term_nagios),
		cmocka_unit_test(test_term_limits),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_exhaustive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
