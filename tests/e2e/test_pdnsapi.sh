#!/bin/sh
# End-to-end: the passive DNS HTTP API (-pdns_api, pdnslog serve) over real
# HTTP on loopback: every fact of a corpus store by name and by rdata,
# suffixes and parameters, hostile requests, 200 concurrent clients, memory,
# the time bound, and the API alongside collection (see pdnsapi.py).
top=$(cd "$(dirname "$0")/../.." && pwd)
exec timeout 170 /usr/bin/python3 "$top/tests/e2e/pdnsapi.py" "${PDNSLOG:-$top/build/pdnslog}" "$top/tests/corpus/pcaps"
