// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * serve -A collection: nsstat's two passes (sockstat everywhere, a census
 * only where it could matter), then the K worst namespaces as rows and the
 * rest summed into "other". Labels are copied raw; nothing here prints or
 * escapes.
 */
#include "serve/nsscrape.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "netns/nsenum.h"
#include "netns/nsstat.h"
#include "util.h"

/* Truncating copy: a label value is bounded by its field. */
static void copy_label(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void fill_labels(const struct nsenum_entry *e, struct nsscrape_labels *l)
{
	const struct nsname *n = &e->name;
	char full[NSNAME_STR_MAX * 3 + 64];

	nsenum_label(e, full, sizeof(full));
	copy_label(l->netns, sizeof(l->netns), full);
	snprintf(l->inode, sizeof(l->inode), "%llu", (unsigned long long)e->ino);
	if (e->host)
		return;		/* the host's containers share it: no container labels */
	copy_label(l->runtime, sizeof(l->runtime), nsname_runtime_name(n->runtime));
	copy_label(l->container, sizeof(l->container), n->k8s_container[0] ? n->k8s_container : n->name);
	copy_label(l->pod, sizeof(l->pod), n->pod_name);
	copy_label(l->pod_namespace, sizeof(l->pod_namespace), n->pod_namespace);
}

static void fill_row(const struct nsstat_row *r, struct nsscrape_row *row)
{
	row->sockets = r->sockets;
	row->time_wait = r->time_wait;
	row->walked = r->walked;
	row->usable = r->range_free;
	if (!r->walked)
		return;
	row->close_wait = r->close_wait;
	row->usable = r->res.census->usable;
	if (r->worst) {
		row->have_util = true;
		row->worst_util = row->usable ? (double)r->worst->held / row->usable : 1.0;
	}
}

static void add_other(struct nsscrape *s, const struct nsscrape_row *row)
{
	struct nsscrape_row *o = &s->other;

	s->have_other = true;
	s->n_other++;
	o->sockets += row->sockets;
	o->time_wait += row->time_wait;
	if (row->have_util && (!o->have_util || row->worst_util > o->worst_util)) {
		o->have_util = true;
		o->worst_util = row->worst_util;
	}
}

int nsscrape_take(size_t top, struct nsscrape *ret)
{
	struct nsstat_conf conf = {
		.filter = { .v4 = true, .v6 = true, .port = -1, .dst_port = -1 },
		.walk_max = top ? top : 1,
	};
	struct nsscrape s = { 0 };
	struct nsstat st;
	int r;

	r = nsstat_collect(&conf, &st);
	if (r < 0)
		return r;
	s.rows = calloc(top ? top : 1, sizeof(*s.rows));
	if (!s.rows) {
		nsstat_done(&st);
		return -ENOMEM;
	}
	copy_label(s.other.labels.netns, sizeof(s.other.labels.netns), "other");
	/* rows are worst first; the first top walked ones keep their own series */
	for (size_t i = 0; i < st.n_rows; i++) {
		const struct nsstat_row *nr = &st.rows[i];
		struct nsscrape_row row = { 0 };

		fill_row(nr, &row);
		if (nr->walked && s.n_rows < top) {
			fill_labels(&st.list.v[nr->entry], &row.labels);
			s.rows[s.n_rows++] = row;
		} else {
			add_other(&s, &row);
		}
	}
	s.n_seen = st.list.n;
	s.n_walked = st.n_walked;
	s.n_skipped = st.n_skipped;
	s.capped = st.list.capped || st.list.timed_out;
	s.duration_ns = st.duration_ns;
	nsstat_done(&st);
	*ret = s;
	return 0;
}

void nsscrape_done(struct nsscrape *s)
{
	free(s->rows);
	memset(s, 0, sizeof(*s));
}
