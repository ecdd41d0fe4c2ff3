// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pure aggregation of sockets into the census. Tables are hash maps keyed by
 * destination, server port, (server port, remote IP) and peer; sockets are
 * never stored. No I/O here.
 */
#include "census.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "map.h"
#include "util.h"

struct dest_key {
	struct tw_addr local;
	struct tw_addr remote;
	uint16_t remote_port;
	uint16_t pad;
};

struct dest_val {
	uint64_t held;
	uint64_t time_wait;
	uint64_t established;
	struct census_closes closes;
};

struct server_key {
	uint16_t port;
};

struct server_val {
	uint64_t states[TW_STATE_MAX];
	uint64_t total;
	struct census_closes closes;
};

struct remote_key {
	uint16_t port;
	uint16_t pad;
	struct tw_addr addr;
};

struct count_val {
	uint64_t time_wait;
	uint64_t total;
};

/* A socket whose side the ports alone could not tell; kept until census_finish(). */
struct census_unsure {
	struct tw_sock sk;
	uint32_t local_fanout;	/* distinct remote ports its local port faces */
	uint32_t remote_fanin;	/* distinct local ports facing its remote port */
};

static const unsigned int close_window_sec[TW_CLOSE_WINDOWS] = { 5, 10, 30, 60 };

unsigned int census_close_window_sec(unsigned int w)
{
	return close_window_sec[w < TW_CLOSE_WINDOWS ? w : TW_CLOSE_WINDOWS - 1];
}

void census_closes_init(struct census_closes *h)
{
	memset(h, 0, sizeof(*h));
	h->youngest_ms = TW_AGE_UNKNOWN;
}

void census_closes_add(struct census_closes *h, uint32_t expires_ms)
{
	const uint32_t full_ms = TW_TIME_WAIT_SEC * 1000;
	/* A timer rearmed by a retransmitted FIN starts over: it reads as a new close. */
	uint32_t age_ms = expires_ms < full_ms ? full_ms - expires_ms : 0;

	for (unsigned int w = 0; w < TW_CLOSE_WINDOWS; w++)
		if (age_ms < close_window_sec[w] * 1000)
			h->within[w]++;
	if (h->youngest_ms == TW_AGE_UNKNOWN || age_ms < h->youngest_ms)
		h->youngest_ms = age_ms;
	if (expires_ms > h->clears_ms)
		h->clears_ms = expires_ms;
}

double census_close_rate(const struct census_closes *h, unsigned int w)
{
	return (double)h->within[w < TW_CLOSE_WINDOWS ? w : TW_CLOSE_WINDOWS - 1] /
	       census_close_window_sec(w);
}

const char *census_side_name(enum tw_side side)
{
	switch (side) {
	case TW_SIDE_CLIENT:
		return "client";
	case TW_SIDE_SERVER:
		return "server";
	default:
		return "unknown";
	}
}

struct census *census_new(const struct census_conf *conf)
{
	struct census *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->conf = *conf;
	census_closes_init(&c->closes);
	c->dest_map = tw_map_new(sizeof(struct dest_key), sizeof(struct dest_val), TW_MAP_MAX_ENTRIES);
	c->server_map = tw_map_new(sizeof(struct server_key), sizeof(struct server_val), 65536);
	c->remote_map = tw_map_new(sizeof(struct remote_key), sizeof(struct count_val), TW_MAP_MAX_ENTRIES);
	c->peer_map = tw_map_new(sizeof(struct tw_addr), sizeof(struct count_val), TW_MAP_MAX_ENTRIES);
	if (!c->dest_map || !c->server_map || !c->remote_map || !c->peer_map) {
		census_free(c);
		errno = ENOMEM;
		return NULL;
	}
	/* The reserved bitmap is borrowed; copy it so the census owns what it reads. */
	c->conf.reserved = NULL;
	if (conf->reserved) {
		uint8_t *copy = malloc(8192);

		if (!copy) {
			census_free(c);
			errno = ENOMEM;
			return NULL;
		}
		memcpy(copy, conf->reserved, 8192);
		c->conf.reserved = copy;
	}
	return c;
}

struct census *census_free(struct census *c)
{
	if (!c)
		return NULL;
	tw_map_free(c->dest_map);
	tw_map_free(c->server_map);
	tw_map_free(c->remote_map);
	tw_map_free(c->peer_map);
	free(c->unsure);
	free((void *)c->conf.reserved);
	free(c->dests);
	free(c->servers);
	free(c->peers);
	free(c);
	return NULL;
}

static bool addr_equal(const struct tw_addr *a, const struct tw_addr *b)
{
	size_t len = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && memcmp(a->bytes, b->bytes, len) == 0;
}

/* An IPv4-mapped IPv6 address compares equal to its IPv4 form in filters. */
static bool addr_match(const struct tw_addr *want, const struct tw_addr *have)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (addr_equal(want, have))
		return true;
	if (want->family == AF_INET && have->family == AF_INET6)
		return memcmp(have->bytes, mapped, 12) == 0 && memcmp(have->bytes + 12, want->bytes, 4) == 0;
	return false;
}

bool census_filter_match(const struct census_filter *f, const struct tw_sock *sk)
{
	if (sk->src.family == AF_INET && !f->v4)
		return false;
	if (sk->src.family == AF_INET6 && !f->v6)
		return false;
	if (f->states && !(f->states & TW_STATE_BIT(sk->state)))
		return false;
	if (f->port >= 0 && sk->sport != f->port && sk->dport != f->port)
		return false;
	if (f->have_dst && !addr_match(&f->dst, &sk->dst))
		return false;
	if (f->dst_port >= 0 && sk->dport != f->dst_port)
		return false;
	if (f->have_src && !addr_match(&f->src, &sk->src))
		return false;
	return true;
}

static bool is_ephemeral(const struct census *c, uint16_t port)
{
	return port >= c->conf.range_lo && port <= c->conf.range_hi && !port_bit(c->conf.reserved, port);
}

static bool is_loopback(const struct tw_addr *a)
{
	static const uint8_t v6_lo[16] = { [15] = 1 };
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (a->family == AF_INET)
		return a->bytes[0] == 127;
	return memcmp(a->bytes, v6_lo, 16) == 0 ||
	       (memcmp(a->bytes, v4_mapped, 12) == 0 && a->bytes[12] == 127);
}

enum tw_side census_side(const struct census *c, const struct tw_sock *sk)
{
	bool local_eph, remote_eph;

	/* A live listener on the local port settles it. */
	if (port_bit(c->listen_ports, sk->sport))
		return TW_SIDE_SERVER;
	/* On loopback the peer is this host: a listener on its port makes us the client. */
	if (is_loopback(&sk->dst) && port_bit(c->listen_ports, sk->dport))
		return TW_SIDE_CLIENT;
	/*
	 * The listener may be gone (a server that closed first and
	 * exited): fall back to which port looks ephemeral. The peer's range
	 * is unknown; assume it resembles ours, and trust well-known ports.
	 */
	local_eph = is_ephemeral(c, sk->sport);
	remote_eph = sk->dport >= c->conf.range_lo && sk->dport <= c->conf.range_hi;
	if (local_eph && !remote_eph)
		return TW_SIDE_CLIENT;
	if (!local_eph && remote_eph)
		return TW_SIDE_SERVER;
	if (sk->dport < 1024 && sk->sport >= 1024)
		return TW_SIDE_CLIENT;
	if (sk->sport < 1024 && sk->dport >= 1024)
		return TW_SIDE_SERVER;
	/* A peer port above our range is another host's ephemeral port (49152-65535 is common). */
	if (!local_eph && sk->dport > c->conf.range_hi && sk->sport < sk->dport)
		return TW_SIDE_SERVER;
	return TW_SIDE_UNKNOWN;
}

static int family_index(const struct tw_sock *sk)
{
	return sk->src.family == AF_INET6 ? TW_FAM_V6 : TW_FAM_V4;
}

int census_add_listener(struct census *c, const struct tw_sock *sk)
{
	if (!port_bit(c->listen_ports, sk->sport)) {
		port_bit_set(c->listen_ports, sk->sport);
		c->listeners++;
	}
	if (!census_filter_match(&c->conf.filter, sk))
		return 0;
	c->sockets++;
	c->states[family_index(sk)][TW_LISTEN]++;
	return 0;
}

/* A full table is not an error: the census says it is truncated instead. */
static int upsert(struct census *c, struct tw_map *m, const void *key, void **ret_val)
{
	int r = tw_map_upsert(m, key, ret_val);

	if (r == -ENOSPC) {
		c->truncated = true;
		*ret_val = NULL;
		return 0;
	}
	return r;
}

static int count_client(struct census *c, const struct tw_sock *sk)
{
	struct dest_key key = { .local = sk->src, .remote = sk->dst, .remote_port = sk->dport };
	struct dest_val *v;
	int r;

	r = upsert(c, c->dest_map, &key, (void **)&v);
	if (r < 0 || !v)
		return r;
	if (v->held == 0)
		census_closes_init(&v->closes);
	v->held++;
	if (sk->state == TW_TIME_WAIT) {
		v->time_wait++;
		census_closes_add(&v->closes, sk->expires_ms);
	} else if (sk->state == TW_ESTABLISHED)
		v->established++;
	return 0;
}

static int count_server(struct census *c, const struct tw_sock *sk)
{
	struct server_key skey = { .port = sk->sport };
	struct remote_key rkey = { .port = sk->sport, .addr = sk->dst };
	struct server_val *sv;
	struct count_val *rv;
	int r;

	r = upsert(c, c->server_map, &skey, (void **)&sv);
	if (r < 0)
		return r;
	if (sv) {
		if (sv->total == 0)
			census_closes_init(&sv->closes);
		sv->states[sk->state]++;
		sv->total++;
		if (sk->state == TW_TIME_WAIT)
			census_closes_add(&sv->closes, sk->expires_ms);
	}
	r = upsert(c, c->remote_map, &rkey, (void **)&rv);
	if (r < 0 || !rv)
		return r;
	rv->total++;
	if (sk->state == TW_TIME_WAIT)
		rv->time_wait++;
	return 0;
}

/* Only unknown-side sockets need their own peer table; the others are in dest/remote maps. */
static int count_peer(struct census *c, const struct tw_sock *sk)
{
	struct count_val *v;
	int r;

	r = upsert(c, c->peer_map, &sk->dst, (void **)&v);
	if (r < 0 || !v)
		return r;
	v->total++;
	if (sk->state == TW_TIME_WAIT)
		v->time_wait++;
	return 0;
}

/* Count a socket whose side is settled. */
static int count_side(struct census *c, const struct tw_sock *sk, enum tw_side side)
{
	if (sk->state == TW_TIME_WAIT)
		c->tw_side[side]++;
	if (side == TW_SIDE_CLIENT)
		return count_client(c, sk);
	if (side == TW_SIDE_SERVER)
		return count_server(c, sk);
	return count_peer(c, sk);
}

/* The side of a port-only socket from the learned port sets. */
static enum tw_side learned_side(const struct census *c, const struct tw_sock *sk)
{
	if (port_bit(c->served_ports, sk->sport))
		return TW_SIDE_SERVER;
	if (port_bit(c->used_ports, sk->dport))
		return TW_SIDE_CLIENT;
	return TW_SIDE_UNKNOWN;
}

static int settle_unsure(struct census *c);

/*
 * Keep a socket the ports alone could not place. Once TW_UNSURE_SAMPLE are
 * kept, their pattern is learned (settle_unsure()) and every later one is
 * placed at once by it: memory stays bounded however many there are.
 */
static int keep_unsure(struct census *c, const struct tw_sock *sk)
{
	int r;

	if (c->sides_learned)
		return count_side(c, sk, learned_side(c, sk));
	if (c->n_unsure == c->cap_unsure) {
		size_t cap = c->cap_unsure ? c->cap_unsure * 2 : 1024;
		struct census_unsure *u = reallocarray(c->unsure, cap, sizeof(*u));

		if (!u)
			return -ENOMEM;
		c->unsure = u;
		c->cap_unsure = cap;
	}
	c->unsure[c->n_unsure++] = (struct census_unsure){ .sk = *sk };
	if (c->n_unsure < TW_UNSURE_SAMPLE)
		return 0;
	r = settle_unsure(c);
	if (r == 0)
		c->sides_learned = true;
	return r;
}

int census_add(struct census *c, const struct tw_sock *sk)
{
	enum tw_side side;

	if (sk->state >= TW_STATE_MAX || !census_filter_match(&c->conf.filter, sk))
		return 0;
	c->sockets++;
	c->states[family_index(sk)][sk->state]++;
	if (sk->state == TW_FIN_WAIT2) {
		if (sk->mini)
			c->fw2_orphan++;
		else
			c->fw2_live++;
	}
	if (sk->state == TW_TIME_WAIT) {
		uint32_t b = sk->expires_ms / TW_TIMER_BUCKET_MS;

		c->tw_timer[b < TW_TIMER_BUCKETS ? b : TW_TIMER_BUCKETS - 1]++;
		census_closes_add(&c->closes, sk->expires_ms);
	}
	/* Request sockets hold no port of their own; a listener owns it. */
	if (!tcpstate_holds_port(sk->state))
		return 0;
	side = census_side(c, sk);
	if (side == TW_SIDE_UNKNOWN)
		return keep_unsure(c, sk);
	return count_side(c, sk, side);
}

static int cmp_local_remote(const void *pa, const void *pb)
{
	const struct census_unsure *a = pa, *b = pb;

	if (a->sk.sport != b->sk.sport)
		return a->sk.sport < b->sk.sport ? -1 : 1;
	return a->sk.dport < b->sk.dport ? -1 : a->sk.dport > b->sk.dport;
}

static int cmp_remote_local(const void *pa, const void *pb)
{
	const struct census_unsure *a = pa, *b = pb;

	if (a->sk.dport != b->sk.dport)
		return a->sk.dport < b->sk.dport ? -1 : 1;
	return a->sk.sport < b->sk.sport ? -1 : a->sk.sport > b->sk.sport;
}

/*
 * For each run of equal first ports (sorted by first, then second port),
 * store the number of distinct second ports into every member: local_fanout
 * when sorted local-first, remote_fanin when sorted remote-first.
 */
static void count_distinct(struct census_unsure *u, size_t n, bool by_local)
{
	size_t start = 0;

	while (start < n) {
		uint16_t key = by_local ? u[start].sk.sport : u[start].sk.dport;
		uint32_t distinct = 0;
		size_t end = start;

		for (; end < n && (by_local ? u[end].sk.sport : u[end].sk.dport) == key; end++) {
			uint16_t other = by_local ? u[end].sk.dport : u[end].sk.sport;
			uint16_t prev = by_local ? u[end - (end > start)].sk.dport :
						   u[end - (end > start)].sk.sport;

			if (end == start || other != prev)
				distinct++;
		}
		for (size_t i = start; i < end; i++) {
			if (by_local)
				u[i].local_fanout = distinct;
			else
				u[i].remote_fanin = distinct;
		}
		start = end;
	}
}

/*
 * Is the local port of run u[start..end) a service? It faces many distinct
 * remote ports, and most of those face no other local port here: clients'
 * ephemeral ports. A client port talking to many services fails the second
 * test, because each service port is faced by many local ports.
 */
static bool run_is_service(const struct census_unsure *u, size_t start, size_t end)
{
	uint32_t distinct = 0, private = 0;

	if (u[start].local_fanout < TW_SIDE_FANOUT_MIN)
		return false;
	for (size_t i = start; i < end; i++) {
		if (i > start && u[i].sk.dport == u[i - 1].sk.dport)
			continue;
		distinct++;
		if (u[i].remote_fanin <= 2)
			private++;
	}
	return private * 4 >= distinct * 3;
}

/*
 * Settle the sockets kept by census_add(): a local port facing many private
 * peer ports is a server port (a server inside the ephemeral range whose
 * listener is gone); a remote port faced by many local ports is a service
 * we are the client of. Whatever is left stays unknown.
 */
static int settle_unsure(struct census *c)
{
	struct census_unsure *u = c->unsure;
	size_t n = c->n_unsure, start = 0;
	int r;

	if (!n)
		return 0;
	qsort(u, n, sizeof(*u), cmp_remote_local);
	count_distinct(u, n, false);
	qsort(u, n, sizeof(*u), cmp_local_remote);
	count_distinct(u, n, true);
	/* Learn the port sets first, then place every kept socket by them. */
	while (start < n) {
		size_t end = start;

		while (end < n && u[end].sk.sport == u[start].sk.sport)
			end++;
		if (run_is_service(u, start, end))
			port_bit_set(c->served_ports, u[start].sk.sport);
		for (size_t i = start; i < end; i++)
			if (u[i].remote_fanin >= TW_SIDE_FANOUT_MIN)
				port_bit_set(c->used_ports, u[i].sk.dport);
		start = end;
	}
	for (size_t i = 0; i < n; i++) {
		r = count_side(c, &u[i].sk, learned_side(c, &u[i].sk));
		if (r < 0)
			return r;
	}
	c->unsure = NULL;
	c->n_unsure = c->cap_unsure = 0;
	free(u);
	return 0;
}

uint64_t census_total(const struct census *c, unsigned int state)
{
	uint64_t n = 0;

	for (int f = 0; f < TW_FAM_MAX; f++)
		n += c->states[f][state];
	return n;
}

uint64_t census_family_total(const struct census *c, enum tw_fam fam)
{
	uint64_t n = 0;

	for (int s = 0; s < TW_STATE_MAX; s++)
		n += c->states[fam][s];
	return n;
}

static int addr_cmp(const struct tw_addr *a, const struct tw_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

static int cmp_dest(const void *pa, const void *pb)
{
	const struct census_dest *a = pa, *b = pb;
	int r;

	if (a->held != b->held)
		return a->held > b->held ? -1 : 1;
	if (a->time_wait != b->time_wait)
		return a->time_wait > b->time_wait ? -1 : 1;
	r = addr_cmp(&a->remote, &b->remote);
	if (r)
		return r;
	if (a->remote_port != b->remote_port)
		return a->remote_port < b->remote_port ? -1 : 1;
	return addr_cmp(&a->local, &b->local);
}

static int cmp_server(const void *pa, const void *pb)
{
	const struct census_server_port *a = pa, *b = pb;

	if (a->states[TW_TIME_WAIT] != b->states[TW_TIME_WAIT])
		return a->states[TW_TIME_WAIT] > b->states[TW_TIME_WAIT] ? -1 : 1;
	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return a->port < b->port ? -1 : a->port > b->port;
}

static int cmp_remote(const struct census_remote *a, const struct census_remote *b)
{
	if (a->time_wait != b->time_wait)
		return a->time_wait > b->time_wait ? -1 : 1;
	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return addr_cmp(&a->addr, &b->addr);
}

static int cmp_peer(const void *pa, const void *pb)
{
	return cmp_remote(pa, pb);
}

static void compute_usable(struct census *c)
{
	uint32_t reserved = 0, listening = 0;

	for (uint32_t p = c->conf.range_lo; p <= c->conf.range_hi && p <= 65535; p++) {
		if (port_bit(c->conf.reserved, (uint16_t)p))
			reserved++;
		else if (port_bit(c->listen_ports, (uint16_t)p))
			listening++;
	}
	c->range_size = c->conf.range_hi >= c->conf.range_lo ?
				(uint32_t)c->conf.range_hi - c->conf.range_lo + 1 : 0;
	c->reserved_in_range = reserved;
	c->listeners_in_range = listening;
	c->usable = c->range_size - reserved - listening;
}

static int build_dests(struct census *c)
{
	size_t it = 0, i = 0;
	const void *k;
	void *v;

	c->n_dests = tw_map_count(c->dest_map);
	c->dests = calloc(c->n_dests ? c->n_dests : 1, sizeof(*c->dests));
	if (!c->dests)
		return -ENOMEM;
	while (tw_map_next(c->dest_map, &it, &k, &v)) {
		const struct dest_key *dk = k;
		const struct dest_val *dv = v;
		struct census_dest *d = &c->dests[i++];

		d->local = dk->local;
		d->remote = dk->remote;
		d->remote_port = dk->remote_port;
		d->held = dv->held;
		d->time_wait = dv->time_wait;
		d->established = dv->established;
		d->closes = dv->closes;
		d->util_pct = c->usable ? 100.0 * (double)dv->held / c->usable : 100.0;
	}
	qsort(c->dests, c->n_dests, sizeof(*c->dests), cmp_dest);
	return 0;
}

static struct census_server_port *find_server(struct census *c, uint16_t port)
{
	for (size_t i = 0; i < c->n_servers; i++)
		if (c->servers[i].port == port)
			return &c->servers[i];
	return NULL;
}

static void keep_top(struct census_server_port *s, const struct census_remote *r)
{
	size_t pos = s->n_top;

	if (pos == TW_TOP_REMOTES) {
		if (cmp_remote(r, &s->top[pos - 1]) >= 0)
			return;
		pos--;
	} else {
		s->n_top++;
	}
	while (pos > 0 && cmp_remote(r, &s->top[pos - 1]) < 0) {
		s->top[pos] = s->top[pos - 1];
		pos--;
	}
	s->top[pos] = *r;
}

static int build_servers(struct census *c)
{
	size_t it = 0, i = 0;
	const void *k;
	void *v;

	c->n_servers = tw_map_count(c->server_map);
	c->servers = calloc(c->n_servers ? c->n_servers : 1, sizeof(*c->servers));
	if (!c->servers)
		return -ENOMEM;
	while (tw_map_next(c->server_map, &it, &k, &v)) {
		const struct server_val *sv = v;
		struct census_server_port *s = &c->servers[i++];

		s->port = ((const struct server_key *)k)->port;
		memcpy(s->states, sv->states, sizeof(s->states));
		s->total = sv->total;
		s->closes = sv->closes;
	}
	qsort(c->servers, c->n_servers, sizeof(*c->servers), cmp_server);
	/* Servers are few; a linear lookup per (port, remote) entry is fine. */
	it = 0;
	while (tw_map_next(c->remote_map, &it, &k, &v)) {
		const struct remote_key *rk = k;
		const struct count_val *rv = v;
		struct census_server_port *s = find_server(c, rk->port);
		struct census_remote r = { .addr = rk->addr, .time_wait = rv->time_wait, .total = rv->total };

		if (!s)
			continue;
		s->distinct_remotes++;
		keep_top(s, &r);
	}
	return 0;
}

static int peer_add(struct census *c, const struct tw_addr *addr, uint64_t tw, uint64_t total)
{
	struct count_val *v;
	int r;

	r = upsert(c, c->peer_map, addr, (void **)&v);
	if (r < 0 || !v)
		return r;
	v->time_wait += tw;
	v->total += total;
	return 0;
}

/* Peers = remote IPs of the client, server and unknown tables, merged once at the end. */
static int build_peers(struct census *c)
{
	size_t it = 0, i = 0;
	const void *k;
	void *v;
	int r;

	while (tw_map_next(c->dest_map, &it, &k, &v)) {
		const struct dest_val *dv = v;

		r = peer_add(c, &((const struct dest_key *)k)->remote, dv->time_wait, dv->held);
		if (r < 0)
			return r;
	}
	it = 0;
	while (tw_map_next(c->remote_map, &it, &k, &v)) {
		const struct count_val *cv = v;

		r = peer_add(c, &((const struct remote_key *)k)->addr, cv->time_wait, cv->total);
		if (r < 0)
			return r;
	}
	c->n_peers = tw_map_count(c->peer_map);
	c->peers = calloc(c->n_peers ? c->n_peers : 1, sizeof(*c->peers));
	if (!c->peers)
		return -ENOMEM;
	it = 0;
	while (tw_map_next(c->peer_map, &it, &k, &v)) {
		const struct count_val *cv = v;
		struct census_remote *p = &c->peers[i++];

		p->addr = *(const struct tw_addr *)k;
		p->time_wait = cv->time_wait;
		p->total = cv->total;
	}
	qsort(c->peers, c->n_peers, sizeof(*c->peers), cmp_peer);
	return 0;
}

int census_finish(struct census *c)
{
	int r;

	if (c->finished)
		return 0;
	r = settle_unsure(c);
	if (r < 0)
		return r;
	compute_usable(c);
	r = build_dests(c);
	if (r < 0)
		return r;
	r = build_servers(c);
	if (r < 0)
		return r;
	r = build_peers(c);
	if (r < 0)
		return r;
	c->finished = true;
	return 0;
}
