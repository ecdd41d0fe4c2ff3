// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * load-census: the census (states, sides, port range, destinations with their
 * closes and culprits, server ports) and close_wait sections of a bundle.
 */
#include "bundle/load.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "addr.h"
#include "bundle/bundle.h"
#include "bundle/keys.h"
#include "bundle/reader.h"
#include "census.h"
#include "doctor/facts.h"
#include "tcpstate.h"
#include "util.h"

/* a + b into *sum; false (and UINT64_MAX) on overflow. */
static bool add_ok(uint64_t a, uint64_t b, uint64_t *sum)
{
	if (__builtin_add_overflow(a, b, sum)) {
		*sum = UINT64_MAX;
		return false;
	}
	return true;
}

/* TIME_WAIT sides and FIN_WAIT2 kinds: each socket is counted in exactly one of them. */
static int load_census_sides(struct jload *j, struct json_object *o, struct facts_census *c)
{
	struct json_object *x;
	uint64_t sum;
	size_t old;

	TRY(jload_get(j, o, "states", json_type_object, true, &x));
	old = jload_enter(j, "states");
	for (unsigned int s = 1; s < ARRAY_SIZE(c->states); s++)
		if (tcpstate_name(s))
			TRY(jload_get_u64(j, x, tcpstate_name(s), false, 0, BUNDLE_MAX_COUNT, &c->states[s]));
	jload_leave(j, old);
	TRY(jload_get(j, o, "time_wait", json_type_object, true, &x));
	old = jload_enter(j, "time_wait");
	TRY(jload_get_u64(j, x, "client", true, 0, BUNDLE_MAX_COUNT, &c->tw_client));
	TRY(jload_get_u64(j, x, "server", true, 0, BUNDLE_MAX_COUNT, &c->tw_server));
	TRY(jload_get_u64(j, x, "unknown", true, 0, BUNDLE_MAX_COUNT, &c->tw_unknown));
	sum = c->tw_client + c->tw_server + c->tw_unknown;	/* each <= 2^40 */
	if (sum != c->states[TW_TIME_WAIT])
		return jload_bad(j, NULL, "client + server + unknown = %llu, but states.time_wait is %llu",
				 (unsigned long long)sum, (unsigned long long)c->states[TW_TIME_WAIT]);
	jload_leave(j, old);
	TRY(jload_get(j, o, "fin_wait2", json_type_object, true, &x));
	old = jload_enter(j, "fin_wait2");
	TRY(jload_get_u64(j, x, "orphan", true, 0, BUNDLE_MAX_COUNT, &c->fw2_orphan));
	TRY(jload_get_u64(j, x, "live", true, 0, BUNDLE_MAX_COUNT, &c->fw2_live));
	if (c->fw2_orphan + c->fw2_live != c->states[TW_FIN_WAIT2])
		return jload_bad(j, NULL, "orphan + live = %llu, but states.fin_wait2 is %llu",
				 (unsigned long long)(c->fw2_orphan + c->fw2_live),
				 (unsigned long long)c->states[TW_FIN_WAIT2]);
	jload_leave(j, old);
	return 0;
}

/* The ephemeral range as census_finish() computes it: size = reserved + listening + usable. */
static int load_port_range(struct jload *j, struct json_object *o, struct facts_census *c)
{
	struct json_object *x, *lp;
	size_t old, n, want;

	TRY(jload_get(j, o, "port_range", json_type_object, true, &x));
	old = jload_enter(j, "port_range");
	TRY(jload_get_u32(j, x, "lo", 1, 65535, &c->range_lo));
	TRY(jload_get_u32(j, x, "hi", c->range_lo, 65535, &c->range_hi));
	TRY(jload_get_u32(j, x, "size", 0, 65535, &c->range_size));
	if (c->range_size != c->range_hi - c->range_lo + 1)
		return jload_bad(j, "size", "must be hi - lo + 1 = %u, not %u", c->range_hi - c->range_lo + 1,
				 c->range_size);
	TRY(jload_get_u32(j, x, "reserved", 0, c->range_size, &c->reserved_in_range));
	TRY(jload_get_u32(j, x, "listening", 0, c->range_size - c->reserved_in_range, &c->listeners_in_range));
	TRY(jload_get_u32(j, x, "usable", 0, 65535, &c->usable));
	if (c->usable != c->range_size - c->reserved_in_range - c->listeners_in_range)
		return jload_bad(j, "usable", "must be size - reserved - listening = %u, not %u",
				 c->range_size - c->reserved_in_range - c->listeners_in_range, c->usable);
	TRY(jload_get_arr(j, x, "listening_ports", false, FACTS_MAX_LISTEN_SHOWN, &lp, &n));
	/* the first listening ports of the range, ascending, as many as fit */
	want = c->listeners_in_range < FACTS_MAX_LISTEN_SHOWN ? c->listeners_in_range
							     : FACTS_MAX_LISTEN_SHOWN;
	if (lp && n != want)
		return jload_bad(j, "listening_ports", "has %zu ports, but listening = %u means %zu", n,
				 c->listeners_in_range, want);
	for (size_t i = 0; i < n; i++) {
		size_t o2 = jload_enter(j, "listening_ports");
		uint64_t p = 0;

		(void) jload_enter_idx(j, i);
		TRY(jload_int_in(j, NULL, json_object_array_get_idx(lp, i),
				 i ? (uint64_t)c->listen_in_range[i - 1] + 1 : c->range_lo, c->range_hi, &p));
		c->listen_in_range[i] = (uint16_t)p;
		jload_leave(j, o2);
	}
	c->n_listen_in_range = n;
	jload_leave(j, old);
	return 0;
}

/* Bundles from before the close history have no "closes": rates are then unknown. */
static int load_closes(struct jload *j, struct json_object *e, struct facts_dest *d)
{
	const uint64_t full_ms = TW_TIME_WAIT_SEC * 1000;
	struct json_object *o, *y;
	uint64_t prev = 0, v = 0;
	size_t old;
	int r;

	census_closes_init(&d->closes);
	r = jload_get(j, e, "closes", json_type_object, false, &o);
	if (r <= 0)
		return r;
	old = jload_enter(j, "closes");
	/* each window holds the shorter ones; none holds more than the TIME_WAIT */
	for (size_t w = 0; w < TW_CLOSE_WINDOWS; w++) {
		TRY(jload_get_u64(j, o, window_keys[w], true, prev, d->time_wait, &d->closes.within[w]));
		prev = d->closes.within[w];
	}
	if (json_object_object_get_ex(o, "youngest_ms", &y) && y) {
		TRY(jload_get_u64(j, o, "youngest_ms", true, 0, d->time_wait ? full_ms : 0, &v));
		if (!d->time_wait)
			return jload_bad(j, "youngest_ms", "must be null without TIME_WAIT");
		d->closes.youngest_ms = (uint32_t)v;
	} else if (d->time_wait) {
		return jload_bad(j, "youngest_ms", "is missing, but there are %llu TIME_WAIT",
				 (unsigned long long)d->time_wait);
	}
	TRY(jload_get_u64(j, o, "clears_ms", true, 0, d->time_wait ? full_ms : 0, &v));
	d->closes.clears_ms = (uint32_t)v;
	d->have_closes = true;
	jload_leave(j, old);
	return 0;
}

static int load_culprits(struct jload *j, struct json_object *e, struct facts_dest *d)
{
	struct json_object *o, *arr;
	uint64_t sum = 0, v = 0;
	size_t n, old, o2;
	char rt[8];
	int r;

	r = jload_get(j, e, "culprits", json_type_object, false, &o);
	if (r <= 0)
		return r;
	old = jload_enter(j, "culprits");
	TRY(jload_get_u64(j, o, "live", true, 0, d->held, &d->live));
	TRY(jload_get_u64(j, o, "unowned", true, 0, d->live, &d->unowned));
	TRY(jload_get_bool(j, o, "partial", &d->culprits_partial));
	TRY(jload_get_arr(j, o, "processes", true, FACTS_MAX_CULPRITS, &arr, &n));
	o2 = jload_enter(j, "processes");
	for (size_t i = 0; i < n; i++) {
		struct facts_culprit *c = &d->culprits[i];
		size_t o3 = jload_enter_idx(j, i);
		struct json_object *x;

		TRY(jload_elem_obj(j, arr, i, &x));
		TRY(jload_get_u64(j, x, "pid", true, 1, INT32_MAX, &v));
		c->pid = (int)v;
		TRY(jload_get_u64(j, x, "pids", true, 1, INT32_MAX, &v));
		c->pids = (uint32_t)v;
		TRY(jload_get_u64(j, x, "sockets", true, 1, d->live, &c->sockets));
		if (!add_ok(sum, c->sockets, &sum) || sum + d->unowned > d->live)
			return jload_bad(j, "sockets", "the processes and unowned hold more than live (%llu)",
					 (unsigned long long)d->live);
		TRY(jload_get_str(j, x, "comm", true, c->comm, sizeof(c->comm), STR_RAW));
		TRY(jload_get_str(j, x, "cgroup", true, c->cgroup, sizeof(c->cgroup), STR_RAW));
		TRY(jload_get_str(j, x, "runtime", true, rt, sizeof(rt), STR_TEXT));
		if (facts_runtime_parse(rt, &c->runtime) < 0)
			return jload_bad(j, "runtime", "must be \"go\" or \"\", not '%s'", rt);
		jload_leave(j, o3);
	}
	jload_leave(j, o2);
	d->n_culprits = n;
	d->culprits_scanned = true;
	jload_leave(j, old);
	return 0;
}

static int load_dest(struct jload *j, struct json_object *e, const struct facts_census *c,
		     struct facts_dest *d)
{
	struct tw_addr la, ra;
	double want;

	TRY(jload_get_str(j, e, "local", true, d->local, sizeof(d->local), STR_TEXT));
	if (addr_parse(d->local, &la) < 0)
		return jload_bad(j, "local", "'%s' is not an IP address", d->local);
	TRY(jload_get_str(j, e, "remote", true, d->remote, sizeof(d->remote), STR_TEXT));
	if (addr_parse(d->remote, &ra) < 0)
		return jload_bad(j, "remote", "'%s' is not an IP address", d->remote);
	if (la.family != ra.family)
		return jload_bad(j, "remote", "'%s' is not of the family of local '%s'", d->remote, d->local);
	TRY(jload_get_port(j, e, "remote_port", 0, &d->remote_port));
	TRY(jload_get_u64(j, e, "held", true, 1, BUNDLE_MAX_COUNT, &d->held));
	TRY(jload_get_u64(j, e, "time_wait", true, 0, d->held, &d->time_wait));
	TRY(jload_get_u64(j, e, "established", true, 0, d->held - d->time_wait, &d->established));
	/* census_finish(): held / usable * 100, or 100 with no usable port */
	want = c->usable ? 100.0 * (double)d->held / c->usable : 100.0;
	TRY(jload_get_double(j, e, "utilization_pct", 0, 1e18, &d->util_pct));
	if (fabs(d->util_pct - want) > 1e-6 * (want > 1 ? want : 1))
		return jload_bad(j, "utilization_pct", "must be held / usable * 100 = %.2f, not %g", want, d->util_pct);
	TRY(load_closes(j, e, d));
	TRY(load_culprits(j, e, d));
	return 0;
}

static int load_destinations(struct jload *j, struct json_object *o, struct facts_census *c)
{
	struct json_object *arr;
	uint64_t tw_sum = 0;
	size_t n, old;

	TRY(jload_get_u64(j, o, "destinations_total", true, 0, BUNDLE_MAX_COUNT, &c->dests_total));
	TRY(jload_get_arr(j, o, "destinations", true, FACTS_MAX_DESTS, &arr, &n));
	if (n != (c->dests_total < FACTS_MAX_DESTS ? c->dests_total : FACTS_MAX_DESTS))
		return jload_bad(j, "destinations", "has %zu elements, but destinations_total = %llu", n,
				 (unsigned long long)c->dests_total);
	old = jload_enter(j, "destinations");
	for (size_t i = 0; i < n; i++) {
		size_t o2 = jload_enter_idx(j, i);
		struct json_object *e;

		TRY(jload_elem_obj(j, arr, i, &e));
		TRY(load_dest(j, e, c, &c->dests[i]));
		/* a client TIME_WAIT is counted once in its destination */
		if (!add_ok(tw_sum, c->dests[i].time_wait, &tw_sum) || tw_sum > c->tw_client)
			return jload_bad(j, "time_wait", "destinations hold more TIME_WAIT than time_wait.client (%llu)",
					 (unsigned long long)c->tw_client);
		jload_leave(j, o2);
	}
	c->n_dests = n;
	jload_leave(j, old);
	return 0;
}

/* Who listens on a server port; bundles from before it have no "listener". */
static int load_listener(struct jload *j, struct json_object *e, struct facts_server *s)
{
	struct json_object *o;
	uint64_t pid = 0;
	size_t old;
	int r;

	r = jload_get(j, e, "listener", json_type_object, false, &o);
	if (r <= 0)
		return r;
	old = jload_enter(j, "listener");
	TRY(jload_get_bool(j, o, "listening", &s->listening));
	/* 0: nobody visible holds it (or nothing listens) */
	TRY(jload_get_u64(j, o, "pid", true, 0, s->listening ? INT32_MAX : 0, &pid));
	s->listener_pid = (int)pid;
	TRY(jload_get_str(j, o, "comm", true, s->listener_comm, sizeof(s->listener_comm), STR_RAW));
	s->listener_scanned = true;
	jload_leave(j, old);
	return 0;
}

static int load_servers(struct jload *j, struct json_object *o, struct facts_census *c)
{
	struct json_object *arr;
	uint64_t tw_sum = 0;
	size_t n, old;

	TRY(jload_get_u64(j, o, "server_ports_total", true, 0, 65535, &c->servers_total));
	TRY(jload_get_arr(j, o, "server_ports", true, FACTS_MAX_SERVERS, &arr, &n));
	if (n != (c->servers_total < FACTS_MAX_SERVERS ? c->servers_total : FACTS_MAX_SERVERS))
		return jload_bad(j, "server_ports", "has %zu elements, but server_ports_total = %llu", n,
				 (unsigned long long)c->servers_total);
	old = jload_enter(j, "server_ports");
	for (size_t i = 0; i < n; i++) {
		struct facts_server *s = &c->servers[i];
		size_t o2 = jload_enter_idx(j, i);
		struct json_object *e;
		uint64_t sum;

		TRY(jload_elem_obj(j, arr, i, &e));
		TRY(jload_get_port(j, e, "port", 1, &s->port));
		TRY(jload_get_u64(j, e, "time_wait", true, 0, BUNDLE_MAX_COUNT, &s->time_wait));
		TRY(jload_get_u64(j, e, "close_wait", true, 0, BUNDLE_MAX_COUNT, &s->close_wait));
		TRY(jload_get_u64(j, e, "established", true, 0, BUNDLE_MAX_COUNT, &s->established));
		sum = s->time_wait + s->close_wait + s->established;	/* each <= 2^40 */
		TRY(jload_get_u64(j, e, "total", true, sum > 1 ? sum : 1, BUNDLE_MAX_COUNT, &s->total));
		if (!add_ok(tw_sum, s->time_wait, &tw_sum) || tw_sum > c->tw_server)
			return jload_bad(j, "time_wait", "server ports hold more TIME_WAIT than time_wait.server (%llu)",
					 (unsigned long long)c->tw_server);
		TRY(load_listener(j, e, s));
		jload_leave(j, o2);
	}
	c->n_servers = n;
	jload_leave(j, old);
	return 0;
}

int jload_census(struct jload *j, struct json_object *o, struct facts_census *c)
{
	size_t old = jload_enter(j, "census");

	TRY(load_census_sides(j, o, c));
	TRY(load_port_range(j, o, c));
	TRY(load_destinations(j, o, c));
	TRY(load_servers(j, o, c));
	c->have = true;
	jload_leave(j, old);
	return 0;
}

static int load_cw_ports(struct jload *j, struct json_object *o, struct facts_close_wait *cw)
{
	struct json_object *arr;
	uint64_t sum = 0;
	size_t n, old;

	TRY(jload_get_arr(j, o, "ports", true, FACTS_MAX_CW_PORTS, &arr, &n));
	old = jload_enter(j, "ports");
	for (size_t i = 0; i < n; i++) {
		size_t o2 = jload_enter_idx(j, i);
		struct json_object *e;

		TRY(jload_elem_obj(j, arr, i, &e));
		TRY(jload_get_port(j, e, "port", 1, &cw->ports[i].port));
		for (size_t k = 0; k < i; k++)
			if (cw->ports[k].port == cw->ports[i].port)
				return jload_bad(j, "port", "%u is listed twice", cw->ports[i].port);
		TRY(jload_get_u64(j, e, "count", true, 1, cw->total, &cw->ports[i].count));
		if (!add_ok(sum, cw->ports[i].count, &sum) || sum > cw->total)
			return jload_bad(j, "count", "the ports hold more than close_wait.total (%llu)",
					 (unsigned long long)cw->total);
		jload_leave(j, o2);
	}
	cw->n_ports = n;
	jload_leave(j, old);
	return 0;
}

static int load_cw_owners(struct jload *j, struct json_object *o, struct facts_close_wait *cw)
{
	struct json_object *arr;
	uint64_t sum = 0, v = 0;
	size_t n, old;

	TRY(jload_get_arr(j, o, "owners", true, FACTS_MAX_OWNERS, &arr, &n));
	if (n && !cw->owners_scanned)
		return jload_bad(j, "owners", "listed, but owners_scanned is false");
	old = jload_enter(j, "owners");
	for (size_t i = 0; i < n; i++) {
		struct facts_owner *w = &cw->owners[i];
		size_t o2 = jload_enter_idx(j, i);
		struct json_object *e;

		TRY(jload_elem_obj(j, arr, i, &e));
		TRY(jload_get_u64(j, e, "pid", true, 1, INT32_MAX, &v));
		w->pid = (int)v;
		TRY(jload_get_str(j, e, "comm", true, w->comm, sizeof(w->comm), STR_RAW));
		TRY(jload_get_port(j, e, "port", 0, &w->port));	/* 0: its port was not found */
		TRY(jload_get_u64(j, e, "sockets", true, 1, cw->total, &w->sockets));
		if (!add_ok(sum, w->sockets, &sum) || sum > cw->total)
			return jload_bad(j, "sockets", "the owners hold more than close_wait.total (%llu)",
					 (unsigned long long)cw->total);
		jload_leave(j, o2);
	}
	cw->n_owners = n;
	jload_leave(j, old);
	return 0;
}

int jload_close_wait(struct jload *j, struct json_object *o, struct facts_close_wait *cw)
{
	size_t old = jload_enter(j, "close_wait");

	TRY(jload_get_u64(j, o, "total", true, 0, BUNDLE_MAX_COUNT, &cw->total));
	/* Bundles from before idle times were kept have neither key. */
	if (json_object_object_get_ex(o, "oldest_idle_ms", NULL)) {
		/* tcp_info's last_ack_recv is 32-bit milliseconds */
		TRY(jload_get_u64(j, o, "oldest_idle_ms", true, 0, cw->total ? UINT32_MAX : 0, &cw->oldest_idle_ms));
		TRY(jload_get_u64(j, o, "stale", true, 0, cw->total, &cw->stale));
		if (cw->stale && cw->oldest_idle_ms < FACTS_CW_STALE_MS)
			return jload_bad(j, "stale", "is %llu, but oldest_idle_ms %llu is below %d",
					 (unsigned long long)cw->stale, (unsigned long long)cw->oldest_idle_ms,
					 FACTS_CW_STALE_MS);
		cw->have_idle = true;
	}
	TRY(load_cw_ports(j, o, cw));
	TRY(jload_get_bool(j, o, "owners_scanned", &cw->owners_scanned));
	TRY(jload_get_bool(j, o, "owners_partial", &cw->owners_partial));
	TRY(load_cw_owners(j, o, cw));
	cw->have = true;
	jload_leave(j, old);
	return 0;
}
