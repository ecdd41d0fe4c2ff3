/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The web configuration file of `serve --web.config.file`, in the format of
 * the Prometheus exporter-toolkit: tls_server_config (cert_file, key_file,
 * client_ca_file, client_auth_type, min_version) and basic_auth_users
 * (bcrypt hashes). Parsed with libyaml; unknown keys and bad values are
 * errors. Nothing here prints: errors come back as one line in err.
 */
#ifndef TWSCOPE_WEBCONFIG_H
#define TWSCOPE_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define WEBCONFIG_MAX_BYTES (1024 * 1024)	/* the YAML file */
#define WEBCONFIG_MAX_PEM_BYTES (1024 * 1024)	/* each certificate or key file */
#define WEBCONFIG_MAX_USERS 1024
#define WEBCONFIG_MAX_USER_LEN 256
#define WEBCONFIG_ERR_LEN 512

enum webconfig_client_auth {
	WEBCONFIG_NO_CLIENT_CERT,		/* NoClientCert (default) */
	WEBCONFIG_VERIFY_IF_GIVEN,		/* VerifyClientCertIfGiven */
	WEBCONFIG_REQUIRE_AND_VERIFY,		/* RequireAndVerifyClientCert */
};

struct webconfig_user {
	char *name;
	char *hash;		/* $2a$, $2b$ or $2y$ bcrypt hash, 60 characters */
};

struct webconfig {
	bool tls;			/* tls_server_config present */
	char *cert_file;		/* paths as resolved (relative to the file's folder) */
	char *key_file;
	char *client_ca_file;		/* NULL = none */
	enum webconfig_client_auth client_auth;
	const char *tls_priorities;	/* GnuTLS priority string for min_version, static */
	char *cert_pem;			/* contents, after webconfig_load() */
	char *key_pem;
	char *client_ca_pem;
	bool key_readable_by_others;	/* key_file mode has group/other bits */
	struct webconfig_user *users;
	size_t n_users;
};

/*
 * webconfig_parse() - parse YAML text (len bytes, need not be NUL-terminated)
 * into wc (zeroed first); relative file names are resolved against base_dir
 * (NULL = leave them as they are). Files are not read. Returns 0, or
 * -EINVAL (bad YAML, unknown key, bad value) / -ENOMEM with a one-line
 * message naming the key in err (errlen >= 1). wc must be released with
 * webconfig_done() in every case.
 */
int webconfig_parse(const char *buf, size_t len, const char *base_dir, struct webconfig *wc,
		    char *err, size_t errlen);

/*
 * webconfig_load() - read and parse the file at path, then read the files
 * it names (cert, key, client CA) and check that the certificate and key
 * load and belong together. Returns 0, or -errno with the reason in err;
 * wc must be released with webconfig_done() in every case.
 */
int webconfig_load(const char *path, struct webconfig *wc, char *err, size_t errlen);

/* webconfig_done() - free what wc owns; safe on a zeroed or done config. */
void webconfig_done(struct webconfig *wc);

/* webconfig_has_auth() - true when basic_auth_users has at least one user. */
bool webconfig_has_auth(const struct webconfig *wc);

#endif
