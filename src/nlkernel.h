/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nlkernel: a netlink socket that hears only the kernel. Shared by the
 * sock_diag and the nfnetlink (conntrack) dumps: anyone in the namespace
 * can send datagrams to a netlink port id, so replies must be the
 * kernel's. Nothing here prints or parses.
 */
#ifndef TWSCOPE_NLKERNEL_H
#define TWSCOPE_NLKERNEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct mnl_socket;

/*
 * nlkernel_open() - a netlink socket on bus, bound to an automatic port id
 * and connect()ed to the kernel (port id 0), so the kernel refuses
 * unicasts from any other sender; receives time out after
 * recv_timeout_sec. Whatever another sender queued before the connect is
 * dropped. Returns 0 with *ret set, or -errno.
 */
int nlkernel_open(int bus, unsigned int recv_timeout_sec, struct mnl_socket **ret);

/*
 * nlkernel_recv() - one datagram from the kernel into buf. Datagrams from
 * any other sender are dropped and counted in *foreign, until deadline_ns
 * (CLOCK_MONOTONIC) has passed. Returns its length, -ETIMEDOUT (the
 * receive timeout or the deadline), -EMSGSIZE (larger than len: never
 * parse half a datagram), or -errno.
 */
ssize_t nlkernel_recv(struct mnl_socket *nl, void *buf, size_t len, uint64_t deadline_ns,
		      uint64_t *foreign);

struct nlmsghdr;

/*
 * nlkernel_capture() - append one received datagram to f (NULL: nothing)
 * as a little-endian 32-bit length and the bytes, the format the replay
 * tests and fuzz harnesses read. Returns 0 or -EIO.
 */
int nlkernel_capture(FILE *f, const void *buf, size_t n);

/*
 * nlkernel_error() - the errno an NLMSG_ERROR message carries, whose
 * nlmsg_len was already checked against the bytes received: -1..-4095, or
 * -EBADMSG for a short payload or anything else (a dump never gets an ack).
 */
int nlkernel_error(const struct nlmsghdr *nlh);

/*
 * nlkernel_done() - the final status an NLMSG_DONE message carries: 0, or
 * the kernel's negative errno (an old kernel may send no payload: 0).
 */
int nlkernel_done(const struct nlmsghdr *nlh);

#endif
