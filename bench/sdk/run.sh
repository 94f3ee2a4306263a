#!/usr/bin/env bash
# `scripts/bench sdk`: the SDK's overhead over raw Nethereum, then the matchmaking bench.
# 1. Builds bench/AgentCluster.Bench.Sdk (Release) and runs it: a fresh anvil with the suite deployed (AgentCluster.Testing, Docker),
#    then, interleaved in one process, a read (client.Staking.GetStakeAsync vs Nethereum's query handler for stakeOf) and a send
#    (an ACC transfer through the SDK client vs Nethereum's transaction handler with a plain Account, receipt awaited):
#      read.sdk <ops/s>  read.nethereum <ops/s>  read.ratio <SDK time per op / Nethereum time per op>
#      send.sdk <ops/s>  send.nethereum <ops/s>  send.ratio <...>
#    Options before --: --rounds N --read-ops N --send-ops N --warmup-reads N --warmup-sends N (see the program's header).
# 2. Runs bench/matchmaking/run.sh with its defaults (10k and 100k agents), or with the arguments after --.
# Progress goes to stderr; stdout holds only the figure lines.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
sdk_args=() mm_args=()
while (($#)); do
  if [ "$1" = "--" ]; then shift; mm_args=("$@"); break; fi
  sdk_args+=("$1"); shift
done
project="$root/bench/AgentCluster.Bench.Sdk/AgentCluster.Bench.Sdk.csproj"
dotnet build "$project" -c Release -v quiet -nologo >&2
dotnet "$root/bench/AgentCluster.Bench.Sdk/bin/Release/net10.0/AgentCluster.Bench.Sdk.dll" "${sdk_args[@]}"
exec "$root/bench/matchmaking/run.sh" "${mm_args[@]}"
