// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Socket destruction for twscope kill: a sock_diag dump picks the
 * sockets a filter matches, and each is destroyed by its exact id and
 * cookie, so nothing but the sockets the dump saw can be hit. Nothing
 * here prints; the command decides whether to act and tells the user.
 */
#include "sockkill.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ksettings.h"
#include "util.h"

uint32_t sockkill_states(const struct census_filter *f)
{
	uint32_t want = f->states ? f->states : TW_STATE_BIT(TW_TIME_WAIT);

	return want & ~TW_STATE_BIT(TW_BOUND_INACTIVE);
}

int sockkill_plan_add(const struct tw_sock *sk, void *data)
{
	struct sockkill_plan *p = data;

	if (sk->state >= TW_STATE_MAX || !census_filter_match(&p->filter, sk))
		return 0;
	p->matched++;
	if (p->n >= p->max)
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct sockkill_entry *v;

		if (cap > p->max)
			cap = p->max;
		v = reallocarray(p->v, cap, sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n].sk = *sk;
	p->v[p->n].err = SOCKKILL_NOT_TRIED;
	p->n++;
	p->by_state[sk->state]++;
	return 0;
}

int sockkill_plan_collect(const struct census_filter *f, size_t max, struct sockkill_plan *ret)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct sockdiag *sd = NULL;
	uint32_t kstates;
	int r;

	memset(ret, 0, sizeof(*ret));
	ret->filter = *f;
	ret->filter.states = sockkill_states(f);
	ret->max = max;
	kstates = ret->filter.states;
	/* Request sockets are reported as SYN_RECV; ask for them by either name. */
	if (kstates & TW_STATE_BIT(TW_NEW_SYN_RECV))
		kstates |= TW_STATE_BIT(TW_SYN_RECV);
	kstates &= TW_STATES_CONNECTED | TW_STATE_BIT(TW_LISTEN);
	r = ksettings_port_range(&ret->range_lo, &ret->range_hi);
	if (r < 0)
		return r;
	r = sockdiag_open(&sd);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		if ((families[i] == AF_INET && !f->v4) || (families[i] == AF_INET6 && !f->v6))
			continue;
		r = sockdiag_dump(sd, families[i], kstates, sockkill_plan_add, ret, &ret->diag);
		/* No IPv6 in this kernel: nothing to destroy there. */
		if (r == -ENOENT && families[i] == AF_INET6)
			r = 0;
		if (r < 0)
			break;
	}
	sockdiag_close(sd);
	if (r < 0)
		sockkill_plan_done(ret);
	return r;
}

void sockkill_plan_done(struct sockkill_plan *p)
{
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

int sockkill_destroy(struct sockkill_plan *p, struct sockkill_result *res)
{
	struct sockdiag *sd = NULL;
	int r;

	memset(res, 0, sizeof(*res));
	r = sockdiag_open(&sd);
	if (r < 0)
		return r;
	for (size_t i = 0; i < p->n; i++) {
		struct sockkill_entry *e = &p->v[i];

		if (res->stop_err) {
			res->not_tried++;
			continue;
		}
		e->err = sockdiag_destroy(sd, &e->sk);
		if (e->err == 0) {
			res->destroyed++;
		} else if (e->err == -ENOENT) {
			res->gone++;
		} else {
			res->failed++;
			if (e->err == -EPERM || e->err == -EOPNOTSUPP) {
				res->stop_err = e->err;
				res->stop_state = e->sk.state;
			}
		}
	}
	sockdiag_close(sd);
	return 0;
}

const char *sockkill_stop_text(const struct sockkill_result *res, char *buf, size_t len)
{
	if (res->stop_err == -EPERM) {
		snprintf(buf, len, "destroying sockets needs CAP_NET_ADMIN in their network namespace "
			 "(run as root)");
		return buf;
	}
	if (res->stop_err != -EOPNOTSUPP)
		return NULL;
	/* docs/kernel.md#diag-destroy: tcp_abort() takes timewait sockets since 6.0 only. */
	if (res->stop_state == TW_TIME_WAIT || res->stop_state == TW_FIN_WAIT2)
		snprintf(buf, len, "this kernel cannot destroy TIME_WAIT sockets: it needs Linux 6.0 or "
			 "later built with CONFIG_INET_DIAG_DESTROY");
	else
		snprintf(buf, len, "this kernel cannot destroy %s sockets: it was built without "
			 "CONFIG_INET_DIAG_DESTROY", tcpstate_name(res->stop_state));
	return buf;
}

static int addr_cmp(const struct tw_addr *a, const struct tw_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

static int group_key_cmp(const void *x, const void *y)
{
	const struct sockkill_group *a = x, *b = y;
	int c = addr_cmp(&a->addr, &b->addr);

	if (c)
		return c;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return (a->local < b->local) - (a->local > b->local);
}

static int group_count_cmp(const void *x, const void *y)
{
	const struct sockkill_group *a = x, *b = y;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return group_key_cmp(x, y);
}

long sockkill_group(const struct sockkill_plan *p, enum sockkill_key key, struct sockkill_group **ret)
{
	struct sockkill_group *g;
	size_t n = 0;

	g = calloc(p->n ? p->n : 1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		const struct tw_sock *sk = &p->v[i].sk;

		if (key == SOCKKILL_BY_DST) {
			g[i].addr = sk->dst;
		} else if (sk->sport < p->range_lo || sk->sport > p->range_hi) {
			g[i].port = sk->sport;
			g[i].local = true;
		} else {
			g[i].port = sk->dport;
		}
		g[i].count = 1;
	}
	qsort(g, p->n, sizeof(*g), group_key_cmp);
	for (size_t i = 0; i < p->n; i++) {
		if (n && group_key_cmp(&g[n - 1], &g[i]) == 0)
			g[n - 1].count++;
		else
			g[n++] = g[i];
	}
	qsort(g, n, sizeof(*g), group_count_cmp);
	*ret = g;
	return (long)n;
}
