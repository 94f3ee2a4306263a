// sol-stake: governance over the program's parameters. Voting power is an agent's active stake at the proposal's
// snapshot (so no ACC votes twice: each unit was in one agent's stake at that second, each agent votes once);
// threshold 1% and quorum 10% of the stakes vault with floors (1M and 10M ACC), 2/3 for critical actions, 5 days of
// voting and a 7-day timelock; actions: parameters (with the slash-then-exit bound), appeal decisions, the authority,
// slashers and attestors.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { getAddressDecoder, lamports } from '@solana/kit';
import { AccountRole, ERRORS, SYSTEM_PROGRAM, TOKEN_PROGRAM, customError, expectSuccess, generateKeyPairSigner, send } from './helpers.mjs';
import {
  ACC, VAULT, agentPda, fundedAccAccount, initializedAgentCluster, readAgent, readConfig, readTokenAccount, registerAgentInstruction, stakeInstruction,
  GOV_ACTION, SUPPORT, PROPOSE_ACCOUNT as P, VOTE_ACCOUNT as V, EXECUTE_ACCOUNT as E, executeProposalInstruction, governanceEventsOf,
  proposalPda, proposeInstruction, readProposal, voteInstruction, votePda, SLASH_STATUS, appealSlashInstruction, readSlash,
  setSlasherInstruction, slashInstruction, slashPda, slasherPda, attestorPda,
} from './program.mjs';

const DAY = 86400n, VOTING = 5n * DAY, TIMELOCK = 7n * DAY, M = 1_000_000n * ACC;
let chain, relayer, big, mid, small, tiny;

before(async () => {
  chain = await initializedAgentCluster();
  const clock = chain.svm.getClock();
  clock.unixTimestamp = 1_800_000_000n;
  chain.svm.setClock(clock);
  relayer = await generateKeyPairSigner();
  chain.svm.airdrop(relayer.address, lamports(10_000_000_000n));
  // 11M ACC staked: threshold max(110k, 1M floor) = 1M; quorum max(1.1M, 10M floor) = 10M
  big = await newAgent(6n * M); mid = await newAgent(3n * M); small = await newAgent(2n * M); tiny = await newAgent(M / 2n, M);
  later(1);
});

const now = () => chain.svm.getClock().unixTimestamp;
const later = (seconds) => { const clock = chain.svm.getClock(); clock.unixTimestamp += BigInt(seconds); chain.svm.setClock(clock); };
const expectCode = (result, name) => {
  const { code, error, logs } = customError(result);
  assert.equal(code, ERRORS[name], `expected ${name} (${ERRORS[name]}), got ${error ?? 'success'}\n${logs.join('\n')}`);
};
const readOnly = (address) => ({ address, role: AccountRole.READONLY });
const writable = (address) => ({ address, role: AccountRole.WRITABLE });

async function newAgent(staked, extraAcc = 0n) {
  const owner = await generateKeyPairSigner(), agentKey = await generateKeyPairSigner();
  chain.svm.airdrop(owner.address, lamports(10_000_000_000n));
  const ownerAcc = await fundedAccAccount(chain.svm, chain.pdas.mint, owner.address, 100_000n * ACC + staked + extraAcc);
  const who = { owner, agentKey, ownerAcc, agent: await agentPda(chain.program, agentKey.address) };
  expectSuccess(await send(chain.svm, owner, [registerAgentInstruction({ ...chain, ...who })]));
  if (staked) expectSuccess(await send(chain.svm, owner, [stakeInstruction({ ...chain, ...who, amount: staked })]));
  return who;
}
async function propose(who, action, { value = 0n, target, overrides = {}, id = crypto.randomBytes(32) } = {}) {
  const proposal = await proposalPda(chain.program, id);
  const result = await send(chain.svm, relayer, [proposeInstruction({ ...chain, ...who, proposal, id, action, target, value, overrides })]);
  return { result, proposal, id };
}
async function vote(who, proposal, support, overrides = {}) {
  const voteAccount = await votePda(chain.program, proposal, who.agentKey.address);
  return send(chain.svm, relayer, [voteInstruction({ ...chain, ...who, proposal, vote: voteAccount, support, overrides })]);
}
const execute = (proposal, extra = [], overrides = {}) => send(chain.svm, relayer, [executeProposalInstruction({ ...chain, executor: relayer, proposal, extra, overrides })]);
/** A proposal that passes: big for (6M), mid against (3M), small abstains (2M): 11M >= quorum, 6*3 >= 9*2. */
async function passed(action, options) {
  const { result, proposal } = await propose(big, action, options);
  expectSuccess(result);
  expectSuccess(await vote(big, proposal, SUPPORT.FOR));
  expectSuccess(await vote(mid, proposal, SUPPORT.AGAINST));
  expectSuccess(await vote(small, proposal, SUPPORT.ABSTAIN));
  later(VOTING + TIMELOCK + 1n);
  return proposal;
}

test('Propose_RecordsTheSnapshotQuorumAndDeadlines', async () => {
  const { result, proposal, id } = await propose(big, GOV_ACTION.SET_REGISTRATION_FEE, { value: 50n * ACC });
  expectSuccess(result);
  const p = readProposal(chain.svm, proposal);
  assert.equal(p.owner, chain.program);
  assert.deepEqual([p.size, p.discriminator, p.version, p.status, p.action, p.critical], [184, 43, 1, 0, GOV_ACTION.SET_REGISTRATION_FEE, 0]);
  assert.deepEqual(p.id, new Uint8Array(id));
  assert.equal(p.proposer, big.agentKey.address);
  assert.deepEqual([p.value, p.snapshot, p.votingEnds, p.executableAt, p.quorum], [50n * ACC, now() - 1n, now() + VOTING, now() + VOTING + TIMELOCK, 10n * M]);
  assert.deepEqual(governanceEventsOf(result).map(({ id: _, ...e }) => e), [{ name: 'ProposalCreated', proposer: big.agentKey.address,
    action: GOV_ACTION.SET_REGISTRATION_FEE, critical: 0, target: '11111111111111111111111111111111', value: 50n * ACC, snapshot: now() - 1n,
    votingEnds: now() + VOTING, executableAt: now() + VOTING + TIMELOCK, threshold: M, quorum: 10n * M, size: 146 }]);
  const critical = await propose(big, GOV_ACTION.SET_UNBONDING_PERIOD, { value: 40n * DAY });
  expectSuccess(critical.result);
  assert.equal(readProposal(chain.svm, critical.proposal).critical, 1, 'criticality follows the action, not the proposer');
});

test('Propose_NeedsTheThresholdAtTheSnapshotNotStakeAddedNow', async () => {
  expectCode((await propose(tiny, GOV_ACTION.SET_EXIT_DELAY, { value: 10n * DAY })).result, 'BELOW_PROPOSAL_THRESHOLD');
  // staking up to the threshold in the same second does not help: the snapshot is the second before
  expectSuccess(await send(chain.svm, tiny.owner, [stakeInstruction({ ...chain, ...tiny, amount: M / 2n })]));
  expectCode((await propose(tiny, GOV_ACTION.SET_EXIT_DELAY, { value: 10n * DAY })).result, 'BELOW_PROPOSAL_THRESHOLD');
  later(1);
  expectSuccess((await propose(tiny, GOV_ACTION.SET_EXIT_DELAY, { value: 10n * DAY })).result);
});

test('Propose_RefusesBadActionsAndBrokenAccounts', async () => {
  expectCode((await propose(big, 10)).result, 'INVALID_ACTION');
  expectCode((await propose(big, GOV_ACTION.SET_UNBONDING_PERIOD, { value: 14n * DAY })).result, 'PARAMETER_OUT_OF_RANGE'); // not above 7 + 7 days
  expectCode((await propose(big, GOV_ACTION.SET_APPEAL_WINDOW, { value: 23n * DAY })).result, 'PARAMETER_OUT_OF_RANGE'); // 23 + 7 >= 30
  expectCode((await propose(big, GOV_ACTION.SET_APPEAL_WINDOW, { value: DAY - 1n })).result, 'PARAMETER_OUT_OF_RANGE');
  expectCode((await propose(big, GOV_ACTION.SET_REGISTRATION_BOND, { value: 0n })).result, 'PARAMETER_OUT_OF_RANGE');
  expectCode((await propose(big, GOV_ACTION.SET_EXIT_DELAY, { value: 366n * DAY })).result, 'PARAMETER_OUT_OF_RANGE');
  expectCode((await propose(big, GOV_ACTION.SET_AUTHORITY)).result, 'PARAMETER_OUT_OF_RANGE'); // the zero key
  const { id } = await propose(big, GOV_ACTION.SET_EXIT_DELAY, { value: 10n * DAY });
  expectCode((await propose(big, GOV_ACTION.SET_EXIT_DELAY, { value: 10n * DAY, id })).result, 'ALREADY_INITIALIZED');
  const cases = [
    ['MISSING_SIGNER', { [P.OWNER]: writable(big.owner.address) }],
    ['NOT_AGENT_OWNER', { [P.AGENT]: readOnly(mid.agent) }],
    ['WRONG_OWNER', { [P.AGENT]: readOnly(big.ownerAcc) }],
    ['NOT_WRITABLE', { [P.PROPOSAL]: readOnly(await proposalPda(chain.program, new Uint8Array(32).fill(1))) }],
    ['WRONG_PDA', { [P.PROPOSAL]: writable(await proposalPda(chain.program, new Uint8Array(32).fill(2))) }],
    ['WRONG_PDA', { [P.STAKES]: readOnly(chain.pdas.vaults[VAULT.BONDS]) }],
    ['WRONG_OWNER', { [P.CONFIG]: readOnly(chain.pdas.mint) }],
    ['WRONG_ACCOUNT', { [P.SYSTEM]: readOnly(chain.pdas.mint) }],
    ['NOT_ENOUGH_ACCOUNTS', { [P.SYSTEM]: undefined }],
  ];
  for (const [name, overrides] of cases) {
    const id1 = new Uint8Array(32).fill(1);
    expectCode((await propose(big, GOV_ACTION.SET_EXIT_DELAY, { value: 10n * DAY, id: id1, overrides })).result, name);
  }
});

test('Vote_WeighsStakeAtTheSnapshotOncePerAgent', async () => {
  const { proposal } = await propose(big, GOV_ACTION.SET_EXIT_DELAY, { value: 20n * DAY });
  later(10);
  const result = expectSuccess(await vote(mid, proposal, SUPPORT.AGAINST));
  assert.deepEqual(governanceEventsOf(result).map(({ id: _, ...e }) => e), [{ name: 'VoteCast', agentKey: mid.agentKey.address, support: 0, weight: 3n * M, size: 73 }]);
  assert.equal(readProposal(chain.svm, proposal).votesAgainst, 3n * M);
  expectCode(await vote(mid, proposal, SUPPORT.FOR), 'ALREADY_INITIALIZED'); // a second vote of the same agent
  expectCode(await vote(big, proposal, 3), 'INVALID_SUPPORT');
  // stake added after the snapshot does not count
  const late = await newAgent(5n * M); // registered and staked after the proposal
  expectCode(await vote(late, proposal, SUPPORT.FOR), 'NO_VOTING_POWER');
  const voteAccount = await votePda(chain.program, proposal, big.agentKey.address);
  const cases = [
    ['MISSING_SIGNER', { [V.OWNER]: writable(big.owner.address) }],
    ['NOT_AGENT_OWNER', { [V.AGENT]: readOnly(small.agent) }],
    ['NOT_WRITABLE', { [V.PROPOSAL]: readOnly(proposal) }],
    ['INVALID_ACCOUNT_DATA', { [V.PROPOSAL]: writable(big.agent) }],
    ['NOT_WRITABLE', { [V.VOTE]: readOnly(voteAccount) }],
    ['WRONG_PDA', { [V.VOTE]: writable(await votePda(chain.program, proposal, small.agentKey.address)) }],
    ['WRONG_ACCOUNT', { [V.SYSTEM]: readOnly(chain.pdas.mint) }],
  ];
  for (const [name, overrides] of cases) expectCode(await vote(big, proposal, SUPPORT.FOR, overrides), name);
  later(VOTING - 10n);
  expectSuccess(await vote(big, proposal, SUPPORT.FOR)); // the last second of the vote
  later(1);
  expectCode(await vote(small, proposal, SUPPORT.FOR), 'VOTING_CLOSED');
});

test('Attack_NoStakeVotesTwice_MovedStakeHasNoWeightAtTheSnapshot', async () => {
  // mid votes, then moves its owner's tokens into a fresh agent (here: new ACC staked after the snapshot, which is all a
  // move could give: stake leaves mid only through 30 days of unbonding). The new agent has no weight; mid's own vote
  // keeps the weight it had at the snapshot whatever mid does afterwards.
  const { proposal } = await propose(big, GOV_ACTION.SET_EXIT_DELAY, { value: 21n * DAY });
  later(5);
  expectSuccess(await vote(mid, proposal, SUPPORT.FOR));
  const second = await newAgent(3n * M);
  expectCode(await vote(second, proposal, SUPPORT.FOR), 'NO_VOTING_POWER');
  assert.equal(readProposal(chain.svm, proposal).votesFor, 3n * M);
});

test('Execute_AfterVoteAndTimelock_ChangesTheParameterOnce', async () => {
  const { proposal } = await propose(big, GOV_ACTION.SET_REGISTRATION_BOND, { value: 20_000n * ACC });
  expectSuccess(await vote(big, proposal, SUPPORT.FOR));
  expectSuccess(await vote(mid, proposal, SUPPORT.AGAINST));
  expectSuccess(await vote(small, proposal, SUPPORT.ABSTAIN));
  expectCode(await execute(proposal), 'VOTING_OPEN');
  later(VOTING + 1n);
  expectCode(await execute(proposal), 'TIMELOCKED');
  later(TIMELOCK - 2n);
  expectCode(await execute(proposal), 'TIMELOCKED');
  later(1);
  const cases = [
    ['MISSING_SIGNER', { [E.EXECUTOR]: readOnly(big.owner.address) }],
    ['NOT_WRITABLE', { [E.CONFIG]: readOnly(chain.pdas.config) }],
    ['WRONG_OWNER', { [E.CONFIG]: writable(chain.pdas.mint) }],
    ['NOT_WRITABLE', { [E.PROPOSAL]: readOnly(proposal) }],
    ['INVALID_ACCOUNT_DATA', { [E.PROPOSAL]: writable(big.agent) }],
  ];
  for (const [name, overrides] of cases) expectCode(await execute(proposal, [], overrides), name);
  const result = expectSuccess(await execute(proposal));
  assert.equal(readConfig(chain.svm, chain.pdas.config).registrationBond, 20_000n * ACC);
  assert.equal(readProposal(chain.svm, proposal).status, 1);
  assert.deepEqual(governanceEventsOf(result).map(({ id: _, ...e }) => e), [{ name: 'ProposalExecuted', action: 0, target: '11111111111111111111111111111111', value: 20_000n * ACC, size: 73 }]);
  expectCode(await execute(proposal), 'PROPOSAL_EXECUTED');
});

test('Execute_QuorumAndTheTwoThirdsOfCriticalActions', async () => {
  // below quorum: 6M + 3M = 9M < 10M
  const low = await propose(big, GOV_ACTION.SET_EXIT_DELAY, { value: 11n * DAY });
  expectSuccess(await vote(big, low.proposal, SUPPORT.FOR));
  expectSuccess(await vote(mid, low.proposal, SUPPORT.ABSTAIN));
  // majority but not 2/3: 6M for, 3M + 2M against
  const std = await propose(big, GOV_ACTION.SET_EXIT_DELAY, { value: 12n * DAY });
  const crit = await propose(big, GOV_ACTION.SET_UNBONDING_PERIOD, { value: 40n * DAY });
  for (const { proposal } of [std, crit]) {
    expectSuccess(await vote(big, proposal, SUPPORT.FOR));
    expectSuccess(await vote(mid, proposal, SUPPORT.AGAINST));
    expectSuccess(await vote(small, proposal, SUPPORT.AGAINST));
  }
  later(VOTING + TIMELOCK + 1n);
  expectCode(await execute(low.proposal), 'PROPOSAL_DEFEATED');
  expectCode(await execute(crit.proposal), 'PROPOSAL_DEFEATED');
  expectSuccess(await execute(std.proposal));
  assert.equal(readConfig(chain.svm, chain.pdas.config).exitDelay, 12n * DAY);
  assert.equal(readConfig(chain.svm, chain.pdas.config).unbondingPeriod, 30n * DAY);
  // exactly 2/3 passes a critical action
  const exact = await passed(GOV_ACTION.SET_UNBONDING_PERIOD, { value: 40n * DAY });
  expectSuccess(await execute(exact));
  assert.equal(readConfig(chain.svm, chain.pdas.config).unbondingPeriod, 40n * DAY);
});

test('Governance_DecidesAnAppeal_ReverseAndDismissThroughProposals', async () => {
  const slasher = await generateKeyPairSigner(), slasherAccount = await slasherPda(chain.program, slasher.address);
  chain.svm.airdrop(slasher.address, lamports(10_000_000_000n));
  expectSuccess(await send(chain.svm, chain.payer, [setSlasherInstruction({ ...chain, authority: chain.payer, slasherKey: slasher.address, slasher: slasherAccount })]));
  const victim = await newAgent(1_000n * ACC);
  const harmedKey = (await generateKeyPairSigner()).address, harmedAcc = await fundedAccAccount(chain.svm, chain.pdas.mint, harmedKey, 0n);
  const slashAndAppeal = async (index) => {
    const record = await slashPda(chain.program, victim.agentKey.address, index);
    expectSuccess(await send(chain.svm, slasher, [slashInstruction({ ...chain, slasher, slasherPdaAddress: slasherAccount, agent: victim.agent, record, severityBps: 1_000, harmedParty: harmedKey })]));
    expectSuccess(await send(chain.svm, victim.owner, [appealSlashInstruction({ ...chain, ...victim, record })]));
    return record;
  };
  const first = await slashAndAppeal(0);
  const reverse = await passed(GOV_ACTION.REVERSE_SLASH, { target: first });
  expectCode(await execute(reverse, [writable(first)]), 'NOT_ENOUGH_ACCOUNTS');
  expectCode(await execute(reverse, [writable(chain.pdas.config), writable(victim.agent)]), 'INVALID_ACCOUNT_DATA');
  expectCode(await execute(reverse, [writable(first), writable(big.agent)]), 'WRONG_ACCOUNT');
  expectSuccess(await execute(reverse, [writable(first), writable(victim.agent)]));
  assert.equal(readSlash(chain.svm, first).status, SLASH_STATUS.REVERSED);
  assert.equal(readAgent(chain.svm, victim.agent).activeStake, 1_000n * ACC);

  const second = await slashAndAppeal(1), third = await slashAndAppeal(2);
  const dismiss = await passed(GOV_ACTION.DISMISS_APPEAL, { target: second });
  const dismissAccounts = (record) => [writable(record), writable(chain.pdas.vaults[VAULT.STAKES]), writable(chain.pdas.mint), writable(harmedAcc), readOnly(TOKEN_PROGRAM)];
  expectCode(await execute(dismiss, dismissAccounts(second).slice(0, 4)), 'NOT_ENOUGH_ACCOUNTS');
  expectCode(await execute(dismiss, [...dismissAccounts(second).slice(0, 3), writable(victim.ownerAcc), readOnly(TOKEN_PROGRAM)]), 'WRONG_HARMED_PARTY');
  expectCode(await execute(dismiss, dismissAccounts(third)), 'INVALID_ACTION'); // not the proposal's target
  expectSuccess(await execute(dismiss, dismissAccounts(second)));
  assert.equal(readSlash(chain.svm, second).status, SLASH_STATUS.FINALIZED);
  assert.equal(readTokenAccount(chain.svm, harmedAcc).amount, 50n * ACC);
});

test('Governance_HandsTheAuthorityOverByACriticalProposal', async () => {
  const next = await generateKeyPairSigner();
  const proposal = await passed(GOV_ACTION.SET_AUTHORITY, { target: next.address });
  assert.equal(readProposal(chain.svm, proposal).critical, 1);
  expectSuccess(await execute(proposal));
  const key = (await generateKeyPairSigner()).address;
  assert.equal(getAddressDecoder().decode(readConfig(chain.svm, chain.pdas.config).authority), next.address);
  const slasherAccount = await slasherPda(chain.program, key);
  expectCode(await send(chain.svm, chain.payer, [setSlasherInstruction({ ...chain, authority: chain.payer, slasherKey: key, slasher: slasherAccount })]), 'NOT_AUTHORITY');
  chain.svm.airdrop(next.address, lamports(1_000_000_000n));
  expectSuccess(await send(chain.svm, next, [setSlasherInstruction({ ...chain, authority: next, slasherKey: key, slasher: slasherAccount })]));
});

test('Governance_ApprovesSlashersAndAttestorsByProposal', async () => {
  const slasherKey = await generateKeyPairSigner(), slasherAccount = await slasherPda(chain.program, slasherKey.address);
  expectCode((await propose(big, GOV_ACTION.SET_SLASHER, { target: slasherKey.address, value: 2n })).result, 'PARAMETER_OUT_OF_RANGE');
  const approve = await passed(GOV_ACTION.SET_SLASHER, { target: slasherKey.address, value: 1n });
  assert.equal(readProposal(chain.svm, approve).critical, 1, 'a slasher takes stake: critical');
  const keyAccounts = (pda) => [writable(pda), readOnly(SYSTEM_PROGRAM)];
  expectCode(await execute(approve, keyAccounts(slasherAccount).slice(0, 1)), 'NOT_ENOUGH_ACCOUNTS');
  expectCode(await execute(approve, keyAccounts(await slasherPda(chain.program, big.owner.address))), 'WRONG_PDA');
  expectCode(await execute(approve, [readOnly(slasherAccount), readOnly(SYSTEM_PROGRAM)]), 'NOT_WRITABLE');
  expectCode(await execute(approve, [writable(slasherAccount), readOnly(chain.pdas.mint)]), 'WRONG_ACCOUNT');
  // an executor that signs read-only cannot pay for the new account
  const executor = await generateKeyPairSigner();
  chain.svm.airdrop(executor.address, lamports(1_000_000_000n));
  expectCode(await send(chain.svm, relayer, [executeProposalInstruction({ ...chain, executor, proposal: approve, extra: keyAccounts(slasherAccount) })]), 'NOT_WRITABLE');
  expectSuccess(await execute(approve, keyAccounts(slasherAccount)));
  const slasher = chain.svm.getAccount(slasherAccount).data;
  assert.deepEqual([slasher[0], slasher[3]], [40, 1]);
  // the new slasher slashes
  const target = await newAgent(1_000n * ACC);
  chain.svm.airdrop(slasherKey.address, lamports(1_000_000_000n));
  const record = await slashPda(chain.program, target.agentKey.address, 0);
  expectSuccess(await send(chain.svm, slasherKey, [slashInstruction({ ...chain, slasher: slasherKey, slasherPdaAddress: slasherAccount, agent: target.agent, record, severityBps: 100 })]));
  // and is withdrawn again
  const withdraw = await passed(GOV_ACTION.SET_SLASHER, { target: slasherKey.address, value: 0n });
  expectSuccess(await execute(withdraw, keyAccounts(slasherAccount)));
  assert.equal(chain.svm.getAccount(slasherAccount).data[3], 0);

  const attestorKey = (await generateKeyPairSigner()).address, attestorAccount = await attestorPda(chain.program, attestorKey);
  const attest = await passed(GOV_ACTION.SET_ATTESTOR, { target: attestorKey, value: 1n });
  assert.equal(readProposal(chain.svm, attest).critical, 0);
  expectCode(await execute(attest, keyAccounts(slasherAccount)), 'WRONG_PDA');
  expectSuccess(await execute(attest, keyAccounts(attestorAccount)));
  const attestor = chain.svm.getAccount(attestorAccount).data;
  assert.deepEqual([attestor[0], attestor[3]], [3, 1]);
});
