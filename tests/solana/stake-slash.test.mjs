// sol-stake: stake checkpoints (stake at a past time), slashing 1..100% by approved slashers with the appeal path
// (appeal, governance's reverse or dismissal, finalize), and the attacks of this part: slash-then-exit and replays
// (a second appeal, a second finalization, a used slash record). Every account check broken on purpose.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { lamports } from '@solana/kit';
import { AccountRole, ERRORS, customError, expectSuccess, generateKeyPairSigner, send } from './helpers.mjs';
import {
  ACC, VAULT, agentPda, fundedAccAccount, initializedAgentCluster, readAgent, readMint, readTokenAccount, registerAgentInstruction,
  requestExitInstruction, requestUnstakeInstruction, stakeInstruction, withdrawInstruction,
  SLASH_STATUS, SET_SLASHER_ACCOUNT as SS, SLASH_ACCOUNT as SL, APPEAL_ACCOUNT as AP, REVERSE_ACCOUNT as RV, DISMISS_ACCOUNT as DI,
  FINALIZE_ACCOUNT as FI, appealSlashInstruction, dismissAppealInstruction, finalizeSlashInstruction, readAgentHistory, readSlash,
  returnedU64, reverseSlashInstruction, setSlasherInstruction, slashInstruction, slashPda, slasherPda, stakeAtInstruction, stakeEventsOf,
} from './program.mjs';

const BOND = 10_000n * ACC, FEE = 100n * ACC, DAY = 86400n, APPEAL_WINDOW = 7n * DAY, DECISION = 30n * DAY;
let chain, slasher, slasherAccount, relayer; // relayer: a fee payer that is none of the parties (so a missing signature shows)
const agents = [], records = []; // everything this file creates, for the solvency check at the end

before(async () => {
  chain = await initializedAgentCluster();
  const clock = chain.svm.getClock();
  clock.unixTimestamp = 1_800_000_000n;
  chain.svm.setClock(clock);
  slasher = await generateKeyPairSigner();
  chain.svm.airdrop(slasher.address, lamports(10_000_000_000n));
  slasherAccount = await slasherPda(chain.program, slasher.address);
  relayer = await generateKeyPairSigner();
  chain.svm.airdrop(relayer.address, lamports(10_000_000_000n));
  expectSuccess(await send(chain.svm, chain.payer, [setSlasherInstruction({ ...chain, authority: chain.payer, slasherKey: slasher.address, slasher: slasherAccount })]));
});

const now = () => chain.svm.getClock().unixTimestamp;
const later = (seconds) => { const clock = chain.svm.getClock(); clock.unixTimestamp += BigInt(seconds); chain.svm.setClock(clock); };
const expectCode = (result, name) => {
  const { code, error, logs } = customError(result);
  assert.equal(code, ERRORS[name], `expected ${name} (${ERRORS[name]}), got ${error ?? 'success'}\n${logs.join('\n')}`);
};
const readOnly = (address) => ({ address, role: AccountRole.READONLY });
const writable = (address) => ({ address, role: AccountRole.WRITABLE });
const balance = (account) => readTokenAccount(chain.svm, account).amount;
const supply = () => readMint(chain.svm, chain.pdas.mint).supply;

/** A registered agent with `staked` ACC of active stake. */
async function newAgent(staked = 1_000n * ACC) {
  const owner = await generateKeyPairSigner(), agentKey = await generateKeyPairSigner();
  chain.svm.airdrop(owner.address, lamports(10_000_000_000n));
  const ownerAcc = await fundedAccAccount(chain.svm, chain.pdas.mint, owner.address, BOND + FEE + 10_000n * ACC);
  const who = { owner, agentKey, ownerAcc, agent: await agentPda(chain.program, agentKey.address) };
  expectSuccess(await send(chain.svm, owner, [registerAgentInstruction({ ...chain, ...who })]));
  if (staked) expectSuccess(await stake(who, staked));
  agents.push(who);
  return who;
}
const stake = (who, amount) => send(chain.svm, who.owner, [stakeInstruction({ ...chain, ...who, amount })]);
const unstake = (who, amount) => send(chain.svm, who.owner, [requestUnstakeInstruction({ ...chain, ...who, amount })]);
const stakeAt = async (who, time) => send(chain.svm, chain.payer, [stakeAtInstruction({ ...chain, agent: who.agent, time })]);
const nextRecord = async (who) => slashPda(chain.program, who.agentKey.address, readAgentHistory(chain.svm, who.agent).slashCount);
async function slash(who, severityBps, { harmedParty, overrides = {}, signer = slasher, record } = {}) {
  record ??= await nextRecord(who);
  const result = await send(chain.svm, signer, [slashInstruction({ ...chain, slasher: signer, slasherPdaAddress: slasherAccount, agent: who.agent,
    record, severityBps, harmedParty, overrides })]);
  if (!customError(result).error) records.push(record);
  return { result, record };
}
const appeal = (who, record, overrides = {}) => send(chain.svm, relayer, [appealSlashInstruction({ ...chain, ...who, record, overrides })]);
const reverse = (who, record, overrides = {}, authority = chain.payer) =>
  send(chain.svm, relayer, [reverseSlashInstruction({ ...chain, authority, record, agent: who.agent, overrides })]);
const dismiss = (record, harmedAcc, overrides = {}, authority = chain.payer) =>
  send(chain.svm, relayer, [dismissAppealInstruction({ ...chain, authority, record, harmedAcc, overrides })]);
const finalize = (record, harmedAcc, overrides = {}) => send(chain.svm, chain.payer, [finalizeSlashInstruction({ ...chain, record, harmedAcc, overrides })]);
/** A harmed party: a key and an ACC account of it. */
async function newHarmed() {
  const key = await generateKeyPairSigner();
  return { key: key.address, acc: await fundedAccAccount(chain.svm, chain.pdas.mint, key.address, 0n) };
}

// ------------------------------------------------------------------ stake checkpoints

test('StakeAt_ReadsTheStakeInForceAtEachPastSecond', async () => {
  const who = await newAgent(0n);
  const t0 = now();
  later(10); expectSuccess(await stake(who, 100n * ACC)); const t1 = now();
  later(10); expectSuccess(await stake(who, 50n * ACC)); const t2 = now();
  later(10); expectSuccess(await unstake(who, 30n * ACC)); const t3 = now();
  later(1);
  const at = async (t) => returnedU64(expectSuccess(await stakeAt(who, t)));
  assert.equal(await at(t0), 0n, 'before the first stake: nothing');
  assert.equal(await at(t1 - 1n), 0n);
  assert.equal(await at(t1), 100n * ACC, 'a checkpoint counts from its own second on');
  assert.equal(await at(t2 - 1n), 100n * ACC);
  assert.equal(await at(t2), 150n * ACC);
  assert.equal(await at(t3), 120n * ACC, 'unstaking lowers it at once');
  assert.equal(readAgent(chain.svm, who.agent).activeStake, 120n * ACC);
  const h = readAgentHistory(chain.svm, who.agent);
  assert.deepEqual([h.count, h.head], [3, 2]);
  assert.deepEqual(h.checkpoints.slice(0, 3).map((c) => [BigInt(c.time), c.stake]), [[t1, 100n * ACC], [t2, 150n * ACC], [t3, 120n * ACC]]);
});

test('StakeAt_RefusesTheCurrentSecondAndTheFuture', async () => {
  const who = await newAgent();
  expectCode(await stakeAt(who, now()), 'FUTURE_LOOKUP');
  expectCode(await stakeAt(who, now() + 100n), 'FUTURE_LOOKUP');
});

test('StakeAt_ReadsOnlyAnAgentAccount', async () => {
  const who = await newAgent();
  later(1);
  const read = (agent, data) => send(chain.svm, chain.payer, [{ ...stakeAtInstruction({ ...chain, agent, time: now() - 1n }), ...(data ? { data } : {}) }]);
  expectCode(await read(who.ownerAcc), 'WRONG_OWNER');
  expectCode(await read(slasherAccount), 'INVALID_ACCOUNT_DATA');
  const forged = (await generateKeyPairSigner()).address, real = chain.svm.getAccount(who.agent);
  chain.svm.setAccount({ address: forged, data: real.data, executable: false, lamports: real.lamports, programAddress: chain.program, space: BigInt(real.data.length) });
  expectCode(await read(forged), 'WRONG_PDA');
  expectCode(await read(who.agent, new Uint8Array([17, 1, 2])), 'INVALID_INSTRUCTION');
  assert.equal(returnedU64(expectSuccess(await read(who.agent))), 1_000n * ACC);
});

test('StakeAt_TwoChangesInOneSecondKeepOneCheckpoint', async () => {
  const who = await newAgent(0n);
  later(5);
  expectSuccess(await send(chain.svm, who.owner, [stakeInstruction({ ...chain, ...who, amount: 10n * ACC }),
    stakeInstruction({ ...chain, ...who, amount: 20n * ACC })]));
  const h = readAgentHistory(chain.svm, who.agent);
  assert.equal(h.count, 1);
  assert.equal(h.checkpoints[0].stake, 30n * ACC);
  later(1);
  assert.equal(returnedU64(expectSuccess(await stakeAt(who, now() - 1n))), 30n * ACC);
});

test('StakeAt_OlderThanTheRingIsRefusedNotGuessed', async () => {
  const who = await newAgent(0n);
  const times = [];
  for (let i = 1n; i <= 5n; i++) { later(10); expectSuccess(await stake(who, i * ACC)); times.push(now()); }
  later(1);
  const h = readAgentHistory(chain.svm, who.agent);
  assert.deepEqual([h.count, h.head], [4, 0], 'four kept, the fifth overwrote the first');
  expectCode(await stakeAt(who, times[1] - 1n), 'STAKE_HISTORY_GONE');
  assert.equal(returnedU64(expectSuccess(await stakeAt(who, times[1]))), 3n * ACC);
  assert.equal(returnedU64(expectSuccess(await stakeAt(who, times[4]))), 15n * ACC);
});

// ------------------------------------------------------------------ slashers

test('SetSlasher_ApprovesAndWithdrawsOnlyByTheAuthority', async () => {
  const key = await generateKeyPairSigner(), pda = await slasherPda(chain.program, key.address);
  const set = (approved, authority = chain.payer, overrides = {}) =>
    send(chain.svm, authority, [setSlasherInstruction({ ...chain, authority, slasherKey: key.address, slasher: pda, approved, overrides })]);
  const result = expectSuccess(await set(true));
  assert.deepEqual(stakeEventsOf(result), [{ name: 'SlasherSet', slasher: key.address, approved: 1, size: 33 }]);
  assert.equal(chain.svm.getAccount(pda).data[3], 1);
  expectSuccess(await set(false));
  assert.equal(chain.svm.getAccount(pda).data[3], 0);
  const stranger = await generateKeyPairSigner();
  chain.svm.airdrop(stranger.address, lamports(1_000_000_000n));
  expectCode(await set(true, stranger), 'NOT_AUTHORITY');
  expectCode(await set(true, chain.payer, { [SS.SLASHER]: writable(await slasherPda(chain.program, stranger.address)) }), 'WRONG_PDA');
  expectCode(await set(true, chain.payer, { [SS.SLASHER]: readOnly(pda) }), 'NOT_WRITABLE');
  expectCode(await set(true, chain.payer, { [SS.CONFIG]: readOnly(chain.pdas.mint) }), 'WRONG_OWNER');
});

// ------------------------------------------------------------------ slash

test('Slash_TakesTheSeverityOfActiveAndUnbondingStakeIntoAPendingRecord', async () => {
  const who = await newAgent(1_000n * ACC), harmed = await newHarmed();
  expectSuccess(await unstake(who, 200n * ACC));
  later(3);
  const vaultBefore = balance(chain.pdas.vaults[VAULT.STAKES]);
  const reason = new Uint8Array(32).fill(7);
  const { result, record } = await slash(who, 2_500, { harmedParty: harmed.key });
  expectSuccess(result);
  const agent = readAgent(chain.svm, who.agent);
  assert.equal(agent.activeStake, 600n * ACC, '25% of 800');
  assert.equal(agent.unbondingStake, 150n * ACC, '25% of 200');
  assert.equal(balance(chain.pdas.vaults[VAULT.STAKES]), vaultBefore, 'the ACC stays in the vault until finalized');
  const r = readSlash(chain.svm, record);
  assert.equal(r.owner, chain.program);
  assert.deepEqual([r.size, r.discriminator, r.version, r.status, r.index], [208, 41, 1, SLASH_STATUS.PENDING, 0]);
  assert.deepEqual([r.agentKey, r.slasher, r.harmedParty], [who.agentKey.address, slasher.address, harmed.key]);
  assert.deepEqual([r.amount, r.fromActive, r.fromUnbonding], [250n * ACC, 200n * ACC, 50n * ACC]);
  assert.deepEqual([r.createdAt, r.appealDeadline, r.decisionDeadline], [now(), now() + APPEAL_WINDOW, 0n]);
  assert.deepEqual([r.severityBps, r.harmedShareBps], [2_500, 5_000]);
  assert.deepEqual(r.reason, reason);
  assert.deepEqual(stakeEventsOf(result), [{ name: 'Slashed', agentKey: who.agentKey.address, index: 0, slasher: slasher.address, severityBps: 2_500,
    amount: 250n * ACC, harmedParty: harmed.key, reason, appealDeadline: now() + APPEAL_WINDOW, size: 150 }]);
  const h = readAgentHistory(chain.svm, who.agent);
  assert.equal(h.slashCount, 1);
  assert.deepEqual([BigInt(h.checkpoints[h.head].time), h.checkpoints[h.head].stake], [now(), 600n * ACC], 'the slash is checkpointed');
  // the next slash takes the next index
  const second = await slash(who, 100);
  expectSuccess(second.result);
  assert.equal(readSlash(chain.svm, second.record).index, 1);
  assert.equal(readSlash(chain.svm, second.record).amount, 6n * ACC + 15n * ACC / 10n);
});

test('Slash_SeverityIsOneToOneHundredPercent', async () => {
  const who = await newAgent(1_000n * ACC);
  expectCode((await slash(who, 99)).result, 'INVALID_SEVERITY');
  expectCode((await slash(who, 10_001)).result, 'INVALID_SEVERITY');
  expectCode((await slash(who, 0)).result, 'INVALID_SEVERITY');
  const { result, record } = await slash(who, 10_000);
  expectSuccess(result);
  assert.equal(readSlash(chain.svm, record).amount, 1_000n * ACC);
  assert.equal(readAgent(chain.svm, who.agent).activeStake, 0n);
});

test('Slash_WithoutStakeRecordsNothing', async () => {
  const who = await newAgent(0n);
  const { result, record } = await slash(who, 5_000);
  expectSuccess(result);
  assert.equal(readSlash(chain.svm, record), null);
  assert.deepEqual(stakeEventsOf(result), []);
  assert.equal(readAgentHistory(chain.svm, who.agent).slashCount, 0);
});

test('Slash_OnlyByAnApprovedSlasher', async () => {
  const who = await newAgent();
  const stranger = await generateKeyPairSigner();
  chain.svm.airdrop(stranger.address, lamports(1_000_000_000n));
  expectCode((await slash(who, 1_000, { signer: stranger })).result, 'NOT_SLASHER'); // someone else with the slasher's PDA
  const own = await slasherPda(chain.program, stranger.address); // its own PDA, never approved: not even created
  expectCode((await slash(who, 1_000, { signer: stranger, overrides: { [SL.SLASHER_PDA]: readOnly(own) } })).result, 'WRONG_OWNER');
  // approved, then withdrawn
  const set = (approved) => send(chain.svm, chain.payer, [setSlasherInstruction({ ...chain, authority: chain.payer, slasherKey: stranger.address, slasher: own, approved })]);
  expectSuccess(await set(true));
  expectSuccess((await slash(who, 100, { signer: stranger, overrides: { [SL.SLASHER_PDA]: readOnly(own) } })).result);
  expectSuccess(await set(false));
  expectCode((await slash(who, 100, { signer: stranger, overrides: { [SL.SLASHER_PDA]: readOnly(own) } })).result, 'NOT_SLASHER');
});

test('Slash_EachAccountCheckFailsWithItsNamedError', async () => {
  const who = await newAgent(), other = await newAgent();
  const record = await nextRecord(who);
  // a copy of the slasher's account at another address (owned by the program, right bytes, wrong seeds)
  const forged = (await generateKeyPairSigner()).address, real = chain.svm.getAccount(slasherAccount);
  chain.svm.setAccount({ address: forged, data: real.data, executable: false, lamports: real.lamports, programAddress: chain.program, space: BigInt(real.data.length) });
  const cases = [
    ['MISSING_SIGNER', { [SL.SLASHER]: writable(slasher.address) }],
    ['WRONG_PDA', { [SL.SLASHER_PDA]: readOnly(forged) }],
    ['INVALID_ACCOUNT_DATA', { [SL.SLASHER_PDA]: readOnly(chain.pdas.config) }],
    ['WRONG_OWNER', { [SL.SLASHER_PDA]: readOnly(who.ownerAcc) }],
    ['NOT_WRITABLE', { [SL.AGENT]: readOnly(who.agent) }],
    ['WRONG_OWNER', { [SL.AGENT]: writable(who.ownerAcc) }],
    ['INVALID_ACCOUNT_DATA', { [SL.AGENT]: writable(slasherAccount) }],
    ['NOT_WRITABLE', { [SL.RECORD]: readOnly(record) }],
    ['WRONG_PDA', { [SL.RECORD]: writable(await slashPda(chain.program, who.agentKey.address, 1)) }],
    ['WRONG_PDA', { [SL.RECORD]: writable(await slashPda(chain.program, other.agentKey.address, 0)) }],
    ['WRONG_OWNER', { [SL.CONFIG]: readOnly(chain.pdas.mint) }],
    ['WRONG_ACCOUNT', { [SL.SYSTEM]: readOnly(chain.pdas.mint) }],
    ['NOT_ENOUGH_ACCOUNTS', { [SL.SYSTEM]: undefined }],
  ];
  for (const [name, overrides] of cases) {
    const result = await send(chain.svm, relayer, [slashInstruction({ ...chain, slasher, slasherPdaAddress: slasherAccount, agent: who.agent, record, severityBps: 1_000, overrides })]);
    expectCode(result, name);
  }
  expectCode(await send(chain.svm, slasher, [slashInstruction({ ...chain, slasher, slasherPdaAddress: slasherAccount, agent: who.agent, record, data: new Uint8Array([10, 1, 2]) })]), 'INVALID_INSTRUCTION');
  assert.equal(readAgent(chain.svm, who.agent).activeStake, 1_000n * ACC, 'nothing was taken');
});

// ------------------------------------------------------------------ appeal, reverse, dismiss, finalize

test('Appeal_ByTheOwnerWithinTheWindowHoldsTheSlashForTheDecisionPeriod', async () => {
  const who = await newAgent();
  const { record } = await slash(who, 1_000);
  later(APPEAL_WINDOW); // the last second of the window is still open
  const result = expectSuccess(await appeal(who, record));
  const r = readSlash(chain.svm, record);
  assert.deepEqual([r.status, r.decisionDeadline], [SLASH_STATUS.APPEALED, now() + DECISION]);
  assert.deepEqual(stakeEventsOf(result), [{ name: 'SlashAppealed', agentKey: who.agentKey.address, index: 0, by: who.owner.address, decisionDeadline: now() + DECISION, size: 76 }]);
  expectCode(await appeal(who, record), 'ALREADY_APPEALED'); // a replayed appeal
  expectCode(await finalize(record), 'APPEAL_PENDING');
});

test('Appeal_RefusedAfterTheWindowByOthersAndForAnotherAgentsSlash', async () => {
  const who = await newAgent(), other = await newAgent();
  const { record } = await slash(who, 1_000);
  const { record: otherRecord } = await slash(other, 1_000);
  expectCode(await send(chain.svm, other.owner, [appealSlashInstruction({ ...chain, ...who, owner: other.owner, record })]), 'NOT_AGENT_OWNER');
  expectCode(await appeal(who, otherRecord), 'WRONG_ACCOUNT');
  const cases = [
    ['MISSING_SIGNER', { [AP.OWNER]: readOnly(who.owner.address) }],
    ['WRONG_OWNER', { [AP.AGENT]: readOnly(who.ownerAcc) }],
    ['NOT_WRITABLE', { [AP.RECORD]: readOnly(record) }],
    ['INVALID_ACCOUNT_DATA', { [AP.RECORD]: writable(who.agent) }],
    ['WRONG_OWNER', { [AP.CONFIG]: readOnly(chain.pdas.mint) }],
    ['NOT_ENOUGH_ACCOUNTS', { [AP.CONFIG]: undefined }],
  ];
  for (const [name, overrides] of cases) expectCode(await appeal(who, record, overrides), name);
  later(APPEAL_WINDOW + 1n);
  expectCode(await appeal(who, record), 'APPEAL_WINDOW_CLOSED');
});

test('Reverse_ReturnsTheWholeAmountToActiveStakeWithinTheWindow', async () => {
  const who = await newAgent(1_000n * ACC);
  expectSuccess(await unstake(who, 400n * ACC));
  const { record } = await slash(who, 5_000);
  assert.deepEqual([readAgent(chain.svm, who.agent).activeStake, readAgent(chain.svm, who.agent).unbondingStake], [300n * ACC, 200n * ACC]);
  later(10);
  const result = expectSuccess(await reverse(who, record));
  assert.equal(readAgent(chain.svm, who.agent).activeStake, 800n * ACC, 'also the unbonding part returns as active stake');
  assert.equal(readSlash(chain.svm, record).status, SLASH_STATUS.REVERSED);
  assert.deepEqual(stakeEventsOf(result), [{ name: 'SlashReversed', agentKey: who.agentKey.address, index: 0, amount: 500n * ACC, activeStake: 800n * ACC, size: 52 }]);
  later(1);
  assert.equal(returnedU64(expectSuccess(await stakeAt(who, now() - 1n))), 800n * ACC, 'checkpointed');
  expectCode(await reverse(who, record), 'SLASH_NOT_OPEN');
  expectCode(await appeal(who, record), 'SLASH_NOT_OPEN');
  expectCode(await finalize(record), 'SLASH_NOT_OPEN');
});

test('Reverse_OnlyByTheAuthorityAndOnlyWhileOpen', async () => {
  const who = await newAgent(), other = await newAgent();
  const { record } = await slash(who, 1_000);
  const stranger = await generateKeyPairSigner();
  chain.svm.airdrop(stranger.address, lamports(1_000_000_000n));
  expectCode(await reverse(who, record, {}, stranger), 'NOT_AUTHORITY');
  const cases = [
    ['MISSING_SIGNER', { [RV.AUTHORITY]: readOnly(chain.payer.address) }],
    ['WRONG_OWNER', { [RV.CONFIG]: readOnly(chain.pdas.mint) }],
    ['NOT_WRITABLE', { [RV.RECORD]: readOnly(record) }],
    ['INVALID_ACCOUNT_DATA', { [RV.RECORD]: writable(who.agent) }],
    ['NOT_WRITABLE', { [RV.AGENT]: readOnly(who.agent) }],
    ['WRONG_ACCOUNT', { [RV.AGENT]: writable(other.agent) }],
  ];
  for (const [name, overrides] of cases) expectCode(await reverse(who, record, overrides), name);
  later(APPEAL_WINDOW + 1n);
  expectCode(await reverse(who, record), 'APPEAL_WINDOW_CLOSED');
  // appealed: open until the decision deadline
  const second = await slash(who, 1_000);
  expectSuccess(await appeal(who, second.record));
  later(DECISION);
  expectSuccess(await reverse(who, second.record));
  const third = await slash(who, 1_000);
  expectSuccess(await appeal(who, third.record));
  later(DECISION + 1n);
  expectCode(await reverse(who, third.record), 'DECISION_PERIOD_OVER');
});

test('Finalize_AfterTheWindowPaysTheHarmedShareAndBurnsTheRestOnce', async () => {
  const who = await newAgent(1_000n * ACC), harmed = await newHarmed();
  const { record } = await slash(who, 2_000, { harmedParty: harmed.key });
  expectCode(await finalize(record, harmed.acc), 'APPEAL_WINDOW_OPEN');
  later(APPEAL_WINDOW);
  expectCode(await finalize(record, harmed.acc), 'APPEAL_WINDOW_OPEN');
  later(1);
  const vaultBefore = balance(chain.pdas.vaults[VAULT.STAKES]), supplyBefore = supply();
  const result = expectSuccess(await finalize(record, harmed.acc));
  assert.equal(balance(harmed.acc), 100n * ACC, 'half of the 200 slashed');
  assert.equal(supplyBefore - supply(), 100n * ACC, 'the rest is burned');
  assert.equal(vaultBefore - balance(chain.pdas.vaults[VAULT.STAKES]), 200n * ACC);
  assert.equal(readSlash(chain.svm, record).status, SLASH_STATUS.FINALIZED);
  assert.deepEqual(stakeEventsOf(result), [{ name: 'SlashFinalized', agentKey: who.agentKey.address, index: 0, harmedParty: harmed.key, paid: 100n * ACC, burned: 100n * ACC, size: 84 }]);
  expectCode(await finalize(record, harmed.acc), 'SLASH_NOT_OPEN'); // no double payout
  expectCode(await reverse(who, record), 'SLASH_NOT_OPEN');
  assert.equal(balance(harmed.acc), 100n * ACC);
});

test('Finalize_WithoutAHarmedPartyBurnsEverything', async () => {
  const who = await newAgent(1_000n * ACC);
  const { record } = await slash(who, 1_000);
  later(APPEAL_WINDOW + 1n);
  const supplyBefore = supply();
  expectSuccess(await finalize(record)); // the harmed account is not used: any account stands there
  assert.equal(supplyBefore - supply(), 100n * ACC);
});

test('Finalize_EachAccountCheckFailsWithItsNamedError', async () => {
  const who = await newAgent(1_000n * ACC), harmed = await newHarmed(), stranger = await newHarmed();
  const { record } = await slash(who, 1_000, { harmedParty: harmed.key });
  later(APPEAL_WINDOW + 1n);
  const cases = [
    ['NOT_WRITABLE', { [FI.RECORD]: readOnly(record) }],
    ['WRONG_OWNER', { [FI.RECORD]: writable(harmed.acc) }],
    ['INVALID_ACCOUNT_DATA', { [FI.RECORD]: writable(who.agent) }],
    ['NOT_WRITABLE', { [FI.STAKES]: readOnly(chain.pdas.vaults[VAULT.STAKES]) }],
    ['WRONG_PDA', { [FI.STAKES]: writable(chain.pdas.vaults[VAULT.BONDS]) }],
    ['NOT_WRITABLE', { [FI.MINT]: readOnly(chain.pdas.mint) }],
    ['WRONG_MINT', { [FI.MINT]: writable(chain.pdas.vaults[0]) }],
    ['WRONG_HARMED_PARTY', { [FI.HARMED_ACC]: writable(stranger.acc) }],
    ['WRONG_HARMED_PARTY', { [FI.HARMED_ACC]: writable(chain.pdas.vaults[VAULT.STAKES]) }],
    ['NOT_WRITABLE', { [FI.HARMED_ACC]: readOnly(harmed.acc) }],
    ['WRONG_OWNER', { [FI.CONFIG]: readOnly(chain.pdas.mint) }],
    ['WRONG_ACCOUNT', { [FI.TOKEN]: readOnly(chain.pdas.mint) }],
    ['NOT_ENOUGH_ACCOUNTS', { [FI.TOKEN]: undefined }],
  ];
  for (const [name, overrides] of cases) expectCode(await finalize(record, harmed.acc, overrides), name);
  expectSuccess(await finalize(record, harmed.acc));
});

test('Dismiss_FinalizesAnAppealedSlashWithinTheDecisionPeriod', async () => {
  const who = await newAgent(1_000n * ACC), harmed = await newHarmed();
  const { record } = await slash(who, 1_000, { harmedParty: harmed.key });
  expectCode(await dismiss(record, harmed.acc), 'NOT_APPEALED');
  expectSuccess(await appeal(who, record));
  const stranger = await generateKeyPairSigner();
  chain.svm.airdrop(stranger.address, lamports(1_000_000_000n));
  expectCode(await dismiss(record, harmed.acc, {}, stranger), 'NOT_AUTHORITY');
  const cases = [
    ['MISSING_SIGNER', { [DI.AUTHORITY]: readOnly(chain.payer.address) }],
    ['WRONG_OWNER', { [DI.CONFIG]: readOnly(chain.pdas.mint) }],
    ['NOT_WRITABLE', { [DI.RECORD]: readOnly(record) }],
    ['WRONG_PDA', { [DI.STAKES]: writable(chain.pdas.vaults[VAULT.BONDS]) }],
    ['WRONG_MINT', { [DI.MINT]: writable(chain.pdas.vaults[0]) }],
    ['WRONG_HARMED_PARTY', { [DI.HARMED_ACC]: writable(who.ownerAcc) }],
    ['WRONG_ACCOUNT', { [DI.TOKEN]: readOnly(chain.pdas.mint) }],
  ];
  for (const [name, overrides] of cases) expectCode(await dismiss(record, harmed.acc, overrides), name);
  later(DAY);
  const result = expectSuccess(await dismiss(record, harmed.acc));
  assert.deepEqual(stakeEventsOf(result).map((e) => e.name), ['AppealDismissed', 'SlashFinalized']);
  assert.equal(balance(harmed.acc), 50n * ACC);
  assert.equal(readSlash(chain.svm, record).status, SLASH_STATUS.FINALIZED);
  expectCode(await dismiss(record, harmed.acc), 'SLASH_NOT_OPEN');
  // after the decision deadline governance can no longer act; anyone finalizes
  const second = await slash(who, 1_000, { harmedParty: harmed.key });
  expectSuccess(await appeal(who, second.record));
  later(DECISION + 1n);
  expectCode(await dismiss(second.record, harmed.acc), 'DECISION_PERIOD_OVER');
  expectSuccess(await finalize(second.record, harmed.acc));
});

// ------------------------------------------------------------------ attacks

test('Attack_SlashThenExit_TheUnbondingStakeAndTheExitedAgentStaySlashable', async () => {
  // The agent misbehaves, then at once moves everything to unbonding and exits. The unbonding period (30 days) outlasts
  // the appeal window (7 days), so the slasher still reaches the stake; withdraw pays only what is left.
  const who = await newAgent(1_000n * ACC);
  expectSuccess(await unstake(who, 1_000n * ACC));
  expectSuccess(await send(chain.svm, who.owner, [requestExitInstruction({ ...chain, ...who })]));
  later(DAY);
  const { result, record } = await slash(who, 5_000);
  expectSuccess(result);
  assert.equal(readAgent(chain.svm, who.agent).unbondingStake, 500n * ACC);
  expectCode(await send(chain.svm, who.owner, [withdrawInstruction({ ...chain, ...who })]), 'UNBONDING_LOCKED');
  later(30n * DAY);
  const before = balance(who.ownerAcc);
  expectSuccess(await send(chain.svm, who.owner, [withdrawInstruction({ ...chain, ...who })]));
  assert.equal(balance(who.ownerAcc) - before, 500n * ACC, 'only what the slash left');
  expectSuccess(await finalize(record));
});

test('Attack_AUsedSlashRecordCannotBeReplayedOrReused', async () => {
  const who = await newAgent();
  const { record } = await slash(who, 1_000);
  // the same record again: it exists, and it is no longer the next index's address
  expectCode((await slash(who, 1_000, { record })).result, 'WRONG_PDA');
  const fresh = await nextRecord(who);
  assert.notEqual(fresh, record);
  expectSuccess((await slash(who, 1_000, { record: fresh })).result);
});

test('Solvency_TheStakesVaultHoldsEveryStakeAndEveryOpenSlash', async () => {
  // Every agent's active and unbonding stake and every pending or appealed slash is in the stakes vault (the other
  // test files use other chains), and nothing more.
  let owed = 0n;
  for (const who of agents) { const a = readAgent(chain.svm, who.agent); owed += a.activeStake + a.unbondingStake; }
  for (const record of new Set(records)) {
    const r = readSlash(chain.svm, record);
    if (r && (r.status === SLASH_STATUS.PENDING || r.status === SLASH_STATUS.APPEALED)) owed += r.amount;
  }
  assert.equal(balance(chain.pdas.vaults[VAULT.STAKES]), owed);
});
