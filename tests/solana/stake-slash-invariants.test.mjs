// Random sequences of stake, request_unstake, withdraw, request_exit, slash, appeal_slash, reverse_slash,
// dismiss_appeal, finalize_slash, stake_at and time jumps against a model: after every step the chain equals the
// model (effects, or the error it predicts); ACC is conserved (owners + vaults + the harmed party + burned); the stakes
// vault holds every active and unbonding stake and every open slash; each slash pays out at most once; stake_at never
// answers a value other than the one the full history gives (it may only say StakeHistoryGone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lamports } from '@solana/kit';
import { AccountRole, ERRORS, customError, expectSuccess, generateKeyPairSigner, send } from './helpers.mjs';
import {
  ACC, TOTAL_SUPPLY, VAULT, agentPda, fundedAccAccount, initializedAgentCluster, readAgent, readMint, readTokenAccount,
  registerAgentInstruction, requestExitInstruction, requestUnstakeInstruction, stakeInstruction, withdrawInstruction,
  SLASH_STATUS, appealSlashInstruction, dismissAppealInstruction, finalizeSlashInstruction, readSlash, returnedU64, reverseSlashInstruction,
  setSlasherInstruction, slashInstruction, slashPda, slasherPda, stakeAtInstruction,
} from './program.mjs';

const BOND = 10_000n * ACC, FEE = 100n * ACC, DAY = 86400n, UNBONDING = 30n * DAY, APPEAL_WINDOW = 7n * DAY, DECISION = 30n * DAY;
const DEEP = process.env.AGENTCLUSTER_DEEP === '1';
const STEPS = Number(process.env.AGENTCLUSTER_SOLANA_STEPS ?? (DEEP ? 1000 : 500));
const SEEDS = (process.env.AGENTCLUSTER_SOLANA_SEEDS ?? (DEEP ? '1,2,3,4,5,6,7,8' : '1,2')).split(',').map(Number);

function rng(seed) { // xorshift64*: reproducible from the seed printed on failure
  let x = BigInt(seed) || 1n;
  return (n) => {
    x ^= x >> 12n; x ^= (x << 25n) & 0xffffffffffffffffn; x ^= x >> 27n;
    return Number(((x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) % BigInt(n));
  };
}

for (const seed of SEEDS) {
  test(`StakeSlashInvariants_RandomSequencesMatchTheModelConserveAccAndPayEachSlashOnce (seed ${seed})`, async () => {
    const chain = await initializedAgentCluster();
    const { svm } = chain, random = rng(seed);
    const clock0 = svm.getClock();
    clock0.unixTimestamp = 1_800_000_000n;
    svm.setClock(clock0);
    const now = () => svm.getClock().unixTimestamp;
    const relayer = await generateKeyPairSigner(), slasher = await generateKeyPairSigner();
    svm.airdrop(relayer.address, lamports(100_000_000_000n));
    svm.airdrop(slasher.address, lamports(100_000_000_000n));
    const slasherAccount = await slasherPda(chain.program, slasher.address);
    expectSuccess(await send(svm, chain.payer, [setSlasherInstruction({ ...chain, authority: chain.payer, slasherKey: slasher.address, slasher: slasherAccount })]));
    const harmed = (await generateKeyPairSigner()).address, harmedAcc = await fundedAccAccount(svm, chain.pdas.mint, harmed, 0n);

    const agents = [];
    let totalFunds = 0n, fees = 0n;
    for (let i = 0; i < 3; i++) {
      const owner = await generateKeyPairSigner(), agentKey = await generateKeyPairSigner();
      svm.airdrop(owner.address, lamports(100_000_000_000n));
      const funds = BOND + FEE + 20_000n * ACC + BigInt(random(80_000)) * ACC;
      const a = { owner, agentKey, agent: await agentPda(chain.program, agentKey.address), ownerAcc: await fundedAccAccount(svm, chain.pdas.mint, owner.address, funds) };
      expectSuccess(await send(svm, owner, [registerAgentInstruction({ ...chain, ...a })]));
      a.model = { funds: funds - BOND - FEE, exited: false, active: 0n, unbonding: 0n, unlocksAt: 0n, slashes: 0, history: [] };
      totalFunds += funds; fees += FEE;
      agents.push(a);
    }
    const records = []; // { address, agent, amount, harmedShare, status, appealDeadline, decisionDeadline }
    let paid = 0n, slashBurned = 0n;
    const checkpoint = (m) => {
      const last = m.history[m.history.length - 1];
      if (last && last.time === now()) last.stake = m.active; else m.history.push({ time: now(), stake: m.active });
    };

    const ops = {
      stake: (a) => {
        const m = a.model, amount = BigInt(random(2_000)) * ACC;
        const expect = m.exited ? 'AGENT_EXITED' : amount === 0n ? 'ZERO_AMOUNT' : m.funds < amount ? 'INSUFFICIENT_FUNDS' : null;
        return { signer: a.owner, ix: stakeInstruction({ ...chain, ...a, amount }), expect, apply: () => { m.funds -= amount; m.active += amount; checkpoint(m); } };
      },
      unstake: (a) => {
        const m = a.model, amount = BigInt(random(1_500)) * ACC;
        const expect = amount === 0n ? 'ZERO_AMOUNT' : amount > m.active ? 'INSUFFICIENT_STAKE' : null;
        return { signer: a.owner, ix: requestUnstakeInstruction({ ...chain, ...a, amount }), expect, apply: () => {
          m.active -= amount; m.unbonding += amount; m.unlocksAt = now() + UNBONDING; checkpoint(m); } };
      },
      withdraw: (a) => {
        const m = a.model;
        const expect = m.unbonding === 0n ? 'NOTHING_TO_WITHDRAW' : now() < m.unlocksAt ? 'UNBONDING_LOCKED' : null;
        return { signer: a.owner, ix: withdrawInstruction({ ...chain, ...a }), expect, apply: () => { m.funds += m.unbonding; m.unbonding = 0n; m.unlocksAt = 0n; } };
      },
      exit: (a) => {
        const m = a.model;
        return { signer: a.owner, ix: requestExitInstruction({ ...chain, ...a }), expect: m.exited ? 'AGENT_EXITED' : null, apply: () => { m.exited = true; } };
      },
      slash: async (a) => {
        const m = a.model, severity = [100, 500, 1_000, 2_500, 5_000, 10_000][random(random(8) === 0 ? 6 : 5)], withHarmed = random(2) === 1;
        const fromActive = m.active * BigInt(severity) / 10_000n, fromUnbonding = m.unbonding * BigInt(severity) / 10_000n;
        const address = await slashPda(chain.program, a.agentKey.address, m.slashes);
        return { signer: slasher, ix: slashInstruction({ ...chain, slasher, slasherPdaAddress: slasherAccount, agent: a.agent, record: address, severityBps: severity,
          harmedParty: withHarmed ? harmed : undefined }), expect: null, apply: () => {
          if (fromActive + fromUnbonding === 0n) return;
          m.active -= fromActive; m.unbonding -= fromUnbonding; m.slashes++;
          if (fromActive !== 0n) checkpoint(m);
          records.push({ address, agent: a, amount: fromActive + fromUnbonding, harmedShare: withHarmed ? 5_000n : 0n, status: SLASH_STATUS.PENDING,
            appealDeadline: now() + APPEAL_WINDOW, decisionDeadline: 0n });
        } };
      },
      appeal: (r) => {
        const expect = r.status === SLASH_STATUS.APPEALED ? 'ALREADY_APPEALED' : r.status !== SLASH_STATUS.PENDING ? 'SLASH_NOT_OPEN'
          : now() > r.appealDeadline ? 'APPEAL_WINDOW_CLOSED' : null;
        return { signer: r.agent.owner, ix: appealSlashInstruction({ ...chain, ...r.agent, record: r.address }), expect, apply: () => {
          r.status = SLASH_STATUS.APPEALED; r.decisionDeadline = now() + DECISION; } };
      },
      reverse: (r) => {
        const expect = r.status === SLASH_STATUS.APPEALED ? (now() > r.decisionDeadline ? 'DECISION_PERIOD_OVER' : null)
          : r.status === SLASH_STATUS.PENDING ? (now() > r.appealDeadline ? 'APPEAL_WINDOW_CLOSED' : null) : 'SLASH_NOT_OPEN';
        return { signer: chain.payer, ix: reverseSlashInstruction({ ...chain, authority: chain.payer, record: r.address, agent: r.agent.agent }), expect, apply: () => {
          r.status = SLASH_STATUS.REVERSED; r.agent.model.active += r.amount; checkpoint(r.agent.model); } };
      },
      dismiss: (r) => {
        const expect = r.status === SLASH_STATUS.PENDING ? 'NOT_APPEALED' : r.status !== SLASH_STATUS.APPEALED ? 'SLASH_NOT_OPEN'
          : now() > r.decisionDeadline ? 'DECISION_PERIOD_OVER' : null;
        return { signer: chain.payer, ix: dismissAppealInstruction({ ...chain, authority: chain.payer, record: r.address, harmedAcc }), expect, apply: () => settle(r) };
      },
      finalize: (r) => {
        const expect = r.status === SLASH_STATUS.APPEALED ? (now() <= r.decisionDeadline ? 'APPEAL_PENDING' : null)
          : r.status === SLASH_STATUS.PENDING ? (now() <= r.appealDeadline ? 'APPEAL_WINDOW_OPEN' : null) : 'SLASH_NOT_OPEN';
        return { signer: relayer, ix: finalizeSlashInstruction({ ...chain, record: r.address, harmedAcc }), expect, apply: () => settle(r) };
      },
    };
    const settle = (r) => {
      const share = r.amount * r.harmedShare / 10_000n;
      r.status = SLASH_STATUS.FINALIZED; paid += share; slashBurned += r.amount - share;
    };
    const recordOps = new Set(['appeal', 'reverse', 'dismiss', 'finalize']);
    const weights = [['stake', 7], ['unstake', 4], ['withdraw', 5], ['exit', 1], ['slash', 3], ['appeal', 5], ['reverse', 4], ['dismiss', 3],
      ['finalize', 4], ['stakeAt', 3], ['time', 4]];
    const pick = () => {
      let r = random(weights.reduce((n, [, w]) => n + w, 0));
      for (const [name, w] of weights) { if (r < w) return name; r -= w; }
      return 'time';
    };

    const succeeded = {};
    for (let step = 0; step < STEPS; step++) {
      const name = pick();
      // two agents never exit, so every path stays reachable; withdraw mostly goes to an agent with unbonding stake
      const unbonding = agents.filter((x) => x.model.unbonding !== 0n);
      const a = name === 'exit' ? agents[2] : name === 'withdraw' && unbonding.length && random(3) ? unbonding[random(unbonding.length)] : agents[random(agents.length)];
      const where = `seed ${seed}, step ${step}: ${name}`;
      if (name === 'time') {
        const clock = svm.getClock();
        clock.unixTimestamp += (random(10) === 0 ? 31n : BigInt(random(12))) * DAY + BigInt(random(3_600)); // sometimes past an unbonding
        svm.setClock(clock);
        continue;
      }
      if (name === 'stakeAt') {
        const t = now() - 1n - BigInt(random(20)) * DAY - BigInt(random(3_600)), m = a.model;
        const full = [...m.history].reverse().find((c) => c.time <= t)?.stake ?? 0n;
        const kept = m.history.slice(-4), inRing = [...kept].reverse().find((c) => c.time <= t);
        const result = await send(svm, relayer, [stakeAtInstruction({ ...chain, agent: a.agent, time: t })]);
        if (inRing || m.history.length < 4) {
          assert.equal(returnedU64(expectSuccess(result)), full, `${where}: stake at ${t}`);
          succeeded.stakeAt = (succeeded.stakeAt ?? 0) + 1;
        } else {
          assert.equal(customError(result).code, ERRORS.STAKE_HISTORY_GONE, `${where}: history gone, never a wrong value`);
        }
        continue;
      }
      let op;
      if (recordOps.has(name)) {
        if (records.length === 0) continue;
        // mostly an open slash (the closed ones only refuse), sometimes any
        const openOnes = records.filter((r) => r.status === SLASH_STATUS.APPEALED || (name !== 'dismiss' && r.status === SLASH_STATUS.PENDING));
        const pool = openOnes.length !== 0 && random(5) !== 0 ? openOnes : records;
        op = ops[name](pool[random(pool.length)]);
      } else {
        op = await ops[name](a);
      }
      const { code, error, logs } = customError(await send(svm, op.signer, [op.ix]));
      assert.equal(code, op.expect === null ? null : ERRORS[op.expect], `${where}: expected ${op.expect ?? 'success'}, got ${error ?? 'success'}\n${logs.join('\n')}`);
      if (op.expect === null) { op.apply(); succeeded[name] = (succeeded[name] ?? 0) + 1; }

      for (const { agent, ownerAcc, model: m } of agents) {
        assert.equal(readTokenAccount(svm, ownerAcc).amount, m.funds, `${where}: owner's ACC`);
        const onChain = readAgent(svm, agent);
        assert.deepEqual([onChain.activeStake, onChain.unbondingStake], [m.active, m.unbonding], `${where}: agent`);
      }
      for (const r of records) assert.equal(readSlash(svm, r.address).status, r.status, `${where}: slash ${r.address}`);
      const open = records.filter((r) => r.status === SLASH_STATUS.PENDING || r.status === SLASH_STATUS.APPEALED).reduce((n, r) => n + r.amount, 0n);
      const stakes = readTokenAccount(svm, chain.pdas.vaults[VAULT.STAKES]).amount, bonds = readTokenAccount(svm, chain.pdas.vaults[VAULT.BONDS]).amount;
      const harmedBalance = readTokenAccount(svm, harmedAcc).amount;
      assert.equal(stakes, agents.reduce((n, { model: m }) => n + m.active + m.unbonding, 0n) + open, `${where}: stakes vault = stakes + open slashes`);
      assert.equal(harmedBalance, paid, `${where}: the harmed party got each finalized share once`);
      assert.equal(agents.reduce((n, { model: m }) => n + m.funds, 0n) + stakes + bonds + harmedBalance + fees + slashBurned, totalFunds, `${where}: ACC conserved`);
      assert.equal(readMint(svm, chain.pdas.mint).supply, TOTAL_SUPPLY - fees - slashBurned, `${where}: supply less fees and burned slashes`);
    }
    // every instruction's success path was reached, not only its refusals
    assert.deepEqual(Object.keys(succeeded).sort(), [...weights.map(([n]) => n).filter((n) => n !== 'time')].sort(), JSON.stringify(succeeded));
  });
}
