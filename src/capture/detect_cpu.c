/* detect_cpu.c - CPU detectors: cpu_delta (over the EWMA baseline) and cpu_new_process. */
#include "capture/detect.h"

#include "base/xalloc.h"

static struct trigger *new_trigger(struct trigger_list *out, enum trigger_type type,
				   const struct snapshot *cur, const struct proc_sample *p)
{
	struct trigger *t;

	XGROW(out->t, out->cap, out->n + 1);
	t = &out->t[out->n++];
	*t = (struct trigger){ .type = type, .real_ns = cur->real_ns, .mono_ns = cur->mono_ns };
	trigger_set_culprit(t, p);
	t->value = p->cpu_pct;
	return t;
}

static bool cpu_enabled(const struct config *cfg)
{
	return cfg->enable_cpu_detection;
}

static void cpu_delta_evaluate(struct detect_ctx *ctx, struct trigger_list *out)
{
	double thr = ctx->cfg->cpu_delta_threshold_pct;

	for (size_t i = 0; i < ctx->cur->nprocs; i++) {
		const struct proc_sample *p = &ctx->cur->procs[i];
		struct proc_baseline *pb = &ctx->pb[i];
		double base, delta;
		struct trigger *t;

		/* a first sighting has no interval to compare: cpu_new_process judges it */
		if (!pb->seen_before || (!pb->has_baseline && !pb->evicted))
			continue;
		base = pb->evicted ? 0.0 : pb->baseline_pct;
		delta = pb->recent_pct - base;
		if (delta < thr) {
			pb->delta_armed = true; /* back under the line: the next crossing fires */
			continue;
		}
		if (!pb->delta_armed)
			continue;
		t = new_trigger(out, TRIG_CPU_DELTA, ctx->cur, p);
		t->value = pb->recent_pct;
		t->baseline = base;
		t->delta = delta;
		t->threshold = thr;
	}
}

/*
 * Processes that started and exited between two samples never appear in procs[]: the
 * kernel's exit record tells their CPU time. Enough CPU (short_lived_min_cpu_ms) at a
 * lifetime average over the threshold is a new process that was busy from the start.
 */
static void short_lived_evaluate(struct detect_ctx *ctx, struct trigger_list *out)
{
	double thr = ctx->cfg->new_process_threshold_pct;
	double min_s = ctx->cfg->short_lived_min_cpu_ms / 1000.0;

	for (size_t i = 0; i < ctx->cur->nexited; i++) {
		const struct exited_proc *e = &ctx->cur->exited[i];
		struct trigger *t;

		/*
		 * One that was sampled alive was judged then, unless it lived less than one
		 * sampling interval: seen only in fast (diagnostic) samples, a short burst
		 * never fills the interval-long window cpu_delta judges on.
		 */
		if ((e->seen && e->lifetime_s >= ctx->cfg->sampling_interval_seconds) ||
		    e->cpu_time_s < min_s || e->cpu_pct < thr)
			continue;
		XGROW(out->t, out->cap, out->n + 1);
		t = &out->t[out->n++];
		*t = (struct trigger){ .type = TRIG_CPU_NEW_PROCESS,
				       .real_ns = ctx->cur->real_ns,
				       .mono_ns = ctx->cur->mono_ns };
		trigger_set_exited(t, e);
		t->value = e->cpu_pct;
		t->baseline = 0;
		t->delta = e->cpu_pct;
		t->threshold = thr;
	}
}

static void cpu_new_evaluate(struct detect_ctx *ctx, struct trigger_list *out)
{
	double thr = ctx->cfg->new_process_threshold_pct;

	short_lived_evaluate(ctx, out);

	for (size_t i = 0; i < ctx->cur->nprocs; i++) {
		const struct proc_sample *p = &ctx->cur->procs[i];
		struct trigger *t;

		if (!p->is_new || ctx->pb[i].seen_before || p->cpu_pct < thr)
			continue;
		t = new_trigger(out, TRIG_CPU_NEW_PROCESS, ctx->cur, p);
		t->baseline = 0;
		t->delta = p->cpu_pct;
		t->threshold = thr;
	}
}

static const char *const cpu_delta_keys[] = {
	"cpu_delta_threshold_pct",
	"process_baseline_alpha",
	"max_processes_tracked",
	"enable_cpu_detection",
	NULL,
};

static const char *const cpu_new_keys[] = {
	"new_process_threshold_pct",
	"short_lived_min_cpu_ms",
	"enable_cpu_detection",
	NULL,
};

const struct detector_ops detector_cpu_delta = {
	.name = "cpu_delta",
	.type = TRIG_CPU_DELTA,
	.config_keys = cpu_delta_keys,
	.enabled = cpu_enabled,
	.evaluate = cpu_delta_evaluate,
};

const struct detector_ops detector_cpu_new_process = {
	.name = "cpu_new_process",
	.type = TRIG_CPU_NEW_PROCESS,
	.config_keys = cpu_new_keys,
	.enabled = cpu_enabled,
	.evaluate = cpu_new_evaluate,
};
