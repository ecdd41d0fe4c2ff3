// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the conntrack readers on untrusted bytes: one datagram fed to the
 * ctnetlink census and to the nf_tables NAT rule parser, and the text
 * parser of /proc/net/stat/nf_conntrack. Counts must stay consistent.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conntrack/conntrack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* malloc'ed: aligned like the receive buffer, and ASan sees its end */
	uint8_t *buf = malloc(size ? size : 1);
	struct nat_rules *rules = calloc(1, sizeof(*rules));
	struct ct_census c;
	struct ct_stats st;
	char *text;

	if (!buf || !rules || ct_census_init(&c) < 0) {
		free(buf);
		free(rules);
		return 0;
	}
	memcpy(buf, data, size);
	(void)ct_census_parse_buf(&c, buf, size, NULL);
	assert(c.snat <= c.entries);
	assert(c.tcp[CT_TCP_TIME_WAIT] <= c.proto[CT_PROTO_TCP]);
	ct_census_done(&c);
	(void)natpool_parse_buf(rules, buf, size);
	assert(rules->n <= NATPOOL_MAX_RULES);
	for (size_t i = 0; i < rules->n; i++)
		assert(!rules->rule[i].have_ports || rules->rule[i].port_lo <= rules->rule[i].port_hi);
	free(rules);
	free(buf);
	text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		(void)ct_stats_parse(text, &st);
		free(text);
	}
	return 0;
}
