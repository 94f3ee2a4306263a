/* The executor's penalty through sol-stake's slashing (agentcluster/slash.h). */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/market.h"

u64 ac_market_penalty_check(ac_input *in, u64 first, const ac_task *task, ac_market_penalty *out) {
  if (in->account_count < first + 3) return AC_ERR_NOT_ENOUGH_ACCOUNTS;
  ac_account **a = in->accounts;
  u64 rc;
  if ((rc = ac_check_writable(a[first])) != AC_OK) return rc;
  /* The executor's agent account was loaded with every check (its PDA among them) when it bid, and its address kept:
   * comparing the address replaces re-deriving it. */
  if (!ac_key_eq(&a[first]->key, &task->executor_agent)) return AC_ERR_NOT_EXECUTOR;
  if ((rc = ac_check_owner(a[first], in->program_id)) != AC_OK) return rc;
  out->agent = (ac_agent *)a[first]->data;
  if (!ac_agent_size_ok(a[first]->data_len) || out->agent->discriminator != AC_DISC_AGENT) return AC_ERR_INVALID_ACCOUNT_DATA;
  out->request.agent_account = a[first];
  out->request.payer = a[AC_K_KEEPER];
  out->request.record = a[first + 1];
  out->request.system_program = a[first + 2];
  out->request.slasher = in->program_id;
  out->request.harmed_party = &task->requester;
  out->request.reason = a[AC_K_TASK]->key.bytes;
  out->request.severity_bps = 0;
  return ac_slash_check(in->program_id, out->agent, &out->request);
}

u64 ac_market_penalise(ac_input *in, const ac_config *config, ac_market_penalty *penalty, u64 severity_bps) {
  if (severity_bps == 0) return AC_OK;
  penalty->request.severity_bps = (u16)severity_bps;
  u64 amount;
  return ac_slash(in->program_id, config, penalty->agent, &penalty->request, &amount);
}

u64 ac_market_member_penalty_check(ac_input *in, u64 first, const ac_task *task, u64 index, ac_market_penalty *out) {
  bool slash = out->request.severity_bps != 0;
  if (in->account_count < first + 3) return AC_ERR_NOT_ENOUGH_ACCOUNTS;
  ac_account **a = in->accounts;
  u64 rc;
  if ((rc = ac_check_writable(a[first])) != AC_OK) return rc;
  /* The member's agent account was loaded with every check (its PDA among them) when it took the seat, and its address
   * kept: comparing the address replaces re-deriving it. */
  if (!ac_key_eq(&a[first]->key, ac_task_member_agent_const(task, index))) return AC_ERR_NOT_MEMBER;
  if ((rc = ac_check_owner(a[first], in->program_id)) != AC_OK) return rc;
  out->agent = (ac_agent *)a[first]->data;
  if (!ac_agent_size_ok(a[first]->data_len) || out->agent->discriminator != AC_DISC_AGENT) return AC_ERR_INVALID_ACCOUNT_DATA;
  if (!slash) return AC_OK;
  static const ac_pubkey nobody = { { 0 } };
  out->request.agent_account = a[first];
  out->request.payer = a[AC_K_KEEPER];
  out->request.record = a[first + 1];
  out->request.system_program = a[first + 2];
  out->request.slasher = in->program_id;
  out->request.harmed_party = &nobody;
  out->request.reason = a[AC_K_TASK]->key.bytes;
  out->request.severity_bps = 0;
  return ac_slash_check(in->program_id, out->agent, &out->request);
}

bool ac_market_note_counterparty(ac_agent *executor, const ac_pubkey *requester, i64 now) {
  ac_agent_history *h = ac_agent_history_of(executor);
  u32 today = (u32)((u64)now / 86400); /* now > 0: unsigned division (SBF has no signed one) */
  u64 oldest = 0;
  for (u64 i = 0; i < 3; i++) { /* a fixed three */
    bool same = true;
    for (u64 j = 0; j < 8; j++) same = same && h->recent_counterparties[i].requester[j] == requester->bytes[j];
    u32 day = h->recent_counterparties[i].day;
    if (same && day != 0 && today < day + AC_MARKET_COUNTERPARTY_COOLDOWN_DAYS) return false;
    if (day < h->recent_counterparties[oldest].day) oldest = i;
  }
  for (u64 j = 0; j < 8; j++) h->recent_counterparties[oldest].requester[j] = requester->bytes[j];
  h->recent_counterparties[oldest].day = today;
  return true;
}
