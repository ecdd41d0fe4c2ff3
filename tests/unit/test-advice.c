// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for advice.c and the rules-*.c: every rule fires, stays quiet
 * and says unknown when its input is missing, on facts built here. Also
 * checks the overall state order and that docs/findings.md documents
 * exactly the rule table.
 */
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
#include "tcpstate.h"
#include "util.h"

/* A healthy, idle namespace with defaults and everything readable. */
static void base(struct tw_facts *f)
{
	facts_init(f);
	snprintf(f->kernel, sizeof(f->kernel), "6.18.0");
	f->interval_ns = NSEC_PER_SEC;
	facts_set_sysctl(f, FS_TW_REUSE, "2");
	facts_set_sysctl(f, FS_TW_REUSE_DELAY, "1000");
	facts_set_sysctl(f, FS_MAX_TW_BUCKETS, "131072");
	facts_set_sysctl(f, FS_PORT_RANGE, "32768 60999");
	facts_set_sysctl(f, FS_RESERVED_PORTS, "");
	facts_set_sysctl(f, FS_FIN_TIMEOUT, "60");
	facts_set_sysctl(f, FS_TIMESTAMPS, "1");
	facts_set_sysctl(f, FS_RFC1337, "0");
	for (int i = 0; i < FC_MAX; i++)
		if (i != FC_PAWS_PASSIVE)
			facts_set_counter(f, (enum facts_counter_id)i, 0, true, 0);
	f->have_sockstat = true;
	f->sockstat.have_tcp = true;
	f->census.have = true;
	f->census.range_lo = 32768;
	f->census.range_hi = 60999;
	f->census.range_size = 28232;
	f->census.usable = 28232;
	f->close_wait.have = true;
	f->close_wait.owners_scanned = true;
	f->have_sysconf = true;
}

static enum tw_sev eval(const struct tw_facts *f, const char *id)
{
	static struct advice_report rep;

	advice_eval(f, &rep);
	assert_non_null(advice_find(&rep, id));
	return advice_find(&rep, id)->sev;
}

/* Does finding id have its title or an evidence line containing needle? */
/* fixed() - does a fix of finding id contain needle? */
static bool fixed(const struct tw_facts *f, const char *id, const char *needle)
{
	static struct advice_report rep;
	const struct advice_finding *x;

	advice_eval(f, &rep);
	x = advice_find(&rep, id);
	assert_non_null(x);
	for (size_t i = 0; i < x->n_fix; i++)
		if (strstr(x->fix[i], needle))
			return true;
	return false;
}

static bool said(const struct tw_facts *f, const char *id, const char *needle)
{
	static struct advice_report rep;
	const struct advice_finding *x;

	advice_eval(f, &rep);
	x = advice_find(&rep, id);
	assert_non_null(x);
	if (strstr(x->title, needle))
		return true;
	for (size_t i = 0; i < x->n_evidence; i++)
		if (strstr(x->evidence[i], needle))
			return true;
	return false;
}

static double data(const struct tw_facts *f, const char *id, const char *key)
{
	static struct advice_report rep;
	const struct advice_finding *x;

	advice_eval(f, &rep);
	x = advice_find(&rep, id);
	for (size_t i = 0; i < x->n_kv; i++)
		if (strcmp(x->kv[i].key, key) == 0)
			return x->kv[i].num;
	fail_msg("no data key %s in %s", key, id);
	return -1;
}

static void add_dest(struct tw_facts *f, uint64_t held, uint64_t tw)
{
	struct facts_dest *d = &f->census.dests[f->census.n_dests++];

	*d = (struct facts_dest){ 0 };
	snprintf(d->local, sizeof(d->local), "10.0.0.1");
	snprintf(d->remote, sizeof(d->remote), "10.0.0.2");
	d->remote_port = 80;
	d->held = held;
	d->time_wait = tw;
	d->established = held - tw;
	d->util_pct = 100.0 * (double)held / f->census.usable;
	f->census.dests_total = f->census.n_dests;
}

static void test_idle_is_ok(void **state)
{
	struct tw_facts f;
	struct advice_report rep;

	(void) state;
	base(&f);
	advice_eval(&f, &rep);
	assert_int_equal(rep.overall, TW_SEV_OK);
	for (size_t i = 0; i < ADV_RULE_MAX; i++)
		assert_true(rep.findings[i].sev <= TW_SEV_INFO);
	facts_done(&f);
}

static void test_nothing_known_is_unknown(void **state)
{
	struct tw_facts f;
	struct advice_report rep;

	(void) state;
	facts_init(&f);
	advice_eval(&f, &rep);
	assert_int_equal(rep.overall, TW_SEV_UNKNOWN);
	/* only the conntrack rules (absent = not loaded) and sysctl-drift (no host: not doctor -A) may be ok */
	for (size_t i = 0; i < ADV_RULE_MAX; i++)
		if (strncmp(rep.findings[i].id, "conntrack-", 10) != 0 &&
		    strcmp(rep.findings[i].id, "snat-port-exhaustion") != 0 &&
		    strcmp(rep.findings[i].id, "sysctl-drift") != 0)
			assert_int_equal(rep.findings[i].sev, TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void host_ref(struct tw_facts *f, const char *range, const char *reuse, const char *ts,
		     const char *buckets)
{
	struct facts_nsref *h = &f->nsref;

	h->have_host = true;
	snprintf(h->host_value[FS_PORT_RANGE], sizeof(h->host_value[0]), "%s", range);
	snprintf(h->host_value[FS_TW_REUSE], sizeof(h->host_value[0]), "%s", reuse);
	snprintf(h->host_value[FS_TIMESTAMPS], sizeof(h->host_value[0]), "%s", ts);
	snprintf(h->host_value[FS_MAX_TW_BUCKETS], sizeof(h->host_value[0]), "%s", buckets);
	h->host_present[FS_PORT_RANGE] = h->host_present[FS_TW_REUSE] = true;
	h->host_present[FS_TIMESTAMPS] = h->host_present[FS_MAX_TW_BUCKETS] = true;
}

static bool fix_said(const struct tw_facts *f, const char *needle)
{
	static struct advice_report rep;
	const struct advice_finding *x;

	advice_eval(f, &rep);
	x = advice_find(&rep, "sysctl-drift");
	for (size_t i = 0; i < x->n_fix; i++)
		if (strstr(x->fix[i], needle))
			return true;
	return false;
}

static void test_sysctl_drift(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	/* no host to compare with (plain doctor, bundles): ok */
	assert_int_equal(eval(&f, "sysctl-drift"), TW_SEV_OK);
	/* the host widened the range and set reuse; this pod did not get them and connects out */
	host_ref(&f, "10000 65535", "1", "1", "131072");
	f.nsref.kubernetes = true;
	snprintf(f.nsref.runtime, sizeof(f.nsref.runtime), "containerd");
	f.census.tw_client = 100;
	add_dest(&f, 100, 100);
	assert_int_equal(eval(&f, "sysctl-drift"), TW_SEV_WARNING);
	assert_true(data(&f, "sysctl-drift", "port_range_size") == 28232);
	assert_true(data(&f, "sysctl-drift", "host_port_range_size") == 55536);
	assert_true(data(&f, "sysctl-drift", "tcp_tw_reuse") == 2);
	assert_true(said(&f, "sysctl-drift", "2 = loopback only"));
	assert_true(fix_said(&f, "securityContext.sysctls with net.ipv4.ip_local_port_range=\"10000 65535\", "
				 "net.ipv4.tcp_tw_reuse=1"));
	assert_true(fix_said(&f, "--allowed-unsafe-sysctls"));
	/* the same drift with no client traffic: only worth knowing */
	f.census.tw_client = 0;
	f.census.n_dests = 0;
	assert_int_equal(eval(&f, "sysctl-drift"), TW_SEV_INFO);
	/* docker: its own flag, and how to apply it now */
	f.nsref.kubernetes = false;
	snprintf(f.nsref.runtime, sizeof(f.nsref.runtime), "docker");
	snprintf(f.nsref.enter, sizeof(f.nsref.enter), "nsenter --net=/proc/42/ns/net");
	assert_true(fix_said(&f, "docker run --sysctl"));
	assert_true(fix_said(&f, "nsenter --net=/proc/42/ns/net sysctl -w"));
	/* timestamps off here, on on the host; fewer buckets with tw at half of them */
	facts_set_sysctl(&f, FS_PORT_RANGE, "10000 65535");
	facts_set_sysctl(&f, FS_TW_REUSE, "1");
	facts_set_sysctl(&f, FS_TIMESTAMPS, "0");
	assert_int_equal(eval(&f, "sysctl-drift"), TW_SEV_INFO);
	f.census.tw_client = 1;
	assert_int_equal(eval(&f, "sysctl-drift"), TW_SEV_WARNING);
	f.census.tw_client = 0;
	facts_set_sysctl(&f, FS_TIMESTAMPS, "1");
	facts_set_sysctl(&f, FS_MAX_TW_BUCKETS, "1000");
	f.sockstat.tcp_tw = 499;
	assert_int_equal(eval(&f, "sysctl-drift"), TW_SEV_INFO);
	f.sockstat.tcp_tw = 500;
	assert_int_equal(eval(&f, "sysctl-drift"), TW_SEV_WARNING);
	/* the same as the host, or better: ok; the host itself: ok */
	facts_set_sysctl(&f, FS_MAX_TW_BUCKETS, "262144");
	assert_int_equal(eval(&f, "sysctl-drift"), TW_SEV_OK);
	host_ref(&f, "32768 60999", "0", "1", "131072");
	facts_set_sysctl(&f, FS_PORT_RANGE, "1024 65535");
	assert_int_equal(eval(&f, "sysctl-drift"), TW_SEV_OK);
	host_ref(&f, "1024 65535", "1", "1", "131072");
	facts_set_sysctl(&f, FS_PORT_RANGE, "32768 60999");
	f.nsref.is_host = true;
	assert_int_equal(eval(&f, "sysctl-drift"), TW_SEV_OK);
	/* a garbled host value is not compared */
	f.nsref.is_host = false;
	host_ref(&f, "garbage", "x1", "1", "131072");
	assert_int_equal(eval(&f, "sysctl-drift"), TW_SEV_OK);
	facts_done(&f);
}

static void test_port_exhaustion(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	f.census.usable = 100;
	add_dest(&f, 49, 49);
	assert_int_equal(eval(&f, "port-exhaustion"), TW_SEV_OK);
	f.census.n_dests = 0;
	add_dest(&f, 50, 50);
	assert_int_equal(eval(&f, "port-exhaustion"), TW_SEV_WARNING);
	f.census.n_dests = 0;
	add_dest(&f, 80, 70);
	assert_int_equal(eval(&f, "port-exhaustion"), TW_SEV_CRITICAL);
	assert_true(data(&f, "port-exhaustion", "held") == 80);
	assert_true(data(&f, "port-exhaustion", "usable") == 100);
	f.census.have = false;
	assert_int_equal(eval(&f, "port-exhaustion"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_port_exhaustion_fix_order(void **state)
{
	struct tw_facts f;
	struct advice_report rep;
	const struct advice_finding *x;

	(void) state;
	base(&f);
	f.census.usable = 100;
	add_dest(&f, 90, 90);
	advice_eval(&f, &rep);
	x = advice_find(&rep, "port-exhaustion");
	assert_int_equal(x->n_fix, 5);
	assert_non_null(strstr(x->fix[0], "keep-alive"));
	assert_non_null(strstr(x->fix[1], "source IPs"));
	assert_non_null(strstr(x->fix[2], "ip_local_port_range"));
	assert_non_null(strstr(x->fix[2], "/etc/sysctl.d/"));
	assert_non_null(strstr(x->fix[3], "tcp_tw_reuse=1"));
	assert_non_null(strstr(x->fix[3], "timestamps"));
	assert_non_null(strstr(x->fix[4], "IP_BIND_ADDRESS_NO_PORT"));
	assert_non_null(strstr(x->fix[4], "IP_LOCAL_PORT_RANGE"));
	assert_int_equal(rep.overall, TW_SEV_CRITICAL);
	facts_done(&f);
}

/* Closes at rate_per_sec, evenly, from end_s to start_s seconds ago, into d's history. */
static void add_closes(struct facts_dest *d, double rate_per_sec, double end_s, double start_s)
{
	uint64_t n = (uint64_t)((start_s - end_s) * rate_per_sec + 0.5);

	if (!d->have_closes)
		census_closes_init(&d->closes);
	d->have_closes = true;
	for (uint64_t i = 0; i < n; i++)
		census_closes_add(&d->closes, (uint32_t)((60 - end_s - (double)i / rate_per_sec) * 1000));
}

/* 368 closes/s for 9 s into 28232 ports: 12 % used, heading for 78 %: a warning now. */
static void test_port_projection(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	f.census.usable = 28232;
	add_dest(&f, 3312 + 40, 3312);
	add_closes(&f.census.dests[0], 368, 0, 9);
	assert_int_equal(eval(&f, "port-exhaustion"), TW_SEV_WARNING);
	assert_true(said(&f, "port-exhaustion", "Projected: the ports toward 10.0.0.2:80 settle at"));
	assert_true(data(&f, "port-exhaustion", "close_rate_per_sec") > 330);
	/* at 10 s the second half is full: 420/s -> 89 %: critical, not yet running out */
	f.census.n_dests = 0;
	add_dest(&f, 4200 + 40, 4200);
	add_closes(&f.census.dests[0], 420, 0, 10);
	assert_int_equal(eval(&f, "port-exhaustion"), TW_SEV_CRITICAL);
	assert_true(data(&f, "port-exhaustion", "projected_utilization_pct") > 85);
	assert_false(said(&f, "port-exhaustion", "the last usable port goes in"));
	/* 500/s heads for 30040 of 28232: (28232 - 5040) / 500 = 46 s to the last port */
	f.census.n_dests = 0;
	add_dest(&f, 5000 + 40, 5000);
	add_closes(&f.census.dests[0], 500, 0, 10);
	assert_true(said(&f, "port-exhaustion", "the last usable port goes in 46 s"));
	/* a growing load: twscope kill is never the advice */
	assert_false(fixed(&f, "port-exhaustion", "twscope kill"));
	facts_done(&f);
}

/* A 2 s burst is not projected; a draining full destination stays critical and says when it clears. */
static void test_port_burst_and_draining(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	f.census.usable = 28232;
	add_dest(&f, 3000, 3000);
	add_closes(&f.census.dests[0], 1500, 1, 3);
	assert_int_equal(eval(&f, "port-exhaustion"), TW_SEV_OK);
	assert_true(data(&f, "port-exhaustion", "close_rate_per_sec") == 300);
	f.census.n_dests = 0;
	f.census.usable = 1000;
	add_dest(&f, 1000, 1000);
	add_closes(&f.census.dests[0], 100, 22, 32);
	assert_int_equal(eval(&f, "port-exhaustion"), TW_SEV_CRITICAL);
	assert_true(said(&f, "port-exhaustion", "draining: clears in 38 s"));
	assert_true(said(&f, "port-exhaustion", "unless connect() fails now"));
	/* drained after the fix: twscope kill frees the ports now, once */
	assert_true(fixed(&f, "port-exhaustion", "'twscope kill --dst "));
	facts_done(&f);
}

/* The culprit is named and its recipe comes first; without one, the generic advice. */
static void test_port_culprit_recipe(void **state)
{
	struct tw_facts f;
	struct advice_report rep;
	const struct advice_finding *x;
	struct facts_dest *d;

	(void) state;
	base(&f);
	f.census.usable = 100;
	add_dest(&f, 90, 80);
	d = &f.census.dests[0];
	d->culprits_scanned = true;
	d->live = 10;
	d->n_culprits = 1;
	d->culprits[0] = (struct facts_culprit){ .pid = 42, .pids = 2, .sockets = 10 };
	snprintf(d->culprits[0].comm, sizeof(d->culprits[0].comm), "nginx");
	advice_eval(&f, &rep);
	x = advice_find(&rep, "port-exhaustion");
	assert_true(said(&f, "port-exhaustion", "held by nginx (pid 42 and 1 more, 10 of the 10 live"));
	assert_non_null(strstr(x->fix[0], "nginx (reverse proxy): Give the backend an upstream block"));
	assert_non_null(strstr(x->fix[3], "Not the half-fix"));
	assert_non_null(strstr(x->fix[4], "docs/recipes.md#nginx"));
	assert_null(strstr(x->fix[5], "keep-alive or a connection pool"));
	/* nobody visible: said so; the port still finds the PostgreSQL recipe */
	d->n_culprits = 0;
	d->culprits_partial = true;
	d->remote_port = 5432;
	assert_true(said(&f, "port-exhaustion", "some processes could not be inspected (run as root)"));
	advice_eval(&f, &rep);
	assert_non_null(strstr(advice_find(&rep, "port-exhaustion")->fix[0], "PostgreSQL clients"));
	facts_done(&f);
}

static void test_unknown_side(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	f.census.states[TW_TIME_WAIT] = 100;
	f.census.tw_client = 100;
	assert_int_equal(eval(&f, "unknown-side"), TW_SEV_OK);
	f.census.tw_client = 40;
	f.census.tw_unknown = 60;
	assert_int_equal(eval(&f, "unknown-side"), TW_SEV_INFO);
	assert_true(said(&f, "unknown-side", "60 TIME_WAIT whose side cannot be told (60% of 100)"));
	assert_true(data(&f, "unknown-side", "tw_unknown") == 60);
	f.census.have = false;
	assert_int_equal(eval(&f, "unknown-side"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_tw_bucket_overflow(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	assert_int_equal(eval(&f, "tw-bucket-overflow"), TW_SEV_OK);
	facts_set_counter(&f, FC_TW_OVERFLOW, 7, true, 0);
	assert_int_equal(eval(&f, "tw-bucket-overflow"), TW_SEV_WARNING);
	facts_set_counter(&f, FC_TW_OVERFLOW, 14, true, 7);
	assert_int_equal(eval(&f, "tw-bucket-overflow"), TW_SEV_CRITICAL);
	assert_true(data(&f, "tw-bucket-overflow", "overflow_delta") == 7);
	/* near the limit without overflow */
	facts_set_counter(&f, FC_TW_OVERFLOW, 0, true, 0);
	facts_set_sysctl(&f, FS_MAX_TW_BUCKETS, "100");
	f.sockstat.tcp_tw = 95;
	assert_int_equal(eval(&f, "tw-bucket-overflow"), TW_SEV_WARNING);
	f.sockstat.tcp_tw = 89;
	assert_int_equal(eval(&f, "tw-bucket-overflow"), TW_SEV_OK);
	/* missing inputs */
	f.counter[FC_TW_OVERFLOW].have = false;
	f.counter[FC_TW_OVERFLOW].have_delta = false;
	assert_int_equal(eval(&f, "tw-bucket-overflow"), TW_SEV_UNKNOWN);
	free(f.sysctl[FS_MAX_TW_BUCKETS].value);
	f.sysctl[FS_MAX_TW_BUCKETS].value = NULL;
	f.sysctl[FS_MAX_TW_BUCKETS].present = false;
	assert_int_equal(eval(&f, "tw-bucket-overflow"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_tw_reuse_ineffective(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	facts_set_sysctl(&f, FS_TW_REUSE, "1");
	assert_int_equal(eval(&f, "tw-reuse-ineffective"), TW_SEV_OK);
	facts_set_sysctl(&f, FS_TIMESTAMPS, "0");
	assert_int_equal(eval(&f, "tw-reuse-ineffective"), TW_SEV_WARNING);
	facts_set_sysctl(&f, FS_TIMESTAMPS, "1");
	f.census.tw_server = 500;
	assert_int_equal(eval(&f, "tw-reuse-ineffective"), TW_SEV_INFO);
	f.census.tw_client = 1;
	assert_int_equal(eval(&f, "tw-reuse-ineffective"), TW_SEV_OK);
	f.sysctl[FS_TIMESTAMPS].present = false;
	assert_int_equal(eval(&f, "tw-reuse-ineffective"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_tw_recycle(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	assert_int_equal(eval(&f, "tw-recycle"), TW_SEV_OK);
	/* modern kernel, dead config line */
	sysconf_add(&f.sysconf, "/etc/sysctl.d/10-tune.conf", 3, "net.ipv4.tcp_tw_recycle", "1");
	assert_int_equal(eval(&f, "tw-recycle"), TW_SEV_WARNING);
	assert_true(data(&f, "tw-recycle", "config_line") == 3);
	sysconf_done(&f.sysconf);
	/* old kernel */
	facts_set_sysctl(&f, FS_TW_RECYCLE, "0");
	assert_int_equal(eval(&f, "tw-recycle"), TW_SEV_OK);
	facts_set_sysctl(&f, FS_TW_RECYCLE, "1");
	assert_int_equal(eval(&f, "tw-recycle"), TW_SEV_WARNING);
	facts_set_counter(&f, FC_PAWS_PASSIVE, 12, false, 0);
	assert_int_equal(eval(&f, "tw-recycle"), TW_SEV_CRITICAL);
	/* unreadable */
	f.sysctl[FS_TW_RECYCLE].error = true;
	assert_int_equal(eval(&f, "tw-recycle"), TW_SEV_UNKNOWN);
	f.sysctl[FS_TW_RECYCLE].error = false;
	f.sysctl[FS_TW_RECYCLE].present = false;
	f.have_sysconf = false;
	assert_int_equal(eval(&f, "tw-recycle"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_fin_timeout_myth(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	assert_int_equal(eval(&f, "fin-timeout-myth"), TW_SEV_OK);
	facts_set_sysctl(&f, FS_FIN_TIMEOUT, "15");
	assert_int_equal(eval(&f, "fin-timeout-myth"), TW_SEV_INFO);
	facts_set_sysctl(&f, FS_FIN_TIMEOUT, "60");
	sysconf_add(&f.sysconf, "/etc/sysctl.conf", 40, "net.ipv4.tcp_fin_timeout", "10");
	assert_int_equal(eval(&f, "fin-timeout-myth"), TW_SEV_INFO);
	facts_set_sysctl(&f, FS_FIN_TIMEOUT, "120");
	assert_int_equal(eval(&f, "fin-timeout-myth"), TW_SEV_WARNING);
	f.sysctl[FS_FIN_TIMEOUT].present = false;
	assert_int_equal(eval(&f, "fin-timeout-myth"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_paws_rejects(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	assert_int_equal(eval(&f, "paws-rejects"), TW_SEV_OK);
	f.census.tw_server = 100;
	facts_set_counter(&f, FC_PAWS_TIMEWAIT, 30, true, 5);
	assert_int_equal(eval(&f, "paws-rejects"), TW_SEV_WARNING);
	facts_set_sysctl(&f, FS_RFC1337, "1");
	assert_int_equal(eval(&f, "paws-rejects"), TW_SEV_CRITICAL);
	/* rising but no server-side TIME_WAIT: not this problem */
	facts_set_sysctl(&f, FS_RFC1337, "0");
	f.census.tw_server = 0;
	assert_int_equal(eval(&f, "paws-rejects"), TW_SEV_INFO);
	/* pre-6.16 kernel: PAWSEstab carries the TIME_WAIT rejects */
	f.census.tw_server = 10;
	f.counter[FC_PAWS_TIMEWAIT].have = false;
	f.counter[FC_PAWS_TIMEWAIT].have_delta = false;
	facts_set_counter(&f, FC_PAWS_ESTAB, 9, true, 3);
	assert_int_equal(eval(&f, "paws-rejects"), TW_SEV_WARNING);
	f.counter[FC_PAWS_ESTAB].have = false;
	assert_int_equal(eval(&f, "paws-rejects"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_close_wait_leak(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	f.close_wait.total = ADV_CLOSE_WAIT_WARN - 1;
	assert_int_equal(eval(&f, "close-wait-leak"), TW_SEV_OK);
	f.close_wait.total = ADV_CLOSE_WAIT_WARN;
	f.close_wait.n_ports = 1;
	f.close_wait.ports[0].port = 8080;
	f.close_wait.ports[0].count = ADV_CLOSE_WAIT_WARN;
	f.close_wait.n_owners = 1;
	f.close_wait.owners[0].pid = 4242;
	snprintf(f.close_wait.owners[0].comm, FACTS_COMM_LEN, "leaky");
	f.close_wait.owners[0].sockets = ADV_CLOSE_WAIT_WARN;
	assert_int_equal(eval(&f, "close-wait-leak"), TW_SEV_WARNING);
	assert_true(said(&f, "close-wait-leak", "pid 4242 (leaky)"));
	f.close_wait.total = ADV_CLOSE_WAIT_CRIT;
	assert_int_equal(eval(&f, "close-wait-leak"), TW_SEV_CRITICAL);
	/* owners not visible */
	f.close_wait.n_owners = 0;
	f.close_wait.owners_partial = true;
	assert_true(said(&f, "close-wait-leak", "not visible without root"));
	/* few sockets, but left for minutes: idle time decides */
	f.close_wait.total = ADV_CLOSE_WAIT_STALE_WARN;
	f.close_wait.have_idle = true;
	f.close_wait.oldest_idle_ms = FACTS_CW_STALE_MS - 1;
	f.close_wait.stale = 0;
	assert_int_equal(eval(&f, "close-wait-leak"), TW_SEV_OK);
	f.close_wait.oldest_idle_ms = 3600 * 1000;
	f.close_wait.stale = ADV_CLOSE_WAIT_STALE_WARN - 1;
	assert_int_equal(eval(&f, "close-wait-leak"), TW_SEV_OK);
	f.close_wait.stale = ADV_CLOSE_WAIT_STALE_WARN;
	assert_int_equal(eval(&f, "close-wait-leak"), TW_SEV_WARNING);
	assert_true(said(&f, "close-wait-leak", ": 10; the oldest for 3600 s"));
	f.close_wait.total = ADV_CLOSE_WAIT_STALE_CRIT;
	f.close_wait.stale = ADV_CLOSE_WAIT_STALE_CRIT;
	assert_int_equal(eval(&f, "close-wait-leak"), TW_SEV_CRITICAL);
	/* a bundle without idle times: the count alone */
	f.close_wait.have_idle = false;
	assert_int_equal(eval(&f, "close-wait-leak"), TW_SEV_WARNING);
	/* census fallback, then nothing */
	f.close_wait.have = false;
	f.census.states[TW_CLOSE_WAIT] = 3;
	assert_int_equal(eval(&f, "close-wait-leak"), TW_SEV_OK);
	f.census.have = false;
	assert_int_equal(eval(&f, "close-wait-leak"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_fin_wait2_orphans(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	f.census.fw2_orphan = 10;
	assert_int_equal(eval(&f, "fin-wait2-orphans"), TW_SEV_OK);
	f.census.fw2_live = ADV_FIN_WAIT2_WARN;
	assert_int_equal(eval(&f, "fin-wait2-orphans"), TW_SEV_WARNING);
	assert_true(data(&f, "fin-wait2-orphans", "orphan") == 10);
	f.census.have = false;
	assert_int_equal(eval(&f, "fin-wait2-orphans"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_server_side_timewait(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	assert_int_equal(eval(&f, "server-side-timewait"), TW_SEV_OK);
	f.census.tw_server = 4096;
	assert_int_equal(eval(&f, "server-side-timewait"), TW_SEV_INFO);
	assert_true(data(&f, "server-side-timewait", "memory_bytes") == 4096.0 * 256);
	/* twscope kill only for the restart case: nothing listens on the port any more */
	f.census.n_servers = 1;
	f.census.servers[0] = (struct facts_server){ .port = 8080, .time_wait = 4096, .listener_scanned = true,
						     .listening = true };
	assert_false(fixed(&f, "server-side-timewait", "twscope kill"));
	f.census.servers[0].listening = false;
	assert_true(fixed(&f, "server-side-timewait", "'twscope kill --port 8080 --yes'"));
	f.census.have = false;
	assert_int_equal(eval(&f, "server-side-timewait"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_port_range(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	assert_int_equal(eval(&f, "port-range"), TW_SEV_OK);
	f.census.listeners_in_range = 1;
	f.census.n_listen_in_range = 1;
	f.census.listen_in_range[0] = 40000;
	f.census.usable--;
	assert_int_equal(eval(&f, "port-range"), TW_SEV_INFO);
	f.census.usable = 100;
	assert_int_equal(eval(&f, "port-range"), TW_SEV_WARNING);
	f.census.have = false;
	assert_int_equal(eval(&f, "port-range"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

/* Turn conntrack on in base() facts: loaded, stats read twice, entries dumped. */
static void ct_on(struct tw_facts *f)
{
	facts_set_sysctl(f, FS_CT_COUNT, "0");
	facts_set_sysctl(f, FS_CT_MAX, "1000");
	facts_set_sysctl(f, FS_CT_TW_TIMEOUT, "120");
	f->ct.loaded = true;
	f->ct.have_stats = true;
	f->ct.have_delta = true;
	f->ct.cpus = 2;
	for (size_t i = 0; i < CT_STAT_MAX; i++)
		f->ct.stat_present[i] = true;
	f->ct.have_census = true;
	f->ct.have_rules = true;
}

static struct facts_snat_group *add_group(struct tw_facts *f, uint64_t held, uint64_t tw, uint16_t lo,
					  uint16_t hi)
{
	struct facts_snat_group *g = &f->ct.groups[f->ct.n_groups++];

	*g = (struct facts_snat_group){ 0 };
	snprintf(g->nat_src, sizeof(g->nat_src), "192.0.2.1");
	snprintf(g->dst, sizeof(g->dst), "198.51.100.7");
	g->dport = 443;
	g->l4proto = 6;
	g->held = held;
	g->time_wait = tw;
	g->established = held - tw;
	g->pool_known = true;
	g->pool_lo = lo;
	g->pool_hi = hi;
	g->pool_size = (uint32_t)(hi - lo + 1);
	g->util_pct = 100.0 * (double)held / g->pool_size;
	g->have_rule = true;
	g->rule_masquerade = true;
	snprintf(g->rule_table, sizeof(g->rule_table), "nat");
	snprintf(g->rule_chain, sizeof(g->rule_chain), "postrouting");
	f->ct.groups_total = f->ct.n_groups;
	f->ct.snat += held;
	f->ct.snat_time_wait += tw;
	f->ct.entries += held;
	f->ct.tcp_time_wait += tw;
	return g;
}

/* The text of fix i of finding id ("" when there is none). */
static const char *fix_text(const struct tw_facts *f, const char *id, size_t i)
{
	static struct advice_report rep;
	const struct advice_finding *x;

	advice_eval(f, &rep);
	x = advice_find(&rep, id);
	return i < x->n_fix ? x->fix[i] : "";
}

static bool any_fix(const struct tw_facts *f, const char *id, const char *needle)
{
	for (size_t i = 0; i < ADV_MAX_FIX; i++)
		if (strstr(fix_text(f, id, i), needle))
			return true;
	return false;
}

static void test_snat_port_exhaustion(void **state)
{
	struct tw_facts f;
	struct facts_snat_group *g;

	(void) state;
	base(&f);
	assert_int_equal(eval(&f, "snat-port-exhaustion"), TW_SEV_OK);	/* not loaded */
	ct_on(&f);
	assert_int_equal(eval(&f, "snat-port-exhaustion"), TW_SEV_OK);	/* nothing SNAT'd */
	g = add_group(&f, 499, 450, 40000, 40999);
	assert_int_equal(eval(&f, "snat-port-exhaustion"), TW_SEV_OK);
	g->held = 500;
	g->util_pct = 50.0;
	assert_int_equal(eval(&f, "snat-port-exhaustion"), TW_SEV_WARNING);
	g->held = 997;
	g->time_wait = 965;
	g->established = 32;
	g->util_pct = 99.7;
	assert_int_equal(eval(&f, "snat-port-exhaustion"), TW_SEV_CRITICAL);
	assert_true(said(&f, "snat-port-exhaustion", "997 of 1000 SNAT ports held"));
	assert_true(said(&f, "snat-port-exhaustion", "random-fully: not set"));
	assert_true(said(&f, "snat-port-exhaustion", "8.3 new connections/s"));
	assert_true(any_fix(&f, "snat-port-exhaustion", "random-fully"));
	assert_true(any_fix(&f, "snat-port-exhaustion", "keep-alive"));
	assert_true(any_fix(&f, "snat-port-exhaustion", "trade-off"));
	assert_true(any_fix(&f, "snat-port-exhaustion", "Add SNAT addresses"));
	/* random-fully set: not suggested again */
	g->random_fully = true;
	assert_false(any_fix(&f, "snat-port-exhaustion", "Set random-fully"));
	/* two samples: growth and when the pool is full */
	g->held = 900;
	g->util_pct = 90.0;
	g->have_growth = true;
	g->held_before = 800;
	assert_true(data(&f, "snat-port-exhaustion", "held_growth_per_sec") == 100.0);
	assert_true(data(&f, "snat-port-exhaustion", "full_in_sec") == 1.0);
	/* no rights to dump: info (not checked), naming the capability */
	f.ct.have_census = false;
	f.ct.census_err = 1;	/* EPERM */
	assert_int_equal(eval(&f, "snat-port-exhaustion"), TW_SEV_INFO);
	assert_true(said(&f, "snat-port-exhaustion", "CAP_NET_ADMIN"));
	/* a failed dump is unknown */
	f.ct.census_err = 5;	/* EIO */
	assert_int_equal(eval(&f, "snat-port-exhaustion"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_conntrack_table_full(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	assert_int_equal(eval(&f, "conntrack-table-full"), TW_SEV_OK);	/* not loaded */
	ct_on(&f);
	facts_set_sysctl(&f, FS_CT_COUNT, "799");
	assert_int_equal(eval(&f, "conntrack-table-full"), TW_SEV_OK);
	facts_set_sysctl(&f, FS_CT_COUNT, "800");
	assert_int_equal(eval(&f, "conntrack-table-full"), TW_SEV_WARNING);
	facts_set_sysctl(&f, FS_CT_COUNT, "950");
	assert_int_equal(eval(&f, "conntrack-table-full"), TW_SEV_CRITICAL);
	/* the arithmetic: 2000 entries x 256 B + 2000 x 8 B */
	f.ct.objsize = 256;
	f.ct.mem_total_bytes = 1ull << 30;
	assert_non_null(strstr(fix_text(&f, "conntrack-table-full", 0), "nf_conntrack_max=2000 "));
	assert_non_null(strstr(fix_text(&f, "conntrack-table-full", 0), "2000 x 256 B (nf_conntrack slab)"));
	assert_non_null(strstr(fix_text(&f, "conntrack-table-full", 0), "hashsize"));
	assert_true(said(&f, "conntrack-table-full", "0.05% of the 1.0 GiB of RAM"));
	/* low use, but drops now: critical; early drops: warning */
	facts_set_sysctl(&f, FS_CT_COUNT, "10");
	f.ct.stat_delta[CT_STAT_EARLY_DROP] = 3;
	assert_int_equal(eval(&f, "conntrack-table-full"), TW_SEV_WARNING);
	f.ct.stat_delta[CT_STAT_DROP] = 1;
	assert_int_equal(eval(&f, "conntrack-table-full"), TW_SEV_CRITICAL);
	f.sysctl[FS_CT_COUNT].present = false;
	f.sysctl[FS_CT_COUNT].error = true;
	assert_int_equal(eval(&f, "conntrack-table-full"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_conntrack_insert_failed(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	assert_int_equal(eval(&f, "conntrack-insert-failed"), TW_SEV_OK);	/* not loaded */
	ct_on(&f);
	assert_int_equal(eval(&f, "conntrack-insert-failed"), TW_SEV_OK);
	f.ct.stat_delta[CT_STAT_CLASH_RESOLVE] = 4;
	assert_int_equal(eval(&f, "conntrack-insert-failed"), TW_SEV_INFO);
	f.ct.stat[CT_STAT_INSERT_FAILED] = 5;
	f.ct.stat_delta[CT_STAT_INSERT_FAILED] = 5;
	assert_int_equal(eval(&f, "conntrack-insert-failed"), TW_SEV_WARNING);
	assert_true(any_fix(&f, "conntrack-insert-failed", "random-fully"));
	f.ct.stat[CT_STAT_INSERT_FAILED] = 10;
	f.ct.stat_delta[CT_STAT_INSERT_FAILED] = 10;
	assert_int_equal(eval(&f, "conntrack-insert-failed"), TW_SEV_CRITICAL);
	/* one sample: since boot is info only */
	f.ct.have_delta = false;
	assert_int_equal(eval(&f, "conntrack-insert-failed"), TW_SEV_INFO);
	f.ct.have_stats = false;
	assert_int_equal(eval(&f, "conntrack-insert-failed"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_conntrack_timewait(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	assert_int_equal(eval(&f, "conntrack-timewait"), TW_SEV_OK);	/* not loaded */
	ct_on(&f);
	assert_int_equal(eval(&f, "conntrack-timewait"), TW_SEV_OK);	/* no TIME_WAIT entries */
	/* the gateway: 997 of 1000 held, 965 in conntrack TIME_WAIT, no socket here */
	add_group(&f, 997, 965, 40000, 40999);
	facts_set_sysctl(&f, FS_CT_COUNT, "997");
	f.census.states[TW_TIME_WAIT] = 5;
	assert_int_equal(eval(&f, "conntrack-timewait"), TW_SEV_INFO);
	assert_true(data(&f, "conntrack-timewait", "conntrack_time_wait") == 965);
	assert_true(data(&f, "conntrack-timewait", "socket_time_wait") == 5);
	assert_true(data(&f, "conntrack-timewait", "without_socket_min") == 960);
	/* with the local/forwarded split: 960 forwarded, 5 local against 5 sockets */
	f.ct.have_tw_local = true;
	f.ct.tcp_time_wait_local = 5;
	assert_true(data(&f, "conntrack-timewait", "forwarded_time_wait") == 960);
	assert_true(data(&f, "conntrack-timewait", "local_time_wait") == 5);
	assert_true(data(&f, "conntrack-timewait", "without_socket_min") == 960);
	f.ct.tcp_time_wait_local = 25;	/* 20 local entries whose sockets are gone */
	assert_true(data(&f, "conntrack-timewait", "without_socket_min") == 960);
	f.census.states[TW_TIME_WAIT] = 0;
	assert_true(data(&f, "conntrack-timewait", "without_socket_min") == 965);
	f.census.states[TW_TIME_WAIT] = 5;
	f.ct.have_tw_local = false;
	/* the ports ran out: the fix must not say "only if" */
	assert_false(any_fix(&f, "conntrack-timewait", "Only if"));
	assert_true(any_fix(&f, "conntrack-timewait", "SNAT ports are running out"));
	/* a quiet pool: nothing to do */
	f.ct.groups[0].held = 100;
	f.ct.groups[0].time_wait = 90;
	f.ct.groups[0].established = 10;
	f.ct.groups[0].util_pct = 10.0;
	assert_true(any_fix(&f, "conntrack-timewait", "Nothing to do while the SNAT pools have room"));
	f.ct.have_census = false;
	f.ct.census_err = 1;
	assert_int_equal(eval(&f, "conntrack-timewait"), TW_SEV_INFO);
	f.ct.census_err = 5;
	assert_int_equal(eval(&f, "conntrack-timewait"), TW_SEV_UNKNOWN);
	f.sysctl[FS_CT_COUNT].present = false;
	f.sysctl[FS_CT_COUNT].error = true;
	assert_int_equal(eval(&f, "conntrack-timewait"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_abortive_closes(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	facts_set_counter(&f, FC_ABORT_ON_DATA, 9, true, 0);
	assert_int_equal(eval(&f, "abortive-closes"), TW_SEV_OK);	/* old, not rising */
	facts_set_counter(&f, FC_ABORT_ON_DATA, 19, true, 10);
	assert_int_equal(eval(&f, "abortive-closes"), TW_SEV_WARNING);
	f.interval_ns = 0;
	facts_set_counter(&f, FC_ABORT_ON_DATA, 19, false, 0);
	assert_int_equal(eval(&f, "abortive-closes"), TW_SEV_INFO);	/* since boot, no rate */
	f.counter[FC_ABORT_ON_DATA].have = false;
	assert_int_equal(eval(&f, "abortive-closes"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_tw_count_mismatch(void **state)
{
	struct tw_facts f;

	(void) state;
	base(&f);
	f.census.states[TW_TIME_WAIT] = 40;
	f.sockstat.tcp_tw = 40;
	assert_int_equal(eval(&f, "tw-count-mismatch"), TW_SEV_OK);
	f.census.fw2_orphan = 3;
	f.sockstat.tcp_tw = 43;
	assert_int_equal(eval(&f, "tw-count-mismatch"), TW_SEV_INFO);
	f.have_sockstat = false;
	assert_int_equal(eval(&f, "tw-count-mismatch"), TW_SEV_UNKNOWN);
	facts_done(&f);
}

static void test_overall_order(void **state)
{
	struct advice_report r;

	(void) state;
	memset(&r, 0, sizeof(r));
	r.findings[0].sev = TW_SEV_INFO;
	assert_int_equal(advice_overall(&r), TW_SEV_OK);
	r.findings[1].sev = TW_SEV_UNKNOWN;
	assert_int_equal(advice_overall(&r), TW_SEV_UNKNOWN);
	r.findings[2].sev = TW_SEV_WARNING;
	assert_int_equal(advice_overall(&r), TW_SEV_WARNING);
	r.findings[3].sev = TW_SEV_CRITICAL;
	assert_int_equal(advice_overall(&r), TW_SEV_CRITICAL);
}

/* docs/findings.md has a "## `id`" heading for every rule, and no other. */
static void test_findings_doc_matches_table(void **state)
{
	_cleanup_free_ char *doc = NULL;
	char path[4096], cwd[2048];
	size_t headings = 0;
	int r;

	(void) state;
	/* tests/run runs from the source tree */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(path, sizeof(path), "%s/docs/findings.md", cwd);
	r = read_small_file(path, 1 << 20, &doc);
	assert_int_equal(r, 0);
	for (size_t i = 0; i < ADV_RULE_MAX; i++) {
		char h[80];

		snprintf(h, sizeof(h), "\n## `%s`\n", advice_rule_id(i));
		if (!strstr(doc, h))
			fail_msg("docs/findings.md lacks the heading for %s", advice_rule_id(i));
	}
	for (const char *p = doc; (p = strstr(p, "\n## `")); p++)
		headings++;
	assert_int_equal(headings, ADV_RULE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_is_ok),
		cmocka_unit_test(test_nothing_known_is_unknown),
		cmocka_unit_test(test_sysctl_drift),
		cmocka_unit_test(test_port_exhaustion),
		cmocka_unit_test(test_port_exhaustion_fix_order),
		cmocka_unit_test(test_port_projection),
		cmocka_unit_test(test_port_burst_and_draining),
		cmocka_unit_test(test_port_culprit_recipe),
		cmocka_unit_test(test_unknown_side),
		cmocka_unit_test(test_tw_bucket_overflow),
		cmocka_unit_test(test_tw_reuse_ineffective),
		cmocka_unit_test(test_tw_recycle),
		cmocka_unit_test(test_fin_timeout_myth),
		cmocka_unit_test(test_paws_rejects),
		cmocka_unit_test(test_close_wait_leak),
		cmocka_unit_test(test_fin_wait2_orphans),
		cmocka_unit_test(test_server_side_timewait),
		cmocka_unit_test(test_port_range),
		cmocka_unit_test(test_snat_port_exhaustion),
		cmocka_unit_test(test_conntrack_table_full),
		cmocka_unit_test(test_conntrack_insert_failed),
		cmocka_unit_test(test_conntrack_timewait),
		cmocka_unit_test(test_abortive_closes),
		cmocka_unit_test(test_tw_count_mismatch),
		cmocka_unit_test(test_overall_order),
		cmocka_unit_test(test_findings_doc_matches_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
