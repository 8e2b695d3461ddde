/* diag.c - diagnostic mode: the mode controller (budget, hysteresis) and the culprit's detail. */
#include "capture/diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/json.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "sys/socktab.h"
#include "sys/stacks.h"
#include "sys/symbolize.h"

#define MAX_FDS_LISTED 256
#define MAX_CHILDREN_LISTED 256
#define MAX_TOP_FUNCTIONS 15
#define MAX_FOLDED_STACKS 50

/* ---- the mode controller ---- */

static double bucket_size(const struct config *cfg)
{
	return 4 * cfg->diagnostic_seconds;
}

/* Brings the bucket up to now: refills at the budget's rate, an active episode spends. */
static void refill(struct modectl *m, const struct config *cfg, uint64_t now_ns)
{
	if (now_ns > m->last_ns) {
		double dt = (double)(now_ns - m->last_ns) / 1e9;

		m->tokens_s += dt * cfg->diagnostic_budget_pct / 100.0;
		if (m->active) {
			m->tokens_s -= dt;
			m->spent_s += dt;
		}
		if (m->tokens_s > bucket_size(cfg))
			m->tokens_s = bucket_size(cfg);
	}
	m->last_ns = now_ns;
}

void modectl_init(struct modectl *m, const struct config *cfg, uint64_t now_ns)
{
	memset(m, 0, sizeof(*m));
	/* one episode's worth to start with: a spike right after start-up is seen in detail */
	m->tokens_s = cfg->diagnostic_budget_pct > 0 ? cfg->diagnostic_seconds : 0;
	m->last_ns = now_ns;
}

bool modectl_trigger(struct modectl *m, const struct config *cfg, uint64_t now_ns)
{
	refill(m, cfg, now_ns);
	if (m->active) {
		m->last_trigger_ns = now_ns;
		return false;
	}
	if (!cfg->enable_diagnostic_mode)
		return false;
	if (m->ended_ns &&
	    (double)(now_ns - m->ended_ns) / 1e9 < cfg->diagnostic_quiet_seconds) {
		m->refused_quiet++;
		return false;
	}
	if (m->tokens_s < cfg->diagnostic_seconds) {
		m->refused_budget++;
		return false;
	}
	m->active = true;
	m->started_ns = m->last_trigger_ns = now_ns;
	m->episodes++;
	return true;
}

enum diag_end modectl_tick(struct modectl *m, const struct config *cfg, uint64_t now_ns)
{
	enum diag_end why = DIAG_END_NONE;
	double length, quiet;

	refill(m, cfg, now_ns);
	if (!m->active)
		return DIAG_END_NONE;
	length = (double)(now_ns - m->started_ns) / 1e9;
	quiet = (double)(now_ns - m->last_trigger_ns) / 1e9;
	if (m->tokens_s <= 0)
		why = DIAG_END_BUDGET;
	else if (length >= 2 * cfg->diagnostic_seconds)
		why = DIAG_END_MAX_LENGTH;
	else if (length >= cfg->diagnostic_seconds && quiet >= cfg->diagnostic_quiet_seconds)
		why = DIAG_END_QUIET;
	if (why != DIAG_END_NONE) {
		m->active = false;
		m->ended_ns = now_ns;
	}
	return why;
}

const char *diag_end_name(enum diag_end e)
{
	switch (e) {
	case DIAG_END_QUIET:
		return "quiet";
	case DIAG_END_MAX_LENGTH:
		return "max_length";
	case DIAG_END_BUDGET:
		return "budget";
	default:
		return "shutdown";
	}
}

/* ---- the culprit's detail ---- */

struct point {
	double offset_s, cpu_pct;
	uint64_t rss_kib;
	uint32_t threads;
};

struct child {
	int pid;
	char comm[16];
	struct rcstr *cmdline;
	bool exited;
};

struct fdent {
	int fd;
	char *target;
	char *socket; /* a socket's name from the kernel's tables, or NULL */
};

struct diag_episode {
	struct procfs *pf;
	int pid; /* 0: no culprit (system-wide trigger) */
	uint64_t start_ticks;
	char comm[16];
	bool alive;
	uint64_t started_mono, started_real, ended_mono;
	enum diag_end why;
	bool finished;
	/* the culprit's CPU from the scheduler's ns clock */
	uint64_t last_run_ns, last_mono;
	bool have_run;
	struct point *pts;
	size_t npts, ptcap;
	/* at the trigger */
	struct fdent *fds;
	size_t nfds, fdcap, fds_total;
	int fds_err;
	char *cgroup;
	int cgroup_err;
	struct child *kids;
	size_t nkids, kidcap;
	/* stacks */
	struct stacks *st;
	struct symbolizer *sym;
	unsigned hz;
	char stack_note[160];
	int stack_err;
	const char *event;
	struct stacks_stats sstats;
	struct stacks_top *top;
	size_t ntop;
	struct stacks_line *lines;
	size_t nlines;
};

static void add_fd(void *arg, int fd, const char *target)
{
	struct diag_episode *e = arg;

	e->fds_total++;
	if (e->nfds >= MAX_FDS_LISTED)
		return;
	XGROW(e->fds, e->fdcap, e->nfds + 1);
	e->fds[e->nfds].fd = fd;
	e->fds[e->nfds].target = xstrdup(target);
	e->fds[e->nfds].socket = NULL;
	e->nfds++;
}

static int by_fd(const void *a, const void *b)
{
	return ((const struct fdent *)a)->fd - ((const struct fdent *)b)->fd;
}

/* Names the culprit's sockets from its network namespace's tables ("TCP a:p -> b:q"). */
static void name_sockets(struct diag_episode *e, struct procfs *pf)
{
	struct socktab tab = { 0 };
	bool loaded = false;

	for (size_t i = 0; i < e->nfds; i++) {
		unsigned long ino = socktab_link_inode(e->fds[i].target);
		const struct sock_entry *se;

		if (!ino)
			continue;
		if (!loaded) {
			socktab_load(&tab, procfs_rootfd(pf), e->pid);
			loaded = true;
		}
		se = socktab_find(&tab, ino);
		if (se)
			e->fds[i].socket = xstrdup(se->name);
	}
	socktab_clear(&tab);
}

static void start_stacks(struct diag_episode *e, const struct config *cfg)
{
	struct stacks_opts so = {
		.pid = e->pid,
		.freq_hz = (unsigned)cfg->diagnostic_stack_hz,
		.running = true,
		.children = true,
	};
	int ret;

	e->hz = so.freq_hz;
	if (!so.freq_hz)
		return;
	e->sym = symbolizer_new();
	symbolizer_no_dwarf(e->sym); /* function names only: DWARF would cost megabytes */
	symbolizer_load_maps(e->sym, e->pid);
	ret = stacks_open(&e->st, &so, e->stack_note, sizeof(e->stack_note));
	if (ret < 0) {
		e->stack_err = ret;
		e->st = NULL;
		log_debug("diagnostic mode: no stacks of pid %d: %s", e->pid, strerror(-ret));
		return;
	}
	e->event = stacks_event(e->st);
	stacks_track_mappings(e->st, e->sym);
}

static void sample_cpu(struct diag_episode *e, const struct snapshot *s)
{
	struct point p = { .offset_s = (double)(s->mono_ns - e->started_mono) / 1e9 };
	uint64_t run_ns;
	long i;

	if (!e->pid || !e->alive)
		return;
	i = snapshot_find_pid(s, e->pid);
	if (i < 0 || s->procs[i].start_ticks != e->start_ticks ||
	    procfs_read_schedstat(e->pf, e->pid, &run_ns) < 0) {
		e->alive = false;
		return;
	}
	p.rss_kib = s->procs[i].rss_kib;
	p.threads = s->procs[i].threads;
	if (e->have_run && s->mono_ns > e->last_mono) {
		/* a thread that ended since the last sample takes its time with it: never below 0 */
		double d = run_ns > e->last_run_ns ? (double)(run_ns - e->last_run_ns) : 0;

		p.cpu_pct = d / (double)(s->mono_ns - e->last_mono) * 100.0;
		XGROW(e->pts, e->ptcap, e->npts + 1);
		e->pts[e->npts++] = p;
	}
	e->last_run_ns = run_ns;
	e->last_mono = s->mono_ns;
	e->have_run = true;
}

static struct child *find_kid(struct diag_episode *e, int pid)
{
	for (size_t i = 0; i < e->nkids; i++)
		if (e->kids[i].pid == pid)
			return &e->kids[i];
	return NULL;
}

static void add_kid(struct diag_episode *e, int pid, const char *comm, struct rcstr *cmdline,
		    bool exited)
{
	struct child *k = find_kid(e, pid);

	if (k) {
		k->exited |= exited;
		return;
	}
	if (e->nkids >= MAX_CHILDREN_LISTED)
		return;
	XGROW(e->kids, e->kidcap, e->nkids + 1);
	k = &e->kids[e->nkids++];
	memset(k, 0, sizeof(*k));
	k->pid = pid;
	snprintf(k->comm, sizeof(k->comm), "%s", comm);
	k->cmdline = rcstr_ref(cmdline);
	k->exited = exited;
}

static void scan_children(struct diag_episode *e, const struct snapshot *s)
{
	if (!e->pid)
		return;
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].ppid == e->pid)
			add_kid(e, s->procs[i].pid, s->procs[i].comm, s->procs[i].cmdline, false);
	for (size_t i = 0; i < s->nexited; i++)
		if (s->exited[i].ppid == e->pid)
			add_kid(e, s->exited[i].pid, s->exited[i].comm, s->exited[i].cmdline, true);
}

struct diag_episode *diag_begin(struct procfs *pf, const struct config *cfg,
				const struct trigger *t, const struct snapshot *trig)
{
	struct diag_episode *e = xcalloc(1, sizeof(*e));
	long i = t->pid > 0 && !t->culprit_exited ? snapshot_find_pid(trig, t->pid) : -1;

	e->pf = pf;
	e->started_mono = trig->mono_ns;
	e->started_real = trig->real_ns;
	if (i < 0)
		return e; /* nothing to follow: fast samples only */
	e->pid = t->pid;
	e->start_ticks = trig->procs[i].start_ticks;
	snprintf(e->comm, sizeof(e->comm), "%s", t->comm);
	e->alive = true;
	e->fds_err = procfs_list_fds(pf, e->pid, add_fd, e);
	if (e->fds_err > 0)
		e->fds_err = 0;
	qsort(e->fds, e->nfds, sizeof(*e->fds), by_fd);
	name_sockets(e, pf);
	{
		ssize_t n = procfs_read_pid_file(pf, e->pid, "cgroup", &e->cgroup);

		e->cgroup_err = n < 0 ? (int)n : 0;
	}
	scan_children(e, trig);
	start_stacks(e, cfg);
	sample_cpu(e, trig);
	return e;
}

void diag_sample(struct diag_episode *e, const struct snapshot *s)
{
	if (e->finished)
		return;
	sample_cpu(e, s);
	scan_children(e, s);
	if (e->st)
		stacks_drain(e->st);
}

void diag_finish(struct diag_episode *e, enum diag_end why, uint64_t now_ns)
{
	if (e->finished)
		return;
	e->finished = true;
	e->why = why;
	e->ended_mono = now_ns;
	if (!e->st)
		return;
	stacks_drain(e->st);
	e->sstats = stacks_get_stats(e->st);
	stacks_prefetch_kernel(e->st, e->sym);
	e->ntop = stacks_top(e->st, stacks_symbol_name, e->sym, true, MAX_TOP_FUNCTIONS, &e->top);
	e->nlines = stacks_lines(e->st, stacks_symbol_name, e->sym, &e->lines);
	stacks_free(e->st);
	e->st = NULL;
	symbolizer_free(e->sym); /* the names are copied; the files' indexes go now */
	e->sym = NULL;
}

static void write_fds(struct json_writer *w, const struct diag_episode *e)
{
	json_key(w, "open_files");
	json_arr_begin(w);
	for (size_t i = 0; i < e->nfds; i++) {
		if (socktab_link_inode(e->fds[i].target))
			continue;
		json_obj_begin(w);
		json_kv_int(w, "fd", e->fds[i].fd);
		json_kv_str(w, "target", e->fds[i].target);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_kv_uint(w, "open_fds_total", e->fds_total);
	json_key(w, "sockets");
	json_arr_begin(w);
	for (size_t i = 0; i < e->nfds; i++) {
		unsigned long ino = socktab_link_inode(e->fds[i].target);

		if (!ino)
			continue;
		json_obj_begin(w);
		json_kv_int(w, "fd", e->fds[i].fd);
		json_kv_uint(w, "inode", ino);
		if (e->fds[i].socket)
			json_kv_str(w, "description", e->fds[i].socket);
		json_obj_end(w);
	}
	json_arr_end(w);
	if (e->fds_err < 0)
		json_kv_str(w, "open_files_error", strerror(-e->fds_err));
}

static void write_cgroup(struct json_writer *w, const struct diag_episode *e)
{
	const char *p = e->cgroup;

	json_key(w, "cgroup");
	if (!p) {
		json_null(w);
		return;
	}
	json_arr_begin(w);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n)
			json_strn(w, p, n);
		p += n + (nl ? 1 : 0);
	}
	json_arr_end(w);
}

static void write_stacks(struct json_writer *w, const struct diag_episode *e)
{
	json_key(w, "stacks");
	if (!e->finished || !e->event) {
		json_null(w);
		if (e->stack_err < 0)
			json_kv_str(w, "stacks_error", strerror(-e->stack_err));
		else if (e->pid && !e->hz)
			json_kv_str(w, "stacks_error", "diagnostic_stack_hz is 0");
		return;
	}
	json_obj_begin(w);
	json_kv_str(w, "event", e->event);
	json_kv_uint(w, "frequency_hz", e->hz);
	json_kv_uint(w, "samples", e->sstats.samples);
	json_kv_uint(w, "lost", e->sstats.lost);
	json_kv_str(w, "note", e->stack_note);
	json_key(w, "top");
	json_arr_begin(w);
	for (size_t i = 0; i < e->ntop; i++) {
		json_obj_begin(w);
		json_kv_str(w, "function", e->top[i].function);
		json_kv_uint(w, "self", e->top[i].self);
		json_kv_uint(w, "total", e->top[i].total);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_key(w, "folded");
	json_arr_begin(w);
	for (size_t i = 0; i < e->nlines && i < MAX_FOLDED_STACKS; i++) {
		json_obj_begin(w);
		json_kv_str(w, "stack", e->lines[i].stack);
		json_kv_uint(w, "count", e->lines[i].count);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_kv_uint(w, "folded_total", e->nlines);
	json_obj_end(w);
}

void diag_write(struct json_writer *w, void *arg)
{
	const struct diag_episode *e = arg;
	char ts[40];

	json_obj_begin(w);
	json_kv_bool(w, "complete", e->finished);
	json_kv_str(w, "started_at", clock_fmt_iso(e->started_real, ts, sizeof(ts)));
	json_kv_double(w, "duration_seconds",
		       e->finished ? (double)(e->ended_mono - e->started_mono) / 1e9 : 0, 3);
	json_kv_str(w, "end_reason", e->finished ? diag_end_name(e->why) : "");
	json_kv_int(w, "pid", e->pid);
	json_kv_str(w, "comm", e->comm);
	json_kv_bool(w, "culprit_alive", e->alive);
	write_cgroup(w, e);
	write_fds(w, e);
	json_key(w, "children");
	json_arr_begin(w);
	for (size_t i = 0; i < e->nkids; i++) {
		const struct child *k = &e->kids[i];

		json_obj_begin(w);
		json_kv_int(w, "pid", k->pid);
		json_kv_str(w, "comm", k->comm);
		json_kv_str(w, "cmdline", k->cmdline ? k->cmdline->s : "");
		json_kv_bool(w, "exited", k->exited);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_kv_str(w, "cpu_source", "schedstat");
	json_key(w, "cpu_series");
	json_arr_begin(w);
	for (size_t i = 0; i < e->npts; i++) {
		json_obj_begin(w);
		json_kv_double(w, "offset_seconds", e->pts[i].offset_s, 3);
		json_kv_double(w, "cpu_pct", e->pts[i].cpu_pct, 2);
		json_kv_uint(w, "rss_kib", e->pts[i].rss_kib);
		json_kv_uint(w, "threads", e->pts[i].threads);
		json_obj_end(w);
	}
	json_arr_end(w);
	write_stacks(w, e);
	json_obj_end(w);
}

void diag_free(struct diag_episode *e)
{
	if (!e)
		return;
	stacks_free(e->st);
	symbolizer_free(e->sym);
	for (size_t i = 0; i < e->nfds; i++) {
		free(e->fds[i].target);
		free(e->fds[i].socket);
	}
	free(e->fds);
	for (size_t i = 0; i < e->nkids; i++)
		rcstr_unref(e->kids[i].cmdline);
	free(e->kids);
	for (size_t i = 0; i < e->ntop; i++)
		free(e->top[i].function);
	free(e->top);
	for (size_t i = 0; i < e->nlines; i++)
		free(e->lines[i].stack);
	free(e->lines);
	free(e->pts);
	free(e->cgroup);
	free(e);
}
