/* capture.c - the daemon's engine: samples into the ring, detects, hands dumps to the writer. */
#include "capture/capture.h"

#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/evloop.h"
#include "base/fileutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "capture/collector.h"
#include "capture/detect.h"
#include "capture/diag.h"
#include "capture/dump.h"
#include "capture/ring.h"
#include "capture/writer.h"

static const struct collector_ops *const collectors[] = {
	&system_collector,
	&process_collector,
	&exits_collector, /* after processes: it tells which exited ones were sampled */
	&psi_collector,
	&net_collector,
	&disk_collector,
	&security_collector, /* after processes: it judges their samples */
};
#define NCOLLECTORS (sizeof(collectors) / sizeof(collectors[0]))

#define MAX_FOLLOWED 4
/* samples between two returns of freed memory to the kernel (a minute at the default interval) */
#define GIVE_BACK_SAMPLES 60

struct capture {
	struct config cfg;
	struct procfs *pf;
	struct collector_env env;
	void *cstate[NCOLLECTORS];
	struct ready_arg {
		const struct collector_ops *ops;
		void *state;
		struct capture *capture;
	} ready[NCOLLECTORS];
	struct ring *ring;
	struct detect *detect;
	struct dump_writer *writer;
	struct host_info host;
	struct trigger_list triggers;
	struct strbuf out;
	struct capture_stats stats;
	uint64_t seq;
	/*
	 * Diagnostic mode: the controller, and the culprits the running episode
	 * follows — the trigger that started it, and up to MAX_FOLLOWED - 1 more
	 * that fired on other processes while it ran — each with its dump and detail.
	 */
	struct modectl mode;
	struct followed {
		struct dump_draft draft;
		struct diag_episode *diag;
	} follow[MAX_FOLLOWED];
	size_t nfollow; /* 0 in sentinel mode */
	/* run loop */
	struct evloop *loop;
	int timer;
	long max_samples;
	capture_reload_fn reload;
	void *reload_arg;
};

static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Lets the process collector keep one fd per process open (the soft limit raised to the hard one).
 */
static int fd_budget(void)
{
	long lim = file_raise_nofile();

	/* keep room for the loop, the writer and whatever else comes */
	return lim > 256 ? (int)(lim > 1000000 ? 1000000 : lim - 128) : 0;
}

static void writer_settings_of(const struct config *cfg, struct writer_settings *ws)
{
	ws->dir = cfg->output_directory;
	ws->retention.max_dumps = cfg->max_dumps;
	ws->retention.max_total_bytes = (uint64_t)(cfg->max_total_mib * 1024 * 1024);
	ws->retention.max_age_ns = (uint64_t)(cfg->max_age_days * 86400.0 * 1e9);
	ws->min_free_bytes = (uint64_t)(cfg->min_free_mib * 1024 * 1024);
}

static void apply_log_level(const struct config *cfg)
{
	enum log_level lvl;

	if (log_level_parse(cfg->log_level, &lvl) == 0)
		log_set_level(lvl);
}

struct capture *capture_new(const struct config *cfg, const char *proc_root, struct strbuf *err)
{
	struct capture *c = xcalloc(1, sizeof(*c));
	struct writer_settings ws;

	config_copy(&c->cfg, cfg);
	c->timer = -1;
	c->pf = procfs_open(proc_root);
	if (!c->pf) {
		strbuf_addf(err, "cannot open '%s': %s", proc_root, strerror(errno));
		goto fail;
	}
	c->env.pf = c->pf;
	c->env.cfg = &c->cfg;
	c->env.ticks_per_sec = sysconf(_SC_CLK_TCK);
	c->env.max_open_fds = fd_budget();
	apply_log_level(cfg); /* before the collectors: they say which sources they use */
	for (size_t i = 0; i < NCOLLECTORS; i++) {
		int ret = collectors[i]->open(&c->cstate[i], &c->env);

		if (ret < 0) {
			strbuf_addf(err, "cannot start the %s collector: %s", collectors[i]->name,
				    strerror(-ret));
			goto fail;
		}
	}
	c->ring = ring_new((size_t)cfg->ring_buffer_capacity);
	c->detect = detect_new();
	host_info_read(&c->host);
	writer_settings_of(cfg, &ws);
	c->writer = dump_writer_new(&ws);
	if (!c->writer) {
		strbuf_addf(err, "cannot start the dump writer: %s", strerror(errno));
		goto fail;
	}
	apply_log_level(cfg);
	modectl_init(&c->mode, &c->cfg, clock_mono_ns());
	return c;
fail:
	capture_free(c);
	return NULL;
}

void capture_free(struct capture *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nfollow; i++) {
		diag_free(c->follow[i].diag);
		dump_draft_release(&c->follow[i].draft);
	}
	dump_writer_free(c->writer);
	for (size_t i = 0; i < NCOLLECTORS; i++)
		if (c->cstate[i])
			collectors[i]->close(c->cstate[i]);
	trigger_list_release(&c->triggers);
	strbuf_release(&c->out);
	detect_free(c->detect);
	ring_free(c->ring);
	procfs_free(c->pf);
	evloop_free(c->loop);
	config_release(&c->cfg);
	free(c);
}

static uint64_t interval_ns(const struct config *cfg);

static void log_triggers(const struct trigger_list *tl)
{
	for (size_t i = 0; i < tl->n; i++) {
		const struct trigger *x = &tl->t[i];
		char who[64];

		if (x->subject[0])
			snprintf(who, sizeof(who), "interface %s", x->subject);
		else
			snprintf(who, sizeof(who), "pid %d (%s)", x->pid, x->comm);
		log_info("trigger %s: %s value %.1f baseline %.1f delta %.1f %s (threshold %.1f)",
			 trigger_type_name(x->type), who, x->value, x->baseline, x->delta,
			 trigger_unit(x->type), x->threshold);
	}
}

/* The sampling interval of the current mode. */
static uint64_t current_interval_ns(const struct capture *c)
{
	if (c->mode.active)
		return (uint64_t)(c->cfg.diagnostic_interval_ms * 1e6);
	return interval_ns(&c->cfg);
}

static void set_timer(struct capture *c)
{
	if (c->loop && c->timer >= 0)
		evloop_set_timer(c->loop, c->timer, current_interval_ns(c));
}

/* Writes a followed culprit's dump as it stands (at its trigger, and again at the end). */
static void submit_followed(struct capture *c, const struct followed *f)
{
	strbuf_reset(&c->out);
	dump_draft_render(&f->draft, &c->cfg, &c->host, diag_write, f->diag, &c->out);
	dump_writer_submit(c->writer, f->draft.name, &c->out);
}

static void end_episode(struct capture *c, enum diag_end why, uint64_t now)
{
	for (size_t i = 0; i < c->nfollow; i++) {
		struct followed *f = &c->follow[i];

		diag_finish(f->diag, why, now);
		submit_followed(c, f);
		log_info("diagnostic mode ends (%s) after %.1f s, %zu fast samples: %s",
			 diag_end_name(why), (double)(now - f->draft.trig_mono_ns) / 1e9,
			 f->draft.nsnaps - f->draft.trigger_index - 1, f->draft.name);
		diag_free(f->diag);
		dump_draft_release(&f->draft);
	}
	c->nfollow = 0;
	set_timer(c);
}

/* Whether a trigger during the episode names a process not yet followed (and there is room). */
static bool may_follow(const struct capture *c, const struct trigger *t)
{
	if (!c->mode.active || c->nfollow >= MAX_FOLLOWED || t->pid <= 0 || t->culprit_exited)
		return false;
	for (size_t i = 0; i < c->nfollow; i++)
		if (c->follow[i].draft.triggers.t[0].pid == t->pid)
			return false;
	return true;
}

/* One dump for the triggers of tl (the first is the primary one): written now, or followed. */
static void emit_group(struct capture *c, const struct snapshot *snap,
		       const struct trigger_list *tl)
{
	const struct trigger *t = &tl->t[0];
	bool follow_more = may_follow(c, t);
	char name[128];

	if (modectl_trigger(&c->mode, &c->cfg, snap->mono_ns) || follow_more) {
		/* this dump is written now and completed when the episode ends */
		struct followed *f = &c->follow[c->nfollow++];

		dump_draft_begin(&f->draft, tl, c->ring, &c->cfg);
		f->diag = diag_begin(c->pf, &c->cfg, t, snap);
		submit_followed(c, f);
		if (follow_more) {
			log_info("diagnostic mode: also following pid %d", t->pid);
		} else {
			log_info("diagnostic mode: sampling every %.0f ms for %.1f s or more, "
				 "culprit pid %d",
				 c->cfg.diagnostic_interval_ms, c->cfg.diagnostic_seconds, t->pid);
			set_timer(c);
		}
		return;
	}
	strbuf_reset(&c->out);
	dump_render(&c->out, tl, c->ring, &c->cfg, &c->host);
	dump_file_name(t, name, sizeof(name));
	dump_writer_submit(c->writer, name, &c->out);
}

/*
 * The sample's resource triggers share one dump; each security finding gets a dump of its
 * own with its security section as the primary trigger, in an episode too, not an other
 * trigger in another's (findings of one rule on one process in one sample share one: they
 * would share its file name).
 */
static void emit_dump(struct capture *c, const struct snapshot *snap)
{
	struct trigger_list group = { 0 };
	bool *done = xcalloc(c->triggers.n, sizeof(*done));

	log_triggers(&c->triggers);
	for (size_t i = 0; i < c->triggers.n; i++)
		if (!c->triggers.t[i].security)
			trigger_list_add_copy(&group, &c->triggers.t[i]);
	if (group.n)
		emit_group(c, snap, &group);
	for (size_t i = 0; i < c->triggers.n; i++) {
		const struct trigger *t = &c->triggers.t[i];

		if (!t->security || done[i])
			continue;
		trigger_list_clear(&group);
		for (size_t k = i; k < c->triggers.n; k++) {
			const struct trigger *o = &c->triggers.t[k];

			if (o->security && o->type == t->type && o->pid == t->pid) {
				trigger_list_add_copy(&group, o);
				done[k] = true;
			}
		}
		emit_group(c, snap, &group);
	}
	trigger_list_release(&group);
	free(done);
}

int capture_sample(struct capture *c)
{
	const struct snapshot *prev = ring_back(c->ring, 0);
	struct snapshot *snap = ring_next_slot(c->ring);
	uint64_t t0 = clock_mono_ns(), procs_ns = 0;
	bool fast = c->mode.active, ended = false;

	snap->seq = ++c->seq;
	snap->real_ns = clock_real_ns();
	snap->mono_ns = t0;
	snap->boot_ns = boot_ns();
	snap->elapsed_s = prev ? (double)(snap->mono_ns - prev->mono_ns) / 1e9 : 0;
	snap->diagnostic = fast;
	for (size_t i = 0; i < NCOLLECTORS; i++) {
		uint64_t c0 = clock_mono_ns();
		int ret = collectors[i]->sample(c->cstate[i], snap, prev);

		if (collectors[i] == &process_collector)
			procs_ns = clock_mono_ns() - c0; /* what the process source costs, alone */
		if (ret < 0)
			log_debug("%s collector: %s", collectors[i]->name, strerror(-ret));
	}
	ring_commit(c->ring);

	trigger_list_clear(&c->triggers);
	detect_run(c->detect, &c->cfg, snap, prev, &c->triggers);
	c->stats.samples++;
	c->stats.last_nprocs = snap->nprocs;
	if (fast) {
		for (size_t i = 0; i < c->nfollow; i++) {
			dump_draft_add(&c->follow[i].draft, snap, &c->cfg);
			diag_sample(c->follow[i].diag, snap);
		}
	}
	if (c->triggers.n) {
		c->stats.triggers += c->triggers.n;
		emit_dump(c, snap);
	}
	if (fast) {
		enum diag_end why = modectl_tick(&c->mode, &c->cfg, snap->mono_ns);

		if (why != DIAG_END_NONE) {
			end_episode(c, why, snap->mono_ns);
			ended = true;
		}
	}
	if (ring_len(c->ring) > 1) { /* what a dump needs of it, now that it is not the newest */
		struct snapshot *older = ring_back_mut(c->ring, 1);

		dump_keep_shown(older, &c->cfg);
		ring_pack(c->ring, older);
	}
	/* what start-up (the BTF), an episode or a minute of samples freed goes back */
	if (c->seq == 2 || c->seq % GIVE_BACK_SAMPLES == 0 || ended)
		xalloc_give_back();
	c->stats.last_sample_ns = clock_mono_ns() - t0;
	c->stats.diagnostic_seconds = c->mode.spent_s;
	c->stats.episodes = c->mode.episodes;
	log_debug("sample %llu: %zu processes in %.2f ms (process collector %.2f ms)%s",
		  (unsigned long long)snap->seq, snap->nprocs, (double)c->stats.last_sample_ns / 1e6,
		  (double)procs_ns / 1e6, fast ? " (diagnostic)" : "");
	return 0;
}

struct capture_stats capture_get_stats(struct capture *c)
{
	struct writer_stats ws = dump_writer_stats(c->writer);

	c->stats.dumps_written = ws.written;
	c->stats.dumps_failed = ws.failed;
	c->stats.dumps_deleted = ws.deleted;
	return c->stats;
}

static uint64_t interval_ns(const struct config *cfg)
{
	return (uint64_t)(cfg->sampling_interval_seconds * 1e9);
}

static void apply_config(struct capture *c, struct config *fresh)
{
	struct writer_settings ws;
	bool new_interval = fresh->sampling_interval_seconds != c->cfg.sampling_interval_seconds;

	config_release(&c->cfg);
	c->cfg = *fresh; /* takes over fresh's strings */
	memset(fresh, 0, sizeof(*fresh));
	ring_resize(c->ring, (size_t)c->cfg.ring_buffer_capacity);
	writer_settings_of(&c->cfg, &ws);
	dump_writer_configure(c->writer, &ws);
	apply_log_level(&c->cfg);
	if (new_interval)
		set_timer(c);
}

/* One sample from the loop (a tick or a collector's fd); --samples N ends the run. */
static void sample_in_loop(struct capture *c, struct evloop *loop)
{
	capture_sample(c);
	if (c->max_samples > 0 && (long)c->stats.samples >= c->max_samples)
		evloop_stop(loop);
}

static void on_tick(struct evloop *loop, uint64_t expirations, void *arg)
{
	if (expirations > 1)
		log_debug("sampling fell behind by %llu intervals",
			  (unsigned long long)(expirations - 1));
	sample_in_loop(arg, loop);
}

static void on_collector_fd(struct evloop *loop, int fd, uint32_t events, void *arg)
{
	struct ready_arg *r = arg;

	(void)fd;
	(void)events;
	if (r->ops->ready(r->state)) {
		/* the kernel just saw a stall: sample now, not at the next tick */
		sample_in_loop(r->capture, loop);
	}
}

static void on_signal(struct evloop *loop, int signo, void *arg)
{
	struct capture *c = arg;

	if (signo == SIGHUP) {
		struct strbuf err = STRBUF_INIT;
		struct config fresh;

		memset(&fresh, 0, sizeof(fresh));
		if (!c->reload) {
			log_info("SIGHUP: nothing to reload");
		} else if (c->reload(&fresh, &err, c->reload_arg) < 0) {
			log_error("configuration not reloaded, keeping the running one: %s",
				  strbuf_str(&err));
		} else {
			apply_config(c, &fresh);
			log_info("configuration reloaded");
		}
		config_release(&fresh);
		strbuf_release(&err);
		return;
	}
	log_info("SIG%s received, stopping", sigabbrev_np(signo));
	evloop_stop(loop);
}

int capture_run(struct capture *c, long max_samples, capture_reload_fn reload, void *reload_arg)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	int ret;

	c->max_samples = max_samples;
	c->reload = reload;
	c->reload_arg = reload_arg;
	c->loop = evloop_new();
	if (!c->loop)
		return -errno;
	ret = evloop_add_signals(c->loop, sigs, 3, on_signal, c);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < NCOLLECTORS; i++) {
		int fd = collectors[i]->poll_fd ? collectors[i]->poll_fd(c->cstate[i]) : -1;

		if (fd >= 0) {
			c->ready[i] = (struct ready_arg){ collectors[i], c->cstate[i], c };
			evloop_add_fd(c->loop, fd, EPOLLIN, on_collector_fd, &c->ready[i]);
		}
	}
	c->timer = evloop_add_timer(c->loop, interval_ns(&c->cfg), on_tick, c);
	if (c->timer < 0)
		return c->timer;
	/* the first sample now: baselines start forming one interval earlier */
	capture_sample(c);
	if (max_samples == 1)
		return 0;
	ret = evloop_run(c->loop);
	if (c->mode.active) /* stopped in diagnostic mode: what was gathered is written */
		end_episode(c, DIAG_END_NONE, clock_mono_ns());
	dump_writer_flush(c->writer);
	return ret;
}
