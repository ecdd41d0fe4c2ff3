// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Loader for the exporter-toolkit style web configuration file of `serve`:
 * a libyaml document walked against a fixed schema (so aliases and deep
 * nesting cannot make it loop), the files it names read and the TLS
 * certificate/key pair checked with GnuTLS. Never prints: one error line
 * goes back to the caller.
 */
#include "serve/webconfig.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <yaml.h>

#include "util.h"

struct wc_parse {
	yaml_document_t *doc;
	const char *base_dir;
	struct webconfig *wc;
	char *err;
	size_t errlen;
};

static int fail(struct wc_parse *p, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct wc_parse *p, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void) vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return r;
}

/* A key or value quoted in an error: printable ASCII only, at most 64 bytes. */
static const char *shown(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size && i < 64; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* The scalar's text, or NULL when the node is not a scalar or holds a NUL byte. */
static const char *scalar(yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return NULL;
	return (const char *)n->data.scalar.value;
}

/* An empty plain scalar (`key:` with nothing after it) means "not set". */
static bool is_null(yaml_node_t *n)
{
	const char *s = scalar(n);

	return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0);
}

static int check_duplicate(struct wc_parse *p, yaml_node_t *map, yaml_node_pair_t *pair,
			   const char *section)
{
	const char *key = scalar(yaml_document_get_node(p->doc, pair->key));
	char b[80];

	for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < pair; q++) {
		const char *k = scalar(yaml_document_get_node(p->doc, q->key));

		if (k && strcmp(k, key) == 0)
			return fail(p, -EINVAL, "duplicate key '%s%s%s'", section, *section ? "." : "",
				    shown(key, b, sizeof(b)));
	}
	return 0;
}

static int set_path(struct wc_parse *p, const char *key, yaml_node_t *v, char **ret)
{
	const char *s = scalar(v);
	int n;

	if (!s || !*s || is_null(v))
		return fail(p, -EINVAL, "key 'tls_server_config.%s' needs a file name", key);
	free(*ret);
	if (s[0] == '/' || !p->base_dir)
		n = asprintf(ret, "%s", s);
	else
		n = asprintf(ret, "%s/%s", p->base_dir, s);
	if (n < 0) {
		*ret = NULL;
		return fail(p, -ENOMEM, "out of memory");
	}
	return 0;
}

static int parse_tls(struct wc_parse *p, yaml_node_t *map)
{
	static const char *const unsupported[] = {
		"cipher_suites", "curve_preferences", "max_version", "prefer_server_cipher_suites",
		"client_allowed_sans", "cert", "key", NULL,
	};
	struct webconfig *wc = p->wc;
	char b[80];
	int r;

	if (is_null(map))
		return 0;
	if (map->type != YAML_MAPPING_NODE)
		return fail(p, -EINVAL, "key 'tls_server_config' must be a mapping");
	wc->tls = true;
	wc->tls_priorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *v = yaml_document_get_node(p->doc, pair->value);
		const char *key = scalar(yaml_document_get_node(p->doc, pair->key));
		const char *s = scalar(v);

		if (!key)
			return fail(p, -EINVAL, "keys of 'tls_server_config' must be strings");
		r = check_duplicate(p, map, pair, "tls_server_config");
		if (r < 0)
			return r;
		if (strcmp(key, "cert_file") == 0) {
			r = set_path(p, key, v, &wc->cert_file);
		} else if (strcmp(key, "key_file") == 0) {
			r = set_path(p, key, v, &wc->key_file);
		} else if (strcmp(key, "client_ca_file") == 0) {
			r = is_null(v) ? 0 : set_path(p, key, v, &wc->client_ca_file);
		} else if (strcmp(key, "client_auth_type") == 0) {
			if (is_null(v) || (s && strcmp(s, "NoClientCert") == 0))
				wc->client_auth = WEBCONFIG_NO_CLIENT_CERT;
			else if (s && strcmp(s, "VerifyClientCertIfGiven") == 0)
				wc->client_auth = WEBCONFIG_VERIFY_IF_GIVEN;
			else if (s && strcmp(s, "RequireAndVerifyClientCert") == 0)
				wc->client_auth = WEBCONFIG_REQUIRE_AND_VERIFY;
			else
				return fail(p, -EINVAL,
					    "bad value '%s' for key 'tls_server_config.client_auth_type' "
					    "(NoClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert)",
					    s ? shown(s, b, sizeof(b)) : "?");
		} else if (strcmp(key, "min_version") == 0) {
			if (s && strcmp(s, "TLS13") == 0)
				wc->tls_priorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
			else if (is_null(v) || (s && strcmp(s, "TLS12") == 0))
				wc->tls_priorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
			else
				return fail(p, -EINVAL,
					    "bad value '%s' for key 'tls_server_config.min_version' (TLS12 or TLS13)",
					    s ? shown(s, b, sizeof(b)) : "?");
		} else if (str_in(key, unsupported)) {
			return fail(p, -EINVAL, "key 'tls_server_config.%s' is not supported by twscope", key);
		} else {
			return fail(p, -EINVAL, "unknown key 'tls_server_config.%s'", shown(key, b, sizeof(b)));
		}
		if (r < 0)
			return r;
	}
	if (!wc->cert_file)
		return fail(p, -EINVAL, "key 'tls_server_config.cert_file' is missing");
	if (!wc->key_file)
		return fail(p, -EINVAL, "key 'tls_server_config.key_file' is missing");
	if (wc->client_auth != WEBCONFIG_NO_CLIENT_CERT && !wc->client_ca_file)
		return fail(p, -EINVAL, "key 'tls_server_config.client_auth_type' needs 'client_ca_file'");
	if (wc->client_auth == WEBCONFIG_NO_CLIENT_CERT && wc->client_ca_file)
		return fail(p, -EINVAL, "key 'tls_server_config.client_ca_file' needs a verifying "
			    "'client_auth_type' (VerifyClientCertIfGiven or RequireAndVerifyClientCert)");
	return 0;
}

static bool is_bcrypt(const char *h)
{
	static const char b64[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	int cost;

	if (strlen(h) != 60 || h[0] != '$' || h[1] != '2' || !strchr("aby", h[2]) || h[3] != '$' ||
	    !isdigit((unsigned char)h[4]) || !isdigit((unsigned char)h[5]) || h[6] != '$')
		return false;
	cost = (h[4] - '0') * 10 + (h[5] - '0');
	if (cost < 4 || cost > 31)
		return false;
	return strspn(h + 7, b64) == 53;
}

static int parse_users(struct wc_parse *p, yaml_node_t *map)
{
	struct webconfig *wc = p->wc;
	size_t n;
	char b[80];
	int r;

	if (is_null(map))
		return 0;
	if (map->type != YAML_MAPPING_NODE)
		return fail(p, -EINVAL, "key 'basic_auth_users' must be a mapping of user: bcrypt hash");
	n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	if (n > WEBCONFIG_MAX_USERS)
		return fail(p, -EINVAL, "key 'basic_auth_users' has more than %d users", WEBCONFIG_MAX_USERS);
	wc->users = calloc(n ? n : 1, sizeof(*wc->users));
	if (!wc->users)
		return fail(p, -ENOMEM, "out of memory");
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		const char *user = scalar(yaml_document_get_node(p->doc, pair->key));
		const char *hash = scalar(yaml_document_get_node(p->doc, pair->value));
		struct webconfig_user *u = &wc->users[wc->n_users];

		if (!user || !*user || strlen(user) > WEBCONFIG_MAX_USER_LEN || strchr(user, ':'))
			return fail(p, -EINVAL, "bad user name '%s' in 'basic_auth_users' "
				    "(1-%d characters, no ':')", user ? shown(user, b, sizeof(b)) : "?",
				    WEBCONFIG_MAX_USER_LEN);
		for (const char *c = user; *c; c++)
			if (iscntrl((unsigned char)*c))
				return fail(p, -EINVAL, "bad user name '%s' in 'basic_auth_users' "
					    "(control character)", shown(user, b, sizeof(b)));
		r = check_duplicate(p, map, pair, "basic_auth_users");
		if (r < 0)
			return r;
		if (!hash || !is_bcrypt(hash))
			return fail(p, -EINVAL, "key 'basic_auth_users.%s' is not a bcrypt hash "
				    "($2a$, $2b$ or $2y$, 60 characters)", shown(user, b, sizeof(b)));
		u->name = strdup(user);
		u->hash = strdup(hash);
		wc->n_users++;
		if (!u->name || !u->hash)
			return fail(p, -ENOMEM, "out of memory");
	}
	return 0;
}

static int parse_root(struct wc_parse *p, yaml_node_t *root)
{
	char b[80];
	int r;

	if (!root || is_null(root))
		return 0;	/* an empty file: no TLS, no authentication */
	if (root->type != YAML_MAPPING_NODE)
		return fail(p, -EINVAL, "the web config must be a YAML mapping");
	for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
	     pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *v = yaml_document_get_node(p->doc, pair->value);
		const char *key = scalar(yaml_document_get_node(p->doc, pair->key));

		if (!key)
			return fail(p, -EINVAL, "top-level keys must be strings");
		r = check_duplicate(p, root, pair, "");
		if (r < 0)
			return r;
		if (strcmp(key, "tls_server_config") == 0)
			r = parse_tls(p, v);
		else if (strcmp(key, "basic_auth_users") == 0)
			r = parse_users(p, v);
		else if (strcmp(key, "http_server_config") == 0)
			r = fail(p, -EINVAL, "key 'http_server_config' is not supported by twscope");
		else
			r = fail(p, -EINVAL, "unknown key '%s'", shown(key, b, sizeof(b)));
		if (r < 0)
			return r;
	}
	return 0;
}

int webconfig_parse(const char *buf, size_t len, const char *base_dir, struct webconfig *wc,
		    char *err, size_t errlen)
{
	struct wc_parse p = { .base_dir = base_dir, .wc = wc, .err = err, .errlen = errlen };
	yaml_document_t doc, next;
	yaml_parser_t parser;
	int r;

	memset(wc, 0, sizeof(*wc));
	err[0] = '\0';
	if (len > WEBCONFIG_MAX_BYTES)
		return fail(&p, -EFBIG, "larger than %d bytes", WEBCONFIG_MAX_BYTES);
	if (!yaml_parser_initialize(&parser))
		return fail(&p, -ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		r = fail(&p, parser.error == YAML_MEMORY_ERROR ? -ENOMEM : -EINVAL,
			 "bad YAML at line %zu: %s", parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "syntax error");
		yaml_parser_delete(&parser);
		return r;
	}
	p.doc = &doc;
	r = parse_root(&p, yaml_document_get_root_node(&doc));
	yaml_document_delete(&doc);
	if (r == 0) {
		/* A second document would be silently ignored: refuse it. */
		if (!yaml_parser_load(&parser, &next)) {
			r = fail(&p, -EINVAL, "bad YAML at line %zu: %s", parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "syntax error");
		} else {
			if (yaml_document_get_root_node(&next))
				r = fail(&p, -EINVAL, "more than one YAML document");
			yaml_document_delete(&next);
		}
	}
	yaml_parser_delete(&parser);
	return r;
}

/* Read a whole file; ret_other_readable (may be NULL) gets the S_IROTH bit. */
static int read_file(const char *path, char **ret, bool *ret_other_readable)
{
	_cleanup_close_ int fd = -EBADF;
	struct stat st;
	size_t len;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (ret_other_readable)
		*ret_other_readable = st.st_mode & S_IROTH;
	return read_fd_all(fd, WEBCONFIG_MAX_PEM_BYTES, ret, &len);
}

static int load_file(const char *key, const char *path, char **ret, bool *ret_other_readable,
		     char *err, size_t errlen)
{
	int r = read_file(path, ret, ret_other_readable);

	if (r < 0)
		(void) snprintf(err, errlen, "cannot read %s '%s': %s", key, path,
				r == -EINVAL ? "not a regular file" : strerror(-r));
	return r;
}

/* Load the pair (and the client CAs) the way the daemon will, for a clear error now. */
static int check_tls(const struct webconfig *wc, char *err, size_t errlen)
{
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t cert = { (unsigned char *)wc->cert_pem, (unsigned int)strlen(wc->cert_pem) };
	gnutls_datum_t key = { (unsigned char *)wc->key_pem, (unsigned int)strlen(wc->key_pem) };
	int r;

	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		return -ENOMEM;
	r = gnutls_certificate_set_x509_key_mem2(cred, &cert, &key, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (r < 0) {
		(void) snprintf(err, errlen, "cannot use cert_file '%s' with key_file '%s': %s",
				wc->cert_file, wc->key_file, gnutls_strerror(r));
		r = -EINVAL;
		goto out;
	}
	r = 0;
	if (wc->client_ca_pem) {
		gnutls_datum_t ca = { (unsigned char *)wc->client_ca_pem,
				      (unsigned int)strlen(wc->client_ca_pem) };
		int n = gnutls_certificate_set_x509_trust_mem(cred, &ca, GNUTLS_X509_FMT_PEM);

		if (n <= 0) {
			(void) snprintf(err, errlen, "no usable certificate in client_ca_file '%s'%s%s",
					wc->client_ca_file, n < 0 ? ": " : "",
					n < 0 ? gnutls_strerror(n) : "");
			r = -EINVAL;
		}
	}
out:
	gnutls_certificate_free_credentials(cred);
	return r;
}

int webconfig_load(const char *path, struct webconfig *wc, char *err, size_t errlen)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_free_ char *dir = NULL;
	char *slash;
	int r;

	memset(wc, 0, sizeof(*wc));
	err[0] = '\0';
	r = read_file(path, &buf, NULL);
	if (r == -EFBIG)
		return snprintf(err, errlen, "larger than %d bytes", WEBCONFIG_MAX_BYTES), r;
	if (r < 0)
		return snprintf(err, errlen, "%s", r == -EINVAL ? "not a regular file" : strerror(-r)), r;
	dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	r = webconfig_parse(buf, strlen(buf), slash ? dir : ".", wc, err, errlen);
	if (r < 0 || !wc->tls)
		return r;
	r = load_file("cert_file", wc->cert_file, &wc->cert_pem, NULL, err, errlen);
	if (r < 0)
		return r;
	r = load_file("key_file", wc->key_file, &wc->key_pem, &wc->key_readable_by_others, err, errlen);
	if (r < 0)
		return r;
	if (wc->client_ca_file) {
		r = load_file("client_ca_file", wc->client_ca_file, &wc->client_ca_pem, NULL, err, errlen);
		if (r < 0)
			return r;
	}
	return check_tls(wc, err, errlen);
}

void webconfig_done(struct webconfig *wc)
{
	free(wc->cert_file);
	free(wc->key_file);
	free(wc->client_ca_file);
	free(wc->cert_pem);
	if (wc->key_pem) {
		explicit_bzero(wc->key_pem, strlen(wc->key_pem));
		free(wc->key_pem);
	}
	free(wc->client_ca_pem);
	for (size_t i = 0; i < wc->n_users; i++) {
		free(wc->users[i].name);
		free(wc->users[i].hash);
	}
	free(wc->users);
	memset(wc, 0, sizeof(*wc));
}

bool webconfig_has_auth(const struct webconfig *wc)
{
	return wc && wc->n_users > 0;
}
