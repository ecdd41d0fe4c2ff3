/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct tw_sock: what the census needs of one socket, copied out of a
 * sock_diag message (nothing in it points into a netlink buffer).
 */
#ifndef TWSCOPE_SOCK_H
#define TWSCOPE_SOCK_H

#include <stdbool.h>
#include <stdint.h>

/* An address of either family; v4 uses the first 4 bytes. */
struct tw_addr {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t pad[3];
	uint8_t bytes[16];
};

struct tw_sock {
	struct tw_addr src;
	struct tw_addr dst;
	uint16_t sport;		/* host byte order */
	uint16_t dport;
	uint8_t state;		/* kernel number; request sockets are TW_NEW_SYN_RECV */
	uint8_t timer;		/* idiag_timer: 3 = timewait timer */
	bool mini;		/* a timewait or request mini-socket (no full struct sock) */
	uint8_t pad;
	uint32_t expires_ms;
	uint32_t inode;
	uint32_t uid;
	uint32_t ifindex;
	uint64_t cookie;
	/* ms since the peer's last ACK (tcpi_last_ack_recv); only where asked for. */
	uint32_t last_ack_ms;
};

/* tw_sock.last_ack_ms when the dump carried no tcp_info (not asked, mini-socket). */
#define TW_ACK_AGE_UNKNOWN UINT32_MAX

#endif
