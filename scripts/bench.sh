#!/usr/bin/env bash
# Failover and idle-cost benchmark, routerha vs keepalived in the same lab (needs root).
# Usage: scripts/bench.sh [--daemon routerha|keepalived|both] [--reps N] [--quick]
#        scripts/bench.sh handoff [--daemon routerha|keepalived|both] [--reps N]
# The full run prints Markdown tables and writes build/bench/failover.json and build/bench/handoff.json (issue 12:
# master's LAN link down with the peer cable up, kill -9 with fast heartbeats, SIGSTOP of the master's daemon, all at
# 1 s adverts, keepalived with OMR notify scripts alongside). `handoff` runs only those scenarios.
# ROUTERHA_BIN selects the binary under test.
set -euo pipefail
cd "$(dirname "$0")/.."
export ROUTERHA_BIN="${ROUTERHA_BIN:-$PWD/build/linux-x64/routerha}"
verb=bench
if [[ "${1:-}" == handoff ]]; then
  verb=bench-handoff
  shift
fi
exec dotnet run --project tests/Router.LabTool -c Release -- "$verb" "$@"
