// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Census collection: listeners first (cheap: only the listening hash is
 * walked), then one dump per family of exactly the states asked for, each
 * socket aggregated in the receive callback. Nothing here prints.
 */
#include "collect.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

uint32_t collect_kernel_states(const struct census_filter *f)
{
	uint32_t want = f->states ? f->states : TW_STATES_CONNECTED | TW_STATE_BIT(TW_LISTEN);

	/* Request sockets are reported as SYN_RECV; ask for them by either name. */
	if (want & TW_STATE_BIT(TW_NEW_SYN_RECV))
		want |= TW_STATE_BIT(TW_SYN_RECV);
	/* Bit 13 makes the kernel walk the bind table too (docs/kernel.md#counting-cost). */
	return want & TW_STATES_CONNECTED;
}

int collect_add_listener(const struct tw_sock *sk, void *data)
{
	/* sockdiag_dump() passes only the states asked for; the census relies on it. */
	if (sk->state != TW_LISTEN)
		return 0;
	return census_add_listener(data, sk);
}

int collect_add_socket(const struct tw_sock *sk, void *data)
{
	return census_add(data, sk);
}

int collect_census(const struct census_filter *f, FILE *capture, struct collect_result *res)
{
	static const int families[] = { AF_INET, AF_INET6 };
	uint8_t reserved[TW_PORT_BITMAP_BYTES];
	struct census_conf conf = { .filter = *f, .reserved = reserved };
	struct sockdiag *sd = NULL;
	uint64_t start = now_ns();
	uint32_t states;
	int r;

	memset(res, 0, sizeof(*res));
	r = ksettings_port_range(&conf.range_lo, &conf.range_hi);
	if (r < 0)
		return r;
	r = ksettings_reserved_ports(reserved);
	if (r == -ENOENT)
		memset(reserved, 0, sizeof(reserved));
	else if (r < 0)
		return r;
	res->census = census_new(&conf);
	if (!res->census)
		return -ENOMEM;
	r = sockdiag_open(&sd);
	if (r < 0)
		goto fail;
	if (capture)
		sockdiag_set_capture(sd, capture);
	states = collect_kernel_states(f);
	res->kernel_states = states;
	/* Listeners of both families decide sides, whatever the family filter. */
	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		r = sockdiag_dump(sd, families[i], TW_STATE_BIT(TW_LISTEN), collect_add_listener, res->census, &res->diag);
		/* No IPv6 in this kernel: nothing to count. */
		if (r == -ENOENT && families[i] == AF_INET6)
			r = 0;
		if (r < 0)
			goto fail;
	}
	for (size_t i = 0; i < ARRAY_SIZE(families) && states; i++) {
		if ((families[i] == AF_INET && !f->v4) || (families[i] == AF_INET6 && !f->v6))
			continue;
		r = sockdiag_dump(sd, families[i], states, collect_add_socket, res->census, &res->diag);
		if (r == -ENOENT && families[i] == AF_INET6)
			r = 0;
		if (r < 0)
			goto fail;
	}
	sd = sockdiag_close(sd);
	r = census_finish(res->census);
	if (r < 0)
		goto fail;
	res->sockstat_err = ksettings_sockstat(&res->sockstat);
	res->duration_ns = now_ns() - start;
	return 0;
fail:
	sockdiag_close(sd);
	res->census = census_free(res->census);
	return r;
}

void collect_result_done(struct collect_result *res)
{
	res->census = census_free(res->census);
}
