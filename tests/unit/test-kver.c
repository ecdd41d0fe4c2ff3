// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel releases: uname -r strings parse (or are refused), the table of
 * changes agrees with docs/kernel.md, and doctor's advice on bundles from
 * 4.9, 5.4, 5.15, 6.1 and 6.18 is what is true on each of those kernels.
 */
#include "tw-test.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bundle/bundle.h"
#include "doctor/advice.h"
#include "doctor/facts.h"
#include "doctor/kver.h"
#include "doctor/sysctlconf.h"
#include "util.h"

static void test_parse(void **state)
{
	static const struct {
		const char *s;
		unsigned int major, minor, patch;
	} good[] = {
		{ "6.1.0-27-amd64", 6, 1, 0 },
		{ "4.9.0-0.bpo.12-amd64", 4, 9, 0 },
		{ "6.18.44-fc-v769", 6, 18, 44 },
		{ "5.15.0-1051-azure", 5, 15, 0 },
		{ "3.10.0-1160.el7.x86_64", 3, 10, 0 },
		{ "6.14", 6, 14, 0 },
		{ "6.8.0+", 6, 8, 0 },
		{ "6.12.rc1", 6, 12, 0 },
		{ "4.19.0_custom", 4, 19, 0 },
		{ "65535.65535.65535", 65535, 65535, 65535 },
	};
	static const char *const bad[] = {
		"", "garbage", "6", "6.", ".1", "6.x", "v6.1", "6,1", "6.1x", "6.1.0x", " 6.1",
		"65536.1", "6.123456", "99999999999999999999.1", "-6.1", "6..1",
	};
	struct kver k = { 9, 9, 9 };

	(void) state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		if (kver_parse(good[i].s, &k) != 0)
			fail_msg("'%s' did not parse", good[i].s);
		assert_int_equal(k.major, good[i].major);
		assert_int_equal(k.minor, good[i].minor);
		assert_int_equal(k.patch, good[i].patch);
	}
	k = (struct kver){ 9, 9, 9 };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (kver_parse(bad[i], &k) != -EINVAL)
			fail_msg("'%s' parsed", bad[i]);
		assert_int_equal(k.major, 9);	/* untouched on failure */
	}
	assert_int_equal(kver_parse(NULL, &k), -EINVAL);
}

static void test_has(void **state)
{
	(void) state;
	assert_int_equal(kver_has("4.9.0-0.bpo.12-amd64", KCHANGE_TW_RECYCLE_REMOVED), KVER_NO);
	assert_int_equal(kver_has("4.12.0", KCHANGE_TW_RECYCLE_REMOVED), KVER_YES);
	assert_int_equal(kver_has("4.11.12", KCHANGE_TW_RECYCLE_REMOVED), KVER_NO);
	assert_int_equal(kver_has("6.13.9", KCHANGE_TW_REUSE_DELAY), KVER_NO);
	assert_int_equal(kver_has("6.14.0-1-amd64", KCHANGE_TW_REUSE_DELAY), KVER_YES);
	assert_int_equal(kver_has("10.0", KCHANGE_TW_REUSE_DELAY), KVER_YES);
	assert_int_equal(kver_has("6.2.16", KCHANGE_IP_LOCAL_PORT_RANGE_OPT), KVER_NO);
	assert_int_equal(kver_has("6.3.0", KCHANGE_IP_LOCAL_PORT_RANGE_OPT), KVER_YES);
	assert_int_equal(kver_has("", KCHANGE_TW_REUSE_DELAY), KVER_UNKNOWN);
	assert_int_equal(kver_has("garbage", KCHANGE_TW_REUSE_DELAY), KVER_UNKNOWN);
	assert_int_equal(kver_has("6.1", KCHANGE_MAX), KVER_UNKNOWN);
}

/* Each change's docs/kernel.md section names its release in "Since" (or in its text). */
static void test_table_matches_docs(void **state)
{
	_cleanup_free_ char *doc = NULL;
	char path[4096], cwd[2048];

	(void) state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(path, sizeof(path), "%s/docs/kernel.md", cwd);
	assert_int_equal(read_small_file(path, 1 << 20, &doc), 0);
	for (int i = 0; i < KCHANGE_MAX; i++) {
		const char *ref = kchange_ref(i), *anchor = strchr(ref, '#') + 1;
		char needle[128], ver[16];
		const char *sec, *end;

		snprintf(needle, sizeof(needle), "<a id=\"%s\"></a>", anchor);
		sec = strstr(doc, needle);
		if (!sec) {
			fail_msg("%s: no section in docs/kernel.md", ref);
			return;
		}
		end = strstr(sec + strlen(needle), "<a id=");
		if (!end)
			end = sec + strlen(sec);
		snprintf(ver, sizeof(ver), "%u.%u", kchange_major(i), kchange_minor(i));
		{
			const char *v = strstr(sec, ver);

			if (!v || v > end)
				fail_msg("%s does not name %s (%s)", ref, ver, kchange_what(i));
		}
	}
}

/* Load a bundle and run the rules. */
static void eval_bundle(const char *kernel, struct tw_facts *f, struct advice_report *rep)
{
	char path[256], err[256];
	int r;

	snprintf(path, sizeof(path), "tests/fixtures/bundles/kernel-%s.json", kernel);
	facts_init(f);
	r = bundle_load_file(path, f, err, sizeof(err));
	if (r < 0)
		fail_msg("%s: %s", path, err);
	advice_eval(f, rep);
}

static const struct advice_finding *finding(const struct advice_report *rep, const char *id)
{
	const struct advice_finding *x = advice_find(rep, id);

	assert_non_null(x);
	return x;
}

/* Does any fix (or the why, or the title) of the finding contain s? */
static bool says(const struct advice_finding *x, const char *s)
{
	if (strstr(x->title, s) || strstr(x->why, s))
		return true;
	for (size_t i = 0; i < x->n_fix; i++)
		if (strstr(x->fix[i], s))
			return true;
	return false;
}

static const char *data_str(const struct advice_finding *x, const char *key)
{
	for (size_t i = 0; i < x->n_kv; i++)
		if (strcmp(x->kv[i].key, key) == 0 && !x->kv[i].is_num)
			return x->kv[i].str;
	return "";
}

static void test_bundle_4_9(void **state)
{
	static struct advice_report rep;
	struct tw_facts f;
	const struct advice_finding *x;

	(void) state;
	eval_bundle("4.9", &f, &rep);
	/* tcp_tw_recycle exists and is on: remove it, it drops NAT'd clients; not "it was removed" */
	x = finding(&rep, "tw-recycle");
	assert_int_equal(x->sev, TW_SEV_CRITICAL);
	assert_true(says(x, "sysctl -w net.ipv4.tcp_tw_recycle=0"));
	assert_true(says(x, "this kernel still has it"));
	assert_false(says(x, "no longer has"));
	/* no tcp_tw_reuse_delay, no IP_LOCAL_PORT_RANGE before 6.14 / 6.3 */
	x = finding(&rep, "port-exhaustion");
	assert_true(says(x, "up to 1 s (fixed on this kernel"));
	assert_false(says(x, "tcp_tw_reuse_delay ("));
	assert_true(says(x, "IP_LOCAL_PORT_RANGE, the other way, needs Linux 6.3, and this is Linux 4.9"));
	/* tcp_max_tw_buckets is host-wide before 4.11 */
	x = finding(&rep, "tw-bucket-overflow");
	assert_true(says(x, "On Linux 4.9 it is one host-wide limit"));
	assert_false(says(x, "It is per network namespace"));
	assert_true(says(x, "host-wide on this kernel"));
	/* PAWS rejects are read from PAWSEstab before 6.16 */
	assert_string_equal(data_str(finding(&rep, "paws-rejects"), "counter"), "TcpExt.PAWSEstab");
	facts_done(&f);

	/* the same kernel, tcp_tw_recycle not recorded: the config line is live there */
	eval_bundle("4.9", &f, &rep);
	free(f.sysctl[FS_TW_RECYCLE].value);
	f.sysctl[FS_TW_RECYCLE].value = NULL;
	f.sysctl[FS_TW_RECYCLE].present = false;
	advice_eval(&f, &rep);
	x = finding(&rep, "tw-recycle");
	assert_int_equal(x->sev, TW_SEV_WARNING);
	assert_true(says(x, "Config sets tcp_tw_recycle = 1, which Linux 4.9 still has"));
	assert_true(says(x, "sysctl -w net.ipv4.tcp_tw_recycle=0"));
	/* and without config lines it cannot be judged */
	sysconf_done(&f.sysconf);
	advice_eval(&f, &rep);
	assert_int_equal(finding(&rep, "tw-recycle")->sev, TW_SEV_UNKNOWN);
	facts_done(&f);
}

/* 5.4, 5.15, 6.1: recycle gone, per-namespace buckets, no reuse delay sysctl, no IP_LOCAL_PORT_RANGE. */
static void test_bundle_5_x_6_1(void **state)
{
	static const char *const kernels[] = { "5.4", "5.15", "6.1" };
	static struct advice_report rep;

	(void) state;
	for (size_t i = 0; i < ARRAY_SIZE(kernels); i++) {
		const struct advice_finding *x;
		char want[96];
		struct tw_facts f;

		eval_bundle(kernels[i], &f, &rep);
		x = finding(&rep, "tw-recycle");
		assert_int_equal(x->sev, TW_SEV_WARNING);
		assert_true(says(x, "which this kernel no longer has"));
		x = finding(&rep, "port-exhaustion");
		assert_true(says(x, "up to 1 s (fixed on this kernel"));
		snprintf(want, sizeof(want), "needs Linux 6.3, and this is Linux %s", kernels[i]);
		if (!says(x, want))
			fail_msg("%s: no '%s'", kernels[i], want);
		x = finding(&rep, "tw-bucket-overflow");
		assert_true(says(x, "It is per network namespace"));
		assert_string_equal(data_str(finding(&rep, "paws-rejects"), "counter"), "TcpExt.PAWSEstab");
		facts_done(&f);
	}
}

static void test_bundle_6_18(void **state)
{
	static struct advice_report rep;
	const struct advice_finding *x;
	struct tw_facts f;

	(void) state;
	eval_bundle("6.18", &f, &rep);
	x = finding(&rep, "tw-recycle");
	assert_true(says(x, "which this kernel no longer has"));
	x = finding(&rep, "port-exhaustion");
	assert_true(says(x, "tcp_tw_reuse_delay (1000 ms here)"));
	assert_true(says(x, "or give the socket a range with IP_LOCAL_PORT_RANGE"));
	assert_false(says(x, "needs Linux 6.3"));
	assert_true(says(finding(&rep, "tw-bucket-overflow"), "It is per network namespace"));
	assert_string_equal(data_str(finding(&rep, "paws-rejects"), "counter"), "TcpExt.PAWSTimewait");
	facts_done(&f);
}

/* Probing beats the release: a live probe of IP_LOCAL_PORT_RANGE wins over the version. */
static void test_probe_first(void **state)
{
	static struct advice_report rep;
	struct tw_facts f;

	(void) state;
	eval_bundle("6.1", &f, &rep);
	f.local_port_range_opt = 1;	/* a 6.1 with the option backported */
	advice_eval(&f, &rep);
	assert_true(says(finding(&rep, "port-exhaustion"), "or give the socket a range"));
	f.local_port_range_opt = 0;
	snprintf(f.kernel, sizeof(f.kernel), "garbage");	/* unknown: say which release has it */
	advice_eval(&f, &rep);
	assert_true(says(finding(&rep, "port-exhaustion"), "or use IP_LOCAL_PORT_RANGE (Linux 6.3+)"));
	assert_true(says(finding(&rep, "tw-bucket-overflow"), "It is per network namespace"));
	facts_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_has),
		cmocka_unit_test(test_table_matches_docs),
		cmocka_unit_test(test_bundle_4_9),
		cmocka_unit_test(test_bundle_5_x_6_1),
		cmocka_unit_test(test_bundle_6_18),
		cmocka_unit_test(test_probe_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
