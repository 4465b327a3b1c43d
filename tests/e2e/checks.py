"""checks: the tally every end-to-end script keeps and prints as its last
line ("NAME: N passed, N failed ..."), which tests/check.sh shows."""
import json
import sys

passes = failures = 0


def expect(what, ok, detail=""):
    global passes, failures
    if ok:
        passes += 1
    else:
        failures += 1
        print("FAIL: %s %s" % (what, detail))
    return ok


def stats_of(stderr):
    """The last stats record pdnslog wrote in stderr's text ({} if none)."""
    last = {}
    for line in stderr.splitlines():
        if line.startswith('{"type":"stats"'):
            last = json.loads(line)
    return last


def finish(name, extra=""):
    """Print the tally and exit: status 1 if anything failed."""
    print("%s: %d passed, %d failed%s" % (name, passes, failures, extra))
    sys.exit(1 if failures else 0)
