// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the lab verdict logic (src/lab/verdict.c): check
 * evaluation, text of expectations and observations, and the verdict
 * order error > skipped > differs > as expected. Also lab_find/lab_suggest.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lab/lab.h"
#include "lab/verdict.h"

static struct lab_check mk(const char *what, enum lab_cmp cmp, int64_t exp, int64_t hi, int64_t obs)
{
	struct lab_check c = { .cmp = cmp, .expected = exp, .expected_hi = hi, .observed = obs };

	strncpy(c.what, what, sizeof(c.what) - 1);
	c.ok = lab_check_eval(&c);
	return c;
}

static void test_eval(void **state)
{
	(void) state;
	assert_true(mk("a", LAB_CMP_EQ, 5, 0, 5).ok);
	assert_false(mk("a", LAB_CMP_EQ, 5, 0, 4).ok);
	assert_true(mk("a", LAB_CMP_GE, 1, 0, 7).ok);
	assert_false(mk("a", LAB_CMP_GE, 1, 0, 0).ok);
	assert_true(mk("a", LAB_CMP_LE, 3, 0, 3).ok);
	assert_false(mk("a", LAB_CMP_LE, 3, 0, 4).ok);
	assert_true(mk("a", LAB_CMP_RANGE, 10, 20, 10).ok);
	assert_true(mk("a", LAB_CMP_RANGE, 10, 20, 20).ok);
	assert_false(mk("a", LAB_CMP_RANGE, 10, 20, 21).ok);
	assert_false(mk("a", LAB_CMP_RANGE, 10, 20, 9).ok);
	assert_true(mk("a", LAB_CMP_ERRNO, EADDRNOTAVAIL, 0, EADDRNOTAVAIL).ok);
	assert_false(mk("a", LAB_CMP_ERRNO, EADDRNOTAVAIL, 0, 0).ok);
}

static void test_text(void **state)
{
	char buf[LAB_TEXT_MAX];
	struct lab_check c;

	(void) state;
	c = mk("x", LAB_CMP_ERRNO, EADDRNOTAVAIL, 0, 0);
	assert_string_equal(lab_check_expected_text(&c, buf, sizeof(buf)), "EADDRNOTAVAIL");
	assert_string_equal(lab_check_observed_text(&c, buf, sizeof(buf)), "success");
	c = mk("x", LAB_CMP_RANGE, 55000, 60000, 59000);
	assert_string_equal(lab_check_expected_text(&c, buf, sizeof(buf)), "55000..60000");
	assert_string_equal(lab_check_observed_text(&c, buf, sizeof(buf)), "59000");
	c = mk("x", LAB_CMP_GE, 1, 0, 0);
	assert_string_equal(lab_check_expected_text(&c, buf, sizeof(buf)), ">= 1");
	assert_string_equal(lab_errno_name(-ETIMEDOUT), "ETIMEDOUT");
	assert_string_equal(lab_verdict_name(LAB_EXPECTED), "as expected");
	assert_string_equal(lab_verdict_name(LAB_DIFFERS), "differs");
	assert_string_equal(lab_verdict_name(LAB_SKIPPED), "skipped");
}

static void test_expected(void **state)
{
	struct lab_check c[2];
	char diff[256];

	(void) state;
	c[0] = mk("usable", LAB_CMP_EQ, 100, 0, 100);
	c[1] = mk("errno", LAB_CMP_ERRNO, EADDRNOTAVAIL, 0, EADDRNOTAVAIL);
	assert_int_equal(lab_verdict_decide(c, 2, "", "", diff, sizeof(diff)), LAB_EXPECTED);
	assert_string_equal(diff, "");
	assert_int_equal(lab_verdict_decide(c, 2, NULL, NULL, diff, sizeof(diff)), LAB_EXPECTED);
}

static void test_differs(void **state)
{
	struct lab_check c[3];
	char diff[256], small[16];

	(void) state;
	c[0] = mk("usable", LAB_CMP_EQ, 100, 0, 100);
	c[1] = mk("failing attempt", LAB_CMP_EQ, 101, 0, 99);
	c[2] = mk("connect()", LAB_CMP_ERRNO, EADDRNOTAVAIL, 0, 0);
	assert_int_equal(lab_verdict_decide(c, 3, "", "", diff, sizeof(diff)), LAB_DIFFERS);
	assert_string_equal(diff, "failing attempt: expected 101, observed 99; "
				  "connect(): expected EADDRNOTAVAIL, observed success");
	/* a short buffer is truncated, never overrun */
	assert_int_equal(lab_verdict_decide(c, 3, "", "", small, sizeof(small)), LAB_DIFFERS);
	assert_true(strlen(small) < sizeof(small));
}

static void test_skipped_and_error(void **state)
{
	struct lab_check c = mk("a", LAB_CMP_EQ, 1, 0, 2);
	char diff[128];

	(void) state;
	/* skip outranks a failed check; error outranks skip */
	assert_int_equal(lab_verdict_decide(&c, 1, "no tcp_tw_reuse_delay (kernel < 6.14)", "", diff, sizeof(diff)),
			 LAB_SKIPPED);
	assert_int_equal(lab_verdict_decide(&c, 1, "skip", "timed out", diff, sizeof(diff)), LAB_ERROR);
	/* nothing observed is an error, not a pass */
	assert_int_equal(lab_verdict_decide(NULL, 0, "", "", diff, sizeof(diff)), LAB_ERROR);
	assert_string_equal(diff, "nothing was observed");
}

/* Fractional checks read as numbers with their decimals, not as "x100" integers. */
static void test_decimals(void **state)
{
	struct lab_check c = { .cmp = LAB_CMP_RANGE, .expected = 158, .expected_hi = 176, .observed = 166,
			       .decimals = 2 };
	char buf[64], diff[256];

	(void) state;
	assert_string_equal(lab_check_expected_text(&c, buf, sizeof(buf)), "1.58..1.76");
	assert_string_equal(lab_check_observed_text(&c, buf, sizeof(buf)), "1.66");
	c.cmp = LAB_CMP_GE;
	c.expected = 300;
	c.observed = 205;
	assert_string_equal(lab_check_expected_text(&c, buf, sizeof(buf)), ">= 3.00");
	assert_string_equal(lab_check_observed_text(&c, buf, sizeof(buf)), "2.05");
	c.observed = -5;
	assert_string_equal(lab_check_observed_text(&c, buf, sizeof(buf)), "-0.05");
	c.decimals = 1;
	c.observed = 7;
	assert_string_equal(lab_check_observed_text(&c, buf, sizeof(buf)), "0.7");
	c.decimals = 0;
	assert_string_equal(lab_check_observed_text(&c, buf, sizeof(buf)), "7");
	c.decimals = 9;	/* out of range: plain integer */
	assert_string_equal(lab_check_observed_text(&c, buf, sizeof(buf)), "7");
	c = (struct lab_check){ .what = "ceiling", .cmp = LAB_CMP_GE, .expected = 300, .observed = 205,
				.decimals = 2 };
	c.ok = lab_check_eval(&c);
	assert_int_equal(lab_verdict_decide(&c, 1, "", "", diff, sizeof(diff)), LAB_DIFFERS);
	assert_non_null(strstr(diff, ">= 3.00"));
	assert_non_null(strstr(diff, "2.05"));
}

static void test_find_suggest(void **state)
{
	(void) state;
	assert_int_equal(lab_n_scenarios >= 9, 1);
	assert_non_null(lab_find("client-exhaustion"));
	assert_null(lab_find("client"));
	assert_string_equal(lab_suggest("client-exhaustoin"), "client-exhaustion");
	assert_string_equal(lab_suggest("nat"), "nat-timewait");
	assert_string_equal(lab_suggest("bucket-overflw"), "bucket-overflow");
	assert_null(lab_suggest("zzzzzzzzzzzz"));
	for (size_t i = 0; i < lab_n_scenarios; i++) {
		assert_non_null(lab_scenarios[i]->question);
		assert_non_null(lab_scenarios[i]->source);
		assert_non_null(strstr(lab_scenarios[i]->source, "docs/kernel.md#"));
		assert_true(lab_scenarios[i]->timeout_s > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_expected),
		cmocka_unit_test(test_differs),
		cmocka_unit_test(test_skipped_and_error),
		cmocka_unit_test(test_find_suggest),
		cmocka_unit_test(test_decimals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
