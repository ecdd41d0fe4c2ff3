// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope doctor: collect the facts of a namespace (or load a saved bundle),
 * evaluate the rules and render the findings. Exit codes follow the Nagios
 * plugin API: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also usage errors and
 * collection failures). Collecting is facts.c, deciding advice.c, text
 * output-doctor.c, saving and loading bundles bundle.c.
 */
#include "twscope.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "doctor/advice.h"
#include "doctor/bundle.h"
#include "doctor/facts.h"
#include "log.h"
#include "output.h"
#include "output-doctor.h"
#include "safetext.h"
#include "util.h"

#define DOCTOR_UNKNOWN 3
#define DOCTOR_MAX_INTERVAL 60.0

struct doctor_args {
	enum out_format format;
	double interval_sec;
	bool interval_set;
	const char *netns;
	const char *save;
	const char *load;
	unsigned int top;
	bool list_rules;
};

static void help(void)
{
	printf("usage: twscope doctor [options]\n\n"
	       "Audit the TIME_WAIT health of a network namespace: read its sysctls, TCP\n"
	       "counters (twice, to see what happens now), sockstat, the socket census and\n"
	       "the sysctl config files, then report findings with evidence, why and the\n"
	       "exact fix, worst first. Port use is judged on where the close rate (read\n"
	       "off the TIME_WAIT timers) leads, and the processes behind a hot destination\n"
	       "are named with the fix for that program (docs/recipes.md).\n\n"
	       "options:\n"
	       "  -i, --interval SEC   seconds between the two counter samples (default 1,\n"
	       "                       fractions allowed, max 60; 0 = one sample, no rates)\n"
	       "  -j, --json           one JSON document (schema 1, see docs/doctor.md)\n"
	       "      --format FMT     table (default), json or nagios (one status line with\n"
	       "                       perfdata, then one line per finding)\n"
	       "  -n, --netns NS       audit another namespace: a name in /run/netns, a path or\n"
	       "                       a PID (needs CAP_SYS_ADMIN); sysctls and counters are per\n"
	       "                       namespace\n"
	       "      --save FILE      also write everything read as a JSON bundle to FILE\n"
	       "      --load FILE      evaluate a saved bundle instead of this system (excludes\n"
	       "                       --netns, --interval and --save)\n"
	       "  -t, --top N          show all info findings in full when N >= 10 (default 5)\n"
	       "      --list-rules     print the rule table (id, title, reference) and exit\n"
	       "  -h, --help           this help\n\n"
	       "Exit status (Nagios plugin API): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (a\n"
	       "rule could not be evaluated, a usage error, or collection failed). The overall\n"
	       "state is critical > warning > unknown > ok; info findings count as ok.\n"
	       "Rule ids and thresholds: docs/findings.md.\n\n"
	       "EXAMPLES\n"
	       "  twscope doctor                          is TIME_WAIT a problem here?\n"
	       "  twscope doctor --interval 5             rates over 5 seconds\n"
	       "  sudo twscope doctor --netns web1        audit a container's namespace\n"
	       "  twscope doctor --format nagios          as a Nagios/Icinga check\n"
	       "  twscope doctor --save host.json         keep the evidence for later\n"
	       "  twscope doctor --load host.json --json  evaluate it on another machine\n"
	       "  twscope doctor --json | jq '.findings[] | select(.severity != \"ok\")'\n");
}

#define DOCTOR_FORMATS (OUT_FMT_BIT(OUT_FMT_TABLE) | OUT_FMT_BIT(OUT_FMT_JSON) | OUT_FMT_BIT(OUT_FMT_NAGIOS))

static int usage(const struct tw_ctx *ctx, const char *msg, const char *arg)
{
	(void) tw_usage(ctx, msg, arg);
	return DOCTOR_UNKNOWN;
}

static int parse_args(struct tw_ctx *ctx, int argc, char **argv, struct doctor_args *a)
{
	enum { OPT_FORMAT = 256, OPT_SAVE, OPT_LOAD, OPT_LIST };
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "netns", required_argument, NULL, 'n' },
		{ "save", required_argument, NULL, OPT_SAVE },
		{ "load", required_argument, NULL, OPT_LOAD },
		{ "top", required_argument, NULL, 't' },
		{ "list-rules", no_argument, NULL, OPT_LIST },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint32_t n32;
	char names[64];
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:jn:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (safe_atod(optarg, &a->interval_sec) < 0 || a->interval_sec > DOCTOR_MAX_INTERVAL)
				return usage(ctx, "invalid --interval '%s' (0-60 seconds)", optarg);
			a->interval_set = true;
			break;
		case 'j':
			a->format = OUT_FMT_JSON;
			break;
		case OPT_FORMAT:
			if (out_format_parse(optarg, DOCTOR_FORMATS, &a->format, names, sizeof(names)) < 0) {
				char msg[128];

				snprintf(msg, sizeof(msg), "unknown format '%s' (%s)", optarg, names);
				return usage(ctx, "%s", msg);
			}
			break;
		case 'n':
			if (a->netns)
				return usage(ctx, "only one --netns at a time%s", "");
			a->netns = optarg;
			break;
		case OPT_SAVE:
			a->save = optarg;
			break;
		case OPT_LOAD:
			a->load = optarg;
			break;
		case 't':
			if (safe_atou32(optarg, &n32) < 0 || n32 > 1000)
				return usage(ctx, "invalid --top '%s' (0-1000)", optarg);
			a->top = n32;
			break;
		case OPT_LIST:
			a->list_rules = true;
			break;
		case 'h':
			help();
			return -1;
		default:
			/* Nagios convention: usage errors are UNKNOWN. */
			(void) tw_bad_option(ctx, c, argv, opts);
			return DOCTOR_UNKNOWN;
		}
	}
	if (optind < argc)
		return usage(ctx, "unexpected argument '%s'", argv[optind]);
	if (a->load && (a->netns || a->interval_set || a->save))
		return usage(ctx, "--load evaluates a saved bundle: it excludes --netns, --interval and --save%s", "");
	return 0;
}

/* msg may quote a bundle or a path: shown terminal-safe (Nagios: no '|' either). */
static int fail(const struct doctor_args *a, const char *msg)
{
	char safe[SAFETEXT_TERM_SIZE(600)];

	tw_err(0, "%s", out_safe(safe, sizeof(safe), msg, 0));
	if (a->format == OUT_FMT_JSON)
		out_json_error("doctor", msg, DOCTOR_UNKNOWN);
	else if (a->format == OUT_FMT_NAGIOS)
		printf("TWSCOPE UNKNOWN - %s\n",
		       out_safe(safe, sizeof(safe), msg, SAFETEXT_NAGIOS));
	return DOCTOR_UNKNOWN;
}

static int save_bundle(const struct tw_facts *f, const char *path)
{
	struct json_object *o = bundle_to_json(f);
	_cleanup_fclose_ FILE *out = NULL;
	int r;

	if (!o)
		return -ENOMEM;
	out = fopen(path, "we");
	if (!out) {
		r = -errno;
		json_object_put(o);
		return r;
	}
	r = out_json_print(o, out);
	json_object_put(o);
	if (r == 0 && fflush(out) != 0)
		r = -errno;
	return r;
}

static void list_rules(void)
{
	for (size_t i = 0; i < ADV_RULE_MAX; i++)
		printf("%-22s %-52s %s\n", advice_rule_id(i), advice_rule_title(i), advice_rule_reference(i));
}

static int render(const struct tw_ctx *ctx, const struct doctor_args *a, const struct advice_report *rep,
		  const struct tw_facts *facts)
{
	const struct out_style st = { .utf8 = ctx->utf8, .color = ctx->color, .cols = ctx->term_cols };
	const struct doctor_view v = { .top = a->top, .from_bundle = a->load != NULL, .bundle = a->load };

	if (a->format == OUT_FMT_JSON) {
		struct json_object *o = doctor_json(rep, facts, &v);
		int r = o ? out_json_print(o, stdout) : -ENOMEM;

		json_object_put(o);
		if (r < 0)
			return fail(a, "cannot write the JSON report");
	} else if (a->format == OUT_FMT_NAGIOS) {
		doctor_print_nagios(stdout, rep, facts);
	} else {
		doctor_print_table(stdout, &st, rep, facts, &v);
	}
	return doctor_exit_code(rep);
}

int cmd_doctor(struct tw_ctx *ctx, int argc, char **argv)
{
	struct doctor_args a = { .interval_sec = 1.0, .top = 5 };
	struct advice_report *rep = NULL;
	struct tw_facts facts;
	char err[512], safe[SAFETEXT_TERM_SIZE(128)];
	int r, census_err = 0, rc;

	r = parse_args(ctx, argc, argv, &a);
	if (r < 0)
		return TW_EXIT_OK;	/* --help */
	if (r)
		return r;
	if (a.list_rules) {
		list_rules();
		return TW_EXIT_OK;
	}
	facts_init(&facts);
	if (a.load) {
		r = bundle_load_file(a.load, &facts, err, sizeof(err));
		if (r < 0) {
			char msg[PATH_MAX + sizeof(err) + 32];

			snprintf(msg, sizeof(msg), "cannot load '%s': %s", a.load, err[0] ? err : strerror(-r));
			return fail(&a, msg);
		}
	} else {
		if (a.netns && cmd_enter_netns(a.netns) < 0) {
			if (a.format == OUT_FMT_JSON)
				out_json_error("doctor", "cannot enter the network namespace", DOCTOR_UNKNOWN);
			else if (a.format == OUT_FMT_NAGIOS)
				printf("TWSCOPE UNKNOWN - cannot enter network namespace '%s'\n",
				       out_safe(safe, sizeof(safe), a.netns, SAFETEXT_NAGIOS));
			return DOCTOR_UNKNOWN;
		}
		if (a.netns)
			snprintf(facts.netns, sizeof(facts.netns), "%s", a.netns);
		r = facts_collect(&facts, (uint64_t)(a.interval_sec * NSEC_PER_SEC + 0.5), &census_err);
		if (r < 0) {
			facts_done(&facts);
			return fail(&a, r == -ENOMEM ? "out of memory" : "cannot collect the facts");
		}
		if (census_err) {
			const char *why = cmd_collect_error(census_err);

			tw_warn("socket census failed (%s): census rules are unknown",
				why ? why : strerror(-census_err));
		}
		if (!facts.have_counters)
			tw_warn("cannot read /proc/net/netstat or /proc/net/snmp: counter rules are unknown");
		if (a.save) {
			r = save_bundle(&facts, a.save);
			if (r < 0) {
				tw_err(r, "cannot write bundle '%s'", a.save);
				facts_done(&facts);
				if (a.format == OUT_FMT_JSON)
					out_json_error("doctor", "cannot write the bundle", DOCTOR_UNKNOWN);
				return DOCTOR_UNKNOWN;
			}
		}
	}
	rep = calloc(1, sizeof(*rep));
	if (!rep) {
		facts_done(&facts);
		return fail(&a, "out of memory");
	}
	advice_eval(&facts, rep);
	rc = render(ctx, &a, rep, &facts);
	free(rep);
	facts_done(&facts);
	return rc;
}
