#!/bin/sh
# End-to-end: -pcap_dir follows a directory that a tcpdump -C-like writer
# rotates files in, with -pcap_state across a restart (see pcapdir.py).
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
exec timeout 120 /usr/bin/python3 "$top/tests/e2e/pcapdir.py" "$bin" "$top/tests/corpus/pcaps"
