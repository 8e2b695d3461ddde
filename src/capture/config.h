/* config.h - the daemon's configuration: defaults, the TOML key table, loading and validation. */
#ifndef SPIKETRACE_CAPTURE_CONFIG_H
#define SPIKETRACE_CAPTURE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/strbuf.h"

/* Which triggers share one cooldown. */
enum cooldown_scope {
	SCOPE_PER_PROCESS,   /* the same pid (and start time) */
	SCOPE_PROCESS_GROUP, /* the same process group */
	SCOPE_PARENT,	     /* the same parent pid */
	SCOPE_SYSTEM,	     /* one cooldown for every trigger */
};

/* Where per-process counters come from. */
enum process_source {
	PROCESS_SOURCE_AUTO, /* the BPF task iterator if it loads, else /proc */
	PROCESS_SOURCE_BPF,  /* the BPF task iterator or fail */
	PROCESS_SOURCE_PROC, /* /proc/PID/stat */
};

/* A list of strings from the configuration (owned by the config). */
struct strlist {
	char **v;
	size_t n;
};

/* A list of integers from the configuration (owned by the config). */
struct intlist {
	int *v;
	size_t n;
};

struct config {
	/* [anomaly_detection] */
	double cpu_delta_threshold_pct;	   /* percentage points of one CPU over the baseline */
	double new_process_threshold_pct;  /* % of one CPU for a process first seen */
	double mem_drop_threshold_mib;	   /* drop of MemAvailable below its baseline, MiB */
	double mem_pressure_threshold_pct; /* (total - available) / total, percent */
	double swap_spike_threshold_mib;   /* growth of used swap over its baseline, MiB */
	double cooldown_seconds;
	double short_lived_min_cpu_ms; /* an exited process must have used this much CPU to count */
	double fork_rate_threshold_per_s; /* fork_storm: new processes per second */
	double psi_stall_ms;		  /* cpu/memory/io_stall: stalled this long ... */
	double psi_window_ms; /* ... within this window (a multiple of 2000 unprivileged) */
	/* [trigger] */
	enum cooldown_scope scope;
	/* [sampling] */
	double sampling_interval_seconds;
	int ring_buffer_capacity;	/* snapshots kept in memory */
	int context_snapshots_per_dump; /* snapshots written to a dump, <= ring_buffer_capacity */
	/* [process_collection] */
	int max_processes_tracked; /* CPU baselines kept, busiest first; 0 = no limit */
	int top_processes_stored;  /* per snapshot in dumps, by CPU and by RSS; 0 = every process */
	/* [features] */
	bool enable_cpu_detection;
	bool enable_memory_detection;
	bool enable_swap_detection;
	bool enable_fork_detection;
	bool enable_psi_triggers;
	bool enable_diagnostic_mode;
	/* [output] */
	char *output_directory; /* owned */
	char *log_level;	/* owned: error, warn, info, debug */
	/* [advanced] */
	double memory_baseline_alpha;  /* EWMA weight of the memory and swap baselines */
	double process_baseline_alpha; /* EWMA weight of per-process CPU baselines */
	enum process_source process_source; /* read at start only */
	/* [retention] */
	int max_dumps;	      /* keep at most this many dumps; 0 = no limit */
	double max_total_mib; /* keep the dumps under this many MiB in all; 0 = no limit */
	double max_age_days;  /* delete dumps older than this; 0 = no limit */
	double min_free_mib;  /* do not write a dump when the filesystem has less free */
	/* [diagnostic] */
	double diagnostic_interval_ms;	 /* sampling interval in diagnostic mode */
	double diagnostic_seconds;	 /* an episode's length after its trigger */
	double diagnostic_quiet_seconds; /* hysteresis: quiet time before leaving and re-entering */
	double diagnostic_budget_pct;	 /* share of wall time diagnostic mode may take */
	int diagnostic_stack_hz;	 /* culprit stack samples per second, 0 = none */
	/* [network]: the anomaly monitor (MicroSentinel's AnomalyMonitor) */
	bool anomaly_enabled;
	char *anomaly_interfaces;	 /* owned: comma-joined names; "" = all but lo */
	int anomaly_interval_ms;	 /* the monitor's own cadence */
	double anomaly_throughput_ratio; /* net_throughput_drop below this x baseline */
	double anomaly_min_bytes_per_s;	 /* a smaller baseline is not judged */
	int anomaly_warmup_samples;	 /* readings before a baseline is judged against */
	double anomaly_baseline_alpha;	 /* EWMA weight of the monitor's baselines */
	char *anomaly_latency_path;	 /* owned: file with the latest p99 latency in µs; "" = none */
	double anomaly_latency_ratio;	 /* net_latency above this x baseline */
	int anomaly_refractory_ms;	 /* least time between two events of one kind */
	/* [security] */
	bool enable_miner_detection;
	bool enable_spawn_detection;
	bool enable_memory_anomaly_detection;
	double miner_window_seconds;	 /* CPU averaged over this window ... */
	double miner_min_cpu_pct;	 /* ... at least this % of one CPU makes a miner candidate */
	struct intlist miner_pool_ports; /* remote ports of well-known mining pools */
	double rss_growth_threshold_mib; /* memory_anomaly: RSS growth within one interval */
	int maps_checks_per_sample;	 /* round-robin maps/exe checks of unchanged processes */
	struct strlist allow_exe;	 /* exe paths (exact, or a prefix ending in '/') not judged */
	struct strlist allow_cgroup;	 /* cgroup path prefixes not judged */
	struct strlist allow_user;	 /* user names or numeric uids not judged */
};

/* Fills cfg with the compiled-in defaults (allocates the strings). */
void config_defaults(struct config *cfg);
void config_release(struct config *cfg);
/* Deep copy: dst is overwritten (release it first if it held anything). */
void config_copy(struct config *dst, const struct config *src);

/*
 * Loads the TOML text of `path` (len bytes; `path` only names it in messages)
 * over cfg, which holds defaults or an earlier configuration. Every key must be
 * known, of the right type and in range; cross-key rules are checked too. On
 * error returns -EINVAL, leaves cfg unchanged and writes one line
 * "PATH:LINE: message" into err. Returns 0 on success.
 */
int config_parse(struct config *cfg, const char *path, const char *text, size_t len,
		 struct strbuf *err);

/* Reads and parses a file; read errors give "cannot read 'PATH': strerror". */
int config_load_file(struct config *cfg, const char *path, struct strbuf *err);

/* Checks rules across keys (for values set by flags too); "message" into err, -EINVAL. */
int config_validate(const struct config *cfg, struct strbuf *err);

/*
 * Chooses the file to read: explicit if not NULL, else /etc/spiketrace/config.toml,
 * else $HOME/.config/spiketrace/config.toml, first that exists. Returns a
 * malloc'd path or NULL for "compiled-in defaults".
 */
char *config_find(const char *explicit_path);

/* Writes the configuration as TOML (every key, the sections of the reference). */
void config_dump_toml(const struct config *cfg, struct strbuf *out);

const char *config_scope_name(enum cooldown_scope s);
const char *config_process_source_name(enum process_source s);

#endif
