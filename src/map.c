// SPDX-License-Identifier: GPL-2.0-or-later
/* Open addressing with linear probing; keys hashed 8 bytes at a time. No I/O. */
#include "map.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct tw_map {
	size_t key_size;
	size_t val_size;
	size_t val_off;		/* value offset in a slot: 8-aligned after the key */
	size_t slot_size;	/* 8 (used flag) + key + value, rounded to 8 */
	size_t cap;		/* power of two */
	size_t count;
	size_t max_entries;
	unsigned char *slots;
};

/* Multiply-xorshift over 64-bit words: this runs once per socket, so it must be cheap. */
static uint64_t hash_key(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
	}
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 29);
}

static unsigned char *slot_at(const struct tw_map *m, size_t i)
{
	return m->slots + i * m->slot_size;
}

struct tw_map *tw_map_new(size_t key_size, size_t val_size, size_t max_entries)
{
	struct tw_map *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->key_size = key_size;
	m->val_size = val_size;
	m->val_off = (8 + key_size + 7) & ~(size_t)7;
	m->slot_size = (m->val_off + val_size + 7) & ~(size_t)7;
	m->cap = 64;
	m->max_entries = max_entries;
	m->slots = calloc(m->cap, m->slot_size);
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

struct tw_map *tw_map_free(struct tw_map *m)
{
	if (m) {
		free(m->slots);
		free(m);
	}
	return NULL;
}

static unsigned char *probe(const struct tw_map *m, const void *key, bool *found)
{
	size_t i = hash_key(key, m->key_size) & (m->cap - 1);

	for (;;) {
		unsigned char *s = slot_at(m, i);

		if (!s[0]) {
			*found = false;
			return s;
		}
		if (memcmp(s + 8, key, m->key_size) == 0) {
			*found = true;
			return s;
		}
		i = (i + 1) & (m->cap - 1);
	}
}

static int grow(struct tw_map *m)
{
	struct tw_map bigger = *m;

	bigger.cap = m->cap * 2;
	bigger.slots = calloc(bigger.cap, m->slot_size);
	if (!bigger.slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		unsigned char *s = slot_at(m, i), *d;
		bool found;

		if (!s[0])
			continue;
		d = probe(&bigger, s + 8, &found);
		memcpy(d, s, m->slot_size);
	}
	free(m->slots);
	m->slots = bigger.slots;
	m->cap = bigger.cap;
	return 0;
}

int tw_map_upsert(struct tw_map *m, const void *key, void **ret_val)
{
	unsigned char *s;
	bool found;
	int r;

	s = probe(m, key, &found);
	if (found) {
		*ret_val = s + m->val_off;
		return 0;
	}
	if (m->count >= m->max_entries)
		return -ENOSPC;
	/* Keep the load factor under 1/2 so probes stay short. */
	if ((m->count + 1) * 2 > m->cap) {
		r = grow(m);
		if (r < 0)
			return r;
		s = probe(m, key, &found);
	}
	s[0] = 1;
	memcpy(s + 8, key, m->key_size);
	m->count++;
	*ret_val = s + m->val_off;
	return 0;
}

void *tw_map_find(const struct tw_map *m, const void *key)
{
	bool found;
	unsigned char *s = probe(m, key, &found);

	return found ? s + m->val_off : NULL;
}

size_t tw_map_count(const struct tw_map *m)
{
	return m->count;
}

int tw_map_next(const struct tw_map *m, size_t *iter, const void **ret_key, void **ret_val)
{
	while (*iter < m->cap) {
		unsigned char *s = slot_at(m, (*iter)++);

		if (s[0]) {
			*ret_key = s + 8;
			*ret_val = s + m->val_off;
			return 1;
		}
	}
	return 0;
}
