/* writer.h - writes dumps off the sampling path: a queue and one writer thread. */
#ifndef SPIKETRACE_CAPTURE_WRITER_H
#define SPIKETRACE_CAPTURE_WRITER_H

#include <stdint.h>

#include "base/strbuf.h"
#include "capture/retention.h"

struct dump_writer;

struct writer_settings {
	const char *dir; /* copied */
	struct retention_policy retention;
	uint64_t min_free_bytes; /* skip a dump while the filesystem has less free space */
};

struct writer_stats {
	uint64_t written, failed, dropped, deleted;
};

/* Starts the writer thread. Returns NULL with errno set when the thread cannot start. */
struct dump_writer *dump_writer_new(const struct writer_settings *s);
/* Applies new settings from the next dump on (e.g. after SIGHUP). */
void dump_writer_configure(struct dump_writer *w, const struct writer_settings *s);
/*
 * Queues a dump named name with the contents of data, whose buffer the writer
 * takes over (data is left empty). Never blocks on the filesystem: when the
 * queue is full the dump is dropped and counted.
 */
void dump_writer_submit(struct dump_writer *w, const char *name, struct strbuf *data);
/* Waits until every queued dump is written or has failed. */
void dump_writer_flush(struct dump_writer *w);
struct writer_stats dump_writer_stats(struct dump_writer *w);
/* Writes what is queued, stops the thread, frees. NULL is a no-op. */
void dump_writer_free(struct dump_writer *w);

#endif
