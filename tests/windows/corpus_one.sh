#!/bin/sh
# One capture in one format, Linux build against Windows build under Wine
# (tests/windows/check.sh runs this for every capture of the corpus lists):
# the same exit status, byte-identical records on standard output and the
# same stats record.  Prints one FAIL line on a difference, nothing else.
# usage: corpus_one.sh OUTDIR NAME FORMAT   (WINEPREFIX and WINEDEBUG set)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1 name=$2 format=$3
corpus="$top/tests/corpus"
ports=$(awk -v n="$name" '$1 == n { print $2 }' "$corpus/ports.tsv")
set -- -pcap "$corpus/pcaps/$name" -name test -numprocs 1 -ports "${ports:-53}" -format "$format"
o="$out/$name.$format"
"$top/build/pdnslog" "$@" >"$o.linux" 2>"$o.linux.err"
lrc=$?
wine "$top/build/windows/pdnslog.exe" "$@" >"$o.win" 2>"$o.win.err"
wrc=$?
if [ $lrc -ne $wrc ]; then
	echo "FAIL $name -format $format: exit $wrc under Wine, $lrc on Linux: $(head -c 200 "$o.win.err")"
elif ! cmp -s "$o.linux" "$o.win"; then
	echo "FAIL $name -format $format: records differ ($(wc -l <"$o.win") under Wine, $(wc -l <"$o.linux") on Linux): $(cmp "$o.linux" "$o.win" 2>&1 | head -n 1)"
elif ! cmp -s "$o.linux.err" "$o.win.err"; then
	echo "FAIL $name -format $format: standard error differs: $(diff "$o.linux.err" "$o.win.err" | head -c 300)"
else
	rm -f "$o.linux" "$o.win" "$o.linux.err" "$o.win.err"
fi
