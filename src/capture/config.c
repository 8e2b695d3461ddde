/* config.c - daemon configuration: one table of keys drives defaults, parsing, validation and
 * printing. */
#include "capture/config.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileutil.h"
#include "base/json.h"
#include "base/log.h"
#include "base/toml.h"
#include "base/xalloc.h"

enum key_type {
	K_DOUBLE,
	K_INT,
	K_BOOL,
	K_STRING,
	K_SCOPE,
	K_LOGLEVEL,
	K_IFLIST,   /* array of interface names, stored comma-joined ("" for none) */
	K_OPT_FILE, /* a readable file, or "" for none */
	K_PSOURCE,  /* auto, bpf or proc */
	K_STRLIST,  /* array of strings */
	K_INTLIST,  /* array of integers */
};

struct key_def {
	const char *section;
	const char *key;
	enum key_type type;
	size_t off;
	double min, max; /* inclusive range for numbers */
	const char *help;
};

#define OFF(f) offsetof(struct config, f)

static const char *const sections[] = {
	"anomaly_detection", "trigger", "sampling", "process_collection",
	"features",	     "output",	"advanced", "retention",
	"diagnostic",
	"network",
	"security",
};

static const struct key_def keys[] = {
	{ "anomaly_detection", "cpu_delta_threshold_pct", K_DOUBLE, OFF(cpu_delta_threshold_pct),
	  0.1, 100000, "a process's CPU (% of one CPU) rising this many points over its baseline" },
	{ "anomaly_detection", "new_process_threshold_pct", K_DOUBLE,
	  OFF(new_process_threshold_pct), 0.1, 100000,
	  "a process started since the last sample using at least this % of one CPU" },
	{ "anomaly_detection", "mem_drop_threshold_mib", K_DOUBLE, OFF(mem_drop_threshold_mib), 1,
	  1e9, "available memory falling this many MiB below its baseline" },
	{ "anomaly_detection", "mem_pressure_threshold_pct", K_DOUBLE,
	  OFF(mem_pressure_threshold_pct), 1, 100,
	  "memory in use ((total - available) / total) crossing this percentage" },
	{ "anomaly_detection", "swap_spike_threshold_mib", K_DOUBLE, OFF(swap_spike_threshold_mib),
	  1, 1e9, "used swap growing this many MiB over its baseline" },
	{ "anomaly_detection", "cooldown_seconds", K_DOUBLE, OFF(cooldown_seconds), 0, 86400,
	  "quiet time after a trigger before the same scope may trigger again" },
	{ "anomaly_detection", "short_lived_min_cpu_ms", K_DOUBLE, OFF(short_lived_min_cpu_ms), 0,
	  1e7,
	  "a process that exited between two samples counts for cpu_new_process once it used "
	  "this much CPU" },
	{ "anomaly_detection", "fork_rate_threshold_per_s", K_DOUBLE,
	  OFF(fork_rate_threshold_per_s), 1, 1e7,
	  "fork_storm: new processes per second crossing this rate" },
	{ "anomaly_detection", "psi_stall_ms", K_DOUBLE, OFF(psi_stall_ms), 1, 1e6,
	  "cpu_stall, memory_stall, io_stall: tasks stalled this long (PSI \"some\") ..." },
	{ "anomaly_detection", "psi_window_ms", K_DOUBLE, OFF(psi_window_ms), 500, 10000,
	  "... within this window; the kernel wakes the daemon at once (read at start)" },
	{ "trigger", "scope", K_SCOPE, OFF(scope), 0, 0,
	  "cooldown grouping: per_process, process_group, parent or system" },
	{ "sampling", "sampling_interval_seconds", K_DOUBLE, OFF(sampling_interval_seconds), 0.05,
	  3600, "time between two samples" },
	{ "sampling", "ring_buffer_capacity", K_INT, OFF(ring_buffer_capacity), 2, 100000,
	  "snapshots kept in memory (the history a dump can draw on)" },
	{ "sampling", "context_snapshots_per_dump", K_INT, OFF(context_snapshots_per_dump), 1,
	  100000,
	  "snapshots written into each dump, the trigger's last (<= ring_buffer_capacity)" },
	{ "process_collection", "max_processes_tracked", K_INT, OFF(max_processes_tracked), 0,
	  10000000, "CPU baselines kept, busiest first; others count as idle (0 = every process)" },
	{ "process_collection", "top_processes_stored", K_INT, OFF(top_processes_stored), 0,
	  10000000, "processes by CPU and by RSS saved in each dumped snapshot (0 = all)" },
	{ "features", "enable_cpu_detection", K_BOOL, OFF(enable_cpu_detection), 0, 0,
	  "cpu_delta and cpu_new_process triggers" },
	{ "features", "enable_memory_detection", K_BOOL, OFF(enable_memory_detection), 0, 0,
	  "mem_drop and mem_pressure triggers" },
	{ "features", "enable_swap_detection", K_BOOL, OFF(enable_swap_detection), 0, 0,
	  "swap_spike trigger" },
	{ "features", "enable_fork_detection", K_BOOL, OFF(enable_fork_detection), 0, 0,
	  "fork_storm trigger" },
	{ "features", "enable_psi_triggers", K_BOOL, OFF(enable_psi_triggers), 0, 0,
	  "PSI stall triggers (where the kernel has PSI)" },
	{ "features", "enable_diagnostic_mode", K_BOOL, OFF(enable_diagnostic_mode), 0, 0,
	  "a trigger switches to diagnostic mode (fast samples, culprit's stacks, files, "
	  "sockets)" },
	{ "output", "output_directory", K_STRING, OFF(output_directory), 0, 0,
	  "where dumps are written (created if missing)" },
	{ "output", "log_level", K_LOGLEVEL, OFF(log_level), 0, 0, "error, warn, info or debug" },
	{ "advanced", "memory_baseline_alpha", K_DOUBLE, OFF(memory_baseline_alpha), 0.0, 1.0,
	  "EWMA weight of the memory and swap baselines (higher adapts faster)" },
	{ "advanced", "process_baseline_alpha", K_DOUBLE, OFF(process_baseline_alpha), 0.0, 1.0,
	  "EWMA weight of per-process CPU baselines" },
	{ "advanced", "process_source", K_PSOURCE, OFF(process_source), 0, 0,
	  "per-process counters from auto (the BPF task iterator, else /proc), bpf or proc; "
	  "read at start" },
	{ "retention", "max_dumps", K_INT, OFF(max_dumps), 0, 100000000,
	  "keep at most this many dumps, oldest deleted first (0 = no limit)" },
	{ "retention", "max_total_mib", K_DOUBLE, OFF(max_total_mib), 0, 1e9,
	  "keep all dumps together under this many MiB (0 = no limit)" },
	{ "retention", "max_age_days", K_DOUBLE, OFF(max_age_days), 0, 1e6,
	  "delete dumps older than this many days (0 = no limit)" },
	{ "retention", "min_free_mib", K_DOUBLE, OFF(min_free_mib), 0, 1e9,
	  "skip writing a dump while its filesystem has less free space than this" },
	{ "diagnostic", "diagnostic_interval_ms", K_DOUBLE, OFF(diagnostic_interval_ms), 10, 60000,
	  "time between two samples in diagnostic mode" },
	{ "diagnostic", "diagnostic_seconds", K_DOUBLE, OFF(diagnostic_seconds), 0.1, 3600,
	  "how long diagnostic mode lasts after a trigger (at most twice this while triggers go "
	  "on)" },
	{ "diagnostic", "diagnostic_quiet_seconds", K_DOUBLE, OFF(diagnostic_quiet_seconds), 0,
	  86400,
	  "no trigger for this long before going back to sentinel mode, and before another "
	  "episode" },
	{ "diagnostic", "diagnostic_budget_pct", K_DOUBLE, OFF(diagnostic_budget_pct), 0, 100,
	  "at most this share of wall time in diagnostic mode (a token bucket)" },
	{ "diagnostic", "diagnostic_stack_hz", K_INT, OFF(diagnostic_stack_hz), 0, 10000,
	  "stack samples per second of the culprit's threads (0 = no stacks)" },
	{ "network", "anomaly_enabled", K_BOOL, OFF(anomaly_enabled), 0, 0,
	  "the network anomaly monitor: net_throughput_drop and net_latency triggers" },
	{ "network", "anomaly_interfaces", K_IFLIST, OFF(anomaly_interfaces), 0, 0,
	  "interfaces whose rx+tx throughput is watched, summed ([] = all but lo)" },
	{ "network", "anomaly_interval_ms", K_INT, OFF(anomaly_interval_ms), 50, 3600000,
	  "the monitor's own cadence: /proc/net/dev (and the latency file) read this often" },
	{ "network", "anomaly_throughput_ratio", K_DOUBLE, OFF(anomaly_throughput_ratio), 0, 1,
	  "net_throughput_drop: throughput falling below this fraction of its EWMA baseline" },
	{ "network", "anomaly_min_bytes_per_s", K_DOUBLE, OFF(anomaly_min_bytes_per_s), 0, 1e12,
	  "a throughput baseline below this many bytes/s is too small to judge" },
	{ "network", "anomaly_warmup_samples", K_INT, OFF(anomaly_warmup_samples), 1, 100000,
	  "readings that form a baseline before anything is judged against it" },
	{ "network", "anomaly_baseline_alpha", K_DOUBLE, OFF(anomaly_baseline_alpha), 0.001, 1,
	  "EWMA weight of the throughput and latency baselines" },
	{ "network", "anomaly_latency_path", K_OPT_FILE, OFF(anomaly_latency_path), 0, 0,
	  "file holding the latest p99 latency in microseconds (\"\" = no latency monitor)" },
	{ "network", "anomaly_latency_ratio", K_DOUBLE, OFF(anomaly_latency_ratio), 1, 1e6,
	  "net_latency: latency rising above this multiple of its EWMA baseline" },
	{ "network", "anomaly_refractory_ms", K_INT, OFF(anomaly_refractory_ms), 0, 86400000,
	  "least time between two net_throughput_drop (or two net_latency) triggers" },
	{ "security", "enable_miner_detection", K_BOOL, OFF(enable_miner_detection), 0, 0,
	  "miner: a process busy over a window with a corroborating sign (docs/security.md)" },
	{ "security", "enable_spawn_detection", K_BOOL, OFF(enable_spawn_detection), 0, 0,
	  "suspicious_spawn: shells under listeners, execs from /tmp or memfds, deleted or renamed "
	  "executables" },
	{ "security", "enable_memory_anomaly_detection", K_BOOL,
	  OFF(enable_memory_anomaly_detection), 0, 0,
	  "memory_anomaly: new RWX anonymous or executable memfd mappings, sudden RSS growth" },
	{ "security", "miner_window_seconds", K_DOUBLE, OFF(miner_window_seconds), 1, 86400,
	  "miner: the window a process's CPU demand is averaged over (bursts: 10 windows)" },
	{ "security", "miner_min_cpu_pct", K_DOUBLE, OFF(miner_min_cpu_pct), 1, 100000,
	  "miner: CPU demand (run + run-queue wait, % of one CPU) that makes a candidate" },
	{ "security", "miner_pool_ports", K_INTLIST, OFF(miner_pool_ports), 1, 65535,
	  "miner: remote ports of well-known mining pools (a connection to one is a sign)" },
	{ "security", "rss_growth_threshold_mib", K_DOUBLE, OFF(rss_growth_threshold_mib), 1, 1e9,
	  "memory_anomaly: a process's RSS growing this many MiB within one interval" },
	{ "security", "maps_checks_per_sample", K_INT, OFF(maps_checks_per_sample), 0, 100000,
	  "processes whose maps and exe are re-read per sample even when their size did not "
	  "change" },
	{ "security", "allow_exe", K_STRLIST, OFF(allow_exe), 0, 0,
	  "executables never judged: exact paths, prefixes ending in '/', or globs (* ? [...])" },
	{ "security", "allow_cgroup", K_STRLIST, OFF(allow_cgroup), 0, 0,
	  "cgroups never judged: paths with their subtree, or globs (e.g. "
	  "\"/system.slice/ci-*\")" },
	{ "security", "allow_user", K_STRLIST, OFF(allow_user), 0, 0,
	  "users (names or numeric uids) whose processes are never judged" },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const scope_names[] = { "per_process", "process_group", "parent", "system" };

const char *config_scope_name(enum cooldown_scope s)
{
	return (unsigned)s < 4 ? scope_names[s] : "?";
}

static const char *const process_source_names[] = { "auto", "bpf", "proc" };

const char *config_process_source_name(enum process_source s)
{
	return (unsigned)s < 3 ? process_source_names[s] : "?";
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cpu_delta_threshold_pct = 10.0;
	cfg->new_process_threshold_pct = 5.0;
	cfg->mem_drop_threshold_mib = 512;
	cfg->mem_pressure_threshold_pct = 90.0;
	cfg->swap_spike_threshold_mib = 256;
	cfg->cooldown_seconds = 5.0;
	cfg->short_lived_min_cpu_ms = 100;
	cfg->fork_rate_threshold_per_s = 1000;
	cfg->enable_fork_detection = true;
	cfg->psi_stall_ms = 500;
	cfg->psi_window_ms = 2000;
	cfg->enable_psi_triggers = true;
	cfg->scope = SCOPE_PER_PROCESS;
	cfg->sampling_interval_seconds = 1.0;
	cfg->ring_buffer_capacity = 60;
	cfg->context_snapshots_per_dump = 10;
	cfg->max_processes_tracked = 512;
	cfg->top_processes_stored = 10;
	cfg->enable_cpu_detection = true;
	cfg->enable_memory_detection = true;
	cfg->enable_swap_detection = true;
	cfg->output_directory = xstrdup("/var/lib/spiketrace");
	cfg->log_level = xstrdup("info");
	cfg->memory_baseline_alpha = 0.2;
	cfg->process_baseline_alpha = 0.3;
	cfg->process_source = PROCESS_SOURCE_AUTO;
	cfg->max_dumps = 1000;
	cfg->max_total_mib = 512;
	cfg->max_age_days = 30;
	cfg->min_free_mib = 64;
	cfg->enable_diagnostic_mode = true;
	cfg->diagnostic_interval_ms = 100;
	cfg->diagnostic_seconds = 5;
	cfg->diagnostic_quiet_seconds = 2;
	cfg->diagnostic_budget_pct = 10;
	cfg->diagnostic_stack_hz = 99;
	cfg->anomaly_enabled = false;
	cfg->anomaly_interfaces = xstrdup("");
	cfg->anomaly_interval_ms = 1000;
	cfg->anomaly_throughput_ratio = 0.85;
	cfg->anomaly_min_bytes_per_s = 16384;
	cfg->anomaly_warmup_samples = 5;
	cfg->anomaly_baseline_alpha = 0.2;
	cfg->anomaly_latency_path = xstrdup("");
	cfg->anomaly_latency_ratio = 1.5;
	cfg->anomaly_refractory_ms = 10000;
	cfg->enable_miner_detection = true;
	cfg->enable_spawn_detection = true;
	cfg->enable_memory_anomaly_detection = true;
	cfg->miner_window_seconds = 60;
	cfg->miner_min_cpu_pct = 50;
	{
		static const int pool_ports[] = { 3333, 4444, 5555, 7777, 14433, 14444, 45700 };

		cfg->miner_pool_ports.n = sizeof(pool_ports) / sizeof(pool_ports[0]);
		cfg->miner_pool_ports.v = xmalloc(sizeof(pool_ports));
		memcpy(cfg->miner_pool_ports.v, pool_ports, sizeof(pool_ports));
	}
	cfg->rss_growth_threshold_mib = 1024;
	cfg->maps_checks_per_sample = 4;
}

static void strlist_release(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void strlist_copy(struct strlist *dst, const struct strlist *src)
{
	dst->n = src->n;
	dst->v = src->n ? xmalloc(src->n * sizeof(*dst->v)) : NULL;
	for (size_t i = 0; i < src->n; i++)
		dst->v[i] = xstrdup(src->v[i]);
}

static void intlist_copy(struct intlist *dst, const struct intlist *src)
{
	dst->n = src->n;
	dst->v = src->n ? xmalloc(src->n * sizeof(*dst->v)) : NULL;
	if (src->n)
		memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
}

void config_release(struct config *cfg)
{
	free(cfg->output_directory);
	free(cfg->log_level);
	cfg->output_directory = cfg->log_level = NULL;
	free(cfg->anomaly_interfaces);
	free(cfg->anomaly_latency_path);
	cfg->anomaly_interfaces = cfg->anomaly_latency_path = NULL;
	free(cfg->miner_pool_ports.v);
	cfg->miner_pool_ports.v = NULL;
	cfg->miner_pool_ports.n = 0;
	strlist_release(&cfg->allow_exe);
	strlist_release(&cfg->allow_cgroup);
	strlist_release(&cfg->allow_user);
}

void config_copy(struct config *dst, const struct config *src)
{
	*dst = *src;
	dst->output_directory = xstrdup(src->output_directory);
	dst->log_level = xstrdup(src->log_level);
	dst->anomaly_interfaces = xstrdup(src->anomaly_interfaces ? src->anomaly_interfaces : "");
	dst->anomaly_latency_path =
		xstrdup(src->anomaly_latency_path ? src->anomaly_latency_path : "");
	intlist_copy(&dst->miner_pool_ports, &src->miner_pool_ports);
	strlist_copy(&dst->allow_exe, &src->allow_exe);
	strlist_copy(&dst->allow_cgroup, &src->allow_cgroup);
	strlist_copy(&dst->allow_user, &src->allow_user);
}

static const struct key_def *find_key(const char *section, const char *key)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].section, section) && !strcmp(keys[i].key, key))
			return &keys[i];
	return NULL;
}

static const struct key_def *find_key_anywhere(const char *key)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].key, key))
			return &keys[i];
	return NULL;
}

static bool known_section(const char *s)
{
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (!strcmp(sections[i], s))
			return true;
	return false;
}

/* The kernel's rule for a device name (dev_valid_name), plus no ',' (our list separator). */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 16 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ',' || *s == ' ' || *s == '\t' || *s == '\n')
			return false;
	return true;
}

/* anomaly_interfaces = ["eth0", "eth1"]: checked, stored as "eth0,eth1". */
static int set_iflist(char **field, const struct key_def *k, const struct toml_value *v,
		      struct strbuf *msg)
{
	struct strbuf list = STRBUF_INIT;

	if (v->type != TOML_ARRAY) {
		strbuf_addf(msg, "'%s' must be an array of interface names, not %s", k->key,
			    toml_type_name(v->type));
		return -EINVAL;
	}
	for (size_t i = 0; i < v->nitems; i++) {
		const struct toml_value *it = &v->items[i];

		if (it->type != TOML_STRING || !valid_ifname(it->str)) {
			strbuf_addf(msg, "'%s' item %zu is not an interface name (1 to 15 bytes, "
					 "no '/', ':', ',' or blanks)",
				    k->key, i + 1);
			strbuf_release(&list);
			return -EINVAL;
		}
		if (i)
			strbuf_addc(&list, ',');
		strbuf_adds(&list, it->str);
	}
	free(*field);
	*field = xstrdup(strbuf_str(&list));
	strbuf_release(&list);
	return 0;
}

/* An array of strings or of integers in range; replaces the list in field. */
static int set_list(void *field, const struct key_def *k, const struct toml_value *v,
		    struct strbuf *msg)
{
	bool ints = k->type == K_INTLIST;

	if (v->type != TOML_ARRAY) {
		strbuf_addf(msg, "'%s' must be an array of %s, not %s", k->key,
			    ints ? "integers" : "strings", toml_type_name(v->type));
		return -EINVAL;
	}
	for (size_t i = 0; i < v->nitems; i++) {
		const struct toml_value *it = &v->items[i];

		if (it->type != (ints ? TOML_INT : TOML_STRING)) {
			strbuf_addf(msg, "'%s' item %zu must be %s, not %s", k->key, i + 1,
				    ints ? "an integer" : "a string", toml_type_name(it->type));
			return -EINVAL;
		}
		if (ints && ((double)it->i < k->min || (double)it->i > k->max)) {
			strbuf_addf(msg, "'%s' item %zu is out of range: %lld (allowed %g to %g)",
				    k->key, i + 1, it->i, k->min, k->max);
			return -EINVAL;
		}
		if (!ints && !it->str[0]) {
			strbuf_addf(msg, "'%s' item %zu must not be empty", k->key, i + 1);
			return -EINVAL;
		}
	}
	if (ints) {
		struct intlist *l = field;

		free(l->v);
		l->n = v->nitems;
		l->v = v->nitems ? xmalloc(v->nitems * sizeof(*l->v)) : NULL;
		for (size_t i = 0; i < v->nitems; i++)
			l->v[i] = (int)v->items[i].i;
	} else {
		struct strlist *l = field;

		strlist_release(l);
		l->n = v->nitems;
		l->v = v->nitems ? xmalloc(v->nitems * sizeof(*l->v)) : NULL;
		for (size_t i = 0; i < v->nitems; i++)
			l->v[i] = xstrdup(v->items[i].str);
	}
	return 0;
}

static int set_key(struct config *cfg, const struct key_def *k, const struct toml_value *v,
		   struct strbuf *msg)
{
	void *field = (char *)cfg + k->off;
	double num;

	switch (k->type) {
	case K_IFLIST:
		return set_iflist((char **)field, k, v, msg);
	case K_DOUBLE:
	case K_INT:
		if (v->type != TOML_INT && !(k->type == K_DOUBLE && v->type == TOML_FLOAT)) {
			strbuf_addf(msg, "'%s' must be %s, not %s", k->key,
				    k->type == K_INT ? "an integer" : "a number",
				    toml_type_name(v->type));
			return -EINVAL;
		}
		num = v->type == TOML_INT ? (double)v->i : v->f;
		if (isnan(num) || num < k->min || num > k->max) {
			strbuf_addf(msg, "'%s' is out of range: %g (allowed %g to %g)", k->key, num,
				    k->min, k->max);
			return -EINVAL;
		}
		if (k->type == K_INT)
			*(int *)field = (int)v->i;
		else
			*(double *)field = num;
		return 0;
	case K_BOOL:
		if (v->type != TOML_BOOL) {
			strbuf_addf(msg, "'%s' must be true or false, not %s", k->key,
				    toml_type_name(v->type));
			return -EINVAL;
		}
		*(bool *)field = v->b;
		return 0;
	case K_STRLIST:
	case K_INTLIST:
		return set_list(field, k, v, msg);
	case K_STRING:
	case K_LOGLEVEL:
	case K_SCOPE:
	case K_OPT_FILE:
	case K_PSOURCE:
		if (v->type != TOML_STRING) {
			strbuf_addf(msg, "'%s' must be a string, not %s", k->key,
				    toml_type_name(v->type));
			return -EINVAL;
		}
		break;
	}
	if (k->type == K_SCOPE) {
		for (int i = 0; i < 4; i++) {
			if (!strcmp(v->str, scope_names[i])) {
				*(enum cooldown_scope *)field = (enum cooldown_scope)i;
				return 0;
			}
		}
		strbuf_addf(msg,
			    "'%s' must be per_process, process_group, parent or system, not '%s'",
			    k->key, v->str);
		return -EINVAL;
	}
	if (k->type == K_PSOURCE) {
		for (int i = 0; i < 3; i++) {
			if (!strcmp(v->str, process_source_names[i])) {
				*(enum process_source *)field = (enum process_source)i;
				return 0;
			}
		}
		strbuf_addf(msg, "'%s' must be auto, bpf or proc, not '%s'", k->key, v->str);
		return -EINVAL;
	}
	if (k->type == K_LOGLEVEL) {
		enum log_level lvl;

		if (log_level_parse(v->str, &lvl) < 0) {
			strbuf_addf(msg, "'%s' must be error, warn, info or debug, not '%s'",
				    k->key, v->str);
			return -EINVAL;
		}
	}
	if (k->type == K_OPT_FILE && v->str[0] && access(v->str, R_OK) < 0) {
		strbuf_addf(msg, "'%s': cannot read '%s': %s", k->key, v->str, strerror(errno));
		return -EINVAL;
	}
	if (k->type == K_STRING && !v->str[0]) {
		strbuf_addf(msg, "'%s' must not be empty", k->key);
		return -EINVAL;
	}
	free(*(char **)field);
	*(char **)field = xstrdup(v->str);
	return 0;
}

int config_validate(const struct config *cfg, struct strbuf *err)
{
	if (cfg->context_snapshots_per_dump > cfg->ring_buffer_capacity) {
		strbuf_addf(
			err,
			"context_snapshots_per_dump (%d) is larger than ring_buffer_capacity (%d)",
			cfg->context_snapshots_per_dump, cfg->ring_buffer_capacity);
		return -EINVAL;
	}
	return 0;
}

int config_parse(struct config *cfg, const char *path, const char *text, size_t len,
		 struct strbuf *err)
{
	struct toml_doc doc = { 0 };
	struct strbuf msg = STRBUF_INIT;
	struct config tmp;
	char perr[256];
	int line = 0, ret;

	config_copy(&tmp, cfg);
	ret = toml_parse(text, len, &doc, perr, sizeof(perr), &line);
	if (ret < 0) {
		strbuf_adds(&msg, perr);
		goto out;
	}
	for (size_t i = 0; i < doc.ntables; i++) {
		if (!known_section(doc.tables[i])) {
			line = doc.table_lines[i];
			strbuf_addf(&msg, "unknown section [%s]", doc.tables[i]);
			ret = -EINVAL;
			goto out;
		}
	}
	for (size_t i = 0; i < doc.n; i++) {
		const struct toml_kv *kv = &doc.kv[i];
		const struct key_def *k = find_key(kv->table, kv->key);

		line = kv->line;
		if (!k) {
			const struct key_def *other = find_key_anywhere(kv->key);

			if (other)
				strbuf_addf(&msg, "key '%s' belongs in [%s], not %s%s%s", kv->key,
					    other->section, kv->table[0] ? "[" : "the top level",
					    kv->table, kv->table[0] ? "]" : "");
			else
				strbuf_addf(&msg, "unknown key '%s'%s%s%s", kv->key,
					    kv->table[0] ? " in [" : "", kv->table,
					    kv->table[0] ? "]" : "");
			ret = -EINVAL;
			goto out;
		}
		ret = set_key(&tmp, k, &kv->val, &msg);
		if (ret < 0)
			goto out;
	}
	line = 0;
	ret = config_validate(&tmp, &msg);
out:
	if (ret < 0) {
		if (line > 0)
			strbuf_addf(err, "%s:%d: %s", path, line, strbuf_str(&msg));
		else
			strbuf_addf(err, "%s: %s", path, strbuf_str(&msg));
		config_release(&tmp);
	} else {
		config_release(cfg);
		*cfg = tmp;
	}
	strbuf_release(&msg);
	toml_doc_release(&doc);
	return ret;
}

int config_load_file(struct config *cfg, const char *path, struct strbuf *err)
{
	char *text;
	size_t len;
	int ret = file_read_all(path, 1 << 20, &text, &len);

	if (ret < 0) {
		strbuf_addf(err, "cannot read '%s': %s", path, file_strerror(ret));
		return ret;
	}
	ret = config_parse(cfg, path, text, len, err);
	free(text);
	return ret;
}

char *config_find(const char *explicit_path)
{
	const char *home = getenv("HOME");
	char *p;

	if (explicit_path)
		return xstrdup(explicit_path);
	if (access("/etc/spiketrace/config.toml", F_OK) == 0)
		return xstrdup("/etc/spiketrace/config.toml");
	if (home && *home) {
		p = xasprintf("%s/.config/spiketrace/config.toml", home);
		if (access(p, F_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

void config_dump_toml(const struct config *cfg, struct strbuf *out)
{
	const char *cur = NULL;

	strbuf_adds(out, "# spiketrace configuration: every key with its default value.\n"
			 "# Search order: --config FILE, /etc/spiketrace/config.toml,\n"
			 "# ~/.config/spiketrace/config.toml, then these compiled-in defaults.\n");
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key_def *k = &keys[i];
		const void *field = (const char *)cfg + k->off;

		if (!cur || strcmp(cur, k->section)) {
			cur = k->section;
			strbuf_addf(out, "\n[%s]\n", cur);
		}
		strbuf_addf(out, "# %s\n%s = ", k->help, k->key);
		switch (k->type) {
		case K_DOUBLE: {
			double d = *(const double *)field;

			if (d == floor(d) && fabs(d) < 1e15)
				strbuf_addf(out, "%.1f\n", d);
			else
				strbuf_addf(out, "%g\n", d);
			break;
		}
		case K_INT:
			strbuf_addf(out, "%d\n", *(const int *)field);
			break;
		case K_BOOL:
			strbuf_addf(out, "%s\n", *(const bool *)field ? "true" : "false");
			break;
		case K_STRING:
		case K_LOGLEVEL:
		case K_OPT_FILE:
			json_quote(out, *(char *const *)field, strlen(*(char *const *)field));
			strbuf_addc(out, '\n');
			break;
		case K_IFLIST: {
			const char *p = *(char *const *)field;

			strbuf_addc(out, '[');
			while (*p) {
				const char *comma = strchr(p, ',');
				size_t len = comma ? (size_t)(comma - p) : strlen(p);

				json_quote(out, p, len);
				p += len;
				if (*p == ',') {
					strbuf_adds(out, ", ");
					p++;
				}
			}
			strbuf_adds(out, "]\n");
			break;
		}
		case K_SCOPE:
			strbuf_addf(out, "\"%s\"\n",
				    config_scope_name(*(const enum cooldown_scope *)field));
			break;
		case K_PSOURCE:
			strbuf_addf(out, "\"%s\"\n",
				    config_process_source_name(*(const enum process_source *)field));
			break;
		case K_STRLIST: {
			const struct strlist *l = field;

			strbuf_addc(out, '[');
			for (size_t j = 0; j < l->n; j++) {
				if (j)
					strbuf_adds(out, ", ");
				json_quote(out, l->v[j], strlen(l->v[j]));
			}
			strbuf_adds(out, "]\n");
			break;
		}
		case K_INTLIST: {
			const struct intlist *l = field;

			strbuf_addc(out, '[');
			for (size_t j = 0; j < l->n; j++)
				strbuf_addf(out, "%s%d", j ? ", " : "", l->v[j]);
			strbuf_adds(out, "]\n");
			break;
		}
		}
	}
}
