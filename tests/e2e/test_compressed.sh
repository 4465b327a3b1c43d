#!/bin/sh
# End-to-end: compressed captures (gzip, xz, zstd, bzip2, lz4), recognised by
# content: the same records as the plain capture, from a file and from
# standard input, in both formats; several members or frames one after the
# other; the capture's timestamp precision kept (pcapng, nanosecond pcap); a
# corrupt or truncated file is one clear line and exit status 1; the name
# does not matter.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
pcaps="$top/tests/corpus/pcaps"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$top/tests/e2e/checks.sh"

for tool in gzip xz zstd bzip2 lz4 editcap; do
	command -v $tool >/dev/null || { echo "compressed: $tool missing (see .ci/packages)"; exit 1; }
done
compress() { # FORMAT < plain > compressed
	case $1 in
	gzip) gzip -c ;; xz) xz -c ;; zstd) zstd -q -c ;; bzip2) bzip2 -c ;; lz4) lz4 -q -c ;;
	esac
}
run() { # OUT ARGS...: records to OUT, stderr to OUT.err, status in $rc
	out=$1; shift
	timeout 60 "$bin" -name s1 "$@" >"$out" 2>"$out.err" </dev/null
	rc=$?
}

dns="$pcaps/dnscap__dns.pcap"
editcap -F pcapng "$dns" "$t/dns.pcapng"
editcap -F nsecpcap "$dns" "$t/dns.nsec.pcap"
tcp="$pcaps/dnscap__dns-tcp.pcap"
[ -f "$tcp" ] || tcp="$dns"
for cap in "$dns" "$t/dns.pcapng" "$t/dns.nsec.pcap" "$tcp"; do
	c=$(basename "$cap")
	for fmt in flat json; do
		run "$t/ref" -pcap "$cap" -format $fmt
		check "$c $fmt: plain reference runs" [ "$rc" -eq 0 ] && [ -s "$t/ref" ]
		for z in gzip xz zstd bzip2 lz4; do
			compress $z <"$cap" >"$t/c.$z"
			run "$t/file" -pcap "$t/c.$z" -format $fmt
			check "$c $fmt $z file: status 0 ($(head -c 200 "$t/file.err"))" [ "$rc" -eq 0 ]
			check "$c $fmt $z file: the same records" cmp -s "$t/ref" "$t/file"
			timeout 60 "$bin" -name s1 -pcap - -format $fmt <"$t/c.$z" >"$t/stdin" 2>"$t/stdin.err"
			check "$c $fmt $z stdin (a file): status 0" [ $? -eq 0 ]
			check "$c $fmt $z stdin (a file): the same records" cmp -s "$t/ref" "$t/stdin"
			cat "$t/c.$z" | timeout 60 "$bin" -name s1 -pcap - -format $fmt >"$t/pipe" 2>"$t/pipe.err"
			check "$c $fmt $z stdin (a pipe): status 0" [ $? -eq 0 ]
			check "$c $fmt $z stdin (a pipe): the same records" cmp -s "$t/ref" "$t/pipe"
		done
	done
	if [ "$c" = dns.nsec.pcap ]; then
		check "nanosecond pcap, compressed, from a pipe: 9 digits kept" \
			grep -q '"tstamp":"2016-10-20T15:23:01\.[0-9]\{9\}Z"' "$t/pipe"
	fi
done

# Several members or frames one after the other (pigz, pbzip2, zstd -T,
# `cat a.gz b.gz`): read as one stream, as the tools read them.
size=$(wc -c <"$dns")
head -c $((size / 3)) "$dns" >"$t/part1"
tail -c +$((size / 3 + 1)) "$dns" >"$t/part2"
run "$t/ref" -pcap "$dns"
for z in gzip xz zstd bzip2 lz4; do
	{ compress $z <"$t/part1"; compress $z <"$t/part2"; } >"$t/multi.$z"
	run "$t/multi" -pcap "$t/multi.$z"
	check "$z: two members read as one ($rc, $(head -c 200 "$t/multi.err"))" [ "$rc" -eq 0 ]
	check "$z: two members, the same records" cmp -s "$t/ref" "$t/multi"
done

# Truncated: the records before the cut, one line saying so, status 1.  A
# capture larger than every format's block (bzip2's 900 kB), so that blocks
# before the cut are whole: dns.pcap's packets 300 times, a second apart.
/usr/bin/python3 -c '
import struct, sys
data = open(sys.argv[1], "rb").read()
out = [data[:24]]
for k in range(300):
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        out.append(struct.pack("<IIII", sec + 86400 * k, usec, incl, orig) + data[off + 16:off + 16 + incl])
        off += 16 + incl
sys.stdout.buffer.write(b"".join(out))' "$dns" >"$t/big.pcap"
run "$t/bigref" -pcap "$t/big.pcap"
n=$(wc -l <"$t/bigref")
for z in gzip xz zstd bzip2 lz4; do
	if [ $z = lz4 ]; then # its default blocks are 4 MB
		lz4 -q -c -B4 <"$t/big.pcap" >"$t/c.$z"
	else
		compress $z <"$t/big.pcap" >"$t/c.$z"
	fi
	csize=$(wc -c <"$t/c.$z")
	head -c $((csize * 2 / 3)) "$t/c.$z" >"$t/cut.$z"
	run "$t/cut" -pcap "$t/cut.$z"
	check "$z truncated: status 1" [ "$rc" -eq 1 ]
	check "$z truncated: one clear line" [ "$(grep -vc '^{' "$t/cut.err")" -eq 1 ]
	check "$z truncated: says so ($(grep -v '^{' "$t/cut.err"))" \
		grep -q "^pdnslog: $t/cut.$z: $z data ends early (the file is truncated)$" "$t/cut.err"
	m=$(wc -l <"$t/cut")
	check "$z truncated: what came before is logged ($m of $n)" [ "$m" -gt 0 ] && [ "$m" -lt "$n" ]
	cat "$t/cut.$z" | timeout 60 "$bin" -pcap - -quiet >/dev/null 2>"$t/cutpipe.err"
	check "$z truncated, stdin: status 1" [ $? -eq 1 ]
	check "$z truncated, stdin: says so" grep -q "^pdnslog: standard input: $z data ends early" "$t/cutpipe.err"
done

# Corrupt: bytes changed in the middle of the compressed data.
for z in gzip xz zstd bzip2 lz4; do
	/usr/bin/python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read())
for i in range(len(b) // 2, len(b) // 2 + 8):
    b[i] ^= 0x55
open(sys.argv[2], "wb").write(b)' "$t/c.$z" "$t/bad.$z"
	run "$t/bad" -pcap "$t/bad.$z" -quiet
	check "$z corrupt: status 1" [ "$rc" -eq 1 ]
	check "$z corrupt: one line naming the file and the damage ($(grep -v '^{' "$t/bad.err"))" \
		sh -c '[ "$(grep -vc "^{" "$1")" -eq 1 ] && grep -q "^pdnslog: $2: $3 data is corrupt (" "$1"' \
		sh "$t/bad.err" "$t/bad.$z" "$z"
done
# A corrupt file among others: said, and the others are read.
run "$t/among" -pcap "$t/bad.gzip" -pcap "$dns"
check "corrupt among others: status 1" [ "$rc" -eq 1 ]
sort "$t/ref" >"$t/ref.sorted"
sort "$t/among" >"$t/among.sorted"
check "corrupt among others: the next file is read" [ -z "$(comm -23 "$t/ref.sorted" "$t/among.sorted")" ]

# By content, not by name.
cp "$dns" "$t/plain.pcap.gz"
run "$t/named" -pcap "$t/plain.pcap.gz"
check "a plain capture named .gz is read" [ "$rc" -eq 0 ] && cmp -s "$t/ref" "$t/named"
compress xz <"$dns" >"$t/xz-named.pcap"
run "$t/named" -pcap "$t/xz-named.pcap"
check "an xz capture named .pcap is read" [ "$rc" -eq 0 ] && cmp -s "$t/ref" "$t/named"
# Compressed, but not a capture; compressed nothing.
compress gzip <"$top/README.md" >"$t/readme.gz"
run "$t/x" -pcap "$t/readme.gz"
check "compressed text: status 1, not a capture" sh -c '[ "$1" -eq 1 ] && grep -q "readme.gz: not a capture file" "$2"' sh "$rc" "$t/x.err"
: | compress zstd >"$t/empty.zst"
run "$t/x" -pcap "$t/empty.zst"
check "compressed empty file: status 1, said ($(head -n 1 "$t/x.err"))" sh -c '[ "$1" -eq 1 ] && grep -q "empty.zst: empty once decompressed, not a capture file" "$2"' sh "$rc" "$t/x.err"
: | "$bin" -pcap - >/dev/null 2>"$t/x.err"
check "empty standard input: status 1, said" sh -c '[ $1 -eq 1 ] && grep -q "^pdnslog: standard input: empty, not a capture file" "$2"' sh $? "$t/x.err"

# -debug names the compression.
run "$t/x" -pcap "$t/c.lz4" -quiet -debug
check "-debug: reading ... (1 of 1, lz4)" grep -q "^pdnslog: debug: reading $t/c.lz4 (1 of 1, lz4)$" "$t/x.err"

finish compressed
