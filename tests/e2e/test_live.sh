#!/bin/sh
# End-to-end: live capture on loopback with signals (SIGHUP reopen, SIGUSR1
# stats, SIGTERM flush) and periodic stats (tests/e2e/live.py).  Needs root
# (or CAP_NET_RAW) to capture.
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "live: 0 passed, 0 failed, 1 skipped (needs root to capture on lo)"
	exit 0
fi
exec timeout 120 /usr/bin/python3 "$top/tests/e2e/live.py" "${PDNSLOG:-$top/build/pdnslog}"
