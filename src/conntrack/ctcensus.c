// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Streaming aggregation of conntrack entries: counts per protocol and TCP
 * state, and per SNAT group (translated source IP, destination IP,
 * destination port, protocol) the source ports held. Entries are folded
 * in as they are parsed and never stored. No I/O except ct_dump().
 */
#include "conntrack/ct.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "conntrack/nfnl.h"
#include "map.h"

int ct_census_init(struct ct_census *c)
{
	memset(c, 0, sizeof(*c));
	c->groups = tw_map_new(sizeof(struct ct_group_key), sizeof(struct ct_group), CT_MAX_GROUPS);
	return c->groups ? 0 : -ENOMEM;
}

void ct_census_done(struct ct_census *c)
{
	c->groups = tw_map_free(c->groups);
	free(c->local);
	c->local = NULL;
	c->n_local = 0;
}

static int cmp_addr(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct tw_addr));
}

void ct_census_set_local(struct ct_census *c, struct tw_addr *addrs, size_t n)
{
	free(c->local);
	c->local = addrs;
	c->n_local = n;
	c->have_local = true;
	if (n)
		qsort(addrs, n, sizeof(*addrs), cmp_addr);
}

static bool is_local(const struct ct_census *c, const struct tw_addr *a)
{
	if (a->family == AF_INET && a->bytes[0] == 127)
		return true;
	return c->n_local && bsearch(a, c->local, c->n_local, sizeof(*a), cmp_addr);
}

/*
 * The kernel keeps a translated tuple unique as seen in the reply
 * direction (nf_nat_used_tuple), so the group is read off the reply
 * tuple: its destination is the translated source, its source the
 * server (after any DNAT).
 */
static void group_key(const struct ct_entry *e, struct ct_group_key *k)
{
	memset(k, 0, sizeof(*k));
	k->nat_src = e->reply.dst;
	k->dst = e->reply.src;
	k->dport = e->reply.sport;
	k->l4proto = e->l4proto;
}

int ct_census_add(struct ct_census *c, const struct ct_entry *e)
{
	struct ct_group_key k;
	struct ct_group *g;
	void *v;
	bool tw = e->l4proto == IPPROTO_TCP && e->tcp_state == CT_TCP_TIME_WAIT;
	int r;

	c->entries++;
	c->proto[ct_proto_of(e->l4proto)]++;
	if (e->l4proto == IPPROTO_TCP)
		c->tcp[e->tcp_state < CT_TCP_MAX ? e->tcp_state : CT_TCP_UNKNOWN]++;
	if (tw && c->have_local &&
	    (is_local(c, &e->orig.src) || is_local(c, &e->orig.dst) || is_local(c, &e->reply.src)))
		c->time_wait_local++;
	if (!ct_entry_is_snat(e))
		return 0;
	c->snat++;
	c->snat_time_wait += tw;
	if (!e->orig.have_ports)
		return 0;
	group_key(e, &k);
	r = tw_map_upsert(c->groups, &k, &v);
	if (r == -ENOSPC) {
		c->groups_dropped++;
		return 0;
	}
	if (r < 0)
		return r;
	g = v;
	if (!g->held) {
		g->key = k;
		g->port_lo = e->reply.dport;
		g->port_hi = e->reply.dport;
	}
	g->held++;
	g->time_wait += tw;
	g->established += e->l4proto == IPPROTO_TCP && e->tcp_state == CT_TCP_ESTABLISHED;
	if (e->reply.dport < g->port_lo)
		g->port_lo = e->reply.dport;
	if (e->reply.dport > g->port_hi)
		g->port_hi = e->reply.dport;
	return 0;
}

static int cmp_group(const void *a, const void *b)
{
	const struct ct_group *x = a, *y = b;

	if (x->held != y->held)
		return x->held < y->held ? 1 : -1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

int ct_census_groups(const struct ct_census *c, struct ct_group **ret, size_t *ret_n)
{
	size_t n = tw_map_count(c->groups), i = 0, iter = 0;
	struct ct_group *a = calloc(n ? n : 1, sizeof(*a));
	const void *k;
	void *v;

	if (!a)
		return -ENOMEM;
	while (i < n && tw_map_next(c->groups, &iter, &k, &v))
		a[i++] = *(struct ct_group *)v;
	qsort(a, i, sizeof(*a), cmp_group);
	*ret = a;
	*ret_n = i;
	return 0;
}

static int entry_cb(uint8_t msg_type, const void *payload, size_t len, void *data)
{
	struct ct_census *c = data;
	struct ct_entry e;

	if (msg_type != IPCTNL_MSG_CT_NEW || ct_entry_parse(payload, len, &e) < 0) {
		c->malformed++;
		return 0;
	}
	return ct_census_add(c, &e);
}

int ct_census_parse_buf(struct ct_census *c, const void *buf, size_t len, struct nfnl_stats *stats)
{
	struct nfnl_stats dummy = {};

	return nfnl_parse_buf(buf, len, 0, NFNL_SUBSYS_CTNETLINK, entry_cb, c, stats ? stats : &dummy);
}

int ct_dump(struct nfnl *nl, struct ct_census *c, struct nfnl_stats *stats)
{
	/* AF_UNSPEC: the kernel dumps entries of every l3 family. */
	return nfnl_dump(nl, NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_GET, AF_UNSPEC, entry_cb, c, stats);
}
