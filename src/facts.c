// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * facts: collect what doctor's rules need from the current network namespace
 * (sysctls, two counter samples, sockstat, slab size, census, CLOSE_WAIT
 * owners, sysctl config lines) and save/load it as a JSON bundle. No rules
 * and no printing here.
 */
#include "facts.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "addr.h"
#include "census.h"
#include "collect.h"
#include "procowner.h"
#include "sock.h"
#include "sockdiag.h"
#include "tcpstate.h"
#include "util.h"

#define FACTS_SYSCTL_NAME(id, name) name,
static const char *const sysctl_names[] = { FACTS_SYSCTLS(FACTS_SYSCTL_NAME) };
#undef FACTS_SYSCTL_NAME
#define FACTS_COUNTER_NAME(id, name) name,
static const char *const counter_names[] = { FACTS_COUNTERS(FACTS_COUNTER_NAME) };
#undef FACTS_COUNTER_NAME

const char *facts_sysctl_name(enum facts_sysctl_id id)
{
	return id < FS_MAX ? sysctl_names[id] : NULL;
}

const char *facts_counter_name(enum facts_counter_id id)
{
	return id < FC_MAX ? counter_names[id] : NULL;
}

void facts_init(struct tw_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->tw_objsize = FACTS_TW_OBJSIZE_FALLBACK;
}

void facts_done(struct tw_facts *f)
{
	for (size_t i = 0; i < FS_MAX; i++)
		free(f->sysctl[i].value);
	sysconf_done(&f->sysconf);
	facts_init(f);
}

bool facts_sysctl_int(const struct tw_facts *f, enum facts_sysctl_id id, int64_t *ret)
{
	const struct facts_sysctl *s = &f->sysctl[id];
	char *end;
	long long v;

	if (!s->present || !s->value || !*s->value)
		return false;
	errno = 0;
	v = strtoll(s->value, &end, 10);
	if (errno || *end)
		return false;
	*ret = v;
	return true;
}

int facts_set_sysctl(struct tw_facts *f, enum facts_sysctl_id id, const char *value)
{
	char *v = strdup(value);

	if (!v)
		return -ENOMEM;
	free(f->sysctl[id].value);
	f->sysctl[id].value = v;
	f->sysctl[id].present = true;
	f->sysctl[id].error = false;
	return 0;
}

void facts_set_counter(struct tw_facts *f, enum facts_counter_id id, uint64_t value, bool has_delta,
		       uint64_t delta)
{
	f->have_counters = true;
	f->counter[id].have = true;
	f->counter[id].value = value;
	f->counter[id].have_delta = has_delta;
	f->counter[id].delta = has_delta ? delta : 0;
}

/* --- live collection --------------------------------------------------- */

static int read_sysctls(struct tw_facts *f)
{
	for (size_t i = 0; i < FS_MAX; i++) {
		char *v = NULL;
		int r = ksettings_sysctl_read(sysctl_names[i], &v);

		if (r == -ENOMEM)
			return r;
		if (r == 0) {
			f->sysctl[i].present = true;
			f->sysctl[i].value = v;
		} else if (r != -ENOENT) {
			f->sysctl[i].error = true;
		}
	}
	return 0;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / NSEC_PER_SEC), .tv_nsec = (long)(ns % NSEC_PER_SEC) };

	/* bounded: at most a few restarts after signals */
	for (int i = 0; i < 100 && nanosleep(&ts, &ts) < 0 && errno == EINTR; i++)
		;
}

static int read_counters(struct tw_facts *f, uint64_t interval_ns)
{
	struct tw_counters *a = NULL, *b = NULL;
	uint64_t t0, t1;
	int r;

	t0 = now_ns();
	r = ksettings_counters(&a);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;	/* unreadable or malformed: the rules say unknown */
	if (interval_ns) {
		sleep_ns(interval_ns);
		t1 = now_ns();
		r = ksettings_counters(&b);
		if (r == -ENOMEM) {
			tw_counters_free(a);
			return r;
		}
		if (r < 0) {
			tw_counters_free(a);
			return 0;
		}
		f->interval_ns = t1 - t0;
	}
	f->have_counters = true;
	for (size_t i = 0; i < FC_MAX; i++) {
		uint64_t v0, v1;

		if (!tw_counters_get(b ? b : a, counter_names[i], &v1))
			continue;
		f->counter[i].have = true;
		f->counter[i].value = v1;
		if (b && tw_counters_get(a, counter_names[i], &v0)) {
			f->counter[i].have_delta = true;
			f->counter[i].delta = v1 >= v0 ? v1 - v0 : 0;
		}
	}
	tw_counters_free(a);
	tw_counters_free(b);
	return 0;
}

static void fill_census(struct facts_census *fc, const struct census *c)
{
	fc->have = true;
	for (unsigned int s = 0; s < TW_STATE_MAX && s < ARRAY_SIZE(fc->states); s++)
		fc->states[s] = census_total(c, s);
	fc->tw_client = c->tw_side[TW_SIDE_CLIENT];
	fc->tw_server = c->tw_side[TW_SIDE_SERVER];
	fc->tw_unknown = c->tw_side[TW_SIDE_UNKNOWN];
	fc->fw2_orphan = c->fw2_orphan;
	fc->fw2_live = c->fw2_live;
	fc->range_lo = c->conf.range_lo;
	fc->range_hi = c->conf.range_hi;
	fc->range_size = c->range_size;
	fc->reserved_in_range = c->reserved_in_range;
	fc->listeners_in_range = c->listeners_in_range;
	fc->usable = c->usable;
	for (uint32_t p = c->conf.range_lo; p <= c->conf.range_hi && c->range_size; p++)
		if (port_bit(c->listen_ports, (uint16_t)p) && !port_bit(c->conf.reserved, (uint16_t)p) &&
		    fc->n_listen_in_range < FACTS_MAX_LISTEN_SHOWN)
			fc->listen_in_range[fc->n_listen_in_range++] = (uint16_t)p;
	fc->dests_total = c->n_dests;
	for (size_t i = 0; i < c->n_dests && fc->n_dests < FACTS_MAX_DESTS; i++) {
		struct facts_dest *d = &fc->dests[fc->n_dests++];

		addr_format(&c->dests[i].local, d->local, sizeof(d->local));
		addr_format(&c->dests[i].remote, d->remote, sizeof(d->remote));
		d->remote_port = c->dests[i].remote_port;
		d->held = c->dests[i].held;
		d->time_wait = c->dests[i].time_wait;
		d->established = c->dests[i].established;
		d->util_pct = c->dests[i].util_pct;
	}
	fc->servers_total = c->n_servers;
	for (size_t i = 0; i < c->n_servers && fc->n_servers < FACTS_MAX_SERVERS; i++) {
		struct facts_server *s = &fc->servers[fc->n_servers++];

		s->port = c->servers[i].port;
		s->time_wait = c->servers[i].states[TW_TIME_WAIT];
		s->close_wait = c->servers[i].states[TW_CLOSE_WAIT];
		s->established = c->servers[i].states[TW_ESTABLISHED];
		s->total = c->servers[i].total;
	}
}

struct cw_walk {
	struct facts_close_wait *cw;
	struct procowner_hit *hits;
	size_t n_hits;
	uint16_t *hit_port;
};

static int cw_cb(const struct tw_sock *sk, void *data)
{
	struct cw_walk *w = data;
	struct facts_close_wait *cw = w->cw;
	size_t i;

	if (sk->state != TW_CLOSE_WAIT)
		return 0;
	cw->total++;
	if (sk->last_ack_ms != TW_ACK_AGE_UNKNOWN) {
		cw->have_idle = true;
		if (sk->last_ack_ms > cw->oldest_idle_ms)
			cw->oldest_idle_ms = sk->last_ack_ms;
		if (sk->last_ack_ms >= FACTS_CW_STALE_MS)
			cw->stale++;
	}
	for (i = 0; i < cw->n_ports; i++)
		if (cw->ports[i].port == sk->sport)
			break;
	if (i == cw->n_ports && cw->n_ports < FACTS_MAX_CW_PORTS)
		cw->ports[cw->n_ports++].port = sk->sport;
	if (i < cw->n_ports)
		cw->ports[i].count++;
	if (sk->inode && w->n_hits < FACTS_MAX_CW_INODES) {
		w->hit_port[w->n_hits] = sk->sport;
		w->hits[w->n_hits].inode = sk->inode;
		w->hits[w->n_hits].pid = 0;
		w->n_hits++;
	}
	return 0;
}

static int cmp_cw_port(const void *a, const void *b)
{
	const struct facts_cw_port *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->port - y->port;
}

static int cmp_owner(const void *a, const void *b)
{
	const struct facts_owner *x = a, *y = b;

	if (x->sockets != y->sockets)
		return x->sockets > y->sockets ? -1 : 1;
	return x->pid - y->pid;
}

static void add_owner(struct facts_close_wait *cw, int pid, const char *comm, uint16_t port)
{
	for (size_t i = 0; i < cw->n_owners; i++)
		if (cw->owners[i].pid == pid) {
			cw->owners[i].sockets++;
			return;
		}
	if (cw->n_owners >= FACTS_MAX_OWNERS)
		return;
	cw->owners[cw->n_owners].pid = pid;
	snprintf(cw->owners[cw->n_owners].comm, FACTS_COMM_LEN, "%s", comm);
	cw->owners[cw->n_owners].port = port;
	cw->owners[cw->n_owners].sockets = 1;
	cw->n_owners++;
}

struct inode_port {
	uint32_t inode;
	uint16_t port;
};

static int cmp_inode_port(const void *a, const void *b)
{
	const struct inode_port *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/*
 * Find the processes holding the n CLOSE_WAIT sockets in hits (hit_port[i]
 * is the local port of hits[i]). procowner_scan() reorders hits, so the
 * ports are looked up by inode afterwards: sorted, in O(n log n).
 */
static void name_owners(struct facts_close_wait *cw, struct procowner_hit *hits,
			const uint16_t *hit_port, size_t n)
{
	_cleanup_free_ struct inode_port *map = calloc(n, sizeof(*map));
	bool partial = false;

	if (!map)
		return;
	for (size_t i = 0; i < n; i++)
		map[i] = (struct inode_port){ .inode = hits[i].inode, .port = hit_port[i] };
	qsort(map, n, sizeof(*map), cmp_inode_port);
	if (procowner_scan(hits, n, &partial) < 0)
		return;
	cw->owners_scanned = true;
	cw->owners_partial = partial;
	for (size_t i = 0; i < n; i++) {
		struct inode_port key = { .inode = hits[i].inode }, *m;

		if (!hits[i].pid)
			continue;
		m = bsearch(&key, map, n, sizeof(*map), cmp_inode_port);
		add_owner(cw, hits[i].pid, hits[i].comm, m ? m->port : 0);
	}
	qsort(cw->owners, cw->n_owners, sizeof(cw->owners[0]), cmp_owner);
}

static int collect_close_wait(struct facts_close_wait *cw)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct procowner_hit *hits;
	struct sockdiag *sd = NULL;
	struct cw_walk w = { .cw = cw };
	int r;

	hits = calloc(FACTS_MAX_CW_INODES, sizeof(*hits));
	w.hit_port = calloc(FACTS_MAX_CW_INODES, sizeof(*w.hit_port));
	if (!hits || !w.hit_port) {
		free(hits);
		free(w.hit_port);
		return -ENOMEM;
	}
	w.hits = hits;
	r = sockdiag_open(&sd);
	if (r == 0)
		sockdiag_want_info(sd);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(fams); i++) {
		r = sockdiag_dump(sd, fams[i], TW_STATE_BIT(TW_CLOSE_WAIT), cw_cb, &w, NULL);
		/* no IPv6 in this kernel is not an error */
		if (r < 0 && fams[i] == AF_INET6 && r != -ENOMEM)
			r = 0;
	}
	sockdiag_close(sd);
	if (r == 0) {
		cw->have = true;
		qsort(cw->ports, cw->n_ports, sizeof(cw->ports[0]), cmp_cw_port);
		if (w.n_hits)
			name_owners(cw, hits, w.hit_port, w.n_hits);
		else
			cw->owners_scanned = true;
	}
	free(hits);
	free(w.hit_port);
	return r == -ENOMEM ? r : 0;
}

int facts_collect(struct tw_facts *f, uint64_t interval_ns, int *ret_census_err)
{
	return facts_collect_with(f, interval_ns, NULL, ret_census_err);
}

int facts_collect_with(struct tw_facts *f, uint64_t interval_ns, const struct census *census,
		       int *ret_census_err)
{
	struct census_filter filter = { .v4 = true, .v6 = true, .port = -1, .dst_port = -1 };
	struct collect_result res;
	int r;

	*ret_census_err = 0;
	if (ksettings_kernel_release(f->kernel, sizeof(f->kernel)) < 0)
		f->kernel[0] = '\0';
	r = read_sysctls(f);
	if (r < 0)
		return r;
	r = read_counters(f, interval_ns);
	if (r < 0)
		return r;
	f->have_sockstat = ksettings_sockstat(&f->sockstat) == 0;
	f->tw_objsize_measured = ksettings_slab_objsize("tw_sock_TCP", &f->tw_objsize) == 0 &&
				 f->tw_objsize > 0;
	if (!f->tw_objsize_measured)
		f->tw_objsize = FACTS_TW_OBJSIZE_FALLBACK;
	if (census) {
		fill_census(&f->census, census);
	} else {
		r = collect_census(&filter, NULL, &res);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			*ret_census_err = r;
		} else {
			fill_census(&f->census, res.census);
			collect_result_done(&res);
		}
	}
	r = collect_close_wait(&f->close_wait);
	if (r < 0)
		return r;
	r = sysconf_scan(&f->sysconf);
	if (r < 0)
		return r;
	f->have_sysconf = true;
	return 0;
}

/* --- bundle: facts -> JSON --------------------------------------------- */

static void add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static struct json_object *census_json(const struct facts_census *c)
{
	struct json_object *o = json_object_new_object();
	struct json_object *st = json_object_new_object();
	struct json_object *tw = json_object_new_object();
	struct json_object *fw = json_object_new_object();
	struct json_object *pr = json_object_new_object();
	struct json_object *ds = json_object_new_array();
	struct json_object *sv = json_object_new_array();

	for (unsigned int s = 1; s < ARRAY_SIZE(c->states); s++)
		if (tcpstate_name(s))
			add_u64(st, tcpstate_name(s), c->states[s]);
	json_object_object_add(o, "states", st);
	add_u64(tw, "client", c->tw_client);
	add_u64(tw, "server", c->tw_server);
	add_u64(tw, "unknown", c->tw_unknown);
	json_object_object_add(o, "time_wait", tw);
	add_u64(fw, "orphan", c->fw2_orphan);
	add_u64(fw, "live", c->fw2_live);
	json_object_object_add(o, "fin_wait2", fw);
	add_u64(pr, "lo", c->range_lo);
	add_u64(pr, "hi", c->range_hi);
	add_u64(pr, "size", c->range_size);
	add_u64(pr, "reserved", c->reserved_in_range);
	add_u64(pr, "listening", c->listeners_in_range);
	add_u64(pr, "usable", c->usable);
	{
		struct json_object *lp = json_object_new_array();

		for (size_t i = 0; i < c->n_listen_in_range; i++)
			json_object_array_add(lp, json_object_new_int(c->listen_in_range[i]));
		json_object_object_add(pr, "listening_ports", lp);
	}
	json_object_object_add(o, "port_range", pr);
	add_u64(o, "destinations_total", c->dests_total);
	for (size_t i = 0; i < c->n_dests; i++) {
		const struct facts_dest *d = &c->dests[i];
		struct json_object *x = json_object_new_object();

		add_str(x, "local", d->local);
		add_str(x, "remote", d->remote);
		add_u64(x, "remote_port", d->remote_port);
		add_u64(x, "held", d->held);
		add_u64(x, "time_wait", d->time_wait);
		add_u64(x, "established", d->established);
		json_object_object_add(x, "utilization_pct", json_object_new_double(d->util_pct));
		json_object_array_add(ds, x);
	}
	json_object_object_add(o, "destinations", ds);
	add_u64(o, "server_ports_total", c->servers_total);
	for (size_t i = 0; i < c->n_servers; i++) {
		const struct facts_server *s = &c->servers[i];
		struct json_object *x = json_object_new_object();

		add_u64(x, "port", s->port);
		add_u64(x, "time_wait", s->time_wait);
		add_u64(x, "close_wait", s->close_wait);
		add_u64(x, "established", s->established);
		add_u64(x, "total", s->total);
		json_object_array_add(sv, x);
	}
	json_object_object_add(o, "server_ports", sv);
	return o;
}

static struct json_object *close_wait_json(const struct facts_close_wait *cw)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ports = json_object_new_array();
	struct json_object *owners = json_object_new_array();

	add_u64(o, "total", cw->total);
	if (cw->have_idle) {
		add_u64(o, "oldest_idle_ms", cw->oldest_idle_ms);
		add_u64(o, "stale", cw->stale);
	}
	for (size_t i = 0; i < cw->n_ports; i++) {
		struct json_object *x = json_object_new_object();

		add_u64(x, "port", cw->ports[i].port);
		add_u64(x, "count", cw->ports[i].count);
		json_object_array_add(ports, x);
	}
	json_object_object_add(o, "ports", ports);
	json_object_object_add(o, "owners_scanned", json_object_new_boolean(cw->owners_scanned));
	json_object_object_add(o, "owners_partial", json_object_new_boolean(cw->owners_partial));
	for (size_t i = 0; i < cw->n_owners; i++) {
		struct json_object *x = json_object_new_object();

		add_u64(x, "pid", (uint64_t)cw->owners[i].pid);
		add_str(x, "comm", cw->owners[i].comm);
		add_u64(x, "port", cw->owners[i].port);
		add_u64(x, "sockets", cw->owners[i].sockets);
		json_object_array_add(owners, x);
	}
	json_object_object_add(o, "owners", owners);
	return o;
}

struct json_object *facts_to_json(const struct tw_facts *f)
{
	struct json_object *o = json_object_new_object();
	struct json_object *sys, *errs, *cnt;

	if (!o)
		return NULL;
	add_u64(o, "schema", FACTS_SCHEMA);
	add_str(o, "kind", FACTS_KIND);
	add_str(o, "twscope_version", TW_VERSION);
	add_str(o, "kernel", f->kernel);
	add_str(o, "netns", f->netns);
	json_object_object_add(o, "interval_sec",
			       json_object_new_double((double)f->interval_ns / NSEC_PER_SEC));
	sys = json_object_new_object();
	errs = json_object_new_array();
	for (size_t i = 0; i < FS_MAX; i++) {
		if (f->sysctl[i].present)
			add_str(sys, sysctl_names[i], f->sysctl[i].value);
		else if (f->sysctl[i].error)
			json_object_array_add(errs, json_object_new_string(sysctl_names[i]));
	}
	json_object_object_add(o, "sysctls", sys);
	json_object_object_add(o, "sysctl_errors", errs);
	cnt = NULL;
	if (f->have_counters) {
		cnt = json_object_new_object();
		for (size_t i = 0; i < FC_MAX; i++) {
			struct json_object *x;

			if (!f->counter[i].have)
				continue;
			x = json_object_new_object();
			add_u64(x, "value", f->counter[i].value);
			if (f->counter[i].have_delta)
				add_u64(x, "delta", f->counter[i].delta);
			json_object_object_add(cnt, counter_names[i], x);
		}
	}
	json_object_object_add(o, "counters", cnt);
	if (f->have_sockstat) {
		struct json_object *s = json_object_new_object();

		add_u64(s, "tcp_inuse", f->sockstat.tcp_inuse);
		add_u64(s, "tcp_orphan", f->sockstat.tcp_orphan);
		add_u64(s, "tcp_tw", f->sockstat.tcp_tw);
		add_u64(s, "tcp_alloc", f->sockstat.tcp_alloc);
		add_u64(s, "tcp_mem_pages", f->sockstat.tcp_mem_pages);
		add_u64(s, "tcp6_inuse", f->sockstat.tcp6_inuse);
		json_object_object_add(o, "sockstat", s);
	} else {
		json_object_object_add(o, "sockstat", NULL);
	}
	add_u64(o, "tw_objsize_bytes", f->tw_objsize);
	json_object_object_add(o, "tw_objsize_measured", json_object_new_boolean(f->tw_objsize_measured));
	json_object_object_add(o, "census", f->census.have ? census_json(&f->census) : NULL);
	json_object_object_add(o, "close_wait", f->close_wait.have ? close_wait_json(&f->close_wait) : NULL);
	if (f->have_sysconf) {
		struct json_object *c = json_object_new_object();
		struct json_object *lines = json_object_new_array();

		add_u64(c, "files", f->sysconf.files);
		json_object_object_add(c, "truncated", json_object_new_boolean(f->sysconf.truncated));
		for (size_t i = 0; i < f->sysconf.n; i++) {
			struct json_object *x = json_object_new_object();

			add_str(x, "file", f->sysconf.v[i].file);
			add_u64(x, "line", f->sysconf.v[i].line);
			add_str(x, "key", f->sysconf.v[i].key);
			add_str(x, "value", f->sysconf.v[i].value);
			json_object_array_add(lines, x);
		}
		json_object_object_add(c, "lines", lines);
		json_object_object_add(o, "sysctl_config", c);
	} else {
		json_object_object_add(o, "sysctl_config", NULL);
	}
	return o;
}

/* --- bundle: JSON -> facts (strict) ------------------------------------ */

struct jload {
	char *err;
	size_t len;
};

static int jfail(struct jload *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int jfail(struct jload *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->err, j->len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The member key of o, which must be of type t (or null when nullable). 1 found, 0 absent/null. */
static int jget(struct jload *j, struct json_object *o, const char *key, enum json_type t, bool required,
		struct json_object **ret)
{
	struct json_object *v = NULL;

	*ret = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v) {
		if (required)
			return jfail(j, "'%s' is missing", key);
		return 0;
	}
	if (t == json_type_double && json_object_is_type(v, json_type_int))
		t = json_type_int;
	if (!json_object_is_type(v, t))
		return jfail(j, "'%s' has the wrong type (%s expected)", key, json_type_to_name(t));
	*ret = v;
	return 1;
}

static int jget_u64(struct jload *j, struct json_object *o, const char *key, bool required, uint64_t max,
		    uint64_t *ret)
{
	struct json_object *v;
	int r = jget(j, o, key, json_type_int, required, &v);

	if (r <= 0)
		return r;
	errno = 0;
	if (json_object_get_int64(v) < 0 && json_object_get_uint64(v) == 0)
		return jfail(j, "'%s' must not be negative", key);
	*ret = json_object_get_uint64(v);
	if (errno || *ret > max)
		return jfail(j, "'%s' is out of range", key);
	return 1;
}

static int jget_u32(struct jload *j, struct json_object *o, const char *key, uint32_t max, uint32_t *ret)
{
	uint64_t v = 0;
	int r = jget_u64(j, o, key, true, max, &v);

	if (r > 0)
		*ret = (uint32_t)v;
	return r;
}

static int jget_str(struct jload *j, struct json_object *o, const char *key, bool required, char *buf,
		    size_t len)
{
	struct json_object *v;
	int r = jget(j, o, key, json_type_string, required, &v);

	if (r <= 0)
		return r;
	if ((size_t)json_object_get_string_len(v) >= len)
		return jfail(j, "'%s' is too long", key);
	snprintf(buf, len, "%s", json_object_get_string(v));
	return 1;
}

static int jget_bool(struct jload *j, struct json_object *o, const char *key, bool *ret)
{
	struct json_object *v;
	int r = jget(j, o, key, json_type_boolean, true, &v);

	if (r > 0)
		*ret = json_object_get_boolean(v);
	return r;
}

#define TRY(x)                  \
	do {                    \
		int _r = (x);   \
		if (_r < 0)     \
			return _r; \
	} while (0)

static int load_census(struct jload *j, struct json_object *o, struct facts_census *c)
{
	struct json_object *x, *arr;
	size_t n;

	TRY(jget(j, o, "states", json_type_object, true, &x));
	for (unsigned int s = 1; s < ARRAY_SIZE(c->states); s++)
		if (tcpstate_name(s))
			TRY(jget_u64(j, x, tcpstate_name(s), false, UINT64_MAX, &c->states[s]));
	TRY(jget(j, o, "time_wait", json_type_object, true, &x));
	TRY(jget_u64(j, x, "client", true, UINT64_MAX, &c->tw_client));
	TRY(jget_u64(j, x, "server", true, UINT64_MAX, &c->tw_server));
	TRY(jget_u64(j, x, "unknown", true, UINT64_MAX, &c->tw_unknown));
	TRY(jget(j, o, "fin_wait2", json_type_object, true, &x));
	TRY(jget_u64(j, x, "orphan", true, UINT64_MAX, &c->fw2_orphan));
	TRY(jget_u64(j, x, "live", true, UINT64_MAX, &c->fw2_live));
	TRY(jget(j, o, "port_range", json_type_object, true, &x));
	TRY(jget_u32(j, x, "lo", 65535, &c->range_lo));
	TRY(jget_u32(j, x, "hi", 65535, &c->range_hi));
	TRY(jget_u32(j, x, "size", 65536, &c->range_size));
	TRY(jget_u32(j, x, "reserved", 65536, &c->reserved_in_range));
	TRY(jget_u32(j, x, "listening", 65536, &c->listeners_in_range));
	TRY(jget_u32(j, x, "usable", 65536, &c->usable));
	{
		struct json_object *lp;

		TRY(jget(j, x, "listening_ports", json_type_array, false, &lp));
		for (size_t i = 0; lp && i < json_object_array_length(lp); i++) {
			struct json_object *e = json_object_array_get_idx(lp, i);

			if (!json_object_is_type(e, json_type_int) || json_object_get_int64(e) < 0 ||
			    json_object_get_int64(e) > 65535 || i >= FACTS_MAX_LISTEN_SHOWN)
				return jfail(j, "'listening_ports' must hold at most %d ports",
					     FACTS_MAX_LISTEN_SHOWN);
			c->listen_in_range[c->n_listen_in_range++] = (uint16_t)json_object_get_int64(e);
		}
	}
	TRY(jget_u64(j, o, "destinations_total", true, UINT64_MAX, &c->dests_total));
	TRY(jget(j, o, "destinations", json_type_array, true, &arr));
	n = json_object_array_length(arr);
	if (n > FACTS_MAX_DESTS)
		return jfail(j, "too many destinations (%zu > %d)", n, FACTS_MAX_DESTS);
	for (size_t i = 0; i < n; i++) {
		struct facts_dest *d = &c->dests[i];
		struct json_object *e = json_object_array_get_idx(arr, i), *u;
		uint64_t v = 0;

		if (!json_object_is_type(e, json_type_object))
			return jfail(j, "destinations[%zu] is not an object", i);
		TRY(jget_str(j, e, "local", true, d->local, sizeof(d->local)));
		TRY(jget_str(j, e, "remote", true, d->remote, sizeof(d->remote)));
		TRY(jget_u64(j, e, "remote_port", true, 65535, &v));
		d->remote_port = (uint16_t)v;
		TRY(jget_u64(j, e, "held", true, UINT64_MAX, &d->held));
		TRY(jget_u64(j, e, "time_wait", true, UINT64_MAX, &d->time_wait));
		TRY(jget_u64(j, e, "established", true, UINT64_MAX, &d->established));
		TRY(jget(j, e, "utilization_pct", json_type_double, true, &u));
		d->util_pct = json_object_get_double(u);
		if (!(d->util_pct >= 0 && d->util_pct <= 100000))
			return jfail(j, "'utilization_pct' is out of range");
	}
	c->n_dests = n;
	TRY(jget_u64(j, o, "server_ports_total", true, UINT64_MAX, &c->servers_total));
	TRY(jget(j, o, "server_ports", json_type_array, true, &arr));
	n = json_object_array_length(arr);
	if (n > FACTS_MAX_SERVERS)
		return jfail(j, "too many server ports (%zu > %d)", n, FACTS_MAX_SERVERS);
	for (size_t i = 0; i < n; i++) {
		struct facts_server *s = &c->servers[i];
		struct json_object *e = json_object_array_get_idx(arr, i);
		uint64_t v = 0;

		if (!json_object_is_type(e, json_type_object))
			return jfail(j, "server_ports[%zu] is not an object", i);
		TRY(jget_u64(j, e, "port", true, 65535, &v));
		s->port = (uint16_t)v;
		TRY(jget_u64(j, e, "time_wait", true, UINT64_MAX, &s->time_wait));
		TRY(jget_u64(j, e, "close_wait", true, UINT64_MAX, &s->close_wait));
		TRY(jget_u64(j, e, "established", true, UINT64_MAX, &s->established));
		TRY(jget_u64(j, e, "total", true, UINT64_MAX, &s->total));
	}
	c->n_servers = n;
	c->have = true;
	return 0;
}

static int load_close_wait(struct jload *j, struct json_object *o, struct facts_close_wait *cw)
{
	struct json_object *arr;
	size_t n;

	TRY(jget_u64(j, o, "total", true, UINT64_MAX, &cw->total));
	/* Bundles from before idle times were kept have neither key. */
	if (json_object_object_get_ex(o, "oldest_idle_ms", NULL)) {
		TRY(jget_u64(j, o, "oldest_idle_ms", true, UINT64_MAX, &cw->oldest_idle_ms));
		TRY(jget_u64(j, o, "stale", true, cw->total, &cw->stale));
		cw->have_idle = true;
	}
	TRY(jget(j, o, "ports", json_type_array, true, &arr));
	n = json_object_array_length(arr);
	if (n > FACTS_MAX_CW_PORTS)
		return jfail(j, "too many close_wait ports");
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		uint64_t v = 0;

		if (!json_object_is_type(e, json_type_object))
			return jfail(j, "close_wait.ports[%zu] is not an object", i);
		TRY(jget_u64(j, e, "port", true, 65535, &v));
		cw->ports[i].port = (uint16_t)v;
		TRY(jget_u64(j, e, "count", true, UINT64_MAX, &cw->ports[i].count));
	}
	cw->n_ports = n;
	TRY(jget_bool(j, o, "owners_scanned", &cw->owners_scanned));
	TRY(jget_bool(j, o, "owners_partial", &cw->owners_partial));
	TRY(jget(j, o, "owners", json_type_array, true, &arr));
	n = json_object_array_length(arr);
	if (n > FACTS_MAX_OWNERS)
		return jfail(j, "too many close_wait owners");
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		uint64_t v = 0;

		if (!json_object_is_type(e, json_type_object))
			return jfail(j, "close_wait.owners[%zu] is not an object", i);
		TRY(jget_u64(j, e, "pid", true, INT32_MAX, &v));
		cw->owners[i].pid = (int)v;
		TRY(jget_str(j, e, "comm", true, cw->owners[i].comm, sizeof(cw->owners[i].comm)));
		TRY(jget_u64(j, e, "port", true, 65535, &v));
		cw->owners[i].port = (uint16_t)v;
		TRY(jget_u64(j, e, "sockets", true, UINT64_MAX, &cw->owners[i].sockets));
	}
	cw->n_owners = n;
	cw->have = true;
	return 0;
}

static int load_sysconf(struct jload *j, struct json_object *o, struct sysconf *sc)
{
	struct json_object *arr;
	uint64_t files = 0;
	size_t n;

	TRY(jget_u64(j, o, "files", true, SYSCONF_MAX_FILES, &files));
	sc->files = files;
	TRY(jget_bool(j, o, "truncated", &sc->truncated));
	TRY(jget(j, o, "lines", json_type_array, true, &arr));
	n = json_object_array_length(arr);
	if (n > SYSCONF_MAX_ENTRIES)
		return jfail(j, "too many sysctl_config lines");
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		char file[4096], key[128], value[512];
		uint64_t line = 0;
		int r;

		if (!json_object_is_type(e, json_type_object))
			return jfail(j, "sysctl_config.lines[%zu] is not an object", i);
		TRY(jget_str(j, e, "file", true, file, sizeof(file)));
		TRY(jget_u64(j, e, "line", true, UINT32_MAX, &line));
		TRY(jget_str(j, e, "key", true, key, sizeof(key)));
		TRY(jget_str(j, e, "value", true, value, sizeof(value)));
		r = sysconf_add(sc, file, (unsigned int)line, key, value);
		if (r < 0)
			return r == -ENOMEM ? r : jfail(j, "too many sysctl_config lines");
	}
	return 0;
}

static int load_counters(struct jload *j, struct json_object *o, struct tw_facts *f)
{
	f->have_counters = true;
	for (size_t i = 0; i < FC_MAX; i++) {
		struct json_object *x;
		uint64_t v = 0, d = 0;
		int r, rd;

		r = jget(j, o, counter_names[i], json_type_object, false, &x);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		TRY(jget_u64(j, x, "value", true, UINT64_MAX, &v));
		rd = jget_u64(j, x, "delta", false, UINT64_MAX, &d);
		if (rd < 0)
			return rd;
		facts_set_counter(f, (enum facts_counter_id)i, v, rd > 0, d);
	}
	return 0;
}

static int load_all(struct jload *j, struct json_object *o, struct tw_facts *f)
{
	struct json_object *x;
	char kind[64];
	uint64_t schema = 0;
	double interval;

	if (!json_object_is_type(o, json_type_object))
		return jfail(j, "the bundle is not a JSON object");
	TRY(jget_str(j, o, "kind", true, kind, sizeof(kind)));
	if (strcmp(kind, FACTS_KIND) != 0)
		return jfail(j, "not a doctor bundle (kind '%s')", kind);
	TRY(jget_u64(j, o, "schema", true, UINT32_MAX, &schema));
	if (schema != FACTS_SCHEMA)
		return jfail(j, "unsupported bundle schema %llu (this twscope reads %d)",
			     (unsigned long long)schema, FACTS_SCHEMA);
	TRY(jget_str(j, o, "kernel", true, f->kernel, sizeof(f->kernel)));
	TRY(jget_str(j, o, "netns", false, f->netns, sizeof(f->netns)));
	TRY(jget(j, o, "interval_sec", json_type_double, true, &x));
	interval = json_object_get_double(x);
	if (!(interval >= 0 && interval <= 3600))
		return jfail(j, "'interval_sec' is out of range");
	f->interval_ns = (uint64_t)(interval * NSEC_PER_SEC + 0.5);
	TRY(jget(j, o, "sysctls", json_type_object, true, &x));
	{
		struct json_object_iterator it = json_object_iter_begin(x), end = json_object_iter_end(x);

		for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
			const char *name = json_object_iter_peek_name(&it);
			struct json_object *v = json_object_iter_peek_value(&it);
			size_t i;

			for (i = 0; i < FS_MAX; i++)
				if (strcmp(name, sysctl_names[i]) == 0)
					break;
			if (i == FS_MAX)
				continue;	/* newer bundle: ignore unknown sysctls */
			if (!json_object_is_type(v, json_type_string))
				return jfail(j, "sysctl '%s' is not a string", name);
			if (json_object_get_string_len(v) > 65536)
				return jfail(j, "sysctl '%s' is too long", name);
			TRY(facts_set_sysctl(f, (enum facts_sysctl_id)i, json_object_get_string(v)));
		}
	}
	if (jget(j, o, "sysctl_errors", json_type_array, false, &x) < 0)
		return -EINVAL;
	for (size_t i = 0; x && i < json_object_array_length(x); i++) {
		struct json_object *e = json_object_array_get_idx(x, i);

		if (!json_object_is_type(e, json_type_string))
			return jfail(j, "sysctl_errors[%zu] is not a string", i);
		for (size_t k = 0; k < FS_MAX; k++)
			if (strcmp(json_object_get_string(e), sysctl_names[k]) == 0 && !f->sysctl[k].present)
				f->sysctl[k].error = true;
	}
	if (jget(j, o, "counters", json_type_object, false, &x) < 0)
		return -EINVAL;
	if (x)
		TRY(load_counters(j, x, f));
	if (jget(j, o, "sockstat", json_type_object, false, &x) < 0)
		return -EINVAL;
	if (x) {
		TRY(jget_u64(j, x, "tcp_inuse", true, UINT64_MAX, &f->sockstat.tcp_inuse));
		TRY(jget_u64(j, x, "tcp_orphan", true, UINT64_MAX, &f->sockstat.tcp_orphan));
		TRY(jget_u64(j, x, "tcp_tw", true, UINT64_MAX, &f->sockstat.tcp_tw));
		TRY(jget_u64(j, x, "tcp_alloc", true, UINT64_MAX, &f->sockstat.tcp_alloc));
		TRY(jget_u64(j, x, "tcp_mem_pages", true, UINT64_MAX, &f->sockstat.tcp_mem_pages));
		TRY(jget_u64(j, x, "tcp6_inuse", false, UINT64_MAX, &f->sockstat.tcp6_inuse));
		f->sockstat.have_tcp = true;
		f->have_sockstat = true;
	}
	TRY(jget_u64(j, o, "tw_objsize_bytes", true, 1 << 20, &f->tw_objsize));
	if (f->tw_objsize == 0)
		return jfail(j, "'tw_objsize_bytes' must be positive");
	TRY(jget_bool(j, o, "tw_objsize_measured", &f->tw_objsize_measured));
	if (jget(j, o, "census", json_type_object, false, &x) < 0)
		return -EINVAL;
	if (x)
		TRY(load_census(j, x, &f->census));
	if (jget(j, o, "close_wait", json_type_object, false, &x) < 0)
		return -EINVAL;
	if (x)
		TRY(load_close_wait(j, x, &f->close_wait));
	if (jget(j, o, "sysctl_config", json_type_object, false, &x) < 0)
		return -EINVAL;
	if (x) {
		TRY(load_sysconf(j, x, &f->sysconf));
		f->have_sysconf = true;
	}
	return 0;
}

int facts_from_json(struct json_object *o, struct tw_facts *f, char *err, size_t err_len)
{
	struct jload j = { .err = err, .len = err_len };
	int r;

	if (err_len)
		err[0] = '\0';
	r = load_all(&j, o, f);
	if (r < 0) {
		if (r == -ENOMEM)
			snprintf(err, err_len, "out of memory");
		facts_done(f);
	}
	return r;
}

int facts_load_file(const char *path, struct tw_facts *f, char *err, size_t err_len)
{
	_cleanup_free_ char *buf = NULL;
	char full[PATH_MAX];
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error jerr;
	int r;

	/* read_small_file() resolves relative paths under /proc: make it absolute */
	if (path[0] != '/') {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(full, sizeof(full), "%s/%s", cwd, path) >= (int)sizeof(full))
			return -ENAMETOOLONG;
		path = full;
	}
	r = read_small_file(path, FACTS_BUNDLE_MAX_BYTES, &buf);
	if (r < 0) {
		snprintf(err, err_len, "cannot read '%s': %s", path, strerror(-r));
		return r;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, buf, (int)strlen(buf));
	jerr = json_tokener_get_error(tok);
	if (!o || jerr != json_tokener_success || tok->char_offset != (int)strlen(buf)) {
		/* allow trailing whitespace only */
		size_t off = o ? (size_t)tok->char_offset : 0;

		if (!o || jerr != json_tokener_success || buf[off + strspn(buf + off, " \t\r\n")]) {
			snprintf(err, err_len, "'%s' is not valid JSON%s%s", path, o ? "" : ": ",
				 o ? "" : json_tokener_error_desc(jerr));
			json_object_put(o);
			json_tokener_free(tok);
			return -EINVAL;
		}
	}
	json_tokener_free(tok);
	r = facts_from_json(o, f, err, err_len);
	json_object_put(o);
	return r;
}
