// scripts/deploy and scripts/localnet end to end, against throwaway anvils on free loopback ports.
// viem is the oracle: everything below is read back from the chain, not from the scripts' own output.
// Run: node --test tests/scripts/
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, existsSync, rmSync, openSync, closeSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicClient, http, getAddress, parseAbi, parseAbiItem, zeroAddress, zeroHash, encodeErrorResult } from 'viem';
import { CONTRACT_KEYS } from '../../scripts/lib/manifest.mjs';
import { ANVIL_KEYS } from '../../scripts/lib/localnet-fund.mjs';
import { decodeRevert, explainForgeLog } from '../../scripts/lib/forge-errors.mjs';

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
// The suite's contract list lives in one place (scripts/lib/manifest.mjs); everything below is checked on chain.
const KEYS = CONTRACT_KEYS;
const ALL_ACCOUNTS = [
  ...ACCOUNTS,
  '0x976EA74026E726554dB657fA54763abd0C3a0aa9',
  '0x14dC79964da2C08b23698B3D3cc7Ca32193d9955',
  '0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f',
  '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720',
];
const OWNABLE = [
  'AccToken', 'CriticalProposalRegistry', 'ValidatorsPool', 'ComputePool', 'MarketplacePool', 'ReviewPool', 'Treasury',
  'FeeRouter', 'AgentRegistry', 'Staking', 'Reputation', 'TaskMarket',
  // The market's verification module shares the market's storage layout, owner slot included (never read: it runs
  // only by delegatecall), so its constructor records the timelock as owner too.
  'TaskVerification',
];
// One CREATE per contract, except the verification module, which TaskMarket's constructor creates: the deployer's
// nonce after a deployment.
const CREATES = KEYS.length - 1;
// The contracts that have a deployment transaction of their own (progress lines, partial records).
const SENT_KEYS = KEYS.filter((k) => k !== 'TaskVerification');
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
async function startAnvil(port, extra = []) {
  port ??= await freePort();
  const logFd = openSync(join(tmp, `anvil-${port}-${Date.now()}.log`), 'w');
  const proc = spawn(join(bin, 'anvil'), ['--host', '127.0.0.1', '--port', String(port), ...extra], { stdio: ['ignore', logFd, logFd] });
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

const deploy = (node, manifest, { key = KEY0, env = ENV, flags = [] } = {}) =>
  run(DEPLOY, ['--rpc-url', node.url, '--private-key', key, '--manifest', manifest, ...flags], { env });

// Starts a command and resolves `stopped` when it exits; `waitFor(re)` resolves once its output matches.
function start(cmd, args, { env = ENV } = {}) {
  const p = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const h = { proc: p, stdout: '', stderr: '' };
  const waiters = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.re.test(h.stdout + h.stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  p.stdout.on('data', (d) => ((h.stdout += d), check()));
  p.stderr.on('data', (d) => ((h.stderr += d), check()));
  h.stopped = new Promise((resolve) => p.on('close', (code, signal) => resolve({ code, signal, stdout: h.stdout, stderr: h.stderr, out: h.stdout + h.stderr })));
  h.waitFor = (re, ms = 120_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}: ${h.stdout}${h.stderr}`)), ms);
      waiters.push({ re, resolve: () => (clearTimeout(timer), resolve()) });
      check();
    });
  return h;
}
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
    // One progress line per transaction, in order, naming the contract, its address and its transaction.
    const progress = first.stdout.split('\n').filter((l) => l.startsWith('deploy: ['));
    assert.equal(progress.length, CREATES, first.stdout);
    const seen = [];
    progress.forEach((l, i) => {
      const [, n, total, key, address, hash] = l.match(/^deploy: \[(\d+)\/(\d+)\] (\w+) (0x[0-9a-fA-F]{40}) \(tx (0x[0-9a-f]{64})\)$/) ?? [];
      assert.equal(Number(n), i + 1, l);
      assert.equal(Number(total), CREATES, l);
      assert.equal(address, m.contracts[key], `${l}: the manifest agrees`);
      seen.push(key);
      assert.ok(hash, l);
    });
    assert.deepEqual([...seen].sort(), [...SENT_KEYS].sort(), 'every contract reported once');
    // The summary counts what the manifest holds.
    assert.match(first.stdout, new RegExp(`deployed ${KEYS.length} contracts in ${CREATES} transactions from block ${m.block}; manifest written to `));
    // forge's record is kept next to the manifest; no partial record after a complete deployment.
    const rec = JSON.parse(readFileSync(`${manifestFile}.broadcast/Deploy.s.sol/31337/run-latest.json`, 'utf8'));
    assert.equal(rec.transactions.length, CREATES);
    assert.equal(existsSync(`${manifestFile}.partial.json`), false);
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

// --- checks before the first transaction ---------------------------------------------------------------------------
describe('scripts/deploy refuses before sending anything', () => {
  let chain; // a chain that is not local
  const distinct = {
    AC_TEAM_BENEFICIARY: ACCOUNTS[1],
    AC_VALIDATORS_BENEFICIARY: ACCOUNTS[2],
    AC_COMPUTE_BENEFICIARY: ACCOUNTS[3],
    AC_MARKETPLACE_BENEFICIARY: ACCOUNTS[4],
    AC_REVIEW_BENEFICIARY: ACCOUNTS[5],
  };
  const ALLOW_LOCAL = ['--allow-local-randomness'];
  before(async () => {
    chain = await startAnvil(undefined, ['--chain-id', '84532']);
  });

  test('malformed AC_*, bad VRF settings, unknown AC_* variables, unwritable manifests, LocalRandomness and a single beneficiary on chain 84532: exit 2, one line naming the problem, nonce unchanged', async () => {
    assert.equal(await chain.client.getChainId(), 84532);
    const nonce = await chain.client.getTransactionCount({ address: ACCOUNTS[0] });
    const height = await chain.client.getBlockNumber();
    const ok = join(tmp, 'refused', 'm.json');
    const fileAsDir = join(tmp, 'a-file');
    writeFileSync(fileAsDir, 'not a directory');
    const dirAsManifest = join(tmp, 'a-dir');
    mkdirSync(dirAsManifest, { recursive: true });
    const code = ACCOUNTS[0]; // an EOA: no code
    const vrf = { AC_VRF_COORDINATOR: code, AC_VRF_KEY_HASH: `0x${'ab'.repeat(32)}`, AC_VRF_SUBSCRIPTION_ID: '42' };
    const cases = [
      [{}, [], /chain 84532 is not local \(31337\/1337\) and AC_VRF_COORDINATOR is not set: .*--allow-local-randomness/],
      [{}, ALLOW_LOCAL, /all five emission\/vesting beneficiaries are the deployer 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266, which would hold every vote at genesis; .*--allow-single-beneficiary/],
      [{ ...distinct, AC_ATTESTORS: '0x1234' }, ALLOW_LOCAL, /AC_ATTESTORS entry 1 is not an address \(0x \+ 40 hex digits\): '0x1234'/],
      [{ ...distinct, AC_ATTESTORS: `${ACCOUNTS[1]}, ${ACCOUNTS[2]}` }, ALLOW_LOCAL, /AC_ATTESTORS entry 2 is not an address/],
      [{ ...distinct, AC_ATTESTORS: `${ACCOUNTS[1]},${ACCOUNTS[1]}` }, ALLOW_LOCAL, /AC_ATTESTORS entry 2 repeats/],
      [{ ...distinct, AC_TEAM_BENEFICIARY: 'deployer' }, ALLOW_LOCAL, /AC_TEAM_BENEFICIARY is not an address/],
      [{ ...distinct, AC_REVIEW_BENEFICIARY: ACCOUNTS[5].replace('a', 'A') }, ALLOW_LOCAL, /AC_REVIEW_BENEFICIARY has a wrong EIP-55 checksum/],
      [{ ...distinct, AC_TEAM_BENEFICARY: ACCOUNTS[1] }, ALLOW_LOCAL, /unknown variable AC_TEAM_BENEFICARY \(did you mean AC_TEAM_BENEFICIARY\?\)/],
      [{ ...distinct, AC_VRF_COORDINATOR: code }, [], /AC_VRF_KEY_HASH is required when AC_VRF_COORDINATOR is set/],
      [{ ...distinct, ...vrf, AC_VRF_KEY_HASH: '0x1234' }, [], /AC_VRF_KEY_HASH must be 32 bytes \(0x \+ 64 hex digits\): '0x1234'/],
      [{ ...distinct, ...vrf, AC_VRF_SUBSCRIPTION_ID: '12abc' }, [], /AC_VRF_SUBSCRIPTION_ID is not an unsigned integer: '12abc'/],
      [{ ...distinct, ...vrf, AC_VRF_SUBSCRIPTION_ID: '' }, [], /AC_VRF_SUBSCRIPTION_ID is required/],
      [{ ...distinct, ...vrf, AC_VRF_CONFIRMATIONS: '201' }, [], /AC_VRF_CONFIRMATIONS must be from 0 to 200, got 201/],
      [{ ...distinct, ...vrf, AC_VRF_CALLBACK_GAS_LIMIT: '0' }, [], /AC_VRF_CALLBACK_GAS_LIMIT must be from 1 to 2500000, got 0/],
      [{ ...distinct, ...vrf, AC_VRF_NATIVE_PAYMENT: 'yes' }, [], /AC_VRF_NATIVE_PAYMENT must be true or false: 'yes'/],
      [{ ...distinct, ...vrf }, [], new RegExp(`AC_VRF_COORDINATOR ${code} has no code on chain 84532`)],
      [{ ...distinct, AC_VRF_KEY_HASH: vrf.AC_VRF_KEY_HASH }, ALLOW_LOCAL, /AC_VRF_KEY_HASH is set but AC_VRF_COORDINATOR is not/],
      [{ ...distinct }, ALLOW_LOCAL, /cannot create directory .*a-file/, join(fileAsDir, 'm.json')],
      [{ ...distinct }, ALLOW_LOCAL, /a-dir exists and is not a regular file/, dirAsManifest],
    ];
    for (const [vars, flags, message, manifest = ok] of cases) {
      const r = await deploy(chain, manifest, { env: { ...ENV, ...vars }, flags });
      const what = `${JSON.stringify(vars)} ${flags.join(' ')}`;
      assert.equal(r.code, 2, `${what}: exit 2\n${r.out}`);
      assert.match(r.stderr, message, what);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.match(r.stderr, /^deploy: error: /);
      assert.doesNotMatch(r.stdout, /compiling and broadcasting/, `${what}: forge never ran`);
    }
    assert.equal(await chain.client.getTransactionCount({ address: ACCOUNTS[0] }), nonce, 'deployer nonce unchanged');
    assert.equal(await chain.client.getBlockNumber(), height, 'no block mined');
    assert.equal(existsSync(ok), false, 'no manifest written');
  });

  test('Deploy.s.sol is strict on its own (forge script without scripts/deploy): malformed values and LocalRandomness on 84532 revert the simulation', async () => {
    const forge = join(bin, 'forge');
    const script = (vars) =>
      run(forge, ['script', 'scripts/evm/Deploy.s.sol:Deploy', '--rpc-url', chain.url, '--private-key', KEY0], { env: { ...ENV, ...vars } });
    let r = await script({ ...distinct, AC_ATTESTORS: '0x12,0x34' });
    assert.notEqual(r.code, 0);
    assert.match(r.out, /AC_ATTESTORS entry 1 is not an address \(0x \+ 40 hex digits\): '0x12'/);
    r = await script({ ...distinct });
    assert.notEqual(r.code, 0);
    assert.match(r.out, /LocalRandomness on chain 84532, which is not local/);
    r = await script({ AC_ALLOW_LOCAL_RANDOMNESS: 'true' });
    assert.notEqual(r.code, 0);
    assert.match(r.out, /all five beneficiaries are 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266/i);
    r = await script({ ...distinct, AC_ALLOW_LOCAL_RANDOMNESS: 'true', AC_VRF_CONFIRMATIONS: '3' });
    assert.notEqual(r.code, 0);
    assert.match(r.out, /AC_VRF_CONFIRMATIONS is set but AC_VRF_COORDINATOR is not/);
    assert.equal(await chain.client.getTransactionCount({ address: ACCOUNTS[0] }), 0, 'nothing sent');
  });

  test('--allow-local-randomness --allow-single-beneficiary deploy on chain 84532, with warnings', async () => {
    const file = join(tmp, 'allowed-84532.json');
    const r = await deploy(chain, file, { flags: ['--allow-local-randomness', '--allow-single-beneficiary'] });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /warning: LocalRandomness on chain 84532/);
    assert.match(r.stdout, /all five beneficiaries are the deployer .* \(--allow-single-beneficiary\)/);
    const dm = readManifest(file);
    assert.equal(dm.chainId, 84532);
    assert.equal(await read(chain.client, dm.contracts.ReviewPool, 'beneficiary'), ACCOUNTS[0]);
    assert.equal(await chain.client.getTransactionCount({ address: ACCOUNTS[0] }), CREATES);
  });
});

// --- a deployment that cannot be lost ------------------------------------------------------------------------------
describe('scripts/deploy after a failure or an interruption', () => {
  const progressCount = (out) => out.split('\n').filter((l) => /^deploy: \[\d+\/\d+\]/.test(l)).length;

  async function checkPartial(file, client) {
    const p = JSON.parse(readFileSync(`${file}.partial.json`, 'utf8'));
    assert.equal(p.status, 'partial');
    assert.equal(p.total, CREATES);
    const live = Object.keys(p.contracts);
    assert.ok(live.length >= 3 && live.length < CREATES, `some but not all contracts live: ${live}`);
    assert.deepEqual([...live, ...Object.keys(p.missing)].sort(), [...SENT_KEYS].sort(), 'every contract is either live or missing');
    for (const [k, a] of Object.entries(p.contracts)) assert.ok(await hasCode(client, a), `${k} named live has code`);
    assert.ok(existsSync(p.record), 'the broadcast record is kept');
    return p;
  }

  test('the node dies mid-broadcast: the record survives, the partial record names every live contract; after a restart a plain run reports and refuses, --resume finishes at the same addresses', async () => {
    const state = join(tmp, 'killed-node-state.json');
    const args = ['--block-time', '0.3', '--state', state];
    let node = await startAnvil(undefined, args);
    const file = join(tmp, 'killed-node', 'm.json');
    const d = start(DEPLOY, ['--rpc-url', node.url, '--private-key', KEY0, '--manifest', file]);
    await d.waitFor(/^deploy: \[4\/\d+\]/m);
    const port = node.port;
    await node.stop(); // SIGTERM: anvil writes its state and exits mid-deployment
    const r = await d.stopped;
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /deploy: error: forge script failed on chain 31337/);
    assert.doesNotMatch(r.out, /\x1b\[/, 'no ANSI codes');
    assert.match(r.stderr, /deploy: \d+ of 17 deployment transactions are live on chain 31337 \(as forge recorded them; the node did not answer\)/);
    assert.match(r.stderr, /--resume/);

    node = await startAnvil(port, args);
    const p = await checkPartial(file, node.client);
    const nonce = await node.client.getTransactionCount({ address: ACCOUNTS[0] });
    assert.ok(nonce >= Object.keys(p.contracts).length && nonce < CREATES);

    // Same command again: a precise report, exit 3, nothing sent.
    const again = await deploy(node, file);
    assert.equal(again.code, 3, again.out);
    assert.match(again.stderr, /a partial deployment exists/);
    assert.match(again.stderr, new RegExp(`${nonce} of ${CREATES} deployment transactions are live on chain 31337`));
    for (const [k, a] of Object.entries(p.contracts)) assert.ok(again.stderr.includes(`${k} ${a}`), `${k} reported live`);
    assert.match(again.stderr, /missing: .*\(would be 0x/);
    assert.equal(await node.client.getTransactionCount({ address: ACCOUNTS[0] }), nonce, 'nothing sent');

    // --resume sends the rest; live contracts keep their addresses.
    const done = await deploy(node, file, { flags: ['--resume'] });
    assert.equal(done.code, 0, done.out);
    // One progress line per transaction sent (plus "already live" for one mined after forge lost the node, if any).
    assert.equal(progressCount(done.stdout.replace(/^.* already live .*$/gm, '')), CREATES - nonce, done.stdout);
    assert.match(done.stdout, new RegExp(`deployed ${KEYS.length} contracts in ${CREATES} transactions`));
    const dm = readManifest(file);
    assert.deepEqual(Object.keys(dm.contracts), KEYS);
    for (const [k, a] of Object.entries(p.contracts)) assert.equal(dm.contracts[k], a, `${k} kept its address`);
    for (const [k, a] of Object.entries(p.missing)) assert.equal(dm.contracts[k], a, `${k} created where the record said`);
    for (const a of Object.values(dm.contracts)) assert.ok(await hasCode(node.client, a));
    assert.equal(await node.client.getTransactionCount({ address: ACCOUNTS[0] }), CREATES);
    assert.equal(await read(node.client, dm.contracts.AccToken, 'totalSupply'), 10n ** 27n);
    assert.equal(await read(node.client, dm.contracts.Governor, 'token'), dm.contracts.AccToken);
    assert.equal(existsSync(`${file}.partial.json`), false, 'partial record removed once complete');
    // And now the usual refusal.
    assert.equal((await deploy(node, file)).code, 3);
    await node.stop();
  });

  test('Ctrl-C mid-broadcast: exit 130 with the report, then --resume', async () => {
    const node = await startAnvil(undefined, ['--block-time', '0.3']);
    const file = join(tmp, 'interrupted', 'm.json');
    const d = start(DEPLOY, ['--rpc-url', node.url, '--private-key', KEY0, '--manifest', file]);
    await d.waitFor(/^deploy: \[3\/\d+\]/m);
    d.proc.kill('SIGINT');
    const r = await d.stopped;
    assert.equal(r.code, 130, r.out);
    assert.match(r.stderr, /deploy: error: interrupted/);
    assert.match(r.stderr, /deploy: \d+ of 17 deployment transactions are live on chain 31337; broadcast record /);
    await new Promise((res) => setTimeout(res, 1000)); // a transaction sent just before the signal may still be mined
    const p = await checkPartial(file, node.client);
    const done = await deploy(node, file, { flags: ['--resume'] });
    assert.equal(done.code, 0, done.out);
    const dm = readManifest(file);
    for (const [k, a] of Object.entries(p.contracts)) assert.equal(dm.contracts[k], a, `${k} kept its address`);
    for (const a of Object.values(dm.contracts)) assert.ok(await hasCode(node.client, a));
    assert.equal(await node.client.getTransactionCount({ address: ACCOUNTS[0] }), CREATES);
    await node.stop();
  });

  test('--resume with nothing to resume is refused', async () => {
    const node = await startAnvil();
    const r = await deploy(node, join(tmp, 'nothing', 'm.json'), { flags: ['--resume'] });
    assert.equal(r.code, 2, r.out);
    assert.match(r.stderr, /--resume: no broadcast record at .*, nothing to resume/);
    assert.equal(await node.client.getTransactionCount({ address: ACCOUNTS[0] }), 0);
    await node.stop();
  });

  test('forge errors in plain text: Error(string), Panic(uint256) and the suite\'s custom errors by selector', () => {
    const out = join(root, 'out');
    assert.equal(decodeRevert(encodeErrorResult({ abi: parseAbi(['error Error(string)']), errorName: 'Error', args: ['nonce drift'] }), out), 'nonce drift');
    assert.equal(decodeRevert(`0x4e487b71${'11'.padStart(64, '0')}`, out), 'panic 0x11 (arithmetic overflow or underflow)');
    const custom = encodeErrorResult({
      abi: parseAbi(['error OnlyCoordinator(address caller, address coordinator)']),
      errorName: 'OnlyCoordinator',
      args: [ACCOUNTS[1], ACCOUNTS[2]],
    });
    assert.equal(decodeRevert(custom, out), `OnlyCoordinator(caller: ${ACCOUNTS[1]}, coordinator: ${ACCOUNTS[2]})`);
    const log = `\x1b[2mCompiling...\x1b[0m\n\x1b[31mError:\x1b[0m script failed: ${custom}\n`;
    assert.equal(explainForgeLog(log, out), `script failed: OnlyCoordinator(caller: ${ACCOUNTS[1]}, coordinator: ${ACCOUNTS[2]}) [${custom.slice(0, 10)}]`);
  });
});

// --- scripts/localnet ----------------------------------------------------------------------------------------------
// scripts/localnet runs setup, builds the CLI and execs `agentcluster localnet up` (docs/localnet.md; the network itself is tested
// in tests/AgentCluster.Cli.Tests/Localnet). Here: the script's own part, seen from outside with viem.
describe('scripts/localnet', () => {
  test('runs setup, builds the CLI, brings up the network with ACC for anvil\'s accounts, and stops cleanly on Ctrl-C with the report', async () => {
    const port = await freePort();
    const manifest = join(tmp, 'localnet.json');
    const dir = join(tmp, 'localnet-state');
    const ln = start(LOCALNET, ['--port', String(port), '--manifest', manifest, '--dir', dir, '--agents', '11', '--no-governance', '--dashboard-port', '0']);
    await ln.waitFor(/swarm of 11 agents running/, 300_000);
    assert.match(ln.stdout + ln.stderr, /^setup: /m, 'setup ran first');
    assert.match(ln.stderr, /localnet: building the agentcluster CLI|localnet: starting anvil/);
    const lm = readManifest(manifest);
    assert.equal(lm.chainId, 31337);
    assert.equal(lm.deployer, ACCOUNTS[0]);
    assert.deepEqual(Object.keys(lm.contracts), KEYS);
    const client = createPublicClient({ transport: http(`http://127.0.0.1:${port}`, { retryCount: 0 }) });
    assert.equal(await client.getChainId(), 31337, 'anvil answers on the port asked for');
    for (const k of ['ValidatorsPool', 'ComputePool', 'MarketplacePool', 'ReviewPool']) {
      assert.equal(await read(client, lm.contracts[k], 'beneficiary'), ACCOUNTS[0], k);
    }
    const ACC = 10n ** 18n;
    assert.equal(await read(client, lm.contracts.AccToken, 'balanceOf', [ACCOUNTS[1]]), 10_000n * ACC, 'account #1 holds --acc ACC');
    assert.match(ln.stderr, /localnet: dashboard http:\/\/127\.0\.0\.1:\d+/);

    ln.proc.kill('SIGINT');
    const r = await ln.stopped;
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /ACC conservation\s+OK/);
    assert.match(r.out, /stopped: swarm, keepers, dashboard, anvil/);
    assert.equal(await portIsFree(port), true, 'anvil stopped');

    // Options of the earlier script that no longer apply are refused with what to use instead.
    const r2 = await run(LOCALNET, ['--no-wait']);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /--no-wait is gone: .*--until-settled N/);
  });
});
