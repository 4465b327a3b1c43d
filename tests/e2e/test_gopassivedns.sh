#!/bin/sh
# End-to-end: gopassivedns command lines and environment run unchanged
# (tests/e2e/gopassivedns_compat.py; the Kafka ones are in test_avro.sh).
# As root it runs in a network namespace of its own whose Unix datagram
# queue is the 512 messages systemd gives a host, as test_outputs does: with
# the kernel's default of 10 the syslog lines to the test's /dev/log are
# dropped (and counted) whenever its reader falls behind, and this test
# wants every one.
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	exec timeout 600 unshare -n sh -c 'ip link set lo up && echo 512 >/proc/sys/net/unix/max_dgram_qlen &&
		exec /usr/bin/python3 "$0" "$1"' "$top/tests/e2e/gopassivedns_compat.py" "$bin"
fi
exec timeout 600 /usr/bin/python3 "$top/tests/e2e/gopassivedns_compat.py" "$bin"
