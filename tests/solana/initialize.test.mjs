// initialize: genesis' first step (sol-final): the config at its canonical address, its parameters, the caller as its
// authority, genesis stage 1; only the upgrade authority may call it, once; every account check broken on purpose fails
// with its named error. The mint, the vaults and the whole supply: the later steps (genesis.test.mjs).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { lamports } from '@solana/kit';
import {
  AccountRole, ERRORS, LOADER, SYSTEM_PROGRAM, addressBytes, customError, expectSuccess, generateKeyPairSigner, send,
} from './helpers.mjs';
import { INITIALIZE_ACCOUNT as A, eventsOf, ACC, deployAgentCluster, initializeInstruction, readConfig } from './program.mjs';

let chain; // one deployment: every broken call fails atomically, so the good one at the end still finds nothing made

before(async () => { chain = await deployAgentCluster(); });

const attempt = (overrides = {}, { authority = chain.payer, feePayer = chain.payer, data } = {}) =>
  send(chain.svm, feePayer, [initializeInstruction({ ...chain, authority, overrides, data })]);
const expectError = async (name, overrides, options) => {
  const result = customError(await attempt(overrides, options));
  assert.equal(result.code, ERRORS[name], `expected ${name} (${ERRORS[name]}), got ${result.error}\n${result.logs.join('\n')}`);
  assert.equal(readConfig(chain.svm, chain.pdas.config), null, 'nothing was created');
};
const readOnly = (address) => ({ address, role: AccountRole.READONLY });
const writable = (address) => ({ address, role: AccountRole.WRITABLE });

test('Initialize_RefusesAnAuthorityThatDidNotSign', async () => {
  const feePayer = await generateKeyPairSigner();
  chain.svm.airdrop(feePayer.address, lamports(10_000_000_000n));
  await expectError('MISSING_SIGNER', { [A.AUTHORITY]: readOnly(chain.payer.address) }, { feePayer });
});

test('Initialize_RefusesAReadOnlyAuthority', async () => {
  const feePayer = await generateKeyPairSigner();
  chain.svm.airdrop(feePayer.address, lamports(10_000_000_000n));
  await expectError('NOT_WRITABLE', { [A.AUTHORITY]: { address: chain.payer.address, role: AccountRole.READONLY_SIGNER, signer: chain.payer } }, { feePayer });
});

test('Initialize_RefusesAnyoneButTheUpgradeAuthority', async () => {
  const stranger = await generateKeyPairSigner();
  chain.svm.airdrop(stranger.address, lamports(10_000_000_000n));
  await expectError('NOT_UPGRADE_AUTHORITY', {}, { authority: stranger, feePayer: stranger });
});

test('Initialize_RefusesAReadOnlyOrWrongConfig', async () => {
  const { config, mint } = chain.pdas;
  await expectError('NOT_WRITABLE', { [A.CONFIG]: readOnly(config) });
  await expectError('WRONG_PDA', { [A.CONFIG]: writable(mint) });
  await expectError('WRONG_PDA', { [A.CONFIG]: writable((await generateKeyPairSigner()).address) });
});

test('Initialize_RefusesAConfigThatAlreadyHoldsData', async () => {
  // Only the program could have made it; set by hand here to prove the check, not a path.
  const { svm, pdas, program } = chain;
  svm.setAccount({ address: pdas.config, data: new Uint8Array(8), executable: false, lamports: lamports(10_000_000n), programAddress: program, space: 8n });
  const result = customError(await attempt());
  assert.equal(result.code, ERRORS.ALREADY_INITIALIZED);
  svm.setAccount({ address: pdas.config, data: new Uint8Array(0), executable: false, lamports: lamports(0n), programAddress: SYSTEM_PROGRAM, space: 0n });
});

test('Initialize_RefusesTheWrongProgramAccounts', async () => {
  const other = await deployAgentCluster(); // another deployment's program and program data, in another chain...
  const { svm, programData } = chain;
  // ...copied into this chain, so that they exist here with the loader as owner.
  for (const address of [other.program, other.programData]) {
    const a = other.svm.getAccount(address);
    svm.setAccount({ address, data: a.data, executable: a.executable, lamports: a.lamports, programAddress: a.programAddress, space: BigInt(a.data.length) });
  }
  await expectError('WRONG_ACCOUNT', { [A.PROGRAM]: readOnly(other.program) });
  await expectError('WRONG_ACCOUNT', { [A.PROGRAM_DATA]: readOnly(other.programData) });
  const fake = (await generateKeyPairSigner()).address; // program data's layout, naming the payer, but not the loader's
  const data = new Uint8Array(45);
  data.set([3, 0, 0, 0]); data[12] = 1; data.set(addressBytes(chain.payer.address), 13);
  svm.setAccount({ address: fake, data, executable: false, lamports: lamports(10_000_000n), programAddress: SYSTEM_PROGRAM, space: 45n });
  await expectError('WRONG_OWNER', { [A.PROGRAM_DATA]: readOnly(fake) });
  assert.equal(svm.getAccount(programData).programAddress, LOADER);
});

test('Initialize_RefusesAWrongSystemProgram', async () => {
  const impostor = (await generateKeyPairSigner()).address;
  await expectError('WRONG_ACCOUNT', { [A.SYSTEM]: readOnly(impostor) });
});

test('Initialize_RefusesMissingAccountsAndExtraData', async () => {
  await expectError('NOT_ENOUGH_ACCOUNTS', { [A.SYSTEM]: null });
  await expectError('INVALID_INSTRUCTION', {}, { data: new Uint8Array([0, 1]) });
});

test('Initialize_CreatesTheConfigAtStageOneEvenWhenItsAddressWasFunded', async () => {
  const { svm, pdas, payer, program } = chain;
  svm.airdrop(pdas.config, lamports(5_000n)); // a griefer's deposit at the config's address does not block it
  const result = expectSuccess(await attempt());
  assert.deepEqual(eventsOf(result), [], 'Initialized is emitted by the last genesis step');
  assert.ok(result.computeUnitsConsumed() < 20_000n, `initialize under 20,000 CU: ${result.computeUnitsConsumed()}`);

  const config = readConfig(svm, pdas.config);
  assert.equal(config.owner, program);
  assert.equal(config.size, 432);
  assert.deepEqual([config.discriminator, config.version, config.bump, config.genesisStage], [130, 1, pdas.bumps.config, 1], 'the config under genesis');
  assert.deepEqual(config.authority, addressBytes(payer.address));
  assert.deepEqual(config.mint, new Uint8Array(32), 'the mint: genesis step 1');
  for (const vault of config.vaults) assert.deepEqual(vault, new Uint8Array(32), 'the vaults: genesis steps 2..5');
  assert.equal(config.registrationBond, 10_000n * ACC);
  assert.equal(config.registrationFee, 100n * ACC);
  assert.equal(config.unbondingPeriod, 30n * 86400n);
  assert.equal(config.appealWindow, 7n * 86400n);
  assert.equal(config.exitDelay, 30n * 86400n);
  assert.equal(svm.getAccount(pdas.mint).exists, false, 'no mint yet');
});

test('Initialize_RunsOnlyOnce', async () => {
  const result = customError(await attempt());
  assert.equal(result.code, ERRORS.ALREADY_INITIALIZED);
  assert.equal(readConfig(chain.svm, chain.pdas.config).genesisStage, 1);
});
