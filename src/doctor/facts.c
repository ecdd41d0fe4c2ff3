// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * facts: collect what doctor's rules need from the current network namespace
 * (sysctls, two counter samples, sockstat, slab size, census, CLOSE_WAIT
 * owners, sysctl config lines). Saving and loading bundles is src/bundle/.
 * No rules and no printing here.
 */
#include "doctor/facts.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "census.h"
#include "collect.h"
#include "doctor/culprit.h"
#include "outlook.h"
#include "doctor/procowner.h"
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
		d->have_closes = true;
		d->closes = c->dests[i].closes;
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

void facts_dest_outlook(const struct facts_census *c, const struct facts_dest *d,
			struct tw_outlook *ret)
{
	struct census_closes none;

	census_closes_init(&none);
	outlook_compute(d->have_closes ? &d->closes : &none, d->held, d->time_wait, c->usable, ret);
}

const char *facts_runtime_name(enum tw_runtime r)
{
	return r == TW_RUNTIME_GO ? "go" : "";
}

int facts_runtime_parse(const char *s, enum tw_runtime *ret)
{
	if (strcmp(s, "go") == 0)
		*ret = TW_RUNTIME_GO;
	else if (!*s)
		*ret = TW_RUNTIME_UNKNOWN;
	else
		return -EINVAL;
	return 0;
}

/* How hot a destination is: its use now or where its close rate leads, whichever is higher. */
static double dest_heat(const struct facts_census *fc, const struct facts_dest *d)
{
	struct tw_outlook ol;

	facts_dest_outlook(fc, d, &ol);
	return ol.projected_util_pct > d->util_pct ? ol.projected_util_pct : d->util_pct;
}

/*
 * Name the processes behind the hottest destinations (fc->dests[i] is
 * c->dests[i]). Only when one is at FACTS_CULPRIT_MIN_PCT: the scan walks
 * /proc. A failed scan leaves culprits_scanned false ("unknown").
 */
static int collect_culprits(struct facts_census *fc, const struct census *c)
{
	struct culprit_dest cd[FACTS_MAX_CULPRIT_DESTS];
	size_t idx[FACTS_MAX_CULPRIT_DESTS], n = 0;
	bool partial;
	int r;

	for (size_t i = 0; i < fc->n_dests && i < c->n_dests; i++) {
		double heat = dest_heat(fc, &fc->dests[i]);
		size_t pos = n;

		if (heat < FACTS_CULPRIT_MIN_PCT)
			continue;
		/* keep the hottest FACTS_MAX_CULPRIT_DESTS, hottest first */
		while (pos > 0 && dest_heat(fc, &fc->dests[idx[pos - 1]]) < heat)
			pos--;
		if (pos == FACTS_MAX_CULPRIT_DESTS)
			continue;
		if (n < FACTS_MAX_CULPRIT_DESTS)
			n++;
		memmove(&idx[pos + 1], &idx[pos], (n - 1 - pos) * sizeof(idx[0]));
		idx[pos] = i;
	}
	if (!n)
		return 0;
	for (size_t k = 0; k < n; k++)
		cd[k] = (struct culprit_dest){ .local = c->dests[idx[k]].local,
					       .remote = c->dests[idx[k]].remote,
					       .remote_port = c->dests[idx[k]].remote_port };
	r = culprit_scan(cd, n, &partial);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;
	for (size_t k = 0; k < n; k++) {
		struct facts_dest *d = &fc->dests[idx[k]];

		d->culprits_scanned = true;
		d->culprits_partial = partial;
		d->live = cd[k].live;
		d->unowned = cd[k].unowned;
		d->n_culprits = cd[k].n_owners < FACTS_MAX_CULPRITS ? cd[k].n_owners : FACTS_MAX_CULPRITS;
		for (size_t o = 0; o < d->n_culprits; o++) {
			const struct culprit_owner *co = &cd[k].owners[o];
			struct facts_culprit *fcu = &d->culprits[o];

			fcu->pid = co->pid;
			fcu->pids = co->pids;
			fcu->sockets = co->sockets;
			fcu->runtime = co->runtime;
			snprintf(fcu->comm, sizeof(fcu->comm), "%s", co->comm);
			snprintf(fcu->cgroup, sizeof(fcu->cgroup), "%s", co->cgroup);
		}
	}
	return 0;
}

/* Name the process listening on the server ports with the most TIME_WAIT. */
static int collect_listeners(struct facts_census *fc)
{
	struct culprit_listener l[FACTS_MAX_LISTENER_PORTS];
	size_t idx[FACTS_MAX_LISTENER_PORTS], n = 0;
	bool partial;
	int r;

	/* servers are sorted by TIME_WAIT, most first */
	for (size_t i = 0; i < fc->n_servers && n < FACTS_MAX_LISTENER_PORTS; i++) {
		if (!fc->servers[i].time_wait)
			continue;
		idx[n] = i;
		l[n++] = (struct culprit_listener){ .port = fc->servers[i].port };
	}
	if (!n)
		return 0;
	r = culprit_listeners(l, n, &partial);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;
	for (size_t k = 0; k < n; k++) {
		struct facts_server *s = &fc->servers[idx[k]];

		s->listener_scanned = true;
		s->listening = l[k].listening;
		s->listener_pid = l[k].pid;
		snprintf(s->listener_comm, sizeof(s->listener_comm), "%s", l[k].comm);
	}
	return 0;
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

#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51	/* compat: remove when libc headers have it (glibc 2.38) */
#endif

/*
 * probe_local_port_range_opt() - does this kernel know IP_LOCAL_PORT_RANGE?
 * Setting 0 (no range: the default) on a fresh socket changes nothing; older
 * kernels answer ENOPROTOOPT. 1, -1, or 0 when no socket could be made.
 */
static int probe_local_port_range_opt(void)
{
	uint32_t zero = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r;

	if (fd < 0)
		return 0;
	r = setsockopt(fd, IPPROTO_IP, IP_LOCAL_PORT_RANGE, &zero, sizeof(zero));
	r = r == 0 ? 1 : errno == ENOPROTOOPT ? -1 : 0;
	(void) close(fd);
	return r;
}

int facts_collect(struct tw_facts *f, uint64_t interval_ns, int *ret_census_err)
{
	return facts_collect_with(f, interval_ns, NULL, ret_census_err);
}

int facts_collect_with(struct tw_facts *f, uint64_t interval_ns, const struct census *census,
		       int *ret_census_err)
{
	struct census_filter filter = { .v4 = true, .v6 = true, .port = -1, .dst_port = -1 };
	struct facts_ct_snapshot *ct_first = NULL;
	struct collect_result res;
	bool no_close_wait = false;
	int r;

	*ret_census_err = 0;
	if (ksettings_kernel_release(f->kernel, sizeof(f->kernel)) < 0)
		f->kernel[0] = '\0';
	r = read_sysctls(f);
	if (r < 0)
		return r;
	if (interval_ns) {
		r = facts_ct_first(&ct_first);
		if (r < 0)
			return r;
	}
	r = read_counters(f, interval_ns);
	if (r == 0)
		r = facts_ct_collect(&f->ct, ct_first);
	facts_ct_snapshot_free(ct_first);
	if (r < 0)
		return r;
	f->have_sockstat = ksettings_sockstat(&f->sockstat) == 0;
	f->local_port_range_opt = probe_local_port_range_opt();
	f->tw_objsize_measured = ksettings_slab_objsize("tw_sock_TCP", &f->tw_objsize) == 0 &&
				 f->tw_objsize > 0;
	if (!f->tw_objsize_measured)
		f->tw_objsize = FACTS_TW_OBJSIZE_FALLBACK;
	if (census) {
		const struct census_filter *cf = &census->conf.filter;

		fill_census(&f->census, census);
		no_close_wait = cf->v4 && cf->v6 && !cf->states && cf->port < 0 && !cf->have_dst &&
				census_total(census, TW_CLOSE_WAIT) == 0;
		r = collect_culprits(&f->census, census);
		if (r == 0)
			r = collect_listeners(&f->census);
	} else {
		r = collect_census(&filter, NULL, &res);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			*ret_census_err = r;
			r = 0;
		} else {
			fill_census(&f->census, res.census);
			no_close_wait = census_total(res.census, TW_CLOSE_WAIT) == 0;
			r = collect_culprits(&f->census, res.census);
			if (r == 0)
				r = collect_listeners(&f->census);
			collect_result_done(&res);
		}
	}
	if (r < 0)
		return r;
	/*
	 * Every dump walks the whole established hash, shared by all namespaces:
	 * when an unfiltered census found no CLOSE_WAIT, a second walk for
	 * them would find none either (short of a race of one dump's length).
	 */
	if (no_close_wait) {
		f->close_wait.have = true;
		f->close_wait.owners_scanned = true;
	} else {
		r = collect_close_wait(&f->close_wait);
		if (r < 0)
			return r;
	}
	r = sysconf_scan(&f->sysconf);
	if (r < 0)
		return r;
	f->have_sysconf = true;
	return 0;
}
