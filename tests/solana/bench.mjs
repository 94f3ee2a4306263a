// scripts/bench solana: one "<instruction> <CU>" line per instruction of the program, as LiteSVM reports the compute
// units (cross-program invocations included), then "<instruction>.without_cpi <CU>": the program's own share (the
// issue's goal is under 20,000 for every instruction), the units its CPIs consumed subtracted as the logs report them.
import { customError, expectSuccess, send } from './helpers.mjs';
import { deployAgentCluster, initializeInstruction } from './program.mjs';

/** The units the top-level program used itself: its total less what the programs it invoked consumed. */
function withoutCpi(result) {
  let depth = 0, inner = 0n;
  for (const line of result.logs()) {
    const invoke = line.match(/^Program \w+ invoke \[(\d+)\]$/);
    if (invoke) { depth = Number(invoke[1]); continue; }
    const consumed = line.match(/^Program \w+ consumed (\d+) of \d+ compute units$/);
    if (consumed) { if (depth === 2) inner += BigInt(consumed[1]); depth--; }
  }
  return result.computeUnitsConsumed() - inner;
}

const figures = [];
const measure = (name, result) => {
  if (customError(result).code !== null || !result.computeUnitsConsumed) expectSuccess(result);
  figures.push([name, expectSuccess(result).computeUnitsConsumed(), withoutCpi(result)]);
};

const chain = await deployAgentCluster();
measure('initialize', await send(chain.svm, chain.payer, [initializeInstruction({ ...chain, authority: chain.payer })]));

for (const [name, total] of figures) console.log(`${name} ${total}`);
for (const [name, , own] of figures) console.log(`${name}.without_cpi ${own}`);
