/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renderers for twscope doctor: the human report (grouped by severity,
 * evidence first, then the fix), the JSON document and the Nagios plugin
 * line. They only format an advice_report and its facts; they never collect.
 */
#ifndef TWSCOPE_OUTPUT_DOCTOR_H
#define TWSCOPE_OUTPUT_DOCTOR_H

#include <stdbool.h>
#include <stdio.h>

struct advice_report;
struct json_object;
struct out_style;
struct tw_facts;

struct doctor_view {
	unsigned int top;	/* rows of evidence lists shown */
	bool from_bundle;	/* facts came from --load */
	const char *bundle;	/* its path */
};

/* doctor_exit_code() - Nagios code of the overall state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
int doctor_exit_code(const struct advice_report *r);

/* doctor_state_name() - "OK", "WARNING", "CRITICAL", "UNKNOWN" of the overall state. */
const char *doctor_state_name(const struct advice_report *r);

/* doctor_print_table() - the human report. */
void doctor_print_table(FILE *f, const struct out_style *st, const struct advice_report *r,
			const struct tw_facts *facts, const struct doctor_view *v);

/* doctor_json() - the JSON document (schema 1, docs/doctor.md). NULL on OOM. */
struct json_object *doctor_json(const struct advice_report *r, const struct tw_facts *facts,
				const struct doctor_view *v);

/* doctor_print_nagios() - "TWSCOPE <STATE> - <summary> | <perfdata>", then one line per finding. */
void doctor_print_nagios(FILE *f, const struct advice_report *r, const struct tw_facts *facts);

#endif
