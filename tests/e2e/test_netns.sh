#!/bin/sh
# End-to-end with real DNS software: NSD, Unbound, dig, kdig and dnsperf in
# network namespaces the test creates, pdnslog capturing live on the
# resolver's interfaces (tests/e2e/netns.py).  Needs root for namespaces.
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "netns: 0 passed, 0 failed, 1 skipped (needs root for network namespaces)"
	exit 0
fi
for tool in ip nsd nsd-checkzone unbound dig kdig dnsperf; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "netns: $tool is missing (it is in .ci/packages)"
		exit 1
	fi
done
exec timeout 300 /usr/bin/python3 "$top/tests/e2e/netns.py" "${PDNSLOG:-$top/build/pdnslog}"
