// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libmicrohttpd glue for `twscope serve`: open the listening socket, route
 * GET/HEAD /metrics, /healthz and /, answer 404 and 405 otherwise. Limits
 * (connections, timeout, request size) are libmicrohttpd options. Never
 * parses HTTP itself and never prints.
 */
#include "httpd.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "output-prom.h"
#include "sock.h"

struct httpd {
	struct MHD_Daemon *daemon;
	httpd_metrics_fn metrics;
	void *data;
};

static const char landing[] =
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>twscope exporter</title></head>\n"
	"<body><h1>twscope exporter</h1>\n"
	"<p>TCP TIME_WAIT and ephemeral port census for Prometheus.</p>\n"
	"<ul><li><a href=\"/metrics\">/metrics</a></li><li><a href=\"/healthz\">/healthz</a></li></ul>\n"
	"</body></html>\n";

int httpd_listen(const struct tw_addr *addr, uint16_t port, int *ret_fd, uint16_t *ret_port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int one = 1;
	int fd, r;

	if (addr->family == AF_INET6) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		memcpy(&a6->sin6_addr, addr->bytes, 16);
		len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;

		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		memcpy(&a4->sin_addr, addr->bytes, 4);
		len = sizeof(*a4);
	}
	fd = socket(addr->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A restart must not wait for the old server's TIME_WAIT on this port. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	if (addr->family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		goto fail;
	if (listen(fd, 64) < 0)
		goto fail;
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		goto fail;
	*ret_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						   : ((struct sockaddr_in *)&ss)->sin_port);
	*ret_fd = fd;
	return 0;
fail:
	r = -errno;
	(void) close(fd);
	return r;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *type,
			     struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;	/* out of memory: libmicrohttpd drops the connection */
	if (type)
		(void) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_static(struct MHD_Connection *conn, unsigned int status,
				    const char *type, const char *body)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	return reply(conn, status, type, resp);
}

static enum MHD_Result reply_metrics(struct httpd *h, struct MHD_Connection *conn)
{
	struct MHD_Response *resp;
	char *body = NULL;
	size_t len = 0;

	if (h->metrics(h->data, &body, &len) < 0)
		return reply_static(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
				    "census failed\n");
	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(body);
	return reply(conn, MHD_HTTP_OK, PROM_CONTENT_TYPE, resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct httpd *h = cls;
	struct MHD_Response *resp;

	(void) version;
	(void) upload_data;
	(void) upload_data_size;
	(void) con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		static const char msg[] = "method not allowed\n";

		resp = MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_PERSISTENT);
		if (resp)
			(void) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", resp);
	}
	if (strcmp(url, "/metrics") == 0)
		return reply_metrics(h, conn);
	if (strcmp(url, "/healthz") == 0)
		return reply_static(conn, MHD_HTTP_OK, "text/plain; charset=utf-8", "ok\n");
	if (strcmp(url, "/") == 0)
		return reply_static(conn, MHD_HTTP_OK, "text/html; charset=utf-8", landing);
	return reply_static(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", "not found\n");
}

int httpd_start(const struct httpd_conf *conf, struct httpd **ret)
{
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_USE_POLL;
	struct httpd *h;

	if (conf->family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h = calloc(1, sizeof(*h));
	if (!h) {
		(void) close(conf->listen_fd);
		return -ENOMEM;
	}
	h->metrics = conf->metrics;
	h->data = conf->data;
	h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				     MHD_OPTION_LISTEN_SOCKET, (MHD_socket)conf->listen_fd,
				     MHD_OPTION_CONNECTION_LIMIT, conf->conn_limit,
				     MHD_OPTION_CONNECTION_TIMEOUT, conf->conn_timeout_sec,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, conf->conn_memory_limit,
				     MHD_OPTION_END);
	if (!h->daemon) {
		(void) close(conf->listen_fd);
		free(h);
		return -EIO;
	}
	*ret = h;
	return 0;
}

struct httpd *httpd_stop(struct httpd *h)
{
	if (!h)
		return NULL;
	MHD_stop_daemon(h->daemon);
	free(h);
	return NULL;
}
