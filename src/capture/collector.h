/* collector.h - pluggable sources of snapshot data: a const ops table each (htop meter style). */
#ifndef SPIKETRACE_CAPTURE_COLLECTOR_H
#define SPIKETRACE_CAPTURE_COLLECTOR_H

#include "capture/snapshot.h"
#include "sys/procfs.h"

struct config;

/* Per second of a kernel counter over dt seconds; 0 when it went back (a device or interface
 * re-created under the same name starts its counters again) or no time passed. */
static inline double counter_rate(uint64_t now, uint64_t before, double dt)
{
	return dt > 0 && now >= before ? (double)(now - before) / dt : 0;
}

struct collector_env {
	struct procfs *pf;	  /* the /proc tree (borrowed) */
	const struct config *cfg; /* the configuration at start (PSI trigger lines) */
	long ticks_per_sec;	  /* USER_HZ */
	int max_open_fds;	  /* fds a collector may keep open across samples */
};

struct collector_ops {
	const char *name;
	/* Allocates the collector's state into *state; 0 or a negative errno. */
	int (*open)(void **state, const struct collector_env *env);
	/*
	 * Fills its part of snap (whose real_ns/mono_ns/boot_ns/elapsed_s are set)
	 * and may look at prev, the previous snapshot or NULL. Data that cannot be
	 * read is left zero; a negative errno only for a failure of the source itself.
	 */
	int (*sample)(void *state, struct snapshot *snap, const struct snapshot *prev);
	void (*close)(void *state);
	/*
	 * Optional: an fd the event loop watches between samples (-1: none), and
	 * what to do when it is readable (e.g. read a short-lived process's
	 * command line at its exec, before it is gone). ready returns true to
	 * have a sample taken now rather than at the next tick (a PSI stall).
	 */
	int (*poll_fd)(void *state);
	bool (*ready)(void *state);
};

extern const struct collector_ops system_collector;   /* /proc/stat, meminfo, loadavg, PSI */
extern const struct collector_ops process_collector;  /* every /proc/PID */
extern const struct collector_ops exits_collector;    /* taskstats exits + exec-time cmdlines */
extern const struct collector_ops psi_collector;      /* PSI stall triggers, sampled at once */
extern const struct collector_ops net_collector;      /* /proc/net/dev + the anomaly monitor */
extern const struct collector_ops disk_collector;     /* /proc/diskstats whole disks */
extern const struct collector_ops security_collector; /* exec checks, maps, miner windows */

#endif
