#!/usr/bin/python3
"""Live capture on loopback: signals and stats while pdnslog runs.

usage: live.py PDNSLOG
A DNS server (dnspython answering on 127.0.0.1:5399) and a client exchange
queries while pdnslog captures on lo.  Midway the log file is renamed and
SIGHUP sent (logrotate): no record may be lost or split between the two
files.  SIGUSR1 must write a stats record at once; SIGTERM must stop pdnslog
with status 0 after writing a query still waiting as unanswered."""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import dns.message
import dns.rrset

import checks  # tests/e2e/checks.py, beside this script
from checks import expect

BIN = sys.argv[1]
PORT = 5399
tmp = tempfile.mkdtemp()
log, stats_file = os.path.join(tmp, "dns.log"), os.path.join(tmp, "stats.jsonl")


def serve(sock, stop):
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            wire, peer = sock.recvfrom(4096)
        except socket.timeout:
            continue
        q = dns.message.from_wire(wire)
        if q.question[0].name.to_text().startswith("noanswer"):
            continue
        r = dns.message.make_response(q)
        r.answer.append(dns.rrset.from_text(q.question[0].name, 300, "IN", "A", "192.0.2.7"))
        sock.sendto(r.to_wire(), peer)


def ask(client, names):
    for name in names:
        client.sendto(dns.message.make_query(name, "A").to_wire(), ("127.0.0.1", PORT))
        if not name.startswith("noanswer"):
            client.recvfrom(4096)


def seccomp_mode(pid):
    """The Seccomp: line of /proc/PID/status (2: a filter is installed)."""
    for line in open("/proc/%d/status" % pid):
        if line.startswith("Seccomp:"):
            return int(line.split()[1])
    return -1


def records(path):
    return [json.loads(line) for line in open(path)] if os.path.exists(path) else []


server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind(("127.0.0.1", PORT))
stop = threading.Event()
threading.Thread(target=serve, args=(server, stop), daemon=True).start()
client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client.settimeout(5)

METRICS = 5398
p = subprocess.Popen([BIN, "-dev", "lo", "-ports", str(PORT), "-quiet", "-logfile", log,
                      "-stats_file", stats_file, "-stats_interval", "1s", "-numprocs", "2",
                      "-metrics", "127.0.0.1:%d" % METRICS],
                     stderr=subprocess.PIPE)
try:
    time.sleep(1.0)                      # capture is up
    if os.environ.get("PDNSLOG_SANITIZED"):
        expect("sandbox: none in a sanitizer build", seccomp_mode(p.pid) == 0)
    else:
        expect("sandbox: a seccomp filter is installed by default", seccomp_mode(p.pid) == 2,
               str(seccomp_mode(p.pid)))
    ask(client, ["a%d.live.example" % i for i in range(50)])
    time.sleep(0.5)
    os.rename(log, log + ".1")           # logrotate moves the files, then HUPs
    os.rename(stats_file, stats_file + ".1")
    p.send_signal(signal.SIGHUP)
    time.sleep(0.3)
    ask(client, ["b%d.live.example" % i for i in range(50)])
    ask(client, ["noanswer.live.example"])
    time.sleep(0.5)
    before = len(records(stats_file))
    p.send_signal(signal.SIGUSR1)
    time.sleep(0.5)
    expect("SIGUSR1 writes a stats record", len(records(stats_file)) > before)
    import urllib.request
    page = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % METRICS, timeout=5).read().decode()
    values = {line.split("{")[0]: float(line.rsplit(" ", 1)[1]) for line in page.splitlines()
              if line.startswith("pdnslog_") and "kind=" not in line}
    expect("metrics: Prometheus text with the counters",
           "# TYPE pdnslog_packets_total counter" in page and values.get("pdnslog_pair_answered_total", 0) >= 50,
           str({k: v for k, v in values.items() if "pair_" in k}))
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=20)
finally:
    if p.poll() is None:
        p.kill()
    stop.set()
err = p.stderr.read().decode()
expect("SIGTERM: exit status 0", rc == 0, "(%s: %s)" % (rc, err[-300:]))
old, new = records(log + ".1"), records(log)
names = [r["q"] for r in old + new]
expect("no record lost across the reopen", sorted(n for n in names if n.endswith("live.example"))
       == sorted(["a%d.live.example" % i for i in range(50)] + ["b%d.live.example" % i for i in range(50)]
                 + ["noanswer.live.example"]), "(%d old, %d new)" % (len(old), len(new)))
expect("records before the HUP in the old file", all(n.startswith("a") for n in (r["q"] for r in old)))
expect("records after the HUP in the new file", any(r["q"].startswith("b") for r in new))
expect("the waiting query written as unanswered at SIGTERM",
       any(r["q"] == "noanswer.live.example" and r["status"] == "unanswered" for r in new))
expect("client and server the right way round",
       all(r["dst"] == "127.0.0.1" and r["sport"] != str(PORT) for r in old + new))
expect("SIGHUP reopens -stats_file too: records in the old file and the new",
       len(records(stats_file + ".1")) >= 1 and len(records(stats_file)) >= 2,
       "(%d old, %d new)" % (len(records(stats_file + ".1")), len(records(stats_file))))
st = records(stats_file + ".1") + records(stats_file)
expect("periodic stats records (1s) and one at exit", len(st) >= 3, "(%d)" % len(st))
last = st[-1] if st else {}
expect("stats: kernel counters present", last.get("pcap_received", 0) >= last.get("packets", 1) > 0, str(last.get("pcap_received")))
expect("stats: received = processed + counted drops",
       last.get("packets", -1) + last.get("queue_drops", 0) <= last.get("pcap_received", 0)
       and last.get("pair_answered") == 100, str({k: last.get(k) for k in ("packets", "queue_drops", "pcap_received", "pair_answered")}))

q = subprocess.Popen([BIN, "-dev", "lo", "-ports", str(PORT), "-quiet", "-sandbox=false", "-numprocs", "1"],
                     stderr=subprocess.DEVNULL)
try:
    time.sleep(1.0)
    expect("-sandbox=false: no seccomp filter", seccomp_mode(q.pid) == 0, str(seccomp_mode(q.pid)))
    q.send_signal(signal.SIGTERM)
    expect("-sandbox=false: exit status 0", q.wait(timeout=20) == 0)
finally:
    if q.poll() is None:
        q.kill()

# Not root at all: user nobody with CAP_NET_RAW alone (as a systemd unit
# with AmbientCapabilities would run it) captures and logs.
import shutil
nobody_dir = tempfile.mkdtemp()
os.chmod(nobody_dir, 0o777)
shutil.copy(BIN, os.path.join(nobody_dir, "pdnslog"))
os.chmod(os.path.join(nobody_dir, "pdnslog"), 0o755)
nlog = os.path.join(nobody_dir, "dns.log")
stop2 = threading.Event()
threading.Thread(target=serve, args=(server, stop2), daemon=True).start()
n = subprocess.Popen(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                      "--inh-caps=-all,+net_raw", "--ambient-caps=-all,+net_raw", "--bounding-set=-all,+net_raw",
                      os.path.join(nobody_dir, "pdnslog"), "-dev", "lo", "-ports", str(PORT), "-quiet",
                      "-logfile", nlog, "-numprocs", "1"], stderr=subprocess.PIPE)
try:
    time.sleep(1.0)
    ask(client, ["c%d.live.example" % i for i in range(10)])
    time.sleep(0.5)
    n.send_signal(signal.SIGTERM)
    nrc = n.wait(timeout=20)
finally:
    if n.poll() is None:
        n.kill()
    stop2.set()
expect("as nobody with only CAP_NET_RAW: captures and exits 0",
       nrc == 0 and sorted(r["q"] for r in records(nlog)) == sorted("c%d.live.example" % i for i in range(10)),
       "(%s: %s; %d records)" % (nrc, n.stderr.read().decode()[-200:], len(records(nlog))))
shutil.rmtree(nobody_dir, ignore_errors=True)
checks.finish("live")
