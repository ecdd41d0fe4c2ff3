// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for facts.c: bundle round trip, strict rejection of malformed
 * bundles, a saved fixture bundle evaluated offline, and collection from
 * fixture /proc trees (good, malformed netstat, missing files): the affected
 * rules say unknown, nothing crashes.
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
#include <json-c/json.h>

#include "advice.h"
#include "facts.h"
#include "util.h"

static struct advice_report rep;

static enum tw_sev sev(const struct tw_facts *f, const char *id)
{
	advice_eval(f, &rep);
	return advice_find(&rep, id)->sev;
}

static void test_fixture_bundle(void **state)
{
	struct tw_facts f;
	char err[256];

	(void) state;
	facts_init(&f);
	assert_int_equal(facts_load_file("tests/fixtures/bundles/port-exhaustion.json", &f, err, sizeof(err)), 0);
	assert_true(f.census.have);
	assert_int_equal(f.census.usable, 100);
	assert_int_equal(sev(&f, "port-exhaustion"), TW_SEV_CRITICAL);
	assert_int_equal(sev(&f, "tw-recycle"), TW_SEV_WARNING);	/* config line, kernel without it */
	assert_int_equal(sev(&f, "fin-timeout-myth"), TW_SEV_INFO);	/* config sets 15 */
	assert_int_equal(sev(&f, "port-range"), TW_SEV_WARNING);
	assert_int_equal(sev(&f, "tw-bucket-overflow"), TW_SEV_OK);
	assert_int_equal(rep.overall, TW_SEV_CRITICAL);
	facts_done(&f);
}

static void test_round_trip(void **state)
{
	struct tw_facts f, g;
	struct json_object *a, *b;
	char err[256];

	(void) state;
	facts_init(&f);
	assert_int_equal(facts_load_file("tests/fixtures/bundles/port-exhaustion.json", &f, err, sizeof(err)), 0);
	f.close_wait.n_owners = 1;
	f.close_wait.owners[0].pid = 77;
	snprintf(f.close_wait.owners[0].comm, FACTS_COMM_LEN, "srv");
	f.close_wait.total = 12;
	f.close_wait.have_idle = true;
	f.close_wait.oldest_idle_ms = 90000;
	f.close_wait.stale = 11;
	f.sysctl[FS_TW_RECYCLE].error = true;
	facts_set_counter(&f, FC_TW_OVERFLOW, 9, true, 4);
	f.interval_ns = NSEC_PER_SEC / 2;
	a = facts_to_json(&f);
	facts_init(&g);
	assert_int_equal(facts_from_json(a, &g, err, sizeof(err)), 0);
	b = facts_to_json(&g);
	assert_string_equal(json_object_to_json_string(a), json_object_to_json_string(b));
	assert_true(g.sysctl[FS_TW_RECYCLE].error);
	assert_int_equal(sev(&g, "tw-recycle"), TW_SEV_UNKNOWN);
	assert_int_equal(g.counter[FC_TW_OVERFLOW].delta, 4);
	assert_int_equal(sev(&g, "tw-bucket-overflow"), TW_SEV_CRITICAL);
	assert_true(g.close_wait.have_idle);
	assert_int_equal(g.close_wait.stale, 11);
	assert_int_equal(sev(&g, "close-wait-leak"), TW_SEV_WARNING);
	json_object_put(a);
	json_object_put(b);
	facts_done(&f);
	facts_done(&g);
}

static void expect_reject(const char *text, const char *reason)
{
	struct json_object *o = json_tokener_parse(text);
	struct tw_facts f;
	char err[256];

	assert_non_null(o);
	facts_init(&f);
	assert_int_equal(facts_from_json(o, &f, err, sizeof(err)), -EINVAL);
	if (!strstr(err, reason))
		fail_msg("'%s' does not mention '%s'", err, reason);
	json_object_put(o);
	facts_done(&f);
}

#define HEAD "\"schema\":1,\"kind\":\"twscope-doctor-bundle\",\"kernel\":\"6.18\",\"interval_sec\":1,"

static void test_malformed(void **state)
{
	(void) state;
	expect_reject("[]", "not a JSON object");
	expect_reject("{\"schema\":1}", "'kind' is missing");
	expect_reject("{\"schema\":1,\"kind\":\"other\"}", "not a doctor bundle");
	expect_reject("{\"schema\":2,\"kind\":\"twscope-doctor-bundle\"}", "unsupported bundle schema 2");
	expect_reject("{\"schema\":\"1\",\"kind\":\"twscope-doctor-bundle\"}", "'schema' has the wrong type");
	expect_reject("{\"schema\":1,\"kind\":\"twscope-doctor-bundle\",\"kernel\":5}", "'kernel' has the wrong type");
	expect_reject("{" HEAD "\"sysctls\":{\"net.ipv4.tcp_tw_reuse\":1},\"tw_objsize_bytes\":256,"
		      "\"tw_objsize_measured\":true}", "is not a string");
	expect_reject("{" HEAD "\"sysctls\":{},\"counters\":{\"TcpExt.TW\":{\"value\":-1}},"
		      "\"tw_objsize_bytes\":256,\"tw_objsize_measured\":true}", "must not be negative");
	expect_reject("{" HEAD "\"sysctls\":{},\"tw_objsize_bytes\":256,\"tw_objsize_measured\":true,"
		      "\"census\":{\"states\":{}}}", "'time_wait' is missing");
	expect_reject("{" HEAD "\"sysctls\":{},\"tw_objsize_bytes\":0,\"tw_objsize_measured\":true}",
		      "must be positive");
	expect_reject("{" HEAD "\"sysctls\":{},\"tw_objsize_bytes\":256,\"tw_objsize_measured\":1}",
		      "'tw_objsize_measured' has the wrong type");
	expect_reject("{\"schema\":1,\"kind\":\"twscope-doctor-bundle\",\"kernel\":\"x\",\"interval_sec\":-1}",
		      "'interval_sec' is out of range");
}

static void test_minimal_bundle_is_unknown(void **state)
{
	struct json_object *o = json_tokener_parse("{" HEAD "\"sysctls\":{},\"tw_objsize_bytes\":256,"
						   "\"tw_objsize_measured\":false}");
	struct tw_facts f;
	char err[256];

	(void) state;
	facts_init(&f);
	assert_int_equal(facts_from_json(o, &f, err, sizeof(err)), 0);
	advice_eval(&f, &rep);
	assert_int_equal(rep.overall, TW_SEV_UNKNOWN);
	json_object_put(o);
	facts_done(&f);
}

static void test_load_file_errors(void **state)
{
	struct tw_facts f;
	char err[256];

	(void) state;
	facts_init(&f);
	assert_int_equal(facts_load_file("tests/fixtures/bundles/none.json", &f, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot read"));
	assert_int_equal(facts_load_file("tests/fixtures/sysconf/etc/sysctl.conf", &f, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not valid JSON"));
	facts_done(&f);
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
		cmocka_unit_test(test_fixture_bundle),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_minimal_bundle_is_unknown),
		cmocka_unit_test(test_load_file_errors),
		cmocka_unit_test(test_proc_good),
		cmocka_unit_test(test_proc_bad_netstat),
		cmocka_unit_test(test_proc_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
