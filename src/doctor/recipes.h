/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fixes for the program at hand: the recipe table (src/doctor/recipes.def) and the
 * match from a culprit (comm, detected runtime, destination port) to a
 * recipe. Pure; no I/O.
 */
#ifndef TWSCOPE_RECIPES_H
#define TWSCOPE_RECIPES_H

#include <stddef.h>
#include <stdint.h>

enum tw_runtime {
	TW_RUNTIME_UNKNOWN,
	TW_RUNTIME_GO,
};

struct tw_recipe {
	const char *id;
	const char *program;
	const char *const *comms;	/* NULL-terminated; "x*" matches a prefix */
	enum tw_runtime runtime;	/* TW_RUNTIME_UNKNOWN: not matched by runtime */
	const uint16_t *ports;		/* 0-terminated destination ports */
	const char *const *steps;	/* NULL-terminated */
	const char *trap;		/* a half-fix that fails, or NULL */
	const char *const *docs;	/* NULL-terminated URLs */
};

extern const struct tw_recipe tw_recipes[];
extern const size_t tw_n_recipes;

/*
 * recipe_match() - the recipe for a culprit: by comm first, then by
 * runtime, then by the destination port (0 = unknown). comm may be NULL
 * (no process known). Returns NULL when nothing matches: the generic advice.
 */
const struct tw_recipe *recipe_match(const char *comm, enum tw_runtime runtime, uint16_t dport);

/* recipe_find() - a recipe by id, or NULL. */
const struct tw_recipe *recipe_find(const char *id);

#endif
