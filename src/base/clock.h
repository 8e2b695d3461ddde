/* clock.h - time sources and timestamp formatting. */
#ifndef SPIKETRACE_BASE_CLOCK_H
#define SPIKETRACE_BASE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define NSEC_PER_SEC 1000000000ULL

uint64_t clock_mono_ns(void); /* CLOCK_MONOTONIC */
uint64_t clock_real_ns(void); /* CLOCK_REALTIME, ns since the epoch */

/* "2026-11-21T21:52:23.123Z" (ISO 8601, UTC, milliseconds) into buf; returns buf. */
char *clock_fmt_iso(uint64_t real_ns, char *buf, size_t len);
/* "20261121T215223.123Z": sortable and safe in file names; returns buf. */
char *clock_fmt_compact(uint64_t real_ns, char *buf, size_t len);

#endif
