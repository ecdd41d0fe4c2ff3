// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz serve's HTTP request path end to end: the bytes go through one end of
 * a socketpair into the real daemon (httpd.c on libmicrohttpd, basic auth on
 * with one bcrypt user). The daemon has no thread of its own here: the
 * harness drives it with httpd_run() until it has nothing more to say, so a
 * run takes microseconds and is deterministic. /metrics returns a small fixed
 * body, /api/ a JSON echo of its path and query parameters. A reply, if any,
 * must start with an HTTP status line.
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

#include "serve/httpd.h"
#include "util.h"
#include "serve/webconfig.h"

#define FUZZ_MAX_INPUT (64 * 1024)
#define FUZZ_MAX_ROUNDS 64	/* httpd_run() rounds per input; a reply needs a few */

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

/* /api/<path>?since=&until=: echo them, as serve's history endpoint reads them. */
static int api(void *data, const struct httpd_api_req *req, unsigned int *ret_status,
	       char **ret_body, size_t *ret_len)
{
	const char *since = httpd_api_arg(req, "since");
	const char *until = httpd_api_arg(req, "until");
	char *p = NULL;
	int n;

	(void) data;
	n = asprintf(&p, "{\"path\":%zu,\"since\":%zu,\"until\":%zu}", strlen(req->path),
		     since ? strlen(since) : 0, until ? strlen(until) : 0);
	if (n < 0)
		return -ENOMEM;
	*ret_status = strcmp(req->path, "census") == 0 ? 200 : 404;
	*ret_body = p;
	*ret_len = (size_t)n;
	return 0;
}

static void start(void)
{
	char err[WEBCONFIG_ERR_LEN];
	struct httpd_conf conf = {
		.listen_fd = -1,
		.family = AF_INET,
		.threads = 0,
		.conn_limit = 1024,
		.conn_timeout_sec = 2,
		.request_timeout_sec = 0,
		.conn_memory_limit = 16 * 1024,
		.web = &web,
		.metrics = metrics,
		.api = api,
	};

	if (webconfig_parse(web_yaml, sizeof(web_yaml) - 1, NULL, &web, err, sizeof(err)) < 0 ||
	    httpd_start(&conf, &daemon_h) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char reply[4096];
	char sink[4096];
	size_t sent = 0, got = 0;
	bool wr_open = true;
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
	for (int round = 0; round < FUZZ_MAX_ROUNDS; round++) {
		ssize_t n;

		if (wr_open) {
			n = send(sv[1], data + sent, size - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			if ((n < 0 && errno != EAGAIN) || sent == size) {
				(void) shutdown(sv[1], SHUT_WR);
				wr_open = false;
			}
		}
		if (httpd_run(daemon_h) < 0)
			abort();
		/* past the first 4 KiB (the page's files are larger) the rest goes to sink */
		n = recv(sv[1], got < sizeof(reply) ? reply + got : sink,
			 got < sizeof(reply) ? sizeof(reply) - got : sizeof(sink), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
		if (n > 0 && got < sizeof(reply))
			got += (size_t)n;
		/* all sent and nothing came back this round: the daemon waits for more */
		if (!wr_open && n < 0 && round > 4)
			break;
	}
	close(sv[1]);
	/* let the daemon see the close and free the connection */
	(void) httpd_run(daemon_h);
	(void) httpd_run(daemon_h);
	if (got >= 5 && memcmp(reply, "HTTP/", 5) != 0)
		abort();
	return 0;
}
