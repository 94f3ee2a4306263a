/* sol-stake's internal interface for the rest of the program (the market's settlement among it): stake checkpoints and
 * slashing. Nothing here checks the caller: the instruction that calls it has checked its accounts (ac_slash_check
 * does the slash's own accounts) and decided that the slash is due. */
#ifndef AGENTCLUSTER_SLASH_H
#define AGENTCLUSTER_SLASH_H
#include "ac/account.h"
#include "agentcluster/state.h"

/* --- stake checkpoints ------------------------------------------------------------------------------------------ */

/* Records the agent's active stake as in force from `now` on. Every change of active_stake calls it (stake,
 * request_unstake, slash, reverse_slash). */
void ac_stake_checkpoint(ac_agent *agent, i64 now);

/* The agent's active stake at `time` (its value at the end of that second), for sortition weights and votes. `time`
 * must be before `now` (AC_ERR_FUTURE_LOOKUP: stake can still change in this second) and not older than the history
 * kept (AC_ERR_STAKE_HISTORY_GONE once four later changes pushed it out: the market and governance take a time close
 * before their seed or snapshot; an agent that churns its stake only loses its own weight). */
u64 ac_stake_at(const ac_agent *agent, i64 time, i64 now, u64 *stake);

/* --- slashing ----------------------------------------------------------------------------------------------------- */

/* What ac_slash needs besides the agent: the accounts to create the slash record with, and the slash's terms. */
typedef struct {
  ac_account *payer;               /* signer, writable: pays the record's rent */
  ac_account *record;              /* writable, not yet created: PDA("slash", agent key, u32 LE agent's slash_count) */
  ac_account *system_program;
  const ac_pubkey *slasher;        /* recorded: an approved slasher's key, or the program id for the market */
  const ac_pubkey *harmed_party;   /* gets the harmed share at finalization (its ACC account); all zero: nobody */
  const u8 *reason;                /* 32 bytes, recorded and logged (e.g. the task's id or a hash of the evidence) */
  u16 severity_bps;                /* AC_MIN_SEVERITY_BPS..AC_BPS */
  u8 record_bump;                  /* set by ac_slash_check */
} ac_slash_request;

/* The account checks of a slash, for the calling instruction's check block: payer signer and writable, record
 * writable, uninitialised and at PDA("slash", agent key, slash_count) (its bump kept in the request), System program.
 * Call it after loading the agent (writable) and before anything changes. */
u64 ac_slash_check(const ac_pubkey *program_id, const ac_agent *agent, ac_slash_request *request);

/* Takes severity_bps of the agent's active stake and of its unbonding bucket (each rounded down), checkpoints the
 * active stake, creates the slash record (appeal deadline = now + config's appeal window; harmed share fixed now) and
 * emits Slashed. The ACC stays in the stakes vault until finalize_slash or reverse_slash. When the amount is 0 (no
 * stake) nothing is recorded, *amount is 0 and AC_OK is returned, so a settlement never fails on an unstaked agent.
 * An exited agent is still slashable: its unbonding bucket is what slash-then-exit would have taken away. */
u64 ac_slash(const ac_pubkey *program_id, const ac_config *config, ac_agent *agent, const ac_slash_request *request,
             u64 *amount);

/* Loads a slash record (owner, size, discriminator, version, PDA with its stored bump). */
u64 ac_slash_record_load(ac_account *account, const ac_pubkey *program_id, ac_slash_record **record);

/* The accounts that settle a slash: the stakes vault pays the harmed share to the harmed party's ACC account and burns
 * the rest (the config PDA signs). `harmed_acc` is checked (ACC account of the record's harmed party) only when a
 * share is paid. */
typedef struct {
  ac_account *config_account;
  ac_account *stakes_vault;
  ac_account *mint;
  ac_account *harmed_acc;
  ac_account *token_program;
} ac_slash_payout;
/* Checks the payout accounts (vault, mint and Token program by key; harmed party's account when paid). */
u64 ac_slash_payout_check(const ac_config *config, const ac_slash_record *record, const ac_slash_payout *payout);
/* Marks the record finalized, then pays and burns (state before the CPIs), and emits SlashFinalized. */
u64 ac_slash_finalize(const ac_config *config, ac_slash_record *record, const ac_slash_payout *payout);

/* Governance's decisions (reverse_slash, dismiss_appeal, and proposals that carry them), checks included: reversal
 * within the appeal window, or within the decision period once appealed; the whole amount back to active stake
 * (checkpointed), SlashReversed. */
u64 ac_slash_reverse(ac_slash_record *record, ac_agent *agent, i64 now);
/* Dismissal of an appeal within its decision period: AppealDismissed, then ac_slash_finalize. */
u64 ac_slash_dismiss(const ac_config *config, ac_slash_record *record, const ac_slash_payout *payout, i64 now);

#endif
