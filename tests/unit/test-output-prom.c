// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * output-prom: the Prometheus text of a synthetic scrape against a golden
 * file, label escaping, and the top-K bound on per-destination series.
 * Set TW_UPDATE_GOLDEN=1 to rewrite the golden file after a deliberate change.
 */
#include "tw-test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "conntrack/conntrack.h"
#include "ksettings.h"
#include "output-prom.h"
#include "serve/nsscrape.h"
#include "serve/scrape.h"
#include "util.h"

#define GOLDEN "tests/fixtures/golden/prom-basic.txt"

static struct tw_sock sock(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			   unsigned int state, uint32_t expires_ms)
{
	struct tw_sock sk = { .sport = sport, .dport = dport, .state = (uint8_t)state,
			      .expires_ms = expires_ms };
	int fam = strchr(src, ':') ? AF_INET6 : AF_INET;

	sk.src.family = sk.dst.family = (uint8_t)fam;
	assert_int_equal(inet_pton(fam, src, sk.src.bytes), 1);
	assert_int_equal(inet_pton(fam, dst, sk.dst.bytes), 1);
	if (state == TW_TIME_WAIT) {
		sk.timer = 3;
		sk.mini = true;
	}
	return sk;
}

static struct census *new_census(void)
{
	struct census_conf conf = { .range_lo = 40000, .range_hi = 40099,
				    .filter = { .v4 = true, .v6 = true, .port = -1, .dst_port = -1 } };
	struct census *c = census_new(&conf);

	assert_non_null(c);
	return c;
}

static char *render(const struct scrape_result *s, const struct prom_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(prom_render(f, s, o), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_golden(void **state)
{
	static const struct prom_finding findings[] = {
		{ "port_exhaustion", "warning" },
		{ "odd\"id\\", "critical" },
	};
	struct scrape_result s = { 0 };
	struct prom_opts o = { .version = "1.2.3", .top_destinations = 2, .serve = true,
			       .scrape_duration_sec = 0.25, .scrape_errors = 1 };
	struct tw_sock sk;
	_cleanup_free_ char *want = NULL;
	char *got = NULL;
	size_t len = 0;
	FILE *f;

	(void) state;
	s.census.census = new_census();
	sk = sock("127.0.0.1", 9000, "0.0.0.0", 0, TW_LISTEN, 0);
	assert_int_equal(census_add_listener(s.census.census, &sk), 0);
	/* three client TIME_WAIT toward 127.0.0.1:9000, timers 59 s, 12 s, 3 s */
	sk = sock("127.0.0.1", 40010, "127.0.0.1", 9000, TW_TIME_WAIT, 59000);
	assert_int_equal(census_add(s.census.census, &sk), 0);
	sk = sock("127.0.0.1", 40011, "127.0.0.1", 9000, TW_TIME_WAIT, 12000);
	assert_int_equal(census_add(s.census.census, &sk), 0);
	sk = sock("127.0.0.1", 40012, "127.0.0.1", 9000, TW_TIME_WAIT, 3000);
	assert_int_equal(census_add(s.census.census, &sk), 0);
	/* one ESTABLISHED toward 10.0.0.2:443, one IPv6 TIME_WAIT toward [::1]:9000 */
	sk = sock("10.0.0.1", 40020, "10.0.0.2", 443, TW_ESTABLISHED, 0);
	assert_int_equal(census_add(s.census.census, &sk), 0);
	sk = sock("::1", 40030, "::1", 9000, TW_TIME_WAIT, 30000);
	assert_int_equal(census_add(s.census.census, &sk), 0);
	assert_int_equal(census_finish(s.census.census), 0);
	s.census.sockstat = (struct tw_sockstat){ .have_tcp = true, .tcp_inuse = 2, .tcp_orphan = 0,
						  .tcp_tw = 4, .tcp_alloc = 9, .tcp_mem_pages = 1,
						  .have_tcp6 = true, .tcp6_inuse = 1 };
	s.counters = tw_counters_new();
	assert_non_null(s.counters);
	assert_int_equal(tw_counters_set(s.counters, "TcpExt.TW", 5), 0);
	assert_int_equal(tw_counters_set(s.counters, "TcpExt.TCPTimeWaitOverflow", 0), 0);
	assert_int_equal(tw_counters_set(s.counters, "Tcp.ActiveOpens", 7), 0);
	assert_int_equal(tw_counters_set(s.counters, "TcpExt.Unrelated", 99), 0);
	s.sysctls[0] = (struct scrape_sysctl){ "net.ipv4.tcp_tw_reuse", 2 };
	s.sysctls[1] = (struct scrape_sysctl){ "net.ipv4.tcp_max_tw_buckets", 131072 };
	s.n_sysctls = 2;

	f = open_memstream(&got, &len);
	assert_non_null(f);
	assert_int_equal(prom_render(f, &s, &o), 0);
	assert_int_equal(prom_render_findings(f, findings, 2), 0);
	assert_int_equal(fclose(f), 0);
	scrape_result_done(&s);

	golden_compare(GOLDEN, got);
	assert_int_equal(got[len - 1], '\n');
	free(got);
}

static void test_escape(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void) state;
	prom_escape_label(f, "a\"b\\c\nd");
	fclose(f);
	assert_string_equal(buf, "a\\\"b\\\\c\\nd");
	free(buf);
}

static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

static void test_top_k_bound(void **state)
{
	struct scrape_result s = { 0 };
	struct prom_opts o = { .version = "x", .top_destinations = PROM_DEFAULT_TOP_DESTINATIONS };
	char *text;

	(void) state;
	s.census.census = new_census();
	s.census.sockstat_err = -ENOENT;
	/* 500 destinations: 10.0.i.j:80 */
	for (int i = 0; i < 500; i++) {
		char dst[INET_ADDRSTRLEN];
		struct tw_sock sk;

		snprintf(dst, sizeof(dst), "10.0.%d.%d", i / 200, i % 200 + 1);
		sk = sock("10.1.0.1", (uint16_t)(40000 + i % 100), dst, 80, TW_TIME_WAIT, 1000);
		assert_int_equal(census_add(s.census.census, &sk), 0);
	}
	assert_int_equal(census_finish(s.census.census), 0);
	text = render(&s, &o);
	assert_int_equal(count_lines(text, "twscope_destination_ports_used{"), 20);
	assert_int_equal(count_lines(text, "twscope_destination_port_utilization_ratio{"), 20);
	assert_int_equal(count_lines(text, "twscope_destinations 500"), 1);
	assert_int_equal(count_lines(text, "twscope_time_wait_remaining_seconds_bucket{le=\"5\"} 500"), 1);
	/* no sockstat, no counters, not serve: those families are absent */
	assert_int_equal(count_lines(text, "twscope_sockstat_"), 0);
	assert_int_equal(count_lines(text, "twscope_scrape_"), 0);
	free(text);
	o.top_destinations = 0;
	text = render(&s, &o);
	assert_int_equal(count_lines(text, "twscope_destination_"), 0);
	free(text);
	scrape_result_done(&s);
}

static void test_census_failed(void **state)
{
	struct scrape_result s = { 0 };
	struct prom_opts o = { .version = "x", .top_destinations = 20, .serve = true, .scrape_errors = 3 };
	char *text;

	(void) state;
	text = render(&s, &o);
	assert_int_equal(count_lines(text, "twscope_sockets"), 0);
	assert_int_equal(count_lines(text, "twscope_scrape_success 0"), 1);
	assert_int_equal(count_lines(text, "twscope_scrape_errors_total 3"), 1);
	assert_int_equal(count_lines(text, "twscope_build_info{version=\"x\"} 1"), 1);
	free(text);
}

/* A gateway with 30 SNAT groups: K series per SNAT family, the total, the per-CPU counters. */
static void test_conntrack(void **state)
{
	struct scrape_result s = { 0 };
	struct prom_opts o = { .version = "x", .top_destinations = 5 };
	struct ct_report *r = calloc(1, sizeof(*r));
	char *text;

	(void) state;
	assert_non_null(r);
	s.ct = r;
	r->settings.loaded = true;
	r->settings.count = 3000;
	r->settings.have_max = true;
	r->settings.max = 262144;
	r->stats.have = true;
	r->stats.present[CT_STAT_INSERT_FAILED] = true;
	r->stats.value[CT_STAT_INSERT_FAILED] = 7;
	r->have_census = true;
	assert_int_equal(ct_census_init(&r->census), 0);
	for (int i = 0; i < 30; i++) {
		struct ct_entry e = { .l4proto = IPPROTO_TCP, .tcp_state = CT_TCP_TIME_WAIT };

		e.orig.src.family = e.orig.dst.family = e.reply.src.family = e.reply.dst.family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, "10.0.0.2", e.orig.src.bytes), 1);
		e.orig.dst.bytes[0] = 192;
		e.orig.dst.bytes[3] = (uint8_t)(i + 1);
		e.reply.src = e.orig.dst;
		assert_int_equal(inet_pton(AF_INET, "198.51.100.1", e.reply.dst.bytes), 1);
		e.orig.have_ports = e.reply.have_ports = true;
		e.orig.sport = 40000;
		e.orig.dport = 443;
		e.reply.sport = 443;
		e.reply.dport = 40000;
		for (int k = 0; k <= i; k++) {
			e.reply.dport = (uint16_t)(40000 + k);
			assert_int_equal(ct_census_add(&r->census, &e), 0);
		}
	}
	assert_int_equal(ct_report_finish(r), 0);
	text = render(&s, &o);
	assert_int_equal(count_lines(text, "twscope_conntrack_snat_groups 30"), 1);
	assert_int_equal(count_lines(text, "twscope_conntrack_snat_ports_used{"), 5);
	assert_int_equal(count_lines(text, "twscope_conntrack_snat_pool_utilization_ratio{"), 5);
	/* the busiest first: 192.0.0.30 holds 30 ports */
	assert_int_equal(count_lines(text, "twscope_conntrack_snat_ports_used{nat_source=\"198.51.100.1\","
					   "destination=\"192.0.0.30\",destination_port=\"443\",protocol=\"tcp\"} 30"), 1);
	assert_int_equal(count_lines(text, "twscope_conntrack_stat_total{stat=\"insert_failed\"} 7"), 1);
	assert_int_equal(count_lines(text, "twscope_conntrack_stat_total{stat=\"drop\"}"), 0);
	assert_int_equal(count_lines(text, "twscope_conntrack_tcp_entries{state=\"time_wait\"} 465"), 1);
	assert_int_equal(count_lines(text, "twscope_conntrack_entries 3000"), 1);
	assert_int_equal(count_lines(text, "# TYPE twscope_conntrack_stat_total counter"), 1);
	free(text);
	scrape_result_done(&s);
}

/* serve -A: a pod row with hostile label text, the host row and other. */
static void test_netns(void **state)
{
	struct nsscrape_row rows[2] = { 0 };
	struct nsscrape s = { .rows = rows, .n_rows = 2, .have_other = true, .n_other = 7,
			      .n_seen = 10, .n_walked = 4, .n_skipped = 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void) state;
	strcpy(rows[0].labels.netns, "k8s shop/api-7f9 (containerd)");
	strcpy(rows[0].labels.inode, "4026532300");
	strcpy(rows[0].labels.runtime, "containerd");
	strcpy(rows[0].labels.container, "a\"b\\c\nd\xff");
	strcpy(rows[0].labels.pod, "api-7f9");
	strcpy(rows[0].labels.pod_namespace, "shop");
	rows[0] = (struct nsscrape_row){ .labels = rows[0].labels, .sockets = 120, .time_wait = 90,
					 .walked = true, .close_wait = 2, .usable = 100,
					 .have_util = true, .worst_util = 0.9 };
	strcpy(rows[1].labels.netns, "host");
	strcpy(rows[1].labels.inode, "4026531840");
	rows[1].sockets = 3;
	rows[1].walked = true;
	rows[1].usable = 28232;
	strcpy(s.other.labels.netns, "other");
	s.other.sockets = 31;
	s.other.time_wait = 20;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(prom_render_netns(f, &s), 0);
	assert_int_equal(fclose(f), 0);
#define POD "{netns=\"k8s shop/api-7f9 (containerd)\",inode=\"4026532300\",runtime=\"containerd\"," \
	    "container=\"a\\\"b\\\\c\\nd\xef\xbf\xbd\",pod=\"api-7f9\",pod_namespace=\"shop\"} "
#define HOST "{netns=\"host\",inode=\"4026531840\",runtime=\"\",container=\"\",pod=\"\",pod_namespace=\"\"} "
#define OTHER "{netns=\"other\",inode=\"\",runtime=\"\",container=\"\",pod=\"\",pod_namespace=\"\"} "
	assert_int_equal(count_lines(buf, "twscope_netns_sockets" POD "120\n"), 1);
	assert_int_equal(count_lines(buf, "twscope_netns_time_wait_sockets" POD "90\n"), 1);
	assert_int_equal(count_lines(buf, "twscope_netns_close_wait_sockets" POD "2\n"), 1);
	assert_int_equal(count_lines(buf, "twscope_netns_ephemeral_ports_usable" POD "100\n"), 1);
	assert_int_equal(count_lines(buf, "twscope_netns_destination_port_utilization_ratio" POD "0.9\n"), 1);
	assert_int_equal(count_lines(buf, "twscope_netns_sockets" HOST "3\n"), 1);
	/* the host has no destination: no utilization series */
	assert_int_equal(count_lines(buf, "twscope_netns_destination_port_utilization_ratio" HOST), 0);
	assert_int_equal(count_lines(buf, "twscope_netns_sockets" OTHER "31\n"), 1);
	assert_int_equal(count_lines(buf, "twscope_netns_time_wait_sockets" OTHER "20\n"), 1);
	/* other: only the sums (no close_wait, usable, or utilization without a walked one) */
	assert_int_equal(count_lines(buf, "twscope_netns_close_wait_sockets" OTHER), 0);
	assert_int_equal(count_lines(buf, "twscope_netns_ephemeral_ports_usable" OTHER), 0);
	assert_int_equal(count_lines(buf, "twscope_netns_destination_port_utilization_ratio" OTHER), 0);
	assert_int_equal(count_lines(buf, "twscope_netns_namespaces{kind=\"other\"} 7\n"), 1);
	assert_int_equal(count_lines(buf, "twscope_netns_namespaces{kind=\"skipped\"} 1\n"), 1);
	assert_int_equal(count_lines(buf, "# TYPE twscope_netns_sockets gauge\n"), 1);
	free(buf);
#undef POD
#undef HOST
#undef OTHER
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_top_k_bound),
		cmocka_unit_test(test_census_failed),
		cmocka_unit_test(test_netns),
		cmocka_unit_test(test_conntrack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
