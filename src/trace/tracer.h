/* tracer.h - a trace session: the engine wired to its sinks (lines, JSON, statistics, summary). */
#ifndef SPIKETRACE_TRACE_TRACER_H
#define SPIKETRACE_TRACE_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "trace/engine.h"
#include "trace/systab.h"

struct tracer_opts {
	char *const *argv; /* the command, or NULL with pids */
	pid_t *pids;
	size_t npids;
	bool verbose;	/* one strace-like line per syscall */
	bool json;	/* NDJSON events instead of text */
	bool stats;	/* the per-syscall table at the end */
	bool no_filter; /* show /proc, /sys, /dev, the linker, libraries and loopback too */
	bool faults;    /* sample minor page faults (perf_event_open) into the summary */
	bool same_cpu;
	bool filtered; /* -e trace= given: only those syscalls stop */
	uint8_t set[SYSTAB_SET_BYTES];
	double anomaly_z; /* <= 0: off */
	unsigned strsize; /* bytes of strings and buffers shown */
	FILE *out;	  /* where lines, events and tables go */
	enum engine_kind engine; /* --engine: auto (eBPF unless -v or --same-cpu), ptrace, bpf */
};

/*
 * Runs the session to its end. Returns the traced command's exit status as a
 * shell would report it (128 + signal), or a negative errno with *what set
 * when the command could not be started or attached.
 */
int tracer_run(const struct tracer_opts *o, const char **what);

/* Ctrl-C: forwards to the engine (async-signal-safe). */
void tracer_interrupt(bool from_terminal);

#endif
