#!/bin/sh
# End-to-end: run pdnslog on every capture of a corpus list and hold its flat
# records against the independent reference decode (tshark + dnspython) with
# compare_flat.py.  Passes when recall and precision are 1.0000 everywhere.
# usage: corpus.sh LIST   (udp.list, tcpfrag.list, other.list)
# Each capture is read with one worker, the default filter and -ports 53, or
# the ports ports.tsv gives it (mDNS, LLMNR).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
corpus="$top/tests/corpus"
list="$corpus/$1"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
pass=0 fail=0
while read -r name; do
	[ -n "$name" ] || continue
	ports=$(awk -v n="$name" '$1 == n { print $2 }' "$corpus/ports.tsv")
	"$bin" -pcap "$corpus/pcaps/$name" -name test -numprocs 1 -ports "${ports:-53}" >"$out/$name.jsonl" 2>"$out/$name.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL $name: pdnslog exited $rc: $(head -c 300 "$out/$name.err")"
		fail=$((fail + 1))
		continue
	fi
	if ! /usr/bin/python3 "$top/tests/tools/compare_flat.py" "$corpus/ref/$name.jsonl" "$out/$name.jsonl" >"$out/$name.cmp" 2>&1; then
		echo "FAIL $name (flat):"; sed 's/^/    /' "$out/$name.cmp"
		fail=$((fail + 1))
		continue
	fi
	# The json format must tell the same facts, with the default workers too.
	if ! { "$bin" -pcap "$corpus/pcaps/$name" -name test -ports "${ports:-53}" -format json >"$out/$name.json" 2>/dev/null &&
	       /usr/bin/python3 "$top/tests/tools/json_to_flat.py" "$out/$name.json" >"$out/$name.jflat" &&
	       /usr/bin/python3 "$top/tests/tools/compare_flat.py" "$corpus/ref/$name.jsonl" "$out/$name.jflat" >"$out/$name.jcmp" 2>&1; }; then
		echo "FAIL $name (json):"; sed 's/^/    /' "$out/$name.jcmp" 2>/dev/null
		fail=$((fail + 1))
		continue
	fi
	pass=$((pass + 1))
done <"$list"
echo "corpus $1: $pass passed, $fail failed"
[ $fail -eq 0 ]
