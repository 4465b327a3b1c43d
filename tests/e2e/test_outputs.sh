#!/bin/sh
# End-to-end: the syslog sink and statsd counters against sockets the test
# listens on (tests/e2e/outputs.py).  As root it runs in a network namespace
# of its own, whose Unix datagram queue is set to the 512 messages systemd
# gives a host (the kernel's default of 10 drops records under any burst;
# the drops are counted, and this test wants none).
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	exec timeout 300 unshare -n sh -c 'ip link set lo up && echo 512 >/proc/sys/net/unix/max_dgram_qlen &&
		exec /usr/bin/python3 "$0" "$1"' "$top/tests/e2e/outputs.py" "$bin"
fi
exec timeout 300 /usr/bin/python3 "$top/tests/e2e/outputs.py" "$bin"
