/* fix_seed: once the seed slot has passed, anyone (paid) fixes the task's seed: sha256("ACSEED", the hash of the first
 * slot at or after the seed slot in the SlotHashes sysvar, the task). The slot was unknown when the result was posted,
 * and the seed does not depend on who calls or when, so nobody can choose it; the windows of the draw start now. If the
 * seed slot has left SlotHashes (512 slots) unfixed, it is never re-rolled: the task ends Refunded with the seed lapsed
 * (settle_executor penalises the executor, who could have fixed it: a lapse must not let it escape a rejection).
 *
 * Accounts: the keeper block (ac_market_keeper_accounts), 6 SlotHashes sysvar. Data: the tag only. */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

enum { A_SLOT_HASHES = AC_K_COUNT, A_COUNT };
#define ENTRY 40 /* u64 slot, 32-byte hash; newest first */

/* SysvarS1otHashes111111111111111111111111111 */
static const ac_pubkey SLOT_HASHES_ID = { { 6, 167, 213, 23, 25, 47, 10, 175, 198, 242, 101, 227, 251, 119, 204, 122, 218, 130,
                                            197, 41, 208, 190, 59, 19, 110, 45, 0, 85, 32, 0, 0, 0 } };
static const u8 SEED_DOMAIN[] = "ACSEED";

u64 ac_ix_fix_seed(ac_input *in) {
  if (in->data_len != 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_keeper_accounts k;
  u64 rc;
  /* --- every account checked before anything happens --- */
  if ((rc = ac_market_keeper_accounts(in, &k)) != AC_OK) return ac_fail(rc);
  const ac_account *hashes = in->accounts[A_SLOT_HASHES];
  if ((rc = ac_check_key(hashes, &SLOT_HASHES_ID)) != AC_OK) return ac_fail(rc);
  ac_task *t = k.task;
  if (t->status != AC_TASK_RESULT_POSTED) return ac_fail(AC_ERR_TASK_WRONG_STATUS);
  if (hashes->data_len < 8) return ac_fail(AC_ERR_INVALID_ACCOUNT_DATA);
  u64 count = ac_read_u64(hashes->data);
  if (count == 0 || count > 512 || hashes->data_len < 8 + count * ENTRY) return ac_fail(AC_ERR_INVALID_ACCOUNT_DATA);
  const u8 *entries = hashes->data + 8;
  if (ac_read_u64(entries) < t->seed_slot) return ac_fail(AC_ERR_SEED_NOT_READY); /* the newest is older */

  i64 now = ac_now();
  ac_event_seed_fixed event;
  event.task = in->accounts[AC_K_TASK]->key;
  if (ac_read_u64(entries + (count - 1) * ENTRY) > t->seed_slot) {
    /* --- act: lapsed --- */
    t->status = AC_TASK_REFUNDED;
    t->seed_lapsed = 1;
    t->requester_credit = t->bounty + t->fee - 3 * t->keeper_reward; /* assign, this, settle_executor */
    sol_memset_(event.seed, 0, 32);
    event.slot = t->seed_slot;
    event.lapsed = 1;
  } else {
    /* The last entry (in newest-first order) whose slot is >= the seed slot: binary search, at most 9 steps. */
    u64 lo = 0, hi = count - 1; /* entries[lo] >= seed_slot holds; find the largest such index */
    while (lo < hi) {
      u64 mid = (lo + hi + 1) / 2;
      if (ac_read_u64(entries + mid * ENTRY) >= t->seed_slot) lo = mid; else hi = mid - 1;
    }
    const u8 *entry = entries + lo * ENTRY;
    const ac_bytes fields[3] = { { SEED_DOMAIN, sizeof(SEED_DOMAIN) - 1 }, { entry + 8, 32 }, { event.task.bytes, 32 } };
    /* --- act --- */
    sol_sha256(fields, 3, t->seed);
    t->status = AC_TASK_VERIFYING;
    t->fill_closes_at = now + AC_MARKET_DRAW_WINDOW / 2;
    t->draw_closes_at = now + AC_MARKET_DRAW_WINDOW;
    t->commit_ends_at = t->draw_closes_at + AC_MARKET_COMMIT_WINDOW;
    t->reveal_ends_at = t->commit_ends_at + AC_MARKET_REVEAL_WINDOW;
    sol_memcpy_(event.seed, t->seed, 32);
    event.slot = ac_read_u64(entry);
    event.lapsed = 0;
  }
  ac_emit(AC_EVENT_SEED_FIXED, &event, sizeof(event));
  if ((rc = ac_market_pay_caller(in, &k)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
