/* detect_psi.c - cpu_stall, memory_stall, io_stall: the kernel's PSI triggers fired since the last
 * sample. */
#include "capture/detect.h"

#include "base/xalloc.h"

static bool psi_enabled(const struct config *cfg)
{
	return cfg->enable_psi_triggers;
}

/*
 * Whom to name for a stall: memory — the largest resident set; I/O — the
 * busiest process waiting in D state, else the busiest; CPU — the busiest.
 */
static const struct proc_sample *stall_culprit(const struct snapshot *s, enum trigger_type type)
{
	const struct proc_sample *best = NULL, *best_d = NULL;

	for (size_t i = 0; i < s->nprocs; i++) {
		const struct proc_sample *p = &s->procs[i];

		if (type == TRIG_MEMORY_STALL) {
			if (!best || p->rss_kib > best->rss_kib)
				best = p;
			continue;
		}
		if (!best || p->cpu_pct > best->cpu_pct)
			best = p;
		if (p->state == 'D' && (!best_d || p->cpu_pct > best_d->cpu_pct))
			best_d = p;
	}
	return type == TRIG_IO_STALL && best_d ? best_d : best;
}

static void psi_evaluate(struct detect_ctx *ctx, struct trigger_list *out)
{
	static const enum trigger_type types[3] = { TRIG_CPU_STALL, TRIG_MEMORY_STALL,
						    TRIG_IO_STALL };
	const struct psi *lines[3] = { &ctx->cur->psi_cpu, &ctx->cur->psi_memory,
				       &ctx->cur->psi_io };
	double thr = 100.0 * ctx->cfg->psi_stall_ms / ctx->cfg->psi_window_ms;
	uint64_t calm_ns = (uint64_t)(2 * ctx->cfg->psi_window_ms * 1e6);
	struct mem_baselines *mb = detect_mem(ctx->d);

	for (int i = 0; i < 3; i++) {
		const struct proc_sample *p;
		struct trigger *t;

		/*
		 * The kernel repeats a trigger every window while the stall lasts: one
		 * episode is one report, and a new one needs two quiet windows first.
		 */
		if (!(ctx->cur->stalls & (1u << i))) {
			if (ctx->cur->mono_ns - mb->stall_last_ns[i] >= calm_ns)
				mb->stall_quiet[i] = true;
			continue;
		}
		mb->stall_last_ns[i] = ctx->cur->mono_ns;
		if (!mb->stall_quiet[i])
			continue;
		mb->stall_quiet[i] = false;
		XGROW(out->t, out->cap, out->n + 1);
		t = &out->t[out->n++];
		*t = (struct trigger){ .type = types[i],
				       .real_ns = ctx->cur->real_ns,
				       .mono_ns = ctx->cur->mono_ns };
		p = stall_culprit(ctx->cur, types[i]);
		if (p)
			trigger_set_culprit(t, p);
		/* the kernel's verdict is the trigger; avg10 says how bad it still is */
		t->value = lines[i]->present ? lines[i]->some.avg10 : 0;
		t->baseline = lines[i]->present ? lines[i]->some.avg300 : 0;
		t->delta = t->value - t->baseline;
		t->threshold = thr;
	}
}

static const char *const psi_keys[] = { "psi_stall_ms", "psi_window_ms", "enable_psi_triggers",
					NULL };

const struct detector_ops detector_psi_stall = {
	.name = "psi_stall",
	.type = TRIG_CPU_STALL,
	.config_keys = psi_keys,
	.enabled = psi_enabled,
	.evaluate = psi_evaluate,
};
