// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * procowner: which process holds a socket inode, from /proc/<pid>/fd links.
 * Reads only /proc (through proc_root()); bounded; never prints.
 */
#include "doctor/procowner.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static int cmp_hit(const void *a, const void *b)
{
	const struct procowner_hit *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/*
 * The comm as the task set it: any bytes but NUL, a '\n' included, so only
 * the one newline the kernel appends is dropped. Kept raw: renderers make
 * it safe (safetext.h), the same way for a live run and a loaded bundle.
 */
static void read_comm(const char *root, const char *pid, char *comm, size_t len)
{
	char path[PATH_MAX], buf[64];
	_cleanup_fclose_ FILE *f = NULL;
	size_t n = 0;

	snprintf(comm, len, "?");
	snprintf(path, sizeof(path), "%s/%s/comm", root, pid);
	f = fopen(path, "re");
	if (f)
		n = fread(buf, 1, sizeof(buf) - 1, f);
	if (n && buf[n - 1] == '\n')
		n--;
	if (!n)
		return;
	if (n > len - 1)
		n = len - 1;
	memcpy(comm, buf, n);
	comm[n] = '\0';
}

static size_t scan_pid(const char *root, const char *pid, struct procowner_hit *hits, size_t n,
		       size_t *budget, bool *partial)
{
	char path[PATH_MAX], link[64];
	struct dirent *de;
	size_t found = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s/fd", root, pid);
	d = opendir(path);
	if (!d) {
		if (errno == EACCES || errno == EPERM)
			*partial = true;
		return 0;
	}
	while ((de = readdir(d))) {
		struct procowner_hit key, *h;
		char fdpath[PATH_MAX];
		unsigned long ino;
		ssize_t l;

		if (de->d_name[0] == '.')
			continue;
		if (*budget == 0) {
			*partial = true;
			break;
		}
		(*budget)--;
		if (snprintf(fdpath, sizeof(fdpath), "%s/%s", path, de->d_name) >= (int)sizeof(fdpath))
			continue;
		l = readlink(fdpath, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) != 1 || ino > UINT32_MAX)
			continue;
		key.inode = (uint32_t)ino;
		h = bsearch(&key, hits, n, sizeof(*hits), cmp_hit);
		if (!h || h->pid)
			continue;
		/* duplicates of one inode are adjacent: give them all this owner */
		while (h > hits && h[-1].inode == key.inode)
			h--;
		for (; h < hits + n && h->inode == key.inode; h++) {
			h->pid = atoi(pid);
			read_comm(root, pid, h->comm, sizeof(h->comm));
			found++;
		}
	}
	closedir(d);
	return found;
}

int procowner_scan(struct procowner_hit *hits, size_t n, bool *ret_partial)
{
	const char *root = proc_root();
	uint64_t start = now_ns();
	size_t budget = PROCOWNER_MAX_FDS, pids = 0, found = 0;
	bool partial = false;
	struct dirent *de;
	DIR *d;

	for (size_t i = 0; i < n; i++)
		hits[i].pid = 0;
	qsort(hits, n, sizeof(*hits), cmp_hit);
	d = opendir(root);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && found < n) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (++pids > PROCOWNER_MAX_PIDS || now_ns() - start > PROCOWNER_MAX_NS) {
			partial = true;
			break;
		}
		found += scan_pid(root, de->d_name, hits, n, &budget, &partial);
	}
	closedir(d);
	*ret_partial = partial;
	return (int)found;
}
