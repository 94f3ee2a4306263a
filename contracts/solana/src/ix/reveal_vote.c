/* reveal_vote: anyone holding a member's opening reveals it after the commit window (or once every member has
 * committed), until the reveal window ends; the tallies are kept as it goes, so settlement is O(1).
 *
 * Accounts: 0 task (writable). Data: tag, u8 seat, u8 vote (1 approve, 0 reject), salt (32). */
#include "ac/checks.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

enum { A_TASK, A_COUNT };
static const u8 VOTE_DOMAIN[] = "ACVOTE";

u64 ac_ix_reveal_vote(ac_input *in) {
  if (in->data_len != 3 + 32 || in->data[2] > 1) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  ac_task *t;
  u64 rc;
  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_writable(a[A_TASK])) != AC_OK || (rc = ac_task_load(a[A_TASK], in->program_id, &t)) != AC_OK)
    return ac_fail(rc);
  u8 index = in->data[1], vote = in->data[2];
  i64 now = ac_now();
  if (t->status != AC_TASK_VERIFYING) return ac_fail(AC_ERR_TASK_WRONG_STATUS);
  if (t->seats < t->committee_size) return ac_fail(AC_ERR_COMMITTEE_NOT_FULL);
  if (now <= t->draw_closes_at || (now <= t->commit_ends_at && t->commits < t->committee_size) || now > t->reveal_ends_at)
    return ac_fail(AC_ERR_WINDOW_CLOSED);
  if (index >= t->committee_size) return ac_fail(AC_ERR_NOT_MEMBER);
  ac_seat *seat = ac_task_seat(t, index);
  if (seat->state != AC_SEAT_COMMITTED) return ac_fail(AC_ERR_NOT_COMMITTED);
  u8 digest[32];
  const ac_bytes fields[5] = { { VOTE_DOMAIN, sizeof(VOTE_DOMAIN) - 1 }, { a[A_TASK]->key.bytes, 32 }, { seat->agent_key.bytes, 32 },
                               { &vote, 1 }, { in->data + 3, 32 } };
  sol_sha256(fields, 5, digest);
  const u64 *x = (const u64 *)digest, *y = (const u64 *)seat->commitment;
  if (x[0] != y[0] || x[1] != y[1] || x[2] != y[2] || x[3] != y[3]) return ac_fail(AC_ERR_COMMITMENT_MISMATCH);

  /* --- act --- */
  seat->state = AC_SEAT_REVEALED;
  seat->vote = vote;
  t->reveals++;
  t->approvals += vote;
  ac_event_vote_revealed event = { a[A_TASK]->key, seat->agent_key, index, vote };
  ac_emit(AC_EVENT_VOTE_REVEALED, &event, sizeof(event));
  return AC_OK;
}
