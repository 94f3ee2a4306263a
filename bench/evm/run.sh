#!/usr/bin/env bash
# `scripts/bench evm`: builds bench/AgentCluster.Bench.Evm (Release), runs it and bench/evm/bench.mjs (viem and ethers, same
# inputs, same harness) and prints one line per metric:
#   <metric> <ours> <viem> <ethers> ours/viem=<r> ours/ethers=<r>
# and for transactions per second sent to anvil (every transaction checked mined):
#   <metric> <ours> <viem> <ethers> ours/viem=<r> ours/ethers=<r> ceiling=<c> ours/ceiling=<r> ours/ceiling_iqr=<q1>..<q3> ours/ceiling_range=<lo>..<hi> rounds=<n> node_ceiling=<c>
# plus, right after signatures_per_s, for the record, measured in the same C# process on the same key and hashes:
#   signatures_per_s_bouncycastle <n>    Nethereum's EthECKey on its default BouncyCastle path
#   signatures_per_s_nethereum_fast <n>  EthECKey with Nethereum's process-wide EthECKey.SignRecoverable switch on (NBitcoin.Secp256k1;
#                                        it cannot sign with a key below 2^248, which is why the project does not use it)
# "Ours" is the project's EVM layer on its production path: signatures with AgentCluster.Evm.Signing.Secp256k1Signer.SignHash
# (NBitcoin.Secp256k1 with the key's 32 bytes, the durable transaction manager's signer); ABI encode+decode of a Nethereum FunctionMessage
# (GetCallData, DecodeInput); transactions as Nethereum Transaction1559 signed with Secp256k1Signer inside the timed loop and sent
# with web3.Eth.Transactions.SendRawTransaction on the project's RPC client (see TxBench.OursRpc).
# The ceiling is anvil's own: the same transactions, pre-signed, posted as ready-made eth_sendRawTransaction bodies by a bare .NET
# HttpClient (a default SocketsHttpHandler, the innermost handler of ours), measured INSIDE the C# bench process against the SAME anvil as ours,
# interleaved with it: a warm-up until the JIT is quiet, then --tx-rounds rounds (ceiling then ours, ours then ceiling, ...), each
# measurement starting from anvil_reset (genesis, empty pool) with identical balances and a 50-transaction warm-up. <ours> and <c> are
# the medians over the rounds; ours/ceiling is the median of the per-round ratios, ours/ceiling_iqr their quartiles and
# ours/ceiling_range their lowest and highest. 101 rounds by default: on this shared 2-core machine single rounds swing by +-0.2.
# viem and ethers are measured the same way in node (tx.mjs: one anvil per metric, turns rotated every round, medians); node_ceiling
# is node's bare-http ceiling measured there, extra information only: ours/ceiling never divides by it.
# Fails if the implementations do not produce the same signature (ours, and EthECKey on both Nethereum paths) and calldata for the shared inputs, or
# a figure is missing.
# Options pass through to both sides: --warmup-ms N --window-ms N --windows N (1500, 300, 8) --tx-sequential N --tx-in-flight N
# (300, 1000 transactions; at least 16) --tx-rounds N (C#: 101, at most 101; node: 3, at most 15). A short smoke run:
#   bench/evm/run.sh --warmup-ms 300 --window-ms 100 --windows 3 --tx-sequential 100 --tx-in-flight 160 --tx-rounds 5
# AGENTCLUSTER_BENCH_VERBOSE=1 prints every round (and, for ours, the CPU time per transaction of the C# process) on stderr.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if ! dotnet build bench/AgentCluster.Bench.Evm -c Release --nologo -v q >"$tmp/build.log" 2>&1; then
  cat "$tmp/build.log" >&2
  echo "bench/evm/run.sh: building bench/AgentCluster.Bench.Evm failed" >&2
  exit 1
fi
dotnet bench/AgentCluster.Bench.Evm/bin/Release/net10.0/AgentCluster.Bench.Evm.dll "$@" | sed 's/^/ours./' >"$tmp/results"
node bench/evm/bench.mjs "$@" >>"$tmp/results"

node - "$tmp/results" <<'JS'
const fs = require('fs');
const values = Object.fromEntries(fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((line) => {
  const [key, ...fields] = line.split(' ');
  return [key, fields];
}));
const value = (key) => values[key]?.[0];
const libs = ['ours', 'viem', 'ethers'];
// [label, key of each implementation's digest]: ours' BouncyCastle signature is held to the same value as everyone's.
const checks = [
  ['signature', libs.map((lib) => `${lib}.check.signature`)],
  ['signature (Nethereum BouncyCastle)', ['ours.check.signature_bouncycastle', 'viem.check.signature', 'ethers.check.signature']],
  ['signature (Nethereum fast path)', ['ours.check.signature_nethereum_fast', 'viem.check.signature', 'ethers.check.signature']],
  ['calldata', libs.map((lib) => `${lib}.check.calldata`)],
];
for (const [check, keys] of checks) {
  const seen = keys.map(value);
  if (seen.some((v) => v === undefined || v !== seen[0])) {
    console.error(`bench/evm/run.sh: the implementations disagree on the ${check}: ${keys.map((k, i) => `${k}=${seen[i]}`).join(' ')}`);
    process.exit(1);
  }
}
for (const metric of ['signatures_per_s', 'abi_encode_decode_per_s', 'tx_per_s_sequential', 'tx_per_s_16_in_flight']) {
  const [ours, viem, ethers] = libs.map((lib) => Number(value(`${lib}.${metric}`)));
  const tx = metric.startsWith('tx_');
  const ceiling = tx ? Number(value(`ours.ceiling.${metric}`)) : 1;
  const [ratio, lowest, highest, rounds, q1, q3] = tx ? (values[`ours.ratio.${metric}`] ?? []).map(Number) : [1, 1, 1, 1, 1, 1];
  const nodeCeiling = tx ? Number(value(`nodeceiling.${metric}`)) : 1;
  if (![ours, viem, ethers, ceiling, ratio, lowest, highest, rounds, q1, q3, nodeCeiling].every((v) => v > 0)) {
    console.error(`bench/evm/run.sh: missing figures for ${metric}`);
    process.exit(1);
  }
  const vsCeiling = tx
    ? ` ceiling=${ceiling} ours/ceiling=${ratio.toFixed(2)} ours/ceiling_iqr=${q1.toFixed(2)}..${q3.toFixed(2)} ours/ceiling_range=${lowest.toFixed(2)}..${highest.toFixed(2)} rounds=${rounds} node_ceiling=${nodeCeiling}`
    : '';
  console.log(`${metric} ${ours} ${viem} ${ethers} ours/viem=${(ours / viem).toFixed(2)} ours/ethers=${(ours / ethers).toFixed(2)}${vsCeiling}`);
  if (metric === 'signatures_per_s') {
    for (const extra of ['signatures_per_s_bouncycastle', 'signatures_per_s_nethereum_fast']) {
      const figure = Number(value(`ours.${extra}`));
      if (!(figure > 0)) {
        console.error(`bench/evm/run.sh: missing figures for ${extra}`);
        process.exit(1);
      }
      console.log(`${extra} ${figure}`);
    }
  }
}
JS
