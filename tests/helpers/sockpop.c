// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockpop: build an exact TCP socket population in the current network
 * namespace for integration tests, print "ready", then hold every socket
 * until SIGTERM (at most an hour). Loopback only; every wait is bounded.
 *
 *   sockpop OP... where OP is one of
 *     listen EP            keep a listener on EP (ADDR:PORT or [V6]:PORT)
 *     unlisten EP          close that listener (its TIME_WAIT stays)
 *     client-tw EP N       N connections, the client closes first
 *     server-tw EP N       N connections, the server closes first
 *     estab EP N           N ESTABLISHED pairs, held
 *     close-wait EP N      client close()s, server never does: CLOSE_WAIT + orphan FIN_WAIT2
 *     fin-wait2 EP N       client shutdown(SHUT_WR) but keeps its fd: live FIN_WAIT2
 *     src ADDR             bind later clients to ADDR (IP_BIND_ADDRESS_NO_PORT)
 *     deferred EP N        TCP_DEFER_ACCEPT on EP's listener, N silent clients: N request
 *                          sockets stay in NEW_SYN_RECV while the clients are ESTABLISHED
 *     comm NAME            set this process's comm to NAME (any bytes, PR_SET_NAME keeps 15)
 *
 * With SOCKPOP_OWN_NETNS=1 in the environment (the caller made this network
 * namespace; never the initial one) net.ipv4.tcp_tw_reuse is 0 in it while
 * the population is built, and the old value is back before "ready".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif
#define MAX_LISTENERS 64
#define MAX_HELD 200000

struct listener {
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;
};

static struct listener listeners[MAX_LISTENERS];
static int n_listeners;
static int held[MAX_HELD];
static int n_held;
static struct sockaddr_storage src;
static socklen_t src_len;
static long expect_tw;

static void die(const char *what, const char *arg)
{
	printf("error %s %s: %s\n", what, arg ? arg : "", strerror(errno));
	fflush(stdout);
	exit(1);
}

static int parse_ep(const char *s, struct sockaddr_storage *ss, socklen_t *len, int need_port)
{
	char host[128];
	const char *port = NULL;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *e = strchr(s, ']');

		if (!e || (size_t)(e - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = 0;
		if (e[1] == ':')
			port = e + 2;
	} else {
		const char *c = strrchr(s, ':');
		size_t n = c ? (size_t)(c - s) : strlen(s);

		if (n >= sizeof(host))
			return -1;
		memcpy(host, s, n);
		host[n] = 0;
		if (c)
			port = c + 1;
	}
	if (need_port && !port)
		return -1;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port ? (uint16_t)atoi(port) : 0);
		*len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port ? (uint16_t)atoi(port) : 0);
		*len = sizeof(*a6);
	} else {
		return -1;
	}
	return 0;
}

static struct listener *find_listener(const struct sockaddr_storage *ss, socklen_t len)
{
	for (int i = 0; i < n_listeners; i++)
		if (listeners[i].fd >= 0 && listeners[i].len == len && memcmp(&listeners[i].ss, ss, len) == 0)
			return &listeners[i];
	return NULL;
}

static void hold(int fd)
{
	if (n_held == MAX_HELD) {
		errno = ENOSPC;
		die("hold", NULL);
	}
	held[n_held++] = fd;
}

/* Read until EOF with a bound, so a peer's FIN is seen before we close. */
static void wait_eof(int fd)
{
	char buf[256];
	struct pollfd p = { .fd = fd, .events = POLLIN };

	for (int i = 0; i < 50; i++) {
		if (poll(&p, 1, 100) > 0 && recv(fd, buf, sizeof(buf), 0) <= 0)
			return;
	}
	errno = ETIMEDOUT;
	die("wait_eof", NULL);
}

static void pair(const char *ep, int *ret_cli, int *ret_srv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct listener *l;
	int one = 1, c, s;

	if (parse_ep(ep, &ss, &len, 1) < 0 || !(l = find_listener(&ss, len))) {
		errno = EINVAL;
		die("no listener for", ep);
	}
	c = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0)
		die("socket", ep);
	if (src_len && src.ss_family == ss.ss_family) {
		setsockopt(c, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
		if (bind(c, (struct sockaddr *)&src, src_len) < 0)
			die("bind src", ep);
	}
	if (connect(c, (struct sockaddr *)&ss, len) < 0)
		die("connect", ep);
	s = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0)
		die("accept", ep);
	*ret_cli = c;
	*ret_srv = s;
}

/* With TCP_DEFER_ACCEPT a bare final ACK leaves the request socket waiting for data. */
static void op_deferred(const char *ep, long n)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct listener *l;
	int secs = 30;

	if (parse_ep(ep, &ss, &len, 1) < 0 || !(l = find_listener(&ss, len))) {
		errno = EINVAL;
		die("no listener for", ep);
	}
	if (setsockopt(l->fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof(secs)) < 0)
		die("TCP_DEFER_ACCEPT", ep);
	for (long i = 0; i < n; i++) {
		int c = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (c < 0 || connect(c, (struct sockaddr *)&ss, len) < 0)
			die("connect", ep);
		hold(c);
	}
}

static void op_pairs(const char *op, const char *ep, long n)
{
	for (long i = 0; i < n; i++) {
		int c, s;

		pair(ep, &c, &s);
		if (!strcmp(op, "client-tw")) {
			close(c);
			wait_eof(s);
			close(s);
		} else if (!strcmp(op, "server-tw")) {
			close(s);
			wait_eof(c);
			close(c);
		} else if (!strcmp(op, "estab")) {
			hold(c);
			hold(s);
		} else if (!strcmp(op, "close-wait")) {
			close(c);
			hold(s);
		} else if (!strcmp(op, "fin-wait2")) {
			shutdown(c, SHUT_WR);
			hold(c);
			hold(s);
		}
	}
	if (!strcmp(op, "client-tw") || !strcmp(op, "server-tw") || !strcmp(op, "close-wait"))
		expect_tw += n;
}

static long sockstat_tw(void)
{
	FILE *f = fopen("/proc/net/sockstat", "re");
	char line[512];
	long tw = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, " tw ");

		if (!strncmp(line, "TCP:", 4) && p)
			tw = atol(p + 4);
	}
	fclose(f);
	return tw;
}

/*
 * A connect() takes over a TIME_WAIT of its own 4-tuple (tcp_tw_reuse: 2, the
 * default, allows it on loopback) once the whole second of that TIME_WAIT's
 * last timestamp has passed. A population that takes longer than that (an
 * emulated CPU) silently loses TIME_WAIT sockets to its own later connects, so
 * reuse is off while it builds: in the caller's own namespace only.
 */
static const char tw_reuse_path[] = "/proc/sys/net/ipv4/tcp_tw_reuse";
static char tw_reuse_saved[16];

/* Shares PID 1's network namespace (where that can be seen). */
static int in_initial_netns(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/net", &self) < 0)
		return 1;
	if (stat("/proc/1/ns/net", &init) < 0)
		return 0;	/* PID 1 hidden from us (a sandbox): trust the caller */
	return self.st_dev == init.st_dev && self.st_ino == init.st_ino;
}

static int write_sysctl(const char *path, const char *value)
{
	FILE *f = fopen(path, "we");
	int ok;

	if (!f)
		return -1;
	ok = fputs(value, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void tw_reuse_off(void)
{
	const char *own = getenv("SOCKPOP_OWN_NETNS");
	FILE *f;

	if (!own || strcmp(own, "1") || in_initial_netns() || !(f = fopen(tw_reuse_path, "re")))
		return;
	if (!fgets(tw_reuse_saved, sizeof(tw_reuse_saved), f))
		tw_reuse_saved[0] = '\0';
	fclose(f);
	if (tw_reuse_saved[0] && write_sysctl(tw_reuse_path, "0") < 0)
		tw_reuse_saved[0] = '\0';	/* not ours to change (no rights): leave it */
}

static void tw_reuse_restore(void)
{
	if (tw_reuse_saved[0] && write_sysctl(tw_reuse_path, tw_reuse_saved) < 0)
		die("restore", tw_reuse_path);
}

static void on_term(int sig)
{
	(void)sig;
	_exit(0);
}

int main(int argc, char **argv)
{
	int i;

	signal(SIGTERM, on_term);
	signal(SIGPIPE, SIG_IGN);
	tw_reuse_off();
	for (i = 1; i < argc; i++) {
		const char *op = argv[i];

		if (!strcmp(op, "listen") && i + 1 < argc) {
			struct listener *l = &listeners[n_listeners];
			int one = 1;

			if (n_listeners == MAX_LISTENERS || parse_ep(argv[++i], &l->ss, &l->len, 1) < 0) {
				errno = EINVAL;
				die("listen", argv[i]);
			}
			l->fd = socket(l->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (l->fd < 0 || setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
			    bind(l->fd, (struct sockaddr *)&l->ss, l->len) < 0 || listen(l->fd, 4096) < 0)
				die("listen", argv[i]);
			n_listeners++;
		} else if (!strcmp(op, "unlisten") && i + 1 < argc) {
			struct sockaddr_storage ss;
			socklen_t len;
			struct listener *l;

			if (parse_ep(argv[++i], &ss, &len, 1) < 0 || !(l = find_listener(&ss, len))) {
				errno = EINVAL;
				die("unlisten", argv[i]);
			}
			close(l->fd);
			l->fd = -1;
		} else if (!strcmp(op, "comm") && i + 1 < argc) {
			if (prctl(PR_SET_NAME, argv[++i], 0, 0, 0) < 0)
				die("comm", NULL);
		} else if (!strcmp(op, "src") && i + 1 < argc) {
			if (parse_ep(argv[++i], &src, &src_len, 0) < 0) {
				errno = EINVAL;
				die("src", argv[i]);
			}
		} else if (i + 2 < argc && (!strcmp(op, "client-tw") || !strcmp(op, "server-tw") ||
					    !strcmp(op, "estab") || !strcmp(op, "close-wait") ||
					    !strcmp(op, "fin-wait2") || !strcmp(op, "deferred"))) {
			long n = atol(argv[i + 2]);

			if (n < 0 || n > MAX_HELD / 2) {
				errno = ERANGE;
				die(op, argv[i + 2]);
			}
			if (!strcmp(op, "deferred"))
				op_deferred(argv[i + 1], n);
			else
				op_pairs(op, argv[i + 1], n);
			i += 2;
		} else {
			errno = EINVAL;
			die("unknown op", op);
		}
	}
	/* Loopback delivers FINs synchronously, but confirm before saying ready. */
	for (i = 0; i < 100 && sockstat_tw() < expect_tw; i++)
		usleep(50000);
	if (sockstat_tw() < expect_tw) {
		errno = ETIMEDOUT;
		die("sockstat tw below", "expected");
	}
	tw_reuse_restore();
	printf("ready tw=%ld\n", sockstat_tw());
	fflush(stdout);
	/* Hold until SIGTERM; at most one hour. */
	for (i = 0; i < 3600; i++)
		sleep(1);
	return 0;
}
