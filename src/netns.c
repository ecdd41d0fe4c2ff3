// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Enter a network namespace by name (/run/netns), path or PID. After this,
 * sockets created and /proc/self/net and /proc/sys/net read belong to it.
 * No printing.
 */
#include "netns.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static bool is_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int netns_resolve(const char *spec, char *buf, size_t len)
{
	int n;

	if (!spec || !*spec)
		return -EINVAL;
	if (strchr(spec, '/'))
		n = snprintf(buf, len, "%s", spec);
	else if (is_all_digits(spec))
		n = snprintf(buf, len, "/proc/%s/ns/net", spec);
	else if (strcmp(spec, ".") == 0 || strcmp(spec, "..") == 0)
		return -EINVAL;
	else
		n = snprintf(buf, len, "/run/netns/%s", spec);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int netns_enter(const char *spec, int *ret_orig_fd)
{
	_cleanup_close_ int orig = -EBADF, fd = -EBADF;
	char path[4096];
	int r;

	r = netns_resolve(spec, path, sizeof(path));
	if (r < 0)
		return r;
	if (ret_orig_fd) {
		orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (orig < 0)
			return -errno;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET) < 0)
		return -errno;
	if (ret_orig_fd)
		*ret_orig_fd = TAKE_FD(orig);
	return 0;
}

int netns_return(int orig_fd)
{
	int r = 0;

	if (orig_fd < 0)
		return -EBADF;
	if (setns(orig_fd, CLONE_NEWNET) < 0)
		r = -errno;
	(void) close(orig_fd);
	return r;
}
