/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsscrape: what `serve -A` exports about every network namespace. Takes
 * nsstat's cheap-first census (sockstat everywhere, a walk only for the
 * busiest and for any that could be at 50% of its ports) and keeps the K
 * worst namespaces as their own rows, summing the rest into one "other"
 * row, so the series count never grows with the number of containers.
 * Collects only; output-prom.c renders. No printing.
 */
#ifndef TWSCOPE_SERVE_NSSCRAPE_H
#define TWSCOPE_SERVE_NSSCRAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netns/nsname.h"

#define NSSCRAPE_TOP_DEFAULT 20		/* namespaces with their own series */
#define NSSCRAPE_TOP_MAX 1000
#define NSSCRAPE_LABEL_MAX 256		/* bytes of the netns label value */

/* Label values of one namespace; raw, untrusted (escaped when rendered). */
struct nsscrape_labels {
	char netns[NSSCRAPE_LABEL_MAX + 1];	/* "host", "netns NAME", "docker web1", ... */
	char inode[24];				/* "" for other */
	char runtime[16];
	char container[NSNAME_STR_MAX + 1];
	char pod[NSNAME_STR_MAX + 1];
	char pod_namespace[NSNAME_STR_MAX + 1];
};

struct nsscrape_row {
	struct nsscrape_labels labels;
	uint64_t sockets;		/* census when walked, else sockstat inuse + tw */
	uint64_t time_wait;		/* census when walked, else sockstat tw */
	bool walked;
	uint64_t close_wait;		/* walked only */
	uint32_t usable;		/* usable ephemeral ports (census; else range - reserved) */
	bool have_util;			/* a walked namespace with a destination */
	double worst_util;		/* held / usable of its busiest destination */
};

struct nsscrape {
	struct nsscrape_row *rows;	/* the top K, worst first */
	size_t n_rows;
	bool have_other;		/* some namespaces were aggregated */
	struct nsscrape_row other;	/* sockets and time_wait summed; worst_util: the max
					   over the walked ones; no close_wait, usable */
	size_t n_other;
	size_t n_seen;			/* namespaces found */
	size_t n_walked;
	size_t n_skipped;		/* could not be entered or read */
	bool capped;			/* enumeration hit NSENUM_MAX or its time limit */
	uint64_t duration_ns;
};

/*
 * nsscrape_take() - census of every namespace (nsstat_collect() with the
 * top busiest walked), ranked by the busiest destination's port use, then
 * TIME_WAIT, then sockets; the first top walked namespaces become rows,
 * all others are summed into ret->other. Call from any thread: it comes
 * back to the thread's namespace. Returns 0 (free with nsscrape_done()),
 * -ENOMEM, or -errno when the namespaces cannot be listed or we cannot
 * come back.
 */
int nsscrape_take(size_t top, struct nsscrape *ret);

void nsscrape_done(struct nsscrape *s);

#endif
