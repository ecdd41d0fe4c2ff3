/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A thin wrapper over libmicrohttpd for `twscope serve`: a listening socket
 * opened by us (so it can live in another netns than the census), the routes
 * /metrics, /healthz, the embedded landing page and its /api/, optional TLS and basic authentication, and the
 * limits that keep slow or hostile clients from starving scrapes. All HTTP
 * parsing is libmicrohttpd's. Nothing here prints.
 */
#ifndef TWSCOPE_HTTPD_H
#define TWSCOPE_HTTPD_H

#include <stddef.h>
#include <stdint.h>

struct tw_addr;
struct webconfig;

/*
 * httpd_metrics_fn - produce the /metrics body. On success returns 0 and
 * hands over a malloc()ed buffer (the caller frees it); -errno makes the
 * request fail with 500.
 */
typedef int (*httpd_metrics_fn)(void *data, char **ret_body, size_t *ret_len);

struct MHD_Connection;

/* One request under /api/, for httpd_api_fn. */
struct httpd_api_req {
	const char *path;		/* the part after "/api/", e.g. "census" */
	struct MHD_Connection *conn;	/* for httpd_api_arg() only */
};

/*
 * httpd_api_fn - answer a GET under /api/ with a JSON document: on success
 * returns 0, sets *ret_status (200, 400, 404...) and hands over a malloc()ed
 * body; -errno makes the request fail with 500 and a JSON error.
 */
typedef int (*httpd_api_fn)(void *data, const struct httpd_api_req *req, unsigned int *ret_status,
			    char **ret_body, size_t *ret_len);

/* httpd_api_arg() - the query parameter key of req (decoded), or NULL when absent. */
const char *httpd_api_arg(const struct httpd_api_req *req, const char *key);

struct httpd_conf {
	int listen_fd;			/* from httpd_listen(); the daemon takes it over.
					 * Negative: no listener, see httpd_add_connection() */
	int family;			/* AF_INET or AF_INET6 */
	unsigned int threads;		/* epoll worker threads (a slow census blocks one);
					 * 0 = none: the caller drives it with httpd_run() */
	unsigned int conn_limit;	/* concurrent connections, all clients */
	unsigned int per_ip_limit;	/* concurrent connections from one address, 0 = off */
	unsigned int conn_timeout_sec;	/* idle connections are closed after this */
	unsigned int request_timeout_sec; /* a request must be read and answered within
					 * this many seconds of the connection's start or
					 * the previous request's end, 0 = off */
	size_t conn_memory_limit;	/* bytes per connection: bounds request line and headers */
	const struct webconfig *web;	/* TLS and basic auth, NULL = plain HTTP, no auth;
					 * must outlive the daemon */
	httpd_metrics_fn metrics;
	httpd_api_fn api;		/* NULL: /api/ answers 404 */
	void *data;
};

struct httpd;

/*
 * httpd_listen() - a bound, listening TCP socket (SO_REUSEADDR, CLOEXEC) on
 * addr:port; port 0 lets the kernel choose. ret_port receives the actual
 * port. Returns 0, or -errno (-EADDRINUSE, -EADDRNOTAVAIL, -EACCES...).
 */
int httpd_listen(const struct tw_addr *addr, uint16_t port, int *ret_fd, uint16_t *ret_port);

/*
 * httpd_start() - run the daemon on conf->threads epoll threads (each
 * serving many connections) plus one thread that cuts off requests past
 * conf->request_timeout_sec. Returns 0 with *ret set, or -errno (-ENOTSUP
 * when TLS is asked for and libmicrohttpd lacks it); on failure
 * conf->listen_fd is closed.
 */
int httpd_start(const struct httpd_conf *conf, struct httpd **ret);

/*
 * httpd_add_connection() - hand a connected stream socket (e.g. one end of a
 * socketpair) to the daemon, which owns it from then on. Returns 0 or -errno.
 */
int httpd_add_connection(struct httpd *h, int fd, const void *addr, unsigned int addrlen);

/*
 * httpd_run() - with conf->threads 0, do the work that is ready on every
 * connection now, without blocking (for the fuzz harness). 0 or -EIO.
 */
int httpd_run(struct httpd *h);

/* httpd_stop() - stop the daemon, wait for its threads, close the socket. Returns NULL. */
struct httpd *httpd_stop(struct httpd *h);

#endif
