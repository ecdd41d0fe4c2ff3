// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * natpeer: both ends of real TCP traffic through a NAT gateway between
 * test namespaces. Every wait is bounded.
 *
 *   natpeer serve ADDR PORT      accept, read to EOF, close (the client closes
 *                                first, so TIME_WAIT stays with it); prints
 *                                "ready", runs until SIGTERM or 10 minutes
 *   natpeer connect ADDR PORT N [HOLD]
 *                                N connections the client closes first, then
 *                                HOLD more kept ESTABLISHED; prints "done"
 *                                and keeps the held ones until SIGTERM
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONN 100000
#define RUN_SECONDS 600

static void die(const char *what)
{
	printf("error %s: %s\n", what, strerror(errno));
	fflush(stdout);
	exit(1);
}

static void addr_of(const char *ip, const char *port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, ip, &sa->sin_addr) != 1) {
		errno = EINVAL;
		die("address");
	}
}

static void serve(const struct sockaddr_in *sa)
{
	int one = 1, l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	time_t end = time(NULL) + RUN_SECONDS;

	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(l, (const struct sockaddr *)sa, sizeof(*sa)) < 0 || listen(l, 4096) < 0)
		die("listen");
	printf("ready\n");
	fflush(stdout);
	while (time(NULL) < end) {
		struct pollfd p = { .fd = l, .events = POLLIN };
		char buf[64];
		int s;

		if (poll(&p, 1, 1000) <= 0)
			continue;
		s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (s < 0)
			continue;
		/* Wait (bounded) for the client's FIN, then close: the client closed first. */
		p.fd = s;
		while (poll(&p, 1, 5000) > 0 && read(s, buf, sizeof(buf)) > 0)
			;
		close(s);
	}
}

static int dial(const struct sockaddr_in *sa)
{
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (c < 0 || connect(c, (const struct sockaddr *)sa, sizeof(*sa)) < 0)
		die("connect");
	return c;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;

	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && !strcmp(argv[1], "serve")) {
		addr_of(argv[2], argv[3], &sa);
		serve(&sa);
		return 0;
	}
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "connect")) {
		long n = atol(argv[4]), hold = argc == 6 ? atol(argv[5]) : 0;

		if (n < 0 || n > MAX_CONN || hold < 0 || hold > MAX_CONN) {
			errno = ERANGE;
			die("count");
		}
		addr_of(argv[2], argv[3], &sa);
		for (long i = 0; i < n; i++) {
			int c = dial(&sa);
			struct pollfd p = { .fd = c, .events = POLLIN };
			char b;

			shutdown(c, SHUT_WR);
			/* the server's FIN: our side then goes to TIME_WAIT */
			if (poll(&p, 1, 5000) > 0)
				(void)read(c, &b, 1);
			close(c);
		}
		for (long i = 0; i < hold; i++)
			(void)dial(&sa);
		printf("done\n");
		fflush(stdout);
		if (hold)
			sleep(RUN_SECONDS);
		return 0;
	}
	fprintf(stderr, "usage: natpeer serve ADDR PORT | natpeer connect ADDR PORT N [HOLD]\n");
	return 2;
}
