/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sock_diag over libmnl: dump TCP sockets of one family with a kernel-side
 * state mask and hand each one, copied into a struct tw_sock, to a callback.
 * The netlink socket belongs to the network namespace current at
 * sockdiag_open() (docs/kernel.md#diag-netns). Nothing here prints or aggregates.
 */
#ifndef TWSCOPE_SOCKDIAG_H
#define TWSCOPE_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct tw_sock;
struct sockdiag;

/* What a dump saw besides sockets. */
struct sockdiag_stats {
	uint64_t messages;
	uint64_t dump_intr;	/* messages flagged NLM_F_DUMP_INTR: the dump was not consistent */
	uint64_t truncated;	/* messages too short for an inet_diag_msg, skipped */
	uint64_t foreign;	/* datagrams not sent by the kernel (nl_pid != 0), dropped */
	uint64_t unexpected;	/* sockets in a state the dump did not ask for, skipped */
};

/* Return 0 to continue, negative errno to stop the dump with that error. */
typedef int (*sockdiag_cb)(const struct tw_sock *sk, void *data);

/*
 * sockdiag_open() - open NETLINK_SOCK_DIAG in the current netns.
 * Returns 0 and sets *ret, or -errno (-EPROTONOSUPPORT without inet_diag).
 */
int sockdiag_open(struct sockdiag **ret);
struct sockdiag *sockdiag_close(struct sockdiag *sd);

/*
 * sockdiag_set_capture() - also write every received datagram to f
 * (twscope stat --dump-raw): a 4-byte little-endian length, then the bytes.
 */
void sockdiag_set_capture(struct sockdiag *sd, FILE *f);

/*
 * sockdiag_want_info() - ask for tcp_info with each full socket, so that
 * tw_sock.last_ack_ms is filled. Costs about 250 bytes per socket: only
 * for small dumps (the CLOSE_WAIT sockets), never for the census.
 */
void sockdiag_want_info(struct sockdiag *sd);

/*
 * sockdiag_dump() - dump TCP sockets of family (AF_INET/AF_INET6) whose
 * state bit is in states, calling cb for each. Datagrams from any sender
 * but the kernel are dropped (counted in stats->foreign), so another
 * process in the netns can neither inject sockets nor errors.
 * Returns 0; -EINTR-free (retried); -ENOBUFS when the kernel dropped part
 * of the reply; -EBADMSG on a malformed reply; -EMSGSIZE when a datagram
 * did not fit the buffer; -ETIMEDOUT when no reply came within 5 s or
 * foreign datagrams kept arriving for 10 s; the NLMSG_ERROR code; or the
 * callback's error. Stats accumulate in *stats (may be NULL).
 */
int sockdiag_dump(struct sockdiag *sd, int family, uint32_t states, sockdiag_cb cb, void *data,
		  struct sockdiag_stats *stats);

/*
 * sockdiag_destroy() - ask the kernel to destroy the socket sk, as a dump
 * reported it (SOCK_DESTROY with its exact addresses, ports, interface
 * and cookie, so a newer socket on the same 4-tuple is never hit).
 * Returns 0 once the kernel acknowledged, or its error: -EPERM (no
 * CAP_NET_ADMIN in the socket's namespace), -EOPNOTSUPP (a kernel built
 * without CONFIG_INET_DIAG_DESTROY, or a TIME_WAIT socket before Linux
 * 6.0), -ENOENT (gone, or the cookie no longer matches); -ETIMEDOUT,
 * -EBADMSG as for a dump.
 */
int sockdiag_destroy(struct sockdiag *sd, const struct tw_sock *sk);

/*
 * sockdiag_parse_ack() - the outcome of a SOCK_DESTROY request in one
 * received datagram (pure, for tests): 0 for an ack, the kernel's
 * negative errno, or -EBADMSG (anything else, a wrong sequence number).
 */
int sockdiag_parse_ack(const void *buf, size_t len, uint32_t seq);

/*
 * sockdiag_parse_buf() - parse one received datagram of a dump (pure, for
 * tests and replays). buf must be 4-byte aligned; every length in it is
 * checked against len, and a socket whose state is no TCP state (0 or
 * >= TW_STATE_MAX) is refused. seq 0 accepts any sequence number.
 * Returns 1 while more datagrams are expected, 0 on NLMSG_DONE, or a
 * negative error: -EBADMSG (malformed), -EINVAL (unaligned buf), the
 * NLMSG_ERROR or NLMSG_DONE error code, or the callback's error.
 */
int sockdiag_parse_buf(const void *buf, size_t len, uint32_t seq, sockdiag_cb cb, void *data,
		       struct sockdiag_stats *stats);

/*
 * sockdiag_parse_dump() - sockdiag_parse_buf() as sockdiag_dump() runs it:
 * only sockets in the states asked for reach cb (request sockets count as
 * SYN_RECV, FIN_WAIT2 mini-sockets as TIME_WAIT too); others are skipped
 * and counted in stats->unexpected. Same returns.
 */
int sockdiag_parse_dump(const void *buf, size_t len, uint32_t seq, uint32_t states, sockdiag_cb cb,
			void *data, struct sockdiag_stats *stats);

#endif
