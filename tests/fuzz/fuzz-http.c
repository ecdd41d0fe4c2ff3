// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz serve's HTTP request path end to end: the bytes go through one end of
 * a socketpair into the real daemon (httpd.c on libmicrohttpd, basic auth on
 * with one bcrypt user), the reply is read until the server closes or stays
 * quiet for FUZZ_QUIET_MS (libmicrohttpd keeps a half-closed, unfinished
 * request until its idle timeout), bounded in time. /metrics returns a small
 * fixed body. A reply, if any, must start with an HTTP status line.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"
#include "util.h"
#include "webconfig.h"

#define FUZZ_MAX_INPUT (64 * 1024)
#define FUZZ_DEADLINE_MS 3000
#define FUZZ_QUIET_MS 50

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* alice:pw, cost 4 so that a fuzzed Authorization header stays cheap. */
static const char web_yaml[] =
	"basic_auth_users:\n"
	"  alice: $2b$04$mHC55hwcnTqWUE3N5AW.Eu22M0fC1Apvuru5iAcdbVYHV7itzX2s.\n";

static struct webconfig web;
static struct httpd *daemon_h;

static int metrics(void *data, char **ret_body, size_t *ret_len)
{
	static const char body[] = "# TYPE twscope_build_info gauge\ntwscope_build_info{version=\"fuzz\"} 1\n";
	char *p = malloc(sizeof(body));

	(void) data;
	if (!p)
		return -ENOMEM;
	memcpy(p, body, sizeof(body));
	*ret_body = p;
	*ret_len = sizeof(body) - 1;
	return 0;
}

static void start(void)
{
	char err[WEBCONFIG_ERR_LEN];
	struct httpd_conf conf = {
		.listen_fd = -1,
		.family = AF_INET,
		.threads = 1,
		.conn_limit = 1024,
		.conn_timeout_sec = 2,
		.request_timeout_sec = 2,
		.conn_memory_limit = 16 * 1024,
		.web = &web,
		.metrics = metrics,
	};

	if (webconfig_parse(web_yaml, sizeof(web_yaml) - 1, NULL, &web, err, sizeof(err)) < 0 ||
	    httpd_start(&conf, &daemon_h) < 0)
		abort();
}

static uint64_t now_ms(void)
{
	return now_ns() / NSEC_PER_MSEC;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char reply[4096];
	size_t sent = 0, got = 0;
	bool wr_open = true;
	uint64_t end, quiet_since = 0;
	int sv[2];

	if (!daemon_h)
		start();
	if (size > FUZZ_MAX_INPUT)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	if (httpd_add_connection(daemon_h, sv[0], &peer, sizeof(peer)) < 0) {
		close(sv[1]);
		return 0;	/* the daemon closed sv[0] */
	}
	(void) fcntl(sv[1], F_SETFL, O_NONBLOCK);
	end = now_ms() + FUZZ_DEADLINE_MS;
	while (now_ms() < end) {
		struct pollfd p = { .fd = sv[1], .events = POLLIN | (wr_open ? POLLOUT : 0) };
		ssize_t n;

		if (poll(&p, 1, 10) < 0 && errno != EINTR)
			abort();
		if (wr_open && (p.revents & POLLOUT)) {
			n = send(sv[1], data + sent, size - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			if (n < 0 || sent == size) {
				(void) shutdown(sv[1], SHUT_WR);
				wr_open = false;
				quiet_since = now_ms();
			}
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = recv(sv[1], got < sizeof(reply) ? reply + got : reply,
				 got < sizeof(reply) ? sizeof(reply) - got : sizeof(reply), 0);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
				break;
			if (n > 0 && got < sizeof(reply))
				got += (size_t)n;
			if (n > 0)
				quiet_since = now_ms();
		}
		if (!wr_open && now_ms() - quiet_since >= FUZZ_QUIET_MS)
			break;
	}
	close(sv[1]);
	if (got >= 5 && memcmp(reply, "HTTP/", 5) != 0)
		abort();
	return 0;
}
