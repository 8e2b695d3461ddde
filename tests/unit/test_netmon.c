/* test_netmon.c - unit tests of the network anomaly monitor: EWMA baselines, warm-up, minimum,
 * ratio, refractory period, re-arming, vanished and re-created interfaces, latency. */
#include "capture/netmon.h"

#include <errno.h>
#include <string.h>

#include "tap.h"

#define SEC	 1000000000ULL
#define MAX_DEVS 4

/* A fake /proc/net/dev: interfaces whose byte counters the test advances. */
struct fake {
	struct net_dev dev[MAX_DEVS];
	struct net_dev_list l;
	uint64_t now;
};

static void fake_init(struct fake *f, const char *const *names, size_t n)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++)
		snprintf(f->dev[i].name, sizeof(f->dev[i].name), "%s", names[i]);
	f->l.dev = f->dev;
	f->l.n = n;
	f->now = 100 * SEC;
}

static const struct netmon_params params = {
	.alpha = 0.2,
	.throughput_ratio = 0.85,
	.latency_ratio = 1.5,
	.min_bytes_per_s = 10000,
	.warmup = 3,
	.refractory_ns = 5 * SEC,
};

/* Advances one second with the given rate (bytes/s, as rx) for interface i; returns fired. */
static bool step(struct netmon *m, struct fake *f, const char *list, const double *rates,
		 struct net_event *ev)
{
	f->now += SEC;
	for (size_t i = 0; i < f->l.n; i++)
		f->dev[i].rx_bytes += (uint64_t)rates[i];
	return netmon_feed_net(m, &params, list, &f->l, f->now, ev);
}

static int count_fires(struct netmon *m, struct fake *f, const char *list, const double *rates,
		       int steps)
{
	struct net_event ev;
	int n = 0;

	for (int i = 0; i < steps; i++)
		n += step(m, f, list, rates, &ev);
	return n;
}

static void test_watches(void)
{
	ok(netmon_watches("", "eth0") && !netmon_watches("", "lo"), "empty list: all but lo");
	ok(netmon_watches("eth0,st1a", "st1a") && netmon_watches("eth0,st1a", "eth0"),
	   "names in a list");
	ok(!netmon_watches("eth0,st1a", "eth") && !netmon_watches("eth0", "eth00"),
	   "no prefix matches");
	ok(netmon_watches("lo", "lo"), "lo when named");
}

static void test_warmup_and_drop(void)
{
	static const char *const names[] = { "eth0" };
	struct netmon *m = netmon_new();
	struct fake f;
	struct net_event ev;
	double steady[] = { 1000000 }, zero[] = { 0 };

	fake_init(&f, names, 1);
	ok(!step(m, &f, "", zero, &ev), "the first reading only sets the counters");
	/* warm-up: 3 readings form the baseline; a drop inside it is not judged */
	ok(!step(m, &f, "", steady, &ev) && !step(m, &f, "", zero, &ev),
	   "no event during the warm-up, even at zero");
	is_int(count_fires(m, &f, "", steady, 10), 0, "steady traffic: no event");
	ok(step(m, &f, "", (double[]){ 700000 }, &ev), "a fall to 70 %% of the baseline fires");
	ok(ev.kind == NET_EVENT_THROUGHPUT_DROP && !strcmp(ev.subject, "eth0"),
	   "throughput drop naming eth0");
	is_double(ev.value, 700000, 1, "value: the reading");
	ok(ev.baseline > 850000 && ev.baseline <= 1000000, "baseline: the EWMA before it (%.0f)",
	   ev.baseline);
	is_double(ev.threshold, ev.baseline * 0.85, 1, "threshold = ratio x baseline");
	is_double(ev.ratio, ev.value / ev.baseline, 1e-9, "ratio");
	is_double(ev.threshold_ratio, 0.85, 1e-9, "the configured ratio");
	is_int(count_fires(m, &f, "", zero, 3), 0, "staying low is one episode (no re-fire)");
	netmon_free(m);
}

static void test_rearm_and_refractory(void)
{
	static const char *const names[] = { "eth0" };
	struct netmon *m = netmon_new();
	struct fake f;
	struct net_event ev;
	double steady[] = { 1000000 };

	fake_init(&f, names, 1);
	count_fires(m, &f, "", steady, 8);
	ok(step(m, &f, "", (double[]){ 100000 }, &ev), "first drop fires");
	/* recovery re-arms at once, but the next drop is within the 5 s refractory period */
	ok(!step(m, &f, "", steady, &ev), "recovery");
	ok(!step(m, &f, "", (double[]){ 100000 }, &ev), "a second drop 2 s later is refractory");
	count_fires(m, &f, "", steady, 8);
	ok(step(m, &f, "", (double[]){ 100000 }, &ev), "after the period a new drop fires again");
	netmon_free(m);
}

static void test_minimum(void)
{
	static const char *const names[] = { "eth0" };
	struct netmon *m = netmon_new();
	struct fake f;
	double trickle[] = { 5000 }, zero[] = { 0 };

	fake_init(&f, names, 1);
	count_fires(m, &f, "", trickle, 8);
	is_int(count_fires(m, &f, "", zero, 3), 0,
	       "a 5 KB/s baseline under the 10 KB/s minimum: its stop means nothing");
	netmon_free(m);
}

static void test_vanish_and_recreate(void)
{
	static const char *const names[] = { "eth0", "veth9" };
	struct netmon *m = netmon_new();
	struct fake f;
	struct net_event ev;
	double both[] = { 1000000, 1000000 };

	fake_init(&f, names, 2);
	count_fires(m, &f, "", both, 8);
	f.l.n = 1; /* veth9 is gone: half the sum, but not a drop */
	is_int(count_fires(m, &f, "", both, 4), 0, "a vanished interface is not a drop to zero");
	/* it comes back re-created: counters from 0, a new warm-up */
	f.l.n = 2;
	f.dev[1].rx_bytes = 0;
	is_int(count_fires(m, &f, "", both, 6), 0, "its return (counters reset) is not an event");
	ok(step(m, &f, "", (double[]){ 1000000, 0 }, &ev) && !strcmp(ev.subject, "veth9"),
	   "a drop on one of two names the one that lost (%s)", ev.subject);
	netmon_free(m);
}

static void test_list_filter(void)
{
	static const char *const names[] = { "lo", "eth0", "st1a" };
	struct netmon *m = netmon_new();
	struct fake f;
	struct net_event ev;

	fake_init(&f, names, 3);
	count_fires(m, &f, "st1a", (double[]){ 0, 0, 1000000 }, 8);
	is_int(count_fires(m, &f, "st1a", (double[]){ 5000000, 5000000, 1000000 }, 3), 0,
	       "traffic elsewhere does not matter");
	ok(step(m, &f, "st1a", (double[]){ 5000000, 5000000, 0 }, &ev) &&
		   !strcmp(ev.subject, "st1a"),
	   "a drop on the watched interface fires while the others are busy");
	fake_init(&f, names, 3);
	netmon_free(m);
	m = netmon_new();
	count_fires(m, &f, "", (double[]){ 1000000, 0, 0 }, 8);
	is_int(count_fires(m, &f, "", (double[]){ 0, 0, 0 }, 2), 0,
	       "lo is not watched by the empty list");
	netmon_free(m);
}

static void test_latency(void)
{
	struct netmon *m = netmon_new();
	struct net_event ev;
	uint64_t t = 1000 * SEC;
	int fired = 0;

	for (int i = 0; i < 5; i++)
		fired += netmon_feed_latency(m, &params, 1000, t += SEC, &ev);
	ok(!fired && !netmon_feed_latency(m, &params, 1400, t += SEC, &ev),
	   "warm-up, then 1.4x is under the 1.5 line");
	ok(netmon_feed_latency(m, &params, 3000, t += SEC, &ev) && ev.kind == NET_EVENT_LATENCY,
	   "3x the baseline fires net_latency");
	ok(ev.value == 3000 && ev.baseline > 1000 && ev.ratio > 1.5 && ev.subject[0] == '\0',
	   "figures (baseline %.0f, ratio %.2f)", ev.baseline, ev.ratio);
	ok(!netmon_feed_latency(m, &params, 3000, t += SEC, &ev), "one episode, one event");
	netmon_reset_latency(m);
	ok(!netmon_feed_latency(m, &params, 9000, t += 10 * SEC, &ev),
	   "after a reset the warm-up starts again");
	netmon_free(m);
	netmon_free(NULL);
}

static void test_parse_latency(void)
{
	double us = -1;

	ok(netmon_parse_latency("1234\n", 5, &us) == 0 && us == 1234, "an integer");
	ok(netmon_parse_latency("  12.5 \r\n", 9, &us) == 0 && us == 12.5, "a decimal with blanks");
	is_int(netmon_parse_latency("", 0, &us), -EINVAL, "empty");
	is_int(netmon_parse_latency("-5", 2, &us), -EINVAL, "a sign");
	is_int(netmon_parse_latency("inf", 3, &us), -EINVAL, "inf");
	is_int(netmon_parse_latency("0x10", 4, &us), -EINVAL, "hex");
	is_int(netmon_parse_latency("1.2.3", 5, &us), -EINVAL, "two dots");
	is_int(netmon_parse_latency("12 34", 5, &us), -EINVAL, "two numbers");
	is_int(netmon_parse_latency(".5", 2, &us), -EINVAL, "a bare dot");
	is_int(netmon_parse_latency("1234", 2, &us), 0, "only len bytes are read");
	is_double(us, 12, 0, "12 of 1234");
}

int main(void)
{
	test_watches();
	test_warmup_and_drop();
	test_rearm_and_refractory();
	test_minimum();
	test_vanish_and_recreate();
	test_list_filter();
	test_latency();
	test_parse_latency();
	return done_testing();
}
