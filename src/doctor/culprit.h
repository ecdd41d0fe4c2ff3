/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * culprit: which processes hold sockets toward the destinations whose ports
 * run out, with their cgroup and language runtime. TIME_WAIT sockets have no
 * owner (the application closed them), so the live ones name the program.
 * Nothing here prints.
 */
#ifndef TWSCOPE_CULPRIT_H
#define TWSCOPE_CULPRIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doctor/recipes.h"
#include "sock.h"

#define CULPRIT_MAX_DESTS 4
#define CULPRIT_MAX_OWNERS 4		/* per destination, most sockets first */
#define CULPRIT_MAX_INODES 65536	/* live sockets looked up in /proc */
#define CULPRIT_COMM_LEN 16
#define CULPRIT_CGROUP_LEN 128

/* Processes with the same comm and cgroup are one owner (forked workers). */
struct culprit_owner {
	int pid;			/* the lowest pid of the group */
	uint32_t pids;
	uint32_t sockets;
	enum tw_runtime runtime;
	char comm[CULPRIT_COMM_LEN];		/* raw bytes from /proc: render with safetext */
	char cgroup[CULPRIT_CGROUP_LEN];	/* cgroup v2 path, "" when unknown */
};

struct culprit_dest {
	/* in */
	struct tw_addr local;
	struct tw_addr remote;
	uint16_t remote_port;
	/* out */
	uint64_t live;			/* sockets toward it in a live state (not TIME_WAIT) */
	uint64_t unowned;		/* of which no visible process holds (orphans, other users) */
	size_t n_owners;
	struct culprit_owner owners[CULPRIT_MAX_OWNERS];
};

/*
 * culprit_scan() - fill the out fields of n destinations from one sock_diag
 * dump of the current netns and a /proc scan. *ret_partial is set when some
 * process could not be inspected (needs root or the same user) or a bound
 * was hit. Returns 0 or -errno (the dump failed).
 */
int culprit_scan(struct culprit_dest *dests, size_t n, bool *ret_partial);

/* A local server port and the process holding its listening socket. */
struct culprit_listener {
	uint16_t port;			/* in */
	bool listening;			/* out: a LISTEN socket has this port */
	int pid;			/* out: a process holding it, 0 = none visible */
	char comm[CULPRIT_COMM_LEN];
};

/*
 * culprit_listeners() - for each of n ports, whether something listens on
 * it and which process holds that socket (one LISTEN dump, one /proc scan).
 * *ret_partial as for culprit_scan(). Returns 0 or -errno.
 */
int culprit_listeners(struct culprit_listener *l, size_t n, bool *ret_partial);

/* culprit_read_cgroup() - the cgroup v2 path of pid into buf ("" when none). 0 or -errno. */
int culprit_read_cgroup(int pid, char *buf, size_t len);

#endif
