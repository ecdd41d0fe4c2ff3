// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The recipe table, expanded from src/doctor/recipes.def, and the match from a
 * culprit to its recipe. Pure; no I/O.
 */
#include "doctor/recipes.h"

#include <stdbool.h>
#include <string.h>

#define LINES(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define COMMS(...) .comms = LINES(__VA_ARGS__)
#define RUNTIME(r) .runtime = (r)
#define PORTS(...) .ports = ((const uint16_t[]){ __VA_ARGS__, 0 })
#define RECIPE(id_, program_, match, steps_, trap_, docs_) \
	{ .id = #id_, .program = program_, match, .steps = steps_, .trap = trap_, .docs = docs_ },

const struct tw_recipe tw_recipes[] = {
#include "doctor/recipes.def"
};
const size_t tw_n_recipes = sizeof(tw_recipes) / sizeof(tw_recipes[0]);

static bool comm_matches(const char *pattern, const char *comm)
{
	size_t n = strlen(pattern);

	if (n && pattern[n - 1] == '*')
		return strncmp(pattern, comm, n - 1) == 0;
	return strcmp(pattern, comm) == 0;
}

const struct tw_recipe *recipe_match(const char *comm, enum tw_runtime runtime, uint16_t dport)
{
	for (size_t i = 0; comm && i < tw_n_recipes; i++)
		for (const char *const *c = tw_recipes[i].comms; c && *c; c++)
			if (comm_matches(*c, comm))
				return &tw_recipes[i];
	for (size_t i = 0; runtime != TW_RUNTIME_UNKNOWN && i < tw_n_recipes; i++)
		if (tw_recipes[i].runtime == runtime)
			return &tw_recipes[i];
	for (size_t i = 0; dport && i < tw_n_recipes; i++)
		for (const uint16_t *p = tw_recipes[i].ports; p && *p; p++)
			if (*p == dport)
				return &tw_recipes[i];
	return NULL;
}

const struct tw_recipe *recipe_find(const char *id)
{
	for (size_t i = 0; i < tw_n_recipes; i++)
		if (strcmp(tw_recipes[i].id, id) == 0)
			return &tw_recipes[i];
	return NULL;
}
