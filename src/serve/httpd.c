// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libmicrohttpd glue for `twscope serve`: open the listening socket, route
 * GET/HEAD /metrics, /healthz, /api/ and the embedded page's files, answer
 * 404 and 405 otherwise, with the same security headers on every answer; TLS and
 * client certificates through libmicrohttpd's GnuTLS, basic auth checked
 * against bcrypt hashes. Limits (connections in all and per address, idle
 * timeout, request size) are libmicrohttpd options; the total time of a
 * request is enforced here by a sweeper thread, since libmicrohttpd's own
 * timeout is reset by every byte. Never parses HTTP itself, never prints.
 */
#include "serve/httpd.h"

#include <crypt.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "output-prom.h"
#include "sock.h"
#include "util.h"
#include "serve/webassets.h"
#include "serve/webconfig.h"

#define HTTPD_REALM "twscope"
#define HTTPD_BCRYPT_SLOTS 2	/* bcrypt verifications running at once, at most */
#define HTTPD_MAC_BYTES 32	/* HMAC-SHA256 */
#define HTTPD_SWEEP_NS (NSEC_PER_SEC / 2)

/* One open connection, for the request deadline. */
struct httpd_conn {
	int fd;
	uint64_t deadline_ns;
	bool cut;			/* shut down already */
	struct httpd_conn *prev;
	struct httpd_conn *next;
};

/* The last password that verified for one user, as an HMAC under a per-process key. */
struct httpd_auth_cache {
	bool valid;
	uint8_t mac[HTTPD_MAC_BYTES];
};

struct httpd_bcrypt_slot {
	pthread_mutex_t lock;
	struct crypt_data data;
};

struct httpd {
	struct MHD_Daemon *daemon;
	httpd_metrics_fn metrics;
	httpd_api_fn api;
	void *data;
	const struct webconfig *web;

	uint64_t request_timeout_ns;	/* 0 = no deadline, no sweeper */
	pthread_mutex_t conns_lock;
	struct httpd_conn *conns;	/* open connections, under conns_lock */
	pthread_t sweeper;
	bool have_sweeper;
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond;	/* CLOCK_MONOTONIC */
	bool stopping;

	uint8_t mac_key[HTTPD_MAC_BYTES];
	pthread_mutex_t cache_lock;
	struct httpd_auth_cache *cache;	/* one per web->users[] */
	struct httpd_bcrypt_slot *slots;	/* HTTPD_BCRYPT_SLOTS */
};

/*
 * On every answer: the page and its scripts load only from this server, no
 * other site may frame it, and browsers take Content-Type as given.
 */
#define HTTPD_CSP "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
#define HTTPD_JSON_TYPE "application/json"

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
	if (listen(fd, 256) < 0)
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
	(void) MHD_add_response_header(resp, "Content-Security-Policy", HTTPD_CSP);
	(void) MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	(void) MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
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

/* An embedded file; revalidated on each load, so a new binary's page shows at once. */
static enum MHD_Result reply_asset(struct MHD_Connection *conn, const struct webasset *a)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(strlen(a->body), (void *)a->body,
					       MHD_RESPMEM_PERSISTENT);
	if (resp)
		(void) MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	return reply(conn, MHD_HTTP_OK, a->type, resp);
}

const char *httpd_api_arg(const struct httpd_api_req *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

/* A JSON answer under /api/: never cached (the figures change at every census). */
static enum MHD_Result reply_json(struct MHD_Connection *conn, unsigned int status, char *body,
				  size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(len, body, mode);
	if (!resp && mode == MHD_RESPMEM_MUST_FREE)
		free(body);
	if (resp)
		(void) MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return reply(conn, status, HTTPD_JSON_TYPE, resp);
}

static enum MHD_Result reply_api(struct httpd *h, struct MHD_Connection *conn, const char *path)
{
	static const char not_found[] = "{\"error\":\"not found\"}\n";
	static const char failed[] = "{\"error\":\"internal error\"}\n";
	struct httpd_api_req req = { .path = path, .conn = conn };
	unsigned int status = MHD_HTTP_OK;
	char *body = NULL;
	size_t len = 0;

	if (!h->api)
		return reply_json(conn, MHD_HTTP_NOT_FOUND, (char *)not_found, strlen(not_found),
				  MHD_RESPMEM_PERSISTENT);
	if (h->api(h->data, &req, &status, &body, &len) < 0)
		return reply_json(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, (char *)failed, strlen(failed),
				  MHD_RESPMEM_PERSISTENT);
	return reply_json(conn, status, body, len, MHD_RESPMEM_MUST_FREE);
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

/* Equal in time independent of where the first difference is. */
static bool mem_equal_ct(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

static int auth_mac(const struct httpd *h, const char *user, const char *pass,
		    uint8_t mac[HTTPD_MAC_BYTES])
{
	size_t ul = strlen(user), pl = strlen(pass);
	_cleanup_free_ char *msg = malloc(ul + 1 + pl);
	int r;

	if (!msg)
		return -ENOMEM;
	memcpy(msg, user, ul);
	msg[ul] = '\0';
	memcpy(msg + ul + 1, pass, pl);
	r = gnutls_hmac_fast(GNUTLS_MAC_SHA256, h->mac_key, sizeof(h->mac_key), msg, ul + 1 + pl, mac);
	explicit_bzero(msg, ul + 1 + pl);
	return r < 0 ? -EIO : 0;
}

/*
 * Verify user:pass against the bcrypt hashes. The last good password per
 * user is cached (as an HMAC), so a scraper costs one bcrypt in all; other
 * attempts share HTTPD_BCRYPT_SLOTS verifications at a time and are refused
 * (-EBUSY) while all run, so wrong passwords cannot take more CPUs than that.
 * Returns 1 (good), 0 (bad) or -errno.
 */
static int auth_check(struct httpd *h, const char *user, const char *pass)
{
	const struct webconfig *wc = h->web;
	uint8_t mac[HTTPD_MAC_BYTES];
	struct httpd_bcrypt_slot *slot = NULL;
	const char *hash;
	const char *out;
	ssize_t idx = -1;
	bool ok, hit;
	int r;

	for (size_t i = 0; i < wc->n_users; i++)
		if (strcmp(wc->users[i].name, user) == 0)
			idx = (ssize_t)i;
	r = auth_mac(h, user, pass, mac);
	if (r < 0)
		return r;
	if (idx >= 0) {
		pthread_mutex_lock(&h->cache_lock);
		hit = h->cache[idx].valid && mem_equal_ct(h->cache[idx].mac, mac, sizeof(mac));
		pthread_mutex_unlock(&h->cache_lock);
		if (hit)
			return 1;
	}
	for (size_t i = 0; i < HTTPD_BCRYPT_SLOTS && !slot; i++)
		if (pthread_mutex_trylock(&h->slots[i].lock) == 0)
			slot = &h->slots[i];
	if (!slot)
		return -EBUSY;
	/* An unknown user costs a bcrypt too, so timing does not tell names apart. */
	hash = idx >= 0 ? wc->users[idx].hash : wc->users[0].hash;
	out = crypt_rn(pass, hash, &slot->data, sizeof(slot->data));
	ok = idx >= 0 && out && strlen(out) == strlen(hash) && mem_equal_ct(out, hash, strlen(hash));
	explicit_bzero(&slot->data, sizeof(slot->data));
	pthread_mutex_unlock(&slot->lock);
	if (!ok)
		return 0;
	pthread_mutex_lock(&h->cache_lock);
	memcpy(h->cache[idx].mac, mac, sizeof(mac));
	h->cache[idx].valid = true;
	pthread_mutex_unlock(&h->cache_lock);
	return 1;
}

static enum MHD_Result reply_unauthorized(struct MHD_Connection *conn)
{
	static const char msg[] = "unauthorized\n";
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	(void) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	ret = MHD_queue_basic_auth_fail_response(conn, HTTPD_REALM, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * The client certificate when the config asks for one: libmicrohttpd requests
 * it (MHD_OPTION_HTTPS_MEM_TRUST) but leaves verification to us. Returns
 * true when the request may go on.
 */
static bool client_cert_ok(const struct httpd *h, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;
	gnutls_session_t session;
	unsigned int n = 0, status = 0;

	if (!h->web || !h->web->tls || h->web->client_auth == WEBCONFIG_NO_CLIENT_CERT)
		return true;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return false;
	session = ci->tls_session;
	if (!gnutls_certificate_get_peers(session, &n) || n == 0)
		return h->web->client_auth == WEBCONFIG_VERIFY_IF_GIVEN;
	return gnutls_certificate_verify_peers2(session, &status) == 0 && status == 0;
}

/* Returns MHD_YES with *ret_done false when the request may be served. */
static enum MHD_Result check_access(struct httpd *h, struct MHD_Connection *conn, bool *ret_done)
{
	char *user, *pass = NULL;
	int r;

	*ret_done = true;
	if (!client_cert_ok(h, conn))
		return reply_static(conn, MHD_HTTP_FORBIDDEN, "text/plain; charset=utf-8",
				    "client certificate required\n");
	if (!webconfig_has_auth(h->web)) {
		*ret_done = false;
		return MHD_YES;
	}
	user = MHD_basic_auth_get_username_password(conn, &pass);
	r = user && pass ? auth_check(h, user, pass) : 0;
	if (pass) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	if (user)
		MHD_free(user);
	if (r == -EBUSY) {
		struct MHD_Response *resp;
		static const char msg[] = "too many authentication attempts, retry\n";

		resp = MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_PERSISTENT);
		if (resp)
			(void) MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", resp);
	}
	if (r < 0)
		return reply_static(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
				    "authentication failed\n");
	if (r == 0)
		return reply_unauthorized(conn);
	*ret_done = false;
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct httpd *h = cls;
	const struct webasset *asset;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	bool done;

	(void) version;
	(void) upload_data;
	(void) upload_data_size;
	(void) con_cls;
	/* Every path needs the credentials (as the Prometheus exporter-toolkit does). */
	ret = check_access(h, conn, &done);
	if (done)
		return ret;
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
	if (strncmp(url, "/api/", 5) == 0)
		return reply_api(h, conn, url + 5);
	asset = webasset_find(url);
	if (asset)
		return reply_asset(conn, asset);
	return reply_static(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", "not found\n");
}

/*
 * Connection start and end, for the request deadline. libmicrohttpd calls
 * CLOSED before it closes the socket, and the sweeper shuts sockets down
 * only under conns_lock while they are on the list, so it never touches a
 * descriptor number that has been closed and reused.
 */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct httpd *h = cls;
	struct httpd_conn *c = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (!h->request_timeout_ns)
		return;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		c = calloc(1, sizeof(*c));
		if (!ci || !c) {
			free(c);
			return;		/* out of memory: only the idle timeout applies */
		}
		c->fd = ci->connect_fd;
		c->deadline_ns = now_ns() + h->request_timeout_ns;
		pthread_mutex_lock(&h->conns_lock);
		c->next = h->conns;
		if (h->conns)
			h->conns->prev = c;
		h->conns = c;
		pthread_mutex_unlock(&h->conns_lock);
		*socket_context = c;
		return;
	}
	if (code != MHD_CONNECTION_NOTIFY_CLOSED || !c)
		return;
	pthread_mutex_lock(&h->conns_lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		h->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&h->conns_lock);
	free(c);
	*socket_context = NULL;
}

/* A request was answered (or aborted): the next one gets a fresh deadline. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct httpd *h = cls;
	const union MHD_ConnectionInfo *ci;
	struct httpd_conn *c;

	(void) con_cls;
	(void) toe;
	if (!h->request_timeout_ns)
		return;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	c = ci ? ci->socket_context : NULL;
	if (!c)
		return;
	pthread_mutex_lock(&h->conns_lock);
	c->deadline_ns = now_ns() + h->request_timeout_ns;
	pthread_mutex_unlock(&h->conns_lock);
}

/*
 * Shut down connections past their deadline; libmicrohttpd then sees the
 * end of the stream in its own thread and closes them the normal way.
 */
static void *sweeper_main(void *arg)
{
	struct httpd *h = arg;
	struct timespec ts;

	pthread_mutex_lock(&h->stop_lock);
	while (!h->stopping) {
		uint64_t now;

		(void) clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += HTTPD_SWEEP_NS;
		if (ts.tv_nsec >= (long)NSEC_PER_SEC) {
			ts.tv_sec++;
			ts.tv_nsec -= NSEC_PER_SEC;
		}
		(void) pthread_cond_timedwait(&h->stop_cond, &h->stop_lock, &ts);
		if (h->stopping)
			break;
		now = now_ns();
		pthread_mutex_lock(&h->conns_lock);
		for (struct httpd_conn *c = h->conns; c; c = c->next) {
			if (c->cut || now < c->deadline_ns)
				continue;
			(void) shutdown(c->fd, SHUT_RDWR);
			c->cut = true;
		}
		pthread_mutex_unlock(&h->conns_lock);
	}
	pthread_mutex_unlock(&h->stop_lock);
	return NULL;
}

static void httpd_free(struct httpd *h)
{
	if (h->slots) {
		for (size_t i = 0; i < HTTPD_BCRYPT_SLOTS; i++)
			pthread_mutex_destroy(&h->slots[i].lock);
		free(h->slots);
	}
	free(h->cache);
	explicit_bzero(h->mac_key, sizeof(h->mac_key));
	pthread_mutex_destroy(&h->conns_lock);
	pthread_mutex_destroy(&h->stop_lock);
	pthread_cond_destroy(&h->stop_cond);
	pthread_mutex_destroy(&h->cache_lock);
	free(h);
}

static struct httpd *httpd_new(const struct httpd_conf *conf)
{
	pthread_condattr_t ca;
	struct httpd *h;

	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->metrics = conf->metrics;
	h->api = conf->api;
	h->data = conf->data;
	h->web = conf->web;
	h->request_timeout_ns = (uint64_t)conf->request_timeout_sec * NSEC_PER_SEC;
	pthread_mutex_init(&h->conns_lock, NULL);
	pthread_mutex_init(&h->stop_lock, NULL);
	pthread_mutex_init(&h->cache_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->stop_cond, &ca);
	pthread_condattr_destroy(&ca);
	if (!webconfig_has_auth(h->web))
		return h;
	h->cache = calloc(h->web->n_users, sizeof(*h->cache));
	h->slots = calloc(HTTPD_BCRYPT_SLOTS, sizeof(*h->slots));
	if (!h->cache || !h->slots || gnutls_rnd(GNUTLS_RND_KEY, h->mac_key, sizeof(h->mac_key)) < 0) {
		httpd_free(h);
		return NULL;
	}
	for (size_t i = 0; i < HTTPD_BCRYPT_SLOTS; i++)
		pthread_mutex_init(&h->slots[i].lock, NULL);
	return h;
}

static void stop_sweeper(struct httpd *h)
{
	if (!h->have_sweeper)
		return;
	pthread_mutex_lock(&h->stop_lock);
	h->stopping = true;
	pthread_cond_signal(&h->stop_cond);
	pthread_mutex_unlock(&h->stop_lock);
	(void) pthread_join(h->sweeper, NULL);
	h->have_sweeper = false;
}

int httpd_start(const struct httpd_conf *conf, struct httpd **ret)
{
	/* threads 0: no thread of its own, the caller drives it (httpd_run) */
	unsigned int flags = conf->threads ? MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC : 0;
	const struct webconfig *wc = conf->web;
	struct MHD_OptionItem opts[16];
	size_t n = 0;
	struct httpd *h;
	int r;

	if (conf->family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (conf->listen_fd < 0)
		flags |= MHD_USE_NO_LISTEN_SOCKET;
	else
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET, conf->listen_fd, NULL };
	if (wc && wc->tls) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			r = -ENOTSUP;
			goto fail;
		}
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, wc->cert_pem };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, wc->key_pem };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						     (void *)wc->tls_priorities };
		if (wc->client_ca_pem && wc->client_auth != WEBCONFIG_NO_CLIENT_CERT)
			opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0,
							     wc->client_ca_pem };
	}
	if (conf->threads > 1)
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, conf->threads, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	h = httpd_new(conf);
	if (!h) {
		r = -ENOMEM;
		goto fail;
	}
	h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				     MHD_OPTION_CONNECTION_LIMIT, conf->conn_limit,
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, conf->per_ip_limit,
				     MHD_OPTION_CONNECTION_TIMEOUT, conf->conn_timeout_sec,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, conf->conn_memory_limit,
				     MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
				     MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				     MHD_OPTION_ARRAY, opts,
				     MHD_OPTION_END);
	if (!h->daemon) {
		httpd_free(h);
		r = -EIO;
		goto fail;
	}
	if (h->request_timeout_ns) {
		r = -pthread_create(&h->sweeper, NULL, sweeper_main, h);
		if (r < 0) {
			MHD_stop_daemon(h->daemon);
			httpd_free(h);
			return r;	/* the daemon closed the listener */
		}
		h->have_sweeper = true;
	}
	*ret = h;
	return 0;
fail:
	if (conf->listen_fd >= 0)
		(void) close(conf->listen_fd);
	return r;
}

int httpd_add_connection(struct httpd *h, int fd, const void *addr, unsigned int addrlen)
{
	if (MHD_add_connection(h->daemon, fd, addr, addrlen) != MHD_YES)
		return -errno ? -errno : -EIO;
	return 0;
}

int httpd_run(struct httpd *h)
{
	return MHD_run(h->daemon) == MHD_YES ? 0 : -EIO;
}

struct httpd *httpd_stop(struct httpd *h)
{
	if (!h)
		return NULL;
	stop_sweeper(h);
	MHD_stop_daemon(h->daemon);
	httpd_free(h);
	return NULL;
}
