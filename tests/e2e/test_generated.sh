#!/bin/sh
# End-to-end: the generated captures (tests/gen/) against their ground truth,
# and the counters each case must move.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
gen="$top/tests/corpus/gen"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pass=0 fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
for truth in "$gen"/*.truth.jsonl; do
	name=$(basename "$truth" .truth.jsonl)
	"$bin" -pcap "$gen/$name.pcap" >"$t/$name.jsonl" 2>"$t/$name.err"
	if /usr/bin/python3 "$top/tests/tools/compare_flat.py" "$truth" "$t/$name.jsonl" >"$t/cmp" 2>&1; then
		pass=$((pass + 1))
	else
		bad "$name"; sed 's/^/    /' "$t/cmp"
	fi
done
# counter NAME FIELD VALUE: the stats record of case NAME has FIELD equal to VALUE
counter() {
	if grep -q "\"$2\":$3[,}]" "$t/$1.err"; then pass=$((pass + 1)); else
		bad "$1: want $2 $3, stats: $(grep -o "\"$2\":[0-9]*" "$t/$1.err")"; fi
}
status_count() {
	n=$(grep -c "\"status\":\"$2\"" "$t/$1.jsonl")
	if [ "$n" -eq "$3" ]; then pass=$((pass + 1)); else bad "$1: $n $2 records, want $3"; fi
}
counter tcp-split-every-offset pair_answered 80
counter tcp-split-every-offset tcp_gaps 0
status_count tcp-split-every-offset unanswered 0
counter tcp-pipelined-reverse pair_answered 3
counter tcp-reorder-dup pair_answered 2
counter tcp-reorder-dup tcp_retransmits 2
counter tcp-reorder-dup tcp_out_of_order 3
counter tcp-overlap-first-wins pair_answered 1
counter tcp-overlap-first-wins dns_malformed 0
counter tcp-missing-segment pair_answered 2
counter tcp-missing-segment tcp_gaps 1
counter tcp-missing-segment tcp_incomplete 1
status_count tcp-missing-segment unanswered 1
counter tcp-no-handshake pair_answered 2
counter tcp-no-handshake tcp_incomplete 0
# Every TCP record says tcp and carries the client's real port.
if grep -v '"protocol":"tcp"' "$t"/tcp-*.jsonl | grep -q .; then bad "a TCP record without protocol tcp"; else pass=$((pass + 1)); fi
if grep -q '"sport":"0"' "$t"/tcp-*.jsonl; then bad "a TCP record with port 0"; else pass=$((pass + 1)); fi
echo "generated: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
