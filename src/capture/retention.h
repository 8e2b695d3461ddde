/* retention.h - keeps the dump directory within count, size and age limits. */
#ifndef SPIKETRACE_CAPTURE_RETENTION_H
#define SPIKETRACE_CAPTURE_RETENTION_H

#include <stdint.h>

struct retention_policy {
	long max_dumps;		  /* 0 = no limit */
	uint64_t max_total_bytes; /* 0 = no limit */
	uint64_t max_age_ns;	  /* 0 = no limit */
};

struct retention_result {
	long kept, deleted;
	uint64_t kept_bytes;
};

/*
 * Deletes the oldest dumps (files named spike_*.json, ordered by name, which is
 * by time) in dirfd until the policy holds; age is judged by mtime against
 * now_real_ns. Other files are never touched. Returns 0 or a negative errno.
 */
int retention_enforce(int dirfd, const struct retention_policy *p, uint64_t now_real_ns,
		      struct retention_result *res);

#endif
