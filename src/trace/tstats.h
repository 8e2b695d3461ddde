/* tstats.h - per-syscall counts, errors, latency percentiles and latency anomalies. */
#ifndef SPIKETRACE_TRACE_TSTATS_H
#define SPIKETRACE_TRACE_TSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

/*
 * Statistics of the syscalls of a trace, by syscall number. Latencies go to a log-linear
 * histogram per syscall (exact below 128 ns, then 128 sub-buckets per power of two up to 2^37 ns,
 * about 137 s; slower calls count in the top bucket): 16 KiB per syscall seen, whatever the
 * number of calls, and percentiles within 0.4 % of the true value.
 */
struct tstats;

/*
 * Anomalies, as aprender-profile finds them: a call is an anomaly when its latency is more than
 * Z standard deviations above the running mean (Welford) of the earlier calls of its syscall,
 * once that syscall has made min_calls calls. The default Z is aprender-profile's 3.0. The
 * severity scales with the configured Z (at 3.0: low 3-4σ, medium 4-6σ, high 6σ and more):
 *   low:    Z < z < 4Z/3
 *   medium: 4Z/3 <= z < 2Z
 *   high:   z >= 2Z
 * Every call, anomalies included, then feeds the running mean and variance, so a lasting change
 * becomes the new normal. A standard deviation below 5 % of the mean counts as 5 % of the mean:
 * a syscall of perfectly steady latency is not flagged for being a few percent slower.
 */
#define TSTATS_DEFAULT_Z	 3.0
#define TSTATS_DEFAULT_MIN_CALLS 30

enum tstats_severity {
	TSTATS_SEV_NONE = 0,
	TSTATS_SEV_LOW,
	TSTATS_SEV_MEDIUM,
	TSTATS_SEV_HIGH,
};

/* How one call compared with the earlier calls of its syscall. */
struct tstats_anomaly {
	enum tstats_severity severity; /* TSTATS_SEV_NONE: not an anomaly */
	double z;		       /* standard deviations above the mean; 0 before min_calls */
	double mean_ns;		       /* the running mean it was judged against */
	double stddev_ns;	       /* and the standard deviation (after the 5 % floor) */
};

/* The statistics of one syscall (or of all of them: nr -1). */
struct tstats_row {
	long nr;
	uint64_t calls;
	uint64_t errors;    /* calls that returned -errno */
	uint64_t anomalies; /* calls judged anomalous */
	uint64_t total_ns;  /* sum of the latencies */
	uint64_t min_ns, max_ns;
	uint64_t p50_ns, p95_ns, p99_ns;
	double mean_ns, stddev_ns; /* running mean and sample standard deviation */
};

struct tstats *tstats_new(void);
void tstats_free(struct tstats *s); /* NULL is a no-op */

/* Sets the anomaly threshold z (<= 0 turns detection off) and the calls a syscall must have
 * made before any of its calls is judged. Default TSTATS_DEFAULT_Z, TSTATS_DEFAULT_MIN_CALLS. */
void tstats_set_anomaly(struct tstats *s, double z, unsigned min_calls);

/*
 * Counts one call of syscall nr (any number, even one no table names) that took latency_ns and
 * failed when error. Judges it against the earlier calls of nr first: returns true when it is an
 * anomaly, and fills *an (may be NULL) with its z-score and severity either way.
 */
bool tstats_add(struct tstats *s, long nr, uint64_t latency_ns, bool error,
		struct tstats_anomaly *an);

/* Fills *row with the statistics of nr; false (and a zero row) when nr made no call. */
bool tstats_get(const struct tstats *s, long nr, struct tstats_row *row);
/* The pct-th percentile (0 < pct <= 100, nearest rank) of nr's latencies; 0 without calls. */
uint64_t tstats_percentile(const struct tstats *s, long nr, double pct);
/* Fills *row with the statistics of every call together (nr -1). */
void tstats_total(const struct tstats *s, struct tstats_row *row);

/* Calls fn for each syscall that was called, by total time descending (then calls, then number:
 * strace -c's order). row is valid during the call only. */
void tstats_foreach(const struct tstats *s, void (*fn)(const struct tstats_row *row, void *arg),
		    void *arg);

/*
 * Appends a strace -c like table to out: "% time", "seconds", "usecs/call", "calls", "errors"
 * (blank when 0), the p50, p95, p99 and max latencies in human units, and the syscall's name on
 * arch (syscall_NNN when the table has none); a "total" line closes it.
 */
void tstats_render(const struct tstats *s, int arch, struct strbuf *out);

/* "low", "medium", "high" ("none" for TSTATS_SEV_NONE). */
const char *tstats_severity_name(enum tstats_severity sev);

/* Writes ns as a short human duration, three significant digits: "850ns", "12.3µs", "1.20ms",
 * "2.50s". snprintf-like: returns the length of the whole text. */
size_t tstats_fmt_ns(char *buf, size_t len, uint64_t ns);

#endif
