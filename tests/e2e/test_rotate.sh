#!/bin/sh
# End-to-end: built-in rotation of -logfile (-logMaxSize, -logMaxBackups,
# -logCompress) under load: 200,000 packets of resolver traffic through two
# workers, the sandbox on.  No record may be lost, doubled or split across
# files: all the files together hold exactly what one file holds without
# rotation; each stays within the size; backups are named as gopassivedns's
# (lumberjack) were; with -logMaxBackups only that many are kept; gzip works.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$top/tests/e2e/checks.sh"

/usr/bin/python3 "$top/bench/gen_bench_capture.py" --packets 200000 "$t/load.pcap" >/dev/null 2>&1
"$bin" -pcap "$t/load.pcap" -quiet -logfile "$t/plain.log" -numprocs 2 -name s 2>/dev/null
mkdir "$t/r"
"$bin" -pcap "$t/load.pcap" -quiet -logfile "$t/r/dns.log" -numprocs 2 -name s -logMaxSize 1 -logMaxBackups 0 2>"$t/r.err"
check "rotating run exits 0" [ $? -eq 0 ]
n=$(ls "$t/r" | wc -l)
check "several files written ($n)" [ "$n" -ge 5 ]
check "backups named dns-YYYY-MM-DDTHH-MM-SS.mmm.log" \
	[ "$(ls "$t/r" | grep -v '^dns.log$' | grep -cv '^dns-[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]-[0-9][0-9]-[0-9][0-9]\.[0-9]\{3\}\.log$')" -eq 0 ]
big=$(find "$t/r" -type f -size +1024k | wc -l)
check "no file over 1 MiB" [ "$big" -eq 0 ]
cat "$t/r"/* | sort >"$t/rotated.sorted"
sort "$t/plain.log" >"$t/plain.sorted"
check "every record exactly once across the files ($(wc -l <"$t/plain.sorted") records)" cmp -s "$t/plain.sorted" "$t/rotated.sorted"
check "every file ends with a whole line" [ "$(for f in "$t/r"/*; do tail -c 1 "$f" | od -An -c; done | grep -vc '\\n')" -eq 0 ]

mkdir "$t/k"
"$bin" -pcap "$t/load.pcap" -quiet -logfile "$t/k/dns.log" -numprocs 2 -logMaxSize 1 -logMaxBackups 2 -logCompress 2>"$t/k.err"
check "-logMaxBackups 2 -logCompress exits 0" [ $? -eq 0 ]
check "two backups kept, both gzipped" [ "$(ls "$t/k" | grep -c '^dns-.*\.log\.gz$')" -eq 2 ] && [ "$(ls "$t/k" | wc -l)" -eq 3 ]
check "the backups are gzip with whole JSON lines" sh -c "zcat '$t/k'/*.gz | /usr/bin/python3 -c 'import sys, json; [json.loads(l) for l in sys.stdin]'"
check "no error reported" [ "$(grep -vc '^{"type":"stats"' "$t/k.err")" -eq 0 ]
finish rotate
