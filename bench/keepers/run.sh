#!/usr/bin/env bash
# `scripts/bench keepers`: the keepers' figures for 1, 2 and 4 keeper processes on anvil (see bench/AgentCluster.Bench.Keepers/Program.cs).
# Builds the CLI and the bench (Release), then runs the bench: per keeper count a fresh anvil with the suite (a container when Docker
# answers, else an anvil process), one executor agent, the same workload (--tasks in --waves, --gap-seconds apart), blocks every second,
# and k real `agentcluster keepers run` processes. stdout: two '#' header lines, then one line per keeper count:
#   keepers=<k> tasks_per_min=<x> lag_blocks_p50=<y> lag_blocks_p95=<z> wasted_tx_pct=<w>
# With the committee and settlement duties in the keepers (and without --assign-only) the lag is the settlement lag (reveal window end ->
# TaskSettled), else the assignment lag (bidding end -> assign); the second header line says which (docs/keepers-faults.md).
# Options: --tasks N (24) --waves N (6) --gap-seconds N (6) --keepers 1,2,4 --poll-ms N (250) --take-over-seconds N (10) --assign-only.
# Progress goes to stderr. About 8 minutes with the defaults on 2 cores (3 without the settlement phase).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dotnet build "$root/src/AgentCluster.Cli/AgentCluster.Cli.csproj" -c Release -v quiet -nologo >&2
dotnet build "$root/bench/AgentCluster.Bench.Keepers/AgentCluster.Bench.Keepers.csproj" -c Release -v quiet -nologo >&2
exec dotnet "$root/bench/AgentCluster.Bench.Keepers/bin/Release/net10.0/AgentCluster.Bench.Keepers.dll" \
  --cli "$root/src/AgentCluster.Cli/bin/Release/net10.0/agentcluster.dll" "$@"
