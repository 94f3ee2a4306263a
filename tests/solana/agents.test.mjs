// register_agent, stake, request_unstake, withdraw, request_exit, withdraw_bond: the rules as on Base (bond kept, fee burned, a key binds once, stake
// moves to unbonding with the clock restarted and leaves only after it) and every account check broken on purpose.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { getAddressDecoder, lamports } from '@solana/kit';
import { AccountRole, ERRORS, addressBytes, customError, expectSuccess, generateKeyPairSigner, send } from './helpers.mjs';
import {
  ACC, AGENT_STATUS, REGISTER_ACCOUNT as R, STAKE_ACCOUNT as S, TOTAL_SUPPLY, UNSTAKE_ACCOUNT as U, VAULT,
  WITHDRAW_ACCOUNT as W, EXIT_ACCOUNT as X, BOND_ACCOUNT as B, requestExitInstruction, withdrawBondInstruction, agentPda, fundedAccAccount, initializedAgentCluster, readAgent, readMint, readTokenAccount,
  eventsOf, registerAgentInstruction, requestUnstakeInstruction, stakeInstruction, withdrawInstruction,
} from './program.mjs';

const BOND = 10_000n * ACC, FEE = 100n * ACC;
let chain;
before(async () => { chain = await initializedAgentCluster(); });

/** A new owner with SOL and `acc` ACC, and a new agent key. */
async function newOwner(acc = BOND + FEE + 5_000n * ACC) {
  const owner = await generateKeyPairSigner(), agentKey = await generateKeyPairSigner();
  chain.svm.airdrop(owner.address, lamports(10_000_000_000n));
  const ownerAcc = await fundedAccAccount(chain.svm, chain.pdas.mint, owner.address, acc);
  return { owner, agentKey, ownerAcc, agent: await agentPda(chain.program, agentKey.address) };
}
const register = (who, extra = {}) => send(chain.svm, who.owner, [registerAgentInstruction({ ...chain, ...who, ...extra })]);
const stake = (who, amount, extra = {}) => send(chain.svm, who.owner, [stakeInstruction({ ...chain, ...who, amount, ...extra })]);
const unstake = (who, amount, extra = {}) => send(chain.svm, who.owner, [requestUnstakeInstruction({ ...chain, ...who, amount, ...extra })]);
const withdraw = (who, extra = {}) => send(chain.svm, who.owner, [withdrawInstruction({ ...chain, ...who, ...extra })]);
const later = (seconds) => { const clock = chain.svm.getClock(); clock.unixTimestamp += seconds; chain.svm.setClock(clock); };
const expectCode = (result, name) => {
  const { code, error, logs } = customError(result);
  assert.equal(code, ERRORS[name], `expected ${name} (${ERRORS[name]}), got ${error ?? 'success'}\n${logs.join('\n')}`);
};
const readOnly = (address) => ({ address, role: AccountRole.READONLY });
const writable = (address) => ({ address, role: AccountRole.WRITABLE });
const balance = (account) => readTokenAccount(chain.svm, account).amount;

test('RegisterAgent_KeepsTheBondBurnsTheFeeAndStartsPending', async () => {
  const who = await newOwner();
  const supplyBefore = readMint(chain.svm, chain.pdas.mint).supply, bondsBefore = balance(chain.pdas.vaults[VAULT.BONDS]);
  const result = expectSuccess(await register(who, { capabilities: 0b1011n }));
  assert.deepEqual(eventsOf(result), [{ name: 'AgentRegistered', agentKey: who.agentKey.address, owner: who.owner.address, bond: BOND,
    feeBurned: FEE, capabilities: 0b1011n, size: 88 }]);
  const agent = readAgent(chain.svm, who.agent);
  assert.equal(agent.owner, chain.program);
  assert.deepEqual([agent.discriminator, agent.version, agent.status], [2, 1, AGENT_STATUS.PENDING]);
  assert.deepEqual(agent.ownerKey, addressBytes(who.owner.address));
  assert.deepEqual(agent.agentKey, addressBytes(who.agentKey.address));
  assert.equal(agent.bond, BOND);
  assert.equal(agent.capabilities, 0b1011n);
  assert.equal(agent.registeredAt, chain.svm.getClock().unixTimestamp);
  assert.equal(balance(who.ownerAcc), 5_000n * ACC, 'bond and fee left the owner');
  assert.equal(balance(chain.pdas.vaults[VAULT.BONDS]) - bondsBefore, BOND, 'the bond is in the bonds vault');
  assert.equal(supplyBefore - readMint(chain.svm, chain.pdas.mint).supply, FEE, 'the fee is burned');
});

test('RegisterAgent_AKeyBindsOnceEver', async () => {
  const who = await newOwner(2n * (BOND + FEE));
  expectSuccess(await register(who));
  expectCode(await register(who), 'ALREADY_INITIALIZED');
  const rival = await newOwner(); // another owner cannot take the key either
  expectCode(await register({ ...rival, agentKey: who.agentKey, agent: who.agent }), 'ALREADY_INITIALIZED');
});

test('RegisterAgent_RefusesAnOwnerWithoutBondAndFee', async () => {
  const who = await newOwner(BOND + FEE - 1n);
  expectCode(await register(who), 'INSUFFICIENT_FUNDS');
  assert.equal(readAgent(chain.svm, who.agent), null);
});

test('RegisterAgent_EachAccountCheckFailsWithItsNamedError', async () => {
  const who = await newOwner(), stranger = await newOwner();
  const cases = [
    ['MISSING_SIGNER', { [R.AGENT_KEY]: readOnly(who.agentKey.address) }],
    ['NOT_WRITABLE', { [R.AGENT]: readOnly(who.agent) }],
    ['WRONG_PDA', { [R.AGENT]: writable(await agentPda(chain.program, who.owner.address)) }],
    ['WRONG_OWNER', { [R.CONFIG]: readOnly(chain.pdas.vaults[0]) }],
    ['NOT_WRITABLE', { [R.OWNER_ACC]: readOnly(who.ownerAcc) }],
    ['WRONG_OWNER', { [R.OWNER_ACC]: writable(who.owner.address) }],
    ['NOT_TOKEN_OWNER', { [R.OWNER_ACC]: writable(chain.pdas.vaults[VAULT.BONDS]) }],
    ['NOT_TOKEN_OWNER', { [R.OWNER_ACC]: writable(stranger.ownerAcc) }],
    ['WRONG_PDA', { [R.BONDS]: writable(chain.pdas.vaults[VAULT.STAKES]) }],
    ['NOT_WRITABLE', { [R.BONDS]: readOnly(chain.pdas.vaults[VAULT.BONDS]) }],
    ['WRONG_MINT', { [R.MINT]: writable(who.ownerAcc) }],
    ['NOT_WRITABLE', { [R.MINT]: readOnly(chain.pdas.mint) }],
    ['WRONG_ACCOUNT', { [R.SYSTEM]: readOnly(chain.program) }],
    ['WRONG_ACCOUNT', { [R.TOKEN]: readOnly(chain.program) }],
    ['NOT_ENOUGH_ACCOUNTS', { [R.TOKEN]: null }],
  ];
  for (const [name, overrides] of cases) {
    expectCode(await register(who, { overrides }), name);
    assert.equal(readAgent(chain.svm, who.agent), null, `${name}: nothing registered`);
  }
  // ACC of another mint: a token account the Token program owns, of a mint that is not ACC.
  const foreign = await fundedAccAccount(chain.svm, (await generateKeyPairSigner()).address, who.owner.address, BOND + FEE);
  expectCode(await register({ ...who, ownerAcc: foreign }), 'WRONG_MINT');
  expectCode(await register(who, { data: new Uint8Array([1, 0, 0]) }), 'INVALID_INSTRUCTION');
  expectSuccess(await register(who)); // and with every account right, it registers
});

test('RegisterAgent_RefusesAnOwnerThatDidNotSign', async () => {
  const who = await newOwner();
  const feePayer = await generateKeyPairSigner();
  chain.svm.airdrop(feePayer.address, lamports(10_000_000_000n));
  const ix = registerAgentInstruction({ ...chain, ...who, overrides: { [R.OWNER]: writable(who.owner.address) } });
  expectCode(await send(chain.svm, feePayer, [ix]), 'MISSING_SIGNER');
});

test('Stake_MovesAccIntoTheStakesVaultAndAddsToActiveStake', async () => {
  const who = await newOwner();
  expectSuccess(await register(who));
  const vaultBefore = balance(chain.pdas.vaults[VAULT.STAKES]);
  expectSuccess(await stake(who, 1_000n * ACC));
  assert.deepEqual(eventsOf(expectSuccess(await stake(who, 500n * ACC))),
    [{ name: 'Staked', agentKey: who.agentKey.address, amount: 500n * ACC, activeStake: 1_500n * ACC, size: 48 }]);
  assert.equal(readAgent(chain.svm, who.agent).activeStake, 1_500n * ACC);
  assert.equal(balance(who.ownerAcc), 3_500n * ACC);
  assert.equal(balance(chain.pdas.vaults[VAULT.STAKES]) - vaultBefore, 1_500n * ACC);
  expectCode(await stake(who, 0n), 'ZERO_AMOUNT');
  expectCode(await stake(who, 3_500n * ACC + 1n), 'INSUFFICIENT_FUNDS');
});

test('Stake_EachAccountCheckFailsWithItsNamedError', async () => {
  const who = await newOwner();
  expectSuccess(await register(who));
  const stranger = await newOwner();
  expectSuccess(await register(stranger));
  const cases = [
    ['NOT_WRITABLE', { [S.AGENT]: readOnly(who.agent) }],
    ['WRONG_OWNER', { [S.AGENT]: writable(who.ownerAcc) }],
    ['NOT_AGENT_OWNER', { [S.AGENT]: writable(stranger.agent) }],
    ['NOT_WRITABLE', { [S.OWNER_ACC]: readOnly(who.ownerAcc) }],
    ['NOT_TOKEN_OWNER', { [S.OWNER_ACC]: writable(stranger.ownerAcc) }],
    ['NOT_TOKEN_OWNER', { [S.OWNER_ACC]: writable(chain.pdas.vaults[VAULT.STAKES]) }],
    ['WRONG_PDA', { [S.STAKES]: writable(chain.pdas.vaults[VAULT.BONDS]) }],
    ['NOT_WRITABLE', { [S.STAKES]: readOnly(chain.pdas.vaults[VAULT.STAKES]) }],
    ['WRONG_OWNER', { [S.CONFIG]: readOnly(who.ownerAcc) }],
    ['INVALID_ACCOUNT_DATA', { [S.CONFIG]: readOnly(who.agent) }], // the program's account, but not the config
    ['WRONG_ACCOUNT', { [S.TOKEN]: readOnly(chain.program) }],
    ['NOT_ENOUGH_ACCOUNTS', { [S.TOKEN]: null }],
  ];
  for (const [name, overrides] of cases) expectCode(await stake(who, ACC, { overrides }), name);
  const feePayer = await generateKeyPairSigner();
  chain.svm.airdrop(feePayer.address, lamports(10_000_000_000n));
  expectCode(await send(chain.svm, feePayer, [stakeInstruction({ ...chain, ...who, amount: ACC, overrides: { [S.OWNER]: readOnly(who.owner.address) } })]),
    'MISSING_SIGNER');
  assert.equal(readAgent(chain.svm, who.agent).activeStake, 0n, 'no case staked anything');
});

test('Stake_RefusesAnAgentAccountForgedOutsideItsSeeds', async () => {
  // The program's own agent layout copied to another address: owner, size and discriminator right, seeds wrong.
  const who = await newOwner();
  expectSuccess(await register(who));
  const forged = (await generateKeyPairSigner()).address;
  const real = chain.svm.getAccount(who.agent);
  chain.svm.setAccount({ address: forged, data: real.data, executable: false, lamports: real.lamports, programAddress: chain.program, space: BigInt(real.data.length) });
  expectCode(await stake(who, ACC, { overrides: { [S.AGENT]: writable(forged) } }), 'WRONG_PDA');
});

test('RequestUnstake_MovesActiveToUnbondingAndRestartsTheClock', async () => {
  const who = await newOwner();
  expectSuccess(await register(who));
  expectSuccess(await stake(who, 1_000n * ACC));
  const clock = chain.svm.getClock();
  assert.deepEqual(eventsOf(expectSuccess(await unstake(who, 400n * ACC))), [{ name: 'UnstakeRequested', agentKey: who.agentKey.address,
    amount: 400n * ACC, unbondingStake: 400n * ACC, unlocksAt: clock.unixTimestamp + 30n * 86400n, size: 56 }]);
  let agent = readAgent(chain.svm, who.agent);
  assert.equal(agent.activeStake, 600n * ACC);
  assert.equal(agent.unbondingStake, 400n * ACC);
  assert.equal(agent.unbondingUnlocksAt, clock.unixTimestamp + 30n * 86400n);
  clock.unixTimestamp += 86400n; // a day later, a second request restarts the 30 days for the whole bucket
  chain.svm.setClock(clock);
  expectSuccess(await unstake(who, 100n * ACC));
  agent = readAgent(chain.svm, who.agent);
  assert.deepEqual([agent.activeStake, agent.unbondingStake], [500n * ACC, 500n * ACC]);
  assert.equal(agent.unbondingUnlocksAt, clock.unixTimestamp + 30n * 86400n);
  expectCode(await unstake(who, 500n * ACC + 1n), 'INSUFFICIENT_STAKE');
  expectCode(await unstake(who, 0n), 'ZERO_AMOUNT');
});

test('RequestUnstake_EachAccountCheckFailsWithItsNamedError', async () => {
  const who = await newOwner();
  expectSuccess(await register(who));
  expectSuccess(await stake(who, 100n * ACC));
  const stranger = await newOwner();
  expectSuccess(await register(stranger));
  expectSuccess(await stake(stranger, 100n * ACC));
  const cases = [
    ['NOT_WRITABLE', { [U.AGENT]: readOnly(who.agent) }],
    ['NOT_AGENT_OWNER', { [U.AGENT]: writable(stranger.agent) }],
    ['WRONG_OWNER', { [U.AGENT]: writable(who.ownerAcc) }],
    ['WRONG_OWNER', { [U.CONFIG]: readOnly(who.ownerAcc) }],
    ['NOT_ENOUGH_ACCOUNTS', { [U.CONFIG]: null }],
  ];
  for (const [name, overrides] of cases) expectCode(await unstake(who, ACC, { overrides }), name);
  const feePayer = await generateKeyPairSigner();
  chain.svm.airdrop(feePayer.address, lamports(10_000_000_000n));
  expectCode(await send(chain.svm, feePayer, [requestUnstakeInstruction({ ...chain, ...who, amount: ACC, overrides: { [U.OWNER]: readOnly(who.owner.address) } })]),
    'MISSING_SIGNER');
  assert.equal(readAgent(chain.svm, stranger.agent).activeStake, 100n * ACC, "the stranger's stake did not move");
  assert.equal(readAgent(chain.svm, who.agent).activeStake, 100n * ACC);
});

test('Withdraw_PaysTheUnbondingBucketOnlyAfterTheUnbondingPeriod', async () => {
  const who = await newOwner();
  expectSuccess(await register(who));
  expectSuccess(await stake(who, 1_000n * ACC));
  expectCode(await withdraw(who), 'NOTHING_TO_WITHDRAW');
  expectSuccess(await unstake(who, 300n * ACC));
  const unlocksAt = readAgent(chain.svm, who.agent).unbondingUnlocksAt;
  later(unlocksAt - chain.svm.getClock().unixTimestamp - 1n); // one second early
  expectCode(await withdraw(who), 'UNBONDING_LOCKED');
  later(1n);
  const ownerBefore = balance(who.ownerAcc), vaultBefore = balance(chain.pdas.vaults[VAULT.STAKES]);
  assert.deepEqual(eventsOf(expectSuccess(await withdraw(who))), [{ name: 'Withdrawn', agentKey: who.agentKey.address, amount: 300n * ACC, size: 40 }]);
  assert.equal(balance(who.ownerAcc) - ownerBefore, 300n * ACC);
  assert.equal(vaultBefore - balance(chain.pdas.vaults[VAULT.STAKES]), 300n * ACC);
  const agent = readAgent(chain.svm, who.agent);
  assert.deepEqual([agent.activeStake, agent.unbondingStake, agent.unbondingUnlocksAt], [700n * ACC, 0n, 0n]);
  expectCode(await withdraw(who), 'NOTHING_TO_WITHDRAW'); // paid once
});

test('Withdraw_EachAccountCheckFailsWithItsNamedError', async () => {
  const who = await newOwner(), stranger = await newOwner();
  expectSuccess(await register(who));
  expectSuccess(await stake(who, 100n * ACC));
  expectSuccess(await unstake(who, 100n * ACC));
  expectSuccess(await register(stranger));
  later(31n * 86400n);
  const cases = [
    ['NOT_WRITABLE', { [W.AGENT]: readOnly(who.agent) }],
    ['NOT_AGENT_OWNER', { [W.AGENT]: writable(stranger.agent) }],
    ['WRONG_OWNER', { [W.AGENT]: writable(who.ownerAcc) }],
    ['NOT_TOKEN_OWNER', { [W.OWNER_ACC]: writable(stranger.ownerAcc) }], // paying someone else
    ['NOT_TOKEN_OWNER', { [W.OWNER_ACC]: writable(chain.pdas.vaults[VAULT.BONDS]) }],
    ['NOT_WRITABLE', { [W.OWNER_ACC]: readOnly(who.ownerAcc) }],
    ['WRONG_PDA', { [W.STAKES]: writable(chain.pdas.vaults[VAULT.BONDS]) }], // paying from the bonds
    ['NOT_WRITABLE', { [W.STAKES]: readOnly(chain.pdas.vaults[VAULT.STAKES]) }],
    ['WRONG_OWNER', { [W.CONFIG]: readOnly(who.ownerAcc) }],
    ['WRONG_ACCOUNT', { [W.TOKEN]: readOnly(chain.program) }],
    ['NOT_ENOUGH_ACCOUNTS', { [W.TOKEN]: null }],
  ];
  for (const [name, overrides] of cases) expectCode(await withdraw(who, { overrides }), name);
  const feePayer = await generateKeyPairSigner();
  chain.svm.airdrop(feePayer.address, lamports(10_000_000_000n));
  expectCode(await send(chain.svm, feePayer, [withdrawInstruction({ ...chain, ...who, overrides: { [W.OWNER]: readOnly(who.owner.address) } })]),
    'MISSING_SIGNER');
  assert.equal(readAgent(chain.svm, who.agent).unbondingStake, 100n * ACC, 'nothing was paid');
  expectSuccess(await withdraw(who));
});

const requestExit = (who, extra = {}) => send(chain.svm, who.owner, [requestExitInstruction({ ...chain, ...who, ...extra })]);
const withdrawBond = (who, payer, extra = {}) => send(chain.svm, payer, [withdrawBondInstruction({ ...chain, ...who, ...extra })]);

test('Exit_TheBondReturnsToTheOwnerAfterTheExitDelayAndTheAgentStaysOut', async () => {
  const who = await newOwner();
  expectSuccess(await register(who));
  expectSuccess(await stake(who, 100n * ACC));
  const keeper = await generateKeyPairSigner(); // anyone may pay the withdrawal out; it goes to the owner
  chain.svm.airdrop(keeper.address, lamports(10_000_000_000n));
  expectCode(await withdrawBond(who, keeper), 'BOND_LOCKED'); // no exit requested
  const result = expectSuccess(await requestExit(who));
  const unlocksAt = chain.svm.getClock().unixTimestamp + 30n * 86400n;
  assert.deepEqual(eventsOf(result), [{ name: 'ExitRequested', agentKey: who.agentKey.address, unlocksAt, size: 40 }]);
  const agent = readAgent(chain.svm, who.agent);
  assert.deepEqual([agent.status, agent.exitUnlocksAt], [AGENT_STATUS.EXITED, unlocksAt]);
  expectCode(await requestExit(who), 'AGENT_EXITED');
  expectCode(await stake(who, ACC), 'AGENT_EXITED');
  later(unlocksAt - chain.svm.getClock().unixTimestamp - 1n);
  expectCode(await withdrawBond(who, keeper), 'BOND_LOCKED');
  later(1n);
  const before = balance(who.ownerAcc);
  assert.deepEqual(eventsOf(expectSuccess(await withdrawBond(who, keeper))),
    [{ name: 'BondWithdrawn', agentKey: who.agentKey.address, owner: who.owner.address, amount: BOND, size: 72 }]);
  assert.equal(balance(who.ownerAcc) - before, BOND);
  assert.equal(readAgent(chain.svm, who.agent).bond, 0n);
  expectCode(await withdrawBond(who, keeper), 'NOTHING_TO_WITHDRAW');
  expectCode(await register(who), 'ALREADY_INITIALIZED'); // the key never binds again
  expectSuccess(await unstake(who, 100n * ACC)); // stake leaves by its own path
});

test('Exit_EachAccountCheckFailsWithItsNamedError', async () => {
  const who = await newOwner(), stranger = await newOwner();
  expectSuccess(await register(who));
  expectSuccess(await register(stranger));
  for (const [name, overrides] of [
    ['NOT_WRITABLE', { [X.AGENT]: readOnly(who.agent) }],
    ['NOT_AGENT_OWNER', { [X.AGENT]: writable(stranger.agent) }],
    ['WRONG_OWNER', { [X.CONFIG]: readOnly(who.ownerAcc) }],
    ['NOT_ENOUGH_ACCOUNTS', { [X.CONFIG]: null }],
  ]) expectCode(await requestExit(who, { overrides }), name);
  const feePayer = await generateKeyPairSigner();
  chain.svm.airdrop(feePayer.address, lamports(10_000_000_000n));
  expectCode(await send(chain.svm, feePayer, [requestExitInstruction({ ...chain, ...who, overrides: { [X.OWNER]: readOnly(who.owner.address) } })]),
    'MISSING_SIGNER');
  assert.equal(readAgent(chain.svm, stranger.agent).status, AGENT_STATUS.PENDING);
  expectSuccess(await requestExit(who));
  later(30n * 86400n);
  for (const [name, overrides] of [
    ['NOT_TOKEN_OWNER', { [B.OWNER_ACC]: writable(stranger.ownerAcc) }], // the bond never goes to anyone but the owner
    ['NOT_TOKEN_OWNER', { [B.OWNER_ACC]: writable(chain.pdas.vaults[VAULT.STAKES]) }],
    ['NOT_WRITABLE', { [B.OWNER_ACC]: readOnly(who.ownerAcc) }],
    ['WRONG_PDA', { [B.BONDS]: writable(chain.pdas.vaults[VAULT.STAKES]) }],
    ['NOT_WRITABLE', { [B.BONDS]: readOnly(chain.pdas.vaults[VAULT.BONDS]) }],
    ['NOT_WRITABLE', { [B.AGENT]: readOnly(who.agent) }],
    ['WRONG_OWNER', { [B.CONFIG]: readOnly(who.ownerAcc) }],
    ['WRONG_ACCOUNT', { [B.TOKEN]: readOnly(chain.program) }],
    ['NOT_ENOUGH_ACCOUNTS', { [B.TOKEN]: null }],
  ]) expectCode(await withdrawBond(who, feePayer, { overrides }), name);
  expectCode(await withdrawBond(stranger, feePayer), 'BOND_LOCKED'); // the stranger never asked to exit
  assert.equal(readAgent(chain.svm, who.agent).bond, BOND, 'nothing was paid');
  expectSuccess(await withdrawBond(who, feePayer));
});

test('Supply_GenesisVaultsBondsAndStakesAccountForEveryMintedUnit', async () => {
  // Whatever the tests above did: the mint's supply is the genesis supply less the burned fees, and every agent's bond
  // and stake sits in the vaults. (Agents at their PDA: the forged copy of an agent made above is not one.)
  const agents = [];
  for (const a of chain.svm.getProgramAccounts(chain.program)) {
    if (a.data.length === 200 && a.data[0] === 2 && a.address === await agentPda(chain.program, getAddressDecoder().decode(a.data.subarray(40, 72)))) agents.push(a);
  }
  assert.equal(agents.length, 16, 'the agents the tests above registered');
  const bonds = agents.reduce((n, a) => n + readAgent(chain.svm, a.address).bond, 0n); // withdrawn bonds read 0
  const stakes = agents.reduce((n, a) => n + readAgent(chain.svm, a.address).activeStake + readAgent(chain.svm, a.address).unbondingStake, 0n);
  assert.equal(balance(chain.pdas.vaults[VAULT.BONDS]), bonds);
  assert.equal(balance(chain.pdas.vaults[VAULT.STAKES]), stakes);
  assert.equal(readMint(chain.svm, chain.pdas.mint).supply, TOTAL_SUPPLY - BigInt(agents.length) * FEE);
});
