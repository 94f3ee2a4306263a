/* The program's accounts: fixed layouts read and written in place (zero copy), each with a discriminator and a version. */
#ifndef AGENTCLUSTER_STATE_H
#define AGENTCLUSTER_STATE_H
#include "ac/types.h"

#define AC_ACC_DECIMALS 9
#define AC_ACC_UNIT 1000000000ull                      /* 1 ACC in base units (9 decimals: 10^27 would not fit a u64) */
#define AC_ACC_TOTAL_SUPPLY (1000000000ull * AC_ACC_UNIT) /* 10^18 base units */
#define AC_BPS 10000ull

/* Seeds: the config is PDA("config"), the mint PDA("mint"), vault k PDA("vault", [k]). */
#define AC_SEED_CONFIG "config"
#define AC_SEED_MINT "mint"
#define AC_SEED_VAULT "vault"

/* The genesis vaults, in the order of the distribution (DESIGN.md; AccGenesis.sol on Base). */
enum ac_vault_kind {
  AC_VAULT_VALIDATORS = 0,   /* 30% */
  AC_VAULT_COMPUTE = 1,      /* 25% */
  AC_VAULT_MARKETPLACE = 2,  /* 15% */
  AC_VAULT_REVIEW = 3,       /* 10% */
  AC_VAULT_TREASURY = 4,     /*  8% */
  AC_VAULT_TEAM = 5,         /* 12%: the remainder, so the six add up to the supply exactly */
  AC_GENESIS_VAULTS = 6,
  AC_VAULT_BONDS = 6,        /* agents' registration bonds */
  AC_VAULT_STAKES = 7,       /* agents' active and unbonding stake */
  AC_VAULT_COUNT = 8,
};

enum ac_discriminator { AC_DISC_CONFIG = 1, AC_DISC_AGENT = 2, AC_DISC_ATTESTOR = 3 };
#define AC_CONFIG_VERSION 1
#define AC_AGENT_VERSION 1

/* Defaults, as on Base (docs/evm-protocol.md), in base units and seconds. */
#define AC_DEFAULT_REGISTRATION_BOND (10000ull * AC_ACC_UNIT)
#define AC_DEFAULT_REGISTRATION_FEE (100ull * AC_ACC_UNIT)
#define AC_DEFAULT_UNBONDING_PERIOD (30ull * 86400)
#define AC_DEFAULT_APPEAL_WINDOW (7ull * 86400)
#define AC_DEFAULT_EXIT_DELAY (30ull * 86400)

/* sol-gaps: the task market's parameters, governance's to set (AC_GOV_SET_MARKET_PARAMS: the terms are the proposal's
 * 32-byte target, the keeper reward its value), copied into each task at submission. Seconds and basis points. */
typedef struct {
  u32 bidding_window;
  u32 max_task_duration;            /* the latest deadline, from submission */
  u32 draw_window;                  /* fill phase: its first half; claims: the second */
  u32 commit_window;
  u32 reveal_window;
  u16 fee_bps;                      /* the fee is at least this share of the bounty (and the keeper budget) */
  u16 reviewer_share_bps;           /* of what the fee leaves after keeper work; the rest is burned */
  u16 missed_severity_bps;          /* the executor's slashes (0: none) */
  u16 rejected_severity_bps;
  u16 non_reveal_severity_bps;      /* the members' slashes (0: none) */
  u16 minority_severity_bps;
} __attribute__((packed)) ac_market_terms;
AC_STATIC_ASSERT(sizeof(ac_market_terms) == 32, "the terms are a proposal's target");
typedef struct {
  ac_market_terms terms;
  u64 keeper_reward;                /* per unit of keeper work */
} ac_market_params;

typedef struct {
  u8 discriminator;                 /* AC_DISC_CONFIG */
  u8 version;                       /* AC_CONFIG_VERSION */
  u8 bump;
  u8 mint_bump;
  u8 vault_bumps[AC_VAULT_COUNT];
  u8 genesis_stage;                 /* sol-final: genesis steps done (AC_GENESIS_*); AC_GENESIS_DONE before any other use */
  u8 reserved0[3];
  ac_pubkey authority;              /* the upgrade authority at initialisation; governance later */
  ac_pubkey mint;
  ac_pubkey vaults[AC_VAULT_COUNT]; /* the vault PDAs, kept so instructions check them by key, not by hashing */
  u64 registration_bond;
  u64 registration_fee;
  u64 unbonding_period;
  u64 appeal_window;
  u64 exit_delay;                   /* from request_exit until the bond can be withdrawn */
  ac_market_params market;          /* sol-gaps: in five of the seven reserved words */
  u64 reserved[2];                  /* room for parameters without a migration */
} ac_config;
AC_STATIC_ASSERT(sizeof(ac_config) == 432, "config layout is part of the client's contract");

/* Seeds: PDA("agent", agent key). Created by register_agent and never closed: a key binds once, ever. */
#define AC_SEED_AGENT "agent"

enum ac_agent_status { AC_AGENT_PENDING = 0, AC_AGENT_ACTIVE = 1, AC_AGENT_EXITED = 2 };

typedef struct {
  u8 discriminator;                 /* AC_DISC_AGENT */
  u8 version;                       /* AC_AGENT_VERSION */
  u8 bump;
  u8 status;                        /* enum ac_agent_status; Suspended is derived from attested_until, never stored */
  u8 reserved0[4];
  ac_pubkey owner;                  /* registers, stakes, unstakes */
  ac_pubkey agent_key;              /* the agent's own key (signed the registration) */
  u64 bond;                         /* the bond in force at registration: later changes apply to new agents only */
  u64 capabilities;                 /* bitmask of governance-named tags */
  i64 registered_at;
  i64 attested_until;               /* 0 until the first attestation */
  u64 attestation_nonce;
  u64 active_stake;
  u64 unbonding_stake;
  i64 unbonding_unlocks_at;         /* one bucket per agent: a new request adds to it and restarts the clock */
  i64 exit_unlocks_at;              /* 0 until request_exit */
  u64 reserved[7];                  /* the stake checkpoints and reputation will need room */
} ac_agent;
AC_STATIC_ASSERT(sizeof(ac_agent) == 200, "agent layout is part of the client's contract");

/* Seeds: PDA("attestor", attestor key). Made by set_attestor (the config's authority); approval can be withdrawn. */
#define AC_SEED_ATTESTOR "attestor"
#define AC_ATTESTOR_VERSION 1
/* The longest an attestation may run (as on Base: 30 days); a parameter of governance later. */
#define AC_MAX_ATTESTATION_VALIDITY (30ll * 86400)

typedef struct {
  u8 discriminator;                 /* AC_DISC_ATTESTOR */
  u8 version;
  u8 bump;
  u8 approved;
  u8 reserved0[4];
  ac_pubkey key;                    /* the attestor's Ed25519 key */
  i64 changed_at;
} ac_attestor;
AC_STATIC_ASSERT(sizeof(ac_attestor) == 48, "attestor layout is part of the client's contract");

/* What an attestor signs (Ed25519, verified by the native program in the same transaction): the program and the agent
 * bind it to this deployment and this agent, the nonce to one use. */
#define AC_ATTESTATION_DOMAIN "ACATTEST"
typedef struct {
  u8 domain[8];                     /* AC_ATTESTATION_DOMAIN */
  ac_pubkey program_id;
  ac_pubkey agent_key;
  u8 measurement_hash[32];          /* the TEE measurement the keeper verified */
  u32 cpu_cores;
  u32 gpu_memory_mb;
  u32 tokens_per_second;
  u32 reserved;                     /* zero */
  i64 expires_at;
  u64 nonce;
} __attribute__((packed)) ac_attestation_message;
AC_STATIC_ASSERT(sizeof(ac_attestation_message) == 136, "the signed message is part of the attestors' contract");

/* ---------------------------------------------------------------------------------------------------------------------
 * sol-stake: stake checkpoints, slashing with appeals, reputation (discriminators 40..69).
 * ------------------------------------------------------------------------------------------------------------------- */
enum ac_stake_discriminator { AC_DISC_SLASHER = 40, AC_DISC_SLASH = 41, AC_DISC_REPUTATION = 42 };

/* The agent's 56 reserved bytes hold its slash counter and the stake history's counters (ac_agent_history_of); the
 * history itself is the agent account's tail, after the 200-byte ac_agent: every change of active stake ever made, in
 * time order, one ac_stake_point each (a change in the same second replaces the latest). The tail grows by realloc
 * (sol-gaps), its rent paid by whoever makes the change: the owner (stake, request_unstake), the slasher or the keeper
 * (a slash, which also keeps one point free for its possible reversal, so reverse_slash never needs to grow it). The
 * capacity is (data length - 200) / 16 and always at least checkpoint_count + reserved_points. Times are Unix seconds. */
typedef struct { i64 time; u64 stake; } ac_stake_point;
AC_STATIC_ASSERT(sizeof(ac_stake_point) == 16, "a stake point's layout is part of the client's contract");
typedef struct {
  u32 slash_count;                  /* the next slash's index: PDA("slash", agent key, u32 LE index) */
  u32 checkpoint_count;             /* points in the tail */
  u32 reserved_points;              /* free points kept for reversals of slash records made (never released) */
  /* sol-gaps: the market's recent counterparties of this agent as executor (the first 8 bytes of a requester's key and
   * the day, Unix days, of the gain it gave); the oldest makes room */
  struct { u8 requester[8]; u32 day; } __attribute__((packed)) recent_counterparties[3];
  u8 reserved[8];
} __attribute__((packed)) ac_agent_history;
AC_STATIC_ASSERT(sizeof(ac_agent_history) == 7 * 8, "the history's counters fill the agent's reserved words exactly");
/* The tail's points (checkpoint_count of them are written). */
AC_INLINE ac_stake_point *ac_stake_points_of(ac_agent *agent) { return (ac_stake_point *)(agent + 1); }
AC_INLINE const ac_stake_point *ac_stake_points_of_const(const ac_agent *agent) {
  return (const ac_stake_point *)(agent + 1);
}
/* An agent account's data length: the agent and a whole number of stake points. */
AC_INLINE bool ac_agent_size_ok(u64 data_len) {
  return data_len >= sizeof(ac_agent) && (data_len - sizeof(ac_agent)) % sizeof(ac_stake_point) == 0;
}
AC_INLINE ac_agent_history *ac_agent_history_of(ac_agent *agent) { return (ac_agent_history *)agent->reserved; }
AC_INLINE const ac_agent_history *ac_agent_history_of_const(const ac_agent *agent) {
  return (const ac_agent_history *)agent->reserved;
}

/* Seeds: PDA("slasher", key). Made by set_slasher (the config's authority: governance); approval can be withdrawn. */
#define AC_SEED_SLASHER "slasher"
#define AC_SLASHER_VERSION 1
typedef struct {
  u8 discriminator;                 /* AC_DISC_SLASHER */
  u8 version;
  u8 bump;
  u8 approved;
  u8 reserved0[4];
  ac_pubkey key;
  i64 changed_at;
} ac_slasher;
AC_STATIC_ASSERT(sizeof(ac_slasher) == 48, "slasher layout is part of the client's contract");

/* Seeds: PDA("slash", agent key, u32 LE index). One per slash; never closed. The slashed amount stays in the stakes
 * vault, out of the agent's stake, until it is reversed (back to active stake) or finalized (harmed share paid to the
 * harmed party's ACC account, the rest burned). */
#define AC_SEED_SLASH "slash"
#define AC_SLASH_VERSION 1
#define AC_MIN_SEVERITY_BPS 100                         /* 1% */
#define AC_DEFAULT_APPEAL_DECISION_PERIOD (30ll * 86400) /* as on Base; a governance parameter later */
#define AC_DEFAULT_HARMED_SHARE_BPS 5000ull              /* Base starts at 0 and lets governance set it; see the docs */
enum ac_slash_status { AC_SLASH_PENDING = 0, AC_SLASH_APPEALED = 1, AC_SLASH_REVERSED = 2, AC_SLASH_FINALIZED = 3 };
typedef struct {
  u8 discriminator;                 /* AC_DISC_SLASH */
  u8 version;
  u8 bump;
  u8 status;                        /* enum ac_slash_status */
  u32 index;
  ac_pubkey agent_key;
  ac_pubkey slasher;                /* the slasher's key; the program id when the market's settlement slashed */
  ac_pubkey harmed_party;           /* all zero: nobody, the whole amount is burned */
  u8 reason[32];
  u64 amount;                       /* from_active + from_unbonding */
  u64 from_active;
  u64 from_unbonding;
  i64 created_at;
  i64 appeal_deadline;              /* created_at + the config's appeal window */
  i64 decision_deadline;            /* 0 until appealed; then the appeal's time + the decision period */
  u16 severity_bps;
  u16 harmed_share_bps;             /* fixed when the slash is made */
  u8 reserved1[4];
  u64 reserved[2];
} ac_slash_record;
AC_STATIC_ASSERT(sizeof(ac_slash_record) == 208, "slash layout is part of the client's contract");

/* Seeds: PDA("reputation", agent key). Four dimensions as Reputation.sol, each decaying with a 90-day half-life,
 * computed lazily (ac_decay) when read or written. Made by open_reputation (anyone pays). */
#define AC_SEED_REPUTATION "reputation"
#define AC_REPUTATION_VERSION 1
#define AC_REPUTATION_HALF_LIFE (90ull * 86400)
enum ac_reputation_dimension { AC_REP_TASK = 0, AC_REP_VALIDATOR = 1, AC_REP_COMPUTE = 2, AC_REP_SOCIAL = 3, AC_REP_DIMENSIONS = 4 };
typedef struct { u64 value; i64 updated_at; } ac_reputation_entry; /* value as of updated_at */
typedef struct {
  u8 discriminator;                 /* AC_DISC_REPUTATION */
  u8 version;
  u8 bump;
  u8 reserved0[5];
  ac_pubkey agent_key;
  ac_reputation_entry dimensions[AC_REP_DIMENSIONS];
  u64 reserved[4];
} ac_reputation;
AC_STATIC_ASSERT(sizeof(ac_reputation) == 136, "reputation layout is part of the client's contract");
/* Governance over the program's parameters. Voting power is an agent's active stake at the proposal's snapshot (the
 * second before it was made), read from the stake history: each unit of ACC was in exactly one agent's active stake at
 * that second, and each agent votes once per proposal (PDA("vote", proposal, agent key)), so no unit votes twice.
 * Liquid ACC does not vote: an SPL balance has no history, so the same tokens could vote from wallet after wallet.
 * Threshold and quorum are fractions of the stakes vault's balance when the proposal is made (all stake, also
 * unbonding and pending slashes: an upper bound of the stake that can vote), never below the floors. */
#define AC_SEED_PROPOSAL "proposal"                       /* PDA("proposal", 32-byte id the proposer picks) */
#define AC_SEED_VOTE "vote"                               /* PDA("vote", proposal address, agent key) */
#define AC_PROPOSAL_VERSION 1
#define AC_VOTE_VERSION 1
enum ac_governance_discriminator { AC_DISC_PROPOSAL = 43, AC_DISC_VOTE = 44 };
#define AC_GOV_THRESHOLD_BPS 100ull                        /* 1% */
#define AC_GOV_THRESHOLD_FLOOR (1000000ull * AC_ACC_UNIT)  /* as on Base: 0.1% of the supply */
#define AC_GOV_QUORUM_BPS 1000ull                          /* 10% participation (for + against + abstain) */
#define AC_GOV_QUORUM_FLOOR (10000000ull * AC_ACC_UNIT)    /* as on Base: 1% of the supply */
#define AC_GOV_VOTING_PERIOD (5ll * 86400)
#define AC_GOV_TIMELOCK (7ll * 86400)                      /* after the vote, before execution */
/* The longest a slasher may take to slash after the act (the market's settlement deadlines stay under it): the
 * unbonding period must outlast it plus the appeal window, or stake could leave before its slash (slash-then-exit). */
#define AC_MAX_SLASH_DELAY (7ll * 86400)
AC_STATIC_ASSERT(AC_DEFAULT_APPEAL_DECISION_PERIOD > AC_GOV_VOTING_PERIOD + AC_GOV_TIMELOCK,
                 "an appeal must be reachable: governance's fastest path is shorter than the decision period");
enum ac_gov_action {
  AC_GOV_SET_REGISTRATION_BOND = 0, /* value: 1 ACC .. 1,000,000 ACC; new agents only */
  AC_GOV_SET_REGISTRATION_FEE = 1,  /* value: 0 .. 100,000 ACC */
  AC_GOV_SET_UNBONDING_PERIOD = 2,  /* critical; value: seconds, above appeal window + max slash delay, at most 365 days */
  AC_GOV_SET_APPEAL_WINDOW = 3,     /* critical; value: seconds, at least 1 day, under unbonding period - max slash delay */
  AC_GOV_SET_EXIT_DELAY = 4,        /* value: seconds, 1 .. 365 days */
  AC_GOV_REVERSE_SLASH = 5,         /* target: the slash record */
  AC_GOV_DISMISS_APPEAL = 6,        /* target: the slash record */
  AC_GOV_SET_AUTHORITY = 7,         /* critical; target: the config's new authority (not zero) */
  AC_GOV_SET_SLASHER = 8,           /* critical (a slasher takes stake); target: the key; value: 1 approve, 0 withdraw */
  AC_GOV_SET_ATTESTOR = 9,          /* target: the key; value: 1 approve, 0 withdraw */
  AC_GOV_SET_MARKET_PARAMS = 10,    /* sol-gaps; critical (as Base's TaskMarket.setParams); target: ac_market_terms;
                                       value: the keeper reward; new tasks only */
  AC_GOV_ACTIONS = 11,
};
enum ac_proposal_status { AC_PROPOSAL_ACTIVE = 0, AC_PROPOSAL_EXECUTED = 1 };
typedef struct {
  u8 discriminator;                 /* AC_DISC_PROPOSAL */
  u8 version;
  u8 bump;
  u8 status;                        /* enum ac_proposal_status */
  u8 action;                        /* enum ac_gov_action */
  u8 critical;                      /* decided by the action, not by the proposer: needs 2/3 of for + against */
  u8 reserved0[2];
  u8 id[32];
  ac_pubkey proposer;               /* the proposing agent's key */
  ac_pubkey target;
  u64 value;
  i64 snapshot;                     /* voting power: active stake at this second (the one before the proposal) */
  i64 voting_ends;                  /* votes until this second (inclusive) */
  i64 executable_at;                /* voting_ends + the timelock */
  u64 quorum;                       /* max(10% of the stakes vault, floor) */
  u64 votes_for;
  u64 votes_against;
  u64 votes_abstain;
  u64 reserved[2];
} ac_proposal;
AC_STATIC_ASSERT(sizeof(ac_proposal) == 184, "proposal layout is part of the client's contract");
enum ac_vote_support { AC_VOTE_AGAINST = 0, AC_VOTE_FOR = 1, AC_VOTE_ABSTAIN = 2 };
typedef struct {
  u8 discriminator;                 /* AC_DISC_VOTE */
  u8 version;
  u8 bump;
  u8 support;
  u8 reserved0[4];
  ac_pubkey proposal;
  ac_pubkey agent_key;
  u64 weight;
} ac_vote;
AC_STATIC_ASSERT(sizeof(ac_vote) == 80, "vote layout is part of the client's contract");
/* --- end of sol-stake's block --- */

/* ---------------------------------------------------------------------------------------------------------------------
 * sol-final: genesis in steps, each under 20,000 CU (instruction AC_IX_GENESIS, errors 130..149). `initialize` creates
 * the config (stage 1); then `genesis` step s runs only at stage s, by the config's authority (the upgrade authority
 * that initialised), once, and moves the stage to s + 1:
 *   step 1: the ACC mint; steps 2..4: genesis vaults (0,1), (2,3), (4,5), each minted its share; step 5: the bonds and
 *   stakes vaults, the supply checked, the mint authority removed (AC_GENESIS_DONE). Every other instruction refuses a
 *   config before AC_GENESIS_DONE (GenesisIncomplete: its discriminator is AC_DISC_CONFIG_GENESIS until then).
 * ------------------------------------------------------------------------------------------------------------------- */
enum ac_genesis_stage {
  AC_GENESIS_CONFIG = 1,            /* initialize done: the config exists */
  AC_GENESIS_STEP_MINT = 1,         /* the step that runs at stage 1 */
  AC_GENESIS_STEP_FIRST_VAULTS = 2, /* steps 2..5: vaults 2 x (s - 2) and 2 x (s - 2) + 1 */
  AC_GENESIS_STEP_LAST = 5,
  AC_GENESIS_DONE = 6,
};
/* The config's discriminator until the last step, which sets AC_DISC_CONFIG: ac_config_load's discriminator check
 * refuses an unfinished config at no extra cost, and names it GenesisIncomplete. */
#define AC_DISC_CONFIG_GENESIS 130
AC_STATIC_ASSERT(2 * (AC_GENESIS_STEP_LAST - AC_GENESIS_STEP_FIRST_VAULTS + 1) == AC_VAULT_COUNT, "two vaults a step");
#define AC_GENESIS_VAULTS_PER_STEP 2
/* --- end of sol-final's block --- */

#endif
