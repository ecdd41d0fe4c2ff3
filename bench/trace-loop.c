// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Closed-loop cost probe for bench/trace-cpu.sh: one thread makes N short
 * loopback TCP connections back to back (same shape as trace-load: the
 * server closes first, the client reads EOF and closes) and prints the CPU
 * time per connection. On loopback the softirqs run in this thread's
 * context, so the per-connection time includes both ends and every BPF
 * program the connection triggers, without bpf_stats.
 *
 *   trace-loop CONNECTIONS      prints "conns=N wall_ns=W cpu_ns=C" per conn
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PORT 9301
#define NSRC 4

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	struct sockaddr_in src = { .sin_family = AF_INET };
	long n = argc > 1 ? atol(argv[1]) : 0, done = 0;
	uint64_t w0, c0, w1, c1;
	char buf[16];
	int lfd, one = 1;

	if (n <= 0 || n > 100000000L) {
		fprintf(stderr, "usage: trace-loop CONNECTIONS\n");
		return 2;
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 128) < 0) {
		perror("listen");
		return 1;
	}
	w0 = clock_ns(CLOCK_MONOTONIC);
	c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	for (long i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c;

		if (s < 0)
			break;
		src.sin_addr.s_addr = htonl(0x7f00000b + (uint32_t)(i % NSRC));
		(void) setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(s, (struct sockaddr *)&src, sizeof(src)) < 0 ||
		    connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
			close(s);
			continue;
		}
		c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0)
			close(c);	/* server closes first */
		while (read(s, buf, sizeof(buf)) > 0)
			;
		close(s);
		done++;
	}
	w1 = clock_ns(CLOCK_MONOTONIC);
	c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	if (!done)
		return 1;
	printf("conns=%ld wall_ns=%.0f cpu_ns=%.0f\n", done, (double)(w1 - w0) / (double)done,
	       (double)(c1 - c0) / (double)done);
	return 0;
}
