// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for src/bundle/ (save.c, load.c) and the code that consumes
 * loaded facts: a saved fixture evaluated offline, the round trip, and the
 * hostile bundles of issue part 4/5 (clamped integers, inverted ranges, NUL
 * bytes, null, deep nesting, huge and non-regular files), plus the
 * arithmetic in the rules (rules-*.c) and the doctor JSON renderer on values
 * no kernel produces.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "bundle/bundle.h"
#include "doctor/advice.h"
#include "doctor/facts.h"
#include "output-doctor.h"
#include "tcpstate.h"
#include "util.h"

#define FIXTURE "tests/fixtures/bundles/port-exhaustion.json"

static struct advice_report rep;
static char err[512];

static enum tw_sev sev(const struct tw_facts *f, const char *id)
{
	advice_eval(f, &rep);
	return advice_find(&rep, id)->sev;
}

/* The fixture file with the first `from` replaced by `to`. */
static char *file_with(const char *file, const char *from, const char *to)
{
	char *text = NULL, *out, *at;
	char path[4096];

	assert_non_null(getcwd(path, sizeof(path) - strlen(file) - 2));
	strcat(path, "/");
	strcat(path, file);
	assert_int_equal(read_small_file(path, BUNDLE_MAX_BYTES, &text), 0);
	if (!from)
		return text;
	at = strstr(text, from);
	if (!at)
		fail_msg("fixture has no '%s'", from);
	out = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	assert_non_null(out);
	sprintf(out, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	free(text);
	return out;
}

static char *fixture_with(const char *from, const char *to)
{
	return file_with(FIXTURE, from, to);
}

static int load_text(const char *text, struct tw_facts *f)
{
	facts_init(f);
	return bundle_load_buf(text, strlen(text), f, err, sizeof(err));
}

static void expect_reject_len(const char *text, size_t len, const char *reason)
{
	struct tw_facts f;

	facts_init(&f);
	assert_int_equal(bundle_load_buf(text, len, &f, err, sizeof(err)), -EINVAL);
	if (!strstr(err, reason))
		fail_msg("'%s' does not mention '%s'", err, reason);
	if (strchr(err, '\n'))
		fail_msg("'%s' is more than one line", err);
	assert_false(f.census.have);	/* nothing half-loaded */
	facts_done(&f);
}

static void expect_reject(const char *text, const char *reason)
{
	expect_reject_len(text, strlen(text), reason);
}

/* The fixture with one replacement must be refused with reason. */
static void expect_fixture_reject(const char *from, const char *to, const char *reason)
{
	char *t = fixture_with(from, to);

	expect_reject(t, reason);
	free(t);
}

#define GW_FIXTURE "tests/fixtures/bundles/snat-gateway.json"

static void expect_gw_reject(const char *from, const char *to, const char *reason)
{
	char *t = file_with(GW_FIXTURE, from, to);

	expect_reject(t, reason);
	free(t);
}

/* A gateway saved by t2009: 90 of 100 SNAT ports held, 85 in conntrack TIME_WAIT. */
static void test_snat_gateway_bundle(void **state)
{
	struct tw_facts f;
	char *t;

	(void) state;
	facts_init(&f);
	assert_int_equal(bundle_load_file(GW_FIXTURE, &f, err, sizeof(err)), 0);
	assert_true(f.ct.loaded && f.ct.have_census && f.ct.have_delta);
	assert_int_equal(f.ct.n_groups, 1);
	assert_int_equal(f.ct.groups[0].pool_size, 100);
	assert_int_equal(sev(&f, "snat-port-exhaustion"), TW_SEV_CRITICAL);
	assert_int_equal(sev(&f, "conntrack-timewait"), TW_SEV_INFO);
	assert_int_equal(sev(&f, "conntrack-table-full"), TW_SEV_OK);
	/* the round trip keeps it */
	{
		struct json_object *o = bundle_to_json(&f);
		const char *text = json_object_to_json_string(o);
		struct tw_facts g;

		assert_int_equal(load_text(text, &g), 0);
		assert_int_equal(g.ct.groups[0].held, 90);
		assert_int_equal(g.ct.groups[0].time_wait, 85);
		assert_string_equal(g.ct.groups[0].rule_table, "twnat");
		assert_true(g.ct.stat_present[CT_STAT_INSERT_FAILED]);
		assert_false(g.ct.have_tw_local);	/* saved before the split existed */
		json_object_put(o);
		facts_done(&g);
	}
	facts_done(&f);
	/* a bundle from before conntrack facts: the rules needing entries say unknown */
	t = file_with(GW_FIXTURE, "\"conntrack\": {", "\"x_conntrack\": {");
	assert_int_equal(load_text(t, &f), 0);
	assert_int_equal(sev(&f, "snat-port-exhaustion"), TW_SEV_UNKNOWN);
	free(t);
	facts_done(&f);
	expect_gw_reject("\"held\": 90", "\"held\": 91", "'conntrack.census.snat_groups[0].held': must be 1..90");
	expect_gw_reject("\"snat_time_wait\": 85", "\"snat_time_wait\": 86",
			 "'conntrack.census.snat_time_wait': must be 0..85");
	expect_gw_reject("\"hi\": 40099", "\"hi\": 39999", "'conntrack.census.snat_groups[0].pool.hi': must be 40000..65535");
	expect_gw_reject("\"chain\": \"post\"", "\"chain\": \"p;rm\"",
			 "'conntrack.census.snat_groups[0].rule.chain': 'p;rm' is not a table or chain name");
	expect_gw_reject("\"census_errno\": 0", "\"census_errno\": 1", "'conntrack.census': is given, but census_errno is 1");
	/* deltas without an interval (the counters dropped, which would be refused first) */
	t = file_with(GW_FIXTURE, "\"interval_sec\": 0.2", "\"interval_sec\": 0, \"x\": 0.2");
	{
		char *at = strstr(t, "\"counters\": {");

		assert_non_null(at);
		memcpy(at, "\"countery\"", 10);
	}
	expect_reject(t, "'conntrack': has deltas or held_before, but interval_sec is 0");
	free(t);
	expect_gw_reject("\"dst\": \"10.202.3.2\"", "\"dst\": \"::1\"", "is not of the family of nat_src");
	expect_gw_reject("\"found\": 0", "\"bogus\": 0", "'bogus' is not a conntrack statistic");
	expect_gw_reject("\"tcp_time_wait\": 85,", "\"tcp_time_wait\": 85, \"tcp_time_wait_local\": 86,",
			 "'conntrack.census.tcp_time_wait_local': must be 0..85");
	/* the split round-trips */
	t = file_with(GW_FIXTURE, "\"tcp_time_wait\": 85,", "\"tcp_time_wait\": 85, \"tcp_time_wait_local\": 4,");
	assert_int_equal(load_text(t, &f), 0);
	assert_true(f.ct.have_tw_local);
	assert_int_equal(f.ct.tcp_time_wait_local, 4);
	free(t);
	facts_done(&f);
}

static void test_fixture_bundle(void **state)
{
	struct tw_facts f;

	(void) state;
	facts_init(&f);
	assert_int_equal(bundle_load_file(FIXTURE, &f, err, sizeof(err)), 0);
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
	char *text;

	(void) state;
	facts_init(&f);
	assert_int_equal(bundle_load_file(FIXTURE, &f, err, sizeof(err)), 0);
	f.close_wait.n_owners = 1;
	f.close_wait.owners[0].pid = 77;
	f.close_wait.owners[0].sockets = 12;
	snprintf(f.close_wait.owners[0].comm, FACTS_COMM_LEN, "srv");
	f.close_wait.total = 12;
	f.close_wait.have_idle = true;
	f.close_wait.oldest_idle_ms = 90000;
	f.close_wait.stale = 11;
	f.sysctl[FS_TW_RECYCLE].error = true;
	f.interval_ns = NSEC_PER_SEC / 2;
	facts_set_counter(&f, FC_TW_OVERFLOW, 9, true, 4);
	a = bundle_to_json(&f);
	text = strdup(json_object_to_json_string(a));
	assert_int_equal(load_text(text, &g), 0);
	b = bundle_to_json(&g);
	assert_string_equal(json_object_to_json_string(a), json_object_to_json_string(b));
	assert_true(g.sysctl[FS_TW_RECYCLE].error);
	assert_int_equal(sev(&g, "tw-recycle"), TW_SEV_UNKNOWN);
	assert_int_equal(g.counter[FC_TW_OVERFLOW].delta, 4);
	assert_int_equal(sev(&g, "tw-bucket-overflow"), TW_SEV_CRITICAL);
	assert_true(g.close_wait.have_idle);
	assert_int_equal(g.close_wait.stale, 11);
	assert_int_equal(sev(&g, "close-wait-leak"), TW_SEV_WARNING);
	free(text);
	json_object_put(a);
	json_object_put(b);
	facts_done(&f);
	facts_done(&g);
}

#define HEAD "\"schema\":1,\"kind\":\"twscope-doctor-bundle\",\"kernel\":\"6.18\",\"interval_sec\":1,"
#define MIN HEAD "\"sysctls\":{},\"tw_objsize_bytes\":256,\"tw_objsize_measured\":true"

/* The close history and the culprits survive a save and load; bad ones are refused by field. */
static void test_closes_and_culprits(void **state)
{
	static const char dest[] = "\"utilization_pct\": 90.0";
	static const struct { const char *add, *reason; } bad[] = {
		{ "\"closes\":{\"within_5s\":9,\"within_10s\":5,\"within_30s\":9,\"within_60s\":9,"
		  "\"youngest_ms\":1,\"clears_ms\":100}", "within_10s': must be 9..90, not 5" },
		{ "\"closes\":{\"within_5s\":1,\"within_10s\":1,\"within_30s\":1,\"within_60s\":91,"
		  "\"youngest_ms\":1,\"clears_ms\":100}", "within_60s': must be 1..90" },
		{ "\"closes\":{\"within_5s\":1,\"within_10s\":1,\"within_30s\":1,\"within_60s\":1,"
		  "\"youngest_ms\":null,\"clears_ms\":100}", "youngest_ms': is missing" },
		{ "\"closes\":{\"within_5s\":1,\"within_10s\":1,\"within_30s\":1,\"within_60s\":1,"
		  "\"youngest_ms\":1,\"clears_ms\":60001}", "clears_ms': must be 0..60000" },
		{ "\"culprits\":{\"live\":91,\"unowned\":0,\"partial\":false,\"processes\":[]}",
		  "culprits.live': must be 0..90" },
		{ "\"culprits\":{\"live\":5,\"unowned\":2,\"partial\":false,\"processes\":[{\"pid\":1,"
		  "\"pids\":1,\"sockets\":4,\"comm\":\"x\",\"cgroup\":\"\",\"runtime\":\"\"}]}",
		  "hold more than live (5)" },
		{ "\"culprits\":{\"live\":5,\"unowned\":0,\"partial\":false,\"processes\":[{\"pid\":1,"
		  "\"pids\":1,\"sockets\":4,\"comm\":\"x\",\"cgroup\":\"\",\"runtime\":\"java\"}]}",
		  "runtime': must be \"go\" or \"\", not 'java'" },
	};
	struct tw_facts f, g;
	struct json_object *a, *b;
	struct facts_dest *d;
	char *text;

	(void) state;
	facts_init(&f);
	assert_int_equal(bundle_load_file(FIXTURE, &f, err, sizeof(err)), 0);
	d = &f.census.dests[0];
	assert_false(d->have_closes);	/* bundles from before the history load without it */
	d->have_closes = true;
	census_closes_init(&d->closes);
	census_closes_add(&d->closes, 59000);
	census_closes_add(&d->closes, 20000);
	d->culprits_scanned = true;
	d->live = 3;
	d->unowned = 1;
	d->n_culprits = 1;
	d->culprits[0] = (struct facts_culprit){ .pid = 7, .pids = 3, .sockets = 2,
						 .runtime = TW_RUNTIME_GO };
	snprintf(d->culprits[0].comm, FACTS_COMM_LEN, "api\x1b[2J");
	snprintf(d->culprits[0].cgroup, FACTS_CGROUP_LEN, "/system.slice/api.service");
	a = bundle_to_json(&f);
	text = strdup(json_object_to_json_string(a));
	assert_int_equal(load_text(text, &g), 0);
	b = bundle_to_json(&g);
	assert_string_equal(json_object_to_json_string(a), json_object_to_json_string(b));
	assert_int_equal(g.census.dests[0].closes.within[3], 2);
	assert_int_equal(g.census.dests[0].closes.youngest_ms, 1000);
	assert_int_equal(g.census.dests[0].culprits[0].runtime, TW_RUNTIME_GO);
	assert_string_equal(g.census.dests[0].culprits[0].comm, "api\x1b[2J");
	free(text);
	json_object_put(a);
	json_object_put(b);
	facts_done(&f);
	facts_done(&g);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char to[512];

		snprintf(to, sizeof(to), "%s, %s", dest, bad[i].add);
		text = fixture_with(dest, to);
		expect_reject(text, bad[i].reason);
		free(text);
	}
}

static void test_malformed(void **state)
{
	(void) state;
	expect_reject("{\"schema\":1}", "bundle field 'kind': is missing");
	expect_reject("{\"schema\":1,\"kind\":\"other\"}", "not a doctor bundle");
	expect_reject("{\"schema\":2,\"kind\":\"twscope-doctor-bundle\"}", "unsupported bundle schema 2");
	expect_reject("{\"schema\":\"1\",\"kind\":\"twscope-doctor-bundle\"}",
		      "bundle field 'schema': must be an integer, not a string");
	expect_reject("{\"schema\":1,\"kind\":\"twscope-doctor-bundle\",\"kernel\":5}",
		      "bundle field 'kernel': must be a string");
	expect_reject("{" HEAD "\"sysctls\":{\"net.ipv4.tcp_tw_reuse\":1},\"tw_objsize_bytes\":256,"
		      "\"tw_objsize_measured\":true}", "'sysctls.net.ipv4.tcp_tw_reuse': must be a string");
	expect_reject("{" MIN ",\"counters\":{\"TcpExt.TW\":{\"value\":-1}}}",
		      "bundle field 'counters.TcpExt.TW.value': must be 0..18446744073709551615, not -1");
	expect_reject("{" MIN ",\"census\":{\"states\":{}}}", "bundle field 'census.time_wait': is missing");
	expect_reject("{" HEAD "\"sysctls\":{},\"tw_objsize_bytes\":0,\"tw_objsize_measured\":true}",
		      "'tw_objsize_bytes': must be 1..1048576, not 0");
	expect_reject("{" HEAD "\"sysctls\":{},\"tw_objsize_bytes\":256,\"tw_objsize_measured\":1}",
		      "'tw_objsize_measured': must be true or false");
	expect_reject("{\"schema\":1,\"kind\":\"twscope-doctor-bundle\",\"kernel\":\"x\",\"interval_sec\":-1}",
		      "'interval_sec': must be 0..3600");
	/* sysctls follow the syntax of /proc/sys, as collection reads it */
	expect_reject("{" HEAD "\"sysctls\":{\"net.ipv4.tcp_tw_reuse\":\"x1\"},\"tw_objsize_bytes\":256,"
		      "\"tw_objsize_measured\":true}", "'sysctls.net.ipv4.tcp_tw_reuse': 'x1' is not an integer");
	expect_reject("{" HEAD "\"sysctls\":{\"net.ipv4.ip_local_port_range\":\"50000 100\"},"
		      "\"tw_objsize_bytes\":256,\"tw_objsize_measured\":true}", "is not 'LO HI'");
	/* a delta needs two samples */
	expect_reject("{\"schema\":1,\"kind\":\"twscope-doctor-bundle\",\"kernel\":\"x\",\"interval_sec\":0,"
		      "\"sysctls\":{},\"counters\":{\"TcpExt.TW\":{\"value\":5,\"delta\":1}}}",
		      "'counters.TcpExt.TW.delta': present but interval_sec is 0");
	expect_reject("{" MIN ",\"counters\":{\"TcpExt.TW\":{\"value\":5,\"delta\":6}}}",
		      "'counters.TcpExt.TW.delta': must be 0..5, not 6");
}

static void test_minimal_bundle_is_unknown(void **state)
{
	struct tw_facts f;

	(void) state;
	assert_int_equal(load_text("{" HEAD "\"sysctls\":{},\"tw_objsize_bytes\":256,"
				   "\"tw_objsize_measured\":false}", &f), 0);
	advice_eval(&f, &rep);
	assert_int_equal(rep.overall, TW_SEV_UNKNOWN);
	facts_done(&f);
}

/* Top level: null was "not valid JSON: success"; [] and 42 are not bundles either. */
static void test_not_an_object(void **state)
{
	(void) state;
	expect_reject("null", "bundle must be a JSON object, not null");
	expect_reject("null\n", "bundle must be a JSON object, not null");
	expect_reject("[]", "bundle must be a JSON object, not an array");
	expect_reject("42", "bundle must be a JSON object, not an integer");
	expect_reject("\"x\"\n", "not a string");
	expect_reject("", "bundle is empty");
	expect_reject(" \n", "bundle is empty");
}

static void test_bad_json(void **state)
{
	char deep[200];

	(void) state;
	expect_reject("{\"schema\":1,\"kind\":", "bundle is truncated");
	expect_reject("{\"schema\":1} x", "bundle has data after the JSON document at line 1 column 14");
	expect_reject("{\"schema\":1}\n{}", "data after the JSON document at line 2 column 1");
	expect_reject("{\"schema\":1,}", "not valid JSON");
	expect_reject("{'schema':1}", "strings need double quotes");
	expect_reject("{\"schema\":NaN}", "bundle field 'schema': 'NaN' is not JSON");
	expect_reject("{\"schema\":-Infinity}", "'schema': '-' is not a JSON number");
	expect_reject("{\"schema\":1e400}", "bundle field 'schema': number 1e400 is out of range");
	expect_reject("{\"schema\":\"a\tb\"}", "raw control character 0x09");
	/* json-c's depth limit, reported as such */
	memset(deep, '[', 100);
	memset(deep + 100, ']', 99);
	deep[199] = '\0';
	expect_reject(deep, "nested deeper than 16 levels");
	memset(deep, '[', 20);
	deep[20] = '\0';
	expect_reject(deep, "nested deeper than 16 levels");
}

/*
 * json-c clamps 18446744073709551616 to UINT64_MAX and -9223372036854775809
 * to INT64_MIN without an error: the literal itself must be refused.
 */
static void test_clamped_integers(void **state)
{
	(void) state;
	expect_fixture_reject("\"value\": 90", "\"value\": 18446744073709551616",
			      "bundle field 'counters.TcpExt.TW.value': integer 18446744073709551616 is out of range");
	expect_fixture_reject("\"value\": 90", "\"value\": 99999999999999999999999999",
			      "'counters.TcpExt.TW.value': integer 99999999999999999999999999 is out of range");
	expect_fixture_reject("\"value\": 90", "\"value\": -9223372036854775809",
			      "'counters.TcpExt.TW.value': integer -9223372036854775809 is out of range");
	expect_fixture_reject("\"value\": 90", "\"value\": 1e19",
			      "'counters.TcpExt.TW.value': must be an integer, not 1e19");
	expect_fixture_reject("\"remote_port\": 9000", "\"remote_port\": 1e19",
			      "'census.destinations[0].remote_port': must be an integer");
	expect_fixture_reject("\"remote_port\": 9000", "\"remote_port\": 70000",
			      "bundle field 'census.destinations[0].remote_port': must be 0..65535, not 70000");
	/* even where the field is ignored */
	expect_fixture_reject("\"netns\": \"\"", "\"netns\": \"\", \"x\": [1, 18446744073709551616]",
			      "bundle field 'x[1]': integer 18446744073709551616 is out of range");
}

/* "50000-100" was loaded and printed as 65536 usable ports. */
static void test_inverted_range(void **state)
{
	(void) state;
	expect_fixture_reject("\"lo\": 40000", "\"lo\": 50000",
			      "bundle field 'census.port_range.hi': must be 50000..65535, not 40099");
	expect_fixture_reject("\"size\": 100", "\"size\": 65535", "'census.port_range.size': must be hi - lo + 1 = 100");
	expect_fixture_reject("\"usable\": 100", "\"usable\": 65536",
			      "'census.port_range.usable': must be 0..65535, not 65536");
	expect_fixture_reject("\"usable\": 100", "\"usable\": 90",
			      "'census.port_range.usable': must be size - reserved - listening = 100, not 90");
	expect_fixture_reject("\"lo\": 40000", "\"lo\": 0", "'census.port_range.lo': must be 1..65535, not 0");
	expect_fixture_reject("\"listening\": 0,\n      \"usable\": 100", "\"listening\": 1,\n      \"usable\": 99",
			      "'census.port_range.listening_ports': has 0 ports, but listening = 1");
	expect_fixture_reject("\"listening\": 0,\n      \"usable\": 100,\n      \"listening_ports\": [\n      ]",
			      "\"listening\": 1,\n      \"usable\": 99,\n      \"listening_ports\": [80]",
			      "'census.port_range.listening_ports[0]': must be 40000..40099, not 80");
}

static void test_inconsistent_counts(void **state)
{
	(void) state;
	expect_fixture_reject("\"client\": 90", "\"client\": 89",
			      "'census.time_wait': client + server + unknown = 89, but states.time_wait is 90");
	expect_fixture_reject("\"orphan\": 0", "\"orphan\": 3", "'census.fin_wait2': orphan + live = 3");
	expect_fixture_reject("\"destinations_total\": 1", "\"destinations_total\": 2",
			      "'census.destinations': has 1 elements, but destinations_total = 2");
	expect_fixture_reject("\"established\": 0,\n        \"utilization_pct\"",
			      "\"established\": 1,\n        \"utilization_pct\"",
			      "'census.destinations[0].established': must be 0..0, not 1");
	expect_fixture_reject("\"utilization_pct\": 90.0", "\"utilization_pct\": 1e300",
			      "'census.destinations[0].utilization_pct': must be 0..1e+18");
	expect_fixture_reject("\"utilization_pct\": 90.0", "\"utilization_pct\": 10",
			      "'census.destinations[0].utilization_pct': must be held / usable * 100 = 90.00");
	expect_fixture_reject("\"remote\": \"127.0.0.1\"", "\"remote\": \"::1\"",
			      "'census.destinations[0].remote': '::1' is not of the family of local");
	expect_fixture_reject("\"total\": 0,\n    \"ports\"", "\"total\": 0, \"stale\": 1, \"oldest_idle_ms\": 0,\n    \"ports\"",
			      "'close_wait.stale': must be 0..0, not 1");
	expect_fixture_reject("\"owners\": [\n    ]", "\"owners\": [{\"pid\": 1, \"comm\": \"x\", \"port\": 1, "
			      "\"sockets\": 1}]", "'close_wait.owners[0].sockets': must be 1..0");
	expect_fixture_reject("\"key\": \"net.ipv4.tcp_rfc1337\"", "\"key\": \"kernel.panic\"",
			      "'sysctl_config.lines[3].key': 'kernel.panic' is not a sysctl doctor reads");
	expect_fixture_reject("\"sysctl_errors\": [\n  ]", "\"sysctl_errors\": [\"net.ipv4.tcp_tw_reuse\"]",
			      "'sysctl_errors[0]': 'net.ipv4.tcp_tw_reuse' is also in sysctls");
}

/* TiB-scale counts were accepted and wrapped the memory estimate. */
static void test_huge_counts(void **state)
{
	struct tw_facts f;
	char *text;
	const struct advice_finding *x;

	(void) state;
	expect_fixture_reject("\"server\": 0", "\"server\": 4611686018427387904",
			      "'census.time_wait.server': must be 0..1099511627776, not 4611686018427387904");
	/* and advice copes with what no loader allows: 2^62 x 256 B does not wrap to 0 B */
	text = fixture_with(NULL, NULL);
	assert_int_equal(load_text(text, &f), 0);
	free(text);
	f.census.tw_server = 1ull << 62;
	f.census.states[TW_TIME_WAIT] += 1ull << 62;
	f.tw_objsize = 256;
	advice_eval(&f, &rep);
	x = advice_find(&rep, "server-side-timewait");
	for (size_t i = 0; i < x->n_kv; i++)
		if (strcmp(x->kv[i].key, "memory_bytes") == 0)
			assert_true(x->kv[i].num == 0x1p70);
	if (!strstr(x->evidence[x->n_evidence - 1], "= over 16777216.0 TiB"))
		fail_msg("memory evidence: %s", x->evidence[x->n_evidence - 1]);
	/* tw-bucket-overflow: twice the TIME_WAIT, capped at what the int sysctl holds */
	f.sockstat.tcp_tw = (1ull << 63) + (1ull << 40);
	x = (advice_eval(&f, &rep), advice_find(&rep, "tw-bucket-overflow"));
	assert_int_equal(x->sev, TW_SEV_WARNING);
	if (!strstr(x->fix[0], "tcp_max_tw_buckets=2147483647 "))
		fail_msg("fix: %s", x->fix[0]);
	/* fin-wait2 total saturates */
	f.census.fw2_orphan = UINT64_MAX;
	f.census.fw2_live = 5;
	x = (advice_eval(&f, &rep), advice_find(&rep, "fin-wait2-orphans"));
	assert_true(strstr(x->evidence[0], "FIN_WAIT2: 18446744073709551615 ") != NULL);
	facts_done(&f);
}

/* nf_conntrack_max near 2^63: "m * 2" printed nf_conntrack_max=-2. */
static void test_conntrack_fix_overflow(void **state)
{
	struct tw_facts f;
	const struct advice_finding *x;

	(void) state;
	expect_fixture_reject("\"net.netfilter.nf_conntrack_max\": \"262144\"",
			      "\"net.netfilter.nf_conntrack_max\": \"9223372036854775807\"",
			      "'sysctls.net.netfilter.nf_conntrack_max': must be -2147483648..2147483647");
	facts_init(&f);
	assert_int_equal(facts_set_sysctl(&f, FS_CT_COUNT, "9223372036854775806"), 0);
	assert_int_equal(facts_set_sysctl(&f, FS_CT_MAX, "9223372036854775807"), 0);
	x = (advice_eval(&f, &rep), advice_find(&rep, "conntrack-table-full"));
	assert_int_equal(x->sev, TW_SEV_CRITICAL);
	assert_null(strstr(x->fix[0], "=-"));
	assert_non_null(strstr(x->fix[0], "cannot be doubled"));
	/* the ordinary case still doubles */
	assert_int_equal(facts_set_sysctl(&f, FS_CT_COUNT, "1000"), 0);
	assert_int_equal(facts_set_sysctl(&f, FS_CT_MAX, "1024"), 0);
	x = (advice_eval(&f, &rep), advice_find(&rep, "conntrack-table-full"));
	assert_non_null(strstr(x->fix[0], "nf_conntrack_max=2048 "));
	facts_done(&f);
}

/* A range of one port has both ends of the same parity: the fix must not invert it. */
static void test_parity_fix_one_port(void **state)
{
	struct tw_facts f;
	const struct advice_finding *x;

	(void) state;
	facts_init(&f);
	f.census.have = true;
	f.census.range_lo = 1;
	f.census.range_hi = 1;
	f.census.range_size = 1;
	f.census.usable = ADV_PORT_RANGE_SMALL;	/* facts a loader would refuse; advice must not care */
	x = (advice_eval(&f, &rep), advice_find(&rep, "port-range"));
	assert_int_equal(x->sev, TW_SEV_INFO);
	assert_int_equal(x->n_fix, 1);
	assert_non_null(strstr(x->fix[0], "\"1 2\""));
	facts_done(&f);
}

/* Values >= 2^63 in finding data: the double -> int64 cast was undefined. */
static void test_renderer_huge_numbers(void **state)
{
	struct tw_facts f;
	struct doctor_view v = { .top = 5, .from_bundle = true, .bundle = "x" };
	struct json_object *o, *arr, *data, *val;
	bool found = false;

	(void) state;
	facts_init(&f);
	assert_int_equal(facts_set_sysctl(&f, FS_MAX_TW_BUCKETS, "1000"), 0);
	facts_set_counter(&f, FC_TW_OVERFLOW, 1ull << 63, false, 0);
	advice_eval(&f, &rep);
	o = doctor_json(&rep, &f, &v);
	assert_non_null(o);
	arr = json_object_object_get(o, "findings");
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *fd = json_object_array_get_idx(arr, i);

		if (strcmp(json_object_get_string(json_object_object_get(fd, "id")), "tw-bucket-overflow"))
			continue;
		data = json_object_object_get(fd, "data");
		val = json_object_object_get(data, "overflow_total");
		assert_true(json_object_is_type(val, json_type_int));
		assert_true(json_object_get_uint64(val) == 1ull << 63);
		found = true;
	}
	assert_true(found);
	json_object_put(o);
	/* and 2^64 (UINT64_MAX as a double) stays a number */
	facts_set_counter(&f, FC_TW_OVERFLOW, UINT64_MAX, false, 0);
	advice_eval(&f, &rep);
	o = doctor_json(&rep, &f, &v);
	if (!strstr(json_object_to_json_string(o), "\"overflow_total\": 1.8446744073709552e+19"))
		fail_msg("%s", json_object_to_json_string(o));
	json_object_put(o);
	facts_done(&f);
}

/* A NUL, raw or escaped: everything after it was ignored. */
/* A refused value that holds a newline still gives one line (found by fuzz-bundle). */
static void test_error_quoting_a_newline(void **state)
{
	char *text = fixture_with("\"file\": \"/etc/sysctl.d/10-tune.conf\"",
				  "\"file\": \"x\\n/etc/y.conf\"");

	(void) state;
	expect_reject(text, "is not an absolute path");
	free(text);
}

static void test_nul_bytes(void **state)
{
	static const char raw[] = "{\"schema\":1}\0garbage";
	char path[] = "/tmp/twscope-test-bundle.XXXXXX";
	struct tw_facts f;
	char *t = fixture_with(NULL, NULL);
	int fd;

	(void) state;
	expect_reject_len(raw, sizeof(raw) - 1, "bundle contains a NUL byte at offset 12");
	expect_fixture_reject("\"kernel\": \"6.18.44-fc-v769\"", "\"kernel\": \"abc\\u0000def\"",
			      "bundle field 'kernel': string contains a NUL character (\\u0000)");
	/* the whole file is read: a NUL after a valid bundle is refused */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, t, strlen(t)), (ssize_t)strlen(t));
	assert_int_equal(write(fd, "\0{}", 3), 3);
	close(fd);
	facts_init(&f);
	assert_int_equal(bundle_load_file(path, &f, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL byte"));
	unlink(path);
	free(t);
	facts_done(&f);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/twscope-test-bundle.XXXXXX", p[64];
	struct tw_facts f;
	int fd;

	(void) state;
	assert_non_null(mkdtemp(dir));
	facts_init(&f);
	snprintf(p, sizeof(p), "%s/none.json", dir);
	assert_int_equal(bundle_load_file(p, &f, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot open it"));
	assert_int_equal(bundle_load_file("tests/fixtures/sysconf/etc/sysctl.conf", &f, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "not valid JSON"));
	/* a directory */
	assert_int_equal(bundle_load_file(dir, &f, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "not a regular file");
	/* a FIFO without a writer blocked open() forever: the alarm fails the old code */
	snprintf(p, sizeof(p), "%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	alarm(5);
	assert_int_equal(bundle_load_file(p, &f, err, sizeof(err)), -EINVAL);
	alarm(0);
	assert_string_equal(err, "not a regular file");
	unlink(p);
	/* 100 MB (sparse): refused from its size, without reading it */
	snprintf(p, sizeof(p), "%s/big.json", dir);
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 100 << 20), 0);
	close(fd);
	assert_int_equal(bundle_load_file(p, &f, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bundle is too large: 104857600 bytes (at most 16 MiB)"));
	unlink(p);
	assert_int_equal(rmdir(dir), 0);
	facts_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_bundle),
		cmocka_unit_test(test_snat_gateway_bundle),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_closes_and_culprits),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_minimal_bundle_is_unknown),
		cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_clamped_integers),
		cmocka_unit_test(test_inverted_range),
		cmocka_unit_test(test_inconsistent_counts),
		cmocka_unit_test(test_huge_counts),
		cmocka_unit_test(test_conntrack_fix_overflow),
		cmocka_unit_test(test_parity_fix_one_port),
		cmocka_unit_test(test_renderer_huge_numbers),
		cmocka_unit_test(test_error_quoting_a_newline),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
