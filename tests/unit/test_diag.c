/* test_diag.c - the diagnostic mode controller: budget, hysteresis, episode length. */
#include "capture/config.h"
#include "capture/diag.h"
#include "tap.h"

#define S 1000000000ULL /* ns per second */

int main(void)
{
	struct config cfg;
	struct modectl m;
	uint64_t t = 1000 * S;

	config_defaults(&cfg);
	cfg.diagnostic_seconds = 5;
	cfg.diagnostic_quiet_seconds = 2;
	cfg.diagnostic_budget_pct = 10;

	modectl_init(&m, &cfg, t);
	ok(modectl_trigger(&m, &cfg, t), "a trigger right after start-up starts an episode");
	ok(m.active, "the controller is active");
	ok(!modectl_trigger(&m, &cfg, t + S), "a trigger during the episode extends it");
	is_int(modectl_tick(&m, &cfg, t + 4 * S), DIAG_END_NONE, "not over before diagnostic_seconds");
	/* the last trigger was at +1 s: at +5 s it is 4 s quiet */
	is_int(modectl_tick(&m, &cfg, t + 5 * S), DIAG_END_QUIET,
	       "over at diagnostic_seconds once quiet long enough");
	ok(!m.active, "back to sentinel");
	ok(!modectl_trigger(&m, &cfg, t + 6 * S), "no new episode within the quiet period");
	is_int(m.refused_quiet, 1, "counted as refused by the quiet period");
	ok(!modectl_trigger(&m, &cfg, t + 8 * S), "after the quiet period: the budget is spent");
	is_int(m.refused_budget, 1, "counted as refused by the budget");
	/* 10 %: 5 s of diagnostic time takes 50 s of wall time to earn back */
	ok(!modectl_trigger(&m, &cfg, t + 40 * S), "still short of a whole episode at +40 s");
	ok(modectl_trigger(&m, &cfg, t + 60 * S), "a new episode once the bucket holds one");

	/* triggers that keep coming: at most twice diagnostic_seconds */
	{
		uint64_t s0 = t + 60 * S;
		enum diag_end why = DIAG_END_NONE;
		uint64_t now = s0;

		m.tokens_s = 100; /* plenty: this is about the length */
		while (why == DIAG_END_NONE && now < s0 + 30 * S) {
			now += S / 10;
			modectl_trigger(&m, &cfg, now);
			why = modectl_tick(&m, &cfg, now);
		}
		is_int(why, DIAG_END_MAX_LENGTH, "a flapping trigger ends at the maximum length");
		is_double((double)(now - s0) / S, 10.0, 0.11, "which is twice diagnostic_seconds");
	}

	/* the budget runs dry inside an episode */
	modectl_init(&m, &cfg, t);
	ok(modectl_trigger(&m, &cfg, t), "episode with exactly one episode's worth");
	m.tokens_s = 1.0;
	is_int(modectl_tick(&m, &cfg, t + 2 * S), DIAG_END_BUDGET, "ends when the bucket is empty");

	/* long-run share of wall time stays under the budget */
	{
		uint64_t now = t + 1000 * S, end = now + 3600 * S;

		modectl_init(&m, &cfg, now);
		while (now < end) {
			now += S / 10;
			modectl_trigger(&m, &cfg, now); /* a trigger every 100 ms for an hour */
			modectl_tick(&m, &cfg, now);
		}
		ok(m.spent_s <= 0.10 * 3600 + 4 * cfg.diagnostic_seconds,
		   "an hour of constant triggers: %.0f s in diagnostic mode (budget 10 %% = 360 s)",
		   m.spent_s);
		ok(m.spent_s >= 0.05 * 3600, "and the budget is used, not wasted (%.0f s)", m.spent_s);
	}

	/* off switches */
	cfg.enable_diagnostic_mode = false;
	modectl_init(&m, &cfg, t);
	ok(!modectl_trigger(&m, &cfg, t), "enable_diagnostic_mode = false: never");
	cfg.enable_diagnostic_mode = true;
	cfg.diagnostic_budget_pct = 0;
	modectl_init(&m, &cfg, t);
	ok(!modectl_trigger(&m, &cfg, t + 3600 * S), "budget 0: never");
	is_str(diag_end_name(DIAG_END_QUIET), "quiet", "end reasons have names");
	config_release(&cfg);
	return done_testing();
}
