// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Culprits of port exhaustion: one dump of the live port-holding states,
 * matched to a few destinations, then socket inodes to processes
 * (procowner), their cgroup and runtime (exeprobe). Bounded; never prints.
 */
#include "doctor/culprit.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "doctor/exeprobe.h"
#include "doctor/procowner.h"
#include "sockdiag.h"
#include "tcpstate.h"
#include "util.h"

struct culprit_walk {
	struct culprit_dest *dests;
	size_t n_dests;
	struct procowner_hit *hits;
	size_t n_hits;
	bool capped;
};

static bool addr_eq(const struct tw_addr *a, const struct tw_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

static int walk_cb(const struct tw_sock *sk, void *data)
{
	struct culprit_walk *w = data;

	if (sk->state == TW_TIME_WAIT || sk->state == TW_LISTEN || sk->mini)
		return 0;
	for (size_t i = 0; i < w->n_dests; i++) {
		struct culprit_dest *d = &w->dests[i];

		if (sk->dport != d->remote_port || !addr_eq(&sk->dst, &d->remote) ||
		    !addr_eq(&sk->src, &d->local))
			continue;
		d->live++;
		if (!sk->inode) {
			d->unowned++;
		} else if (w->n_hits < CULPRIT_MAX_INODES) {
			w->hits[w->n_hits++] = (struct procowner_hit){ .inode = sk->inode,
								       .tag = (uint32_t)i };
		} else {
			d->unowned++;
			w->capped = true;
		}
		return 0;
	}
	return 0;
}

int culprit_read_cgroup(int pid, char *buf, size_t len)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];
	const char *line;
	int r;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%d/cgroup", proc_root(), pid);
	r = read_small_file(path, 64 * 1024, &text);
	if (r < 0)
		return r;
	/* cgroup v2 is the "0::" line; v1 hierarchies are left alone. */
	for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "0::", 3) == 0) {
			size_t n = strcspn(line + 3, "\n");

			snprintf(buf, len, "%.*s", (int)n, line + 3);
			break;
		}
	}
	return 0;
}

static int cmp_hit_tag_pid(const void *a, const void *b)
{
	const struct procowner_hit *x = a, *y = b;

	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return x->pid - y->pid;
}

static int cmp_owner(const void *a, const void *b)
{
	const struct culprit_owner *x = a, *y = b;

	if (x->sockets != y->sockets)
		return x->sockets > y->sockets ? -1 : 1;
	return x->pid - y->pid;
}

/* Add one process's sockets to its (comm, cgroup) group; groups are few. */
static int add_process(struct culprit_owner **groups, size_t *n, size_t *cap,
		       const struct procowner_hit *h, uint32_t sockets)
{
	struct culprit_owner o = { .pid = h->pid, .pids = 1, .sockets = sockets };

	snprintf(o.comm, sizeof(o.comm), "%s", h->comm);
	(void) culprit_read_cgroup(h->pid, o.cgroup, sizeof(o.cgroup));
	for (size_t i = 0; i < *n; i++) {
		struct culprit_owner *g = &(*groups)[i];

		if (strcmp(g->comm, o.comm) == 0 && strcmp(g->cgroup, o.cgroup) == 0) {
			g->pids++;
			g->sockets += sockets;
			if (o.pid < g->pid)
				g->pid = o.pid;
			return 0;
		}
	}
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct culprit_owner *g = reallocarray(*groups, c, sizeof(*g));

		if (!g)
			return -ENOMEM;
		*groups = g;
		*cap = c;
	}
	(*groups)[(*n)++] = o;
	return 0;
}

/* Group the found owners of hits[0..n) (sorted by tag, pid) into the destinations. */
static int name_owners(struct culprit_dest *dests, struct procowner_hit *hits, size_t n)
{
	size_t i = 0;

	while (i < n) {
		struct culprit_dest *d = &dests[hits[i].tag];
		_cleanup_free_ struct culprit_owner *groups = NULL;
		size_t n_groups = 0, cap = 0, end = i;

		while (end < n && hits[end].tag == hits[i].tag)
			end++;
		for (size_t k = i; k < end;) {
			size_t same = k;
			int r;

			while (same < end && hits[same].pid == hits[k].pid)
				same++;
			r = add_process(&groups, &n_groups, &cap, &hits[k], (uint32_t)(same - k));
			if (r < 0)
				return r;
			k = same;
		}
		qsort(groups, n_groups, sizeof(*groups), cmp_owner);
		d->n_owners = n_groups < CULPRIT_MAX_OWNERS ? n_groups : CULPRIT_MAX_OWNERS;
		memcpy(d->owners, groups, d->n_owners * sizeof(*groups));
		for (size_t k = 0; k < d->n_owners; k++)
			if (exeprobe_pid(d->owners[k].pid, &d->owners[k].runtime) < 0)
				d->owners[k].runtime = TW_RUNTIME_UNKNOWN;
		i = end;
	}
	return 0;
}

int culprit_scan(struct culprit_dest *dests, size_t n, bool *ret_partial)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	const uint32_t live = TW_STATE_BIT(TW_SYN_SENT) | TW_STATE_BIT(TW_ESTABLISHED) |
			      TW_STATE_BIT(TW_FIN_WAIT1) | TW_STATE_BIT(TW_FIN_WAIT2) |
			      TW_STATE_BIT(TW_CLOSE_WAIT) | TW_STATE_BIT(TW_LAST_ACK) |
			      TW_STATE_BIT(TW_CLOSING);
	struct culprit_walk w = { .dests = dests, .n_dests = n < CULPRIT_MAX_DESTS ? n : CULPRIT_MAX_DESTS };
	struct sockdiag *sd = NULL;
	bool partial = false;
	int r;

	*ret_partial = false;
	for (size_t i = 0; i < n; i++) {
		dests[i].live = dests[i].unowned = 0;
		dests[i].n_owners = 0;
	}
	w.hits = calloc(CULPRIT_MAX_INODES, sizeof(*w.hits));
	if (!w.hits)
		return -ENOMEM;
	r = sockdiag_open(&sd);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(fams); i++) {
		r = sockdiag_dump(sd, fams[i], live, walk_cb, &w, NULL);
		/* no IPv6 in this kernel is not an error */
		if (r < 0 && fams[i] == AF_INET6 && r != -ENOMEM)
			r = 0;
	}
	sockdiag_close(sd);
	if (r == 0 && w.n_hits && procowner_scan(w.hits, w.n_hits, &partial) >= 0) {
		size_t found = 0;

		/* Unowned ones out, the rest sorted by destination and pid. */
		for (size_t i = 0; i < w.n_hits; i++) {
			if (w.hits[i].pid)
				w.hits[found++] = w.hits[i];
			else
				dests[w.hits[i].tag].unowned++;
		}
		qsort(w.hits, found, sizeof(*w.hits), cmp_hit_tag_pid);
		r = name_owners(dests, w.hits, found);
	}
	free(w.hits);
	*ret_partial = partial || w.capped;
	return r;
}

struct listener_walk {
	struct culprit_listener *l;
	size_t n;
	struct procowner_hit hits[CULPRIT_MAX_DESTS * 8];
	size_t n_hits;
};

static int listener_cb(const struct tw_sock *sk, void *data)
{
	struct listener_walk *w = data;

	if (sk->state != TW_LISTEN)
		return 0;
	for (size_t i = 0; i < w->n; i++) {
		if (w->l[i].port != sk->sport)
			continue;
		w->l[i].listening = true;
		if (sk->inode && w->n_hits < ARRAY_SIZE(w->hits))
			w->hits[w->n_hits++] = (struct procowner_hit){ .inode = sk->inode,
								       .tag = (uint32_t)i };
	}
	return 0;
}

int culprit_listeners(struct culprit_listener *l, size_t n, bool *ret_partial)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct listener_walk *w = calloc(1, sizeof(*w));
	struct sockdiag *sd = NULL;
	bool partial = false;
	int r;

	*ret_partial = false;
	if (!w)
		return -ENOMEM;
	w->l = l;
	w->n = n;
	for (size_t i = 0; i < n; i++) {
		l[i].listening = false;
		l[i].pid = 0;
		l[i].comm[0] = '\0';
	}
	r = sockdiag_open(&sd);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(fams); i++) {
		r = sockdiag_dump(sd, fams[i], TW_STATE_BIT(TW_LISTEN), listener_cb, w, NULL);
		if (r < 0 && fams[i] == AF_INET6 && r != -ENOMEM)
			r = 0;
	}
	sockdiag_close(sd);
	if (r == 0 && w->n_hits && procowner_scan(w->hits, w->n_hits, &partial) >= 0) {
		for (size_t i = 0; i < w->n_hits; i++) {
			struct culprit_listener *x = &l[w->hits[i].tag];

			/* several processes may share a listener: name the lowest pid */
			if (w->hits[i].pid && (!x->pid || w->hits[i].pid < x->pid)) {
				x->pid = w->hits[i].pid;
				snprintf(x->comm, sizeof(x->comm), "%s", w->hits[i].comm);
			}
		}
	}
	*ret_partial = partial;
	free(w);
	return r;
}
