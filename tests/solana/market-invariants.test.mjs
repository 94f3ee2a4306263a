// Random sequences of the market's instructions (several tasks at once, every stage, random votes, time jumps,
// repeated and out-of-order calls) checked after every step: ACC is conserved (every account + what was burned = what
// there was), every task vault holds exactly what the task still owes (the model below, from the task's own terms), a
// call that fails moves nothing, nothing is paid twice, and every task that is finished and fully paid out leaves an
// empty vault. Every instruction's success path must be reached (over the seeds run), so the sequence is not vacuous.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FailedTransactionMetadata } from 'litesvm';
import { ACC, MARKET, MARKET_IX, TASK_STATUS, SEAT_STATE, marketEventsOf, readMint, readTokenAccount, VAULT } from './program.mjs';
import {
  bid, claimPayout, claimSeat, commitVote, drawSeat, fixSeed, keep, newAgent, newMarket, newParty, postResult, publishSeedSlot, reportMissed,
  revealVote, settleExecutor, settleMember, settleTask, submit, voteOf,
} from './market-fixture.mjs';

const DEEP = process.env.AGENTCLUSTER_DEEP === '1';
const STEPS = Number(process.env.AGENTCLUSTER_SOLANA_MARKET_STEPS ?? (DEEP ? 600 : 200));
const SEEDS = (process.env.AGENTCLUSTER_SOLANA_SEEDS ?? (DEEP ? '1,2,3,4,5,6,7,8' : '1,2')).split(',').map(Number);

function rng(seed) { // xorshift64*: reproducible from the seed printed on failure
  let x = BigInt(seed) || 1n;
  return (n) => {
    x ^= x >> 12n; x ^= (x << 25n) & 0xffffffffffffffffn; x ^= x >> 27n;
    return Number(((x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) % BigInt(n));
  };
}

const NO_EXECUTOR = '11111111111111111111111111111111';

/** What a task's vault must hold now, from the task's state alone. */
function owed(task, keeperPaid) {
  const r = task.keeperReward;
  if (task.status < TASK_STATUS.ACCEPTED) return task.bounty + task.fee - keeperPaid;
  let owedToSeats = 0n;
  for (const seat of task.members) {
    if (seat.state === SEAT_STATE.EMPTY || seat.settled) continue;
    const aligned = seat.state === SEAT_STATE.REVEALED && task.aligned > 0 && (task.status === TASK_STATUS.INCONCLUSIVE
      || (task.status === TASK_STATUS.ACCEPTED && seat.vote === 1) || (task.status === TASK_STATUS.REJECTED && seat.vote === 0));
    owedToSeats += r + (aligned ? task.rewardPerReviewer : 0n);
  }
  const executorStep = task.executor !== NO_EXECUTOR && !task.executorSettled ? r : 0n; // settle_executor's reward
  return task.requesterCredit + task.executorCredit + owedToSeats + executorStep;
}

const reached = new Set(); // over all seeds: every success path must be reached somewhere

for (const seed of SEEDS) {
  test(`MarketInvariants_RandomSequencesConserveAccAndKeepEveryTaskVaultExact (seed ${seed})`, async () => {
    const m = await newMarket(), random = rng(seed);
    const pick = (list) => list[random(list.length)];
    const requesters = [await newParty(m, 1_000_000n * ACC), await newParty(m, 1_000_000n * ACC)];
    const keepers = [await newParty(m), await newParty(m)];
    const agents = [];
    for (let i = 0; i < 7; i++) agents.push(await newAgent(m, { stake: BigInt(200 + random(2_000)) * ACC }));
    m.later(60);
    const tasks = [];
    const accounts = () => [...requesters.map((p) => p.acc), ...keepers.map((p) => p.acc), ...agents.map((a) => a.ownerAcc),
      ...tasks.map((t) => t.vault), m.pdas.vaults[VAULT.STAKES], m.pdas.vaults[VAULT.BONDS]];
    const total = () => accounts().reduce((sum, a) => sum + readTokenAccount(m.svm, a).amount, 0n) + (initialSupply - readMint(m.svm, m.pdas.mint).supply);
    const initialSupply = readMint(m.svm, m.pdas.mint).supply;
    const conserved = total();
    const names = Object.fromEntries(Object.entries(MARKET_IX).map(([k, v]) => [v, k]));

    const actions = [
      async () => { // submit
        const t = await submit(m, pick(requesters), { committeeSize: 3 + random(2), deadline: m.now() + BigInt(2 * 3600 + random(24 * 3600)) });
        t.keeperPaid = 0n; t.openings = new Map();
        if (!(t.result instanceof FailedTransactionMetadata)) tasks.push(t);
        return [MARKET_IX.SUBMIT_TASK, t.result];
      },
      async (t) => [MARKET_IX.BID, await bid(m, pick(agents), t, BigInt(100 + random(1_000)) * ACC)],
      async (t) => [MARKET_IX.ASSIGN_TASK, await keep(m, pick(keepers), t, MARKET_IX.ASSIGN_TASK)],
      async (t) => {
        const task = m.task(t.task);
        const executor = agents.find((a) => a.agentKey.address === task.executor) ?? pick(agents);
        return [MARKET_IX.POST_RESULT, await postResult(m, random(5) === 0 ? pick(agents) : executor, t)];
      },
      async (t) => [MARKET_IX.REPORT_MISSED_DEADLINE, await reportMissed(m, pick(keepers), t)],
      async (t) => {
        if (m.task(t.task).status === TASK_STATUS.RESULT_POSTED && random(4) !== 0) publishSeedSlot(m, t);
        return [MARKET_IX.FIX_SEED, await fixSeed(m, pick(keepers), t)];
      },
      async (t) => {
        const task = m.task(t.task), seated = new Set(task.members.map((x) => x.agentKey));
        const fresh = agents.filter((a) => !seated.has(a.agentKey.address) && a.agentKey.address !== task.executor);
        return [MARKET_IX.DRAW_SEAT, await drawSeat(m, pick(keepers), t, fresh.length > 0 && random(4) !== 0 ? pick(fresh) : pick(agents))];
      },
      async (t) => [MARKET_IX.CLAIM_SEAT, await claimSeat(m, pick(keepers), t, pick(agents), random(4))],
      async (t) => {
        const task = m.task(t.task), waiting = task.members.flatMap((x, i) => (x.state === SEAT_STATE.SEATED ? [i] : []));
        const seat = waiting.length > 0 && random(4) !== 0 ? pick(waiting) : random(task.committeeSize), key = task.members[seat]?.agentKey;
        const who = agents.find((a) => a.agentKey.address === key) ?? pick(agents);
        const opening = voteOf(m, t, who, random(4) === 0 ? 0 : 1);
        const result = await commitVote(m, t, who, seat, opening.commitment);
        if (!(result instanceof FailedTransactionMetadata)) t.openings.set(seat, opening);
        return [MARKET_IX.COMMIT_VOTE, result];
      },
      async (t) => {
        const committed = [...t.openings.keys()];
        const seat = committed.length > 0 && random(4) !== 0 ? pick(committed) : random(4);
        const opening = t.openings.get(seat) ?? { vote: 1, salt: new Uint8Array(32) };
        return [MARKET_IX.REVEAL_VOTE, await revealVote(m, t, seat, opening.vote, opening.salt)];
      },
      async (t) => [MARKET_IX.SETTLE_TASK, await settleTask(m, pick(keepers), t)],
      async (t) => {
        const task = m.task(t.task), seat = random(task.committeeSize);
        const owner = task.members[seat]?.owner;
        const acc = agents.find((a) => a.owner.address === owner)?.ownerAcc ?? pick(agents).ownerAcc;
        return [MARKET_IX.SETTLE_MEMBER, await settleMember(m, pick(keepers), t, seat, acc)];
      },
      async (t) => {
        const task = m.task(t.task);
        const executorOwner = agents.find((a) => a.owner.address === task.executorOwner);
        const party = random(2) === 0 || !executorOwner ? t.requester : { signer: executorOwner.owner, acc: executorOwner.ownerAcc };
        return [MARKET_IX.CLAIM_PAYOUT, await claimPayout(m, party, t)];
      },
      async (t) => [MARKET_IX.SETTLE_EXECUTOR, await settleExecutor(m, pick(keepers), t)],
    ];

    const A = { BID: 1, ASSIGN: 2, POST: 3, MISSED: 4, FIX: 5, DRAW: 6, CLAIM: 7, COMMIT: 8, REVEAL: 9, SETTLE: 10, MEMBER: 11, PAYOUT: 12, EXECUTOR: 13 };
    const stageAction = (task) => {
      const now = m.now();
      switch (task.status) {
        case TASK_STATUS.BIDDING: return now < task.biddingEndsAt && random(3) !== 0 ? A.BID : A.ASSIGN;
        case TASK_STATUS.ASSIGNED: return now <= task.deadline ? A.POST : A.MISSED;
        case TASK_STATUS.RESULT_POSTED: return A.FIX;
        case TASK_STATUS.VERIFYING:
          if (now <= task.fillClosesAt) return A.DRAW;
          if (now <= task.drawClosesAt) return A.CLAIM;
          if (now <= task.commitEndsAt && task.commits < task.committeeSize) return random(3) === 0 ? A.REVEAL : A.COMMIT;
          if (now <= task.revealEndsAt && task.reveals < task.seats) return A.REVEAL;
          return A.SETTLE;
        default: return [A.MEMBER, A.PAYOUT, A.EXECUTOR][random(3)];
      }
    };
    for (let step = 0; step < STEPS; step++) {
      const where = `seed ${seed} step ${step}`;
      if (random(4) === 0) m.later(random(10) === 0 ? 1800 + random(3600) : 1 + random(900));
      const live = tasks.filter((x) => m.task(x.task).status < TASK_STATUS.ACCEPTED);
      let index = live.length === 0 || (live.length < 2 && random(6) === 0) ? 0 : 1 + random(actions.length - 1);
      const t = index === 0 ? null : random(5) === 0 ? pick(tasks) : pick(live);
      if (t && random(6) !== 0) index = stageAction(m.task(t.task)); // mostly the call the task's stage wants, else anything
      const before = accounts().map((a) => readTokenAccount(m.svm, a).amount);
      const [tag, result] = await actions[index](t);
      if (result instanceof FailedTransactionMetadata) {
        // A failed call moves nothing (a submit that failed added no account).
        assert.deepEqual(accounts().slice(0, before.length).map((a) => readTokenAccount(m.svm, a).amount), before, `${where}: ${names[tag]} failed but moved ACC`);
      } else {
        reached.add(names[tag]);
        for (const e of marketEventsOf(result)) if (e.name === 'KeeperPaid' && t) t.keeperPaid += e.amount;
      }
      assert.equal(total(), conserved, `${where}: ACC is conserved after ${names[tag]}`);
      for (const task of tasks) {
        const state = m.task(task.task);
        assert.equal(m.balance(task.vault), owed(state, task.keeperPaid), `${where}: task ${task.id} vault after ${names[tag]} (status ${state.status})`);
      }
    }
    // Every finished task, fully settled and paid out, leaves nothing behind.
    for (const t of tasks) {
      const task = m.task(t.task);
      if (task.status < TASK_STATUS.ACCEPTED) continue;
      for (const [i, seat] of task.members.entries()) {
        if (seat.state === SEAT_STATE.EMPTY || seat.settled) continue;
        const acc = agents.find((a) => a.owner.address === seat.owner).ownerAcc;
        const r = await settleMember(m, keepers[0], t, i, acc);
        assert.ok(!(r instanceof FailedTransactionMetadata), 'an unsettled seat of a finished task settles');
      }
      if (task.executor !== NO_EXECUTOR && !task.executorSettled) {
        assert.ok(!((await settleExecutor(m, keepers[0], t)) instanceof FailedTransactionMetadata), 'the executor of a finished task settles');
      }
      if (task.requesterCredit > 0n) await claimPayout(m, t.requester, t);
      const executorOwner = agents.find((a) => a.owner.address === task.executorOwner);
      if (task.executorCredit > 0n) await claimPayout(m, { signer: executorOwner.owner, acc: executorOwner.ownerAcc }, t);
      assert.equal(m.balance(t.vault), 0n, `seed ${seed}: task ${t.id} leaves an empty vault`);
    }
    assert.equal(total(), conserved);
  });
}

test('MarketInvariants_EveryInstructionsSuccessPathWasReached', () => {
  for (const name of ['SUBMIT_TASK', 'BID', 'ASSIGN_TASK', 'POST_RESULT', 'FIX_SEED', 'DRAW_SEAT', 'COMMIT_VOTE', 'REVEAL_VOTE', 'SETTLE_TASK',
    'SETTLE_MEMBER', 'CLAIM_PAYOUT', 'SETTLE_EXECUTOR']) {
    assert.ok(reached.has(name), `${name} never succeeded in ${STEPS} steps of seeds ${SEEDS.join(',')}`);
  }
});
