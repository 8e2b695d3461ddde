/* collect_exits.c - processes that exited between samples, from taskstats, with their cmdline from
 * exec time. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/pidmap.h"
#include "base/xalloc.h"
#include "capture/collector.h"
#include "sys/procevents.h"

/* A command line read when its process exec'd, kept until the process's exit record comes. */
struct exec_cmd {
	int pid;
	struct rcstr *cmdline;
	uint64_t gen; /* sample generation of the exec: old ones are dropped */
};

struct exits_state {
	const struct collector_env *env;
	struct procevents *pe;
	struct exec_cmd *cmds;
	size_t ncmds, capcmds;
	struct pidmap prev_index; /* pids of the previous snapshot's processes */
	uint64_t gen;
	struct snapshot *snap; /* during sample() */
	const struct snapshot *prev;
};

/* Keep exec'd command lines for this many samples (a process that lives longer is in procs[]). */
#define CMD_KEEP_SAMPLES 4

static void forget_cmd(struct exits_state *s, size_t i)
{
	rcstr_unref(s->cmds[i].cmdline);
	s->cmds[i] = s->cmds[--s->ncmds];
}

static void on_exec(void *ctx, pid_t pid)
{
	struct exits_state *s = ctx;
	char *cmd = NULL;
	size_t len = 0;

	for (size_t i = 0; i < s->ncmds; i++)
		if (s->cmds[i].pid == pid)
			forget_cmd(s, i--);
	/* read it now: a short-lived process is gone by the next sample */
	if (procfs_read_cmdline(s->env->pf, pid, &cmd, &len) < 0 || !len) {
		free(cmd);
		return;
	}
	XGROW(s->cmds, s->capcmds, s->ncmds + 1);
	s->cmds[s->ncmds++] = (struct exec_cmd){ pid, rcstr_new(cmd, len), s->gen };
	free(cmd);
}

static struct rcstr *take_cmd(struct exits_state *s, pid_t pid)
{
	for (size_t i = 0; i < s->ncmds; i++) {
		if (s->cmds[i].pid == pid) {
			struct rcstr *r = s->cmds[i].cmdline;

			s->cmds[i] = s->cmds[--s->ncmds];
			return r;
		}
	}
	return NULL;
}

static void on_exit_record(void *ctx, const struct exit_record *r)
{
	struct exits_state *s = ctx;
	struct exited_proc *e = snapshot_add_exited(s->snap);
	long idx;

	e->pid = r->pid;
	e->ppid = r->ppid;
	e->uid = r->uid;
	memcpy(e->comm, r->comm, sizeof(e->comm) - 1);
	/* sampled before? then procs[] already told its story and detectors judged it */
	idx = s->prev ? pidmap_find(&s->prev_index, s->prev->procs, r->pid) : -1;
	e->seen = idx >= 0;
	e->cmdline = take_cmd(s, r->pid);
	if (!e->cmdline && e->seen) /* lived long: the process list has its command line */
		e->cmdline = rcstr_ref(s->prev->procs[idx].cmdline);
	if (!e->cmdline)
		e->cmdline = rcstr_new(e->comm, strlen(e->comm));
	e->start_time_ns = r->start_time_s * 1000000000ULL;
	e->lifetime_s = (double)r->elapsed_us / 1e6;
	/* the scheduler's ns clock where the kernel gives it, else the tick-sampled times */
	e->cpu_time_s = r->cpu_ns ? (double)r->cpu_ns / 1e9
				  : (double)(r->utime_us + r->stime_us) / 1e6;
	e->cpu_pct = r->elapsed_us ? (float)(100.0 * e->cpu_time_s * 1e6 / (double)r->elapsed_us)
				   : 0;
	e->peak_rss_kib = r->peak_rss_kib;
	e->read_bytes = r->read_bytes;
	e->write_bytes = r->write_bytes;
	e->exit_code = r->exit_code;
}

static int exits_open(void **state, const struct collector_env *env)
{
	struct exits_state *s = xcalloc(1, sizeof(*s));

	s->env = env;
	s->pe = procevents_open(); /* NULL without root: exited[] stays unknown */
	*state = s;
	return 0;
}

static void exits_close(void *state)
{
	struct exits_state *s = state;

	if (!s)
		return;
	procevents_close(s->pe);
	for (size_t i = 0; i < s->ncmds; i++)
		rcstr_unref(s->cmds[i].cmdline);
	free(s->cmds);
	pidmap_release(&s->prev_index);
	free(s);
}

static int exits_poll_fd(void *state)
{
	struct exits_state *s = state;

	return s->pe ? procevents_exec_fd(s->pe) : -1;
}

static bool exits_ready(void *state)
{
	struct exits_state *s = state;

	procevents_read_execs(s->pe, on_exec, NULL, s);
	return false;
}

static int exits_sample(void *state, struct snapshot *snap, const struct snapshot *prev)
{
	struct exits_state *s = state;

	snap->exits_known = s->pe && procevents_have_exits(s->pe);
	if (!s->pe)
		return 0;
	s->gen++;
	procevents_read_execs(s->pe, on_exec, NULL, s);
	s->snap = snap;
	s->prev = prev;
	if (prev)
		pidmap_rebuild(&s->prev_index, prev->procs, prev->nprocs, sizeof(*prev->procs),
			       offsetof(struct proc_sample, pid));
	procevents_read_exits(s->pe, on_exit_record, s);
	snap->exits_lost = procevents_lost(s->pe);
	s->snap = NULL;
	/* command lines of execs whose exit never came (long-lived: procs[] has them) */
	for (size_t i = 0; i < s->ncmds; i++)
		if (s->gen - s->cmds[i].gen > CMD_KEEP_SAMPLES)
			forget_cmd(s, i--);
	return 0;
}

const struct collector_ops exits_collector = {
	.name = "exits",
	.open = exits_open,
	.sample = exits_sample,
	.close = exits_close,
	.poll_fd = exits_poll_fd,
	.ready = exits_ready,
};
