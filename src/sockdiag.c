// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sock_diag dumps over libmnl. Each inet_diag_msg is copied into a struct
 * tw_sock and handed to the caller's callback inside the receive loop, so
 * nothing is buffered per socket. Nothing here prints or aggregates.
 */
#include "sockdiag.h"

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "sock.h"
#include "tcpstate.h"
#include "util.h"

/* The kernel fills at most ~32 KiB per recvmsg() (docs/kernel.md#counting-cost). */
#define SOCKDIAG_BUF_SIZE (64 * 1024)

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

	if (!sd)
		return -ENOMEM;
	sd->nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!sd->nl) {
		int r = -errno;

		free(sd);
		return r;
	}
	if (mnl_socket_bind(sd->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int r = -errno;

		mnl_socket_close(sd->nl);
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
 * One pass over the attributes. Full sockets always carry
 * INET_DIAG_SHUTDOWN, request and timewait mini-sockets never do; tcp_info
 * comes only when asked for (a shorter one, from an old kernel, is ignored).
 */
static void scan_attrs(const struct nlmsghdr *nlh, bool *ret_shutdown, uint32_t *ret_ack_ms)
{
	const size_t ack_end = offsetof(struct tcp_info, tcpi_last_ack_recv) + sizeof(uint32_t);
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct inet_diag_msg)) {
		switch (mnl_attr_get_type(attr)) {
		case INET_DIAG_SHUTDOWN:
			*ret_shutdown = true;
			break;
		case INET_DIAG_INFO:
			/* memcpy: the payload is only 4-byte aligned. */
			if (mnl_attr_get_payload_len(attr) >= ack_end)
				memcpy(ret_ack_ms, (const char *)mnl_attr_get_payload(attr) + ack_end -
					       sizeof(uint32_t), sizeof(uint32_t));
			break;
		}
	}
}

static void copy_addr(struct tw_addr *a, uint8_t family, const __be32 *words)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->bytes, words, family == AF_INET ? 4 : 16);
}

static void msg_to_sock(const struct nlmsghdr *nlh, const struct inet_diag_msg *m, struct tw_sock *sk)
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

		scan_attrs(nlh, &shutdown, &sk->last_ack_ms);
		if (sk->state == TW_SYN_RECV && !shutdown) {
			/* Request sockets are reported as SYN_RECV; they are NEW_SYN_RECV inside. */
			sk->state = TW_NEW_SYN_RECV;
			sk->mini = true;
		}
	}
}

int sockdiag_parse_buf(const void *buf, size_t len, uint32_t seq, sockdiag_cb cb, void *data,
		       struct sockdiag_stats *stats)
{
	const struct nlmsghdr *nlh = buf;
	int remaining = (int)len;
	struct sockdiag_stats dummy;

	if (!stats)
		stats = &dummy;
	if (len > INT32_MAX)
		return -EBADMSG;
	while (mnl_nlmsg_ok(nlh, remaining)) {
		const struct inet_diag_msg *m;
		struct tw_sock sk;
		int r;

		if (seq && nlh->nlmsg_seq != seq)
			return -EBADMSG;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			stats->dump_intr++;
		if (nlh->nlmsg_type == NLMSG_DONE)
			return 0;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
				return -EBADMSG;
			/* An ack arrives as NLMSG_ERROR with error 0; a dump never sends one. */
			return e->error ? e->error : -EBADMSG;
		}
		if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			return -EBADMSG;
		stats->messages++;
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m)) {
			stats->truncated++;
			nlh = mnl_nlmsg_next(nlh, &remaining);
			continue;
		}
		m = mnl_nlmsg_get_payload(nlh);
		if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
			return -EBADMSG;
		msg_to_sock(nlh, m, &sk);
		r = cb(&sk, data);
		if (r < 0)
			return r;
		nlh = mnl_nlmsg_next(nlh, &remaining);
	}
	/* Leftover bytes mean a message ran past the datagram: truncated reply. */
	return remaining == 0 ? 1 : -EBADMSG;
}

int sockdiag_dump(struct sockdiag *sd, int family, uint32_t states, sockdiag_cb cb, void *data,
		  struct sockdiag_stats *stats)
{
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *req;
	int r;

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
		ssize_t n = mnl_socket_recvfrom(sd->nl, sd->buf, sizeof(sd->buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EBADMSG;
		if (sd->capture) {
			uint32_t len32 = htole32((uint32_t)n);

			if (fwrite(&len32, 4, 1, sd->capture) != 1 ||
			    fwrite(sd->buf, (size_t)n, 1, sd->capture) != 1)
				return -EIO;
		}
		r = sockdiag_parse_buf(sd->buf, (size_t)n, sd->seq, cb, data, stats);
		if (r <= 0)
			return r;
	}
}
