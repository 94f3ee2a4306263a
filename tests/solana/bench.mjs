// scripts/bench solana: one "<instruction> <CU>" line per instruction of the program, as LiteSVM reports the compute
// units (cross-program invocations included), then "<instruction>.without_cpi <CU>": the total less the units the
// invoked programs report in the logs (SPL Token's; the System program is a builtin that logs none, so its 150 CU a
// call stay in, as does the runtime's fixed cost of each invocation). The program is deployed at a fixed address,
// because PDA bumps, and so the units sol_try_find_program_address spends, depend on it.
import { createKeyPairSignerFromPrivateKeyBytes, lamports } from '@solana/kit';
import { expectSuccess, send } from './helpers.mjs';
import {
  ACC, agentPda, deployAgentCluster, fundedAccAccount, genesisInstruction, initializeInstruction, registerAgentInstruction, requestUnstakeInstruction,
  stakeInstruction, withdrawInstruction, newAttestor, attestorPda, setAttestorInstruction, attestationData, attestationMessage,
  ed25519Instruction, attestInstruction, requestExitInstruction, withdrawBondInstruction,
} from './program.mjs';

/** The units the top-level program used itself: its total less what the programs it invoked consumed. */
function withoutCpi(result) {
  let depth = 0, inner = 0n;
  for (const line of result.logs()) {
    const invoke = line.match(/^Program \w+ invoke \[(\d+)\]$/);
    if (invoke) depth = Number(invoke[1]);
    const consumed = line.match(/^Program \w+ consumed (\d+) of \d+ compute units$/);
    if (consumed && depth === 2) inner += BigInt(consumed[1]);
    if (/^Program \w+ (success|failed)/.test(line)) depth--; // builtins log no "consumed" line, only this
  }
  return result.computeUnitsConsumed() - inner;
}

const figures = [];
const measure = (name, result) => figures.push([name, expectSuccess(result).computeUnitsConsumed(), withoutCpi(result)]);

const programKeys = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(7));
const chain = await deployAgentCluster({ programKeys });
measure('initialize', await send(chain.svm, chain.payer, [initializeInstruction({ ...chain, authority: chain.payer })]));
// sol-final: genesis in steps, one line each (the mint; two vaults a step, the genesis ones minted their shares; the last
// also removes the mint authority)
for (const [step, name] of [[1, 'genesis.mint'], [2, 'genesis.vaults_0_1'], [3, 'genesis.vaults_2_3'], [4, 'genesis.vaults_4_5'],
  [5, 'genesis.vaults_6_7']]) {
  measure(name, await send(chain.svm, chain.payer, [genesisInstruction({ ...chain, authority: chain.payer, step })]));
}

const keys = async (fill) => createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(fill));
const owner = await keys(8), agentKey = await keys(9);
chain.svm.airdrop(owner.address, lamports(10_000_000_000n));
const who = { owner, agentKey, agent: await agentPda(chain.program, agentKey.address),
  ownerAcc: await fundedAccAccount(chain.svm, chain.pdas.mint, owner.address, 20_000n * ACC) };
measure('register_agent', await send(chain.svm, owner, [registerAgentInstruction({ ...chain, ...who })]));
measure('stake', await send(chain.svm, owner, [stakeInstruction({ ...chain, ...who, amount: 1_000n * ACC })]));
measure('request_unstake', await send(chain.svm, owner, [requestUnstakeInstruction({ ...chain, ...who, amount: 400n * ACC })]));
{ // the stake history's growth (sol-gaps): an agent registers with room for four points; the fifth change grows it
  const tick = () => { const c = chain.svm.getClock(); c.unixTimestamp += 1n; chain.svm.setClock(c); };
  for (let i = 0; i < 3; i++) { tick(); expectSuccess(await send(chain.svm, owner, [stakeInstruction({ ...chain, ...who, amount: ACC })])); }
  tick();
  const before = (await import('./program.mjs')).readAgentHistory(chain.svm, who.agent); // four points, full
  measure('stake.grow', await send(chain.svm, owner, [stakeInstruction({ ...chain, ...who, amount: ACC })]));
  const after = (await import('./program.mjs')).readAgentHistory(chain.svm, who.agent);
  if (after.capacity <= before.capacity) throw new Error(`stake.grow did not grow: ${JSON.stringify([before.count, before.capacity, after.count, after.capacity])}`);
}
const clock = chain.svm.getClock();
clock.unixTimestamp += 30n * 86400n;
chain.svm.setClock(clock);
measure('withdraw', await send(chain.svm, owner, [withdrawInstruction({ ...chain, ...who })]));

// Ed25519 signatures are deterministic, so a fixed attestor key keeps the figures fixed.
const attestor = newAttestor(new Uint8Array(32).fill(10));
const attestorAccount = await attestorPda(chain.program, attestor.address);
measure('set_attestor', await send(chain.svm, chain.payer, [setAttestorInstruction({ ...chain, authority: chain.payer, attestorKey: attestor.address,
  attestor: attestorAccount })]));
const fields = attestationData({ expiresAt: chain.svm.getClock().unixTimestamp + 86400n, nonce: 1n });
const message = attestationMessage({ program: chain.program, agentKey: agentKey.address, fields });
measure('attest', await send(chain.svm, chain.payer, [ed25519Instruction({ publicKey: attestor.publicKey, signature: attestor.sign(message), message }),
  attestInstruction({ ...chain, agent: who.agent, attestor: attestorAccount, fields })]));
measure('request_exit', await send(chain.svm, owner, [requestExitInstruction({ ...chain, ...who })]));
clock.unixTimestamp += 30n * 86400n;
chain.svm.setClock(clock);
measure('withdraw_bond', await send(chain.svm, owner, [withdrawBondInstruction({ ...chain, ...who })]));

// --- sol-stake: slashing, appeals, reputation, the stake history ---
{
  const { setSlasherInstruction, slasherPda, slashInstruction, slashPda, appealSlashInstruction, reverseSlashInstruction, dismissAppealInstruction,
    finalizeSlashInstruction, openReputationInstruction, recordReputationInstruction, reputationPda, stakeAtInstruction, reputationOfInstruction } =
    await import('./program.mjs');
  const owner2 = await keys(11), agentKey2 = await keys(12), slasher = await keys(13), harmed = await keys(14);
  chain.svm.airdrop(owner2.address, lamports(10_000_000_000n));
  chain.svm.airdrop(slasher.address, lamports(10_000_000_000n));
  const who2 = { owner: owner2, agentKey: agentKey2, agent: await agentPda(chain.program, agentKey2.address),
    ownerAcc: await fundedAccAccount(chain.svm, chain.pdas.mint, owner2.address, 20_000n * ACC) };
  const harmedAcc = await fundedAccAccount(chain.svm, chain.pdas.mint, harmed.address, 0n);
  expectSuccess(await send(chain.svm, owner2, [registerAgentInstruction({ ...chain, ...who2 })]));
  expectSuccess(await send(chain.svm, owner2, [stakeInstruction({ ...chain, ...who2, amount: 5_000n * ACC })]));
  const slasherAccount = await slasherPda(chain.program, slasher.address);
  measure('set_slasher', await send(chain.svm, chain.payer, [setSlasherInstruction({ ...chain, authority: chain.payer, slasherKey: slasher.address, slasher: slasherAccount })]));
  const records = [0, 1, 2].map((i) => slashPda(chain.program, agentKey2.address, i));
  const slash = async (i) => send(chain.svm, slasher, [slashInstruction({ ...chain, slasher, slasherPdaAddress: slasherAccount, agent: who2.agent,
    record: await records[i], severityBps: 1_000, harmedParty: harmed.address })]);
  measure('slash', await slash(0));
  expectSuccess(await slash(1));
  expectSuccess(await slash(2));
  measure('appeal_slash', await send(chain.svm, owner2, [appealSlashInstruction({ ...chain, ...who2, record: await records[0] })]));
  measure('dismiss_appeal', await send(chain.svm, chain.payer, [dismissAppealInstruction({ ...chain, authority: chain.payer, record: await records[0], harmedAcc })]));
  measure('reverse_slash', await send(chain.svm, chain.payer, [reverseSlashInstruction({ ...chain, authority: chain.payer, record: await records[1], agent: who2.agent })]));
  clock.unixTimestamp += 8n * 86400n;
  chain.svm.setClock(clock);
  measure('finalize_slash', await send(chain.svm, chain.payer, [finalizeSlashInstruction({ ...chain, record: await records[2], harmedAcc })]));
  const reputation = await reputationPda(chain.program, agentKey2.address);
  measure('open_reputation', await send(chain.svm, chain.payer, [openReputationInstruction({ ...chain, payer: chain.payer, agent: who2.agent, reputation })]));
  measure('record_reputation', await send(chain.svm, chain.payer, [recordReputationInstruction({ ...chain, authority: chain.payer, reputation, dimension: 0, delta: 1_000n })]));
  clock.unixTimestamp += 45n * 86400n;
  chain.svm.setClock(clock);
  measure('reputation_of', await send(chain.svm, chain.payer, [reputationOfInstruction({ ...chain, reputation, dimension: 0 })]));
  measure('stake_at', await send(chain.svm, chain.payer, [stakeAtInstruction({ ...chain, agent: who2.agent, time: clock.unixTimestamp - 1n })]));

  // governance: one agent with 12M ACC staked (threshold 1M, quorum 10M floors) proposes, votes and executes
  const { proposalPda, proposeInstruction, voteInstruction, votePda, executeProposalInstruction } = await import('./program.mjs');
  const owner3 = await keys(15), agentKey3 = await keys(16);
  chain.svm.airdrop(owner3.address, lamports(10_000_000_000n));
  const who3 = { owner: owner3, agentKey: agentKey3, agent: await agentPda(chain.program, agentKey3.address),
    ownerAcc: await fundedAccAccount(chain.svm, chain.pdas.mint, owner3.address, 12_020_000n * ACC) };
  expectSuccess(await send(chain.svm, owner3, [registerAgentInstruction({ ...chain, ...who3 })]));
  expectSuccess(await send(chain.svm, owner3, [stakeInstruction({ ...chain, ...who3, amount: 12_000_000n * ACC })]));
  clock.unixTimestamp += 1n;
  chain.svm.setClock(clock);
  const id = new Uint8Array(32).fill(17), proposal = await proposalPda(chain.program, id);
  measure('propose', await send(chain.svm, owner3, [proposeInstruction({ ...chain, ...who3, proposal, id, action: 4, value: 20n * 86400n })]));
  measure('vote', await send(chain.svm, owner3, [voteInstruction({ ...chain, ...who3, proposal, vote: await votePda(chain.program, proposal, agentKey3.address), support: 1 })]));
  clock.unixTimestamp += 12n * 86400n + 1n;
  chain.svm.setClock(clock);
  measure('execute_proposal', await send(chain.svm, chain.payer, [executeProposalInstruction({ ...chain, executor: chain.payer, proposal })]));
}
// --- end of sol-stake's block ---

// --- sol-market: the task market, one task through its whole life (committee of 3) ---
let taskLife = null; // sol-gaps: set by the task_life block below
{
  const { MARKET_IX, taskPda, taskVaultPda, submitTaskInstruction, bidInstruction, keeperInstruction, postResultInstruction, commitVoteInstruction,
    revealVoteInstruction, setSlotHashes, voteCommitment, readTask, slashPda, readAgentHistory, SLOT_HASHES, reputationPda, openReputationInstruction } = await import('./program.mjs');
  const { AccountRole, SYSTEM_PROGRAM } = await import('./helpers.mjs');
  const later = (seconds) => { const c = chain.svm.getClock(); c.unixTimestamp += BigInt(seconds); chain.svm.setClock(c); };
  const now = () => chain.svm.getClock().unixTimestamp;
  const agents = [];
  for (let i = 0; i < 5; i++) {
    const owner = await keys(40 + 2 * i), agentKey = await keys(41 + 2 * i);
    chain.svm.airdrop(owner.address, lamports(10_000_000_000n));
    const who = { owner, agentKey, agent: await agentPda(chain.program, agentKey.address),
      ownerAcc: await fundedAccAccount(chain.svm, chain.pdas.mint, owner.address, 30_000n * ACC) };
    expectSuccess(await send(chain.svm, owner, [registerAgentInstruction({ ...chain, ...who })]));
    const f = attestationData({ expiresAt: now() + 20n * 86400n, nonce: 1n });
    const msg = attestationMessage({ program: chain.program, agentKey: agentKey.address, fields: f });
    expectSuccess(await send(chain.svm, chain.payer, [ed25519Instruction({ publicKey: attestor.publicKey, signature: attestor.sign(msg), message: msg }),
      attestInstruction({ ...chain, agent: who.agent, attestor: attestorAccount, fields: f })]));
    expectSuccess(await send(chain.svm, owner, [stakeInstruction({ ...chain, ...who, amount: (i === 4 ? 15_000n : BigInt(1_000 * (i + 1))) * ACC })]));
    who.reputation = await reputationPda(chain.program, agentKey.address);
    expectSuccess(await send(chain.svm, chain.payer, [openReputationInstruction({ ...chain, payer: chain.payer, agent: who.agent, reputation: who.reputation })]));
    agents.push(who);
  }
  later(60);
  const [executor, ...members] = agents.slice(0, 4), spare = agents[4];
  const requester = await keys(60), keeper = await keys(61);
  chain.svm.airdrop(requester.address, lamports(10_000_000_000n));
  chain.svm.airdrop(keeper.address, lamports(10_000_000_000n));
  const requesterAcc = await fundedAccAccount(chain.svm, chain.pdas.mint, requester.address, 10_000n * ACC);
  const keeperAcc = await fundedAccAccount(chain.svm, chain.pdas.mint, keeper.address, 0n);
  /** One task's life; `note` measures under the instruction's name (first task) or not at all. */
  const life = async (id, vote, note) => {
    const task = await taskPda(chain.program, requester.address, id), vault = await taskVaultPda(chain.program, task);
    const keep = (tag, extra = [], args = []) => send(chain.svm, keeper, [keeperInstruction({ ...chain, tag, keeper, keeperAcc, task, vault, extra, args })]);
    const w = (address) => ({ address, role: AccountRole.WRITABLE }), r = (address) => ({ address, role: AccountRole.READONLY });
    const penalty = async () => [w(executor.agent), w(await slashPda(chain.program, executor.agentKey.address,
      readAgentHistory(chain.svm, executor.agent).slashCount)), r(SYSTEM_PROGRAM)];
    note('submit_task', await send(chain.svm, requester, [submitTaskInstruction({ ...chain, requester, task, vault, requesterAcc, id,
      bounty: 1_000n * ACC, fee: 25n * ACC, deadline: now() + 86400n, committeeSize: 3 })]));
    note('bid', await send(chain.svm, chain.payer, [bidInstruction({ ...chain, signer: executor.agentKey, agent: executor.agent, task, price: 900n * ACC })]));
    later(3600);
    note('assign_task', await keep(MARKET_IX.ASSIGN_TASK));
    note('post_result', await send(chain.svm, chain.payer, [postResultInstruction({ ...chain, executorKey: executor.agentKey, task })]));
    const { seedSlot } = readTask(chain.svm, task);
    setSlotHashes(chain.svm, [{ slot: seedSlot, hash: new Uint8Array(32).fill(0x5e) }]);
    later(5);
    note('fix_seed', await keep(MARKET_IX.FIX_SEED, [r(SLOT_HASHES)]));
    note('draw_seat', await keep(MARKET_IX.DRAW_SEAT, [r(members[0].agent)]));
    expectSuccess(await keep(MARKET_IX.DRAW_SEAT, [r(members[1].agent)]));
    expectSuccess(await keep(MARKET_IX.DRAW_SEAT, [r(members[2].agent)]));
    later(1801); // the claim phase: the spare agent (the largest stake) takes the seat with the largest key
    const worst = readTask(chain.svm, task).members.map((seat, i) => ({ i, key: Number(seat.negLog2U) / Number(seat.weight) })).sort((a, b) => b.key - a.key)[0].i;
    note('claim_seat', await keep(MARKET_IX.CLAIM_SEAT, [r(spare.agent)], [worst]));
    later(1800);
    const salt = new Uint8Array(32).fill(0x11);
    const seats = readTask(chain.svm, task).members;
    for (const [i, seat] of seats.entries()) {
      const who = agents.find((a) => a.agentKey.address === seat.agentKey);
      const ix = commitVoteInstruction({ ...chain, memberKey: who.agentKey, task, seat: i, commitment: voteCommitment({ task, agentKey: who.agentKey.address, vote, salt }) });
      const result = await send(chain.svm, chain.payer, [ix]);
      if (i === 0) note('commit_vote', result); else expectSuccess(result);
    }
    for (let i = 0; i < seats.length; i++) {
      const result = await send(chain.svm, chain.payer, [revealVoteInstruction({ ...chain, task, seat: i, vote, salt })]);
      if (i === 0) note('reveal_vote', result); else expectSuccess(result);
    }
    note('settle_task', await keep(MARKET_IX.SETTLE_TASK, [w(chain.pdas.mint)]));
    note('settle_executor', await keep(MARKET_IX.SETTLE_EXECUTOR, [...await penalty(), w(executor.reputation)]));
    const member0 = agents.find((a) => a.agentKey.address === seats[0].agentKey);
    note('settle_member', await keep(MARKET_IX.SETTLE_MEMBER, [w(member0.ownerAcc), w(member0.reputation), w(member0.agent),
      w(await slashPda(chain.program, member0.agentKey.address, readAgentHistory(chain.svm, member0.agent).slashCount)), r(SYSTEM_PROGRAM)], [0]));
    note('claim_payout', await send(chain.svm, requester, [keeperInstruction({ ...chain, tag: MARKET_IX.CLAIM_PAYOUT, keeper: requester, keeperAcc: requesterAcc, task, vault })]));
  };
  await life(1n, 1, measure);
  // A rejected result: the settlement slashes the executor (the slash record's creation included).
  await life(2n, 0, (name, result) => (['settle_task', 'settle_executor'].includes(name) ? measure(`${name}.rejected`, result) : expectSuccess(result)));
  // A missed deadline: the report slashes the executor.
  {
    const task = await taskPda(chain.program, requester.address, 3n), vault = await taskVaultPda(chain.program, task);
    expectSuccess(await send(chain.svm, requester, [submitTaskInstruction({ ...chain, requester, task, vault, requesterAcc, id: 3n,
      bounty: 1_000n * ACC, fee: 25n * ACC, deadline: now() + 86400n, committeeSize: 3 })]));
    expectSuccess(await send(chain.svm, chain.payer, [bidInstruction({ ...chain, signer: executor.agentKey, agent: executor.agent, task, price: 900n * ACC })]));
    later(3600);
    const keep3 = (tag, extra = []) => send(chain.svm, keeper, [keeperInstruction({ ...chain, tag, keeper, keeperAcc, task, vault, extra })]);
    expectSuccess(await keep3(MARKET_IX.ASSIGN_TASK));
    later(86400);
    const w = (address) => ({ address, role: AccountRole.WRITABLE }), r = (address) => ({ address, role: AccountRole.READONLY });
    measure('report_missed_deadline', await keep3(MARKET_IX.REPORT_MISSED_DEADLINE));
    measure('settle_executor.missed', await keep3(MARKET_IX.SETTLE_EXECUTOR, [w(executor.agent), w(await slashPda(chain.program,
      executor.agentKey.address, readAgentHistory(chain.svm, executor.agent).slashCount)), r(SYSTEM_PROGRAM), w(executor.reputation)]));
  }
  // The bounded loop's worst case: the 64th seat of a 64-member committee (the already-seated scan covers 63 seats).
  {
    const many = [];
    for (let i = 0; i < 100; i++) { // 64 for the 64-member committee, 100 for sol-final's committee of 100
      const owner = await keys(100 + (i % 100)), agentKey = await createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(0).map((_, j) => (j === 0 ? 200 : j === 1 ? i : 1)));
      chain.svm.airdrop(owner.address, lamports(10_000_000_000n));
      const who = { owner, agentKey, agent: await agentPda(chain.program, agentKey.address),
        ownerAcc: await fundedAccAccount(chain.svm, chain.pdas.mint, owner.address, 12_000n * ACC) };
      expectSuccess(await send(chain.svm, owner, [registerAgentInstruction({ ...chain, ...who })]));
      const f = attestationData({ expiresAt: now() + 20n * 86400n, nonce: 1n });
      const msg = attestationMessage({ program: chain.program, agentKey: agentKey.address, fields: f });
      expectSuccess(await send(chain.svm, chain.payer, [ed25519Instruction({ publicKey: attestor.publicKey, signature: attestor.sign(msg), message: msg }),
        attestInstruction({ ...chain, agent: who.agent, attestor: attestorAccount, fields: f })]));
      expectSuccess(await send(chain.svm, owner, [stakeInstruction({ ...chain, ...who, amount: 1_000n * ACC })]));
      many.push(who);
    }
    later(60);
    const task = await taskPda(chain.program, requester.address, 4n), vault = await taskVaultPda(chain.program, task);
    expectSuccess(await send(chain.svm, requester, [submitTaskInstruction({ ...chain, requester, task, vault, requesterAcc, id: 4n,
      bounty: 1_000n * ACC, fee: 200n * ACC, deadline: now() + 86400n, committeeSize: 64 })]));
    expectSuccess(await send(chain.svm, chain.payer, [bidInstruction({ ...chain, signer: executor.agentKey, agent: executor.agent, task, price: 900n * ACC })]));
    later(3600);
    const keep4 = (tag, extra = [], args = []) => send(chain.svm, keeper, [keeperInstruction({ ...chain, tag, keeper, keeperAcc, task, vault, extra, args })]);
    const w = (address) => ({ address, role: AccountRole.WRITABLE }), r = (address) => ({ address, role: AccountRole.READONLY });
    expectSuccess(await keep4(MARKET_IX.ASSIGN_TASK));
    expectSuccess(await send(chain.svm, chain.payer, [postResultInstruction({ ...chain, executorKey: executor.agentKey, task })]));
    setSlotHashes(chain.svm, [{ slot: readTask(chain.svm, task).seedSlot, hash: new Uint8Array(32).fill(0x64) }]);
    later(5);
    expectSuccess(await keep4(MARKET_IX.FIX_SEED, [r(SLOT_HASHES)]));
    for (let i = 0; i < 63; i++) expectSuccess(await keep4(MARKET_IX.DRAW_SEAT, [r(many[i].agent)]));
    measure('draw_seat.64th', await keep4(MARKET_IX.DRAW_SEAT, [r(many[63].agent)]));
    later(1801);
    const worst = readTask(chain.svm, task).members.map((seat, i) => ({ i, key: Number(seat.negLog2U) / Number(seat.weight) })).sort((a, b) => b.key - a.key)[0].i;
    measure('claim_seat.64', await keep4(MARKET_IX.CLAIM_SEAT, [r(spare.agent)], [worst]));

    // --- sol-gaps: one task's whole life with a 10-member committee, every instruction summed (CPIs included) ---
    // task_life = submit_task + bid + assign_task + post_result + fix_seed + 10 draw_seat + 9 commit_vote + 9 reveal_vote
    //   + settle_task + settle_executor + 10 settle_member + 2 claim_payout (requester, executor's owner): 8 members
    //   approve, one rejects (the light minority slash), one stays silent (the non-reveal slash); no seat claim (the
    //   fill phase seats the members; a claim happens only when a better key appears).
    let life = 0n;
    const add = (name, result) => { life += expectSuccess(result).computeUnitsConsumed(); if (name) measure(name, result); };
    const id = 5n, lifeTask = await taskPda(chain.program, requester.address, id), lifeVault = await taskVaultPda(chain.program, lifeTask);
    const keep5 = (tag, extra = [], args = []) => send(chain.svm, keeper, [keeperInstruction({ ...chain, tag, keeper, keeperAcc, task: lifeTask, vault: lifeVault, extra, args })]);
    add(null, await send(chain.svm, requester, [submitTaskInstruction({ ...chain, requester, task: lifeTask, vault: lifeVault, requesterAcc, id,
      bounty: 1_000n * ACC, fee: 50n * ACC, deadline: now() + 86400n, committeeSize: 10 })]));
    add(null, await send(chain.svm, chain.payer, [bidInstruction({ ...chain, signer: executor.agentKey, agent: executor.agent, task: lifeTask, price: 900n * ACC })]));
    later(3600);
    add(null, await keep5(MARKET_IX.ASSIGN_TASK));
    add(null, await send(chain.svm, chain.payer, [postResultInstruction({ ...chain, executorKey: executor.agentKey, task: lifeTask })]));
    setSlotHashes(chain.svm, [{ slot: readTask(chain.svm, lifeTask).seedSlot, hash: new Uint8Array(32).fill(0x10) }]);
    later(5);
    add(null, await keep5(MARKET_IX.FIX_SEED, [r(SLOT_HASHES)]));
    const committee = many.slice(0, 10);
    for (const who of committee) add(null, await keep5(MARKET_IX.DRAW_SEAT, [r(who.agent)]));
    later(3601);
    const lifeSeats = readTask(chain.svm, lifeTask).members;
    const memberOf = (seat) => committee.find((who) => who.agentKey.address === seat.agentKey);
    const voteOfSeat = (i) => (i === 9 ? null : i === 8 ? 0 : 1);
    const lifeSalt = new Uint8Array(32).fill(0x22);
    for (const [i, seat] of lifeSeats.entries()) {
      if (voteOfSeat(i) === null) continue;
      add(null, await send(chain.svm, chain.payer, [commitVoteInstruction({ ...chain, memberKey: memberOf(seat).agentKey, task: lifeTask, seat: i,
        commitment: voteCommitment({ task: lifeTask, agentKey: seat.agentKey, vote: voteOfSeat(i), salt: lifeSalt }) })]));
    }
    later(3600);
    for (let i = 0; i < lifeSeats.length; i++) {
      if (voteOfSeat(i) !== null) add(null, await send(chain.svm, chain.payer, [revealVoteInstruction({ ...chain, task: lifeTask, seat: i, vote: voteOfSeat(i), salt: lifeSalt })]));
    }
    later(3600);
    add(null, await keep5(MARKET_IX.SETTLE_TASK, [w(chain.pdas.mint)]));
    add(null, await keep5(MARKET_IX.SETTLE_EXECUTOR, [w(executor.agent), w(await slashPda(chain.program, executor.agentKey.address,
      readAgentHistory(chain.svm, executor.agent).slashCount)), r(SYSTEM_PROGRAM), w(executor.reputation)]));
    { // the silent member's stake history is full (three more changes after the result), so its slash grows it: the worst case
      const silent = memberOf(lifeSeats[9]);
      for (let k = 0; k < 3; k++) { later(1); expectSuccess(await send(chain.svm, silent.owner, [stakeInstruction({ ...chain, ...silent, amount: ACC })])); }
      const h = readAgentHistory(chain.svm, silent.agent);
      if (h.count + h.reserved + 2 <= h.capacity) throw new Error('settle_member.silent: the history would not grow');
    }
    for (const [i, seat] of lifeSeats.entries()) {
      const who = memberOf(seat);
      const reputation = await reputationPda(chain.program, who.agentKey.address);
      if (!chain.svm.getAccount(reputation).exists) {
        expectSuccess(await send(chain.svm, chain.payer, [openReputationInstruction({ ...chain, payer: chain.payer, agent: who.agent, reputation })]));
      }
      add(i === 8 ? 'settle_member.minority' : i === 9 ? 'settle_member.silent_grow' : null, await keep5(MARKET_IX.SETTLE_MEMBER, [w(who.ownerAcc), w(reputation),
        w(who.agent), w(await slashPda(chain.program, who.agentKey.address, readAgentHistory(chain.svm, who.agent).slashCount)), r(SYSTEM_PROGRAM)], [i]));
    }
    add(null, await send(chain.svm, requester, [keeperInstruction({ ...chain, tag: MARKET_IX.CLAIM_PAYOUT, keeper: requester, keeperAcc: requesterAcc, task: lifeTask, vault: lifeVault })]));
    add(null, await send(chain.svm, executor.owner, [keeperInstruction({ ...chain, tag: MARKET_IX.CLAIM_PAYOUT, keeper: executor.owner, keeperAcc: executor.ownerAcc, task: lifeTask, vault: lifeVault })]));
    if ((await import('./program.mjs')).readTokenAccount(chain.svm, lifeVault).amount !== 0n) throw new Error('task_life: the task vault is not empty after the last payout');
    taskLife = life;

    // sol-final: a committee of 100, as Base: the task reserved (reserve_task) and grown by submit_task, the 100th seat
    // (the already-seated scan covers 99 seats, 36 of them in the task's extension), a claim over 100 seats.
    {
      const { reserveTaskInstruction } = await import('./program.mjs');
      const id = 6n, task = await taskPda(chain.program, requester.address, id), vault = await taskVaultPda(chain.program, task);
      measure('reserve_task', await send(chain.svm, requester, [reserveTaskInstruction({ ...chain, requester, task, id })]));
      measure('submit_task.grow', await send(chain.svm, requester, [submitTaskInstruction({ ...chain, requester, task, vault, requesterAcc, id,
        bounty: 1_000n * ACC, fee: 400n * ACC, deadline: now() + 86400n, committeeSize: 100 })]));
      expectSuccess(await send(chain.svm, chain.payer, [bidInstruction({ ...chain, signer: executor.agentKey, agent: executor.agent, task, price: 900n * ACC })]));
      later(3600);
      const keep6 = (tag, extra = [], args = []) => send(chain.svm, keeper, [keeperInstruction({ ...chain, tag, keeper, keeperAcc, task, vault, extra, args })]);
      expectSuccess(await keep6(MARKET_IX.ASSIGN_TASK));
      expectSuccess(await send(chain.svm, chain.payer, [postResultInstruction({ ...chain, executorKey: executor.agentKey, task })]));
      setSlotHashes(chain.svm, [{ slot: readTask(chain.svm, task).seedSlot, hash: new Uint8Array(32).fill(0x65) }]);
      later(5);
      expectSuccess(await keep6(MARKET_IX.FIX_SEED, [r(SLOT_HASHES)]));
      for (let i = 0; i < 99; i++) expectSuccess(await keep6(MARKET_IX.DRAW_SEAT, [r(many[i].agent)]));
      measure('draw_seat.100th', await keep6(MARKET_IX.DRAW_SEAT, [r(many[99].agent)]));
      later(1801);
      const worst = readTask(chain.svm, task).members.map((seat, i) => ({ i, key: Number(seat.negLog2U) / Number(seat.weight) })).sort((a, b) => b.key - a.key)[0].i;
      measure('claim_seat.100', await keep6(MARKET_IX.CLAIM_SEAT, [r(spare.agent)], [worst]));
    }
  }
}
// --- end of sol-market's block ---

for (const [name, total] of figures) console.log(`${name} ${total}`);
for (const [name, , own] of figures) console.log(`${name}.without_cpi ${own}`);
// sol-gaps: one task from submit to the last payout, committee of 10 (which instructions: the comment in the block)
console.log('# task_life: submit_task, bid, assign_task, post_result, fix_seed, 10 draw_seat, 9 commit_vote, 9 reveal_vote, settle_task, settle_executor, 10 settle_member, 2 claim_payout (committee of 10, CPIs included)');
console.log(`task_life ${taskLife}`);
