#!/bin/sh
# End-to-end: -assembly_debug_log and -assembly_memuse_log on the TCP test
# captures, held to tshark's reading of them and to the stats counters
# (tests/e2e/assembly_log.py says what is checked).
top=$(cd "$(dirname "$0")/../.." && pwd)
exec timeout 600 /usr/bin/python3 "$top/tests/e2e/assembly_log.py" "${PDNSLOG:-$top/build/pdnslog}"
