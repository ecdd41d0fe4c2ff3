// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the doctor bundle loader (doctor --load) and everything that runs on
 * what it accepts: the rules and every doctor renderer (table with and
 * without colour, JSON, Nagios), so ASan and UBSan (float-cast-overflow
 * included) watch the whole path. An accepted bundle must also save and
 * load back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bundle/bundle.h"
#include "doctor/advice.h"
#include "doctor/facts.h"
#include "output.h"
#include "output-doctor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render_all(const struct tw_facts *f, const struct advice_report *rep, FILE *out)
{
	static const struct out_style styles[] = { { .cols = 0 }, { .utf8 = true, .color = true, .cols = 40 } };
	const struct doctor_view v = { .top = 10, .from_bundle = true, .bundle = "fuzz.json" };
	struct json_object *o;

	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++)
		doctor_print_table(out, &styles[i], rep, f, &v);
	doctor_print_nagios(out, rep, f);
	o = doctor_json(rep, f, &v);
	if (o)
		(void) out_json_print(o, out);
	json_object_put(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct advice_report rep;
	struct tw_facts f, g;
	struct json_object *o;
	char err[512];
	FILE *out;

	facts_init(&f);
	if (bundle_load_buf((const char *)data, size, &f, err, sizeof(err)) < 0) {
		/* one line, always */
		if (!err[0] || strchr(err, '\n'))
			abort();
		return 0;
	}
	advice_eval(&f, &rep);
	out = fopen("/dev/null", "we");
	if (out) {
		render_all(&f, &rep, out);
		fclose(out);
	}
	/* what loads saves, and the saved text loads again */
	o = bundle_to_json(&f);
	if (o) {
		const char *s = json_object_to_json_string(o);

		facts_init(&g);
		if (bundle_load_buf(s, strlen(s), &g, err, sizeof(err)) < 0) {
			fprintf(stderr, "saved bundle does not load: %s\n", err);
			abort();
		}
		facts_done(&g);
		json_object_put(o);
	}
	facts_done(&f);
	return 0;
}
