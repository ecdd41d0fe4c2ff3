// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lab's NAT topology over netlink: namespaces held by fds, veth pairs
 * (rtnetlink), addresses and routes, an nf_tables source-NAT chain (one
 * nfnetlink batch) and a conntrack flush. Every request is acknowledged
 * before the next; nothing prints. Used only inside lab namespaces.
 */
#include "lab/labnat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <libmnl/libmnl.h>

#include "lab/labnet.h"

#define NAT_TABLE "twlab"
#define NAT_CHAIN "post"

/* Send the n bytes of (possibly batched) requests; wait for every ack. 0 or the first -errno. */
static int talk(int proto, void *buf, size_t len, unsigned int n_acks)
{
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open2(proto, SOCK_CLOEXEC);
	int r = 0, first_err = 0;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 || mnl_socket_sendto(nl, buf, len) < 0) {
		r = -errno;
		goto out;
	}
	while (n_acks) {
		ssize_t got = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		const struct nlmsghdr *h;
		int left;

		if (got < 0) {
			r = -errno;
			goto out;
		}
		left = (int)got;
		for (h = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, left) && n_acks;
		     h = mnl_nlmsg_next(h, &left)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error && !first_err)
				first_err = e->error;
			n_acks--;
			/* a failed batch answers only for the failing message */
			if (e->error && proto == NETLINK_NETFILTER)
				n_acks = 0;
		}
	}
	r = first_err;
out:
	mnl_socket_close(nl);
	return r;
}

int labnat_enter(int ns_fd)
{
	int old = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	if (old < 0)
		return -errno;
	if (setns(ns_fd, CLONE_NEWNET) < 0) {
		int r = -errno;

		(void) close(old);
		return r;
	}
	return old;
}

void labnat_leave(int old_fd)
{
	(void) setns(old_fd, CLONE_NEWNET);
	(void) close(old_fd);
}

int labnat_netns_new(int *ret_fd)
{
	int old = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), fd, r;

	if (old < 0)
		return -errno;
	if (unshare(CLONE_NEWNET) < 0) {
		r = -errno;
		(void) close(old);
		return r;
	}
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	r = fd < 0 ? -errno : labnet_lo_up();
	labnat_leave(old);
	if (r < 0) {
		if (fd >= 0)
			(void) close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

static struct nlmsghdr *rt_msg(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	return nlh;
}

static int link_up(const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return talk(NETLINK_ROUTE, nlh, nlh->nlmsg_len, 1);
}

int labnat_addr_add(const char *ifname, const char *addr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct in_addr a;
	unsigned int idx = if_nametoindex(ifname);

	if (!idx)
		return -ENODEV;
	if (inet_pton(AF_INET, addr, &a) != 1)
		return -EINVAL;
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 24;
	ifa->ifa_index = idx;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(a), &a);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	return talk(NETLINK_ROUTE, nlh, nlh->nlmsg_len, 1);
}

/* The ends of a new veth pair, in this namespace and in ns_b. */
static int veth_create(const char *name_a, int ns_b, const char *name_b)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi)), *peer;
	struct nlattr *info, *data, *p;

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name_a);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	p = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* the peer's attributes follow its own struct ifinfomsg */
	peer = (struct ifinfomsg *)((char *)nlh + nlh->nlmsg_len);
	memset(peer, 0, sizeof(*peer));
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*peer));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name_b);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)ns_b);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return talk(NETLINK_ROUTE, nlh, nlh->nlmsg_len, 1);
}

int labnat_veth(const char *name_a, const char *addr_a, int ns_b, const char *name_b, const char *addr_b)
{
	int r = veth_create(name_a, ns_b, name_b), old;

	if (r == 0)
		r = labnat_addr_add(name_a, addr_a);
	if (r == 0)
		r = link_up(name_a);
	if (r < 0)
		return r;
	old = labnat_enter(ns_b);
	if (old < 0)
		return old;
	r = labnat_addr_add(name_b, addr_b);
	if (r == 0)
		r = link_up(name_b);
	labnat_leave(old);
	return r;
}

int labnat_default_route(int ns, const char *gw)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rt_msg(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct in_addr a;
	int old, r;

	if (inet_pton(AF_INET, gw, &a) != 1)
		return -EINVAL;
	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(a), &a);
	old = labnat_enter(ns);
	if (old < 0)
		return old;
	r = talk(NETLINK_ROUTE, nlh, nlh->nlmsg_len, 1);
	labnat_leave(old);
	return r;
}

/* --- nf_tables ----------------------------------------------------------- */

static struct nlmsghdr *nft_msg(char *at, uint16_t type, uint16_t flags, uint8_t family, uint16_t res_id,
				uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	struct nfgenmsg *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	g->res_id = htons(res_id);
	return nlh;
}

static void expr_start(struct nlmsghdr *nlh, const char *name, struct nlattr **el, struct nlattr **data)
{
	*el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, name);
	*data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
}

static void expr_end(struct nlmsghdr *nlh, struct nlattr *el, struct nlattr *data)
{
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, el);
}

static void put_imm(struct nlmsghdr *nlh, uint32_t reg, const void *v, size_t len)
{
	struct nlattr *el, *d, *val;

	expr_start(nlh, "immediate", &el, &d);
	mnl_attr_put_u32(nlh, NFTA_IMMEDIATE_DREG, htonl(reg));
	val = mnl_attr_nest_start(nlh, NFTA_IMMEDIATE_DATA);
	mnl_attr_put(nlh, NFTA_DATA_VALUE, len, v);
	mnl_attr_nest_end(nlh, val);
	expr_end(nlh, el, d);
}

static void put_cmp_eq(struct nlmsghdr *nlh, uint32_t reg, const void *v, size_t len)
{
	struct nlattr *el, *d, *val;

	expr_start(nlh, "cmp", &el, &d);
	mnl_attr_put_u32(nlh, NFTA_CMP_SREG, htonl(reg));
	mnl_attr_put_u32(nlh, NFTA_CMP_OP, htonl(NFT_CMP_EQ));
	val = mnl_attr_nest_start(nlh, NFTA_CMP_DATA);
	mnl_attr_put(nlh, NFTA_DATA_VALUE, len, v);
	mnl_attr_nest_end(nlh, val);
	expr_end(nlh, el, d);
}

/* 'meta l4proto tcp [ip saddr A] (masquerade | snat to B) to :lo-hi [random-fully]' */
static int put_rule(struct nlmsghdr *nlh, const struct labnat_rule *r)
{
	uint32_t flags = NF_NAT_RANGE_PROTO_SPECIFIED | (r->random_fully ? NF_NAT_RANGE_PROTO_RANDOM_FULLY : 0);
	uint16_t lo = htons(r->port_lo), hi = htons(r->port_hi);
	struct nlattr *exprs, *el, *d;
	uint8_t tcp = IPPROTO_TCP;
	struct in_addr a;

	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, NAT_TABLE);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, NAT_CHAIN);
	exprs = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	expr_start(nlh, "meta", &el, &d);
	mnl_attr_put_u32(nlh, NFTA_META_KEY, htonl(NFT_META_L4PROTO));
	mnl_attr_put_u32(nlh, NFTA_META_DREG, htonl(NFT_REG32_00));
	expr_end(nlh, el, d);
	put_cmp_eq(nlh, NFT_REG32_00, &tcp, 1);
	if (r->match_saddr) {
		if (inet_pton(AF_INET, r->match_saddr, &a) != 1)
			return -EINVAL;
		expr_start(nlh, "payload", &el, &d);
		mnl_attr_put_u32(nlh, NFTA_PAYLOAD_DREG, htonl(NFT_REG32_00));
		mnl_attr_put_u32(nlh, NFTA_PAYLOAD_BASE, htonl(NFT_PAYLOAD_NETWORK_HEADER));
		mnl_attr_put_u32(nlh, NFTA_PAYLOAD_OFFSET, htonl(12));
		mnl_attr_put_u32(nlh, NFTA_PAYLOAD_LEN, htonl(4));
		expr_end(nlh, el, d);
		put_cmp_eq(nlh, NFT_REG32_00, &a, sizeof(a));
	}
	put_imm(nlh, NFT_REG32_01, &lo, sizeof(lo));
	put_imm(nlh, NFT_REG32_02, &hi, sizeof(hi));
	if (!r->to_addr) {
		expr_start(nlh, "masq", &el, &d);
		mnl_attr_put_u32(nlh, NFTA_MASQ_FLAGS, htonl(flags));
		mnl_attr_put_u32(nlh, NFTA_MASQ_REG_PROTO_MIN, htonl(NFT_REG32_01));
		mnl_attr_put_u32(nlh, NFTA_MASQ_REG_PROTO_MAX, htonl(NFT_REG32_02));
		expr_end(nlh, el, d);
	} else {
		if (inet_pton(AF_INET, r->to_addr, &a) != 1)
			return -EINVAL;
		put_imm(nlh, NFT_REG32_03, &a, sizeof(a));
		expr_start(nlh, "nat", &el, &d);
		mnl_attr_put_u32(nlh, NFTA_NAT_TYPE, htonl(NFT_NAT_SNAT));
		mnl_attr_put_u32(nlh, NFTA_NAT_FAMILY, htonl(NFPROTO_IPV4));
		mnl_attr_put_u32(nlh, NFTA_NAT_REG_ADDR_MIN, htonl(NFT_REG32_03));
		mnl_attr_put_u32(nlh, NFTA_NAT_REG_ADDR_MAX, htonl(NFT_REG32_03));
		mnl_attr_put_u32(nlh, NFTA_NAT_REG_PROTO_MIN, htonl(NFT_REG32_01));
		mnl_attr_put_u32(nlh, NFTA_NAT_REG_PROTO_MAX, htonl(NFT_REG32_02));
		mnl_attr_put_u32(nlh, NFTA_NAT_FLAGS, htonl(flags | NF_NAT_RANGE_MAP_IPS));
		expr_end(nlh, el, d);
	}
	mnl_attr_nest_end(nlh, exprs);
	return 0;
}

#define LABNAT_MAX_RULES 8

int labnat_snat(const struct labnat_rule *rules, int n)
{
	static const uint16_t T = NFNL_SUBSYS_NFTABLES << 8;
	char *buf, *p;
	uint32_t seq = (uint32_t)time(NULL);
	struct nlmsghdr *nlh;
	struct nlattr *hook;
	unsigned int acks = 0;
	int r;

	if (n < 0 || n > LABNAT_MAX_RULES)
		return -EINVAL;
	buf = calloc(1, MNL_SOCKET_BUFFER_SIZE * 2);
	if (!buf)
		return -ENOMEM;
	p = buf;
	nlh = nft_msg(p, NFNL_MSG_BATCH_BEGIN, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, seq++);
	p += nlh->nlmsg_len;
	/* add (a no-op when it exists), delete, add: the table starts empty either way */
	for (int i = 0; i < 3; i++) {
		nlh = nft_msg(p, T | (i == 1 ? NFT_MSG_DELTABLE : NFT_MSG_NEWTABLE),
			      NLM_F_ACK | (i == 1 ? 0 : NLM_F_CREATE), NFPROTO_IPV4, 0, seq++);
		mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, NAT_TABLE);
		p += nlh->nlmsg_len;
		acks++;
	}
	nlh = nft_msg(p, T | NFT_MSG_NEWCHAIN, NLM_F_ACK | NLM_F_CREATE, NFPROTO_IPV4, 0, seq++);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, NAT_TABLE);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, NAT_CHAIN);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TYPE, "nat");
	hook = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);
	mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl(NF_INET_POST_ROUTING));
	mnl_attr_put_u32(nlh, NFTA_HOOK_PRIORITY, htonl(100));	/* srcnat */
	mnl_attr_nest_end(nlh, hook);
	p += nlh->nlmsg_len;
	acks++;
	for (int i = 0; i < n; i++) {
		nlh = nft_msg(p, T | NFT_MSG_NEWRULE, NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND, NFPROTO_IPV4, 0,
			      seq++);
		r = put_rule(nlh, &rules[i]);
		if (r < 0) {
			free(buf);
			return r;
		}
		p += nlh->nlmsg_len;
		acks++;
	}
	nlh = nft_msg(p, NFNL_MSG_BATCH_END, 0, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, seq++);
	p += nlh->nlmsg_len;
	r = talk(NETLINK_NETFILTER, buf, (size_t)(p - buf), acks);
	free(buf);
	return r;
}

int labnat_ct_flush(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nft_msg(buf, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE, NLM_F_ACK,
				       AF_INET, 0, (uint32_t)time(NULL));

	return talk(NETLINK_NETFILTER, nlh, nlh->nlmsg_len, 1);
}
