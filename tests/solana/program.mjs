// The AgentCluster program for the tests: its PDAs, its instructions, its account layouts (include/agentcluster/state.h).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { getAddressDecoder, getProgramDerivedAddress, lamports } from '@solana/kit';
import { getMintDecoder, getTokenDecoder, getTokenEncoder } from '@solana-program/token';
import {
  AccountRole, SYSTEM_PROGRAM, TOKEN_PROGRAM, address, addressBytes, concat, deployProgram, expectSuccess, generateKeyPairSigner, newChain,
  programPath, readU64, send, u64le,
} from './helpers.mjs';
import { IX, VAULT, genesisInstructions, pdasOf } from '../../contracts/solana/tools/deploy.mjs';

// The PDAs, initialize and genesis live in contracts/solana/tools/deploy.mjs (shared with the localnet server).
export {
  IX, VAULT, pdasOf, initializeInstruction, INITIALIZE_ACCOUNT, GENESIS_STEP, GENESIS_ACCOUNT, genesisInstruction, genesisInstructions,
} from '../../contracts/solana/tools/deploy.mjs';
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

/** The config account, decoded (ac_config). */
export function readConfig(svm, config) {
  const account = svm.getAccount(config);
  if (!account.exists) return null;
  const d = account.data;
  return {
    owner: account.programAddress, size: d.length, discriminator: d[0], version: d[1], bump: d[2], mintBump: d[3],
    vaultBumps: [...d.subarray(4, 12)], genesisStage: d[12], authority: d.subarray(16, 48), mint: d.subarray(48, 80),
    vaults: [0, 1, 2, 3, 4, 5, 6, 7].map((k) => d.subarray(80 + 32 * k, 112 + 32 * k)),
    registrationBond: readU64(d, 336), registrationFee: readU64(d, 344), unbondingPeriod: readU64(d, 352), appealWindow: readU64(d, 360),
    exitDelay: readU64(d, 368),
    market: { ...decodeMarketTerms(d.subarray(376, 408)), keeperReward: readU64(d, 408) }, // sol-gaps
  };
}

/** sol-gaps: the market's terms (ac_market_terms, 32 bytes: a SET_MARKET_PARAMS proposal's target), both ways. */
const MARKET_TERMS = [['biddingWindow', 4], ['maxTaskDuration', 4], ['drawWindow', 4], ['commitWindow', 4], ['revealWindow', 4], ['feeBps', 2],
  ['reviewerShareBps', 2], ['missedSeverityBps', 2], ['rejectedSeverityBps', 2], ['nonRevealSeverityBps', 2], ['minoritySeverityBps', 2]];
export function encodeMarketTerms(terms) {
  const out = new Uint8Array(32), v = new DataView(out.buffer);
  let o = 0;
  for (const [name, size] of MARKET_TERMS) { if (size === 4) v.setUint32(o, Number(terms[name]), true); else v.setUint16(o, Number(terms[name]), true); o += size; }
  return out;
}
export function decodeMarketTerms(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset), terms = {};
  let o = 0;
  for (const [name, size] of MARKET_TERMS) { terms[name] = BigInt(size === 4 ? v.getUint32(o, true) : v.getUint16(o, true)); o += size; }
  return terms;
}

export const readMint = (svm, mint) => getMintDecoder().decode(svm.getAccount(mint).data);
export const readTokenAccount = (svm, account) => getTokenDecoder().decode(svm.getAccount(account).data);

/** The program's events in a transaction's logs (include/agentcluster/events.h), decoded. */
export const EVENT = { INITIALIZED: 1, AGENT_REGISTERED: 2, STAKED: 3, UNSTAKE_REQUESTED: 4, WITHDRAWN: 5, ATTESTOR_SET: 6, ATTESTED: 7, EXIT_REQUESTED: 8, BOND_WITHDRAWN: 9 };
export function eventsOf(result) {
  const events = [];
  for (const line of result.logs()) {
    if (!line.startsWith('Program data: ')) continue;
    const [code, payload] = line.slice('Program data: '.length).split(' ').map((b) => new Uint8Array(Buffer.from(b, 'base64')));
    const key = (o) => getAddressDecoder().decode(payload.subarray(o, o + 32));
    const u64 = (o) => readU64(payload, o);
    const i64 = (o) => new DataView(payload.buffer, payload.byteOffset).getBigInt64(o, true);
    switch (code[0]) {
      case EVENT.INITIALIZED: events.push({ name: 'Initialized', authority: key(0), mint: key(32), supply: u64(64), size: payload.length }); break;
      case EVENT.AGENT_REGISTERED: events.push({ name: 'AgentRegistered', agentKey: key(0), owner: key(32), bond: u64(64), feeBurned: u64(72), capabilities: u64(80), size: payload.length }); break;
      case EVENT.STAKED: events.push({ name: 'Staked', agentKey: key(0), amount: u64(32), activeStake: u64(40), size: payload.length }); break;
      case EVENT.UNSTAKE_REQUESTED: events.push({ name: 'UnstakeRequested', agentKey: key(0), amount: u64(32), unbondingStake: u64(40), unlocksAt: i64(48), size: payload.length }); break;
      case EVENT.WITHDRAWN: events.push({ name: 'Withdrawn', agentKey: key(0), amount: u64(32), size: payload.length }); break;
      case EVENT.ATTESTOR_SET: events.push({ name: 'AttestorSet', attestor: key(0), approved: payload[32], size: payload.length }); break;
      case EVENT.EXIT_REQUESTED: events.push({ name: 'ExitRequested', agentKey: key(0), unlocksAt: i64(32), size: payload.length }); break;
      case EVENT.BOND_WITHDRAWN: events.push({ name: 'BondWithdrawn', agentKey: key(0), owner: key(32), amount: u64(64), size: payload.length }); break;
      case EVENT.ATTESTED: events.push({ name: 'Attested', agentKey: key(0), attestor: key(32), expiresAt: i64(64), nonce: u64(72), size: payload.length }); break;
      default: events.push({ name: `unknown ${code[0]}` });
    }
  }
  return events;
}

/** An agent account, decoded (ac_agent). */
export function readAgent(svm, agent) {
  const account = svm.getAccount(agent);
  if (!account.exists) return null;
  const d = account.data;
  const i64 = (o) => new DataView(d.buffer, d.byteOffset).getBigInt64(o, true);
  return {
    owner: account.programAddress, size: d.length, discriminator: d[0], version: d[1], bump: d[2], status: d[3],
    ownerKey: d.subarray(8, 40), agentKey: d.subarray(40, 72), bond: readU64(d, 72), capabilities: readU64(d, 80),
    registeredAt: i64(88), attestedUntil: i64(96), attestationNonce: readU64(d, 104), activeStake: readU64(d, 112),
    unbondingStake: readU64(d, 120), unbondingUnlocksAt: i64(128), exitUnlocksAt: i64(136),
  };
}
export const AGENT_STATUS = { PENDING: 0, ACTIVE: 1, EXITED: 2 };

export const agentPda = async (program, agentKey) =>
  (await getProgramDerivedAddress({ programAddress: program, seeds: ['agent', addressBytes(agentKey)] }))[0];

/**
 * An ACC token account for `owner` holding `amount`. No instruction releases ACC from the vaults yet, so the tests
 * write the account directly; the mint's supply does not count such ACC, which no test here relies on.
 */
export async function fundedAccAccount(svm, mint, owner, amount) {
  const address = (await generateKeyPairSigner()).address;
  const data = getTokenEncoder().encode({ mint, owner, amount, delegate: null, state: 1, isNative: null, delegatedAmount: 0n, closeAuthority: null });
  svm.setAccount({ address, data: new Uint8Array(data), executable: false, lamports: lamports(svm.minimumBalanceForRentExemption(165n)),
    programAddress: TOKEN_PROGRAM, space: 165n });
  return address;
}

const withOverrides = (accounts, overrides) => {
  for (const [i, meta] of Object.entries(overrides)) accounts[Number(i)] = meta;
  return accounts.filter(Boolean);
};
const tagged = (tag, ...u64s) => concat(new Uint8Array([tag]), ...u64s.map(u64le));

export const REGISTER_ACCOUNT = { OWNER: 0, AGENT_KEY: 1, AGENT: 2, OWNER_ACC: 3, BONDS: 4, MINT: 5, CONFIG: 6, SYSTEM: 7, TOKEN: 8 };
export function registerAgentInstruction({ program, pdas, owner, agentKey, agent, ownerAcc, capabilities = 0n, overrides = {}, data }) {
  return { programAddress: program, data: data ?? tagged(IX.REGISTER_AGENT, capabilities), accounts: withOverrides([
    { address: owner.address, role: AccountRole.WRITABLE_SIGNER, signer: owner },
    { address: agentKey.address, role: AccountRole.READONLY_SIGNER, signer: agentKey },
    { address: agent, role: AccountRole.WRITABLE },
    { address: ownerAcc, role: AccountRole.WRITABLE },
    { address: pdas.vaults[VAULT.BONDS], role: AccountRole.WRITABLE },
    { address: pdas.mint, role: AccountRole.WRITABLE },
    { address: pdas.config, role: AccountRole.READONLY },
    { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
    { address: TOKEN_PROGRAM, role: AccountRole.READONLY },
  ], overrides) };
}

export const STAKE_ACCOUNT = { OWNER: 0, AGENT: 1, OWNER_ACC: 2, STAKES: 3, CONFIG: 4, TOKEN: 5, SYSTEM: 6 };
export function stakeInstruction({ program, pdas, owner, agent, ownerAcc, amount, overrides = {}, data }) {
  return { programAddress: program, data: data ?? tagged(IX.STAKE, amount), accounts: withOverrides([
    { address: owner.address, role: AccountRole.WRITABLE_SIGNER, signer: owner },
    { address: agent, role: AccountRole.WRITABLE },
    { address: ownerAcc, role: AccountRole.WRITABLE },
    { address: pdas.vaults[VAULT.STAKES], role: AccountRole.WRITABLE },
    { address: pdas.config, role: AccountRole.READONLY },
    { address: TOKEN_PROGRAM, role: AccountRole.READONLY },
    { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
  ], overrides) };
}

export const UNSTAKE_ACCOUNT = { OWNER: 0, AGENT: 1, CONFIG: 2, SYSTEM: 3 };
export function requestUnstakeInstruction({ program, pdas, owner, agent, amount, overrides = {}, data }) {
  return { programAddress: program, data: data ?? tagged(IX.REQUEST_UNSTAKE, amount), accounts: withOverrides([
    { address: owner.address, role: AccountRole.WRITABLE_SIGNER, signer: owner },
    { address: agent, role: AccountRole.WRITABLE },
    { address: pdas.config, role: AccountRole.READONLY },
    { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
  ], overrides) };
}

export const WITHDRAW_ACCOUNT = { OWNER: 0, AGENT: 1, OWNER_ACC: 2, STAKES: 3, CONFIG: 4, TOKEN: 5 };
export function withdrawInstruction({ program, pdas, owner, agent, ownerAcc, overrides = {}, data }) {
  return { programAddress: program, data: data ?? new Uint8Array([IX.WITHDRAW]), accounts: withOverrides([
    { address: owner.address, role: AccountRole.READONLY_SIGNER, signer: owner },
    { address: agent, role: AccountRole.WRITABLE },
    { address: ownerAcc, role: AccountRole.WRITABLE },
    { address: pdas.vaults[VAULT.STAKES], role: AccountRole.WRITABLE },
    { address: pdas.config, role: AccountRole.READONLY },
    { address: TOKEN_PROGRAM, role: AccountRole.READONLY },
  ], overrides) };
}

export const EXIT_ACCOUNT = { OWNER: 0, AGENT: 1, CONFIG: 2 };
export function requestExitInstruction({ program, pdas, owner, agent, overrides = {} }) {
  return { programAddress: program, data: new Uint8Array([IX.REQUEST_EXIT]), accounts: withOverrides([
    { address: owner.address, role: AccountRole.READONLY_SIGNER, signer: owner },
    { address: agent, role: AccountRole.WRITABLE },
    { address: pdas.config, role: AccountRole.READONLY },
  ], overrides) };
}

export const BOND_ACCOUNT = { AGENT: 0, OWNER_ACC: 1, BONDS: 2, CONFIG: 3, TOKEN: 4 };
export function withdrawBondInstruction({ program, pdas, agent, ownerAcc, overrides = {} }) {
  return { programAddress: program, data: new Uint8Array([IX.WITHDRAW_BOND]), accounts: withOverrides([
    { address: agent, role: AccountRole.WRITABLE },
    { address: ownerAcc, role: AccountRole.WRITABLE },
    { address: pdas.vaults[VAULT.BONDS], role: AccountRole.WRITABLE },
    { address: pdas.config, role: AccountRole.READONLY },
    { address: TOKEN_PROGRAM, role: AccountRole.READONLY },
  ], overrides) };
}

/** A deployed and initialised program. */
export async function initializedAgentCluster(options) {
  const chain = await deployAgentCluster(options);
  expectSuccess(await send(chain.svm, chain.payer, genesisInstructions(chain))); // sol-final: every step, in one transaction
  return chain;
}

export const SYSVAR_INSTRUCTIONS = address('Sysvar1nstructions1111111111111111111111111');
export const ED25519_PROGRAM = address('Ed25519SigVerify111111111111111111111111111');

export const attestorPda = async (program, key) =>
  (await getProgramDerivedAddress({ programAddress: program, seeds: ['attestor', addressBytes(key)] }))[0];

export const SET_ATTESTOR_ACCOUNT = { AUTHORITY: 0, CONFIG: 1, ATTESTOR: 2, SYSTEM: 3 };
export function setAttestorInstruction({ program, pdas, authority, attestorKey, attestor, approved = true, overrides = {} }) {
  return { programAddress: program, data: concat(new Uint8Array([IX.SET_ATTESTOR]), addressBytes(attestorKey), new Uint8Array([approved ? 1 : 0])),
    accounts: withOverrides([
      { address: authority.address, role: AccountRole.WRITABLE_SIGNER, signer: authority },
      { address: pdas.config, role: AccountRole.READONLY },
      { address: attestor, role: AccountRole.WRITABLE },
      { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
    ], overrides) };
}

/** An Ed25519 attestor key pair (node:crypto; from a 32-byte seed when given), its address, and signing. */
export function newAttestor(seed = undefined) {
  const { publicKey, privateKey } = seed
    ? { privateKey: crypto.createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' }) }
    : crypto.generateKeyPairSync('ed25519');
  return attestorFrom(publicKey ?? crypto.createPublicKey(privateKey), privateKey);
}
function attestorFrom(publicKey, privateKey) {
  const raw = new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url'));
  return { address: getAddressDecoder().decode(raw), publicKey: raw, sign: (message) => new Uint8Array(crypto.sign(null, message, privateKey)) };
}

/** The attestation fields as attest takes them, and the message an attestor signs (ac_attestation_message). */
export function attestationData({ measurement = new Uint8Array(32).fill(0xab), cpuCores = 16, gpuMemoryMb = 81920, tokensPerSecond = 1200, expiresAt, nonce }) {
  const b = new Uint8Array(60), v = new DataView(b.buffer);
  b.set(measurement, 0);
  v.setUint32(32, cpuCores, true); v.setUint32(36, gpuMemoryMb, true); v.setUint32(40, tokensPerSecond, true);
  v.setBigInt64(44, BigInt(expiresAt), true); v.setBigUint64(52, BigInt(nonce), true);
  return b;
}
export function attestationMessage({ program, agentKey, fields }) {
  // domain, program, agent key, measurement + cpu + gpu + tokens/s, a reserved zero u32, expiry + nonce
  return concat(new TextEncoder().encode('ACATTEST'), addressBytes(program), addressBytes(agentKey), fields.subarray(0, 44), new Uint8Array(4), fields.subarray(44, 60));
}

/** The Ed25519 native program's instruction verifying one signature, everything in its own data. */
export function ed25519Instruction({ publicKey, signature, message, index = 0xffff }) {
  const HEADER = 16, data = new Uint8Array(HEADER + 32 + 64 + message.length), v = new DataView(data.buffer);
  data[0] = 1; // one signature
  const publicKeyOffset = HEADER, signatureOffset = HEADER + 32, messageOffset = HEADER + 96;
  [signatureOffset, index, publicKeyOffset, index, messageOffset, message.length, index].forEach((x, i) => v.setUint16(2 + 2 * i, x, true));
  data.set(publicKey, publicKeyOffset); data.set(signature, signatureOffset); data.set(message, messageOffset);
  return { programAddress: ED25519_PROGRAM, accounts: [], data };
}

export const ATTEST_ACCOUNT = { AGENT: 0, ATTESTOR: 1, CONFIG: 2, INSTRUCTIONS: 3 };
export function attestInstruction({ program, pdas, agent, attestor, fields, overrides = {} }) {
  return { programAddress: program, data: concat(new Uint8Array([IX.ATTEST]), fields), accounts: withOverrides([
    { address: agent, role: AccountRole.WRITABLE },
    { address: attestor, role: AccountRole.READONLY },
    { address: pdas.config, role: AccountRole.READONLY },
    { address: SYSVAR_INSTRUCTIONS, role: AccountRole.READONLY },
  ], overrides) };
}

// ---------------------------------------------------------------------------------------------------------------------
// sol-stake: stake checkpoints, slashing with appeals, reputation (instructions 9..19, events 40..69, errors 40..69).
export const STAKE_IX = { SET_SLASHER: 9, SLASH: 10, APPEAL_SLASH: 11, REVERSE_SLASH: 12, DISMISS_APPEAL: 13, FINALIZE_SLASH: 14,
  OPEN_REPUTATION: 15, RECORD_REPUTATION: 16, STAKE_AT: 17, REPUTATION_OF: 18 };
export const STAKE_EVENT = { SLASHER_SET: 40, SLASHED: 41, SLASH_APPEALED: 42, SLASH_REVERSED: 43, APPEAL_DISMISSED: 44, SLASH_FINALIZED: 45,
  REPUTATION_OPENED: 46, REPUTATION_CHANGED: 47 };
export const SLASH_STATUS = { PENDING: 0, APPEALED: 1, REVERSED: 2, FINALIZED: 3 };
export const DIMENSION = { TASK: 0, VALIDATOR: 1, COMPUTE: 2, SOCIAL: 3 };
const u16le = (n) => new Uint8Array([n & 0xff, (n >> 8) & 0xff]);
const u32le = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
const i64le = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigInt64(0, BigInt(n), true); return b; };

export const slasherPda = async (program, key) =>
  (await getProgramDerivedAddress({ programAddress: program, seeds: ['slasher', addressBytes(key)] }))[0];
export const slashPda = async (program, agentKey, index) =>
  (await getProgramDerivedAddress({ programAddress: program, seeds: ['slash', addressBytes(agentKey), u32le(index)] }))[0];
export const reputationPda = async (program, agentKey) =>
  (await getProgramDerivedAddress({ programAddress: program, seeds: ['reputation', addressBytes(agentKey)] }))[0];

/** The agent's slash counter and stake history: the counters in its reserved words (offset 144), the points in the
 *  account's tail after its 200 bytes (ac_stake_point: i64 time, u64 stake), `capacity` points of room in all. */
export function readAgentHistory(svm, agent) {
  const d = svm.getAccount(agent).data, v = new DataView(d.buffer, d.byteOffset);
  const count = v.getUint32(148, true), checkpoints = [];
  for (let i = 0; i < count; i++) checkpoints.push({ time: v.getBigInt64(200 + 16 * i, true), stake: v.getBigUint64(208 + 16 * i, true) });
  return { slashCount: v.getUint32(144, true), count, reserved: v.getUint32(152, true), capacity: (d.length - 200) / 16, checkpoints };
}

/** A slash record, decoded (ac_slash_record). */
export function readSlash(svm, record) {
  const account = svm.getAccount(record);
  if (!account.exists) return null;
  const d = account.data, v = new DataView(d.buffer, d.byteOffset);
  const key = (o) => getAddressDecoder().decode(d.subarray(o, o + 32));
  return {
    owner: account.programAddress, size: d.length, discriminator: d[0], version: d[1], bump: d[2], status: d[3], index: v.getUint32(4, true),
    agentKey: key(8), slasher: key(40), harmedParty: key(72), reason: d.subarray(104, 136), amount: readU64(d, 136), fromActive: readU64(d, 144),
    fromUnbonding: readU64(d, 152), createdAt: v.getBigInt64(160, true), appealDeadline: v.getBigInt64(168, true),
    decisionDeadline: v.getBigInt64(176, true), severityBps: v.getUint16(184, true), harmedShareBps: v.getUint16(186, true),
  };
}

/** A reputation account, decoded (ac_reputation): the stored value and time per dimension. */
export function readReputation(svm, reputation) {
  const account = svm.getAccount(reputation);
  if (!account.exists) return null;
  const d = account.data, v = new DataView(d.buffer, d.byteOffset);
  return { owner: account.programAddress, size: d.length, discriminator: d[0], version: d[1], bump: d[2], agentKey: getAddressDecoder().decode(d.subarray(8, 40)),
    dimensions: [0, 1, 2, 3].map((k) => ({ value: readU64(d, 40 + 16 * k), updatedAt: v.getBigInt64(48 + 16 * k, true) })) };
}

/** sol-stake's events in a transaction's logs, decoded (the others are left to eventsOf). */
export function stakeEventsOf(result) {
  const events = [];
  for (const line of result.logs()) {
    if (!line.startsWith('Program data: ')) continue;
    const [code, p] = line.slice('Program data: '.length).split(' ').map((b) => new Uint8Array(Buffer.from(b, 'base64')));
    const v = new DataView(p.buffer, p.byteOffset);
    const key = (o) => getAddressDecoder().decode(p.subarray(o, o + 32));
    const u64 = (o) => v.getBigUint64(o, true), i64 = (o) => v.getBigInt64(o, true), u32 = (o) => v.getUint32(o, true);
    switch (code[0]) {
      case STAKE_EVENT.SLASHER_SET: events.push({ name: 'SlasherSet', slasher: key(0), approved: p[32], size: p.length }); break;
      case STAKE_EVENT.SLASHED: events.push({ name: 'Slashed', agentKey: key(0), index: u32(32), slasher: key(36), severityBps: v.getUint16(68, true),
        amount: u64(70), harmedParty: key(78), reason: p.subarray(110, 142), appealDeadline: i64(142), size: p.length }); break;
      case STAKE_EVENT.SLASH_APPEALED: events.push({ name: 'SlashAppealed', agentKey: key(0), index: u32(32), by: key(36), decisionDeadline: i64(68), size: p.length }); break;
      case STAKE_EVENT.SLASH_REVERSED: events.push({ name: 'SlashReversed', agentKey: key(0), index: u32(32), amount: u64(36), activeStake: u64(44), size: p.length }); break;
      case STAKE_EVENT.APPEAL_DISMISSED: events.push({ name: 'AppealDismissed', agentKey: key(0), index: u32(32), size: p.length }); break;
      case STAKE_EVENT.SLASH_FINALIZED: events.push({ name: 'SlashFinalized', agentKey: key(0), index: u32(32), harmedParty: key(36), paid: u64(68), burned: u64(76), size: p.length }); break;
      case STAKE_EVENT.REPUTATION_OPENED: events.push({ name: 'ReputationOpened', agentKey: key(0), size: p.length }); break;
      case STAKE_EVENT.REPUTATION_CHANGED: events.push({ name: 'ReputationChanged', agentKey: key(0), dimension: p[32], delta: i64(33), value: u64(41), size: p.length }); break;
      default: break;
    }
  }
  return events;
}

export const SET_SLASHER_ACCOUNT = { AUTHORITY: 0, CONFIG: 1, SLASHER: 2, SYSTEM: 3 };
export function setSlasherInstruction({ program, pdas, authority, slasherKey, slasher, approved = true, overrides = {} }) {
  return { programAddress: program, data: concat(new Uint8Array([STAKE_IX.SET_SLASHER]), addressBytes(slasherKey), new Uint8Array([approved ? 1 : 0])),
    accounts: withOverrides([
      { address: authority.address, role: AccountRole.WRITABLE_SIGNER, signer: authority },
      { address: pdas.config, role: AccountRole.READONLY },
      { address: slasher, role: AccountRole.WRITABLE },
      { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
    ], overrides) };
}

export const SLASH_ACCOUNT = { SLASHER: 0, SLASHER_PDA: 1, AGENT: 2, RECORD: 3, CONFIG: 4, SYSTEM: 5 };
export function slashInstruction({ program, pdas, slasher, slasherPdaAddress, agent, record, severityBps, harmedParty, reason = new Uint8Array(32).fill(7), overrides = {}, data }) {
  return { programAddress: program,
    data: data ?? concat(new Uint8Array([STAKE_IX.SLASH]), u16le(severityBps), harmedParty ? addressBytes(harmedParty) : new Uint8Array(32), reason),
    accounts: withOverrides([
      { address: slasher.address, role: AccountRole.WRITABLE_SIGNER, signer: slasher },
      { address: slasherPdaAddress, role: AccountRole.READONLY },
      { address: agent, role: AccountRole.WRITABLE },
      { address: record, role: AccountRole.WRITABLE },
      { address: pdas.config, role: AccountRole.READONLY },
      { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
    ], overrides) };
}

export const APPEAL_ACCOUNT = { OWNER: 0, AGENT: 1, RECORD: 2, CONFIG: 3 };
export function appealSlashInstruction({ program, pdas, owner, agent, record, overrides = {} }) {
  return { programAddress: program, data: new Uint8Array([STAKE_IX.APPEAL_SLASH]), accounts: withOverrides([
    { address: owner.address, role: AccountRole.READONLY_SIGNER, signer: owner },
    { address: agent, role: AccountRole.READONLY },
    { address: record, role: AccountRole.WRITABLE },
    { address: pdas.config, role: AccountRole.READONLY },
  ], overrides) };
}

export const REVERSE_ACCOUNT = { AUTHORITY: 0, CONFIG: 1, RECORD: 2, AGENT: 3 };
export function reverseSlashInstruction({ program, pdas, authority, record, agent, overrides = {} }) {
  return { programAddress: program, data: new Uint8Array([STAKE_IX.REVERSE_SLASH]), accounts: withOverrides([
    { address: authority.address, role: AccountRole.READONLY_SIGNER, signer: authority },
    { address: pdas.config, role: AccountRole.READONLY },
    { address: record, role: AccountRole.WRITABLE },
    { address: agent, role: AccountRole.WRITABLE },
  ], overrides) };
}

export const DISMISS_ACCOUNT = { AUTHORITY: 0, CONFIG: 1, RECORD: 2, STAKES: 3, MINT: 4, HARMED_ACC: 5, TOKEN: 6 };
export function dismissAppealInstruction({ program, pdas, authority, record, harmedAcc, overrides = {} }) {
  return { programAddress: program, data: new Uint8Array([STAKE_IX.DISMISS_APPEAL]), accounts: withOverrides([
    { address: authority.address, role: AccountRole.READONLY_SIGNER, signer: authority },
    { address: pdas.config, role: AccountRole.READONLY },
    { address: record, role: AccountRole.WRITABLE },
    { address: pdas.vaults[VAULT.STAKES], role: AccountRole.WRITABLE },
    { address: pdas.mint, role: AccountRole.WRITABLE },
    { address: harmedAcc ?? pdas.vaults[VAULT.STAKES], role: AccountRole.WRITABLE },
    { address: TOKEN_PROGRAM, role: AccountRole.READONLY },
  ], overrides) };
}

export const FINALIZE_ACCOUNT = { RECORD: 0, STAKES: 1, MINT: 2, HARMED_ACC: 3, CONFIG: 4, TOKEN: 5 };
export function finalizeSlashInstruction({ program, pdas, record, harmedAcc, overrides = {} }) {
  return { programAddress: program, data: new Uint8Array([STAKE_IX.FINALIZE_SLASH]), accounts: withOverrides([
    { address: record, role: AccountRole.WRITABLE },
    { address: pdas.vaults[VAULT.STAKES], role: AccountRole.WRITABLE },
    { address: pdas.mint, role: AccountRole.WRITABLE },
    { address: harmedAcc ?? pdas.vaults[VAULT.STAKES], role: AccountRole.WRITABLE },
    { address: pdas.config, role: AccountRole.READONLY },
    { address: TOKEN_PROGRAM, role: AccountRole.READONLY },
  ], overrides) };
}

export const OPEN_REPUTATION_ACCOUNT = { PAYER: 0, AGENT: 1, REPUTATION: 2, SYSTEM: 3 };
export function openReputationInstruction({ program, payer, agent, reputation, overrides = {} }) {
  return { programAddress: program, data: new Uint8Array([STAKE_IX.OPEN_REPUTATION]), accounts: withOverrides([
    { address: payer.address, role: AccountRole.WRITABLE_SIGNER, signer: payer },
    { address: agent, role: AccountRole.READONLY },
    { address: reputation, role: AccountRole.WRITABLE },
    { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
  ], overrides) };
}

export const RECORD_REPUTATION_ACCOUNT = { AUTHORITY: 0, CONFIG: 1, REPUTATION: 2 };
export function recordReputationInstruction({ program, pdas, authority, reputation, dimension, delta, overrides = {}, data }) {
  return { programAddress: program, data: data ?? concat(new Uint8Array([STAKE_IX.RECORD_REPUTATION, dimension]), i64le(delta)), accounts: withOverrides([
    { address: authority.address, role: AccountRole.READONLY_SIGNER, signer: authority },
    { address: pdas.config, role: AccountRole.READONLY },
    { address: reputation, role: AccountRole.WRITABLE },
  ], overrides) };
}
/** stake_at and reputation_of: reads whose answer is the return data (u64). */
export const stakeAtInstruction = ({ program, agent, time }) => ({ programAddress: program, data: concat(new Uint8Array([STAKE_IX.STAKE_AT]), i64le(time)),
  accounts: [{ address: agent, role: AccountRole.READONLY }] });
export const reputationOfInstruction = ({ program, reputation, dimension }) => ({ programAddress: program,
  data: new Uint8Array([STAKE_IX.REPUTATION_OF, dimension]), accounts: [{ address: reputation, role: AccountRole.READONLY }] });
export const returnedU64 = (result) => readU64(result.returnData().data());

/** Governance: tag 19, the second byte says propose (0), vote (1), execute (2). */
export const GOV_OP = { PROPOSE: 0, VOTE: 1, EXECUTE: 2 };
export const GOV_ACTION = { SET_REGISTRATION_BOND: 0, SET_REGISTRATION_FEE: 1, SET_UNBONDING_PERIOD: 2, SET_APPEAL_WINDOW: 3, SET_EXIT_DELAY: 4,
  REVERSE_SLASH: 5, DISMISS_APPEAL: 6, SET_AUTHORITY: 7, SET_SLASHER: 8, SET_ATTESTOR: 9, SET_MARKET_PARAMS: 10 };
export const SUPPORT = { AGAINST: 0, FOR: 1, ABSTAIN: 2 };
export const GOV_EVENT = { PROPOSAL_CREATED: 48, VOTE_CAST: 49, PROPOSAL_EXECUTED: 50 };
export const proposalPda = async (program, id) => (await getProgramDerivedAddress({ programAddress: program, seeds: ['proposal', id] }))[0];
export const votePda = async (program, proposal, agentKey) =>
  (await getProgramDerivedAddress({ programAddress: program, seeds: ['vote', addressBytes(proposal), addressBytes(agentKey)] }))[0];

export const PROPOSE_ACCOUNT = { OWNER: 0, AGENT: 1, PROPOSAL: 2, STAKES: 3, CONFIG: 4, SYSTEM: 5 };
export function proposeInstruction({ program, pdas, owner, agent, proposal, id, action, target, value = 0n, overrides = {}, data }) {
  return { programAddress: program,
    data: data ?? concat(new Uint8Array([19, GOV_OP.PROPOSE]), id, new Uint8Array([action]),
      target instanceof Uint8Array ? target : target ? addressBytes(target) : new Uint8Array(32), u64le(value)),
    accounts: withOverrides([
      { address: owner.address, role: AccountRole.WRITABLE_SIGNER, signer: owner },
      { address: agent, role: AccountRole.READONLY },
      { address: proposal, role: AccountRole.WRITABLE },
      { address: pdas.vaults[VAULT.STAKES], role: AccountRole.READONLY },
      { address: pdas.config, role: AccountRole.READONLY },
      { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
    ], overrides) };
}

export const VOTE_ACCOUNT = { OWNER: 0, AGENT: 1, PROPOSAL: 2, VOTE: 3, SYSTEM: 4 };
export function voteInstruction({ program, owner, agent, proposal, vote, support, overrides = {} }) {
  return { programAddress: program, data: new Uint8Array([19, GOV_OP.VOTE, support]), accounts: withOverrides([
    { address: owner.address, role: AccountRole.WRITABLE_SIGNER, signer: owner },
    { address: agent, role: AccountRole.READONLY },
    { address: proposal, role: AccountRole.WRITABLE },
    { address: vote, role: AccountRole.WRITABLE },
    { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
  ], overrides) };
}

export const EXECUTE_ACCOUNT = { EXECUTOR: 0, CONFIG: 1, PROPOSAL: 2, RECORD: 3 };
/** `extra`: the action's own accounts (reverse: record, agent; dismiss: record, stakes vault, mint, harmed ACC account, Token). */
export function executeProposalInstruction({ program, pdas, executor, proposal, extra = [], overrides = {} }) {
  return { programAddress: program, data: new Uint8Array([19, GOV_OP.EXECUTE]), accounts: withOverrides([
    { address: executor.address, role: AccountRole.READONLY_SIGNER, signer: executor },
    { address: pdas.config, role: AccountRole.WRITABLE },
    { address: proposal, role: AccountRole.WRITABLE },
    ...extra,
  ], overrides) };
}

/** A proposal, decoded (ac_proposal). */
export function readProposal(svm, proposal) {
  const account = svm.getAccount(proposal);
  if (!account.exists) return null;
  const d = account.data, v = new DataView(d.buffer, d.byteOffset);
  const key = (o) => getAddressDecoder().decode(d.subarray(o, o + 32));
  return { owner: account.programAddress, size: d.length, discriminator: d[0], version: d[1], status: d[3], action: d[4], critical: d[5],
    id: d.subarray(8, 40), proposer: key(40), target: key(72), value: readU64(d, 104), snapshot: v.getBigInt64(112, true),
    votingEnds: v.getBigInt64(120, true), executableAt: v.getBigInt64(128, true), quorum: readU64(d, 136), votesFor: readU64(d, 144),
    votesAgainst: readU64(d, 152), votesAbstain: readU64(d, 160) };
}

/** Governance's events in a transaction's logs, decoded. */
export function governanceEventsOf(result) {
  const events = [];
  for (const line of result.logs()) {
    if (!line.startsWith('Program data: ')) continue;
    const [code, p] = line.slice('Program data: '.length).split(' ').map((b) => new Uint8Array(Buffer.from(b, 'base64')));
    const v = new DataView(p.buffer, p.byteOffset), key = (o) => getAddressDecoder().decode(p.subarray(o, o + 32));
    if (code[0] === GOV_EVENT.PROPOSAL_CREATED) events.push({ name: 'ProposalCreated', id: p.subarray(0, 32), proposer: key(32), action: p[64], critical: p[65],
      target: key(66), value: v.getBigUint64(98, true), snapshot: v.getBigInt64(106, true), votingEnds: v.getBigInt64(114, true),
      executableAt: v.getBigInt64(122, true), threshold: v.getBigUint64(130, true), quorum: v.getBigUint64(138, true), size: p.length });
    if (code[0] === GOV_EVENT.VOTE_CAST) events.push({ name: 'VoteCast', id: p.subarray(0, 32), agentKey: key(32), support: p[64], weight: v.getBigUint64(65, true), size: p.length });
    if (code[0] === GOV_EVENT.PROPOSAL_EXECUTED) events.push({ name: 'ProposalExecuted', id: p.subarray(0, 32), action: p[32], target: key(33), value: v.getBigUint64(65, true), size: p.length });
  }
  return events;
}
// --- end of sol-stake's block ---

// ---- task market (sol-market): instructions 20..32, the task layout (include/agentcluster/market.h), events 70..83 ----
export const MARKET_IX = { SUBMIT_TASK: 20, BID: 21, ASSIGN_TASK: 22, POST_RESULT: 23, REPORT_MISSED_DEADLINE: 24, FIX_SEED: 25, DRAW_SEAT: 26,
  CLAIM_SEAT: 27, COMMIT_VOTE: 28, REVEAL_VOTE: 29, SETTLE_TASK: 30, SETTLE_MEMBER: 31, CLAIM_PAYOUT: 32, SETTLE_EXECUTOR: 33 };
export const TASK_STATUS = { BIDDING: 0, ASSIGNED: 1, RESULT_POSTED: 2, VERIFYING: 3, ACCEPTED: 4, REJECTED: 5, INCONCLUSIVE: 6, REFUNDED: 7, MISSED: 8 };
export const SEAT_STATE = { EMPTY: 0, SEATED: 1, COMMITTED: 2, REVEALED: 3 };
export const MARKET = { BIDDING_WINDOW: 3600n, DRAW_WINDOW: 3600n, COMMIT_WINDOW: 3600n, REVEAL_WINDOW: 3600n, KEEPER_REWARD: ACC, FEE_BPS: 200n,
  REVIEWER_SHARE_BPS: 5000n, MIN_COMMITTEE: 3, MAX_COMMITTEE: 100, TASK_SIZE: 456 + 120 * 64 + 32 + 32 * 64, NON_REVEAL_SEVERITY_BPS: 200n, MINORITY_SEVERITY_BPS: 100n,
  INLINE_SEATS: 64, RESERVED_SIZE: 152 * 36, TASK_FULL_SIZE: 456 + 120 * 64 + 32 + 32 * 64 + 152 * 36 }; // sol-final: committees up to 100
export const SLOT_HASHES = address('SysvarS1otHashes111111111111111111111111111');

export const taskPda = async (program, requester, id) =>
  (await getProgramDerivedAddress({ programAddress: program, seeds: ['task', addressBytes(requester), u64le(id)] }))[0];
export const taskVaultPda = async (program, task) =>
  (await getProgramDerivedAddress({ programAddress: program, seeds: ['task_vault', addressBytes(task)] }))[0];

export const SUBMIT_ACCOUNT = { REQUESTER: 0, TASK: 1, VAULT: 2, REQUESTER_ACC: 3, MINT: 4, CONFIG: 5, SYSTEM: 6, TOKEN: 7 };
export function submitTaskInstruction({ program, pdas, requester, task, vault, requesterAcc, id, bounty, fee, requirements = new Uint8Array(32).fill(0x42),
  capabilities = 0n, deadline, committeeSize, overrides = {}, data }) {
  const i64 = new Uint8Array(8); new DataView(i64.buffer).setBigInt64(0, BigInt(deadline), true);
  return { programAddress: program, data: data ?? concat(new Uint8Array([MARKET_IX.SUBMIT_TASK]), u64le(id), u64le(bounty), u64le(fee), requirements, u64le(capabilities),
    i64, new Uint8Array([committeeSize])), accounts: withOverrides([
    { address: requester.address, role: AccountRole.WRITABLE_SIGNER, signer: requester },
    { address: task, role: AccountRole.WRITABLE },
    { address: vault, role: AccountRole.WRITABLE },
    { address: requesterAcc, role: AccountRole.WRITABLE },
    { address: pdas.mint, role: AccountRole.READONLY },
    { address: pdas.config, role: AccountRole.READONLY },
    { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
    { address: TOKEN_PROGRAM, role: AccountRole.READONLY },
  ], overrides) };
}

/** sol-final: reserve_task (tag 41): the address of a task whose committee has more than 64 seats, before submit_task. */
export const RESERVE_TASK_IX = 41;
export const RESERVE_ACCOUNT = { REQUESTER: 0, TASK: 1, SYSTEM: 2 };
export function reserveTaskInstruction({ program, requester, task, id, overrides = {}, data }) {
  return { programAddress: program, data: data ?? concat(new Uint8Array([RESERVE_TASK_IX]), u64le(id)), accounts: withOverrides([
    { address: requester.address, role: AccountRole.WRITABLE_SIGNER, signer: requester },
    { address: task, role: AccountRole.WRITABLE },
    { address: SYSTEM_PROGRAM, role: AccountRole.READONLY },
  ], overrides) };
}

export const BID_ACCOUNT = { SIGNER: 0, AGENT: 1, TASK: 2, CONFIG: 3 };
export function bidInstruction({ program, pdas, signer, agent, task, price, overrides = {}, data }) {
  return { programAddress: program, data: data ?? tagged(MARKET_IX.BID, price), accounts: withOverrides([
    { address: signer.address, role: AccountRole.READONLY_SIGNER, signer },
    { address: agent, role: AccountRole.READONLY },
    { address: task, role: AccountRole.WRITABLE },
    { address: pdas.config, role: AccountRole.READONLY },
  ], overrides) };
}

/** The accounts every paid keeper action starts with (ac_market_keeper_accounts), then `extra`. */
export const KEEPER_ACCOUNT = { KEEPER: 0, TASK: 1, VAULT: 2, KEEPER_ACC: 3, CONFIG: 4, TOKEN: 5, EXTRA: 6 };
export function keeperInstruction({ program, pdas, tag, keeper, keeperAcc, task, vault, extra = [], args = [], overrides = {}, data }) {
  return { programAddress: program, data: data ?? new Uint8Array([tag, ...args]), accounts: withOverrides([
    { address: keeper.address, role: AccountRole.WRITABLE_SIGNER, signer: keeper },
    { address: task, role: AccountRole.WRITABLE },
    { address: vault, role: AccountRole.WRITABLE },
    { address: keeperAcc, role: AccountRole.WRITABLE },
    { address: pdas.config, role: AccountRole.READONLY },
    { address: TOKEN_PROGRAM, role: AccountRole.READONLY },
    ...extra,
  ], overrides) };
}

export const POST_RESULT_ACCOUNT = { EXECUTOR: 0, TASK: 1, CONFIG: 2 };
export function postResultInstruction({ program, pdas, executorKey, task, result = new Uint8Array(32).fill(0x77), overrides = {}, data }) {
  return { programAddress: program, data: data ?? concat(new Uint8Array([MARKET_IX.POST_RESULT]), result), accounts: withOverrides([
    { address: executorKey.address, role: AccountRole.READONLY_SIGNER, signer: executorKey },
    { address: task, role: AccountRole.WRITABLE },
    { address: pdas.config, role: AccountRole.READONLY },
  ], overrides) };
}

export const COMMIT_ACCOUNT = { MEMBER: 0, TASK: 1 };
export function commitVoteInstruction({ program, memberKey, task, seat, commitment, overrides = {}, data }) {
  return { programAddress: program, data: data ?? concat(new Uint8Array([MARKET_IX.COMMIT_VOTE, seat]), commitment), accounts: withOverrides([
    { address: memberKey.address, role: AccountRole.READONLY_SIGNER, signer: memberKey },
    { address: task, role: AccountRole.WRITABLE },
  ], overrides) };
}
export function revealVoteInstruction({ program, task, seat, vote, salt, overrides = {}, data }) {
  return { programAddress: program, data: data ?? concat(new Uint8Array([MARKET_IX.REVEAL_VOTE, seat, vote]), salt), accounts: withOverrides([
    { address: task, role: AccountRole.WRITABLE },
  ], overrides) };
}
/** sha256("ACVOTE", task, agent key, vote, salt): what a member commits. */
export const voteCommitment = ({ task, agentKey, vote, salt }) => new Uint8Array(crypto.createHash('sha256')
  .update(Buffer.from('ACVOTE')).update(addressBytes(task)).update(addressBytes(agentKey)).update(Buffer.from([vote])).update(salt).digest());
/** The seed fix_seed derives: sha256("ACSEED", slot hash, task). */
export const taskSeed = ({ slotHash, task }) => new Uint8Array(crypto.createHash('sha256')
  .update(Buffer.from('ACSEED')).update(slotHash).update(addressBytes(task)).digest());

/** Writes the SlotHashes sysvar: entries [{ slot, hash (32 bytes) }], newest first, as the runtime lays it out. */
export function setSlotHashes(svm, entries) {
  const data = new Uint8Array(20488);
  const view = new DataView(data.buffer);
  view.setBigUint64(0, BigInt(entries.length), true);
  entries.forEach(({ slot, hash }, i) => { view.setBigUint64(8 + 40 * i, BigInt(slot), true); data.set(hash, 16 + 40 * i); });
  const current = svm.getAccount(SLOT_HASHES);
  svm.setAccount({ address: SLOT_HASHES, data, executable: false, lamports: current.lamports, programAddress: current.programAddress, space: 20488n });
}

/** A task account, decoded (ac_task). */
export function readTask(svm, task) {
  const account = svm.getAccount(task);
  if (!account.exists) return null;
  const d = account.data;
  const u64 = (o) => readU64(d, o);
  const i64 = (o) => new DataView(d.buffer, d.byteOffset).getBigInt64(o, true);
  const key = (o) => getAddressDecoder().decode(d.subarray(o, o + 32));
  const members = [];
  const seatAt = (i) => (i < 64 ? 456 + 120 * i : 10_216 + 120 * (i - 64)); // sol-final: seats 64..99 in the extension
  const agentAt = (i) => (i < 64 ? 488 + 120 * 64 + 32 * i : 10_216 + 120 * 36 + 32 * (i - 64));
  for (let i = 0; i < d[5]; i++) {
    const o = seatAt(i);
    members.push({ agentKey: key(o), owner: key(o + 32), negLog2U: u64(o + 64), weight: u64(o + 72), commitment: d.slice(o + 80, o + 112),
      state: d[o + 112], vote: d[o + 113], settled: d[o + 114] });
  }
  return {
    owner: account.programAddress, size: d.length, discriminator: d[0], version: d[1], bump: d[2], vaultBump: d[3], status: d[4],
    committeeSize: d[5], seats: d[6], commits: d[7], reveals: d[8], approvals: d[9], claims: d[10], aligned: d[11], membersSettled: d[12],
    seedLapsed: d[13], executorSettled: d[14], requester: key(16), executor: key(48), executorOwner: key(80), vault: key(112), requirements: d.slice(144, 176), result: d.slice(176, 208),
    seed: d.slice(208, 240), id: u64(240), bounty: u64(248), fee: u64(256), price: u64(264), capabilities: u64(272), keeperReward: u64(280),
    reviewerShareBps: u64(288), missedSeverityBps: u64(296), rejectedSeverityBps: u64(304), submittedAt: i64(312), biddingEndsAt: i64(320),
    deadline: i64(328), resultPostedAt: i64(336), seedSlot: u64(344), fillClosesAt: i64(352), drawClosesAt: i64(360), commitEndsAt: i64(368),
    revealEndsAt: i64(376), requesterCredit: u64(384), executorCredit: u64(392), rewardPerReviewer: u64(400), executorGain: u64(408), reviewerGain: u64(416), executorAgent: key(424), members,
    nonRevealSeverityBps: u64(456 + 120 * 64), minoritySeverityBps: u64(464 + 120 * 64), // sol-gaps
    drawWindow: BigInt(new DataView(d.buffer, d.byteOffset).getUint32(472 + 120 * 64, true)),
    commitWindow: BigInt(new DataView(d.buffer, d.byteOffset).getUint32(476 + 120 * 64, true)),
    revealWindow: BigInt(new DataView(d.buffer, d.byteOffset).getUint32(480 + 120 * 64, true)),
    memberAgents: Array.from({ length: d[5] }, (_, i) => key(agentAt(i))),
  };
}

export const MARKET_EVENT = { TASK_SUBMITTED: 70, BID_PLACED: 71, TASK_ASSIGNED: 72, RESULT_POSTED: 73, DEADLINE_MISSED: 74, SEED_FIXED: 75, SEAT_FILLED: 76,
  SEAT_CLAIMED: 77, VOTE_COMMITTED: 78, VOTE_REVEALED: 79, TASK_SETTLED: 80, MEMBER_SETTLED: 81, PAYOUT_CLAIMED: 82, KEEPER_PAID: 83, EXECUTOR_SETTLED: 84 };
/** The market's events in a transaction's logs, decoded (others are skipped). */
export function marketEventsOf(result) {
  const events = [];
  for (const line of result.logs()) {
    if (!line.startsWith('Program data: ')) continue;
    const [code, p] = line.slice('Program data: '.length).split(' ').map((b) => new Uint8Array(Buffer.from(b, 'base64')));
    const key = (o) => getAddressDecoder().decode(p.subarray(o, o + 32));
    const u64 = (o) => readU64(p, o);
    const i64 = (o) => new DataView(p.buffer, p.byteOffset).getBigInt64(o, true);
    const E = MARKET_EVENT;
    switch (code[0]) {
      case E.TASK_SUBMITTED: events.push({ name: 'TaskSubmitted', task: key(0), requester: key(32), id: u64(64), bounty: u64(72), fee: u64(80), capabilities: u64(88), deadline: i64(96), committeeSize: p[104], size: p.length }); break;
      case E.BID_PLACED: events.push({ name: 'BidPlaced', task: key(0), agentKey: key(32), price: u64(64), size: p.length }); break;
      case E.TASK_ASSIGNED: events.push({ name: 'TaskAssigned', task: key(0), executor: key(32), price: u64(64), size: p.length }); break;
      case E.RESULT_POSTED: events.push({ name: 'ResultPosted', task: key(0), executor: key(32), result: p.slice(64, 96), seedSlot: u64(96), size: p.length }); break;
      case E.DEADLINE_MISSED: events.push({ name: 'DeadlineMissed', task: key(0), executor: key(32), size: p.length }); break;
      case E.SEED_FIXED: events.push({ name: 'SeedFixed', task: key(0), seed: p.slice(32, 64), slot: u64(64), lapsed: p[72], size: p.length }); break;
      case E.SEAT_FILLED: case E.SEAT_CLAIMED: events.push({ name: code[0] === E.SEAT_FILLED ? 'SeatFilled' : 'SeatClaimed', task: key(0), agentKey: key(32), negLog2U: u64(64), weight: u64(72), seat: p[80], size: p.length }); break;
      case E.VOTE_COMMITTED: events.push({ name: 'VoteCommitted', task: key(0), agentKey: key(32), seat: p[64], size: p.length }); break;
      case E.VOTE_REVEALED: events.push({ name: 'VoteRevealed', task: key(0), agentKey: key(32), seat: p[64], vote: p[65], size: p.length }); break;
      case E.TASK_SETTLED: events.push({ name: 'TaskSettled', task: key(0), outcome: p[32], approvals: p[33], reveals: p[34], aligned: p[35], burned: u64(40), rewardPerReviewer: u64(48), size: p.length }); break;
      case E.MEMBER_SETTLED: events.push({ name: 'MemberSettled', task: key(0), agentKey: key(32), paid: u64(64), seat: p[72], aligned: p[73], size: p.length }); break;
      case E.PAYOUT_CLAIMED: events.push({ name: 'PayoutClaimed', task: key(0), payee: key(32), amount: u64(64), size: p.length }); break;
      case E.EXECUTOR_SETTLED: events.push({ name: 'ExecutorSettled', task: key(0), executor: key(32), reputationDelta: i64(64), severityBps: p[72] | (p[73] << 8), size: p.length }); break;
      case E.KEEPER_PAID: events.push({ name: 'KeeperPaid', task: key(0), keeper: key(32), amount: u64(64), size: p.length }); break;
      default: break;
    }
  }
  return events;
}
