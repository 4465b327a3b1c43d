#!/bin/sh
# End-to-end: -format cof, the facts aggregated at the sensor (issue 18).
# cof_check.py holds the summed COF lines of every corpus capture against an
# independent count from the reference decode (tshark + dnspython), with the
# default interval, a 1 s interval (facts written again), 2 entries (facts
# evicted all the time) and 3 workers.  Then: the same lines to -logfile as to
# standard output, -cof_sections all, the flags' usage errors.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
corpus="$top/tests/corpus"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$top/tests/e2e/checks.sh"

if [ ! -x "$bin" ]; then
	echo "cof: $bin is missing (make first)"
	exit 1
fi

if /usr/bin/python3 "$top/tests/e2e/cof_check.py" "$bin" "$corpus" udp.list tcpfrag.list other.list >"$t/check" 2>&1; then
	ok
else
	grep -v '^ok ' "$t/check" | head -60
	bad "cof_check.py: the aggregated facts differ from the reference's"
fi
grep -A 4 '^overall' "$t/check"

# The same lines to a file as to standard output (one worker: same order).
cap="$corpus/pcaps/dnscap__dns.pcap"
"$bin" -numprocs 1 -format cof -name s -pcap "$cap" >"$t/stdout" 2>/dev/null
"$bin" -numprocs 1 -format cof -name s -pcap "$cap" -quiet -logfile "$t/log" 2>"$t/err"
check "-logfile gets the COF lines standard output gets" cmp -s "$t/stdout" "$t/log"
check "the COF lines are there ($(wc -l <"$t/stdout") lines)" test "$(wc -l <"$t/stdout")" -gt 3
check "stats: cof_facts and cof_records counted" \
	grep -q '"cof_facts":[1-9][0-9]*,"cof_records":[1-9]' "$t/err"

# -cof_sections all: authority and additional facts too, OPT never.
ecs="$corpus/pcaps/zeek__dns-edns-ecs.pcap"
"$bin" -numprocs 1 -format cof -pcap "$ecs" 2>/dev/null | wc -l >"$t/n_answer"
"$bin" -numprocs 1 -format cof -cof_sections all -pcap "$ecs" >"$t/all" 2>/dev/null
check "-cof_sections all writes more facts ($(wc -l <"$t/all") > $(cat "$t/n_answer"))" \
	test "$(wc -l <"$t/all")" -gt "$(cat "$t/n_answer")"
check "-cof_sections all writes NS facts of the authority section" grep -q '"rrtype":"NS"' "$t/all"
check "-cof_sections all writes no OPT" sh -c '! grep -q "\"rrtype\":\"OPT\"" "$1"' - "$t/all"

# -pdns_db beside -format cof: the store holds what the lines say (summed),
# with 3 workers and -cof_interval 1s so that facts come in several lines.
"$bin" -numprocs 3 -format cof -cof_interval 1s -pdns_db "$t/facts.db" -pcap "$ecs" >"$t/ecs" 2>/dev/null
check "-pdns_db stores the facts the COF lines tell" /usr/bin/python3 - "$t/ecs" "$t/facts.db" <<'PY'
import json, sqlite3, sys
from collections import defaultdict
lines = defaultdict(lambda: [0, None, None])
for l in open(sys.argv[1]):
    r = json.loads(l)
    f = lines[(r["rrname"], r["rrtype"], r["rdata"])]
    f[0] += r["count"]
    f[1] = r["time_first"] if f[1] is None else min(f[1], r["time_first"])
    f[2] = r["time_last"] if f[2] is None else max(f[2], r["time_last"])
db = sqlite3.connect(sys.argv[2])
rows = db.execute("select rrname, rrtype, rdata, count, time_first, time_last from facts").fetchall()
stored = {(n, t, d): [c, a, b] for n, t, d, c, a, b in rows}
sums = {k: v for k, v in lines.items()}
ok = len(rows) == len(sums) and sum(v[0] for v in sums.values()) == sum(v[0] for v in stored.values())
ok = ok and sorted(v for v in sums.values()) == sorted(v for v in stored.values())
print("pdns_db: %d facts stored, %d in the lines" % (len(rows), len(sums)))
sys.exit(0 if ok else 1)
PY

# Usage errors: status 2 and one line naming the flag.
usage() { # description, then the flags
	d=$1; shift
	"$bin" -pcap "$cap" "$@" >/dev/null 2>"$t/uerr"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$t/uerr")" -eq 1 ]; then ok; else bad "$d: status $rc, $(head -c 200 "$t/uerr")"; fi
}
usage "-cof_interval 0" -format cof -cof_interval 0
usage "-cof_max_entries 0" -format cof -cof_max_entries 0
usage "-cof_sections bogus" -format cof -cof_sections bogus
usage "-format bogus" -format bogus
usage "-kafka_avro with -format cof" -format cof -kafka_avro -kafka_topic x
finish cof
