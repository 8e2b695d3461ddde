/* detect_fork.c - fork_storm: the rate of new processes crossing a line (from /proc/stat's
 * counter). */
#include "capture/detect.h"

#include "base/xalloc.h"

static bool fork_enabled(const struct config *cfg)
{
	return cfg->enable_fork_detection;
}

/* The parent with the most children among this sample's new and exited processes. */
static void blame(const struct detect_ctx *ctx, struct trigger *t)
{
	int best = 0, best_n = 0;

	for (size_t i = 0; i < ctx->cur->nprocs + ctx->cur->nexited; i++) {
		int ppid = i < ctx->cur->nprocs
				   ? (ctx->cur->procs[i].is_new ? ctx->cur->procs[i].ppid : 0)
				   : (ctx->cur->exited[i - ctx->cur->nprocs].seen
					      ? 0
					      : ctx->cur->exited[i - ctx->cur->nprocs].ppid);
		int n = 0;

		if (!ppid || ppid == best)
			continue;
		for (size_t k = 0; k < ctx->cur->nprocs; k++)
			n += ctx->cur->procs[k].is_new && ctx->cur->procs[k].ppid == ppid;
		for (size_t k = 0; k < ctx->cur->nexited; k++)
			n += !ctx->cur->exited[k].seen && ctx->cur->exited[k].ppid == ppid;
		if (n > best_n) {
			best_n = n;
			best = ppid;
		}
	}
	if (!best)
		return;
	for (size_t k = 0; k < ctx->cur->nprocs; k++) {
		if (ctx->cur->procs[k].pid == best) {
			trigger_set_culprit(t, &ctx->cur->procs[k]);
			return;
		}
	}
	t->pid = best;
}

static void fork_evaluate(struct detect_ctx *ctx, struct trigger_list *out)
{
	struct mem_baselines *mb = detect_mem(ctx->d);
	double thr = ctx->cfg->fork_rate_threshold_per_s, rate;
	struct trigger *t;

	if (!ctx->prev || ctx->cur->elapsed_s <= 0 ||
	    ctx->cur->forks_total < ctx->prev->forks_total)
		return;
	rate = (double)(ctx->cur->forks_total - ctx->prev->forks_total) / ctx->cur->elapsed_s;
	if (rate < thr) {
		mb->fork_armed = true;
		return;
	}
	if (!mb->fork_armed)
		return;
	mb->fork_armed = false; /* one storm, one dump (even if a cooldown holds it back) */
	XGROW(out->t, out->cap, out->n + 1);
	t = &out->t[out->n++];
	*t = (struct trigger){ .type = TRIG_FORK_STORM,
			       .real_ns = ctx->cur->real_ns,
			       .mono_ns = ctx->cur->mono_ns };
	blame(ctx, t);
	t->value = rate;
	t->baseline = 0;
	t->delta = rate;
	t->threshold = thr;
}

static const char *const fork_keys[] = { "fork_rate_threshold_per_s", "enable_fork_detection",
					 NULL };

const struct detector_ops detector_fork_storm = {
	.name = "fork_storm",
	.type = TRIG_FORK_STORM,
	.config_keys = fork_keys,
	.enabled = fork_enabled,
	.evaluate = fork_evaluate,
};
