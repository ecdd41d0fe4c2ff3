// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Grouping of trace rows for `twscope trace --by comm|cgroup`: forked
 * servers (postgres backends, php-fpm children) become one row with their
 * number of processes. Pure; no I/O.
 */
#include "output-trace.h"

#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/twtrace.h"

/* A row's group: its key without the pid. */
static int same_group(const struct twt_key *a, const struct twt_key *b)
{
	struct twt_key x = *a, y = *b;

	x.tgid = y.tgid = 0;
	return memcmp(&x, &y, sizeof(x));
}

static int cmp_group_pid(const void *pa, const void *pb)
{
	const struct trace_row *a = pa, *b = pb;
	int r = same_group(a->key, b->key);

	if (r)
		return r;
	return a->key->tgid < b->key->tgid ? -1 : a->key->tgid > b->key->tgid;
}

size_t trace_rows_group(struct trace_row *rows, size_t n, struct twt_key *keys, enum trace_by by)
{
	size_t out = 0;

	if (by == TRACE_BY_PID)
		return n;
	for (size_t i = 0; i < n; i++) {
		keys[i] = *rows[i].key;
		if (by == TRACE_BY_COMM)
			keys[i].cgroup = 0;
		else
			memset(keys[i].comm, 0, sizeof(keys[i].comm));
		rows[i].key = &keys[i];
	}
	/* by group, then pid: the first row of a group has its lowest pid */
	qsort(rows, n, sizeof(*rows), cmp_group_pid);
	for (size_t i = 0; i < n; i++) {
		struct trace_row *g = out ? &rows[out - 1] : NULL;

		if (g && same_group(g->key, rows[i].key) == 0) {
			g->total += rows[i].total;
			g->interval += rows[i].interval;
			/* rows[i - 1] is untouched: writes so far went below it */
			if (rows[i].key->tgid != rows[i - 1].key->tgid)
				g->pids += rows[i].pids;
			continue;
		}
		rows[out++] = rows[i];
	}
	return out;
}
