#!/usr/bin/env node
// The deployment manifest of the EVM suite: scripts/deploy's helper (ESM, JSON-RPC over node:http, viem for ABI and
// checksums). Subcommands (exit 0 ok, 2 error, 3 refusal):
//   preflight --rpc-url URL --manifest FILE
//       Prints "<chainId> new" or "<chainId> stale <AccToken>" on stdout. Refuses (exit 3) when FILE already
//       describes a live suite on this chain, and (exit 2) when FILE is not a manifest or names another chain.
//   write --rpc-url URL --broadcast-dir DIR --chain-id N --deployer 0x.. --manifest FILE
//       Reads DIR/Deploy.s.sol/N/run-latest.json (forge's broadcast record), checks every transaction on the chain
//       (receipt status 1, sent by the deployer, code at every address), names the four emission vaults by their
//       pool() and writes FILE atomically.
//   table --manifest FILE
//       Prints the manifest as a readable table.
import { readFileSync, writeFileSync, renameSync, mkdirSync, existsSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import http from 'node:http';
import https from 'node:https';
import { getAddress, isAddress, encodeFunctionData, decodeFunctionResult } from 'viem';

export const CONTRACT_KEYS = [
  'AccToken',
  'Governor',
  'Timelock',
  'CriticalProposalRegistry',
  'ValidatorsPool',
  'ComputePool',
  'MarketplacePool',
  'ReviewPool',
  'TeamVesting',
  'Treasury',
  'FeeRouter',
  'AgentRegistry',
  'Staking',
  'Reputation',
  'TaskMarket',
  'Randomness',
  'FallbackRandomness',
];

// forge's contractName -> manifest key (EmissionVault is resolved through pool()).
const BY_CONTRACT_NAME = {
  AccToken: 'AccToken',
  AgentClusterGovernor: 'Governor',
  AgentClusterTimelock: 'Timelock',
  CriticalProposalRegistry: 'CriticalProposalRegistry',
  TeamVesting: 'TeamVesting',
  Treasury: 'Treasury',
  FeeRouter: 'FeeRouter',
  AgentRegistry: 'AgentRegistry',
  Staking: 'Staking',
  Reputation: 'Reputation',
  TaskMarket: 'TaskMarket',
};
// Randomness sources are named by the market that uses them (randomness() / fallbackRandomness()).
const RANDOMNESS_CONTRACTS = new Set(['LocalRandomness', 'ChainlinkVrfRandomness']);
const MARKET_ABI = [
  { type: 'function', name: 'randomness', stateMutability: 'view', inputs: [], outputs: [{ type: 'address' }] },
  { type: 'function', name: 'fallbackRandomness', stateMutability: 'view', inputs: [], outputs: [{ type: 'address' }] },
];
const BY_POOL = {
  validators: 'ValidatorsPool',
  compute: 'ComputePool',
  marketplace: 'MarketplacePool',
  review: 'ReviewPool',
};
const POOL_ABI = [
  { type: 'function', name: 'pool', stateMutability: 'view', inputs: [], outputs: [{ type: 'string' }] },
];

class Fail extends Error {
  constructor(message, code = 2) {
    super(message);
    this.code = code;
  }
}

// --- JSON-RPC ----------------------------------------------------------------------------------------------------
let rpcId = 0;
// node:http rather than fetch: fetch refuses "bad ports" (e.g. 6000, 10080) that a local node may well use.
function post(url, body) {
  return new Promise((resolvePost, reject) => {
    let u;
    try {
      u = new URL(url);
    } catch {
      return reject(new Fail(`bad RPC URL ${url}`));
    }
    const lib = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : null;
    if (!lib) return reject(new Fail(`bad RPC URL ${url} (want http:// or https://)`));
    const req = lib.request(
      u,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 15000 },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolvePost({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 15 s')));
    req.on('error', (e) => reject(new Fail(`cannot reach RPC ${url}: ${e.code || e.message}`)));
    req.end(body);
  });
}

export async function rpc(url, method, params = []) {
  const res = await post(url, JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method, params }));
  if (res.status < 200 || res.status >= 300) throw new Fail(`RPC ${url} answered HTTP ${res.status} to ${method}`);
  let body;
  try {
    body = JSON.parse(res.text);
  } catch {
    throw new Fail(`RPC ${url} did not answer JSON-RPC to ${method}`);
  }
  if (body.error) throw new Fail(`RPC ${url}: ${method} failed: ${body.error.message || JSON.stringify(body.error)}`);
  return body.result;
}

const hasCode = async (url, address) => {
  const code = await rpc(url, 'eth_getCode', [address, 'latest']);
  return typeof code === 'string' && code !== '0x' && code !== '0x0';
};

export async function chainIdOf(url) {
  const hex = await rpc(url, 'eth_chainId');
  const id = Number(BigInt(hex));
  if (!Number.isSafeInteger(id) || id <= 0) throw new Fail(`RPC ${url} returned a bad chain id ${hex}`);
  return id;
}

// --- manifest files ----------------------------------------------------------------------------------------------
export function readManifest(file) {
  let m;
  try {
    m = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Fail(`${file} exists but is not a readable JSON manifest (${e.message}); move it away or pass another --manifest`);
  }
  if (!m || typeof m !== 'object' || !Number.isSafeInteger(m.chainId) || !m.contracts || !isAddress(String(m.contracts.AccToken ?? ''))) {
    throw new Fail(`${file} exists but is not an AgentCluster deployment manifest; move it away or pass another --manifest`);
  }
  return m;
}

function writeAtomically(file, text) {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  const tmp = `${resolve(file)}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* not created */ }
    throw new Fail(`cannot write ${file}: ${e.message}`);
  }
}

// --- subcommands -------------------------------------------------------------------------------------------------
async function preflight({ 'rpc-url': url, manifest }) {
  const chainId = await chainIdOf(url);
  if (!existsSync(manifest)) return `${chainId} new`;
  const m = readManifest(manifest);
  if (m.chainId !== chainId) {
    throw new Fail(
      `${manifest} describes chain ${m.chainId}, not chain ${chainId} at ${url}; refusing to overwrite it, pass another --manifest`,
    );
  }
  const token = getAddress(m.contracts.AccToken);
  if (await hasCode(url, token)) {
    throw new Fail(
      `AgentCluster is already deployed on chain ${chainId} (AccToken ${token}, manifest ${manifest}); refusing to deploy a second copy. Move the manifest away to deploy a new copy on purpose.`,
      3,
    );
  }
  return `${chainId} stale ${token}`;
}

async function write({ 'rpc-url': url, 'broadcast-dir': dir, 'chain-id': chainArg, deployer, manifest }) {
  const chainId = Number(chainArg);
  if (!isAddress(deployer ?? '')) throw new Fail(`bad --deployer ${deployer}`);
  deployer = getAddress(deployer);
  const recordFile = `${dir}/Deploy.s.sol/${chainId}/run-latest.json`;
  let record;
  try {
    record = JSON.parse(readFileSync(recordFile, 'utf8'));
  } catch (e) {
    throw new Fail(`no broadcast record at ${recordFile} (${e.message})`);
  }
  if (Number(record.chain) !== chainId) throw new Fail(`broadcast record is for chain ${record.chain}, expected ${chainId}`);
  if ((await chainIdOf(url)) !== chainId) throw new Fail(`RPC ${url} is no longer chain ${chainId}`);
  if (record.pending?.length) throw new Fail(`broadcast record has ${record.pending.length} pending transaction(s)`);
  const txs = record.transactions ?? [];
  if (txs.length === 0) throw new Fail('broadcast record has no transactions');

  const contracts = {};
  const sources = [];
  let firstBlock = null;
  for (const tx of txs) {
    const what = `${tx.contractName ?? 'transaction'} ${tx.hash}`;
    // The receipt as the chain has it now, not only as forge recorded it.
    const receipt = await rpc(url, 'eth_getTransactionReceipt', [tx.hash]);
    if (!receipt) throw new Fail(`${what}: no receipt on chain ${chainId}`);
    if (BigInt(receipt.status) !== 1n) throw new Fail(`${what} reverted (receipt status ${receipt.status})`);
    const recorded = record.receipts?.find((r) => r.transactionHash?.toLowerCase() === tx.hash.toLowerCase());
    if (!recorded || BigInt(recorded.status) !== 1n) throw new Fail(`${what}: forge recorded no successful receipt`);
    if (getAddress(receipt.from) !== deployer) throw new Fail(`${what} was sent by ${receipt.from}, not the deployer ${deployer}`);
    const block = Number(BigInt(receipt.blockNumber));
    if (firstBlock === null || block < firstBlock) firstBlock = block;
    if (tx.transactionType !== 'CREATE') continue;

    const address = getAddress(receipt.contractAddress ?? tx.contractAddress);
    if (tx.contractAddress && getAddress(tx.contractAddress) !== address) {
      throw new Fail(`${what}: created ${address}, forge recorded ${tx.contractAddress}`);
    }
    if (!(await hasCode(url, address))) throw new Fail(`${what}: no code at ${address}`);
    let key = BY_CONTRACT_NAME[tx.contractName];
    if (RANDOMNESS_CONTRACTS.has(tx.contractName)) {
      sources.push(address);
      continue;
    }
    if (tx.contractName === 'EmissionVault') {
      const data = encodeFunctionData({ abi: POOL_ABI, functionName: 'pool' });
      const out = await rpc(url, 'eth_call', [{ to: address, data }, 'latest']);
      const pool = decodeFunctionResult({ abi: POOL_ABI, functionName: 'pool', data: out });
      key = BY_POOL[pool];
      if (!key) throw new Fail(`EmissionVault ${address} has unknown pool "${pool}"`);
    }
    if (!key) throw new Fail(`unexpected contract ${tx.contractName} at ${address} in the broadcast record`);
    if (contracts[key]) throw new Fail(`two ${key} contracts in the broadcast record (${contracts[key]}, ${address})`);
    contracts[key] = address;
  }
  if (contracts.TaskMarket) {
    for (const [key, functionName] of [['Randomness', 'randomness'], ['FallbackRandomness', 'fallbackRandomness']]) {
      const data = encodeFunctionData({ abi: MARKET_ABI, functionName });
      const out = await rpc(url, 'eth_call', [{ to: contracts.TaskMarket, data }, 'latest']);
      const address = getAddress(decodeFunctionResult({ abi: MARKET_ABI, functionName, data: out }));
      if (!sources.includes(address)) throw new Fail(`TaskMarket.${functionName}() is ${address}, not a source this deployment created`);
      contracts[key] = address;
    }
  }
  const missing = CONTRACT_KEYS.filter((k) => !contracts[k]);
  if (missing.length) throw new Fail(`broadcast record lacks ${missing.join(', ')}`);

  const out = { chainId, block: firstBlock, deployer, contracts: {} };
  for (const k of CONTRACT_KEYS) out.contracts[k] = contracts[k];
  writeAtomically(manifest, JSON.stringify(out, null, 2) + '\n');
  return `${chainId} ${firstBlock} ${txs.length}`;
}

function table({ manifest }) {
  const m = readManifest(manifest);
  const width = Math.max(...Object.keys(m.contracts).map((k) => k.length));
  const lines = [
    `  ${'chain id'.padEnd(width)}  ${m.chainId}`,
    `  ${'first block'.padEnd(width)}  ${m.block}`,
    `  ${'deployer'.padEnd(width)}  ${m.deployer}`,
    `  ${'-'.repeat(width)}  ${'-'.repeat(42)}`,
    ...Object.entries(m.contracts).map(([k, a]) => `  ${k.padEnd(width)}  ${a}`),
  ];
  return lines.join('\n');
}

// --- CLI -----------------------------------------------------------------------------------------------------------
const REQUIRED = {
  preflight: ['rpc-url', 'manifest'],
  write: ['rpc-url', 'broadcast-dir', 'chain-id', 'deployer', 'manifest'],
  table: ['manifest'],
};
const COMMANDS = { preflight, write, table };

async function main(argv) {
  const [cmd, ...rest] = argv;
  if (!COMMANDS[cmd]) throw new Fail(`usage: manifest.mjs ${Object.keys(COMMANDS).join('|')} --option value ...`);
  const opts = {};
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i]?.startsWith('--') ? rest[i].slice(2) : null;
    if (!name || !REQUIRED[cmd].includes(name) || rest[i + 1] === undefined) throw new Fail(`${cmd}: bad argument ${rest[i]}`);
    opts[name] = rest[i + 1];
  }
  for (const r of REQUIRED[cmd]) if (opts[r] === undefined) throw new Fail(`${cmd}: missing --${r}`);
  return COMMANDS[cmd](opts);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/manifest.mjs')) {
  main(process.argv.slice(2)).then(
    (out) => {
      if (out !== undefined) process.stdout.write(out + '\n');
    },
    (e) => {
      process.stderr.write(`${e instanceof Fail ? e.message : e.stack}\n`);
      process.exit(e instanceof Fail ? e.code : 2);
    },
  );
}
