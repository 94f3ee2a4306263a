/* slash: an approved slasher (a key governance named; the market's settlement slashes through ac_slash directly) takes
 * 1..100% of an agent's active and unbonding stake into a pending slash, which the agent's owner may appeal within the
 * appeal window and which governance reverses or lets stand.
 *
 * Accounts: 0 slasher (signer, writable: pays the record's rent), 1 slasher PDA, 2 agent (writable),
 *           3 slash record (writable, new: PDA("slash", agent key, u32 LE slash_count)), 4 config, 5 System program.
 * Data: tag, u16 severity (basis points), harmed party (32 bytes; zero: nobody), reason (32 bytes). */
#include "ac/checks.h"
#include "ac/pda.h"
#include "agentcluster/accounts.h"
#include "agentcluster/instructions.h"
#include "agentcluster/slash.h"

enum { A_SLASHER, A_SLASHER_PDA, A_AGENT, A_RECORD, A_CONFIG, A_SYSTEM, A_COUNT };
#define DATA_LEN (1 + 2 + 32 + 32)

static const u8 SEED_SLASHER[] = AC_SEED_SLASHER;

u64 ac_ix_slash(ac_input *in) {
  if (in->data_len != DATA_LEN) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_agent *agent;
  u64 rc, amount;
  ac_slash_request request = {
    .payer = a[A_SLASHER], .record = a[A_RECORD], .system_program = a[A_SYSTEM], .slasher = &a[A_SLASHER]->key,
    .harmed_party = (const ac_pubkey *)(in->data + 3), .reason = in->data + 35, .severity_bps = ac_read_u16(in->data + 1),
  };

  /* --- every account checked before anything happens --- */
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  const ac_slasher *slasher = (const ac_slasher *)a[A_SLASHER_PDA]->data;
  if ((rc = ac_check_owner(a[A_SLASHER_PDA], in->program_id)) != AC_OK) return ac_fail(rc);
  if (a[A_SLASHER_PDA]->data_len != sizeof(ac_slasher) || slasher->discriminator != AC_DISC_SLASHER ||
      slasher->version != AC_SLASHER_VERSION)
    return ac_fail(AC_ERR_INVALID_ACCOUNT_DATA);
  const ac_seed seeds[2] = { { SEED_SLASHER, sizeof(SEED_SLASHER) - 1 }, { slasher->key.bytes, 32 } };
  if ((rc = ac_pda_verify(a[A_SLASHER_PDA], seeds, 2, slasher->bump, in->program_id)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&slasher->key, &a[A_SLASHER]->key) || !slasher->approved) return ac_fail(AC_ERR_NOT_SLASHER);
  if ((rc = ac_check_writable(a[A_AGENT])) != AC_OK || (rc = ac_agent_load(a[A_AGENT], in->program_id, &agent)) != AC_OK)
    return ac_fail(rc);
  if ((rc = ac_slash_check(in->program_id, agent, &request)) != AC_OK) return ac_fail(rc);

  /* --- act --- */
  if ((rc = ac_slash(in->program_id, config, agent, &request, &amount)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
