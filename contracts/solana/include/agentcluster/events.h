/* Every state change emits an event (sol_log_data: "Program data: <base64 code> <base64 payload>"), so indexers and the
 * dashboard are built from events alone, as on Base. Payloads are packed little-endian structs; append fields, never
 * reorder. */
#ifndef AGENTCLUSTER_EVENTS_H
#define AGENTCLUSTER_EVENTS_H
#include "ac/syscalls.h"

enum ac_event_code {
  AC_EVENT_INITIALIZED = 1,
  AC_EVENT_AGENT_REGISTERED = 2,
  AC_EVENT_STAKED = 3,
  AC_EVENT_UNSTAKE_REQUESTED = 4,
  AC_EVENT_WITHDRAWN = 5,
  AC_EVENT_ATTESTOR_SET = 6,
  AC_EVENT_ATTESTED = 7,
  AC_EVENT_EXIT_REQUESTED = 8,
  AC_EVENT_BOND_WITHDRAWN = 9,
  /* sol-stake (40..69) */
  AC_EVENT_SLASHER_SET = 40,
  AC_EVENT_SLASHED = 41,
  AC_EVENT_SLASH_APPEALED = 42,
  AC_EVENT_SLASH_REVERSED = 43,
  AC_EVENT_APPEAL_DISMISSED = 44,
  AC_EVENT_SLASH_FINALIZED = 45,
  AC_EVENT_REPUTATION_OPENED = 46,
  AC_EVENT_REPUTATION_CHANGED = 47,
  AC_EVENT_PROPOSAL_CREATED = 48,
  AC_EVENT_VOTE_CAST = 49,
  AC_EVENT_PROPOSAL_EXECUTED = 50,
  /* task market (sol-market): 70..99 */
  AC_EVENT_TASK_SUBMITTED = 70,
  AC_EVENT_BID_PLACED = 71,
  AC_EVENT_TASK_ASSIGNED = 72,
  AC_EVENT_RESULT_POSTED = 73,
  AC_EVENT_DEADLINE_MISSED = 74,
  AC_EVENT_SEED_FIXED = 75,
  AC_EVENT_SEAT_FILLED = 76,
  AC_EVENT_SEAT_CLAIMED = 77,
  AC_EVENT_VOTE_COMMITTED = 78,
  AC_EVENT_VOTE_REVEALED = 79,
  AC_EVENT_TASK_SETTLED = 80,
  AC_EVENT_MEMBER_SETTLED = 81,
  AC_EVENT_PAYOUT_CLAIMED = 82,
  AC_EVENT_KEEPER_PAID = 83,
  AC_EVENT_EXECUTOR_SETTLED = 84,
};

typedef struct { ac_pubkey authority; ac_pubkey mint; u64 supply; } ac_event_initialized;
typedef struct { ac_pubkey agent_key; ac_pubkey owner; u64 bond; u64 fee_burned; u64 capabilities; } ac_event_agent_registered;
typedef struct { ac_pubkey agent_key; u64 amount; u64 active_stake; } ac_event_staked;
typedef struct { ac_pubkey agent_key; u64 amount; u64 unbonding_stake; i64 unlocks_at; } ac_event_unstake_requested;
typedef struct { ac_pubkey agent_key; u64 amount; } ac_event_withdrawn;
typedef struct { ac_pubkey attestor; u8 approved; } __attribute__((packed)) ac_event_attestor_set;
typedef struct { ac_pubkey agent_key; ac_pubkey attestor; i64 expires_at; u64 nonce; } ac_event_attested;
typedef struct { ac_pubkey agent_key; i64 unlocks_at; } ac_event_exit_requested;
typedef struct { ac_pubkey agent_key; ac_pubkey owner; u64 amount; } ac_event_bond_withdrawn;

/* sol-stake */
typedef struct { ac_pubkey slasher; u8 approved; } __attribute__((packed)) ac_event_slasher_set;
typedef struct {
  ac_pubkey agent_key; u32 index; ac_pubkey slasher; u16 severity_bps; u64 amount; ac_pubkey harmed_party; u8 reason[32];
  i64 appeal_deadline;
} __attribute__((packed)) ac_event_slashed;
typedef struct { ac_pubkey agent_key; u32 index; ac_pubkey by; i64 decision_deadline; } __attribute__((packed)) ac_event_slash_appealed;
typedef struct { ac_pubkey agent_key; u32 index; u64 amount; u64 active_stake; } __attribute__((packed)) ac_event_slash_reversed;
typedef struct { ac_pubkey agent_key; u32 index; } __attribute__((packed)) ac_event_appeal_dismissed;
typedef struct { ac_pubkey agent_key; u32 index; ac_pubkey harmed_party; u64 paid; u64 burned; } __attribute__((packed)) ac_event_slash_finalized;
typedef struct { ac_pubkey agent_key; } ac_event_reputation_opened;
typedef struct { ac_pubkey agent_key; u8 dimension; i64 delta; u64 value; } __attribute__((packed)) ac_event_reputation_changed;
typedef struct {
  u8 id[32]; ac_pubkey proposer; u8 action; u8 critical; ac_pubkey target; u64 value; i64 snapshot; i64 voting_ends;
  i64 executable_at; u64 threshold; u64 quorum;
} __attribute__((packed)) ac_event_proposal_created;
typedef struct { u8 id[32]; ac_pubkey agent_key; u8 support; u64 weight; } __attribute__((packed)) ac_event_vote_cast;
typedef struct { u8 id[32]; u8 action; ac_pubkey target; u64 value; } __attribute__((packed)) ac_event_proposal_executed;
/* task market (sol-market); `task` is the task account's address */
typedef struct { ac_pubkey task; ac_pubkey requester; u64 id; u64 bounty; u64 fee; u64 capabilities; i64 deadline; u8 committee_size; } __attribute__((packed)) ac_event_task_submitted;
typedef struct { ac_pubkey task; ac_pubkey agent_key; u64 price; } ac_event_bid_placed;
typedef struct { ac_pubkey task; ac_pubkey executor; u64 price; } ac_event_task_assigned; /* executor zero: no bid, refunded */
typedef struct { ac_pubkey task; ac_pubkey executor; u8 result[32]; u64 seed_slot; } ac_event_result_posted;
typedef struct { ac_pubkey task; ac_pubkey executor; } ac_event_deadline_missed;
typedef struct { ac_pubkey task; u8 seed[32]; u64 slot; u8 lapsed; } __attribute__((packed)) ac_event_seed_fixed;
typedef struct { ac_pubkey task; ac_pubkey agent_key; u64 neg_log2_u; u64 weight; u8 seat; } __attribute__((packed)) ac_event_seat;
typedef struct { ac_pubkey task; ac_pubkey agent_key; u8 seat; } __attribute__((packed)) ac_event_vote_committed;
typedef struct { ac_pubkey task; ac_pubkey agent_key; u8 seat; u8 approve; } __attribute__((packed)) ac_event_vote_revealed;
typedef struct { ac_pubkey task; u8 outcome; u8 approvals; u8 reveals; u8 aligned; u8 pad[4]; u64 burned; u64 reward_per_reviewer; } ac_event_task_settled;
typedef struct { ac_pubkey task; ac_pubkey agent_key; u64 paid; u8 seat; u8 aligned; } __attribute__((packed)) ac_event_member_settled;
typedef struct { ac_pubkey task; ac_pubkey payee; u64 amount; } ac_event_payout_claimed;
typedef struct { ac_pubkey task; ac_pubkey keeper; u64 amount; } ac_event_keeper_paid;
typedef struct { ac_pubkey task; ac_pubkey executor; i64 reputation_delta; u16 severity_bps; } __attribute__((packed)) ac_event_executor_settled;

AC_INLINE void ac_emit(u8 code, const void *payload, u64 len) {
  const ac_bytes fields[2] = { { &code, 1 }, { (const u8 *)payload, len } };
  sol_log_data(fields, 2);
}

#endif
