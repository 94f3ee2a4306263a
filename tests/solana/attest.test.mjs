// set_attestor and attest: governance-approved Ed25519 attestors, the signature checked by the native program in the
// same transaction and tied to it through the instructions sysvar; expiry, validity bound, nonces against replay, and
// every account check broken on purpose.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { lamports } from '@solana/kit';
import { FailedTransactionMetadata } from 'litesvm';
import { AccountRole, ERRORS, customError, expectSuccess, generateKeyPairSigner, send } from './helpers.mjs';
import {
  ACC, AGENT_STATUS, ATTEST_ACCOUNT as T, SET_ATTESTOR_ACCOUNT as SA, agentPda, attestationData, attestationMessage,
  attestInstruction, attestorPda, ed25519Instruction, eventsOf, fundedAccAccount, initializedAgentCluster, newAttestor,
  readAgent, registerAgentInstruction, setAttestorInstruction,
} from './program.mjs';

const DAY = 86400n;
let chain, approved, agent;

const setAttestor = async (attestorKey, approvedFlag, { authority = chain.payer, overrides = {} } = {}) =>
  send(chain.svm, authority, [setAttestorInstruction({ ...chain, authority, attestorKey, attestor: await attestorPda(chain.program, attestorKey),
    approved: approvedFlag, overrides })]);
const now = () => chain.svm.getClock().unixTimestamp;
const expectCode = (result, name) => {
  const { code, error, logs } = customError(result);
  assert.equal(code, ERRORS[name], `expected ${name} (${ERRORS[name]}), got ${error ?? 'success'}\n${logs.join('\n')}`);
};

/** An attest transaction: [Ed25519 verification, attest], each part replaceable to break one thing. */
async function attest({ signer = approved, attestorAccount, agentKey = agent.agentKey.address, agentAccount = agent.agent, expiresAt = now() + 10n * DAY,
  nonce, signedFields, submittedFields, verify, overrides = {} }) {
  const fields = attestationData({ expiresAt, nonce });
  const message = attestationMessage({ program: chain.program, agentKey, fields: signedFields ?? fields });
  const verification = verify !== undefined ? verify : ed25519Instruction({ publicKey: signer.publicKey, signature: signer.sign(message), message });
  const ix = attestInstruction({ ...chain, agent: agentAccount, attestor: attestorAccount ?? await attestorPda(chain.program, approved.address),
    fields: submittedFields ?? fields, overrides });
  return send(chain.svm, chain.payer, verification === null ? [ix] : [verification, ix]);
}

before(async () => {
  chain = await initializedAgentCluster();
  approved = newAttestor();
  expectSuccess(await setAttestor(approved.address, true));
  const owner = await generateKeyPairSigner(), agentKey = await generateKeyPairSigner();
  chain.svm.airdrop(owner.address, lamports(10_000_000_000n));
  agent = { owner, agentKey, agent: await agentPda(chain.program, agentKey.address),
    ownerAcc: await fundedAccAccount(chain.svm, chain.pdas.mint, owner.address, 20_000n * ACC) };
  expectSuccess(await send(chain.svm, owner, [registerAgentInstruction({ ...chain, ...agent })]));
});

test('SetAttestor_OnlyTheAuthorityApprovesAndWithdraws', async () => {
  const key = newAttestor().address, pda = await attestorPda(chain.program, key);
  const result = expectSuccess(await setAttestor(key, true));
  assert.deepEqual(eventsOf(result), [{ name: 'AttestorSet', attestor: key, approved: 1, size: 33 }]);
  assert.equal(chain.svm.getAccount(pda).data[3], 1);
  expectSuccess(await setAttestor(key, false));
  assert.equal(chain.svm.getAccount(pda).data[3], 0, 'withdrawn');
  const stranger = await generateKeyPairSigner();
  chain.svm.airdrop(stranger.address, lamports(10_000_000_000n));
  expectCode(await setAttestor(key, true, { authority: stranger }), 'NOT_AUTHORITY');
  expectCode(await setAttestor(key, true, { overrides: { [SA.ATTESTOR]: { address: await attestorPda(chain.program, approved.address), role: AccountRole.WRITABLE } } }), 'WRONG_PDA');
  expectCode(await setAttestor(key, true, { overrides: { [SA.ATTESTOR]: { address: pda, role: AccountRole.READONLY } } }), 'NOT_WRITABLE');
  expectCode(await setAttestor(key, true, { overrides: { [SA.CONFIG]: { address: chain.pdas.mint, role: AccountRole.READONLY } } }), 'WRONG_OWNER');
  expectCode(await setAttestor(key, true, { overrides: { [SA.SYSTEM]: { address: chain.program, role: AccountRole.READONLY } } }), 'WRONG_ACCOUNT');
  assert.equal(chain.svm.getAccount(pda).data[3], 0, 'still withdrawn');
});

test('Attest_MakesTheAgentActiveUntilTheExpiry', async () => {
  const expiresAt = now() + 20n * DAY;
  const result = expectSuccess(await attest({ nonce: 1n, expiresAt }));
  const a = readAgent(chain.svm, agent.agent);
  assert.deepEqual([a.status, a.attestedUntil, a.attestationNonce], [AGENT_STATUS.ACTIVE, expiresAt, 1n]);
  assert.deepEqual(eventsOf(result), [{ name: 'Attested', agentKey: agent.agentKey.address, attestor: approved.address, expiresAt, nonce: 1n, size: 80 }]);
});

test('Attest_RefusesAReplayAndAnOlderNonce', async () => {
  expectSuccess(await attest({ nonce: 5n }));
  expectCode(await attest({ nonce: 5n }), 'STALE_ATTESTATION');
  expectCode(await attest({ nonce: 4n }), 'STALE_ATTESTATION');
  expectSuccess(await attest({ nonce: 6n }));
});

test('Attest_RefusesExpiredAndTooLongAttestations', async () => {
  expectCode(await attest({ nonce: 100n, expiresAt: now() }), 'ATTESTATION_EXPIRED');
  expectCode(await attest({ nonce: 100n, expiresAt: now() + 30n * DAY + 1n }), 'ATTESTATION_TOO_LONG');
  expectSuccess(await attest({ nonce: 100n, expiresAt: now() + 30n * DAY }));
});

test('Attest_TheNativeProgramRejectsAForgedSignature', async () => {
  // Without this, a message check could pass on bytes nobody signed: the transaction fails in the Ed25519 program.
  const fields = attestationData({ expiresAt: now() + DAY, nonce: 200n });
  const message = attestationMessage({ program: chain.program, agentKey: agent.agentKey.address, fields });
  const signature = approved.sign(message);
  signature[0] ^= 1;
  const result = await attest({ nonce: 200n, expiresAt: now() + DAY, verify: ed25519Instruction({ publicKey: approved.publicKey, signature, message }) });
  assert.ok(result instanceof FailedTransactionMetadata);
  assert.match(String(result.err()), /index: 0/, 'the verification instruction fails');
});

test('Attest_RefusesSignaturesThatDoNotCoverExactlyThisAttestation', async () => {
  const nonce = 300n, expiresAt = now() + 5n * DAY;
  expectCode(await attest({ nonce, verify: null }), 'SIGNATURE_NOT_VERIFIED'); // no verification at all
  const other = newAttestor(); // a valid signature, by a key that is not the attestor named
  expectCode(await attest({ nonce, expiresAt, signer: other }), 'SIGNATURE_NOT_VERIFIED');
  const rival = await generateKeyPairSigner(); // signed for another agent
  expectCode(await attest({ nonce, expiresAt, agentKey: rival.address }), 'SIGNATURE_NOT_VERIFIED');
  const signed = attestationData({ expiresAt: expiresAt + DAY, nonce }); // signed with another expiry than submitted
  expectCode(await attest({ nonce, expiresAt, signedFields: signed }), 'SIGNATURE_NOT_VERIFIED');
  // Offsets that point into another instruction: the native program verifies those bytes, not its own.
  const fields = attestationData({ expiresAt, nonce });
  const message = attestationMessage({ program: chain.program, agentKey: agent.agentKey.address, fields });
  const elsewhere = ed25519Instruction({ publicKey: approved.publicKey, signature: approved.sign(message), message, index: 0 });
  expectCode(await attest({ nonce, expiresAt, verify: elsewhere }), 'SIGNATURE_NOT_VERIFIED');
  assert.equal(readAgent(chain.svm, agent.agent).attestationNonce < nonce, true, 'none of them counted');
  expectSuccess(await attest({ nonce, expiresAt }));
});

test('Attest_RefusesWithdrawnAndUnknownAttestors', async () => {
  const later = newAttestor();
  expectCode(await attest({ nonce: 400n, signer: later, attestorAccount: await attestorPda(chain.program, later.address) }), 'UNKNOWN_ATTESTOR');
  expectSuccess(await setAttestor(later.address, true));
  expectSuccess(await attest({ nonce: 400n, signer: later, attestorAccount: await attestorPda(chain.program, later.address) }));
  expectSuccess(await setAttestor(later.address, false));
  expectCode(await attest({ nonce: 401n, signer: later, attestorAccount: await attestorPda(chain.program, later.address) }), 'UNKNOWN_ATTESTOR');
});

test('Attest_EachAccountCheckFailsWithItsNamedError', async () => {
  const attestorAccount = await attestorPda(chain.program, approved.address);
  const cases = [
    ['NOT_WRITABLE', { [T.AGENT]: { address: agent.agent, role: AccountRole.READONLY } }],
    ['WRONG_OWNER', { [T.AGENT]: { address: agent.ownerAcc, role: AccountRole.WRITABLE } }],
    ['INVALID_ACCOUNT_DATA', { [T.ATTESTOR]: { address: agent.agent, role: AccountRole.READONLY } }], // the program's, not an attestor
    ['WRONG_OWNER', { [T.CONFIG]: { address: agent.ownerAcc, role: AccountRole.READONLY } }],
    ['INVALID_ACCOUNT_DATA', { [T.CONFIG]: { address: attestorAccount, role: AccountRole.READONLY } }], // the program's, not the config
    ['WRONG_ACCOUNT', { [T.INSTRUCTIONS]: { address: chain.pdas.config, role: AccountRole.READONLY } }],
    ['NOT_ENOUGH_ACCOUNTS', { [T.INSTRUCTIONS]: null }],
  ];
  for (const [name, overrides] of cases) expectCode(await attest({ nonce: 500n, overrides }), name);
  // An attestor's bytes copied to another program-owned address: right owner and layout, wrong seeds.
  const forged = (await generateKeyPairSigner()).address, real = chain.svm.getAccount(attestorAccount);
  chain.svm.setAccount({ address: forged, data: real.data, executable: false, lamports: real.lamports, programAddress: chain.program, space: BigInt(real.data.length) });
  expectCode(await attest({ nonce: 500n, attestorAccount: forged }), 'WRONG_PDA');
  expectSuccess(await attest({ nonce: 500n }));
});
