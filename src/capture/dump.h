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
 * Reduces s's processes to those a dump of it can show: the first
 * top_processes_stored by CPU, by RSS and by I/O (all when that is 0).
 * A dump of s written afterwards is the same as before; snapshot_process_count
 * is kept. The array keeps its size (ring_pack gives it back).
 */
void dump_keep_shown(struct snapshot *s, const struct config *cfg);

struct json_writer;
/* Writes one value (an object, or null) for a section of the dump. */
typedef void (*dump_section_fn)(struct json_writer *w, void *arg);

/*
 * A dump being put together: each snapshot is rendered when it is added (a
 * diagnostic episode adds its fast samples after the trigger's, long after
 * the context has left the ring), and the whole can be written out at any
 * point (at the trigger, and again when the episode ends).
 */
struct dump_draft {
	struct trigger_list triggers; /* copies, holding their own cmdline references */
	struct strbuf *snaps;	      /* rendered snapshots, oldest first */
	size_t nsnaps, cap;
	size_t trigger_index; /* of the snapshot the triggers fired on */
	uint64_t trig_seq, trig_mono_ns, trig_real_ns;
	char name[128]; /* the file name (dump_file_name of the primary trigger) */
};

/* Starts a draft for triggers with the newest cfg->context_snapshots_per_dump snapshots of ring
 * (the newest is the one the triggers fired on). */
void dump_draft_begin(struct dump_draft *d, const struct trigger_list *triggers,
		      const struct ring *ring, const struct config *cfg);
/* Adds a snapshot taken after the trigger's. */
void dump_draft_add(struct dump_draft *d, const struct snapshot *s, const struct config *cfg);
/* Appends the dump's JSON to out; diagnosis (NULL: null) writes the "diagnosis" value. */
void dump_draft_render(const struct dump_draft *d, const struct config *cfg,
		       const struct host_info *host, dump_section_fn diagnosis, void *arg,
		       struct strbuf *out);
void dump_draft_release(struct dump_draft *d);

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
