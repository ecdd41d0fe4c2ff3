/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Enter another network namespace given as a name, a path or a PID. No printing. */
#ifndef TWSCOPE_NETNS_H
#define TWSCOPE_NETNS_H

#include <stddef.h>
#include <stdint.h>

/*
 * netns_resolve() - "web1" -> /run/netns/web1, "1234" -> /proc/1234/ns/net,
 * anything with '/' is a path. Returns 0 or -ENAMETOOLONG / -EINVAL.
 */
int netns_resolve(const char *spec, char *buf, size_t len);

/*
 * netns_enter() - setns(CLONE_NEWNET) into spec. When ret_orig_fd is not
 * NULL it receives an O_CLOEXEC fd of the namespace we came from (for
 * netns_return()). Never blocks: a FIFO, device, directory, plain file or
 * other namespace type is refused before it is opened for reading.
 * Returns 0, -ENOENT (no such namespace), -EPERM (needs CAP_SYS_ADMIN),
 * -EINVAL (not a network namespace file) or -errno.
 */
int netns_enter(const char *spec, int *ret_orig_fd);

/*
 * netns_ino() - the inode number of spec's network namespace, after the
 * same checks as netns_enter() (without entering it).
 * Returns 0, -ENOENT, -EACCES, -EINVAL (not a network namespace) or -errno.
 */
int netns_ino(const char *spec, uint64_t *ret_ino);

/*
 * netns_enter_ino() - setns(CLONE_NEWNET) into the namespace at path only
 * if it is still the one with this device and inode (a /proc/<pid> path
 * may now belong to another process). The caller keeps its own fd to come
 * back with netns_switch_fd(). Returns 0, -ESTALE (another namespace now),
 * -ENOENT/-ESRCH (gone), -EPERM (needs CAP_SYS_ADMIN), -EINVAL or -errno.
 */
int netns_enter_ino(const char *path, uint64_t dev, uint64_t ino);

/* netns_switch_fd() - setns(CLONE_NEWNET) into fd, which stays open. 0 or -errno. */
int netns_switch_fd(int fd);

/* netns_return() - go back to orig_fd's namespace and close it. */
int netns_return(int orig_fd);

#endif
