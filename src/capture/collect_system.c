/* collect_system.c - system-wide collector: CPU split (global, per core), memory, load, PSI. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "capture/collector.h"

struct sys_state {
	const struct collector_env *env;
	struct sys_stat prev, cur; /* raw jiffies of the previous and the current sample */
	bool have_prev;
};

static int sys_open(void **state, const struct collector_env *env)
{
	struct sys_state *s = xcalloc(1, sizeof(*s));

	s->env = env;
	*state = s;
	return 0;
}

static void sys_close(void *state)
{
	struct sys_state *s = state;

	if (!s)
		return;
	procfs_sys_stat_release(&s->prev);
	procfs_sys_stat_release(&s->cur);
	free(s);
}

static uint64_t delta(uint64_t now, uint64_t before)
{
	return now > before ? now - before : 0; /* counters can step back on cpu hotplug */
}

/* Percent split of the jiffies spent between two readings of one cpu line. */
static void split(const struct cpu_times *a, const struct cpu_times *b, struct cpu_pct *out)
{
	uint64_t d[8] = {
		delta(b->user, a->user),     delta(b->nice, a->nice), delta(b->system, a->system),
		delta(b->iowait, a->iowait), delta(b->irq, a->irq),   delta(b->softirq, a->softirq),
		delta(b->steal, a->steal),   delta(b->idle, a->idle),
	};
	uint64_t total = 0;

	for (int i = 0; i < 8; i++)
		total += d[i];
	memset(out, 0, sizeof(*out));
	if (!total) {
		out->idle = 100;
		return;
	}
	out->user = (float)(100.0 * (double)d[0] / (double)total);
	out->nice = (float)(100.0 * (double)d[1] / (double)total);
	out->system = (float)(100.0 * (double)d[2] / (double)total);
	out->iowait = (float)(100.0 * (double)d[3] / (double)total);
	out->irq = (float)(100.0 * (double)d[4] / (double)total);
	out->softirq = (float)(100.0 * (double)d[5] / (double)total);
	out->steal = (float)(100.0 * (double)d[6] / (double)total);
	out->idle = (float)(100.0 * (double)d[7] / (double)total);
	out->busy = 100.0f - out->idle - out->iowait;
	if (out->busy < 0)
		out->busy = 0;
}

static int sys_sample(void *state, struct snapshot *snap, const struct snapshot *prev)
{
	struct sys_state *s = state;
	struct procfs *pf = s->env->pf;
	struct sys_stat tmp;
	int ret;

	(void)prev;
	ret = procfs_read_stat(pf, &s->cur);
	if (ret < 0)
		return ret;
	snap->forks_total = s->cur.processes;
	if (snap->per_core_cap < s->cur.ncpu) {
		snap->per_core =
			xrealloc(snap->per_core, sizeof(*snap->per_core) * (size_t)s->cur.ncpu);
		snap->per_core_cap = s->cur.ncpu;
	}
	snap->ncpu = s->cur.ncpu;
	if (s->have_prev) {
		split(&s->prev.total, &s->cur.total, &snap->cpu);
		for (int i = 0; i < s->cur.ncpu; i++) {
			if (i < s->prev.ncpu)
				split(&s->prev.cpu[i], &s->cur.cpu[i], &snap->per_core[i]);
			else
				memset(&snap->per_core[i], 0, sizeof(snap->per_core[i]));
		}
	} else {
		/* first sample: the split since boot, better than nothing */
		struct cpu_times zero = { 0 };

		split(&zero, &s->cur.total, &snap->cpu);
		for (int i = 0; i < s->cur.ncpu; i++)
			split(&zero, &s->cur.cpu[i], &snap->per_core[i]);
	}
	/* keep the current reading as the next sample's previous; swap to avoid copies */
	tmp = s->prev;
	s->prev = s->cur;
	s->cur = tmp;
	s->have_prev = true;

	memset(&snap->mem, 0, sizeof(snap->mem));
	procfs_read_meminfo(pf, &snap->mem);
	procfs_read_loadavg(pf, &snap->load);
	procfs_read_psi(pf, "cpu", &snap->psi_cpu);
	procfs_read_psi(pf, "memory", &snap->psi_memory);
	procfs_read_psi(pf, "io", &snap->psi_io);
	return 0;
}

const struct collector_ops system_collector = {
	.name = "system",
	.open = sys_open,
	.sample = sys_sample,
	.close = sys_close,
};
