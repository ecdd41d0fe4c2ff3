/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsstat: the census of every network namespace for `stat -A`. Reads each
 * namespace's sockstat and port range first (constant time), then walks
 * (sock_diag) only the namespaces that could matter, and orders them worst
 * first. One census engine: collect_census() inside each namespace. No
 * printing.
 */
#ifndef TWSCOPE_NETNS_NSSTAT_H
#define TWSCOPE_NETNS_NSSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collect.h"
#include "ksettings.h"
#include "netns/nsenum.h"

#define NSSTAT_WALK_DEFAULT 32	/* busiest namespaces walked by default */

struct nsstat_row {
	size_t entry;			/* index into the nsenum list */
	int skip_err;			/* 0, or why it could not be entered / read (-errno) */
	bool have_sockstat;
	struct tw_sockstat sockstat;
	uint16_t range_lo;
	uint16_t range_hi;
	uint32_t range_free;		/* range minus reserved ports */
	bool walked;			/* a census was taken (res is set) */
	int walk_err;			/* the census failed: -errno */
	struct collect_result res;
	/* summary: from the census when walked, else from sockstat */
	uint64_t sockets;
	uint64_t time_wait;
	uint64_t tw_side[3];		/* by enum tw_side, walked only */
	uint64_t close_wait;		/* walked only */
	const struct census_dest *worst;/* walked only; NULL when no destination */
	double worst_pct;
};

struct nsstat_conf {
	struct census_filter filter;
	size_t walk_max;		/* busiest namespaces walked; 0 = all */
};

struct nsstat {
	struct nsenum_list list;
	struct nsstat_row *rows;	/* entered ones, worst first */
	size_t n_rows;
	struct nsstat_row *skipped;	/* the ones we could not enter */
	size_t n_skipped;
	size_t n_walked;
	uint64_t duration_ns;
};

/*
 * nsstat_collect() - enumerate (nsenum_collect()) and take the census of
 * every namespace. Returns 0 (free with nsstat_done()), -ENOMEM, or the
 * -errno of a failed return to our own namespace.
 */
int nsstat_collect(const struct nsstat_conf *conf, struct nsstat *ret);

void nsstat_done(struct nsstat *s);

/*
 * nsstat_should_walk() - does a namespace holding sockets sockets (sockstat)
 * with range_free usable ports at most need a walk: at 50% use or more of
 * its ports a destination could be at 50%. Listeners count in sockets and
 * lower usable by as much, so the test stays conservative.
 */
bool nsstat_should_walk(uint64_t sockets, uint32_t range_free);

/* nsstat_worse() - qsort order: worst destination use, then TIME_WAIT, then sockets. */
int nsstat_worse(const void *a, const void *b);

#endif
