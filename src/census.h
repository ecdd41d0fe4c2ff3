/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The census: pure, streaming aggregation of TCP sockets into counts per
 * state, TIME_WAIT sides, ephemeral-port use per destination, server ports,
 * peers and timers. Memory grows with distinct keys, never with sockets.
 * No I/O here: sockets come from sockdiag.c or from tests.
 */
#ifndef TWSCOPE_CENSUS_H
#define TWSCOPE_CENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sock.h"
#include "tcpstate.h"

#define TW_TIMER_BUCKETS 12		/* 5 s each over 0–60 s */
#define TW_TIMER_BUCKET_MS 5000
#define TW_TIME_WAIT_SEC 60		/* TCP_TIMEWAIT_LEN, docs/kernel.md#tw-duration */
#define TW_TOP_REMOTES 3		/* top remote IPs kept per server port */
#define TW_MAP_MAX_ENTRIES (4u << 20)	/* hard cap on distinct keys per table */
#define TW_UNSURE_SAMPLE 16384	/* sockets whose side waits for the port pattern */
#define TW_SIDE_FANOUT_MIN 16		/* distinct peer ports that make a port a service */

/*
 * Close history read off TIME_WAIT timers: TIME_WAIT always starts with the
 * full 60 s, so a socket with R ms left was closed 60 s - R ago, and the
 * census holds the last minute's closes per destination without sampling.
 */
#define TW_CLOSE_WINDOWS 4		/* closes within the last 5, 10, 30, 60 s */
#define TW_CLOSE_RECENT 1		/* the window the recent rate uses: 10 s */
#define TW_AGE_UNKNOWN UINT32_MAX

struct census_closes {
	uint64_t within[TW_CLOSE_WINDOWS];	/* TIME_WAIT closed within each window */
	uint32_t youngest_ms;			/* age of the newest TIME_WAIT, or TW_AGE_UNKNOWN */
	uint32_t clears_ms;			/* until the last TIME_WAIT expires */
};

enum tw_side {
	TW_SIDE_CLIENT,		/* this host closed first on an ephemeral port */
	TW_SIDE_SERVER,		/* this host closed first on its service port */
	TW_SIDE_UNKNOWN,
	TW_SIDE_MAX,
};

enum tw_fam {
	TW_FAM_V4,
	TW_FAM_V6,
	TW_FAM_MAX,
};

/* Which sockets to count; filters are applied per socket. */
struct census_filter {
	bool v4;
	bool v6;
	uint32_t states;	/* bitmask of TW_STATE_BIT(); 0 = all */
	int port;		/* -1 = any; else local or remote port must match */
	bool have_dst;
	struct tw_addr dst;	/* remote address to match (family set) */
	int dst_port;		/* -1 = any */
	bool have_src;
	struct tw_addr src;	/* local address to match (family set); kill --src */
};

struct census_conf {
	uint16_t range_lo;	/* ip_local_port_range */
	uint16_t range_hi;
	const uint8_t *reserved; /* 8192-byte bitmap of ip_local_reserved_ports, or NULL */
	struct census_filter filter;
};

/* One (local IP, remote IP, remote port) this host connects to. */
struct census_dest {
	struct tw_addr local;
	struct tw_addr remote;
	uint16_t remote_port;
	uint64_t held;		/* sockets holding a local port toward it */
	uint64_t time_wait;
	uint64_t established;
	double util_pct;	/* held / usable * 100 */
	struct census_closes closes;
};

struct census_remote {
	struct tw_addr addr;
	uint64_t time_wait;
	uint64_t total;
};

/* One local service port on which this host is the server. */
struct census_server_port {
	uint16_t port;
	uint64_t states[TW_STATE_MAX];
	uint64_t total;
	uint64_t distinct_remotes;
	struct census_closes closes;
	size_t n_top;
	struct census_remote top[TW_TOP_REMOTES];
};

struct census {
	struct census_conf conf;
	uint64_t sockets;			/* counted (after filters) */
	uint64_t states[TW_FAM_MAX][TW_STATE_MAX];
	uint64_t tw_side[TW_SIDE_MAX];		/* true TIME_WAIT only */
	uint64_t fw2_orphan;			/* FIN_WAIT2 mini-sockets (timer 3, inode 0) */
	uint64_t fw2_live;
	uint64_t tw_timer[TW_TIMER_BUCKETS];	/* remaining time of TIME_WAIT sockets */
	struct census_closes closes;		/* all TIME_WAIT, any side */
	uint64_t listeners;
	bool truncated;				/* a table hit TW_MAP_MAX_ENTRIES */

	/* Usable ephemeral ports: range − reserved − listening ports inside the range. */
	uint32_t range_size;
	uint32_t reserved_in_range;
	uint32_t listeners_in_range;
	uint32_t usable;

	/* Filled by census_finish(), sorted worst/largest first; owned by the census. */
	struct census_dest *dests;
	size_t n_dests;
	struct census_server_port *servers;
	size_t n_servers;
	struct census_remote *peers;	/* all remote IPs, by TIME_WAIT */
	size_t n_peers;

	/* private */
	uint8_t listen_ports[8192];		/* bitmap of ports with a listener */
	struct tw_map *dest_map;
	struct tw_map *server_map;
	struct tw_map *remote_map;
	struct tw_map *peer_map;
	struct census_unsure *unsure;		/* port-only sides, settled from a sample */
	size_t n_unsure;
	size_t cap_unsure;
	bool sides_learned;			/* the ports below come from a full sample */
	uint8_t served_ports[8192];		/* local ports found to be services */
	uint8_t used_ports[8192];		/* remote ports found to be services we use */
	bool finished;
};

/* census_new() - an empty census for conf (copied). NULL + errno on OOM. */
struct census *census_new(const struct census_conf *conf);
struct census *census_free(struct census *c);

/*
 * census_add_listener() - record a LISTEN socket. Call for every listener
 * before census_add() so sides can be told. Counts it when the filter allows.
 */
int census_add_listener(struct census *c, const struct tw_sock *sk);

/*
 * census_add() - count one non-listening socket.
 * Returns 0, or -ENOMEM. A full table sets c->truncated and is not an error.
 */
int census_add(struct census *c, const struct tw_sock *sk);

/*
 * census_side() - which side closed first for this socket, by ports and
 * listeners alone. census_add() settles some of the "unknown" ones later, in
 * census_finish(), from how many distinct peer ports a port faces.
 */
enum tw_side census_side(const struct census *c, const struct tw_sock *sk);

/* census_finish() - compute usable ports, utilisation and sorted tables. 0 or -ENOMEM. */
int census_finish(struct census *c);

/* census_total() - sum of one state over families. */
uint64_t census_total(const struct census *c, unsigned int state);

/* census_family_total() - all states of one family. */
uint64_t census_family_total(const struct census *c, enum tw_fam fam);

/* census_filter_match() - does the socket pass the filter? */
bool census_filter_match(const struct census_filter *f, const struct tw_sock *sk);

/* bitmap helpers for 65536-port maps */
static inline bool port_bit(const uint8_t *map, uint16_t port)
{
	return map && (map[port >> 3] >> (port & 7)) & 1;
}

static inline void port_bit_set(uint8_t *map, uint16_t port)
{
	map[port >> 3] |= (uint8_t)(1u << (port & 7));
}

const char *census_side_name(enum tw_side side);

/* census_close_window_sec() - length of close window w (0..TW_CLOSE_WINDOWS-1) in seconds. */
unsigned int census_close_window_sec(unsigned int w);

/* census_closes_init() - an empty close history. */
void census_closes_init(struct census_closes *h);

/* census_closes_add() - count one TIME_WAIT socket with expires_ms left. */
void census_closes_add(struct census_closes *h, uint32_t expires_ms);

/* census_close_rate() - closes per second over window w. */
double census_close_rate(const struct census_closes *h, unsigned int w);

#endif
