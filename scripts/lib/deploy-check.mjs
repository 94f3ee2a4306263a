// Everything scripts/deploy checks before its first transaction: the AC_* environment (the same strict rules as
// scripts/evm/Deploy.s.sol, with messages that name the variable) and that the manifest path is writable.
// Used through scripts/lib/manifest.mjs (preflight, vars).
import { mkdirSync, openSync, closeSync, unlinkSync, statSync, existsSync } from 'node:fs';
import { dirname, resolve, basename, join } from 'node:path';
import { getAddress } from 'viem';

export class Fail extends Error {
  constructor(message, code = 2) {
    super(message);
    this.code = code;
  }
}

// Chain ids treated as local (anvil, hardhat/ganache): LocalRandomness and a single beneficiary are allowed there.
export const LOCAL_CHAIN_IDS = [31337, 1337];

// Every variable scripts/deploy and Deploy.s.sol read; any other AC_* variable is refused as a probable typo.
export const VARS = [
  ['AC_TEAM_BENEFICIARY', 'address', 'team vesting beneficiary (12%, 1-year cliff); default: the deployer'],
  ['AC_VALIDATORS_BENEFICIARY', 'address', 'validators emission pool beneficiary (30%); default: the deployer'],
  ['AC_COMPUTE_BENEFICIARY', 'address', 'compute emission pool beneficiary (25%); default: the deployer'],
  ['AC_MARKETPLACE_BENEFICIARY', 'address', 'marketplace emission pool beneficiary (15%); default: the deployer'],
  ['AC_REVIEW_BENEFICIARY', 'address', 'review emission pool beneficiary (10%); default: the deployer'],
  ['AC_ATTESTORS', 'addresses', 'attestors approved at genesis, comma-separated, no spaces; default: none'],
  ['AC_VRF_COORDINATOR', 'address', 'Chainlink VRF v2.5 coordinator (must have code); unset: LocalRandomness'],
  ['AC_VRF_KEY_HASH', 'bytes32', 'VRF key hash, 0x + 64 hex digits; required with AC_VRF_COORDINATOR'],
  ['AC_VRF_SUBSCRIPTION_ID', 'uint', 'VRF subscription id, decimal or 0x-hex, non-zero; required with AC_VRF_COORDINATOR'],
  ['AC_VRF_CALLBACK_GAS_LIMIT', 'uint', 'VRF callback gas limit, 1..2500000; default 200000'],
  ['AC_VRF_CONFIRMATIONS', 'uint', 'VRF request confirmations, 0..200; default 3'],
  ['AC_VRF_NATIVE_PAYMENT', 'bool', 'pay VRF in the native token: true or false; default false'],
  ['AC_ALLOW_LOCAL_RANDOMNESS', 'bool', 'true: same as --allow-local-randomness'],
  ['AC_ALLOW_SINGLE_BENEFICIARY', 'bool', 'true: same as --allow-single-beneficiary'],
];
const KNOWN = new Set(VARS.map(([n]) => n));
const BENEFICIARIES = VARS.slice(0, 5).map(([n]) => n);
const VRF_OPTIONAL = ['AC_VRF_CALLBACK_GAS_LIMIT', 'AC_VRF_CONFIRMATIONS', 'AC_VRF_NATIVE_PAYMENT'];

export function varsHelp() {
  const w = Math.max(...VARS.map(([n]) => n.length));
  return VARS.map(([n, , text]) => `  ${n.padEnd(w)}  ${text}`).join('\n');
}

function distance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

export function parseAddress(name, raw) {
  if (!/^0x[0-9a-fA-F]{40}$/.test(raw)) throw new Fail(`${name} is not an address (0x + 40 hex digits): '${raw}'`);
  const mixed = /[a-f]/.test(raw.slice(2)) && /[A-F]/.test(raw.slice(2));
  if (mixed && getAddress(raw) !== raw) throw new Fail(`${name} has a wrong EIP-55 checksum (typo?): '${raw}'`);
  if (/^0x0{40}$/.test(raw)) throw new Fail(`${name} is the zero address`);
  return getAddress(raw);
}

function parseUint(name, raw, min, max) {
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(raw)) throw new Fail(`${name} is not an unsigned integer: '${raw}'`);
  const v = BigInt(raw);
  if (v >= 1n << 256n) throw new Fail(`${name} is out of range: '${raw}'`);
  if (v < min || v > max) throw new Fail(`${name} must be from ${min} to ${max}, got ${raw}`);
  return v;
}

function parseBool(name, raw) {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new Fail(`${name} must be true or false: '${raw}'`);
}

/// Validates the AC_* environment for a deployment on `chainId` from `deployer`. `hasCode(address)` checks the VRF
/// coordinator. Returns { notes: [], warnings: [] }; throws Fail (exit 2) naming the variable.
export async function checkConfig(env, { chainId, deployer, hasCode }) {
  const notes = [];
  const warnings = [];
  for (const name of Object.keys(env).filter((k) => k.startsWith('AC_')).sort()) {
    if (KNOWN.has(name)) continue;
    const near = [...KNOWN].map((k) => [distance(name, k), k]).sort((a, b) => a[0] - b[0])[0];
    const hint = near[0] <= 3 ? ` (did you mean ${near[1]}?)` : '';
    throw new Fail(`unknown variable ${name}${hint}; scripts/deploy --help lists the AC_* variables it reads`);
  }
  const get = (name) => env[name] ?? '';
  const local = LOCAL_CHAIN_IDS.includes(chainId);

  const beneficiaries = BENEFICIARIES.map((n) => (get(n) === '' ? getAddress(deployer) : parseAddress(n, get(n))));
  const attestorsRaw = get('AC_ATTESTORS');
  if (attestorsRaw !== '') {
    const seen = new Set();
    attestorsRaw.split(',').forEach((item, i) => {
      const a = parseAddress(`AC_ATTESTORS entry ${i + 1}`, item);
      if (seen.has(a)) throw new Fail(`AC_ATTESTORS entry ${i + 1} repeats ${item}`);
      seen.add(a);
    });
  } else if (!local) {
    warnings.push('AC_ATTESTORS is empty: no agent can register until governance approves an attestor (7-day timelock)');
  }
  const allowLocal = get('AC_ALLOW_LOCAL_RANDOMNESS') !== '' && parseBool('AC_ALLOW_LOCAL_RANDOMNESS', get('AC_ALLOW_LOCAL_RANDOMNESS'));
  const allowSingle = get('AC_ALLOW_SINGLE_BENEFICIARY') !== '' && parseBool('AC_ALLOW_SINGLE_BENEFICIARY', get('AC_ALLOW_SINGLE_BENEFICIARY'));

  const coordinator = get('AC_VRF_COORDINATOR');
  if (coordinator !== '') {
    const c = parseAddress('AC_VRF_COORDINATOR', coordinator);
    if (get('AC_VRF_KEY_HASH') === '') throw new Fail('AC_VRF_KEY_HASH is required when AC_VRF_COORDINATOR is set');
    if (!/^0x[0-9a-fA-F]{64}$/.test(get('AC_VRF_KEY_HASH'))) {
      throw new Fail(`AC_VRF_KEY_HASH must be 32 bytes (0x + 64 hex digits): '${get('AC_VRF_KEY_HASH')}'`);
    }
    if (/^0x0{64}$/.test(get('AC_VRF_KEY_HASH'))) throw new Fail('AC_VRF_KEY_HASH is zero');
    if (get('AC_VRF_SUBSCRIPTION_ID') === '') throw new Fail('AC_VRF_SUBSCRIPTION_ID is required when AC_VRF_COORDINATOR is set');
    parseUint('AC_VRF_SUBSCRIPTION_ID', get('AC_VRF_SUBSCRIPTION_ID'), 1n, (1n << 256n) - 1n);
    if (get('AC_VRF_CALLBACK_GAS_LIMIT') !== '') parseUint('AC_VRF_CALLBACK_GAS_LIMIT', get('AC_VRF_CALLBACK_GAS_LIMIT'), 1n, 2_500_000n);
    if (get('AC_VRF_CONFIRMATIONS') !== '') parseUint('AC_VRF_CONFIRMATIONS', get('AC_VRF_CONFIRMATIONS'), 0n, 200n);
    if (get('AC_VRF_NATIVE_PAYMENT') !== '') parseBool('AC_VRF_NATIVE_PAYMENT', get('AC_VRF_NATIVE_PAYMENT'));
    if (!(await hasCode(c))) throw new Fail(`AC_VRF_COORDINATOR ${c} has no code on chain ${chainId}`);
    notes.push(`seeds from Chainlink VRF v2.5 (coordinator ${c})`);
  } else {
    for (const n of ['AC_VRF_KEY_HASH', 'AC_VRF_SUBSCRIPTION_ID', ...VRF_OPTIONAL]) {
      if (get(n) !== '') throw new Fail(`${n} is set but AC_VRF_COORDINATOR is not (VRF settings need the coordinator)`);
    }
    if (!local && !allowLocal) {
      throw new Fail(
        `chain ${chainId} is not local (${LOCAL_CHAIN_IDS.join('/')}) and AC_VRF_COORDINATOR is not set: LocalRandomness seeds are predictable by block producers; set AC_VRF_COORDINATOR, or pass --allow-local-randomness to deploy it anyway`,
      );
    }
    if (!local) warnings.push(`LocalRandomness on chain ${chainId} (allowed by --allow-local-randomness): committee draws are predictable`);
  }

  if (new Set(beneficiaries).size === 1) {
    const who = beneficiaries[0] === getAddress(deployer) ? `the deployer ${beneficiaries[0]}` : beneficiaries[0];
    if (!local && !allowSingle) {
      throw new Fail(
        `all five emission/vesting beneficiaries are ${who}, which would hold every vote at genesis; set distinct AC_TEAM_/VALIDATORS_/COMPUTE_/MARKETPLACE_/REVIEW_BENEFICIARY, or pass --allow-single-beneficiary`,
      );
    }
    notes.push(`all five beneficiaries are ${who} (${local ? 'local chain' : '--allow-single-beneficiary'})`);
  }
  return { notes, warnings };
}

/// The manifest, its partial record and its broadcast directory can be written: the directory exists or is created
/// now, a probe file can be created there, and an existing manifest is a writable regular file.
export function checkWritable(manifest) {
  const file = resolve(manifest);
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new Fail(`--manifest ${manifest}: cannot create directory ${dir} (${e.code || e.message})`);
  }
  if (!statSync(dir).isDirectory()) throw new Fail(`--manifest ${manifest}: ${dir} is not a directory`);
  const probe = join(dir, `.${basename(file)}.probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    throw new Fail(`--manifest ${manifest}: directory ${dir} is not writable (${e.code || e.message})`);
  }
  for (const f of [file, `${file}.partial.json`]) {
    if (!existsSync(f)) continue;
    if (!statSync(f).isFile()) throw new Fail(`--manifest ${manifest}: ${f} exists and is not a regular file`);
    try {
      closeSync(openSync(f, 'r+'));
    } catch (e) {
      throw new Fail(`--manifest ${manifest}: ${f} is not writable (${e.code || e.message})`);
    }
  }
}
