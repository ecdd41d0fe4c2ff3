// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Load generator for bench/trace-overhead.sh: a steady rate of short TCP
 * connections on loopback. The server closes first (its TIME_WAIT, so
 * client ports never run out); the client sees EOF and closes.
 *
 *   trace-load RATE SECONDS [THREADS]   prints "connections=N rate=R"
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PORT 9300
#define NSRC 4

static atomic_ulong done;
static atomic_ulong errors;
static double rate_per_thread;
static uint64_t end_ns;
static int lfd;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *server(void *arg)
{
	(void) arg;
	for (;;) {
		int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (c >= 0)
			close(c);	/* server closes first */
	}
	return NULL;
}

static void *client(void *arg)
{
	long id = (long)arg;
	uint64_t start = mono_ns(), n = 0;
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	struct sockaddr_in src = { .sin_family = AF_INET };
	char buf[16];
	int one = 1;

	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	src.sin_addr.s_addr = htonl(0x7f00000b + (uint32_t)(id % NSRC));	/* 127.0.0.11.. */
	while (mono_ns() < end_ns) {
		uint64_t due = start + (uint64_t)((double)n * 1e9 / rate_per_thread);
		uint64_t now = mono_ns();
		int s;

		if (due > now) {
			struct timespec ts = { (time_t)((due - now) / 1000000000ULL),
					       (long)((due - now) % 1000000000ULL) };
			nanosleep(&ts, NULL);
		}
		n++;
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0) {
			errors++;
			continue;
		}
		(void) setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(s, (struct sockaddr *)&src, sizeof(src)) < 0 ||
		    connect(s, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
			errors++;
			close(s);
			continue;
		}
		while (read(s, buf, sizeof(buf)) > 0)
			;
		close(s);
		done++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	int threads = argc > 3 ? atoi(argv[3]) : 8, one = 1;
	double rate, secs;
	pthread_t srv[2], cl[64];
	uint64_t t0;

	if (argc < 3 || threads < 1 || threads > 64) {
		fprintf(stderr, "usage: trace-load RATE SECONDS [THREADS]\n");
		return 2;
	}
	rate = atof(argv[1]);
	secs = atof(argv[2]);
	if (rate <= 0 || secs <= 0 || secs > 600)
		return 2;
	rate_per_thread = rate / threads;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 4096) < 0) {
		perror("listen");
		return 1;
	}
	t0 = mono_ns();
	end_ns = t0 + (uint64_t)(secs * 1e9);
	for (int i = 0; i < 2; i++)
		pthread_create(&srv[i], NULL, server, NULL);
	for (long i = 0; i < threads; i++)
		pthread_create(&cl[i], NULL, client, (void *)i);
	for (int i = 0; i < threads; i++)
		pthread_join(cl[i], NULL);
	printf("connections=%lu errors=%lu rate=%.0f\n", (unsigned long)done,
	       (unsigned long)errors, (double)done / ((double)(mono_ns() - t0) / 1e9));
	return 0;
}
