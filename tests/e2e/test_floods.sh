#!/bin/sh
# End-to-end: floods of unanswered queries, half-open and half-sent TCP
# connections stay inside the configured memory limits (tests/e2e/floods.py).
top=$(cd "$(dirname "$0")/../.." && pwd)
exec /usr/bin/python3 "$top/tests/e2e/floods.py" "${PDNSLOG:-$top/build/pdnslog}"
