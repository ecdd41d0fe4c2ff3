// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for facts.c: collection from fixture /proc trees (good,
 * malformed netstat, missing files): the affected rules say unknown, nothing
 * crashes. Bundles are tested in test-bundle.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doctor/advice.h"
#include "doctor/facts.h"
#include "util.h"

static struct advice_report rep;

static enum tw_sev sev(const struct tw_facts *f, const char *id)
{
	advice_eval(f, &rep);
	return advice_find(&rep, id)->sev;
}

static void collect_from(const char *root, struct tw_facts *f)
{
	int census_err;

	setenv("TWSCOPE_PROC_ROOT", root, 1);
	setenv("TWSCOPE_SYSCONF_ROOT", "tests/fixtures/sysconf", 1);
	facts_init(f);
	assert_int_equal(facts_collect(f, 0, &census_err), 0);
	unsetenv("TWSCOPE_PROC_ROOT");
	unsetenv("TWSCOPE_SYSCONF_ROOT");
}

static void test_proc_good(void **state)
{
	struct tw_facts f;
	int64_t v;

	(void) state;
	collect_from("tests/fixtures/proc/good", &f);
	assert_true(facts_sysctl_int(&f, FS_MAX_TW_BUCKETS, &v));
	assert_int_equal(v, 5);
	assert_false(f.sysctl[FS_TW_RECYCLE].present);
	assert_false(f.sysctl[FS_TW_RECYCLE].error);
	assert_true(f.have_counters);
	assert_int_equal(f.counter[FC_TW_OVERFLOW].value, 7);
	assert_false(f.counter[FC_TW_OVERFLOW].have_delta);
	assert_int_equal(f.counter[FC_ACTIVE_OPENS].value, 12);
	assert_true(f.have_sockstat);
	assert_int_equal(f.sockstat.tcp_tw, 5);
	assert_false(f.tw_objsize_measured);	/* no slabinfo in the fixture */
	assert_int_equal(f.tw_objsize, 256);
	assert_int_equal(f.sysconf.n, 6);
	assert_int_equal(sev(&f, "tw-bucket-overflow"), TW_SEV_WARNING);
	assert_int_equal(sev(&f, "abortive-closes"), TW_SEV_INFO);
	assert_int_equal(sev(&f, "tw-recycle"), TW_SEV_WARNING);
	facts_done(&f);
}

static void test_proc_bad_netstat(void **state)
{
	struct tw_facts f;

	(void) state;
	collect_from("tests/fixtures/proc/bad-netstat", &f);
	assert_false(f.have_counters);
	assert_int_equal(sev(&f, "abortive-closes"), TW_SEV_UNKNOWN);
	assert_int_equal(sev(&f, "paws-rejects"), TW_SEV_UNKNOWN);
	/* sockstat still says 5 of 5 buckets: that much is known */
	assert_int_equal(sev(&f, "tw-bucket-overflow"), TW_SEV_WARNING);
	facts_done(&f);
}

static void test_proc_missing(void **state)
{
	struct tw_facts f;

	(void) state;
	collect_from("tests/fixtures/proc/missing", &f);
	assert_false(f.have_counters);
	assert_false(f.have_sockstat);
	assert_false(f.census.have);	/* no port range to compute usable ports */
	assert_int_equal(sev(&f, "tw-bucket-overflow"), TW_SEV_UNKNOWN);
	assert_int_equal(sev(&f, "fin-timeout-myth"), TW_SEV_UNKNOWN);
	assert_int_equal(sev(&f, "port-exhaustion"), TW_SEV_UNKNOWN);
	assert_int_equal(sev(&f, "tw-count-mismatch"), TW_SEV_UNKNOWN);
	assert_int_equal(sev(&f, "tw-reuse-ineffective"), TW_SEV_UNKNOWN);
	assert_int_equal(rep.overall, TW_SEV_WARNING);	/* tw-recycle in the config files */
	facts_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_good),
		cmocka_unit_test(test_proc_bad_netstat),
		cmocka_unit_test(test_proc_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
