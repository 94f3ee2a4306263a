// sol-gaps: the market's parameters live in the config, governance sets them (SET_MARKET_PARAMS, critical, with the
// bounds of Base's TaskMarket._setParams in its order), and each task keeps the terms of its submission: a change
// applies to new tasks only.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { generateKeyPairSigner, lamports } from '@solana/kit';
import { customError, expectSuccess, send } from './helpers.mjs';
import {
  ACC, GOV_ACTION, MARKET, MARKET_IX, SUPPORT, TASK_STATUS, encodeMarketTerms, executeProposalInstruction, proposalPda, proposeInstruction,
  readConfig, readProposal, voteInstruction, votePda,
} from './program.mjs';
import { DAY, bid, expectCode, fixSeed, keep, newAgent, newMarket, newParty, postResult, publishSeedSlot, submit } from './market-fixture.mjs';

const M = 1_000_000n * ACC;
let m, relayer, big, mid, requester, keeper, executor;
before(async () => {
  m = await newMarket();
  relayer = (await newParty(m)).signer;
  big = await newAgent(m, { stake: 9n * M }); // 12M staked: quorum is the 10M floor; big alone carries 2/3
  mid = await newAgent(m, { stake: 3n * M });
  requester = await newParty(m, 1_000_000n * ACC);
  keeper = await newParty(m);
  executor = await newAgent(m);
  m.later(1);
});

const DEFAULTS = { biddingWindow: 3600n, maxTaskDuration: 30n * DAY, drawWindow: 3600n, commitWindow: 3600n, revealWindow: 3600n, feeBps: 200n,
  reviewerShareBps: 5000n, missedSeverityBps: 1000n, rejectedSeverityBps: 2000n, nonRevealSeverityBps: 200n, minoritySeverityBps: 100n };

async function propose(terms, keeperReward, who = big) {
  const id = crypto.randomBytes(32), proposal = await proposalPda(m.program, id);
  const result = await send(m.svm, relayer, [proposeInstruction({ ...m, ...who, proposal, id, action: GOV_ACTION.SET_MARKET_PARAMS,
    target: encodeMarketTerms(terms), value: keeperReward })]);
  return { result, proposal };
}
const vote = async (who, proposal, support) => send(m.svm, relayer, [voteInstruction({ ...m, ...who, proposal,
  vote: await votePda(m.program, proposal, who.agentKey.address), support })]);
const execute = (proposal) => send(m.svm, relayer, [executeProposalInstruction({ ...m, executor: relayer, proposal })]);

test('MarketParams_DefaultsAreInTheConfigAtInitialisation', () => {
  const { market } = readConfig(m.svm, m.pdas.config);
  assert.deepEqual(market, { ...DEFAULTS, keeperReward: ACC });
});

test('MarketParams_BoundsAreCheckedAtProposeInBasesOrder', async () => {
  const bad = [
    [{ biddingWindow: 599n }, 'biddingWindow'], [{ biddingWindow: 30n * DAY + 1n }, 'biddingWindow'],
    [{ maxTaskDuration: 0n }, 'maxTaskDuration'], [{ maxTaskDuration: 365n * DAY + 1n }, 'maxTaskDuration'],
    [{ maxTaskDuration: 3600n }, 'maxTaskDuration'], // not longer than the bidding window: no task could be submitted
    [{ drawWindow: 599n }, 'drawWindow'], [{ drawWindow: DAY + 1n }, 'drawWindow'],
    [{ commitWindow: 599n }, 'commitWindow'], [{ commitWindow: 7n * DAY + 1n }, 'commitWindow'],
    [{ revealWindow: 599n }, 'revealWindow'], [{ revealWindow: 7n * DAY + 1n }, 'revealWindow'],
    [{ feeBps: 10_001n }, 'feeBps'], [{ reviewerShareBps: 10_001n }, 'reviewerShareBps'],
    [{ missedSeverityBps: 99n }, 'missedDeadlineSeverityBps'], [{ rejectedSeverityBps: 10_001n }, 'rejectedSeverityBps'],
    [{ nonRevealSeverityBps: 1n }, 'nonRevealSeverityBps'], [{ minoritySeverityBps: 50n }, 'minoritySeverityBps'],
    [{ commitWindow: 3n * DAY, revealWindow: 3n * DAY }, 'slashDelay'], // draw + commit + reveal + a day beyond the 7-day slash delay
    // two faults at once: the first in Base's order is named
    [{ biddingWindow: 1n, feeBps: 20_000n }, 'biddingWindow'],
  ];
  for (const [change, name] of bad) {
    const { result } = await propose({ ...DEFAULTS, ...change }, ACC);
    expectCode(result, 'PARAMETER_OUT_OF_RANGE');
    assert.ok(customError(result).logs.some((line) => line === `Program log: ${name}`), `${JSON.stringify(change, (k, v) => (typeof v === 'bigint' ? `${v}` : v))} names ${name}`);
  }
  expectCode((await propose(DEFAULTS, 1_000n * ACC + 1n)).result, 'PARAMETER_OUT_OF_RANGE');
  // the edges are allowed; severities may be 0 (no slash)
  expectSuccess((await propose({ ...DEFAULTS, biddingWindow: 600n, drawWindow: 600n, commitWindow: 600n, revealWindow: 600n, feeBps: 10_000n,
    missedSeverityBps: 0n, rejectedSeverityBps: 10_000n, nonRevealSeverityBps: 0n, minoritySeverityBps: 100n }, 1_000n * ACC)).result);
});

test('MarketParams_AreCriticalAndAGovernanceChangeAppliesToNewTasksOnly', async () => {
  const changed = { ...DEFAULTS, biddingWindow: 7200n, drawWindow: 1200n, commitWindow: 1800n, revealWindow: 2400n, feeBps: 500n,
    reviewerShareBps: 2500n, missedSeverityBps: 500n, rejectedSeverityBps: 3000n, nonRevealSeverityBps: 400n, minoritySeverityBps: 0n };
  const { result, proposal } = await propose(changed, 2n * ACC);
  expectSuccess(result);
  assert.equal(readProposal(m.svm, proposal).critical, 1, 'critical, as Base\'s TaskMarket.setParams');
  expectSuccess(await vote(big, proposal, SUPPORT.FOR));
  expectSuccess(await vote(mid, proposal, SUPPORT.AGAINST));
  // a task submitted while the proposal waits keeps the old terms
  const before = await submit(m, requester, { deadline: m.now() + 20n * DAY });
  expectSuccess(before.result);
  expectSuccess(await bid(m, executor, before, 500n * ACC));
  m.later(5n * DAY + 7n * DAY + 1n);
  expectSuccess(await execute(proposal));
  assert.deepEqual(readConfig(m.svm, m.pdas.config).market, { ...changed, keeperReward: 2n * ACC });
  const after = await submit(m, requester, { bounty: 1_000n * ACC, fee: 50n * ACC }); // 5% of the bounty now
  expectSuccess(after.result);
  const old = m.task(before.task), fresh = m.task(after.task);
  const terms = (t) => [t.keeperReward, t.reviewerShareBps, t.missedSeverityBps, t.rejectedSeverityBps, t.nonRevealSeverityBps, t.minoritySeverityBps,
    t.drawWindow, t.commitWindow, t.revealWindow, t.biddingEndsAt - t.submittedAt];
  assert.deepEqual(terms(old), [ACC, 5000n, 1000n, 2000n, 200n, 100n, 3600n, 3600n, 3600n, 3600n], 'the earlier task keeps its terms');
  assert.deepEqual(terms(fresh), [2n * ACC, 2500n, 500n, 3000n, 400n, 0n, 1200n, 1800n, 2400n, 7200n], 'the new task has the new ones');
  // the fee rule is the new one for new tasks: 5% of the bounty, and the keeper budget at 2 ACC a unit
  expectCode((await submit(m, requester, { bounty: 1_000n * ACC, fee: 50n * ACC - 1n })).result, 'FEE_TOO_LOW');
  // the windows fix_seed opens are each task's own
  expectSuccess(await bid(m, executor, after, 500n * ACC));
  m.later(7200n);
  for (const t of [before, after]) {
    expectSuccess(await keep(m, keeper, t, MARKET_IX.ASSIGN_TASK));
    expectSuccess(await postResult(m, executor, t));
  }
  m.later(5);
  for (const t of [before, after]) { publishSeedSlot(m, t); expectSuccess(await fixSeed(m, keeper, t)); }
  const windows = (t) => { const x = m.task(t.task); return [x.fillClosesAt - m.now(), x.drawClosesAt - m.now(), x.commitEndsAt - x.drawClosesAt, x.revealEndsAt - x.commitEndsAt]; };
  assert.deepEqual(windows(before), [1800n, 3600n, 3600n, 3600n]);
  assert.deepEqual(windows(after), [600n, 1200n, 1800n, 2400n]);
  // the keeper is paid each task's own reward
  const paid = m.balance(keeper.acc);
  m.later(2n * 3600n + 3600n + 1n); // both reveal windows over, no committee formed: both settle refunded
  expectSuccess(await keep(m, keeper, before, MARKET_IX.SETTLE_TASK, { extra: [{ address: m.pdas.mint, role: 1 }] }));
  assert.equal(m.balance(keeper.acc) - paid, ACC);
  expectSuccess(await keep(m, keeper, after, MARKET_IX.SETTLE_TASK, { extra: [{ address: m.pdas.mint, role: 1 }] }));
  assert.equal(m.balance(keeper.acc) - paid, 3n * ACC);
  assert.deepEqual([m.task(before.task).status, m.task(after.task).status], [TASK_STATUS.REFUNDED, TASK_STATUS.REFUNDED]);
});
