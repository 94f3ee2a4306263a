/* The task market (issue 14, helper sol-market): escrowed tasks through the five stages, a committee drawn by weighted
 * sortition from a slot hash fixed after the result, commit-reveal, 2/3 settlement with the inconclusive outcome, pull
 * payouts and paid keeper work. Instruction tags 20..39, error codes 70..99, event codes 70..99.
 *
 * A task is PDA("task", requester, u64 id) with its members inline (at most AC_MARKET_MAX_COMMITTEE), and its escrow an
 * SPL token account at PDA("task_vault", task) whose authority is the config PDA. Every parameter the task depends on
 * (windows, keeper reward, severities) is copied into it at submission: later changes apply to later tasks only. */
#ifndef AGENTCLUSTER_MARKET_H
#define AGENTCLUSTER_MARKET_H
#include "ac/account.h"
#include "agentcluster/state.h"
#include "agentcluster/slash.h"
#include "agentcluster/reputation.h"

#define AC_SEED_TASK "task"
#define AC_SEED_TASK_VAULT "task_vault"
#define AC_DISC_TASK 20
#define AC_TASK_VERSION 1

/* Parameters: the defaults of the config's market parameters (as on Base's; governance sets them, sol-gaps), and the
 * constants that stay. */
#define AC_MARKET_MIN_COMMITTEE 3
#define AC_MARKET_INLINE_SEATS 64            /* seats inline in ac_task (a CPI creates at most 10 KiB) */
#define AC_MARKET_MAX_COMMITTEE 100          /* sol-final: as Base; seats 64..99 in the task's extension (ac_task_ext) */
#define AC_MARKET_BIDDING_WINDOW (3600)
#define AC_MARKET_MAX_TASK_DURATION (30 * 86400)
#define AC_MARKET_DRAW_WINDOW (3600)         /* fill phase: first half (inclusive of its last second); claims: second */
#define AC_MARKET_COMMIT_WINDOW (3600)
#define AC_MARKET_REVEAL_WINDOW (3600)
#define AC_MARKET_FEE_BPS 200                /* the fee is at least 2% of the bounty ... */
#define AC_MARKET_KEEPER_REWARD (1ull * AC_ACC_UNIT) /* ... and pays every unit of keeper work, plus 1 */
#define AC_MARKET_REVIEWER_SHARE_BPS 5000    /* of what the fee leaves after keeper work; the rest is burned */
#define AC_MARKET_MISSED_SEVERITY_BPS 1000
#define AC_MARKET_REJECTED_SEVERITY_BPS 2000
#define AC_MARKET_NON_REVEAL_SEVERITY_BPS 200  /* sol-gaps: a member who committed nothing or did not reveal (Base's default) */
#define AC_MARKET_MINORITY_SEVERITY_BPS 100    /* sol-gaps: a member outvoted by a conclusive outcome, the light slash */
#define AC_MARKET_COUNTERPARTY_COOLDOWN_DAYS 7 /* sol-gaps: one executor gain per requester a week, as Base */
#define AC_MARKET_SEED_DELAY_SLOTS 1
/* Reputation effects, in units of 10^-9 point (as Base's, whose point is 10^18): reputation is bought only with fee
 * that reaches the protocol (the burned part), 0.02 point per ACC, capped per task. */
#define AC_REP_POINT 1000000000ll
#define AC_MARKET_GAIN_DIVISOR 50ull                 /* burned base units / 50 = 0.02 point per ACC */
#define AC_MARKET_EXECUTOR_MAX_GAIN (1 * AC_REP_POINT)
#define AC_MARKET_EXECUTOR_REJECTED_LOSS (2 * AC_REP_POINT)
#define AC_MARKET_EXECUTOR_MISSED_LOSS (1 * AC_REP_POINT)
#define AC_MARKET_REVIEWER_ALIGNED_GAIN (AC_REP_POINT / 10)
#define AC_MARKET_REVIEWER_MISALIGNED_LOSS (AC_REP_POINT / 5)
#define AC_MARKET_REVIEWER_SILENT_LOSS (AC_REP_POINT / 2)         /* the seed is the hash of the first slot at least this far after the result */

enum ac_task_status {
  AC_TASK_BIDDING = 0,
  AC_TASK_ASSIGNED = 1,
  AC_TASK_RESULT_POSTED = 2, /* waiting for its seed slot's hash */
  AC_TASK_VERIFYING = 3,     /* seed fixed: draw (fill, claims), commit, reveal by time */
  /* final */
  AC_TASK_ACCEPTED = 4,
  AC_TASK_REJECTED = 5,
  AC_TASK_INCONCLUSIVE = 6,  /* neither side reached 2/3: bounty refunded, nobody slashed */
  AC_TASK_REFUNDED = 7,      /* no bid, committee not formed, no vote revealed, or the seed lapsed (executor penalised) */
  AC_TASK_MISSED = 8,        /* the executor posted nothing before the deadline (executor penalised) */
};

enum ac_seat_state { AC_SEAT_EMPTY = 0, AC_SEAT_SEATED = 1, AC_SEAT_COMMITTED = 2, AC_SEAT_REVEALED = 3 };

typedef struct {
  ac_pubkey agent_key;
  ac_pubkey owner;                  /* paid here at member settlement */
  u64 neg_log2_u;                   /* -log2(u), Q32.32, u from sha256(seed, agent key): the sortition key is this / weight */
  u64 weight;                       /* stake at the snapshot */
  u8 commitment[32];                /* sha256("ACVOTE", task, agent key, vote, salt) */
  u8 state;                         /* enum ac_seat_state */
  u8 vote;                          /* 1 approve, 0 reject (once revealed) */
  u8 settled;
  u8 reserved[5];
} ac_seat;
AC_STATIC_ASSERT(sizeof(ac_seat) == 120, "seat layout is part of the client's contract");

typedef struct {
  u8 discriminator;                 /* AC_DISC_TASK */
  u8 version;
  u8 bump;
  u8 vault_bump;
  u8 status;                        /* enum ac_task_status */
  u8 committee_size;
  u8 seats;                         /* seats filled */
  u8 commits;
  u8 reveals;
  u8 approvals;
  u8 claims;                        /* seat claims paid (at most committee_size) */
  u8 aligned;                       /* members paid at settlement */
  u8 members_settled;
  u8 seed_lapsed;
  u8 executor_settled;              /* settle_executor done */
  u8 reserved0[1];
  ac_pubkey requester;
  ac_pubkey executor;               /* agent key of the best bid, then of the executor */
  ac_pubkey executor_owner;
  ac_pubkey vault;                  /* PDA("task_vault", task): kept so instructions check it by key, not by hashing */
  u8 requirements[32];
  u8 result[32];
  u8 seed[32];
  u64 id;
  u64 bounty;
  u64 fee;
  u64 price;                        /* the best bid */
  u64 capabilities;                 /* required: every bit must be in the agent's capabilities */
  u64 keeper_reward;
  u64 reviewer_share_bps;
  u64 missed_severity_bps;
  u64 rejected_severity_bps;
  i64 submitted_at;
  i64 bidding_ends_at;
  i64 deadline;
  i64 result_posted_at;             /* the stake snapshot is the second before */
  u64 seed_slot;                    /* the first slot whose hash may seed the draw */
  i64 fill_closes_at;
  i64 draw_closes_at;
  i64 commit_ends_at;
  i64 reveal_ends_at;
  u64 requester_credit;             /* pull payouts still owed from the task vault */
  u64 executor_credit;
  u64 reward_per_reviewer;
  u64 executor_gain;                /* task reputation an accepted executor gains (fixed at settlement) */
  u64 reviewer_gain;                /* validator reputation each aligned member gains (fixed at settlement) */
  ac_pubkey executor_agent;         /* the executor's agent account (PDA("agent", executor), checked when it bid) */
  ac_seat members[AC_MARKET_INLINE_SEATS]; /* seats 64..99: ac_task_seat (sol-final) */
  /* sol-gaps: the members' slashes, fixed at submission like the other terms */
  u64 non_reveal_severity_bps;      /* 0: none */
  u64 minority_severity_bps;        /* 0: none */
  u32 draw_window;                  /* the windows fix_seed opens, fixed at submission too */
  u32 commit_window;
  u32 reveal_window;
  u32 reserved1;
  /* Each seat's agent account (PDA("agent", its key)), kept when draw_seat or claim_seat loaded it with every check, so
   * settle_member compares the address instead of hashing the seeds again (as the executor's, sol-gaps). */
  ac_pubkey member_agents[AC_MARKET_INLINE_SEATS];
} ac_task;
AC_STATIC_ASSERT(sizeof(ac_task) == 456 + 120 * AC_MARKET_INLINE_SEATS + 32 + 32 * AC_MARKET_INLINE_SEATS,
                 "task layout is part of the client's contract");
AC_STATIC_ASSERT(sizeof(ac_task) <= AC_MAX_PERMITTED_DATA_INCREASE, "a CPI creates the task: at most 10 KiB");

/* sol-final: committees of 65..100 seats. Their task is sizeof(ac_task) + sizeof(ac_task_ext) (15,688 bytes), more than
 * one instruction may add to an account (10 KiB): the requester first reserves the task's address (reserve_task, tag 41:
 * the program creates it with AC_TASK_RESERVED_SIZE zero bytes, its discriminator 0), then submit_task grows it to the
 * full size (+10,216 bytes) and writes it, in the same transaction or later. Seat i >= 64 is the extension's i - 64. */
#define AC_MARKET_EXT_SEATS (AC_MARKET_MAX_COMMITTEE - AC_MARKET_INLINE_SEATS)
typedef struct {
  ac_seat members[AC_MARKET_EXT_SEATS];
  ac_pubkey member_agents[AC_MARKET_EXT_SEATS];
} ac_task_ext;
#define AC_TASK_FULL_SIZE (sizeof(ac_task) + sizeof(ac_task_ext))
#define AC_TASK_RESERVED_SIZE sizeof(ac_task_ext)
AC_STATIC_ASSERT(sizeof(ac_task) % 8 == 0, "the extension is aligned");
AC_STATIC_ASSERT(AC_TASK_FULL_SIZE - AC_TASK_RESERVED_SIZE <= AC_MAX_PERMITTED_DATA_INCREASE, "one growth of at most 10 KiB");
AC_INLINE ac_seat *ac_task_seat(ac_task *t, u64 i) {
  return i < AC_MARKET_INLINE_SEATS ? &t->members[i] : &((ac_task_ext *)(t + 1))->members[i - AC_MARKET_INLINE_SEATS];
}
AC_INLINE const ac_seat *ac_task_seat_const(const ac_task *t, u64 i) {
  return i < AC_MARKET_INLINE_SEATS ? &t->members[i] : &((const ac_task_ext *)(t + 1))->members[i - AC_MARKET_INLINE_SEATS];
}
AC_INLINE const ac_pubkey *ac_task_member_agent_const(const ac_task *t, u64 i) {
  return i < AC_MARKET_INLINE_SEATS ? &t->member_agents[i] : &((const ac_task_ext *)(t + 1))->member_agents[i - AC_MARKET_INLINE_SEATS];
}
AC_INLINE ac_pubkey *ac_task_member_agent(ac_task *t, u64 i) {
  return i < AC_MARKET_INLINE_SEATS ? &t->member_agents[i] : &((ac_task_ext *)(t + 1))->member_agents[i - AC_MARKET_INLINE_SEATS];
}

/* sha256 through the runtime (never by hand). Declared here so the shared syscalls header stays untouched. */
extern u64 sol_sha256(const ac_bytes *fields, u64 fields_len, u8 *result);

/* A task: owned by the program, its size, discriminator and version, at PDA("task", requester, id, bump). */
u64 ac_task_load(ac_account *account, const ac_pubkey *program_id, ac_task **task);
/* The task's vault: writable, the key the task stored at submission (PDA("task_vault", task)). */
u64 ac_task_vault_check(const ac_account *vault, const ac_task *task);
/* What paying from a task vault needs (SBF calls take at most five arguments). */
typedef struct {
  ac_account *vault;
  ac_account *config_account;
  const ac_config *config;
  const ac_pubkey *task;
} ac_task_payer;
/* Pays `amount` from the task vault (the config PDA signs) to an ACC token account; nothing for 0. */
u64 ac_task_pay(const ac_task_payer *payer, ac_account *to, u64 amount);
/* Pays a keeper its reward for a unit of work and emits KeeperPaid. */
u64 ac_task_pay_keeper(const ac_task_payer *payer, ac_account *keeper_acc, const ac_pubkey *keeper, u64 amount);
/* Burns `amount` from the task vault (the config PDA signs); nothing for 0. */
u64 ac_task_burn(const ac_task_payer *payer, ac_account *mint, u64 amount);
/* -log2(x / 2^64) in Q32.32 for x > 0 (x = 0 counts as 1): 32 squarings, exact to the last bit but one. */
u64 ac_neg_log2_q32(u64 x);
/* An agent that may serve on the task's committee now: Active, attested, not the executor, not owned by the requester
 * or the executor's owner. Returns AC_OK or the named error. */
u64 ac_market_check_reviewer(const ac_agent *agent, const ac_task *task, i64 now);
/* The agent's active stake at `time` (< now), through sol-stake's checkpoints. */
u64 ac_market_stake_at(ac_account *agent_account, const ac_agent *agent, i64 time, u64 *stake);
/* The candidate's sortition values: -log2(u) from the seed, and the weight (stake at the snapshot). */
u64 ac_market_sortition(const ac_task *task, const ac_agent *agent, ac_account *agent_account, u64 *neg_log2_u, u64 *weight);
/* true when key a (nl_a / w_a) is strictly smaller (better) than key b, compared exactly in 128 bits. */
bool ac_market_key_less(u64 nl_a, u64 w_a, u64 nl_b, u64 w_b);
/* The seat of agent_key in the committee, or -1. */
i64 ac_market_seat_of(const ac_task *task, const ac_pubkey *agent_key);

/* The accounts every paid keeper action starts with, checked in one call at the top of the instruction:
 * 0 keeper (signer), 1 task (writable), 2 task vault (writable), 3 keeper's ACC account (writable), 4 config,
 * 5 SPL Token program. */
enum { AC_K_KEEPER, AC_K_TASK, AC_K_VAULT, AC_K_KEEPER_ACC, AC_K_CONFIG, AC_K_TOKEN, AC_K_COUNT };
typedef struct {
  ac_task *task;
  const ac_config *config;
  ac_task_payer payer;
} ac_keeper_accounts;
u64 ac_market_keeper_accounts(ac_input *in, ac_keeper_accounts *out);
/* Pays the caller of a keeper action the task's keeper reward. */
u64 ac_market_pay_caller(ac_input *in, ac_keeper_accounts *k);
/* The current slot (Clock sysvar). */
u64 ac_market_slot(void);
/* A settled task (no more stage changes). */
AC_INLINE bool ac_task_is_final(const ac_task *t) { return t->status >= AC_TASK_ACCEPTED; }

/* Penalising the executor (missed deadline, lapsed seed, rejected result) through sol-stake's ac_slash (settle_executor):
 * three accounts from `first` on: the executor's agent (writable), the slash record PDA("slash", agent key, slash count) (writable,
 * uncreated), the System program; the keeper (signer, writable) pays the record's rent. The requester is the harmed
 * party, the task's address the reason, the program the slasher. */
typedef struct {
  ac_agent *agent;
  ac_slash_request request;
} ac_market_penalty;
u64 ac_market_penalty_check(ac_input *in, u64 first, const ac_task *task, ac_market_penalty *out);
/* Slashes severity_bps (0: nothing) of the executor's stake. */
u64 ac_market_penalise(ac_input *in, const ac_config *config, ac_market_penalty *penalty, u64 severity_bps);

/* sol-gaps: a member's slash (no reveal, or outvoted by a conclusive outcome) through the same ac_slash: three accounts
 * from `first` on: the member's agent (writable; the address the seat kept, owner, size), its next slash record
 * (writable, uncreated), the System program; the keeper (signer, writable) pays. Nobody is harmed (all burned at
 * finalization, as Base's address(0)), the task's address is the reason. The caller sets out->request.severity_bps to
 * the severity due: 0 checks only the agent (SBF calls take at most five arguments). */
u64 ac_market_member_penalty_check(ac_input *in, u64 first, const ac_task *task, u64 index, ac_market_penalty *out);

/* sol-gaps: the executor's recent counterparties (Base's one gain per requester a week): true when `requester` gave no
 * gain within AC_MARKET_COUNTERPARTY_COOLDOWN_DAYS, and then it is recorded today in place of the oldest of three
 * entries (in the agent's reserved words); false changes nothing. */
bool ac_market_note_counterparty(ac_agent *executor, const ac_pubkey *requester, i64 now);

/* sol-gaps: the market parameters' bounds, checked at propose and again at execution, in the order of Base's
 * TaskMarket._setParams (each failure logs the parameter's name, then ParameterOutOfRange): bidding window 10 min..30
 * days, max task duration 1 s..365 days and longer than the bidding window, draw 10 min..1 day, commit and reveal
 * 10 min..7 days, fee and reviewer share at most 100%, keeper reward at most 1,000 ACC, each severity 0 or 1..100%,
 * and draw + commit + reveal + 1 day (the seed and the settlement) within AC_MAX_SLASH_DELAY (no slash-then-exit). */
u64 ac_market_params_check(const ac_market_terms *terms, u64 keeper_reward);
/* The defaults (initialize). */
void ac_market_params_default(ac_market_params *params);

#endif
