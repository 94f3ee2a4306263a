/* execute_proposal (governance op 2): anyone, after the vote and the timelock, executes a proposal that reached the
 * quorum (for + against + abstain) and its majority (for > against; critical: for >= 2/3 of for + against too).
 *
 * Accounts: 0 executor (signer), 1 config (writable), 2 proposal (writable), then the action's own:
 *           reverse_slash: 3 slash record (writable, the target), 4 agent (writable);
 *           dismiss_appeal: 3 slash record (writable, the target), 4 stakes vault (writable), 5 mint (writable),
 *           6 harmed party's ACC account (writable), 7 SPL Token program;
 *           set_slasher / set_attestor: 3 the key's PDA (writable), 4 System program (the executor pays a new PDA's
 *           rent: then it signs writable). 
 * Data: tag, op. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/governance.h"
#include "agentcluster/instructions.h"
#include "agentcluster/slash.h"

enum { A_EXECUTOR, A_CONFIG, A_PROPOSAL, A_COUNT };
enum { A_RECORD = 3, A_REVERSE_AGENT = 4, A_REVERSE_COUNT = 5 };
enum { A_STAKES = 4, A_MINT = 5, A_HARMED_ACC = 6, A_TOKEN = 7, A_DISMISS_COUNT = 8 };
enum { A_KEY_PDA = 3, A_KEY_SYSTEM = 4, A_KEY_COUNT = 5 };

u64 ac_ix_execute_proposal(ac_input *in) {
  if (in->data_len != 2) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_proposal *proposal;
  ac_slash_record *record = NULL;
  ac_agent *agent = NULL;
  ac_key_approval approval = { 0 };
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_EXECUTOR])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_CONFIG])) != AC_OK || (rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK)
    return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_PROPOSAL])) != AC_OK || (rc = ac_proposal_load(a[A_PROPOSAL], in->program_id, &proposal)) != AC_OK)
    return ac_fail(rc);
  u8 action = proposal->action;
  const ac_slash_payout payout = { a[A_CONFIG], in->account_count > A_STAKES ? a[A_STAKES] : NULL,
    in->account_count > A_MINT ? a[A_MINT] : NULL, in->account_count > A_HARMED_ACC ? a[A_HARMED_ACC] : NULL,
    in->account_count > A_TOKEN ? a[A_TOKEN] : NULL };
  if (action == AC_GOV_REVERSE_SLASH || action == AC_GOV_DISMISS_APPEAL) {
    if (in->account_count < (action == AC_GOV_REVERSE_SLASH ? A_REVERSE_COUNT : A_DISMISS_COUNT))
      return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
    if ((rc = ac_check_writable(a[A_RECORD])) != AC_OK || (rc = ac_slash_record_load(a[A_RECORD], in->program_id, &record)) != AC_OK)
      return ac_fail(rc);
    if (!ac_key_eq(&a[A_RECORD]->key, &proposal->target)) return ac_fail(AC_ERR_INVALID_ACTION);
    if (action == AC_GOV_REVERSE_SLASH) {
      if ((rc = ac_check_writable(a[A_REVERSE_AGENT])) != AC_OK ||
          (rc = ac_agent_load(a[A_REVERSE_AGENT], in->program_id, &agent)) != AC_OK)
        return ac_fail(rc);
      if (!ac_key_eq(&record->agent_key, &agent->agent_key)) return ac_fail(AC_ERR_WRONG_ACCOUNT);
    } else if ((rc = ac_slash_payout_check(config, record, &payout)) != AC_OK) {
      return ac_fail(rc);
    }
  }

  if (action == AC_GOV_SET_SLASHER || action == AC_GOV_SET_ATTESTOR) {
    if (in->account_count < A_KEY_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
    approval.payer = a[A_EXECUTOR];
    approval.pda = a[A_KEY_PDA];
    approval.system_program = a[A_KEY_SYSTEM];
    approval.key = &proposal->target;
    approval.is_slasher = action == AC_GOV_SET_SLASHER;
    approval.approved = (u8)proposal->value;
    if ((rc = ac_gov_key_approval_check(in->program_id, &approval)) != AC_OK) return ac_fail(rc);
  }

  if (proposal->status == AC_PROPOSAL_EXECUTED) return ac_fail(AC_ERR_PROPOSAL_EXECUTED);
  i64 now = ac_now();
  if (now <= proposal->voting_ends) return ac_fail(AC_ERR_VOTING_OPEN);
  if (now < proposal->executable_at) return ac_fail(AC_ERR_TIMELOCKED);
  u64 yes = proposal->votes_for, no = proposal->votes_against;
  if (yes + no + proposal->votes_abstain < proposal->quorum || yes <= no) return ac_fail(AC_ERR_PROPOSAL_DEFEATED);
  if (proposal->critical && yes * 3 < (yes + no) * 2) return ac_fail(AC_ERR_PROPOSAL_DEFEATED); /* < 2^62 each: no overflow */
  if ((rc = ac_gov_check_action(config, action, proposal->value, &proposal->target)) != AC_OK) return ac_fail(rc);

  /* --- act: the proposal first, then its action --- */
  proposal->status = AC_PROPOSAL_EXECUTED;
  ac_config *writable_config = (ac_config *)a[A_CONFIG]->data;
  ac_event_proposal_executed event;
  sol_memcpy_(event.id, proposal->id, 32);
  event.action = action;
  event.target = proposal->target;
  event.value = proposal->value;
  ac_emit(AC_EVENT_PROPOSAL_EXECUTED, &event, sizeof(event));
  switch (action) {
    case AC_GOV_SET_REGISTRATION_BOND: writable_config->registration_bond = proposal->value; break;
    case AC_GOV_SET_REGISTRATION_FEE: writable_config->registration_fee = proposal->value; break;
    case AC_GOV_SET_UNBONDING_PERIOD: writable_config->unbonding_period = proposal->value; break;
    case AC_GOV_SET_APPEAL_WINDOW: writable_config->appeal_window = proposal->value; break;
    case AC_GOV_SET_EXIT_DELAY: writable_config->exit_delay = proposal->value; break;
    case AC_GOV_SET_AUTHORITY: writable_config->authority = proposal->target; break;
    case AC_GOV_REVERSE_SLASH:
      if ((rc = ac_slash_reverse(record, agent, now)) != AC_OK) return ac_fail(rc);
      break;
    case AC_GOV_DISMISS_APPEAL:
      if ((rc = ac_slash_dismiss(config, record, &payout, now)) != AC_OK) return ac_fail(rc);
      break;
    case AC_GOV_SET_SLASHER:
    case AC_GOV_SET_ATTESTOR:
      if ((rc = ac_gov_key_approval_apply(in->program_id, &approval)) != AC_OK) return ac_fail(rc);
      break;
    default: return ac_fail(AC_ERR_INVALID_ACTION);
  }
  return AC_OK;
}
