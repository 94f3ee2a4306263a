/* attest: records an attestor's signed statement that an agent's TEE measurement and benchmark were verified, until an
 * expiry. The signature is checked by the Ed25519 native program in the instruction right before this one; here the
 * instructions sysvar shows that instruction, and its key and message must be exactly the attestor's and the expected
 * bytes, read from that instruction's own data. Anyone may submit. Nonces strictly increase per agent (no replay); the
 * agent becomes Active, and reads as Suspended once the expiry passes, with no transaction.
 *
 * Accounts: 0 agent (writable), 1 attestor PDA, 2 config, 3 instructions sysvar.
 * Data: tag, measurement hash (32), u32 cpu cores, u32 GPU memory (MB), u32 tokens/s, i64 expires at, u64 nonce. */
#include "ac/checks.h"
#include "ac/ids.h"
#include "ac/pda.h"
#include "agentcluster/accounts.h"
#include "agentcluster/events.h"
#include "agentcluster/instructions.h"

enum { A_AGENT, A_ATTESTOR, A_CONFIG, A_INSTRUCTIONS, A_COUNT };
#define DATA_LEN (1 + 32 + 4 + 4 + 4 + 8 + 8)

static const u8 SEED_ATTESTOR[] = AC_SEED_ATTESTOR;
static const u8 DOMAIN[] = AC_ATTESTATION_DOMAIN;

static bool bytes_eq(const u8 *a, const u8 *b, u64 n) {
  for (u64 i = 0; i < n; i++) if (a[i] != b[i]) return false;
  return true;
}

/* Ed25519SignatureOffsets: where the signature, key and message lie; u16::MAX as an index means "this instruction". */
#define ED25519_HEADER 2
#define ED25519_OFFSETS 14
#define THIS_INSTRUCTION 0xffff

/* The instruction before the current one is an Ed25519 verification of exactly `message` by `key`, all read from its
 * own data (offsets into another instruction would let a signature over other bytes stand in). */
static bool ed25519_verified_before(const ac_account *sysvar, const ac_pubkey *key, const u8 *message, u64 message_len) {
  const u8 *d = sysvar->data;
  u64 len = sysvar->data_len;
  if (len < 4) return false;
  u16 count = ac_read_u16(d), current = ac_read_u16(d + len - 2);
  if (current == 0 || current >= count || 2 + 2 * (u64)count > len) return false;
  u64 at = ac_read_u16(d + 2 + 2 * (current - 1));
  if (at + 2 > len) return false;
  u64 accounts = ac_read_u16(d + at);
  at += 2 + accounts * 33;                    /* each account meta: flags byte + key */
  if (at + 32 + 2 > len) return false;
  if (!ac_key_eq((const ac_pubkey *)(d + at), &AC_ED25519_PROGRAM_ID)) return false;
  at += 32;
  u64 data_len = ac_read_u16(d + at);
  const u8 *ix = d + at + 2;
  if (at + 2 + data_len > len || data_len < ED25519_HEADER + ED25519_OFFSETS || ix[0] != 1) return false;
  const u8 *o = ix + ED25519_HEADER;
  u64 signature_offset = ac_read_u16(o), public_key_offset = ac_read_u16(o + 4), message_offset = ac_read_u16(o + 8),
      message_size = ac_read_u16(o + 10);
  if (ac_read_u16(o + 2) != THIS_INSTRUCTION || ac_read_u16(o + 6) != THIS_INSTRUCTION || ac_read_u16(o + 12) != THIS_INSTRUCTION) return false;
  if (signature_offset + 64 > data_len || public_key_offset + 32 > data_len || message_offset + message_size > data_len) return false;
  if (!ac_key_eq((const ac_pubkey *)(ix + public_key_offset), key)) return false;
  return message_size == message_len && bytes_eq(ix + message_offset, message, message_len);
}

u64 ac_ix_attest(ac_input *in) {
  if (in->data_len != DATA_LEN) return ac_fail(AC_ERR_INVALID_INSTRUCTION);
  if (in->account_count < A_COUNT) return ac_fail(AC_ERR_NOT_ENOUGH_ACCOUNTS);
  ac_account **a = in->accounts;
  const ac_config *config;
  ac_agent *agent;
  u64 rc;

  /* --- every account checked before anything happens --- */
  if ((rc = ac_config_load(a[A_CONFIG], in->program_id, &config)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_writable(a[A_AGENT])) != AC_OK || (rc = ac_agent_load(a[A_AGENT], in->program_id, &agent)) != AC_OK)
    return ac_fail(rc);
  const ac_account *attestor_account = a[A_ATTESTOR];
  const ac_attestor *attestor = (const ac_attestor *)attestor_account->data;
  if ((rc = ac_check_owner(attestor_account, in->program_id)) != AC_OK) return ac_fail(AC_ERR_UNKNOWN_ATTESTOR);
  if (attestor_account->data_len != sizeof(ac_attestor) || attestor->discriminator != AC_DISC_ATTESTOR)
    return ac_fail(AC_ERR_INVALID_ACCOUNT_DATA);
  const ac_seed seeds[2] = { { SEED_ATTESTOR, sizeof(SEED_ATTESTOR) - 1 }, { attestor->key.bytes, 32 } };
  if ((rc = ac_pda_verify(attestor_account, seeds, 2, attestor->bump, in->program_id)) != AC_OK) return ac_fail(rc);
  if ((rc = ac_check_key(a[A_INSTRUCTIONS], &AC_SYSVAR_INSTRUCTIONS_ID)) != AC_OK) return ac_fail(rc);

  /* --- the rules --- */
  if (!attestor->approved) return ac_fail(AC_ERR_UNKNOWN_ATTESTOR);
  if (agent->status == AC_AGENT_EXITED) return ac_fail(AC_ERR_AGENT_EXITED);
  const u8 *d = in->data + 1;
  ac_attestation_message message;
  for (int i = 0; i < 8; i++) message.domain[i] = DOMAIN[i];
  message.program_id = *in->program_id;
  message.agent_key = agent->agent_key;
  for (int i = 0; i < 32; i++) message.measurement_hash[i] = d[i];
  message.cpu_cores = ac_read_u32(d + 32);
  message.gpu_memory_mb = ac_read_u32(d + 36);
  message.tokens_per_second = ac_read_u32(d + 40);
  message.reserved = 0;
  message.expires_at = (i64)ac_read_u64(d + 44);
  message.nonce = ac_read_u64(d + 52);
  i64 now = ac_now();
  if (message.expires_at <= now) return ac_fail(AC_ERR_ATTESTATION_EXPIRED);
  if (message.expires_at > now + AC_MAX_ATTESTATION_VALIDITY) return ac_fail(AC_ERR_ATTESTATION_TOO_LONG);
  if (message.nonce <= agent->attestation_nonce) return ac_fail(AC_ERR_STALE_ATTESTATION);
  if (!ed25519_verified_before(a[A_INSTRUCTIONS], &attestor->key, (const u8 *)&message, sizeof(message)))
    return ac_fail(AC_ERR_SIGNATURE_NOT_VERIFIED);

  /* --- act --- */
  agent->attestation_nonce = message.nonce;
  agent->attested_until = message.expires_at;
  agent->status = AC_AGENT_ACTIVE;
  ac_event_attested event = { agent->agent_key, attestor->key, message.expires_at, message.nonce };
  ac_emit(AC_EVENT_ATTESTED, &event, sizeof(event));
  return AC_OK;
}
