// Committees of 65..100 seats (sol-final): the task is reserved (reserve_task) and grown by submit_task past the 10 KiB a
// single instruction may add; seats 64..99 live in the task's extension. A committee of 100 through its whole life, the
// reservation's rules, every step of the largest committee under 20,000 CU.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { getProgramDerivedAddress } from '@solana/kit';
import { addressBytes, expectSuccess, generateKeyPairSigner, send, u64le } from './helpers.mjs';
import {
  ACC, MARKET, MARKET_IX, RESERVE_ACCOUNT as R, SEAT_STATE, TASK_STATUS, bidInstruction, reserveTaskInstruction, taskPda,
} from './program.mjs';
import {
  BOUNTY, claimPayout, settleExecutor, commitVote, drawSeat, expectCode, keep, minimumFee, newAgent, newMarket, newParty, postResult, publishSeedSlot,
  readOnly, revealVote, settleMember, settleTask, submit, voteOf, writable, fixSeed, negLog2Reference,
} from './market-fixture.mjs';

let m, requester, keeper, executor, members;
const SIZE = MARKET.MAX_COMMITTEE; // 100

before(async () => {
  m = await newMarket();
  requester = await newParty(m, 100_000n * ACC);
  keeper = await newParty(m, 0n);
  executor = await newAgent(m);
  members = [];
  for (let i = 0; i < SIZE + 1; i++) members.push(await newAgent(m));
});

test('ReserveTask_OnlyTheRequestersOwnAddressOnceAndOnlyForALargeCommittee', async () => {
  const id = 900n, task = await taskPda(m.program, requester.signer.address, id);
  // without a reservation a committee over 64 is refused by name; 64 is not (the small layout)
  expectCode((await submit(m, requester, { committeeSize: 65, reserve: false, id })).result, 'TASK_NOT_RESERVED');
  // someone else cannot reserve the requester's address: the requester is a seed and signs
  const other = await newParty(m, 0n);
  expectCode(await send(m.svm, other.signer, [reserveTaskInstruction({ ...m, requester: other.signer, task, id })]), 'WRONG_PDA');
  expectCode(await send(m.svm, requester.signer, [reserveTaskInstruction({ ...m, requester: requester.signer, task, id,
    overrides: { [R.SYSTEM]: readOnly((await generateKeyPairSigner()).address) } })]), 'WRONG_ACCOUNT');
  const reserve = (options) => send(m.svm, options.feePayer ?? requester.signer, [reserveTaskInstruction({ ...m, requester: requester.signer, task, id, ...options })]);
  expectCode(await reserve({ overrides: { [R.TASK]: readOnly(task) } }), 'NOT_WRITABLE');
  expectCode(await reserve({ overrides: { [R.REQUESTER]: readOnly(requester.signer.address) }, feePayer: other.signer }), 'MISSING_SIGNER');
  expectCode(await reserve({ overrides: { [R.TASK]: writable(await taskPda(m.program, requester.signer.address, id + 1n)) } }), 'WRONG_PDA');
  expectCode(await reserve({ overrides: { [R.SYSTEM]: null } }), 'NOT_ENOUGH_ACCOUNTS');
  expectCode(await reserve({ data: new Uint8Array([41, 1, 2, 3]) }), 'INVALID_INSTRUCTION');
  expectSuccess(await send(m.svm, requester.signer, [reserveTaskInstruction({ ...m, requester: requester.signer, task, id })]));
  const reserved = m.svm.getAccount(task);
  assert.deepEqual([reserved.programAddress, reserved.data.length, reserved.data.every((b) => b === 0)], [m.program, MARKET.RESERVED_SIZE, true]);
  expectCode(await send(m.svm, requester.signer, [reserveTaskInstruction({ ...m, requester: requester.signer, task, id })]), 'ALREADY_INITIALIZED');
  // a reservation is no task: the market's instructions refuse it; a small committee cannot use it
  expectCode(await send(m.svm, m.payer, [bidInstruction({ ...m, signer: executor.agentKey, agent: executor.agent, task, price: ACC })]), 'INVALID_ACCOUNT_DATA');
  expectCode((await submit(m, requester, { committeeSize: 64, reserve: false, id })).result, 'ALREADY_INITIALIZED');
  expectCode((await submit(m, requester, { committeeSize: 101, reserve: false, id })).result, 'INVALID_TASK');
  // submitted later, on its own: grown to the full size, the requester paying the rent
  const t = await submit(m, requester, { committeeSize: 65, reserve: false, id });
  expectSuccess(t.result);
  // submit_task searches two PDAs (task, vault): 1,500 CU for every bump tried below 255, which depends on the address
  // (the bench's fixed address tries one each); under 20,000 CU apart from those extra tries
  const extra = async (seeds) => 255 - (await getProgramDerivedAddress({ programAddress: m.program, seeds }))[1];
  const tries = await extra(['task', addressBytes(requester.signer.address), u64le(id)]) + await extra(['task_vault', addressBytes(task)]);
  assert.ok(t.result.computeUnitsConsumed() - 1_500n * BigInt(tries) < 20_000n, `submit_task with growth: ${t.result.computeUnitsConsumed()}, ${tries} extra tries`);
  assert.equal(m.svm.getAccount(task).data.length, MARKET.TASK_FULL_SIZE);
  assert.ok(m.svm.getAccount(task).lamports >= m.svm.minimumBalanceForRentExemption(BigInt(MARKET.TASK_FULL_SIZE)));
  assert.deepEqual([m.task(task).committeeSize, m.task(task).status], [65, TASK_STATUS.BIDDING]);
});

test('Committee_OfAHundredSeatsRunsItsWholeLifeEveryStepUnder20000CU', async () => {
  const t = await submit(m, requester, { committeeSize: SIZE }); // reserve + submit in one transaction
  expectSuccess(t.result);
  assert.equal(m.task(t.task).committeeSize, SIZE);
  expectSuccess(await send(m.svm, m.payer, [bidInstruction({ ...m, signer: executor.agentKey, agent: executor.agent, task: t.task, price: 800n * ACC })]));
  m.later(MARKET.BIDDING_WINDOW);
  expectSuccess(await keep(m, keeper, t, MARKET_IX.ASSIGN_TASK));
  m.later(60);
  expectSuccess(await postResult(m, executor, t));
  m.later(5);
  publishSeedSlot(m, t);
  expectSuccess(await fixSeed(m, keeper, t));
  let worst = 0n;
  for (const who of members.slice(0, SIZE)) {
    const result = expectSuccess(await drawSeat(m, keeper, t, who));
    if (result.computeUnitsConsumed() > worst) worst = result.computeUnitsConsumed();
  }
  assert.ok(worst < 20_000n, `draw_seat, 100th seat: ${worst}`);
  let task = m.task(t.task);
  assert.equal(task.seats, SIZE);
  const byKey = new Map(members.map((who) => [who.agentKey.address, who]));
  for (let i = 0; i < SIZE; i++) {
    assert.equal(task.members[i].agentKey, members[i].agentKey.address, `seat ${i}`);
    assert.equal(task.memberAgents[i], members[i].agent, `seat ${i}'s agent account`);
  }
  // the claim phase over a full committee of 100: the spare agent takes the worst seat if its key beats it
  m.later(MARKET.DRAW_WINDOW / 2n + 1n);
  const spare = members[SIZE];
  let worstSeat = 0; // equal stakes: the worst key is the largest -log2(u)
  for (let i = 1; i < SIZE; i++) if (task.members[i].negLog2U > task.members[worstSeat].negLog2U) worstSeat = i;
  const claim = await keep(m, keeper, t, MARKET_IX.CLAIM_SEAT, { extra: [readOnly(spare.agent)], args: [worstSeat] });
  const spareKey = negLog2Reference(task.seed, addressBytes(spare.agentKey.address)) * 2 ** 32;
  if (spareKey < Number(task.members[worstSeat].negLog2U)) { // the usual case (100 in 101)
    expectSuccess(claim);
    assert.equal(m.task(t.task).members[worstSeat].agentKey, spare.agentKey.address, 'the better key took the worst seat');
    assert.equal(m.task(t.task).memberAgents[worstSeat], spare.agent);
  } else expectCode(claim, 'KEY_NOT_BETTER');
  const claimUnits = claim.computeUnitsConsumed?.() ?? claim.meta().computeUnitsConsumed();
  assert.ok(claimUnits < 20_000n, `claim_seat over 100 seats: ${claimUnits}`);
  task = m.task(t.task);
  m.later(MARKET.DRAW_WINDOW / 2n);
  const votes = [];
  for (let i = 0; i < SIZE; i++) {
    const who = byKey.get(task.members[i].agentKey);
    votes.push(voteOf(m, t, who, 1));
    const result = expectSuccess(await commitVote(m, t, who, i, votes[i].commitment));
    assert.ok(result.computeUnitsConsumed() < 20_000n);
  }
  for (let i = 0; i < SIZE; i++) expectSuccess(await revealVote(m, t, i, votes[i].vote, votes[i].salt));
  task = m.task(t.task);
  assert.deepEqual([task.commits, task.reveals, task.approvals, task.members[99].state], [SIZE, SIZE, SIZE, SEAT_STATE.REVEALED]);
  expectSuccess(await settleTask(m, keeper, t));
  assert.equal(m.task(t.task).status, TASK_STATUS.ACCEPTED);
  for (let i = 0; i < SIZE; i++) {
    const who = byKey.get(task.members[i].agentKey);
    const result = expectSuccess(await settleMember(m, keeper, t, i, who.ownerAcc));
    assert.ok(result.computeUnitsConsumed() < 20_000n);
  }
  assert.equal(m.task(t.task).membersSettled, SIZE);
  expectSuccess(await claimPayout(m, requester, t));
  expectSuccess(await claimPayout(m, { signer: executor.owner, acc: executor.ownerAcc }, t));
  expectSuccess(await settleExecutor(m, keeper, t));
  assert.equal(m.balance(t.vault), 0n, 'the task vault is empty after the last settlement and payout');
  assert.equal(minimumFee(SIZE) <= BOUNTY, true);
});
