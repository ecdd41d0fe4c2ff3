/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procowner: map socket inodes to the processes holding them, by reading
 * the /proc/<pid>/fd links ("socket:[inode]"). Bounded in processes, file
 * descriptors and time. Nothing here prints.
 */
#ifndef TWSCOPE_PROCOWNER_H
#define TWSCOPE_PROCOWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROCOWNER_MAX_PIDS 65536
#define PROCOWNER_MAX_FDS (4u << 20)	/* fd links read in total */
#define PROCOWNER_MAX_NS (2ULL * 1000000000ULL)

struct procowner_hit {
	uint32_t inode;
	uint32_t tag;		/* the caller's; kept when procowner_scan() reorders hits */
	int pid;		/* 0 = not found */
	char comm[16];
};

/*
 * procowner_scan() - fill pid/comm of every hit whose inode a visible
 * process holds (hits: inode set, pid 0). *ret_partial is set when some
 * process could not be inspected (EACCES: needs root or the same user) or
 * a bound was hit. Returns the number of hits found, or -errno when
 * <proc_root> cannot be listed.
 */
int procowner_scan(struct procowner_hit *hits, size_t n, bool *ret_partial);

#endif
