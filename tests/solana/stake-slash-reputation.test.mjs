// sol-stake: reputation in four dimensions with a 90-day half-life computed lazily (as Reputation.sol): open_reputation,
// record_reputation (governance's writes; the market writes through ac_reputation_record), reputation_of.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { lamports } from '@solana/kit';
import { AccountRole, ERRORS, customError, expectSuccess, generateKeyPairSigner, send } from './helpers.mjs';
import {
  ACC, agentPda, fundedAccAccount, initializedAgentCluster, registerAgentInstruction,
  DIMENSION, OPEN_REPUTATION_ACCOUNT as OR, RECORD_REPUTATION_ACCOUNT as RR, openReputationInstruction, readReputation,
  recordReputationInstruction, reputationOfInstruction, reputationPda, returnedU64, stakeEventsOf,
} from './program.mjs';

const DAY = 86400n, HALF_LIFE = 90n * DAY;
let chain, relayer;
before(async () => {
  chain = await initializedAgentCluster();
  const clock = chain.svm.getClock();
  clock.unixTimestamp = 1_800_000_000n;
  chain.svm.setClock(clock);
  relayer = await generateKeyPairSigner();
  chain.svm.airdrop(relayer.address, lamports(10_000_000_000n));
});

const now = () => chain.svm.getClock().unixTimestamp;
const later = (seconds) => { const clock = chain.svm.getClock(); clock.unixTimestamp += BigInt(seconds); chain.svm.setClock(clock); };
const expectCode = (result, name) => {
  const { code, error, logs } = customError(result);
  assert.equal(code, ERRORS[name], `expected ${name} (${ERRORS[name]}), got ${error ?? 'success'}\n${logs.join('\n')}`);
};
const readOnly = (address) => ({ address, role: AccountRole.READONLY });
const writable = (address) => ({ address, role: AccountRole.WRITABLE });

async function newAgent() {
  const owner = await generateKeyPairSigner(), agentKey = await generateKeyPairSigner();
  chain.svm.airdrop(owner.address, lamports(10_000_000_000n));
  const ownerAcc = await fundedAccAccount(chain.svm, chain.pdas.mint, owner.address, 10_100n * ACC);
  const who = { owner, agentKey, ownerAcc, agent: await agentPda(chain.program, agentKey.address) };
  expectSuccess(await send(chain.svm, owner, [registerAgentInstruction({ ...chain, ...who })]));
  who.reputation = await reputationPda(chain.program, agentKey.address);
  return who;
}
const open = (who, overrides = {}, payer = relayer) => send(chain.svm, payer, [openReputationInstruction({ ...chain, payer, agent: who.agent, reputation: who.reputation, overrides })]);
const record = (who, dimension, delta, overrides = {}, authority = chain.payer) =>
  send(chain.svm, relayer, [recordReputationInstruction({ ...chain, authority, reputation: who.reputation, dimension, delta, overrides })]);
const valueOf = async (who, dimension) => returnedU64(expectSuccess(await send(chain.svm, relayer, [reputationOfInstruction({ ...chain, reputation: who.reputation, dimension })])));

/** Reputation.sol's decay, in exact rationals: value * 2^(-elapsed / half-life), floor. */
const decayed = (value, elapsed) => BigInt(Math.floor(Number(value) * 2 ** (-Number(elapsed) / Number(HALF_LIFE))));

test('OpenReputation_MakesTheAgentsAccountOnce', async () => {
  const who = await newAgent();
  const result = expectSuccess(await open(who));
  assert.deepEqual(stakeEventsOf(result), [{ name: 'ReputationOpened', agentKey: who.agentKey.address, size: 32 }]);
  const r = readReputation(chain.svm, who.reputation);
  assert.equal(r.owner, chain.program);
  assert.deepEqual([r.size, r.discriminator, r.version, r.agentKey], [136, 42, 1, who.agentKey.address]);
  assert.deepEqual(r.dimensions.map((d) => d.value), [0n, 0n, 0n, 0n]);
  expectCode(await open(who), 'ALREADY_INITIALIZED');
});

test('OpenReputation_EachAccountCheckFailsWithItsNamedError', async () => {
  const who = await newAgent(), other = await newAgent();
  const cases = [
    ['MISSING_SIGNER', { [OR.PAYER]: writable(who.owner.address) }],
    ['WRONG_OWNER', { [OR.AGENT]: readOnly(who.ownerAcc) }],
    ['INVALID_ACCOUNT_DATA', { [OR.AGENT]: readOnly(chain.pdas.config) }],
    ['NOT_WRITABLE', { [OR.REPUTATION]: readOnly(who.reputation) }],
    ['WRONG_PDA', { [OR.REPUTATION]: writable(other.reputation) }],
    ['WRONG_ACCOUNT', { [OR.SYSTEM]: readOnly(chain.pdas.mint) }],
    ['NOT_ENOUGH_ACCOUNTS', { [OR.SYSTEM]: undefined }],
  ];
  for (const [name, overrides] of cases) expectCode(await open(who, overrides), name);
  assert.equal(readReputation(chain.svm, who.reputation), null);
});

test('RecordReputation_AddsTakesAndDecaysWithA90DayHalfLife', async () => {
  const who = await newAgent();
  expectSuccess(await open(who));
  const result = expectSuccess(await record(who, DIMENSION.TASK, 1_000_000_000n));
  assert.deepEqual(stakeEventsOf(result), [{ name: 'ReputationChanged', agentKey: who.agentKey.address, dimension: 0, delta: 1_000_000_000n, value: 1_000_000_000n, size: 49 }]);
  assert.deepEqual(readReputation(chain.svm, who.reputation).dimensions[0], { value: 1_000_000_000n, updatedAt: now() });
  later(HALF_LIFE);
  assert.equal(await valueOf(who, DIMENSION.TASK), 500_000_000n, 'one half-life: half');
  later(HALF_LIFE / 2n);
  const expected = decayed(1_000_000_000n, HALF_LIFE + HALF_LIFE / 2n);
  const got = await valueOf(who, DIMENSION.TASK);
  assert.ok(got === expected || got + 1n === expected, `1.5 half-lives: ${got} vs ${expected}`);
  // a write decays first, then adds
  expectSuccess(await record(who, DIMENSION.TASK, 100n));
  assert.equal(readReputation(chain.svm, who.reputation).dimensions[0].value, got + 100n);
  // a negative delta stops at 0
  expectSuccess(await record(who, DIMENSION.TASK, -(10n ** 12n)));
  assert.equal(await valueOf(who, DIMENSION.TASK), 0n);
  // the dimensions are independent
  expectSuccess(await record(who, DIMENSION.VALIDATOR, 7n));
  expectSuccess(await record(who, DIMENSION.COMPUTE, 9n));
  assert.deepEqual([await valueOf(who, 1), await valueOf(who, 2), await valueOf(who, 3)], [7n, 9n, 0n]);
  later(200n * 90n * DAY);
  assert.equal(await valueOf(who, DIMENSION.COMPUTE), 0n, 'long gone');
});

test('RecordReputation_OnlyByTheAuthorityNotSocialAndOverflowRefused', async () => {
  const who = await newAgent(), other = await newAgent();
  expectSuccess(await open(who));
  const stranger = await generateKeyPairSigner();
  expectCode(await record(who, DIMENSION.TASK, 1n, {}, stranger), 'NOT_AUTHORITY');
  expectCode(await record(who, DIMENSION.SOCIAL, 1n), 'INVALID_DIMENSION');
  expectCode(await record(who, 4, 1n), 'INVALID_DIMENSION');
  expectCode(await send(chain.svm, relayer, [reputationOfInstruction({ ...chain, reputation: who.reputation, dimension: 4 })]), 'INVALID_DIMENSION');
  expectCode(await send(chain.svm, relayer, [reputationOfInstruction({ ...chain, reputation: other.reputation, dimension: 0 })]), 'WRONG_OWNER');
  const cases = [
    ['MISSING_SIGNER', { [RR.AUTHORITY]: readOnly(chain.payer.address) }],
    ['WRONG_OWNER', { [RR.CONFIG]: readOnly(chain.pdas.mint) }],
    ['NOT_WRITABLE', { [RR.REPUTATION]: readOnly(who.reputation) }],
    ['WRONG_OWNER', { [RR.REPUTATION]: writable(other.reputation) }], // never opened: System-owned
    ['INVALID_ACCOUNT_DATA', { [RR.REPUTATION]: writable(who.agent) }],
  ];
  for (const [name, overrides] of cases) expectCode(await record(who, DIMENSION.TASK, 1n, overrides), name);
  // a copy of the account at another address
  const forged = (await generateKeyPairSigner()).address, real = chain.svm.getAccount(who.reputation);
  chain.svm.setAccount({ address: forged, data: real.data, executable: false, lamports: real.lamports, programAddress: chain.program, space: BigInt(real.data.length) });
  expectCode(await record(who, DIMENSION.TASK, 1n, { [RR.REPUTATION]: writable(forged) }), 'WRONG_PDA');
  expectSuccess(await record(who, DIMENSION.TASK, (1n << 63n) - 1n));
  expectSuccess(await record(who, DIMENSION.TASK, (1n << 63n) - 1n));
  expectCode(await record(who, DIMENSION.TASK, 2n), 'ARITHMETIC_OVERFLOW');
  expectCode(await send(chain.svm, relayer, [recordReputationInstruction({ ...chain, authority: chain.payer, reputation: who.reputation, data: new Uint8Array([16, 0]) })]), 'INVALID_INSTRUCTION');
});
