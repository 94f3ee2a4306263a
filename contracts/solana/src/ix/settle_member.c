/* settle_member: after settlement, anyone (paid) settles one seat, once: a member aligned with the outcome (voted with
 * a conclusive outcome, or revealed at all when inconclusive) is paid its share to its owner's ACC account and gains
 * the validator reputation fixed at settlement; an outvoted member loses 0.2 point and is slashed the task's
 * minority_severity_bps (the light minority slash), a silent one (no commit or no reveal) loses 0.5 point and is
 * slashed non_reveal_severity_bps, as on Base (sol-gaps; through sol-stake's ac_slash, nobody harmed: burned at
 * finalization, appealable). The members of a committee that never formed never voted: released without effect.
 *
 * Accounts: the keeper block (ac_market_keeper_accounts; the keeper writable: it pays a slash record's rent),
 *           6 the member owner's ACC account (writable), 7 the member's reputation (writable), 8 the member's agent
 *           (writable), 9 its next slash record (writable; checked only when the member is slashed), 10 System program.
 * Data: tag, u8 seat. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

enum { A_MEMBER_ACC = AC_K_COUNT, A_REPUTATION, A_AGENT, A_RECORD, A_SYSTEM, A_COUNT };

u64 ac_ix_settle_member(ac_input *in) {
  if (in->data_len != 2) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_keeper_accounts k;
  u64 rc;
  /* --- every account checked before anything happens --- */
  if ((rc = ac_market_keeper_accounts(in, &k)) != AC_OK) return ac_fail(rc);
  ac_task *t = k.task;
  u8 index = in->data[1];
  if (!ac_task_is_final(t)) return ac_fail(AC_ERR_TASK_NOT_SETTLED);
  if (index >= t->committee_size || ac_task_seat(t, index)->state == AC_SEAT_EMPTY) return ac_fail(AC_ERR_NOT_MEMBER);
  ac_seat *seat = ac_task_seat(t, index);
  if ((rc = ac_acc_account_check(in->accounts[A_MEMBER_ACC], k.config, &seat->owner)) != AC_OK) return ac_fail(rc);
  ac_reputation *reputation;
  if ((rc = ac_reputation_load(in->accounts[A_REPUTATION], in->program_id, &seat->agent_key, true, &reputation)) != AC_OK)
    return ac_fail(rc);
  if (seat->settled) return ac_fail(AC_ERR_MEMBER_SETTLED);

  bool revealed = seat->state == AC_SEAT_REVEALED;
  bool aligned = revealed && t->aligned != 0 &&
                 (t->status == AC_TASK_INCONCLUSIVE || (t->status == AC_TASK_ACCEPTED && seat->vote == 1) ||
                  (t->status == AC_TASK_REJECTED && seat->vote == 0));
  u64 paid = aligned ? t->reward_per_reviewer : 0;
  bool formed = t->seats == t->committee_size;
  i64 delta = !formed ? 0 : aligned ? (i64)t->reviewer_gain : revealed ? -(AC_MARKET_REVIEWER_MISALIGNED_LOSS) : -(AC_MARKET_REVIEWER_SILENT_LOSS);
  u64 severity = !formed || aligned ? 0 : revealed ? t->minority_severity_bps : t->non_reveal_severity_bps;
  ac_market_penalty penalty;
  penalty.request.severity_bps = (u16)severity;
  if ((rc = ac_market_member_penalty_check(in, A_AGENT, t, index, &penalty)) != AC_OK) return ac_fail(rc);

  /* --- act: state first, then the slash (its record's creation is a CPI) and the payments --- */
  seat->settled = 1;
  t->members_settled++;
  if (delta != 0 && (rc = ac_reputation_record(reputation, AC_REP_VALIDATOR, delta, ac_now())) != AC_OK) return ac_fail(rc);
  ac_event_member_settled event = { in->accounts[AC_K_TASK]->key, seat->agent_key, paid, index, aligned };
  ac_emit(AC_EVENT_MEMBER_SETTLED, &event, sizeof(event));
  if ((rc = ac_market_penalise(in, k.config, &penalty, severity)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_task_pay(&k.payer, in->accounts[A_MEMBER_ACC], paid)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_market_pay_caller(in, &k)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
