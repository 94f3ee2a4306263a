// scripts/bench solana: one "<instruction> <CU>" line per instruction of the program, as LiteSVM reports the compute
// units (cross-program invocations included), then "<instruction>.without_cpi <CU>": the total less the units the
// invoked programs report in the logs (SPL Token's; the System program is a builtin that logs none, so its 150 CU a
// call stay in, as does the runtime's fixed cost of each invocation). The program is deployed at a fixed address,
// because PDA bumps, and so the units sol_try_find_program_address spends, depend on it.
import { createKeyPairSignerFromPrivateKeyBytes, lamports } from '@solana/kit';
import { expectSuccess, send } from './helpers.mjs';
import {
  ACC, agentPda, deployAgentCluster, fundedAccAccount, initializeInstruction, registerAgentInstruction, requestUnstakeInstruction,
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

const keys = async (fill) => createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(32).fill(fill));
const owner = await keys(8), agentKey = await keys(9);
chain.svm.airdrop(owner.address, lamports(10_000_000_000n));
const who = { owner, agentKey, agent: await agentPda(chain.program, agentKey.address),
  ownerAcc: await fundedAccAccount(chain.svm, chain.pdas.mint, owner.address, 20_000n * ACC) };
measure('register_agent', await send(chain.svm, owner, [registerAgentInstruction({ ...chain, ...who })]));
measure('stake', await send(chain.svm, owner, [stakeInstruction({ ...chain, ...who, amount: 1_000n * ACC })]));
measure('request_unstake', await send(chain.svm, owner, [requestUnstakeInstruction({ ...chain, ...who, amount: 400n * ACC })]));
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

for (const [name, total] of figures) console.log(`${name} ${total}`);
for (const [name, , own] of figures) console.log(`${name}.without_cpi ${own}`);
