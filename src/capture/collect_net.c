/* collect_net.c - network collector: every interface's counters and rates in each snapshot, and the
 * anomaly monitor on its own timerfd cadence (an event makes the engine sample at once). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fileutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "capture/collector.h"
#include "capture/config.h"
#include "capture/netmon.h"

#define LATENCY_FILE_MAX 4096 /* a number and some blanks; anything longer is not one */

struct net_state {
	const struct collector_env *env;
	struct net_dev_list prev, cur; /* the previous and the current snapshot's readings */
	uint64_t prev_ns;	       /* mono time of prev */
	bool have_prev;
	/* the anomaly monitor */
	struct netmon *mon;
	struct net_dev_list mon_devs;
	int tfd;	      /* timerfd of anomaly_interval_ms, disarmed when off */
	int armed_ms;	      /* the interval the timer runs at, 0 = disarmed */
	bool latency_failing; /* the latency file is unreadable: said once per episode */
	struct net_event pending[SNAPSHOT_MAX_NET_EVENTS];
	unsigned npending;
};

static void net_close(void *state)
{
	struct net_state *s = state;

	if (!s)
		return;
	procfs_net_dev_release(&s->prev);
	procfs_net_dev_release(&s->cur);
	procfs_net_dev_release(&s->mon_devs);
	netmon_free(s->mon);
	if (s->tfd >= 0)
		close(s->tfd);
	free(s);
}

/* Runs the timer at the configured cadence while the monitor is on (the config may be reloaded). */
static void arm_timer(struct net_state *s)
{
	const struct config *cfg = s->env->cfg;
	int want = cfg && cfg->anomaly_enabled ? cfg->anomaly_interval_ms : 0;
	struct itimerspec its = { 0 };

	if (want == s->armed_ms || s->tfd < 0)
		return;
	its.it_value.tv_sec = want / 1000;
	its.it_value.tv_nsec = (long)(want % 1000) * 1000000L;
	its.it_interval = its.it_value;
	if (timerfd_settime(s->tfd, 0, &its, NULL) < 0) {
		log_warn("network anomaly monitor: cannot arm its timer: %s", strerror(errno));
		return;
	}
	s->armed_ms = want;
}

static int net_open(void **state, const struct collector_env *env)
{
	struct net_state *s = xcalloc(1, sizeof(*s));

	s->env = env;
	s->mon = netmon_new();
	s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	*state = s;
	if (s->tfd < 0) {
		int err = -errno;

		net_close(s);
		*state = NULL;
		return err;
	}
	arm_timer(s);
	return 0;
}

static int net_poll_fd(void *state)
{
	return ((struct net_state *)state)->tfd;
}

static void params_of(const struct config *cfg, struct netmon_params *p)
{
	p->alpha = cfg->anomaly_baseline_alpha;
	p->throughput_ratio = cfg->anomaly_throughput_ratio;
	p->latency_ratio = cfg->anomaly_latency_ratio;
	p->min_bytes_per_s = cfg->anomaly_min_bytes_per_s;
	p->warmup = cfg->anomaly_warmup_samples;
	p->refractory_ns = (uint64_t)cfg->anomaly_refractory_ms * 1000000ULL;
}

static void push_event(struct net_state *s, const struct net_event *ev)
{
	/* one slot per kind: a newer event of the same kind replaces an unsampled one */
	for (unsigned i = 0; i < s->npending; i++) {
		if (s->pending[i].kind == ev->kind) {
			s->pending[i] = *ev;
			return;
		}
	}
	if (s->npending < SNAPSHOT_MAX_NET_EVENTS)
		s->pending[s->npending++] = *ev;
}

/* Reads the latency file; an unreadable one is logged once per episode, not every interval. */
static bool read_latency(struct net_state *s, const char *path, double *us)
{
	char *text = NULL;
	size_t len = 0;
	int ret = file_read_all(path, LATENCY_FILE_MAX, &text, &len);

	if (ret == 0)
		ret = netmon_parse_latency(text, len, us);
	free(text);
	if (ret < 0) {
		if (!s->latency_failing)
			log_warn("anomaly_latency_path '%s': %s; net_latency waits until it holds "
				 "a number of microseconds again",
				 path, ret == -EINVAL ? "not a number" : file_strerror(ret));
		s->latency_failing = true;
		netmon_reset_latency(s->mon);
		return false;
	}
	if (s->latency_failing)
		log_info("anomaly_latency_path '%s' is readable again", path);
	s->latency_failing = false;
	return true;
}

static bool net_ready(void *state)
{
	struct net_state *s = state;
	const struct config *cfg = s->env->cfg;
	struct netmon_params p;
	struct net_event ev;
	uint64_t expirations, now;
	unsigned before = s->npending;
	double us;

	if (read(s->tfd, &expirations, sizeof(expirations)) < 0)
		return false; /* EAGAIN: nothing expired */
	if (!cfg || !cfg->anomaly_enabled)
		return false;
	params_of(cfg, &p);
	now = clock_mono_ns();
	if (procfs_read_net_dev(s->env->pf, &s->mon_devs) == 0 &&
	    netmon_feed_net(s->mon, &p, cfg->anomaly_interfaces, &s->mon_devs, now, &ev))
		push_event(s, &ev);
	if (cfg->anomaly_latency_path && cfg->anomaly_latency_path[0] &&
	    read_latency(s, cfg->anomaly_latency_path, &us) &&
	    netmon_feed_latency(s->mon, &p, us, now, &ev))
		push_event(s, &ev);
	return s->npending != before;
}

/* The previous reading of the interface at index i of cur: same position first (the usual case). */
static const struct net_dev *find_prev(const struct net_dev_list *prev, const struct net_dev *d,
				       size_t i)
{
	if (i < prev->n && !strcmp(prev->dev[i].name, d->name))
		return &prev->dev[i];
	for (size_t j = 0; j < prev->n; j++)
		if (!strcmp(prev->dev[j].name, d->name))
			return &prev->dev[j];
	return NULL;
}

static int net_sample(void *state, struct snapshot *snap, const struct snapshot *prev_snap)
{
	struct net_state *s = state;
	struct net_dev_list tmp;
	double dt = s->have_prev ? (double)(snap->mono_ns - s->prev_ns) / 1e9 : 0;
	int ret;

	(void)prev_snap;
	arm_timer(s); /* follows a reload */
	snap->nnet_events = s->npending;
	memcpy(snap->net_events, s->pending, sizeof(s->pending[0]) * s->npending);
	s->npending = 0;

	ret = procfs_read_net_dev(s->env->pf, &s->cur);
	if (ret < 0)
		return ret;
	snap->net_known = true;
	for (size_t i = 0; i < s->cur.n; i++) {
		const struct net_dev *d = &s->cur.dev[i];
		const struct net_dev *p = s->have_prev ? find_prev(&s->prev, d, i) : NULL;
		struct net_iface *n = snapshot_add_net(snap);

		memcpy(n->name, d->name, sizeof(n->name));
		n->rx_bytes = d->rx_bytes;
		n->rx_packets = d->rx_packets;
		n->rx_errs = d->rx_errs;
		n->rx_drop = d->rx_drop;
		n->tx_bytes = d->tx_bytes;
		n->tx_packets = d->tx_packets;
		n->tx_errs = d->tx_errs;
		n->tx_drop = d->tx_drop;
		if (p) {
			n->rx_bytes_per_s = counter_rate(d->rx_bytes, p->rx_bytes, dt);
			n->tx_bytes_per_s = counter_rate(d->tx_bytes, p->tx_bytes, dt);
		}
	}
	/* keep this reading as the next one's previous; swap to keep both arrays */
	tmp = s->prev;
	s->prev = s->cur;
	s->cur = tmp;
	s->prev_ns = snap->mono_ns;
	s->have_prev = true;
	return 0;
}

const struct collector_ops net_collector = {
	.name = "network",
	.open = net_open,
	.sample = net_sample,
	.close = net_close,
	.poll_fd = net_poll_fd,
	.ready = net_ready,
};
