// The AgentCluster program's deployment on a LiteSVM, shared by the LiteSVM tests (tests/solana/helpers.mjs and
// program.mjs import and re-export it) and the local JSON-RPC server (scripts/solana/): the build when a source is newer
// than the output, the deploy through the real upgradeable loader (buffer, Write chunks, DeployWithMaxDataLen), then
// initialize and every genesis step.
import fs from 'node:fs';
import path from 'node:path';
import { FailedTransactionMetadata } from 'litesvm';
import {
  AccountRole, address, appendTransactionMessageInstructions, createTransactionMessage, generateKeyPairSigner,
  getAddressEncoder, getProgramDerivedAddress, pipe, setTransactionMessageFeePayerSigner, signTransactionMessageWithSigners,
} from '@solana/kit';
import { build, DEFAULT_OUT, SOLANA_DIR } from '../build.mjs';

export const LOADER = address('BPFLoaderUpgradeab1e11111111111111111111111');
export const SYSTEM_PROGRAM = address('11111111111111111111111111111111');
export const TOKEN_PROGRAM = address('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
export const SYSVAR_RENT = address('SysvarRent111111111111111111111111111111111');
export const SYSVAR_CLOCK = address('SysvarC1ock11111111111111111111111111111111');

export const IX = { INITIALIZE: 0, REGISTER_AGENT: 1, STAKE: 2, REQUEST_UNSTAKE: 3, WITHDRAW: 4, SET_ATTESTOR: 5, ATTEST: 6, REQUEST_EXIT: 7, WITHDRAW_BOND: 8, GENESIS: 40 };
/** The vaults by kind: 0..5 the genesis shares (validators, compute, marketplace, review, treasury, team), 6 bonds, 7 stakes. */
export const VAULT = { BONDS: 6, STAKES: 7, COUNT: 8 };
export const VAULT_NAMES = ['validators', 'compute', 'marketplace', 'review', 'treasury', 'team', 'bonds', 'stakes'];

const newestSource = () => {
  let newest = 0;
  for (const dir of ['src', 'include', 'probe', 'tools']) {
    for (const f of fs.readdirSync(path.join(SOLANA_DIR, dir), { recursive: true })) {
      if (dir === 'tools' && f === 'deploy.mjs') continue; // this file is no input of the build
      newest = Math.max(newest, fs.statSync(path.join(SOLANA_DIR, dir, f)).mtimeMs);
    }
  }
  return Math.max(newest, fs.statSync(path.join(SOLANA_DIR, 'build.mjs')).mtimeMs);
};

/** Path of a built program (agentcluster, support-probe); builds first when a source changed since. */
export function programPath(name) {
  const file = path.join(DEFAULT_OUT, `${name}.so`);
  if (!fs.existsSync(file) || fs.statSync(file).mtimeMs < newestSource()) build();
  return file;
}

export const u64le = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n), true); return b; };
export const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
export const addressBytes = (a) => getAddressEncoder().encode(a);

/** Signs and sends instructions (fee payer: payer; other signers are taken from the account metas). */
export async function send(svm, payer, instructions) {
  svm.expireBlockhash(); // a fresh blockhash, so that a repeated transaction is a new one
  const tx = await pipe(createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => svm.setTransactionMessageLifetimeUsingLatestBlockhash(m),
    (m) => appendTransactionMessageInstructions(instructions, m),
    (m) => signTransactionMessageWithSigners(m));
  return svm.sendTransaction(tx);
}

/** Throws with the logs when the transaction failed; returns its metadata. */
export function expectSuccess(result) {
  if (result instanceof FailedTransactionMetadata) {
    throw new Error(`transaction failed: ${result.err()}\n${result.meta().logs().join('\n')}`);
  }
  return result;
}

/**
 * Deploys a program the way `solana program deploy` does: a buffer account (System create + InitializeBuffer), the
 * ELF written in chunks (Write), then DeployWithMaxDataLen, which runs the loader's deploy-time ELF checks and
 * verifier. Returns the program's address and its program data address; the payer is the upgrade authority.
 * programKeys: the program's key pair (default: a new one; fixed where figures must not depend on the address's bumps).
 */
export async function deployProgram(svm, payer, elf, programKeys = undefined) {
  programKeys ??= await generateKeyPairSigner();
  const bufferKeys = await generateKeyPairSigner();
  const [programData] = await getProgramDerivedAddress({ programAddress: LOADER, seeds: [addressBytes(programKeys.address)] });
  const rent = (n) => svm.minimumBalanceForRentExemption(BigInt(n));
  const systemCreate = (to, space, owner) => ({
    programAddress: SYSTEM_PROGRAM,
    accounts: [{ address: payer.address, role: AccountRole.WRITABLE_SIGNER, signer: payer },
      { address: to.address, role: AccountRole.WRITABLE_SIGNER, signer: to }],
    data: concat(new Uint8Array([0, 0, 0, 0]), u64le(rent(space)), u64le(space), addressBytes(owner)),
  });
  const u32le = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
  const BUFFER_HEADER = 37;
  expectSuccess(await send(svm, payer, [systemCreate(bufferKeys, BUFFER_HEADER + elf.length, LOADER), {
    programAddress: LOADER, data: u32le(0), // InitializeBuffer
    accounts: [{ address: bufferKeys.address, role: AccountRole.WRITABLE }, { address: payer.address, role: AccountRole.READONLY }],
  }]));
  const CHUNK = 900;
  for (let offset = 0; offset < elf.length; offset += CHUNK) {
    const chunk = elf.subarray(offset, offset + CHUNK);
    expectSuccess(await send(svm, payer, [{
      programAddress: LOADER, data: concat(u32le(1), u32le(offset), u64le(chunk.length), chunk), // Write { offset, bytes }
      accounts: [{ address: bufferKeys.address, role: AccountRole.WRITABLE },
        { address: payer.address, role: AccountRole.READONLY_SIGNER, signer: payer }],
    }]));
  }
  const deploy = await send(svm, payer, [systemCreate(programKeys, 36, LOADER), {
    programAddress: LOADER, data: concat(u32le(2), u64le(elf.length * 2)), // DeployWithMaxDataLen
    accounts: [
      { address: payer.address, role: AccountRole.WRITABLE_SIGNER, signer: payer },
      { address: programData, role: AccountRole.WRITABLE },
      { address: programKeys.address, role: AccountRole.WRITABLE },
      { address: bufferKeys.address, role: AccountRole.WRITABLE },
      { address: SYSVAR_RENT, role: AccountRole.READONLY },
      { address: SYSVAR_CLOCK, role: AccountRole.READONLY },
      { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
      { address: payer.address, role: AccountRole.READONLY_SIGNER, signer: payer },
    ],
  }]);
  svm.warpToSlot(svm.getClock().slot + 1n); // a program deployed in a slot is invocable from the next one
  return { program: programKeys.address, programData, deploy };
}

/** The program's PDAs: config, mint, the eight vaults (by kind), and their bumps. */
export async function pdasOf(program) {
  const pda = async (...seeds) => getProgramDerivedAddress({ programAddress: program, seeds });
  const vaults = [], vaultBumps = [];
  for (let k = 0; k < VAULT.COUNT; k++) {
    const [vault, bump] = await pda('vault', new Uint8Array([k]));
    vaults.push(vault); vaultBumps.push(bump);
  }
  const [config, configBump] = await pda('config'), [mint, mintBump] = await pda('mint');
  return { config, mint, vaults, bumps: { config: configBump, mint: mintBump, vaults: vaultBumps } };
}

/** initialize's accounts, in order (sol-final: genesis' first step, the config only); `overrides` replaces entries by
 * index (to break one check at a time). */
export function initializeInstruction({ program, programData, pdas, authority, overrides = {}, data = new Uint8Array([IX.INITIALIZE]) }) {
  const accounts = [
    { address: authority.address, role: AccountRole.WRITABLE_SIGNER, signer: authority },
    { address: pdas.config, role: AccountRole.WRITABLE },
    { address: program, role: AccountRole.READONLY },
    { address: programData, role: AccountRole.READONLY },
    { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
  ];
  for (const [i, meta] of Object.entries(overrides)) accounts[Number(i)] = meta;
  return { programAddress: program, accounts: accounts.filter(Boolean), data };
}
export const INITIALIZE_ACCOUNT = { AUTHORITY: 0, CONFIG: 1, PROGRAM: 2, PROGRAM_DATA: 3, SYSTEM: 4 };

/** sol-final: genesis step `step` (1: the mint; 2..5: vaults 2(step-2) and 2(step-2)+1, minted their shares; 5 also
 * removes the mint authority), with the canonical bumps unless `bumps` says otherwise; `overrides` as above. */
export const GENESIS_STEP = { MINT: 1, VAULTS_0_1: 2, VAULTS_2_3: 3, VAULTS_4_5: 4, VAULTS_6_7: 5, LAST: 5 };
export const GENESIS_ACCOUNT = { AUTHORITY: 0, CONFIG: 1, MINT: 2, VAULT_A: 3, VAULT_B: 4, SYSTEM: 5, TOKEN: 6, MINT_STEP_SYSTEM: 3, MINT_STEP_TOKEN: 4 };
export function genesisInstruction({ program, pdas, authority, step, bumps, overrides = {}, data }) {
  const w = (address) => ({ address, role: AccountRole.WRITABLE });
  const first = 2 * (step - 2);
  const accounts = [
    { address: authority.address, role: AccountRole.WRITABLE_SIGNER, signer: authority }, w(pdas.config), w(pdas.mint),
    ...(step === GENESIS_STEP.MINT ? [] : [w(pdas.vaults[first]), w(pdas.vaults[first + 1])]),
    { address: SYSTEM_PROGRAM, role: AccountRole.READONLY }, { address: TOKEN_PROGRAM, role: AccountRole.READONLY },
  ];
  bumps ??= step === GENESIS_STEP.MINT ? [pdas.bumps.mint, 0] : [pdas.bumps.vaults[first], pdas.bumps.vaults[first + 1]];
  for (const [i, meta] of Object.entries(overrides)) accounts[Number(i)] = meta;
  return { programAddress: program, accounts: accounts.filter(Boolean), data: data ?? new Uint8Array([IX.GENESIS, step, ...bumps]) };
}
/** The whole genesis: initialize, then every step in order. */
export const genesisInstructions = (chain, authority = chain.payer) => [initializeInstruction({ ...chain, authority }),
  ...[1, 2, 3, 4, 5].map((step) => genesisInstruction({ ...chain, authority, step }))];

/**
 * Deploys the AgentCluster program on `svm` through the upgradeable loader (the authority is its upgrade authority),
 * then, unless genesis is false, runs initialize and every genesis step in one transaction (the authority becomes the
 * config's authority). Returns { program, programData, pdas }.
 */
export async function deployAgentClusterOn(svm, authority, { programKeys, genesis = true } = {}) {
  const { program, programData, deploy } = await deployProgram(svm, authority, fs.readFileSync(programPath('agentcluster')), programKeys);
  expectSuccess(deploy);
  const chain = { svm, payer: authority, program, programData, pdas: await pdasOf(program) };
  if (genesis) expectSuccess(await send(svm, authority, genesisInstructions(chain))); // sol-final: every step, in one transaction
  return { program, programData, pdas: chain.pdas };
}
