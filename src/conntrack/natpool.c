// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Source-NAT rules from the nf_tables ruleset: the NFT_MSG_GETRULE dump
 * comes over nfnl (the kernel-only socket and its checked receive loop) and
 * each rule message is parsed by libnftnl. Per rule, the expressions are
 * walked in order with a model of the registers that immediate expressions
 * load, so a masq/nat expression's port range is known when it came from
 * immediates. Also iptables-nft's xt MASQUERADE/SNAT targets, and legacy
 * iptables' through libip4tc when the netns has that nat table. libnftnl
 * exit()s on an attribute of the wrong type (a broken kernel ABI to it):
 * only the kernel's replies reach it. No printing.
 */
#include "conntrack/natpool.h"

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
/* libiptc's netinet/in.h before the kernel's linux/in.h */
#include <libiptc/libiptc.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "conntrack/nfnl.h"

/* Four 16-byte registers or sixteen 32-bit ones: the same 64 bytes. */
#define REG_BYTES 64
#define REG_WORDS (REG_BYTES / 4)

struct regs {
	uint8_t bytes[REG_BYTES];
	uint8_t known[REG_WORDS];	/* 32-bit word loaded by an immediate */
};

/* Byte offset of register reg, or -1 (NFT_REG_VERDICT and unknown ones). */
static int reg_off(uint32_t reg)
{
	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		return (int)(reg - NFT_REG_1) * 16;
	if (reg >= NFT_REG32_00 && reg <= NFT_REG32_15)
		return (int)(reg - NFT_REG32_00) * 4;
	return -1;
}

static void reg_forget(struct regs *r, int off, size_t n)
{
	for (size_t i = (size_t)off / 4; i < REG_WORDS && i < ((size_t)off + n + 3) / 4; i++)
		r->known[i] = 0;
}

/* An immediate: its data into its destination register. */
static void reg_load(struct regs *r, const struct nftnl_expr *e)
{
	const void *val;
	uint32_t n = 0;
	int off;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_IMM_DREG))
		return;
	off = reg_off(nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG));
	if (off < 0)
		return;
	val = NULL;
	if (nftnl_expr_is_set(e, NFTNL_EXPR_IMM_DATA))
		val = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &n);
	if (!val || !n) {
		reg_forget(r, off, 4);
		return;
	}
	if (n > REG_BYTES - (uint32_t)off)
		n = REG_BYTES - (uint32_t)off;
	memcpy(r->bytes + off, val, n);
	for (size_t i = 0; i < (n + 3) / 4; i++)
		r->known[off / 4 + i] = 1;
}

/* The destination register attribute of expressions that write one. */
static const struct {
	const char *name;
	uint16_t dreg;
} dregs[] = {
	{ "payload", NFTNL_EXPR_PAYLOAD_DREG },	{ "meta", NFTNL_EXPR_META_DREG },
	{ "ct", NFTNL_EXPR_CT_DREG },		{ "bitwise", NFTNL_EXPR_BITWISE_DREG },
	{ "byteorder", NFTNL_EXPR_BYTEORDER_DREG }, { "lookup", NFTNL_EXPR_LOOKUP_DREG },
	{ "exthdr", NFTNL_EXPR_EXTHDR_DREG },	{ "rt", NFTNL_EXPR_RT_DREG },
	{ "socket", NFTNL_EXPR_SOCKET_DREG },	{ "numgen", NFTNL_EXPR_NG_DREG },
	{ "hash", NFTNL_EXPR_HASH_DREG },	{ "fib", NFTNL_EXPR_FIB_DREG },
	{ "osf", NFTNL_EXPR_OSF_DREG },		{ "xfrm", NFTNL_EXPR_XFRM_DREG },
	{ "tunnel", NFTNL_EXPR_TUNNEL_DREG },
};

/* Expressions that write no register. */
static const char *const no_dreg[] = {
	"cmp", "counter", "log", "limit", "quota", "range", "dynset", "objref", "redir", "reject",
	"match", "notrack", "queue", "dup", "fwd", "connlimit", "last", "synproxy", "tproxy",
	"flow_offload", "secmark", "masq", "nat", "target",
};

/*
 * Any other expression with a destination register makes that register
 * unknown (up to 16 bytes from it: lengths are per expression); one this
 * table does not know makes them all unknown.
 */
static void reg_clobber(struct regs *r, const char *name, const struct nftnl_expr *e)
{
	for (size_t i = 0; i < sizeof(no_dreg) / sizeof(no_dreg[0]); i++)
		if (!strcmp(name, no_dreg[i]))
			return;
	for (size_t i = 0; i < sizeof(dregs) / sizeof(dregs[0]); i++) {
		int off;

		if (strcmp(name, dregs[i].name))
			continue;
		if (!nftnl_expr_is_set(e, dregs[i].dreg))
			return;
		off = reg_off(nftnl_expr_get_u32(e, dregs[i].dreg));
		if (off >= 0)
			reg_forget(r, off, 16);
		return;
	}
	memset(r->known, 0, sizeof(r->known));
}

static bool reg_port(const struct regs *r, uint32_t reg, uint16_t *ret)
{
	int off = reg_off(reg);
	uint16_t v;

	if (off < 0 || !r->known[off / 4])
		return false;
	memcpy(&v, r->bytes + off, 2);
	*ret = be16toh(v);
	return true;
}

/* The range of a masq/nat expression from its proto registers (attributes amin, amax). */
static void set_range(struct nat_rule *nr, const struct regs *r, const struct nftnl_expr *e,
		      uint16_t amin, uint16_t amax)
{
	uint32_t a, b;
	uint16_t lo, hi;

	if (!nftnl_expr_is_set(e, amin))
		return;
	a = nftnl_expr_get_u32(e, amin);
	/* No max register: the kernel uses the min register for both. */
	b = nftnl_expr_is_set(e, amax) ? nftnl_expr_get_u32(e, amax) : a;
	if (!reg_port(r, a, &lo) || !reg_port(r, b, &hi)) {
		nr->ports_unknown = true;
		return;
	}
	if (hi < lo) {
		uint16_t t = lo;

		lo = hi;
		hi = t;
	}
	nr->have_ports = true;
	nr->port_lo = lo;
	nr->port_hi = hi;
}

static void set_flags(struct nat_rule *nr, uint32_t flags)
{
	nr->random = flags & NF_NAT_RANGE_PROTO_RANDOM;
	nr->random_fully = flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY;
}

static bool parse_masq(const struct nftnl_expr *e, const struct regs *r, struct nat_rule *nr)
{
	nr->masquerade = true;
	if (nftnl_expr_is_set(e, NFTNL_EXPR_MASQ_FLAGS))
		set_flags(nr, nftnl_expr_get_u32(e, NFTNL_EXPR_MASQ_FLAGS));
	set_range(nr, r, e, NFTNL_EXPR_MASQ_REG_PROTO_MIN, NFTNL_EXPR_MASQ_REG_PROTO_MAX);
	return true;
}

static bool parse_nat(const struct nftnl_expr *e, const struct regs *r, struct nat_rule *nr)
{
	if (!nftnl_expr_is_set(e, NFTNL_EXPR_NAT_TYPE) ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE) != NFT_NAT_SNAT)
		return false;
	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_FLAGS))
		set_flags(nr, nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FLAGS));
	set_range(nr, r, e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFTNL_EXPR_NAT_REG_PROTO_MAX);
	return true;
}

/*
 * An xtables MASQUERADE/SNAT target's info (iptables-nft's targets in
 * nf_tables, and legacy iptables): the target's own struct in host byte
 * order with ports in network order, nf_nat_ipv4_multi_range_compat
 * (revision 0 of the IPv4 targets; 20 bytes, which the kernel hands back
 * XT_ALIGN()ed to 24) or nf_nat_range/nf_nat_range2 (40 and 48 bytes).
 */
static void parse_xt_info(struct nat_rule *nr, const void *info, size_t len)
{
	const struct nf_nat_ipv4_multi_range_compat *c = info;
	const struct nf_nat_range *nat = info;
	size_t foff, poff;
	uint32_t flags;
	uint16_t lo, hi;

	if (info && len >= sizeof(*c) && len < sizeof(*nat)) {
		foff = offsetof(struct nf_nat_ipv4_multi_range_compat, range[0].flags);
		poff = offsetof(struct nf_nat_ipv4_multi_range_compat, range[0].min);
	} else if (info && len >= sizeof(*nat)) {
		foff = offsetof(struct nf_nat_range, flags);
		poff = offsetof(struct nf_nat_range, min_proto);
	} else {
		nr->ports_unknown = true;
		return;
	}
	/* memcpy: the blob's alignment is not promised */
	memcpy(&flags, (const char *)info + foff, 4);
	set_flags(nr, flags);
	if (!(flags & NF_NAT_RANGE_PROTO_SPECIFIED))
		return;
	memcpy(&lo, (const char *)info + poff, 2);
	memcpy(&hi, (const char *)info + poff + 2, 2);
	lo = be16toh(lo);
	hi = be16toh(hi);
	nr->have_ports = true;
	nr->port_lo = lo < hi ? lo : hi;
	nr->port_hi = lo < hi ? hi : lo;
}

static bool parse_xt(const struct nftnl_expr *e, struct nat_rule *nr)
{
	const char *name = nftnl_expr_is_set(e, NFTNL_EXPR_TG_NAME) ?
				   nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME) : NULL;
	const void *info = NULL;
	uint32_t len = 0;

	if (!name || (strcmp(name, "MASQUERADE") && strcmp(name, "SNAT")))
		return false;
	nr->masquerade = !strcmp(name, "MASQUERADE");
	nr->iptables = true;
	if (nftnl_expr_is_set(e, NFTNL_EXPR_TG_INFO))
		info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);
	parse_xt_info(nr, info, len);
	return true;
}

static void add_rule(struct nat_rules *rules, const struct nat_rule *nr)
{
	if (rules->n == NATPOOL_MAX_RULES) {
		rules->dropped++;
		return;
	}
	rules->rule[rules->n++] = *nr;
}

static void copy_name(char *dst, const struct nftnl_rule *rule, uint16_t attr)
{
	const char *s = nftnl_rule_is_set(rule, attr) ? nftnl_rule_get_str(rule, attr) : NULL;

	if (!s || !*s)
		s = "?";
	snprintf(dst, NATPOOL_NAME_LEN, "%s", s);
}

/* The source-NAT expressions of one parsed rule, in order. */
static int rule_walk(struct nat_rules *rules, const struct nftnl_rule *rule)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(rule);
	struct nftnl_expr *e;
	struct nat_rule base;
	struct regs r;

	if (!it)
		return -ENOMEM;
	memset(&base, 0, sizeof(base));
	memset(&r, 0, sizeof(r));
	copy_name(base.table, rule, NFTNL_RULE_TABLE);
	copy_name(base.chain, rule, NFTNL_RULE_CHAIN);
	if (nftnl_rule_is_set(rule, NFTNL_RULE_FAMILY))
		base.family = (uint8_t)nftnl_rule_get_u32(rule, NFTNL_RULE_FAMILY);
	while ((e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		struct nat_rule nr = base;
		bool hit = false;

		if (!name)
			continue;
		if (!strcmp(name, "immediate"))
			reg_load(&r, e);
		else if (!strcmp(name, "masq"))
			hit = parse_masq(e, &r, &nr);
		else if (!strcmp(name, "nat"))
			hit = parse_nat(e, &r, &nr);
		else if (!strcmp(name, "target"))
			hit = parse_xt(e, &nr);
		else
			reg_clobber(&r, name, e);
		if (hit)
			add_rule(rules, &nr);
	}
	nftnl_expr_iter_destroy(it);
	return 0;
}

/*
 * libmnl's attribute walk stops quietly at an attribute that claims more
 * than its container holds, which would pass a cut rule off as a shorter
 * one, and libnftnl 1.2.4 reads a missing expression name through a NULL
 * pointer: such messages are refused here first (the rule's attributes,
 * its expression list, each expression's name), the rest is libnftnl's.
 */
static bool rule_bounded(const void *payload, size_t len)
{
	struct nfnl_attr tb[NFTA_RULE_MAX + 1], el[NFTA_LIST_MAX + 1], ex[NFTA_EXPR_MAX + 1];
	char name[NATPOOL_NAME_LEN];
	struct nlattr a;
	const void *list;
	size_t n;

	if (nfnl_attrs_parse(payload, len, tb, NFTA_RULE_MAX) < 0)
		return false;
	list = tb[NFTA_RULE_EXPRESSIONS].data;
	n = tb[NFTA_RULE_EXPRESSIONS].len;
	if (!list)
		return true;
	if (nfnl_attrs_parse(list, n, el, NFTA_LIST_MAX) < 0)
		return false;
	/* bounds checked just above */
	for (size_t off = 0; n - off >= NLA_HDRLEN; off += NLA_ALIGN((size_t)a.nla_len)) {
		memcpy(&a, (const char *)list + off, sizeof(a));
		if (nfnl_attrs_parse((const char *)list + off + NLA_HDRLEN, a.nla_len - NLA_HDRLEN,
				     ex, NFTA_EXPR_MAX) < 0 ||
		    !nfnl_attr_str(&ex[NFTA_EXPR_NAME], name, sizeof(name)))
			return false;
		if (NLA_ALIGN((size_t)a.nla_len) >= n - off)
			break;
	}
	return true;
}

static int rule_cb(uint8_t msg_type, const void *payload, size_t len, void *data)
{
	struct nftnl_rule *rule;
	int r;

	if (msg_type != NFT_MSG_NEWRULE || !rule_bounded(payload, len))
		return -EBADMSG;
	rule = nftnl_rule_alloc();
	if (!rule)
		return -ENOMEM;
	/* -1: malformed, or an expression this libnftnl does not know */
	if (nftnl_rule_nlmsg_parse(nfnl_payload_nlh(payload), rule) < 0)
		r = -EBADMSG;
	else
		r = rule_walk(data, rule);
	nftnl_rule_free(rule);
	return r;
}

int natpool_parse_buf(struct nat_rules *rules, const void *buf, size_t len)
{
	struct nfnl_stats stats = {};

	return nfnl_parse_buf(buf, len, 0, NFNL_SUBSYS_NFTABLES, rule_cb, rules, &stats);
}

/* Whether this thread's netns has a legacy xtables "nat" table loaded. */
static bool legacy_nat_present(void)
{
	/* thread-self: -A walks namespaces with setns() on one thread */
	FILE *f = fopen("/proc/thread-self/net/ip_tables_names", "re");
	char line[64];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strcmp(line, "nat\n") || !strcmp(line, "nat");
	fclose(f);
	return found;
}

/*
 * Legacy iptables' nat table through libip4tc: its MASQUERADE/SNAT
 * targets carry the same xt info as iptables-nft's. Only called when the
 * table is loaded: asking for a missing one makes the kernel load it.
 */
static int legacy_read(struct nat_rules *rules)
{
	struct xtc_handle *h = iptc_init("nat");
	const char *chain;

	if (!h)
		return errno ? -errno : -EIO;
	for (chain = iptc_first_chain(h); chain; chain = iptc_next_chain(h)) {
		const struct ipt_entry *e;

		for (e = iptc_first_rule(chain, h); e; e = iptc_next_rule(e, h)) {
			const char *target = iptc_get_target(e, h);
			const struct xt_entry_target *t;
			struct nat_rule nr = { .family = NFPROTO_IPV4, .iptables = true, .legacy = true };

			if (!target || (strcmp(target, "MASQUERADE") && strcmp(target, "SNAT")))
				continue;
			snprintf(nr.table, sizeof(nr.table), "nat");
			snprintf(nr.chain, sizeof(nr.chain), "%s", chain);
			nr.masquerade = !strcmp(target, "MASQUERADE");
			/* the target follows the matches, target_offset from the entry */
			t = (const struct xt_entry_target *)((const char *)e + e->target_offset);
			if (t->u.target_size >= sizeof(*t) &&
			    (size_t)e->target_offset + t->u.target_size <= e->next_offset)
				parse_xt_info(&nr, t->data, t->u.target_size - sizeof(*t));
			else
				nr.ports_unknown = true;
			add_rule(rules, &nr);
		}
	}
	iptc_free(h);
	return 0;
}

int natpool_read(struct nfnl *nl, struct nat_rules *ret)
{
	int r, lr;

	memset(ret, 0, sizeof(*ret));
	r = nfnl_dump(nl, NFNL_SUBSYS_NFTABLES, NFT_MSG_GETRULE, NFPROTO_UNSPEC, rule_cb, ret, NULL);
	if (r == -ENOMEM || r == -EPERM)
		return r;
	if (!legacy_nat_present()) {
		if (r < 0)
			return r;
		ret->have = true;
		return 0;
	}
	/* an nf_tables error leaves the rules it had read: start over for legacy alone */
	if (r < 0)
		memset(ret, 0, sizeof(*ret));
	lr = legacy_read(ret);
	if (lr < 0)
		return lr;
	ret->have = true;
	return 0;
}

void natpool_default_range(uint16_t orig_port, uint16_t *ret_lo, uint16_t *ret_hi)
{
	/* nf_nat_core.c nf_nat_l4proto_unique_tuple(): classes never mix (docs/kernel.md#snat-default-range). */
	if (orig_port < 512) {
		*ret_lo = 1;
		*ret_hi = 511;
	} else if (orig_port < 1024) {
		*ret_lo = 600;
		*ret_hi = 1023;
	} else {
		*ret_lo = 1024;
		*ret_hi = 65535;
	}
}

void natpool_for(const struct nat_rules *rules, uint16_t lo, uint16_t hi, struct nat_pool *ret)
{
	struct nat_pool p = { .source = NAT_POOL_DEFAULT, .rule = -1 };
	size_t ranged = 0, covering = 0;
	int cover = -1, any = -1, unranged = -1;
	bool same = true;	/* every covering rule has the first one's range and flags */

	for (size_t i = 0; rules && i < rules->n; i++) {
		const struct nat_rule *nr = &rules->rule[i];

		if (nr->have_ports) {
			ranged++;
			any = (int)i;
			if (nr->port_lo <= lo && hi <= nr->port_hi) {
				covering++;
				if (cover < 0)
					cover = (int)i;
				else if (nr->port_lo != rules->rule[cover].port_lo ||
					 nr->port_hi != rules->rule[cover].port_hi ||
					 nr->random_fully != rules->rule[cover].random_fully)
					same = false;
			}
		} else if (unranged < 0) {
			unranged = (int)i;
		}
	}
	if (ranged == 1 && unranged < 0)
		cover = any;
	/* several rules covering the ports with one range (per-client snat rules): that range */
	if (cover >= 0 && (covering <= 1 || ranged == 1 || same)) {
		const struct nat_rule *nr = &rules->rule[cover];

		p.source = NAT_POOL_RULE;
		p.lo = nr->port_lo;
		p.hi = nr->port_hi;
		p.random_fully = nr->random_fully;
		p.rule = cover;
	} else if (ranged && unranged < 0) {
		p.source = NAT_POOL_UNKNOWN;
	} else {
		natpool_default_range(lo, &p.lo, &p.hi);
		p.rule = unranged;
		p.random_fully = unranged >= 0 && rules->rule[unranged].random_fully;
	}
	if (p.source != NAT_POOL_UNKNOWN)
		p.size = (uint32_t)p.hi - p.lo + 1;
	*ret = p;
}
