/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nswalk: visit namespaces of an nsenum list from this process with setns
 * and come back, without forking; say why one could not be entered. No
 * printing.
 */
#ifndef TWSCOPE_NETNS_NSWALK_H
#define TWSCOPE_NETNS_NSWALK_H

#include <stddef.h>

struct nsenum_list;

/*
 * nswalk_fn - called once per namespace: inside it with enter_err 0, or
 * outside it with the -errno that kept us out (-EPERM: needs CAP_SYS_ADMIN,
 * -ESTALE/-ENOENT/-ESRCH: gone, -EACCES, -EINVAL: not a netns). A negative
 * return stops the walk and is returned.
 */
typedef int (*nswalk_fn)(size_t i, int enter_err, void *data);

/*
 * nswalk_each() - call fn for the entries idx[0..n) of l (idx NULL: the
 * first n entries), each from inside its namespace, and come back to ours.
 * Returns 0, fn's negative return, or -errno when we cannot come back
 * (then we are in no known namespace and the command must stop).
 */
int nswalk_each(const struct nsenum_list *l, const size_t *idx, size_t n, nswalk_fn fn, void *data);

/* At most this many threads walk at once (each holds a sock_diag dump). */
#define NSWALK_MAX_THREADS 8

/*
 * nswalk_parallel() - nswalk_each() with up to threads threads (this one
 * included), each taking the next namespace in turn, so one busy namespace
 * does not hold up the rest. fn must be safe to run concurrently for
 * different i. Returns 0 or the first negative error (the others stop).
 */
int nswalk_parallel(const struct nsenum_list *l, const size_t *idx, size_t n, unsigned int threads,
		    nswalk_fn fn, void *data);

/* nswalk_threads() - threads for n namespaces: online CPUs, at most NSWALK_MAX_THREADS. */
unsigned int nswalk_threads(size_t n);

/* nswalk_skip_reason() - one lowercase phrase for an enter_err. */
const char *nswalk_skip_reason(int enter_err);

#endif
