/* detect_mem.c - memory detectors: mem_drop, mem_pressure (on the crossing) and swap_spike. */
#include "capture/detect.h"

#include "base/xalloc.h"

/*
 * The process to blame for a system-wide memory event: the one whose RSS grew
 * most since the previous sample, or, when none grew, the largest. NULL when
 * the snapshot has no process at all.
 */
static const struct proc_sample *memory_culprit(const struct detect_ctx *ctx)
{
	const struct proc_sample *grew = NULL, *largest = NULL;
	uint64_t best_growth = 0;

	for (size_t i = 0; i < ctx->cur->nprocs; i++) {
		const struct proc_sample *p = &ctx->cur->procs[i];
		const struct proc_baseline *pb = &ctx->pb[i];

		if (!largest || p->rss_kib > largest->rss_kib)
			largest = p;
		if (pb->seen_before && p->rss_kib > pb->prev_rss_kib &&
		    p->rss_kib - pb->prev_rss_kib > best_growth) {
			best_growth = p->rss_kib - pb->prev_rss_kib;
			grew = p;
		}
	}
	return grew ? grew : largest;
}

static struct trigger *new_trigger(struct detect_ctx *ctx, struct trigger_list *out,
				   enum trigger_type type)
{
	const struct proc_sample *p = memory_culprit(ctx);
	struct trigger *t;

	XGROW(out->t, out->cap, out->n + 1);
	t = &out->t[out->n++];
	*t = (struct trigger){ .type = type,
			       .real_ns = ctx->cur->real_ns,
			       .mono_ns = ctx->cur->mono_ns };
	if (p)
		trigger_set_culprit(t, p);
	return t;
}

static bool mem_enabled(const struct config *cfg)
{
	return cfg->enable_memory_detection;
}

static bool swap_enabled(const struct config *cfg)
{
	return cfg->enable_swap_detection;
}

static void mem_drop_evaluate(struct detect_ctx *ctx, struct trigger_list *out)
{
	struct mem_baselines *mb = detect_mem(ctx->d);
	double thr_kib = ctx->cfg->mem_drop_threshold_mib * 1024.0;
	double avail = (double)ctx->cur->mem.available_kib;
	double drop;
	struct trigger *t;

	if (!mb->init)
		return;
	drop = mb->avail_kib - avail;
	if (drop < thr_kib) {
		mb->drop_armed = true;
		return;
	}
	if (!mb->drop_armed)
		return;
	t = new_trigger(ctx, out, TRIG_MEM_DROP);
	t->value = avail;
	t->baseline = mb->avail_kib;
	t->delta = drop;
	t->threshold = thr_kib;
}

static void mem_pressure_evaluate(struct detect_ctx *ctx, struct trigger_list *out)
{
	struct mem_baselines *mb = detect_mem(ctx->d);
	double thr = ctx->cfg->mem_pressure_threshold_pct;
	double used = snapshot_mem_used_pct(ctx->cur);
	struct trigger *t;

	/* only the crossing from below counts; staying above is one episode */
	if (!mb->init || mb->pressure_above || used < thr)
		return;
	t = new_trigger(ctx, out, TRIG_MEM_PRESSURE);
	t->value = used;
	t->baseline = ctx->prev ? snapshot_mem_used_pct(ctx->prev) : used;
	t->delta = used - thr;
	t->threshold = thr;
}

static void swap_spike_evaluate(struct detect_ctx *ctx, struct trigger_list *out)
{
	struct mem_baselines *mb = detect_mem(ctx->d);
	double thr_kib = ctx->cfg->swap_spike_threshold_mib * 1024.0;
	double used = (double)snapshot_swap_used_kib(ctx->cur);
	double growth;
	struct trigger *t;

	if (!mb->init)
		return;
	growth = used - mb->swap_used_kib;
	if (growth < thr_kib) {
		mb->swap_armed = true;
		return;
	}
	if (!mb->swap_armed)
		return;
	t = new_trigger(ctx, out, TRIG_SWAP_SPIKE);
	t->value = used;
	t->baseline = mb->swap_used_kib;
	t->delta = growth;
	t->threshold = thr_kib;
}

static const char *const mem_drop_keys[] = { "mem_drop_threshold_mib", "memory_baseline_alpha",
					     "enable_memory_detection", NULL };
static const char *const mem_pressure_keys[] = { "mem_pressure_threshold_pct",
						 "enable_memory_detection", NULL };
static const char *const swap_keys[] = { "swap_spike_threshold_mib", "memory_baseline_alpha",
					 "enable_swap_detection", NULL };

const struct detector_ops detector_mem_drop = {
	.name = "mem_drop",
	.type = TRIG_MEM_DROP,
	.config_keys = mem_drop_keys,
	.enabled = mem_enabled,
	.evaluate = mem_drop_evaluate,
};

const struct detector_ops detector_mem_pressure = {
	.name = "mem_pressure",
	.type = TRIG_MEM_PRESSURE,
	.config_keys = mem_pressure_keys,
	.enabled = mem_enabled,
	.evaluate = mem_pressure_evaluate,
};

const struct detector_ops detector_swap_spike = {
	.name = "swap_spike",
	.type = TRIG_SWAP_SPIKE,
	.config_keys = swap_keys,
	.enabled = swap_enabled,
	.evaluate = swap_spike_evaluate,
};
