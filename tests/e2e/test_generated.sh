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
# Ground truth (TCP cases) and the independent oracle (fragment cases, all
# but the overlap one, where pdnslog differs from tshark by design: below).
for truth in "$gen"/*.truth.jsonl "$gen"/frag-*.pcap.jsonl; do
	name=$(basename "$(basename "$truth" .truth.jsonl)" .pcap.jsonl)
	if [ "$name" = frag-v4-overlap ]; then
		"$bin" -pcap "$gen/$name.pcap" -numprocs 1 >"$t/$name.jsonl" 2>"$t/$name.err"
		continue
	fi
	"$bin" -pcap "$gen/$name.pcap" -numprocs 1 >"$t/$name.jsonl" 2>"$t/$name.err"
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
counter tcp-in-ip-fragments frag_reassembled 1
counter tcp-in-ip-fragments pair_answered 1
# Fragments: counted as the captures imply (see tests/corpus/gen/README.md).
counter frag-v4-inorder frag_reassembled 1
counter frag-v4-reverse frag_reassembled 1
counter frag-v6 frag_reassembled 1
counter frag-v4-dup frag_reassembled 1
counter frag-v4-dup frag_duplicates 1
counter frag-v4-overlap frag_overlaps 2
counter frag-v4-overlap frag_reassembled 0
status_count frag-v4-overlap unanswered 2
if grep -q '"atype":"[A-Z]' "$t/frag-v4-overlap.jsonl"; then bad "frag-v4-overlap: an answer from an overlapping datagram was logged"; else pass=$((pass + 1)); fi
# 5000 orphans and one good datagram against the 4096-datagram cap.
counter frag-flood frag_evicted 905
counter frag-flood frag_reassembled 1
counter frag-flood pair_answered 1
# Every TCP record says tcp and carries the client's real port.
if cat "$t"/tcp-*.jsonl | grep -v '"protocol":"tcp"' | grep -q .; then bad "a TCP record without protocol tcp"; else pass=$((pass + 1)); fi
if grep -q '"sport":"0"' "$t"/tcp-*.jsonl; then bad "a TCP record with port 0"; else pass=$((pass + 1)); fi
echo "generated: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
