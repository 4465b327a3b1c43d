#!/bin/sh
# End-to-end: the default BPF filter loses nothing.  Every capture of the
# corpus (tests/corpus/pcaps: udp.list, tcpfrag.list, other.list) and every
# generated capture (tests/corpus/gen, recursively) is read twice, with the
# default filter and with none (-bpf ''), same -ports: the records must be the
# same, byte for byte once sorted (a worker's records may come in any order).
# A capture that differs is DNS the default filter drops (say a tunnel it
# does not pass) or lets through differently.  First, -debug must still name
# the filter in use on standard error.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
corpus="$top/tests/corpus"
ports=53,5353,5355
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$top/tests/e2e/checks.sh"

if [ ! -x "$bin" ]; then
	echo "filter: $bin is missing (make first)"
	exit 1
fi

# -debug names the filter it uses: the default one, built from -ports ...
mx="$corpus/pcaps/dqy__mx.pcap"
"$bin" -debug -quiet -pcap "$mx" -ports "$ports" >/dev/null 2>"$t/err"
line=$(grep -m 1 'filter: ' "$t/err")
check "-debug prints the default filter on stderr ('$(head -n 3 "$t/err" | cut -c 1-160)')" \
	sh -c 'case "$1" in *"filter: "*"port 53 or port 5353 or port 5355"*) exit 0;; esac; exit 1' - "$line"
# ... or the one given.
"$bin" -debug -quiet -pcap "$mx" -bpf 'udp port 53' >/dev/null 2>"$t/err"
check "-debug prints a -bpf filter on stderr ('$(grep -m 1 'filter' "$t/err" | cut -c 1-160)')" \
	grep -q 'filter: udp port 53$' "$t/err"

# run NAME FILE: the default filter against none
run() {
	name=$1 file=$2
	"$bin" -pcap "$file" -numprocs 1 -format json -name test -ports "$ports" \
		>"$t/def" 2>"$t/def.err" </dev/null
	rc_def=$?
	"$bin" -pcap "$file" -numprocs 1 -format json -name test -ports "$ports" -bpf '' \
		>"$t/all" 2>"$t/all.err" </dev/null
	rc_all=$?
	LC_ALL=C sort "$t/def" >"$t/def.sorted"
	LC_ALL=C sort "$t/all" >"$t/all.sorted"
	if [ "$rc_def" -ne "$rc_all" ]; then
		bad "$name: exit $rc_def with the default filter, $rc_all without ($(head -c 200 "$t/def.err"))"
	elif ! cmp -s "$t/def.sorted" "$t/all.sorted"; then
		n_def=$(wc -l <"$t/def.sorted") n_all=$(wc -l <"$t/all.sorted")
		bad "$name: $n_def records with the default filter, $n_all without (-bpf '')"
		diff "$t/def.sorted" "$t/all.sorted" | grep '^[<>]' | head -n 6 | cut -c 1-240 | sed 's/^/    /'
	else
		ok
	fi
}

# The corpus lists (a name in two lists is read once) ...
for list in udp.list tcpfrag.list other.list; do
	cat "$corpus/$list"
done | LC_ALL=C sort -u >"$t/names"
while read -r name; do
	[ -n "$name" ] || continue
	if [ ! -f "$corpus/pcaps/$name" ]; then
		bad "$name: listed but not in tests/corpus/pcaps"
		continue
	fi
	run "$name" "$corpus/pcaps/$name"
done <"$t/names"
# ... and whatever the generators have written (new folders included).
find "$corpus/gen" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | LC_ALL=C sort >"$t/gen"
while read -r file; do
	run "gen/${file#"$corpus/gen/"}" "$file"
done <"$t/gen"
finish filter
