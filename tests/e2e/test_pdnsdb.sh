#!/bin/sh
# End-to-end: the -pdns_db store against pdnslog's own -format cof lines on
# every corpus capture, `pdnslog query` both ways, its usage errors, and
# kill -9 while writing (tests/e2e/pdnsdb.py).
top=$(cd "$(dirname "$0")/../.." && pwd)
exec timeout 300 /usr/bin/python3 "$top/tests/e2e/pdnsdb.py" "${PDNSLOG:-$top/build/pdnslog}"
