#!/bin/sh
# End-to-end: settings as operators write them.  Config files (inline
# comments, quoted values), the environment and flags; every bad value is
# exit status 2 with exactly one line on stderr naming where it came from
# (-flag, environment VARIABLE, FILE:LINE); empty lists; documented ranges;
# -gc_age 0; syslog names in any case.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="${PDNSLOG:-$top/build/pdnslog}"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" # the test runs in its own folder
pcaps="$top/tests/corpus/pcaps"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. "$top/tests/e2e/checks.sh"
dns="$pcaps/dnscap__dns.pcap"
mx="$pcaps/dqy__mx.pcap"

# refused LINE ARGS...: exit status 2 and stderr is exactly "pdnslog: LINE".
refused() {
	want="pdnslog: $1"; shift
	"$bin" "$@" >"$t/out" 2>"$t/err" </dev/null
	got=$?
	if [ "$got" -ne 2 ]; then bad "pdnslog $* exited $got, want 2 ($(head -c 200 "$t/err"))"; return; fi
	if [ "$(wc -l <"$t/err")" -ne 1 ]; then bad "pdnslog $*: stderr is not one line: $(head -c 300 "$t/err")"; return; fi
	if [ "$(cat "$t/err")" != "$want" ]; then bad "pdnslog $*: stderr '$(cat "$t/err")', want '$want'"; return; fi
	ok
}
# taken ARGS...: runs, exit status 0.
taken() {
	"$bin" "$@" >"$t/out" 2>"$t/err" </dev/null
	got=$?
	if [ "$got" -eq 0 ]; then ok; else bad "pdnslog $* exited $got, want 0 ($(head -n 1 "$t/err"))"; fi
}

# --- Config file syntax -----------------------------------------------------
"$bin" -pcap "$dns" -name s1 >"$t/ref.jsonl" 2>/dev/null
cd "$t" || exit 1
cat >"$t/c1.conf" <<EOF
# pdnslog settings
   # an indented comment
pcap = $dns   # the capture
logfile = dns.log # main log
quiet = true	# a tab, then a comment
name = s1
EOF
"$bin" -config "$t/c1.conf" >"$t/out" 2>"$t/err"
check "inline comments: runs ($(head -n 1 "$t/err"))" [ $? -eq 0 ]
check "inline comment after logfile: the log is dns.log" cmp -s "$t/ref.jsonl" "$t/dns.log"
check "inline comment after logfile: no file named with the comment" sh -c '! ls "$1" | grep -q "#"' - "$t"
check "inline comment after quiet = true: quiet" [ ! -s "$t/out" ]

# Quoted values keep '#' and spaces, in double or single quotes; a '#' inside
# a word is part of it.
cat >"$t/c2.conf" <<EOF
pcap = '$dns'
name = "  s#1 # not a comment  "   # this is one
bpf = 'udp port 53'
EOF
"$bin" -config "$t/c2.conf" >"$t/out" 2>"$t/err"
check "quoted values: runs ($(head -n 1 "$t/err"))" [ $? -eq 0 ]
check "double quotes keep spaces and #" grep -q '"sensor":"  s#1 # not a comment  "}$' "$t/out"
check "single-quoted bpf: all 41 exchanges" [ "$(grep -c '"status":"answered"' "$t/out")" -ge 41 ]
printf 'pcap = %s\nname = s#1\n' "$dns" >"$t/c3.conf"
"$bin" -config "$t/c3.conf" >"$t/out" 2>/dev/null
check "a # inside a word is part of the value" grep -q '"sensor":"s#1"}$' "$t/out"
printf 'pcap = %s\nbpf = "udp port 53\n' "$dns" >"$t/c4.conf"
refused "$t/c4.conf:2: no closing \" for the value" -config "$t/c4.conf"
printf 'pcap = %s\nname = "s1" x\n' "$dns" >"$t/c5.conf"
refused "$t/c5.conf:2: text after the value's closing quote (a comment starts with #)" -config "$t/c5.conf"

# --- Every bad value names where it came from -------------------------------
printf 'pcap = %s\n# the format\nformat = xml\n' "$mx" >"$t/fmt.conf"
refused "$t/fmt.conf:3: format must be flat, json or cof" -config "$t/fmt.conf"
refused "$t/fmt.conf:3: format must be flat, json or cof" -config "$t/fmt.conf" -format json
PDNS_FORMAT=xml refused "environment PDNS_FORMAT: -format must be flat, json or cof" -pcap "$mx"
refused "-format must be flat, json or cof" -pcap "$mx" -format xml
printf 'pcap = %s\nnumprocs = 100\n' "$mx" >"$t/np.conf"
refused "$t/np.conf:2: numprocs must be between 1 and 64" -config "$t/np.conf"
PDNS_THREADS=0 refused "environment PDNS_THREADS: -numprocs must be between 1 and 64" -pcap "$mx"
printf 'pcap = %s\nports = 53,70000\n' "$mx" >"$t/ports.conf"
refused "$t/ports.conf:2: ports must be a comma-separated list of ports (1-65535), e.g. 53,5353" -config "$t/ports.conf"
printf 'pcap = %s\nsyslog_facility = local9\n' "$mx" >"$t/fac.conf"
refused "$t/fac.conf:2: syslog_facility must be kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp or local0..local7 (or empty for no syslog)" -config "$t/fac.conf"
PDNS_SYSLOG_PRIORITY=loud refused "environment PDNS_SYSLOG_PRIORITY: -syslog_priority must be emerg, alert, crit, err, warning, notice, info or debug" -pcap "$mx"
printf 'pcap = %s\nkafka_key = port\nkafka_topic = t\n' "$mx" >"$t/key.conf"
refused "$t/key.conf:2: kafka_key must be client, server, qname or none" -config "$t/key.conf"
printf 'pcap = %s\nkafka_topic = t\nkafka_opt = acks=all\nkafka_opt = linger.ms\n' "$mx" >"$t/opt.conf"
refused "$t/opt.conf:4: kafka_opt \"linger.ms\": expected key=value" -config "$t/opt.conf"
printf 'pcap = %s\nmetrics = nonsense\n' "$mx" >"$t/metrics.conf"
refused "$t/metrics.conf:2: metrics must be ADDR:PORT (e.g. 127.0.0.1:9153, [::1]:9153 or :9153)" -config "$t/metrics.conf"
printf 'pcap = %s\nstats_interval = -1s\n' "$mx" >"$t/si.conf"
refused "$t/si.conf:2: stats_interval must not be negative" -config "$t/si.conf"
printf 'pcap = %s\nlogMaxSize = 100\n' "$mx" >"$t/rot.conf"
refused "$t/rot.conf:2: logMaxSize needs -logfile" -config "$t/rot.conf"
printf 'pcap = %s\ngtpu_ports = 4789\n' "$mx" >"$t/tun.conf"
refused "$t/tun.conf:2: gtpu_ports: port 4789 is already a vxlan port" -config "$t/tun.conf"
PDNS_CONFIG="$t/none.conf" refused "environment PDNS_CONFIG: -config $t/none.conf: No such file or directory" -pcap "$mx"
# Type errors, as they were.
printf 'pcap = %s\nnumprocs = four\n' "$mx" >"$t/type.conf"
refused "$t/type.conf:2: invalid value \"four\" for flag -numprocs: not an integer" -config "$t/type.conf"

# A service's config (dev, fanout) does not stop a -pcap run: the stronger
# source's input wins; from one source both are an error.
printf 'dev = nosuchif0\nfanout = 2\nname = s1\n' "$mx" >"$t/svc.conf"
"$bin" -config "$t/svc.conf" -pcap "$dns" >"$t/out" 2>"$t/err"
check "config dev + flag -pcap: runs ($(head -n 1 "$t/err"))" [ $? -eq 0 ]
check "config dev + flag -pcap: reads the capture" cmp -s "$t/ref.jsonl" "$t/out"
printf 'dev = nosuchif0\npcap = %s\n' "$mx" >"$t/both.conf"
refused "$t/both.conf:1: dev and pcap cannot be used together" -config "$t/both.conf"
refused "-fanout needs live capture (-dev)" -pcap "$mx" -fanout 2

# --- Empty lists ----------------------------------------------------------------
refused "-ports must list at least one port, e.g. 53 (it is empty)" -pcap "$mx" -ports ''
PDNS_PORTS= refused "environment PDNS_PORTS: -ports must list at least one port, e.g. 53 (it is empty)" -pcap "$mx"
printf 'pcap = %s\nports =   # to be filled in\n' "$mx" >"$t/noports.conf"
refused "$t/noports.conf:2: ports must list at least one port, e.g. 53 (it is empty)" -config "$t/noports.conf"
refused "-kafka_brokers must list at least one HOST:PORT (it is empty)" -pcap "$mx" -kafka_brokers ''
PDNS_KAFKA_PEERS= refused "environment PDNS_KAFKA_PEERS: -kafka_brokers must list at least one HOST:PORT (it is empty)" -pcap "$mx"
# The tunnels' lists take '' for none, on purpose.
taken -pcap "$mx" -vxlan_ports '' -geneve_ports '' -gtpu_ports '' -greudp_ports ''

# --- Documented ranges ------------------------------------------------------------
refused "-tcp_stream_kb must be between 128 and 1048576" -pcap "$mx" -tcp_stream_kb 1
refused "-tcp_stream_kb must be between 128 and 1048576" -pcap "$mx" -tcp_stream_kb 127
taken -pcap "$mx" -tcp_stream_kb 128
refused "-stats_interval must not be negative" -pcap "$mx" -stats_interval -1s
taken -pcap "$mx" -stats_interval 0
refused "-kafka_flush_timeout must not be negative" -pcap "$mx" -kafka_flush_timeout -1s
refused "-gc_interval must be a positive duration" -pcap "$mx" -gc_interval 0
refused "-frag_timeout must be a positive duration" -pcap "$mx" -frag_timeout -30s
refused "-buffer_mb must be between 0 and 2047" -pcap "$mx" -buffer_mb -1
refused "-buffer_mb must be between 0 and 2047" -pcap "$mx" -buffer_mb 4096
refused "-snaplen must be between 64 and 262144" -pcap "$mx" -snaplen 63
refused "-max_pending must be between 1 and 100000000" -pcap "$mx" -max_pending 0
refused "-tcp_max_streams must be at least 1" -pcap "$mx" -tcp_max_streams 0
refused "-frag_max_datagrams must be at least 1" -pcap "$mx" -frag_max_datagrams -5
refused "-logMaxBackups must be between 0 and 100000" -pcap "$mx" -logMaxBackups -1
refused "-statsd_interval must be between 1 and 86400" -pcap "$mx" -statsd_interval 0
refused "-kafka_queue must be between 1 and 10000000" -pcap "$mx" -kafka_queue 0
# -h shows each int's range.
"$bin" -h >"$t/help" 2>&1
check "-h: the range of -tcp_stream_kb" grep -q 'TCP: KiB buffered per connection direction.*(128 to 1048576)' "$t/help"
check "-h: the range of -numprocs" grep -q 'packet processing threads.*(1 to 64)' "$t/help"

# --- -gc_age: the sign is ignored, 0 is refused ---------------------------------
refused "-gc_age must not be 0 (how long a query waits for its response, e.g. 1m; its sign is ignored)" -pcap "$mx" -gc_age 0
refused "-gc_age must not be 0 (how long a query waits for its response, e.g. 1m; its sign is ignored)" -pcap "$mx" -gc_age -0s
"$bin" -pcap "$dns" -name s1 -gc_age -1m >"$t/out" 2>/dev/null
check "-gc_age -1m: as 1m" cmp -s "$t/ref.jsonl" "$t/out"

# --- Syslog names in any case ------------------------------------------------------
# A syslog daemon of our own: every datagram pdnslog sends, to a file.
/usr/bin/python3 - "$t/log.sock" "$t/syslog.txt" "$bin" -pcap "$mx" -quiet -name s1 \
	-syslog_facility LOCAL0 -syslog_priority INFO -syslog_socket "$t/log.sock" >"$t/sl.out" 2>"$t/sl.err" <<'EOF'
import socket, subprocess, sys
sock, out, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock)
s.settimeout(2)
p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
got = []
try:
    while True:
        got.append(s.recv(65536).decode("utf-8", "replace"))
except socket.timeout:
    pass
open(out, "w").write("".join(m.rstrip("\n") + "\n" for m in got))
sys.stderr.write(p.stderr.decode())
sys.exit(p.returncode)
EOF
check "-syslog_facility LOCAL0 -syslog_priority INFO: runs ($(head -n 1 "$t/sl.err"))" [ $? -eq 0 ]
check "LOCAL0.INFO: messages at priority 134 (local0 = 16, info = 6)" grep -q '^<134>.*"level":"info"' "$t/syslog.txt"
check "LOCAL0.INFO: no other priority" sh -c '! grep -v "^<134>" "$1" | grep -q .' - "$t/syslog.txt"
printf 'pcap = %s\nsyslog_facility = Daemon\nsyslog_priority = WARNING\nsyslog_socket = %s\n' "$mx" "$t/none.sock" >"$t/sl.conf"
"$bin" -config "$t/sl.conf" >/dev/null 2>"$t/err"
check "Daemon / WARNING in a file: accepted (then no daemon there: status 1, $(head -n 1 "$t/err"))" \
	sh -c '[ "$1" -eq 1 ] && grep -q "syslog" "$2"' - $? "$t/err"

finish config
