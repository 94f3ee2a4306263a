// Transactions per second signed locally and sent to anvil, for bench.mjs: viem, ethers, and node's bare-http ceiling (the same number
// of transactions pre-signed, then sent with node's http module; extra information only: the ceiling run.sh divides ours by is the one
// bench/AgentCluster.Bench.Evm measures in its own process). Same inputs and procedure as bench/AgentCluster.Bench.Evm/TxBench.cs:
// ETH transfers of 1 wei to 0x…bEEF, type 2, gas 21,000, maxFee 100 gwei, tip 1 gwei, nonces counted locally; sender i's key is
// keccak256("agentcluster-bench-sender-i"). Sequential = one sender, each send awaited; 16 in flight = 16 senders, one awaited send each.
// One anvil (loopback, killed after) per metric. Every measurement starts with anvil_reset (genesis, empty pool), the same
// anvil_setBalance calls and a 50-transaction warm-up from another key through the library itself; the clock stops only when every
// sender's nonce shows all its transactions mined, and receipts are checked after. The libraries take turns within each of `rounds`
// rounds (the order rotated every round) and each figure is the median over the rounds. anvil 1.7.1 can leave transactions queued:
// such a measurement is reported on stderr and repeated on a fresh anvil, at most three times.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createPublicClient, http as viemHttp, keccak256, stringToHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ethers } from 'ethers';

const RECIPIENT = '0x000000000000000000000000000000000000bEEF';
const WARM_UP = 50;
const MINE_BOUND_MS = 10_000;
const keyOf = (label) => keccak256(stringToHex(label));
const txFields = (chainId, nonce) => ({
  chainId, nonce, gas: 21_000n, maxFeePerGas: 100_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, to: RECIPIENT, value: 1n, type: 'eip1559',
});

class NotMined extends Error {}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// Returns { lib: median transactions per second } for each of libs, measured in turns on one anvil.
export async function measureTransactions(libs, count, inFlight, rounds) {
  let anvil = await startAnvil();
  try {
    const figures = Object.fromEntries(libs.map((lib) => [lib, []]));
    for (let round = 0; round < rounds; round++) {
      const order = libs.map((_, i) => libs[(i + round) % libs.length]);
      for (const lib of order) {
        for (let attempt = 1; ; attempt++) {
          try {
            figures[lib].push(await run(lib, anvil.url, count, inFlight));
            break;
          } catch (e) {
            if (!(e instanceof NotMined) || attempt >= 3) throw e;
            console.error(`bench: ${lib}: ${e.message}; repeating on a fresh anvil (attempt ${attempt + 1} of 3)`);
            anvil.stop();
            anvil = await startAnvil();
          }
        }
      }
      if (process.env.AGENTCLUSTER_BENCH_VERBOSE === '1') {
        console.error(`bench: node ${inFlight} in flight round ${round + 1}: ${order.map((lib) => `${lib} ${figures[lib][round].toFixed(0)}`).join(' then ')}`);
      }
    }
    return Object.fromEntries(libs.map((lib) => [lib, median(figures[lib])]));
  } finally {
    anvil.stop();
  }
}

async function run(lib, url, count, inFlight) {
  await rpc(url, 'anvil_reset', []);
  if (Number(await rpc(url, 'eth_blockNumber', [])) !== 0) throw new NotMined('anvil_reset did not go back to genesis');
  const chainId = Number(await rpc(url, 'eth_chainId', []));
  const warmKey = keyOf('agentcluster-bench-warmup');
  const keys = Array.from({ length: inFlight }, (_, i) => keyOf(`agentcluster-bench-sender-${i}`));
  await batch(url, [...keys, warmKey].map((k) => ['anvil_setBalance', [privateKeyToAccount(k).address, '0x3635c9adc5dea00000']]));
  const send = senderFactory(lib, url, chainId);

  const warm = await send(warmKey, WARM_UP);
  await sendAll(warm, WARM_UP);
  await waitMined(url, [warm]);

  const shares = keys.map((_, i) => Math.floor(count / inFlight) + (i < count % inFlight ? 1 : 0));
  const senders = await Promise.all(keys.map((k, i) => send(k, shares[i])));
  const start = performance.now();
  await Promise.all(senders.map((s, i) => sendAll(s, shares[i])));
  await waitMined(url, senders);
  const seconds = (performance.now() - start) / 1000;
  await checkReceipts(url, senders.flatMap((s) => s.hashes), count);
  return count / seconds;
}

// Pipelined as in TxBench.cs: transaction n+1 is signed right after n is handed to the library, while n is in flight; one send
// awaited at a time. In node the signing runs on the event-loop thread, so it overlaps only with what the HTTP stack already flushed.
async function sendAll(s, count) {
  let next = count > 0 ? await s.sign() : undefined;
  for (let n = 0; n < count; n++) {
    const sending = s.send(next);
    next = n + 1 < count ? await s.sign() : undefined;
    s.hashes.push(await sending);
  }
}

// A sender: sign() signs the next transaction (the ceiling hands out pre-signed ones), send(raw) sends it with the library and
// resolves to its hash.
function senderFactory(lib, url, chainId) {
  if (lib === 'viem') {
    const client = createPublicClient({ transport: viemHttp(url) });
    return async (key) => {
      const account = privateKeyToAccount(key);
      const s = { address: account.address, nonce: 0, hashes: [] };
      s.sign = () => account.signTransaction(txFields(chainId, s.nonce++));
      s.send = (serializedTransaction) => client.sendRawTransaction({ serializedTransaction });
      return s;
    };
  }
  if (lib === 'ethers') {
    const provider = new ethers.JsonRpcProvider(url, chainId, { staticNetwork: true, batchMaxCount: 1, batchStallTime: 0 });
    return async (key) => {
      const wallet = new ethers.Wallet(key);
      const s = { address: wallet.address, nonce: 0, hashes: [] };
      s.sign = () => {
        const { type, gas, ...fields } = txFields(chainId, s.nonce++);
        return wallet.signTransaction({ ...fields, gasLimit: gas, type: 2 });
      };
      s.send = async (signed) => (await provider.broadcastTransaction(signed)).hash;
      return s;
    };
  }
  if (lib === 'nodeceiling') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const endpoint = new URL(url);
    return async (key, count) => {
      const account = privateKeyToAccount(key);
      const raws = [];
      for (let n = 0; n < count; n++) raws.push(await account.signTransaction(txFields(chainId, n)));
      const s = { address: account.address, nonce: 0, hashes: [] };
      s.sign = async () => raws[s.nonce++];
      s.send = async (raw) => {
        const body = `{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["${raw}"]}`;
        const reply = JSON.parse(await post(agent, endpoint, body));
        if (reply.error) throw new Error(`eth_sendRawTransaction: ${reply.error.message}`);
        return reply.result;
      };
      return s;
    };
  }
  throw new Error(`unknown library ${lib}`);
}

function post(agent, endpoint, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: endpoint.hostname, port: endpoint.port, path: '/', method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitMined(url, senders) {
  const deadline = performance.now() + MINE_BOUND_MS;
  for (;;) {
    const mined = (await batch(url, senders.map((s) => ['eth_getTransactionCount', [s.address, 'latest']]))).map(Number);
    if (senders.every((s, i) => mined[i] >= s.nonce)) return;
    if (performance.now() > deadline) {
      const missing = senders.reduce((sum, s, i) => sum + Math.max(0, s.nonce - mined[i]), 0);
      const total = senders.reduce((sum, s) => sum + s.nonce, 0);
      throw new NotMined(`${missing} of ${total} transactions not mined after ${MINE_BOUND_MS / 1000} s (anvil left them queued)`);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function checkReceipts(url, hashes, expected) {
  if (hashes.length !== expected) throw new Error(`bench: sent ${hashes.length} transactions, expected ${expected}`);
  const receipts = await batch(url, hashes.map((h) => ['eth_getTransactionReceipt', [h]]));
  const ok = receipts.filter((r) => r && r.status === '0x1').length;
  if (ok !== expected) throw new Error(`bench: only ${ok} of ${expected} transactions have a successful receipt`);
}

async function rpc(url, method, params) {
  return (await batch(url, [[method, params]]))[0];
}

async function batch(url, calls) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: '2.0', id, method, params }))) });
  const replies = await res.json();
  return calls.map((_, id) => {
    const reply = replies.find((r) => r.id === id);
    if (!reply || reply.error) throw new Error(`${calls[id][0]}: ${reply ? reply.error.message : 'no reply'}`);
    return reply.result;
  });
}

async function startAnvil() {
  const port = await freePort();
  const executable = process.env.ANVIL || path.resolve('node_modules/.bin/anvil');
  const child = spawn(executable, ['--host', '127.0.0.1', '--port', String(port), '--quiet'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  const stop = () => { if (child.exitCode === null) child.kill('SIGKILL'); };
  const deadline = performance.now() + 20_000;
  for (;;) {
    try {
      await rpc(url, 'eth_chainId', []);
      return { url, stop };
    } catch (e) {
      if (performance.now() > deadline || child.exitCode !== null) { stop(); throw new Error(`bench: anvil did not answer on port ${port}: ${e.message}`); }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
  });
}
