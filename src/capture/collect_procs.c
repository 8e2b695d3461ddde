/*
 * collect_procs.c - per-process collector: every process from the BPF task iterator or from
 * /proc/PID/stat (kept-open fds); identity, new processes, command lines and CPU % are done here
 * once for both sources.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/pidmap.h"
#include "base/xalloc.h"
#include "capture/collector.h"
#include "capture/config.h"
#include "sys/bpf_tasks.h"

/* What we remember of a process between samples. */
struct pentry {
	int pid;
	int fd; /* kept-open PID/stat, or -1 when over the fd budget or reading BPF */
	uint64_t start_ticks;
	uint64_t last_cpu_ns; /* user + system CPU time at the last read */
	uint64_t last_boot_ns;
	uint32_t uid;
	char comm[16];
	struct rcstr *cmdline;
	uint64_t gen; /* sample generation it was last seen in */
	/* PID/io at its last reading */
	struct proc_io io;
	bool io_read;	    /* io holds a reading */
	bool io_denied;	    /* PID/io refused (EACCES: PID 1, other users' setuid): never retried */
	uint64_t io_cpu_ns; /* user + system CPU time when io was read */
	uint64_t io_boot_ns; /* when io was read */
};

struct procs_state {
	const struct collector_env *env;
	struct pentry *ents;
	size_t n, cap;
	struct pidmap index; /* pid -> position in ents */
	int *pids;
	size_t pids_cap;
	char *buf;
	size_t buf_cap;
	int open_fds;
	uint64_t gen;
	long page_kib;
	uint64_t tick_ns;      /* one USER_HZ tick */
	struct bpf_tasks *bpf; /* the task iterator, or NULL: read /proc */
	int *hidden;	       /* pids the iterator did not show at the last /proc listing */
	size_t nhidden, hidden_cap;
};

/* One process's counters as a source read them, in the snapshot's units. */
struct reading {
	int ppid, pgid;
	char state;
	char comm[16];
	uint32_t threads;
	uint64_t rss_kib;
	uint64_t vsize_kib;   /* virtual size (security: a change means the mappings changed) */
	uint64_t start_ticks; /* identity with the pid */
	uint64_t cpu_ns;      /* user + system, all threads (USER_HZ ticks from /proc) */
	bool io_known;	      /* io holds the counters (the iterator): PID/io need not be read */
	struct proc_io io;
	bool vm_signals; /* mm_seq and exe_deleted are known (the iterator) */
	bool exe_deleted;
	uint32_t mm_seq;
	bool wait_known; /* wait_ns is known (the iterator) */
	uint64_t wait_ns;
};

static void entry_drop(struct procs_state *s, struct pentry *e)
{
	if (e->fd >= 0) {
		close(e->fd);
		s->open_fds--;
	}
	rcstr_unref(e->cmdline);
	e->fd = -1;
	e->cmdline = NULL;
}

/* The BPF iterator sees the host's processes: only worth it when the root is the host's /proc. */
static bool is_host_proc(const struct procfs *pf)
{
	struct stat a, b;

	return fstat(procfs_rootfd(pf), &a) == 0 && stat("/proc", &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Picks the source: tries the iterator unless told "proc"; one line says which and why. */
static int choose_source(struct procs_state *s)
{
	enum process_source want = s->env->cfg ? s->env->cfg->process_source : PROCESS_SOURCE_AUTO;
	struct strbuf why = STRBUF_INIT;
	int ret = 0;

	if (want == PROCESS_SOURCE_PROC) {
		log_info("processes: reading /proc (process_source = \"proc\")");
		return 0;
	}
	if (!is_host_proc(s->env->pf)) {
		strbuf_adds(&why, "the proc root is not the host's /proc");
		ret = -EXDEV;
	} else {
		ret = bpf_tasks_new(&s->bpf, &why);
	}
	if (ret == 0)
		log_info("processes: reading the BPF task %s (command lines from /proc)",
			 bpf_tasks_walks(s->bpf) ? "walker" : "iterator");
	else if (want == PROCESS_SOURCE_AUTO && ret == -EXDEV)
		log_info("processes: reading /proc (%s)", strbuf_str(&why));
	else if (want == PROCESS_SOURCE_AUTO)
		log_warn("processes: %s; reading /proc instead", strbuf_str(&why));
	else
		log_error("processes: process_source is \"bpf\" but %s", strbuf_str(&why));
	strbuf_release(&why);
	return want == PROCESS_SOURCE_AUTO ? 0 : ret;
}

static int procs_open(void **state, const struct collector_env *env)
{
	struct procs_state *s = xcalloc(1, sizeof(*s));
	int ret;

	s->env = env;
	s->page_kib = sysconf(_SC_PAGESIZE) / 1024;
	s->tick_ns = NSEC_PER_SEC / (uint64_t)env->ticks_per_sec;
	ret = choose_source(s);
	if (ret < 0) {
		free(s);
		return ret;
	}
	*state = s;
	return 0;
}

static void procs_close(void *state)
{
	struct procs_state *s = state;

	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		entry_drop(s, &s->ents[i]);
	free(s->ents);
	pidmap_release(&s->index);
	free(s->pids);
	free(s->hidden);
	free(s->buf);
	bpf_tasks_free(s->bpf);
	free(s);
}

/* Reads and parses PID/stat through e->fd (or a fresh open). 0 or a negative errno. */
static int read_stat(struct procs_state *s, struct pentry *e, struct proc_stat *ps)
{
	int fd = e->fd, ret;
	ssize_t n;

	if (fd < 0) {
		fd = procfs_open_pid_file(s->env->pf, e->pid, "stat");
		if (fd < 0)
			return fd;
	}
	n = procfs_pread(fd, &s->buf, &s->buf_cap, true);
	if (e->fd < 0)
		close(fd);
	if (n < 0)
		return (int)n;
	ret = procfs_parse_pid_stat(s->buf, (size_t)n, ps);
	return ret;
}

static void read_cmdline(struct procs_state *s, struct pentry *e)
{
	char *cmd = NULL;
	size_t len = 0;

	rcstr_unref(e->cmdline);
	if (procfs_read_cmdline(s->env->pf, e->pid, &cmd, &len) == 0) {
		e->cmdline = rcstr_new(cmd, len);
		free(cmd);
	} else {
		e->cmdline = rcstr_new("", 0);
	}
}

/* Fills a reading from /proc/PID/stat fields. */
static void reading_of_stat(const struct procs_state *s, const struct proc_stat *ps,
			    struct reading *rd)
{
	rd->ppid = ps->ppid;
	rd->pgid = ps->pgid;
	rd->state = ps->state;
	memcpy(rd->comm, ps->comm, sizeof(rd->comm) - 1);
	rd->comm[sizeof(rd->comm) - 1] = '\0';
	rd->threads = ps->num_threads > 0 ? (uint32_t)ps->num_threads : 0;
	rd->rss_kib = ps->rss_pages > 0 ? (uint64_t)ps->rss_pages * (uint64_t)s->page_kib : 0;
	rd->vsize_kib = ps->vsize_bytes / 1024;
	rd->start_ticks = ps->starttime;
	rd->cpu_ns = (ps->utime + ps->stime) * s->tick_ns;
}

/*
 * Fills a reading from an iterator record. /proc shows the start time in ticks
 * cut from the same nanoseconds (nsec_to_clock_t), so the identity matches;
 * the CPU time is exact where /proc truncates utime and stime to ticks apart.
 */
static void reading_of_rec(const struct procs_state *s, const struct task_rec *r,
			   struct reading *rd)
{
	rd->ppid = (int)r->ppid;
	rd->pgid = (int)r->pgid;
	rd->state = bpf_tasks_state_letter(r->state, r->exit_state);
	memcpy(rd->comm, r->comm, sizeof(rd->comm) - 1);
	rd->comm[sizeof(rd->comm) - 1] = '\0';
	rd->threads = r->nr_threads;
	rd->rss_kib = r->rss_pages * (uint64_t)s->page_kib;
	rd->vsize_kib = r->vm_pages * (uint64_t)s->page_kib;
	rd->start_ticks = r->start_boottime_ns / s->tick_ns;
	rd->cpu_ns = r->cpu_ns;
	if (r->flags & TASK_REC_IO) {
		rd->io_known = true;
		rd->io = (struct proc_io){ .rchar = r->rchar,
					   .wchar = r->wchar,
					   .syscr = r->syscr,
					   .syscw = r->syscw,
					   .read_bytes = r->read_bytes,
					   .write_bytes = r->write_bytes,
					   .cancelled_write_bytes = r->cancelled_write_bytes };
	}
	rd->wait_known = r->flags & TASK_REC_WAIT;
	rd->wait_ns = r->wait_ns;
	if (r->flags & TASK_REC_MM_SEQ) {
		rd->vm_signals = true;
		rd->mm_seq = r->mm_seq;
		rd->exe_deleted = r->flags & TASK_REC_EXE_DELETED;
	}
}

/* Starts tracking a process seen for the first time (any source): identity, uid, cmdline. */
static void entry_init(struct procs_state *s, struct pentry *e, const struct reading *rd,
		       uint32_t uid)
{
	e->start_ticks = rd->start_ticks;
	e->uid = uid;
	memcpy(e->comm, rd->comm, sizeof(e->comm) - 1);
	read_cmdline(s, e);
}

/* Starts tracking a pid seen for the first time in /proc: fd, then entry_init(). */
static int entry_start(struct procs_state *s, struct pentry *e, int pid, struct proc_stat *ps,
		       struct reading *rd)
{
	uid_t uid = 0;
	int ret;

	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->fd = -1;
	if (s->open_fds < s->env->max_open_fds) {
		e->fd = procfs_open_pid_file(s->env->pf, pid, "stat");
		if (e->fd >= 0)
			s->open_fds++;
		else if (e->fd == -ENOENT || e->fd == -ESRCH)
			return e->fd;
		else
			e->fd = -1; /* e.g. EMFILE: fall back to open per read */
	}
	ret = read_stat(s, e, ps);
	if (ret < 0) {
		entry_drop(s, e);
		return ret;
	}
	reading_of_stat(s, ps, rd);
	/* the kept fd's owner is the euid: one fstat instead of reading PID/status */
	if ((e->fd >= 0 ? procfs_fd_owner(e->fd, &uid) : procfs_read_uid(s->env->pf, pid, &uid)) !=
	    0)
		uid = 0;
	entry_init(s, e, rd, (uint32_t)uid);
	return 0;
}

/*
 * Appends one process to snap from what a source read (the one place for both
 * sources): exec detection, the sample's fields, CPU % from the CPU time.
 */
static void sample_io(struct procs_state *s, struct pentry *e, struct proc_sample *p,
		      const struct reading *rd, bool fresh, uint64_t now_boot_ns);

static void emit(struct procs_state *s, struct snapshot *snap, struct pentry *e, bool fresh,
		 bool first, const struct reading *rd)
{
	double hz = (double)s->env->ticks_per_sec;
	uint64_t boot_real_ns = snap->real_ns - snap->boot_ns;
	struct proc_sample *p;

	e->gen = s->gen;
	if (!fresh && strncmp(e->comm, rd->comm, sizeof(e->comm) - 1)) {
		/* exec'd since the last sample: the command line changed too */
		memcpy(e->comm, rd->comm, sizeof(e->comm) - 1);
		read_cmdline(s, e);
	}

	p = snapshot_add_proc(snap);
	p->pid = e->pid;
	p->ppid = rd->ppid;
	p->pgid = rd->pgid;
	p->uid = e->uid;
	p->state = rd->state;
	memcpy(p->comm, e->comm, sizeof(p->comm));
	p->threads = rd->threads;
	p->rss_kib = rd->rss_kib;
	p->vsize_kib = rd->vsize_kib;
	p->start_ticks = e->start_ticks;
	p->start_time_ns = boot_real_ns + (uint64_t)((double)e->start_ticks / hz * 1e9);
	p->cmdline = rcstr_ref(e->cmdline);
	if (fresh) {
		/*
		 * First sight: the lifetime average, one tick taken off so that a
		 * process 10 ms old with one tick of CPU does not read as 100 %
		 * (with either source: the iterator's nanoseconds are not ticks, but
		 * a process's first milliseconds are mostly exec and loading).
		 */
		double life_s = (double)snap->boot_ns / 1e9 - (double)e->start_ticks / hz;
		uint64_t busy_ns = rd->cpu_ns > s->tick_ns ? rd->cpu_ns - s->tick_ns : 0;

		p->cpu_pct = life_s > 0 ? (float)(100.0 * ((double)busy_ns / 1e9) / life_s) : 0;
		p->is_new = !first; /* everything in the first listing predates us */
	} else {
		double dt = (double)(snap->boot_ns - e->last_boot_ns) / 1e9;
		uint64_t dcpu_ns = rd->cpu_ns > e->last_cpu_ns ? rd->cpu_ns - e->last_cpu_ns : 0;

		p->cpu_pct = dt > 0 ? (float)(100.0 * ((double)dcpu_ns / 1e9) / dt) : 0;
	}
	p->vm_signals = rd->vm_signals;
	p->exe_deleted = rd->exe_deleted;
	p->mm_seq = rd->mm_seq;
	p->wait_known = rd->wait_known;
	p->wait_ns = rd->wait_ns;
	sample_io(s, e, p, rd, fresh, snap->boot_ns);
	e->last_cpu_ns = rd->cpu_ns;
	e->last_boot_ns = snap->boot_ns;
}

/* Every process from the task iterator: one read, no per-process system call. */
static int sample_bpf(struct procs_state *s, struct snapshot *snap, bool first)
{
	const struct task_rec *recs;
	ssize_t n = bpf_tasks_read(s->bpf, &recs);

	if (n < 0)
		return (int)n;
	for (ssize_t i = 0; i < n; i++) {
		int pid = (int)recs[i].tgid;
		long idx = pidmap_find(&s->index, s->ents, pid);
		struct reading rd = { 0 };
		struct pentry *e;
		bool fresh = false;

		reading_of_rec(s, &recs[i], &rd);
		if (idx >= 0 && s->ents[idx].gen != s->gen) {
			e = &s->ents[idx];
			if (rd.start_ticks != e->start_ticks) {
				/* the pid was reused: start over with whoever has it now */
				entry_drop(s, e);
				memset(e, 0, sizeof(*e));
				e->pid = pid;
				e->fd = -1;
				entry_init(s, e, &rd, recs[i].uid);
				fresh = true;
			}
		} else if (idx < 0) {
			XGROW(s->ents, s->cap, s->n + 1);
			e = &s->ents[s->n++];
			memset(e, 0, sizeof(*e));
			e->pid = pid;
			e->fd = -1;
			entry_init(s, e, &rd, recs[i].uid);
			fresh = true;
		} else {
			continue; /* duplicate pid in one pass */
		}
		emit(s, snap, e, fresh, first, &rd);
	}
	return 0;
}

/* One /proc/PID through its kept-open stat fd (or a first open). */
static void proc_one(struct procs_state *s, struct snapshot *snap, int pid, bool first)
{
	long idx = pidmap_find(&s->index, s->ents, pid);
	struct proc_stat ps;
	struct reading rd = { 0 };
	struct pentry *e;
	bool fresh = false;

	if (idx >= 0 && s->ents[idx].gen != s->gen) {
		e = &s->ents[idx];
		if (read_stat(s, e, &ps) < 0 || ps.starttime != e->start_ticks) {
			/* gone, or the pid was reused: start over with whoever has it now */
			entry_drop(s, e);
			if (entry_start(s, e, pid, &ps, &rd) < 0) {
				e->gen = 0;
				snap->procs_skipped++;
				return;
			}
			fresh = true;
		} else {
			reading_of_stat(s, &ps, &rd);
		}
	} else if (idx < 0) {
		XGROW(s->ents, s->cap, s->n + 1);
		e = &s->ents[s->n];
		if (entry_start(s, e, pid, &ps, &rd) < 0) {
			snap->procs_skipped++;
			return;
		}
		s->n++;
		fresh = true;
	} else {
		return; /* duplicate pid in one listing */
	}
	emit(s, snap, e, fresh, first, &rd);
}

/* Every /proc/PID: getdents64, then one pread of each kept-open stat fd. */
static int sample_proc(struct procs_state *s, struct snapshot *snap, bool first)
{
	int npids = procfs_list_pids(s->env->pf, &s->pids, &s->pids_cap);

	if (npids < 0)
		return npids;
	for (int i = 0; i < npids; i++)
		proc_one(s, snap, s->pids[i], first);
	return 0;
}

/*
 * The iterator, then the /proc listing for whatever it did not show: a
 * sandbox may hide a task from iterators (pid 1 on the development VMs) and a
 * process may start in between. The listing costs about a twentieth of
 * reading every stat file (a fifth of the whole sample once the iterator does
 * the rest), and it keeps both sources' snapshots identical.
 */
/*
 * The /proc listing that finds what the iterator hides is redone every this many samples
 * (a minute in sentinel mode); the pids it found are read every sample.
 */
#define HIDDEN_RESCAN_SAMPLES 60

static int sample_bpf_and_rest(struct procs_state *s, struct snapshot *snap, bool first)
{
	int ret = sample_bpf(s, snap, first), npids;

	if (ret < 0)
		return ret;
	pidmap_rebuild(&s->index, s->ents, s->n, sizeof(*s->ents), offsetof(struct pentry, pid));
	if (!first && s->gen % HIDDEN_RESCAN_SAMPLES != 0) {
		/* the processes hidden last time (pid 1 in some sandboxes), straight from /proc */
		for (size_t i = 0; i < s->nhidden; i++) {
			long idx = pidmap_find(&s->index, s->ents, s->hidden[i]);

			if (idx < 0 || s->ents[idx].gen != s->gen)
				proc_one(s, snap, s->hidden[i], first);
		}
		return 0;
	}
	npids = procfs_list_pids(s->env->pf, &s->pids, &s->pids_cap);
	if (npids < 0)
		return npids;
	s->nhidden = 0;
	for (int i = 0; i < npids; i++) {
		long idx = pidmap_find(&s->index, s->ents, s->pids[i]);

		if (idx < 0 || s->ents[idx].gen != s->gen) {
			proc_one(s, snap, s->pids[i], first);
			XGROW(s->hidden, s->hidden_cap, s->nhidden + 1);
			s->hidden[s->nhidden++] = s->pids[i];
		}
	}
	return 0;
}

/*
 * Every process's PID/io is re-read at least once in this many samples, spread
 * over the pids, whatever its CPU time did (see sample_io()).
 */
#define IO_REFRESH_SAMPLES 30

/* A new PID/io reading of e: the rates over the time since the previous one. */
static void io_update(struct pentry *e, struct proc_sample *p, const struct proc_io *io,
		      uint64_t cpu_ns, uint64_t now_boot_ns)
{
	double dt = (double)(now_boot_ns - e->io_boot_ns) / 1e9;

	if (e->io_read && dt > 0) {
		p->read_bytes_per_s = (float)counter_rate(io->read_bytes, e->io.read_bytes, dt);
		p->write_bytes_per_s = (float)counter_rate(io->write_bytes, e->io.write_bytes, dt);
	}
	e->io = *io;
	e->io_read = true;
	e->io_cpu_ns = cpu_ns;
	e->io_boot_ns = now_boot_ns;
}

/*
 * Fills p's I/O fields: from the iterator's record when it carries them, else
 * from PID/io. A process whose CPU time did not move since PID/io was last
 * read is mostly idle, so its counters are carried instead of re-read (the
 * daemon's cost at hundreds of idle processes). Ticks are 10 ms, though, and a
 * writer of direct I/O can move megabytes a second on less CPU than that: one
 * waiting in D state is re-read, and every process is re-read once in
 * IO_REFRESH_SAMPLES samples (a thirtieth of the cost of reading all:
 * ~0.03 % of a core at 600 processes and 1 s). Bytes are never lost: a later
 * reading counts them, as a rate over the time since the previous reading.
 */
static void sample_io(struct procs_state *s, struct pentry *e, struct proc_sample *p,
		      const struct reading *rd, bool fresh, uint64_t now_boot_ns)
{
	if (rd->io_known) {
		io_update(e, p, &rd->io, rd->cpu_ns, now_boot_ns);
	} else if (!e->io_denied &&
		   (fresh || !e->io_read || rd->cpu_ns != e->io_cpu_ns || rd->state == 'D' ||
		    (s->gen + (uint64_t)e->pid) % IO_REFRESH_SAMPLES == 0)) {
		struct proc_io io;
		int ret = procfs_read_pid_io(s->env->pf, e->pid, &io);

		if (ret == -EACCES || ret == -EPERM) {
			e->io_denied = true; /* data missing, not an error */
			return;
		}
		if (ret == 0)
			io_update(e, p, &io, rd->cpu_ns, now_boot_ns);
	}
	if (!e->io_read)
		return;
	p->io_known = true;
	p->read_bytes = e->io.read_bytes;
	p->write_bytes = e->io.write_bytes;
	p->rchar = e->io.rchar;
	p->wchar = e->io.wchar;
}

static int procs_sample(void *state, struct snapshot *snap, const struct snapshot *prev)
{
	struct procs_state *s = state;
	bool first = s->gen == 0;
	int ret;

	(void)prev;
	s->gen++;
	ret = s->bpf ? sample_bpf_and_rest(s, snap, first) : sample_proc(s, snap, first);
	if (ret < 0)
		return ret;
	/* forget processes not seen in this sample, compacting the table */
	size_t w = 0;
	for (size_t r = 0; r < s->n; r++) {
		if (s->ents[r].gen != s->gen) {
			entry_drop(s, &s->ents[r]);
			continue;
		}
		if (w != r)
			s->ents[w] = s->ents[r];
		w++;
	}
	s->n = w;
	pidmap_rebuild(&s->index, s->ents, s->n, sizeof(*s->ents), offsetof(struct pentry, pid));
	return 0;
}

const struct collector_ops process_collector = {
	.name = "processes",
	.open = procs_open,
	.sample = procs_sample,
	.close = procs_close,
};
