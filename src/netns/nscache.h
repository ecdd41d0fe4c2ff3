/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nscache: a bounded cache of network namespace names by inode for
 * commands that see inodes (trace): the container or pod (nsname), else the
 * /run/netns name, else "host". A miss re-enumerates (nsenum) at most once
 * per refresh interval, and any lookup after NSCACHE_MAX_AGE_NS. Names are
 * raw and untrusted. No printing.
 */
#ifndef TWSCOPE_NETNS_NSCACHE_H
#define TWSCOPE_NETNS_NSCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netns/nsenum.h"

#define NSCACHE_MAX 256				/* namespaces named at a time */
#define NSCACHE_NAME_MAX 255			/* bytes of a name */
#define NSCACHE_MAX_AGE_NS (60 * 1000000000ULL)	/* a hit older than this re-enumerates */

struct nscache_entry {
	uint64_t ino;
	char name[NSCACHE_NAME_MAX + 1];
};

struct nscache {
	struct nsenum_conf conf;
	uint64_t min_refresh_ns;
	uint64_t refreshed_ns;		/* when, 0 = never */
	unsigned int refreshes;
	size_t n;
	struct nscache_entry v[NSCACHE_MAX];
};

/* nscache_init() - an empty cache over conf (copied; NULL: the real host). */
void nscache_init(struct nscache *c, const struct nsenum_conf *conf, uint64_t min_refresh_ns);

/*
 * nscache_refresh() - replace the names by a fresh enumeration; want, when
 * not 0, is kept even when more than NSCACHE_MAX namespaces have names.
 * Returns 0 or the -errno of nsenum_collect() (the old names are kept).
 */
int nscache_refresh(struct nscache *c, uint64_t want, uint64_t now);

/* nscache_find() - the cached name of ino, or NULL. */
const char *nscache_find(const struct nscache *c, uint64_t ino);

/*
 * nscache_lookup() - the name of ino; re-enumerate first on a miss when
 * the last enumeration is older than the refresh interval, and on a hit
 * when it is older than NSCACHE_MAX_AGE_NS (a container may join a
 * namespace after it was named). NULL when the namespace has no name (or
 * is gone).
 */
const char *nscache_lookup(struct nscache *c, uint64_t ino, uint64_t now);

/*
 * nscache_entry_name() - the name a namespace gets: its container's label
 * (nsname_label()), else its /run/netns name, else "host" for pid 1's.
 * Returns false (buf "") when it has none.
 */
bool nscache_entry_name(const struct nsenum_entry *e, char *buf, size_t len);

#endif
