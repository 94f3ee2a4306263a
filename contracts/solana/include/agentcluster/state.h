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

typedef struct {
  u8 discriminator;                 /* AC_DISC_CONFIG */
  u8 version;                       /* AC_CONFIG_VERSION */
  u8 bump;
  u8 mint_bump;
  u8 vault_bumps[AC_VAULT_COUNT];
  u8 reserved0[4];
  ac_pubkey authority;              /* the upgrade authority at initialisation; governance later */
  ac_pubkey mint;
  ac_pubkey vaults[AC_VAULT_COUNT]; /* the vault PDAs, kept so instructions check them by key, not by hashing */
  u64 registration_bond;
  u64 registration_fee;
  u64 unbonding_period;
  u64 appeal_window;
  u64 exit_delay;                   /* from request_exit until the bond can be withdrawn */
  u64 reserved[7];                  /* room for parameters without a migration */
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

#endif
