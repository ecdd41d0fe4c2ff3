/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tiers of the history database: raw samples become 1-minute buckets, those
 * 1-hour buckets (min, weighted avg, max, count); old rows expire per tier
 * and a size cap drops the oldest. Every call does one bounded step in its
 * own short transaction. Internal to src/history/. Nothing here prints.
 */
#ifndef TWSCOPE_HISTORY_DOWNSAMPLE_H
#define TWSCOPE_HISTORY_DOWNSAMPLE_H

#include <stdint.h>

#include "history/history.h"

struct hdb;

#define DOWNSAMPLE_LAG_SEC 2		/* a bucket is closed this long after its end */
#define DOWNSAMPLE_EXPIRE_SPAN_SEC 600	/* rows of at most this much time deleted per step */

/*
 * downsample_step() - aggregate the next closed bucket of tier to
 * (HISTORY_TIER_MIN or _HOUR) from the tier below it, skipping empty time.
 * Returns 1 when a bucket was written (its start in *ret_bucket), 0 when
 * none is due, or -errno (-ENOSPC: disk full).
 */
int downsample_step(struct hdb *h, enum history_tier to, int64_t now, int64_t *ret_bucket);

/*
 * downsample_expire() - delete rows older than keep_sec[tier] (at most
 * DOWNSAMPLE_EXPIRE_SPAN_SEC of time per tier, never rows not yet
 * aggregated into the next tier) and events older than the last tier.
 * Returns the number of rows deleted or -errno.
 */
int downsample_expire(struct hdb *h, const int64_t keep_sec[HISTORY_TIER_MAX], int64_t now);

/* downsample_size() - bytes the main file uses (pages in use) and holds. 0 or -errno. */
int downsample_size(struct hdb *h, uint64_t *ret_used, uint64_t *ret_file);

/*
 * downsample_trim() - the size cap: drop span_sec of the oldest rows of the
 * finest tier holding any and remember it (meta dropped_until_<tier>), then
 * give freed pages back to the file system. Returns 1 with the tier and the
 * time dropped up to, 0 when the database is empty, or -errno.
 */
int downsample_trim(struct hdb *h, int64_t span_sec, enum history_tier *ret_tier,
		    int64_t *ret_until);

/* downsample_vacuum() - give up to pages free pages back to the file system. 0 or -errno. */
int downsample_vacuum(struct hdb *h, int pages);

#endif
