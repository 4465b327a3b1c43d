#!/bin/sh
# make check-windows: build/windows/pdnslog.exe under Wine, held against the
# Linux build (build/pdnslog), which make check-windows builds first.
#  1. every capture of the corpus lists (udp, tcpfrag, other) in both
#     formats, with -numprocs 1: same exit status, byte-identical records
#     and stats record (corpus_one.sh, run in parallel);
#  2. the command-line cases of tests/e2e/test_cli.sh that apply to
#     Windows, with the Linux build's exit status; inputs and outputs
#     against the Linux build's (standard input, pcapng, nanoseconds, gzip,
#     Windows paths, -logfile shared and rotated, statsd); Npcap's
#     wpcap.dll taken when there; the flags Windows refuses (status 2);
#  3. Ctrl-C: Wine turns SIGINT into a console CTRL_C_EVENT: on a slow
#     standard input pdnslog stops, writes every record and exits 0;
#  4. as a service: started and stopped through Wine's Service Control
#     Manager, every record written, STOPPED reported with exit code 0.
# Wine gets a prefix of its own under build/windows (made on first use).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
lin="$top/build/pdnslog"
exe="$top/build/windows/pdnslog.exe"
# No Mono or Gecko for a new prefix (nothing here needs them; headless CI
# would wait on their installers).
export WINEPREFIX="$top/build/windows/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
pcaps="$top/tests/corpus/pcaps"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$top/tests/e2e/checks.sh"
win() { wine "$exe" "$@"; }

# (A prefix that Wine updates, after Wine itself was, may fail its first
# start: once more then.)
if ! win -version >"$t/version" 2>"$t/version.err" && ! win -version >"$t/version" 2>"$t/version.err"; then
	echo "FAIL: wine $exe -version: $(head -c 300 "$t/version.err")"
	exit 1
fi
check "-version names libpcap's pcap.dll" grep -q '^pdnslog [0-9.]* (libpcap version' "$t/version"

# 1. The corpus.
mkdir -p "$t/corpus"
runs=0
for l in udp.list tcpfrag.list other.list; do
	runs=$((runs + 2 * $(grep -c . "tests/corpus/$l")))
done
cat tests/corpus/udp.list tests/corpus/tcpfrag.list tests/corpus/other.list | grep . |
	while read -r n; do echo "$n flat"; echo "$n json"; done |
	xargs -P "${WINDOWS_JOBS:-4}" -n 2 sh tests/windows/corpus_one.sh "$t/corpus" >"$t/corpus.log" 2>&1
if [ -s "$t/corpus.log" ]; then
	cat "$t/corpus.log"
	bad "corpus: $(grep -c FAIL "$t/corpus.log") of $runs runs differ under Wine"
else
	ok
fi

# 2. The command line.  same_exit PATTERN ARGS...: the Linux build's exit
# status, and PATTERN on the first line of standard error under Wine.
same_exit() {
	pat=$1; shift
	"$lin" "$@" >"$t/l.out" 2>"$t/l.err" </dev/null
	want=$?
	win "$@" >"$t/w.out" 2>"$t/w.err" </dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then bad "pdnslog.exe $* exited $got, Linux $want ($(head -c 200 "$t/w.err"))"; return; fi
	if ! head -n 1 "$t/w.err" | grep -q -- "$pat"; then bad "pdnslog.exe $*: stderr '$(head -n 1 "$t/w.err")' lacks '$pat'"; return; fi
	ok
}
# refused FLAG ARGS...: status 2, and the one line says what this build lacks.
refused() {
	flag=$1; shift
	win "$@" >"$t/w.out" 2>"$t/w.err" </dev/null
	got=$?
	if [ "$got" -ne 2 ] || [ "$(wc -l <"$t/w.err")" -ne 1 ] ||
	   ! grep -q "^pdnslog: -$flag: this build of pdnslog has no " "$t/w.err"; then
		bad "pdnslog.exe $*: exit $got, '$(head -c 200 "$t/w.err")'"; return
	fi
	ok
}
mx="$pcaps/dqy__mx.pcap"
dns="$pcaps/dnscap__dns.pcap"
same_exit "flag provided but not defined: -nosuch" -nosuch
same_exit "give -pcap FILE or -dev IFACE"
same_exit "cannot be used together" -pcap "$mx" -dev lo
same_exit "flag needs an argument: -pcap" -pcap
same_exit "bad -bpf filter" -pcap "$mx" -bpf "port fiftythree"
same_exit "not a duration" -pcap "$mx" -gc_age 5
same_exit "-format must be flat, json or cof" -pcap "$mx" -format xml
same_exit "-ports" -pcap "$mx" -ports 53,x
same_exit "^pdnslog: -kafka_opt needs -kafka_brokers or -kafka_topic$" -pcap "$mx" -kafka_opt linger.ms=5
same_exit "-pfring: this build's libpcap" -pcap "$mx" -pfring
same_exit "No such file or directory" -pcap "$t/missing.pcap"
same_exit "not a capture file" -pcap "$top/README.md"
head -c 4096 /dev/urandom >"$t/random.pcap"
same_exit "not a capture file" -pcap "$t/random.pcap"
/usr/bin/python3 -c '
import struct, sys
sys.stdout.buffer.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 147) +
                        struct.pack("<IIII", 1, 0, 4, 4) + b"abcd")' >"$t/user0.pcap"
same_exit "unsupported link type" -pcap "$t/user0.pcap"
/usr/bin/python3 -c '
import struct, sys
sys.stdout.buffer.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) +
                        struct.pack("<IIII", 1, 0, 0xfffffff0, 0xfffffff0) + b"x" * 64)' >"$t/huge.pcap"
same_exit "huge.pcap" -pcap "$t/huge.pcap"
same_exit "-logfile" -pcap "$dns" -logfile "$t/no/such/dir/log"
same_exit "-config $t/none: No such file" -config "$t/none"
printf 'pcap = %s\nno_such_setting = 1\n' "$dns" >"$t/badconf"
same_exit "badconf:2: unknown setting \"no_such_setting\"" -config "$t/badconf"
# No Npcap under Wine: a device cannot be opened, one line, status 1.
win -dev nosuchif0 >"$t/w.out" 2>"$t/w.err" </dev/null
rc=$?
check "-dev with no such device: status 1 ($rc), one line" sh -c '[ "$2" -eq 1 ] && [ "$(wc -l <"$1")" -eq 1 ]' sh "$t/w.err" $rc
win -h >"$t/help" 2>&1
check "-h exits 0" [ $? -eq 0 ]

# Outputs and inputs against the Linux build's: truncated capture (status 1,
# what it holds is logged), standard input, pcapng, nanosecond pcap,
# -logfile appending, -quiet, -config and the environment, -bpf, -ports.
same_out() { # with one worker: records in one order
	what=$1; shift
	set -- "$@" -numprocs 1
	"$lin" "$@" >"$t/l.out" 2>/dev/null
	lrc=$?
	win "$@" >"$t/w.out" 2>/dev/null
	wrc=$?
	check "$what: same status ($wrc) and records ($(wc -l <"$t/w.out"))" sh -c \
		'[ "$1" -eq "$2" ] && cmp -s "$3" "$4"' sh "$lrc" "$wrc" "$t/l.out" "$t/w.out"
}
size=$(wc -c <"$dns")
head -c $((size - 30)) "$dns" >"$t/cut.pcap"
same_out "truncated capture" -pcap "$t/cut.pcap" -name s1
same_out "two files as one capture" -pcap "$dns" -name s1 "$mx"
editcap -F pcapng "$dns" "$t/dns.pcapng"
same_out "pcapng" -pcap "$t/dns.pcapng" -name s1
editcap -F nsecpcap "$dns" "$t/dns.nsec.pcap"
same_out "nanosecond pcap" -pcap "$t/dns.nsec.pcap" -name s1 -format json
same_out "-bpf" -pcap "$dns" -bpf "port 54"
same_out "-ports 5353" -pcap "$dns" -ports 5353
same_out "-gc_age 1us" -pcap "$dns" -gc_age 1us -gc_interval 1us
"$lin" -pcap "$dns" -name s1 -numprocs 1 >"$t/ref.jsonl" 2>/dev/null
cat "$dns" | win -pcap - -name s1 -numprocs 1 >"$t/stdin.jsonl" 2>/dev/null
check "standard input == the Linux build's" cmp -s "$t/ref.jsonl" "$t/stdin.jsonl"
cat "$t/dns.nsec.pcap" | win -pcap - -name s1 -numprocs 1 >"$t/ns-stdin.jsonl" 2>/dev/null
"$lin" -pcap "$t/dns.nsec.pcap" -name s1 -numprocs 1 >"$t/ns.jsonl" 2>/dev/null
check "standard input keeps nanoseconds" cmp -s "$t/ns.jsonl" "$t/ns-stdin.jsonl"
win -pcap "$dns" -name s1 -quiet -logfile "$t/log" -numprocs 1 >"$t/quiet.out" 2>/dev/null
win -pcap "$dns" -name s1 -quiet -logfile "$t/log" -numprocs 1 >>"$t/quiet.out" 2>/dev/null
check "-quiet writes nothing to stdout" [ ! -s "$t/quiet.out" ]
cat "$t/ref.jsonl" "$t/ref.jsonl" >"$t/twice"
check "-logfile appends whole records, \\n-terminated" cmp -s "$t/twice" "$t/log"
wdns=$(winepath -w "$dns" 2>/dev/null) wlog=$(winepath -w "$t/wlog" 2>/dev/null)
win -pcap "$wdns" -name s1 -numprocs 1 -quiet -logfile "$wlog" 2>/dev/null
check "Windows paths ($wdns)" cmp -s "$t/ref.jsonl" "$t/wlog"
win -pcap "$dns" -name s1 -numprocs 3 2>/dev/null | sort >"$t/w3.sorted"
sort "$t/ref.jsonl" >"$t/ref.sorted"
check "three worker threads: the same records" cmp -s "$t/ref.sorted" "$t/w3.sorted"
printf '# comment\n\npcap = %s\nname = from-file\n-format = json\nquiet = false\n' "$dns" >"$t/conf"
PDNS_NAME=from-env win -config "$t/conf" -numprocs 1 >"$t/c2" 2>/dev/null
check "-config and PDNS_NAME" grep -q '^{"status":"answered","sensor":"from-env"' "$t/c2"
# Compressed captures: gzip (zlib) as on Linux, from a file and standard
# input, a truncated one said the same way; the other formats refused.
gzip -c "$dns" >"$t/dns.pcap.gz"
same_out "gzip capture" -pcap "$t/dns.pcap.gz" -name s1
cat "$t/dns.pcap.gz" | win -pcap - -name s1 -numprocs 1 >"$t/gz-stdin.jsonl" 2>/dev/null
check "gzip on standard input == the Linux build's" cmp -s "$t/ref.jsonl" "$t/gz-stdin.jsonl"
head -c 3000 "$t/dns.pcap.gz" >"$t/cut.pcap.gz"
same_exit "cut.pcap.gz: gzip data ends early (the file is truncated)" -pcap "$t/cut.pcap.gz"
xz -c "$mx" >"$t/mx.pcap.xz"
win -pcap "$t/mx.pcap.xz" >"$t/w.out" 2>"$t/w.err"
rc=$?
check "an xz capture: status 1 ($rc) and said" sh -c '[ "$2" -eq 1 ] && grep -q "xz-compressed, and this build of pdnslog reads only gzip" "$1"' sh "$t/w.err" $rc

# -list_devices (-D): no capture driver under Wine: one line, status 1.
win -D >"$t/w.out" 2>"$t/w.err" </dev/null
rc=$?
check "-D without Npcap: status 1 ($rc), one line" sh -c '[ "$2" -eq 1 ] && grep -q "^pdnslog: no interfaces to capture on" "$1"' sh "$t/w.err" $rc
# With Npcap installed its wpcap.dll is used: a copy of pcap.dll where
# Npcap keeps it (Wine's own wpcap.dll is set aside), read the same.
np="$WINEPREFIX/drive_c/windows/system32/Npcap"
mkdir -p "$np"
cp build/windows/pcap.dll "$np/wpcap.dll"
cp build/windows/libcrypto-3-x64.dll build/windows/libssl-3-x64.dll "$np/"
WINEDLLOVERRIDES="$WINEDLLOVERRIDES;wpcap=n" win -pcap "$dns" -name s1 -numprocs 1 -debug >"$t/np.out" 2>"$t/np.err"
rm -rf "$np"
check "Npcap's wpcap.dll is taken when there" grep -q 'debug: libpcap: C:.windows.system32.Npcap.wpcap.dll' "$t/np.err"
check "Npcap's wpcap.dll: the same records" cmp -s "$t/ref.jsonl" "$t/np.out"
mkdir -p "$t/alone"
cp "$exe" "$t/alone/"
wine "$t/alone/pdnslog.exe" -pcap "$dns" >"$t/w.out" 2>"$t/w.err"
rc=$?
check "no libpcap at all: status 1 ($rc), one line" sh -c '[ "$2" -eq 1 ] && grep -q "^pdnslog: cannot load libpcap: install Npcap" "$1"' sh "$t/w.err" $rc

# The log is shared: renamed (by a Windows program) while pdnslog writes
# it, every record goes on to it under its new name.
{ cat "$dns"; sleep 4; } | win -pcap - -name s1 -numprocs 1 -quiet -logfile "$(winepath -w "$t/share.log" 2>/dev/null)" 2>/dev/null &
for _ in $(seq 50); do [ -e "$t/share.log" ] && break; sleep 0.1; done
sleep 1
wine cmd /c ren "$(winepath -w "$t/share.log" 2>/dev/null)" share2.log >/dev/null 2>&1
check "-logfile renamed while open (FILE_SHARE_DELETE)" [ $? -eq 0 ]
wait
check "-logfile renamed while open: every record in it" cmp -s "$t/ref.jsonl" "$t/share2.log"

# Built-in rotation: 60 copies of dns.pcap (1.2 MB of records) through a
# 1 MB -logfile, the backup gzipped: backup and log together hold the
# Linux build's records, in order.
mkdir -p "$t/rot"
set --
for _ in $(seq 60); do set -- "$@" "$dns"; done
"$lin" -quiet -numprocs 1 -name s1 -logfile "$t/rot.linux" "$@" 2>/dev/null
win -quiet -numprocs 1 -name s1 -logfile "$(winepath -w "$t/rot/dns.log" 2>/dev/null)" -logMaxSize 1 \
	-logMaxBackups 2 -logCompress "$@" 2>/dev/null
check "-logMaxSize: a gzipped backup beside the log" [ "$(ls "$t/rot" | grep -c '^dns-.*\.log\.gz$')" -eq 1 ]
{ zcat "$t"/rot/dns-*.log.gz; cat "$t/rot/dns.log"; } >"$t/rot.win" 2>/dev/null
check "-logMaxSize: backup and log hold every record" cmp -s "$t/rot.linux" "$t/rot.win"
set --

# statsd over UDP (Winsock): the same datagrams as the Linux build sends.
/usr/bin/python3 - "$lin" "$exe" "$dns" >"$t/statsd.out" 2>&1 <<'PY'
import socket, subprocess, sys
lin, exe, dns = sys.argv[1:4]
def datagrams(cmd):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(2)
    port = s.getsockname()[1]
    rc = subprocess.run(cmd + ["-pcap", dns, "-quiet", "-name", "s1", "-statsd_host", "127.0.0.1:%d" % port],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    got = []
    try:
        while True:
            got.append(s.recv(65536))
    except socket.timeout:
        pass
    return rc, got
l, w = datagrams([lin]), datagrams(["wine", exe])
print("linux", l[0], len(l[1]), "windows", w[0], len(w[1]))
sys.exit(0 if l == w and l[1] else 1)
PY
check "statsd: the same datagrams as Linux ($(cat "$t/statsd.out"))" [ $? -eq 0 ]

# What the Windows build refuses.
refused kafka_brokers -pcap "$mx" -kafka_topic t
refused fluentd_socket -pcap "$mx" -fluentd_socket tcp://127.0.0.1
refused metrics -pcap "$mx" -metrics 127.0.0.1:9153
refused syslog_facility -pcap "$mx" -syslog_facility local0
refused user -pcap "$mx" -user nobody
refused chroot -pcap "$mx" -chroot "$t"
refused fanout -dev x -fanout 2
refused pcap_dir -pcap_dir "$t"
refused cpuprofile -pcap "$mx" -cpuprofile "$t/prof"
refused sandbox -pcap "$mx" -sandbox
refused pdns_db -pcap "$mx" -pdns_db "$t/pdns.db"
refused pdns_api -pcap "$mx" -pdns_db "$t/pdns.db" -pdns_api 127.0.0.1:8081
refused kafka_consume -kafka_consume -kafka_brokers 127.0.0.1:9092 -kafka_topic t -pdns_db "$t/pdns.db"
for sub in query serve; do
	win "$sub" -pdns_db "$t/pdns.db" >"$t/w.out" 2>"$t/w.err" </dev/null
	got=$?
	check "pdnslog.exe $sub: status 2 ($got), one line, no store in this build" \
		sh -c '[ "$1" -eq 2 ] && [ "$(wc -l <"$2")" -eq 1 ] &&
		       grep -q "^pdnslog $3: this build of pdnslog has no passive DNS store" "$2"' sh "$got" "$t/w.err" "$sub"
done
check "no store file was made" [ ! -e "$t/pdns.db" ]
# -format cof needs no store: the same COF lines as Linux.
for n in dnscap__dns.pcap dqy__mx.pcap; do
	"$lin" -pcap "$pcaps/$n" -format cof -numprocs 1 -name s1 >"$t/cof.l" 2>/dev/null
	win -pcap "$pcaps/$n" -format cof -numprocs 1 -name s1 >"$t/cof.w" 2>/dev/null
	check "-format cof on $n: the Linux build's lines ($(wc -l <"$t/cof.l"))" \
		sh -c '[ -s "$1" ] && cmp -s "$1" "$2"' sh "$t/cof.l" "$t/cof.w"
done
win -pcap "$mx" -sandbox=false >/dev/null 2>&1
check "-sandbox=false is accepted" [ $? -eq 0 ]

# 3. Ctrl-C on a slow standard input: the records so far, the stats record,
# status 0, at once.
# (wine becomes the Windows process: its pid is the one to signal.  The
# pipe goes to it through descriptor 3, as a command started with & gets
# /dev/null for standard input.)
{ cat "$dns"; sleep 60 & echo $! >"$t/sleep.pid"; wait; } |
	{ exec 3<&0; wine "$exe" -pcap - -name s1 -numprocs 1 <&3 >"$t/int.out" 2>"$t/int.err" &
	  echo $! >"$t/int.pid"; wait $!; echo $? >"$t/int.rc"; } &
for _ in $(seq 100); do [ -s "$t/int.pid" ] && break; sleep 0.1; done
pid=$(cat "$t/int.pid" 2>/dev/null)
if [ -n "$pid" ]; then
	sleep 2 # the capture is read; the pipe stays open
	kill -INT "$pid"
	for _ in $(seq 100); do [ -s "$t/int.rc" ] && break; sleep 0.1; done
	check "Ctrl-C (SIGINT under Wine) on a slow pipe: exit 0" [ "$(cat "$t/int.rc" 2>/dev/null)" = 0 ]
	check "Ctrl-C: every record written ($(wc -l <"$t/int.out"))" cmp -s "$t/ref.jsonl" "$t/int.out"
	check "Ctrl-C: the stats record" grep -q '"type":"stats"' "$t/int.err"
else
	bad "Ctrl-C: pdnslog.exe did not start"
fi
kill "$(cat "$t/sleep.pid")" 2>/dev/null

# 4. As a service (the Service Control Manager's protocol, Wine's SCM):
# created with sc, started with net start, reading a FIFO that stays open;
# net stop writes every record and the stats record, and the SCM is told
# STOPPED with exit code 0.  Wine ends its services when no other Windows
# process of the prefix runs: a keeper reads a pipe meanwhile (and ends
# with it).
svc="pdnslog-test-$$"
{ sleep 60 & echo $! >"$t/keepsleep.pid"; wait; } |
	wine "$exe" -pcap - -quiet -name "keeper-$$" >/dev/null 2>&1 &
mkfifo "$t/svc.fifo"
# The FIFO's writer opens it inside timeout: if the service never opens it,
# the writer gives up instead of holding the final wait forever.
timeout 120 sh -c 'exec >"$0"; cat "$1"; exec sleep 60' "$t/svc.fifo" "$dns" &
echo $! >"$t/svcsleep.pid"
wexe=$(winepath -w "$exe" 2>/dev/null) wfifo=$(winepath -w "$t/svc.fifo" 2>/dev/null)
wsvclog=$(winepath -w "$t/svc.log" 2>/dev/null) wsvcstats=$(winepath -w "$t/svc.stats" 2>/dev/null)
# A new prefix's Service Control Manager may not answer its first call
# (services.exe still starting): a few tries, each said if it fails.
for try in 1 2 3 4 5; do
	wine sc create "$svc" binPath= "$wexe -pcap $wfifo -quiet -logfile $wsvclog -stats_file $wsvcstats -numprocs 1 -name s1" >"$t/sc.out" 2>&1
	rc=$?
	[ $rc -eq 0 ] && break
	echo "note: sc create, try $try: exit $rc: $(head -c 200 "$t/sc.out")"
	sleep 2
done
check "sc create" [ $rc -eq 0 ]
wine net start "$svc" >"$t/sc.out" 2>&1
check "net start" [ $? -eq 0 ]
sleep 2
wine sc query "$svc" >"$t/sc.query" 2>&1
check "the service runs" grep -q 'STATE *: 4 *RUNNING' "$t/sc.query"
wine net stop "$svc" >"$t/sc.out" 2>&1
check "net stop" [ $? -eq 0 ]
for _ in $(seq 50); do [ -s "$t/svc.stats" ] && break; sleep 0.1; done
check "service stopped: every record written ($(wc -l <"$t/svc.log" 2>/dev/null))" cmp -s "$t/ref.jsonl" "$t/svc.log"
check "service stopped: the stats record" grep -q '"type":"stats"' "$t/svc.stats"
wine sc query "$svc" >"$t/sc.query" 2>&1
check "the SCM is told STOPPED, exit code 0" sh -c 'grep -q "STATE *: 1 *STOPPED" "$1" && grep -q "WIN32_EXIT_CODE *: 0 " "$1"' sh "$t/sc.query"
wine sc delete "$svc" >/dev/null 2>&1
kill "$(cat "$t/svcsleep.pid")" 2>/dev/null
kill "$(cat "$t/keepsleep.pid")" 2>/dev/null
wait
finish "windows"
