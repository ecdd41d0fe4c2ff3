/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsenum: find every network namespace on the host (those of all
 * processes, /run/netns names and nsfs bind mounts from mountinfo),
 * deduplicated by device+inode, bounded in count and time, each named
 * with nsname. Reads under a proc root and a host root so unit tests use
 * fixture trees. No printing; entering is netns_enter_checked().
 */
#ifndef TWSCOPE_NETNS_NSENUM_H
#define TWSCOPE_NETNS_NSENUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netns/nsname.h"

#define NSENUM_MAX 4096			/* namespaces kept; more sets capped */
#define NSENUM_PIDS_MAX (1u << 22)	/* /proc entries looked at */
#define NSENUM_NAMED_MAX 8192		/* /run/netns and mountinfo entries looked at */
#define NSENUM_TIME_NS (5 * 1000000000ULL) /* time for the whole enumeration */
#define NSENUM_CANDIDATES 4		/* lowest pids per namespace whose cgroup names it */
#define NSENUM_HOSTNET_MAX 8		/* host-network containers listed */

struct nsenum_entry {
	uint64_t dev;
	uint64_t ino;
	char *path;		/* how to enter it: bind mount, /run/netns or /proc/<pid>/ns/net */
	char *netns_name;	/* the /run/netns name, or NULL */
	char *mount;		/* an nsfs bind mount point outside /run/netns, or NULL */
	int pid;		/* lowest member pid, 0 when no process is in it */
	int candidates[NSENUM_CANDIDATES];
	unsigned int n_procs;
	char comm[17];		/* raw comm of pid */
	bool host;		/* pid 1's namespace */
	bool self;		/* ours at start */
	struct nsname name;	/* the container it belongs to, if any */
};

struct nsenum_conf {
	const char *proc;	/* NULL: proc_root() */
	const char *root;	/* prefix of host paths (/run/netns, runtime state); NULL: "" */
};

struct nsenum_list {
	struct nsenum_entry *v;
	size_t n;
	size_t cap;
	bool capped;		/* more than NSENUM_MAX namespaces */
	bool timed_out;		/* NSENUM_TIME_NS ran out */
	unsigned int pids_denied; /* processes whose ns/net we may not see */
	unsigned int n_hostnet;	/* host-network containers seen in the host namespace */
	struct nsname hostnet[NSENUM_HOSTNET_MAX];
	/* private */
	int32_t *slots;
	size_t n_slots;
};

/*
 * nsenum_collect() - enumerate and name every network namespace.
 * Returns 0 with ret filled (free with nsenum_list_done()) or -ENOMEM, or
 * -errno when the proc root cannot be read at all.
 */
int nsenum_collect(const struct nsenum_conf *conf, struct nsenum_list *ret);

void nsenum_list_done(struct nsenum_list *l);

/*
 * nsenum_parse_mountinfo_line() - the mount point of an nsfs mount of a
 * network namespace ("... - nsfs nsfs rw" with root "net:[N]"), unescaped
 * (\040 etc.) into buf. Pure. Returns true when the line is one.
 */
bool nsenum_parse_mountinfo_line(const char *line, char *buf, size_t len);

/*
 * nsenum_label() - one raw line naming e: the container, else "netns NAME",
 * else "host", else "pid N (comm) unit", else "mount PATH". Untrusted.
 */
void nsenum_label(const struct nsenum_entry *e, char *buf, size_t len);

#endif
