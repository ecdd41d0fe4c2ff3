// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Enter a network namespace by name (/run/netns), path or PID. After this,
 * sockets created and /proc/self/net and /proc/sys/net read belong to it.
 * Only nsfs files of network namespaces are opened (never a FIFO, device
 * or plain file). No printing.
 */
#include "netns.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/nsfs.h>

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

/*
 * Open path only if it is a network namespace file. O_PATH first: opening a
 * FIFO would block and opening a device may have side effects, so nothing
 * but an nsfs file is ever opened for reading. The second open is
 * O_NONBLOCK and must reach the same inode, in case the path was swapped.
 */
static int open_netns(const char *path, int *ret_fd)
{
	_cleanup_close_ int pfd = -EBADF, fd = -EBADF;
	struct statfs sfs;
	struct stat st, st2;
	int type;

	pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	if (fstat(pfd, &st) < 0 || fstatfs(pfd, &sfs) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || sfs.f_type != NSFS_MAGIC)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st2) < 0)
		return -errno;
	if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino)
		return -EINVAL;
	/* compat: NS_GET_NSTYPE needs Linux 4.11; setns() checks the type anyway. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 && type != CLONE_NEWNET)
		return -EINVAL;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int netns_ino(const char *spec, uint64_t *ret_ino)
{
	_cleanup_close_ int fd = -EBADF;
	char path[PATH_MAX];
	struct stat st;
	int r;

	r = netns_resolve(spec, path, sizeof(path));
	if (r < 0)
		return r;
	r = open_netns(path, &fd);
	if (r < 0)
		return r;
	if (fstat(fd, &st) < 0)
		return -errno;
	*ret_ino = st.st_ino;
	return 0;
}

int netns_enter(const char *spec, int *ret_orig_fd)
{
	_cleanup_close_ int orig = -EBADF, fd = -EBADF;
	char path[PATH_MAX];
	int r;

	r = netns_resolve(spec, path, sizeof(path));
	if (r < 0)
		return r;
	if (ret_orig_fd) {
		orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (orig < 0)
			return -errno;
	}
	r = open_netns(path, &fd);
	if (r < 0)
		return r;
	if (setns(fd, CLONE_NEWNET) < 0)
		return -errno;
	if (ret_orig_fd)
		*ret_orig_fd = TAKE_FD(orig);
	return 0;
}

int netns_enter_ino(const char *path, uint64_t dev, uint64_t ino)
{
	_cleanup_close_ int fd = -EBADF;
	struct stat st;
	int r;

	r = open_netns(path, &fd);
	if (r < 0)
		return r;
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_dev != dev || (uint64_t)st.st_ino != ino)
		return -ESTALE;
	if (setns(fd, CLONE_NEWNET) < 0)
		return -errno;
	return 0;
}

int netns_switch_fd(int fd)
{
	return setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
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
