// SPDX-License-Identifier: GPL-2.0-or-later
/* Address parsing and formatting for filters and output. Pure. */
#include "addr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

const char *addr_format(const struct tw_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->bytes, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *addr_format_endpoint(const struct tw_addr *a, uint16_t port, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	addr_format(a, ip, sizeof(ip));
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, port);
	else
		snprintf(buf, len, "%s:%u", ip, port);
	return buf;
}

int addr_parse(const char *s, struct tw_addr *ret)
{
	struct tw_addr a = {};

	if (inet_pton(AF_INET, s, a.bytes) == 1) {
		a.family = AF_INET;
	} else if (inet_pton(AF_INET6, s, a.bytes) == 1) {
		a.family = AF_INET6;
	} else {
		return -EINVAL;
	}
	*ret = a;
	return 0;
}

int addr_parse_port(const char *s, uint16_t *ret)
{
	uint32_t v;
	int r;

	r = safe_atou32(s, &v);
	if (r < 0)
		return r;
	if (v == 0 || v > 65535)
		return -ERANGE;
	*ret = (uint16_t)v;
	return 0;
}

int addr_parse_endpoint(const char *s, struct tw_addr *ret, int *ret_port)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port_s = NULL, *colon;
	bool bracketed = s[0] == '[';
	struct tw_addr a;
	size_t hlen;
	uint16_t port = 0;
	int r;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end)
			return -EINVAL;
		hlen = (size_t)(end - s - 1);
		if (end[1] == ':')
			port_s = end + 2;
		else if (end[1])
			return -EINVAL;
		s++;
	} else {
		colon = strchr(s, ':');
		/* More than one colon without brackets: a bare IPv6 address. */
		if (colon && !strchr(colon + 1, ':')) {
			hlen = (size_t)(colon - s);
			port_s = colon + 1;
		} else {
			hlen = strlen(s);
		}
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	r = addr_parse(host, &a);
	if (r < 0)
		return r;
	/* Brackets are for IPv6 only (RFC 3986): "[1.2.3.4]:80" is a typo, not a v4 address. */
	if (bracketed && a.family != AF_INET6)
		return -EINVAL;
	if (port_s) {
		r = addr_parse_port(port_s, &port);
		if (r < 0)
			return r;
	}
	*ret = a;
	*ret_port = port_s ? port : -1;
	return 0;
}
