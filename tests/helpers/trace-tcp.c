// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Workload for the trace tests: a forked peer ("twt-peer") listens on
 * 127.0.0.1:PORT and the parent ("twt-closer") opens connections and closes
 * them in a chosen way. Prints "closer_pid=P peer_pid=Q" first and the
 * outcome ("done=N" or "fails=N") last. Every loop is bounded.
 *
 *   trace-tcp close   PORT N   client closes first, peer closes on EOF
 *   trace-tcp linger0 PORT N   client closes with SO_LINGER{1,0} (RST)
 *   trace-tcp unread  PORT N   client closes with unread data (RST)
 *   trace-tcp exhaust PORT N   hold connections until EADDRNOTAVAIL, then N more tries
 *   trace-tcp rebind  PORT N   bind() the peer's listening address N times (EADDRINUSE)
 *   trace-tcp ports   PORT N   like close, one connection to each of PORT..PORT+N-1
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CONN 4096
#define MAX_PORTS 256

static struct sockaddr_in addr_of(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* Peer: accept; on EOF close (passive close); in unread mode send data first. */
static int peer(const int *lfds, int nl, const char *mode)
{
	struct pollfd lp[MAX_PORTS];

	(void) prctl(PR_SET_NAME, "twt-peer", 0, 0, 0);
	for (int i = 0; i < nl; i++)
		lp[i] = (struct pollfd){ .fd = lfds[i], .events = POLLIN };
	for (;;) {
		struct pollfd pfd;
		char buf[512];
		int c = -1;

		if (poll(lp, (nfds_t)nl, 10000) <= 0)
			return 1;
		for (int i = 0; i < nl && c < 0; i++)
			if (lp[i].revents & POLLIN)
				c = accept(lfds[i], NULL, NULL);
		if (c < 0)
			return 1;
		if (strcmp(mode, "exhaust") == 0)
			continue;	/* hold it open until we are killed */
		if (strcmp(mode, "unread") == 0 && write(c, "unread-data", 11) != 11)
			return 1;
		/* Wait for FIN (read 0) or RST (error), bounded by 10 s. */
		pfd.fd = c;
		pfd.events = POLLIN;
		while (poll(&pfd, 1, 10000) > 0 && read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
}

int main(int argc, char **argv)
{
	static int held[MAX_CONN];
	int lfds[MAX_PORTS], nl = 1;
	struct sockaddr_in a;
	int port, n, one = 1, done = 0, fails = 0;
	const char *mode;
	pid_t child;

	if (argc != 4) {
		fprintf(stderr, "usage: trace-tcp close|linger0|unread|exhaust|rebind|ports PORT N\n");
		return 2;
	}
	mode = argv[1];
	port = atoi(argv[2]);
	n = atoi(argv[3]);
	if (port <= 0 || port > 65535 || n <= 0 || n > MAX_CONN)
		return 2;
	if (strcmp(mode, "ports") == 0) {
		if (n > MAX_PORTS || port + n - 1 > 65535)
			return 2;
		nl = n;
	}
	for (int i = 0; i < nl; i++) {
		a = addr_of(port + i);
		lfds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (lfds[i] < 0 ||
		    setsockopt(lfds[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		    bind(lfds[i], (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfds[i], 4096) < 0) {
			perror("listen");
			return 1;
		}
	}
	a = addr_of(port);
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0)
		_exit(peer(lfds, nl, mode));
	for (int i = 0; i < nl; i++)
		close(lfds[i]);
	(void) prctl(PR_SET_NAME, "twt-closer", 0, 0, 0);
	printf("closer_pid=%d peer_pid=%d\n", getpid(), child);
	fflush(stdout);

	if (strcmp(mode, "exhaust") == 0) {
		int tries = 0;

		/* Hold every connection: the port range runs out, then count failures. */
		while (fails < n && tries < MAX_CONN) {
			int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

			tries++;
			if (s < 0)
				break;
			if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0) {
				held[done++] = s;
				continue;
			}
			if (errno == EADDRNOTAVAIL)
				fails++;
			close(s);
		}
		printf("held=%d fails=%d\n", done, fails);
	} else if (strcmp(mode, "rebind") == 0) {
		/* A restart without SO_REUSEADDR while the old listener still runs. */
		for (int i = 0; i < n; i++) {
			int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

			if (s < 0)
				break;
			if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EADDRINUSE)
				fails++;
			close(s);
		}
		printf("fails=%d\n", fails);
	} else {
		for (int i = 0; i < n; i++) {
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };
			int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

			if (strcmp(mode, "ports") == 0)
				a = addr_of(port + i);
			if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
				perror("connect");
				break;
			}
			if (strcmp(mode, "linger0") == 0 &&
			    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0)
				break;
			if (strcmp(mode, "unread") == 0) {
				struct pollfd pfd = { .fd = s, .events = POLLIN };

				/* Make sure the data has arrived and sits unread. */
				if (poll(&pfd, 1, 5000) <= 0)
					break;
			}
			close(s);
			done++;
		}
		printf("done=%d\n", done);
	}
	fflush(stdout);
	/* Give the peer time to see EOF/RST and close, then stop it. */
	usleep(300 * 1000);
	for (int i = 0; i < done && strcmp(mode, "exhaust") == 0; i++)
		close(held[i]);
	kill(child, SIGTERM);
	waitpid(child, NULL, 0);
	return 0;
}
