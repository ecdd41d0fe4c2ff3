/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Readers for the kernel's settings and counters of the current network
 * namespace: /proc/sys/net sysctls, /proc/net/{netstat,snmp,sockstat,sockstat6},
 * slab object sizes and the kernel release. Every path goes through
 * proc_root(), so tests replay fixture trees. Parsers are separate, pure
 * functions. Nothing here prints.
 */
#ifndef TWSCOPE_KSETTINGS_H
#define TWSCOPE_KSETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TW_PORT_BITMAP_BYTES 8192

/*
 * ksettings_sysctl_read() - read a sysctl by dotted name ("net.ipv4.tcp_tw_reuse")
 * from <proc_root>/sys/net/ipv4/tcp_tw_reuse. Trailing newline removed;
 * whitespace runs folded to one space. Returns 0, -ENOENT when the kernel
 * lacks it, or -errno.
 */
int ksettings_sysctl_read(const char *name, char **ret_value);

/* ksettings_sysctl_i64() - a sysctl holding one integer. -EINVAL when malformed. */
int ksettings_sysctl_i64(const char *name, int64_t *ret);

/* ksettings_parse_port_range() - "32768\t60999" -> lo, hi (lo <= hi, hi <= 65535). */
int ksettings_parse_port_range(const char *s, uint16_t *ret_lo, uint16_t *ret_hi);

/* ksettings_port_range() - read and parse net.ipv4.ip_local_port_range. */
int ksettings_port_range(uint16_t *ret_lo, uint16_t *ret_hi);

/*
 * ksettings_parse_port_list() - "8080,40000-40010" (ip_local_reserved_ports) into
 * a 65536-bit bitmap (TW_PORT_BITMAP_BYTES, cleared first). Empty string = none.
 */
int ksettings_parse_port_list(const char *s, uint8_t *bitmap);

/* ksettings_reserved_ports() - read and parse net.ipv4.ip_local_reserved_ports. */
int ksettings_reserved_ports(uint8_t *bitmap);

/* /proc/net/sockstat{,6}; tw includes FIN_WAIT2 mini-sockets (docs/kernel.md#sockstat-tw). */
struct tw_sockstat {
	bool have_tcp;
	uint64_t tcp_inuse;	/* per netns, excludes TIME_WAIT */
	uint64_t tcp_orphan;	/* global */
	uint64_t tcp_tw;	/* per netns, TIME_WAIT + FIN_WAIT2 mini-sockets */
	uint64_t tcp_alloc;	/* global */
	uint64_t tcp_mem_pages;	/* global */
	bool have_tcp6;
	uint64_t tcp6_inuse;
	uint64_t sockets_used;
};

/* ksettings_parse_sockstat() - parse sockstat text (v6 text may be NULL). -EBADMSG if no TCP line. */
int ksettings_parse_sockstat(const char *v4, const char *v6, struct tw_sockstat *ret);

/* ksettings_sockstat() - read and parse both files; sockstat6 may be absent (no IPv6). */
int ksettings_sockstat(struct tw_sockstat *ret);

/*
 * Counters from /proc/net/netstat and /proc/net/snmp as "Prefix.Name" -> value,
 * e.g. "TcpExt.TW", "Tcp.ActiveOpens". Only header/value line pairs are used.
 */
struct tw_counters;

struct tw_counters *tw_counters_new(void);
struct tw_counters *tw_counters_free(struct tw_counters *c);

/* ksettings_parse_counters() - add every pair in text to c. -EBADMSG on a malformed pair. */
int ksettings_parse_counters(const char *text, struct tw_counters *c);

/* ksettings_counters() - read netstat and snmp into a new set. */
int ksettings_counters(struct tw_counters **ret);

/* tw_counters_get() - look up "TcpExt.TW". Returns true and sets *ret when present. */
bool tw_counters_get(const struct tw_counters *c, const char *name, uint64_t *ret);

/* tw_counters_set() - add or replace a value (used by bundles and tests). 0 or -ENOMEM. */
int tw_counters_set(struct tw_counters *c, const char *name, uint64_t value);

/* iterate: i from 0 while tw_counters_at() returns true */
size_t tw_counters_count(const struct tw_counters *c);
bool tw_counters_at(const struct tw_counters *c, size_t i, const char **ret_name, uint64_t *ret_value);

/*
 * ksettings_slab_objsize() - object size in bytes of a slab cache ("tw_sock_TCP"),
 * from /sys/kernel/slab/<name>/slab_size, else /proc/slabinfo (root only).
 */
int ksettings_slab_objsize(const char *cache, uint64_t *ret_bytes);

/* ksettings_kernel_release() - uname -r into buf. */
int ksettings_kernel_release(char *buf, size_t len);

#endif
