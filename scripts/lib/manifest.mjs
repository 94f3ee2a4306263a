#!/usr/bin/env node
// The deployment manifest of the EVM suite: scripts/deploy's helper (ESM, JSON-RPC over node:http, viem for ABI and
// checksums). The suite's contract list is CONTRACTS below (one line per contract). Subcommands (exit 0 ok, 1 failed,
// 2 error, 3 refusal):
//   preflight --rpc-url URL --manifest FILE --deployer 0x.. [--resume yes|no]
//       Everything checked before the first transaction (deploy-check.mjs: manifest path writable, AC_* variables).
//       Prints "<chainId> new", "<chainId> stale <AccToken>" or "<chainId> resume", then messages, one a line.
//       Refuses (exit 3) when FILE describes a live suite on this chain or when FILE.broadcast/ holds a partial
//       deployment (without --resume), and (exit 2) when FILE is not a manifest or names another chain.
//   write --rpc-url URL --broadcast-dir DIR --chain-id N --deployer 0x.. --manifest FILE
//       Reads DIR/Deploy.s.sol/N/run-latest.json (forge's broadcast record), checks every transaction on the chain
//       (receipt status 1, sent by the deployer, code at every address), names the four emission vaults by their
//       pool() and writes FILE atomically (and removes FILE.partial.json). Prints "<chainId> <block> <txs> <contracts>".
//   partial --rpc-url URL --manifest FILE --chain-id N --deployer 0x.. [--reason TEXT]
//       After a failure: writes FILE.partial.json (live and missing contracts) and prints the report.
//   resume --rpc-url URL --manifest FILE --chain-id N --deployer 0x..   (key in DEPLOY_PRIVATE_KEY)
//       Sends the record's missing transactions with their recorded nonces and completes the record.
//   watch --record FILE --pid N      progress lines while forge (pid N) broadcasts
//   explain --log FILE               forge's failure as one plain line (forge-errors.mjs)
//   table --manifest FILE            the manifest as a readable table
//   vars                             the AC_* variables, for scripts/deploy --help
import { readFileSync, writeFileSync, renameSync, mkdirSync, existsSync, unlinkSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import http from 'node:http';
import https from 'node:https';
import { getAddress, isAddress, encodeFunctionData, decodeFunctionResult } from 'viem';
import { Fail, checkConfig, checkWritable, varsHelp } from './deploy-check.mjs';
import { explainForgeLog } from './forge-errors.mjs';

// The suite, in manifest order: ONE LINE PER CONTRACT (adding a contract to the deployment is one line here).
//   contract: forge's contractName in the broadcast record
//   pool:     an EmissionVault, told apart by its pool() (and by its first constructor argument while broadcasting)
//   source:   a randomness source (LocalRandomness or ChainlinkVrfRandomness), named by the TaskMarket getter that
//             returns it; while broadcasting, sources are matched in this order to the order of creation
export const CONTRACTS = [
  { key: 'AccToken', contract: 'AccToken' },
  { key: 'Governor', contract: 'AgentClusterGovernor' },
  { key: 'Timelock', contract: 'AgentClusterTimelock' },
  { key: 'CriticalProposalRegistry', contract: 'CriticalProposalRegistry' },
  { key: 'ValidatorsPool', contract: 'EmissionVault', pool: 'validators' },
  { key: 'ComputePool', contract: 'EmissionVault', pool: 'compute' },
  { key: 'MarketplacePool', contract: 'EmissionVault', pool: 'marketplace' },
  { key: 'ReviewPool', contract: 'EmissionVault', pool: 'review' },
  { key: 'TeamVesting', contract: 'TeamVesting' },
  { key: 'Treasury', contract: 'Treasury' },
  { key: 'FeeRouter', contract: 'FeeRouter' },
  { key: 'AgentRegistry', contract: 'AgentRegistry' },
  { key: 'Staking', contract: 'Staking' },
  { key: 'Reputation', contract: 'Reputation' },
  { key: 'TaskMarket', contract: 'TaskMarket' },
  { key: 'Randomness', source: 'randomness' },
  { key: 'FallbackRandomness', source: 'fallbackRandomness' },
  // Created by TaskMarket's constructor (not a transaction of its own): read from TaskMarket.verification().
  { key: 'TaskVerification', module: 'verification' },
];
export const CONTRACT_KEYS = CONTRACTS.map((c) => c.key);

const BY_CONTRACT_NAME = Object.fromEntries(CONTRACTS.filter((c) => c.contract && !c.pool).map((c) => [c.contract, c.key]));
const BY_POOL = Object.fromEntries(CONTRACTS.filter((c) => c.pool).map((c) => [c.pool, c.key]));
const SOURCES = CONTRACTS.filter((c) => c.source);
const RANDOMNESS_CONTRACTS = new Set(['LocalRandomness', 'ChainlinkVrfRandomness']);
const MODULES = CONTRACTS.filter((c) => c.module);
const MARKET_ABI = [...SOURCES.map((c) => c.source), ...MODULES.map((c) => c.module), 'market'].map((name) => ({
  type: 'function', name, stateMutability: 'view', inputs: [], outputs: [{ type: 'address' }],
}));
const POOL_ABI = [
  { type: 'function', name: 'pool', stateMutability: 'view', inputs: [], outputs: [{ type: 'string' }] },
];

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

// --- forge's broadcast record ------------------------------------------------------------------------------------
// scripts/deploy has forge write it next to the manifest (FOUNDRY_BROADCAST=<manifest>.broadcast), so it survives
// a failed or interrupted run; forge saves it before the first transaction and after every receipt.
export const recordDir = (manifest) => `${resolve(manifest)}.broadcast`;
export const recordFile = (manifest, chainId) => `${recordDir(manifest)}/Deploy.s.sol/${chainId}/run-latest.json`;
export const partialFile = (manifest) => `${resolve(manifest)}.partial.json`;

function loadRecord(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Fail(`no readable broadcast record at ${file} (${e.message})`);
  }
}

/// The record's transactions with their manifest names and (predicted) addresses, in sending order.
export function describeRecord(record) {
  let sourceIndex = 0;
  return (record.transactions ?? []).map((tx, i) => {
    let key = BY_CONTRACT_NAME[tx.contractName];
    if (tx.contractName === 'EmissionVault') key = BY_POOL[String(tx.arguments?.[0] ?? '').replace(/^"|"$/g, '')];
    if (RANDOMNESS_CONTRACTS.has(tx.contractName)) key = SOURCES[sourceIndex++]?.key;
    return {
      index: i,
      key: key ?? tx.contractName ?? tx.function ?? 'transaction',
      type: tx.transactionType,
      address: tx.contractAddress ? getAddress(tx.contractAddress) : null,
      nonce: Number(BigInt(tx.transaction?.nonce ?? 0)),
      hash: tx.hash ?? null,
      tx,
    };
  });
}

const recordedReceipt = (record, hash) =>
  hash ? record.receipts?.find((r) => r.transactionHash?.toLowerCase() === hash.toLowerCase()) : undefined;

/// What of the record is live on the chain: a CREATE is live when its address has code (whoever sent it), any other
/// transaction when its receipt says success. `burnt`: its nonce is used but it is not live (reverted, or replaced).
async function recordStatus(url, record, deployer) {
  const items = describeRecord(record);
  const latest = Number(BigInt(await rpc(url, 'eth_getTransactionCount', [deployer, 'latest'])));
  const pending = Number(BigInt(await rpc(url, 'eth_getTransactionCount', [deployer, 'pending'])));
  for (const it of items) {
    if (it.type === 'CREATE' && it.address) it.live = await hasCode(url, it.address);
    else {
      const r = it.hash ? await rpc(url, 'eth_getTransactionReceipt', [it.hash]) : null;
      it.live = !!r && BigInt(r.status) === 1n;
    }
    it.burnt = !it.live && it.nonce < latest;
    it.sentUnconfirmed = !it.live && !it.burnt && !!it.hash && it.nonce < pending;
  }
  return { items, latest, pending, onChain: true };
}

/// Without a node: what forge recorded (a receipt with status 1 counts as live).
function recordedStatus(record) {
  const items = describeRecord(record);
  for (const it of items) {
    const r = recordedReceipt(record, it.hash);
    it.live = !!r && BigInt(r.status) === 1n;
    it.burnt = !!r && !it.live;
    it.sentUnconfirmed = !r && !!it.hash;
  }
  return { items, onChain: false };
}

function statusReport(status, { chainId, record }) {
  const { items } = status;
  const live = items.filter((i) => i.live);
  const missing = items.filter((i) => !i.live);
  const lines = [
    `${live.length} of ${items.length} deployment transactions are live on chain ${chainId}${status.onChain ? '' : ' (as forge recorded them; the node did not answer)'}; broadcast record ${record}`,
  ];
  if (live.length) lines.push(`  live:    ${live.map((i) => `${i.key} ${i.address ?? i.hash}`).join(', ')}`);
  if (missing.length) {
    lines.push(
      `  missing: ${missing
        .map((i) => `${i.key}${i.address ? ` (would be ${i.address})` : ''}${i.burnt ? ' [its nonce was used: reverted or replaced]' : ''}${i.sentUnconfirmed ? ' [sent, unconfirmed]' : ''}`)
        .join(', ')}`,
    );
  }
  return lines.join('\n');
}

function writePartial(manifest, status, { chainId, deployer, record, reason }) {
  const out = {
    status: 'partial',
    reason,
    chainId,
    deployer,
    record,
    checkedOnChain: status.onChain,
    sent: status.items.filter((i) => i.live || i.burnt || i.sentUnconfirmed).length,
    total: status.items.length,
    contracts: {},
    missing: {},
  };
  for (const i of status.items) (i.live ? out.contracts : out.missing)[i.key] = i.address ?? i.hash;
  writeAtomically(partialFile(manifest), JSON.stringify(out, null, 2) + '\n');
}

function resumable(status) {
  const { items, latest, pending } = status;
  const firstMissing = items.findIndex((i) => !i.live);
  if (firstMissing < 0) return null;
  if (items.slice(firstMissing).some((i) => i.live)) return 'live contracts follow a missing one';
  if (items.some((i) => i.burnt)) return 'a nonce of the deployment was used by another transaction (reverted or replaced)';
  if (pending !== latest) return `${pending - latest} transaction(s) of the deployer are still pending in the node; wait for them and run again`;
  if (items[firstMissing].nonce !== latest) {
    return `the deployer's nonce is ${latest}, the next deployment transaction needs ${items[firstMissing].nonce}`;
  }
  return null;
}

// --- subcommands -------------------------------------------------------------------------------------------------
/// Everything checked before the first transaction. stdout: "<chainId> new|stale <AccToken>|resume", then one
/// message per line. Exit 3: the manifest names a live suite, or a partial deployment exists (without --resume).
async function preflight({ 'rpc-url': url, manifest, deployer, resume = 'no' }) {
  const chainId = await chainIdOf(url);
  if (!isAddress(deployer ?? '')) throw new Fail(`bad --deployer ${deployer}`);
  deployer = getAddress(deployer);
  checkWritable(manifest);
  if (existsSync(recordDir(manifest)) && !statSync(recordDir(manifest)).isDirectory()) {
    throw new Fail(`--manifest ${manifest}: ${recordDir(manifest)} exists and is not a directory`);
  }
  let state = `${chainId} new`;
  if (existsSync(manifest)) {
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
    state = `${chainId} stale ${token}`;
  }
  const record = recordFile(manifest, chainId);
  const messages = [];
  if (existsSync(record)) {
    const rec = loadRecord(record);
    const status = await recordStatus(url, rec, deployer);
    if (status.items.some((i) => i.live)) {
      const deployerOfRecord = rec.transactions?.[0]?.transaction?.from;
      if (deployerOfRecord && getAddress(deployerOfRecord) !== deployer) {
        throw new Fail(`the partial deployment in ${record} was sent by ${getAddress(deployerOfRecord)}, not by ${deployer}; use its key`);
      }
      const report = statusReport(status, { chainId, record });
      writePartial(manifest, status, { chainId, deployer, record, reason: 'found by a later run' });
      if (resume !== 'yes') {
        throw new Fail(
          `a partial deployment exists (${partialFile(manifest)}):\n${report}\nrun the same command with --resume to send the missing transactions, or move ${recordDir(manifest)} and ${partialFile(manifest)} away to start over`,
          3,
        );
      }
      const why = resumable(status);
      if (why) throw new Fail(`cannot resume: ${why}\n${report}`, 1);
      return [`${chainId} resume`, ...report.split('\n')].join('\n');
    }
    if (resume === 'yes') throw new Fail(`--resume: nothing of ${record} is live on chain ${chainId}; run without --resume to deploy anew`);
    messages.push(`old broadcast record ${record} names nothing live on chain ${chainId}; it is replaced`);
  } else if (resume === 'yes') {
    throw new Fail(`--resume: no broadcast record at ${record}, nothing to resume`);
  }
  const { notes, warnings } = await checkConfig(process.env, { chainId, deployer, hasCode: (a) => hasCode(url, a) });
  return [state, ...messages, ...notes, ...warnings.map((w) => `warning: ${w}`)].join('\n');
}

/// After a failed or interrupted broadcast: writes <manifest>.partial.json and prints what is live and missing.
async function partial({ 'rpc-url': url, manifest, 'chain-id': chainArg, deployer, reason = 'deployment failed' }) {
  const chainId = Number(chainArg);
  const record = recordFile(manifest, chainId);
  if (!existsSync(record)) return 'no transaction was sent (forge wrote no broadcast record)';
  const rec = loadRecord(record);
  let status;
  try {
    status = await recordStatus(url, rec, getAddress(deployer));
  } catch {
    status = recordedStatus(rec);
  }
  const sent = status.items.filter((i) => i.live || i.burnt || i.sentUnconfirmed).length;
  if (sent === 0 && status.onChain) return 'no transaction was sent';
  writePartial(manifest, status, { chainId, deployer: getAddress(deployer), record, reason });
  return `${statusReport(status, { chainId, record })}\npartial record: ${partialFile(manifest)}`;
}

const progressLine = (n, total, it, hash) => `deploy: [${n}/${total}] ${it.key} ${it.address ?? ''} (tx ${hash})`.replace('  (', ' (');

/// Prints one progress line per confirmed transaction while forge broadcasts (polls the record until `pid` exits).
async function watch({ record: file, pid }) {
  const printed = new Set();
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const alive = () => {
    try {
      process.kill(Number(pid), 0);
      return true;
    } catch {
      return false;
    }
  };
  for (;;) {
    const running = alive();
    let rec = null;
    try {
      rec = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      /* not written yet, or being rewritten */
    }
    if (rec) {
      const items = describeRecord(rec);
      for (const it of items) {
        const r = recordedReceipt(rec, it.hash);
        if (!r || printed.has(it.index)) continue;
        printed.add(it.index);
        const ok = BigInt(r.status) === 1n;
        process.stdout.write(`${progressLine(it.index + 1, items.length, it, it.hash)}${ok ? '' : ' REVERTED'}\n`);
      }
    }
    if (!running) return undefined;
    await sleep(200);
  }
}

/// Finds the deployer's transaction with `nonce` in recent blocks (a transaction forge sent but did not record).
async function findByNonce(url, deployer, nonce, fromBlock) {
  const head = Number(BigInt(await rpc(url, 'eth_blockNumber')));
  for (let b = head; b >= Math.max(fromBlock, head - 5000); b--) {
    const block = await rpc(url, 'eth_getBlockByNumber', [`0x${b.toString(16)}`, true]);
    const tx = block?.transactions?.find((t) => getAddress(t.from) === deployer && Number(BigInt(t.nonce)) === nonce);
    if (tx) return tx.hash;
  }
  return null;
}

/// Sends the record's missing transactions (same data, same nonces) from DEPLOY_PRIVATE_KEY, one at a time, and
/// completes the record (hashes, receipts) so that `write` can turn it into the manifest.
async function resumeCmd({ 'rpc-url': url, manifest, 'chain-id': chainArg, deployer }) {
  const chainId = Number(chainArg);
  deployer = getAddress(deployer);
  const file = recordFile(manifest, chainId);
  const rec = loadRecord(file);
  const status = await recordStatus(url, rec, deployer);
  const why = resumable(status);
  if (why) throw new Fail(`cannot resume: ${why}`, 1);
  const { createWalletClient, createPublicClient, http: httpTransport } = await import('viem');
  const { privateKeyToAccount } = await import('viem/accounts');
  const account = privateKeyToAccount(process.env.DEPLOY_PRIVATE_KEY);
  if (account.address !== deployer) throw new Fail('DEPLOY_PRIVATE_KEY is not the deployer');
  const transport = httpTransport(url, { retryCount: 2 });
  const wallet = createWalletClient({ account, transport });
  const client = createPublicClient({ transport, pollingInterval: 250 });
  const save = () => writeAtomically(file, JSON.stringify(rec, null, 2));
  rec.receipts ??= [];
  const total = status.items.length;
  let firstBlock = Math.min(...rec.receipts.map((r) => Number(BigInt(r.blockNumber))).filter(Number.isFinite), Infinity);
  if (!Number.isFinite(firstBlock)) firstBlock = 0;
  for (const it of status.items) {
    if (it.live) {
      // Live but possibly mined after forge stopped: complete its receipt in the record.
      if (recordedReceipt(rec, it.hash)) continue;
      const hash = (it.hash && (await rpc(url, 'eth_getTransactionReceipt', [it.hash])) ? it.hash : null) ??
        (await findByNonce(url, deployer, it.nonce, firstBlock));
      if (!hash) throw new Fail(`${it.key} ${it.address} is live but its transaction (nonce ${it.nonce}) was not found`, 1);
      it.tx.hash = hash;
      rec.receipts.push(await rpc(url, 'eth_getTransactionReceipt', [hash]));
      rec.pending = (rec.pending ?? []).filter((h) => h !== hash);
      save();
      process.stdout.write(`deploy: [${it.index + 1}/${total}] ${it.key} ${it.address ?? ''} already live (tx ${hash})\n`);
      continue;
    }
    const t = it.tx.transaction;
    const old = it.hash;
    const hash = await wallet.sendTransaction({
      chain: null,
      to: t.to ?? undefined,
      data: t.input ?? t.data,
      value: BigInt(t.value ?? 0),
      gas: BigInt(t.gas),
      nonce: it.nonce,
    });
    it.tx.hash = hash;
    rec.pending = [...(rec.pending ?? []).filter((h) => h !== old), hash];
    save();
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: 300_000 });
    const raw = await rpc(url, 'eth_getTransactionReceipt', [hash]);
    rec.receipts.push(raw);
    rec.pending = rec.pending.filter((h) => h !== hash);
    save();
    if (receipt.status !== 'success') throw new Fail(`${it.key}: transaction ${hash} reverted`, 1);
    process.stdout.write(`${progressLine(it.index + 1, total, it, hash)}\n`);
  }
  return undefined;
}

function explain({ log }) {
  return explainForgeLog(readFileSync(log, 'utf8'), resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'out'));
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
    for (const { key, source: functionName } of SOURCES) {
      const data = encodeFunctionData({ abi: MARKET_ABI, functionName });
      const out = await rpc(url, 'eth_call', [{ to: contracts.TaskMarket, data }, 'latest']);
      const address = getAddress(decodeFunctionResult({ abi: MARKET_ABI, functionName, data: out }));
      if (!sources.includes(address)) throw new Fail(`TaskMarket.${functionName}() is ${address}, not a source this deployment created`);
      contracts[key] = address;
    }
    for (const { key, module: functionName } of MODULES) {
      const call = async (to, fn) => getAddress(decodeFunctionResult({
        abi: MARKET_ABI, functionName: fn,
        data: await rpc(url, 'eth_call', [{ to, data: encodeFunctionData({ abi: MARKET_ABI, functionName: fn }) }, 'latest']),
      }));
      const address = await call(contracts.TaskMarket, functionName);
      const code = await rpc(url, 'eth_getCode', [address, 'latest']);
      if (!code || code === '0x') throw new Fail(`TaskMarket.${functionName}() is ${address}, which has no code`);
      if ((await call(address, 'market')) !== getAddress(contracts.TaskMarket)) {
        throw new Fail(`TaskMarket.${functionName}() is ${address}, which does not serve this market`);
      }
      contracts[key] = address;
    }
  }
  const missing = CONTRACT_KEYS.filter((k) => !contracts[k]);
  if (missing.length) throw new Fail(`broadcast record lacks ${missing.join(', ')}`);

  const out = { chainId, block: firstBlock, deployer, contracts: {} };
  for (const k of CONTRACT_KEYS) out.contracts[k] = contracts[k];
  writeAtomically(manifest, JSON.stringify(out, null, 2) + '\n');
  try { unlinkSync(partialFile(manifest)); } catch { /* none */ }
  return `${chainId} ${firstBlock} ${txs.length} ${Object.keys(out.contracts).length}`;
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
const OPTIONS = {
  preflight: [['rpc-url', 'manifest', 'deployer'], ['resume']],
  write: [['rpc-url', 'broadcast-dir', 'chain-id', 'deployer', 'manifest'], []],
  partial: [['rpc-url', 'manifest', 'chain-id', 'deployer'], ['reason']],
  resume: [['rpc-url', 'manifest', 'chain-id', 'deployer'], []],
  watch: [['record', 'pid'], []],
  explain: [['log'], []],
  table: [['manifest'], []],
  vars: [[], []],
};
const COMMANDS = { preflight, write, partial, resume: resumeCmd, watch, explain, table, vars: () => varsHelp() };

async function main(argv) {
  const [cmd, ...rest] = argv;
  if (!COMMANDS[cmd]) throw new Fail(`usage: manifest.mjs ${Object.keys(COMMANDS).join('|')} --option value ...`);
  const [required, optional] = OPTIONS[cmd];
  const opts = {};
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i]?.startsWith('--') ? rest[i].slice(2) : null;
    if (!name || ![...required, ...optional].includes(name) || rest[i + 1] === undefined) throw new Fail(`${cmd}: bad argument ${rest[i]}`);
    opts[name] = rest[i + 1];
  }
  for (const r of required) if (opts[r] === undefined) throw new Fail(`${cmd}: missing --${r}`);
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
