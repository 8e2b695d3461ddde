/* bpf_stratum.h - the stratum watch: JSON-RPC calls on the TCP sockets of a few watched processes
 * (src/bpf/stratum.bpf.c), its syscall tracepoints attached only while something is watched. */
#ifndef SPIKETRACE_SYS_BPF_STRATUM_H
#define SPIKETRACE_SYS_BPF_STRATUM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/strbuf.h"
#include "bpf/stratum.h"

struct bpf_stratum;

/*
 * Loads the watch (build/bpf/stratum.skel.h, CO-RE) without attaching it. Returns 0 with
 * *out set, or a negative errno with a one-line reason appended to why. libbpf's own output
 * is shown only at log level debug.
 */
int bpf_stratum_new(struct bpf_stratum **out, struct strbuf *why);
void bpf_stratum_free(struct bpf_stratum *bs); /* NULL is a no-op; detaches */

/*
 * Watches process tgid: its payloads are looked at from now on. The tracepoints (a cost on
 * every system call of the host while attached) are attached with the first process
 * watched. 0, -ENOSPC when STRATUM_MAX_WATCHED are, or a negative errno.
 */
int bpf_stratum_watch(struct bpf_stratum *bs, int tgid);
/* Stops watching tgid (no-op when not watched); the last one detaches the tracepoints (a
 * thread of its own closes them: that waits for the kernel's grace periods). */
void bpf_stratum_unwatch(struct bpf_stratum *bs, int tgid);
/* How many processes are watched; whether the tracepoints are attached. */
size_t bpf_stratum_nwatched(const struct bpf_stratum *bs);
bool bpf_stratum_attached(const struct bpf_stratum *bs);
/* Waits until a detach in progress is done: the programs no longer run (free waits too). */
void bpf_stratum_settle(struct bpf_stratum *bs);

typedef void (*bpf_stratum_fn)(void *arg, const struct stratum_event *ev);
/*
 * Hands every event since the last call to fn (ev valid during the call only) and refills
 * the watched processes' event budgets. Returns the number of events or a negative errno.
 */
int bpf_stratum_poll(struct bpf_stratum *bs, bpf_stratum_fn fn, void *arg);

#endif
