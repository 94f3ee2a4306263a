#!/usr/bin/env bash
# `scripts/bench matchmaking`: builds bench/AgentCluster.Bench.Matchmaking (Release) and runs it. For each size (10,000 and
# 100,000 agents by default; --sizes 10000,100000,1000000 adds a million) it prints one line:
#   agents=N exact_p50_ms=.. exact_p95_ms=.. hnsw_p50_ms=.. hnsw_p95_ms=.. recall_at_10=.. recall_at_10_threshold=..
#   mean_matches_threshold=.. exact_build_s=.. hnsw_build_s=.. exact_bytes=.. hnsw_bytes=.. hnsw_native_bytes=.. (+ parameters)
# Data: seeded clustered 512-dim vectors (300 centres + noise) so that the 0.85 threshold cuts; 200 queries near the centres, k=10.
# recall_at_10 compares HNSW's top 10 with the exact index's; recall_at_10_threshold the same above 0.85.
# Options: --sizes a,b,c --queries N --clusters N --seed N --connectivity M --expansion-add N --expansion-search N
#          --quantization f32|f16|i8 --max-build-s N (an HNSW build longer than this stops; 1800 by default).
# Building HNSW over a million 512-dim vectors on this 2-core machine takes far longer than ten minutes at f32 (see
# docs/sdk-matchmaking.md); that is why a million is not in the default run.
# AGENTCLUSTER_BENCH_VERBOSE=1 prints build progress on stderr.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
project="$root/bench/AgentCluster.Bench.Matchmaking/AgentCluster.Bench.Matchmaking.csproj"
dotnet build "$project" -c Release -v quiet -nologo >&2
dll="$root/bench/AgentCluster.Bench.Matchmaking/bin/Release/net10.0/AgentCluster.Bench.Matchmaking.dll"
exec dotnet "$dll" "$@"
