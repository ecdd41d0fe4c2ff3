/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bundle: doctor's facts saved as JSON (--save) and loaded back (--load).
 * A bundle is untrusted input: the loader checks syntax, types, ranges and
 * the invariants collection guarantees, and names the offending field.
 * The public face of src/bundle/: save.c writes; load.c reads, with reader.c
 * (typed getters that keep the field's path), scan.c (strict JSON text),
 * load-census.c and load-conntrack.c (their sections). No printing;
 * doctor/facts.c collects, the files here only (de)serialise.
 */
#ifndef TWSCOPE_BUNDLE_H
#define TWSCOPE_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#define BUNDLE_SCHEMA 1
#define BUNDLE_KIND "twscope-doctor-bundle"
#define BUNDLE_MAX_BYTES (16u << 20)	/* --load reads at most this */
#define BUNDLE_MAX_DEPTH 16		/* JSON nesting; a bundle needs 5 */
#define BUNDLE_MAX_COUNT (1ull << 40)	/* socket counts: no kernel holds 2^40 sockets */
#define BUNDLE_MAX_INTERVAL_SEC 3600

struct json_object;
struct tw_facts;

/* bundle_to_json() - the bundle (schema BUNDLE_SCHEMA, kind BUNDLE_KIND) of f. NULL on OOM. */
struct json_object *bundle_to_json(const struct tw_facts *f);

/*
 * bundle_load_buf() - parse and validate len bytes of bundle JSON into f,
 * which the caller has facts_init()ed. Strict JSON, one object, no NUL byte,
 * every field in range and consistent with the others.
 * Returns 0; -EINVAL with one line in err (e.g. "bundle field
 * 'census.port_range.hi': must be at least lo (50000)"); -ENOMEM.
 * On error f is left empty (facts_done()).
 */
int bundle_load_buf(const char *buf, size_t len, struct tw_facts *f, char *err, size_t err_len);

/*
 * bundle_load_file() - bundle_load_buf() on a file. Only a regular file of
 * at most BUNDLE_MAX_BYTES is read (a FIFO or device is refused without
 * blocking). Returns 0; -errno of open/read with err filled; -EINVAL
 * (not a regular file, too large, invalid); -ENOMEM.
 */
int bundle_load_file(const char *path, struct tw_facts *f, char *err, size_t err_len);

#endif
