/* cpuhold.c - how long a process held a CPU: demand over a window, busy stretches over a horizon.
 */
#include "capture/cpuhold.h"

#include <string.h>

static uint32_t ms_of(uint64_t ns)
{
	return (uint32_t)(ns / 1000000);
}

/* Appends the running sums at now when the newest point is step_ns old; the oldest drops off. */
static void push(struct cpuhold_point *v, unsigned *n, unsigned cap, const struct cpuhold *h,
		 uint64_t now_ns, uint64_t step_ns)
{
	if (*n && now_ns - v[*n - 1].t_ns < step_ns)
		return;
	if (*n == cap) {
		memmove(v, v + 1, (cap - 1) * sizeof(*v));
		(*n)--;
	}
	v[(*n)++] = (struct cpuhold_point){ now_ns, ms_of(h->run_ns), ms_of(h->wait_ns),
					    ms_of(h->busy_ns) };
}

void cpuhold_add(struct cpuhold *h, uint64_t now_ns, double dt_s, double run_s, double wait_s,
		 double line_pct, double window_s)
{
	uint64_t step_ns = (uint64_t)(window_s * 1e9);

	if (dt_s > 0) {
		double demand_s = (run_s > 0 ? run_s : 0) + (wait_s > 0 ? wait_s : 0);

		h->run_ns += (uint64_t)((run_s > 0 ? run_s : 0) * 1e9);
		h->wait_ns += (uint64_t)((wait_s > 0 ? wait_s : 0) * 1e9);
		if (100.0 * demand_s / dt_s >= line_pct)
			h->busy_ns += (uint64_t)(demand_s * 1e9);
	}
	push(h->win, &h->nwin, CPUHOLD_NWIN, h, now_ns, step_ns / CPUHOLD_WIN_STEPS);
	push(h->hor, &h->nhor, CPUHOLD_NHOR, h, now_ns, step_ns);
}

bool cpuhold_judge(const struct cpuhold *h, uint64_t now_ns, double line_pct, double window_s,
		   struct cpuhold_verdict *v)
{
	double horizon_s = window_s * CPUHOLD_HORIZON_WINDOWS;

	memset(v, 0, sizeof(*v));
	/* steadily: the newest point a whole window back */
	for (unsigned i = h->nwin; i-- > 0;) {
		const struct cpuhold_point *p = &h->win[i];
		double dt = (double)(now_ns - p->t_ns) / 1e9;

		if (dt >= window_s * 0.999) {
			v->run_pct =
				100.0 * (double)(uint32_t)(ms_of(h->run_ns) - p->run_ms) / 1e3 / dt;
			v->wait_pct = 100.0 * (double)(uint32_t)(ms_of(h->wait_ns) - p->wait_ms) /
				      1e3 / dt;
			v->pct = v->run_pct + v->wait_pct;
			break;
		}
	}
	if (v->pct >= line_pct)
		return true;
	/* in bursts: the oldest point within the horizon (a little slack for late samples) */
	for (unsigned i = 0; i < h->nhor; i++) {
		const struct cpuhold_point *p = &h->hor[i];
		double dt = (double)(now_ns - p->t_ns) / 1e9;

		if (dt <= horizon_s * 1.05) {
			v->busy_s = (double)(uint32_t)(ms_of(h->busy_ns) - p->busy_ms) / 1e3;
			v->span_s = dt;
			break;
		}
	}
	/* held "for longer than a window": observed that long at least */
	if (v->span_s < window_s * 0.999 || v->busy_s < window_s * line_pct / 100.0)
		return false;
	v->bursts = true;
	v->pct = 100.0 * v->busy_s / window_s;
	return true;
}
