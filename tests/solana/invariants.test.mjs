// Random sequences of the agent instructions against a model: after every step the chain equals the model (what each
// instruction should have done, or the error it should have failed with), ACC is conserved (owners + vaults + burned
// = what there was), and the vaults are solvent (bonds vault = sum of bonds, stakes vault = sum of active + unbonding).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lamports } from '@solana/kit';
import { ERRORS, customError, generateKeyPairSigner, send } from './helpers.mjs';
import {
  ACC, AGENT_STATUS, TOTAL_SUPPLY, VAULT, agentPda, fundedAccAccount, initializedAgentCluster, readAgent, readMint,
  readTokenAccount, registerAgentInstruction, requestExitInstruction, requestUnstakeInstruction, stakeInstruction,
  withdrawBondInstruction, withdrawInstruction,
} from './program.mjs';

const BOND = 10_000n * ACC, FEE = 100n * ACC, DAY = 86400n, UNBONDING = 30n * DAY, EXIT_DELAY = 30n * DAY;
// scripts/test --deep (AGENTCLUSTER_DEEP=1) runs longer sequences from more seeds.
const DEEP = process.env.AGENTCLUSTER_DEEP === '1';
const STEPS = Number(process.env.AGENTCLUSTER_SOLANA_STEPS ?? (DEEP ? 1000 : 200));
const SEEDS = (process.env.AGENTCLUSTER_SOLANA_SEEDS ?? (DEEP ? '1,2,3,4,5,6,7,8' : '1,2')).split(',').map(Number);

function rng(seed) { // xorshift64*: reproducible from the seed printed on failure
  let x = BigInt(seed) || 1n;
  return (n) => {
    x ^= x >> 12n; x ^= (x << 25n) & 0xffffffffffffffffn; x ^= x >> 27n;
    return Number(((x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) % BigInt(n));
  };
}

for (const seed of SEEDS) {
  test(`Invariants_RandomSequencesMatchTheModelConserveAccAndKeepTheVaultsSolvent (seed ${seed})`, async () => {
    const chain = await initializedAgentCluster();
    const { svm } = chain, random = rng(seed);
    const now = () => svm.getClock().unixTimestamp;
    const agents = [];
    for (let i = 0; i < 4; i++) {
      const owner = await generateKeyPairSigner(), agentKey = await generateKeyPairSigner();
      svm.airdrop(owner.address, lamports(100_000_000_000n));
      const funds = 12_000n * ACC + BigInt(random(8_000)) * ACC;
      agents.push({ owner, agentKey, agent: await agentPda(chain.program, agentKey.address),
        ownerAcc: await fundedAccAccount(svm, chain.pdas.mint, owner.address, funds),
        model: { registered: false, exited: false, funds, bond: 0n, active: 0n, unbonding: 0n, unbondingUnlocksAt: 0n, exitUnlocksAt: 0n } });
    }
    const totalFunds = agents.reduce((n, a) => n + a.model.funds, 0n);
    let burned = 0n;

    const ops = {
      register: (a) => {
        const m = a.model;
        const expect = m.registered ? 'ALREADY_INITIALIZED' : m.funds < BOND + FEE ? 'INSUFFICIENT_FUNDS' : null;
        return { ix: registerAgentInstruction({ ...chain, ...a }), expect, apply: () => {
          m.registered = true; m.funds -= BOND + FEE; m.bond = BOND; burned += FEE; } };
      },
      stake: (a) => {
        const m = a.model, amount = BigInt(random(3_000)) * ACC;
        const expect = !m.registered ? 'WRONG_OWNER' : m.exited ? 'AGENT_EXITED' : amount === 0n ? 'ZERO_AMOUNT' : m.funds < amount ? 'INSUFFICIENT_FUNDS' : null;
        return { ix: stakeInstruction({ ...chain, ...a, amount }), expect, apply: () => { m.funds -= amount; m.active += amount; } };
      },
      unstake: (a) => {
        const m = a.model, amount = BigInt(random(2_000)) * ACC;
        const expect = !m.registered ? 'WRONG_OWNER' : amount === 0n ? 'ZERO_AMOUNT' : amount > m.active ? 'INSUFFICIENT_STAKE' : null;
        return { ix: requestUnstakeInstruction({ ...chain, ...a, amount }), expect, apply: () => {
          m.active -= amount; m.unbonding += amount; m.unbondingUnlocksAt = now() + UNBONDING; } };
      },
      withdraw: (a) => {
        const m = a.model;
        const expect = !m.registered ? 'WRONG_OWNER' : m.unbonding === 0n ? 'NOTHING_TO_WITHDRAW' : now() < m.unbondingUnlocksAt ? 'UNBONDING_LOCKED' : null;
        return { ix: withdrawInstruction({ ...chain, ...a }), expect, apply: () => {
          m.funds += m.unbonding; m.unbonding = 0n; m.unbondingUnlocksAt = 0n; } };
      },
      exit: (a) => {
        const m = a.model;
        const expect = !m.registered ? 'WRONG_OWNER' : m.exited ? 'AGENT_EXITED' : null;
        return { ix: requestExitInstruction({ ...chain, ...a }), expect, apply: () => { m.exited = true; m.exitUnlocksAt = now() + EXIT_DELAY; } };
      },
      withdrawBond: (a) => {
        const m = a.model;
        const expect = !m.registered ? 'WRONG_OWNER' : !m.exited || now() < m.exitUnlocksAt ? 'BOND_LOCKED' : m.bond === 0n ? 'NOTHING_TO_WITHDRAW' : null;
        return { ix: withdrawBondInstruction({ ...chain, ...a }), expect, apply: () => { m.funds += m.bond; m.bond = 0n; } };
      },
    };
    const weights = [['register', 3], ['stake', 6], ['unstake', 5], ['withdraw', 4], ['exit', 1], ['withdrawBond', 2], ['time', 3]];
    const pick = () => {
      let r = random(weights.reduce((n, [, w]) => n + w, 0));
      for (const [name, w] of weights) { if (r < w) return name; r -= w; }
      return 'time';
    };

    const succeeded = {};
    for (let step = 0; step < STEPS; step++) {
      const name = pick(), a = agents[random(agents.length)];
      const where = `seed ${seed}, step ${step}: ${name}`;
      if (name === 'time') {
        const clock = svm.getClock();
        clock.unixTimestamp += BigInt(random(45)) * DAY;
        svm.setClock(clock);
        continue;
      }
      const { ix, expect, apply } = ops[name](a);
      const { code, error, logs } = customError(await send(svm, a.owner, [ix]));
      assert.equal(code, expect === null ? null : ERRORS[expect], `${where}: expected ${expect ?? 'success'}, got ${error ?? 'success'}\n${logs.join('\n')}`);
      if (expect === null) { apply(); succeeded[name] = (succeeded[name] ?? 0) + 1; }

      for (const { agent, ownerAcc, model: m } of agents) {
        assert.equal(readTokenAccount(svm, ownerAcc).amount, m.funds, `${where}: owner's ACC`);
        const onChain = readAgent(svm, agent);
        if (!m.registered) { assert.equal(onChain, null, where); continue; }
        assert.deepEqual([onChain.bond, onChain.activeStake, onChain.unbondingStake, onChain.status],
          [m.bond, m.active, m.unbonding, m.exited ? AGENT_STATUS.EXITED : AGENT_STATUS.PENDING], `${where}: agent`);
      }
      const bonds = readTokenAccount(svm, chain.pdas.vaults[VAULT.BONDS]).amount, stakes = readTokenAccount(svm, chain.pdas.vaults[VAULT.STAKES]).amount;
      assert.equal(bonds, agents.reduce((n, { model: m }) => n + m.bond, 0n), `${where}: bonds vault solvent`);
      assert.equal(stakes, agents.reduce((n, { model: m }) => n + m.active + m.unbonding, 0n), `${where}: stakes vault solvent`);
      assert.equal(agents.reduce((n, { model: m }) => n + m.funds, 0n) + bonds + stakes + burned, totalFunds, `${where}: ACC conserved`);
      assert.equal(readMint(svm, chain.pdas.mint).supply, TOTAL_SUPPLY - burned, `${where}: supply less the burned fees`);
    }
    // The sequence reached every instruction's success path, not only its refusals.
    assert.deepEqual(Object.keys(succeeded).sort(), Object.keys(ops).sort(), JSON.stringify(succeeded));
  });
}
