// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twpop: build N client-side TCP TIME_WAIT sockets on loopback in the current
 * network namespace, fast (epoll threads, IP_BIND_ADDRESS_NO_PORT, client
 * closes first), then check /proc/net/sockstat. It sets no sysctls: the caller
 * does that inside its own namespace.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define MAX_THREADS	16
#define MAX_SRC		16
#define MAX_DST		16
#define MAX_PORTS	64
#define MAX_N		10000000ULL
#define EV_BATCH	256

enum fd_kind {
	FD_LISTEN = 1,
	FD_CLIENT,
	FD_SERVER,
};

static struct {
	uint64_t n;
	unsigned int threads;
	unsigned int window;
	unsigned int nsrc;
	unsigned int ndst;
	unsigned int nports;
	unsigned int port_base;
	unsigned int timeout_s;
	bool verbose;
} args = {
	.n = 100000,
	.threads = 2,
	.window = 1024,
	.nsrc = 4,
	.ndst = 4,
	.nports = 16,
	.port_base = 20000,
	.timeout_s = 120,
};

struct worker {
	pthread_t tid;
	unsigned int id;
	int epfd;
	uint64_t target;	/* successful client closes this thread must reach */
	uint64_t ok;
	uint64_t failed;
	uint64_t attempts;
	unsigned int inflight;
	uint64_t next;		/* round-robin index over (src, dst, port) */
	int err;
};

static struct sockaddr_in srcs[MAX_SRC];
static struct sockaddr_in dsts[MAX_DST * MAX_PORTS];
static unsigned int ndsts;
static atomic_uint_fast64_t srv_closed;
static atomic_uint_fast64_t clients_ok;
static atomic_uint threads_done;
static uint64_t deadline_ns;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t ev_pack(enum fd_kind kind, int fd)
{
	return (uint64_t)kind << 32 | (uint32_t)fd;
}

static int sockstat_tw(long long *ret)
{
	char line[512];
	FILE *f = fopen("/proc/net/sockstat", "re");
	int r = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *p;

		if (strncmp(line, "TCP:", 4))
			continue;
		p = strstr(line, " tw ");
		if (p && sscanf(p, " tw %lld", ret) == 1)
			r = 0;
		break;
	}
	fclose(f);
	return r;
}

static int open_listeners(struct worker *w, unsigned int nw)
{
	unsigned int i;

	for (i = 0; i < ndsts; i++) {
		struct epoll_event ev = { .events = EPOLLIN };
		int one = 1;
		int fd;

		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		(void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&dsts[i], sizeof(dsts[i])) < 0 ||
		    listen(fd, 65535) < 0) {
			int r = -errno;

			close(fd);
			return r;
		}
		/* Each listener belongs to one thread: accepted sockets stay there. */
		ev.data.u64 = ev_pack(FD_LISTEN, fd);
		if (epoll_ctl(w[i % nw].epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			return -errno;
	}
	return 0;
}

/* A client counts once it reached ESTABLISHED and was closed by us first. */
static void client_close(struct worker *w, int fd, bool ok)
{
	close(fd);
	w->inflight--;
	if (ok) {
		w->ok++;
		atomic_fetch_add_explicit(&clients_ok, 1, memory_order_relaxed);
	} else {
		w->failed++;
	}
}

static bool is_established(int fd)
{
	uint8_t state = 0;
	socklen_t len = sizeof(state);

	/* tcpi_state is the first byte of struct tcp_info; the kernel copies min(len). */
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &state, &len) < 0)
		return false;
	return state == TCP_ESTABLISHED;
}

static void client_start(struct worker *w)
{
	unsigned int nd = ndsts;
	uint64_t k = w->next++ * args.threads + w->id;
	const struct sockaddr_in *src = &srcs[k % args.nsrc];
	const struct sockaddr_in *dst = &dsts[(k / args.nsrc) % nd];
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLONESHOT };
	int one = 1;
	int fd;

	w->attempts++;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		w->failed++;
		return;
	}
	w->inflight++;
	/* Defer the port choice to connect(): ports are then shared across destinations. */
	(void) setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)src, sizeof(*src)) < 0) {
		client_close(w, fd, false);
		return;
	}
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) < 0 &&
	    errno != EINPROGRESS) {
		client_close(w, fd, false);
		return;
	}
	/* On loopback the handshake has usually finished already: skip epoll. */
	if (is_established(fd)) {
		client_close(w, fd, true);
		return;
	}
	ev.data.u64 = ev_pack(FD_CLIENT, fd);
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		client_close(w, fd, false);
}

static void client_event(struct worker *w, int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	client_close(w, fd, err == 0);
}

/* Server side: close after EOF, so the client (closed first) ends in TIME_WAIT. */
static bool server_try_finish(int fd)
{
	char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	close(fd);
	atomic_fetch_add_explicit(&srv_closed, 1, memory_order_relaxed);
	return true;
}

static void listener_event(struct worker *w, int lfd)
{
	int i;

	for (i = 0; i < 4096; i++) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		if (server_try_finish(fd))
			continue;
		ev.data.u64 = ev_pack(FD_SERVER, fd);
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			atomic_fetch_add_explicit(&srv_closed, 1, memory_order_relaxed);
		}
	}
}

static bool worker_clients_done(const struct worker *w)
{
	uint64_t max_attempts = w->target + w->target / 10 + 1000;

	return w->inflight == 0 &&
	       (w->ok >= w->target || w->attempts >= max_attempts);
}

/*
 * Clients finish at once on loopback while their peers wait in the accept
 * queue; unaccepted peers are reset when the listener closes, which kills the
 * client's FIN_WAIT2 mini-socket. Keep the servers close behind.
 */
static bool servers_lag(void)
{
	uint64_t ok = atomic_load_explicit(&clients_ok, memory_order_relaxed);
	uint64_t closed = atomic_load_explicit(&srv_closed, memory_order_relaxed);

	return ok > closed + (uint64_t)args.window * args.threads;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[EV_BATCH];
	bool counted_done = false;
	uint64_t done_at = 0;

	for (;;) {
		uint64_t now = now_ns();
		int n;
		int i;

		if (now > deadline_ns) {
			w->err = -ETIMEDOUT;
			break;
		}
		while (w->inflight < args.window && w->ok + w->inflight < w->target &&
		       !worker_clients_done(w) && !servers_lag())
			client_start(w);
		if (worker_clients_done(w) && !counted_done) {
			atomic_fetch_add(&threads_done, 1);
			counted_done = true;
			done_at = now;
		}
		/* Finish when every thread's clients are done and the servers saw them all. */
		if (counted_done && atomic_load(&threads_done) == args.threads &&
		    (atomic_load(&srv_closed) >= atomic_load(&clients_ok) ||
		     now - done_at > 3000000000ULL))
			break;
		n = epoll_wait(w->epfd, evs, EV_BATCH, counted_done || servers_lag() ? 1 : 100);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			w->err = -errno;
			break;
		}
		for (i = 0; i < n; i++) {
			int fd = (int)(uint32_t)evs[i].data.u64;

			switch (evs[i].data.u64 >> 32) {
			case FD_LISTEN:
				listener_event(w, fd);
				break;
			case FD_CLIENT:
				client_event(w, fd);
				break;
			case FD_SERVER:
				(void) server_try_finish(fd);
				break;
			}
		}
	}
	return NULL;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: twpop [-n N] [-j THREADS] [-w WINDOW] [-s NSRC] [-d NDST] [-p NPORTS]\n"
		"             [-b PORTBASE] [-t TIMEOUT_S] [-v]\n"
		"Builds N client-side TIME_WAIT sockets on 127.0.0.0/8 in the current netns:\n"
		"sources 127.0.0.11.., listeners 127.0.0.1..NDST x ports PORTBASE..+NPORTS.\n"
		"Prints one JSON line; exits 1 if /proc/net/sockstat 'tw' grew by less than N.\n"
		"Run it in a private netns with ip_local_port_range '1024 65535',\n"
		"tcp_max_tw_buckets > N, tcp_tw_reuse 0, somaxconn and tcp_max_syn_backlog 65535.\n");
}

static int parse_args(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "n:j:w:s:d:p:b:t:vh")) != -1) {
		uint64_t v = 0;
		int r = 0;

		switch (c) {
		case 'n':
			r = parse_u64(optarg, 1, MAX_N, &args.n);
			break;
		case 'j':
			r = parse_u64(optarg, 1, MAX_THREADS, &v);
			args.threads = (unsigned int)v;
			break;
		case 'w':
			r = parse_u64(optarg, 1, 16384, &v);
			args.window = (unsigned int)v;
			break;
		case 's':
			r = parse_u64(optarg, 1, MAX_SRC, &v);
			args.nsrc = (unsigned int)v;
			break;
		case 'd':
			r = parse_u64(optarg, 1, MAX_DST, &v);
			args.ndst = (unsigned int)v;
			break;
		case 'p':
			r = parse_u64(optarg, 1, MAX_PORTS, &v);
			args.nports = (unsigned int)v;
			break;
		case 'b':
			r = parse_u64(optarg, 1024, 65535 - MAX_PORTS, &v);
			args.port_base = (unsigned int)v;
			break;
		case 't':
			r = parse_u64(optarg, 1, 3600, &v);
			args.timeout_s = (unsigned int)v;
			break;
		case 'v':
			args.verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
		if (r < 0) {
			fprintf(stderr, "twpop: invalid value '%s' for -%c\n", optarg, c);
			return r;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static void setup_addrs(void)
{
	unsigned int i;
	unsigned int p;

	for (i = 0; i < args.nsrc; i++) {
		srcs[i].sin_family = AF_INET;
		srcs[i].sin_addr.s_addr = htonl(0x7f000000 | (11 + i));
	}
	/* Interleave addresses and ports so consecutive connects hit different listeners. */
	for (p = 0; p < args.nports; p++) {
		for (i = 0; i < args.ndst; i++) {
			struct sockaddr_in *d = &dsts[ndsts++];

			d->sin_family = AF_INET;
			d->sin_addr.s_addr = htonl(0x7f000000 | (1 + i));
			d->sin_port = htons((uint16_t)(args.port_base + p));
		}
	}
}

static void raise_nofile(void)
{
	struct rlimit rl;

	/* Each in-flight connection holds up to two fds. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void) setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* One round: the threads build target more TIME_WAIT sockets between them. */
static int run_round(struct worker *w, uint64_t target, uint64_t *ret_ok, uint64_t *ret_failed)
{
	unsigned int i;
	int err = 0;
	int r;

	atomic_store(&threads_done, 0);
	for (i = 0; i < args.threads; i++) {
		w[i].target = target / args.threads + (i < target % args.threads);
		w[i].ok = 0;
		w[i].failed = 0;
		w[i].attempts = 0;
		w[i].err = 0;
		r = pthread_create(&w[i].tid, NULL, worker_run, &w[i]);
		if (r)
			return -r;
	}
	for (i = 0; i < args.threads; i++) {
		pthread_join(w[i].tid, NULL);
		*ret_ok += w[i].ok;
		*ret_failed += w[i].failed;
		if (w[i].err && !err)
			err = w[i].err;
	}
	return err;
}

int main(int argc, char **argv)
{
	struct worker w[MAX_THREADS];
	uint64_t ok = 0;
	uint64_t failed = 0;
	uint64_t closed;
	uint64_t start;
	long long tw_before = 0;
	long long tw_after = 0;
	unsigned int rounds = 0;
	double secs;
	unsigned int i;
	int err = 0;
	int r;

	if (parse_args(argc, argv) < 0)
		return 2;
	raise_nofile();
	setup_addrs();
	r = sockstat_tw(&tw_before);
	if (r < 0) {
		fprintf(stderr, "twpop: cannot read /proc/net/sockstat: %s\n", strerror(-r));
		return 1;
	}
	memset(w, 0, sizeof(w));
	for (i = 0; i < args.threads; i++) {
		w[i].id = i;
		w[i].epfd = epoll_create1(EPOLL_CLOEXEC);
		if (w[i].epfd < 0) {
			perror("twpop: epoll_create1");
			return 1;
		}
	}
	r = open_listeners(w, args.threads);
	if (r < 0) {
		fprintf(stderr, "twpop: cannot open listeners: %s\n", strerror(-r));
		return 1;
	}
	start = now_ns();
	deadline_ns = start + (uint64_t)args.timeout_s * 1000000000ULL;
	/*
	 * A few TIME_WAIT sockets (~0.3% at 1M on 6.18, with as many TcpOutRsts)
	 * are reset right away; top up in at most 3 more rounds.
	 */
	while (rounds < 4 && !err) {
		long long need;

		tw_after = tw_before;
		/* The last FINs are processed in softirq right after the server's close(). */
		for (i = 0; i < 100; i++) {
			if (sockstat_tw(&tw_after) < 0 ||
			    tw_after - tw_before >= (long long)args.n)
				break;
			if (rounds == 0)
				break;
			usleep(10000);
		}
		need = (long long)args.n - (tw_after - tw_before);
		if (need <= 0)
			break;
		err = run_round(w, (uint64_t)need, &ok, &failed);
		rounds++;
	}
	for (i = 0; i < 100 && sockstat_tw(&tw_after) == 0; i++) {
		if (tw_after - tw_before >= (long long)args.n)
			break;
		usleep(10000);
	}
	secs = (double)(now_ns() - start) / 1e9;
	closed = atomic_load(&srv_closed);
	printf("{\"requested\":%llu,\"built\":%llu,\"failed\":%llu,\"server_closed\":%llu,"
	       "\"rounds\":%u,\"tw_before\":%lld,\"tw_after\":%lld,\"threads\":%u,"
	       "\"seconds\":%.3f,\"per_second\":%.0f}\n",
	       (unsigned long long)args.n, (unsigned long long)ok,
	       (unsigned long long)failed, (unsigned long long)closed, rounds,
	       tw_before, tw_after, args.threads, secs,
	       secs > 0 ? (double)ok / secs : 0.0);
	if (err)
		fprintf(stderr, "twpop: %s\n", err == -ETIMEDOUT ?
			"timed out" : strerror(-err));
	/* Unclosed server sides leave FIN_WAIT2 mini-sockets, which sockstat also counts as tw. */
	if (closed < ok) {
		fprintf(stderr, "twpop: %llu server sockets not closed\n",
			(unsigned long long)(ok - closed));
		return 1;
	}
	if (tw_after - tw_before < (long long)args.n) {
		fprintf(stderr, "twpop: sockstat tw grew by %lld, wanted %llu\n",
			tw_after - tw_before, (unsigned long long)args.n);
		return 1;
	}
	return err ? 1 : 0;
}
