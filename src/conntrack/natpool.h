/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SNAT port pool: source-NAT rules read from the nf_tables ruleset of
 * the current netns over nfnetlink (NFT_MSG_GETRULE on the kernel-only
 * socket, rules parsed by libnftnl, no `nft` subprocess), native
 * masquerade/snat expressions and iptables-nft's MASQUERADE/SNAT targets,
 * and legacy iptables' nat table (libip4tc) when loaded, with their port
 * range and random/random-fully flags; and the pool a SNAT group may use
 * against them (docs/kernel.md#snat-default-range). No printing.
 */
#ifndef TWSCOPE_CONNTRACK_NATPOOL_H
#define TWSCOPE_CONNTRACK_NATPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nfnl;

#define NATPOOL_MAX_RULES 64		/* source-NAT rules kept */
#define NATPOOL_NAME_LEN 64		/* table and chain names, cut */

struct nat_rule {
	char table[NATPOOL_NAME_LEN];
	char chain[NATPOOL_NAME_LEN];
	uint8_t family;			/* NFPROTO_* of the table */
	bool masquerade;		/* masquerade, else snat */
	bool have_ports;		/* to :lo-hi given */
	bool ports_unknown;		/* a range from something other than an immediate */
	uint16_t port_lo;
	uint16_t port_hi;
	bool random;
	bool random_fully;
	bool iptables;			/* an xt target: iptables-nft's, or legacy */
	bool legacy;			/* from legacy iptables' nat table (libip4tc) */
};

struct nat_rules {
	bool have;			/* the ruleset could be read */
	size_t n;
	uint64_t dropped;		/* rules past NATPOOL_MAX_RULES */
	struct nat_rule rule[NATPOOL_MAX_RULES];
};

/* How a group's pool was found. */
enum nat_pool_source {
	NAT_POOL_RULE,			/* the only rule's range, or the one covering its ports */
	NAT_POOL_DEFAULT,		/* no range given: the kernel's default */
	NAT_POOL_UNKNOWN,		/* several ranges and none covers the group's ports */
};

struct nat_pool {
	enum nat_pool_source source;
	uint16_t lo;
	uint16_t hi;
	uint32_t size;			/* hi - lo + 1; 0 when unknown */
	bool random_fully;
	int rule;			/* index in nat_rules, -1 for none */
};

/*
 * natpool_parse_buf() - one datagram of an NFT_MSG_GETRULE dump; source-NAT
 * rules are appended to rules. Returns as nfnl_parse_buf().
 */
int natpool_parse_buf(struct nat_rules *rules, const void *buf, size_t len);

/*
 * natpool_read() - dump the ruleset of nl's netns, and the legacy nat
 * table when this thread's netns has one. 0 or -errno (-EPERM:
 * CAP_NET_ADMIN).
 */
int natpool_read(struct nfnl *nl, struct nat_rules *ret);

/*
 * natpool_for() - the pool a group whose translated ports span lo..hi
 * (and whose original source ports were >= 1024) can use.
 */
void natpool_for(const struct nat_rules *rules, uint16_t lo, uint16_t hi, struct nat_pool *ret);

/* natpool_default_range() - the kernel's range for a source port without a given range. */
void natpool_default_range(uint16_t orig_port, uint16_t *ret_lo, uint16_t *ret_hi);

#endif
