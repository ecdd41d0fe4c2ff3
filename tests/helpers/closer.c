// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * closer: make N loopback connections to a private listener where the client
 * closes first, then exit; unlike sockpop it does not wait for any TIME_WAIT
 * count (tests that overflow tcp_max_tw_buckets need exactly that).
 *   closer ADDR PORT N      (IPv4 only; N <= 10000; every wait bounded)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int die(const char *what)
{
	printf("error %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, lfd, n;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: closer ADDR PORT N\n");
		return 2;
	}
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	n = atoi(argv[3]);
	if (n < 1 || n > 10000)
		return 2;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 128) < 0)
		return die("listen");
	for (int i = 0; i < n; i++) {
		struct pollfd p;
		char b;
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), s;

		if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			return die("connect");
		s = accept(lfd, NULL, NULL);
		if (s < 0)
			return die("accept");
		close(c);	/* the client closes first */
		p.fd = s;
		p.events = POLLIN;
		if (poll(&p, 1, 5000) != 1 || read(s, &b, 1) != 0)
			return die("waiting for EOF");
		close(s);
	}
	close(lfd);
	/* let the last FINs reach their sockets */
	usleep(200 * 1000);
	printf("done %d\n", n);
	return 0;
}
