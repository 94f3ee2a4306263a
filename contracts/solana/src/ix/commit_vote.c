/* commit_vote: after the draw window, until the commit window ends, a member of a full committee commits
 * sha256("ACVOTE", task, its agent key, vote byte, 32-byte salt) with its agent key's signature, once.
 *
 * Accounts: 0 member's agent key (signer), 1 task (writable). Data: tag, u8 seat, commitment (32). */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

enum { A_MEMBER, A_TASK, A_COUNT };

u64 ac_ix_commit_vote(ac_input *in) {
  if (in->data_len != 2 + 32) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  ac_task *t;
  u64 rc;
  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_MEMBER])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_TASK])) != AC_OK || (rc = ac_task_load(a[A_TASK], in->program_id, &t)) != AC_OK)
    return ac_fail(rc);
  u8 index = in->data[1];
  i64 now = ac_now();
  if (t->status != AC_TASK_VERIFYING) return ac_fail(AC_ERR_TASK_WRONG_STATUS);
  if (t->seats < t->committee_size) return ac_fail(AC_ERR_COMMITTEE_NOT_FULL);
  if (now <= t->draw_closes_at || now > t->commit_ends_at) return ac_fail(AC_ERR_WINDOW_CLOSED);
  if (index >= t->committee_size || !ac_key_eq(&ac_task_seat(t, index)->agent_key, &a[A_MEMBER]->key)) return ac_fail(AC_ERR_NOT_MEMBER);
  ac_seat *seat = ac_task_seat(t, index);
  if (seat->state != AC_SEAT_SEATED) return ac_fail(AC_ERR_ALREADY_COMMITTED);

  /* --- act --- */
  sol_memcpy_(seat->commitment, in->data + 2, 32);
  seat->state = AC_SEAT_COMMITTED;
  t->commits++;
  ac_event_vote_committed event = { a[A_TASK]->key, seat->agent_key, index };
  ac_emit(AC_EVENT_VOTE_COMMITTED, &event, sizeof(event));
  return AC_OK;
}
