// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockkill without a kernel: which sockets a plan keeps (states named or
 * TIME_WAIT, LISTEN only when named, --src, the cap), the grouping by
 * destination and service port, the SOCK_DESTROY ack parser, and the
 * filter options stat and kill share.
 */
#include "tw-test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "sockkill.h"
#include "twscope.h"
#include "util.h"

static struct tw_sock sock(const char *src, uint16_t sport, const char *dst, uint16_t dport, int state)
{
	struct tw_sock sk = { .sport = sport, .dport = dport, .state = (uint8_t)state };

	assert_int_equal(addr_parse(src, &sk.src), 0);
	assert_int_equal(addr_parse(dst, &sk.dst), 0);
	return sk;
}

static void plan_init(struct sockkill_plan *p, const struct census_filter *f, size_t max)
{
	memset(p, 0, sizeof(*p));
	p->filter = *f;
	p->filter.states = sockkill_states(f);
	p->max = max;
	p->range_lo = 32768;
	p->range_hi = 60999;
}

static void add_population(struct sockkill_plan *p)
{
	struct tw_sock v[] = {
		sock("10.0.0.1", 40001, "10.0.0.5", 443, TW_TIME_WAIT),
		sock("10.0.0.1", 40002, "10.0.0.5", 443, TW_TIME_WAIT),
		sock("10.0.0.1", 40003, "10.0.0.6", 443, TW_TIME_WAIT),
		sock("10.0.0.1", 8080, "10.0.0.9", 50000, TW_TIME_WAIT),
		sock("10.0.0.2", 40004, "10.0.0.5", 443, TW_ESTABLISHED),
		sock("0.0.0.0", 8080, "0.0.0.0", 0, TW_LISTEN),
	};

	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		assert_int_equal(sockkill_plan_add(&v[i], p), 0);
}

static struct census_filter filter(int port, uint32_t states)
{
	return (struct census_filter){ .v4 = true, .v6 = true, .port = port, .dst_port = -1, .states = states };
}

static void test_default_is_time_wait(void **state)
{
	struct census_filter f = filter(-1, 0);
	struct sockkill_plan p;

	(void) state;
	assert_int_equal(sockkill_states(&f), TW_STATE_BIT(TW_TIME_WAIT));
	f = filter(8080, 0);
	plan_init(&p, &f, 100);
	add_population(&p);
	/* port 8080: the TIME_WAIT only, never the listener */
	assert_int_equal(p.n, 1);
	assert_int_equal(p.by_state[TW_TIME_WAIT], 1);
	assert_int_equal(p.by_state[TW_LISTEN], 0);
	sockkill_plan_done(&p);
}

static void test_named_states(void **state)
{
	struct census_filter f = filter(8080, TW_STATE_BIT(TW_LISTEN));
	struct sockkill_plan p;

	(void) state;
	plan_init(&p, &f, 100);
	add_population(&p);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.by_state[TW_LISTEN], 1);
	sockkill_plan_done(&p);
	f = filter(-1, TW_STATE_BIT(TW_ESTABLISHED) | TW_STATE_BIT(TW_TIME_WAIT));
	plan_init(&p, &f, 100);
	add_population(&p);
	assert_int_equal(p.n, 5);
	sockkill_plan_done(&p);
}

static void test_src_and_cap(void **state)
{
	struct census_filter f = filter(-1, 0);
	struct sockkill_plan p;

	(void) state;
	assert_int_equal(addr_parse("10.0.0.1", &f.src), 0);
	f.have_src = true;
	plan_init(&p, &f, 2);
	add_population(&p);
	assert_int_equal(p.matched, 4);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0].sk.sport, 40001);
	assert_int_equal(p.v[1].err, SOCKKILL_NOT_TRIED);
	sockkill_plan_done(&p);
}

static void test_groups(void **state)
{
	struct census_filter f = filter(-1, 0);
	struct sockkill_plan p;
	struct sockkill_group *g = NULL;
	char buf[INET6_ADDRSTRLEN];
	long n;

	(void) state;
	plan_init(&p, &f, 100);
	add_population(&p);
	n = sockkill_group(&p, SOCKKILL_BY_DST, &g);
	assert_int_equal(n, 3);
	assert_string_equal(addr_format(&g[0].addr, buf, sizeof(buf)), "10.0.0.5");
	assert_int_equal(g[0].count, 2);
	free(g);
	n = sockkill_group(&p, SOCKKILL_BY_PORT, &g);
	assert_int_equal(n, 2);
	/* 443 remote (3 clients' sockets), 8080 local (outside the ephemeral range: we serve it) */
	assert_int_equal(g[0].port, 443);
	assert_false(g[0].local);
	assert_int_equal(g[0].count, 3);
	assert_int_equal(g[1].port, 8080);
	assert_true(g[1].local);
	free(g);
	sockkill_plan_done(&p);
	f = filter(1, 0);
	plan_init(&p, &f, 100);
	n = sockkill_group(&p, SOCKKILL_BY_DST, &g);
	assert_int_equal(n, 0);
	free(g);
}

static size_t put_ack(uint32_t *buf, uint32_t seq, int32_t err, uint32_t len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	memset(buf, 0, 64);
	nlh->nlmsg_len = len;
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = seq;
	memcpy((char *)buf + NLMSG_HDRLEN, &err, sizeof(err));
	return len;
}

static void test_parse_ack(void **state)
{
	uint32_t buf[16];
	const uint32_t full = NLMSG_HDRLEN + sizeof(struct nlmsgerr);

	(void) state;
	assert_int_equal(sockdiag_parse_ack(buf, put_ack(buf, 7, 0, full), 7), 0);
	assert_int_equal(sockdiag_parse_ack(buf, put_ack(buf, 7, -EPERM, full), 7), -EPERM);
	assert_int_equal(sockdiag_parse_ack(buf, put_ack(buf, 7, -EOPNOTSUPP, full), 7), -EOPNOTSUPP);
	assert_int_equal(sockdiag_parse_ack(buf, put_ack(buf, 8, 0, full), 7), -EBADMSG);
	assert_int_equal(sockdiag_parse_ack(buf, put_ack(buf, 7, 0, NLMSG_HDRLEN + 4), 7), -EBADMSG);
	/* nlmsg_len past the bytes received */
	put_ack(buf, 7, 0, 200);
	assert_int_equal(sockdiag_parse_ack(buf, full, 7), -EBADMSG);
	assert_int_equal(sockdiag_parse_ack(buf, 8, 7), -EBADMSG);
	assert_int_equal(sockdiag_parse_ack(buf, put_ack(buf, 7, 5, full), 7), -EBADMSG);
}

static void test_stop_text(void **state)
{
	struct sockkill_result res = { 0 };
	char buf[200];

	(void) state;
	assert_null(sockkill_stop_text(&res, buf, sizeof(buf)));
	res.stop_err = -EPERM;
	assert_string_equal(sockkill_stop_text(&res, buf, sizeof(buf)),
			    "destroying sockets needs CAP_NET_ADMIN in their network namespace (run as root)");
	res.stop_err = -EOPNOTSUPP;
	res.stop_state = TW_TIME_WAIT;
	assert_string_equal(sockkill_stop_text(&res, buf, sizeof(buf)), "this kernel cannot destroy "
			    "TIME_WAIT sockets: it needs Linux 6.0 or later built with CONFIG_INET_DIAG_DESTROY");
	res.stop_state = TW_ESTABLISHED;
	assert_string_equal(sockkill_stop_text(&res, buf, sizeof(buf)), "this kernel cannot destroy "
			    "established sockets: it was built without CONFIG_INET_DIAG_DESTROY");
}

static int opt(struct cmd_filter *cf, int c, const char *arg, char *err)
{
	return cmd_filter_option(cf, c, arg, err, 160);
}

static void test_filter_options(void **state)
{
	struct census_filter f = { .port = -1, .dst_port = -1 };
	struct cmd_filter cf = { .f = &f };
	char err[160];

	(void) state;
	assert_int_equal(opt(&cf, 'j', NULL, err), 0);
	assert_int_equal(opt(&cf, '4', NULL, err), 1);
	assert_false(cf.narrowed);
	assert_int_equal(opt(&cf, 's', "tw,estab", err), 1);
	assert_int_equal(f.states, TW_STATE_BIT(TW_TIME_WAIT) | TW_STATE_BIT(TW_ESTABLISHED));
	assert_true(cf.narrowed);
	assert_int_equal(opt(&cf, 's', "tw,bogus", err), -EINVAL);
	assert_string_equal(err, "unknown state 'bogus'");
	assert_int_equal(opt(&cf, 's', "", err), -EINVAL);
	assert_string_equal(err, "empty --state list");
	assert_int_equal(opt(&cf, 'p', "0", err), -EINVAL);
	assert_string_equal(err, "invalid port '0' (1-65535)");
	assert_int_equal(opt(&cf, 'p', "8080", err), 1);
	assert_int_equal(f.port, 8080);
	assert_int_equal(opt(&cf, 'd', "10.0.0.5:443", err), 1);
	assert_int_equal(f.dst_port, 443);
	assert_int_equal(opt(&cf, CMD_OPT_SRC, "10.0.0.1:1", err), -EINVAL);
	assert_int_equal(opt(&cf, CMD_OPT_SRC, "::1", err), 1);
	assert_true(f.have_src);
	/* -4 with an IPv6 --src */
	assert_int_equal(cmd_filter_finish(&cf, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--src is an IPv6 address but -4 was given");
	assert_int_equal(opt(&cf, '6', NULL, err), 1);
	assert_int_equal(cmd_filter_finish(&cf, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "-4 and -6 exclude each other");
	cf.only4 = false;
	assert_int_equal(cmd_filter_finish(&cf, err, sizeof(err)), 0);
	assert_false(f.v4);
	assert_true(f.v6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_is_time_wait),
		cmocka_unit_test(test_named_states),
		cmocka_unit_test(test_src_and_cap),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_parse_ack),
		cmocka_unit_test(test_stop_text),
		cmocka_unit_test(test_filter_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
