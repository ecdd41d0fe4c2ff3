// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Source-NAT rules from the nf_tables ruleset, read over nfnetlink and
 * parsed here (the messages are untrusted: nfnl_attrs_parse bounds every
 * nested attribute). Per rule, the expressions are walked in order with a
 * model of the registers that immediate expressions load, so a masq/nat
 * expression's port range is known when it came from immediates. Also
 * iptables-nft's xt MASQUERADE/SNAT targets. No printing.
 */
#include "conntrack/natpool.h"

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netlink.h>

#include "conntrack/nfnl.h"

/* Four 16-byte registers or sixteen 32-bit ones: the same 64 bytes. */
#define REG_BYTES 64
#define EXPR_NAME_LEN 32
#define XT_NAME_LEN 32

struct regs {
	uint8_t bytes[REG_BYTES];
	uint8_t known[REG_BYTES / 4];	/* 32-bit word loaded by an immediate */
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

static void reg_load(struct regs *r, uint32_t reg, const struct nfnl_attr *data)
{
	struct nfnl_attr tb[NFTA_DATA_MAX + 1];
	int off = reg_off(reg);
	size_t n;

	if (off < 0)
		return;
	if (!data->data || nfnl_attrs_parse(data->data, data->len, tb, NFTA_DATA_MAX) < 0 ||
	    !tb[NFTA_DATA_VALUE].data) {
		r->known[off / 4] = 0;
		return;
	}
	n = tb[NFTA_DATA_VALUE].len;
	if (n > REG_BYTES - (size_t)off)
		n = REG_BYTES - (size_t)off;
	memcpy(r->bytes + off, tb[NFTA_DATA_VALUE].data, n);
	for (size_t i = 0; i < (n + 3) / 4; i++)
		r->known[off / 4 + i] = 1;
}

/* Any other expression with a destination register makes that register unknown. */
static void reg_clobber(struct regs *r, const struct nfnl_attr *data)
{
	struct nfnl_attr tb[2];
	uint32_t reg;
	int off;

	/* NFTA_*_DREG is attribute 1 in meta, payload, ct, lookup, ...; any write is a guess */
	if (!data->data || nfnl_attrs_parse(data->data, data->len, tb, 1) < 0 ||
	    !nfnl_attr_be32(&tb[1], &reg))
		return;
	off = reg_off(reg);
	if (off >= 0)
		r->known[off / 4] = 0;
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

static void set_range(struct nat_rule *nr, const struct regs *r, const struct nfnl_attr *rmin,
		      const struct nfnl_attr *rmax)
{
	uint32_t a, b;
	uint16_t lo, hi;

	if (!nfnl_attr_be32(rmin, &a))
		return;
	b = a;
	/* No max register: the kernel uses the min register for both. */
	if (rmax->data && !nfnl_attr_be32(rmax, &b)) {
		nr->ports_unknown = true;
		return;
	}
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

static bool parse_masq(const struct nfnl_attr *data, const struct regs *r, struct nat_rule *nr)
{
	struct nfnl_attr tb[NFTA_MASQ_MAX + 1];
	uint32_t flags = 0;

	if (!data->data || nfnl_attrs_parse(data->data, data->len, tb, NFTA_MASQ_MAX) < 0)
		return false;
	nr->masquerade = true;
	if (nfnl_attr_be32(&tb[NFTA_MASQ_FLAGS], &flags))
		set_flags(nr, flags);
	set_range(nr, r, &tb[NFTA_MASQ_REG_PROTO_MIN], &tb[NFTA_MASQ_REG_PROTO_MAX]);
	return true;
}

static bool parse_nat(const struct nfnl_attr *data, const struct regs *r, struct nat_rule *nr)
{
	struct nfnl_attr tb[NFTA_NAT_MAX + 1];
	uint32_t type, flags = 0;

	if (!data->data || nfnl_attrs_parse(data->data, data->len, tb, NFTA_NAT_MAX) < 0 ||
	    !nfnl_attr_be32(&tb[NFTA_NAT_TYPE], &type) || type != NFT_NAT_SNAT)
		return false;
	if (nfnl_attr_be32(&tb[NFTA_NAT_FLAGS], &flags))
		set_flags(nr, flags);
	set_range(nr, r, &tb[NFTA_NAT_REG_PROTO_MIN], &tb[NFTA_NAT_REG_PROTO_MAX]);
	return true;
}

/*
 * iptables-nft keeps MASQUERADE/SNAT as xt targets: the info is the
 * target's own struct in host byte order with ports in network order:
 * nf_nat_ipv4_multi_range_compat (20 bytes, padded to 24 by XT_ALIGN:
 * rangesize, flags, min_ip, max_ip, min port, max port) or
 * nf_nat_range/nf_nat_range2 (flags, two 16-byte addresses, min port, max
 * port[, base port]; 40 and 48 bytes).
 */
static bool parse_xt(const struct nfnl_attr *data, struct nat_rule *nr)
{
	struct nfnl_attr tb[NFTA_TARGET_MAX + 1];
	char name[XT_NAME_LEN];
	const uint8_t *info;
	size_t len, foff, poff;
	uint32_t flags;
	uint16_t lo, hi;

	if (!data->data || nfnl_attrs_parse(data->data, data->len, tb, NFTA_TARGET_MAX) < 0 ||
	    !nfnl_attr_str(&tb[NFTA_TARGET_NAME], name, sizeof(name)))
		return false;
	if (strcmp(name, "MASQUERADE") && strcmp(name, "SNAT"))
		return false;
	nr->masquerade = !strcmp(name, "MASQUERADE");
	nr->iptables = true;
	info = tb[NFTA_TARGET_INFO].data;
	len = tb[NFTA_TARGET_INFO].len;
	/* the info is XT_ALIGN()ed: the 20-byte compat struct comes as 24 bytes */
	if (info && len >= 20 && len < 40) {
		foff = 4;
		poff = 16;
	} else if (info && len >= 40) {
		foff = 0;
		poff = 36;
	} else {
		nr->ports_unknown = true;
		return true;
	}
	memcpy(&flags, info + foff, 4);
	set_flags(nr, flags);
	if (!(flags & NF_NAT_RANGE_PROTO_SPECIFIED))
		return true;
	memcpy(&lo, info + poff, 2);
	memcpy(&hi, info + poff + 2, 2);
	lo = be16toh(lo);
	hi = be16toh(hi);
	nr->have_ports = true;
	nr->port_lo = lo < hi ? lo : hi;
	nr->port_hi = lo < hi ? hi : lo;
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

static int rule_cb(uint8_t msg_type, const void *payload, size_t len, void *data)
{
	struct nat_rules *rules = data;
	struct nfnl_attr tb[NFTA_RULE_MAX + 1];
	struct nat_rule base;
	struct regs r;
	const char *p;
	size_t off = 0, elen;

	if (msg_type != NFT_MSG_NEWRULE)
		return -EBADMSG;
	if (nfnl_attrs_parse(payload, len, tb, NFTA_RULE_MAX) < 0)
		return -EBADMSG;
	memset(&base, 0, sizeof(base));
	memset(&r, 0, sizeof(r));
	if (!nfnl_attr_str(&tb[NFTA_RULE_TABLE], base.table, sizeof(base.table)))
		strcpy(base.table, "?");
	if (!nfnl_attr_str(&tb[NFTA_RULE_CHAIN], base.chain, sizeof(base.chain)))
		strcpy(base.chain, "?");
	/* The table's family came in nfgenmsg, which nfnl strips: not needed for ports. */
	p = tb[NFTA_RULE_EXPRESSIONS].data;
	elen = tb[NFTA_RULE_EXPRESSIONS].len;
	while (p && off < elen) {
		struct nfnl_attr one[NFTA_LIST_MAX + 1], ex[NFTA_EXPR_MAX + 1];
		struct nfnl_attr *elem;
		struct nat_rule nr = base;
		char name[EXPR_NAME_LEN];
		uint16_t alen;
		uint32_t reg;
		bool hit = false;

		if (elen - off < 4)
			return -EBADMSG;
		memcpy(&alen, p + off, 2);
		if (alen < 4 || alen > elen - off)
			return -EBADMSG;
		if (nfnl_attrs_parse(p + off, alen, one, NFTA_LIST_MAX) < 0)
			return -EBADMSG;
		elem = &one[NFTA_LIST_ELEM];
		if (!elem->data || nfnl_attrs_parse(elem->data, elem->len, ex, NFTA_EXPR_MAX) < 0 ||
		    !nfnl_attr_str(&ex[NFTA_EXPR_NAME], name, sizeof(name)))
			return -EBADMSG;
		if (!strcmp(name, "immediate")) {
			struct nfnl_attr im[NFTA_IMMEDIATE_MAX + 1];

			if (ex[NFTA_EXPR_DATA].data &&
			    nfnl_attrs_parse(ex[NFTA_EXPR_DATA].data, ex[NFTA_EXPR_DATA].len, im,
					     NFTA_IMMEDIATE_MAX) == 0 &&
			    nfnl_attr_be32(&im[NFTA_IMMEDIATE_DREG], &reg))
				reg_load(&r, reg, &im[NFTA_IMMEDIATE_DATA]);
		} else if (!strcmp(name, "masq")) {
			hit = parse_masq(&ex[NFTA_EXPR_DATA], &r, &nr);
		} else if (!strcmp(name, "snat") || !strcmp(name, "nat")) {
			hit = parse_nat(&ex[NFTA_EXPR_DATA], &r, &nr);
		} else if (!strcmp(name, "target")) {
			hit = parse_xt(&ex[NFTA_EXPR_DATA], &nr);
		} else {
			reg_clobber(&r, &ex[NFTA_EXPR_DATA]);
		}
		if (hit)
			add_rule(rules, &nr);
		if (NLA_ALIGN((size_t)alen) >= elen - off)
			break;
		off += NLA_ALIGN((size_t)alen);
	}
	return 0;
}

int natpool_parse_buf(struct nat_rules *rules, const void *buf, size_t len)
{
	struct nfnl_stats stats = {};

	return nfnl_parse_buf(buf, len, 0, NFNL_SUBSYS_NFTABLES, rule_cb, rules, &stats);
}

int natpool_read(struct nfnl *nl, struct nat_rules *ret)
{
	int r;

	memset(ret, 0, sizeof(*ret));
	r = nfnl_dump(nl, NFNL_SUBSYS_NFTABLES, NFT_MSG_GETRULE, NFPROTO_UNSPEC, rule_cb, ret, NULL);
	if (r < 0)
		return r;
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
