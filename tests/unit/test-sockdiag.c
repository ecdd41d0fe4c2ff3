// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockdiag parsing: replay netlink replies captured with `twscope stat
 * --dump-raw` from a known population, then feed truncated, garbled and
 * error replies.
 */
#include "tw-test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/tcp.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "census.h"
#include "collect.h"
#include "sock.h"
#include "sockdiag.h"
#include "tcpstate.h"

struct capture {
	unsigned char *data;
	size_t len;
};

static struct capture load(const char *path)
{
	struct capture c = {};
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	c.data = malloc(1 << 20);
	c.len = fread(c.data, 1, 1 << 20, f);
	fclose(f);
	return c;
}

static int route(const struct tw_sock *sk, void *data)
{
	return sk->state == TW_LISTEN ? census_add_listener(data, sk) : census_add(data, sk);
}

/* Replays every datagram; returns the last parse result. */
static int replay(const struct capture *cap, struct census *c, struct sockdiag_stats *st)
{
	size_t off = 0;
	int r = 0;

	while (off + 4 <= cap->len) {
		uint32_t n;

		memcpy(&n, cap->data + off, 4);
		off += 4;
		assert_true(off + n <= cap->len);
		r = sockdiag_parse_buf(cap->data + off, n, 0, route, c, st);
		if (r < 0)
			return r;
		off += n;
	}
	return r;
}

static struct census *new_census(void)
{
	struct census_conf conf = { .range_lo = 40000, .range_hi = 40099,
				    .filter = { .v4 = true, .v6 = true, .port = -1, .dst_port = -1 } };

	return census_new(&conf);
}

/*
 * small.bin: listeners 127.0.0.1:9000 and [::1]:9000; client-tw to each (3, 2);
 * one ESTABLISHED pair; one close-wait pair (orphan FIN_WAIT2 + CLOSE_WAIT);
 * one fin-wait2 pair (live FIN_WAIT2 + CLOSE_WAIT); range 40000-40099.
 */
static void test_replay_capture(void **state)
{
	struct capture cap = load("tests/fixtures/nl/small.bin");
	struct census *c = new_census();
	struct sockdiag_stats st = {};

	(void)state;
	assert_int_equal(replay(&cap, c, &st), 0);
	assert_int_equal(census_finish(c), 0);
	assert_int_equal(census_total(c, TW_LISTEN), 2);
	assert_int_equal(c->states[TW_FAM_V4][TW_TIME_WAIT], 3);
	assert_int_equal(c->states[TW_FAM_V6][TW_TIME_WAIT], 2);
	assert_int_equal(census_total(c, TW_ESTABLISHED), 2);
	assert_int_equal(census_total(c, TW_CLOSE_WAIT), 2);
	assert_int_equal(census_total(c, TW_FIN_WAIT2), 2);
	assert_int_equal(c->fw2_orphan, 1);
	assert_int_equal(c->fw2_live, 1);
	assert_int_equal(c->tw_side[TW_SIDE_CLIENT], 5);
	assert_int_equal(st.messages, 13);
	assert_int_equal(st.dump_intr, 0);
	assert_int_equal(c->n_dests, 2);
	/* 3 TIME_WAIT + 1 ESTABLISHED + 2 FIN_WAIT2 toward 127.0.0.1:9000. */
	assert_int_equal(c->dests[0].held, 6);
	assert_int_equal(c->dests[0].time_wait, 3);
	assert_int_equal(c->dests[0].remote_port, 9000);
	assert_int_equal(c->dests[1].held, 2);
	assert_int_equal(c->dests[1].remote.family, AF_INET6);
	census_free(c);
	free(cap.data);
}

/* Build one datagram: n copies of a TIME_WAIT message, then DONE. */
static size_t build(unsigned char *buf, int n, uint16_t flags, int with_done)
{
	size_t off = 0;

	for (int i = 0; i < n; i++) {
		struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
		struct inet_diag_msg *m = NLMSG_DATA(h);

		memset(h, 0, NLMSG_LENGTH(sizeof(*m)));
		h->nlmsg_len = NLMSG_LENGTH(sizeof(*m));
		h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		h->nlmsg_flags = NLM_F_MULTI | flags;
		m->idiag_family = AF_INET;
		m->idiag_state = TW_TIME_WAIT;
		m->idiag_timer = 3;
		m->idiag_expires = 59000;
		m->id.idiag_sport = htons((uint16_t)(40000 + i));
		m->id.idiag_dport = htons(9000);
		m->id.idiag_src[0] = htonl(0x7f000001);
		m->id.idiag_dst[0] = htonl(0x7f000001);
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	if (with_done) {
		struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);

		memset(h, 0, NLMSG_LENGTH(4));
		h->nlmsg_len = NLMSG_LENGTH(4);
		h->nlmsg_type = NLMSG_DONE;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return off;
}

static int count_cb(const struct tw_sock *sk, void *data)
{
	assert_int_equal(sk->state, TW_TIME_WAIT);
	assert_true(sk->mini);
	(*(int *)data)++;
	return 0;
}

static int count_cb_any(const struct tw_sock *sk, void *data)
{
	(void)sk;
	(*(int *)data)++;
	return 0;
}

static void test_synthetic(void **state)
{
	unsigned char buf[8192];
	struct sockdiag_stats st = {};
	int n = 0;
	size_t len;

	(void)state;
	len = build(buf, 10, 0, 1);
	assert_int_equal(sockdiag_parse_buf(buf, len, 0, count_cb, &n, &st), 0);
	assert_int_equal(n, 10);
	/* Without DONE the dump continues. */
	n = 0;
	len = build(buf, 4, 0, 0);
	assert_int_equal(sockdiag_parse_buf(buf, len, 0, count_cb, &n, &st), 1);
	assert_int_equal(n, 4);
}

/* One CLOSE_WAIT message with the attributes a dump asking for tcp_info brings. */
static size_t put_close_wait(unsigned char *buf, uint16_t sport, uint32_t ack_ms, size_t info_len)
{
	struct tcp_info ti;
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct inet_diag_msg *m = mnl_nlmsg_put_extra_header(h, sizeof(*m));
	uint8_t shut = 0;

	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	h->nlmsg_flags = NLM_F_MULTI;
	m->idiag_family = AF_INET;
	m->idiag_state = TW_CLOSE_WAIT;
	m->idiag_inode = 1234;
	m->id.idiag_sport = htons(sport);
	m->id.idiag_dport = htons(40000);
	mnl_attr_put(h, INET_DIAG_SHUTDOWN, sizeof(shut), &shut);
	memset(&ti, 0, sizeof(ti));
	ti.tcpi_state = TW_CLOSE_WAIT;
	ti.tcpi_last_ack_recv = ack_ms;
	mnl_attr_put(h, INET_DIAG_INFO, info_len, &ti);
	return h->nlmsg_len;
}

static int last_ack_cb(const struct tw_sock *sk, void *data)
{
	uint32_t *out = data;

	*out++ = sk->state;
	*out = sk->last_ack_ms;
	return 0;
}

static void test_tcp_info_last_ack(void **state)
{
	unsigned char buf[4096] __attribute__((aligned(4)));
	uint32_t got[2];
	size_t len;

	(void)state;
	len = put_close_wait(buf, 9000, 61234, sizeof(struct tcp_info));
	assert_int_equal(sockdiag_parse_buf(buf, len, 0, last_ack_cb, got, NULL), 1);
	assert_int_equal(got[0], TW_CLOSE_WAIT);
	assert_int_equal(got[1], 61234);
	/* A tcp_info too short to hold the field (old kernel): unknown, not garbage. */
	len = put_close_wait(buf, 9000, 61234, offsetof(struct tcp_info, tcpi_last_ack_recv));
	assert_int_equal(sockdiag_parse_buf(buf, len, 0, last_ack_cb, got, NULL), 1);
	assert_int_equal(got[1], TW_ACK_AGE_UNKNOWN);
}

static void test_dump_intr_counted(void **state)
{
	unsigned char buf[8192];
	struct sockdiag_stats st = {};
	int n = 0;
	size_t len = build(buf, 3, NLM_F_DUMP_INTR, 1);

	(void)state;
	assert_int_equal(sockdiag_parse_buf(buf, len, 0, count_cb, &n, &st), 0);
	assert_int_equal(st.dump_intr, 3);
	assert_int_equal(n, 3);
}

static void test_truncated_datagram(void **state)
{
	unsigned char buf[8192];
	int n = 0;
	size_t len = build(buf, 5, 0, 0);

	(void)state;
	/* Cut the last message in half: its header promises more than arrived. */
	assert_int_equal(sockdiag_parse_buf(buf, len - 30, 0, count_cb, &n, NULL), -EBADMSG);
	assert_int_equal(n, 4);
}

static void test_short_payload_skipped(void **state)
{
	unsigned char buf[8192];
	struct sockdiag_stats st = {};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int n = 0;
	size_t len;

	(void)state;
	memset(buf, 0, sizeof(buf));
	h->nlmsg_len = NLMSG_LENGTH(8);
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	len = NLMSG_ALIGN(h->nlmsg_len);
	len += build(buf + len, 2, 0, 1);
	assert_int_equal(sockdiag_parse_buf(buf, len, 0, count_cb, &n, &st), 0);
	assert_int_equal(st.truncated, 1);
	assert_int_equal(n, 2);
}

static void test_error_message(void **state)
{
	unsigned char buf[256] = {};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlmsgerr *e = NLMSG_DATA(h);
	int n = 0;

	(void)state;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
	h->nlmsg_type = NLMSG_ERROR;
	e->error = -EPERM;
	assert_int_equal(sockdiag_parse_buf(buf, h->nlmsg_len, 0, count_cb, &n, NULL), -EPERM);
	/* An error message too short to hold nlmsgerr is malformed. */
	h->nlmsg_len = NLMSG_LENGTH(2);
	assert_int_equal(sockdiag_parse_buf(buf, NLMSG_ALIGN(h->nlmsg_len), 0, count_cb, &n, NULL), -EBADMSG);
}

static void test_garbage(void **state)
{
	unsigned char buf[8192];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int n = 0;
	size_t len = build(buf, 1, 0, 1);

	(void)state;
	/* Unknown address family. */
	((struct inet_diag_msg *)NLMSG_DATA(h))->idiag_family = 99;
	assert_int_equal(sockdiag_parse_buf(buf, len, 0, count_cb, &n, NULL), -EBADMSG);
	/* Unexpected message type. */
	len = build(buf, 1, 0, 1);
	h->nlmsg_type = 77;
	assert_int_equal(sockdiag_parse_buf(buf, len, 0, count_cb, &n, NULL), -EBADMSG);
	/* Wrong sequence number. */
	len = build(buf, 1, 0, 1);
	h->nlmsg_seq = 5;
	assert_int_equal(sockdiag_parse_buf(buf, len, 6, count_cb, &n, NULL), -EBADMSG);
	/* Random bytes never crash. */
	srand(7);
	for (int round = 0; round < 2000; round++) {
		size_t l = (size_t)(rand() % 512);

		for (size_t i = 0; i < l; i++)
			buf[i] = (unsigned char)rand();
		(void)sockdiag_parse_buf(buf, l, 0, count_cb_any, &n, NULL);
	}
}

/*
 * Forged replies: every length must be checked against the bytes received
 * before anything behind it is read. The buffers are heap copies of exactly
 * len bytes, so ASan catches any read past the datagram.
 */
static int parse_exact(const void *src, size_t len, sockdiag_cb cb, void *data, struct sockdiag_stats *st)
{
	void *copy = malloc(len ? len : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy, src, len);
	r = sockdiag_parse_buf(copy, len, 0, cb, data, st);
	free(copy);
	return r;
}

static void test_forged_lengths(void **state)
{
	unsigned char buf[8192] __attribute__((aligned(4)));
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct sockdiag_stats st = {};
	int n = 0;
	size_t len;

	(void)state;
	/* nlmsg_len >= 2^31 passes mnl_nlmsg_ok()'s int compare. */
	len = build(buf, 1, 0, 0);
	h->nlmsg_len = 0x80000000u;
	assert_int_equal(parse_exact(buf, len, count_cb_any, &n, &st), -EBADMSG);
	h->nlmsg_len = 0xfffffff0u;
	assert_int_equal(parse_exact(buf, len, count_cb_any, &n, &st), -EBADMSG);
	/* A second message that promises more than is left. */
	len = build(buf, 2, 0, 0);
	((struct nlmsghdr *)(buf + len / 2))->nlmsg_len = (uint32_t)len;
	n = 0;
	assert_int_equal(parse_exact(buf, len, count_cb_any, &n, &st), -EBADMSG);
	assert_int_equal(n, 1);
	/* Shorter than its own header. */
	len = build(buf, 1, 0, 0);
	h->nlmsg_len = 8;
	assert_int_equal(parse_exact(buf, len, count_cb_any, &n, &st), -EBADMSG);
	h->nlmsg_len = 0;
	assert_int_equal(parse_exact(buf, len, count_cb_any, &n, &st), -EBADMSG);
	/* A datagram shorter than one header. */
	assert_int_equal(parse_exact(buf, 10, count_cb_any, &n, &st), -EBADMSG);
	/* An empty datagram asks for more, reads nothing. */
	assert_int_equal(parse_exact(buf, 0, count_cb_any, &n, &st), 1);
}

static void test_forged_error(void **state)
{
	unsigned char buf[64] __attribute__((aligned(4))) = {};
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	int32_t err;
	int n = 0;

	(void)state;
	/* A bare NLMSG_ERROR header: the error field lies past the datagram. */
	h->nlmsg_len = NLMSG_HDRLEN;
	h->nlmsg_type = NLMSG_ERROR;
	assert_int_equal(parse_exact(buf, NLMSG_HDRLEN, count_cb_any, &n, NULL), -EBADMSG);
	/* nlmsg_len claims a full nlmsgerr that never arrived. */
	h->nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr));
	assert_int_equal(parse_exact(buf, NLMSG_HDRLEN + 4, count_cb_any, &n, NULL), -EBADMSG);
	/* Error codes outside -4095..-1 are no errno: positive would read as "go on". */
	h->nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr));
	err = 5;
	memcpy(NLMSG_DATA(h), &err, sizeof(err));
	assert_int_equal(parse_exact(buf, h->nlmsg_len, count_cb_any, &n, NULL), -EBADMSG);
	err = INT32_MIN;
	memcpy(NLMSG_DATA(h), &err, sizeof(err));
	assert_int_equal(parse_exact(buf, h->nlmsg_len, count_cb_any, &n, NULL), -EBADMSG);
	/* DONE reports the dump's own error. */
	h->nlmsg_type = NLMSG_DONE;
	h->nlmsg_len = NLMSG_LENGTH(4);
	err = -ENOBUFS;
	memcpy(NLMSG_DATA(h), &err, sizeof(err));
	assert_int_equal(parse_exact(buf, h->nlmsg_len, count_cb_any, &n, NULL), -ENOBUFS);
	/* A DONE without payload is a plain end. */
	h->nlmsg_len = NLMSG_HDRLEN;
	assert_int_equal(parse_exact(buf, NLMSG_HDRLEN, count_cb_any, &n, NULL), 0);
}

/* A census fed a socket in state s through the path collect.c uses for listeners. */
static int route_listen(const struct tw_sock *sk, void *data)
{
	return census_add_listener(data, sk);
}

static void test_forged_state(void **state)
{
	static const uint8_t bad[] = { 0, TW_STATE_MAX, 31, 32, 77, 255 };
	unsigned char buf[8192] __attribute__((aligned(4)));
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct census_conf conf = { .range_lo = 40000, .range_hi = 40099,
				    .filter = { .v4 = true, .v6 = true, .port = -1, .dst_port = -1,
						.states = TW_STATE_BIT(TW_LISTEN) } };

	(void)state;
	for (size_t i = 0; i < sizeof(bad); i++) {
		struct census *c = census_new(&conf);
		size_t len = build(buf, 1, 0, 1);
		int n = 0;

		((struct inet_diag_msg *)NLMSG_DATA(h))->idiag_state = bad[i];
		assert_int_equal(parse_exact(buf, len, count_cb_any, &n, NULL), -EBADMSG);
		assert_int_equal(n, 0);
		/* Never reaches the census, whose filter shifts 1u << state. */
		assert_int_equal(parse_exact(buf, len, route_listen, c, NULL), -EBADMSG);
		assert_int_equal(c->sockets, 0);
		assert_int_equal(c->listeners, 0);
		census_free(c);
	}
}

/* A LISTEN dump lets through listeners only; the census never counts a forged one. */
static void test_dump_states_filtered(void **state)
{
	unsigned char buf[8192] __attribute__((aligned(4)));
	struct sockdiag_stats st = {};
	struct census *c = new_census();
	size_t len = build(buf, 3, 0, 1);

	(void)state;
	((struct inet_diag_msg *)NLMSG_DATA((struct nlmsghdr *)buf))->idiag_state = TW_LISTEN;
	assert_int_equal(sockdiag_parse_dump(buf, len, 0, TW_STATE_BIT(TW_LISTEN), collect_add_listener, c, &st), 0);
	assert_int_equal(st.unexpected, 2);
	assert_int_equal(c->listeners, 1);
	assert_int_equal(census_total(c, TW_LISTEN), 1);
	/* The other dumps take what they asked for, and nothing else. */
	st = (struct sockdiag_stats){};
	len = build(buf, 3, 0, 1);
	assert_int_equal(sockdiag_parse_dump(buf, len, 0, TW_STATE_BIT(TW_ESTABLISHED), collect_add_socket, c, &st), 0);
	assert_int_equal(st.unexpected, 3);
	assert_int_equal(census_total(c, TW_TIME_WAIT), 0);
	assert_int_equal(sockdiag_parse_dump(buf, len, 0, TW_STATE_BIT(TW_TIME_WAIT), collect_add_socket, c, &st), 0);
	assert_int_equal(census_total(c, TW_TIME_WAIT), 3);
	census_free(c);
}

/* One CLOSE_WAIT message whose last attribute is rewritten after it was put. */
static size_t put_bad_attr(unsigned char *buf, uint16_t nla_len, size_t cut)
{
	size_t len = put_close_wait(buf, 9000, 1, sizeof(struct tcp_info));
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlattr *a = (struct nlattr *)(buf + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct inet_diag_msg)));

	a->nla_len = nla_len;
	h->nlmsg_len = (uint32_t)(len - cut);
	return len - cut;
}

static void test_forged_attrs(void **state)
{
	unsigned char buf[4096] __attribute__((aligned(4)));
	int n = 0;
	size_t len;

	(void)state;
	/* An attribute longer than its message (and than the datagram). */
	len = put_bad_attr(buf, 0xfff0, 0);
	assert_int_equal(parse_exact(buf, len, count_cb_any, &n, NULL), -EBADMSG);
	/* Shorter than its own header: a walk would never advance. */
	len = put_bad_attr(buf, 2, 0);
	assert_int_equal(parse_exact(buf, len, count_cb_any, &n, NULL), -EBADMSG);
	/* tcp_info cut by the message end: its length now runs past nlmsg_len. */
	len = put_close_wait(buf, 9000, 1, sizeof(struct tcp_info));
	((struct nlmsghdr *)buf)->nlmsg_len = (uint32_t)len - 40;
	assert_int_equal(parse_exact(buf, len - 40, count_cb_any, &n, NULL), -EBADMSG);
	/* Two bytes of trailing junk after the attributes. */
	len = put_close_wait(buf, 9000, 1, sizeof(struct tcp_info));
	((struct nlmsghdr *)buf)->nlmsg_len = (uint32_t)len + 2;
	memset(buf + len, 0, 4);
	assert_int_equal(parse_exact(buf, len + 2, count_cb_any, &n, NULL), -EBADMSG);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_capture),	  cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_dump_intr_counted), cmocka_unit_test(test_truncated_datagram),
		cmocka_unit_test(test_short_payload_skipped), cmocka_unit_test(test_error_message),
		cmocka_unit_test(test_garbage),	  cmocka_unit_test(test_tcp_info_last_ack),
		cmocka_unit_test(test_forged_lengths), cmocka_unit_test(test_forged_error),
		cmocka_unit_test(test_forged_state), cmocka_unit_test(test_forged_attrs),
		cmocka_unit_test(test_dump_states_filtered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
