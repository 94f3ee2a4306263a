/* The market's parameters (sol-gaps): defaults and governance's bounds (agentcluster/market.h). */
#include "ac/error.h"
#include "ac/log.h"
#include "agentcluster/market.h"

#define MIN_WINDOW 600ull /* 10 minutes, as Base's MIN_WINDOW */
#define DAY 86400ull

void ac_market_params_default(ac_market_params *p) {
  p->terms.bidding_window = AC_MARKET_BIDDING_WINDOW;
  p->terms.max_task_duration = AC_MARKET_MAX_TASK_DURATION;
  p->terms.draw_window = AC_MARKET_DRAW_WINDOW;
  p->terms.commit_window = AC_MARKET_COMMIT_WINDOW;
  p->terms.reveal_window = AC_MARKET_REVEAL_WINDOW;
  p->terms.fee_bps = AC_MARKET_FEE_BPS;
  p->terms.reviewer_share_bps = AC_MARKET_REVIEWER_SHARE_BPS;
  p->terms.missed_severity_bps = AC_MARKET_MISSED_SEVERITY_BPS;
  p->terms.rejected_severity_bps = AC_MARKET_REJECTED_SEVERITY_BPS;
  p->terms.non_reveal_severity_bps = AC_MARKET_NON_REVEAL_SEVERITY_BPS;
  p->terms.minority_severity_bps = AC_MARKET_MINORITY_SEVERITY_BPS;
  p->keeper_reward = AC_MARKET_KEEPER_REWARD;
}

/* Logs the parameter's name and fails, as Base's _check(bad, name, value) reverts ParameterOutOfRange(name, value). */
static u64 out_of_range(const char *name, u64 name_len, u64 value) {
  sol_log_(name, name_len);
  sol_log_64_(value, 0, 0, 0, 0);
  return AC_ERR_PARAMETER_OUT_OF_RANGE;
}
#define CHECK(bad, name, value) \
  if (bad) return out_of_range(name, sizeof(name) - 1, (u64)(value))
#define BAD_SEVERITY(bps) ((bps) != 0 && ((bps) < AC_MIN_SEVERITY_BPS || (bps) > AC_BPS))

u64 ac_market_params_check(const ac_market_terms *t, u64 keeper_reward) {
  CHECK(t->bidding_window < MIN_WINDOW || t->bidding_window > 30 * DAY, "biddingWindow", t->bidding_window);
  CHECK(t->max_task_duration == 0 || t->max_task_duration > 365 * DAY || t->max_task_duration <= t->bidding_window,
        "maxTaskDuration", t->max_task_duration);
  CHECK(t->draw_window < MIN_WINDOW || t->draw_window > DAY, "drawWindow", t->draw_window);
  CHECK(t->commit_window < MIN_WINDOW || t->commit_window > 7 * DAY, "commitWindow", t->commit_window);
  CHECK(t->reveal_window < MIN_WINDOW || t->reveal_window > 7 * DAY, "revealWindow", t->reveal_window);
  CHECK(t->fee_bps > AC_BPS, "feeBps", t->fee_bps);
  CHECK(t->reviewer_share_bps > AC_BPS, "reviewerShareBps", t->reviewer_share_bps);
  CHECK(keeper_reward > 1000ull * AC_ACC_UNIT, "keeperReward", keeper_reward);
  CHECK(BAD_SEVERITY(t->missed_severity_bps), "missedDeadlineSeverityBps", t->missed_severity_bps);
  CHECK(BAD_SEVERITY(t->rejected_severity_bps), "rejectedSeverityBps", t->rejected_severity_bps);
  CHECK(BAD_SEVERITY(t->non_reveal_severity_bps), "nonRevealSeverityBps", t->non_reveal_severity_bps);
  CHECK(BAD_SEVERITY(t->minority_severity_bps), "minoritySeverityBps", t->minority_severity_bps);
  /* No slash-then-exit (Base: staking.declareSlashDelay(life)): a member's or the executor's slash comes at most the
   * draw, commit and reveal windows and a day (the seed, the settlement) after the act. */
  u64 delay = (u64)t->draw_window + t->commit_window + t->reveal_window + DAY;
  CHECK(delay > (u64)AC_MAX_SLASH_DELAY, "slashDelay", delay);
  return AC_OK;
}
