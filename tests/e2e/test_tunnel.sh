#!/bin/sh
# End-to-end through real tunnels: VXLAN over IPv4 and IPv6 and GRE between
# two network namespaces the test creates, NSD on the overlay, dig asking
# over it, pdnslog capturing on the underlay (tests/e2e/tunnel.py).  Needs
# root for namespaces; a kernel without VXLAN makes it a skip that says so.
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "tunnel: 0 passed, 0 failed, 1 skipped (needs root for network namespaces)"
	exit 0
fi
for tool in ip nsd nsd-checkzone dig; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "tunnel: $tool is missing (it is in .ci/packages)"
		exit 1
	fi
done
exec timeout -k 10 180 /usr/bin/python3 "$top/tests/e2e/tunnel.py" "${PDNSLOG:-$top/build/pdnslog}"
