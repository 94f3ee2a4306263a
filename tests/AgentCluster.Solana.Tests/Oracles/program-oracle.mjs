// The AgentCluster program's independent oracle for the C# bindings: tests/solana/program.mjs (the JS description the 141
// LiteSVM tests use) and the real program in LiteSVM.
//   node program-oracle.mjs <repo root> instructions   stdin: one JSON request a line {name, program, args}; stdout: one
//                                                       {ok: {program, accounts: [{address, signer, writable}], data: hex}} or {error} a line
//   node program-oracle.mjs <repo root> flow            stdout: one JSON object: the program id, raw accounts with program.mjs's
//                                                       decoded values, every successful transaction's logs with their decoded
//                                                       events, stake_at and reputation_of answers, the accepted committee
import path from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';

const [root, mode] = process.argv.slice(2);
const imp = (rel) => import(pathToFileURL(path.join(root, rel)).href);
const P = await imp('tests/solana/program.mjs');
const H = await imp('tests/solana/helpers.mjs');
const { getAddressDecoder, getAddressEncoder, getProgramDerivedAddress, address } = await import('@solana/kit');

const hex = (b) => Buffer.from(b).toString('hex');
const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
const keyOf = (bytes) => getAddressDecoder().decode(bytes);
const signer = (a) => ({ address: address(a) });
const r = (a) => ({ address: address(a), role: H.AccountRole.READONLY });
const w = (a) => ({ address: address(a), role: H.AccountRole.WRITABLE });

async function build(name, program, a) {
  const pdas = await P.pdasOf(program);
  const base = { program, pdas };
  const keeper = (tag, extra = [], args = []) => P.keeperInstruction({ ...base, tag, keeper: signer(a.keeper ?? a.payee), keeperAcc: a.keeperAcc ?? a.payeeAcc,
    task: a.task, vault: a.taskVault, extra, args });
  const M = P.MARKET_IX;
  switch (name) {
    case 'Initialize': {
      const [programData] = await getProgramDerivedAddress({ programAddress: H.LOADER, seeds: [getAddressEncoder().encode(program)] });
      return P.initializeInstruction({ ...base, programData, authority: signer(a.authority) });
    }
    case 'GenesisMint': return P.genesisInstruction({ ...base, authority: signer(a.authority), step: 1, bumps: [a.mintBump, 0] });
    case 'GenesisVaults': return P.genesisInstruction({ ...base, authority: signer(a.authority), step: a.step, bumps: [a.bumpA, a.bumpB] });
    case 'Genesis': return P.genesisInstruction({ ...base, authority: signer(a.authority), step: a.step });
    case 'RegisterAgent': return P.registerAgentInstruction({ ...base, owner: signer(a.owner), agentKey: signer(a.agentKey), agent: a.agent, ownerAcc: a.ownerAcc, capabilities: BigInt(a.capabilities) });
    case 'Stake': return P.stakeInstruction({ ...base, owner: signer(a.owner), agent: a.agent, ownerAcc: a.ownerAcc, amount: BigInt(a.amount) });
    case 'RequestUnstake': return P.requestUnstakeInstruction({ ...base, owner: signer(a.owner), agent: a.agent, amount: BigInt(a.amount) });
    case 'Withdraw': return P.withdrawInstruction({ ...base, owner: signer(a.owner), agent: a.agent, ownerAcc: a.ownerAcc });
    case 'SetAttestor': return P.setAttestorInstruction({ ...base, authority: signer(a.authority), attestorKey: a.attestorKey, attestor: a.attestor, approved: a.approved });
    case 'Attest': return P.attestInstruction({ ...base, agent: a.agent, attestor: a.attestor, fields: P.attestationData({ measurement: unhex(a.measurementHash),
      cpuCores: a.cpuCores, gpuMemoryMb: a.gpuMemoryMb, tokensPerSecond: a.tokensPerSecond, expiresAt: BigInt(a.expiresAt), nonce: BigInt(a.nonce) }) });
    case 'RequestExit': return P.requestExitInstruction({ ...base, owner: signer(a.owner), agent: a.agent });
    case 'WithdrawBond': return P.withdrawBondInstruction({ ...base, agent: a.agent, ownerAcc: a.ownerAcc });
    case 'SetSlasher': return P.setSlasherInstruction({ ...base, authority: signer(a.authority), slasherKey: a.slasherKey, slasher: a.slasher, approved: a.approved });
    case 'Slash': return P.slashInstruction({ ...base, slasher: signer(a.slasher), slasherPdaAddress: a.slasherAccount, agent: a.agent, record: a.record,
      severityBps: a.severityBps, harmedParty: a.harmedParty, reason: unhex(a.reason) });
    case 'AppealSlash': return P.appealSlashInstruction({ ...base, owner: signer(a.owner), agent: a.agent, record: a.record });
    case 'ReverseSlash': return P.reverseSlashInstruction({ ...base, authority: signer(a.authority), record: a.record, agent: a.agent });
    case 'DismissAppeal': return P.dismissAppealInstruction({ ...base, authority: signer(a.authority), record: a.record, harmedAcc: a.harmedAcc ?? undefined });
    case 'FinalizeSlash': return P.finalizeSlashInstruction({ ...base, record: a.record, harmedAcc: a.harmedAcc ?? undefined });
    case 'OpenReputation': return P.openReputationInstruction({ ...base, payer: signer(a.payer), agent: a.agent, reputation: a.reputation });
    case 'RecordReputation': return P.recordReputationInstruction({ ...base, authority: signer(a.authority), reputation: a.reputation, dimension: a.dimension, delta: BigInt(a.delta) });
    case 'StakeAt': return P.stakeAtInstruction({ program, agent: a.agent, time: BigInt(a.time) });
    case 'ReputationOf': return P.reputationOfInstruction({ program, reputation: a.reputation, dimension: a.dimension });
    case 'Propose': return P.proposeInstruction({ ...base, owner: signer(a.owner), agent: a.agent, proposal: a.proposal, id: unhex(a.id), action: a.action,
      target: unhex(a.target), value: BigInt(a.value) });
    case 'Vote': return P.voteInstruction({ ...base, owner: signer(a.owner), agent: a.agent, proposal: a.proposal, vote: a.vote, support: a.support });
    case 'ExecuteProposal': return P.executeProposalInstruction({ ...base, executor: signer(a.executor), proposal: a.proposal,
      extra: (a.remainingAccounts ?? []).map((m) => ({ address: address(m.address), role: (m.signer ? 2 : 0) | (m.writable ? 1 : 0) })) });
    case 'SubmitTask': return P.submitTaskInstruction({ ...base, requester: signer(a.requester), task: a.task, vault: a.taskVault, requesterAcc: a.requesterAcc,
      id: BigInt(a.id), bounty: BigInt(a.bounty), fee: BigInt(a.fee), requirements: unhex(a.requirements), capabilities: BigInt(a.capabilities),
      deadline: BigInt(a.deadline), committeeSize: a.committeeSize });
    case 'ReserveTask': return P.reserveTaskInstruction({ program, requester: signer(a.requester), task: a.task, id: BigInt(a.id) });
    case 'Bid': return P.bidInstruction({ ...base, signer: signer(a.agentKey), agent: a.agent, task: a.task, price: BigInt(a.price) });
    case 'AssignTask': return keeper(M.ASSIGN_TASK);
    case 'ReportMissedDeadline': return keeper(M.REPORT_MISSED_DEADLINE);
    case 'FixSeed': return keeper(M.FIX_SEED, [r(P.SLOT_HASHES)]);
    case 'DrawSeat': return keeper(M.DRAW_SEAT, [r(a.candidateAgent)]);
    case 'ClaimSeat': return keeper(M.CLAIM_SEAT, [r(a.candidateAgent)], [a.seat]);
    case 'SettleTask': return keeper(M.SETTLE_TASK, [w(pdas.mint)]);
    case 'SettleMember': return keeper(M.SETTLE_MEMBER, [w(a.memberAcc), w(a.memberReputation), w(a.memberAgent), w(a.slashRecord), r(H.SYSTEM_PROGRAM)], [a.seat]);
    case 'ClaimPayout': return keeper(M.CLAIM_PAYOUT);
    case 'SettleExecutor': return keeper(M.SETTLE_EXECUTOR, [w(a.executorAgent), w(a.slashRecord), r(H.SYSTEM_PROGRAM), w(a.executorReputation)]);
    case 'PostResult': return P.postResultInstruction({ ...base, executorKey: signer(a.executorKey), task: a.task, result: unhex(a.result) });
    case 'CommitVote': return P.commitVoteInstruction({ program, memberKey: signer(a.memberKey), task: a.task, seat: a.seat, commitment: unhex(a.commitment) });
    case 'RevealVote': return P.revealVoteInstruction({ program, task: a.task, seat: a.seat, vote: a.approve ? 1 : 0, salt: unhex(a.salt) });
    default: throw new Error(`no builder for ${name}`);
  }
}

/** program.mjs's PDAs. */
async function pda(kind, program, a) {
  const pdas = await P.pdasOf(program);
  switch (kind) {
    case 'Config': return pdas.config;
    case 'Mint': return pdas.mint;
    case 'Vault': return pdas.vaults[a.vault];
    case 'Agent': return P.agentPda(program, a.agentKey);
    case 'Attestor': return P.attestorPda(program, a.key);
    case 'Slasher': return P.slasherPda(program, a.key);
    case 'Slash': return P.slashPda(program, a.agentKey, a.index);
    case 'Reputation': return P.reputationPda(program, a.agentKey);
    case 'Proposal': return P.proposalPda(program, unhex(a.id));
    case 'Vote': return P.votePda(program, a.proposal, a.agentKey);
    case 'Task': return P.taskPda(program, a.requester, BigInt(a.id));
    case 'TaskVault': return P.taskVaultPda(program, a.task);
    default: throw new Error(`no PDA ${kind}`);
  }
}

/** Values as the C# test compares them: bigint and number as decimal text, bytes as hex, addresses as base58. */
const norm = (v) => {
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (v instanceof Uint8Array) return hex(v);
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
};
const without = (o, ...keys) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

/** A real flow in LiteSVM through tests/solana/market-fixture.mjs; every account it made, raw and as program.mjs reads it. */
async function flow() {
  const F = await imp('tests/solana/market-fixture.mjs');
  const { LiteSVM, FailedTransactionMetadata } = await import('litesvm');
  const transactions = [];
  const original = LiteSVM.prototype.sendTransaction;
  LiteSVM.prototype.sendTransaction = function sendTransaction(tx) {
    const result = original.call(this, tx);
    if (!(result instanceof FailedTransactionMetadata)) transactions.push(result.logs());
    return result;
  };
  const { ACC, MARKET } = P;
  const ok = H.expectSuccess;
  const m = await F.newMarket();
  const requester = await F.newParty(m, 100_000n * ACC);
  const keeper = await F.newParty(m);
  const executor = await F.newAgent(m);
  const reviewers = [];
  for (let i = 0; i < 5; i++) reviewers.push(await F.newAgent(m, { stake: BigInt(500 + 250 * i) * ACC }));
  const governor = await F.newAgent(m, { stake: 2_000_000n * ACC });
  // a longer stake history for reviewer 0: two more stakes and an unstake, at different times
  m.later(100); ok(await F.addStake(m, reviewers[0], 10n * ACC));
  m.later(100); ok(await F.addStake(m, reviewers[0], 7n * ACC));
  m.later(100); ok(await H.send(m.svm, reviewers[0].owner, [P.requestUnstakeInstruction({ ...m, ...reviewers[0], amount: 5n * ACC })]));
  m.later(60);

  // the task: three drawn, the other two claim the worst seat (the program takes a better key only), vote 1, 1, 0
  const t = await F.taskToVerifying(m, { requester, executor, keeper });
  for (const who of reviewers.slice(0, 3)) ok(await F.drawSeat(m, keeper, t, who));
  m.later(MARKET.DRAW_WINDOW / 2n + 1n);
  const claims = [];
  for (const who of reviewers.slice(3)) {
    const seats = m.task(t.task).members;
    let worst = 0;
    seats.forEach((s, i) => { if (s.negLog2U * seats[worst].weight > seats[worst].negLog2U * s.weight) worst = i; });
    const result = await F.claimSeat(m, keeper, t, who, worst);
    claims.push({ agentKey: who.agentKey.address, seat: worst, accepted: !(result instanceof FailedTransactionMetadata),
      error: result instanceof FailedTransactionMetadata ? H.customError(result).code : null });
  }
  m.later(MARKET.DRAW_WINDOW / 2n + 1n);
  const seated = m.task(t.task).members.map((s) => reviewers.find((r) => r.agentKey.address === s.agentKey));
  const votes = [1, 1, 0];
  const openings = seated.map((who, i) => F.voteOf(m, t, who, votes[i]));
  for (const [i, who] of seated.entries()) ok(await F.commitVote(m, t, who, i, openings[i].commitment));
  for (const [i] of seated.entries()) ok(await F.revealVote(m, t, i, openings[i].vote, openings[i].salt));
  ok(await F.settleTask(m, keeper, t));
  for (const [i, who] of seated.entries()) ok(await F.settleMember(m, keeper, t, i, who.ownerAcc));
  ok(await F.settleExecutor(m, keeper, t));
  ok(await F.claimPayout(m, requester, t));
  ok(await F.claimPayout(m, { signer: executor.owner, acc: executor.ownerAcc }, t));

  // a committee of 66 (reserved, then grown: seats 64 and 65 in the extension), drawn in full, seats 63..65 committed
  const crowd = [];
  for (let i = 0; i < 66; i++) crowd.push(await F.newAgent(m, { stake: BigInt(100 + 3 * i) * ACC }));
  m.later(60);
  const big = await F.submit(m, requester, { committeeSize: 66 });
  ok(big.result);
  ok(await F.bid(m, executor, big, 700n * ACC));
  m.later(MARKET.BIDDING_WINDOW);
  ok(await F.keep(m, keeper, big, P.MARKET_IX.ASSIGN_TASK));
  m.later(60);
  ok(await F.postResult(m, executor, big));
  m.later(5);
  F.publishSeedSlot(m, big);
  ok(await F.fixSeed(m, keeper, big));
  for (const who of crowd) ok(await F.drawSeat(m, keeper, big, who));
  m.later(MARKET.DRAW_WINDOW + 1n);
  for (const seat of [63, 64, 65]) {
    const who = crowd.find((c) => c.agentKey.address === m.task(big.task).members[seat].agentKey);
    ok(await F.commitVote(m, big, who, seat, F.voteOf(m, big, who, seat % 2).commitment));
  }

  // a slasher slashes reviewer 4 for the requester; its owner appeals
  const slasherKey = await H.generateKeyPairSigner();
  m.svm.airdrop(slasherKey.address, 10_000_000_000n);
  const slasherAccount = await P.slasherPda(m.program, slasherKey.address);
  ok(await H.send(m.svm, m.payer, [P.setSlasherInstruction({ ...m, authority: m.payer, slasherKey: slasherKey.address, slasher: slasherAccount })]));
  const victim = reviewers[4];
  const slashIndex = P.readAgentHistory(m.svm, victim.agent).slashCount;
  const slashRecord = await P.slashPda(m.program, victim.agentKey.address, slashIndex);
  ok(await H.send(m.svm, m.payer, [P.slashInstruction({ ...m, slasher: slasherKey, slasherPdaAddress: slasherAccount, agent: victim.agent, record: slashRecord,
    severityBps: 500, harmedParty: requester.signer.address })]));
  ok(await H.send(m.svm, m.payer, [P.appealSlashInstruction({ ...m, owner: victim.owner, agent: victim.agent, record: slashRecord })]));

  // a proposal and two votes
  m.later(10);
  const id = new Uint8Array(32).map((_, i) => i + 1);
  const proposal = await P.proposalPda(m.program, id);
  ok(await H.send(m.svm, m.payer, [P.proposeInstruction({ ...m, owner: governor.owner, agent: governor.agent, proposal, id, action: P.GOV_ACTION.SET_REGISTRATION_FEE, value: 50n * ACC })]));
  const voters = [[governor, P.SUPPORT.FOR], [reviewers[1], P.SUPPORT.AGAINST]];
  const voteAccounts = [];
  for (const [who, support] of voters) {
    const vote = await P.votePda(m.program, proposal, who.agentKey.address);
    ok(await H.send(m.svm, m.payer, [P.voteInstruction({ ...m, owner: who.owner, agent: who.agent, proposal, vote, support })]));
    voteAccounts.push({ address: vote, proposal, agentKey: who.agentKey.address, support });
  }

  // the program's own answers: stake_at over reviewer 0's history and others', reputation_of after 37 days of decay
  m.later(37 * 86400 + 12345);
  const now = m.now();
  const stakeAt = [];
  for (const who of [reviewers[0], reviewers[4], executor, governor]) {
    const { checkpoints } = P.readAgentHistory(m.svm, who.agent);
    const times = new Set([0n, now - 1n]);
    for (const { time } of checkpoints) { times.add(time - 1n); times.add(time); times.add(time + 1n); }
    for (const time of times) {
      const result = ok(await H.send(m.svm, m.payer, [P.stakeAtInstruction({ program: m.program, agent: who.agent, time })]));
      stakeAt.push({ agent: who.agent, time: String(time), stake: String(P.returnedU64(result)) });
    }
  }
  const reputationOf = [];
  for (const who of [executor, ...seated]) {
    for (const dimension of [0, 1]) {
      const result = ok(await H.send(m.svm, m.payer, [P.reputationOfInstruction({ program: m.program, reputation: who.reputation, dimension })]));
      reputationOf.push({ reputation: who.reputation, dimension, now: String(m.now()), value: String(P.returnedU64(result)) });
    }
  }

  // after the appeal window and the unbonding period: the minority member's slash finalized, reviewer 0's unbonded stake
  // withdrawn, reviewer 2's exit requested (their events)
  for (const who of seated) {
    if (P.readAgentHistory(m.svm, who.agent).slashCount === 0) continue;
    const record = await P.slashPda(m.program, who.agentKey.address, 0);
    if (P.readSlash(m.svm, record).status === P.SLASH_STATUS.PENDING) ok(await H.send(m.svm, m.payer, [P.finalizeSlashInstruction({ ...m, record })]));
  }
  ok(await H.send(m.svm, m.payer, [P.withdrawInstruction({ ...m, ...reviewers[0] })]));
  ok(await H.send(m.svm, m.payer, [P.requestExitInstruction({ ...m, owner: reviewers[2].owner, agent: reviewers[2].agent })]));

  // reputation_of again after more decay: a day, 45 days, 200 days, past 63 half-lives (nothing left)
  for (const days of [1, 45, 200, 5800]) {
    m.later(days * 86400 + 77);
    for (const who of [executor, ...seated]) {
      const result = ok(await H.send(m.svm, m.payer, [P.reputationOfInstruction({ program: m.program, reputation: who.reputation, dimension: 1 - (days % 2) })]));
      reputationOf.push({ reputation: who.reputation, dimension: 1 - (days % 2), now: String(m.now()), value: String(P.returnedU64(result)) });
    }
  }

  // every account, raw and decoded by program.mjs (the C# names: config's keys as base58, its market split into terms and reward)
  const raw = (a) => hex(m.svm.getAccount(a).data);
  const accounts = [];
  const add = (kind, addr, decoded) => accounts.push({ kind, address: addr, data: raw(addr), decoded: norm(decoded) });
  const cfg = P.readConfig(m.svm, m.pdas.config);
  const { keeperReward, ...terms } = cfg.market;
  add('Config', m.pdas.config, { ...without(cfg, 'owner', 'size', 'market'), authority: keyOf(cfg.authority), mint: keyOf(cfg.mint),
    vaults: cfg.vaults.map(keyOf), marketTerms: terms, keeperReward });
  for (const who of [executor, ...reviewers, governor]) {
    const a = P.readAgent(m.svm, who.agent), h = P.readAgentHistory(m.svm, who.agent);
    add('Agent', who.agent, { ...without(a, 'owner', 'size', 'ownerKey', 'agentKey'), owner: keyOf(a.ownerKey), agentKey: keyOf(a.agentKey),
      slashCount: h.slashCount, checkpointCount: h.count, reservedPoints: h.reserved, stakeHistory: h.checkpoints });
    add('Reputation', who.reputation, without(P.readReputation(m.svm, who.reputation), 'owner', 'size'));
  }
  for (const who of [executor, ...reviewers]) {
    const count = P.readAgentHistory(m.svm, who.agent).slashCount;
    for (let i = 0; i < count; i++) {
      const record = await P.slashPda(m.program, who.agentKey.address, i);
      add('SlashRecord', record, without(P.readSlash(m.svm, record), 'owner', 'size'));
    }
  }
  add('Task', t.task, without(m.task(t.task), 'owner', 'size'));
  add('Task', big.task, without(m.task(big.task), 'owner', 'size'));
  const p = P.readProposal(m.svm, proposal);
  add('Proposal', proposal, { ...without(p, 'owner', 'size'), target: getAddressEncoder().encode(p.target) });
  // no program.mjs reader for these three: what the flow put in them
  add('Attestor', m.attestorAccount, { key: m.attestor.address, approved: 1 });
  add('Slasher', slasherAccount, { key: slasherKey.address, approved: 1 });
  for (const v of voteAccounts) add('Vote', v.address, { proposal: v.proposal, agentKey: v.agentKey, support: v.support });

  // every successful transaction's logs, and the events program.mjs's four readers decode from them, line by line
  const readers = [P.eventsOf, P.stakeEventsOf, P.governanceEventsOf, P.marketEventsOf];
  const logs = transactions.map((lines) => ({
    lines,
    events: lines.filter((l) => l.startsWith('Program data: ')).map((line) => {
      for (const read of readers) {
        const [event] = read({ logs: () => [line] });
        if (event && !event.name.startsWith('unknown')) return norm(without(event, 'size'));
      }
      return { name: 'unknown' };
    }),
  }));

  const task = m.task(t.task);
  return { program: m.program, now: String(now), accounts, logs, stakeAt, reputationOf, claims,
    committee: { task: t.task, seed: hex(task.seed), resultPostedAt: String(task.resultPostedAt),
      candidates: reviewers.map((who) => ({ agentKey: who.agentKey.address, agent: who.agent })),
      members: task.members.map((s) => s.agentKey) } };
}

if (mode === 'instructions') {
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (!line.trim()) continue;
    try {
      const { name, program, args } = JSON.parse(line);
      let out;
      if (name === 'Pda') {
        out = { address: await pda(args.pda, address(program), args) };
      } else {
        const ix = await build(name, address(program), args);
        out = { program: ix.programAddress, data: hex(ix.data),
          accounts: ix.accounts.map((m) => ({ address: m.address, signer: (m.role & 2) !== 0, writable: (m.role & 1) !== 0 })) };
      }
      process.stdout.write(`${JSON.stringify({ ok: out })}\n`);
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ error: String(e?.stack ?? e) })}\n`);
    }
  }
} else if (mode === 'flow') {
  process.stdout.write(`${JSON.stringify(await flow())}\n`);
} else {
  console.error('usage: node program-oracle.mjs <repo root> instructions|flow');
  process.exit(2);
}
