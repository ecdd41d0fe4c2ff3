// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nfnetlink dump transport shared by the conntrack census and the
 * nf_tables NAT reader. Replies are untrusted until checked here: the
 * socket only talks to the kernel, each length is checked in size_t
 * against the bytes received before the bytes behind it are read.
 * Nothing here prints.
 */
#include "conntrack/nfnl.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <libmnl/libmnl.h>

#include "nlkernel.h"
#include "util.h"

/* A ctnetlink dump fills up to a page-sized skb per recvmsg(); 64 KiB covers it. */
#define NFNL_BUF_SIZE (64 * 1024)
#define NFNL_RECV_TIMEOUT_SEC 5
#define NFNL_FOREIGN_BUDGET_NS (10ull * 1000 * 1000 * 1000)

struct nfnl {
	struct mnl_socket *nl;
	uint32_t seq;
	FILE *capture;
	char buf[NFNL_BUF_SIZE] __attribute__((aligned(8)));
};

int nfnl_open(struct nfnl **ret)
{
	struct nfnl *nl = calloc(1, sizeof(*nl));
	int r;

	if (!nl)
		return -ENOMEM;
	r = nlkernel_open(NETLINK_NETFILTER, NFNL_RECV_TIMEOUT_SEC, &nl->nl);
	if (r < 0) {
		free(nl);
		return r;
	}
	nl->seq = (uint32_t)time(NULL);
	*ret = nl;
	return 0;
}

struct nfnl *nfnl_close(struct nfnl *nl)
{
	if (nl) {
		if (nl->nl)
			mnl_socket_close(nl->nl);
		free(nl);
	}
	return NULL;
}

void nfnl_set_capture(struct nfnl *nl, FILE *f)
{
	nl->capture = f;
}

const struct nlmsghdr *nfnl_payload_nlh(const void *payload)
{
	/* nfnl_parse_buf() passes the bytes after the header and the nfgenmsg */
	return (const struct nlmsghdr *)((const char *)payload - sizeof(struct nfgenmsg) - NLMSG_HDRLEN);
}

int nfnl_attrs_parse(const void *buf, size_t len, struct nfnl_attr *tb, unsigned int max)
{
	const char *p = buf;
	size_t off = 0;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (off < len) {
		struct nlattr a;
		size_t alen;
		unsigned int type;

		if (len - off < sizeof(a))
			return -EBADMSG;
		/* memcpy: a nested payload is only 4-byte aligned, fuzz input not even that. */
		memcpy(&a, p + off, sizeof(a));
		alen = a.nla_len;
		if (alen < sizeof(a) || alen > len - off)
			return -EBADMSG;
		type = a.nla_type & NLA_TYPE_MASK;
		if (type <= max) {
			tb[type].data = p + off + NLA_HDRLEN;
			tb[type].len = alen - NLA_HDRLEN;
		}
		/* The last attribute may end unpadded at the end of its container. */
		if (NLA_ALIGN(alen) >= len - off)
			break;
		off += NLA_ALIGN(alen);
	}
	return 0;
}

bool nfnl_attr_u8(const struct nfnl_attr *a, uint8_t *ret)
{
	if (!a->data || a->len != 1)
		return false;
	*ret = *(const uint8_t *)a->data;
	return true;
}

bool nfnl_attr_be16(const struct nfnl_attr *a, uint16_t *ret)
{
	uint16_t v;

	if (!a->data || a->len != 2)
		return false;
	memcpy(&v, a->data, 2);
	*ret = be16toh(v);
	return true;
}

bool nfnl_attr_be32(const struct nfnl_attr *a, uint32_t *ret)
{
	uint32_t v;

	if (!a->data || a->len != 4)
		return false;
	memcpy(&v, a->data, 4);
	*ret = be32toh(v);
	return true;
}

bool nfnl_attr_str(const struct nfnl_attr *a, char *buf, size_t size)
{
	const char *s = a->data;
	size_t n;

	if (!s || a->len == 0 || size == 0)
		return false;
	n = strnlen(s, a->len);
	if (n == a->len || n >= size)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}


int nfnl_parse_buf(const void *buf, size_t len, uint32_t seq, uint8_t subsys, nfnl_msg_cb cb,
		   void *data, struct nfnl_stats *stats)
{
	const char *p = buf;
	size_t off = 0;

	if ((uintptr_t)buf % NLMSG_ALIGNTO)
		return -EINVAL;
	while (off < len) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(p + off);
		size_t left = len - off, plen;
		int r;

		if (left < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > left)
			return -EBADMSG;
		if (seq && nlh->nlmsg_seq != seq)
			return -EBADMSG;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			stats->dump_intr++;
		if (nlh->nlmsg_type == NLMSG_DONE)
			return nlkernel_done(nlh);
		if (nlh->nlmsg_type == NLMSG_ERROR)
			return nlkernel_error(nlh);
		if (nlh->nlmsg_type >> 8 != subsys)
			return -EBADMSG;
		plen = nlh->nlmsg_len - NLMSG_HDRLEN;
		if (plen < sizeof(struct nfgenmsg))
			return -EBADMSG;
		stats->messages++;
		r = cb(nlh->nlmsg_type & 0xff, p + off + NLMSG_HDRLEN + sizeof(struct nfgenmsg),
		       plen - sizeof(struct nfgenmsg), data);
		if (r < 0)
			return r;
		if (NLMSG_ALIGN((size_t)nlh->nlmsg_len) >= left)
			break;
		off += NLMSG_ALIGN((size_t)nlh->nlmsg_len);
	}
	return 1;
}

int nfnl_dump(struct nfnl *nl, uint8_t subsys, uint8_t msg_type, uint8_t family, nfnl_msg_cb cb,
	      void *data, struct nfnl_stats *stats)
{
	struct nfnl_stats dummy = {};
	uint64_t deadline_ns = now_ns() + NFNL_FOREIGN_BUDGET_NS;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	int r;

	if (!stats)
		stats = &dummy;
	nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = (uint16_t)(subsys << 8 | msg_type);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++nl->seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(nl->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = nlkernel_recv(nl->nl, nl->buf, sizeof(nl->buf), deadline_ns, &stats->foreign);

		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EBADMSG;
		if (nlkernel_capture(nl->capture, nl->buf, (size_t)n) < 0)
			return -EIO;
		r = nfnl_parse_buf(nl->buf, (size_t)n, nl->seq, subsys, cb, data, stats);
		if (r <= 0)
			return r;
	}
}
