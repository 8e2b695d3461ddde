/* capture.h - the spike-capture engine: collectors -> ring -> detectors -> dump writer, on one
 * loop. */
#ifndef SPIKETRACE_CAPTURE_CAPTURE_H
#define SPIKETRACE_CAPTURE_CAPTURE_H

#include <stdint.h>

#include "base/strbuf.h"
#include "capture/config.h"

struct capture;

/*
 * Builds the engine for cfg (copied) reading the proc tree at proc_root.
 * Returns NULL and a one-line message in err when a source cannot be opened.
 */
struct capture *capture_new(const struct config *cfg, const char *proc_root, struct strbuf *err);
/* Writes what is queued, then frees everything. NULL is a no-op. */
void capture_free(struct capture *c);

/* Takes one sample now, runs the detectors and queues a dump if anything fired. */
int capture_sample(struct capture *c);

/* Builds a fresh configuration on SIGHUP; 0, or -EINVAL with a message in err. */
typedef int (*capture_reload_fn)(struct config *out, struct strbuf *err, void *arg);

/*
 * Samples every cfg->sampling_interval_seconds until SIGTERM or SIGINT (or
 * max_samples samples when > 0). SIGHUP calls reload: a good configuration is
 * applied from the next sample on; a bad one is logged and the old one stays.
 * Returns 0, or a negative errno when the event loop cannot run.
 */
int capture_run(struct capture *c, long max_samples, capture_reload_fn reload, void *reload_arg);

struct capture_stats {
	uint64_t samples, triggers, dumps_written, dumps_failed, dumps_deleted;
	uint64_t last_sample_ns; /* wall time the last sample took */
	uint64_t episodes;	 /* diagnostic mode episodes started */
	double diagnostic_seconds; /* time spent in diagnostic mode */
	size_t last_nprocs;
};
struct capture_stats capture_get_stats(struct capture *c);

#endif
