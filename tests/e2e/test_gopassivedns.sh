#!/bin/sh
# End-to-end: gopassivedns command lines and environment run unchanged
# (tests/e2e/gopassivedns_compat.py; the Kafka ones are in test_avro.sh).
top=$(cd "$(dirname "$0")/../.." && pwd)
exec timeout 600 /usr/bin/python3 "$top/tests/e2e/gopassivedns_compat.py" "${PDNSLOG:-$top/build/pdnslog}"
