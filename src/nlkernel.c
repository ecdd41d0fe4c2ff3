// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A netlink socket that hears only the kernel: connect()ed to port id 0,
 * the sender of every datagram checked all the same, bounded against a
 * flood. Never prints.
 */
#include "nlkernel.h"

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/netlink.h>

#include <libmnl/libmnl.h>

#include "util.h"

/* Datagrams dropped at open: more than a receive buffer can hold. */
#define NLKERNEL_DRAIN_MAX 65536

/*
 * Between bind() and connect() another sender could still queue datagrams,
 * enough to fill the receive buffer (the kernel then flags ENOBUFS and the
 * first dump would fail). Nothing is queued for us yet that we asked for:
 * drop it all, and the pending error with it. MSG_TRUNC drops a whole
 * datagram into one byte.
 */
static void drain_queue(int fd)
{
	char b;

	for (unsigned int i = 0; i < NLKERNEL_DRAIN_MAX; i++) {
		ssize_t n = recv(fd, &b, 1, MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0 && errno != ENOBUFS && errno != EINTR)
			break;
	}
}

int nlkernel_open(int bus, unsigned int recv_timeout_sec, struct mnl_socket **ret)
{
	const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	const struct timeval tmo = { .tv_sec = recv_timeout_sec };
	struct mnl_socket *nl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	int fd, r;

	if (!nl)
		return -errno;
	fd = mnl_socket_get_fd(nl);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    connect(fd, (const struct sockaddr *)&kernel, sizeof(kernel)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)) < 0) {
		r = -errno;
		mnl_socket_close(nl);
		return r;
	}
	drain_queue(fd);
	*ret = nl;
	return 0;
}

ssize_t nlkernel_recv(struct mnl_socket *nl, void *buf, size_t len, uint64_t deadline_ns,
		      uint64_t *foreign)
{
	for (;;) {
		struct sockaddr_nl addr;
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr msg = {
			.msg_name = &addr, .msg_namelen = sizeof(addr), .msg_iov = &iov, .msg_iovlen = 1,
		};
		ssize_t n;

		memset(&addr, 0, sizeof(addr));
		n = recvmsg(mnl_socket_get_fd(nl), &msg, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* SO_RCVTIMEO expired: the kernel's reply never came. */
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -ETIMEDOUT;
			return -errno;
		}
		if (msg.msg_namelen != sizeof(addr) || addr.nl_family != AF_NETLINK ||
		    addr.nl_pid != 0 || addr.nl_groups != 0) {
			(*foreign)++;
			if (now_ns() > deadline_ns)
				return -ETIMEDOUT;
			continue;
		}
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		return n;
	}
}

/* An errno as the kernel sends it in NLMSG_ERROR/NLMSG_DONE: -4095..-1. */
static bool is_kernel_errno(int32_t e)
{
	return e < 0 && e >= -4095;
}

int nlkernel_error(const struct nlmsghdr *nlh)
{
	int32_t e;

	if (nlh->nlmsg_len - NLMSG_HDRLEN < sizeof(struct nlmsgerr))
		return -EBADMSG;
	memcpy(&e, (const char *)nlh + NLMSG_HDRLEN, sizeof(e));
	/* An ack arrives as NLMSG_ERROR with error 0; a dump never sends one. */
	return is_kernel_errno(e) ? e : -EBADMSG;
}

int nlkernel_done(const struct nlmsghdr *nlh)
{
	int32_t e;

	if (nlh->nlmsg_len - NLMSG_HDRLEN < sizeof(e))
		return 0;
	memcpy(&e, (const char *)nlh + NLMSG_HDRLEN, sizeof(e));
	return is_kernel_errno(e) ? e : 0;
}

int nlkernel_capture(FILE *f, const void *buf, size_t n)
{
	uint32_t len32 = htole32((uint32_t)n);

	if (!f)
		return 0;
	if (fwrite(&len32, 4, 1, f) != 1 || fwrite(buf, n, 1, f) != 1)
		return -EIO;
	return 0;
}
