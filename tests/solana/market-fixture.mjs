// The task market's test fixture (not a test file): a chain with an approved attestor, agents made Active and staked,
// requesters and keepers with ACC accounts, and a task driven through its stages one call each.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { lamports } from '@solana/kit';
import { ERRORS, customError, expectSuccess, generateKeyPairSigner, send } from './helpers.mjs';
import {
  ACC, MARKET, MARKET_IX, SLOT_HASHES, agentPda, attestationData, attestationMessage, attestInstruction, attestorPda, bidInstruction,
  commitVoteInstruction, ed25519Instruction, fundedAccAccount, initializedAgentCluster, keeperInstruction, newAttestor, postResultInstruction,
  readTask, readTokenAccount, registerAgentInstruction, revealVoteInstruction, setAttestorInstruction, setSlotHashes, stakeInstruction,
  submitTaskInstruction, reserveTaskInstruction, taskPda, taskVaultPda, voteCommitment, readAgentHistory, slashPda, reputationPda, openReputationInstruction,
} from './program.mjs';
import { AccountRole, SYSTEM_PROGRAM } from './helpers.mjs';

export const DAY = 86400n;
export const BOUNTY = 1_000n * ACC;
export const minimumFee = (size, bounty = BOUNTY) => {
  const budget = (3n * BigInt(size) + 4n) * MARKET.KEEPER_REWARD + 1n, byBps = bounty * MARKET.FEE_BPS / 10_000n;
  return budget > byBps ? budget : byBps;
};

export const expectCode = (result, name) => {
  const { code, error, logs } = customError(result);
  assert.equal(code, ERRORS[name], `expected ${name} (${ERRORS[name]}), got ${error ?? 'success'}\n${logs.join('\n')}`);
};
export const readOnly = (address) => ({ address, role: AccountRole.READONLY });
export const writable = (address) => ({ address, role: AccountRole.WRITABLE });

/** A market: an initialised program, an approved attestor, and helpers bound to it. */
export async function newMarket() {
  const chain = await initializedAgentCluster();
  const attestor = newAttestor();
  const attestorAccount = await attestorPda(chain.program, attestor.address);
  expectSuccess(await send(chain.svm, chain.payer, [setAttestorInstruction({ ...chain, authority: chain.payer, attestorKey: attestor.address,
    attestor: attestorAccount })]));
  const m = { ...chain, attestor, attestorAccount, nonce: 0n, ids: 0n };
  m.now = () => chain.svm.getClock().unixTimestamp;
  m.later = (seconds) => { const clock = chain.svm.getClock(); clock.unixTimestamp += BigInt(seconds); chain.svm.setClock(clock); };
  m.slot = () => chain.svm.getClock().slot;
  m.balance = (account) => readTokenAccount(chain.svm, account).amount;
  m.task = (task) => readTask(chain.svm, task);
  return m;
}

/** A registered, attested (30 days) and staked agent. */
export async function newAgent(m, { stake = 1_000n * ACC, capabilities = 0n, attest = true } = {}) {
  const owner = await generateKeyPairSigner(), agentKey = await generateKeyPairSigner();
  m.svm.airdrop(owner.address, lamports(10_000_000_000n));
  const ownerAcc = await fundedAccAccount(m.svm, m.pdas.mint, owner.address, 10_100n * ACC + stake + 100_000n * ACC);
  const who = { owner, agentKey, ownerAcc, agent: await agentPda(m.program, agentKey.address) };
  expectSuccess(await send(m.svm, owner, [registerAgentInstruction({ ...m, ...who, capabilities })]));
  if (attest) {
    const fields = attestationData({ expiresAt: m.now() + 29n * DAY, nonce: ++m.nonce });
    const message = attestationMessage({ program: m.program, agentKey: agentKey.address, fields });
    expectSuccess(await send(m.svm, m.payer, [ed25519Instruction({ publicKey: m.attestor.publicKey, signature: m.attestor.sign(message), message }),
      attestInstruction({ ...m, agent: who.agent, attestor: m.attestorAccount, fields })]));
  }
  if (stake > 0n) expectSuccess(await addStake(m, who, stake));
  who.reputation = await reputationPda(m.program, agentKey.address);
  expectSuccess(await send(m.svm, m.payer, [openReputationInstruction({ ...m, payer: m.payer, agent: who.agent, reputation: who.reputation })]));
  return who;
}
export const addStake = (m, who, amount) => send(m.svm, who.owner, [stakeInstruction({ ...m, ...who, amount })]);

/** Someone with SOL and an ACC account holding `acc` (a requester, a keeper). */
export async function newParty(m, acc = 0n) {
  const signer = await generateKeyPairSigner();
  m.svm.airdrop(signer.address, lamports(100_000_000_000n));
  return { signer, acc: await fundedAccAccount(m.svm, m.pdas.mint, signer.address, acc) };
}

/** Submits a task; returns { task, vault, id, requester }. A committee over 64 seats reserves the task first, in the same
 * transaction (sol-final), unless `reserve` says otherwise. */
export async function submit(m, requester, { bounty = BOUNTY, committeeSize = 3, fee, deadline, capabilities = 0n, id, reserve = committeeSize > 64 } = {}) {
  id ??= ++m.ids;
  const task = await taskPda(m.program, requester.signer.address, id), vault = await taskVaultPda(m.program, task);
  const result = await send(m.svm, requester.signer, [
    ...(reserve ? [reserveTaskInstruction({ ...m, requester: requester.signer, task, id })] : []), submitTaskInstruction({ ...m, requester: requester.signer, task, vault, requesterAcc: requester.acc,
    id, bounty, fee: fee ?? minimumFee(committeeSize, bounty), deadline: deadline ?? m.now() + 2n * DAY, committeeSize, capabilities })]);
  return { result, task, vault, id, requester };
}

/** A keeper action (tags of the keeper block) on task t by keeper k, with its extra accounts and argument bytes. */
export const keep = (m, k, t, tag, { extra = [], args = [], overrides = {}, data } = {}) =>
  send(m.svm, k.signer, [keeperInstruction({ ...m, tag, keeper: k.signer, keeperAcc: k.acc, task: t.task, vault: t.vault, extra, args, overrides, data })]);
export const bid = (m, who, t, price, { signer = who.agentKey, overrides = {} } = {}) =>
  send(m.svm, m.payer, [bidInstruction({ ...m, signer, agent: who.agent, task: t.task, price, overrides })]);
export const postResult = (m, who, t, { overrides = {} } = {}) =>
  send(m.svm, m.payer, [postResultInstruction({ ...m, executorKey: who.agentKey, task: t.task, overrides })]);

/** Makes the seed slot's hash known (SlotHashes: the seed slot and the one before, newest first); returns the hash. */
export function publishSeedSlot(m, t, hash = new Uint8Array(crypto.randomBytes(32))) {
  const { seedSlot } = m.task(t.task);
  setSlotHashes(m.svm, [{ slot: seedSlot, hash }, { slot: seedSlot - 1n, hash: new Uint8Array(32).fill(1) }]);
  return hash;
}
/** The executor's penalty accounts (its agent, its next slash record, the System program) for fix_seed, settle_task and
 * report_missed_deadline. */
export async function penaltyAccounts(m, t) {
  const agent = await agentPda(m.program, m.task(t.task).executor);
  const count = m.svm.getAccount(agent).exists ? readAgentHistory(m.svm, agent).slashCount : 0; // no executor yet: any address
  const record = await slashPda(m.program, m.task(t.task).executor, count);
  return [writable(agent), writable(record), readOnly(SYSTEM_PROGRAM)];
}
export const fixSeed = async (m, k, t) => keep(m, k, t, MARKET_IX.FIX_SEED, { extra: [readOnly(SLOT_HASHES)] });
export const reportMissed = async (m, k, t) => keep(m, k, t, MARKET_IX.REPORT_MISSED_DEADLINE);
/** settle_executor: the penalty accounts and the executor's reputation. */
export const settleExecutor = async (m, k, t, { extra } = {}) => keep(m, k, t, MARKET_IX.SETTLE_EXECUTOR,
  { extra: extra ?? [...await penaltyAccounts(m, t), writable(await reputationPda(m.program, m.task(t.task).executor))] });
export const drawSeat = (m, k, t, who) => keep(m, k, t, MARKET_IX.DRAW_SEAT, { extra: [readOnly(who.agent)] });
export const claimSeat = (m, k, t, who, seat) => keep(m, k, t, MARKET_IX.CLAIM_SEAT, { extra: [readOnly(who.agent)], args: [seat] });
export const settleTask = (m, k, t) => keep(m, k, t, MARKET_IX.SETTLE_TASK, { extra: [writable(m.pdas.mint)] });
/** The member's slash accounts (sol-gaps): its agent, its next slash record, the System program (from the seat). */
export async function memberPenaltyAccounts(m, t, seat) {
  const agentKey = m.task(t.task).members[seat]?.agentKey ?? m.task(t.task).executor;
  const agent = await agentPda(m.program, agentKey);
  const count = m.svm.getAccount(agent).exists ? readAgentHistory(m.svm, agent).slashCount : 0;
  return [writable(agent), writable(await slashPda(m.program, agentKey, count)), readOnly(SYSTEM_PROGRAM)];
}
/** settle_member: the member owner's ACC account, the member's reputation and its slash accounts (from the seat). */
export const settleMember = async (m, k, t, seat, memberAcc) => keep(m, k, t, MARKET_IX.SETTLE_MEMBER,
  { extra: [writable(memberAcc), writable(await reputationPda(m.program, m.task(t.task).members[seat]?.agentKey ?? m.task(t.task).executor)),
    ...await memberPenaltyAccounts(m, t, seat)], args: [seat] });
export const claimPayout = (m, party, t) => keep(m, party, t, MARKET_IX.CLAIM_PAYOUT);

/** A member's vote: commit (signed by its agent key) and the opening to reveal later. */
export function voteOf(m, t, who, vote) {
  const salt = new Uint8Array(crypto.randomBytes(32));
  return { vote, salt, commitment: voteCommitment({ task: t.task, agentKey: who.agentKey.address, vote, salt }) };
}
export const commitVote = (m, t, who, seat, commitment) =>
  send(m.svm, m.payer, [commitVoteInstruction({ ...m, memberKey: who.agentKey, task: t.task, seat, commitment })]);
export const revealVote = (m, t, seat, vote, salt) => send(m.svm, m.payer, [revealVoteInstruction({ ...m, task: t.task, seat, vote, salt })]);

/** Drives a new task to Verifying (seed fixed): submit, one bid by `executor`, assign, post result, seed. */
export async function taskToVerifying(m, { requester, executor, keeper, committeeSize = 3, price = 800n * ACC } = {}) {
  const t = await submit(m, requester, { committeeSize });
  expectSuccess(t.result);
  expectSuccess(await bid(m, executor, t, price));
  m.later(MARKET.BIDDING_WINDOW);
  expectSuccess(await keep(m, keeper, t, MARKET_IX.ASSIGN_TASK));
  m.later(60);
  expectSuccess(await postResult(m, executor, t));
  m.later(5);
  t.slotHash = publishSeedSlot(m, t);
  expectSuccess(await fixSeed(m, keeper, t));
  return t;
}

/** -log2(u) for u = the first 8 bytes (LE) of sha256(seed, agent key) / 2^64, in Q32.32, by floating point (a reference). */
export function negLog2Reference(seed, agentKeyBytes) {
  const digest = crypto.createHash('sha256').update(seed).update(agentKeyBytes).digest();
  const x = digest.readBigUInt64LE(0);
  return 64 - Math.log2(Number(x === 0n ? 1n : x)); // in halvings; the program's value / 2^32
}
