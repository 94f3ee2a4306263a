// initialize: the config, the ACC mint with the whole supply in the six genesis vaults, the mint authority gone; only
// the upgrade authority may call it, once; every account check broken on purpose fails with its named error.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { lamports } from '@solana/kit';
import {
  AccountRole, ERRORS, LOADER, SYSTEM_PROGRAM, addressBytes, customError, expectSuccess, generateKeyPairSigner, send,
} from './helpers.mjs';
import {
  GENESIS, INITIALIZE_ACCOUNT as A, VAULT, eventsOf, TOTAL_SUPPLY, ACC, deployAgentCluster, initializeInstruction, readConfig, readMint,
  readTokenAccount,
} from './program.mjs';

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

test('Initialize_RefusesReadOnlyOrWrongConfigMintAndVaults', async () => {
  const { config, mint, vaults } = chain.pdas;
  await expectError('NOT_WRITABLE', { [A.CONFIG]: readOnly(config) });
  await expectError('WRONG_PDA', { [A.CONFIG]: writable(mint) });
  await expectError('NOT_WRITABLE', { [A.MINT]: readOnly(mint) });
  await expectError('WRONG_PDA', { [A.MINT]: writable((await generateKeyPairSigner()).address) });
  await expectError('NOT_WRITABLE', { [A.VAULT0 + 4]: readOnly(vaults[4]) });
  await expectError('WRONG_PDA', { [A.VAULT0]: writable(vaults[1]), [A.VAULT0 + 1]: writable(vaults[0]) });
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

test('Initialize_RefusesWrongSystemOrTokenPrograms', async () => {
  const impostor = (await generateKeyPairSigner()).address;
  await expectError('WRONG_ACCOUNT', { [A.SYSTEM]: readOnly(impostor) });
  await expectError('WRONG_ACCOUNT', { [A.TOKEN]: readOnly(impostor) });
});

test('Initialize_RefusesMissingAccountsAndExtraData', async () => {
  await expectError('NOT_ENOUGH_ACCOUNTS', { [A.TOKEN]: null });
  await expectError('INVALID_INSTRUCTION', {}, { data: new Uint8Array([0, 1]) });
});

test('Initialize_MintsTheWholeSupplyIntoTheGenesisVaultsAndRemovesTheMintAuthority', async () => {
  const { svm, pdas, payer, program } = chain;
  svm.airdrop(pdas.config, lamports(5_000n)); // a griefer's deposit at the config's address does not block it
  const result = expectSuccess(await attempt());
  assert.deepEqual(eventsOf(result), [{ name: 'Initialized', authority: payer.address, mint: pdas.mint, supply: TOTAL_SUPPLY, size: 72 }]);

  const config = readConfig(svm, pdas.config);
  assert.equal(config.owner, program);
  assert.equal(config.size, 432);
  assert.deepEqual([config.discriminator, config.version], [1, 1]);
  assert.deepEqual(config.authority, addressBytes(payer.address));
  assert.deepEqual(config.mint, addressBytes(pdas.mint));
  assert.equal(config.registrationBond, 10_000n * ACC);
  assert.equal(config.registrationFee, 100n * ACC);
  assert.equal(config.unbondingPeriod, 30n * 86400n);
  assert.equal(config.appealWindow, 7n * 86400n);
  assert.equal(config.exitDelay, 30n * 86400n);

  const mint = readMint(svm, pdas.mint);
  assert.equal(svm.getAccount(pdas.mint).programAddress, 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
  assert.equal(mint.supply, TOTAL_SUPPLY);
  assert.equal(mint.decimals, 9);
  assert.equal(mint.mintAuthority.__option, 'None', 'nobody can mint ACC again');
  assert.equal(mint.freezeAuthority.__option, 'None', 'nobody can freeze ACC');

  for (const [k, vault] of pdas.vaults.entries()) assert.deepEqual(config.vaults[k], addressBytes(vault), `config names vault ${k}`);
  for (const k of [VAULT.BONDS, VAULT.STAKES]) {
    const account = readTokenAccount(svm, pdas.vaults[k]);
    assert.deepEqual([account.mint, account.owner, account.amount], [pdas.mint, pdas.config, 0n], `vault ${k} starts empty`);
  }
  let sum = 0n;
  for (const [k, vault] of pdas.vaults.slice(0, GENESIS.length).entries()) {
    const account = readTokenAccount(svm, vault);
    assert.equal(account.mint, pdas.mint);
    assert.equal(account.owner, pdas.config, `${GENESIS[k].name}: the config PDA holds the vault`);
    assert.equal(account.amount, TOTAL_SUPPLY * GENESIS[k].bps / 10_000n, `${GENESIS[k].name} share`);
    sum += account.amount;
  }
  assert.equal(sum, TOTAL_SUPPLY, 'the six vaults hold the whole supply');
});

test('Initialize_RunsOnlyOnce', async () => {
  const result = customError(await attempt());
  assert.equal(result.code, ERRORS.ALREADY_INITIALIZED);
  assert.equal(readMint(chain.svm, chain.pdas.mint).supply, TOTAL_SUPPLY);
});
