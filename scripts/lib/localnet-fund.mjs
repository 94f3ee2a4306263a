#!/usr/bin/env node
// scripts/localnet's last step: gives anvil's ten well-known accounts ACC so the protocol can be tried at once.
// All of ACC is minted into the vaults and the treasury at genesis, so ACC has to be vested first:
//   1. the chain's clock is moved forward by --warp seconds (anvil evm_increaseTime + evm_mine; default one day),
//   2. release() is called on the four emission vaults, which pays what they vested to their beneficiaries (on
//      localnet: account #0, the deployer, unless AC_*_BENEFICIARY says otherwise),
//   3. account #0 sends --amount ACC (default 10000) to each of accounts #1..#9 (as far as its balance goes).
// Prints every account with its private key and its ACC balance, as anvil prints its accounts.
// usage: localnet-fund.mjs --rpc-url URL --manifest FILE [--warp SECONDS] [--amount ACC]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicClient, createWalletClient, http, parseAbi, parseUnits, formatUnits } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

// anvil's default mnemonic ("test test ... junk"), accounts #0..#9: public knowledge, for local chains only.
export const ANVIL_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
];
const POOLS = ['ValidatorsPool', 'ComputePool', 'MarketplacePool', 'ReviewPool'];
const abi = parseAbi([
  'function release() returns (uint256)',
  'function releasable() view returns (uint256)',
  'function beneficiary() view returns (address)',
  'function balanceOf(address) view returns (uint256)',
  'function transfer(address, uint256) returns (bool)',
]);

async function main(argv) {
  const opts = { warp: '86400', amount: '10000' };
  for (let i = 0; i < argv.length; i += 2) opts[argv[i].replace(/^--/, '')] = argv[i + 1];
  if (!opts['rpc-url'] || !opts.manifest) throw new Error('usage: localnet-fund.mjs --rpc-url URL --manifest FILE [--warp S] [--amount ACC]');
  const m = JSON.parse(readFileSync(opts.manifest, 'utf8'));
  const token = m.contracts.AccToken;
  const transport = http(opts['rpc-url'], { retryCount: 0 });
  const client = createPublicClient({ transport, pollingInterval: 100 });
  const accounts = ANVIL_KEYS.map((k) => privateKeyToAccount(k));
  const funder = createWalletClient({ account: accounts[0], transport });
  // Every wait is bounded: anvil 1.7.1 can leave a transaction queued without mining it (see the toolchain notes),
  // so a missing receipt gets a mined block as a nudge, a few times, and then a clear error instead of a hang.
  const send = async (request) => {
    const hash = await funder.writeContract({ chain: null, abi, ...request });
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await client.waitForTransactionReceipt({ hash, timeout: 10_000 });
        if (r.status !== 'success') throw new Error(`${request.functionName} on ${request.address} reverted (tx ${hash})`);
        return;
      } catch (e) {
        if (e.name !== 'WaitForTransactionReceiptTimeoutError') throw e;
        if (attempt === 5) throw new Error(`${request.functionName} on ${request.address} was not mined after 50 s (tx ${hash})`);
        await client.request({ method: 'evm_mine', params: [] });
      }
    }
  };
  const acc = (wei) => Number(formatUnits(wei, 18)).toLocaleString('en-US', { maximumFractionDigits: 2 });
  const say = (s) => process.stdout.write(`localnet: ${s}\n`);

  const warp = Number(opts.warp);
  if (warp > 0) {
    await client.request({ method: 'evm_increaseTime', params: [`0x${warp.toString(16)}`] });
    await client.request({ method: 'evm_mine', params: [] });
    say(`moved the chain's clock forward by ${warp} s (evm_increaseTime) so the emission vaults have vested ACC`);
  }
  for (const pool of POOLS) {
    const vault = m.contracts[pool];
    const amount = await client.readContract({ address: vault, abi, functionName: 'releasable' });
    const to = await client.readContract({ address: vault, abi, functionName: 'beneficiary' });
    if (amount === 0n) continue;
    await send({ address: vault, functionName: 'release' });
    say(`released ${acc(amount)} ACC from ${pool} to its beneficiary ${to}`);
  }
  const each = parseUnits(opts.amount, 18);
  let left = await client.readContract({ address: token, abi, functionName: 'balanceOf', args: [accounts[0].address] });
  let funded = 0;
  for (const a of accounts.slice(1)) {
    if (left < each) break;
    await send({ address: token, functionName: 'transfer', args: [a.address, each] });
    left -= each;
    funded++;
  }
  say(`sent ${opts.amount} ACC from account #0 to each of ${funded} accounts (#1..#${funded})${funded < 9 ? ' (account #0 had no more)' : ''}`);
  console.log('\nAvailable accounts (anvil\'s default mnemonic "test test test test test test test test test test test junk")');
  console.log('==================');
  for (const [i, a] of accounts.entries()) {
    const [eth, bal] = await Promise.all([
      client.getBalance({ address: a.address }),
      client.readContract({ address: token, abi, functionName: 'balanceOf', args: [a.address] }),
    ]);
    console.log(`(${i}) ${a.address} (${acc(eth)} ETH, ${acc(bal)} ACC)`);
  }
  console.log('\nPrivate keys');
  console.log('==================');
  for (const [i, k] of ANVIL_KEYS.entries()) console.log(`(${i}) ${k}`);
}

// Run as a script (scripts/localnet); imported (tests), it only exports ANVIL_KEYS.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`localnet: error: funding the accounts failed: ${e.shortMessage ?? e.message}\n`);
    process.exit(1);
  });
}
