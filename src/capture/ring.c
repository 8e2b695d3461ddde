/* ring.c - fixed-capacity ring of snapshots. */
#include "capture/ring.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct ring {
	struct snapshot *slots; /* cap + 1: one spare slot being filled */
	size_t cap;
	size_t head; /* index of the slot the next snapshot goes to */
	size_t len;  /* committed snapshots, <= cap */
	struct proc_sample *spare; /* a large process array from ring_pack, for the next slot */
	size_t spare_cap;
};

struct ring *ring_new(size_t capacity)
{
	struct ring *r = xcalloc(1, sizeof(*r));

	r->cap = capacity ? capacity : 1;
	r->slots = xcalloc(r->cap + 1, sizeof(*r->slots));
	return r;
}

void ring_free(struct ring *r)
{
	if (!r)
		return;
	for (size_t i = 0; i <= r->cap; i++)
		snapshot_release(&r->slots[i]);
	free(r->slots);
	free(r->spare);
	free(r);
}

struct snapshot *ring_next_slot(struct ring *r)
{
	struct snapshot *s = &r->slots[r->head];

	snapshot_clear(s);
	if (r->spare && r->spare_cap > s->procs_cap) {
		free(s->procs);
		s->procs = r->spare;
		s->procs_cap = r->spare_cap;
		r->spare = NULL;
	}
	return s;
}

void ring_commit(struct ring *r)
{
	r->head = (r->head + 1) % (r->cap + 1);
	if (r->len < r->cap)
		r->len++;
}

size_t ring_len(const struct ring *r)
{
	return r->len;
}

size_t ring_capacity(const struct ring *r)
{
	return r->cap;
}

const struct snapshot *ring_back(const struct ring *r, size_t i)
{
	size_t n = r->cap + 1;

	if (i >= r->len)
		return NULL;
	return &r->slots[(r->head + n - 1 - i) % n];
}

struct snapshot *ring_back_mut(struct ring *r, size_t i)
{
	return (struct snapshot *)ring_back(r, i);
}

void ring_pack(struct ring *r, struct snapshot *s)
{
	struct proc_sample *small;

	if (s->procs_cap <= s->nprocs + 1)
		return;
	small = xmalloc((s->nprocs + 1) * sizeof(*small));
	memcpy(small, s->procs, s->nprocs * sizeof(*small));
	if (!r->spare || s->procs_cap > r->spare_cap) {
		free(r->spare);
		r->spare = s->procs;
		r->spare_cap = s->procs_cap;
	} else {
		free(s->procs);
	}
	s->procs = small;
	s->procs_cap = s->nprocs + 1;
}

void ring_resize(struct ring *r, size_t capacity)
{
	struct snapshot *slots;
	size_t keep, n = r->cap + 1;

	if (!capacity)
		capacity = 1;
	if (capacity == r->cap)
		return;
	slots = xcalloc(capacity + 1, sizeof(*slots));
	keep = r->len < capacity ? r->len : capacity;
	/* move the newest `keep` snapshots, oldest first, into slots[0..keep) */
	for (size_t i = 0; i < keep; i++) {
		size_t src = (r->head + n - keep + i) % n;

		slots[i] = r->slots[src];
		memset(&r->slots[src], 0, sizeof(r->slots[src]));
	}
	for (size_t i = 0; i < n; i++)
		snapshot_release(&r->slots[i]);
	free(r->slots);
	r->slots = slots;
	r->cap = capacity;
	r->len = keep;
	r->head = keep % (capacity + 1);
}
