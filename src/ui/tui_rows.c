/* tui_rows.c - the Details list: a snapshot's processes, filtered, sorted or as a tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/xalloc.h"
#include "ui/tui_internal.h"

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

void tui_rows_index(struct tui *t)
{
	size_t ns = t->d.nsnaps;

	if (!ns)
		return;
	t->snap_pids = xcalloc(ns, sizeof(*t->snap_pids));
	t->snap_npids = xcalloc(ns, sizeof(*t->snap_npids));
	for (size_t s = 0; s < ns; s++) {
		const struct dump_snap *sn = &t->d.snaps[s];
		size_t n = 0, u = 0;
		int *v = xmalloc((sn->nprocs + sn->nrss_procs + 1) * sizeof(*v));

		for (size_t i = 0; i < sn->nprocs; i++)
			v[n++] = sn->procs[i].pid;
		for (size_t i = 0; i < sn->nrss_procs; i++)
			v[n++] = sn->rss_procs[i].pid;
		qsort(v, n, sizeof(*v), cmp_int);
		for (size_t i = 0; i < n; i++)
			if (!u || v[u - 1] != v[i])
				v[u++] = v[i];
		t->snap_pids[s] = v;
		t->snap_npids[s] = u;
	}
}

bool tui_snap_has_pid(const struct tui *t, size_t s, int pid)
{
	if (!t->snap_pids || s >= t->d.nsnaps)
		return false;
	return bsearch(&pid, t->snap_pids[s], t->snap_npids[s], sizeof(int), cmp_int) != NULL;
}

void tui_rows_unindex(struct tui *t)
{
	if (t->snap_pids)
		for (size_t s = 0; s < t->d.nsnaps; s++)
			free(t->snap_pids[s]);
	free(t->snap_pids);
	free(t->snap_npids);
	t->snap_pids = NULL;
	t->snap_npids = NULL;
}

static int cmp_proc_pid(const void *a, const void *b)
{
	const struct dump_proc *x = *(const struct dump_proc *const *)a;
	const struct dump_proc *y = *(const struct dump_proc *const *)b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_proc_key(const void *a, const void *b, void *arg)
{
	const struct tui *t = arg;
	const struct dump_proc *x = *(const struct dump_proc *const *)a;
	const struct dump_proc *y = *(const struct dump_proc *const *)b;
	int c = 0;

	switch (t->sort) {
	case TUI_SORT_CPU:
		c = (y->cpu_pct > x->cpu_pct) - (y->cpu_pct < x->cpu_pct);
		break;
	case TUI_SORT_RSS:
		c = (y->rss_kib > x->rss_kib) - (y->rss_kib < x->rss_kib);
		break;
	case TUI_SORT_PID:
		break;
	}
	if (!c)
		c = (x->pid > y->pid) - (x->pid < y->pid);
	return t->sort_rev ? -c : c;
}

static bool matches(const struct dump_proc *p, const char *f)
{
	return !*f || strcasestr(p->cmdline, f) || strcasestr(p->comm, f);
}

static void push_row(struct tui *t, const struct dump_proc *p, int depth)
{
	XGROW(t->rows, t->rows_cap, t->nrows + 1);
	t->rows[t->nrows].p = p;
	t->rows[t->nrows].depth = depth;
	t->nrows++;
}

static ssize_t find_pid(const struct dump_proc **bypid, size_t n, int pid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bypid[mid]->pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && bypid[lo]->pid == pid ? (ssize_t)lo : -1;
}

/*
 * Orders v (sorted by the current key) as a tree: children under their parent
 * (by ppid, within this list), siblings in key order. Processes whose parent
 * is not listed are roots; a ppid cycle is broken where it is first entered.
 */
static void tree_rows(struct tui *t, const struct dump_proc **v, size_t n)
{
	const struct dump_proc **bypid = xmalloc((n + 1) * sizeof(*bypid));
	size_t *pos = xmalloc((n + 1) * sizeof(*pos)); /* bypid index -> v index */
	ssize_t *first = xmalloc((n + 1) * sizeof(*first));
	ssize_t *next = xmalloc((n + 1) * sizeof(*next));
	ssize_t *parent = xmalloc((n + 1) * sizeof(*parent));
	size_t *stack = xmalloc((n + 1) * sizeof(*stack));
	int *depth = xmalloc((n + 1) * sizeof(*depth));
	bool *seen = xcalloc(n + 1, sizeof(*seen));

	memcpy(bypid, v, n * sizeof(*v));
	qsort(bypid, n, sizeof(*bypid), cmp_proc_pid);
	for (size_t i = 0; i < n; i++) {
		ssize_t k = find_pid(bypid, n, v[i]->pid); /* v holds each pid once */

		if (k >= 0)
			pos[k] = i;
		first[i] = -1;
	}
	for (size_t i = 0; i < n; i++) {
		ssize_t k = v[i]->ppid == v[i]->pid ? -1 : find_pid(bypid, n, v[i]->ppid);

		parent[i] = k < 0 ? -1 : (ssize_t)pos[k];
	}
	/* children pushed front in key order, so each list runs in reverse key order... */
	for (size_t i = 0; i < n; i++) {
		next[i] = -1;
		if (parent[i] >= 0) {
			next[i] = first[parent[i]];
			first[parent[i]] = (ssize_t)i;
		}
	}
	/* ...and pushing a list onto the stack pops it in key order */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t r = 0; r < n; r++) {
			size_t sp = 0;

			if (seen[r] || (pass == 0 && parent[r] >= 0))
				continue;
			seen[r] = true;
			depth[r] = 0;
			stack[sp++] = r;
			while (sp) {
				size_t i = stack[--sp];

				push_row(t, v[i], depth[i]);
				for (ssize_t c = first[i]; c >= 0; c = next[c]) {
					if (seen[c])
						continue;
					seen[c] = true;
					depth[c] = depth[i] + 1;
					stack[sp++] = (size_t)c;
				}
			}
		}
	}
	free(bypid);
	free(pos);
	free(first);
	free(next);
	free(parent);
	free(stack);
	free(depth);
	free(seen);
}

void tui_rows_rebuild(struct tui *t)
{
	int keep = t->psel < t->nrows ? t->rows[t->psel].p->pid : -1;
	const struct dump_snap *s;
	const struct dump_proc **v;
	size_t n = 0, u = 0, m = 0;

	t->nrows = t->nprocs = 0;
	if (!t->have_dump || t->snap >= t->d.nsnaps)
		return;
	s = &t->d.snaps[t->snap];
	v = xmalloc((s->nprocs + s->nrss_procs + 1) * sizeof(*v));
	for (size_t i = 0; i < s->nprocs; i++)
		v[n++] = &s->procs[i];
	for (size_t i = 0; i < s->nrss_procs; i++)
		v[n++] = &s->rss_procs[i];
	/* one row per pid: the two lists overlap */
	qsort(v, n, sizeof(*v), cmp_proc_pid);
	for (size_t i = 0; i < n; i++)
		if (!u || v[u - 1]->pid != v[i]->pid)
			v[u++] = v[i];
	t->nprocs = u;
	for (size_t i = 0; i < u; i++)
		if (matches(v[i], t->filter))
			v[m++] = v[i];
	qsort_r(v, m, sizeof(*v), cmp_proc_key, t);
	if (t->tree) {
		tree_rows(t, v, m);
	} else {
		for (size_t i = 0; i < m; i++)
			push_row(t, v[i], 0);
	}
	free(v);
	/* the selection follows its process across snapshots and sorts */
	t->psel = t->psel < t->nrows ? t->psel : (t->nrows ? t->nrows - 1 : 0);
	for (size_t i = 0; keep >= 0 && i < t->nrows; i++) {
		if (t->rows[i].p->pid == keep) {
			t->psel = i;
			break;
		}
	}
}
