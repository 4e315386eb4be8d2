#!/usr/bin/env bash
# Builds the solution once, then runs the test projects one after another (the lab measures timings: it must
# not share the two cores with another suite) and reads each one's counts and failures from its TRX file,
# which does not change with the console logger's wording. Prints a line per project, the failed tests with
# their messages, and last the total line "N passed, N failed, N skipped".
# Usage: scripts/test.sh [all|unit|root]      (default all; `make unit` runs unit, `make test` all)
# Exit code: non-zero if the build failed, or any project failed or left no results.
# Results: build/test-results/<project>.trx and .log (the console output, for a crash without results).
set -uo pipefail
cd "$(dirname "$0")/.."

# Need no root: in-process fakes, loopback TCP, temporary files.
unit_projects=(
  tests/Router.Core.Tests
  tests/Router.Daemon.Tests   # the whole daemon on a fake clock with in-memory ports
  tests/Router.Peers.Tests
  tests/Router.Store.Tests
  tests/Router.Fuzz.Tests     # decoders of network and file input (ROUTERHA_FUZZ_CASES; `make fuzz` runs more)
)
# Need root, and the lab's packages (deps-lab) or artifacts (ROUTERHA_BIN, the ipk, the VM images).
root_projects=(
  tests/Router.Integrations.Tests  # conntrackd in a namespace of its own; ping probes open raw ICMP sockets
  tests/Router.Linux.Tests         # veth pairs between namespaces; raw VRRP and AF_PACKET sockets
  tests/Router.Lab.Tests           # routers, keepalived, dnsmasq, OpenVPN in namespaces
  tests/Router.Luci.Tests          # luci-app-routerha in headless chromium against a routerha pair
  tests/Router.Package.Tests       # the ipk's binary chrooted into a musl root, in the namespace lab
  tests/Router.Vm.Tests            # QEMU machines from `make image`
)

case "${1:-all}" in
  unit) projects=("${unit_projects[@]}") ;;
  root) projects=("${root_projects[@]}") ;;
  all) projects=("${unit_projects[@]}" "${root_projects[@]}") ;;
  *) echo "usage: $0 [all|unit|root]" >&2; exit 2 ;;
esac

results=build/test-results
# A TRX left from an earlier run must never be read as this run's.
rm -rf "$results"
mkdir -p "$results"

echo "== build Router.sln"
# Debug, as `dotnet test` builds it: the --no-build runs below find their assemblies where they expect them.
if ! dotnet build Router.sln -nologo -v:q -clp:ErrorsOnly > "$results/build.log" 2>&1; then
  cat "$results/build.log"
  echo "!! build failed: no tests run"
  echo "0 passed, 0 failed, 0 skipped"
  exit 1
fi

passed=0 failed=0 skipped=0 status=0
for project in "${projects[@]}"; do
  name=$(basename "$project")
  trx="$results/$name.trx" log="$results/$name.log"
  echo "== $project"
  start=$SECONDS
  dotnet test "$project" --no-build -nologo -v:q --results-directory "$results" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" > "$log" 2>&1
  rc=$?
  if ! report=$(scripts/trx-report.py "$trx" 2>&1); then
    echo "!! $project: no results ($report), exit code $rc; end of $log:"
    tail -30 "$log"
    status=1
    continue
  fi
  read -r n_total n_passed n_failed n_skipped <<< "$report"
  echo "   $n_total tests: $n_passed passed, $n_failed failed, $n_skipped skipped ($((SECONDS - start)) s)"
  if [ "$n_total" -eq 0 ]; then echo "!! $project: ran no tests"; status=1; fi
  # Either signal is enough: a failed count, or a non-zero exit (a test host that crashed fails no test).
  if [ "$rc" -ne 0 ] || [ "$n_failed" -gt 0 ]; then
    status=1
    [ "$n_failed" -eq 0 ] && echo "!! $project: exit code $rc without a failed test"
    details=$(tail -n +2 <<< "$report")
    if [ -n "$details" ]; then echo "$details"; else echo "!! nothing in the TRX says why; end of $log:"; tail -30 "$log"; fi
  fi
  passed=$((passed + n_passed)) failed=$((failed + n_failed)) skipped=$((skipped + n_skipped))
done
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
