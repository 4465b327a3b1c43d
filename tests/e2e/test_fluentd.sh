#!/bin/sh
# End-to-end: the -fluentd_socket sink against a real Forward protocol server
# (the OpenTelemetry Collector's fluentforward receiver, tests/fluentd: built
# with Go from the module proxy once, into build/fluentd), over a Unix socket
# and TCP, through a server restart, an absent server and a full queue
# (tests/e2e/fluentd_sink.py).
top=$(cd "$(dirname "$0")/../.." && pwd)
exec timeout 900 /usr/bin/python3 "$top/tests/e2e/fluentd_sink.py" "${PDNSLOG:-$top/build/pdnslog}"
