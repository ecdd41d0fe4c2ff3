/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sockkill: pick the TCP sockets of the current network namespace that a
 * filter matches (LISTEN only when named, TIME_WAIT when no state is
 * named), up to a cap, and destroy them one by one with SOCK_DESTROY
 * (docs/kill.md). Nothing here prints or decides whether to act.
 */
#ifndef TWSCOPE_SOCKKILL_H
#define TWSCOPE_SOCKKILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "census.h"
#include "sock.h"
#include "sockdiag.h"
#include "tcpstate.h"

/* --max: default and hard limit of sockets destroyed per run. */
#define SOCKKILL_MAX_DEFAULT 10000
#define SOCKKILL_MAX_LIMIT 1000000

/* sockkill_entry.err before a destroy was tried. */
#define SOCKKILL_NOT_TRIED 1

struct sockkill_entry {
	struct tw_sock sk;
	int err;		/* SOCKKILL_NOT_TRIED, 0 = destroyed, or -errno */
};

struct sockkill_plan {
	struct census_filter filter;	/* with the states the plan used */
	size_t max;
	struct sockkill_entry *v;	/* the selected sockets, in dump order */
	size_t n;
	size_t cap;
	uint64_t matched;		/* every matching socket, also past max */
	uint64_t by_state[TW_STATE_MAX];	/* of the selected ones */
	uint16_t range_lo;		/* ip_local_port_range, for SOCKKILL_BY_PORT */
	uint16_t range_hi;
	struct sockdiag_stats diag;
};

/* The outcome of sockkill_destroy(). */
struct sockkill_result {
	uint64_t destroyed;
	uint64_t gone;			/* -ENOENT: expired or replaced since the dump */
	uint64_t failed;		/* any other error */
	uint64_t not_tried;		/* after a stop */
	int stop_err;			/* -EPERM/-EOPNOTSUPP that stopped the run, or 0 */
	uint8_t stop_state;		/* the state of the socket it stopped at */
};

/* One row of sockkill_group(): an address or a port, and a count. */
struct sockkill_group {
	struct tw_addr addr;
	uint16_t port;
	bool local;		/* SOCKKILL_BY_PORT: the port is the local one */
	uint64_t count;
};

enum sockkill_key {
	SOCKKILL_BY_DST,	/* remote address */
	/*
	 * The service port: the local port when it is outside the ephemeral
	 * range (we are the server), else the remote port.
	 */
	SOCKKILL_BY_PORT,
};

/*
 * sockkill_states() - the states a plan takes for filter f: the ones named,
 * else TIME_WAIT alone. Never BOUND_INACTIVE.
 */
uint32_t sockkill_states(const struct census_filter *f);

/*
 * sockkill_plan_collect() - dump the sockets of the current netns that f
 * matches (in sockkill_states(f)) and keep the first max of them; read
 * ip_local_port_range for the grouping. Returns 0 with *ret filled (free
 * with sockkill_plan_done()), or -errno as sockdiag_dump() (-ENOMEM).
 */
int sockkill_plan_collect(const struct census_filter *f, size_t max, struct sockkill_plan *ret);

/*
 * sockkill_plan_add() - the dump callback: count sk if it matches the
 * plan's filter and keep it while fewer than max are kept. 0 or -ENOMEM.
 * Exposed for tests.
 */
int sockkill_plan_add(const struct tw_sock *sk, void *plan);

void sockkill_plan_done(struct sockkill_plan *p);

/*
 * sockkill_destroy() - destroy every selected socket of p in the current
 * netns, setting each entry's err. Stops at the first -EPERM (no
 * CAP_NET_ADMIN: every other would fail too) or -EOPNOTSUPP (no destroy
 * support for that state), recorded in res->stop_err. Returns 0 (per
 * socket outcomes in *res), or -errno when the sock_diag socket cannot
 * be opened.
 */
int sockkill_destroy(struct sockkill_plan *p, struct sockkill_result *res);

/*
 * sockkill_stop_text() - the one line for what stopped a run (res->stop_err
 * and the state it stopped at) into buf, or NULL when nothing did.
 */
const char *sockkill_stop_text(const struct sockkill_result *res, char *buf, size_t len);

/*
 * sockkill_group() - the selected sockets of p grouped by key, largest
 * count first (ties by address, then port). Returns the number of groups
 * with *ret set (caller frees), or -ENOMEM.
 */
long sockkill_group(const struct sockkill_plan *p, enum sockkill_key key, struct sockkill_group **ret);

#endif
