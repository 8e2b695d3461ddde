/* series.c - the profile's time series: one process or its tree, sampled from /proc. */
#include "profile/series.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/pidmap.h"
#include "base/xalloc.h"
#include "sys/procfs.h"

/* The cumulative counters of one process, as /proc has them. */
struct counters {
	uint64_t ticks; /* utime + stime, USER_HZ */
	uint64_t read_bytes, write_bytes, rchar, wchar;
	uint64_t voluntary_ctxsw, nonvoluntary_ctxsw;
};

/* "key: number" lines of PID/io and PID/status that we keep, as data. */
struct kv_field {
	const char *key; /* with its colon */
	size_t off;	 /* of a uint64_t in struct counters */
};

static const struct kv_field io_fields[] = {
	{ "rchar:", offsetof(struct counters, rchar) },
	{ "wchar:", offsetof(struct counters, wchar) },
	{ "read_bytes:", offsetof(struct counters, read_bytes) },
	{ "write_bytes:", offsetof(struct counters, write_bytes) },
};

static const struct kv_field status_fields[] = {
	{ "voluntary_ctxt_switches:", offsetof(struct counters, voluntary_ctxsw) },
	{ "nonvoluntary_ctxt_switches:", offsetof(struct counters, nonvoluntary_ctxsw) },
};

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* One thread's context switches at the previous read of its process. */
struct thread_ctx {
	int tid;
	uint64_t voluntary, nonvoluntary;
};

/* A process being profiled now. */
struct live {
	int pid;
	int stat_fd, status_fd, io_fd; /* kept open; -1: opened for each read (over the budget) */
	bool io_denied;		       /* PID/io refused (EACCES): not tried again */
	bool ended;		       /* exited during this call: dropped at its end */
	uint64_t start_ticks;	       /* starttime: tells a reused pid apart */
	size_t proc;		       /* index in procs */
	struct counters last;	       /* at the previous read */
	struct counters debt;	       /* I/O of ended children already counted (see live_end) */
	struct thread_ctx *threads;    /* its threads at the previous read, sorted by tid */
	size_t nthreads, threads_cap;
};

/* Running sums behind struct series_proc's averages. */
struct proc_acc {
	double cpu_s;	   /* CPU seconds during its observed intervals */
	double observed_s; /* length of those intervals */
};

/* A pid of the listing that is not profiled yet, with its stat. */
struct cand {
	int pid;
	bool taken;
	struct proc_stat st;
};

struct series {
	struct procfs *pf;
	pid_t root;
	bool children, started, io_denied;
	uint64_t start_mono_ns, start_real_ns, last_mono_ns;
	double hz;
	uint64_t page_kib;
	int open_fds, max_fds;

	struct live *live;
	size_t nlive, live_cap;
	struct pidmap index; /* pid -> live */

	struct series_sample *samples;
	size_t nsamples, samples_cap;
	struct series_row *rows;
	size_t nrows, rows_cap;
	struct series_proc *procs;
	size_t nprocs, procs_cap;
	struct proc_acc *acc;
	size_t acc_cap;

	/* children mode: the listing and the pids of it known not to be ours (sorted) */
	int *pids;
	size_t pids_cap;
	int *others, *next_others;
	size_t nothers, others_cap, nnext, next_cap;
	struct cand *cands;
	size_t ncands, cands_cap;

	char *buf; /* scratch for reads */
	size_t buf_cap;
	char *cmdline; /* the root's */
};

struct series *series_new(struct procfs *pf, pid_t root, bool children)
{
	struct series *s = xcalloc(1, sizeof(*s));
	struct rlimit rl;
	long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);

	s->pf = pf;
	s->root = root;
	s->children = children;
	s->hz = hz > 0 ? (double)hz : 100.0;
	s->page_kib = page >= 1024 ? (uint64_t)page / 1024 : 4;
	/* a quarter of the fd limit for kept-open files: the stack sampler needs fds too */
	s->max_fds = 256;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		s->max_fds = (int)(rl.rlim_cur / 4 < 1 << 20 ? rl.rlim_cur / 4 : 1 << 20);
	s->cmdline = xstrdup("");
	XGROW(s->procs, s->procs_cap, 1);
	XGROW(s->acc, s->acc_cap, 1);
	memset(&s->procs[0], 0, sizeof(s->procs[0]));
	memset(&s->acc[0], 0, sizeof(s->acc[0]));
	s->procs[0].pid = root;
	s->procs[0].first_t = s->procs[0].last_t = -1;
	s->nprocs = 1;
	return s;
}

static void close_fd(struct series *s, int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		s->open_fds--;
	}
	*fd = -1;
}

static void live_close(struct series *s, struct live *e)
{
	close_fd(s, &e->stat_fd);
	close_fd(s, &e->status_fd);
	close_fd(s, &e->io_fd);
	free(e->threads);
	e->threads = NULL;
	e->nthreads = e->threads_cap = 0;
}

void series_free(struct series *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nlive; i++)
		live_close(s, &s->live[i]);
	free(s->live);
	pidmap_release(&s->index);
	free(s->samples);
	free(s->rows);
	free(s->procs);
	free(s->acc);
	free(s->pids);
	free(s->others);
	free(s->next_others);
	free(s->cands);
	free(s->buf);
	free(s->cmdline);
	free(s);
}

/* Opens PID/name to keep when the budget allows; -1 otherwise (or on error, in *err). */
static int keep_open(struct series *s, int pid, const char *name, int *err)
{
	int fd;

	*err = 0;
	if (s->open_fds >= s->max_fds)
		return -1;
	fd = procfs_open_pid_file(s->pf, pid, name);
	if (fd < 0) {
		*err = fd;
		return -1;
	}
	s->open_fds++;
	return fd;
}

/* Reads PID/name into s->buf through fd, or through a fresh open when fd < 0. */
static ssize_t read_pid(struct series *s, int pid, int fd, const char *name)
{
	int own = -1;
	ssize_t n;

	if (fd < 0) {
		own = procfs_open_pid_file(s->pf, pid, name);
		if (own < 0)
			return own;
		fd = own;
	}
	n = procfs_pread(fd, &s->buf, &s->buf_cap, true);
	if (own >= 0)
		close(own);
	return n;
}

/* Sets the fields of c named by the lines of buf; other lines are skipped. */
static void parse_kv(const char *buf, size_t len, const struct kv_field *f, size_t nf,
		     struct counters *c)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		for (size_t i = 0; i < nf; i++) {
			size_t kl = strlen(f[i].key);
			uint64_t v = 0;
			const char *q;

			if ((size_t)(eol - p) <= kl || memcmp(p, f[i].key, kl) != 0)
				continue;
			for (q = p + kl; q < eol && (*q == ' ' || *q == '\t'); q++)
				;
			if (q == eol || *q < '0' || *q > '9')
				break;
			for (; q < eol && *q >= '0' && *q <= '9'; q++)
				v = v * 10 + (uint64_t)(*q - '0');
			memcpy((char *)c + f[i].off, &v, sizeof(v));
			break;
		}
		p = eol + 1;
	}
}

/* Reads PID/stat of e. 0, 1 when the pid was reused (ps is the new process), or a negative errno.
 */
static int read_stat(struct series *s, struct live *e, struct proc_stat *ps)
{
	ssize_t n = read_pid(s, e->pid, e->stat_fd, "stat");
	int ret;

	if (n < 0)
		return (int)n;
	ret = procfs_parse_pid_stat(s->buf, (size_t)n, ps);
	if (ret < 0)
		return ret;
	return ps->starttime == e->start_ticks ? 0 : 1;
}

static int cmp_tid(const void *a, const void *b)
{
	int x = ((const struct thread_ctx *)a)->tid, y = ((const struct thread_ctx *)b)->tid;

	return (x > y) - (x < y);
}

/* Appends tid's switches, parsed from the status text in s->buf (n bytes), to *v. */
static void add_thread(struct series *s, ssize_t n, int tid, struct thread_ctx **v, size_t *nv,
		       size_t *cap)
{
	struct counters c = { 0 };

	if (n < 0)
		return; /* ended between the listing and the read */
	parse_kv(s->buf, (size_t)n, status_fields, NFIELDS(status_fields), &c);
	XGROW(*v, *cap, *nv + 1);
	(*v)[(*nv)++] = (struct thread_ctx){ tid, c.voluntary_ctxsw, c.nonvoluntary_ctxsw };
}

/* Reads PID/task/TID/status of each thread of pid into *v; 0 or a negative errno (no listing). */
static int read_threads(struct series *s, int pid, struct thread_ctx **v, size_t *nv, size_t *cap)
{
	char path[32];
	struct dirent *de;
	DIR *dir;
	int dfd;

	snprintf(path, sizeof(path), "%d/task", pid);
	dfd = openat(procfs_rootfd(s->pf), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return -ENOMEM;
	}
	while ((de = readdir(dir))) {
		int tid = atoi(de->d_name), fd;

		if (tid <= 0)
			continue;
		snprintf(path, sizeof(path), "%d/status", tid);
		fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		add_thread(s, procfs_pread(fd, &s->buf, &s->buf_cap, true), tid, v, nv, cap);
		close(fd);
	}
	closedir(dir);
	return 0;
}

/*
 * The context switches of all of e's threads into c: PID/status counts the
 * leader's alone. Each thread's counters are kept from one read to the next
 * and c's totals grow by what each did since (all of it for a thread not seen
 * before: it started during the interval). A thread that ended since the last
 * read takes its last switches along. A one-thread process (or one whose task
 * directory cannot be listed) is read through PID/status as before, the cost
 * of one read; others cost one open and read per thread.
 */
static void read_ctxsw(struct series *s, struct live *e, uint32_t nthreads, struct counters *c)
{
	struct thread_ctx *now = NULL;
	size_t n = 0, cap = 0;

	c->voluntary_ctxsw = e->last.voluntary_ctxsw;
	c->nonvoluntary_ctxsw = e->last.nonvoluntary_ctxsw;
	if (nthreads <= 1 || read_threads(s, e->pid, &now, &n, &cap) < 0) {
		n = 0;
		add_thread(s, read_pid(s, e->pid, e->status_fd, "status"), e->pid, &now, &n, &cap);
	}
	if (n > 1)
		qsort(now, n, sizeof(*now), cmp_tid);
	for (size_t i = 0; i < n; i++) {
		const struct thread_ctx *was =
			e->nthreads
				? bsearch(&now[i], e->threads, e->nthreads, sizeof(*now), cmp_tid)
				: NULL;
		/* a counter that went down belongs to a new thread with a reused tid */
		bool same = was && now[i].voluntary >= was->voluntary &&
			    now[i].nonvoluntary >= was->nonvoluntary;

		c->voluntary_ctxsw += now[i].voluntary - (same ? was->voluntary : 0);
		c->nonvoluntary_ctxsw += now[i].nonvoluntary - (same ? was->nonvoluntary : 0);
	}
	if (n == 0)
		return; /* gone: keep the last threads (nothing more to add) */
	free(e->threads);
	e->threads = now;
	e->nthreads = n;
	e->threads_cap = cap;
}

/*
 * Reads the context switches and io counters of e into c (c->ticks is set by
 * the caller; nthreads is its thread count from stat). A file that fails to
 * read leaves the previous values: a process that exits between its stat and
 * its status read loses nothing.
 */
static void read_counters(struct series *s, struct live *e, uint32_t nthreads, struct counters *c)
{
	ssize_t n;

	read_ctxsw(s, e, nthreads, c);

	c->read_bytes = e->last.read_bytes;
	c->write_bytes = e->last.write_bytes;
	c->rchar = e->last.rchar;
	c->wchar = e->last.wchar;
	if (e->io_denied)
		return;
	n = read_pid(s, e->pid, e->io_fd, "io");
	if (n >= 0) {
		parse_kv(s->buf, (size_t)n, io_fields, NFIELDS(io_fields), c);
	} else if (n == -EACCES || n == -EPERM) {
		/* another user's process, or one we may not ptrace: no I/O figures */
		e->io_denied = true;
		s->io_denied = true;
		s->procs[e->proc].io_denied = true;
		close_fd(s, &e->io_fd);
	}
}

static void set_comm(char *dst, const char *src)
{
	size_t n = strnlen(src, 15);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void read_root_cmdline(struct series *s)
{
	char *cmd = NULL;

	if (procfs_read_cmdline(s->pf, s->root, &cmd, NULL) == 0 && cmd[0]) {
		free(s->cmdline);
		s->cmdline = cmd;
	} else {
		free(cmd);
	}
}

/* Adds a struct series_proc for pid (not the root: it has [0]); returns its index. */
static size_t proc_add(struct series *s, int pid)
{
	struct series_proc *p;

	XGROW(s->procs, s->procs_cap, s->nprocs + 1);
	XGROW(s->acc, s->acc_cap, s->nprocs + 1);
	p = &s->procs[s->nprocs];
	memset(p, 0, sizeof(*p));
	memset(&s->acc[s->nprocs], 0, sizeof(s->acc[0]));
	p->pid = pid;
	p->first_t = p->last_t = -1;
	return s->nprocs++;
}

static uint32_t nthreads_of(const struct proc_stat *ps)
{
	return ps->num_threads > 0 ? (uint32_t)ps->num_threads : 0;
}

/*
 * Starts profiling pid, whose stat was just read into ps: kept-open fds,
 * the process record, and its counters now (the baseline of its first row:
 * zero after the first call, since it started during the interval).
 */
static struct live *live_start(struct series *s, int pid, const struct proc_stat *ps, bool first,
			       bool root)
{
	struct live *e;
	int err;

	XGROW(s->live, s->live_cap, s->nlive + 1);
	e = &s->live[s->nlive++];
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->start_ticks = ps->starttime;
	e->stat_fd = keep_open(s, pid, "stat", &err);
	e->status_fd = keep_open(s, pid, "status", &err);
	e->io_fd = keep_open(s, pid, "io", &err);
	if (err == -EACCES || err == -EPERM) {
		e->io_denied = true;
		s->io_denied = true;
	}
	e->proc = root ? 0 : proc_add(s, pid);
	s->procs[e->proc].ppid = ps->ppid;
	s->procs[e->proc].io_denied = e->io_denied;
	set_comm(s->procs[e->proc].comm, ps->comm);
	if (first) {
		e->last.ticks = ps->utime + ps->stime;
		read_counters(s, e, nthreads_of(ps), &e->last);
	}
	return e;
}

static uint64_t delta(uint64_t now, uint64_t before)
{
	return now > before ? now - before : 0;
}

/* Takes what is owed out of d: the part of an I/O jump that was counted already. */
static uint64_t repay(uint64_t d, uint64_t *debt)
{
	uint64_t pay = d < *debt ? d : *debt;

	*debt -= pay;
	return d - pay;
}

static bool is_dead(char state)
{
	return state == 'Z' || state == 'X' || state == 'x';
}

/* Appends e's row to the pending sample, from its stat in ps, and moves its baseline. */
static void add_row(struct series *s, struct live *e, const struct proc_stat *ps, double t,
		    double dt)
{
	struct series_proc *p = &s->procs[e->proc];
	struct proc_acc *a = &s->acc[e->proc];
	struct series_row *r;
	struct counters c = { .ticks = ps->utime + ps->stime };
	uint64_t dticks;

	read_counters(s, e, nthreads_of(ps), &c);
	dticks = delta(c.ticks, e->last.ticks);
	XGROW(s->rows, s->rows_cap, s->nrows + 1);
	r = &s->rows[s->nrows++];
	memset(r, 0, sizeof(*r));
	r->pid = e->pid;
	r->ppid = ps->ppid;
	set_comm(r->comm, ps->comm);
	r->cpu_pct = dt > 0 ? 100.0 * (double)dticks / s->hz / dt : 0;
	r->rss_kib = ps->rss_pages > 0 ? (uint64_t)ps->rss_pages * s->page_kib : 0;
	r->threads = ps->num_threads > 0 ? (uint32_t)ps->num_threads : 0;
	r->read_bytes = repay(delta(c.read_bytes, e->last.read_bytes), &e->debt.read_bytes);
	r->write_bytes = repay(delta(c.write_bytes, e->last.write_bytes), &e->debt.write_bytes);
	r->rchar = repay(delta(c.rchar, e->last.rchar), &e->debt.rchar);
	r->wchar = repay(delta(c.wchar, e->last.wchar), &e->debt.wchar);
	r->voluntary_ctxsw = delta(c.voluntary_ctxsw, e->last.voluntary_ctxsw);
	r->nonvoluntary_ctxsw = delta(c.nonvoluntary_ctxsw, e->last.nonvoluntary_ctxsw);
	r->io_denied = e->io_denied;
	e->last = c;

	p->ppid = ps->ppid;
	set_comm(p->comm, ps->comm);
	if (p->rows == 0)
		p->first_t = t;
	p->last_t = t;
	p->rows++;
	a->cpu_s += (double)dticks / s->hz;
	a->observed_s += dt;
	p->cpu_avg_pct = a->observed_s > 0 ? 100.0 * a->cpu_s / a->observed_s : 0;
	if (r->cpu_pct > p->cpu_max_pct)
		p->cpu_max_pct = r->cpu_pct;
	if (r->rss_kib > p->rss_max_kib)
		p->rss_max_kib = r->rss_kib;
	if (r->threads > p->threads_max)
		p->threads_max = r->threads;
	p->read_bytes += r->read_bytes;
	p->write_bytes += r->write_bytes;
}

/*
 * The kernel adds the I/O of a reaped child to its parent's PID/io (at
 * wait(), with CPU time it goes to cutime instead). When the parent is
 * profiled too, what the child's rows counted becomes a debt of the parent,
 * taken out of its next I/O deltas: the tree's totals count the child once.
 */
static void live_end(struct series *s, struct live *e)
{
	long parent = s->children ? pidmap_find(&s->index, s->live, s->procs[e->proc].ppid) : -1;

	if (parent >= 0 && &s->live[parent] != e && !s->live[parent].ended) {
		struct counters *d = &s->live[parent].debt;

		d->read_bytes += e->last.read_bytes;
		d->write_bytes += e->last.write_bytes;
		d->rchar += e->last.rchar;
		d->wchar += e->last.wchar;
	}
	e->ended = true;
	s->procs[e->proc].ended = true;
	live_close(s, e);
}

/*
 * Reads one profiled process: a row unless this is the first call, the end of
 * it when it has gone (no row) or is a zombie (a last row). Returns what
 * read_stat() did: 1 for a reused pid (the newcomer's stat left in ps).
 */
static int sample_live(struct series *s, struct live *e, bool first, double t, double dt,
		       struct proc_stat *ps)
{
	int ret = read_stat(s, e, ps);

	if (ret != 0) {
		live_end(s, e);
		return ret;
	}
	if (e->proc == 0 && strcmp(s->procs[0].comm, ps->comm) != 0)
		read_root_cmdline(s); /* exec'd: a new command line */
	if (first) {
		set_comm(s->procs[e->proc].comm, ps->comm);
		s->procs[e->proc].ppid = ps->ppid;
	} else {
		add_row(s, e, ps, t, dt);
	}
	if (is_dead(ps->state))
		live_end(s, e);
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static bool is_other(const struct series *s, int pid)
{
	return s->nothers > 0 && bsearch(&pid, s->others, s->nothers, sizeof(int), cmp_int) != NULL;
}

static void add_cand(struct series *s, int pid, const struct proc_stat *ps)
{
	struct cand *c;

	XGROW(s->cands, s->cands_cap, s->ncands + 1);
	c = &s->cands[s->ncands++];
	c->pid = pid;
	c->taken = false;
	c->st = *ps;
}

static void add_next_other(struct series *s, int pid)
{
	XGROW(s->next_others, s->next_cap, s->nnext + 1);
	s->next_others[s->nnext++] = pid;
}

static void reindex(struct series *s)
{
	pidmap_rebuild(&s->index, s->live, s->nlive, sizeof(*s->live), offsetof(struct live, pid));
}

/*
 * Sorts the listing into profiled pids (which stay), pids known from the
 * previous listing not to be ours (they cannot have become ours: a process
 * does not change parents into our tree) and new pids, whose stat is read to
 * learn their parent. Profiled processes missing from the listing have
 * ended. Returns 0 or the listing's negative errno.
 */
static int scan_listing(struct series *s, bool *present)
{
	int npids = procfs_list_pids(s->pf, &s->pids, &s->pids_cap);

	if (npids < 0)
		return npids;
	s->ncands = 0;
	s->nnext = 0;
	for (int i = 0; i < npids; i++) {
		int pid = s->pids[i], fd;
		long idx = pidmap_find(&s->index, s->live, pid);
		struct proc_stat ps;
		ssize_t n;

		if (idx >= 0) {
			present[idx] = true;
			continue;
		}
		if (is_other(s, pid)) {
			add_next_other(s, pid);
			continue;
		}
		fd = procfs_open_pid_file(s->pf, pid, "stat");
		if (fd < 0)
			continue; /* gone already */
		n = procfs_pread(fd, &s->buf, &s->buf_cap, true);
		close(fd);
		if (n < 0 || procfs_parse_pid_stat(s->buf, (size_t)n, &ps) < 0)
			continue;
		add_cand(s, pid, &ps);
	}
	return 0;
}

/* The pids found not to be ours in this listing become those of the previous one. */
static void swap_others(struct series *s)
{
	int *tmp = s->others;
	size_t cap = s->others_cap;

	if (s->nnext > 1)
		qsort(s->next_others, s->nnext, sizeof(int), cmp_int);
	s->others = s->next_others;
	s->others_cap = s->next_cap;
	s->nothers = s->nnext;
	s->next_others = tmp;
	s->next_cap = cap;
	s->nnext = 0;
}

/*
 * Takes the candidates whose parent is profiled, until none is left to take
 * (a grandchild may come before its parent in the listing). A zombie is never
 * taken: it may be one of ours that already ended, and a new one has nothing
 * more to show. The rest are remembered as not ours.
 */
static void adopt(struct series *s, bool first, double t, double dt)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t i = 0; i < s->ncands; i++) {
			struct cand *c = &s->cands[i];
			struct live *e;

			if (c->taken || is_dead(c->st.state) ||
			    pidmap_find(&s->index, s->live, c->st.ppid) < 0)
				continue;
			c->taken = true;
			changed = true;
			e = live_start(s, c->pid, &c->st, first, false);
			if (!first)
				add_row(s, e, &c->st, t, dt);
		}
		if (changed)
			reindex(s);
	}
	for (size_t i = 0; i < s->ncands; i++)
		if (!s->cands[i].taken)
			add_next_other(s, s->cands[i].pid);
	swap_others(s);
}

/* Drops the ended processes from the live table. */
static void compact(struct series *s)
{
	size_t w = 0;

	for (size_t r = 0; r < s->nlive; r++) {
		if (s->live[r].ended)
			continue;
		if (w != r)
			s->live[w] = s->live[r];
		w++;
	}
	s->nlive = w;
	reindex(s);
}

/* The first call: the root, its stat read for the first time. */
static int start_root(struct series *s)
{
	struct proc_stat ps;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int fd, ret;

	fd = procfs_open_pid_file(s->pf, s->root, "stat");
	if (fd < 0)
		return fd == -ENOENT ? -ESRCH : fd;
	n = procfs_pread(fd, &buf, &cap, true);
	close(fd);
	ret = n < 0 ? (int)n : procfs_parse_pid_stat(buf, (size_t)n, &ps);
	free(buf);
	if (ret < 0)
		return ret == -ENOENT ? -ESRCH : ret;
	if (is_dead(ps.state))
		return -ESRCH;
	live_start(s, s->root, &ps, true, true);
	read_root_cmdline(s);
	reindex(s);
	return 0;
}

static void finish_sample(struct series *s, size_t first_row, uint64_t mono_ns, uint64_t real_ns,
			  double t, double dt)
{
	struct series_sample *sm;

	XGROW(s->samples, s->samples_cap, s->nsamples + 1);
	sm = &s->samples[s->nsamples++];
	memset(sm, 0, sizeof(*sm));
	sm->t = t;
	sm->interval_s = dt;
	sm->mono_ns = mono_ns;
	sm->real_ns = real_ns;
	sm->first_row = first_row;
	for (size_t i = first_row; i < s->nrows; i++) {
		const struct series_row *r = &s->rows[i];

		sm->cpu_pct += r->cpu_pct;
		sm->rss_kib += r->rss_kib;
		sm->threads += r->threads;
		sm->read_bytes += r->read_bytes;
		sm->write_bytes += r->write_bytes;
		sm->rchar += r->rchar;
		sm->wchar += r->wchar;
		sm->voluntary_ctxsw += r->voluntary_ctxsw;
		sm->nonvoluntary_ctxsw += r->nonvoluntary_ctxsw;
		sm->io_denied |= r->io_denied;
		sm->processes++;
	}
}

int series_sample(struct series *s, uint64_t mono_ns, uint64_t real_ns)
{
	bool first = !s->started;
	size_t first_row = s->nrows, nlive;
	double t, dt;
	bool *present = NULL;
	int ret = 0;

	if (first) {
		s->started = true;
		s->start_mono_ns = s->last_mono_ns = mono_ns;
		s->start_real_ns = real_ns;
		ret = start_root(s);
		if (ret < 0)
			return ret;
	}
	if (s->nlive == 0)
		return -ESRCH;
	t = mono_ns > s->start_mono_ns ? (double)(mono_ns - s->start_mono_ns) / 1e9 : 0;
	dt = mono_ns > s->last_mono_ns ? (double)(mono_ns - s->last_mono_ns) / 1e9 : 0;

	if (s->children) {
		present = xcalloc(s->nlive, sizeof(*present));
		ret = scan_listing(s, present);
		if (ret < 0) {
			free(present);
			return ret;
		}
	}
	/* gone from the listing: reaped. Ended first, so that their parents' reads repay them. */
	nlive = s->nlive;
	for (size_t i = 0; present && i < nlive; i++)
		if (!present[i])
			live_end(s, &s->live[i]);
	free(present);
	/* the processes profiled so far (adopt() may append to s->live: iterate the old ones) */
	for (size_t i = 0; i < nlive; i++) {
		struct live *e = &s->live[i];
		struct proc_stat ps;

		if (!e->ended && sample_live(s, e, first, t, dt, &ps) == 1 && s->children)
			add_cand(s, e->pid, &ps); /* the pid was reused: maybe by one of ours */
	}
	if (s->children)
		adopt(s, first, t, dt);
	compact(s);
	s->last_mono_ns = mono_ns;
	if (!first && s->nrows > first_row)
		finish_sample(s, first_row, mono_ns, real_ns, t, dt);
	return s->nlive > 0 ? 0 : -ESRCH;
}

const struct series_sample *series_samples(const struct series *s, size_t *n)
{
	*n = s->nsamples;
	return s->samples;
}

const struct series_row *series_rows(const struct series *s, size_t *n)
{
	*n = s->nrows;
	return s->rows;
}

const struct series_proc *series_procs(const struct series *s, size_t *n)
{
	*n = s->nprocs;
	return s->procs;
}

void series_get_info(const struct series *s, struct series_info *info)
{
	memset(info, 0, sizeof(*info));
	info->root = s->root;
	info->children = s->children;
	info->started = s->started;
	info->start_mono_ns = s->start_mono_ns;
	info->start_real_ns = s->start_real_ns;
	info->root_cmdline = s->cmdline;
	info->io_denied = s->io_denied;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least pct % of the values at or below it. */
static double percentile(const double *sorted, size_t n, double pct)
{
	size_t rank;

	if (n == 0)
		return 0;
	rank = (size_t)ceil(pct / 100.0 * (double)n);
	if (rank < 1)
		rank = 1;
	return sorted[(rank > n ? n : rank) - 1];
}

void series_summary(const struct series *s, struct series_summary *out)
{
	size_t n = s->nsamples;
	double *cpu, *rss, cpu_sum = 0, rss_sum = 0, var = 0, mean;

	memset(out, 0, sizeof(*out));
	out->sample_count = n;
	if (n == 0)
		return;
	cpu = xmalloc(n * sizeof(*cpu));
	rss = xmalloc(n * sizeof(*rss));
	for (size_t i = 0; i < n; i++) {
		const struct series_sample *sm = &s->samples[i];

		cpu[i] = sm->cpu_pct;
		rss[i] = (double)sm->rss_kib;
		cpu_sum += sm->cpu_pct;
		rss_sum += (double)sm->rss_kib;
		if (sm->cpu_pct > out->cpu_max_pct)
			out->cpu_max_pct = sm->cpu_pct;
		if (sm->rss_kib > out->rss_max_kib)
			out->rss_max_kib = sm->rss_kib;
		if (sm->threads > out->threads_max)
			out->threads_max = sm->threads;
		if (sm->processes > out->processes_max)
			out->processes_max = sm->processes;
		out->read_bytes += sm->read_bytes;
		out->write_bytes += sm->write_bytes;
		out->voluntary_ctxsw += sm->voluntary_ctxsw;
		out->nonvoluntary_ctxsw += sm->nonvoluntary_ctxsw;
	}
	out->duration_s = s->samples[n - 1].t;
	mean = cpu_sum / (double)n;
	out->cpu_avg_pct = mean;
	out->rss_avg_kib = rss_sum / (double)n;
	for (size_t i = 0; i < n; i++)
		var += (cpu[i] - mean) * (cpu[i] - mean);
	out->cpu_stddev_pct = sqrt(var / (double)n);

	/* spikes before sorting: they are reported in time order */
	if (out->cpu_stddev_pct > 1e-9) {
		for (size_t i = 0; i < n; i++) {
			double z = (cpu[i] - mean) / out->cpu_stddev_pct;
			struct series_spike *sp;

			if (z <= SERIES_SPIKE_Z)
				continue;
			out->spikes = xrealloc(out->spikes, (out->nspikes + 1) * sizeof(*sp));
			sp = &out->spikes[out->nspikes++];
			sp->sample = i;
			sp->t = s->samples[i].t;
			sp->cpu_pct = cpu[i];
			sp->z = z;
		}
	}
	qsort(cpu, n, sizeof(*cpu), cmp_double);
	qsort(rss, n, sizeof(*rss), cmp_double);
	out->cpu_p50_pct = percentile(cpu, n, 50);
	out->cpu_p95_pct = percentile(cpu, n, 95);
	out->cpu_p99_pct = percentile(cpu, n, 99);
	out->rss_p50_kib = (uint64_t)percentile(rss, n, 50);
	out->rss_p95_kib = (uint64_t)percentile(rss, n, 95);
	out->rss_p99_kib = (uint64_t)percentile(rss, n, 99);
	free(cpu);
	free(rss);
}

void series_summary_release(struct series_summary *sum)
{
	free(sum->spikes);
	memset(sum, 0, sizeof(*sum));
}
