// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the address, endpoint, port and state parsers that read user flags
 * (--dst, --listen, --state). Whatever parses must format and parse back to
 * the same value.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "sock.h"
#include "tcpstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct tw_addr a, b;
	uint16_t port;
	int p;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (addr_parse(s, &a) == 0) {
		char txt[INET6_ADDRSTRLEN];

		if (!inet_ntop(a.family, a.bytes, txt, sizeof(txt)))
			abort();
		if (addr_parse(txt, &b) != 0 || b.family != a.family ||
		    memcmp(a.bytes, b.bytes, a.family == AF_INET ? 4 : 16) != 0)
			abort();
	}
	if (addr_parse_endpoint(s, &a, &p) == 0 && (p < -1 || p > 65535))
		abort();
	(void) addr_parse_port(s, &port);
	p = tcpstate_parse(s);
	(void) p;
	free(s);
	return 0;
}
