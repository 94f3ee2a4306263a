// The task market's committee against the attacks the EVM suite was hardened against: a hand-picked committee (the
// claim phase replaces it with the sortition's best keys), a partial committee (it never votes), stake moved around
// the seed (the weight is the stake at the snapshot before the result), conflicted members, and the vote's
// commit-reveal rules.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { addressBytes, expectSuccess } from './helpers.mjs';
import { ACC, MARKET, TASK_STATUS } from './program.mjs';
import {
  BOUNTY, addStake, claimSeat, commitVote, drawSeat, expectCode, negLog2Reference, newAgent, newMarket, newParty, revealVote,
  settleMember, settleTask, taskToVerifying, voteOf,
} from './market-fixture.mjs';

let m, requester, keeper, honestKeeper, executor, candidates;
before(async () => {
  m = await newMarket();
  requester = await newParty(m, 100_000n * ACC);
  keeper = await newParty(m);
  honestKeeper = await newParty(m);
  executor = await newAgent(m);
  candidates = [];
  for (let i = 0; i < 8; i++) candidates.push(await newAgent(m, { stake: BigInt(100 * (i + 1)) * ACC }));
  m.later(60);
});

/** Each candidate's sortition key by the floating-point reference: -log2(u) / weight. */
const referenceKeys = (t) => {
  const { seed } = m.task(t.task);
  return candidates.map((who, i) => ({ who, key: negLog2Reference(seed, addressBytes(who.agentKey.address)) / (100 * (i + 1)) }));
};

test('Sortition_KeysAreMinusLog2OfTheSeededHashOverTheSnapshotStake', async () => {
  const t = await taskToVerifying(m, { requester, executor, keeper });
  const keys = referenceKeys(t);
  for (const who of candidates.slice(0, 3)) expectSuccess(await drawSeat(m, keeper, t, who));
  for (const [i, seat] of m.task(t.task).members.entries()) {
    assert.equal(seat.agentKey, candidates[i].agentKey.address);
    assert.equal(seat.weight, BigInt(100 * (i + 1)) * ACC, 'the weight is the stake');
    const reference = negLog2Reference(m.task(t.task).seed, addressBytes(candidates[i].agentKey.address));
    assert.ok(Math.abs(Number(seat.negLog2U) / 2 ** 32 - reference) < 1e-8, `-log2(u) ${Number(seat.negLog2U) / 2 ** 32} vs ${reference}`);
    assert.ok(Math.abs(Number(seat.negLog2U) / 2 ** 32 / (100 * (i + 1)) - keys[i].key) < 1e-10);
  }
});

test('Attack_HandPickedCommitteeIsReplacedByTheSortitionsBestKeysThroughPaidClaims', async () => {
  const t = await taskToVerifying(m, { requester, executor, keeper });
  const ranked = referenceKeys(t).sort((a, b) => a.key - b.key);
  const best = ranked.slice(0, 3), worst = ranked.slice(-3);
  // The requester's keeper fills every seat with the worst keys it can find.
  for (const { who } of worst) expectSuccess(await drawSeat(m, keeper, t, who));
  expectCode(await claimSeat(m, honestKeeper, t, best[0].who, 0), 'WINDOW_CLOSED'); // claims wait for the fill phase to close
  m.later(MARKET.DRAW_WINDOW / 2n + 1n);
  expectCode(await drawSeat(m, keeper, t, ranked[3].who), 'WINDOW_CLOSED'); // the fill phase is over
  const seatOfWorst = m.task(t.task).members.findIndex((s) => s.agentKey === worst[2].who.agentKey.address);
  expectCode(await claimSeat(m, honestKeeper, t, worst[0].who, seatOfWorst), 'ALREADY_SEATED');
  // The honest keeper replaces the worst member with each of the best keys in turn, and is paid each time.
  let paid = m.balance(honestKeeper.acc);
  for (const { who } of best) {
    const members = m.task(t.task).members;
    const worstSeat = members.map((s, i) => ({ i, key: Number(s.negLog2U) / Number(s.weight) })).sort((a, b) => b.key - a.key)[0].i;
    expectSuccess(await claimSeat(m, honestKeeper, t, who, worstSeat));
    assert.equal(m.balance(honestKeeper.acc) - paid, ACC);
    paid = m.balance(honestKeeper.acc);
  }
  const seated = m.task(t.task).members.map((s) => s.agentKey).sort();
  assert.deepEqual(seated, best.map(({ who }) => who.agentKey.address).sort(), 'the committee is the sortition result');
  assert.equal(m.task(t.task).claims, 3);
  // The fourth-best key beats none of them.
  for (let seat = 0; seat < 3; seat++) expectCode(await claimSeat(m, honestKeeper, t, ranked[3].who, seat), 'KEY_NOT_BETTER');
  m.later(MARKET.DRAW_WINDOW / 2n);
  expectCode(await claimSeat(m, honestKeeper, t, ranked[5].who, 0), 'WINDOW_CLOSED'); // the draw is over
});

test('Attack_APartialCommitteeNeverVotesAndSettlesRefundedWithoutAVerdict', async () => {
  const t = await taskToVerifying(m, { requester, executor, keeper });
  expectSuccess(await drawSeat(m, keeper, t, candidates[0]));
  expectSuccess(await drawSeat(m, keeper, t, candidates[1]));
  expectCode(await settleTask(m, keeper, t), 'REVEAL_NOT_OVER'); // the fill phase still runs
  m.later(MARKET.DRAW_WINDOW / 2n + 1n);
  expectCode(await drawSeat(m, keeper, t, candidates[2]), 'WINDOW_CLOSED');
  expectCode(await claimSeat(m, keeper, t, candidates[2], 0), 'COMMITTEE_NOT_FULL');
  m.later(MARKET.DRAW_WINDOW);
  const { commitment } = voteOf(m, t, candidates[0], 1);
  expectCode(await commitVote(m, t, candidates[0], 0, commitment), 'COMMITTEE_NOT_FULL');
  expectSuccess(await settleTask(m, keeper, t));
  const task = m.task(t.task);
  assert.equal(task.status, TASK_STATUS.REFUNDED);
  assert.equal(task.requesterCredit, BOUNTY + task.fee - (4n + 2n * 2n) * ACC, 'all but the keeper work done and owed');
  assert.equal(task.executorCredit, 0n);
  const before = m.balance(candidates[0].ownerAcc);
  expectSuccess(await settleMember(m, keeper, t, 0, candidates[0].ownerAcc));
  expectSuccess(await settleMember(m, keeper, t, 1, candidates[1].ownerAcc));
  assert.equal(m.balance(candidates[0].ownerAcc), before, 'released with nothing');
  expectCode(await settleMember(m, keeper, t, 2, candidates[2].ownerAcc), 'NOT_MEMBER');
});

test('Attack_StakeMovedAfterTheResultCountsForNothing', async () => {
  const late = await newAgent(m, { stake: 0n });
  const t = await taskToVerifying(m, { requester, executor, keeper });
  const { resultPostedAt } = m.task(t.task);
  assert.ok(m.now() > resultPostedAt);
  expectSuccess(await addStake(m, candidates[0], 50_000n * ACC)); // after the seed is known
  expectSuccess(await addStake(m, late, 50_000n * ACC));
  expectSuccess(await drawSeat(m, keeper, t, candidates[0]));
  assert.equal(m.task(t.task).members[0].weight, 100n * ACC, 'the stake at the snapshot, not now');
  expectCode(await drawSeat(m, keeper, t, late), 'NO_STAKE_AT_SNAPSHOT');
});

test('Draw_RefusesConflictedAgentsAndSkipsSeatedOnesAndAFullCommittee', async () => {
  const t = await taskToVerifying(m, { requester, executor, keeper });
  expectCode(await drawSeat(m, keeper, t, executor), 'CONFLICT_OF_INTEREST');
  const unattested = await newAgent(m, { attest: false });
  expectCode(await drawSeat(m, keeper, t, unattested), 'NOT_ELIGIBLE');
  expectSuccess(await drawSeat(m, keeper, t, candidates[0]));
  const paid = m.balance(keeper.acc);
  expectSuccess(await drawSeat(m, keeper, t, candidates[0])); // skipped
  assert.equal(m.balance(keeper.acc), paid, 'a skipped seat is not paid');
  assert.equal(m.task(t.task).seats, 1);
  expectSuccess(await drawSeat(m, keeper, t, candidates[1]));
  expectSuccess(await drawSeat(m, keeper, t, candidates[2]));
  expectSuccess(await drawSeat(m, keeper, t, candidates[3])); // full: skipped
  assert.equal(m.task(t.task).seats, 3);
  assert.equal(m.balance(keeper.acc) - paid, 2n * ACC);
});

test('Vote_CommitRevealRules', async () => {
  const t = await taskToVerifying(m, { requester, executor, keeper });
  const members = candidates.slice(0, 3);
  for (const who of members) expectSuccess(await drawSeat(m, keeper, t, who));
  const votes = members.map((who) => voteOf(m, t, who, 1));
  expectCode(await commitVote(m, t, members[0], 0, votes[0].commitment), 'WINDOW_CLOSED'); // during the draw
  m.later(MARKET.DRAW_WINDOW + 1n);
  expectCode(await commitVote(m, t, members[1], 0, votes[1].commitment), 'NOT_MEMBER'); // another member's seat
  expectCode(await commitVote(m, t, candidates[5], 0, votes[0].commitment), 'NOT_MEMBER');
  expectCode(await commitVote(m, t, members[0], 3, votes[0].commitment), 'NOT_MEMBER');
  expectSuccess(await commitVote(m, t, members[0], 0, votes[0].commitment));
  expectCode(await commitVote(m, t, members[0], 0, votes[0].commitment), 'ALREADY_COMMITTED');
  expectSuccess(await commitVote(m, t, members[1], 1, votes[1].commitment));
  expectCode(await revealVote(m, t, 0, 1, votes[0].salt), 'WINDOW_CLOSED'); // not everyone committed yet
  expectCode(await revealVote(m, t, 2, 1, votes[2].salt), 'WINDOW_CLOSED');
  m.later(MARKET.COMMIT_WINDOW);
  expectCode(await commitVote(m, t, members[2], 2, votes[2].commitment), 'WINDOW_CLOSED');
  expectCode(await revealVote(m, t, 2, 1, votes[2].salt), 'NOT_COMMITTED');
  expectCode(await revealVote(m, t, 0, 0, votes[0].salt), 'COMMITMENT_MISMATCH'); // the other vote
  expectCode(await revealVote(m, t, 0, 1, votes[1].salt), 'COMMITMENT_MISMATCH'); // another salt
  expectCode(await revealVote(m, t, 1, 1, votes[0].salt), 'COMMITMENT_MISMATCH'); // another member's opening
  expectSuccess(await revealVote(m, t, 0, 1, votes[0].salt));
  expectCode(await revealVote(m, t, 0, 1, votes[0].salt), 'NOT_COMMITTED');
  expectCode(await settleTask(m, keeper, t), 'REVEAL_NOT_OVER');
  expectSuccess(await revealVote(m, t, 1, 1, votes[1].salt));
  m.later(MARKET.REVEAL_WINDOW);
  expectCode(await revealVote(m, t, 1, 1, votes[1].salt), 'WINDOW_CLOSED');
  expectSuccess(await settleTask(m, keeper, t));
  assert.equal(m.task(t.task).status, TASK_STATUS.ACCEPTED);
});
