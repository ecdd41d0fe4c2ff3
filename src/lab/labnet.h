/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loopback socket helpers for lab scenarios: listeners, connects with
 * options and bounded timeouts, accept and the two orders of closing a
 * connection. IPv4 only, single-threaded, every wait bounded. No printing.
 */
#ifndef TWSCOPE_LAB_LABNET_H
#define TWSCOPE_LAB_LABNET_H

#include <stdbool.h>
#include <stdint.h>

#define LAB_IP "127.0.0.1"

/* How a client socket is prepared before connect(). */
struct lab_conn_opts {
	bool reuseaddr;		/* SO_REUSEADDR */
	bool bind;		/* bind() before connect() */
	bool bind_no_port;	/* IP_BIND_ADDRESS_NO_PORT (with bind to port 0) */
	uint16_t bind_port;	/* 0 = let bind() pick */
	bool nonblock;		/* return -EINPROGRESS instead of waiting */
	int timeout_ms;		/* connect() wait (SO_SNDTIMEO); 0 = 5000 */
};

/* labnet_listen() - a listener on LAB_IP:port. Returns the fd or -errno (bind or listen error). */
int labnet_listen(uint16_t port, bool reuseaddr, int backlog);

/*
 * labnet_connect() - a client socket to LAB_IP:port prepared as o says.
 * Returns 0 and the fd in *ret_fd, or -errno from socket/bind/connect
 * (-EADDRINUSE from bind, -EADDRNOTAVAIL from connect, ...). A failed bind
 * or connect closes the socket.
 */
int labnet_connect(uint16_t port, const struct lab_conn_opts *o, int *ret_fd);

/* labnet_accept() - accept one connection within timeout_ms. fd or -ETIMEDOUT/-errno. */
int labnet_accept(int lfd, int timeout_ms);

/* labnet_wait_eof() - read until EOF within timeout_ms: 0, -ECONNRESET, -ETIMEDOUT. */
int labnet_wait_eof(int fd, int timeout_ms);

/* labnet_local_port() - the bound local port of fd, or -errno. */
int labnet_local_port(int fd);

enum labnet_closer {
	LABNET_CLIENT_FIRST,	/* TIME_WAIT on the client */
	LABNET_SERVER_FIRST,	/* TIME_WAIT on the server */
};

/*
 * labnet_finish() - accept the connection of client fd cfd on lfd and close
 * both in the given order; the passive side closes only after it read EOF
 * so the close is never simultaneous. Closes cfd in every case. 0 or -errno.
 */
int labnet_finish(int lfd, int cfd, enum labnet_closer who);

/*
 * labnet_cycle() - connect (as o says), then labnet_finish(). Returns the
 * client's local port (> 0) or -errno (the connect error).
 */
int labnet_cycle(int lfd, uint16_t port, const struct lab_conn_opts *o, enum labnet_closer who);

/* labnet_lo_up() - bring up "lo" in the current netns. 0 or -errno. */
int labnet_lo_up(void);

#endif
