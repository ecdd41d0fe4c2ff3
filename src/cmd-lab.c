// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope lab: list and run the TIME_WAIT scenarios of src/lab/ and show,
 * per scenario, the question, the setup, the expectation with its source,
 * what the kernel did and the verdict. The runner (lab.c) does the work in
 * private namespaces; this file parses options and renders.
 */
#include "twscope.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "ksettings.h"
#include "lab/lab.h"
#include "log.h"
#include "output.h"
#include "util.h"

#define LAB_COST_MAX 1000000ULL

struct lab_args {
	bool json;
	bool quick;
	bool verbose;
	uint64_t cost_n;
};

static volatile sig_atomic_t lab_stop;

static void on_signal(int sig)
{
	lab_stop = sig;
}

static void help(void)
{
	printf("usage: twscope lab list [-j]\n"
	       "       twscope lab run [options] NAME... | all\n\n"
	       "Reproduce TIME_WAIT behaviour on the running kernel. Each scenario runs in a\n"
	       "forked child inside a fresh private network namespace (it disappears with the\n"
	       "child): sysctls are set only there, traffic stays on its loopback, every loop\n"
	       "is bounded. Each result shows the question, the setup, the expectation and its\n"
	       "source (a section of docs/kernel.md), what the kernel did and a verdict: 'as expected',\n"
	       "'differs' (with the difference) or 'skipped' (with the reason).\n"
	       "Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN).\n\n"
	       "options:\n"
	       "      --quick        small numbers (CI): cost builds 20000 TIME_WAIT, not 200000\n"
	       "      --cost-n N     TIME_WAIT sockets for the cost scenario (1-%llu)\n"
	       "  -j, --json         one JSON document (schema 1, see docs/lab.md)\n"
	       "  -v, --verbose      step-by-step log on stderr\n"
	       "  -h, --help         this help\n\n"
	       "Exit status: 0 when every scenario ran as expected or was skipped, 1 when one\n"
	       "differs or failed, 2 on a usage error.\n\n"
	       "EXAMPLES\n"
	       "  twscope lab list                          scenarios and their questions\n"
	       "  sudo twscope lab run client-exhaustion    one scenario\n"
	       "  sudo twscope lab run all --quick          everything, CI-sized (< 2 min)\n"
	       "  sudo twscope lab run nat-timewait -v      with the step-by-step log\n"
	       "  sudo twscope lab run all --quick --json | jq '.scenarios[] | {name, verdict}'\n",
	       LAB_COST_MAX);
}

static void log_cb(const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	tw_dbg("%s", line);
}

static int parse_args(struct tw_ctx *ctx, int argc, char **argv, struct lab_args *a)
{
	enum { OPT_QUICK = 256, OPT_COST_N };
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "cost-n", required_argument, NULL, OPT_COST_N },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jvh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_QUICK:
			a->quick = true;
			break;
		case OPT_COST_N:
			if (safe_atou64(optarg, &a->cost_n) < 0 || a->cost_n < 1 || a->cost_n > LAB_COST_MAX)
				return tw_usage(ctx, "invalid --cost-n '%s' (1-%llu)", optarg, LAB_COST_MAX);
			break;
		case 'j':
			a->json = true;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'h':
			help();
			return -1;
		default:
			return tw_bad_option(ctx, c, argv, opts);
		}
	}
	return 0;
}

static struct json_object *scenario_json(const struct lab_scenario *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(s->name));
	json_object_object_add(o, "question", json_object_new_string(s->question));
	json_object_object_add(o, "source", json_object_new_string(s->source));
	json_object_object_add(o, "expectation", json_object_new_string(s->expectation));
	return o;
}

static int do_list(const struct lab_args *a)
{
	if (a->json) {
		struct json_object *doc = json_object_new_object(), *arr = json_object_new_array();
		int r;

		json_object_object_add(doc, "schema", json_object_new_int(1));
		for (size_t i = 0; i < lab_n_scenarios; i++)
			json_object_array_add(arr, scenario_json(lab_scenarios[i]));
		json_object_object_add(doc, "scenarios", arr);
		r = out_json_print(doc, stdout);
		json_object_put(doc);
		return r < 0 ? TW_EXIT_FAIL : TW_EXIT_OK;
	}
	printf("%-20s %s\n", "SCENARIO", "QUESTION");
	for (size_t i = 0; i < lab_n_scenarios; i++)
		printf("%-20s %s\n", lab_scenarios[i]->name, lab_scenarios[i]->question);
	return TW_EXIT_OK;
}

static struct json_object *outcome_json(const struct lab_outcome *o)
{
	struct json_object *j = scenario_json(o->scn), *v;

	json_object_object_add(j, "verdict", json_object_new_string(lab_verdict_name(o->verdict)));
	json_object_object_add(j, "reason", o->diff[0] ? json_object_new_string(o->diff) : NULL);
	json_object_object_add(j, "duration_ms", out_json_double((double)o->duration_ns / 1e6, 0));
	if (o->result) {
		if (json_object_object_get_ex(o->result, "setup", &v))
			json_object_object_add(j, "setup", json_object_get(v));
		if (json_object_object_get_ex(o->result, "observed", &v))
			json_object_object_add(j, "observed", json_object_get(v));
		if (json_object_object_get_ex(o->result, "checks", &v)) {
			struct json_object *checks = json_object_new_array();

			for (size_t i = 0; i < json_object_array_length(v); i++) {
				struct json_object *c = json_object_array_get_idx(v, i), *n = json_object_new_object(), *f;
				static const char *const keep[] = { "what", "expected", "observed", "ok" };

				for (size_t k = 0; k < ARRAY_SIZE(keep); k++)
					if (json_object_object_get_ex(c, keep[k], &f))
						json_object_object_add(n, keep[k], json_object_get(f));
				json_object_array_add(checks, n);
			}
			json_object_object_add(j, "checks", checks);
		}
	}
	return j;
}

static const char *verdict_color(const struct out_style *st, enum lab_verdict v)
{
	switch (v) {
	case LAB_EXPECTED:
		return out_color(st, OUT_GREEN);
	case LAB_SKIPPED:
		return out_color(st, OUT_YELLOW);
	default:
		return out_color(st, OUT_RED);
	}
}

/* print_phase() - "    label: a=1, b=2" with each setting once (a phase may flip one back and forth). */
static void print_phase(const char *label, struct json_object *sysctls)
{
	size_t n = json_object_array_length(sysctls), shown = 0;

	printf("    %s: ", label);
	for (size_t i = 0; i < n; i++) {
		const char *kv = json_object_get_string(json_object_array_get_idx(sysctls, i));
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(kv, json_object_get_string(json_object_array_get_idx(sysctls, j))) == 0;
		if (!seen)
			printf("%s%s", shown++ ? ", " : "", kv);
	}
	printf("\n");
}

static void print_setup(struct json_object *setup)
{
	struct json_object *phases, *sys, *opts, *label, *list;

	printf("  setup:\n");
	if (json_object_object_get_ex(setup, "phases", &phases)) {
		for (size_t i = 0; i < json_object_array_length(phases); i++) {
			struct json_object *p = json_object_array_get_idx(phases, i);

			if (json_object_object_get_ex(p, "phase", &label) &&
			    json_object_object_get_ex(p, "sysctls", &list))
				print_phase(json_object_get_string(label), list);
		}
	} else if (json_object_object_get_ex(setup, "sysctls", &sys)) {
		print_phase("sysctls", sys);
	}
	if (json_object_object_get_ex(setup, "socket_options", &opts))
		for (size_t i = 0; i < json_object_array_length(opts); i++)
			printf("    note: %s\n", json_object_get_string(json_object_array_get_idx(opts, i)));
}

/* print_value() - a number or string as is; an object as "k v, k v"; an array as "a, b". */
static void print_value(struct json_object *val)
{
	if (json_object_is_type(val, json_type_object)) {
		size_t i = 0;

		json_object_object_foreach(val, k, v) {
			printf("%s%s ", i++ ? ", " : "", k);
			print_value(v);
		}
		if (!i)
			printf("-");
	} else if (json_object_is_type(val, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(val); i++) {
			if (i)
				printf(", ");
			print_value(json_object_array_get_idx(val, i));
		}
	} else {
		printf("%s", json_object_get_string(val));
	}
}

static void print_outcome(const struct out_style *st, const struct lab_outcome *o)
{
	struct json_object *v;
	const char *reset = out_color(st, OUT_RESET);

	printf("%s%s%s: %s\n", out_color(st, OUT_BOLD), o->scn->name, reset, o->scn->question);
	if (o->result && json_object_object_get_ex(o->result, "setup", &v))
		print_setup(v);
	printf("  expected: %s (%s)\n", o->scn->expectation, o->scn->source);
	if (o->result && json_object_object_get_ex(o->result, "checks", &v)) {
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			struct json_object *c = json_object_array_get_idx(v, i), *w, *e, *ob, *ok;

			json_object_object_get_ex(c, "what", &w);
			json_object_object_get_ex(c, "expected", &e);
			json_object_object_get_ex(c, "observed", &ob);
			json_object_object_get_ex(c, "ok", &ok);
			printf("  %s %-62s expected %-14s observed %s\n",
			       json_object_get_boolean(ok) ? "ok  " : "DIFF", json_object_get_string(w),
			       json_object_get_string(e), json_object_get_string(ob));
		}
	}
	if (o->result && json_object_object_get_ex(o->result, "observed", &v)) {
		/* one line per observation; keys carry their unit (_ms, _per_sec, _pct) */
		printf("  observed:\n");
		json_object_object_foreach(v, key, val) {
			printf("    %s: ", key);
			print_value(val);
			printf("\n");
		}
	}
	printf("  verdict:  %s%s%s%s%s (%.1f s)\n\n", verdict_color(st, o->verdict), lab_verdict_name(o->verdict),
	       reset, o->diff[0] ? ": " : "", o->diff, (double)o->duration_ns / 1e9);
}

static int do_run(const struct tw_ctx *ctx, const struct lab_args *a, const struct lab_scenario **list, size_t n)
{
	const struct out_style st = { .utf8 = ctx->utf8, .color = ctx->color, .cols = ctx->term_cols };
	struct lab_opts o = { .quick = a->quick, .cost_n = a->cost_n, .stop = &lab_stop };
	struct json_object *doc = NULL, *arr = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	size_t counts[4] = {};
	char rel[128] = "";
	int r = 0, ret;

	if (a->verbose)
		o.log = log_cb;
	sigemptyset(&sa.sa_mask);
	(void) sigaction(SIGINT, &sa, NULL);
	(void) sigaction(SIGTERM, &sa, NULL);
	(void) ksettings_kernel_release(rel, sizeof(rel));
	if (a->json) {
		doc = json_object_new_object();
		arr = json_object_new_array();
		json_object_object_add(doc, "schema", json_object_new_int(1));
		json_object_object_add(doc, "kernel", json_object_new_string(rel));
		json_object_object_add(doc, "quick", json_object_new_boolean(a->quick));
	} else {
		printf("twscope lab on Linux %s%s\n\n", rel, a->quick ? " (quick)" : "");
	}
	for (size_t i = 0; i < n && !lab_stop; i++) {
		struct lab_outcome out;

		tw_dbg("scenario %s: starting", list[i]->name);
		r = lab_run(list[i], &o, &out);
		if (r < 0)
			break;
		counts[out.verdict]++;
		if (a->json)
			json_object_array_add(arr, outcome_json(&out));
		else
			print_outcome(&st, &out);
		fflush(stdout);
		lab_outcome_done(&out);
	}
	if (lab_stop || r == -EINTR) {
		json_object_put(doc);
		tw_err(0, "interrupted by signal %d: scenario stopped, its namespace is gone", (int)lab_stop);
		return TW_EXIT_FAIL;
	}
	if (r < 0) {
		json_object_put(doc);
		tw_err(r, "cannot start a scenario");
		if (a->json)
			out_json_error("lab", "cannot start a scenario", TW_EXIT_FAIL);
		return TW_EXIT_FAIL;
	}
	ret = counts[LAB_DIFFERS] || counts[LAB_ERROR] ? TW_EXIT_FAIL : TW_EXIT_OK;
	if (a->json) {
		struct json_object *sum = json_object_new_object();

		json_object_object_add(doc, "scenarios", arr);
		json_object_object_add(sum, "as_expected", json_object_new_int64((int64_t)counts[LAB_EXPECTED]));
		json_object_object_add(sum, "differs", json_object_new_int64((int64_t)counts[LAB_DIFFERS]));
		json_object_object_add(sum, "skipped", json_object_new_int64((int64_t)counts[LAB_SKIPPED]));
		json_object_object_add(sum, "error", json_object_new_int64((int64_t)counts[LAB_ERROR]));
		json_object_object_add(doc, "summary", sum);
		if (out_json_print(doc, stdout) < 0)
			ret = TW_EXIT_FAIL;
		json_object_put(doc);
	} else {
		printf("%zu as expected, %zu differ, %zu skipped, %zu errors\n", counts[LAB_EXPECTED],
		       counts[LAB_DIFFERS], counts[LAB_SKIPPED], counts[LAB_ERROR]);
	}
	return ret;
}

int cmd_lab(struct tw_ctx *ctx, int argc, char **argv)
{
	const struct lab_scenario *list[64];
	struct lab_args a = {};
	const char *missing;
	size_t n = 0;
	int r;

	r = parse_args(ctx, argc, argv, &a);
	if (r)
		return r < 0 ? TW_EXIT_OK : r;
	log_set_verbose(a.verbose || log_is_verbose());
	if (optind >= argc)
		return tw_usage(ctx, "missing subcommand: list or run");
	if (strcmp(argv[optind], "list") == 0) {
		if (optind + 1 < argc)
			return tw_usage(ctx, "unexpected argument '%s'", argv[optind + 1]);
		return do_list(&a);
	}
	if (strcmp(argv[optind], "run") != 0)
		return tw_usage(ctx, "unknown subcommand '%s' (list, run)", argv[optind]);
	/* getopt_long() permuted the options in front: what is left are names */
	if (++optind >= argc)
		return tw_usage(ctx, "name a scenario or 'all' (see 'twscope lab list')");
	for (int i = optind; i < argc; i++) {
		const struct lab_scenario *s;

		if (strcmp(argv[i], "all") == 0) {
			for (size_t k = 0; k < lab_n_scenarios && n < ARRAY_SIZE(list); k++)
				list[n++] = lab_scenarios[k];
			continue;
		}
		s = lab_find(argv[i]);
		if (!s) {
			const char *sug = lab_suggest(argv[i]);

			if (sug)
				return tw_usage(ctx, "unknown scenario '%s'; did you mean '%s'?", argv[i], sug);
			return tw_usage(ctx, "unknown scenario '%s' (see 'twscope lab list')", argv[i]);
		}
		if (n < ARRAY_SIZE(list))
			list[n++] = s;
	}
	if (!lab_have_privileges(&missing)) {
		tw_err(0, "needs root: %s is missing (the lab creates network namespaces)", missing);
		if (a.json)
			out_json_error("lab", "needs root: missing capability", TW_EXIT_FAIL);
		return TW_EXIT_FAIL;
	}
	return do_run(ctx, &a, list, n);
}
