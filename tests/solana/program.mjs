// The AgentCluster program for the tests: its PDAs, its instructions, its account layouts (include/agentcluster/state.h).
import fs from 'node:fs';
import { getProgramDerivedAddress } from '@solana/kit';
import { getMintDecoder, getTokenDecoder } from '@solana-program/token';
import {
  AccountRole, SYSTEM_PROGRAM, TOKEN_PROGRAM, deployProgram, expectSuccess, newChain, programPath, readU64,
} from './helpers.mjs';

export const IX = { INITIALIZE: 0 };
export const ACC = 10n ** 9n; // 9 decimals
export const TOTAL_SUPPLY = 10n ** 9n * ACC;
/** The genesis vaults and their shares, as AccGenesis.sol (basis points; the team takes the remainder). */
export const GENESIS = [
  { name: 'validators', bps: 3000n }, { name: 'compute', bps: 2500n }, { name: 'marketplace', bps: 1500n },
  { name: 'review', bps: 1000n }, { name: 'treasury', bps: 800n }, { name: 'team', bps: 1200n },
];

/** A chain with the program deployed through the upgradeable loader (the payer is its upgrade authority). */
export async function deployAgentCluster({ programKeys } = {}) {
  const { svm, payer } = await newChain();
  const { program, programData, deploy } = await deployProgram(svm, payer, fs.readFileSync(programPath('agentcluster')), programKeys);
  expectSuccess(deploy);
  return { svm, payer, program, programData, pdas: await pdasOf(program) };
}

export async function pdasOf(program) {
  const pda = async (...seeds) => (await getProgramDerivedAddress({ programAddress: program, seeds }))[0];
  const vaults = [];
  for (let k = 0; k < GENESIS.length; k++) vaults.push(await pda('vault', new Uint8Array([k])));
  return { config: await pda('config'), mint: await pda('mint'), vaults };
}

/** initialize's accounts, in order; `overrides` replaces entries by index (to break one check at a time). */
export function initializeInstruction({ program, programData, pdas, authority, overrides = {}, data = new Uint8Array([IX.INITIALIZE]) }) {
  const accounts = [
    { address: authority.address, role: AccountRole.WRITABLE_SIGNER, signer: authority },
    { address: pdas.config, role: AccountRole.WRITABLE },
    { address: pdas.mint, role: AccountRole.WRITABLE },
    ...pdas.vaults.map((v) => ({ address: v, role: AccountRole.WRITABLE })),
    { address: program, role: AccountRole.READONLY },
    { address: programData, role: AccountRole.READONLY },
    { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
    { address: TOKEN_PROGRAM, role: AccountRole.READONLY },
  ];
  for (const [i, meta] of Object.entries(overrides)) accounts[Number(i)] = meta;
  return { programAddress: program, accounts: accounts.filter(Boolean), data };
}
export const INITIALIZE_ACCOUNT = { AUTHORITY: 0, CONFIG: 1, MINT: 2, VAULT0: 3, PROGRAM: 9, PROGRAM_DATA: 10, SYSTEM: 11, TOKEN: 12 };

/** The config account, decoded (ac_config). */
export function readConfig(svm, config) {
  const account = svm.getAccount(config);
  if (!account.exists) return null;
  const d = account.data;
  return {
    owner: account.programAddress, size: d.length, discriminator: d[0], version: d[1], bump: d[2], mintBump: d[3],
    vaultBumps: [...d.subarray(4, 10)], authority: d.subarray(16, 48), mint: d.subarray(48, 80),
    registrationBond: readU64(d, 80), registrationFee: readU64(d, 88), unbondingPeriod: readU64(d, 96), appealWindow: readU64(d, 104),
  };
}

export const readMint = (svm, mint) => getMintDecoder().decode(svm.getAccount(mint).data);
export const readTokenAccount = (svm, account) => getTokenDecoder().decode(svm.getAccount(account).data);
