#!/usr/bin/env bash
# Failover demo in network namespaces (needs root): routerha on two routers, kill -9 the master, show the gap.
# Usage: scripts/demo.sh [--daemon routerha|keepalived]      ROUTERHA_BIN selects the binary under test.
set -euo pipefail
cd "$(dirname "$0")/.."
export ROUTERHA_BIN="${ROUTERHA_BIN:-$PWD/build/linux-x64/routerha}"
exec dotnet run --project tests/Router.LabTool -c Release -- demo "$@"
