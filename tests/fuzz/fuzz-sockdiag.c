// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz sock_diag reply parsing into a real census, the way collect.c runs
 * it. The input is a --dump-raw capture (4-byte little-endian length, then
 * a datagram, repeated); its first dump feeds the listeners, the rest the
 * other states. Each datagram is copied to an aligned buffer of exactly its
 * size, as recvmsg() leaves it, so ASan sees any read past its end.
 */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "collect.h"
#include "sockdiag.h"
#include "tcpstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int parse_one(const uint8_t *p, size_t n, bool listen, uint32_t states, struct census *c,
		     struct sockdiag_stats *st)
{
	/* malloc() is aligned for any header; n + 1 so that n == 0 is a real buffer. */
	void *buf = malloc(n + 1);
	int r;

	if (!buf)
		return -1;
	memcpy(buf, p, n);
	if (listen)
		r = sockdiag_parse_dump(buf, n, 0, TW_STATE_BIT(TW_LISTEN), collect_add_listener, c, st);
	else
		r = sockdiag_parse_dump(buf, n, 0, states, collect_add_socket, c, st);
	free(buf);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct census_conf conf = {
		/* a short range: census_finish() walks every port of it on each run */
		.range_lo = 32768, .range_hi = 33791,
		.filter = { .v4 = true, .v6 = true, .port = -1, .dst_port = -1 },
	};
	struct sockdiag_stats st = {};
	struct census *c;
	uint32_t states;
	bool listen = true;
	size_t off = 0;

	c = census_new(&conf);
	if (!c)
		return 0;
	states = collect_kernel_states(&conf.filter);
	while (size - off >= 4) {
		uint32_t n;
		int r;

		memcpy(&n, data + off, 4);
		n = le32toh(n);
		off += 4;
		if (n > size - off)
			n = (uint32_t)(size - off);
		r = parse_one(data + off, n, listen, states, c, &st);
		off += n;
		/* A dump ends with DONE or an error; the next one starts. */
		if (r <= 0)
			listen = false;
	}
	/* The raw bytes as one datagram, too. */
	(void)parse_one(data, size, false, states, c, &st);
	if (census_finish(c) == 0) {
		uint64_t sum = 0;

		for (int s = 0; s < TW_STATE_MAX; s++)
			sum += census_total(c, (unsigned int)s);
		if (sum != c->sockets)
			abort();
	}
	census_free(c);
	return 0;
}
