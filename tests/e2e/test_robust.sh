#!/bin/sh
# End-to-end: every capture we have (all 153 of the corpus, including the
# tunnels and oddities of other.list, and the generated ones), in both
# formats: no crash, exit status 0 or a clear error with 1, every line one
# valid JSON object in valid UTF-8.  Then the coverage those captures give.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pass=0 fail=0
for f in "$top"/tests/corpus/pcaps/* "$top"/tests/corpus/gen/*.pcap; do
	for fmt in flat json; do
		"$bin" -pcap "$f" -format $fmt -ports 53,5353,5355 >"$t/out" 2>"$t/err"
		rc=$?
		if [ $rc -ne 0 ] && ! { [ $rc -eq 1 ] && grep -q '^pdnslog: ' "$t/err"; }; then
			echo "FAIL $(basename "$f") -format $fmt: exit $rc: $(head -c 300 "$t/err")"
			fail=$((fail + 1))
			continue
		fi
		cat "$t/out" >>"$t/all.$fmt"
		pass=$((pass + 1))
	done
	# One worker or two: the same records (the order between workers is free).
	"$bin" -pcap "$f" -numprocs 1 -ports 53,5353,5355 2>/dev/null | sort >"$t/one"
	"$bin" -pcap "$f" -numprocs 2 -ports 53,5353,5355 2>/dev/null | sort >"$t/two"
	if cmp -s "$t/one" "$t/two"; then pass=$((pass + 1)); else
		echo "FAIL $(basename "$f"): -numprocs 2 gives other records than -numprocs 1"
		fail=$((fail + 1))
	fi
done
if /usr/bin/python3 - "$t/all.flat" "$t/all.json" <<'PY'
import json, sys
from collections import Counter
atypes, rcodes, status, protos = Counter(), Counter(), Counter(), Counter()
for path in sys.argv[1:]:
    for n, raw in enumerate(open(path, "rb"), 1):
        try:
            r = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            sys.exit("%s line %d: not valid JSON in UTF-8: %s" % (path, n, e))
        if path.endswith("flat"):
            atypes[r["atype"]] += 1
            rcodes[r["a"] if r["rcode"] else "NOERROR" if r["rcode"] == 0 else "unanswered"] += 1
            status[r["status"]] += 1
            protos[r["protocol"]] += 1
print("coverage: %d answer types: %s" % (len(atypes) - ("" in atypes), " ".join(sorted(a for a in atypes if a))))
print("coverage: rcodes %s" % dict(rcodes))
print("coverage: status %s, protocol %s" % (dict(status), dict(protos)))
PY
then pass=$((pass + 1)); else fail=$((fail + 1)); fi
echo "robust: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
