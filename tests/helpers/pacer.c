// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pacer: a client that closes first at a steady rate, for tests of measured
 * close rates. It listens on ADDR:PORT itself, then makes RATE connections
 * per second for SECONDS seconds (on an absolute schedule, so the rate does
 * not drift), each closed by the client first: one client-side TIME_WAIT per
 * connection. RATE 0 means one burst of SECONDS connections as fast as it can.
 * Prints "done N" with the connections made, then exits.
 *   pacer ADDR PORT RATE SECONDS      (IPv4; RATE <= 5000, SECONDS <= 120;
 *                                      with RATE 0, SECONDS is the count, <= 20000)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int die(const char *what)
{
	printf("error %s: %s\n", what, strerror(errno));
	return 1;
}

/* One connection: connect, accept, client closes, server closes after EOF. */
static int cycle(int lfd, const struct sockaddr_in *sa)
{
	struct pollfd p = { .events = POLLIN };
	char b;
	int c, a;

	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0)
		return -1;
	if (connect(c, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		close(c);
		return -1;
	}
	p.fd = lfd;
	if (poll(&p, 1, 2000) != 1 || (a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		close(c);
		return -1;
	}
	close(c);
	p.fd = a;
	/* wait for the client's FIN so the server's close is never simultaneous */
	if (poll(&p, 1, 2000) == 1 && read(a, &b, 1) < 0)
		b = 0;	/* a reset instead of a FIN: nothing to wait for */
	close(a);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timespec next;
	long rate, secs, total, made = 0;
	int one = 1, lfd;

	if (argc != 5 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: pacer ADDR PORT RATE SECONDS\n");
		return 2;
	}
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	rate = atol(argv[3]);
	secs = atol(argv[4]);
	if (rate < 0 || rate > 5000 || secs < 1 || secs > (rate ? 120 : 20000))
		return 2;
	total = rate ? rate * secs : secs;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1024) < 0)
		return die("listen");
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < total; i++) {
		if (rate) {
			long ns = 1000000000L / rate;

			next.tv_nsec += ns;
			while (next.tv_nsec >= 1000000000L) {
				next.tv_nsec -= 1000000000L;
				next.tv_sec++;
			}
			(void) clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		}
		if (cycle(lfd, &sa) == 0)
			made++;
	}
	printf("done %ld\n", made);
	return made == total ? 0 : 1;
}
