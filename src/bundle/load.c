// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * load: bundle_load_buf() and bundle_load_file(), and the head, sysctls, counters,
 * sockstat and sysctl config of a bundle; load-census.c and load-conntrack.c read
 * the rest, scan.c the text. No collection and no printing here.
 */
#include "bundle/bundle.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bundle/load.h"
#include "bundle/reader.h"
#include "doctor/facts.h"
#include "doctor/sysctlconf.h"
#include "ksettings.h"
#include "util.h"

/* --- sysctls: the syntax the kernel prints, whitespace folded as collection does */

enum sysctl_syntax { SX_INT, SX_RANGE, SX_LIST };

static const struct {
	enum sysctl_syntax syntax;
	int64_t min, max;
} sysctl_rules[FS_MAX] = {
	[FS_TW_REUSE] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_TW_REUSE_DELAY] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_MAX_TW_BUCKETS] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_PORT_RANGE] = { SX_RANGE, 0, 0 },
	[FS_RESERVED_PORTS] = { SX_LIST, 0, 0 },
	[FS_FIN_TIMEOUT] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_TIMESTAMPS] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_RFC1337] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_TW_RECYCLE] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_CT_TW_TIMEOUT] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_CT_COUNT] = { SX_INT, 0, UINT32_MAX },	/* unsigned int in the kernel */
	[FS_CT_MAX] = { SX_INT, INT32_MIN, INT32_MAX },
};

static int check_sysctl(struct jload *j, const char *name, enum facts_sysctl_id id, const char *s)
{
	uint8_t bitmap[TW_PORT_BITMAP_BYTES];
	uint16_t lo, hi;
	long long v;
	char *end;

	/* ksettings_sysctl_read() folds whitespace runs into one space and trims */
	if (s[0] == ' ' || (s[0] && s[strlen(s) - 1] == ' ') || strstr(s, "  "))
		return jload_bad(j, name, "'%.40s' is not whitespace-folded as read from /proc/sys", s);
	switch (sysctl_rules[id].syntax) {
	case SX_INT:
		errno = 0;
		v = strtoll(s, &end, 10);
		if (!*s || *end || errno || !(isdigit((unsigned char)s[0]) || s[0] == '-'))
			return jload_bad(j, name, "'%.40s' is not an integer", s);
		if (v < sysctl_rules[id].min || v > sysctl_rules[id].max)
			return jload_bad(j, name, "must be %lld..%lld, not %lld", (long long)sysctl_rules[id].min,
					 (long long)sysctl_rules[id].max, v);
		return 0;
	case SX_RANGE:
		if (ksettings_parse_port_range(s, &lo, &hi) < 0)
			return jload_bad(j, name, "'%.40s' is not 'LO HI' with 1 <= LO <= HI <= 65535", s);
		return 0;
	case SX_LIST:
		if (ksettings_parse_port_list(s, bitmap) < 0)
			return jload_bad(j, name, "'%.40s' is not a port list such as '8080,9000-9010'", s);
		return 0;
	}
	return 0;
}

static int load_sysctls(struct jload *j, struct json_object *o, struct tw_facts *f)
{
	struct json_object_iterator it = json_object_iter_begin(o), end = json_object_iter_end(o);
	size_t old = jload_enter(j, "sysctls");

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *name = json_object_iter_peek_name(&it);
		struct json_object *v = json_object_iter_peek_value(&it);
		size_t i;

		for (i = 0; i < FS_MAX; i++)
			if (strcmp(name, facts_sysctl_name((enum facts_sysctl_id)i)) == 0)
				break;
		if (i == FS_MAX)
			continue;	/* not one doctor reads: ignored */
		if (!json_object_is_type(v, json_type_string))
			return jload_bad(j, name, "must be a string, not %s", jload_type_word(json_object_get_type(v)));
		TRY(jload_str_ok(j, name, v, 64 * 1024, STR_TEXT));
		TRY(check_sysctl(j, name, (enum facts_sysctl_id)i, json_object_get_string(v)));
		TRY(facts_set_sysctl(f, (enum facts_sysctl_id)i, json_object_get_string(v)));
	}
	jload_leave(j, old);
	return 0;
}

static int load_sysctl_errors(struct jload *j, struct json_object *arr, size_t n, struct tw_facts *f)
{
	size_t old = jload_enter(j, "sysctl_errors");

	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		size_t o2 = jload_enter_idx(j, i);

		if (!json_object_is_type(e, json_type_string))
			return jload_bad(j, NULL, "must be a string, not %s", jload_type_word(json_object_get_type(e)));
		for (size_t k = 0; k < FS_MAX; k++) {
			if (strcmp(json_object_get_string(e), facts_sysctl_name((enum facts_sysctl_id)k)) != 0)
				continue;
			if (f->sysctl[k].present)
				return jload_bad(j, NULL, "'%s' is also in sysctls",
						 facts_sysctl_name((enum facts_sysctl_id)k));
			f->sysctl[k].error = true;
		}
		jload_leave(j, o2);
	}
	jload_leave(j, old);
	return 0;
}

static int load_counters(struct jload *j, struct json_object *o, struct tw_facts *f)
{
	size_t old = jload_enter(j, "counters");

	f->have_counters = true;
	for (size_t i = 0; i < FC_MAX; i++) {
		const char *name = facts_counter_name((enum facts_counter_id)i);
		struct json_object *x;
		uint64_t v = 0, d = 0;
		size_t o2;
		int r, rd;

		r = jload_get(j, o, name, json_type_object, false, &x);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		o2 = jload_enter(j, name);
		TRY(jload_get_u64(j, x, "value", true, 0, UINT64_MAX, &v));
		rd = jload_get_u64(j, x, "delta", false, 0, v, &d);
		if (rd < 0)
			return rd;
		/* a delta needs two samples, so an interval */
		if (rd > 0 && !f->interval_ns)
			return jload_bad(j, "delta", "present but interval_sec is 0 (one sample)");
		facts_set_counter(f, (enum facts_counter_id)i, v, rd > 0, d);
		jload_leave(j, o2);
	}
	jload_leave(j, old);
	return 0;
}

static int load_sockstat(struct jload *j, struct json_object *o, struct tw_sockstat *s)
{
	size_t old = jload_enter(j, "sockstat");

	TRY(jload_get_u64(j, o, "tcp_inuse", true, 0, BUNDLE_MAX_COUNT, &s->tcp_inuse));
	TRY(jload_get_u64(j, o, "tcp_orphan", true, 0, BUNDLE_MAX_COUNT, &s->tcp_orphan));
	TRY(jload_get_u64(j, o, "tcp_tw", true, 0, BUNDLE_MAX_COUNT, &s->tcp_tw));
	TRY(jload_get_u64(j, o, "tcp_alloc", true, 0, BUNDLE_MAX_COUNT, &s->tcp_alloc));
	/* pages of 4 KiB or more: 2^52 of them is already 16 EiB */
	TRY(jload_get_u64(j, o, "tcp_mem_pages", true, 0, 1ull << 52, &s->tcp_mem_pages));
	TRY(jload_get_u64(j, o, "tcp6_inuse", false, 0, BUNDLE_MAX_COUNT, &s->tcp6_inuse));
	s->have_tcp = true;
	jload_leave(j, old);
	return 0;
}

static int load_sysconf(struct jload *j, struct json_object *o, struct sysconf *sc)
{
	struct json_object *arr;
	uint64_t files = 0;
	size_t n, old = jload_enter(j, "sysctl_config");

	TRY(jload_get_u64(j, o, "files", true, 0, SYSCONF_MAX_FILES, &files));
	sc->files = files;
	TRY(jload_get_bool(j, o, "truncated", &sc->truncated));
	TRY(jload_get_arr(j, o, "lines", true, SYSCONF_MAX_ENTRIES, &arr, &n));
	(void) jload_enter(j, "lines");
	for (size_t i = 0; i < n; i++) {
		size_t o2 = jload_enter_idx(j, i);
		char file[PATH_MAX], key[128], value[512];
		struct json_object *e;
		uint64_t line = 0;

		TRY(jload_elem_obj(j, arr, i, &e));
		TRY(jload_get_str(j, e, "file", true, file, sizeof(file), STR_RAW));
		if (file[0] != '/')
			return jload_bad(j, "file", "'%.60s' is not an absolute path", file);
		TRY(jload_get_u64(j, e, "line", true, 1, UINT_MAX, &line));
		TRY(jload_get_str(j, e, "key", true, key, sizeof(key), STR_TEXT));
		if (!sysconf_is_watched(key))
			return jload_bad(j, "key", "'%s' is not a sysctl doctor reads", key);
		TRY(jload_get_str(j, e, "value", true, value, sizeof(value), STR_RAW));
		if (sysconf_add(sc, file, (unsigned int)line, key, value) == -ENOMEM)
			return -ENOMEM;
		jload_leave(j, o2);
	}
	jload_leave(j, old);
	return 0;
}

static int load_head(struct jload *j, struct json_object *o, struct tw_facts *f)
{
	char kind[64];
	uint64_t schema = 0;
	double interval = 0;

	TRY(jload_get_str(j, o, "kind", true, kind, sizeof(kind), STR_TEXT));
	if (strcmp(kind, BUNDLE_KIND) != 0)
		return jload_bad(j, "kind", "'%s' is not a doctor bundle ('%s')", kind, BUNDLE_KIND);
	TRY(jload_get_u64(j, o, "schema", true, 0, UINT32_MAX, &schema));
	if (schema != BUNDLE_SCHEMA)
		return jload_bad(j, "schema", "unsupported bundle schema %llu (this twscope reads %d)",
				 (unsigned long long)schema, BUNDLE_SCHEMA);
	TRY(jload_get_str(j, o, "kernel", true, f->kernel, sizeof(f->kernel), STR_RAW));
	TRY(jload_get_str(j, o, "netns", false, f->netns, sizeof(f->netns), STR_RAW));
	TRY(jload_get_double(j, o, "interval_sec", 0, BUNDLE_MAX_INTERVAL_SEC, &interval));
	f->interval_ns = (uint64_t)(interval * NSEC_PER_SEC + 0.5);
	return 0;
}

static int load_all(struct jload *j, struct json_object *o, struct tw_facts *f)
{
	struct json_object *x;
	size_t n;

	TRY(load_head(j, o, f));
	TRY(jload_get(j, o, "sysctls", json_type_object, true, &x));
	TRY(load_sysctls(j, x, f));
	TRY(jload_get_arr(j, o, "sysctl_errors", false, 1024, &x, &n));
	TRY(load_sysctl_errors(j, x, n, f));
	TRY(jload_get(j, o, "counters", json_type_object, false, &x));
	if (x)
		TRY(load_counters(j, x, f));
	TRY(jload_get(j, o, "sockstat", json_type_object, false, &x));
	if (x) {
		TRY(load_sockstat(j, x, &f->sockstat));
		f->have_sockstat = true;
	}
	TRY(jload_get_u64(j, o, "tw_objsize_bytes", true, 1, 1 << 20, &f->tw_objsize));
	TRY(jload_get_bool(j, o, "tw_objsize_measured", &f->tw_objsize_measured));
	TRY(jload_get(j, o, "census", json_type_object, false, &x));
	if (x)
		TRY(jload_census(j, x, &f->census));
	TRY(jload_get(j, o, "close_wait", json_type_object, false, &x));
	if (x)
		TRY(jload_close_wait(j, x, &f->close_wait));
	/* Bundles from before conntrack facts have no "conntrack": nothing known of it. */
	TRY(jload_get(j, o, "conntrack", json_type_object, false, &x));
	if (x) {
		TRY(jload_conntrack(j, x, &f->ct));
		if (!f->interval_ns && (f->ct.have_delta || (f->ct.n_groups && f->ct.groups[0].have_growth)))
			return jload_bad(j, "conntrack", "has deltas or held_before, but interval_sec is 0");
	}
	TRY(jload_get(j, o, "sysctl_config", json_type_object, false, &x));
	if (x) {
		TRY(load_sysconf(j, x, &f->sysconf));
		f->have_sysconf = true;
	}
	return 0;
}

int bundle_load_buf(const char *buf, size_t len, struct tw_facts *f, char *err, size_t err_len)
{
	struct jload j = { .err = err, .err_len = err_len };
	struct json_object *o = NULL;
	const char *nul;
	int r;

	if (err_len)
		err[0] = '\0';
	if (len > BUNDLE_MAX_BYTES)
		return jload_fail(&j, "bundle is too large: %zu bytes (at most %u MiB)", len, BUNDLE_MAX_BYTES >> 20);
	nul = memchr(buf, '\0', len);
	if (nul)
		return jload_fail(&j, "bundle contains a NUL byte at offset %zu", (size_t)(nul - buf));
	if (jload_skip_ws(buf, 0, len) == len)
		return jload_fail(&j, "bundle is empty");
	r = jload_parse(&j, buf, len, &o);
	if (r == 0)
		r = jload_scan(&j, buf, buf + len);
	if (r == 0)
		r = load_all(&j, o, f);
	json_object_put(o);
	if (r < 0) {
		if (r == -ENOMEM)
			jload_fail(&j, "out of memory");
		facts_done(f);
	}
	return r;
}

int bundle_load_file(const char *path, struct tw_facts *f, char *err, size_t err_len)
{
	struct jload j = { .err = err, .err_len = err_len };
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len;
	int r;

	if (err_len)
		err[0] = '\0';
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		jload_fail(&j, "cannot open it: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		jload_fail(&j, "cannot stat it: %s", strerror(-r));
		return r;
	}
	if (!S_ISREG(st.st_mode))
		return jload_fail(&j, "not a regular file");
	if (st.st_size > (off_t)BUNDLE_MAX_BYTES)
		return jload_fail(&j, "bundle is too large: %lld bytes (at most %u MiB)", (long long)st.st_size,
				  BUNDLE_MAX_BYTES >> 20);
	r = read_fd_all(fd, BUNDLE_MAX_BYTES, &buf, &len);
	if (r == -EFBIG)
		return jload_fail(&j, "bundle is too large (at most %u MiB)", BUNDLE_MAX_BYTES >> 20);
	if (r < 0) {
		jload_fail(&j, "cannot read it: %s", strerror(-r));
		return r;
	}
	return bundle_load_buf(buf, len, f, err, err_len);
}
