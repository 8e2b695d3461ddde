/* human.h - numbers for people: byte counts in binary units. */
#ifndef SPIKETRACE_BASE_HUMAN_H
#define SPIKETRACE_BASE_HUMAN_H

#include <stddef.h>
#include <stdint.h>

/* "517 B", "1.4 KiB", "12.0 MiB" ... (1024-based) into buf; returns buf. */
char *human_bytes(uint64_t bytes, char *buf, size_t len);

#endif
