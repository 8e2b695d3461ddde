/* detect.h - anomaly detection over the ring: baselines, triggers, crossings and cooldowns. */
#ifndef SPIKETRACE_CAPTURE_DETECT_H
#define SPIKETRACE_CAPTURE_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/config.h"
#include "capture/snapshot.h"

enum trigger_type {
	TRIG_CPU_DELTA,
	TRIG_CPU_NEW_PROCESS,
	TRIG_MEM_DROP,
	TRIG_MEM_PRESSURE,
	TRIG_SWAP_SPIKE,
	TRIG_FORK_STORM,
	TRIG_CPU_STALL,
	TRIG_MEMORY_STALL,
	TRIG_IO_STALL,
	TRIG_NET_THROUGHPUT_DROP,
	TRIG_NET_LATENCY,
	TRIG_MINER,
	TRIG_SUSPICIOUS_SPAWN,
	TRIG_MEMORY_ANOMALY,
	TRIG__COUNT,
};

/* What fired, on which process, by how much. CPU values are % of one CPU; memory in KiB. */
struct trigger {
	enum trigger_type type;
	/* the culprit (for memory triggers: the process whose RSS grew most, else the largest) */
	int pid, ppid, pgid; /* 0 when there is no culprit */
	uint32_t uid;
	char comm[16];
	struct rcstr *cmdline; /* reference owned by the trigger */
	uint64_t start_time_ns;
	uint64_t rss_kib;
	double value;	     /* cpu_pct, available KiB, used %, or used swap KiB */
	double baseline;     /* the EWMA baseline it was compared with */
	double delta;	     /* value - baseline (a drop is positive for mem_drop) */
	double threshold;    /* the configured threshold, in the same unit as delta */
	bool culprit_exited; /* the culprit had exited by the sample (a short-lived process) */
	uint64_t real_ns, mono_ns;
	enum cooldown_scope scope;
	long scope_id; /* pid, pgid, ppid or 0 for system */
	char subject[32]; /* what a system trigger is about: the interface of net_throughput_drop */
	double ratio;	  /* net triggers: value / baseline, and the configured ratio */
	double threshold_ratio;
	struct sec_report *security; /* security triggers: the finding (a reference owned) */
};

struct trigger_list {
	struct trigger *t;
	size_t n, cap;
};

void trigger_list_clear(struct trigger_list *l); /* drops cmdline references */
/* Appends a copy of t that holds its own references (cmdline, security finding). */
void trigger_list_add_copy(struct trigger_list *l, const struct trigger *t);
void trigger_list_release(struct trigger_list *l);

/* Detection state between samples (baselines, armed flags, cooldowns). */
struct detect;

/* Per-process state the detectors share, parallel to the current snapshot's procs[]. */
struct proc_baseline {
	int pid;
	uint64_t start_ticks;
	float baseline_pct; /* EWMA of cpu_pct */
	float recent_pct;   /* cpu_pct over about one sampling interval (smoothed in fast samples) */
	bool has_baseline;  /* false until the first measured interval (or when evicted) */
	bool evicted;	    /* dropped by max_processes_tracked: counts as an idle baseline */
	bool delta_armed;   /* cpu_delta fires on a crossing: disarmed until it falls back */
	uint64_t prev_rss_kib;
	bool seen_before; /* there is an earlier sample of this process */
};

/* The context a detector evaluates in. */
struct detect_ctx {
	const struct config *cfg;
	const struct snapshot *cur;
	const struct snapshot *prev; /* NULL on the first sample */
	struct proc_baseline *pb;    /* cur->nprocs entries, parallel to cur->procs */
	struct detect *d;
};

/* A detector: a const ops table (adding one = a new file + a line in detect.c). */
struct detector_ops {
	const char *name;
	enum trigger_type type;
	const char *const *config_keys; /* NULL-terminated: the keys it reads */
	bool (*enabled)(const struct config *cfg);
	/* Appends its triggers (with culprit fields and values) to out. */
	void (*evaluate)(struct detect_ctx *ctx, struct trigger_list *out);
};

extern const struct detector_ops detector_cpu_delta;
extern const struct detector_ops detector_cpu_new_process;
extern const struct detector_ops detector_mem_drop;
extern const struct detector_ops detector_mem_pressure;
extern const struct detector_ops detector_swap_spike;
extern const struct detector_ops detector_fork_storm;
extern const struct detector_ops detector_psi_stall;
extern const struct detector_ops detector_net;
extern const struct detector_ops detector_miner;
extern const struct detector_ops detector_suspicious_spawn;
extern const struct detector_ops detector_memory_anomaly;

/* Memory-side state kept across samples (used by the memory detectors). */
struct mem_baselines {
	bool init;
	double avail_kib;     /* EWMA of MemAvailable */
	double swap_used_kib; /* EWMA of used swap */
	bool drop_armed, swap_armed;
	bool pressure_above;	   /* last sample was at or above the pressure line */
	bool fork_armed;	   /* fork_storm fires on the crossing */
	bool stall_quiet[3];	   /* PSI: no stall of cpu/memory/io since it was last reported */
	uint64_t stall_last_ns[3]; /* mono time of the last stall report of each resource */
};
struct mem_baselines *detect_mem(struct detect *d);

struct detect *detect_new(void);
void detect_free(struct detect *d);

/*
 * Evaluates the newest snapshot (cur) against the state built from earlier
 * ones (prev is the snapshot before it, or NULL), appends the triggers that
 * pass their cooldown to out, then updates baselines. Call once per snapshot.
 */
void detect_run(struct detect *d, const struct config *cfg, const struct snapshot *cur,
		const struct snapshot *prev, struct trigger_list *out);

/* Fills the culprit fields of t from a process sample, or from an exited process. */
void trigger_set_culprit(struct trigger *t, const struct proc_sample *p);
void trigger_set_exited(struct trigger *t, const struct exited_proc *e);
const char *trigger_type_name(enum trigger_type t);
/* The trigger's unit word for messages: "pct", "kib", "bytes_per_s" or "us". */
const char *trigger_unit(enum trigger_type t);

#endif
