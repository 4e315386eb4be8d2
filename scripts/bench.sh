#!/usr/bin/env bash
# Failover and idle-cost benchmark, routerha vs keepalived in the same lab (needs root).
# Usage: scripts/bench.sh [--daemon routerha|keepalived|both] [--reps N] [--quick]
# Prints a Markdown table and writes build/bench/failover.json. ROUTERHA_BIN selects the binary under test.
set -euo pipefail
cd "$(dirname "$0")/.."
export ROUTERHA_BIN="${ROUTERHA_BIN:-$PWD/build/linux-x64/routerha}"
exec dotnet run --project tests/Router.LabTool -c Release -- bench "$@"
