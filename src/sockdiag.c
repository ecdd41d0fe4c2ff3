// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sock_diag dumps over libmnl. Each inet_diag_msg is copied into a struct
 * tw_sock and handed to the caller's callback inside the receive loop, so
 * nothing is buffered per socket. Replies are untrusted until checked here:
 * only the kernel's datagrams are read, and every length and state is
 * validated before use. Nothing here prints or aggregates.
 */
#include "sockdiag.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>

#include "nlkernel.h"
#include "sock.h"
#include "tcpstate.h"
#include "util.h"

/* The kernel fills at most ~32 KiB per recvmsg() (docs/kernel.md#counting-cost). */
#define SOCKDIAG_BUF_SIZE (64 * 1024)
/* The kernel answers at once: a recvmsg() that waits this long will never see a reply. */
#define SOCKDIAG_RECV_TIMEOUT_SEC 5
/* How long a dump keeps dropping datagrams from other senders before giving up. */
#define SOCKDIAG_FOREIGN_BUDGET_NS (10ull * 1000 * 1000 * 1000)

struct sockdiag {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	FILE *capture;
	uint8_t ext;		/* idiag_ext: INET_DIAG_* extensions asked for */
	/* Netlink headers are read in place: keep them aligned. */
	char buf[SOCKDIAG_BUF_SIZE] __attribute__((aligned(8)));
};

int sockdiag_open(struct sockdiag **ret)
{
	struct sockdiag *sd = calloc(1, sizeof(*sd));
	int r;

	if (!sd)
		return -ENOMEM;
	r = nlkernel_open(NETLINK_SOCK_DIAG, SOCKDIAG_RECV_TIMEOUT_SEC, &sd->nl);
	if (r < 0) {
		free(sd);
		return r;
	}
	sd->portid = mnl_socket_get_portid(sd->nl);
	sd->seq = (uint32_t)time(NULL);
	*ret = sd;
	return 0;
}

struct sockdiag *sockdiag_close(struct sockdiag *sd)
{
	if (sd) {
		if (sd->nl)
			mnl_socket_close(sd->nl);
		free(sd);
	}
	return NULL;
}

void sockdiag_set_capture(struct sockdiag *sd, FILE *f)
{
	sd->capture = f;
}

void sockdiag_want_info(struct sockdiag *sd)
{
	sd->ext |= 1 << (INET_DIAG_INFO - 1);
}

/*
 * One pass over the attributes, bounded by nlmsg_len (already checked
 * against the bytes received) with unsigned arithmetic: libmnl's
 * mnl_attr_ok() compares lengths as int. Full sockets always carry
 * INET_DIAG_SHUTDOWN, request and timewait mini-sockets never do; tcp_info
 * comes only when asked for (a shorter one, from an old kernel, is ignored).
 * Returns 0, or -EBADMSG when an attribute runs past its message.
 */
static int scan_attrs(const struct nlmsghdr *nlh, bool *ret_shutdown, uint32_t *ret_ack_ms)
{
	const size_t ack_end = offsetof(struct tcp_info, tcpi_last_ack_recv) + sizeof(uint32_t);
	const char *msg = (const char *)nlh;
	size_t end = nlh->nlmsg_len;
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct inet_diag_msg));

	while (off < end) {
		const struct nlattr *attr = (const struct nlattr *)(msg + off);
		size_t alen, plen;

		if (end - off < sizeof(*attr))
			return -EBADMSG;
		alen = attr->nla_len;
		if (alen < sizeof(*attr) || alen > end - off)
			return -EBADMSG;
		plen = alen - NLA_HDRLEN;
		switch (attr->nla_type & NLA_TYPE_MASK) {
		case INET_DIAG_SHUTDOWN:
			*ret_shutdown = true;
			break;
		case INET_DIAG_INFO:
			/* memcpy: the payload is only 4-byte aligned. */
			if (plen >= ack_end)
				memcpy(ret_ack_ms, msg + off + NLA_HDRLEN + ack_end - sizeof(uint32_t),
				       sizeof(uint32_t));
			break;
		}
		/* The last attribute may end unpadded at the end of the message. */
		if (NLA_ALIGN(alen) >= end - off)
			break;
		off += NLA_ALIGN(alen);
	}
	return 0;
}

static void copy_addr(struct tw_addr *a, uint8_t family, const __be32 *words)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->bytes, words, family == AF_INET ? 4 : 16);
}

static int msg_to_sock(const struct nlmsghdr *nlh, const struct inet_diag_msg *m, struct tw_sock *sk)
{
	memset(sk, 0, sizeof(*sk));
	copy_addr(&sk->src, m->idiag_family, m->id.idiag_src);
	copy_addr(&sk->dst, m->idiag_family, m->id.idiag_dst);
	sk->sport = ntohs(m->id.idiag_sport);
	sk->dport = ntohs(m->id.idiag_dport);
	sk->state = m->idiag_state;
	sk->timer = m->idiag_timer;
	sk->expires_ms = m->idiag_expires;
	sk->inode = m->idiag_inode;
	sk->uid = m->idiag_uid;
	sk->ifindex = m->id.idiag_if;
	sk->cookie = (uint64_t)m->id.idiag_cookie[1] << 32 | m->id.idiag_cookie[0];
	sk->last_ack_ms = TW_ACK_AGE_UNKNOWN;
	if (sk->state == TW_TIME_WAIT) {
		sk->mini = true;
	} else if (sk->state == TW_FIN_WAIT2 && sk->timer == 3 && sk->inode == 0) {
		/* docs/kernel.md#diag-tw-fields: FIN_WAIT2 mini-sockets carry timer 3 and inode 0. */
		sk->mini = true;
	} else {
		bool shutdown = false;
		int r = scan_attrs(nlh, &shutdown, &sk->last_ack_ms);

		if (r < 0)
			return r;
		if (sk->state == TW_SYN_RECV && !shutdown) {
			/* Request sockets are reported as SYN_RECV; they are NEW_SYN_RECV inside. */
			sk->state = TW_NEW_SYN_RECV;
			sk->mini = true;
		}
	}
	return 0;
}


static int parse_diag(const struct nlmsghdr *nlh, sockdiag_cb cb, void *data, struct sockdiag_stats *stats)
{
	const struct inet_diag_msg *m;
	struct tw_sock sk;
	int r;

	stats->messages++;
	if (nlh->nlmsg_len - NLMSG_HDRLEN < sizeof(*m)) {
		stats->truncated++;
		return 0;
	}
	m = (const struct inet_diag_msg *)((const char *)nlh + NLMSG_HDRLEN);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -EBADMSG;
	/* Never a valid TCP state: stop it before anything shifts 1u << state. */
	if (m->idiag_state == 0 || m->idiag_state >= TW_STATE_MAX)
		return -EBADMSG;
	r = msg_to_sock(nlh, m, &sk);
	if (r < 0)
		return r;
	return cb(&sk, data);
}

/* The callback of a dump, which only lets through the states it asked for. */
struct dump_filter {
	uint32_t states;
	sockdiag_cb cb;
	void *data;
	struct sockdiag_stats *stats;
};

/*
 * The kernel reports request sockets as SYN_RECV (we call them
 * NEW_SYN_RECV) and filters timewait sockets by the state they stand for,
 * so a FIN_WAIT2 mini-socket may come with either bit.
 */
static bool is_state_asked(uint32_t states, const struct tw_sock *sk)
{
	if (states & TW_STATE_BIT(sk->state))
		return true;
	if (sk->state == TW_NEW_SYN_RECV && (states & TW_STATE_BIT(TW_SYN_RECV)))
		return true;
	return sk->state == TW_FIN_WAIT2 && sk->mini && (states & TW_STATE_BIT(TW_TIME_WAIT));
}

static int filter_cb(const struct tw_sock *sk, void *data)
{
	struct dump_filter *f = data;

	if (!is_state_asked(f->states, sk)) {
		f->stats->unexpected++;
		return 0;
	}
	return f->cb(sk, f->data);
}

static int parse_buf(const void *buf, size_t len, uint32_t seq, sockdiag_cb cb, void *data,
		     struct sockdiag_stats *stats)
{
	const char *p = buf;
	size_t off = 0;

	/* Headers are read in place. */
	if ((uintptr_t)buf % NLMSG_ALIGNTO)
		return -EINVAL;
	/*
	 * Every length is checked against the bytes that arrived, in size_t,
	 * before the message behind it is touched: nlmsg_len is untrusted.
	 */
	while (off < len) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(p + off);
		size_t left = len - off;
		int r;

		if (left < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > left)
			return -EBADMSG;
		if (seq && nlh->nlmsg_seq != seq)
			return -EBADMSG;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			stats->dump_intr++;
		switch (nlh->nlmsg_type) {
		case NLMSG_DONE:
			return nlkernel_done(nlh);
		case NLMSG_ERROR:
			return nlkernel_error(nlh);
		case SOCK_DIAG_BY_FAMILY:
			r = parse_diag(nlh, cb, data, stats);
			if (r < 0)
				return r;
			break;
		default:
			return -EBADMSG;
		}
		/* The last message may end unpadded at the end of the datagram. */
		if (NLMSG_ALIGN((size_t)nlh->nlmsg_len) >= left)
			break;
		off += NLMSG_ALIGN((size_t)nlh->nlmsg_len);
	}
	return 1;
}

int sockdiag_parse_dump(const void *buf, size_t len, uint32_t seq, uint32_t states, sockdiag_cb cb,
			void *data, struct sockdiag_stats *stats)
{
	struct sockdiag_stats dummy = {};
	struct dump_filter filter = { .states = states, .cb = cb, .data = data, .stats = stats };

	if (!stats)
		filter.stats = &dummy;
	return parse_buf(buf, len, seq, filter_cb, &filter, filter.stats);
}

int sockdiag_parse_buf(const void *buf, size_t len, uint32_t seq, sockdiag_cb cb, void *data,
		       struct sockdiag_stats *stats)
{
	struct sockdiag_stats dummy = {};

	return parse_buf(buf, len, seq, cb, data, stats ? stats : &dummy);
}

int sockdiag_dump(struct sockdiag *sd, int family, uint32_t states, sockdiag_cb cb, void *data,
		  struct sockdiag_stats *stats)
{
	struct sockdiag_stats dummy = {};
	uint64_t deadline_ns = now_ns() + SOCKDIAG_FOREIGN_BUDGET_NS;
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *req;
	int r;

	if (!stats)
		stats = &dummy;
	nlh = mnl_nlmsg_put_header(sd->buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++sd->seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = states;
	req->idiag_ext = sd->ext;
	if (mnl_socket_sendto(sd->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = nlkernel_recv(sd->nl, sd->buf, sizeof(sd->buf), deadline_ns, &stats->foreign);

		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EBADMSG;
		if (nlkernel_capture(sd->capture, sd->buf, (size_t)n) < 0)
			return -EIO;
		r = sockdiag_parse_dump(sd->buf, (size_t)n, sd->seq, states, cb, data, stats);
		if (r <= 0)
			return r;
	}
}

int sockdiag_parse_ack(const void *buf, size_t len, uint32_t seq)
{
	const struct nlmsghdr *nlh = buf;
	int32_t e;

	if ((uintptr_t)buf % NLMSG_ALIGNTO)
		return -EINVAL;
	if (len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len ||
	    nlh->nlmsg_seq != seq || nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_len - NLMSG_HDRLEN < sizeof(struct nlmsgerr))
		return -EBADMSG;
	/* The ack of a request with NLM_F_ACK is an NLMSG_ERROR whose error is 0. */
	memcpy(&e, (const char *)nlh + NLMSG_HDRLEN, sizeof(e));
	if (e == 0)
		return 0;
	return nlkernel_error(nlh);
}

static void put_addr(__be32 *words, const struct tw_addr *a)
{
	memcpy(words, a->bytes, a->family == AF_INET ? 4 : 16);
}

int sockdiag_destroy(struct sockdiag *sd, const struct tw_sock *sk)
{
	uint64_t deadline_ns = now_ns() + SOCKDIAG_FOREIGN_BUDGET_NS;
	struct sockdiag_stats stats = {};
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;
	ssize_t n;

	nlh = mnl_nlmsg_put_header(sd->buf);
	nlh->nlmsg_type = SOCK_DESTROY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++sd->seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = sk->src.family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = ~0u;
	put_addr(req->id.idiag_src, &sk->src);
	put_addr(req->id.idiag_dst, &sk->dst);
	req->id.idiag_sport = htons(sk->sport);
	req->id.idiag_dport = htons(sk->dport);
	req->id.idiag_if = sk->ifindex;
	/* The cookie as the dump gave it: the kernel refuses (ENOENT) any other socket. */
	req->id.idiag_cookie[0] = (uint32_t)sk->cookie;
	req->id.idiag_cookie[1] = (uint32_t)(sk->cookie >> 32);
	if (mnl_socket_sendto(sd->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = nlkernel_recv(sd->nl, sd->buf, sizeof(sd->buf), deadline_ns, &stats.foreign);
	if (n < 0)
		return (int)n;
	return sockdiag_parse_ack(sd->buf, (size_t)n, sd->seq);
}
