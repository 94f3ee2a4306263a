// The task market: each instruction's effects through the five stages (submit, bid, assign, result, verification,
// settlement), the outcomes (accepted, rejected, inconclusive, refunded, missed), pull payouts and keeper rewards, and
// the escrow accounting for every unit (the task vault ends empty, the burn is the supply's loss).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { expectSuccess } from './helpers.mjs';
import {
  ACC, DIMENSION, MARKET, MARKET_IX, SEAT_STATE, TASK_STATUS, marketEventsOf, readAgent, readAgentHistory, readMint, readReputation, readSlash,
  readTokenAccount, slashPda, taskSeed,
} from './program.mjs';
import {
  BOUNTY, DAY, bid, claimPayout, commitVote, drawSeat, expectCode, fixSeed, keep, minimumFee, newAgent, newMarket, newParty, postResult,
  publishSeedSlot, reportMissed, revealVote, settleExecutor, settleMember, settleTask, submit, taskToVerifying, voteOf,
} from './market-fixture.mjs';

let m, requester, keeper, executor, reviewers;
before(async () => {
  m = await newMarket();
  requester = await newParty(m, 100_000n * ACC);
  keeper = await newParty(m);
  executor = await newAgent(m, { capabilities: 0b111n });
  reviewers = [];
  for (let i = 0; i < 5; i++) reviewers.push(await newAgent(m, { stake: BigInt(500 + 250 * i) * ACC }));
  m.later(60); // the stakes are history before any snapshot
});

test('SubmitTask_EscrowsBountyAndFeeInItsVaultAndFixesTheTerms', async () => {
  const before = m.balance(requester.acc), fee = minimumFee(5);
  const t = await submit(m, requester, { committeeSize: 5, fee, capabilities: 0b101n });
  const result = expectSuccess(t.result);
  const task = m.task(t.task);
  assert.equal(task.owner, m.program);
  assert.equal(task.size, MARKET.TASK_SIZE);
  assert.deepEqual([task.discriminator, task.version, task.status, task.committeeSize, task.seats], [20, 1, TASK_STATUS.BIDDING, 5, 0]);
  assert.equal(task.requester, requester.signer.address);
  assert.equal(task.vault, t.vault);
  assert.deepEqual([task.id, task.bounty, task.fee, task.capabilities], [t.id, BOUNTY, fee, 0b101n]);
  assert.deepEqual([task.keeperReward, task.reviewerShareBps, task.missedSeverityBps, task.rejectedSeverityBps], [ACC, 5000n, 1000n, 2000n]);
  assert.deepEqual([task.nonRevealSeverityBps, task.minoritySeverityBps], [200n, 100n], 'the members\' slashes, as Base');
  assert.equal(task.biddingEndsAt, m.now() + MARKET.BIDDING_WINDOW);
  assert.equal(m.balance(t.vault), BOUNTY + fee, 'bounty and fee are in the task vault');
  assert.equal(before - m.balance(requester.acc), BOUNTY + fee);
  const vault = readTokenAccount(m.svm, t.vault);
  assert.equal(vault.owner, m.pdas.config, 'the config PDA holds the vault');
  assert.equal(vault.mint, m.pdas.mint);
  assert.deepEqual(marketEventsOf(result), [{ name: 'TaskSubmitted', task: t.task, requester: requester.signer.address, id: t.id, bounty: BOUNTY, fee,
    capabilities: 0b101n, deadline: task.deadline, committeeSize: 5, size: 105 }]);
});

test('SubmitTask_RefusesTermsOutsideTheRules', async () => {
  const now = m.now();
  expectCode((await submit(m, requester, { bounty: 0n, fee: minimumFee(3) })).result, 'INVALID_TASK');
  expectCode((await submit(m, requester, { committeeSize: 2 })).result, 'INVALID_TASK');
  expectCode((await submit(m, requester, { committeeSize: 101 })).result, 'INVALID_TASK'); // sol-final: 3..100
  expectCode((await submit(m, requester, { deadline: now + MARKET.BIDDING_WINDOW })).result, 'INVALID_TASK');
  expectCode((await submit(m, requester, { deadline: now + 30n * DAY + 1n })).result, 'INVALID_TASK');
  expectCode((await submit(m, requester, { fee: minimumFee(3) - 1n })).result, 'FEE_TOO_LOW', 'below the keeper budget');
  const big = 10_000n * ACC; // 2% of it is above the keeper budget
  expectCode((await submit(m, requester, { bounty: big, fee: big / 50n - 1n })).result, 'FEE_TOO_LOW');
  expectSuccess((await submit(m, requester, { bounty: big, fee: big / 50n })).result);
  const poor = await newParty(m, BOUNTY);
  expectCode((await submit(m, poor, {})).result, 'INSUFFICIENT_FUNDS');
  const once = await submit(m, requester, {});
  expectSuccess(once.result);
  expectCode((await submit(m, requester, { id: once.id })).result, 'ALREADY_INITIALIZED');
});

test('Bid_KeepsOnlyTheBestBidAndAssignPaysTheKeeper', async () => {
  const t = await submit(m, requester, { capabilities: 0b011n });
  expectSuccess(t.result);
  const [a, b] = reviewers;
  const cheap = await newAgent(m, { capabilities: 0b011n });
  expectSuccess(await bid(m, executor, t, 900n * ACC));
  const result = expectSuccess(await bid(m, cheap, t, 700n * ACC, { signer: cheap.owner })); // the owner may bid for its agent
  assert.deepEqual(marketEventsOf(result), [{ name: 'BidPlaced', task: t.task, agentKey: cheap.agentKey.address, price: 700n * ACC, size: 72 }]);
  expectCode(await bid(m, executor, t, 700n * ACC), 'BID_NOT_BETTER');
  expectCode(await bid(m, executor, t, BOUNTY + 1n), 'BID_ABOVE_BOUNTY');
  expectCode(await bid(m, a, t, 100n * ACC), 'NOT_ELIGIBLE'); // lacks a required capability
  expectCode(await bid(m, executor, t, 600n * ACC, { signer: b.agentKey }), 'NOT_AGENT_OWNER');
  let task = m.task(t.task);
  assert.deepEqual([task.executor, task.executorOwner, task.executorAgent, task.price], [cheap.agentKey.address, cheap.owner.address, cheap.agent, 700n * ACC]);
  expectCode(await keep(m, keeper, t, MARKET_IX.ASSIGN_TASK), 'BIDDING_OPEN');
  m.later(MARKET.BIDDING_WINDOW);
  expectCode(await bid(m, executor, t, 500n * ACC), 'BIDDING_CLOSED');
  const paid = m.balance(keeper.acc);
  const assigned = expectSuccess(await keep(m, keeper, t, MARKET_IX.ASSIGN_TASK));
  assert.deepEqual(marketEventsOf(assigned).map((e) => e.name), ['TaskAssigned', 'KeeperPaid']);
  assert.equal(m.balance(keeper.acc) - paid, ACC, 'the keeper reward');
  task = m.task(t.task);
  assert.equal(task.status, TASK_STATUS.ASSIGNED);
  expectCode(await keep(m, keeper, t, MARKET_IX.ASSIGN_TASK), 'TASK_WRONG_STATUS');
});

test('Bid_RefusesPendingUnstakedAndTheRequestersOwnAgents', async () => {
  const t = await submit(m, requester, {});
  expectSuccess(t.result);
  expectCode(await bid(m, await newAgent(m, { attest: false }), t, ACC), 'NOT_ELIGIBLE');
  expectCode(await bid(m, await newAgent(m, { stake: 0n }), t, ACC), 'NOT_ELIGIBLE');
  const own = await newAgent(m);
  const mine = await newParty(m, 100_000n * ACC);
  mine.signer = own.owner; mine.acc = own.ownerAcc; // the requester is the agent's owner
  const selfTask = await submit(m, mine, {});
  expectSuccess(selfTask.result);
  expectCode(await bid(m, own, selfTask, ACC), 'CONFLICT_OF_INTEREST');
});

test('Assign_WithoutABidRefundsAllButTheKeeperRewardByPull', async () => {
  const t = await submit(m, requester, {});
  expectSuccess(t.result);
  m.later(MARKET.BIDDING_WINDOW);
  expectSuccess(await keep(m, keeper, t, MARKET_IX.ASSIGN_TASK));
  const task = m.task(t.task);
  assert.equal(task.status, TASK_STATUS.REFUNDED);
  assert.equal(task.requesterCredit, BOUNTY + task.fee - ACC);
  expectCode(await claimPayout(m, keeper, t), 'NOTHING_OWED');
  const before = m.balance(requester.acc);
  const result = expectSuccess(await claimPayout(m, requester, t));
  assert.equal(m.balance(requester.acc) - before, BOUNTY + task.fee - ACC);
  assert.deepEqual(marketEventsOf(result), [{ name: 'PayoutClaimed', task: t.task, payee: requester.signer.address, amount: BOUNTY + task.fee - ACC, size: 72 }]);
  assert.equal(m.balance(t.vault), 0n, 'the vault is empty');
  expectCode(await claimPayout(m, requester, t), 'NOTHING_OWED');
});

test('MissedDeadline_RefundsTheRequesterLessThreeKeeperRewardsAndSettleExecutorSlashes', async () => {
  const t = await submit(m, requester, { deadline: m.now() + DAY });
  expectSuccess(t.result);
  expectSuccess(await bid(m, executor, t, 800n * ACC));
  m.later(MARKET.BIDDING_WINDOW);
  expectSuccess(await keep(m, keeper, t, MARKET_IX.ASSIGN_TASK));
  expectCode(await reportMissed(m, keeper, t), 'DEADLINE_NOT_PASSED');
  m.later(DAY);
  expectCode(await postResult(m, executor, t), 'DEADLINE_PASSED');
  const stakeBefore = readAgent(m.svm, executor.agent).activeStake;
  const result = expectSuccess(await reportMissed(m, keeper, t));
  assert.equal(marketEventsOf(result)[0].name, 'DeadlineMissed');
  const task = m.task(t.task);
  assert.equal(task.status, TASK_STATUS.MISSED);
  assert.equal(task.requesterCredit, BOUNTY + task.fee - 3n * ACC, 'assign, the report and settle_executor are keeper work');
  const repBefore = reputationOf(executor, DIMENSION.TASK);
  await settleExecutorExpecting(t, { severityBps: 1000n, delta: -1_000_000_000n, stakeBefore, repBefore });
  expectSuccess(await claimPayout(m, requester, t));
  assert.equal(m.balance(t.vault), 0n);
});

test('PostResult_OnlyTheExecutorAndTheSeedComesFromALaterSlot', async () => {
  const t = await submit(m, requester, {});
  expectSuccess(t.result);
  expectSuccess(await bid(m, executor, t, 800n * ACC));
  m.later(MARKET.BIDDING_WINDOW);
  expectCode(await postResult(m, executor, t), 'TASK_WRONG_STATUS'); // not assigned yet
  expectSuccess(await keep(m, keeper, t, MARKET_IX.ASSIGN_TASK));
  expectCode(await postResult(m, reviewers[0], t), 'NOT_EXECUTOR');
  const slot = m.slot();
  const result = expectSuccess(await postResult(m, executor, t));
  const task = m.task(t.task);
  assert.equal(task.status, TASK_STATUS.RESULT_POSTED);
  assert.equal(task.resultPostedAt, m.now());
  assert.equal(task.seedSlot, slot + 1n, 'the seed is a slot after the result');
  assert.deepEqual(task.result, new Uint8Array(32).fill(0x77));
  assert.equal(marketEventsOf(result)[0].seedSlot, slot + 1n);
  expectCode(await postResult(m, executor, t), 'TASK_WRONG_STATUS');
});

test('FixSeed_WaitsForTheSeedSlotAndHashesItWithTheTask', async () => {
  const t = await submit(m, requester, {});
  expectSuccess(t.result);
  expectSuccess(await bid(m, executor, t, 800n * ACC));
  m.later(MARKET.BIDDING_WINDOW);
  expectSuccess(await keep(m, keeper, t, MARKET_IX.ASSIGN_TASK));
  expectSuccess(await postResult(m, executor, t));
  const { seedSlot } = m.task(t.task);
  const { setSlotHashes } = await import('./program.mjs');
  setSlotHashes(m.svm, [{ slot: seedSlot - 1n, hash: new Uint8Array(32).fill(3) }]);
  expectCode(await fixSeed(m, keeper, t), 'SEED_NOT_READY');
  // The seed slot was skipped: the first slot after it seeds the draw.
  const hash = new Uint8Array(32).fill(9);
  setSlotHashes(m.svm, [{ slot: seedSlot + 3n, hash: new Uint8Array(32).fill(8) }, { slot: seedSlot + 1n, hash }, { slot: seedSlot - 1n, hash: new Uint8Array(32).fill(3) }]);
  const paid = m.balance(keeper.acc);
  const result = expectSuccess(await fixSeed(m, keeper, t));
  const task = m.task(t.task);
  assert.equal(task.status, TASK_STATUS.VERIFYING);
  assert.deepEqual(task.seed, taskSeed({ slotHash: hash, task: t.task }));
  assert.deepEqual([task.fillClosesAt, task.drawClosesAt, task.commitEndsAt, task.revealEndsAt],
    [m.now() + 1800n, m.now() + 3600n, m.now() + 7200n, m.now() + 10800n]);
  assert.deepEqual(marketEventsOf(result)[0], { name: 'SeedFixed', task: t.task, seed: task.seed, slot: seedSlot + 1n, lapsed: 0, size: 73 });
  assert.equal(m.balance(keeper.acc) - paid, ACC);
  expectCode(await fixSeed(m, keeper, t), 'TASK_WRONG_STATUS', 'fixed once: never re-rolled');
});

test('FixSeed_ASeedSlotThatLeftSlotHashesLapsesAndRefunds', async () => {
  const t = await submit(m, requester, {});
  expectSuccess(t.result);
  expectSuccess(await bid(m, executor, t, 800n * ACC));
  m.later(MARKET.BIDDING_WINDOW);
  expectSuccess(await keep(m, keeper, t, MARKET_IX.ASSIGN_TASK));
  expectSuccess(await postResult(m, executor, t));
  const { seedSlot } = m.task(t.task);
  const { setSlotHashes } = await import('./program.mjs');
  setSlotHashes(m.svm, [{ slot: seedSlot + 600n, hash: new Uint8Array(32).fill(4) }, { slot: seedSlot + 89n, hash: new Uint8Array(32).fill(5) }]);
  const stakeBefore = readAgent(m.svm, executor.agent).activeStake;
  const result = expectSuccess(await fixSeed(m, keeper, t));
  assert.equal(marketEventsOf(result)[0].lapsed, 1);
  const task = m.task(t.task);
  assert.deepEqual([task.status, task.seedLapsed], [TASK_STATUS.REFUNDED, 1]);
  assert.equal(task.requesterCredit, BOUNTY + task.fee - 3n * ACC);
  await settleExecutorExpecting(t, { severityBps: 1000n, delta: -1_000_000_000n, stakeBefore, repBefore: reputationOf(executor, DIMENSION.TASK) });
  expectSuccess(await claimPayout(m, requester, t));
  assert.equal(m.balance(t.vault), 0n);
});

/** Expects the executor to have been slashed severity_bps of its active stake by the market, for the requester. */
async function expectExecutorSlashed(t, stakeBefore, severityBps) {
  const agent = readAgent(m.svm, executor.agent);
  assert.equal(agent.activeStake, stakeBefore - stakeBefore * severityBps / 10_000n);
  const index = readAgentHistory(m.svm, executor.agent).slashCount - 1;
  const record = readSlash(m.svm, await slashPda(m.program, executor.agentKey.address, index));
  assert.equal(record.slasher, m.program);
  assert.equal(record.harmedParty, requester.signer.address);
  assert.equal(record.amount, stakeBefore * severityBps / 10_000n);
  assert.equal(record.severityBps, Number(severityBps));
}

const reputationOf = (who, dimension) => readReputation(m.svm, who.reputation).dimensions[dimension].value;

/** settle_executor once (paid), its slash (0 bps: none) and the executor's task reputation change; a second time refused. */
async function settleExecutorExpecting(t, { severityBps, delta, stakeBefore, repBefore }) {
  const slashes = readAgentHistory(m.svm, executor.agent).slashCount;
  const paid = m.balance(keeper.acc);
  const result = expectSuccess(await settleExecutor(m, keeper, t));
  const event = marketEventsOf(result).find((e) => e.name === 'ExecutorSettled');
  assert.deepEqual([event.executor, event.reputationDelta, BigInt(event.severityBps)], [executor.agentKey.address, delta, severityBps]);
  assert.equal(m.balance(keeper.acc) - paid, ACC, 'settle_executor is paid keeper work');
  if (severityBps > 0n) await expectExecutorSlashed(t, stakeBefore, severityBps);
  else assert.equal(readAgentHistory(m.svm, executor.agent).slashCount, slashes, 'not slashed');
  const after = reputationOf(executor, DIMENSION.TASK);
  assert.equal(after, repBefore + delta < 0n ? 0n : repBefore + delta);
  expectCode(await settleExecutor(m, keeper, t), 'EXECUTOR_SETTLED');
}

/** Seats `members` (fill phase), commits `votes` (1/0, null: silent), reveals them, settles; returns what happened. */
async function verify(t, members, votes) {
  for (const who of members) expectSuccess(await drawSeat(m, keeper, t, who));
  const task = m.task(t.task);
  const seatOf = (who) => task.members.findIndex((s) => s.agentKey === who.agentKey.address);
  m.later(MARKET.DRAW_WINDOW + 1n); // the draw window is over: claims end, commits begin
  const openings = members.map((who, i) => (votes[i] === null ? null : voteOf(m, t, who, votes[i])));
  for (const [i, who] of members.entries()) if (openings[i]) expectSuccess(await commitVote(m, t, who, seatOf(who), openings[i].commitment));
  if (openings.some((o) => o === null)) m.later(MARKET.COMMIT_WINDOW);
  for (const [i, who] of members.entries()) if (openings[i]) expectSuccess(await revealVote(m, t, seatOf(who), openings[i].vote, openings[i].salt));
  if (openings.some((o) => o === null)) m.later(MARKET.REVEAL_WINDOW);
  const supply = readMint(m.svm, m.pdas.mint).supply;
  const settled = expectSuccess(await settleTask(m, keeper, t));
  return { seatOf, settled, burned: supply - readMint(m.svm, m.pdas.mint).supply };
}

test('Lifecycle_AcceptedPaysTheExecutorItsPriceAndTheAlignedReviewersAndBurnsTheRest', async () => {
  const t = await taskToVerifying(m, { requester, executor, keeper });
  const members = reviewers.slice(0, 3);
  const slashesBefore = readAgentHistory(m.svm, executor.agent).slashCount;
  const paidBefore = await Promise.all(members.map((w) => m.balance(w.ownerAcc)));
  const { seatOf, settled, burned } = await verify(t, members, [1, 1, 0]);
  let task = m.task(t.task);
  assert.equal(task.status, TASK_STATUS.ACCEPTED);
  assert.deepEqual([task.reveals, task.approvals, task.aligned], [3, 2, 2]);
  const rest = task.fee - (4n + 2n * 3n) * ACC; // assign, fix_seed, settle, settle_executor + per seat a fill and a member settlement
  assert.equal(task.rewardPerReviewer, rest / 2n / 2n);
  assert.equal(burned, rest - 2n * task.rewardPerReviewer, 'what reviewers do not get is burned');
  const event = marketEventsOf(settled).find((e) => e.name === 'TaskSettled');
  assert.deepEqual([event.outcome, event.approvals, event.reveals, event.aligned, event.burned], [TASK_STATUS.ACCEPTED, 2, 3, 2, burned]);
  assert.deepEqual([task.executorCredit, task.requesterCredit], [800n * ACC, BOUNTY - 800n * ACC]);
  expectCode(await settleTask(m, keeper, t), 'TASK_WRONG_STATUS');
  assert.equal(task.executorGain, burned / 50n < 1_000_000_000n ? burned / 50n : 1_000_000_000n, '0.02 point per burned ACC, at most 1');
  assert.equal(task.reviewerGain, burned / 50n / 2n < 100_000_000n ? burned / 50n / 2n : 100_000_000n);
  await settleExecutorExpecting(t, { severityBps: 0n, delta: task.executorGain, repBefore: reputationOf(executor, DIMENSION.TASK) });
  assert.equal(readAgentHistory(m.svm, executor.agent).slashCount, slashesBefore, 'an accepted executor is not slashed');
  const validatorBefore = members.map((who) => reputationOf(who, DIMENSION.VALIDATOR));

  for (const who of members) expectSuccess(await settleMember(m, keeper, t, seatOf(who), who.ownerAcc));
  expectCode(await settleMember(m, keeper, t, seatOf(members[0]), members[0].ownerAcc), 'MEMBER_SETTLED');
  const gains = await Promise.all(members.map(async (w, i) => m.balance(w.ownerAcc) - paidBefore[i]));
  assert.deepEqual(gains, [task.rewardPerReviewer, task.rewardPerReviewer, 0n], 'the minority voter is paid nothing');
  const validatorAfter = members.map((who) => reputationOf(who, DIMENSION.VALIDATOR));
  assert.deepEqual(validatorAfter, [validatorBefore[0] + task.reviewerGain, validatorBefore[1] + task.reviewerGain,
    validatorBefore[2] > 200_000_000n ? validatorBefore[2] - 200_000_000n : 0n], 'aligned members gain, the outvoted one loses 0.2 point');
  const executorBefore = m.balance(executor.ownerAcc);
  const executorParty = { signer: executor.owner, acc: executor.ownerAcc };
  expectSuccess(await claimPayout(m, executorParty, t));
  assert.equal(m.balance(executor.ownerAcc) - executorBefore, 800n * ACC);
  expectSuccess(await claimPayout(m, requester, t));
  task = m.task(t.task);
  assert.equal(task.membersSettled, 3);
  assert.equal(m.balance(t.vault), 0n, 'every unit of the escrow went somewhere');
});

test('Lifecycle_RejectedRefundsTheBountyAndPaysTheRejectingReviewers', async () => {
  const t = await taskToVerifying(m, { requester, executor, keeper });
  const members = reviewers.slice(1, 4);
  const stakeBefore = readAgent(m.svm, executor.agent).activeStake;
  const { seatOf } = await verify(t, members, [0, 0, 0]);
  await settleExecutorExpecting(t, { severityBps: 2000n, delta: -2_000_000_000n, stakeBefore, repBefore: reputationOf(executor, DIMENSION.TASK) });
  const task = m.task(t.task);
  assert.equal(task.status, TASK_STATUS.REJECTED);
  assert.deepEqual([task.executorCredit, task.requesterCredit, task.aligned], [0n, BOUNTY, 3]);
  for (const who of members) expectSuccess(await settleMember(m, keeper, t, seatOf(who), who.ownerAcc));
  expectCode(await claimPayout(m, { signer: executor.owner, acc: executor.ownerAcc }, t), 'NOTHING_OWED');
  expectSuccess(await claimPayout(m, requester, t));
  assert.equal(m.balance(t.vault), 0n);
});

test('Lifecycle_NeitherSideAtTwoThirdsIsInconclusiveAndSilentMembersAreNotPaid', async () => {
  const t = await taskToVerifying(m, { requester, executor, keeper, committeeSize: 4 });
  const members = reviewers.slice(0, 4);
  const { seatOf } = await verify(t, members, [1, 0, 1, null]); // 2 of 3 revealed approve: 2/3 of the revealed, accepted
  assert.equal(m.task(t.task).status, TASK_STATUS.ACCEPTED, '2/3 of the revealed votes');
  const t2 = await taskToVerifying(m, { requester, executor, keeper, committeeSize: 4 });
  const r2 = await verify(t2, members, [1, 0, 1, 0]);
  const task = m.task(t2.task);
  assert.equal(task.status, TASK_STATUS.INCONCLUSIVE);
  assert.deepEqual([task.requesterCredit, task.executorCredit, task.aligned], [BOUNTY, 0n, 4]);
  const silentBefore = reputationOf(members[3], DIMENSION.VALIDATOR);
  for (const who of members) expectSuccess(await settleMember(m, keeper, t2, r2.seatOf(who), who.ownerAcc));
  for (const who of members) expectSuccess(await settleMember(m, keeper, t, seatOf(who), who.ownerAcc));
  // members[3] revealed in t2 (inconclusive: aligned) and was silent in t (-0.5 point).
  const gainT2 = m.task(t2.task).reviewerGain;
  assert.equal(reputationOf(members[3], DIMENSION.VALIDATOR), silentBefore + gainT2 > 500_000_000n ? silentBefore + gainT2 - 500_000_000n : 0n);
  await settleExecutorExpecting(t2, { severityBps: 0n, delta: 0n, repBefore: reputationOf(executor, DIMENSION.TASK) });
  expectSuccess(await settleExecutor(m, keeper, t));
  assert.deepEqual(m.task(t.task).members.map((s) => s.state), [SEAT_STATE.REVEALED, SEAT_STATE.REVEALED, SEAT_STATE.REVEALED, SEAT_STATE.SEATED]);
  expectSuccess(await claimPayout(m, requester, t2));
  expectSuccess(await claimPayout(m, requester, t));
  expectSuccess(await claimPayout(m, { signer: executor.owner, acc: executor.ownerAcc }, t));
  assert.equal(m.balance(t.vault), 0n);
  assert.equal(m.balance(t2.vault), 0n);
});

test('Lifecycle_NoRevealedVoteRefunds', async () => {
  const t = await taskToVerifying(m, { requester, executor, keeper });
  const members = reviewers.slice(0, 3);
  const { seatOf, burned } = await verify(t, members, [null, null, null]);
  const task = m.task(t.task);
  assert.deepEqual([task.status, task.requesterCredit, task.aligned], [TASK_STATUS.REFUNDED, BOUNTY, 0]);
  assert.equal(burned, task.fee - 10n * ACC);
  for (const who of members) expectSuccess(await settleMember(m, keeper, t, seatOf(who), who.ownerAcc));
  await settleExecutorExpecting(t, { severityBps: 0n, delta: 0n, repBefore: reputationOf(executor, DIMENSION.TASK) });
  expectSuccess(await claimPayout(m, requester, t));
  assert.equal(m.balance(t.vault), 0n);
});

// ------------------------------------------------------------------ sol-gaps: the members' slashes, the executor's cooldown

test('SettleMember_SlashesTheSilentAndTheLightMinorityAsBaseThroughTheStakeSlashing', async () => {
  const t = await taskToVerifying(m, { requester, executor, keeper, committeeSize: 4 });
  const members = reviewers.slice(0, 4);
  const { seatOf } = await verify(t, members, [1, 1, 0, null]); // accepted by 2 of 3 revealed; one outvoted, one silent
  assert.equal(m.task(t.task).status, TASK_STATUS.ACCEPTED);
  const { memberPenaltyAccounts } = await import('./market-fixture.mjs');
  const stakes = members.map((who) => readAgent(m.svm, who.agent).activeStake);
  const slashes = members.map((who) => readAgentHistory(m.svm, who.agent).slashCount);
  // the silent member's record must be its next slash record at its PDA
  const silentSeat = seatOf(members[3]);
  const [agentMeta, , system] = await memberPenaltyAccounts(m, t, silentSeat);
  const wrongRecord = { address: await slashPda(m.program, members[3].agentKey.address, slashes[3] + 1), role: 1 };
  expectCode(await keep(m, keeper, t, MARKET_IX.SETTLE_MEMBER, { extra: [{ address: members[3].ownerAcc, role: 1 }, { address: members[3].reputation, role: 1 },
    agentMeta, wrongRecord, system], args: [silentSeat] }), 'WRONG_PDA');
  for (const who of members) expectSuccess(await settleMember(m, keeper, t, seatOf(who), who.ownerAcc));
  const severities = [0n, 0n, MARKET.MINORITY_SEVERITY_BPS, MARKET.NON_REVEAL_SEVERITY_BPS];
  for (const [i, who] of members.entries()) {
    const expectedCut = stakes[i] * severities[i] / 10_000n;
    assert.equal(readAgent(m.svm, who.agent).activeStake, stakes[i] - expectedCut, `member ${i}: stake less ${severities[i]} bps`);
    assert.equal(readAgentHistory(m.svm, who.agent).slashCount, slashes[i] + (severities[i] ? 1 : 0), `member ${i}: slash records`);
    if (!severities[i]) continue;
    const record = readSlash(m.svm, await slashPda(m.program, who.agentKey.address, slashes[i]));
    assert.deepEqual([record.slasher, record.amount, BigInt(record.severityBps)], [m.program, expectedCut, severities[i]]);
    assert.equal(record.harmedParty, '11111111111111111111111111111111', 'nobody harmed: burned at finalization, as Base');
    assert.deepEqual([...record.reason], [...(await import('./helpers.mjs')).addressBytes(t.task)], 'the task is the reason');
  }
});

test('SettleExecutor_GainsFromOneRequesterAtMostOnceAWeek', async () => {
  // Base's counterparty cooldown: a second accepted task from the same requester within 7 days gives no gain; another
  // requester's does; the first requester's again after the week.
  const other = await newParty(m, 100_000n * ACC);
  const accepted = async (from) => {
    const t = await taskToVerifying(m, { requester: from, executor, keeper });
    await verify(t, reviewers.slice(0, 3), [1, 1, 1]);
    assert.equal(m.task(t.task).status, TASK_STATUS.ACCEPTED);
    assert.ok(m.task(t.task).executorGain > 0n);
    const before = reputationOf(executor, DIMENSION.TASK);
    const result = expectSuccess(await settleExecutor(m, keeper, t));
    return { delta: marketEventsOf(result).find((e) => e.name === 'ExecutorSettled').reputationDelta, gained: reputationOf(executor, DIMENSION.TASK) - before, gain: m.task(t.task).executorGain };
  };
  m.later(8 * Number(DAY)); // past any gain an earlier test recorded
  const first = await accepted(requester);
  assert.equal(first.delta, first.gain, 'the first gain from this requester');
  const second = await accepted(requester);
  assert.deepEqual([second.delta, second.gained], [0n, 0n], 'no second gain from the same requester within a week');
  const third = await accepted(other);
  assert.equal(third.delta, third.gain, 'another requester gives a gain');
  m.later(7 * Number(DAY));
  const fourth = await accepted(requester);
  assert.equal(fourth.delta, fourth.gain, 'the first requester again after the week');
});
