/* settle_task: anyone (paid) settles a task once its committee can no longer change the outcome:
 *  - committee not full when the fill phase closed: Refunded, the requester credited everything not spent on keeper
 *    work, nobody paid or penalised for a verdict;
 *  - otherwise after the reveal window (or once every member revealed): Accepted at >= 2/3 approvals of the revealed
 *    votes, Rejected at >= 2/3 rejections, Refunded with no revealed vote, else Inconclusive (bounty refunded, nobody
 *    penalised: a 2/3 rule must not punish an honest near-majority either way).
 * What the fee leaves after keeper work (assign, fix_seed, this, and per seat a fill, a member settlement, plus the
 * claims paid): reviewer_share_bps of it to the aligned members (paid at their settlement), the rest burned now.
 *
 * The executor's consequences (reputation, a rejected executor's slash) are settle_executor's; the members' are
 * settle_member's; both gains are fixed here, from the burned part of the fee (0.02 point per ACC, capped).
 *
 * Accounts: the keeper block (ac_market_keeper_accounts), 6 ACC mint (writable). Data: the tag only. */
#include "ac/checks.h"
#include "ac/math.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

enum { A_MINT = AC_K_COUNT, A_COUNT };

u64 ac_ix_settle_task(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_keeper_accounts k;
  u64 rc;
  /* --- every account checked before anything happens --- */
  if ((rc = ac_market_keeper_accounts(in, &k)) != AC_OK) return ac_fail(rc);
  ac_account *mint = in->accounts[A_MINT];
  if ((rc = ac_check_writable(mint)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&mint->key, &k.config->mint)) return ac_fail(AC_ERR_WRONG_MINT);
  ac_task *t = k.task;
  i64 now = ac_now();
  if (t->status != AC_TASK_VERIFYING) return ac_fail(AC_ERR_TASK_WRONG_STATUS);
  bool formed = t->seats == t->committee_size;
  if (!formed && now <= t->fill_closes_at) return ac_fail(AC_ERR_REVEAL_NOT_OVER);
  if (formed && now <= t->reveal_ends_at && t->reveals < t->seats) return ac_fail(AC_ERR_REVEAL_NOT_OVER);

  u64 reward = t->keeper_reward;
  u64 rest = t->fee - (4ull + 2ull * t->seats + t->claims) * reward; /* the fee covered every unit at submission */
  u8 outcome, aligned = 0;
  u64 revealed = t->reveals, approvals = t->approvals;
  if (!formed || revealed == 0) {
    outcome = AC_TASK_REFUNDED;
  } else if (approvals * 3 >= revealed * 2) {
    outcome = AC_TASK_ACCEPTED;
    aligned = (u8)approvals;
  } else if ((revealed - approvals) * 3 >= revealed * 2) {
    outcome = AC_TASK_REJECTED;
    aligned = (u8)(revealed - approvals);
  } else {
    outcome = AC_TASK_INCONCLUSIVE;
    aligned = (u8)revealed;
  }
  u64 per_reviewer = 0, burned = 0;
  if (!formed) {
    t->requester_credit = t->bounty + rest;
  } else {
    u64 reviewers = 0;
    if (aligned != 0 && !ac_mul_div(rest, t->reviewer_share_bps, AC_BPS, &reviewers)) return ac_fail(AC_ERR_ARITHMETIC_OVERFLOW);
    per_reviewer = aligned == 0 ? 0 : reviewers / aligned;
    burned = rest - per_reviewer * aligned;
    if (outcome == AC_TASK_ACCEPTED) {
      t->executor_credit = t->price;
      t->requester_credit = t->bounty - t->price;
    } else {
      t->requester_credit = t->bounty;
    }
  }

  u64 executor_gain = 0, reviewer_gain = 0;
  if (formed && outcome == AC_TASK_ACCEPTED) {
    executor_gain = burned / AC_MARKET_GAIN_DIVISOR;
    if (executor_gain > (u64)AC_MARKET_EXECUTOR_MAX_GAIN) executor_gain = (u64)AC_MARKET_EXECUTOR_MAX_GAIN;
  }
  if (formed && aligned != 0) {
    reviewer_gain = burned / AC_MARKET_GAIN_DIVISOR / aligned;
    if (reviewer_gain > (u64)AC_MARKET_REVIEWER_ALIGNED_GAIN) reviewer_gain = (u64)AC_MARKET_REVIEWER_ALIGNED_GAIN;
  }

  /* --- act: state first, then the burn and the keeper's pay --- */
  t->status = outcome;
  t->executor_gain = executor_gain;
  t->reviewer_gain = reviewer_gain;
  t->aligned = aligned;
  t->reward_per_reviewer = per_reviewer;
  ac_event_task_settled event = { in->accounts[AC_K_TASK]->key, outcome, t->approvals, t->reveals, aligned, { 0 }, burned, per_reviewer };
  ac_emit(AC_EVENT_TASK_SETTLED, &event, sizeof(event));
  if ((rc = ac_task_burn(&k.payer, mint, burned)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_market_pay_caller(in, &k)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
