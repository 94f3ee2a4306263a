// The viem and ethers side of `scripts/bench evm`: signatures/s and ABI encode+decode/s on the same inputs as
// bench/AgentCluster.Bench.Evm, then transactions/s sent to anvil (tx.mjs: viem, ethers and node's bare-http ceiling, in turns).
// Prints "<lib>.<metric> <per second>" and "<lib>.check.<what> <digest>" lines; run.sh joins them.
// Harness (same as the C# one): warm up, then time several fixed windows and report the best (least disturbed) one.
//   node bench/evm/bench.mjs [--warmup-ms 1500] [--window-ms 300] [--windows 8] [--tx-sequential 300] [--tx-in-flight 1000] [--tx-rounds 3]
import { encodeFunctionData, decodeFunctionData, parseAbi, keccak256, toHex, bytesToHex } from 'viem';
import { sign } from 'viem/accounts';
import { ethers } from 'ethers';
import { measureTransactions } from './tx.mjs';

const options = { warmupMs: 1500, windowMs: 300, windows: 8, txSequential: 300, txInFlight: 1000, txRounds: 3 };
const known = { '--warmup-ms': 'warmupMs', '--window-ms': 'windowMs', '--windows': 'windows', '--tx-sequential': 'txSequential', '--tx-in-flight': 'txInFlight', '--tx-rounds': 'txRounds' };
for (let i = 2; i + 1 < process.argv.length; i += 2) {
  const key = known[process.argv[i]];
  if (!key) throw new Error(`unknown option ${process.argv[i]} (known: ${Object.keys(known).join(', ')})`);
  options[key] = Number(process.argv[i + 1]);
}
const clampTx = (n) => Math.min(10_000, Math.max(16, n));
options.txSequential = clampTx(options.txSequential);
options.txInFlight = clampTx(options.txInFlight);
options.txRounds = Math.min(15, Math.max(1, options.txRounds));

// Inputs: identical to BenchInputs in bench/AgentCluster.Bench.Evm/Program.cs.
const privateKey = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const word = (i) => toHex(BigInt(i), { size: 32 });
const hashes = Array.from({ length: 1024 }, (_, i) => keccak256(word(i)));
const signature = 'function f(uint256,address,bytes,string,(uint256,bytes32)[])';
const payload = bytesToHex(Uint8Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff));
const args = [
  123456789012345678901234567890n,
  '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  payload,
  'AgentCluster task 42: result accepted by committee',
  [0, 1, 2].map((i) => [BigInt(i + 1), keccak256(word(i))]),
];

async function measure(operation) {
  await runFor(options.warmupMs, operation);
  const rates = [];
  for (let w = 0; w < options.windows; w++) {
    const { count, seconds } = await runFor(options.windowMs, operation);
    rates.push(count / seconds);
  }
  return Math.max(...rates);
}

// Reads the clock once per batch; batches double until one takes about a millisecond.
async function runFor(ms, operation) {
  let count = 0;
  let batch = 1;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    const batchStart = now;
    for (let i = 0; i < batch; i++) await operation();
    count += batch;
    now = performance.now();
    if (now - batchStart < 1) batch *= 2;
  }
  return { count, seconds: (now - start) / 1000 };
}

const print = (name, value) => console.log(`${name} ${typeof value === 'number' ? value.toFixed(0) : value}`);

// viem
{
  const abi = parseAbi([signature]);
  print('viem.check.signature', await sign({ hash: hashes[0], privateKey, to: 'hex' }));
  print('viem.check.calldata', keccak256(encodeFunctionData({ abi, functionName: 'f', args })));
  let next = 0;
  print('viem.signatures_per_s', await measure(() => sign({ hash: hashes[next++ & 1023], privateKey, to: 'object' })));
  print('viem.abi_encode_decode_per_s', await measure(() => {
    const data = encodeFunctionData({ abi, functionName: 'f', args });
    decodeFunctionData({ abi, data });
  }));
}

// ethers
{
  const key = new ethers.SigningKey(privateKey);
  const iface = new ethers.Interface([signature]);
  print('ethers.check.signature', key.sign(hashes[0]).serialized);
  print('ethers.check.calldata', ethers.keccak256(iface.encodeFunctionData('f', args)));
  let next = 0;
  print('ethers.signatures_per_s', await measure(() => key.sign(hashes[next++ & 1023])));
  print('ethers.abi_encode_decode_per_s', await measure(() => {
    const data = iface.encodeFunctionData('f', args);
    iface.decodeFunctionData('f', data);
  }));
}

// transactions per second: medians over --tx-rounds rounds in which viem, ethers and node's bare http take turns on one anvil
for (const [metric, count, inFlight] of [['tx_per_s_sequential', options.txSequential, 1], ['tx_per_s_16_in_flight', options.txInFlight, 16]]) {
  const medians = await measureTransactions(['viem', 'ethers', 'nodeceiling'], count, inFlight, options.txRounds);
  for (const [lib, rate] of Object.entries(medians)) print(`${lib}.${metric}`, rate);
}
