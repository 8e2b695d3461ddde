/* collect_procs.c - per-process collector: every /proc/PID, read through kept-open stat fds. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/pidmap.h"
#include "base/xalloc.h"
#include "capture/collector.h"

/* What we remember of a process between samples. */
struct pentry {
	int pid;
	int fd; /* kept-open PID/stat, or -1 when over the fd budget (then open per read) */
	uint64_t start_ticks;
	uint64_t last_ticks; /* utime + stime at the last read */
	uint64_t last_boot_ns;
	uint32_t uid;
	char comm[16];
	struct rcstr *cmdline;
	uint64_t gen; /* sample generation it was last seen in */
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

static int procs_open(void **state, const struct collector_env *env)
{
	struct procs_state *s = xcalloc(1, sizeof(*s));

	s->env = env;
	s->page_kib = sysconf(_SC_PAGESIZE) / 1024;
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
	free(s->buf);
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

/* Starts tracking a pid seen for the first time: fd, identity, uid, cmdline. */
static int entry_start(struct procs_state *s, struct pentry *e, int pid, struct proc_stat *ps)
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
	e->start_ticks = ps->starttime;
	/* the kept fd's owner is the euid: one fstat instead of reading PID/status */
	if ((e->fd >= 0 ? procfs_fd_owner(e->fd, &uid) : procfs_read_uid(s->env->pf, pid, &uid)) ==
	    0)
		e->uid = (uint32_t)uid;
	memcpy(e->comm, ps->comm, sizeof(e->comm) - 1);
	read_cmdline(s, e);
	return 0;
}

static int procs_sample(void *state, struct snapshot *snap, const struct snapshot *prev)
{
	struct procs_state *s = state;
	double hz = (double)s->env->ticks_per_sec;
	uint64_t boot_real_ns = snap->real_ns - snap->boot_ns;
	bool first = s->gen == 0;
	int npids;

	(void)prev;
	s->gen++;
	npids = procfs_list_pids(s->env->pf, &s->pids, &s->pids_cap);
	if (npids < 0)
		return npids;
	for (int i = 0; i < npids; i++) {
		int pid = s->pids[i];
		long idx = pidmap_find(&s->index, s->ents, pid);
		struct proc_stat ps;
		struct pentry *e;
		struct proc_sample *p;
		uint64_t ticks;
		bool fresh = false;

		if (idx >= 0 && s->ents[idx].gen != s->gen) {
			e = &s->ents[idx];
			if (read_stat(s, e, &ps) < 0 || ps.starttime != e->start_ticks) {
				/* gone, or the pid was reused: start over with whoever has it now
				 */
				entry_drop(s, e);
				if (entry_start(s, e, pid, &ps) < 0) {
					e->gen = 0;
					snap->procs_skipped++;
					continue;
				}
				fresh = true;
			}
		} else if (idx < 0) {
			XGROW(s->ents, s->cap, s->n + 1);
			e = &s->ents[s->n];
			if (entry_start(s, e, pid, &ps) < 0) {
				snap->procs_skipped++;
				continue;
			}
			s->n++;
			fresh = true;
		} else {
			continue; /* duplicate pid in one listing */
		}
		e->gen = s->gen;
		ticks = ps.utime + ps.stime;
		if (!fresh && strncmp(e->comm, ps.comm, sizeof(e->comm) - 1)) {
			/* exec'd since the last sample: the command line changed too */
			memcpy(e->comm, ps.comm, sizeof(e->comm) - 1);
			read_cmdline(s, e);
		}

		p = snapshot_add_proc(snap);
		p->pid = pid;
		p->ppid = ps.ppid;
		p->pgid = ps.pgid;
		p->uid = e->uid;
		p->state = ps.state;
		memcpy(p->comm, e->comm, sizeof(p->comm));
		p->threads = ps.num_threads > 0 ? (uint32_t)ps.num_threads : 0;
		p->rss_kib = ps.rss_pages > 0 ? (uint64_t)ps.rss_pages * (uint64_t)s->page_kib : 0;
		p->start_ticks = e->start_ticks;
		p->start_time_ns = boot_real_ns + (uint64_t)((double)e->start_ticks / hz * 1e9);
		p->cmdline = rcstr_ref(e->cmdline);
		p->vsize_kib = ps.vsize_bytes / 1024;
		if (fresh) {
			/*
			 * First sight: the lifetime average, one tick taken off so that a
			 * process 10 ms old with one tick of CPU does not read as 100 %.
			 */
			double life_s = (double)snap->boot_ns / 1e9 - (double)e->start_ticks / hz;
			double busy_s = ticks > 0 ? (double)(ticks - 1) / hz : 0;

			p->cpu_pct = life_s > 0 ? (float)(100.0 * busy_s / life_s) : 0;
			p->is_new = !first; /* everything in the first listing predates us */
		} else {
			double dt = (double)(snap->boot_ns - e->last_boot_ns) / 1e9;
			uint64_t dticks = ticks > e->last_ticks ? ticks - e->last_ticks : 0;

			p->cpu_pct = dt > 0 ? (float)(100.0 * (double)dticks / hz / dt) : 0;
		}
		e->last_ticks = ticks;
		e->last_boot_ns = snap->boot_ns;
	}
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
