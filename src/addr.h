/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parse and format addresses and ADDR[:PORT] endpoints (v6 as [addr]:port). Pure. */
#ifndef TWSCOPE_ADDR_H
#define TWSCOPE_ADDR_H

#include <arpa/inet.h>

#include "sock.h"

/* Enough for "[" INET6_ADDRSTRLEN "]:65535". */
#define TW_ENDPOINT_STRLEN (INET6_ADDRSTRLEN + 8)

/* addr_format() - numeric text of a into buf (INET6_ADDRSTRLEN bytes). */
const char *addr_format(const struct tw_addr *a, char *buf, size_t len);

/* addr_format_endpoint() - "1.2.3.4:80" or "[::1]:80". */
const char *addr_format_endpoint(const struct tw_addr *a, uint16_t port, char *buf, size_t len);

/* addr_parse() - a bare IPv4 or IPv6 address. 0 or -EINVAL. */
int addr_parse(const char *s, struct tw_addr *ret);

/*
 * addr_parse_endpoint() - "ADDR", "ADDR:PORT", "[V6]" or "[V6]:PORT"; a bare
 * IPv6 address without brackets is accepted when it has no port, an IPv4
 * address in brackets never.
 * *ret_port is -1 when no port was given. 0 or -EINVAL / -ERANGE.
 */
int addr_parse_endpoint(const char *s, struct tw_addr *ret, int *ret_port);

/* addr_parse_port() - "1".."65535". 0 or -EINVAL / -ERANGE. */
int addr_parse_port(const char *s, uint16_t *ret);

#endif
