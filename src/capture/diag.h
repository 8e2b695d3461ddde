/* diag.h - diagnostic mode: MicroSentinel's mode controller applied to spikes, and the culprit's
 * detail gathered while it lasts. */
#ifndef SPIKETRACE_CAPTURE_DIAG_H
#define SPIKETRACE_CAPTURE_DIAG_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/config.h"
#include "capture/detect.h"
#include "capture/snapshot.h"
#include "sys/procfs.h"

/*
 * The mode controller: when a trigger may start an episode, how long it lasts,
 * and what it may cost. All times are CLOCK_MONOTONIC ns.
 *
 * - Budget: a token bucket of diagnostic seconds. It refills at
 *   diagnostic_budget_pct of wall time, holds at most two full episodes
 *   (4 x diagnostic_seconds), and an episode spends one token a second.
 *   An episode starts only when a whole diagnostic_seconds is in the bucket and
 *   ends early when the bucket runs dry, so over any long stretch diagnostic
 *   mode takes at most the budget's share of wall time.
 * - Hysteresis: an episode lasts at least diagnostic_seconds, then goes on
 *   while triggers keep coming less than diagnostic_quiet_seconds apart, up to
 *   twice diagnostic_seconds; after it ends, no new episode starts for
 *   diagnostic_quiet_seconds (a flapping trigger cannot toggle the mode).
 */
enum diag_end { DIAG_END_NONE, DIAG_END_QUIET, DIAG_END_MAX_LENGTH, DIAG_END_BUDGET };

struct modectl {
	bool active;
	double tokens_s;	  /* diagnostic seconds left in the bucket */
	uint64_t last_ns;	  /* when the bucket was last brought up to date */
	uint64_t started_ns;	  /* the running episode's start */
	uint64_t last_trigger_ns; /* the newest trigger of the running episode */
	uint64_t ended_ns;	  /* the previous episode's end, 0 if none */
	uint64_t episodes, refused_budget, refused_quiet;
	double spent_s; /* diagnostic time so far */
};

void modectl_init(struct modectl *m, const struct config *cfg, uint64_t now_ns);
/* A trigger at now: starts an episode when allowed (true), or extends the running one (false). */
bool modectl_trigger(struct modectl *m, const struct config *cfg, uint64_t now_ns);
/* After each diagnostic sample: spends the budget, says whether and why the episode ends now. */
enum diag_end modectl_tick(struct modectl *m, const struct config *cfg, uint64_t now_ns);
const char *diag_end_name(enum diag_end e);

struct json_writer;
struct diag_episode;

/*
 * Starts gathering the culprit's detail for an episode whose primary trigger
 * is t, fired on snapshot trig: its open files and sockets, cgroup, and (when
 * cfg->diagnostic_stack_hz > 0 and the kernel allows) stack samples of all its
 * threads and children. A trigger without a live culprit gets fast samples
 * only.
 */
struct diag_episode *diag_begin(struct procfs *pf, const struct config *cfg,
				const struct trigger *t, const struct snapshot *trig);
/* After each fast sample: the culprit's CPU (scheduler ns), RSS, threads; children; stacks. */
void diag_sample(struct diag_episode *e, const struct snapshot *s);
/* Stops the samplers and symbolises the stacks (the episode is over). */
void diag_finish(struct diag_episode *e, enum diag_end why, uint64_t now_ns);
/* Writes the "diagnosis" object (a dump_section_fn; arg is the episode). */
void diag_write(struct json_writer *w, void *arg);
void diag_free(struct diag_episode *e); /* NULL is a no-op */

#endif
