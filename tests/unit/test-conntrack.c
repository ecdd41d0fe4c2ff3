// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The conntrack census and SNAT pool readers on crafted nfnetlink
 * datagrams (built here with libmnl, byte for byte what the kernel sends):
 * counts per state and per SNAT group, the nf_tables masquerade range, the
 * kernel's default pool, /proc/net/stat/nf_conntrack, and truncated,
 * garbled and oversized input.
 */
#include "tw-test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>

#include <libmnl/libmnl.h>

#include "conntrack/conntrack.h"
#include "map.h"
#include "util.h"

static char buf[1 << 16] __attribute__((aligned(8)));
static size_t used;

static struct nlmsghdr *msg_start(uint8_t subsys, uint8_t type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + used);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (uint16_t)(subsys << 8 | type);
	nlh->nlmsg_flags = NLM_F_MULTI;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_INET;
	return nlh;
}

static void msg_end(struct nlmsghdr *nlh)
{
	used += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void put_tuple(struct nlmsghdr *nlh, uint16_t type, const char *src, const char *dst,
		      uint16_t sport, uint16_t dport)
{
	struct nlattr *t = mnl_attr_nest_start(nlh, type), *ip, *pr;
	uint32_t a;

	ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	inet_pton(AF_INET, src, &a);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, a);
	inet_pton(AF_INET, dst, &a);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, a);
	mnl_attr_nest_end(nlh, ip);
	pr = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, pr);
	mnl_attr_nest_end(nlh, t);
}

/* client:cport -> server:80 masqueraded to nat:nport, in TCP state st. */
static void put_entry(const char *client, uint16_t cport, const char *nat, uint16_t nport, uint8_t st)
{
	struct nlmsghdr *nlh = msg_start(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_NEW);
	struct nlattr *pi, *tcp;

	put_tuple(nlh, CTA_TUPLE_ORIG, client, "10.9.9.9", cport, 80);
	put_tuple(nlh, CTA_TUPLE_REPLY, "10.9.9.9", nat, 80, nport);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(0x1b4));
	pi = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, st);
	mnl_attr_nest_end(nlh, tcp);
	mnl_attr_nest_end(nlh, pi);
	msg_end(nlh);
}

static void put_done(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + used);
	int32_t zero = 0;

	nlh->nlmsg_type = NLMSG_DONE;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(zero)), &zero, sizeof(zero));
	used += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void test_census_groups(void **state)
{
	struct ct_census c;
	struct ct_group *g;
	size_t n;

	(void)state;
	used = 0;
	for (int i = 0; i < 7; i++)
		put_entry("192.168.1.2", (uint16_t)(50000 + i), "10.0.0.1", (uint16_t)(40000 + i), 7);
	put_entry("192.168.1.3", 50000, "10.0.0.1", 40010, 3);
	put_entry("10.0.0.1", 33000, "10.0.0.1", 33000, 3);	/* not translated */
	put_entry("192.168.1.3", 50001, "10.0.0.2", 40000, 1);
	put_done();
	assert_int_equal(ct_census_init(&c), 0);
	assert_int_equal(ct_census_parse_buf(&c, buf, used, NULL), 0);
	assert_int_equal(c.entries, 10);
	assert_int_equal(c.proto[CT_PROTO_TCP], 10);
	assert_int_equal(c.tcp[CT_TCP_TIME_WAIT], 7);
	assert_int_equal(c.tcp[CT_TCP_ESTABLISHED], 2);
	assert_int_equal(c.tcp[CT_TCP_SYN_SENT], 1);
	assert_int_equal(c.snat, 9);
	assert_int_equal(c.snat_time_wait, 7);
	assert_int_equal(ct_census_groups(&c, &g, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(g[0].held, 8);
	assert_int_equal(g[0].time_wait, 7);
	assert_int_equal(g[0].established, 1);
	assert_int_equal(g[0].port_lo, 40000);
	assert_int_equal(g[0].port_hi, 40010);
	assert_int_equal(g[0].key.dport, 80);
	assert_int_equal(g[1].held, 1);
	free(g);
	ct_census_done(&c);
}

static struct tw_addr *addrs(const char *a)
{
	struct tw_addr *v = calloc(1, sizeof(*v));

	assert_non_null(v);
	v->family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, a, v->bytes), 1);
	return v;
}

/*
 * TIME_WAIT entries with an end on this host vs forwarded ones: the NAT
 * address (reply destination) is local on a gateway but does not make a
 * forwarded flow local; the original source or destination does.
 */
static void test_census_local(void **state)
{
	struct ct_census c;

	(void)state;
	used = 0;
	for (int i = 0; i < 7; i++)
		put_entry("192.168.1.2", (uint16_t)(50000 + i), "10.0.0.1", (uint16_t)(40000 + i), 7);
	put_entry("10.0.0.1", 33001, "10.0.0.1", 33001, 7);	/* this host's own connection */
	put_entry("10.0.0.1", 33002, "10.0.0.1", 33002, 3);	/* not TIME_WAIT */
	put_done();
	assert_int_equal(ct_census_init(&c), 0);
	ct_census_set_local(&c, addrs("10.0.0.1"), 1);
	assert_int_equal(ct_census_parse_buf(&c, buf, used, NULL), 0);
	assert_int_equal(c.tcp[CT_TCP_TIME_WAIT], 8);
	assert_true(c.have_local);
	assert_int_equal(c.time_wait_local, 1);
	ct_census_done(&c);
	/* the server side: the original destination is local */
	assert_int_equal(ct_census_init(&c), 0);
	ct_census_set_local(&c, addrs("10.9.9.9"), 1);
	assert_int_equal(ct_census_parse_buf(&c, buf, used, NULL), 0);
	assert_int_equal(c.time_wait_local, 8);
	ct_census_done(&c);
	/* without addresses the split is unknown */
	assert_int_equal(ct_census_init(&c), 0);
	assert_int_equal(ct_census_parse_buf(&c, buf, used, NULL), 0);
	assert_false(c.have_local);
	assert_int_equal(c.time_wait_local, 0);
	ct_census_done(&c);
}

/* Memory grows with groups, not entries: 5000 entries in one group are one key. */
static void test_streaming(void **state)
{
	struct ct_census c;

	(void)state;
	assert_int_equal(ct_census_init(&c), 0);
	for (int round = 0; round < 50; round++) {
		used = 0;
		for (int i = 0; i < 100; i++)
			put_entry("192.168.1.2", (uint16_t)(1024 + round * 100 + i), "10.0.0.1",
				  (uint16_t)(1024 + round * 100 + i), 7);
		assert_int_equal(ct_census_parse_buf(&c, buf, used, NULL), 1);
	}
	assert_int_equal(c.entries, 5000);
	assert_int_equal(tw_map_count(c.groups), 1);
	ct_census_done(&c);
}

static void test_malformed(void **state)
{
	struct ct_census c;
	struct nlmsghdr *nlh;
	struct nlattr *a;

	(void)state;
	assert_int_equal(ct_census_init(&c), 0);
	/* an entry whose nested tuple claims more bytes than it has: skipped, counted */
	used = 0;
	put_entry("192.168.1.2", 1, "10.0.0.1", 2, 3);
	nlh = (struct nlmsghdr *)buf;
	a = (struct nlattr *)((char *)nlh + NLMSG_HDRLEN + sizeof(struct nfgenmsg));
	a->nla_len = 2000;
	assert_int_equal(ct_census_parse_buf(&c, buf, used, NULL), 1);
	assert_int_equal(c.malformed, 1);
	assert_int_equal(c.entries, 0);
	/* a message longer than the datagram stops the dump */
	nlh->nlmsg_len = (uint32_t)used + 4;
	assert_int_equal(ct_census_parse_buf(&c, buf, used, NULL), -EBADMSG);
	/* a message of another subsystem */
	used = 0;
	nlh = msg_start(NFNL_SUBSYS_NFTABLES, 0);
	msg_end(nlh);
	assert_int_equal(ct_census_parse_buf(&c, buf, used, NULL), -EBADMSG);
	/* an error from the kernel comes back as itself */
	used = 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	{
		struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

		e->error = -EPERM;
	}
	used = nlh->nlmsg_len;
	assert_int_equal(ct_census_parse_buf(&c, buf, used, NULL), -EPERM);
	/* every truncation of a good datagram is refused or parsed, never read past */
	used = 0;
	put_entry("192.168.1.2", 1, "10.0.0.1", 2, 3);
	for (size_t cut = 0; cut < used; cut++) {
		char *copy = malloc(cut ? cut : 1);
		int r;

		memcpy(copy, buf, cut);
		/* the copy is malloc'ed, hence aligned */
		r = ct_census_parse_buf(&c, copy, cut, NULL);
		assert_true(r == 1 || r == -EBADMSG);
		free(copy);
	}
	ct_census_done(&c);
}

static void put_imm(struct nlmsghdr *nlh, uint32_t reg, uint16_t port)
{
	struct nlattr *el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM), *d, *v;

	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "immediate");
	d = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	mnl_attr_put_u32(nlh, NFTA_IMMEDIATE_DREG, htonl(reg));
	v = mnl_attr_nest_start(nlh, NFTA_IMMEDIATE_DATA);
	mnl_attr_put_u16(nlh, NFTA_DATA_VALUE, htons(port));
	mnl_attr_nest_end(nlh, v);
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, el);
}

/* what nft makes of 'masquerade to :lo-hi [fully-random]' (lo = 0: no range) */
static void put_masq_rule(uint16_t lo, uint16_t hi, uint32_t flags)
{
	struct nlmsghdr *nlh = msg_start(NFNL_SUBSYS_NFTABLES, NFT_MSG_NEWRULE);
	struct nlattr *exprs, *el, *d;

	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "nat");
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "postrouting");
	exprs = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	if (lo) {
		put_imm(nlh, NFT_REG32_00, lo);
		put_imm(nlh, NFT_REG32_01, hi);
	}
	el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "masq");
	d = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	if (flags)
		mnl_attr_put_u32(nlh, NFTA_MASQ_FLAGS, htonl(flags));
	if (lo) {
		mnl_attr_put_u32(nlh, NFTA_MASQ_REG_PROTO_MIN, htonl(NFT_REG32_00));
		mnl_attr_put_u32(nlh, NFTA_MASQ_REG_PROTO_MAX, htonl(NFT_REG32_01));
	}
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, el);
	mnl_attr_nest_end(nlh, exprs);
	msg_end(nlh);
}

static void test_natpool_rules(void **state)
{
	struct nat_rules rules = {};
	struct nat_pool p;

	(void)state;
	used = 0;
	put_masq_rule(40000, 40099, NF_NAT_RANGE_PROTO_SPECIFIED | NF_NAT_RANGE_PROTO_RANDOM_FULLY);
	put_masq_rule(0, 0, 0);
	put_done();
	assert_int_equal(natpool_parse_buf(&rules, buf, used), 0);
	assert_int_equal(rules.n, 2);
	assert_true(rules.rule[0].masquerade);
	assert_true(rules.rule[0].have_ports);
	assert_int_equal(rules.rule[0].port_lo, 40000);
	assert_int_equal(rules.rule[0].port_hi, 40099);
	assert_true(rules.rule[0].random_fully);
	assert_string_equal(rules.rule[0].table, "nat");
	assert_false(rules.rule[1].have_ports);
	/* a group inside the range: that rule's pool */
	natpool_for(&rules, 40005, 40090, &p);
	assert_int_equal(p.source, NAT_POOL_RULE);
	assert_int_equal(p.size, 100);
	assert_true(p.random_fully);
	/* outside it: the unranged masquerade, the kernel's default */
	natpool_for(&rules, 33000, 61000, &p);
	assert_int_equal(p.source, NAT_POOL_DEFAULT);
	assert_int_equal(p.lo, 1024);
	assert_int_equal(p.hi, 65535);
	assert_int_equal(p.size, 64512);
	/* two rules with the same range (e.g. one snat rule per client subnet): that range */
	rules.rule[1] = rules.rule[0];
	natpool_for(&rules, 40005, 40090, &p);
	assert_int_equal(p.source, NAT_POOL_RULE);
	assert_int_equal(p.size, 100);
	/* two different ranges covering the ports: unknown */
	rules.rule[1].port_hi = 40199;
	natpool_for(&rules, 40005, 40090, &p);
	assert_int_equal(p.source, NAT_POOL_UNKNOWN);
	/* no rules readable: the default */
	natpool_for(NULL, 2000, 3000, &p);
	assert_int_equal(p.size, 64512);
}

/* iptables-nft's 'MASQUERADE --to-ports lo-hi' (revision 0): the compat struct, XT_ALIGN()ed to 24 bytes */
static void put_xt_masq_rule(uint16_t lo, uint16_t hi, size_t info_len)
{
	struct nlmsghdr *nlh = msg_start(NFNL_SUBSYS_NFTABLES, NFT_MSG_NEWRULE);
	struct nlattr *exprs, *el, *d;
	uint8_t info[24] = { 0 };
	uint32_t one = 1, flags = NF_NAT_RANGE_PROTO_SPECIFIED;
	uint16_t blo = htons(lo), bhi = htons(hi);

	memcpy(info, &one, 4);			/* rangesize */
	memcpy(info + 4, &flags, 4);		/* host order */
	memcpy(info + 16, &blo, 2);
	memcpy(info + 18, &bhi, 2);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "nat");
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "POSTROUTING");
	exprs = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "target");
	d = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	mnl_attr_put_strz(nlh, NFTA_TARGET_NAME, "MASQUERADE");
	mnl_attr_put_u32(nlh, NFTA_TARGET_REV, htonl(0));
	mnl_attr_put(nlh, NFTA_TARGET_INFO, info_len, info);
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, el);
	mnl_attr_nest_end(nlh, exprs);
	msg_end(nlh);
}

/* The kernel hands back the XT_ALIGN()ed 24 bytes: the range was lost ("kernel default"). */
static void test_natpool_iptables_nft(void **state)
{
	struct nat_rules rules = {};

	(void)state;
	used = 0;
	put_xt_masq_rule(41000, 41019, 24);
	put_xt_masq_rule(42000, 42009, 20);
	put_done();
	assert_int_equal(natpool_parse_buf(&rules, buf, used), 0);
	assert_int_equal(rules.n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_true(rules.rule[i].iptables);
		assert_true(rules.rule[i].masquerade);
		assert_true(rules.rule[i].have_ports);
	}
	assert_int_equal(rules.rule[0].port_lo, 41000);
	assert_int_equal(rules.rule[0].port_hi, 41019);
	assert_int_equal(rules.rule[1].port_lo, 42000);
}

/*
 * The same from the kernel: the NFT_MSG_GETRULE reply for
 * 'iptables-nft -t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports
 * 41000-41019 --random-fully', captured on 6.18.
 */
static void test_natpool_iptables_nft_captured(void **state)
{
	struct nat_rules rules = {};
	char *text = NULL;
	size_t len = 0;
	int fd = open("tests/fixtures/nl/nft-rule-iptables-masq.bin", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(read_fd_all(fd, 65536, &text, &len), 0);
	close(fd);
	assert_int_equal(len, 256);
	memcpy(buf, text, len);	/* aligned */
	free(text);
	assert_true(natpool_parse_buf(&rules, buf, len) >= 0);
	assert_int_equal(rules.n, 1);
	assert_true(rules.rule[0].iptables);
	assert_true(rules.rule[0].have_ports);
	assert_int_equal(rules.rule[0].port_lo, 41000);
	assert_int_equal(rules.rule[0].port_hi, 41019);
	assert_true(rules.rule[0].random_fully);
	assert_string_equal(rules.rule[0].chain, "POSTROUTING");
}

/* what nft makes of 'snat ip to 192.0.2.1:lo-hi'; clobber: a meta load over the min register */
static void put_snat_rule(uint16_t lo, uint16_t hi, bool clobber, const char *extra)
{
	struct nlmsghdr *nlh = msg_start(NFNL_SUBSYS_NFTABLES, NFT_MSG_NEWRULE);
	struct nlattr *exprs, *el, *d;

	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "nat4");
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "post");
	exprs = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	put_imm(nlh, NFT_REG32_01, lo);
	put_imm(nlh, NFT_REG32_02, hi);
	if (clobber) {
		el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
		mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "meta");
		d = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
		mnl_attr_put_u32(nlh, NFTA_META_KEY, htonl(NFT_META_MARK));
		mnl_attr_put_u32(nlh, NFTA_META_DREG, htonl(NFT_REG32_01));
		mnl_attr_nest_end(nlh, d);
		mnl_attr_nest_end(nlh, el);
	}
	if (extra) {
		el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
		mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, extra);
		mnl_attr_nest_end(nlh, el);
	}
	el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "nat");
	d = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	mnl_attr_put_u32(nlh, NFTA_NAT_TYPE, htonl(NFT_NAT_SNAT));
	mnl_attr_put_u32(nlh, NFTA_NAT_FAMILY, htonl(NFPROTO_IPV4));
	mnl_attr_put_u32(nlh, NFTA_NAT_REG_PROTO_MIN, htonl(NFT_REG32_01));
	mnl_attr_put_u32(nlh, NFTA_NAT_REG_PROTO_MAX, htonl(NFT_REG32_02));
	mnl_attr_put_u32(nlh, NFTA_NAT_FLAGS,
			 htonl(NF_NAT_RANGE_PROTO_SPECIFIED | NF_NAT_RANGE_PROTO_RANDOM));
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, el);
	mnl_attr_nest_end(nlh, exprs);
	msg_end(nlh);
}

static void test_natpool_snat(void **state)
{
	struct nat_rules rules = {};

	(void)state;
	used = 0;
	put_snat_rule(50000, 50999, false, NULL);
	put_snat_rule(50000, 50999, true, NULL);
	put_snat_rule(51000, 51099, false, "counter");
	put_done();
	assert_int_equal(natpool_parse_buf(&rules, buf, used), 0);
	assert_int_equal(rules.n, 3);
	assert_false(rules.rule[0].masquerade);
	assert_false(rules.rule[0].iptables);
	assert_true(rules.rule[0].have_ports);
	assert_int_equal(rules.rule[0].port_lo, 50000);
	assert_int_equal(rules.rule[0].port_hi, 50999);
	assert_true(rules.rule[0].random);
	assert_false(rules.rule[0].random_fully);
	assert_string_equal(rules.rule[0].table, "nat4");
	assert_string_equal(rules.rule[0].chain, "post");
	/* the mark loaded over the min register: the range is not the immediates' */
	assert_false(rules.rule[1].have_ports);
	assert_true(rules.rule[1].ports_unknown);
	/* a counter writes no register */
	assert_true(rules.rule[2].have_ports);
	assert_int_equal(rules.rule[2].port_lo, 51000);
	/* an expression libnftnl does not know: the dump is refused, not half read */
	used = 0;
	memset(&rules, 0, sizeof(rules));
	put_snat_rule(50000, 50999, false, "no-such-expr");
	put_done();
	assert_int_equal(natpool_parse_buf(&rules, buf, used), -EBADMSG);
}

static void test_natpool_default(void **state)
{
	uint16_t lo, hi;

	(void)state;
	natpool_default_range(22, &lo, &hi);
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 511);
	natpool_default_range(700, &lo, &hi);
	assert_int_equal(lo, 600);
	assert_int_equal(hi, 1023);
	natpool_default_range(1024, &lo, &hi);
	assert_int_equal(lo, 1024);
	assert_int_equal(hi, 65535);
}

static void test_natpool_garbage(void **state)
{
	struct nat_rules rules = {};
	struct nlmsghdr *nlh;
	struct nlattr *exprs;

	(void)state;
	used = 0;
	put_masq_rule(40000, 40099, 0);
	/* the expression list claims more than the rule has */
	nlh = (struct nlmsghdr *)buf;
	exprs = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct nfgenmsg));
	while ((exprs->nla_type & NLA_TYPE_MASK) != NFTA_RULE_EXPRESSIONS)
		exprs = (struct nlattr *)((char *)exprs + NLA_ALIGN(exprs->nla_len));
	exprs->nla_len = 60000;
	assert_int_equal(natpool_parse_buf(&rules, buf, used), -EBADMSG);
	assert_int_equal(rules.n, 0);
	/* an expression without a name (libnftnl 1.2.4 would read it through NULL) */
	used = 0;
	nlh = msg_start(NFNL_SUBSYS_NFTABLES, NFT_MSG_NEWRULE);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "nat");
	exprs = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	{
		struct nlattr *el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
		struct nlattr *d = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);

		mnl_attr_nest_end(nlh, d);
		mnl_attr_nest_end(nlh, el);
	}
	mnl_attr_nest_end(nlh, exprs);
	msg_end(nlh);
	assert_int_equal(natpool_parse_buf(&rules, buf, used), -EBADMSG);
	assert_int_equal(rules.n, 0);
}

static void test_stats_parse(void **state)
{
	static const char text[] =
		"entries  clashres found new invalid ignore delete chainlength insert insert_failed drop "
		"early_drop icmp_error  expect_new expect_create expect_delete search_restart\n"
		"0000002a  00000001 00000010 00000000 00000003 00000000 00000000 00000000 00000000 "
		"00000005 00000002 00000000 00000000  00000000 00000000 00000000 00000007\n"
		"0000002a  00000002 00000020 00000000 00000000 00000000 00000000 00000001 00000000 "
		"00000006 00000000 00000001 0000000a  00000000 00000000 00000000 00000000\n";
	struct ct_stats s, t, d;

	(void)state;
	assert_int_equal(ct_stats_parse(text, &s), 0);
	assert_int_equal(s.cpus, 2);
	assert_int_equal(s.value[CT_STAT_FOUND], 0x30);
	assert_int_equal(s.value[CT_STAT_INSERT_FAILED], 11);
	assert_int_equal(s.value[CT_STAT_DROP], 2);
	assert_int_equal(s.value[CT_STAT_EARLY_DROP], 1);
	assert_int_equal(s.value[CT_STAT_ERROR], 10);
	assert_int_equal(s.value[CT_STAT_SEARCH_RESTART], 7);
	assert_int_equal(s.value[CT_STAT_CLASH_RESOLVE], 3);
	assert_int_equal(s.value[CT_STAT_CHAIN_TOOLONG], 1);
	assert_true(s.present[CT_STAT_INVALID]);
	t = s;
	t.value[CT_STAT_DROP] += 5;
	t.value[CT_STAT_FOUND] -= 1;	/* a CPU went away: never negative */
	ct_stats_delta(&s, &t, &d);
	assert_int_equal(d.value[CT_STAT_DROP], 5);
	assert_int_equal(d.value[CT_STAT_FOUND], 0);
	/* an older kernel without a column: not present */
	assert_int_equal(ct_stats_parse("entries found\n00000001 00000002\n", &s), 0);
	assert_false(s.present[CT_STAT_CHAIN_TOOLONG]);
	assert_int_equal(s.value[CT_STAT_FOUND], 2);
	/* garbage */
	assert_int_equal(ct_stats_parse("", &s), -EBADMSG);
	assert_int_equal(ct_stats_parse("found\n", &s), -EBADMSG);
	assert_int_equal(ct_stats_parse("found\nzz\n", &s), -EBADMSG);
	assert_int_equal(ct_stats_parse("found drop\n1\n", &s), -EBADMSG);
	assert_int_equal(ct_stats_parse("found\n1 2\n", &s), -EBADMSG);
	assert_int_equal(ct_stats_parse("found\n11111111111111111\n", &s), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_census_groups),	cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_malformed),	cmocka_unit_test(test_natpool_rules),
		cmocka_unit_test(test_census_local),
		cmocka_unit_test(test_natpool_iptables_nft), cmocka_unit_test(test_natpool_snat),
		cmocka_unit_test(test_natpool_iptables_nft_captured),
		cmocka_unit_test(test_natpool_default), cmocka_unit_test(test_natpool_garbage),
		cmocka_unit_test(test_stats_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
