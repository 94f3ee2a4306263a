/* claim_payout: after settlement, the requester (refund) or the executor's owner (its price) pulls what the task owes
 * it to its own ACC account.
 *
 * Accounts: 0 payee (signer), 1 task (writable), 2 task vault (writable), 3 payee's ACC account (writable), 4 config,
 *           5 SPL Token program (the keeper block's layout, the payee in the keeper's place). Data: the tag only. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

u64 ac_ix_claim_payout(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  ac_keeper_accounts k;
  u64 rc;
  /* --- every account checked before anything happens --- */
  if ((rc = ac_market_keeper_accounts(in, &k)) != AC_OK) return ac_fail(rc);
  ac_task *t = k.task;
  const ac_pubkey *payee = &in->accounts[AC_K_KEEPER]->key;
  if (!ac_task_is_final(t)) return ac_fail(AC_ERR_TASK_NOT_SETTLED);
  u64 amount = 0;
  bool requester = ac_key_eq(payee, &t->requester), executor = ac_key_eq(payee, &t->executor_owner);
  if (requester) amount += t->requester_credit;
  if (executor) amount += t->executor_credit;
  if (amount == 0) return ac_fail(AC_ERR_NOTHING_OWED);

  /* --- act --- */
  if (requester) t->requester_credit = 0;
  if (executor) t->executor_credit = 0;
  ac_event_payout_claimed event = { in->accounts[AC_K_TASK]->key, *payee, amount };
  ac_emit(AC_EVENT_PAYOUT_CLAIMED, &event, sizeof(event));
  if ((rc = ac_task_pay(&k.payer, in->accounts[AC_K_KEEPER_ACC], amount)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
