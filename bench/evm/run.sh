#!/usr/bin/env bash
# `scripts/bench evm`: builds bench/AgentCluster.Bench.Evm (Release), runs it and bench/evm/bench.mjs (viem and ethers, same
# inputs, same harness) and prints one line per metric:
#   <metric> <ours> <viem> <ethers> ours/viem=<r> ours/ethers=<r>
# and for transactions per second sent to a fresh anvil (each side starts and kills its own; every transaction checked mined):
#   <metric> <ours> <viem> <ethers> ours/viem=<r> ours/ethers=<r> ceiling=<c> ours/ceiling=<r>
# where the ceiling is anvil's own: the same number of pre-signed transactions sent with node's bare http module.
# Fails if the three implementations do not produce the same signature and calldata for the shared inputs, or a figure is missing.
# Options pass through to both sides: --warmup-ms N --window-ms N --windows N --tx-sequential N --tx-in-flight N --tx-runs N.
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
const values = Object.fromEntries(fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((line) => line.split(' ')));
const libs = ['ours', 'viem', 'ethers'];
for (const check of ['signature', 'calldata']) {
  const seen = libs.map((lib) => values[`${lib}.check.${check}`]);
  if (seen.some((v) => v === undefined || v !== seen[0])) {
    console.error(`bench/evm/run.sh: the implementations disagree on the ${check}: ${libs.map((l, i) => `${l}=${seen[i]}`).join(' ')}`);
    process.exit(1);
  }
}
for (const metric of ['signatures_per_s', 'abi_encode_decode_per_s', 'tx_per_s_sequential', 'tx_per_s_16_in_flight']) {
  const [ours, viem, ethers] = libs.map((lib) => Number(values[`${lib}.${metric}`]));
  const ceiling = metric.startsWith('tx_') ? Number(values[`ceiling.${metric}`]) : undefined;
  if (![ours, viem, ethers, ceiling ?? 1].every((v) => v > 0)) {
    console.error(`bench/evm/run.sh: missing figures for ${metric}`);
    process.exit(1);
  }
  const vsCeiling = ceiling === undefined ? '' : ` ceiling=${ceiling} ours/ceiling=${(ours / ceiling).toFixed(2)}`;
  console.log(`${metric} ${ours} ${viem} ${ethers} ours/viem=${(ours / viem).toFixed(2)} ours/ethers=${(ours / ethers).toFixed(2)}${vsCeiling}`);
}
JS
