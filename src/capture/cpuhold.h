/* cpuhold.h - how long a process held a CPU, for the miner rule: its CPU demand (run + run-queue
 * wait) over a window, and its busy stretches added up over a longer horizon. Pure. */
#ifndef SPIKETRACE_CAPTURE_CPUHOLD_H
#define SPIKETRACE_CAPTURE_CPUHOLD_H

#include <stdbool.h>
#include <stdint.h>

/* The horizon busy stretches are added up over, in windows. */
#define CPUHOLD_HORIZON_WINDOWS 10
/* History points: the window in 8 steps; the horizon in steps of one window. */
#define CPUHOLD_WIN_STEPS 8
#define CPUHOLD_NWIN	  (CPUHOLD_WIN_STEPS + 2)
#define CPUHOLD_NHOR	  (CPUHOLD_HORIZON_WINDOWS + 1)

/* The running sums at one moment, ms (wrapping: only differences are used). */
struct cpuhold_point {
	uint64_t t_ns; /* monotonic */
	uint32_t run_ms, wait_ms, busy_ms;
};

/*
 * One process's history, zeroed at first sight (embedded, no allocation). Demand is what it
 * ran plus what it waited runnable on a run queue: a busy loop on a loaded host runs a
 * fraction of the time but demands a whole CPU. Busy is the demand of the intervals whose
 * demand was at or above the line: a miner that throttles itself (busy, idle, busy) adds up.
 */
struct cpuhold {
	uint64_t run_ns, wait_ns, busy_ns; /* since first sight */
	struct cpuhold_point win[CPUHOLD_NWIN], hor[CPUHOLD_NHOR];
	unsigned nwin, nhor;
};

/*
 * Adds one interval of dt_s seconds ending at now_ns, in which the process ran run_s CPU
 * seconds (all threads) and waited wait_s seconds for a CPU; line_pct (% of one CPU) decides
 * whether the interval was busy, window_s sets the history's steps. dt_s <= 0 only records
 * the moment (a first sight: its figures are a lifetime's, not an interval's).
 */
void cpuhold_add(struct cpuhold *h, uint64_t now_ns, double dt_s, double run_s, double wait_s,
		 double line_pct, double window_s);

/* What cpuhold_judge found. */
struct cpuhold_verdict {
	bool bursts;	 /* held through busy stretches over the horizon, not steadily */
	double pct;	 /* demand % of one CPU: over the window; bursts: busy over one window */
	double run_pct;	 /* over the window: the part it ran ... */
	double wait_pct; /* ... and the part it waited for a CPU */
	double busy_s;	 /* bursts: busy demand over span_s */
	double span_s;	 /* bursts: the part of the horizon observed */
};

/*
 * Whether the process held a CPU: its demand over the last window_s (observed that long)
 * was at least line_pct, or its busy stretches over the horizon (as much of
 * CPUHOLD_HORIZON_WINDOWS windows as was observed, a window at least) add up to what that
 * holds in one window (window_s x line_pct / 100 seconds). Fills *v either way.
 */
bool cpuhold_judge(const struct cpuhold *h, uint64_t now_ns, double line_pct, double window_s,
		   struct cpuhold_verdict *v);

#endif
