/* netmon.c - network anomaly monitor: per-interface EWMA baselines, warm-up, minimum, ratio,
 * refractory period, and the latency series. */
#include "capture/netmon.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

/* One watched interface between readings. */
struct iface_state {
	char name[16];
	uint64_t last_bytes; /* rx + tx at the last reading */
	uint64_t last_ns;
	double ewma;   /* bytes per second */
	int nreadings; /* rates folded into ewma so far */
	uint64_t gen;  /* the reading it was last seen in */
};

/* The firing rule shared by both series: a crossing, a refractory period, re-arming. */
struct series_gate {
	bool armed;	 /* false after an event until the ratio recovers */
	bool fired_once; /* last_fire_ns is meaningful */
	uint64_t last_fire_ns;
};

struct netmon {
	struct iface_state *ifs;
	size_t n, cap;
	uint64_t gen;
	struct series_gate tput;
	/* latency series */
	double lat_ewma;
	int lat_n;
	struct series_gate lat;
};

struct netmon *netmon_new(void)
{
	struct netmon *m = xcalloc(1, sizeof(*m));

	m->tput.armed = m->lat.armed = true;
	return m;
}

void netmon_free(struct netmon *m)
{
	if (!m)
		return;
	free(m->ifs);
	free(m);
}

bool netmon_watches(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!list || !*list)
		return strcmp(name, "lo") != 0;
	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == n && !memcmp(p, name, n))
			return true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}

static struct iface_state *find_iface(struct netmon *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->ifs[i].name, name))
			return &m->ifs[i];
	return NULL;
}

static double ewma(double old, double x, int n, double alpha)
{
	return n == 0 ? x : alpha * x + (1 - alpha) * old;
}

/*
 * Decides on one judged reading: below says the ratio crossed the line. Fires
 * when armed and out of the refractory period; re-arms on recovery.
 */
static bool gate(struct series_gate *g, bool below, uint64_t now_ns, uint64_t refractory_ns)
{
	if (!below) {
		g->armed = true;
		return false;
	}
	if (!g->armed)
		return false;
	if (g->fired_once && now_ns - g->last_fire_ns < refractory_ns)
		return false; /* still armed: it fires once the period is over, if still low */
	g->armed = false;
	g->fired_once = true;
	g->last_fire_ns = now_ns;
	return true;
}

bool netmon_feed_net(struct netmon *m, const struct netmon_params *p, const char *list,
		     const struct net_dev_list *devs, uint64_t now_ns, struct net_event *ev)
{
	double cur_sum = 0, base_sum = 0, worst_loss = -1;
	const char *worst = "";
	bool judged = false, fired = false;
	size_t w = 0;

	m->gen++;
	for (size_t i = 0; i < devs->n; i++) {
		const struct net_dev *d = &devs->dev[i];
		uint64_t bytes = d->rx_bytes + d->tx_bytes;
		struct iface_state *s;
		double rate;

		if (!netmon_watches(list, d->name))
			continue;
		s = find_iface(m, d->name);
		if (!s) {
			XGROW(m->ifs, m->cap, m->n + 1);
			s = &m->ifs[m->n++];
			memset(s, 0, sizeof(*s));
			memcpy(s->name, d->name, sizeof(s->name) - 1);
			s->last_bytes = bytes;
			s->last_ns = now_ns;
			s->gen = m->gen;
			continue;
		}
		if (s->gen == m->gen)
			continue; /* a name listed twice: the first line counts */
		s->gen = m->gen;
		if (bytes < s->last_bytes || now_ns <= s->last_ns) {
			/* counters went back: the interface was re-created; a new series */
			s->last_bytes = bytes;
			s->last_ns = now_ns;
			s->nreadings = 0;
			s->ewma = 0;
			continue;
		}
		rate = (double)(bytes - s->last_bytes) * 1e9 / (double)(now_ns - s->last_ns);
		if (s->nreadings >= p->warmup) {
			judged = true;
			cur_sum += rate;
			base_sum += s->ewma;
			if (s->ewma - rate > worst_loss) {
				worst_loss = s->ewma - rate;
				worst = s->name;
			}
		}
		s->ewma = ewma(s->ewma, rate, s->nreadings, p->alpha);
		if (s->nreadings < 1000000)
			s->nreadings++;
		s->last_bytes = bytes;
		s->last_ns = now_ns;
	}
	if (judged && base_sum >= p->min_bytes_per_s && base_sum > 0) {
		double ratio = cur_sum / base_sum;

		if (gate(&m->tput, ratio < p->throughput_ratio, now_ns, p->refractory_ns)) {
			memset(ev, 0, sizeof(*ev));
			ev->kind = NET_EVENT_THROUGHPUT_DROP;
			snprintf(ev->subject, sizeof(ev->subject), "%s", worst);
			ev->value = cur_sum;
			ev->baseline = base_sum;
			ev->ratio = ratio;
			ev->threshold_ratio = p->throughput_ratio;
			ev->threshold = base_sum * p->throughput_ratio;
			ev->mono_ns = now_ns;
			fired = true;
		}
	} else if (judged) {
		m->tput.armed = true; /* too little traffic to judge: the next drop is a new one */
	}
	/* interfaces not in this reading are gone (or no longer watched): forget them */
	for (size_t r = 0; r < m->n; r++) {
		if (m->ifs[r].gen != m->gen)
			continue;
		if (w != r)
			m->ifs[w] = m->ifs[r];
		w++;
	}
	m->n = w;
	return fired;
}

bool netmon_feed_latency(struct netmon *m, const struct netmon_params *p, double latency_us,
			 uint64_t now_ns, struct net_event *ev)
{
	bool fired = false;

	if (m->lat_n >= p->warmup && m->lat_ewma > 0) {
		double ratio = latency_us / m->lat_ewma;

		if (gate(&m->lat, ratio > p->latency_ratio, now_ns, p->refractory_ns)) {
			memset(ev, 0, sizeof(*ev));
			ev->kind = NET_EVENT_LATENCY;
			ev->value = latency_us;
			ev->baseline = m->lat_ewma;
			ev->ratio = ratio;
			ev->threshold_ratio = p->latency_ratio;
			ev->threshold = m->lat_ewma * p->latency_ratio;
			ev->mono_ns = now_ns;
			fired = true;
		}
	}
	m->lat_ewma = ewma(m->lat_ewma, latency_us, m->lat_n, p->alpha);
	if (m->lat_n < 1000000)
		m->lat_n++;
	return fired;
}

void netmon_reset_latency(struct netmon *m)
{
	m->lat_ewma = 0;
	m->lat_n = 0;
	m->lat.armed = true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int netmon_parse_latency(const char *buf, size_t len, double *us)
{
	char num[64];
	size_t a = 0, b = len, n;
	bool dot = false;
	char *end;

	while (a < b && is_space(buf[a]))
		a++;
	while (b > a && is_space(buf[b - 1]))
		b--;
	n = b - a;
	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	/* digits and one '.' only: strtod alone would take "inf", "0x10", a sign or the locale */
	for (size_t i = a; i < b; i++) {
		if (buf[i] == '.' && !dot)
			dot = true;
		else if (buf[i] < '0' || buf[i] > '9')
			return -EINVAL;
	}
	if (buf[a] == '.' || buf[b - 1] == '.')
		return -EINVAL;
	memcpy(num, buf + a, n);
	num[n] = '\0';
	*us = strtod(num, &end);
	if (*end || !isfinite(*us))
		return -EINVAL;
	return 0;
}
