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

for (const [name, total] of figures) console.log(`${name} ${total}`);
for (const [name, , own] of figures) console.log(`${name}.without_cpi ${own}`);
