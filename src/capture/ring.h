/* ring.h - the in-memory history: the last N snapshots, storage reused in place. */
#ifndef SPIKETRACE_CAPTURE_RING_H
#define SPIKETRACE_CAPTURE_RING_H

#include <stddef.h>

#include "capture/snapshot.h"

struct ring;

struct ring *ring_new(size_t capacity);
void ring_free(struct ring *r); /* NULL is a no-op */

/*
 * The slot the next snapshot is written into: the oldest one, cleared (its
 * arrays kept for reuse). It only becomes part of the history with ring_commit.
 */
struct snapshot *ring_next_slot(struct ring *r);
void ring_commit(struct ring *r);

size_t ring_len(const struct ring *r);
size_t ring_capacity(const struct ring *r);
/* The i-th snapshot counting back from the newest (0 = newest); NULL past the history. */
const struct snapshot *ring_back(const struct ring *r, size_t i);
/* The same, writable (the owner trims snapshots it no longer needs whole). */
struct snapshot *ring_back_mut(struct ring *r, size_t i);
/*
 * s (a committed snapshot of r) will not gain processes again: its process
 * array moves to one of just its size, and the large one is kept for the next
 * slot. Shrinking arrays in place would leave a hole per snapshot in the heap.
 */
void ring_pack(struct ring *r, struct snapshot *s);
/* Changes the capacity, keeping the newest snapshots that still fit. */
void ring_resize(struct ring *r, size_t capacity);

#endif
