#!/bin/sh
# End-to-end: standard output closed by its reader (`pdnslog | head`), failing
# outputs, and the per-output counters of the stats record (tests/e2e/pipe.py).
top=$(cd "$(dirname "$0")/../.." && pwd)
exec timeout 300 /usr/bin/python3 "$top/tests/e2e/pipe.py" "${PDNSLOG:-$top/build/pdnslog}"
