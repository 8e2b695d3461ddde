/* test_ring.c - unit tests of the snapshot ring (order, wrap-around, resize, reuse, trimming). */
#include "capture/dump.h"
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

/* The JSON a dump holds of s. */
static void render_snapshot(const struct snapshot *s, const struct config *cfg, struct strbuf *out)
{
	struct dump_draft d = { 0 };

	dump_draft_add(&d, s, cfg);
	strbuf_reset(out);
	strbuf_adds(out, strbuf_str(&d.snaps[0]));
	dump_draft_release(&d);
}

/* A trimmed snapshot dumps as it did whole: same processes, same order, same count. */
static void test_trim(void)
{
	struct snapshot s = { 0 };
	struct config cfg;
	struct strbuf whole = STRBUF_INIT, trimmed = STRBUF_INIT;
	unsigned seed = 7;

	config_defaults(&cfg);
	for (int i = 0; i < 600; i++) {
		struct proc_sample *p = snapshot_add_proc(&s);
		char cmd[32];

		seed = seed * 1103515245u + 12345u;
		p->pid = 1000 + i;
		p->state = 'S';
		/* mostly idle, with ties at every level so the pid order decides */
		p->cpu_pct = (seed >> 16) % 5 == 0 ? (float)((seed >> 8) % 4) * 25.0f : 0.0f;
		p->rss_kib = 1024u * ((seed >> 4) % 8);
		p->read_bytes_per_s =
			(seed >> 20) % 7 == 0 ? (float)((seed >> 3) % 3) * 4096.0f : 0;
		snprintf(p->comm, sizeof(p->comm), "p%d", i);
		snprintf(cmd, sizeof(cmd), "/bin/p%d --x", i);
		p->cmdline = rcstr_new(cmd, strlen(cmd));
	}
	render_snapshot(&s, &cfg, &whole);
	dump_keep_shown(&s, &cfg);
	render_snapshot(&s, &cfg, &trimmed);
	ok(s.procs_trimmed && s.nprocs <= 30, "trimmed to at most 3 x top_processes_stored (%zu)",
	   s.nprocs);
	is_int(snapshot_process_count(&s), 600, "the count of processes sampled stays");
	is_str(strbuf_str(&trimmed), strbuf_str(&whole), "the dump of it is unchanged");
	dump_keep_shown(&s, &cfg);
	is_int(snapshot_process_count(&s), 600, "trimming twice changes nothing");
	snapshot_release(&s);

	/* top_processes_stored = 0 dumps every process: nothing is dropped */
	cfg.top_processes_stored = 0;
	for (int i = 0; i < 50; i++)
		snapshot_add_proc(&s)->pid = i + 1;
	dump_keep_shown(&s, &cfg);
	ok(!s.procs_trimmed && s.nprocs == 50, "with no limit every process stays");
	snapshot_release(&s);
	strbuf_release(&whole);
	strbuf_release(&trimmed);
	config_release(&cfg);
}

/* ring_pack: the packed snapshot keeps its processes; the next slot reuses the large array. */
static void test_pack(void)
{
	struct ring *r = ring_new(4);
	struct snapshot *s = ring_next_slot(r), *next;
	struct proc_sample *big;

	for (int i = 0; i < 500; i++)
		snapshot_add_proc(s)->pid = i + 1;
	ring_commit(r);
	big = s->procs;
	s->nprocs = 3; /* as if trimmed */
	s->procs[2].pid = 77;
	ring_pack(r, s);
	ok(s->procs != big && s->procs_cap == 4, "packed to its size");
	ok(s->nprocs == 3 && s->procs[0].pid == 1 && s->procs[2].pid == 77, "processes kept");
	next = ring_next_slot(r);
	ok(next->procs == big && next->procs_cap >= 500, "the next slot reuses the large array");
	ring_free(r);
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
	test_trim();
	test_pack();
	return done_testing();
}
