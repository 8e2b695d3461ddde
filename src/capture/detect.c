/* detect.c - the detector table, per-process baselines, cooldowns, and one detection pass. */
#include "capture/detect.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/pidmap.h"
#include "base/xalloc.h"

static const struct detector_ops *const detectors[] = {
	&detector_cpu_delta,	&detector_cpu_new_process, &detector_mem_drop,
	&detector_mem_pressure, &detector_swap_spike,	   &detector_fork_storm,
	&detector_psi_stall,
	&detector_net,
	&detector_miner,
	&detector_suspicious_spawn,
	&detector_memory_anomaly,
};
#define NDETECTORS (sizeof(detectors) / sizeof(detectors[0]))

struct cooldown {
	int type; /* -1: every type (system scope) */
	long scope_id;
	uint64_t start_ticks; /* per_process: tells a reused pid apart */
	uint64_t until_mono_ns;
};

struct detect {
	struct proc_baseline *pb, *pb_next; /* previous and current, parallel to snapshot procs */
	size_t npb, cap_pb, cap_next;
	struct pidmap index; /* pid -> position in pb */
	struct mem_baselines mem;
	struct cooldown *cool;
	size_t ncool, capcool;
	float *scratch;
	size_t cap_scratch;
};

static const char *const type_names[TRIG__COUNT] = {
	"cpu_delta",  "cpu_new_process", "mem_drop",	 "mem_pressure", "swap_spike",
	"fork_storm", "cpu_stall",	 "memory_stall", "io_stall",
	"net_throughput_drop", "net_latency",
	"miner",      "suspicious_spawn", "memory_anomaly",
};

const char *trigger_type_name(enum trigger_type t)
{
	return (unsigned)t < TRIG__COUNT ? type_names[t] : "unknown";
}

const char *trigger_unit(enum trigger_type t)
{
	if (t == TRIG_NET_THROUGHPUT_DROP)
		return "bytes_per_s";
	if (t == TRIG_NET_LATENCY)
		return "us";
	return t == TRIG_CPU_DELTA || t == TRIG_CPU_NEW_PROCESS || t == TRIG_MEM_PRESSURE ||
			       t == TRIG_CPU_STALL || t == TRIG_MEMORY_STALL || t == TRIG_IO_STALL ||
			       t == TRIG_MINER
		       ? "pct"
	       : t == TRIG_SUSPICIOUS_SPAWN ? "none"
					    : "kib";
}

void trigger_list_clear(struct trigger_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		rcstr_unref(l->t[i].cmdline);
		sec_report_unref(l->t[i].security);
	}
	l->n = 0;
}

void trigger_list_add_copy(struct trigger_list *l, const struct trigger *t)
{
	XGROW(l->t, l->cap, l->n + 1);
	l->t[l->n] = *t;
	rcstr_ref(t->cmdline);
	sec_report_ref(t->security);
	l->n++;
}

void trigger_list_release(struct trigger_list *l)
{
	trigger_list_clear(l);
	free(l->t);
	memset(l, 0, sizeof(*l));
}

void trigger_set_culprit(struct trigger *t, const struct proc_sample *p)
{
	t->pid = p->pid;
	t->ppid = p->ppid;
	t->pgid = p->pgid;
	t->uid = p->uid;
	memcpy(t->comm, p->comm, sizeof(t->comm));
	rcstr_unref(t->cmdline);
	t->cmdline = rcstr_ref(p->cmdline);
	t->start_time_ns = p->start_time_ns;
	t->rss_kib = p->rss_kib;
}

void trigger_set_exited(struct trigger *t, const struct exited_proc *e)
{
	t->pid = e->pid;
	t->ppid = e->ppid;
	t->pgid = 0;
	t->uid = e->uid;
	memcpy(t->comm, e->comm, sizeof(t->comm));
	rcstr_unref(t->cmdline);
	t->cmdline = rcstr_ref(e->cmdline);
	t->start_time_ns = e->start_time_ns;
	t->rss_kib = e->peak_rss_kib;
	t->culprit_exited = true;
}

struct detect *detect_new(void)
{
	struct detect *d = xcalloc(1, sizeof(*d));

	d->mem.drop_armed = d->mem.swap_armed = d->mem.fork_armed = true;
	for (int i = 0; i < 3; i++)
		d->mem.stall_quiet[i] = true;
	return d;
}

void detect_free(struct detect *d)
{
	if (!d)
		return;
	free(d->pb);
	free(d->pb_next);
	pidmap_release(&d->index);
	free(d->cool);
	free(d->scratch);
	free(d);
}

struct mem_baselines *detect_mem(struct detect *d)
{
	return &d->mem;
}

static const struct proc_baseline *find_prev(const struct detect *d, int pid)
{
	long i = pidmap_find(&d->index, d->pb, pid);

	return i < 0 ? NULL : &d->pb[i];
}

/* The cooldown key of a trigger under the configured scope. */
static void cooldown_key(const struct config *cfg, const struct trigger *t, struct cooldown *k)
{
	bool per_process_trigger = t->type == TRIG_CPU_DELTA || t->type == TRIG_CPU_NEW_PROCESS ||
				   t->type == TRIG_MINER || t->type == TRIG_SUSPICIOUS_SPAWN ||
				   t->type == TRIG_MEMORY_ANOMALY;

	/* stalls, memory and fork triggers are system-wide: one cooldown per type */

	memset(k, 0, sizeof(*k));
	k->type = (int)t->type;
	switch (cfg->scope) {
	case SCOPE_SYSTEM:
		k->type = -1;
		break;
	case SCOPE_PER_PROCESS:
		if (per_process_trigger) {
			k->scope_id = t->pid;
			k->start_ticks = t->start_time_ns;
		}
		break;
	case SCOPE_PROCESS_GROUP:
		if (per_process_trigger)
			k->scope_id = t->pgid;
		break;
	case SCOPE_PARENT:
		if (per_process_trigger)
			k->scope_id = t->ppid;
		break;
	}
}

/*
 * Whether t may fire now under the cooldown of its scope; when it may, the
 * cooldown starts. Detectors call this and disarm only when it says yes.
 */
static bool may_fire(struct detect *d, const struct config *cfg, struct trigger *t)
{
	struct cooldown k;

	cooldown_key(cfg, t, &k);
	t->scope = cfg->scope;
	t->scope_id = k.scope_id;
	for (size_t i = 0; i < d->ncool; i++) {
		struct cooldown *c = &d->cool[i];

		if (c->type == k.type && c->scope_id == k.scope_id &&
		    c->start_ticks == k.start_ticks && c->until_mono_ns > t->mono_ns)
			return false;
	}
	if (cfg->cooldown_seconds > 0) {
		k.until_mono_ns = t->mono_ns + (uint64_t)(cfg->cooldown_seconds * 1e9);
		XGROW(d->cool, d->capcool, d->ncool + 1);
		d->cool[d->ncool++] = k;
	}
	return true;
}

/* Candidates produced by one detector go through here: cooldown, then into out. */
static void admit(struct detect *d, const struct config *cfg, struct trigger_list *cand,
		  size_t from, struct trigger_list *out, struct detect_ctx *ctx)
{
	for (size_t i = from; i < cand->n; i++) {
		struct trigger *t = &cand->t[i];

		if (!may_fire(d, cfg, t)) {
			rcstr_unref(t->cmdline);
			sec_report_unref(t->security);
			continue;
		}
		if (t->type == TRIG_CPU_DELTA || t->type == TRIG_CPU_NEW_PROCESS) {
			long idx = snapshot_find_pid(ctx->cur, t->pid);

			/*
			 * A new process's first figure is its lifetime average, startup
			 * included; its climb to full speed is the same episode.
			 */
			if (idx >= 0)
				ctx->pb[idx].delta_armed = false;
		} else if (t->type == TRIG_MEM_DROP) {
			d->mem.drop_armed = false;
		} else if (t->type == TRIG_SWAP_SPIKE) {
			d->mem.swap_armed = false;
		}
		XGROW(out->t, out->cap, out->n + 1);
		out->t[out->n++] = *t;
	}
	cand->n = from;
}

static void expire_cooldowns(struct detect *d, uint64_t now)
{
	size_t w = 0;

	for (size_t r = 0; r < d->ncool; r++)
		if (d->cool[r].until_mono_ns > now)
			d->cool[w++] = d->cool[r];
	d->ncool = w;
}

static int cmp_float_desc(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x < y) - (x > y);
}

/* Keeps baselines for the max busiest processes; the rest are compared with 0 % next time. */
static void limit_tracked(struct detect *d, const struct config *cfg, size_t n)
{
	size_t count = 0;
	float cutoff;

	if (cfg->max_processes_tracked <= 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (d->pb_next[i].has_baseline)
			d->scratch[count++] = d->pb_next[i].baseline_pct;
	if (count <= (size_t)cfg->max_processes_tracked)
		return;
	qsort(d->scratch, count, sizeof(float), cmp_float_desc);
	cutoff = d->scratch[cfg->max_processes_tracked - 1];
	for (size_t i = 0; i < n; i++) {
		struct proc_baseline *pb = &d->pb_next[i];

		if (pb->has_baseline && pb->baseline_pct < cutoff) {
			pb->has_baseline = false;
			pb->evicted = true;
			pb->baseline_pct = 0;
		}
	}
}

void detect_run(struct detect *d, const struct config *cfg, const struct snapshot *cur,
		const struct snapshot *prev, struct trigger_list *out)
{
	struct trigger_list cand = { 0 };
	struct detect_ctx ctx;
	size_t n = cur->nprocs;
	/*
	 * Samples closer together than the sampling interval (diagnostic mode)
	 * weigh in proportion to the time they cover, so that baselines keep
	 * their time constants and a process is judged on its CPU over about one
	 * interval, not on 100 ms of 10 ms ticks.
	 */
	double r = prev && cur->elapsed_s > 0 && cur->elapsed_s < cfg->sampling_interval_seconds
			   ? cur->elapsed_s / cfg->sampling_interval_seconds
			   : 1.0;
	double a = 1 - pow(1 - cfg->process_baseline_alpha, r);
	double ma = 1 - pow(1 - cfg->memory_baseline_alpha, r);
	struct proc_baseline *tmp;

	/* 1. per-process state for this snapshot, carried over from the last one */
	if (d->cap_next < n) {
		d->pb_next = xrealloc(d->pb_next, n * sizeof(*d->pb_next));
		d->cap_next = n;
	}
	if (d->cap_scratch < n) {
		d->scratch = xrealloc(d->scratch, n * sizeof(*d->scratch));
		d->cap_scratch = n;
	}
	for (size_t i = 0; i < n; i++) {
		const struct proc_sample *p = &cur->procs[i];
		const struct proc_baseline *old = find_prev(d, p->pid);
		struct proc_baseline *pb = &d->pb_next[i];

		if (old && old->start_ticks == p->start_ticks) {
			*pb = *old;
			pb->seen_before = true;
			pb->recent_pct = (float)(r * p->cpu_pct + (1 - r) * old->recent_pct);
		} else {
			memset(pb, 0, sizeof(*pb));
			pb->pid = p->pid;
			pb->start_ticks = p->start_ticks;
			pb->delta_armed = true;
			pb->prev_rss_kib = p->rss_kib;
			pb->recent_pct = p->cpu_pct;
		}
	}

	/* 2. every enabled detector, each candidate through its cooldown */
	ctx = (struct detect_ctx){ .cfg = cfg, .cur = cur, .prev = prev, .pb = d->pb_next, .d = d };
	expire_cooldowns(d, cur->mono_ns);
	for (size_t i = 0; i < NDETECTORS; i++) {
		if (!detectors[i]->enabled(cfg))
			continue;
		detectors[i]->evaluate(&ctx, &cand);
		admit(d, cfg, &cand, 0, out, &ctx);
	}
	free(cand.t);

	/* 3. baselines learn from this sample, after it was judged */
	for (size_t i = 0; i < n; i++) {
		const struct proc_sample *p = &cur->procs[i];
		struct proc_baseline *pb = &d->pb_next[i];

		if (pb->has_baseline)
			pb->baseline_pct = (float)(a * p->cpu_pct + (1 - a) * pb->baseline_pct);
		else if (pb->evicted)
			pb->baseline_pct = (float)(a * p->cpu_pct); /* from an idle 0 % */
		else if (p->is_new || (pb->seen_before && prev))
			pb->baseline_pct = p->cpu_pct; /* first measured interval */
		else
			continue; /* first sample ever: lifetime averages are no baseline */
		pb->has_baseline = true;
		pb->evicted = false;
	}
	for (size_t i = 0; i < n; i++)
		d->pb_next[i].prev_rss_kib = cur->procs[i].rss_kib;
	limit_tracked(d, cfg, n);

	if (!d->mem.init) {
		d->mem.init = true;
		d->mem.avail_kib = (double)cur->mem.available_kib;
		d->mem.swap_used_kib = (double)snapshot_swap_used_kib(cur);
		d->mem.pressure_above =
			snapshot_mem_used_pct(cur) >= cfg->mem_pressure_threshold_pct;
	} else {
		d->mem.avail_kib =
			ma * (double)cur->mem.available_kib + (1 - ma) * d->mem.avail_kib;
		d->mem.swap_used_kib =
			ma * (double)snapshot_swap_used_kib(cur) + (1 - ma) * d->mem.swap_used_kib;
		d->mem.pressure_above =
			snapshot_mem_used_pct(cur) >= cfg->mem_pressure_threshold_pct;
	}

	tmp = d->pb;
	d->pb = d->pb_next;
	d->pb_next = tmp;
	d->npb = n;
	{
		size_t c = d->cap_pb;

		d->cap_pb = d->cap_next;
		d->cap_next = c;
	}
	pidmap_rebuild(&d->index, d->pb, d->npb, sizeof(*d->pb),
		       offsetof(struct proc_baseline, pid));
}
