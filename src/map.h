/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small open-addressing hash map from fixed-size keys to fixed-size,
 * zero-initialised values. Used by the census so memory grows with the
 * number of distinct keys, never with the number of sockets. No I/O.
 */
#ifndef TWSCOPE_MAP_H
#define TWSCOPE_MAP_H

#include <stddef.h>
#include <stdint.h>

struct tw_map;

/* tw_map_new() - a map with at most max_entries keys. NULL + errno on OOM. */
struct tw_map *tw_map_new(size_t key_size, size_t val_size, size_t max_entries);
struct tw_map *tw_map_free(struct tw_map *m);

/*
 * tw_map_upsert() - find key or insert it with a zeroed value.
 * Returns 0 and sets *ret_val; -ENOSPC when the map is full (max_entries),
 * -ENOMEM when growing failed.
 */
int tw_map_upsert(struct tw_map *m, const void *key, void **ret_val);

/* tw_map_find() - the value for key, or NULL. */
void *tw_map_find(const struct tw_map *m, const void *key);

size_t tw_map_count(const struct tw_map *m);

/*
 * tw_map_next() - iterate: start with *iter = 0; returns 1 and sets the
 * key/value pointers while entries remain, 0 at the end.
 */
int tw_map_next(const struct tw_map *m, size_t *iter, const void **ret_key, void **ret_val);

#endif
