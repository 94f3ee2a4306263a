/* dismiss_appeal: governance (the config's authority) dismisses an appeal within its decision period; the slash is
 * finalized at once (harmed share paid, the rest burned).
 *
 * Accounts: 0 authority (signer), 1 config, 2 slash record (writable), 3 stakes vault (writable), 4 mint (writable),
 *           5 harmed party's ACC account (writable; unused when nothing is paid), 6 SPL Token program.
 * Data: the tag only. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/instructions.h"
#include "agentcluster/slash.h"

enum { A_AUTHORITY, A_CONFIG, A_RECORD, A_STAKES, A_MINT, A_HARMED_ACC, A_TOKEN, A_COUNT };

u64 ac_ix_dismiss_appeal(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_slash_record *record;
  u64 rc;
  const ac_slash_payout payout = { a[A_CONFIG], a[A_STAKES], a[A_MINT], a[A_HARMED_ACC], a[A_TOKEN] };

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_AUTHORITY])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_AUTHORITY]->key, &config->authority)) return ac_fail(AC_ERR_NOT_AUTHORITY);
  if ((rc = ac_check_writable(a[A_RECORD])) != AC_OK || (rc = ac_slash_record_load(a[A_RECORD], in->program_id, &record)) != AC_OK)
    return ac_fail(rc);
  if ((rc = ac_slash_payout_check(config, record, &payout)) != AC_OK) return ac_fail(rc);

  /* --- the rule's checks, then the act (ac_slash_dismiss: the record first, then the transfer and the burn) --- */
  if ((rc = ac_slash_dismiss(config, record, &payout, ac_now())) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
