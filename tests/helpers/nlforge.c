// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nlforge: what an unprivileged user who owns a network namespace can do to
 * a root process that dumps sockets in it. For SECONDS it keeps sending
 * forged sock_diag "replies" to every NETLINK_SOCK_DIAG port id listed in
 * /proc/self/net/netlink (and to the port ids given): a message claiming
 * nlmsg_len 0x80000000, a fake TIME_WAIT socket on port FAKE_PORT followed by
 * NLMSG_DONE, an NLMSG_ERROR (-EPERM), and an early NLMSG_DONE, each with the
 * sequence numbers twscope would use (time(NULL) + 1..8), in a rotating
 * order. Prints "ready pid=PID" once it started; at the end (time up, or
 * SIGTERM) "sent N refused M": datagrams the kernel queued for a target,
 * and those it refused (ECONNREFUSED: the target socket is connected to
 * the kernel). Test helper only: bounded in time, sends nothing off-host.
 *
 *   nlforge SECONDS [TARGETS-FILE]
 *
 * TARGETS-FILE, re-read every round, holds more port ids to aim at: the
 * PID of a process that will open a socket (the kernel's first automatic
 * port id of a process is its PID).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#define FAKE_PORT 4242
#define MAX_TARGETS 64
#define TCP_TIME_WAIT_STATE 6
#define TCP_LISTEN_STATE 10

static uint32_t targets[MAX_TARGETS];
static int n_targets;
static const char *targets_file;
static uint32_t own_portid;

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void add_target(uint32_t portid)
{
	for (int i = 0; i < n_targets; i++)
		if (targets[i] == portid)
			return;
	if (n_targets < MAX_TARGETS && portid != 0 && portid != own_portid)
		targets[n_targets++] = portid;
}

/* Every NETLINK_SOCK_DIAG (protocol 4) socket of this netns but ours. */
static void scan_netlink(void)
{
	FILE *f = fopen("/proc/self/net/netlink", "re");
	char line[512];

	n_targets = 0;
	if (targets_file) {
		FILE *t = fopen(targets_file, "re");
		unsigned int pid;

		while (t && fscanf(t, "%u", &pid) == 1)
			add_target(pid);
		if (t)
			fclose(t);
	}
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long sk;
		unsigned int eth, pid;

		if (sscanf(line, "%llx %u %u", &sk, &eth, &pid) == 3 && eth == NETLINK_SOCK_DIAG)
			add_target(pid);
	}
	fclose(f);
}

static size_t put_hdr(unsigned char *p, uint32_t len, uint16_t type, uint32_t seq, uint32_t pid)
{
	struct nlmsghdr h = { .nlmsg_len = len, .nlmsg_type = type, .nlmsg_flags = NLM_F_MULTI,
			      .nlmsg_seq = seq, .nlmsg_pid = pid };

	memcpy(p, &h, sizeof(h));
	return NLMSG_HDRLEN;
}

static size_t put_sock(unsigned char *p, uint32_t seq, uint32_t pid, uint8_t state, uint32_t nlmsg_len)
{
	struct inet_diag_msg m;
	size_t len = NLMSG_LENGTH(sizeof(m));

	memset(&m, 0, sizeof(m));
	m.idiag_family = AF_INET;
	m.idiag_state = state;
	m.idiag_timer = 3;
	m.idiag_expires = 30000;
	m.id.idiag_sport = htons(FAKE_PORT);
	m.id.idiag_dport = htons(FAKE_PORT);
	m.id.idiag_src[0] = htonl(0x7f000001);
	m.id.idiag_dst[0] = htonl(0x7f000001);
	put_hdr(p, nlmsg_len ? nlmsg_len : (uint32_t)len, SOCK_DIAG_BY_FAMILY, seq, pid);
	memcpy(p + NLMSG_HDRLEN, &m, sizeof(m));
	return NLMSG_ALIGN(len);
}

static size_t put_done(unsigned char *p, uint32_t seq, uint32_t pid)
{
	memset(p, 0, NLMSG_LENGTH(4));
	put_hdr(p, NLMSG_LENGTH(4), NLMSG_DONE, seq, pid);
	return NLMSG_LENGTH(4);
}

static size_t put_error(unsigned char *p, uint32_t seq, uint32_t pid)
{
	struct nlmsgerr e = { .error = -EPERM };

	put_hdr(p, NLMSG_LENGTH(sizeof(e)), NLMSG_ERROR, seq, pid);
	memcpy(p + NLMSG_HDRLEN, &e, sizeof(e));
	return NLMSG_LENGTH(sizeof(e));
}

static long sent, refused;
static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void send_to(int fd, uint32_t portid, const void *buf, size_t len)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = portid };

	if (sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len)
		sent++;
	else if (errno == ECONNREFUSED)
		refused++;
}

/* One round of every forgery to one port id, for each likely sequence number. */
/* One round of every forgery to one port id, for each likely sequence number. */
static void forge(int fd, uint32_t portid)
{
	static unsigned int round;
	unsigned char buf[1024] __attribute__((aligned(4)));
	uint32_t base = (uint32_t)time(NULL);

	round++;
	for (uint32_t k = 0; k < 10; k++) {
		uint32_t seq = base - 1 + k;

		for (unsigned int i = 0; i < 5; i++) {
			size_t n = 0;

			switch ((i + round) % 5) {
			case 0:
				/* Claims 2 GiB: passes an int compare against the datagram size. */
				n = put_sock(buf, seq, portid, TCP_TIME_WAIT_STATE, 0x80000000u);
				break;
			case 1:
				/* A fake listener and a fake TIME_WAIT socket, then the end of the dump. */
				n = put_sock(buf, seq, portid, TCP_LISTEN_STATE, 0);
				n += put_sock(buf + n, seq, portid, TCP_TIME_WAIT_STATE, 0);
				n += put_done(buf + n, seq, portid);
				break;
			case 2:
				/* A state no TCP socket has. */
				n = put_sock(buf, seq, portid, 200, 0);
				break;
			case 3:
				n = put_error(buf, seq, portid);
				break;
			default:
				n = put_done(buf, seq, portid);
				break;
			}
			send_to(fd, portid, buf, n);
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_nl self = { .nl_family = AF_NETLINK };
	socklen_t slen = sizeof(self);
	double end;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: nlforge SECONDS [TARGETS-FILE]\n");
		return 2;
	}
	end = now_sec() + atof(argv[1]);
	if (atof(argv[1]) <= 0 || atof(argv[1]) > 120) {
		fprintf(stderr, "nlforge: SECONDS must be in (0, 120]\n");
		return 2;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0 || bind(fd, (struct sockaddr *)&self, sizeof(self)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&self, &slen) < 0) {
		perror("nlforge: netlink socket");
		return 1;
	}
	own_portid = self.nl_pid;
	if (argc > 2)
		targets_file = argv[2];
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	printf("ready pid=%d portid=%u\n", (int)getpid(), own_portid);
	fflush(stdout);
	while (!stop && now_sec() < end) {
		scan_netlink();
		for (int i = 0; i < n_targets; i++)
			forge(fd, targets[i]);
	}
	printf("sent %ld refused %ld\n", sent, refused);
	close(fd);
	return 0;
}
