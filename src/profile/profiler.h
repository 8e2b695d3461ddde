/* profiler.h - a profile session: runs or watches a process tree, samples /proc and stacks,
 * reports. */
#ifndef SPIKETRACE_PROFILE_PROFILER_H
#define SPIKETRACE_PROFILE_PROFILER_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct profiler_opts {
	char *const *argv;	   /* the command, or NULL with pid */
	pid_t pid;		   /* attach to this process (never disturbed) */
	double duration_s;	   /* 0: until the command (or the process) ends */
	unsigned interval_ms;	   /* time series interval */
	bool children;		   /* the whole process tree */
	unsigned freq_hz;	   /* stack sampling frequency; 0 = --no-stacks */
	const char *event;	   /* --event, NULL: cpu-clock */
	const char *out;	   /* trace.json path, NULL: none */
	const char *folded;	   /* folded stacks path, NULL: none */
	double fail_above_cpu;	   /* gate: average CPU %, 0 = off */
	double fail_above_rss_mib; /* gate: max RSS, 0 = off */
	const char *baseline;	   /* gate: an earlier trace.json */
	double max_regress_pct;	   /* gate: allowed increase over the baseline (with baseline) */
	bool live;		   /* the status line (on stdout, when it is a terminal) */
	FILE *report;		   /* the terminal summary (stdout) */
};

/* Exit codes of `spiketrace profile` beyond 0/1/2. */
#define PROFILE_EXIT_GATE 3

/*
 * Runs the profile to its end (the command exits, the process is gone,
 * --duration, or profiler_stop). Returns 0, PROFILE_EXIT_GATE when a gate
 * limit was exceeded, or a negative errno with *what naming the failed step
 * (NULL when the reason was already printed).
 */
int profiler_run(const struct profiler_opts *o, const char **what);

/*
 * Ctrl-C before the profile's event loop runs (async-signal-safe): the loop
 * then does not start, and the outputs are still written. Once it runs, the
 * loop takes SIGINT and SIGTERM itself (blocked, read from a signalfd).
 */
void profiler_stop(void);

#endif
