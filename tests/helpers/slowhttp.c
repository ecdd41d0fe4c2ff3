// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * slowhttp: N slow HTTP clients for the serve tests. Each connects (bound to
 * one of the given source addresses in turn), sends a request line and then
 * one header line every INTERVAL_MS, never finishing the request. Prints
 * "ready connected=C" once all connects were tried, then, when every
 * connection was closed by the server or after DURATION_S seconds,
 * "done connected=C closed=K early=E min_life_ms=A max_life_ms=B" (early =
 * closed before the first header line was due, e.g. refused by a per-address
 * limit).
 * Bounded in count (<= 4096) and time; test-only.
 *
 * usage: slowhttp ADDR PORT N INTERVAL_MS DURATION_S SRC[,SRC...]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4096
#define MAX_SRCS 64

struct slow {
	int fd;
	uint64_t start_ms;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int connect_one(const struct sockaddr_in *dst, const struct in_addr *src)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = *src };
	struct timeval tv = { .tv_sec = 3 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	/* SO_SNDTIMEO bounds connect() too. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static const char first[] = "GET /metrics HTTP/1.1\r\nHost: slow\r\n";
	static struct slow conns[MAX_CONNS];
	static struct pollfd pfd[MAX_CONNS];
	struct in_addr srcs[MAX_SRCS];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	int n, interval_ms, duration_s, nsrc = 0, connected = 0, closed = 0, early = 0;
	uint64_t t0, next_send, min_life = UINT64_MAX, max_life = 0;
	char *list, *tok, *save = NULL;
	unsigned int line = 0;

	if (argc != 7) {
		fprintf(stderr, "usage: slowhttp ADDR PORT N INTERVAL_MS DURATION_S SRC[,SRC...]\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1)
		return 2;
	dst.sin_port = htons((uint16_t)atoi(argv[2]));
	n = atoi(argv[3]);
	interval_ms = atoi(argv[4]);
	duration_s = atoi(argv[5]);
	if (n < 1 || n > MAX_CONNS || interval_ms < 10 || duration_s < 1 || duration_s > 600)
		return 2;
	list = argv[6];
	for (tok = strtok_r(list, ",", &save); tok && nsrc < MAX_SRCS; tok = strtok_r(NULL, ",", &save))
		if (inet_pton(AF_INET, tok, &srcs[nsrc]) == 1)
			nsrc++;
	if (!nsrc)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	t0 = now_ms();
	for (int i = 0; i < n; i++) {
		conns[i].fd = connect_one(&dst, &srcs[i % nsrc]);
		conns[i].start_ms = now_ms();
		if (conns[i].fd < 0)
			continue;
		connected++;
		if (send(conns[i].fd, first, sizeof(first) - 1, MSG_NOSIGNAL) < 0) {
			close(conns[i].fd);
			conns[i].fd = -1;
			closed++;
			early++;
			min_life = 0;
		}
	}
	printf("ready connected=%d\n", connected);
	next_send = now_ms() + (uint64_t)interval_ms;
	while (closed < connected && now_ms() - t0 < (uint64_t)duration_s * 1000) {
		uint64_t now = now_ms();
		int timeout = next_send > now ? (int)(next_send - now) : 0;

		for (int i = 0; i < n; i++) {
			pfd[i].fd = conns[i].fd;
			pfd[i].events = POLLIN;
		}
		if (timeout > 200)
			timeout = 200;
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
			return 1;
		now = now_ms();
		for (int i = 0; i < n; i++) {
			char buf[4096];
			ssize_t got;
			uint64_t life;

			if (conns[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = recv(conns[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (got > 0 || (got < 0 && errno == EAGAIN))
				continue;	/* an answer (e.g. 408): wait for the close */
			life = now - conns[i].start_ms;
			close(conns[i].fd);
			conns[i].fd = -1;
			closed++;
			if (life < (uint64_t)interval_ms)
				early++;
			if (life < min_life)
				min_life = life;
			if (life > max_life)
				max_life = life;
		}
		if (now >= next_send) {
			char hdr[64];
			int len = snprintf(hdr, sizeof(hdr), "X-Slow-%u: x\r\n", line++);

			for (int i = 0; i < n; i++)
				if (conns[i].fd >= 0)
					(void) send(conns[i].fd, hdr, (size_t)len, MSG_NOSIGNAL);
			next_send = now + (uint64_t)interval_ms;
		}
	}
	printf("done connected=%d closed=%d early=%d min_life_ms=%llu max_life_ms=%llu\n", connected,
	       closed, early, (unsigned long long)(min_life == UINT64_MAX ? 0 : min_life),
	       (unsigned long long)max_life);
	for (int i = 0; i < n; i++)
		if (conns[i].fd >= 0)
			close(conns[i].fd);
	return 0;
}
