// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the /proc text parsers of ksettings.c: netstat/snmp counters,
 * sockstat (the input split at its first NUL byte into the sockstat and
 * sockstat6 texts), ip_local_port_range and ip_local_reserved_ports. What
 * parses must hold its invariants and survive a format-reparse round trip.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksettings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_counters(const char *text)
{
	struct tw_counters *c = tw_counters_new();
	const char *name;
	uint64_t v, w;
	size_t n;
	int r;

	if (!c)
		return;
	r = ksettings_parse_counters(text, c);
	n = tw_counters_count(c);
	if (r == 0 && n > 4096)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (!tw_counters_at(c, i, &name, &v))
			abort();
		/* "Prefix.Name", both non-empty (the prefix may hold dots itself) */
		if (strlen(name) < 3 || !strchr(name + 1, '.') || strlen(name) >= 64)
			abort();
		/* names are unique, so a lookup finds this very value */
		if (!tw_counters_get(c, name, &w) || w != v)
			abort();
	}
	if (tw_counters_at(c, n, &name, &v))
		abort();
	/* set on an existing name replaces, on a new name appends */
	if (n > 0 && tw_counters_at(c, 0, &name, &v)) {
		char copy[64];

		snprintf(copy, sizeof(copy), "%s", name);
		if (tw_counters_set(c, copy, v + 1) != 0 || tw_counters_count(c) != n ||
		    !tw_counters_get(c, copy, &w) || w != v + 1)
			abort();
	}
	if (tw_counters_set(c, "Fuzz.New-Name", 7) == 0 &&
	    (!tw_counters_get(c, "Fuzz.New-Name", &w) || w != 7))
		abort();
	tw_counters_free(c);
}

static void check_sockstat(const char *v4, const char *v6)
{
	struct tw_sockstat st;

	memset(&st, 0xa5, sizeof(st));
	if (ksettings_parse_sockstat(v4, v6, &st) != 0)
		return;
	if (!st.have_tcp || st.have_tcp6 != (v6 != NULL))
		abort();
	if (!v6 && st.tcp6_inuse != 0)
		abort();
}

static void check_port_range(const char *s)
{
	uint16_t lo = 1, hi = 0, lo2, hi2;
	char txt[32];

	if (ksettings_parse_port_range(s, &lo, &hi) != 0)
		return;
	if (lo == 0 || lo > hi)
		abort();
	/* the kernel's own format: "lo\thi" */
	snprintf(txt, sizeof(txt), "%u\t%u", lo, hi);
	if (ksettings_parse_port_range(txt, &lo2, &hi2) != 0 || lo2 != lo || hi2 != hi)
		abort();
}

/* Write a bitmap the way the kernel prints ip_local_reserved_ports. */
static void format_ports(const uint8_t *bm, char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (uint32_t p = 0; p < 65536; p++) {
		uint32_t q = p;

		if (!(p & 7) && !bm[p >> 3]) {
			p += 7;
			continue;
		}
		if (!(bm[p >> 3] & (1u << (p & 7))))
			continue;
		while (q + 1 < 65536 && (bm[(q + 1) >> 3] & (1u << ((q + 1) & 7))))
			q++;
		if (q == p)
			o += (size_t)snprintf(out + o, len - o, "%s%" PRIu32, o ? "," : "", p);
		else
			o += (size_t)snprintf(out + o, len - o, "%s%" PRIu32 "-%" PRIu32, o ? "," : "", p, q);
		if (o >= len)
			abort();
		p = q;
	}
}

static void check_port_list(const char *s)
{
	/* exactly the documented size, so ASan sees any write past it */
	uint8_t *bm = malloc(TW_PORT_BITMAP_BYTES), *bm2 = malloc(TW_PORT_BITMAP_BYTES);
	/* at most 32768 single ports of up to 5 digits plus a comma each */
	static char txt[32768 * 6 + 1];

	if (!bm || !bm2)
		goto out;
	if (ksettings_parse_port_list(s, bm) != 0)
		goto out;
	format_ports(bm, txt, sizeof(txt));
	if (ksettings_parse_port_list(txt, bm2) != 0 || memcmp(bm, bm2, TW_PORT_BITMAP_BYTES) != 0)
		abort();
out:
	free(bm);
	free(bm2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	const char *v6;
	size_t l;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	l = strlen(s);
	v6 = l < size ? s + l + 1 : NULL;
	check_counters(s);
	check_sockstat(s, v6);
	check_port_range(s);
	check_port_list(s);
	free(s);
	return 0;
}
