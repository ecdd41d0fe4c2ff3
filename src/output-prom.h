/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus text exposition format (0.0.4) of a scrape, shared by
 * `twscope serve` and `twscope stat --format prom` (node_exporter textfile
 * collector). Renders only; never collects.
 */
#ifndef TWSCOPE_OUTPUT_PROM_H
#define TWSCOPE_OUTPUT_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct nsscrape;
struct scrape_result;

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define PROM_DEFAULT_TOP_DESTINATIONS 20

struct prom_opts {
	const char *version;		/* twscope_build_info{version} */
	size_t top_destinations;	/* per-destination series for the K busiest; 0 = none */
	bool serve;			/* add the serve-only scrape families below */
	double scrape_duration_sec;
	uint64_t scrape_errors;		/* scrapes whose census failed, since start */
};

/* One doctor finding, as twscope_finding{id,severity} 1. */
struct prom_finding {
	const char *id;
	const char *severity;		/* "ok", "warning", "critical", "unknown" */
};

/*
 * prom_render() - write every twscope family of s to f: build info, sockets
 * per state and family, TIME_WAIT sides, the remaining-time histogram,
 * ephemeral ports, the top-K destinations, sockstat, kernel counters,
 * sysctls and (with o->serve) scrape duration and errors. Families whose
 * source could not be read are left out. Returns 0, or -EIO when f failed.
 */
int prom_render(FILE *f, const struct scrape_result *s, const struct prom_opts *o);

/*
 * prom_render_findings() - the twscope_finding family, one sample (value 1)
 * per finding; writes nothing when n is 0. Returns 0 or -EIO.
 */
int prom_render_findings(FILE *f, const struct prom_finding *findings, size_t n);

/*
 * prom_render_netns() - the twscope_netns_* families of serve -A: one
 * series per top-K namespace labelled netns, inode, runtime, container,
 * pod, pod_namespace, and netns="other" for the sum of the rest.
 * Returns 0 or -EIO.
 */
int prom_render_netns(FILE *f, const struct nsscrape *s);

/* prom_escape_label() - write v to f escaped as a label value (\\, \", \n; not UTF-8 -> U+FFFD). */
void prom_escape_label(FILE *f, const char *v);

#endif
