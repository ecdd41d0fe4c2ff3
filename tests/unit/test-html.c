// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * html_escape(): markup characters, hostile process names, controls and
 * broken UTF-8, buffer limits (never cutting an entity or a character), and
 * the stream writers agreeing with the buffer version.
 */
#include "tw-test.h"

#include <string.h>

#include "html.h"

static const char *esc(const char *s)
{
	static char buf[512];
	size_t need = html_escape(buf, sizeof(buf), s, strlen(s));

	assert_int_equal(need, strlen(buf));
	return buf;
}

static void test_markup(void **state)
{
	(void)state;
	assert_string_equal(esc("nginx: worker"), "nginx: worker");
	assert_string_equal(esc("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_string_equal(esc("a&b \"c\" 'd'"), "a&amp;b &quot;c&quot; &#39;d&#39;");
	assert_string_equal(esc("&amp;"), "&amp;amp;");
	assert_string_equal(esc("\" onload=\"x"), "&quot; onload=&quot;x");
	assert_string_equal(esc(""), "");
}

static void test_controls_and_utf8(void **state)
{
	(void)state;
	/* tab and newline stay, other C0, DEL and C1 become U+FFFD */
	assert_string_equal(esc("a\tb\nc"), "a\tb\nc");
	assert_string_equal(esc("\x1b[2J"), "\xef\xbf\xbd[2J");
	assert_string_equal(esc("x\x7fy"), "x\xef\xbf\xbdy");
	assert_string_equal(esc("\xc2\x85"), "\xef\xbf\xbd");
	/* printable UTF-8 is kept */
	assert_string_equal(esc("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");
	/* each byte of a broken or overlong sequence: U+FFFD */
	assert_string_equal(esc("\xff"), "\xef\xbf\xbd");
	assert_string_equal(esc("\xc0\xbc"), "\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(esc("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(esc("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");
	/* noncharacters XML does not allow */
	assert_string_equal(esc("\xef\xbf\xbe"), "\xef\xbf\xbd");
	assert_true(utf8_check(esc("\xff<\xc3(\xe2\x82\x28\x1b\xc2\x9b"), UTF8_NO_CONTROLS));
}

static void test_limits(void **state)
{
	char buf[8];
	size_t need;

	(void)state;
	/* "a&lt;" fits in 8 (5 + NUL), "&gt;" after it does not: cut before it */
	need = html_escape(buf, sizeof(buf), "a<>", 3);
	assert_int_equal(need, strlen("a&lt;&gt;"));
	assert_string_equal(buf, "a&lt;");
	/* a character is never cut */
	need = html_escape(buf, 4, "ab\xc3\xa9", 4);
	assert_int_equal(need, 4);
	assert_string_equal(buf, "ab");
	/* n bounds the input; a NUL ends it earlier */
	need = html_escape(buf, sizeof(buf), "<<<<", 1);
	assert_string_equal(buf, "&lt;");
	assert_int_equal(need, 4);
	need = html_escape(buf, sizeof(buf), "x\0<", 3);
	assert_string_equal(buf, "x");
	assert_int_equal(need, 1);
	/* measuring only */
	assert_int_equal(html_escape(NULL, 0, "<&>", 3), 13);
	need = html_escape(buf, 1, "<", 1);
	assert_string_equal(buf, "");
	assert_int_equal(need, 4);
}

static void test_stream(void **state)
{
	static const char *const in[] = { "plain", "<b>&\"'", "\x1b]0;t\x07", "\xff\xfe", "caf\xc3\xa9" };
	char *out = NULL;
	size_t len = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		FILE *f = open_memstream(&out, &len);

		assert_non_null(f);
		html_fputs(f, in[i]);
		assert_int_equal(fclose(f), 0);
		assert_string_equal(out, esc(in[i]));
		free(out);
		out = NULL;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_controls_and_utf8),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
