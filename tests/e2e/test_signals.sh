#!/bin/sh
# End-to-end: signals never break input (tests/e2e/test_signals.py): SIGHUP
# (log reopen), SIGUSR1 (stats now), SIGTERM and SIGINT (stop, flush, status
# 0) and -stats_interval on a slow, often idle pipe, on a regular file, and
# (as root) on an idle interface.
top=$(cd "$(dirname "$0")/../.." && pwd)
exec timeout 180 /usr/bin/python3 "$top/tests/e2e/test_signals.py" "${PDNSLOG:-$top/build/pdnslog}"
