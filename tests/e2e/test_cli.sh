#!/bin/sh
# End-to-end: command-line behaviour: inputs (file, stdin, pcapng, nanosecond
# pcap, truncated and bogus files), outputs (-logfile, -quiet, -format) and
# errors (exit status 2 for usage, 1 for runtime, one clear line on stderr).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
pcaps="$top/tests/corpus/pcaps"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$top/tests/e2e/checks.sh"
# expect_exit STATUS PATTERN ARGS...: exit status, and stderr holds PATTERN on its first line
expect_exit() {
	want=$1 pat=$2; shift 2
	"$bin" "$@" >"$t/out" 2>"$t/err" </dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then bad "pdnslog $* exited $got, want $want ($(head -c 200 "$t/err"))"; return; fi
	if ! head -n 1 "$t/err" | grep -q -- "$pat"; then bad "pdnslog $*: stderr '$(head -n 1 "$t/err")' lacks '$pat'"; return; fi
	ok
}

mx="$pcaps/dqy__mx.pcap"
dns="$pcaps/dnscap__dns.pcap"

# Usage errors: status 2.
expect_exit 2 "flag provided but not defined: -nosuch" -nosuch
expect_exit 2 "give -pcap FILE or -dev IFACE"
expect_exit 2 "cannot be used together" -pcap "$mx" -dev lo
expect_exit 2 "flag needs an argument: -pcap" -pcap
expect_exit 2 "bad -bpf filter" -pcap "$mx" -bpf "port fiftythree"
expect_exit 2 "not a duration" -pcap "$mx" -gc_age 5
expect_exit 2 "-format must be flat, json or cof" -pcap "$mx" -format xml
expect_exit 2 "-ports" -pcap "$mx" -ports 53,x
expect_exit 2 "No such configuration property: \"no.such\"" -pcap "$mx" -kafka_topic t -kafka_opt no.such=1
expect_exit 2 "Invalid value \"zzz\" for configuration property \"compression.codec\"" -pcap "$mx" -kafka_topic t -kafka_opt compression.codec=zzz
expect_exit 2 "expected key=value" -pcap "$mx" -kafka_topic t -kafka_opt linger.ms
expect_exit 2 "-pfring: this build's libpcap" -pcap "$mx" -pfring
expect_exit 2 "-kafka_key must be" -pcap "$mx" -kafka_topic t -kafka_key port
expect_exit 2 "^pdnslog: -kafka_opt needs -kafka_brokers or -kafka_topic$" -pcap "$mx" -kafka_opt linger.ms=5
# No broker on a port nothing listens on: pdnslog says so, runs, counts every
# record undelivered after -kafka_flush_timeout, and exits 1.
expect_exit 1 "Connection refused.*records wait in the queue" -pcap "$mx" -kafka_brokers 127.0.0.1:1 -kafka_flush_timeout 1s
check "unreachable broker: records counted undelivered" grep -q '"records_written":1,.*"kafka_delivered":0,"kafka_failed":0,"kafka_dropped":0,"kafka_undelivered":1,' "$t/err"
check "unreachable broker: the loss is said" grep -q "kafka: 1 messages not delivered" "$t/err"

# Live capture that cannot start: one clear line, status 1 (2 for a bad filter).
if [ "$(id -u)" -eq 0 ]; then
	expect_exit 1 "nosuchif0: No such device" -dev nosuchif0
	expect_exit 2 "bad -bpf filter" -dev lo -bpf "port port"
	# Without the privilege to capture (as nobody, no capabilities), from a
	# copy nobody can reach wherever the checkout is.
	nb=$(mktemp -d)
	chmod 755 "$nb"
	cp "$bin" "$nb/pdnslog"
	check "no permission: status 1 and one clear line" sh -c '
		su nobody -s /bin/sh -c "\"$1/pdnslog\" -dev lo -quiet" >/dev/null 2>"$2/perm.err" </dev/null
		[ $? -eq 1 ] && [ "$(wc -l <"$2/perm.err")" -eq 1 ] &&
		grep -q "lo: You don.t have permission" "$2/perm.err"' sh "$nb" "$t"
	rm -rf "$nb"
fi
expect_exit 2 "-metrics must be ADDR:PORT" -pcap "$mx" -metrics nonsense
# Runtime errors: status 1.
expect_exit 1 "No such file or directory" -pcap "$t/missing.pcap"
expect_exit 1 "not a capture file" -pcap "$top/README.md"
head -c 4096 /dev/urandom >"$t/random.pcap"
expect_exit 1 "not a capture file" -pcap "$t/random.pcap"
# A capture of an unsupported link type (USER0 = 147).
/usr/bin/python3 -c '
import struct, sys
sys.stdout.buffer.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 147) +
                        struct.pack("<IIII", 1, 0, 4, 4) + b"abcd")' >"$t/user0.pcap"
expect_exit 1 "unsupported link type" -pcap "$t/user0.pcap"
# A record header claiming 4 GB.
/usr/bin/python3 -c '
import struct, sys
sys.stdout.buffer.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) +
                        struct.pack("<IIII", 1, 0, 0xfffffff0, 0xfffffff0) + b"x" * 64)' >"$t/huge.pcap"
expect_exit 1 "huge.pcap" -pcap "$t/huge.pcap"

# Help lists every gopassivedns flag and exits 0.
"$bin" -h >"$t/help" 2>&1
check "-h exits 0" [ $? -eq 0 ]
for f in dev pcap bpf logfile quiet debug gc_age gc_interval numprocs kafka_brokers kafka_topic cpuprofile pfring ports format name max_pending; do
	grep -q -- "^  -$f\b" "$t/help" || bad "-h does not list -$f"
done

# The reference output for the rest: dns.pcap, 41 exchanges.
"$bin" -pcap "$dns" -name s1 >"$t/ref.jsonl" 2>"$t/ref.err"
check "dns.pcap runs" [ $? -eq 0 ]
n=$(wc -l <"$t/ref.jsonl")
check "dns.pcap gives records ($n)" [ "$n" -ge 41 ]
# packets: every frame read from the file (133), 51 of them not DNS and
# dropped by the default filter (packets_filtered).
check "stats record on stderr" grep -q '"type":"stats".*"packets":133,"packets_filtered":51,' "$t/ref.err"

# Standard input gives the same records; so does --pcap.
cat "$dns" | "$bin" -pcap - -name s1 >"$t/stdin.jsonl" 2>/dev/null
check "stdin == file" cmp -s "$t/ref.jsonl" "$t/stdin.jsonl"
"$bin" --pcap="$dns" --name=s1 >"$t/dd.jsonl" 2>/dev/null
check "--flag=value == -flag value" cmp -s "$t/ref.jsonl" "$t/dd.jsonl"

# pcapng and nanosecond pcap: the same records, with the capture's precision.
editcap -F pcapng "$dns" "$t/dns.pcapng"
"$bin" -pcap "$t/dns.pcapng" -name s1 >"$t/ng.jsonl" 2>/dev/null
check "pcapng == pcap" cmp -s "$t/ref.jsonl" "$t/ng.jsonl"
editcap -F nsecpcap "$dns" "$t/dns.nsec.pcap"
"$bin" -pcap "$t/dns.nsec.pcap" -name s1 >"$t/ns.jsonl" 2>/dev/null
sed 's/"tstamp":"\([^"]*\)\.\([0-9]\{6\}\)Z"/"tstamp":"\1.\2000Z"/' "$t/ref.jsonl" >"$t/ref9.jsonl"
check "nanosecond pcap keeps 9 digits" cmp -s "$t/ref9.jsonl" "$t/ns.jsonl"
cat "$t/dns.nsec.pcap" | "$bin" -pcap - -name s1 >"$t/ns-stdin.jsonl" 2>/dev/null
check "tstamp is RFC 3339 UTC" grep -q '"tstamp":"2016-10-20T15:23:01\.[0-9]\{6\}Z"' "$t/ref.jsonl"

# Settings from a -config file, the environment (PDNS_<FLAG>, and gopassivedns's
# own names such as PDNS_PCAP_FILE) and flags: flags beat environment beat file.
printf '# comment\n\npcap = %s\nname = from-file\n-format = json\nquiet = false\n' "$dns" >"$t/conf"
"$bin" -config "$t/conf" >"$t/c1" 2>/dev/null
check "-config: pcap, name, format from the file" grep -q '^{"status":"answered","sensor":"from-file"' "$t/c1"
PDNS_NAME=from-env "$bin" -config "$t/conf" >"$t/c2" 2>/dev/null
check "environment beats the file" grep -q '^{"status":"answered","sensor":"from-env"' "$t/c2"
PDNS_NAME=from-env PDNS_CONFIG="$t/conf" "$bin" -name from-flag -format flat >"$t/c3" 2>/dev/null
check "flags beat the environment (and PDNS_CONFIG names the file)" grep -q '"sensor":"from-flag"}$' "$t/c3"
check "flags beat the file" grep -q '^{"query_id"' "$t/c3"
PDNS_PCAP_FILE="$dns" PDNS_QUIET=true PDNS_LOG_FILE="$t/envlog" "$bin" -name s1 >"$t/c4" 2>/dev/null
check "gopassivedns's PDNS_PCAP_FILE, PDNS_QUIET, PDNS_LOG_FILE" cmp -s "$t/ref.jsonl" "$t/envlog"
check "PDNS_QUIET silences stdout" [ ! -s "$t/c4" ]
PDNS_THREADS=many "$bin" -pcap "$dns" >/dev/null 2>"$t/err"
check "bad environment value: status 2" [ $? -eq 2 ]
check "bad environment value: names the variable" grep -q 'environment PDNS_THREADS: invalid value "many"' "$t/err"
printf 'pcap = %s\nno_such_setting = 1\n' "$dns" >"$t/badconf"
expect_exit 2 "badconf:2: unknown setting \"no_such_setting\"" -config "$t/badconf"
printf 'pcap\n' >"$t/badconf2"
expect_exit 2 "badconf2:1: expected name = value" -config "$t/badconf2"
expect_exit 2 "-config $t/none: No such file" -config "$t/none"
"$bin" -version >"$t/version" 2>&1
check "-version exits 0 and names the version" grep -q '^pdnslog [0-9][0-9.]* (libpcap' "$t/version"

# -logfile appends; -quiet silences stdout.
"$bin" -pcap "$dns" -name s1 -quiet -logfile "$t/log" >"$t/quiet.out" 2>/dev/null
"$bin" -pcap "$dns" -name s1 -quiet -logfile "$t/log" >>"$t/quiet.out" 2>/dev/null
check "-quiet writes nothing to stdout" [ ! -s "$t/quiet.out" ]
cat "$t/ref.jsonl" "$t/ref.jsonl" >"$t/twice"
check "-logfile appends whole records" cmp -s "$t/twice" "$t/log"
expect_exit 1 "-logfile" -pcap "$dns" -logfile "$t/no/such/dir/log"

# A truncated capture: what is there is processed, the cut is reported, status 1.
size=$(wc -c <"$dns")
head -c $((size - 30)) "$dns" >"$t/cut.pcap"
"$bin" -pcap "$t/cut.pcap" -name s1 >"$t/cut.jsonl" 2>"$t/cut.err"
check "truncated capture exits 1" [ $? -eq 1 ]
check "truncated capture says so" grep -q "truncated" "$t/cut.err"
m=$(wc -l <"$t/cut.jsonl")
check "truncated capture still logs ($m of $n records)" [ "$m" -ge $((n - 2)) ]

# -bpf applies to files: nothing passes "port 54".
"$bin" -pcap "$dns" -bpf "port 54" >"$t/bpf.jsonl" 2>/dev/null
check "-bpf filters files" [ ! -s "$t/bpf.jsonl" ]
# -ports: the same traffic is not DNS on port 5353 only; the default filter
# follows -ports, an explicit -bpf lets the packets in and they are counted.
"$bin" -pcap "$dns" -ports 5353 >"$t/ports.jsonl" 2>"$t/ports.err"
check "-ports limits recognition" [ ! -s "$t/ports.jsonl" ]
check "default filter follows -ports" grep -q '"packets":133,"packets_filtered":133,' "$t/ports.err"
"$bin" -pcap "$dns" -ports 5353 -bpf "port 53" >"$t/ports.jsonl" 2>"$t/ports.err"
check "-ports with -bpf: nothing logged" [ ! -s "$t/ports.jsonl" ]
check "-ports drop counted" grep -q '"not_dns_port":82' "$t/ports.err"

# -gc_age on the capture clock: with 1 microsecond nothing pairs, all is written.
"$bin" -pcap "$dns" -gc_age 1us -gc_interval 1us >"$t/gc.jsonl" 2>/dev/null
un=$(grep -c '"status":"unanswered"' "$t/gc.jsonl")
ro=$(grep -c '"status":"response_only"' "$t/gc.jsonl")
check "gc_age 1us: 41 unanswered ($un) and responses alone ($ro)" [ "$un" -eq 41 ] && [ "$ro" -ge 41 ]
# -max_pending 1 with the queries only: each new query evicts the one before,
# which is written as unanswered and counted.
"$bin" -pcap "$dns" -numprocs 1 -bpf "dst port 53" -max_pending 1 >"$t/mp.jsonl" 2>"$t/mp.err"
check "-max_pending evictions counted" grep -q '"pair_evicted":40,' "$t/mp.err"
check "-max_pending evicted are written" [ "$(grep -c '"status":"unanswered"' "$t/mp.jsonl")" -eq 41 ]

# -cpuprofile writes a gperftools profile that google-pprof reads.
"$bin" -pcap "$dns" -quiet -cpuprofile "$t/cpu.prof" 2>/dev/null
check "-cpuprofile writes a profile" [ -s "$t/cpu.prof" ]
check "google-pprof reads it" sh -c "google-pprof --text '$bin' '$t/cpu.prof' >/dev/null 2>&1"

# -user/-chroot: root is dropped once the capture and the log file are open.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -p "$t/jail"
	# (LeakSanitizer cannot read /proc from inside the chroot: no leak check here.)
	ASAN_OPTIONS=detect_leaks=0 "$bin" -pcap "$dns" -quiet -logfile "$t/priv.log" -user nobody -chroot "$t/jail" -debug 2>"$t/priv.err"
	check "-user nobody -chroot: runs" [ $? -eq 0 ]
	check "-user nobody: uid dropped" grep -q "running as uid $(id -u nobody) gid $(id -g nobody)" "$t/priv.err"
	check "-user: the log opened before the drop is written" [ "$(wc -l <"$t/priv.log")" -eq "$n" ]
	expect_exit 1 "no such user" -pcap "$dns" -user no-such-user-here
fi

# The json format: one valid object per exchange.
"$bin" -pcap "$dns" -format json >"$t/j.jsonl" 2>/dev/null
check "json: 41 exchanges" [ "$(wc -l <"$t/j.jsonl")" -eq 41 ]
check "json: valid" /usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    assert r["status"] == "answered" and r["query"]["tstamp"] and r["response"]["bytes"] > 0
' "$t/j.jsonl"

# A run that logs nothing says why, from the counters, and still exits 0.
mdns="$pcaps/zeek__dns_mdns.pcap"
"$bin" -pcap "$mdns" -bpf '' >"$t/silent.out" 2>"$t/silent.err" </dev/null
check "silent run: status 0" [ $? -eq 0 ]
check "silent run: nothing written" [ ! -s "$t/silent.out" ]
check "silent run: says the DNS was on other ports ($(grep -v '"type":"stats"' "$t/silent.err"))" \
	grep -q '^pdnslog: no DNS logged: 24 packets read, 18 on UDP/TCP ports outside -ports 53 (5353 seen most); 6 IP carrying neither' "$t/silent.err"
"$bin" -pcap "$pcaps/zeek__tunnels_gre-over-udp-4754.pcap" -greudp_ports '' -bpf '' >/dev/null 2>"$t/silent.err" </dev/null
check "silent run: a tunnel not opened shows as its port ($(grep -v '"type":"stats"' "$t/silent.err"))" \
	grep -q '^pdnslog: no DNS logged: 14 packets read, 14 on UDP/TCP ports outside -ports 53 (4754 seen most)' "$t/silent.err"
"$bin" -pcap "$mdns" -ports 5353 >/dev/null 2>"$t/loud.err" </dev/null
check "a run that logs says nothing of the kind" sh -c '! grep -q "no DNS logged" "$1"' - "$t/loud.err"
# Tunnel port lists: '' is none; a port in two lists is a usage error.
expect_exit 2 "-gtpu_ports: port 4789 is already a vxlan port" -pcap "$mx" -gtpu_ports 4789
expect_exit 2 "-vxlan_ports must be a comma-separated list" -pcap "$mx" -vxlan_ports 0

finish cli
