// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope doctor: collect the facts of a namespace (or load a saved bundle),
 * evaluate the rules and render the findings. Exit codes follow the Nagios
 * plugin API: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also usage errors and
 * collection failures). Collecting is facts.c, deciding advice.c and the
 * rules-*.c, text output-doctor.c, saving and loading bundles src/bundle/
 * (save.c, load.c).
 */
#include "twscope.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bundle/bundle.h"
#include "doctor/advice.h"
#include "doctor/facts.h"
#include "census.h"
#include "ksettings.h"
#include "log.h"
#include "netns/nsenum.h"
#include "netns/nswalk.h"
#include "output-allns.h"
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
	bool all_netns;
};

static void help(void)
{
	printf("usage: twscope doctor [options]\n\n"
	       "Audit the TIME_WAIT health of a network namespace: read its sysctls, TCP\n"
	       "counters (twice, to see what happens now), sockstat, the socket census,\n"
	       "the sysctl config files and, where it is loaded, the conntrack table (SNAT\n"
	       "ports of a NAT gateway), then report findings with evidence, why and the\n"
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
	       "  -A, --all-netns      every rule in every network namespace on the host\n"
	       "                       (needs CAP_SYS_ADMIN; the rest is listed as skipped):\n"
	       "                       the worst namespaces first, each finding names its\n"
	       "                       container or pod, the exit code is the worst of all;\n"
	       "                       adds sysctl-drift (sysctls that differ from the\n"
	       "                       host's); one counter sample (no --interval)\n"
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
	       "  sudo twscope doctor -A                  every container and pod on this host\n"
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
		{ "all-netns", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint32_t n32;
	char names[64];
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:jn:t:Ah", opts, NULL)) != -1) {
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
		case 'A':
			a->all_netns = true;
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
	if (a->all_netns && (a->netns || a->load || a->save || a->interval_set))
		return usage(ctx, "--all-netns excludes --netns, --load, --save and --interval%s", "");
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

/* --- doctor -A ---------------------------------------------------------- */

struct ns_doc {
	size_t entry;
	int skip_err;
	enum tw_sev overall;
	size_t counts[TW_SEV_CRITICAL + 1];
	char *not_ok;			/* ids of the warning/critical/unknown findings */
	char *text;			/* table or nagios rendering */
	struct json_object *json;
};

struct all_doc {
	const struct tw_ctx *ctx;
	const struct doctor_args *a;
	const struct nsenum_list *l;
	struct facts_nsref host;
	struct ns_doc *docs;
};

static const enum facts_sysctl_id drift_ids[] = { FS_PORT_RANGE, FS_TW_REUSE, FS_TIMESTAMPS, FS_MAX_TW_BUCKETS };

static int read_host(size_t i, int enter_err, void *data)
{
	struct facts_nsref *h = &((struct all_doc *)data)->host;

	(void) i;
	if (enter_err)
		return 0;
	for (size_t k = 0; k < ARRAY_SIZE(drift_ids); k++) {
		enum facts_sysctl_id id = drift_ids[k];
		_cleanup_free_ char *v = NULL;

		if (ksettings_sysctl_read(facts_sysctl_name(id), &v) < 0)
			continue;
		/* the same whitespace folding facts.c applies: "32768\t60999" */
		for (char *c = v; *c; c++)
			if (*c == '\t')
				*c = ' ';
		snprintf(h->host_value[id], sizeof(h->host_value[id]), "%s", v);
		h->host_present[id] = true;
	}
	h->have_host = true;
	return 0;
}

static void nsref_fill(struct facts_nsref *ref, const struct nsenum_entry *e)
{
	const struct nsname *n = &e->name;

	ref->is_host = e->host;
	snprintf(ref->runtime, sizeof(ref->runtime), "%s", nsname_runtime_name(n->runtime));
	ref->kubernetes = n->pod_uid[0] || n->pod_name[0];
	if (e->netns_name)
		snprintf(ref->enter, sizeof(ref->enter), "ip netns exec %.255s", e->netns_name);
	else if (e->pid)
		snprintf(ref->enter, sizeof(ref->enter), "nsenter --net=/proc/%d/ns/net", e->pid);
	else if (e->mount)
		snprintf(ref->enter, sizeof(ref->enter), "nsenter --net=%.290s", e->mount);
}

/* Every finding of a namespace's document says which namespace it is about. */
static void json_tag(struct json_object *doc, const char *label)
{
	struct json_object *arr;

	if (!json_object_object_get_ex(doc, "findings", &arr))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		json_object_object_add(json_object_array_get_idx(arr, i), "netns",
				       out_json_string(label, SIZE_MAX));
}

/*
 * The facts of the current namespace. Each sock_diag dump walks the whole
 * established hash, shared by every namespace, so a namespace whose
 * sockstat holds no TCP socket at all (listeners included) gets the empty
 * census it would have found, without a walk.
 */
static int collect_facts(struct tw_facts *f, int *ret_census_err)
{
	uint8_t reserved[TW_PORT_BITMAP_BYTES];
	struct census_conf conf = {
		.filter = { .v4 = true, .v6 = true, .port = -1, .dst_port = -1 },
		.reserved = reserved,
	};
	struct tw_sockstat ss;
	struct census *c;
	int r;

	if (ksettings_sockstat(&ss) < 0 || ss.tcp_inuse + ss.tcp6_inuse + ss.tcp_tw > 0 ||
	    ksettings_port_range(&conf.range_lo, &conf.range_hi) < 0)
		return facts_collect(f, 0, ret_census_err);
	if (ksettings_reserved_ports(reserved) < 0)
		memset(reserved, 0, sizeof(reserved));
	c = census_new(&conf);
	if (!c)
		return -ENOMEM;
	r = census_finish(c);
	if (r == 0)
		r = facts_collect_with(f, 0, c, ret_census_err);
	census_free(c);
	return r;
}

static int doctor_one(size_t i, int enter_err, void *data)
{
	struct all_doc *ad = data;
	struct ns_doc *d = &ad->docs[i];
	const struct nsenum_entry *e = &ad->l->v[i];
	const struct out_style st = { .utf8 = ad->ctx->utf8, .color = ad->ctx->color, .cols = ad->ctx->term_cols };
	const struct doctor_view v = { .top = ad->a->top };
	_cleanup_free_ struct advice_report *rep = NULL;
	_cleanup_free_ char *label = NULL;
	struct tw_facts facts;
	size_t len = 0;
	FILE *mem;
	int r, census_err = 0;

	d->entry = i;
	d->skip_err = enter_err;
	if (enter_err)
		return 0;
	rep = calloc(1, sizeof(*rep));
	label = malloc(NSNAME_STR_MAX * 3 + PATH_MAX);
	if (!rep || !label)
		return -ENOMEM;
	nsenum_label(e, label, NSNAME_STR_MAX * 3 + PATH_MAX);
	facts_init(&facts);
	facts.nsref = ad->host;
	nsref_fill(&facts.nsref, e);
	snprintf(facts.netns, sizeof(facts.netns), "%s", label);
	r = collect_facts(&facts, &census_err);
	if (r < 0) {
		facts_done(&facts);
		if (r == -ENOMEM)
			return r;
		d->skip_err = r;
		return 0;
	}
	advice_eval(&facts, rep);
	d->overall = rep->overall;
	memcpy(d->counts, rep->counts, sizeof(d->counts));
	mem = open_memstream(&d->not_ok, &len);
	if (mem) {
		for (size_t k = 0; k < ADV_RULE_MAX; k++)
			if (rep->findings[k].sev >= TW_SEV_UNKNOWN)
				fprintf(mem, "%s%s", ftell(mem) ? ", " : "", rep->findings[k].id);
		fclose(mem);
	}
	if (ad->a->format == OUT_FMT_JSON) {
		d->json = doctor_json(rep, &facts, &v);
		if (d->json)
			json_tag(d->json, label);
	} else {
		mem = open_memstream(&d->text, &len);
		if (mem) {
			if (ad->a->format == OUT_FMT_NAGIOS)
				doctor_print_nagios(mem, rep, &facts);
			else
				doctor_print_table(mem, &st, rep, &facts, &v);
			fclose(mem);
		}
	}
	facts_done(&facts);
	return (ad->a->format == OUT_FMT_JSON ? !d->json : !d->text) ? -ENOMEM : 0;
}

static int cmp_docs(const void *pa, const void *pb)
{
	const struct ns_doc *x = pa, *y = pb;

	if (x->overall != y->overall)
		return x->overall < y->overall ? 1 : -1;
	for (int s = TW_SEV_CRITICAL; s >= TW_SEV_UNKNOWN; s--)
		if (x->counts[s] != y->counts[s])
			return x->counts[s] < y->counts[s] ? 1 : -1;
	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static const char *state_upper(enum tw_sev s)
{
	switch (s) {
	case TW_SEV_CRITICAL:
		return "CRITICAL";
	case TW_SEV_WARNING:
		return "WARNING";
	case TW_SEV_UNKNOWN:
		return "UNKNOWN";
	default:
		return "OK";
	}
}

static int exit_of(enum tw_sev s)
{
	switch (s) {
	case TW_SEV_CRITICAL:
		return 2;
	case TW_SEV_WARNING:
		return 1;
	case TW_SEV_UNKNOWN:
		return DOCTOR_UNKNOWN;
	default:
		return 0;
	}
}

static void print_label(FILE *f, const struct nsenum_entry *e, unsigned int flags, int width)
{
	_cleanup_free_ char *label = malloc(NSNAME_STR_MAX * 3 + PATH_MAX);
	_cleanup_free_ char *safe = NULL;
	size_t need;

	if (!label)
		return;
	nsenum_label(e, label, NSNAME_STR_MAX * 3 + PATH_MAX);
	need = safetext_term(NULL, 0, label, SIZE_MAX, flags) + 1;
	safe = malloc(need);
	if (!safe)
		return;
	(void) safetext_term(safe, need, label, SIZE_MAX, flags);
	fprintf(f, "%-*s", width, safe);
}

static void render_all(const struct tw_ctx *ctx, const struct doctor_args *a, const struct nsenum_list *l,
		       const struct ns_doc *docs, size_t n, const struct ns_doc *skipped, size_t n_skipped,
		       enum tw_sev overall, const size_t *ns_counts)
{
	const unsigned int fl = ctx->utf8 ? SAFETEXT_UTF8 : 0;

	if (a->format == OUT_FMT_JSON) {
		struct json_object *o = json_object_new_object(), *arr = json_object_new_array(),
				   *sk = json_object_new_array(), *c = json_object_new_object();

		json_object_object_add(o, "schema", json_object_new_int(1));
		json_object_object_add(o, "command", json_object_new_string("doctor"));
		json_object_object_add(o, "all_netns", json_object_new_boolean(true));
		json_object_object_add(o, "overall", json_object_new_string(advice_sev_name(overall)));
		json_object_object_add(o, "exit_code", json_object_new_int(exit_of(overall)));
		for (int s = TW_SEV_CRITICAL; s >= TW_SEV_OK; s--)
			if (s != TW_SEV_INFO)
				json_object_object_add(c, advice_sev_name((enum tw_sev)s),
						       json_object_new_uint64(ns_counts[s]));
		json_object_object_add(o, "namespaces_by_state", c);
		json_object_object_add(o, "capped", json_object_new_boolean(l->capped));
		json_object_object_add(o, "timed_out", json_object_new_boolean(l->timed_out));
		for (size_t i = 0; i < n; i++) {
			struct json_object *e = json_object_new_object();

			json_object_object_add(e, "netns", allns_json_netns(&l->v[docs[i].entry]));
			json_object_object_add(e, "overall",
					       json_object_new_string(advice_sev_name(docs[i].overall)));
			json_object_object_add(e, "report", json_object_get(docs[i].json));
			json_object_array_add(arr, e);
		}
		json_object_object_add(o, "namespaces", arr);
		for (size_t i = 0; i < n_skipped; i++) {
			struct json_object *e = json_object_new_object();

			json_object_object_add(e, "netns", allns_json_netns(&l->v[skipped[i].entry]));
			json_object_object_add(e, "reason",
					       json_object_new_string(nswalk_skip_reason(skipped[i].skip_err)));
			json_object_array_add(sk, e);
		}
		json_object_object_add(o, "skipped", sk);
		(void) out_json_print(o, stdout);
		json_object_put(o);
		return;
	}
	if (a->format == OUT_FMT_NAGIOS) {
		printf("TWSCOPE %s - %zu namespaces: %zu critical, %zu warning, %zu unknown, %zu skipped",
		       state_upper(overall), n + n_skipped, ns_counts[TW_SEV_CRITICAL], ns_counts[TW_SEV_WARNING],
		       ns_counts[TW_SEV_UNKNOWN], n_skipped);
		if (n && docs[0].overall >= TW_SEV_UNKNOWN) {
			printf(" (worst: ");
			print_label(stdout, &l->v[docs[0].entry], SAFETEXT_NAGIOS, 0);
			printf(")");
		}
		printf(" | namespaces=%zu;;;0 critical=%zu;;;0 warning=%zu;;;0 unknown=%zu;;;0 skipped=%zu;;;0\n",
		       n + n_skipped, ns_counts[TW_SEV_CRITICAL], ns_counts[TW_SEV_WARNING],
		       ns_counts[TW_SEV_UNKNOWN], n_skipped);
		for (size_t i = 0; i < n && docs[i].overall >= TW_SEV_UNKNOWN; i++) {
			const char *line = strchr(docs[i].text, '\n');

			/* its own lines but the status line, each naming the namespace */
			while (line && line[1]) {
				const char *end = strchr(line + 1, '\n');

				putchar('[');
				print_label(stdout, &l->v[docs[i].entry], SAFETEXT_NAGIOS, 0);
				printf("] %.*s\n", (int)(end ? end - line - 1 : (ptrdiff_t)strlen(line + 1)), line + 1);
				line = end;
			}
		}
		return;
	}
	printf("twscope doctor -A: %zu namespaces, overall %s (%zu critical, %zu warning, %zu unknown, %zu ok), "
	       "%zu skipped\n", n + n_skipped, state_upper(overall), ns_counts[TW_SEV_CRITICAL],
	       ns_counts[TW_SEV_WARNING], ns_counts[TW_SEV_UNKNOWN], ns_counts[TW_SEV_OK], n_skipped);
	printf("%-9s %-40s %s\n", "STATE", "NETNS", "FINDINGS");
	for (size_t i = 0; i < n; i++) {
		printf("%-9s ", state_upper(docs[i].overall));
		print_label(stdout, &l->v[docs[i].entry], fl, 40);
		printf(" %s\n", docs[i].not_ok && *docs[i].not_ok ? docs[i].not_ok : "-");
	}
	for (size_t i = 0; i < n_skipped; i++) {
		printf("%-9s ", "SKIPPED");
		print_label(stdout, &l->v[skipped[i].entry], fl, 40);
		printf(" %s\n", nswalk_skip_reason(skipped[i].skip_err));
	}
	for (size_t i = 0; i < n && docs[i].overall >= TW_SEV_UNKNOWN; i++) {
		printf("\n== %s ", state_upper(docs[i].overall));
		print_label(stdout, &l->v[docs[i].entry], fl, 0);
		printf(" ==\n%s", docs[i].text);
	}
}

static int run_all(const struct tw_ctx *ctx, const struct doctor_args *a)
{
	struct all_doc ad = { .ctx = ctx, .a = a };
	struct nsenum_list l;
	_cleanup_free_ struct ns_doc *skipped = NULL;
	size_t n = 0, n_skipped = 0, denied = 0, ns_counts[TW_SEV_CRITICAL + 1] = { 0 };
	enum tw_sev overall = TW_SEV_OK;
	int r;

	r = nsenum_collect(NULL, &l);
	if (r < 0)
		return fail(a, r == -ENOMEM ? "out of memory" : "cannot list the network namespaces");
	ad.l = &l;
	ad.docs = calloc(l.n ? l.n : 1, sizeof(*ad.docs));
	skipped = calloc(l.n ? l.n : 1, sizeof(*skipped));
	if (!ad.docs || !skipped) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].host) {
			r = nswalk_each(&l, &i, 1, read_host, &ad);
			if (r < 0)
				goto out;
			break;
		}
	/* one sock_diag walk of the shared hash per namespace: in parallel */
	r = nswalk_parallel(&l, NULL, l.n, nswalk_threads(l.n), doctor_one, &ad);
	if (r < 0) {
		/* not yet split into rendered and skipped: free every entry */
		n = l.n;
		goto out;
	}
	for (size_t i = 0; i < l.n; i++) {
		if (ad.docs[i].skip_err) {
			skipped[n_skipped++] = ad.docs[i];
			denied += ad.docs[i].skip_err == -EPERM || ad.docs[i].skip_err == -EACCES;
			continue;
		}
		ad.docs[n++] = ad.docs[i];
		ns_counts[ad.docs[i].overall == TW_SEV_INFO ? TW_SEV_OK : ad.docs[i].overall]++;
		if (ad.docs[i].overall > overall)
			overall = ad.docs[i].overall;
	}
	qsort(ad.docs, n, sizeof(*ad.docs), cmp_docs);
	if (overall == TW_SEV_INFO)
		overall = TW_SEV_OK;
	/* what we had no right to see is unknown, and a known problem still outranks it */
	if (denied && overall == TW_SEV_OK)
		overall = TW_SEV_UNKNOWN;
	if (denied)
		tw_warn("entering network namespaces needs CAP_SYS_ADMIN (run as root): %zu skipped", denied);
	if (l.pids_denied)
		cmd_warn_hidden_pids(l.pids_denied);
	if (l.capped)
		tw_warn("more than %u network namespaces: the rest are not audited", NSENUM_MAX);
	render_all(ctx, a, &l, ad.docs, n, skipped, n_skipped, overall, ns_counts);
	r = exit_of(overall);
out:
	for (size_t i = 0; ad.docs && i < n; i++) {
		free(ad.docs[i].text);
		free(ad.docs[i].not_ok);
		json_object_put(ad.docs[i].json);
	}
	for (size_t i = 0; i < n_skipped; i++) {
		free(skipped[i].text);
		free(skipped[i].not_ok);
		json_object_put(skipped[i].json);
	}
	free(ad.docs);
	nsenum_list_done(&l);
	if (r < 0)
		return fail(a, r == -ENOMEM ? "out of memory" : "cannot return to our own network namespace");
	return r;
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
	if (a.all_netns)
		return run_all(ctx, &a);
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
