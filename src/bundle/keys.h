/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keys: what the writer (save.c) and the loader (load-census.c) of doctor
 * bundles must spell alike. Internal to src/bundle/.
 */
#ifndef TWSCOPE_BUNDLE_KEYS_H
#define TWSCOPE_BUNDLE_KEYS_H

#include "census.h"

static const char *const window_keys[TW_CLOSE_WINDOWS] = {
	"within_5s", "within_10s", "within_30s", "within_60s",
};

#endif
