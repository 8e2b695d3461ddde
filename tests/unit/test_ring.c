/* test_ring.c - unit tests of the snapshot ring (order, wrap-around, resize, reuse). */
#include "capture/ring.h"
#include "tap.h"

static void push(struct ring *r, uint64_t seq)
{
	struct snapshot *s = ring_next_slot(r);
	struct proc_sample *p = snapshot_add_proc(s);

	s->seq = seq;
	p->pid = (int)seq;
	p->cmdline = rcstr_new("x", 1);
	ring_commit(r);
}

int main(void)
{
	struct ring *r = ring_new(3);

	is_int(ring_len(r), 0, "empty ring");
	ok(ring_back(r, 0) == NULL, "nothing to look back at");
	push(r, 1);
	push(r, 2);
	is_int(ring_len(r), 2, "two committed");
	is_int(ring_back(r, 0)->seq, 2, "newest first");
	is_int(ring_back(r, 1)->seq, 1, "then the older");
	push(r, 3);
	push(r, 4);
	push(r, 5);
	is_int(ring_len(r), 3, "capped at capacity");
	is_int(ring_back(r, 0)->seq, 5, "newest after wrap");
	is_int(ring_back(r, 2)->seq, 3, "oldest kept after wrap");
	ok(ring_back(r, 3) == NULL, "nothing past the history");
	is_int(ring_back(r, 0)->nprocs, 1, "slot reuse clears old processes");

	/* a slot taken but not committed is not part of the history */
	ring_next_slot(r)->seq = 99;
	is_int(ring_back(r, 0)->seq, 5, "uncommitted slot invisible");

	ring_resize(r, 2);
	is_int(ring_capacity(r), 2, "shrunk");
	is_int(ring_len(r), 2, "kept what fits");
	is_int(ring_back(r, 0)->seq, 5, "kept the newest");
	is_int(ring_back(r, 1)->seq, 4, "and the one before");
	ring_resize(r, 5);
	push(r, 6);
	is_int(ring_len(r), 3, "grown and appended");
	is_int(ring_back(r, 0)->seq, 6, "order preserved after growing");
	is_int(ring_back(r, 2)->seq, 4, "oldest preserved after growing");
	for (uint64_t s = 7; s < 20; s++)
		push(r, s);
	is_int(ring_back(r, 4)->seq, 15, "wraps correctly after resize");
	ring_free(r);
	ring_free(NULL);
	ok(1, "ring_free(NULL) is a no-op");
	return done_testing();
}
