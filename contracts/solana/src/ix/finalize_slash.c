/* finalize_slash: anyone, once the slash can no longer be reversed (after the appeal window, or after the decision
 * period of an appeal): pays the harmed share to the harmed party's ACC account and burns the rest.
 *
 * Accounts: 0 slash record (writable), 1 stakes vault (writable), 2 mint (writable), 3 harmed party's ACC account
 *           (writable; unused when nothing is paid), 4 config, 5 SPL Token program.
 * Data: the tag only. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/instructions.h"
#include "agentcluster/slash.h"

enum { A_RECORD, A_STAKES, A_MINT, A_HARMED_ACC, A_CONFIG, A_TOKEN, A_COUNT };

u64 ac_ix_finalize_slash(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_slash_record *record;
  u64 rc;
  const ac_slash_payout payout = { a[A_CONFIG], a[A_STAKES], a[A_MINT], a[A_HARMED_ACC], a[A_TOKEN] };

  /* --- every account checked before anything happens --- */
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_RECORD])) != AC_OK || (rc = ac_slash_record_load(a[A_RECORD], in->program_id, &record)) != AC_OK)
    return ac_fail(rc);
  if ((rc = ac_slash_payout_check(config, record, &payout)) != AC_OK) return ac_fail(rc);

  i64 now = ac_now();
  if (record->status == AC_SLASH_APPEALED) {
    if (now <= record->decision_deadline) return ac_fail(AC_ERR_APPEAL_PENDING);
  } else if (record->status == AC_SLASH_PENDING) {
    if (now <= record->appeal_deadline) return ac_fail(AC_ERR_APPEAL_WINDOW_OPEN);
  } else {
    return ac_fail(AC_ERR_SLASH_NOT_OPEN);
  }

  /* --- act: the record first, then the transfer and the burn --- */
  if ((rc = ac_slash_finalize(config, record, &payout)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
