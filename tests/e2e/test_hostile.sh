#!/bin/sh
# End-to-end: hostile inputs survived, counted, and not in the way of what
# follows (tests/e2e/hostile.py).
top=$(cd "$(dirname "$0")/../.." && pwd)
exec /usr/bin/python3 "$top/tests/e2e/hostile.py" "${PDNSLOG:-$top/build/pdnslog}"
