#!/usr/bin/env bash
# Runs every test project one after another (the lab measures timings: it must not share the two
# cores with another suite), then prints one total line. Exit code: non-zero if any project failed.
set -uo pipefail
cd "$(dirname "$0")/.."
projects=(tests/Router.Core.Tests tests/Router.Peers.Tests tests/Router.Store.Tests tests/Router.Integrations.Tests tests/Router.Linux.Tests tests/Router.Lab.Tests tests/Router.Package.Tests tests/Router.Vm.Tests)
passed=0 failed=0 skipped=0 status=0
log=$(mktemp)
for p in "${projects[@]}"; do
  echo "== $p"
  dotnet test "$p" -nologo -v:q --logger "console;verbosity=normal" > "$log" 2>&1
  rc=$?
  # The console logger's footer: "Total tests: N" then "Passed: N", "Failed: N", "Skipped: N" lines.
  total=$(sed -nE 's/^\s*Total tests:\s+([0-9]+).*/\1/p' "$log" | tail -1)
  p_=$(sed -nE 's/^\s+Passed:\s+([0-9]+)\s*$/\1/p' "$log" | tail -1)
  f=$(sed -nE 's/^\s+Failed:\s+([0-9]+)\s*$/\1/p' "$log" | tail -1)
  s=$(sed -nE 's/^\s+Skipped:\s+([0-9]+)\s*$/\1/p' "$log" | tail -1)
  echo "   ${total:-0} tests: ${p_:-0} passed, ${f:-0} failed, ${s:-0} skipped"
  if [ -z "$total" ]; then echo "!! $p: no test summary (build failure?)"; tail -30 "$log"; status=1; fi
  # Either signal is enough: a non-zero exit, or a failed count.
  if [ "$rc" -ne 0 ] || [ "${f:-0}" -gt 0 ]; then
    status=1
    sed -n '/^\s*Failed [A-Za-z]/,/^\s*Stack Trace:/p' "$log" | head -150
  fi
  passed=$((passed + ${p_:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
done
rm -f "$log"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
