// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Loopback socket helpers for the lab scenarios. Everything is bounded by
 * explicit timeouts; every fd is close-on-exec. No printing.
 */
#include "lab/labnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "util.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static void lab_addr(struct sockaddr_in *sa, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static int set_int(int fd, int level, int opt, int v)
{
	if (setsockopt(fd, level, opt, &v, sizeof(v)) < 0)
		return -errno;
	return 0;
}

int labnet_listen(uint16_t port, bool reuseaddr, int backlog)
{
	struct sockaddr_in sa;
	int fd, r;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (reuseaddr) {
		r = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
		if (r < 0)
			goto fail;
	}
	lab_addr(&sa, port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, backlog) < 0) {
		r = -errno;
		goto fail;
	}
	return fd;
fail:
	(void) close(fd);
	return r;
}

int labnet_connect(uint16_t port, const struct lab_conn_opts *o, int *ret_fd)
{
	static const struct lab_conn_opts none;
	struct sockaddr_in sa;
	struct timeval tv;
	int fd, r, ms;

	if (!o)
		o = &none;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (o->nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -errno;
	ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	r = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ? -errno : 0;
	if (r == 0 && o->reuseaddr)
		r = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (r == 0 && o->bind_no_port)
		r = set_int(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1);
	if (r < 0)
		goto fail;
	if (o->bind || o->bind_no_port) {
		lab_addr(&sa, o->bind_port);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			r = -errno;
			goto fail;
		}
	}
	lab_addr(&sa, port);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		/* a blocking connect() that hit SO_SNDTIMEO reports EINPROGRESS */
		if (r == -EINPROGRESS && !o->nonblock)
			r = -ETIMEDOUT;
		if (r != -EINPROGRESS)
			goto fail;
	}
	*ret_fd = fd;
	return r;
fail:
	(void) close(fd);
	return r;
}

int labnet_accept(int lfd, int timeout_ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	int r, fd;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int labnet_wait_eof(int fd, int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * NSEC_PER_MSEC;
	char buf[512];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ns();
		ssize_t n;
		int r;

		if (now >= end)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)((end - now) / NSEC_PER_MSEC) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
	}
}

int labnet_local_port(int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return -errno;
	return ntohs(sa.sin_port);
}

int labnet_finish(int lfd, int cfd, enum labnet_closer who)
{
	int afd, r;

	afd = labnet_accept(lfd, 2000);
	if (afd < 0) {
		(void) close(cfd);
		return afd;
	}
	if (who == LABNET_CLIENT_FIRST) {
		(void) close(cfd);
		r = labnet_wait_eof(afd, 2000);
		(void) close(afd);
	} else {
		(void) close(afd);
		r = labnet_wait_eof(cfd, 2000);
		(void) close(cfd);
	}
	return r;
}

int labnet_cycle(int lfd, uint16_t port, const struct lab_conn_opts *o, enum labnet_closer who)
{
	int fd, lport, r;

	r = labnet_connect(port, o, &fd);
	if (r < 0)
		return r;
	lport = labnet_local_port(fd);
	r = labnet_finish(lfd, fd, who);
	if (r < 0)
		return r;
	return lport;
}

int labnet_lo_up(void)
{
	struct ifreq ifr;
	int fd, r = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		r = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			r = -errno;
	}
	(void) close(fd);
	return r;
}
