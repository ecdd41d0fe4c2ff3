/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect: run a census of the current network namespace — read the port
 * range and reserved ports, dump listeners then every other state through
 * sock_diag into a struct census, and read sockstat. Used by stat, doctor
 * and serve. Nothing here prints.
 */
#ifndef TWSCOPE_COLLECT_H
#define TWSCOPE_COLLECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "census.h"
#include "ksettings.h"
#include "sockdiag.h"

struct collect_result {
	struct census *census;
	struct tw_sockstat sockstat;
	int sockstat_err;		/* 0, or -errno when sockstat could not be read */
	struct sockdiag_stats diag;
	uint32_t kernel_states;		/* the state mask sent to the kernel */
	uint64_t duration_ns;
};

/*
 * collect_census() - census of the current netns with filter f.
 * capture (may be NULL) receives the raw netlink replies.
 * Returns 0 with res->census set (caller frees with collect_result_done()),
 * or -errno: -EPROTONOSUPPORT (no inet_diag), -ENOBUFS (reply overrun),
 * -EBADMSG (malformed reply), -ENOMEM.
 */
int collect_census(const struct census_filter *f, FILE *capture, struct collect_result *res);

void collect_result_done(struct collect_result *res);

/*
 * collect_add_listener(), collect_add_socket() - the sockdiag callbacks of
 * the LISTEN dumps and of the other dumps; data is the struct census.
 * Exposed for replays and fuzzing. Return 0 or -ENOMEM.
 */
int collect_add_listener(const struct tw_sock *sk, void *data);
int collect_add_socket(const struct tw_sock *sk, void *data);

/* collect_kernel_states() - the kernel-side state mask for a filter (never bit 13). */
uint32_t collect_kernel_states(const struct census_filter *f);

#endif
