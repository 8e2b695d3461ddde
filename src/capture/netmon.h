/* netmon.h - the network anomaly monitor (after MicroSentinel's AnomalyMonitor): throughput of the
 * watched interfaces and an optional latency figure, each against an EWMA baseline. Pure logic:
 * the caller reads the files and the clock. */
#ifndef SPIKETRACE_CAPTURE_NETMON_H
#define SPIKETRACE_CAPTURE_NETMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/snapshot.h"
#include "sys/procfs.h"

struct netmon_params {
	double alpha;		 /* EWMA weight of a new reading, (0, 1] */
	double throughput_ratio; /* an event when throughput / baseline falls below this */
	double latency_ratio;	 /* an event when latency / baseline rises above this */
	double min_bytes_per_s;	 /* a throughput baseline below this is too small to judge */
	int warmup;		 /* readings that form a baseline before it is judged against */
	uint64_t refractory_ns;	 /* least time between two events of one kind */
};

/* Monitor state between readings (per-interface baselines, armed flags, last events). */
struct netmon;

struct netmon *netmon_new(void);
void netmon_free(struct netmon *m); /* NULL is a no-op */

/*
 * Whether interface name is watched under list: a comma-separated list of
 * names (as the configuration stores anomaly_interfaces), or "" for every
 * interface except the loopback "lo".
 */
bool netmon_watches(const char *list, const char *name);

/*
 * Feeds one reading of /proc/net/dev taken at now_ns (monotonic). Each watched
 * interface keeps its own EWMA of rx+tx bytes per second; the judged figures
 * are the sums over the interfaces whose baseline has `warmup` readings. An
 * interface that disappears (or whose counters go back: re-created) leaves both
 * sums, so it never reads as a drop to zero. Fires on the crossing below
 * throughput_ratio x baseline when that baseline is at least min_bytes_per_s,
 * at most once per refractory_ns, and re-arms when the ratio recovers. Returns
 * true and fills *ev (subject: the interface that lost most) when it fires.
 * Baselines learn from every reading, after it was judged.
 */
bool netmon_feed_net(struct netmon *m, const struct netmon_params *p, const char *list,
		     const struct net_dev_list *devs, uint64_t now_ns, struct net_event *ev);

/*
 * Feeds one latency reading (µs, e.g. a service's p99) taken at now_ns. Fires
 * when latency / baseline rises above latency_ratio after the warm-up, once per
 * crossing and refractory_ns, like netmon_feed_net().
 */
bool netmon_feed_latency(struct netmon *m, const struct netmon_params *p, double latency_us,
			 uint64_t now_ns, struct net_event *ev);

/* Forgets the latency baseline (the file became unreadable: a new series starts). */
void netmon_reset_latency(struct netmon *m);

/*
 * Parses the content of an anomaly_latency_path file: one non-negative decimal
 * number of microseconds ("1234" or "1234.5"), blanks and newlines around it.
 * Returns 0, or -EINVAL for anything else (empty, text, a sign, inf, hex).
 */
int netmon_parse_latency(const char *buf, size_t len, double *us);

#endif
