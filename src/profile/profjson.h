/* profjson.h - the profile's trace.json (writer and baseline reader) and the CI gate. */
#ifndef SPIKETRACE_PROFILE_PROFJSON_H
#define SPIKETRACE_PROFILE_PROFJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "profile/series.h"

/* The trace.json version written; readers refuse newer ones (docs/profile.md). */
#define PROFJSON_SCHEMA_VERSION 1

/* One folded stack: frames root first, joined by ';' ("main;work;hot"). */
struct profile_stack {
	const char *stack;
	uint64_t count; /* samples */
};

/* One line of a top-functions table. */
struct profile_func {
	const char *function;
	uint64_t samples;
	double percent;	  /* of stacks.sample_count */
	const char *file; /* source file of its hottest line (DWARF), NULL: unknown */
	int line;	  /* that line, with file */
};

/*
 * The stack profile as plain arrays, so that this module needs nothing of the
 * sampler. Everything is borrowed for the duration of profjson_write.
 */
struct profile_stacks {
	double frequency_hz;   /* sampling frequency asked for */
	uint64_t sample_count; /* stacks sampled */
	uint64_t lost;	       /* samples the kernel reported lost */
	const char *event;     /* "cpu-clock" or the --event used; NULL: "cpu-clock" */
	const char *note;      /* e.g. why hardware events are unavailable; NULL: no note */
	const struct profile_stack *folded;
	size_t nfolded;
	const struct profile_func *top_self; /* by self samples, descending */
	size_t ntop_self;
	const struct profile_func
		*top_total; /* by samples with the function anywhere in the stack */
	size_t ntop_total;
};

/*
 * What trace.json is written from; the caller fills it, everything borrowed.
 * The session id and start time come from the series' first sample call.
 */
struct profile_report {
	const struct series *series;	      /* the time series (required) */
	const struct series_summary *summary; /* series_summary() of it (required) */
	double duration_s;		      /* seconds profiled; <= 0: summary->duration_s */
	double interval_s;		      /* the sampling interval asked for (--interval) */
	bool has_exit;			      /* the command ended and was reaped (not with -p) */
	int wait_status;		      /* then: its status as waitpid() gave it */
	char *const *command;		      /* argv of `-- CMD`, NULL-terminated; NULL with -p */
	const struct profile_stacks *stacks;  /* NULL: "stacks": null (--no-stacks, or failed) */
};

/*
 * Appends the trace.json of r to out (pretty-printed, one sample per line,
 * ending in a newline). Keys and shapes are described in docs/profile.md and
 * docs/profile.schema.json; "children" is an array when the series follows
 * children, else null.
 */
void profjson_write(struct strbuf *out, const struct profile_report *r);

/* What the gate compares with: the summary of an earlier trace.json. */
struct profile_baseline {
	int schema_version; /* 0: a CPUTrace Studio trace.json (no schema_version) */
	double cpu_avg_pct, cpu_max_pct, cpu_p95_pct;
	uint64_t rss_max_kib;
	double duration_s;
	uint64_t sample_count;
};

/*
 * Reads the summary of the trace.json at path into *b. Files without
 * schema_version are read as CPUTrace Studio traces when they have its
 * summary and samples (p95 and the RSS maximum are then taken from the
 * samples). Returns 0, or a negative errno with one line appended to err:
 * "cannot read 'PATH': REASON" (the errno of the read), "'PATH' is not valid
 * JSON: line N: REASON", "'PATH' is not a spiketrace profile (...)",
 * "'PATH': schema_version N is newer than this spiketrace reads (1)", or
 * "'PATH': missing or invalid 'summary.cpu_avg_percent'" (-EINVAL for these).
 */
int profjson_read_summary(const char *path, struct profile_baseline *b, struct strbuf *err);

/* Limits of the CI gate; a negative value turns that check off (GATE_LIMITS_INIT: all off). */
struct gate_limits {
	double cpu_avg_pct; /* --fail-above-cpu: the average CPU must not exceed it */
	double rss_max_mib; /* --fail-above-rss: the peak RSS must not exceed it, MiB */
	double regress_pct; /* --max-regress: CPU avg and RSS max may grow this much (%) */
};

#define GATE_LIMITS_INIT                                                                           \
	{                                                                                          \
		.cpu_avg_pct = -1, .rss_max_mib = -1, .regress_pct = -1                            \
	}

/*
 * Below these absolute differences a regression never fails: an idle program
 * at 0.2 % and then 0.5 % CPU grew 150 % but not in any way that matters.
 */
#define GATE_REGRESS_MIN_CPU_PCT 1.0  /* percentage points of one CPU */
#define GATE_REGRESS_MIN_RSS_KIB 1024 /* KiB */

/*
 * Checks now against the limits (and base, which may be NULL: the regression
 * checks then do not run) and appends a table to table, one row per check
 * run with the metric, the baseline value, now, the change, the limit and
 * OK or FAIL; nothing when no check is on. Returns the number of failed
 * checks (`spiketrace profile` then exits 3).
 */
int profjson_gate(const struct series_summary *now, const struct profile_baseline *base,
		  const struct gate_limits *lim, struct strbuf *table);

#endif
