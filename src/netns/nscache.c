// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Names of network namespaces by inode, for trace's events and tables:
 * filled from one nsenum enumeration, replaced wholesale on a refresh, at
 * most NSCACHE_MAX of them, re-enumerated on a miss no more often than the
 * refresh interval. No printing.
 */
#include "netns/nscache.h"

#include <string.h>

#include "netns/nsenum.h"
#include "netns/nsname.h"

void nscache_init(struct nscache *c, const struct nsenum_conf *conf, uint64_t min_refresh_ns)
{
	memset(c, 0, sizeof(*c));
	if (conf)
		c->conf = *conf;
	c->min_refresh_ns = min_refresh_ns;
}

static void copy_name(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

bool nscache_entry_name(const struct nsenum_entry *e, char *buf, size_t len)
{
	char c[NSNAME_STR_MAX * 3 + 64];

	nsname_label(&e->name, c, sizeof(c));
	if (c[0] && !e->host)
		copy_name(buf, len, c);
	else if (e->netns_name)
		copy_name(buf, len, e->netns_name);
	else if (e->host)
		copy_name(buf, len, "host");
	else
		buf[0] = '\0';
	return buf[0] != '\0';
}

static void add(struct nscache *c, const struct nsenum_entry *e)
{
	struct nscache_entry *ce = &c->v[c->n];

	if (c->n >= NSCACHE_MAX || nscache_find(c, e->ino))
		return;
	if (!nscache_entry_name(e, ce->name, sizeof(ce->name)))
		return;
	ce->ino = e->ino;
	c->n++;
}

int nscache_refresh(struct nscache *c, uint64_t want, uint64_t now)
{
	struct nsenum_list l;
	int r;

	c->refreshed_ns = now ? now : 1;
	c->refreshes++;
	r = nsenum_collect(&c->conf, &l);
	if (r < 0)
		return r;
	c->n = 0;
	for (size_t i = 0; want && i < l.n; i++)
		if (l.v[i].ino == want)
			add(c, &l.v[i]);
	for (size_t i = 0; i < l.n; i++)
		add(c, &l.v[i]);
	nsenum_list_done(&l);
	return 0;
}

const char *nscache_find(const struct nscache *c, uint64_t ino)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].ino == ino)
			return c->v[i].name;
	return NULL;
}

const char *nscache_lookup(struct nscache *c, uint64_t ino, uint64_t now)
{
	const char *n = nscache_find(c, ino);

	if (!ino)
		return NULL;
	if (c->refreshed_ns && now - c->refreshed_ns < (n ? NSCACHE_MAX_AGE_NS : c->min_refresh_ns))
		return n;
	(void) nscache_refresh(c, ino, now);
	return nscache_find(c, ino);
}
