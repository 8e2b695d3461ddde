/* detect_sec.c - security detectors: miner, suspicious_spawn, memory_anomaly (findings into
 * triggers). */
#include "capture/detect.h"

#include <string.h>

#include "base/xalloc.h"

/*
 * The security collector gathers the evidence while the process exists (at
 * its exec, or when its window or maps say so) and leaves one report per
 * finding in the snapshot; each detector here turns the reports of its rule
 * into triggers, which then go through the cooldowns like any other.
 */
static void evaluate_rule(struct detect_ctx *ctx, struct trigger_list *out, enum sec_rule rule,
			  enum trigger_type type)
{
	const struct snapshot *cur = ctx->cur;

	for (size_t i = 0; i < cur->nsec; i++) {
		struct sec_report *r = cur->sec[i];
		long idx;
		struct trigger *t;

		if (r->rule != rule)
			continue;
		XGROW(out->t, out->cap, out->n + 1);
		t = &out->t[out->n++];
		*t = (struct trigger){ .type = type,
				       .real_ns = cur->real_ns,
				       .mono_ns = cur->mono_ns };
		idx = snapshot_find_pid(cur, r->pid);
		if (idx >= 0 &&
		    (!r->start_ticks || cur->procs[idx].start_ticks == r->start_ticks)) {
			trigger_set_culprit(t, &cur->procs[idx]);
		} else {
			/* gone before the sample: what the report saw at the time */
			t->pid = r->pid;
			t->ppid = r->ppid ? r->ppid : (r->ev.nparents ? r->ev.parents[0].pid : 0);
			t->uid = r->ev.euid;
			memcpy(t->comm, r->comm, sizeof(t->comm));
			t->cmdline = rcstr_new(r->ev.cmdline ? r->ev.cmdline : "",
					       r->ev.cmdline ? strlen(r->ev.cmdline) : 0);
			t->start_time_ns = r->start_time_ns ? r->start_time_ns : cur->real_ns;
			t->culprit_exited = true;
		}
		t->value = r->value;
		t->baseline = 0;
		t->delta = r->value;
		t->threshold = type == TRIG_MINER ? ctx->cfg->miner_min_cpu_pct
			       : r->signal == SIG_RSS_GROWTH
				       ? ctx->cfg->rss_growth_threshold_mib * 1024
				       : 0;
		t->security = sec_report_ref(r);
	}
}

static bool miner_enabled(const struct config *cfg)
{
	return cfg->enable_miner_detection;
}

static bool spawn_enabled(const struct config *cfg)
{
	return cfg->enable_spawn_detection;
}

static bool memory_enabled(const struct config *cfg)
{
	return cfg->enable_memory_anomaly_detection;
}

static void miner_evaluate(struct detect_ctx *ctx, struct trigger_list *out)
{
	evaluate_rule(ctx, out, SEC_MINER, TRIG_MINER);
}

static void spawn_evaluate(struct detect_ctx *ctx, struct trigger_list *out)
{
	evaluate_rule(ctx, out, SEC_SPAWN, TRIG_SUSPICIOUS_SPAWN);
}

static void memory_evaluate(struct detect_ctx *ctx, struct trigger_list *out)
{
	evaluate_rule(ctx, out, SEC_MEMORY, TRIG_MEMORY_ANOMALY);
}

static const char *const miner_keys[] = {
	"enable_miner_detection",
	"miner_window_seconds",
	"miner_min_cpu_pct",
	"miner_pool_ports",
	"allow_exe",
	"allow_cgroup",
	"allow_user",
	NULL,
};

static const char *const spawn_keys[] = {
	"enable_spawn_detection", "allow_exe", "allow_cgroup", "allow_user", NULL,
};

static const char *const memory_keys[] = {
	"enable_memory_anomaly_detection",
	"rss_growth_threshold_mib",
	"maps_checks_per_sample",
	"allow_exe",
	"allow_cgroup",
	"allow_user",
	NULL,
};

const struct detector_ops detector_miner = {
	.name = "miner",
	.type = TRIG_MINER,
	.config_keys = miner_keys,
	.enabled = miner_enabled,
	.evaluate = miner_evaluate,
};

const struct detector_ops detector_suspicious_spawn = {
	.name = "suspicious_spawn",
	.type = TRIG_SUSPICIOUS_SPAWN,
	.config_keys = spawn_keys,
	.enabled = spawn_enabled,
	.evaluate = spawn_evaluate,
};

const struct detector_ops detector_memory_anomaly = {
	.name = "memory_anomaly",
	.type = TRIG_MEMORY_ANOMALY,
	.config_keys = memory_keys,
	.enabled = memory_enabled,
	.evaluate = memory_evaluate,
};
