// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Parse one ctnetlink conntrack entry into struct ct_entry. The message is
 * untrusted: every nested attribute is bounded by its container
 * (nfnl_attrs_parse) and every fixed-size payload checked for its size.
 * Pure: no I/O, no allocation.
 */
#include "conntrack/ct.h"

#include <errno.h>
#include <string.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "conntrack/nfnl.h"

static void set_addr(struct tw_addr *a, int family, const void *bytes)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	memcpy(a->bytes, bytes, family == AF_INET ? 4 : 16);
}

/* CTA_TUPLE_IP: exactly one family, both addresses. Returns the family or -EBADMSG. */
static int parse_ip(const struct nfnl_attr *ip, struct ct_tuple *t)
{
	struct nfnl_attr tb[CTA_IP_MAX + 1];

	if (!ip->data || nfnl_attrs_parse(ip->data, ip->len, tb, CTA_IP_MAX) < 0)
		return -EBADMSG;
	if (tb[CTA_IP_V4_SRC].len == 4 && tb[CTA_IP_V4_DST].len == 4 && !tb[CTA_IP_V6_SRC].data) {
		set_addr(&t->src, AF_INET, tb[CTA_IP_V4_SRC].data);
		set_addr(&t->dst, AF_INET, tb[CTA_IP_V4_DST].data);
		return AF_INET;
	}
	if (tb[CTA_IP_V6_SRC].len == 16 && tb[CTA_IP_V6_DST].len == 16 && !tb[CTA_IP_V4_SRC].data) {
		set_addr(&t->src, AF_INET6, tb[CTA_IP_V6_SRC].data);
		set_addr(&t->dst, AF_INET6, tb[CTA_IP_V6_DST].data);
		return AF_INET6;
	}
	return -EBADMSG;
}

static int parse_tuple(const struct nfnl_attr *attr, struct ct_tuple *t, uint8_t *ret_proto)
{
	struct nfnl_attr tb[CTA_TUPLE_MAX + 1], pb[CTA_PROTO_MAX + 1];
	int family;

	memset(t, 0, sizeof(*t));
	if (!attr->data || nfnl_attrs_parse(attr->data, attr->len, tb, CTA_TUPLE_MAX) < 0)
		return -EBADMSG;
	family = parse_ip(&tb[CTA_TUPLE_IP], t);
	if (family < 0)
		return family;
	if (!tb[CTA_TUPLE_PROTO].data ||
	    nfnl_attrs_parse(tb[CTA_TUPLE_PROTO].data, tb[CTA_TUPLE_PROTO].len, pb, CTA_PROTO_MAX) < 0 ||
	    !nfnl_attr_u8(&pb[CTA_PROTO_NUM], ret_proto))
		return -EBADMSG;
	if (pb[CTA_PROTO_SRC_PORT].data || pb[CTA_PROTO_DST_PORT].data) {
		if (!nfnl_attr_be16(&pb[CTA_PROTO_SRC_PORT], &t->sport) ||
		    !nfnl_attr_be16(&pb[CTA_PROTO_DST_PORT], &t->dport))
			return -EBADMSG;
		t->have_ports = true;
	}
	return family;
}

static uint8_t parse_tcp_state(const struct nfnl_attr *pi)
{
	struct nfnl_attr tb[CTA_PROTOINFO_MAX + 1], tcp[CTA_PROTOINFO_TCP_MAX + 1];
	uint8_t s;

	if (!pi->data || nfnl_attrs_parse(pi->data, pi->len, tb, CTA_PROTOINFO_MAX) < 0 ||
	    !tb[CTA_PROTOINFO_TCP].data ||
	    nfnl_attrs_parse(tb[CTA_PROTOINFO_TCP].data, tb[CTA_PROTOINFO_TCP].len, tcp,
			     CTA_PROTOINFO_TCP_MAX) < 0 ||
	    !nfnl_attr_u8(&tcp[CTA_PROTOINFO_TCP_STATE], &s))
		return CT_TCP_UNKNOWN;
	return s < CT_TCP_UNKNOWN ? s : CT_TCP_UNKNOWN;
}

int ct_entry_parse(const void *payload, size_t len, struct ct_entry *ret)
{
	struct nfnl_attr tb[CTA_MAX + 1];
	struct ct_entry e;
	uint8_t p1, p2;
	int f1, f2;

	memset(&e, 0, sizeof(e));
	if (nfnl_attrs_parse(payload, len, tb, CTA_MAX) < 0)
		return -EBADMSG;
	f1 = parse_tuple(&tb[CTA_TUPLE_ORIG], &e.orig, &p1);
	f2 = parse_tuple(&tb[CTA_TUPLE_REPLY], &e.reply, &p2);
	if (f1 < 0 || f2 < 0 || f1 != f2 || p1 != p2 || e.orig.have_ports != e.reply.have_ports)
		return -EBADMSG;
	e.l4proto = p1;
	if (tb[CTA_STATUS].data && !nfnl_attr_be32(&tb[CTA_STATUS], &e.status))
		return -EBADMSG;
	e.tcp_state = p1 == IPPROTO_TCP ? parse_tcp_state(&tb[CTA_PROTOINFO]) : CT_TCP_NONE;
	*ret = e;
	return 0;
}

bool ct_entry_is_snat(const struct ct_entry *e)
{
	if (memcmp(&e->reply.dst, &e->orig.src, sizeof(e->orig.src)) != 0)
		return true;
	return e->orig.have_ports && e->reply.dport != e->orig.sport;
}

enum ct_proto ct_proto_of(uint8_t l4proto)
{
	switch (l4proto) {
	case IPPROTO_TCP:
		return CT_PROTO_TCP;
	case IPPROTO_UDP:
		return CT_PROTO_UDP;
	case IPPROTO_ICMP:
		return CT_PROTO_ICMP;
	case IPPROTO_ICMPV6:
		return CT_PROTO_ICMPV6;
	case IPPROTO_SCTP:
		return CT_PROTO_SCTP;
	default:
		return CT_PROTO_OTHER;
	}
}

const char *ct_proto_name(enum ct_proto p)
{
	static const char *const names[CT_PROTO_MAX] = {
		"tcp", "udp", "icmp", "icmpv6", "sctp", "other",
	};

	return p < CT_PROTO_MAX ? names[p] : "other";
}

const char *ct_tcp_state_name(enum ct_tcp_state s)
{
	static const char *const names[CT_TCP_MAX] = {
		"none", "syn_sent", "syn_recv", "established", "fin_wait", "close_wait",
		"last_ack", "time_wait", "close", "syn_sent2", "unknown",
	};

	return s < CT_TCP_MAX ? names[s] : "unknown";
}
