/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The conntrack census: ctnetlink entries parsed one at a time
 * (ctentry.c) and folded into counts per protocol and TCP state and into
 * SNAT groups (ctcensus.c), so memory grows with distinct groups, never
 * with entries. No I/O in the parser or the census; ct_dump() is the only
 * function here that talks to the kernel.
 */
#ifndef TWSCOPE_CONNTRACK_CT_H
#define TWSCOPE_CONNTRACK_CT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock.h"

struct nfnl;
struct nfnl_stats;
struct tw_map;

/* Conntrack's TCP states (enum tcp_conntrack), plus one for what a newer kernel may add. */
enum ct_tcp_state {
	CT_TCP_NONE,
	CT_TCP_SYN_SENT,
	CT_TCP_SYN_RECV,
	CT_TCP_ESTABLISHED,
	CT_TCP_FIN_WAIT,
	CT_TCP_CLOSE_WAIT,
	CT_TCP_LAST_ACK,
	CT_TCP_TIME_WAIT,
	CT_TCP_CLOSE,
	CT_TCP_SYN_SENT2,
	CT_TCP_UNKNOWN,
	CT_TCP_MAX
};

/* Protocols counted apart; the rest is "other". */
enum ct_proto {
	CT_PROTO_TCP,
	CT_PROTO_UDP,
	CT_PROTO_ICMP,
	CT_PROTO_ICMPV6,
	CT_PROTO_SCTP,
	CT_PROTO_OTHER,
	CT_PROTO_MAX
};

/* One side of an entry: addresses and (for port protocols) ports. */
struct ct_tuple {
	struct tw_addr src;
	struct tw_addr dst;
	uint16_t sport;
	uint16_t dport;
	bool have_ports;
};

struct ct_entry {
	uint8_t l4proto;		/* IPPROTO_* */
	uint8_t tcp_state;		/* enum ct_tcp_state; CT_TCP_NONE for non-TCP */
	struct ct_tuple orig;
	struct ct_tuple reply;
	uint32_t status;		/* IPS_* bits, 0 when absent */
};

/*
 * ct_entry_parse() - one IPCTNL_MSG_CT_NEW payload (after struct nfgenmsg)
 * into e. Both tuples must be present with the same address family.
 * Returns 0 or -EBADMSG.
 */
int ct_entry_parse(const void *payload, size_t len, struct ct_entry *ret);

/* ct_entry_is_snat() - the source was translated: reply dst differs from original src. */
bool ct_entry_is_snat(const struct ct_entry *e);

/* ct_proto_of() - IPPROTO_* to the counted protocol. */
enum ct_proto ct_proto_of(uint8_t l4proto);

/* ct_proto_name() / ct_tcp_state_name() - "tcp", "time_wait" (JSON keys). */
const char *ct_proto_name(enum ct_proto p);
const char *ct_tcp_state_name(enum ct_tcp_state s);

/* An SNAT group: (translated source IP, destination IP, destination port, protocol). */
struct ct_group_key {
	struct tw_addr nat_src;
	struct tw_addr dst;
	uint16_t dport;
	uint8_t l4proto;
	uint8_t pad;
};

struct ct_group {
	struct ct_group_key key;
	uint64_t held;			/* entries = translated source ports held */
	uint64_t time_wait;		/* of which in conntrack TIME_WAIT */
	uint64_t established;
	uint16_t port_lo;		/* lowest and highest translated port seen */
	uint16_t port_hi;
};

#define CT_MAX_GROUPS 65536		/* distinct SNAT groups kept; the rest counted */
#define CT_MAX_LOCAL 1024		/* addresses of the netns kept for the local/forwarded split */

struct ct_census {
	uint64_t entries;
	uint64_t proto[CT_PROTO_MAX];
	uint64_t tcp[CT_TCP_MAX];
	uint64_t snat;			/* SNAT'd entries */
	uint64_t snat_time_wait;
	uint64_t groups_dropped;	/* SNAT'd entries of groups past CT_MAX_GROUPS */
	uint64_t malformed;		/* entries skipped as malformed */
	struct tw_map *groups;		/* struct ct_group_key -> struct ct_group */
	bool have_local;		/* local addresses were given (ct_census_set_local) */
	uint64_t time_wait_local;	/* TCP TIME_WAIT entries with an end on this host */
	size_t n_local;
	struct tw_addr *local;		/* sorted; owned */
};

/* ct_census_init() - empty census. 0 or -ENOMEM. */
int ct_census_init(struct ct_census *c);

/* ct_census_done() - free the groups; c can be init'ed again. */
void ct_census_done(struct ct_census *c);

/*
 * ct_census_set_local() - the addresses of the netns (taken over: freed by
 * ct_census_done()), so TIME_WAIT entries are split into those with an end
 * here (original source or destination, or the reply's source after DNAT,
 * is local; 127.0.0.0/8 counts as local) and forwarded ones.
 */
void ct_census_set_local(struct ct_census *c, struct tw_addr *addrs, size_t n);

/* ct_local_addrs() - the addresses of the current netns (at most CT_MAX_LOCAL). 0 or -errno. */
int ct_local_addrs(struct tw_addr **ret, size_t *ret_n);

/* ct_census_add() - count one entry. 0, or -ENOMEM. */
int ct_census_add(struct ct_census *c, const struct ct_entry *e);

/*
 * ct_census_groups() - the groups as a new array, most held first (then
 * by key), into *ret (free()) and its length into *ret_n. 0 or -ENOMEM.
 */
int ct_census_groups(const struct ct_census *c, struct ct_group **ret, size_t *ret_n);

/*
 * ct_census_parse_buf() - feed one received ctnetlink datagram to c (tests,
 * fuzzing, replays). Malformed entries are counted in c->malformed and
 * skipped; a malformed datagram stops it. Returns as nfnl_parse_buf().
 */
int ct_census_parse_buf(struct ct_census *c, const void *buf, size_t len, struct nfnl_stats *stats);

/*
 * ct_dump() - dump the conntrack table of the socket's netns into c.
 * Returns 0 or -errno (-EPERM: needs CAP_NET_ADMIN; -ENOENT/-EOPNOTSUPP:
 * no conntrack in this kernel).
 */
int ct_dump(struct nfnl *nl, struct ct_census *c, struct nfnl_stats *stats);

#endif
