// SPDX-License-Identifier: GPL-2.0-or-later
/* census aggregation on synthetic sockets: sides, usable ports, utilisation, filters, timers. */
#include "tw-test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "census.h"
#include "ksettings.h"
#include "map.h"
#include "util.h"

static struct tw_sock sock(const char *src, uint16_t sport, const char *dst, uint16_t dport, int state)
{
	struct tw_sock sk = {};

	assert_int_equal(addr_parse(src, &sk.src), 0);
	assert_int_equal(addr_parse(dst, &sk.dst), 0);
	sk.sport = sport;
	sk.dport = dport;
	sk.state = (uint8_t)state;
	if (state == TW_TIME_WAIT) {
		sk.mini = true;
		sk.timer = 3;
		sk.expires_ms = 59500;
	}
	return sk;
}

static struct census_filter all(void)
{
	return (struct census_filter){ .v4 = true, .v6 = true, .port = -1, .dst_port = -1 };
}

static struct census *make(uint16_t lo, uint16_t hi, const char *reserved)
{
	static uint8_t map[TW_PORT_BITMAP_BYTES];
	struct census_conf conf = { .range_lo = lo, .range_hi = hi, .filter = all() };

	if (reserved) {
		assert_int_equal(ksettings_parse_port_list(reserved, map), 0);
		conf.reserved = map;
	}
	return census_new(&conf);
}

static void test_sides(void **state)
{
	struct census *c = make(32768, 60999, NULL);
	struct tw_sock l = sock("0.0.0.0", 8443, "0.0.0.0", 0, TW_LISTEN);
	struct tw_sock sk;

	(void)state;
	census_add_listener(c, &l);
	/* Live listener on the local port: server, even if the peer port is not ephemeral. */
	sk = sock("10.0.0.1", 8443, "10.0.0.2", 80, TW_TIME_WAIT);
	assert_int_equal(census_side(c, &sk), TW_SIDE_SERVER);
	/* Listener gone: service port outside the range, peer inside → server (restarted server). */
	sk = sock("10.0.0.1", 8080, "10.0.0.2", 45000, TW_TIME_WAIT);
	assert_int_equal(census_side(c, &sk), TW_SIDE_SERVER);
	/* Ephemeral local port toward a service port → client. */
	sk = sock("10.0.0.1", 45000, "10.0.0.2", 5432, TW_TIME_WAIT);
	assert_int_equal(census_side(c, &sk), TW_SIDE_CLIENT);
	/* Both ephemeral and no listener: cannot be told. */
	sk = sock("10.0.0.1", 45000, "10.0.0.2", 45001, TW_TIME_WAIT);
	assert_int_equal(census_side(c, &sk), TW_SIDE_UNKNOWN);
	/* Both outside the range: a well-known remote port means we were the client. */
	sk = sock("10.0.0.1", 2000, "10.0.0.2", 443, TW_TIME_WAIT);
	assert_int_equal(census_side(c, &sk), TW_SIDE_CLIENT);
	sk = sock("10.0.0.1", 22, "10.0.0.2", 2000, TW_TIME_WAIT);
	assert_int_equal(census_side(c, &sk), TW_SIDE_SERVER);
	sk = sock("10.0.0.1", 2000, "10.0.0.2", 3000, TW_TIME_WAIT);
	assert_int_equal(census_side(c, &sk), TW_SIDE_UNKNOWN);
	/* Both ports ephemeral, but on loopback the peer's listener is ours → client. */
	l = sock("127.0.0.1", 45001, "0.0.0.0", 0, TW_LISTEN);
	census_add_listener(c, &l);
	sk = sock("127.0.0.1", 45000, "127.0.0.1", 45001, TW_TIME_WAIT);
	assert_int_equal(census_side(c, &sk), TW_SIDE_CLIENT);
	sk = sock("::1", 45000, "::ffff:127.0.0.5", 45001, TW_TIME_WAIT);
	assert_int_equal(census_side(c, &sk), TW_SIDE_CLIENT);
	/* Off loopback the same ports stay unknown: the peer's listener is not ours. */
	sk = sock("10.0.0.1", 45000, "10.0.0.2", 45001, TW_TIME_WAIT);
	assert_int_equal(census_side(c, &sk), TW_SIDE_UNKNOWN);
	census_free(c);
}

/* Sides the ports alone cannot tell are settled in census_finish() by fan-out. */
static void test_sides_by_fanout(void **state)
{
	struct census *c = make(32768, 60999, NULL);
	struct tw_sock sk;
	char ip[32];

	(void)state;
	/* A stopped server on 50051 (inside the range): 100 peers' ephemeral ports face it. */
	for (int i = 0; i < 100; i++) {
		snprintf(ip, sizeof(ip), "10.0.1.%d", i % 4 + 1);
		sk = sock("10.0.0.1", 50051, ip, (uint16_t)(40000 + i), TW_TIME_WAIT);
		assert_int_equal(census_side(c, &sk), TW_SIDE_UNKNOWN);
		assert_int_equal(census_add(c, &sk), 0);
	}
	/* We are the client of 10.0.0.3:50052: 30 local ports face that one port. */
	for (int i = 0; i < 30; i++) {
		sk = sock("10.0.0.1", (uint16_t)(41000 + i), "10.0.0.3", 50052, TW_TIME_WAIT);
		assert_int_equal(census_add(c, &sk), 0);
	}
	/* A client of 20 services on ports inside the range: each local port faces 20 ports. */
	for (int i = 0; i < 20; i++) {
		for (int j = 0; j < 20; j++) {
			sk = sock("10.0.0.1", (uint16_t)(42000 + i), "10.0.0.4", (uint16_t)(43000 + j),
				  TW_TIME_WAIT);
			assert_int_equal(census_add(c, &sk), 0);
		}
	}
	/* Too few to tell. */
	for (int i = 0; i < 5; i++) {
		sk = sock("10.0.0.1", (uint16_t)(44000 + i), "10.0.0.5", (uint16_t)(45000 + i), TW_TIME_WAIT);
		assert_int_equal(census_add(c, &sk), 0);
	}
	/* A peer port above our range is its ephemeral port: we serve 8080. */
	sk = sock("10.0.0.1", 8080, "10.0.0.6", 62000, TW_TIME_WAIT);
	assert_int_equal(census_side(c, &sk), TW_SIDE_SERVER);
	assert_int_equal(census_add(c, &sk), 0);
	assert_int_equal(census_finish(c), 0);
	assert_int_equal(c->tw_side[TW_SIDE_SERVER], 101);
	assert_int_equal(c->tw_side[TW_SIDE_CLIENT], 430);
	assert_int_equal(c->tw_side[TW_SIDE_UNKNOWN], 5);
	assert_int_equal(c->n_servers, 2);
	assert_int_equal(c->servers[0].port, 50051);
	assert_int_equal(c->servers[0].states[TW_TIME_WAIT], 100);
	assert_int_equal(c->servers[0].distinct_remotes, 4);
	assert_int_equal(c->n_dests, 21);
	assert_int_equal(c->dests[0].held, 30);
	assert_int_equal(c->dests[0].remote_port, 50052);
	assert_int_equal(c->dests[1].held, 20);
	census_free(c);
}

/* Past the sample, sockets are placed by the learned pattern, in bounded memory. */
static void test_sides_past_the_sample(void **state)
{
	struct census *c = make(32768, 60999, NULL);
	char ip[32];
	int n = 0;

	(void)state;
	/* 20,000 clients' TIME_WAIT on a stopped server port inside the range... */
	for (int i = 0; i < 20000; i++) {
		struct tw_sock sk;

		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 2000, 1 + i % 200);
		sk = sock("10.0.0.1", 50051, ip, (uint16_t)(40000 + i % 2000 * 10 + i / 2000), TW_TIME_WAIT);
		assert_int_equal(census_add(c, &sk), 0);
		n++;
	}
	/* ...and, after the sample, our own client sockets toward a service on 50052. */
	for (int i = 0; i < 100; i++) {
		struct tw_sock sk = sock("10.0.0.1", (uint16_t)(41000 + i), "10.0.9.9", 50052, TW_TIME_WAIT);

		assert_int_equal(census_add(c, &sk), 0);
	}
	assert_true(c->sides_learned);
	assert_true(c->cap_unsure == 0 && c->n_unsure == 0);
	assert_int_equal(census_finish(c), 0);
	assert_int_equal(c->tw_side[TW_SIDE_SERVER], n);
	/* 50052 was not in the sample: its sockets stay unknown, not misplaced */
	assert_int_equal(c->tw_side[TW_SIDE_UNKNOWN], 100);
	census_free(c);
}

static void test_reserved_port_is_not_ephemeral(void **state)
{
	struct census *c = make(40000, 40099, "40000-40009");
	struct tw_sock sk = sock("127.0.0.1", 40005, "127.0.0.1", 9000, TW_TIME_WAIT);

	(void)state;
	/* A reserved port is never picked by connect(): a TIME_WAIT on it was a bound port. */
	assert_int_equal(census_side(c, &sk), TW_SIDE_UNKNOWN);
	census_free(c);
}

static void test_usable_and_utilization(void **state)
{
	struct census *c = make(40000, 40099, "40000-40009,50000");
	struct tw_sock l = sock("127.0.0.1", 40050, "0.0.0.0", 0, TW_LISTEN);
	struct tw_sock l2 = sock("127.0.0.1", 40005, "0.0.0.0", 0, TW_LISTEN);
	int i;

	(void)state;
	census_add_listener(c, &l);
	/* A listener on a reserved port is not subtracted twice. */
	census_add_listener(c, &l2);
	for (i = 0; i < 40; i++) {
		struct tw_sock sk = sock("127.0.0.1", (uint16_t)(40010 + i), "10.1.1.1", 443,
					 i < 30 ? TW_TIME_WAIT : TW_ESTABLISHED);

		assert_int_equal(census_add(c, &sk), 0);
	}
	for (i = 0; i < 5; i++) {
		struct tw_sock sk = sock("127.0.0.1", (uint16_t)(40010 + i), "10.1.1.2", 443, TW_SYN_SENT);

		assert_int_equal(census_add(c, &sk), 0);
	}
	assert_int_equal(census_finish(c), 0);
	assert_int_equal(c->range_size, 100);
	assert_int_equal(c->reserved_in_range, 10);
	assert_int_equal(c->listeners_in_range, 1);
	assert_int_equal(c->usable, 89);
	assert_int_equal(c->n_dests, 2);
	assert_int_equal(c->dests[0].held, 40);
	assert_int_equal(c->dests[0].time_wait, 30);
	assert_int_equal(c->dests[0].established, 10);
	assert_true(c->dests[0].util_pct > 44.94 && c->dests[0].util_pct < 44.95);
	assert_int_equal(c->dests[1].held, 5);
	assert_int_equal(c->tw_side[TW_SIDE_CLIENT], 30);
	census_free(c);
}

static void test_server_ports_and_peers(void **state)
{
	struct census *c = make(32768, 60999, NULL);
	const char *ips[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4" };
	int i;

	(void)state;
	/* 192.0.2.1 is a NAT with 10 TW, others fewer; one port only. */
	for (i = 0; i < 16; i++) {
		const char *ip = i < 10 ? ips[0] : i < 13 ? ips[1] : i < 15 ? ips[2] : ips[3];
		struct tw_sock sk = sock("10.0.0.1", 80, ip, (uint16_t)(40000 + i), TW_TIME_WAIT);

		assert_int_equal(census_add(c, &sk), 0);
	}
	{
		struct tw_sock sk = sock("10.0.0.1", 80, ips[3], 50000, TW_ESTABLISHED);

		assert_int_equal(census_add(c, &sk), 0);
	}
	assert_int_equal(census_finish(c), 0);
	assert_int_equal(c->tw_side[TW_SIDE_SERVER], 16);
	assert_int_equal(c->n_servers, 1);
	assert_int_equal(c->servers[0].port, 80);
	assert_int_equal(c->servers[0].states[TW_TIME_WAIT], 16);
	assert_int_equal(c->servers[0].states[TW_ESTABLISHED], 1);
	assert_int_equal(c->servers[0].distinct_remotes, 4);
	assert_int_equal(c->servers[0].n_top, TW_TOP_REMOTES);
	assert_int_equal(c->servers[0].top[0].time_wait, 10);
	assert_int_equal(c->servers[0].top[1].time_wait, 3);
	assert_int_equal(c->servers[0].top[2].time_wait, 2);
	assert_int_equal(c->n_peers, 4);
	assert_int_equal(c->peers[0].time_wait, 10);
	assert_int_equal(c->peers[3].total, 2);
	assert_int_equal(c->n_dests, 0);
	census_free(c);
}

/* Ages are read off the timers: 60 s - expires. 4 closes within 5 s, 7 within 10 s, 9 in all. */
static void test_close_history(void **state)
{
	static const uint32_t expires_ms[] = { 59999, 59000, 57000, 55001, 54999, 51000, 50001,
					       40000, 100 };
	struct census *c = make(32768, 60999, NULL);
	const struct census_closes *h;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(expires_ms); i++) {
		struct tw_sock sk = sock("10.0.0.1", (uint16_t)(40000 + i), "10.0.0.2", 5432, TW_TIME_WAIT);

		sk.expires_ms = expires_ms[i];
		assert_int_equal(census_add(c, &sk), 0);
	}
	{
		/* A server-side TIME_WAIT keeps its own history, and ESTABLISHED adds none. */
		struct tw_sock sk = sock("10.0.0.1", 80, "10.0.0.3", 40000, TW_TIME_WAIT);
		struct tw_sock est = sock("10.0.0.1", 41000, "10.0.0.2", 5432, TW_ESTABLISHED);

		sk.expires_ms = 30000;
		assert_int_equal(census_add(c, &sk), 0);
		assert_int_equal(census_add(c, &est), 0);
	}
	assert_int_equal(census_finish(c), 0);
	assert_int_equal(c->n_dests, 1);
	h = &c->dests[0].closes;
	assert_int_equal(h->within[0], 4);
	assert_int_equal(h->within[1], 7);
	assert_int_equal(h->within[2], 8);
	assert_int_equal(h->within[3], 9);
	assert_int_equal(h->youngest_ms, 1);
	assert_int_equal(h->clears_ms, 59999);
	assert_true(census_close_rate(h, TW_CLOSE_RECENT) > 0.699 &&
		    census_close_rate(h, TW_CLOSE_RECENT) < 0.701);
	assert_int_equal(census_close_window_sec(TW_CLOSE_RECENT), 10);
	assert_int_equal(c->servers[0].closes.within[3], 1);
	assert_int_equal(c->servers[0].closes.within[2], 0);
	assert_int_equal(c->servers[0].closes.youngest_ms, 30000);
	assert_int_equal(c->closes.within[3], 10);
	census_free(c);

	/* No TIME_WAIT: nothing is young, nothing to clear. */
	c = make(32768, 60999, NULL);
	{
		struct tw_sock est = sock("10.0.0.1", 41000, "10.0.0.2", 5432, TW_ESTABLISHED);

		assert_int_equal(census_add(c, &est), 0);
	}
	assert_int_equal(census_finish(c), 0);
	assert_int_equal(c->dests[0].closes.youngest_ms, TW_AGE_UNKNOWN);
	assert_int_equal(c->dests[0].closes.clears_ms, 0);
	assert_int_equal(c->closes.youngest_ms, TW_AGE_UNKNOWN);
	census_free(c);
}

static void test_filters(void **state)
{
	struct census_filter f = all();
	struct tw_sock v4 = sock("127.0.0.1", 40000, "10.0.0.9", 443, TW_TIME_WAIT);
	struct tw_sock v6 = sock("::1", 40000, "::ffff:10.0.0.9", 443, TW_ESTABLISHED);
	int port;

	(void)state;
	assert_true(census_filter_match(&f, &v4));
	f.v4 = false;
	assert_false(census_filter_match(&f, &v4));
	assert_true(census_filter_match(&f, &v6));
	f = all();
	f.states = TW_STATE_BIT(TW_TIME_WAIT);
	assert_true(census_filter_match(&f, &v4));
	assert_false(census_filter_match(&f, &v6));
	f = all();
	f.port = 443;
	assert_true(census_filter_match(&f, &v4));
	f.port = 40000;
	assert_true(census_filter_match(&f, &v4));
	f.port = 1;
	assert_false(census_filter_match(&f, &v4));
	f = all();
	assert_int_equal(addr_parse_endpoint("10.0.0.9:443", &f.dst, &port), 0);
	f.have_dst = true;
	f.dst_port = port;
	assert_true(census_filter_match(&f, &v4));
	/* An IPv4-mapped peer matches its IPv4 form. */
	assert_true(census_filter_match(&f, &v6));
	f.dst_port = 80;
	assert_false(census_filter_match(&f, &v4));
}

static void test_timer_and_fin_wait2(void **state)
{
	struct census *c = make(32768, 60999, NULL);
	uint32_t exp[] = { 0, 4999, 5000, 59999, 60000, 70000 };
	struct tw_sock sk;

	(void)state;
	for (size_t i = 0; i < sizeof(exp) / sizeof(exp[0]); i++) {
		sk = sock("127.0.0.1", 40000, "127.0.0.1", 9000, TW_TIME_WAIT);
		sk.expires_ms = exp[i];
		census_add(c, &sk);
	}
	assert_int_equal(c->tw_timer[0], 2);
	assert_int_equal(c->tw_timer[1], 1);
	/* 60 s and beyond (a re-armed timer) land in the last bucket. */
	assert_int_equal(c->tw_timer[11], 3);
	sk = sock("127.0.0.1", 40001, "127.0.0.1", 9000, TW_FIN_WAIT2);
	sk.mini = true;
	census_add(c, &sk);
	sk.mini = false;
	census_add(c, &sk);
	assert_int_equal(c->fw2_orphan, 1);
	assert_int_equal(c->fw2_live, 1);
	/* A request socket holds no port: it counts but is not a destination. */
	sk = sock("127.0.0.1", 9000, "127.0.0.1", 40002, TW_NEW_SYN_RECV);
	census_add(c, &sk);
	assert_int_equal(census_total(c, TW_NEW_SYN_RECV), 1);
	assert_int_equal(census_finish(c), 0);
	assert_int_equal(c->n_dests, 1);
	assert_int_equal(c->dests[0].held, 8);
	census_free(c);
}

static void test_map_limits(void **state)
{
	struct tw_map *m = tw_map_new(sizeof(uint32_t), sizeof(uint64_t), 1000);
	size_t it = 0, n = 0;
	const void *k;
	void *v;

	(void)state;
	for (uint32_t i = 0; i < 1000; i++) {
		assert_int_equal(tw_map_upsert(m, &i, &v), 0);
		*(uint64_t *)v += i;
	}
	uint32_t extra = 5000;
	assert_int_equal(tw_map_upsert(m, &extra, &v), -ENOSPC);
	extra = 7;
	assert_int_equal(tw_map_upsert(m, &extra, &v), 0);
	assert_int_equal(*(uint64_t *)v, 7);
	assert_int_equal(tw_map_count(m), 1000);
	while (tw_map_next(m, &it, &k, &v))
		n++;
	assert_int_equal(n, 1000);
	assert_null(tw_map_find(m, &(uint32_t){ 4242 }));
	tw_map_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sides),
		cmocka_unit_test(test_sides_by_fanout),
		cmocka_unit_test(test_sides_past_the_sample),
		cmocka_unit_test(test_reserved_port_is_not_ephemeral),
		cmocka_unit_test(test_usable_and_utilization),
		cmocka_unit_test(test_server_ports_and_peers),
		cmocka_unit_test(test_close_history),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_timer_and_fin_wait2),
		cmocka_unit_test(test_map_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
