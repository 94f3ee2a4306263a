/* Reputation (agentcluster/reputation.h): four values with a 90-day half-life, decayed lazily. */
#include "ac/checks.h"
#include "ac/math.h"
#include "ac/pda.h"
#include "agentcluster/events.h"
#include "agentcluster/reputation.h"

static const u8 SEED_REPUTATION[] = AC_SEED_REPUTATION;

u64 ac_reputation_load(ac_account *account, const ac_pubkey *program_id, const ac_pubkey *agent_key, bool writable,
                       ac_reputation **reputation) {
  u64 rc;
  if (writable && (rc = ac_check_writable(account)) != AC_OK) return rc;
  if ((rc = ac_check_owner(account, program_id)) != AC_OK) return rc;
  ac_reputation *r = (ac_reputation *)account->data;
  if (account->data_len != sizeof(ac_reputation) || r->discriminator != AC_DISC_REPUTATION ||
      r->version != AC_REPUTATION_VERSION)
    return AC_ERR_INVALID_ACCOUNT_DATA;
  const ac_seed seeds[2] = { { SEED_REPUTATION, sizeof(SEED_REPUTATION) - 1 }, { r->agent_key.bytes, 32 } };
  if ((rc = ac_pda_verify(account, seeds, 2, r->bump, program_id)) != AC_OK) return rc;
  if (!ac_key_eq(&r->agent_key, agent_key)) return AC_ERR_WRONG_ACCOUNT;
  *reputation = r;
  return AC_OK;
}

u64 ac_reputation_value(const ac_reputation *reputation, u8 dimension, i64 now, u64 *value) {
  if (dimension >= AC_REP_DIMENSIONS) return AC_ERR_INVALID_DIMENSION;
  const ac_reputation_entry *e = &reputation->dimensions[dimension];
  u64 elapsed = now > e->updated_at ? (u64)(now - e->updated_at) : 0;
  if (!ac_decay(e->value, elapsed, AC_REPUTATION_HALF_LIFE, value)) return AC_ERR_ARITHMETIC_OVERFLOW;
  return AC_OK;
}

u64 ac_reputation_record(ac_reputation *reputation, u8 dimension, i64 delta, i64 now) {
  u64 rc, value;
  if ((rc = ac_reputation_value(reputation, dimension, now, &value)) != AC_OK) return rc;
  if (delta >= 0) {
    if (value + (u64)delta < value) return AC_ERR_ARITHMETIC_OVERFLOW;
    value += (u64)delta;
  } else {
    u64 down = (u64)0 - (u64)delta; /* |delta|, also for the most negative value */
    value = down >= value ? 0 : value - down;
  }
  ac_reputation_entry *e = &reputation->dimensions[dimension];
  e->value = value;
  e->updated_at = now;
  ac_event_reputation_changed event = { reputation->agent_key, dimension, delta, value };
  ac_emit(AC_EVENT_REPUTATION_CHANGED, &event, sizeof(event));
  return AC_OK;
}
