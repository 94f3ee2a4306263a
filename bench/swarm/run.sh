#!/usr/bin/env bash
# `scripts/bench swarm`: the main job's figures for 50, 200 and 1,000 simulated agents (see bench/AgentCluster.Bench.Swarm/Program.cs and
# docs/localnet-bench.md). Builds the CLI and the bench (Release), then runs the bench: per size the real `agentcluster localnet up` as a
# child process (anvil, keepers, dashboard, swarm; blocks every --block-time seconds once the swarm is set up), watched from outside,
# with the dashboard open in Debian's chromium (Microsoft.Playwright). stdout: '#' lines defining the figures, then one line per size:
#   agents=<n> tasks_settled_per_min=<x> keeper_lag_blocks_p50=<y> keeper_lag_blocks_p95=<z> dashboard_latency_ms_p50=<a>
#   dashboard_latency_ms_p95=<b> peak_rss_mb_localnet=<m> peak_rss_mb_anvil=<n> peak_rss_mb_chromium=<c>
# Options: --sizes 50,200,1000  --tasks N (settled tasks per size; default 3 rounds = 3 x agents/5)  --block-time S (1)
#          --timeout-minutes N (per size; default 15 + agents/40)  --chromium PATH (/usr/bin/chromium).
# Progress goes to stderr ('# agents=N: ...').
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
export PATH="$root/node_modules/.bin:$PATH"
dotnet build "$root/src/AgentCluster.Cli/AgentCluster.Cli.csproj" -c Release -v quiet -nologo >&2
dotnet build "$root/bench/AgentCluster.Bench.Swarm/AgentCluster.Bench.Swarm.csproj" -c Release -v quiet -nologo >&2
cd "$root"
exec dotnet "$root/bench/AgentCluster.Bench.Swarm/bin/Release/net10.0/AgentCluster.Bench.Swarm.dll" \
  --cli "$root/src/AgentCluster.Cli/bin/Release/net10.0/agentcluster.dll" --repo "$root" "$@"
