#!/bin/sh
# End-to-end: many inputs, read in the order given as one capture: -pcap
# repeated and capture files after the flags; an exchange split across two
# files still pairs; a file that starts before the previous one ended is read
# and warned about; files of different link types; per-file lines in -debug;
# a missing file stops everything before anything is read, a file that is no
# capture is said and skipped (status 1 at the end).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
pcaps="$top/tests/corpus/pcaps"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$top/tests/e2e/checks.sh"

run() { # OUT ARGS...: records to OUT, stderr to OUT.err, status in $rc
	out=$1; shift
	timeout 60 "$bin" -name s1 "$@" >"$out" 2>"$out.err" </dev/null
	rc=$?
}
same_set() { # the same records, in any order
	sort "$1" >"$1.sorted"
	sort "$2" >"$2.sorted"
	cmp -s "$1.sorted" "$2.sorted"
}

mx="$pcaps/arkime__dns-mx.pcap"  # 2013
dns="$pcaps/dnscap__dns.pcap"    # 2016
dqy="$pcaps/dqy__mx.pcap"        # 2023
nflog="$top/tests/corpus/gen/encap/nflog.pcap"

for f in "$mx" "$dns" "$dqy"; do
	run "$t/$(basename "$f").alone" -pcap "$f" -numprocs 1
done
cat "$t/arkime__dns-mx.pcap.alone" "$t/dnscap__dns.pcap.alone" "$t/dqy__mx.pcap.alone" >"$t/three"

# -pcap repeated: every file, in order (one worker: in order out too).
run "$t/rep" -pcap "$mx" -pcap "$dns" -pcap "$dqy" -numprocs 1
check "-pcap three times: status 0" [ "$rc" -eq 0 ]
check "-pcap three times: the records of each, in order" cmp -s "$t/three" "$t/rep"
check "-pcap three times: nothing on stderr but the stats" [ "$(grep -vc '^{' "$t/rep.err")" -eq 0 ]
check "-pcap three times: packets of all three counted" \
	grep -q '"packets":137,' "$t/rep.err"
# Capture files after the flags; after "--"; mixed with -pcap.
run "$t/args" -numprocs 1 "$mx" "$dns" "$dqy"
check "files as arguments == -pcap repeated" cmp -s "$t/three" "$t/args"
run "$t/args" -numprocs 1 -pcap "$mx" "$dns" "$dqy"
check "-pcap then arguments: in that order" cmp -s "$t/three" "$t/args"
run "$t/args" -numprocs 1 -- "$mx" "$dns" "$dqy"
check "files after --" cmp -s "$t/three" "$t/args"
cat "$dns" | timeout 60 "$bin" -name s1 -numprocs 1 "$mx" - "$dqy" >"$t/args" 2>/dev/null
check "- among the files is standard input" cmp -s "$t/three" "$t/args"
# A config file's pcap gives way to the command line's files.
printf 'pcap = %s\nnumprocs = 1\n' "$dqy" >"$t/conf"
run "$t/args" -config "$t/conf" "$mx" "$dns"
cat "$t/arkime__dns-mx.pcap.alone" "$t/dnscap__dns.pcap.alone" >"$t/two"
check "files on the command line replace the config file's pcap" cmp -s "$t/two" "$t/args"
# Several workers: the same records, in some order.
run "$t/par" -numprocs 4 "$mx" "$dns" "$dqy"
check "-numprocs 4: the same records" same_set "$t/three" "$t/par"

# An exchange split across two files (as tcpdump -G or -C would rotate
# between a query and its response) still pairs.
/usr/bin/python3 - "$dns" "$t/part1.pcap" "$t/part2.pcap" >"$t/split.id" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
hdr, off, pkts = data[:24], 24, []
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    pkts.append(data[off:off + 16 + incl])
    off += 16 + incl
def dns(p):  # (id, is_response) of Ethernet/IPv4/UDP port 53, or None
    f = p[16:]
    if len(f) < 42 or f[12:14] != b"\x08\x00" or f[23] != 17:
        return None
    ihl = (f[14] & 15) * 4
    u = 14 + ihl
    sport, dport = struct.unpack(">HH", f[u:u + 4])
    if 53 not in (sport, dport) or len(f) < u + 12:
        return None
    qid, flags = struct.unpack(">HH", f[u + 8:u + 12])
    return qid, bool(flags & 0x8000)
for i, p in enumerate(pkts):
    d = dns(p)
    if d and not d[1] and any(dns(q) == (d[0], True) for q in pkts[i + 1:]):
        cut = i + 1
        break
open(sys.argv[2], "wb").write(hdr + b"".join(pkts[:cut]))
open(sys.argv[3], "wb").write(hdr + b"".join(pkts[cut:]))
print(d[0])
EOF
qid=$(cat "$t/split.id")
run "$t/split" -format json "$t/part1.pcap" "$t/part2.pcap"
run "$t/whole" -pcap "$dns" -format json
check "split between a query and its response: the same records as the whole file" same_set "$t/whole" "$t/split"
run "$t/half" -format json "$t/part1.pcap"
check "the query alone (first file) is unanswered" grep -q '"status":"unanswered".*"id":'"$qid"',' "$t/half"
check "read in turn, it is answered" sh -c '! grep -q "\"status\":\"unanswered\".*\"id\":$1," "$2"' sh "$qid" "$t/split"

# Out of order: a file that starts before the previous one ended is read,
# and said once.
run "$t/ooo" -numprocs 1 "$dqy" "$mx"
check "out of order: status 0" [ "$rc" -eq 0 ]
cat "$t/dqy__mx.pcap.alone" "$t/arkime__dns-mx.pcap.alone" >"$t/rev"
check "out of order: both files' records" same_set "$t/rev" "$t/ooo"
check "out of order: one warning line" [ "$(grep -vc '^{' "$t/ooo.err")" -eq 1 ]
check "out of order: the warning names both files and times" \
	grep -q "^pdnslog: $mx: starts (2013-12-03T21:09:56.973318Z) before $dqy ended (2023-12-28T13:26:54.488948Z): read in the order given" "$t/ooo.err"

# Two link types in one run: Ethernet, then NFLOG (whose default filter
# does not compile), then Ethernet again: each file's records as alone.
run "$t/nflog.alone" -pcap "$nflog" -format json
run "$t/dns.alone" -pcap "$dns" -format json
cat "$t/dns.alone" "$t/nflog.alone" "$t/dns.alone" >"$t/mixed.want"
run "$t/mixed" -format json -debug "$dns" "$nflog" "$dns"
check "two link types: status 0" [ "$rc" -eq 0 ]
check "two link types: the records of each file read alone" same_set "$t/mixed.want" "$t/mixed"
check "two link types: -debug: each file's link type" \
	sh -c '[ "$(grep -c "^pdnslog: debug: link type EN10MB$" "$1")" -eq 2 ] && grep -q "^pdnslog: debug: link type NFLOG$" "$1"' sh "$t/mixed.err"
# Per-file progress in -debug: opening, packets read, done.
check "-debug: reading 1 of 3" grep -q "^pdnslog: debug: reading $dns (1 of 3)$" "$t/mixed.err"
check "-debug: reading 2 of 3" grep -q "^pdnslog: debug: reading $nflog (2 of 3)$" "$t/mixed.err"
check "-debug: done, packets read and filtered" \
	grep -q "^pdnslog: debug: $dns: done, 82 packets read, 51 more dropped by the filter$" "$t/mixed.err"

# A file that cannot be opened: one line, status 1, nothing read at all.
run "$t/missing" "$mx" "$t/nosuch.pcap" "$dns"
check "missing file: status 1" [ "$rc" -eq 1 ]
check "missing file: one line naming it" \
	sh -c '[ "$(grep -vc "^{" "$1")" -eq 1 ] && grep -q "^pdnslog: $2: No such file or directory$" "$1"' sh "$t/missing.err" "$t/nosuch.pcap"
check "missing file: nothing is read, not even the files before it" [ ! -s "$t/missing" ]
run "$t/dir" "$mx" "$t"
check "a directory: status 1, said" sh -c '[ "$1" -eq 1 ] && grep -q "is a directory" "$2"' sh "$rc" "$t/dir.err"
# A file that turns out not to be a capture: said, skipped, status 1.
run "$t/notcap" -numprocs 1 "$mx" "$top/README.md" "$dns"
check "not a capture among others: status 1" [ "$rc" -eq 1 ]
check "not a capture among others: said" grep -q "^pdnslog: $top/README.md: not a capture file" "$t/notcap.err"
check "not a capture among others: the others read" cmp -s "$t/two" "$t/notcap"
# A truncated file among others: what it holds, the cut said, the next read.
size=$(wc -c <"$dns")
head -c $((size - 30)) "$dns" >"$t/cut.pcap"
run "$t/cut" -numprocs 1 "$mx" "$t/cut.pcap" "$dqy"
check "truncated among others: status 1" [ "$rc" -eq 1 ]
check "truncated among others: said" grep -q "^pdnslog: $t/cut.pcap: truncated dump file" "$t/cut.err"
check "truncated among others: the next file read" \
	sh -c 'tail -n "$(wc -l <"$2")" "$1" | cmp -s - "$2"' sh "$t/cut" "$t/dqy__mx.pcap.alone"

# Usage errors: standard input twice; a flag after the files.
run "$t/x" -pcap - -pcap -
check "- twice: status 2" sh -c '[ "$1" -eq 2 ] && grep -q "standard input (.-.) can be read only once" "$2"' sh "$rc" "$t/x.err"
run "$t/x" "$mx" -quiet
check "a flag after the files: status 2" sh -c '[ "$1" -eq 2 ] && grep -q "flags go before the capture files: \"-quiet\"" "$2"' sh "$rc" "$t/x.err"
run "$t/x" -dev lo "$mx"
check "-dev and files: status 2" [ "$rc" -eq 2 ]

# A FIFO among the files: opening it does not wait for its writer; reading
# it waits, then goes on.
mkfifo "$t/fifo"
(sleep 1; timeout 10 sh -c 'cat "$1" >"$2"' sh "$dns" "$t/fifo") &
run "$t/fifo.out" -numprocs 1 "$mx" "$t/fifo" "$dqy"
wait
check "a FIFO among the files: status 0" [ "$rc" -eq 0 ]
check "a FIFO among the files: all records in order" cmp -s "$t/three" "$t/fifo.out"

finish inputs
