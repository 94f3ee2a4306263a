// The task market's account checks, each broken on purpose (missing signer, read-only, wrong owner, wrong seeds, a
// copy of a task at another address, someone else's or the vault's own token account, wrong mint, wrong programs and
// sysvars, the wrong executor, missing accounts, wrong data lengths), each with its named error.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { AccountRole, SYSTEM_PROGRAM, expectSuccess, generateKeyPairSigner, send } from './helpers.mjs';
import {
  ACC, KEEPER_ACCOUNT as K, MARKET, MARKET_IX, SLOT_HASHES, SUBMIT_ACCOUNT as S, BID_ACCOUNT as B, POST_RESULT_ACCOUNT as P, COMMIT_ACCOUNT as C,
  bidInstruction, commitVoteInstruction, keeperInstruction, postResultInstruction, revealVoteInstruction, submitTaskInstruction, taskPda,
  taskVaultPda,
} from './program.mjs';
import {
  BOUNTY, bid, drawSeat, expectCode, keep, minimumFee, newAgent, newMarket, newParty, penaltyAccounts, publishSeedSlot, readOnly, submit,
  taskToVerifying, writable,
} from './market-fixture.mjs';

let m, requester, keeper, executor, other, stranger;
before(async () => {
  m = await newMarket();
  requester = await newParty(m, 100_000n * ACC);
  keeper = await newParty(m);
  stranger = await newParty(m, 10n * ACC);
  executor = await newAgent(m);
  other = await newAgent(m);
  m.later(60);
});

/** Sends with the chain's payer as fee payer, so that the accounts' own signer flags are what the program sees. */
const sendIx = (ix) => send(m.svm, m.payer, [ix]);
const keeperIx = (t, tag, { extra = [], args = [], overrides = {}, data } = {}) =>
  sendIx(keeperInstruction({ ...m, tag, keeper: keeper.signer, keeperAcc: keeper.acc, task: t.task, vault: t.vault, extra, args, overrides, data }));
const notSigner = (address) => ({ address, role: AccountRole.READONLY });
const readOnlySigner = (signer) => ({ address: signer.address, role: AccountRole.READONLY_SIGNER, signer });

test('SubmitTask_EachAccountCheckFailsWithItsNamedError', async () => {
  const id = 999n;
  const task = await taskPda(m.program, requester.signer.address, id), vault = await taskVaultPda(m.program, task);
  const otherTask = await taskPda(m.program, requester.signer.address, id + 1n);
  const ix = (overrides = {}, data) => sendIx(submitTaskInstruction({ ...m, requester: requester.signer, task, vault, requesterAcc: requester.acc, id,
    bounty: BOUNTY, fee: minimumFee(3), deadline: m.now() + 2n * 86400n, committeeSize: 3, overrides, data }));
  const cases = [
    ['MISSING_SIGNER', { [S.REQUESTER]: writable(requester.signer.address) }],
    ['NOT_WRITABLE', { [S.REQUESTER]: readOnlySigner(requester.signer) }],
    ['NOT_WRITABLE', { [S.TASK]: readOnly(task) }],
    ['WRONG_PDA', { [S.TASK]: writable(otherTask) }],
    ['NOT_WRITABLE', { [S.VAULT]: readOnly(vault) }],
    ['WRONG_PDA', { [S.VAULT]: writable(await taskVaultPda(m.program, otherTask)) }],
    ['WRONG_OWNER', { [S.CONFIG]: readOnly(m.pdas.vaults[0]) }],
    ['INVALID_ACCOUNT_DATA', { [S.CONFIG]: readOnly(executor.agent) }], // a program account that is not the config
    ['NOT_WRITABLE', { [S.REQUESTER_ACC]: readOnly(requester.acc) }],
    ['NOT_TOKEN_OWNER', { [S.REQUESTER_ACC]: writable(stranger.acc) }],
    ['WRONG_OWNER', { [S.REQUESTER_ACC]: writable(requester.signer.address) }],
    ['WRONG_MINT', { [S.MINT]: readOnly(m.pdas.vaults[0]) }],
    ['WRONG_ACCOUNT', { [S.SYSTEM]: readOnly(m.pdas.mint) }],
    ['WRONG_ACCOUNT', { [S.TOKEN]: readOnly(SYSTEM_PROGRAM) }],
    ['NOT_ENOUGH_ACCOUNTS', { [S.TOKEN]: null }],
  ];
  for (const [name, overrides] of cases) {
    expectCode(await ix(overrides), name);
  }
  expectCode(await ix({}, new Uint8Array([MARKET_IX.SUBMIT_TASK, 1, 2, 3])), 'INVALID_INSTRUCTION');
  expectSuccess(await ix());
});

test('Bid_PostResult_Commit_Reveal_EachAccountCheckFailsWithItsNamedError', async () => {
  const t = await submit(m, requester, {});
  expectSuccess(t.result);
  const bidIx = (overrides = {}, data) => sendIx(bidInstruction({ ...m, signer: executor.agentKey, agent: executor.agent, task: t.task, price: ACC, overrides, data }));
  expectCode(await bidIx({ [B.SIGNER]: notSigner(executor.agentKey.address) }), 'MISSING_SIGNER');
  expectCode(await bidIx({ [B.AGENT]: readOnly(requester.acc) }), 'WRONG_OWNER');
  expectCode(await bidIx({ [B.AGENT]: readOnly(t.task) }), 'INVALID_ACCOUNT_DATA');
  expectCode(await bidIx({ [B.TASK]: readOnly(t.task) }), 'NOT_WRITABLE');
  expectCode(await bidIx({ [B.TASK]: writable(executor.agent) }), 'INVALID_ACCOUNT_DATA');
  expectCode(await bidIx({ [B.TASK]: writable(t.vault) }), 'WRONG_OWNER');
  expectCode(await bidIx({ [B.CONFIG]: readOnly(m.pdas.mint) }), 'WRONG_OWNER');
  expectCode(await bidIx({ [B.CONFIG]: null }), 'NOT_ENOUGH_ACCOUNTS');
  expectCode(await bidIx({}, new Uint8Array([MARKET_IX.BID, 1])), 'INVALID_INSTRUCTION');
  expectSuccess(await bidIx());

  m.later(MARKET.BIDDING_WINDOW);
  expectSuccess(await keep(m, keeper, t, MARKET_IX.ASSIGN_TASK));
  const postIx = (overrides = {}) => sendIx(postResultInstruction({ ...m, executorKey: executor.agentKey, task: t.task, overrides }));
  expectCode(await postIx({ [P.EXECUTOR]: notSigner(executor.agentKey.address) }), 'MISSING_SIGNER');
  expectCode(await postIx({ [P.TASK]: readOnly(t.task) }), 'NOT_WRITABLE');
  expectCode(await postIx({ [P.CONFIG]: readOnly(m.pdas.mint) }), 'WRONG_OWNER');
  expectSuccess(await postIx());

  // A copy of the task's bytes at another program-owned address is not the task.
  const copy = (await generateKeyPairSigner()).address;
  const original = m.svm.getAccount(t.task);
  m.svm.setAccount({ address: copy, data: original.data, executable: false, lamports: original.lamports, programAddress: m.program, space: BigInt(original.data.length) });
  expectCode(await keeperIx({ ...t, task: copy }, MARKET_IX.ASSIGN_TASK), 'WRONG_PDA');

  const commitIx = (overrides = {}) => sendIx(commitVoteInstruction({ ...m, memberKey: other.agentKey, task: t.task, seat: 0, commitment: new Uint8Array(32), overrides }));
  expectCode(await commitIx({ [C.MEMBER]: notSigner(other.agentKey.address) }), 'MISSING_SIGNER');
  expectCode(await commitIx({ [C.TASK]: readOnly(t.task) }), 'NOT_WRITABLE');
  expectCode(await commitIx({ [C.TASK]: writable(copy) }), 'WRONG_PDA');
  expectCode(await sendIx(revealVoteInstruction({ ...m, task: t.task, seat: 0, vote: 1, salt: new Uint8Array(32), overrides: { 0: readOnly(t.task) } })), 'NOT_WRITABLE');
  expectCode(await sendIx(revealVoteInstruction({ ...m, task: t.task, seat: 0, vote: 2, salt: new Uint8Array(32) })), 'INVALID_INSTRUCTION');
});

test('KeeperBlock_EachAccountCheckFailsWithItsNamedError', async () => {
  const t = await submit(m, requester, {}), t2 = await submit(m, requester, {});
  expectSuccess(t.result); expectSuccess(t2.result);
  m.later(MARKET.BIDDING_WINDOW);
  const cases = [
    ['MISSING_SIGNER', { [K.KEEPER]: notSigner(keeper.signer.address) }],
    ['NOT_WRITABLE', { [K.TASK]: readOnly(t.task) }],
    ['WRONG_OWNER', { [K.TASK]: writable(t.vault) }],
    ['INVALID_ACCOUNT_DATA', { [K.TASK]: writable(executor.agent) }],
    ['NOT_WRITABLE', { [K.VAULT]: readOnly(t.vault) }],
    ['WRONG_PDA', { [K.VAULT]: writable(t2.vault) }],
    ['NOT_WRITABLE', { [K.KEEPER_ACC]: readOnly(keeper.acc) }],
    ['NOT_TOKEN_OWNER', { [K.KEEPER_ACC]: writable(t.vault) }], // the vault paying itself
    ['NOT_TOKEN_OWNER', { [K.KEEPER_ACC]: writable(stranger.acc) }],
    ['WRONG_OWNER', { [K.KEEPER_ACC]: writable(keeper.signer.address) }],
    ['WRONG_OWNER', { [K.CONFIG]: readOnly(m.pdas.mint) }],
    ['WRONG_ACCOUNT', { [K.TOKEN]: readOnly(SYSTEM_PROGRAM) }],
    ['NOT_ENOUGH_ACCOUNTS', { [K.TOKEN]: null }],
  ];
  for (const [name, overrides] of cases) expectCode(await keeperIx(t, MARKET_IX.ASSIGN_TASK, { overrides }), name);
  expectCode(await keeperIx(t, MARKET_IX.ASSIGN_TASK, { data: new Uint8Array([MARKET_IX.ASSIGN_TASK, 0]) }), 'INVALID_INSTRUCTION');
  expectSuccess(await keeperIx(t, MARKET_IX.ASSIGN_TASK));
});

test('FixSeed_Draw_Settle_SettleExecutor_ExtraAccountsFailWithTheirNamedErrors', async () => {
  const t = await submit(m, requester, {});
  expectSuccess(t.result);
  expectSuccess(await bid(m, executor, t, 800n * ACC));
  m.later(MARKET.BIDDING_WINDOW);
  expectSuccess(await keep(m, keeper, t, MARKET_IX.ASSIGN_TASK));
  expectSuccess(await sendIx(postResultInstruction({ ...m, executorKey: executor.agentKey, task: t.task })));
  publishSeedSlot(m, t);
  expectCode(await keeperIx(t, MARKET_IX.FIX_SEED, { extra: [readOnly(m.pdas.mint)] }), 'WRONG_ACCOUNT'); // not SlotHashes
  expectCode(await keeperIx(t, MARKET_IX.FIX_SEED), 'NOT_ENOUGH_ACCOUNTS');
  const [agent, record, system] = await penaltyAccounts(m, t);
  const reputation = writable(executor.reputation);
  expectCode(await keeperIx(t, MARKET_IX.SETTLE_EXECUTOR, { extra: [agent, record, system, reputation] }), 'TASK_NOT_SETTLED');
  expectSuccess(await keeperIx(t, MARKET_IX.FIX_SEED, { extra: [readOnly(SLOT_HASHES)] }));

  expectCode(await keeperIx(t, MARKET_IX.DRAW_SEAT, { extra: [readOnly(requester.acc)] }), 'WRONG_OWNER');
  expectCode(await keeperIx(t, MARKET_IX.DRAW_SEAT, { extra: [readOnly(t.task)] }), 'INVALID_ACCOUNT_DATA');
  expectCode(await keeperIx(t, MARKET_IX.DRAW_SEAT), 'NOT_ENOUGH_ACCOUNTS');
  m.later(MARKET.DRAW_WINDOW);
  const settle = (extra) => keeperIx(t, MARKET_IX.SETTLE_TASK, { extra });
  expectCode(await settle([readOnly(m.pdas.mint)]), 'NOT_WRITABLE');
  expectCode(await settle([writable(m.pdas.vaults[0])]), 'WRONG_MINT');
  expectCode(await settle([]), 'NOT_ENOUGH_ACCOUNTS');
  expectSuccess(await settle([writable(m.pdas.mint)])); // no committee formed: refunded
  expectCode(await keeperIx(t, MARKET_IX.SETTLE_MEMBER, { extra: [writable(stranger.acc), writable(other.reputation)], args: [0] }), 'NOT_MEMBER');

  const settleExecutorIx = (extra) => keeperIx(t, MARKET_IX.SETTLE_EXECUTOR, { extra });
  expectCode(await settleExecutorIx([writable(other.agent), record, system, reputation]), 'NOT_EXECUTOR');
  expectCode(await settleExecutorIx([readOnly(agent.address), record, system, reputation]), 'NOT_WRITABLE');
  expectCode(await settleExecutorIx([agent, readOnly(record.address), system, reputation]), 'NOT_WRITABLE');
  expectCode(await settleExecutorIx([agent, writable(other.agent), system, reputation]), 'WRONG_PDA');
  expectCode(await settleExecutorIx([agent, record, readOnly(m.pdas.mint), reputation]), 'WRONG_ACCOUNT');
  expectCode(await settleExecutorIx([agent, record, system, readOnly(executor.reputation)]), 'NOT_WRITABLE');
  expectCode(await settleExecutorIx([agent, record, system, writable(other.reputation)]), 'WRONG_ACCOUNT'); // another agent's reputation
  expectCode(await settleExecutorIx([agent, record, system, writable(executor.agent)]), 'INVALID_ACCOUNT_DATA');
  expectCode(await settleExecutorIx([agent, record, system]), 'NOT_ENOUGH_ACCOUNTS');
  expectCode(await sendIx(keeperInstruction({ ...m, tag: MARKET_IX.SETTLE_EXECUTOR, keeper: keeper.signer, keeperAcc: keeper.acc, task: t.task, vault: t.vault,
    extra: [agent, record, system, reputation], overrides: { [K.KEEPER]: readOnlySigner(keeper.signer) } })), 'NOT_WRITABLE'); // it pays a record's rent
  expectSuccess(await settleExecutorIx([agent, record, system, reputation]));
});

test('SettleMember_PaysOnlyTheMembersOwnAccount', async () => {
  const t = await taskToVerifying(m, { requester, executor, keeper });
  const late = await newAgent(m); // staked after the result: no stake at the snapshot
  expectSuccess(await drawSeat(m, keeper, t, other));
  expectCode(await drawSeat(m, keeper, t, late), 'NO_STAKE_AT_SNAPSHOT');
  m.later(MARKET.DRAW_WINDOW);
  const { settleTask } = await import('./market-fixture.mjs');
  expectSuccess(await settleTask(m, keeper, t));
  const rep = writable(other.reputation);
  expectCode(await keeperIx(t, MARKET_IX.SETTLE_MEMBER, { extra: [writable(stranger.acc), rep], args: [0] }), 'NOT_TOKEN_OWNER');
  expectCode(await keeperIx(t, MARKET_IX.SETTLE_MEMBER, { extra: [writable(t.vault), rep], args: [0] }), 'NOT_TOKEN_OWNER');
  expectCode(await keeperIx(t, MARKET_IX.SETTLE_MEMBER, { extra: [readOnly(other.ownerAcc), rep], args: [0] }), 'NOT_WRITABLE');
  expectCode(await keeperIx(t, MARKET_IX.SETTLE_MEMBER, { extra: [writable(other.ownerAcc), rep], args: [64] }), 'NOT_MEMBER');
  expectCode(await keeperIx(t, MARKET_IX.SETTLE_MEMBER, { extra: [writable(other.ownerAcc), readOnly(other.reputation)], args: [0] }), 'NOT_WRITABLE');
  expectCode(await keeperIx(t, MARKET_IX.SETTLE_MEMBER, { extra: [writable(other.ownerAcc), writable(executor.reputation)], args: [0] }), 'WRONG_ACCOUNT');
  expectCode(await keeperIx(t, MARKET_IX.SETTLE_MEMBER, { extra: [writable(other.ownerAcc)], args: [0] }), 'NOT_ENOUGH_ACCOUNTS');
  expectSuccess(await keeperIx(t, MARKET_IX.SETTLE_MEMBER, { extra: [writable(other.ownerAcc), rep], args: [0] }));
  const payout = (overrides) => sendIx(keeperInstruction({ ...m, tag: MARKET_IX.CLAIM_PAYOUT, keeper: requester.signer, keeperAcc: requester.acc, task: t.task, vault: t.vault, overrides }));
  expectCode(await payout({ [K.KEEPER]: notSigner(requester.signer.address) }), 'MISSING_SIGNER');
  expectCode(await payout({ [K.KEEPER_ACC]: writable(stranger.acc) }), 'NOT_TOKEN_OWNER');
  expectSuccess(await payout({}));
});
