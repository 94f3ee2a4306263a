/* reserve_task (sol-final): the first of two steps for a task whose committee has more than 64 seats. Such a task is
 * AC_TASK_FULL_SIZE (15,688) bytes, and one instruction may add at most 10 KiB to an account (through a CPI or a
 * realloc), so the program creates the task's address here with AC_TASK_RESERVED_SIZE zero bytes (discriminator 0: no
 * task yet), and submit_task grows it to the full size and writes it (in the same transaction, or later). Only the
 * requester can reserve its own task addresses (its key is a seed and it signs); the reservation holds no ACC, only the
 * rent the requester paid. Any committee size may then be submitted there only if it is over 64 (the small layout
 * needs an uncreated address).
 *
 * Accounts: 0 requester (signer, writable: pays rent), 1 task PDA("task", requester, id) (writable, uncreated),
 *           2 System program.
 * Data: tag, u64 id. */
#include "ac/checks.h"
#include "ac/cpi.h"
#include "ac/ids.h"
#include "ac/pda.h"
#include "agentcluster/instructions.h"
#include "agentcluster/market.h"

enum { A_REQUESTER, A_TASK, A_SYSTEM, A_COUNT };

static const u8 SEED_TASK[] = AC_SEED_TASK;

u64 ac_ix_reserve_task(ac_input *in) {
  if (in->data_len != 1 + 8) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_pubkey *program_id = in->program_id;
  ac_pubkey expected;
  u8 bump;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_check_signer(a[A_REQUESTER])) != AC_OK || (rc = ac_check_writable(a[A_REQUESTER])) != AC_OK) return ac_fail(rc);
  const ac_seed task_seeds[3] = { { SEED_TASK, sizeof(SEED_TASK) - 1 }, { a[A_REQUESTER]->key.bytes, 32 }, { in->data + 1, 8 } };
  if ((rc = ac_check_writable(a[A_TASK])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_pda_find(task_seeds, 3, program_id, &expected, &bump)) != AC_OK) return ac_fail(rc);
  if (!ac_key_eq(&a[A_TASK]->key, &expected)) return ac_fail(AC_ERR_WRONG_PDA);
  if ((rc = ac_check_uninitialized(a[A_TASK])) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_key(a[A_SYSTEM], &AC_SYSTEM_PROGRAM_ID)) != AC_OK) return ac_fail(rc);

  /* --- act --- */
  const ac_seed signer_seeds[4] = { task_seeds[0], task_seeds[1], task_seeds[2], { &bump, 1 } };
  const ac_signer_seeds signer = { signer_seeds, 4 };
  if ((rc = ac_system_create_pda(a[A_REQUESTER], a[A_TASK], AC_TASK_RESERVED_SIZE, program_id, &signer)) != AC_OK) return ac_fail(rc);
  return AC_OK;
}
