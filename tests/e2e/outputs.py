#!/usr/bin/python3
"""End-to-end: the syslog sink and statsd counters, each against a socket this
test listens on (a Unix datagram socket in a temporary folder; UDP on
127.0.0.1), with pdnslog's seccomp sandbox on.

usage: outputs.py PDNSLOG"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(top, "tests", "e2e"))
from checks import expect, finish, stats_of  # noqa: E402

PDNSLOG = os.path.abspath(sys.argv[1])
PCAP = os.path.join(top, "tests", "corpus", "pcaps", "dnscap__dns.pcap")


def receive_all(sock, out, stop):
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            out.append(sock.recv(1 << 20))
        except socket.timeout:
            pass


def syslog(tmp):
    path = os.path.join(tmp, "log.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(path)
    got, stop = [], threading.Event()
    t = threading.Thread(target=receive_all, args=(s, got, stop))
    t.start()
    log = os.path.join(tmp, "records")
    p = subprocess.run([PDNSLOG, "-pcap", PCAP, "-quiet", "-logfile", log, "-syslog_facility", "local3",
                        "-syslog_priority", "notice", "-syslog_socket", path, "-numprocs", "1"],
                       capture_output=True, text=True, timeout=60)
    time.sleep(0.5)
    stop.set()
    t.join()
    s.close()
    lines = open(log).read().splitlines()
    st = stats_of(p.stderr)
    expect("syslog: exit 0", p.returncode == 0, p.stderr[-300:])
    head = re.compile(r"^<157>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d pdnslog\[(\d+)\]: (.*)$", re.S)
    msgs = [head.match(m.decode()) for m in got]
    expect("syslog: every message is <local3.notice>TIMESTAMP pdnslog[PID]: RECORD",
           all(msgs) and len(msgs) > 0, repr(got[:1]))
    bodies = [m.group(2) for m in msgs if m]
    expect("syslog: one message per record, the -logfile lines exactly (%d of %d)" % (len(bodies), len(lines)),
           sorted(bodies) == sorted(lines) and st.get("syslog_dropped") == 0 and st.get("syslog_errors") == 0 and
           st.get("syslog_records") == len(lines) == st.get("records_written"),
           str({k: v for k, v in st.items() if k.startswith("syslog")}))
    expect("syslog: the flat record's level is the priority",
           all(json.loads(l)["level"] == "notice" for l in lines) and len(lines) > 0)
    # Nobody listening: counted, said, exit 1; never a hang.
    os.unlink(path)
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dead.bind(path)
    data = open(PCAP, "rb").read()
    p2 = subprocess.Popen([PDNSLOG, "-pcap", "-", "-quiet", "-syslog_facility", "daemon", "-syslog_socket", path,
                           "-numprocs", "1"], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    p2.stdin.write(data[:24])  # the file header: pdnslog opens the capture, then syslog
    p2.stdin.flush()
    time.sleep(0.5)
    dead.close()  # the daemon goes away after pdnslog connected
    os.unlink(path)
    _, err = p2.communicate(data[24:], timeout=60)
    st = stats_of(err.decode())
    expect("syslog daemon gone: every record counted in syslog_errors, none written, exit 1",
           p2.returncode == 1 and st.get("records_built", 0) > 0 and
           st.get("syslog_errors") == st.get("records_built") and st.get("records_written") == 0,
           "rc=%s %s" % (p2.returncode, {k: v for k, v in st.items() if k.startswith(("syslog", "records"))}))
    r = subprocess.run([PDNSLOG, "-pcap", PCAP, "-syslog_facility", "daemon", "-syslog_socket", path],
                       capture_output=True, text=True)
    expect("no syslog daemon at start: a clear error, exit 1",
           r.returncode == 1 and "syslog" in r.stderr and path in r.stderr, r.stderr[-200:])
    r = subprocess.run([PDNSLOG, "-pcap", PCAP, "-syslog_facility", "nosuch"], capture_output=True, text=True)
    expect("bad -syslog_facility: exit 2", r.returncode == 2 and "-syslog_facility must be" in r.stderr)


def statsd():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    got, stop = [], threading.Event()
    t = threading.Thread(target=receive_all, args=(s, got, stop))
    t.start()
    p = subprocess.run([PDNSLOG, "-pcap", PCAP, "-quiet", "-statsd_host", "127.0.0.1:%d" % port,
                        "-statsd_prefix", "pdns.test"], capture_output=True, text=True, timeout=60)
    time.sleep(0.5)
    stop.set()
    t.join()
    s.close()
    st = stats_of(p.stderr)
    metrics = {}
    ok_shape = True
    for d in got:
        expect_size = len(d) <= 1432
        ok_shape = ok_shape and expect_size
        for line in d.decode().split("\n"):
            m = re.match(r"^pdns\.test\.([a-z_.]+):(\d+)\|([cg])$", line)
            if not m:
                ok_shape = False
                continue
            metrics[m.group(1)] = metrics.get(m.group(1), 0) + int(m.group(2))
    expect("statsd: datagrams of NAME:VALUE|c or |g lines, at most 1432 bytes", ok_shape and got, repr(got[:1])[:300])
    counters = [k for k, v in st.items() if isinstance(v, int) and k not in ("pending", "pending_peak")]
    expect("statsd: every counter of the stats record, the same totals",
           all(metrics.get(k) == st[k] for k in counters) and len(counters) > 40,
           str([(k, metrics.get(k), st[k]) for k in counters if metrics.get(k) != st[k]][:5]))
    expect("statsd: the pending gauges", "pending" in metrics and "pending_peak" in metrics)
    r = subprocess.run([PDNSLOG, "-pcap", PCAP, "-statsd_host", "[::1"], capture_output=True, text=True)
    expect("bad -statsd_host: exit 2", r.returncode == 2, r.stderr[-200:])


with tempfile.TemporaryDirectory() as tmp:
    syslog(tmp)
    statsd()
finish("outputs")
