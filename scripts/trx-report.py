#!/usr/bin/python3
"""Reads one VSTest TRX file for scripts/test.sh.

Usage: scripts/trx-report.py FILE.trx
Prints "TOTAL PASSED FAILED SKIPPED" on the first line, then every failed test with its message and the
top of its stack trace, then run-level errors (a crashed test host fails the run without failing a test).
Exit code 2 if the file is missing or not a TRX.

/usr/bin/python3 (Debian's python3, installed by `make unit`/`make test`), not whatever python3 is first on
PATH: xml.etree is in Debian's libpython3-stdlib, which python3-minimal alone does not bring.
"""
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
# Lab failures carry both daemons' logs in the message: enough to see what went wrong, the rest is in the TRX.
MESSAGE_LINES = 60
STACK_LINES = 12
FAILED_OUTCOMES = {"Failed", "Error", "Timeout", "Aborted"}


def count(counters, *names):
    return sum(int(counters.get(n, "0")) for n in names)


def clipped(text, limit, indent):
    lines = (text or "").rstrip().splitlines()
    shown = [indent + line for line in lines[:limit]]
    if len(lines) > limit:
        shown.append(f"{indent}... {len(lines) - limit} more lines in the TRX")
    return shown


def main(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"cannot read {path}: {e}", file=sys.stderr)
        return 2
    counters = root.find("t:ResultSummary/t:Counters", NS)
    if counters is None:
        print(f"{path}: no <Counters>", file=sys.stderr)
        return 2
    # An aborted or timed-out test failed as much as one whose assertion did. A skipped test has its result
    # (outcome NotExecuted) but the counter notExecuted stays 0: it shows only as total minus executed.
    total = count(counters, "total")
    failed = count(counters, "failed", "error", "timeout", "aborted")
    print(total, count(counters, "passed"), failed, total - count(counters, "executed"))

    out = []
    for result in root.iterfind("t:Results//t:UnitTestResult", NS):
        if result.get("outcome") not in FAILED_OUTCOMES:
            continue
        out.append(f"  FAILED {result.get('testName')} ({result.get('duration', '?')})")
        out += clipped(result.findtext("t:Output/t:ErrorInfo/t:Message", "", NS), MESSAGE_LINES, "      ")
        out += clipped(result.findtext("t:Output/t:ErrorInfo/t:StackTrace", "", NS), STACK_LINES, "      ")
    for info in root.iterfind("t:ResultSummary/t:RunInfos/t:RunInfo", NS):
        text = info.findtext("t:Text", "", NS)
        # xunit also logs each failed test's "[FAIL]" line here: already shown above.
        if info.get("outcome") != "Error" or text.rstrip().endswith("[FAIL]"):
            continue
        out.append("  RUN ERROR")
        out += clipped(text, MESSAGE_LINES, "      ")
    if out:
        print("\n".join(out))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: scripts/trx-report.py FILE.trx", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
