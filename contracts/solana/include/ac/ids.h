/* Addresses of the programs the program talks to. */
#ifndef AC_IDS_H
#define AC_IDS_H
#include "types.h"

extern const ac_pubkey AC_SYSTEM_PROGRAM_ID;
extern const ac_pubkey AC_TOKEN_PROGRAM_ID;       /* TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA */
extern const ac_pubkey AC_UPGRADEABLE_LOADER_ID;  /* BPFLoaderUpgradeab1e11111111111111111111111 */
extern const ac_pubkey AC_ED25519_PROGRAM_ID;     /* Ed25519SigVerify111111111111111111111111111 */
extern const ac_pubkey AC_SYSVAR_INSTRUCTIONS_ID; /* Sysvar1nstructions1111111111111111111111111 */

#endif
