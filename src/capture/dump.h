/* dump.h - the spike dump: versioned JSON with the trigger and the snapshots before it. */
#ifndef SPIKETRACE_CAPTURE_DUMP_H
#define SPIKETRACE_CAPTURE_DUMP_H

#include <stddef.h>

#include "base/strbuf.h"
#include "capture/config.h"
#include "capture/detect.h"
#include "capture/ring.h"

#define DUMP_SCHEMA_VERSION 1

/* Facts about the host written into every dump. */
struct host_info {
	char hostname[256];
	char kernel[128];
	int ncpu;
	long ticks_per_sec;
};

void host_info_read(struct host_info *h);

/*
 * Renders the dump for triggers (the first is the primary one; at least one)
 * using the newest cfg->context_snapshots_per_dump snapshots of ring (the
 * newest is the one the triggers fired on) into out (appended).
 */
void dump_render(struct strbuf *out, const struct trigger_list *triggers, const struct ring *ring,
		 const struct config *cfg, const struct host_info *host);

/* "spike_20261121T215223.123Z_cpu_delta_1234.json": sorts by time; into buf. */
void dump_file_name(const struct trigger *t, char *buf, size_t len);

#endif
