// scripts/deploy and scripts/localnet end to end, against throwaway anvils on free loopback ports.
// viem is the oracle: everything below is read back from the chain, not from the scripts' own output.
// Run: node --test tests/scripts/
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, existsSync, rmSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicClient, http, getAddress, parseAbi, parseAbiItem, zeroAddress, zeroHash } from 'viem';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'node_modules', '.bin');
const DEPLOY = join(root, 'scripts', 'deploy');
const LOCALNET = join(root, 'scripts', 'localnet');
const ENV = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
for (const k of Object.keys(ENV)) if (k.startsWith('AC_')) delete ENV[k];

// anvil's default mnemonic accounts.
const KEY0 = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const ACCOUNTS = [
  '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
  '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
  '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc',
];
const KEYS = [
  'AccToken', 'Governor', 'Timelock', 'CriticalProposalRegistry', 'ValidatorsPool', 'ComputePool',
  'MarketplacePool', 'ReviewPool', 'TeamVesting', 'Treasury', 'FeeRouter',
  'AgentRegistry', 'Staking', 'Reputation', 'TaskMarket', 'Randomness', 'FallbackRandomness',
];
const OWNABLE = [
  'AccToken', 'CriticalProposalRegistry', 'ValidatorsPool', 'ComputePool', 'MarketplacePool', 'ReviewPool', 'Treasury',
  'FeeRouter', 'AgentRegistry', 'Staking', 'Reputation', 'TaskMarket',
];
// One CREATE per contract: the deployer's nonce after a deployment.
const CREATES = KEYS.length;
const REFUSAL = (chainId, token, file) =>
  `AgentCluster is already deployed on chain ${chainId} (AccToken ${token}, manifest ${file}); refusing to deploy a second copy. Move the manifest away to deploy a new copy on purpose.`;

const abi = parseAbi([
  'function totalSupply() view returns (uint256)',
  'function balanceOf(address) view returns (uint256)',
  'function owner() view returns (address)',
  'function pendingOwner() view returns (address)',
  'function beneficiary() view returns (address)',
  'function allocation() view returns (uint256)',
  'function pool() view returns (string)',
  'function token() view returns (address)',
  'function timelock() view returns (address)',
  'function hasRole(bytes32, address) view returns (bool)',
  'function getRoleAdmin(bytes32) view returns (bytes32)',
  'function PROPOSER_ROLE() view returns (bytes32)',
  'function CANCELLER_ROLE() view returns (bytes32)',
  'function EXECUTOR_ROLE() view returns (bytes32)',
]);
const RoleGranted = parseAbiItem('event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)');
const RoleRevoked = parseAbiItem('event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)');
const OwnershipTransferred = parseAbiItem('event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)');

// --- helpers -------------------------------------------------------------------------------------------------------
const tmp = mkdtempSync(join(tmpdir(), 'ac-deploy-test-'));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function run(cmd, args, { env = ENV, timeout = 120_000 } = {}) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeout);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, out: stdout + stderr });
    });
  });
}

const anvils = new Set();
async function startAnvil(port) {
  port ??= await freePort();
  const logFd = openSync(join(tmp, `anvil-${port}-${Date.now()}.log`), 'w');
  const proc = spawn(join(bin, 'anvil'), ['--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const node = { port, url: `http://127.0.0.1:${port}`, proc, exited };
  node.client = createPublicClient({ transport: http(node.url, { retryCount: 0 }) });
  node.stop = async () => {
    anvils.delete(node);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    await exited;
  };
  anvils.add(node);
  for (let i = 0; i < 150; i++) {
    if (proc.exitCode !== null) throw new Error(`anvil on port ${port} exited with ${proc.exitCode}`);
    try {
      await node.client.getChainId();
      return node;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`anvil on port ${port} did not answer`);
}

const deploy = (node, manifest, { key = KEY0, env = ENV } = {}) =>
  run(DEPLOY, ['--rpc-url', node.url, '--private-key', key, '--manifest', manifest], { env });
const readManifest = (file) => JSON.parse(readFileSync(file, 'utf8'));
const read = (client, address, functionName, args = []) => client.readContract({ address, abi, functionName, args });
const hasCode = async (client, address, blockNumber) => {
  const code = await client.getCode(blockNumber === undefined ? { address } : { address, blockNumber });
  return code !== undefined && code !== '0x';
};

after(async () => {
  await Promise.all([...anvils].map((a) => a.stop()));
  rmSync(tmp, { recursive: true, force: true });
});

// --- scripts/deploy ------------------------------------------------------------------------------------------------
describe('scripts/deploy', () => {
  let chain;
  let manifestFile;
  let m;
  let first;
  const beneficiaries = {
    AC_TEAM_BENEFICIARY: ACCOUNTS[1],
    AC_VALIDATORS_BENEFICIARY: ACCOUNTS[2],
    AC_COMPUTE_BENEFICIARY: ACCOUNTS[3],
    AC_MARKETPLACE_BENEFICIARY: ACCOUNTS[4],
    AC_REVIEW_BENEFICIARY: ACCOUNTS[5],
  };

  before(async () => {
    chain = await startAnvil();
    manifestFile = join(tmp, 'nested', 'dir', 'manifest.json');
    first = await deploy(chain, manifestFile, { env: { ...ENV, ...beneficiaries } });
    if (first.code === 0) m = readManifest(manifestFile);
  });

  test('deploys, reports progress and writes a manifest with chainId, block, deployer and the checksummed address of every contract', async () => {
    assert.equal(first.code, 0, first.out);
    assert.match(first.stdout, /deploy: chain 31337 at /);
    assert.match(first.stdout, /manifest written to /);
    assert.doesNotMatch(first.out, /Compiler run|== Logs ==|ONCHAIN EXECUTION/, 'forge output stays quiet');
    assert.deepEqual(Object.keys(m), ['chainId', 'block', 'deployer', 'contracts']);
    assert.equal(m.chainId, await chain.client.getChainId());
    assert.equal(m.deployer, ACCOUNTS[0]);
    assert.deepEqual(Object.keys(m.contracts), KEYS);
    for (const [name, a] of Object.entries(m.contracts)) {
      assert.equal(getAddress(a), a, `${name} is EIP-55 checksummed`);
      assert.ok(await hasCode(chain.client, a), `${name} has code`);
    }
    assert.equal(new Set(Object.values(m.contracts)).size, KEYS.length, 'addresses are distinct');
    // block is the block of the first deployment transaction: nothing existed one block earlier.
    assert.ok(Number.isInteger(m.block) && m.block >= 1);
    for (const a of Object.values(m.contracts)) assert.equal(await hasCode(chain.client, a, BigInt(m.block - 1)), false);
    assert.ok(await hasCode(chain.client, m.contracts.Timelock, BigInt(m.block)), 'timelock exists at manifest.block');
    const blk = await chain.client.getBlock({ blockNumber: BigInt(m.block), includeTransactions: true });
    assert.ok(blk.transactions.some((t) => getAddress(t.from) === ACCOUNTS[0] && t.to === null && t.nonce === 0));
  });

  test('vaults are mapped to pool names by pool(), beneficiaries come from AC_* and allocations match', async () => {
    const pools = { ValidatorsPool: 'validators', ComputePool: 'compute', MarketplacePool: 'marketplace', ReviewPool: 'review' };
    for (const [k, pool] of Object.entries(pools)) assert.equal(await read(chain.client, m.contracts[k], 'pool'), pool);
    assert.equal(await read(chain.client, m.contracts.TeamVesting, 'beneficiary'), ACCOUNTS[1]);
    assert.equal(await read(chain.client, m.contracts.ValidatorsPool, 'beneficiary'), ACCOUNTS[2]);
    assert.equal(await read(chain.client, m.contracts.ComputePool, 'beneficiary'), ACCOUNTS[3]);
    assert.equal(await read(chain.client, m.contracts.MarketplacePool, 'beneficiary'), ACCOUNTS[4]);
    assert.equal(await read(chain.client, m.contracts.ReviewPool, 'beneficiary'), ACCOUNTS[5]);
    for (const k of [...Object.keys(pools), 'TeamVesting']) {
      assert.equal(await read(chain.client, m.contracts[k], 'token'), m.contracts.AccToken, `${k}.token()`);
    }
  });

  test('AccToken: totalSupply is 1e27 and every genesis balance is exact to the wei', async () => {
    const t = m.contracts.AccToken;
    const total = 10n ** 27n;
    assert.equal(await read(chain.client, t, 'totalSupply'), total);
    const shares = { ValidatorsPool: 3000n, ComputePool: 2500n, MarketplacePool: 1500n, ReviewPool: 1000n, Treasury: 800n, TeamVesting: 1200n };
    let sum = 0n;
    for (const [k, bps] of Object.entries(shares)) {
      const expected = (total * bps) / 10_000n;
      assert.equal(await read(chain.client, t, 'balanceOf', [m.contracts[k]]), expected, `${k} balance`);
      if (k !== 'Treasury') assert.equal(await read(chain.client, m.contracts[k], 'allocation'), expected, `${k} allocation`);
      sum += expected;
    }
    assert.equal(sum, total, 'genesis shares add up to the supply: nobody else holds ACC');
    for (const a of [...ACCOUNTS, m.contracts.Timelock, m.contracts.Governor, m.contracts.FeeRouter]) {
      assert.equal(await read(chain.client, t, 'balanceOf', [a]), 0n);
    }
  });

  test('roles from RoleGranted/RoleRevoked logs: timelock admins itself, governor is sole proposer+canceller, executor open, no EOA holds power', async () => {
    const c = chain.client;
    const tl = m.contracts.Timelock;
    const logs = await c.getLogs({ events: [RoleGranted, RoleRevoked], fromBlock: 0n, toBlock: 'latest' });
    assert.ok(logs.length > 0);
    // Only the timelock is an AccessControl contract in the suite.
    assert.deepEqual([...new Set(logs.map((l) => getAddress(l.address)))], [tl]);
    const holders = new Map(); // role -> Set(account)
    for (const l of logs) {
      const set = holders.get(l.args.role) ?? new Set();
      if (l.eventName === 'RoleGranted') set.add(getAddress(l.args.account));
      else set.delete(getAddress(l.args.account));
      holders.set(l.args.role, set);
    }
    const ADMIN = zeroHash;
    const PROPOSER = await read(c, tl, 'PROPOSER_ROLE');
    const CANCELLER = await read(c, tl, 'CANCELLER_ROLE');
    const EXECUTOR = await read(c, tl, 'EXECUTOR_ROLE');
    const held = (role) => [...(holders.get(role) ?? [])].sort();
    assert.deepEqual(held(ADMIN), [tl], 'DEFAULT_ADMIN_ROLE: the timelock only');
    assert.deepEqual(held(PROPOSER), [m.contracts.Governor], 'PROPOSER_ROLE: the governor only');
    assert.deepEqual(held(CANCELLER), [m.contracts.Governor], 'CANCELLER_ROLE: the governor only');
    assert.deepEqual(held(EXECUTOR), [zeroAddress], 'EXECUTOR_ROLE: open (address 0)');
    assert.deepEqual([...holders.keys()].filter((r) => held(r).length).sort(), [ADMIN, PROPOSER, CANCELLER, EXECUTOR].sort(), 'no other role is held');
    for (const role of [ADMIN, PROPOSER, CANCELLER]) {
      for (const a of held(role)) assert.ok(await hasCode(c, a), `${role} holder ${a} is a contract, not an EOA`);
      assert.equal(await read(c, tl, 'getRoleAdmin', [role]), ADMIN);
    }
    // The chain agrees with the event-derived view, and the deployer holds nothing.
    for (const [role, set] of holders) for (const a of set) assert.equal(await read(c, tl, 'hasRole', [role, a]), true);
    for (const role of [ADMIN, PROPOSER, CANCELLER, EXECUTOR]) {
      for (const a of ACCOUNTS) assert.equal(await read(c, tl, 'hasRole', [role, a]), false, `${a} has no role ${role}`);
    }
  });

  test('ownership from OwnershipTransferred logs: every Ownable contract is owned by the timelock, none by an EOA', async () => {
    const c = chain.client;
    const tl = m.contracts.Timelock;
    const logs = await c.getLogs({ event: OwnershipTransferred, fromBlock: 0n, toBlock: 'latest' });
    const finalOwner = new Map();
    for (const l of logs) finalOwner.set(getAddress(l.address), getAddress(l.args.newOwner));
    const expected = OWNABLE.map((k) => m.contracts[k]).sort();
    assert.deepEqual([...finalOwner.keys()].sort(), expected, 'exactly the Ownable contracts of the suite emitted ownership events');
    for (const [contract, owner] of finalOwner) {
      assert.equal(owner, tl, `${contract}: last OwnershipTransferred names the timelock`);
      assert.equal(await read(c, contract, 'owner'), tl, `${contract}.owner()`);
      assert.ok(await hasCode(c, owner), 'owner is a contract');
      if (contract !== m.contracts.AccToken) assert.equal(await read(c, contract, 'pendingOwner'), zeroAddress, `${contract}: no pending owner`);
    }
    for (const k of KEYS.filter((k) => !OWNABLE.includes(k))) {
      await assert.rejects(read(c, m.contracts[k], 'owner'), `${k} has no owner()`);
    }
  });

  test('governor: token() is AccToken and timelock() is the Timelock', async () => {
    assert.equal(await read(chain.client, m.contracts.Governor, 'token'), m.contracts.AccToken);
    assert.equal(await read(chain.client, m.contracts.Governor, 'timelock'), m.contracts.Timelock);
  });

  test('a second run with the same manifest exits 3 with the refusal and sends no transaction', async () => {
    const nonce = await chain.client.getTransactionCount({ address: ACCOUNTS[0] });
    const height = await chain.client.getBlockNumber();
    const before = readFileSync(manifestFile, 'utf8');
    const r = await deploy(chain, manifestFile);
    assert.equal(r.code, 3, r.out);
    assert.ok(r.stderr.includes(REFUSAL(31337, m.contracts.AccToken, manifestFile)), r.stderr);
    assert.equal(await chain.client.getTransactionCount({ address: ACCOUNTS[0] }), nonce, 'deployer nonce unchanged');
    assert.equal(await chain.client.getBlockNumber(), height, 'no block mined');
    assert.equal(readFileSync(manifestFile, 'utf8'), before, 'manifest untouched');
  });

  test('a stale manifest (fresh anvil, then a restarted anvil) is redeployed and overwritten', async () => {
    const stale = join(tmp, 'stale.json');
    copyFileSync(manifestFile, stale);
    // Fresh anvil given the old manifest: same chain id, no code at the old AccToken.
    let fresh = await startAnvil();
    assert.equal(await hasCode(fresh.client, m.contracts.AccToken), false);
    let r = await deploy(fresh, stale);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, new RegExp(`manifest .*stale\\.json is stale \\(no code at AccToken ${m.contracts.AccToken}`));
    let m2 = readManifest(stale);
    assert.equal(m2.chainId, 31337);
    for (const a of Object.values(m2.contracts)) assert.ok(await hasCode(fresh.client, a));
    assert.equal(await read(fresh.client, m2.contracts.AccToken, 'totalSupply'), 10n ** 27n);
    // Restart that anvil on the same port: the manifest is stale again and is rewritten.
    const port = fresh.port;
    await fresh.stop();
    fresh = await startAnvil(port);
    r = await deploy(fresh, stale);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /is stale/);
    m2 = readManifest(stale);
    for (const a of Object.values(m2.contracts)) assert.ok(await hasCode(fresh.client, a));
    assert.equal(await fresh.client.getTransactionCount({ address: ACCOUNTS[0] }), CREATES);
    assert.ok(!readFileSync(stale, 'utf8').includes('tmp-'), 'no temp file residue');
    await fresh.stop();
  });

  test('bad input: a one-line error on stderr and a non-zero exit, nothing deployed', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const out = join(tmp, 'never.json');
    const other = join(tmp, 'other-chain.json');
    writeFileSync(other, JSON.stringify({ ...m, chainId: 1 }));
    const nonce = await chain.client.getTransactionCount({ address: ACCOUNTS[0] });
    const cases = [
      [[], /missing --rpc-url/],
      [['--rpc-url', chain.url, '--private-key', KEY0], /missing --manifest/],
      [['--rpc-url'], /--rpc-url needs a value/],
      [['--bogus'], /unknown argument '--bogus'/],
      [['--rpc-url', chain.url, '--private-key', KEY0, '--manifest', out, 'extra'], /unknown argument 'extra'/],
      [['--rpc-url', dead, '--private-key', KEY0, '--manifest', out], /cannot reach RPC .*ECONNREFUSED/],
      [['--rpc-url', chain.url, '--private-key', '0x1234', '--manifest', out], /--private-key must be 32 bytes of hex/],
      [['--rpc-url', chain.url, '--private-key', `0x${'0'.repeat(64)}`, '--manifest', out], /not a valid secp256k1 key/],
      [['--rpc-url', chain.url, '--private-key', `0x${'11'.repeat(32)}`, '--manifest', out], /has no funds on chain 31337/],
      [['--rpc-url', chain.url, '--private-key', KEY0, '--manifest', other], /describes chain 1, not chain 31337/],
    ];
    for (const [args, message] of cases) {
      const r = await run(DEPLOY, args);
      assert.notEqual(r.code, 0, `${args.join(' ')}: non-zero exit`);
      assert.equal(r.code, 2, `${args.join(' ')}: exit 2 (bad input)`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.match(r.stderr, /^deploy: error: /);
    }
    const help = await run(DEPLOY, ['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: scripts\/deploy --rpc-url URL --private-key KEY --manifest FILE/);
    assert.equal(existsSync(out), false, 'no manifest written');
    assert.equal(await chain.client.getTransactionCount({ address: ACCOUNTS[0] }), nonce, 'nothing sent');
  });
});

// --- scripts/localnet ----------------------------------------------------------------------------------------------
describe('scripts/localnet', () => {
  test('--no-wait runs setup, starts anvil, deploys with distinct beneficiaries, prints the table and stops anvil', async () => {
    const port = await freePort();
    const manifest = join(tmp, 'localnet.json');
    const log = join(tmp, 'localnet-anvil.log');
    const r = await run(LOCALNET, ['--no-wait', '--port', String(port), '--manifest', manifest, '--log', log], { timeout: 240_000 });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^setup: /m, 'setup ran first');
    const lm = readManifest(manifest);
    assert.equal(lm.chainId, 31337);
    assert.equal(lm.deployer, ACCOUNTS[0]);
    assert.deepEqual(Object.keys(lm.contracts), KEYS);
    for (const [k, a] of Object.entries(lm.contracts)) assert.match(r.stdout, new RegExp(`^\\s+${k}\\s+${a}$`, 'm'), `table row ${k}`);
    for (const a of ACCOUNTS.slice(1)) assert.ok(r.stdout.includes(a), `beneficiary ${a} printed`);
    assert.ok(r.stdout.includes(manifest), 'manifest path printed');
    assert.ok(readFileSync(log, 'utf8').length > 0, 'anvil log written');
    assert.equal(await portIsFree(port), true, 'anvil stopped');

    // A taken port is refused before anything starts.
    const busy = await startAnvil();
    const r2 = await run(LOCALNET, ['--no-wait', '--port', String(busy.port), '--manifest', join(tmp, 'busy.json'), '--log', log]);
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, new RegExp(`port ${busy.port} on 127.0.0.1 is already in use`));
    assert.equal(existsSync(join(tmp, 'busy.json')), false);
    assert.equal(await busy.client.getBlockNumber(), 0n, 'nothing deployed to the busy port');
    await busy.stop();
  });
});
