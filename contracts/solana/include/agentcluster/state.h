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
};

enum ac_discriminator { AC_DISC_CONFIG = 1 };
#define AC_CONFIG_VERSION 1

/* Defaults, as on Base (docs/evm-protocol.md), in base units and seconds. */
#define AC_DEFAULT_REGISTRATION_BOND (10000ull * AC_ACC_UNIT)
#define AC_DEFAULT_REGISTRATION_FEE (100ull * AC_ACC_UNIT)
#define AC_DEFAULT_UNBONDING_PERIOD (30ull * 86400)
#define AC_DEFAULT_APPEAL_WINDOW (7ull * 86400)

typedef struct {
  u8 discriminator;                 /* AC_DISC_CONFIG */
  u8 version;                       /* AC_CONFIG_VERSION */
  u8 bump;
  u8 mint_bump;
  u8 vault_bumps[AC_GENESIS_VAULTS];
  u8 reserved0[6];
  ac_pubkey authority;              /* the upgrade authority at initialisation; governance later */
  ac_pubkey mint;
  u64 registration_bond;
  u64 registration_fee;
  u64 unbonding_period;
  u64 appeal_window;
  u64 reserved[8];                  /* room for parameters without a migration */
} ac_config;
AC_STATIC_ASSERT(sizeof(ac_config) == 176, "config layout is part of the client's contract");

#endif
