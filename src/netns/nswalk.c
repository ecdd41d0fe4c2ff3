// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Visit namespaces with setns() from this process: enter, call back,
 * return to the namespace we started in (kept open as one fd). Sockets a
 * callback opens stay bound to the namespace they were made in. setns()
 * moves only the calling thread, so nswalk_parallel() walks with several
 * threads at once. No printing.
 */
#include "netns/nswalk.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"
#include "netns/nsenum.h"
#include "util.h"

int nswalk_each(const struct nsenum_list *l, const size_t *idx, size_t n, nswalk_fn fn, void *data)
{
	_cleanup_close_ int orig = -EBADF;
	int r;

	/* this thread's netns: serve -A walks from an HTTP thread */
	orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (orig < 0)
		return -errno;
	for (size_t k = 0; k < n; k++) {
		size_t i = idx ? idx[k] : k;
		const struct nsenum_entry *e = &l->v[i];
		int err = 0;

		if (i >= l->n)
			return -EINVAL;
		if (!e->self) {
			err = e->path ? netns_enter_ino(e->path, e->dev, e->ino) : -ENOENT;
			if (err == -ESRCH || err == -ESTALE)
				err = -ENOENT;
		}
		r = fn(i, err, data);
		if (!e->self && !err) {
			int back = netns_switch_fd(orig);

			if (back < 0)
				return back;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

struct walk_pool {
	const struct nsenum_list *l;
	const size_t *idx;
	size_t n;
	nswalk_fn fn;
	void *data;
	atomic_size_t next;	/* the next idx position to take */
	atomic_int err;		/* the first error; stops every thread */
};

/* One worker: take the next namespace until none is left or one failed. */
static void *walk_worker(void *arg)
{
	struct walk_pool *p = arg;

	while (atomic_load(&p->err) == 0) {
		size_t k = atomic_fetch_add(&p->next, 1);
		size_t i;
		int r;

		if (k >= p->n)
			break;
		i = p->idx ? p->idx[k] : k;
		r = nswalk_each(p->l, &i, 1, p->fn, p->data);
		if (r < 0) {
			int none = 0;

			atomic_compare_exchange_strong(&p->err, &none, r);
		}
	}
	return NULL;
}

unsigned int nswalk_threads(size_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t t = cpus > 0 ? (size_t)cpus : 1;

	if (t > NSWALK_MAX_THREADS)
		t = NSWALK_MAX_THREADS;
	if (t > n)
		t = n;
	return t ? (unsigned int)t : 1;
}

int nswalk_parallel(const struct nsenum_list *l, const size_t *idx, size_t n, unsigned int threads,
		    nswalk_fn fn, void *data)
{
	struct walk_pool p = { .l = l, .idx = idx, .n = n, .fn = fn, .data = data };
	pthread_t tid[NSWALK_MAX_THREADS];
	unsigned int started = 0;

	if (threads > NSWALK_MAX_THREADS)
		threads = NSWALK_MAX_THREADS;
	if (threads <= 1 || n <= 1)
		return nswalk_each(l, idx, n, fn, data);
	atomic_init(&p.next, 0);
	atomic_init(&p.err, 0);
	/* this thread works too; the others are extra */
	for (; started < threads - 1; started++)
		if (pthread_create(&tid[started], NULL, walk_worker, &p) != 0)
			break;
	walk_worker(&p);
	for (unsigned int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	return atomic_load(&p.err);
}

const char *nswalk_skip_reason(int enter_err)
{
	switch (enter_err) {
	case -EPERM:
		return "entering it needs CAP_SYS_ADMIN";
	case -EACCES:
		return "permission denied (needs CAP_SYS_PTRACE or root)";
	case -ENOENT:
		return "gone during the walk";
	case -EINVAL:
		return "not a network namespace";
	default:
		return strerror(-enter_err);
	}
}
