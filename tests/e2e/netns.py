#!/usr/bin/python3
"""End-to-end with real DNS software in network namespaces this test creates.

    client ns  10.53.1.2, fd00:53:1::2 --veth-- 10.53.1.1, fd00:53:1::1  resolver ns
    resolver ns 10.53.2.1 --veth-- 10.53.2.2  authoritative ns

NSD serves example.test (many record types) in the authoritative namespace,
Unbound recurses to it from the resolver namespace, and dig, kdig and dnsperf
ask Unbound over UDP and TCP, IPv4 and IPv6.  pdnslog captures live on every
interface of the resolver namespace (-dev any) with two capture threads in a
PACKET_FANOUT group (-fanout 2).  Every query a client made
must appear once, with the client's address and port, the ID, the rcode and
the answer the client got (its data and TTLs as dig printed them); the
upstream leg (Unbound to NSD) must appear too.  Addresses exist only inside
the namespaces, which are deleted at the end whatever happens.

usage: netns.py PDNSLOG"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import checks  # tests/e2e/checks.py, beside this script
from checks import expect

BIN = os.path.abspath(sys.argv[1])
TAG = "pdl%d" % os.getpid()
NS_CLI, NS_RES, NS_AUTH = TAG + "c", TAG + "r", TAG + "a"
RES4, RES6, CLI4, CLI6 = "10.53.1.1", "fd00:53:1::1", "10.53.1.2", "fd00:53:1::2"
PERF4 = "10.53.1.3"  # dnsperf's own address: its random ports never meet dig's
UP_RES, UP_AUTH = "10.53.2.1", "10.53.2.2"
TMP = tempfile.mkdtemp(prefix="pdnslog-netns-")


def sh(*cmd, ns=None, check=True, **kw):
    full = (["ip", "netns", "exec", ns] if ns else []) + list(cmd)
    return subprocess.run(full, check=check, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw)


def spawn(ns, *cmd, **kw):
    return subprocess.Popen(["ip", "netns", "exec", ns] + list(cmd), **kw)


LONG = " ".join('"%s"' % (chr(97 + i) * 200) for i in range(10))  # about 2 KB: TC over UDP
ZONE = """$ORIGIN example.test.
$TTL 3600
@        SOA   ns1 hostmaster 2026112801 3600 600 86400 300
@        NS    ns1
ns1      A     10.53.2.2
@        MX    10 mail
@        MX    20 mail2
@        CAA   0 issue "ca.example.net"
mail     A     192.0.2.25
mail2    A     192.0.2.26
www      A     192.0.2.10
www      A     192.0.2.11
www      AAAA  2001:db8::10
alias    CNAME www
chain1   CNAME chain2
chain2   CNAME alias
txt      TXT   "hello world" "second string"
long     TXT   %s
_sip._tcp SRV  10 60 5060 sip
sip      A     192.0.2.50
svc      HTTPS 1 . alpn="h2,h3" ipv4hint=192.0.2.10
naptr    NAPTR 100 10 "u" "E2U+sip" "!^.*$!sip:info@example.test!" .
ssh      SSHFP 1 1 0123456789abcdef0123456789abcdef01234567
ptr      PTR   www.example.test.
short    60 A  192.0.2.99
""" % LONG

NSD_CONF = """server:
  ip-address: %s
  port: 53
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "%s"
  database: ""
  pidfile: "%s/nsd.pid"
  xfrdfile: "%s/xfrd.state"
  zonelistfile: "%s/zone.list"
  logfile: "%s/nsd.log"
  server-count: 1
remote-control:
  control-enable: no
zone:
  name: "example.test."
  zonefile: "example.test.zone"
""" % (UP_AUTH, TMP, TMP, TMP, TMP, TMP)

UNBOUND_CONF = """server:
  interface: %s
  interface: %s
  port: 53
  access-control: 10.53.1.0/24 allow
  access-control: fd00:53:1::/64 allow
  outgoing-interface: %s
  do-not-query-localhost: no
  username: ""
  chroot: ""
  directory: "%s"
  pidfile: "%s/unbound.pid"
  use-syslog: no
  logfile: "%s/unbound.log"
  module-config: "iterator"
  num-threads: 1
  edns-buffer-size: 1232
  local-zone: "test." nodefault
  domain-insecure: "test."
remote-control:
  control-enable: no
stub-zone:
  name: "example.test."
  stub-addr: %s
""" % (RES4, RES6, UP_RES, TMP, TMP, TMP, UP_AUTH)


def setup_network():
    for ns in (NS_CLI, NS_RES, NS_AUTH):
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "set", "lo", "up", ns=ns)
    sh("ip", "link", "add", TAG + "c0", "netns", NS_CLI, "type", "veth", "peer", "name", TAG + "r0",
       "netns", NS_RES)
    sh("ip", "link", "add", TAG + "r1", "netns", NS_RES, "type", "veth", "peer", "name", TAG + "a0",
       "netns", NS_AUTH)
    for ns, dev, a4, a6 in ((NS_CLI, TAG + "c0", CLI4, CLI6), (NS_RES, TAG + "r0", RES4, RES6),
                            (NS_RES, TAG + "r1", UP_RES, None), (NS_AUTH, TAG + "a0", UP_AUTH, None)):
        sh("ip", "addr", "add", a4 + "/24", "dev", dev, ns=ns)
        if ns == NS_CLI:
            sh("ip", "addr", "add", PERF4 + "/24", "dev", dev, ns=ns)
        if a6:
            sh("ip", "addr", "add", a6 + "/64", "dev", dev, "nodad", ns=ns)
        sh("ip", "link", "set", dev, "up", ns=ns)


def cleanup(procs):
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    for ns in (NS_CLI, NS_RES, NS_AUTH):
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
    shutil.rmtree(TMP, ignore_errors=True)


def dig(name, qtype, port, tcp=False, six=False, extra=()):
    """Ask with dig from a fixed source port; (id, status, [(ttl, type, data)], flags)."""
    server, src = (RES6, CLI6) if six else (RES4, CLI4)
    cmd = ["dig", "@" + server, "-b", "%s#%d" % (src, port), "+tries=1", "+time=5", "+nocookie",
           "+tcp" if tcp else "+notcp", name, qtype] + list(extra)
    out = sh(*cmd, ns=NS_CLI).stdout
    head = re.search(r"opcode: \w+, status: (\w+), id: (\d+)", out)
    flags = re.search(r";; flags: ([a-z ]*);", out)
    answers, section = [], None
    for line in out.splitlines():
        if line.startswith(";; "):
            section = line[3:].split(" SECTION")[0] if "SECTION" in line else section
            continue
        if section == "ANSWER" and line and not line.startswith(";"):
            owner, ttl, cls, rtype, data = line.split(None, 4)
            answers.append((int(ttl), rtype, normalise(data)))
    return int(head.group(2)), head.group(1), sorted(answers), (flags.group(1).split() if flags else [])


def kdig(name, qtype, tcp=False):
    out = sh("kdig", "@" + RES4, "-b", CLI4, "+tcp" if tcp else "+notcp", name, qtype, ns=NS_CLI).stdout
    head = re.search(r"opcode: \w+; status: (\w+); id: (\d+)", out)
    return int(head.group(2)), head.group(1)


def normalise(data):
    """Presentation data with the conventions where dig (BIND) and pdnslog
    (like dnspython, the project's reference) differ taken out: the trailing
    dot of names (pdnslog writes none), the case of hex digits (BIND upper,
    dnspython lower), and quotes around SVCB parameter values (dnspython
    quotes every value, BIND only those that need it)."""
    out = []
    for t in data.split(" "):
        if t.endswith(".") and t != "." and not t.startswith('"'):
            t = t[:-1]
        if re.fullmatch(r"[0-9A-Fa-f]{8,}", t):
            t = t.lower()
        m = re.fullmatch(r'([a-z0-9-]+)="([^" ]*)"', t)
        if m:
            t = "%s=%s" % m.groups()
        out.append(t)
    return " ".join(out)


def lines_of(*paths):
    """Every line of the files, each parsed: a torn line fails the parse."""
    out = []
    for path in paths:
        if os.path.exists(path):
            data = open(path).read()
            expect("%s ends with a whole line" % os.path.basename(path), data == "" or data.endswith("\n"))
            for line in data.splitlines():
                try:
                    out.append(json.loads(line))
                except ValueError:
                    expect("a whole JSON line", False, line[:200])
    return out


def load_run(procs):
    """dnsperf at full speed for 20 s with a log rotation (SIGHUP) in the
    middle; then SIGTERM while dnsperf still runs."""
    log, stats = os.path.join(TMP, "load.log"), os.path.join(TMP, "load-stats.log")
    with open(os.path.join(TMP, "load.txt"), "w") as f:
        for i in range(20000):
            f.write("%s A\n" % (("www", "mail", "sip", "ns1", "alias")[i % 5] + ".example.test"
                                 if i % 4 else "x%d.example.test" % i))
    p = spawn(NS_RES, BIN, "-dev", "any", "-quiet", "-logfile", log, "-stats_file", stats,
              "-stats_interval", "0", "-numprocs", "2", stderr=subprocess.PIPE)
    procs.append(p)
    time.sleep(1.5)
    perf = spawn(NS_CLI, "dnsperf", "-s", RES4, "-a", PERF4, "-d", os.path.join(TMP, "load.txt"),
                 "-c", "8", "-q", "200", "-l", "20", "-t", "2", stdout=subprocess.PIPE,
                 stderr=subprocess.STDOUT, text=True)
    procs.append(perf)
    time.sleep(10)
    os.rename(log, log + ".1")            # logrotate moves the file, then HUPs
    p.send_signal(signal.SIGHUP)
    out = perf.communicate(timeout=60)[0]
    sent = int(re.search(r"Queries sent:\s+(\d+)", out).group(1))
    # The load is over: once pdnslog has read what the kernel holds (a
    # sanitizer build takes a while), every packet is processed or a drop.
    quiet = {}
    for _ in range(20):
        time.sleep(0.5)
        if p.poll() is not None:
            break
        p.send_signal(signal.SIGUSR1)
        time.sleep(0.5)
        records = [json.loads(line) for line in open(stats)]
        quiet = records[-1] if records else {}
        if quiet and quiet["pcap_received"] == quiet["packets"] + quiet["pcap_dropped"] + quiet["queue_drops"]:
            break
    if not quiet:
        expect("load: pdnslog alive and writing stats on SIGUSR1", False,
               "(exit %s: %s)" % (p.poll(), p.stderr.read().decode()[:2500] if p.poll() is not None else ""))
        return
    expect("load: counters add up (received = processed + counted drops)",
           quiet["pcap_received"] == quiet["packets"] + quiet["pcap_dropped"] + quiet["queue_drops"],
           str({k: quiet[k] for k in ("pcap_received", "packets", "pcap_dropped", "queue_drops")}))
    expect("load: the load was heavy", sent > 40000, "(%d queries sent in 20 s)" % sent)
    expect("load: no message malformed", quiet["dns_malformed"] == 0 and quiet["rdata_malformed"] == 0,
           str(quiet["dns_malformed"]))
    # SIGTERM while dnsperf runs again: a clean exit, every record flushed whole.
    perf = spawn(NS_CLI, "dnsperf", "-s", RES4, "-a", PERF4, "-d", os.path.join(TMP, "load.txt"),
                 "-c", "8", "-q", "200", "-l", "8", "-t", "2", stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)
    procs.append(perf)
    time.sleep(3)
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=30)
    perf.wait(timeout=30)
    expect("load: SIGTERM under load exits 0", rc == 0, "(%s: %s)" % (rc, p.stderr.read().decode()[-300:]))
    final = [json.loads(line) for line in open(stats)][-1]
    recs = lines_of(log + ".1", log)
    expect("load: no line lost across SIGHUP and SIGTERM (lines = records_written)",
           len(recs) == final["records_written"], "(%d lines, %d written)" % (len(recs), final["records_written"]))
    expect("load: both files used", os.path.exists(log + ".1") and os.path.getsize(log) > 0)
    keys = [(r["src"], r["sport"], r["query_id"], r["tstamp"], r["a"]) for r in recs]
    expect("load: no record twice", len(keys) == len(set(keys)), "(%d duplicates)" % (len(keys) - len(set(keys))))
    expect("load: no output error", final["output_errors"] == 0)
    print("load: %d queries sent; %d records; %s" % (sent, len(recs), {k: quiet[k] for k in (
        "pcap_received", "pcap_dropped", "queue_drops")}))


def main():
    procs = []
    try:
        setup_network()
        open(os.path.join(TMP, "example.test.zone"), "w").write(ZONE)
        open(os.path.join(TMP, "nsd.conf"), "w").write(NSD_CONF)
        open(os.path.join(TMP, "unbound.conf"), "w").write(UNBOUND_CONF)
        sh("nsd-checkzone", "example.test", os.path.join(TMP, "example.test.zone"))
        procs.append(spawn(NS_AUTH, "nsd", "-d", "-c", os.path.join(TMP, "nsd.conf"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        procs.append(spawn(NS_RES, "unbound", "-d", "-c", os.path.join(TMP, "unbound.conf"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        # Both answer before pdnslog starts, so nothing of this is logged.
        for _ in range(50):
            if "status: NOERROR" in sh("dig", "@" + UP_AUTH, "+tries=1", "+time=1", "example.test",
                                       "SOA", ns=NS_RES, check=False).stdout:
                break
            time.sleep(0.2)
        for _ in range(50):
            if "status: NOERROR" in sh("dig", "@" + RES4, "+tries=1", "+time=1", "ns1.example.test",
                                       ns=NS_CLI, check=False).stdout:
                break
            time.sleep(0.2)

        log, stats = os.path.join(TMP, "dns.log"), os.path.join(TMP, "stats.log")
        # Two capture threads in a PACKET_FANOUT group, a worker each: both
        # legs of every exchange must still meet.
        pdnslog = spawn(NS_RES, BIN, "-dev", "any", "-quiet", "-format", "json", "-logfile", log,
                        "-stats_file", stats, "-stats_interval", "0", "-numprocs", "2",
                        "-fanout", "2", "-debug", stderr=subprocess.PIPE)
        procs.append(pdnslog)
        time.sleep(1.5)

        # dig, from known source ports: UDP and TCP, IPv4 and IPv6.
        asked = []
        queries = [("www.example.test", "A"), ("www.example.test", "AAAA"), ("example.test", "MX"),
                   ("example.test", "CAA"), ("alias.example.test", "A"), ("chain1.example.test", "A"),
                   ("txt.example.test", "TXT"), ("_sip._tcp.example.test", "SRV"),
                   ("svc.example.test", "HTTPS"), ("naptr.example.test", "NAPTR"),
                   ("ssh.example.test", "SSHFP"), ("ptr.example.test", "PTR"),
                   ("example.test", "SOA"), ("example.test", "NS"), ("short.example.test", "A"),
                   ("nope.example.test", "A"), ("www.example.test", "TXT")]
        port = 20000  # below the ephemeral range kdig's random ports come from
        for i, (name, qtype) in enumerate(queries):
            for tcp, six in ((False, False), (True, False), (False, True)):
                port += 1
                asked.append((name, qtype, port, tcp, six) + dig(name, qtype, port, tcp, six))
        # A big answer: truncated over UDP (dig told not to retry), whole over TCP.
        port += 1
        asked.append(("long.example.test", "TXT", port, False, False)
                     + dig("long.example.test", "TXT", port, extra=["+ignore"]))
        port += 1
        asked.append(("long.example.test", "TXT", port, True, False)
                     + dig("long.example.test", "TXT", port, tcp=True))
        kasked = [("www.example.test", "A", False), ("example.test", "MX", True),
                  ("txt.example.test", "TXT", False), ("svc.example.test", "HTTPS", True)]
        kresults = [(n, t, tcp) + kdig(n, t, tcp) for n, t, tcp in kasked]

        # dnsperf: a load of 3,000 queries at 1,500 a second.
        names = [("www.example.test", "A"), ("mail.example.test", "A"), ("example.test", "MX"),
                 ("txt.example.test", "TXT"), ("nope%d.example.test", "A")]
        with open(os.path.join(TMP, "perf.txt"), "w") as f:
            for i in range(3000):
                n, t = names[i % len(names)]
                f.write("%s %s\n" % (n % i if "%d" in n else n, t))
        perf = sh("dnsperf", "-s", RES4, "-a", PERF4, "-d", os.path.join(TMP, "perf.txt"), "-n", "1", "-c", "4",
                  "-Q", "1500", "-t", "5", ns=NS_CLI).stdout
        sent = int(re.search(r"Queries sent:\s+(\d+)", perf).group(1))
        completed = int(re.search(r"Queries completed:\s+(\d+)", perf).group(1))
        time.sleep(1.0)

        pdnslog.send_signal(signal.SIGTERM)
        rc = pdnslog.wait(timeout=30)
        err = pdnslog.stderr.read().decode()
        expect("pdnslog exits 0 on SIGTERM", rc == 0, "(%s: %s)" % (rc, err[-300:]))
        expect("two capture threads in a fanout group", "fanout: 2 packet sockets" in err, err[:300])
        records = [json.loads(line) for line in open(log)]
        st = [json.loads(line) for line in open(stats)][-1]
        load_run(procs)
    finally:
        cleanup(procs)

    client = [r for r in records if r["server"] in (RES4, RES6)]
    upstream = [r for r in records if r["client"] == UP_RES and r["server"] == UP_AUTH]

    def qname(r):
        leg = r["query"] or r["response"]
        q = leg["questions"]
        return (q[0]["name"].lower(), q[0]["type"]) if q else None

    # Every dig query once, with its address, port, ID, rcode and answer.
    for name, qtype, port, tcp, six, qid, status, answers, flags in asked:
        mine = [r for r in client if r["client_port"] == port and r["client"] == (CLI6 if six else CLI4)]
        what = "%s %s %s%s" % (name, qtype, "tcp" if tcp else "udp", "6" if six else "")
        if not expect("dig %s: logged once" % what, len(mine) == 1, "(%d records)" % len(mine)):
            pass
        if len(mine) != 1:
            continue
        r = mine[0]
        got = sorted((a["ttl"], a["type"], normalise(a["data"])) for a in (r["response"] or {}).get("answer", []))
        expect("dig %s: exchange as dig saw it" % what,
               r["status"] == "answered" and r["id"] == qid and r["protocol"] == ("tcp" if tcp else "udp")
               and qname(r) == (name, qtype) and r["response"]["rcode"] == status,
               json.dumps(r)[:300])
        expect("dig %s: the answer dig printed" % what, got == answers, "\n  pdnslog %s\n  dig     %s"
               % (got, answers))
        if "tc" in flags:
            expect("dig %s: truncation seen" % what, r["response"]["flags"]["tc"] is True)
    truncated = [a for a in asked if "tc" in a[8]]
    expect("the big answer was truncated over UDP", len(truncated) == 1, str(len(truncated)))

    for name, qtype, tcp, qid, status in kresults:
        mine = [r for r in client if r["id"] == qid and qname(r) == (name, qtype)
                and r["client"] == CLI4 and r["protocol"] == ("tcp" if tcp else "udp")]
        expect("kdig %s %s: logged once with its rcode" % (name, qtype),
               len(mine) == 1 and mine[0]["response"]["rcode"] == status, str(len(mine)))

    # dnsperf: every query it sent is logged once; the ones it saw answered are.
    perf_recs = [r for r in client if r["client"] == PERF4]
    answered = sum(1 for r in perf_recs if r["status"] == "answered")
    expect("dnsperf: every query logged once", len(perf_recs) == sent,
           "(%d records, %d sent)" % (len(perf_recs), sent))
    expect("dnsperf: every completed query logged answered", answered == completed,
           "(%d answered, %d completed)" % (answered, completed))

    # The upstream leg: Unbound asking NSD for each name the clients asked
    # (the final step of a minimised query asks the full name and type).
    up = {qname(r) for r in upstream if r["status"] == "answered"}
    missing = {(n, t) for n, t, *_ in asked if t != "NS"} - up
    expect("upstream leg logged for every name asked", not missing, str(sorted(missing)[:5]))
    expect("upstream leg over TCP for the big answer",
           any(r["protocol"] == "tcp" and qname(r) == ("long.example.test", "TXT") for r in upstream))
    expect("no packet lost", st.get("pcap_dropped") == 0 and st.get("queue_drops") == 0,
           str({k: st.get(k) for k in ("pcap_dropped", "queue_drops")}))
    expect("every message parsed", st.get("dns_malformed") == 0, str(st.get("dns_malformed")))
    checks.finish("netns", " (%d dig, %d kdig, %d dnsperf queries; %d upstream exchanges)"
                  % (len(asked), len(kresults), sent, len(upstream)))


main()
