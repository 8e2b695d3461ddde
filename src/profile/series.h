/* series.h - the time series of one process (or its whole tree) read from /proc: CPU, RSS, I/O. */
#ifndef SPIKETRACE_PROFILE_SERIES_H
#define SPIKETRACE_PROFILE_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct procfs;

/*
 * The series of a profile: one sample per series_sample() call after the
 * first, each with totals over the profiled processes and one row per
 * process. Everything is kept in memory until series_free (a profile lasts
 * minutes: 10 minutes at 100 ms with 50 processes is about 30 MB of rows).
 * Not thread-safe.
 */
struct series;

/* Spikes are samples whose cpu_pct is above mean + SERIES_SPIKE_Z standard deviations. */
#define SERIES_SPIKE_Z 3.0

/* One process in one sample. Counters are what happened during the interval. */
struct series_row {
	int pid, ppid;
	char comm[16];
	double cpu_pct;		     /* % of ONE CPU over the interval (4 busy threads: ~400) */
	uint64_t rss_kib;	     /* resident set at the sample, KiB (0 for a zombie) */
	uint32_t threads;	     /* threads at the sample */
	uint64_t read_bytes;	     /* PID/io read_bytes: fetched from storage, bytes */
	uint64_t write_bytes;	     /* PID/io write_bytes: sent towards storage, bytes */
	uint64_t rchar, wchar;	     /* PID/io rchar/wchar: read()/write() and friends, bytes */
	uint64_t voluntary_ctxsw;    /* PID/status voluntary_ctxt_switches */
	uint64_t nonvoluntary_ctxsw; /* PID/status nonvoluntary_ctxt_switches */
	bool io_denied;		     /* PID/io unreadable (EACCES): the four I/O counters are 0 */
};

/* One sample: sums over its rows. */
struct series_sample {
	double t;		   /* seconds since the first series_sample() call */
	double interval_s;	   /* seconds since the previous call */
	uint64_t mono_ns, real_ns; /* the clocks the caller passed */
	double cpu_pct;		   /* sum of the rows' cpu_pct */
	uint64_t rss_kib;	   /* sum of the rows' rss_kib */
	uint32_t threads;	   /* sum of the rows' threads */
	uint32_t processes;	   /* rows in this sample */
	uint64_t read_bytes, write_bytes, rchar, wchar; /* sums, bytes during the interval */
	uint64_t voluntary_ctxsw, nonvoluntary_ctxsw;	/* sums, switches during the interval */
	bool io_denied;					/* some row had io_denied */
	size_t first_row; /* its rows: series_rows()[first_row..+processes) */
};

/* Every process that was ever profiled, in the order first seen; the root is always [0]. */
struct series_proc {
	int pid, ppid;		/* ppid as last seen (an orphan shows its new parent) */
	char comm[16];		/* as last seen (follows exec) */
	double first_t, last_t; /* t of its first and last row; -1 while it has none */
	size_t rows;		/* samples it has a row in */
	double cpu_avg_pct;	/* CPU time over the time it was observed, % of one CPU */
	double cpu_max_pct;
	uint64_t rss_max_kib;
	uint32_t threads_max;
	uint64_t read_bytes, write_bytes; /* totals over its rows */
	bool ended;			  /* exited (or its pid was reused) during the profile */
	bool io_denied;			  /* PID/io was unreadable at least once */
};

/* Things about the whole series. */
struct series_info {
	pid_t root;
	bool children;		  /* descendants are profiled too */
	bool started;		  /* the first call was made */
	uint64_t start_mono_ns;	  /* the clocks of the first call */
	uint64_t start_real_ns;	  /* ns since the epoch */
	const char *root_cmdline; /* the root's cmdline (re-read after an exec); "" unknown */
	bool io_denied;		  /* some PID/io was unreadable: I/O figures are incomplete */
};

/* Statistics of a whole series (series_summary). */
struct series_spike {
	size_t sample; /* index in series_samples() */
	double t;
	double cpu_pct;
	double z; /* standard deviations above the mean */
};

struct series_summary {
	size_t sample_count;
	double duration_s; /* t of the last sample, 0 without samples */
	double cpu_avg_pct, cpu_max_pct, cpu_p50_pct, cpu_p95_pct, cpu_p99_pct;
	double cpu_stddev_pct; /* population standard deviation of the samples' cpu_pct */
	double rss_avg_kib;
	uint64_t rss_max_kib, rss_p50_kib, rss_p95_kib, rss_p99_kib;
	uint32_t threads_max;
	uint32_t processes_max;
	uint64_t read_bytes, write_bytes;	      /* totals over the samples */
	uint64_t voluntary_ctxsw, nonvoluntary_ctxsw; /* totals over the samples */
	struct series_spike *spikes;		      /* owned: series_summary_release */
	size_t nspikes;
};

/*
 * A new series of process root read through pf (borrowed: it must outlive
 * the series). With children, every descendant of root is profiled too:
 * processes forked by a profiled process join at the next sample (even after
 * their parent exits and they are reparented), and leave when they exit.
 */
struct series *series_new(struct procfs *pf, pid_t root, bool children);
void series_free(struct series *s); /* NULL is a no-op */

/*
 * Reads /proc once. The first call only takes the starting counters (t = 0
 * is then, no sample is recorded); each later call records one sample of the
 * processes read, with CPU% and the counters over the time since the previous
 * call (mono_ns; real_ns is stored alongside). A process first seen after the
 * first call is counted from its start: it began during the interval. A
 * zombie is read one last time (its final CPU ticks) and then ends; the
 * ticks of a process that was reaped before a sample saw it dead are lost
 * (they went to its parent's cutime), as are those of processes that lived
 * and died between two samples.
 *
 * Returns 0 while some profiled process is alive after the call, -ESRCH when
 * none is (the root is gone and, with children, no descendant is left; a
 * sample with their last figures may still have been recorded), or another
 * negative errno when /proc could not be listed.
 */
int series_sample(struct series *s, uint64_t mono_ns, uint64_t real_ns);

/* The samples in time order (valid until the next series_sample); *n gets their count. */
const struct series_sample *series_samples(const struct series *s, size_t *n);
/* Every row of every sample (struct series_sample.first_row indexes it); same validity. */
const struct series_row *series_rows(const struct series *s, size_t *n);
/* Every process ever profiled, the root first; same validity. */
const struct series_proc *series_procs(const struct series *s, size_t *n);
/* Fills *info; the strings live until the next series_sample or series_free. */
void series_get_info(const struct series *s, struct series_info *info);

/*
 * Statistics of the samples so far: averages, maxima, nearest-rank
 * percentiles, and the spikes (cpu_pct above mean + SERIES_SPIKE_Z standard
 * deviations of all samples; none when the deviation is 0). out->spikes is
 * allocated: release it with series_summary_release.
 */
void series_summary(const struct series *s, struct series_summary *out);
void series_summary_release(struct series_summary *sum); /* frees spikes, zeroes *sum */

#endif
