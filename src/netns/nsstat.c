// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stat -A collection: two passes over the namespaces with nswalk. Pass 1
 * reads sockstat and the port range (O(1) each); pass 2 runs
 * collect_census() in the busiest ones and in any whose socket count could
 * reach half its ports, since every sock_diag dump walks the whole shared
 * established hash. No printing.
 */
#include "netns/nsstat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "netns/nswalk.h"
#include "util.h"

struct pass {
	const struct nsstat_conf *conf;
	struct nsstat_row *rows;	/* indexed like the nsenum list */
};

static uint64_t sockstat_sockets(const struct tw_sockstat *ss)
{
	return ss->tcp_inuse + ss->tcp6_inuse + ss->tcp_tw;
}

bool nsstat_should_walk(uint64_t sockets, uint32_t range_free)
{
	return sockets > 0 && sockets * 2 >= range_free;
}

static int pass_light(size_t i, int enter_err, void *data)
{
	struct nsstat_row *row = &((struct pass *)data)->rows[i];
	uint8_t reserved[TW_PORT_BITMAP_BYTES];
	uint32_t n_reserved = 0;
	int r;

	row->entry = i;
	row->skip_err = enter_err;
	if (enter_err)
		return 0;
	r = ksettings_sockstat(&row->sockstat);
	if (r < 0) {
		row->skip_err = r;
		return 0;
	}
	row->have_sockstat = true;
	r = ksettings_port_range(&row->range_lo, &row->range_hi);
	if (r < 0) {
		row->skip_err = r;
		return 0;
	}
	if (ksettings_reserved_ports(reserved) == 0)
		for (uint32_t p = row->range_lo; p <= row->range_hi; p++)
			n_reserved += port_bit(reserved, (uint16_t)p);
	row->range_free = (uint32_t)(row->range_hi - row->range_lo + 1) - n_reserved;
	row->sockets = sockstat_sockets(&row->sockstat);
	row->time_wait = row->sockstat.tcp_tw;
	return 0;
}

static int pass_census(size_t i, int enter_err, void *data)
{
	struct pass *p = data;
	struct nsstat_row *row = &p->rows[i];
	const struct census *c;

	if (enter_err) {
		/* gone between the passes */
		row->skip_err = enter_err;
		return 0;
	}
	row->walk_err = collect_census(&p->conf->filter, NULL, &row->res);
	if (row->walk_err == -ENOMEM)
		return -ENOMEM;
	if (row->walk_err < 0)
		return 0;
	row->walked = true;
	c = row->res.census;
	row->sockets = c->sockets;
	row->time_wait = census_total(c, TW_TIME_WAIT);
	for (int s = 0; s < TW_SIDE_MAX; s++)
		row->tw_side[s] = c->tw_side[s];
	row->close_wait = census_total(c, TW_CLOSE_WAIT);
	row->worst = c->n_dests ? &c->dests[0] : NULL;
	row->worst_pct = row->worst ? row->worst->util_pct : 0;
	return 0;
}

static int by_sockets(const void *a, const void *b, void *rows)
{
	const struct nsstat_row *x = &((struct nsstat_row *)rows)[*(const size_t *)a];
	const struct nsstat_row *y = &((struct nsstat_row *)rows)[*(const size_t *)b];

	return x->sockets < y->sockets ? 1 : x->sockets > y->sockets ? -1 : 0;
}

int nsstat_worse(const void *a, const void *b)
{
	const struct nsstat_row *x = a, *y = b;

	if (x->worst_pct != y->worst_pct)
		return x->worst_pct < y->worst_pct ? 1 : -1;
	if (x->time_wait != y->time_wait)
		return x->time_wait < y->time_wait ? 1 : -1;
	if (x->sockets != y->sockets)
		return x->sockets < y->sockets ? 1 : -1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

int nsstat_collect(const struct nsstat_conf *conf, struct nsstat *ret)
{
	struct nsstat s = { 0 };
	struct pass p = { .conf = conf };
	_cleanup_free_ size_t *idx = NULL;
	size_t n_idx = 0, n_walk = 0;
	uint64_t start = now_ns();
	int r;

	r = nsenum_collect(NULL, &s.list);
	if (r < 0)
		return r;
	p.rows = calloc(s.list.n ? s.list.n : 1, sizeof(*p.rows));
	idx = calloc(s.list.n ? s.list.n : 1, sizeof(*idx));
	if (!p.rows || !idx) {
		r = -ENOMEM;
		goto fail;
	}
	r = nswalk_each(&s.list, NULL, s.list.n, pass_light, &p);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < s.list.n; i++)
		if (!p.rows[i].skip_err && p.rows[i].sockets > 0)
			idx[n_idx++] = i;
	qsort_r(idx, n_idx, sizeof(*idx), by_sockets, p.rows);
	/* the busiest walk_max, plus any that could be at 50% of its ports */
	for (size_t k = 0; k < n_idx; k++) {
		const struct nsstat_row *row = &p.rows[idx[k]];

		if (!conf->walk_max || k < conf->walk_max || nsstat_should_walk(row->sockets, row->range_free))
			idx[n_walk++] = idx[k];
	}
	r = nswalk_parallel(&s.list, idx, n_walk, nswalk_threads(n_walk), pass_census, &p);
	if (r < 0)
		goto fail;
	/* split: entered rows worst first, skipped ones apart */
	s.rows = calloc(s.list.n ? s.list.n : 1, sizeof(*s.rows));
	s.skipped = calloc(s.list.n ? s.list.n : 1, sizeof(*s.skipped));
	if (!s.rows || !s.skipped) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < s.list.n; i++) {
		if (p.rows[i].skip_err)
			s.skipped[s.n_skipped++] = p.rows[i];
		else
			s.rows[s.n_rows++] = p.rows[i];
		s.n_walked += p.rows[i].walked;
	}
	/* rows hold pointers into their own census: moving a row keeps them valid */
	qsort(s.rows, s.n_rows, sizeof(*s.rows), nsstat_worse);
	free(p.rows);
	s.duration_ns = now_ns() - start;
	*ret = s;
	return 0;
fail:
	if (p.rows)
		for (size_t i = 0; i < s.list.n; i++)
			collect_result_done(&p.rows[i].res);
	free(p.rows);
	nsstat_done(&s);
	return r;
}

void nsstat_done(struct nsstat *s)
{
	for (size_t i = 0; i < s->n_rows; i++)
		collect_result_done(&s->rows[i].res);
	free(s->rows);
	free(s->skipped);
	nsenum_list_done(&s->list);
	memset(s, 0, sizeof(*s));
}
