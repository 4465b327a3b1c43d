#!/bin/sh
# End-to-end: real DNS from the corpus wrapped in tunnels, encapsulations and
# link types (tests/corpus/gen/encap/, made by tests/gen/gen_encap_captures.py;
# index.tsv lists them).  For every NAME.pcap there:
#  1. the flat records hold against the independent oracle's reference
#     NAME.pcap.jsonl (compare_flat.py);
#  2. the flat records are exactly those of the unwrapped base capture(s) the
#     generator wrote (base-*.pcap), as sorted lines; so are the -format json
#     records once their `encap` is taken out (for the collision cases too: each
#     tunnel's response is paired with its own tunnel's query);
#  3. every -format json record's `encap` is the one NAME.encap.json gives for
#     its query (or, without a query, its response), keys in order; absent
#     when the expectation is empty.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
dir="$top/tests/corpus/gen/encap"
py=/usr/bin/python3
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pass=0 fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
ok() { pass=$((pass + 1)); }

cat >"$t/check_encap.py" <<'EOF'
"""check_encap.py SIDECAR WRAPPED.json BASE.json...: part 2 (json) and part 3."""
import collections, json, sys

def records(path):
    out = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("{"):
            r = json.loads(line)
            if r.get("type") != "stats":
                out.append(r)
    return out

def key(r):
    if r["query"] is not None:
        k = (r["client"], r["client_port"], r["server"], r["server_port"], r["id"])
    else:
        k = (r["server"], r["server_port"], r["client"], r["client_port"], r["id"])
    return "%s|%d|%s|%d|%d" % k

side = json.load(open(sys.argv[1]))
got = records(sys.argv[2])
base = [r for p in sys.argv[3:] for r in records(p)]
errors = []
# part 2: the records, encap aside, are those of the unwrapped bases
strip = collections.Counter(json.dumps({k: v for k, v in r.items() if k != "encap"}) for r in got)
want = collections.Counter(json.dumps(r) for r in base)
for tag, diff in (("missing", want - strip), ("extra", strip - want)):
    for line in sorted(diff.elements())[:3]:
        errors.append("json record %s: %s" % (tag, line[:300]))
if not base:
    errors.append("the bases gave no json record")
# part 3: each record's encap
for r in got:
    k = key(r)
    exp = side.get(k)
    if isinstance(exp, dict):   # a key several tunnels share: chosen by the response's first answer
        resp = r.get("response") or {}
        ans = resp.get("answer") or []
        exp = exp["by_answer"].get(ans[0]["data"] if ans else None)
    if exp is None:
        errors.append("encap: no expectation for the record of %s (%s)" % (k, r["status"]))
    elif not exp:
        if "encap" in r:
            errors.append("encap %s: want none, got %s" % (k, json.dumps(r["encap"])))
    elif json.dumps(r.get("encap")) != json.dumps(exp):
        errors.append("encap %s: want %s, got %s" % (k, json.dumps(exp), json.dumps(r.get("encap"))))
for e in errors[:8]:
    print(e)
if len(errors) > 8:
    print("... %d more" % (len(errors) - 8))
sys.exit(1 if errors else 0)
EOF

# Each base capture, unwrapped, flat and json.
for b in "$dir"/base-*.pcap; do
	n=$(basename "$b" .pcap)
	"$bin" -pcap "$b" -numprocs 1 >"$t/$n.flat" 2>"$t/$n.err" || bad "$n: pdnslog exit $? ($(grep -v '^{' "$t/$n.err" | head -1))"
	"$bin" -pcap "$b" -numprocs 1 -format json >"$t/$n.json" 2>/dev/null
	[ -s "$t/$n.flat" ] || bad "$n: no record from the unwrapped base"
done

grep -v '^#' "$dir/index.tsv" >"$t/index"
while IFS='	' read -r name bases ref what; do
	[ -n "$name" ] || continue
	cap="$dir/$name.pcap"
	# 1. against the oracle's reference
	if "$bin" -pcap "$cap" -numprocs 1 >"$t/$name.flat" 2>"$t/$name.err"; then
		if $py "$top/tests/tools/compare_flat.py" "$dir/$name.pcap.jsonl" "$t/$name.flat" >"$t/cmp" 2>&1; then ok; else
			bad "$name ($what): flat records against the oracle's reference"; sed 's/^/    /' "$t/cmp"
		fi
	else
		bad "$name: pdnslog exit $? ($(grep -v '^{' "$t/$name.err" | head -1))"
	fi
	# 2. the same records as the unwrapped packets
	: >"$t/want"
	basejson=
	for b in $(echo "$bases" | tr ',' ' '); do
		cat "$t/$(basename "$b" .pcap).flat" >>"$t/want"
		basejson="$basejson $t/$(basename "$b" .pcap).json"
	done
	LC_ALL=C sort "$t/want" >"$t/want.sorted"
	LC_ALL=C sort "$t/$name.flat" >"$t/got.sorted"
	if cmp -s "$t/want.sorted" "$t/got.sorted"; then ok; else
		bad "$name: flat records differ from the unwrapped base's ($(wc -l <"$t/got.sorted") lines, want $(wc -l <"$t/want.sorted"))"
		diff "$t/want.sorted" "$t/got.sorted" | head -6 | cut -c1-300 | sed 's/^/    /'
	fi
	# 3. -format json: the same records, and each one's encap
	"$bin" -pcap "$cap" -numprocs 1 -format json >"$t/$name.json" 2>/dev/null
	# shellcheck disable=SC2086  # basejson is a list of paths without spaces (mktemp)
	if $py "$t/check_encap.py" "$dir/$name.encap.json" "$t/$name.json" $basejson >"$t/enc" 2>&1; then ok; else
		bad "$name: json records and encap"; sed 's/^/    /' "$t/enc"
	fi
	# the collision cases: both exchanges answered, none left over
	case "$name" in collide-*)
		a=$(grep -c '"status":"answered"' "$t/$name.flat")
		u=$(grep -c '"status":"\(unanswered\|response_only\)"' "$t/$name.flat")
		if [ "$a" -eq 2 ] && [ "$u" -eq 0 ]; then ok; else bad "$name: $a answered and $u unpaired records, want 2 and 0"; fi
		;;
	esac
done <"$t/index"

echo "encap: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
