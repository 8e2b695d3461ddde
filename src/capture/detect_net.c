/* detect_net.c - net_throughput_drop and net_latency: the network anomaly monitor's events (its
 * own cadence, warm-up, minimum and refractory period are in capture/netmon.c). */
#include "capture/detect.h"

#include <stdio.h>

#include "base/xalloc.h"

static bool net_enabled(const struct config *cfg)
{
	return cfg->anomaly_enabled;
}

static void net_evaluate(struct detect_ctx *ctx, struct trigger_list *out)
{
	const struct snapshot *s = ctx->cur;

	for (unsigned i = 0; i < s->nnet_events; i++) {
		const struct net_event *ev = &s->net_events[i];
		struct trigger *t;

		XGROW(out->t, out->cap, out->n + 1);
		t = &out->t[out->n++];
		*t = (struct trigger){
			.type = ev->kind == NET_EVENT_LATENCY ? TRIG_NET_LATENCY
							      : TRIG_NET_THROUGHPUT_DROP,
			.real_ns = s->real_ns,
			.mono_ns = s->mono_ns,
			.value = ev->value,
			.baseline = ev->baseline,
			.threshold = ev->threshold,
			.ratio = ev->ratio,
			.threshold_ratio = ev->threshold_ratio,
		};
		/* a drop counts positive, as for mem_drop; a latency rise too */
		t->delta = ev->kind == NET_EVENT_LATENCY ? ev->value - ev->baseline
							 : ev->baseline - ev->value;
		snprintf(t->subject, sizeof(t->subject), "%s", ev->subject);
	}
}

static const char *const net_keys[] = {
	"anomaly_enabled",
	"anomaly_interfaces",
	"anomaly_interval_ms",
	"anomaly_throughput_ratio",
	"anomaly_min_bytes_per_s",
	"anomaly_warmup_samples",
	"anomaly_baseline_alpha",
	"anomaly_latency_path",
	"anomaly_latency_ratio",
	"anomaly_refractory_ms",
	NULL,
};

const struct detector_ops detector_net = {
	.name = "net",
	.type = TRIG_NET_THROUGHPUT_DROP,
	.config_keys = net_keys,
	.enabled = net_enabled,
	.evaluate = net_evaluate,
};
