#!/bin/sh
# End-to-end: -pdns_clients, the store's table of who asked, against an
# independent count from the reference decode on every corpus capture;
# `pdnslog query -client/-clients`; SIGHUP committing everything seen
# (tests/e2e/pdnsclients.py).
top=$(cd "$(dirname "$0")/../.." && pwd)
exec timeout 500 /usr/bin/python3 "$top/tests/e2e/pdnsclients.py" "${PDNSLOG:-$top/build/pdnslog}"
