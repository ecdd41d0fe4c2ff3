// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The conntrack report of the current netns: sysctls, per-CPU statistics
 * (with interval deltas), the ctnetlink census and the SNAT pools. It
 * only collects and combines; rendering lives in output-conntrack.c.
 */
#include "conntrack/conntrack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp_view(const void *a, const void *b)
{
	const struct ct_group_view *x = a, *y = b;

	if (x->util_pct != y->util_pct)
		return x->util_pct < y->util_pct ? 1 : -1;
	if (x->g.held != y->g.held)
		return x->g.held < y->g.held ? 1 : -1;
	return memcmp(&x->g.key, &y->g.key, sizeof(x->g.key));
}

int ct_report_finish(struct ct_report *rep)
{
	struct ct_group *g = NULL;
	size_t n = 0;
	int r;

	free(rep->groups);
	rep->groups = NULL;
	rep->n_groups = 0;
	if (!rep->have_census)
		return 0;
	r = ct_census_groups(&rep->census, &g, &n);
	if (r < 0)
		return r;
	rep->groups = calloc(n ? n : 1, sizeof(*rep->groups));
	if (!rep->groups) {
		free(g);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct ct_group_view *v = &rep->groups[i];

		v->g = g[i];
		natpool_for(rep->rules.have ? &rep->rules : NULL, g[i].port_lo, g[i].port_hi, &v->pool);
		v->util_pct = v->pool.size ? 100.0 * (double)g[i].held / v->pool.size : 0;
	}
	free(g);
	rep->n_groups = n;
	qsort(rep->groups, n, sizeof(*rep->groups), cmp_view);
	return 0;
}

/* The netns's addresses; without them the local/forwarded split is unknown, not wrong. */
static void set_local(struct ct_census *c)
{
	struct tw_addr *local = NULL;
	size_t n = 0;

	if (ct_local_addrs(&local, &n) == 0)
		ct_census_set_local(c, local, n);
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * A ctnetlink dump resumes bucket by bucket from the last entry it sent, and
 * entries of any namespace that come and go meanwhile (the hash is shared)
 * could make it skip one (not seen: the one missing entry that prompted this
 * was a RST ending it, docs/kernels.md). When the namespace's own count did
 * not move during the dump but differs from what the dump saw, dump again
 * (bounded).
 */
#define CT_DUMP_TRIES 3

static int dump_consistent(struct nfnl *nl, struct ct_report *rep)
{
	for (int i = 0;; i++) {
		struct ct_settings after;
		int r = ct_dump(nl, &rep->census, &rep->nl);

		if (r < 0 || i + 1 >= CT_DUMP_TRIES || !rep->settings.loaded ||
		    ct_settings_read(&after) < 0 || !after.loaded)
			return r;
		if (after.count != rep->settings.count || rep->census.entries == after.count)
			return 0;
		rep->nl.redumps++;
		ct_census_done(&rep->census);
		r = ct_census_init(&rep->census);
		if (r < 0)
			return r;
		set_local(&rep->census);
	}
}

int ct_report_collect(struct ct_report *rep, uint64_t interval_ns)
{
	struct ct_stats first;
	struct nfnl *nl = NULL;
	bool empty;
	int r;

	memset(rep, 0, sizeof(*rep));
	memset(&first, 0, sizeof(first));
	rep->interval_ns = interval_ns;
	/* An unreadable sysctl leaves settings.loaded false: the census still runs. */
	r = ct_settings_read(&rep->settings);
	if (r == -ENOMEM)
		return r;
	if (ct_stats_read(&first) == 0 && interval_ns) {
		sleep_ns(interval_ns);
		if (ct_stats_read(&rep->stats) == 0)
			ct_stats_delta(&first, &rep->stats, &rep->delta);
	} else if (first.have) {
		rep->stats = first;
	}
	/*
	 * The conntrack hash is shared by every namespace: a dump walks all of
	 * it. nf_conntrack_count is this namespace's own: at 0 there is
	 * nothing to find, so -A over many empty namespaces walks nothing.
	 */
	empty = rep->settings.loaded && rep->settings.count == 0;
	r = ct_census_init(&rep->census);
	if (r < 0)
		return r;
	r = nfnl_open(&nl);
	if (r < 0) {
		rep->census_err = empty ? 0 : r;
		rep->have_census = empty;
		rep->rules_err = r;
		return 0;
	}
	set_local(&rep->census);
	r = empty ? 0 : dump_consistent(nl, rep);
	if (r == -ENOMEM) {
		nfnl_close(nl);
		return r;
	}
	rep->census_err = r;
	rep->have_census = r == 0;
	rep->rules_err = natpool_read(nl, &rep->rules);
	nfnl_close(nl);
	return ct_report_finish(rep);
}

void ct_report_done(struct ct_report *rep)
{
	ct_census_done(&rep->census);
	free(rep->groups);
	rep->groups = NULL;
	rep->n_groups = 0;
}
