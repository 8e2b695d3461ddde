/* test_cpuhold.c - the miner rule's CPU condition on a fake clock: demand over the window (run +
 * run-queue wait), busy stretches over the horizon, and what does not add up. */
#include <string.h>

#include "capture/cpuhold.h"
#include "tap.h"

#define WINDOW_S 60.0
#define LINE_PCT 50.0

/*
 * Feeds one-second samples from second from to second to: each second the process runs
 * run_pct and waits wait_pct of it when busy(second) says so, and nothing otherwise. Returns
 * the first second it is held (and *v then), or -1.
 */
static int feed(struct cpuhold *h, int from, int to, double run_pct, double wait_pct, int busy_s,
		int idle_s, struct cpuhold_verdict *v)
{
	for (int t = from; t <= to; t++) {
		bool busy = (t % (busy_s + idle_s)) < busy_s;
		uint64_t now = (uint64_t)t * 1000000000ULL;

		if (t == 0)
			cpuhold_add(h, now, 0, 0, 0, LINE_PCT, WINDOW_S);
		else
			cpuhold_add(h, now, 1.0, busy ? run_pct / 100 : 0,
				    busy ? wait_pct / 100 : 0, LINE_PCT, WINDOW_S);
		if (cpuhold_judge(h, now, LINE_PCT, WINDOW_S, v))
			return t;
	}
	return -1;
}

int main(void)
{
	struct cpuhold h;
	struct cpuhold_verdict v;
	int t;

	memset(&h, 0, sizeof(h));
	t = feed(&h, 0, 120, 100, 0, 1, 0, &v);
	is_int(t, 60, "a busy loop is held once a whole window was seen");
	ok(!v.bursts && v.pct > 99 && v.run_pct > 99 && v.wait_pct < 1,
	   "steadily, all run (%.1f%%)", v.pct);

	memset(&h, 0, sizeof(h));
	t = feed(&h, 0, 120, 28, 72, 1, 0, &v);
	is_int(t, 60, "a busy loop that gets 28%% of a CPU on a loaded host is held too");
	ok(!v.bursts && v.run_pct < 30 && v.wait_pct > 70 && v.pct > 99,
	   "its demand: ran %.0f%%, waited %.0f%%", v.run_pct, v.wait_pct);

	memset(&h, 0, sizeof(h));
	t = feed(&h, 0, 600, 100, 0, 25, 35, &v);
	ok(t > 60 && t <= 90,
	   "busy 25 s, idle 35 s (42%% over any window) is held in bursts (at %d s)", t);
	ok(v.bursts && v.busy_s >= 30 && v.pct >= LINE_PCT,
	   "in bursts: %.0f s of busy demand over %.0f s", v.busy_s, v.span_s);

	memset(&h, 0, sizeof(h));
	t = feed(&h, 0, 1200, 40, 0, 1, 0, &v);
	is_int(t, -1, "a steady 40%% never is: no interval reaches the line, nothing adds up");

	memset(&h, 0, sizeof(h));
	t = feed(&h, 0, 1200, 100, 0, 10, 290, &v);
	is_int(t, -1, "10 s busy every 5 minutes: 20 s per horizon stays under a window's 30 s");

	memset(&h, 0, sizeof(h));
	t = feed(&h, 0, 1200, 100, 0, 20, 700, &v);
	is_int(t, -1, "two 20 s bursts 12 minutes apart: the horizon holds one at a time");
	return done_testing();
}
