#!/usr/bin/python3
"""Signals never break input: pipes, regular files, live capture.

usage: test_signals.py PDNSLOG
A writer streams a corpus capture into pdnslog's standard input a few
packets at a time, with idle pauses (as `tcpdump -w - | pdnslog -pcap -`
does on a quiet link), and sends signals:
  - SIGHUP while the log is renamed (as logrotate does), twice: every record
    exactly once across the three files, status 0;
  - SIGUSR1 during a pause: a stats record within a second, and the capture
    carries on;
  - -stats_interval 1s during a 3 s pause: stats records keep coming;
  - SIGTERM and SIGINT during a pause (also with a packet half written, and
    on a gzip stream): status 0 at once, every record of what was sent.
Then the same signals on a regular file, held back by a slow reader of
standard output, and (as root) on an idle interface."""
import atexit
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # tests/e2e/checks.py
from checks import expect

BIN = sys.argv[1]
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAPTURE = os.path.join(TOP, "tests", "corpus", "pcaps", "dnscap__dns.pcap")
tmp = tempfile.mkdtemp()
atexit.register(shutil.rmtree, tmp, True)
COMMON = ["-format", "json", "-name", "s1"]


def read_pcap(path):
    data = open(path, "rb").read()
    header, off, packets = data[:24], 24, []
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        packets.append(data[off:off + 16 + incl])
        off += 16 + incl
    return header, packets


HEADER, PACKETS = read_pcap(CAPTURE)


def lines(path):
    return open(path).read().splitlines() if os.path.exists(path) else []


def stats_lines(path):
    return [l for l in lines(path) if l.startswith('{"type":"stats"')]


def reference(npackets):
    """The records of the first npackets read from a file, sorted."""
    path = os.path.join(tmp, "ref%d.pcap" % npackets)
    with open(path, "wb") as f:
        f.write(HEADER + b"".join(PACKETS[:npackets]))
    out = subprocess.run([BIN, "-pcap", path] + COMMON, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, timeout=30).stdout.decode()
    return sorted(out.splitlines())


def whole_json(records):
    try:
        for r in records:
            json.loads(r)
        return True
    except ValueError:
        return False


def wait_for(cond, timeout):
    """Poll cond() every 20 ms: the seconds it took, or None."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if cond():
            return time.monotonic() - start
        time.sleep(0.02)
    return None


class Feed:
    """pdnslog reading standard input from this writer."""

    def __init__(self, name, args, compress=False):
        self.out = os.path.join(tmp, name + ".out")
        self.err = os.path.join(tmp, name + ".err")
        self.p = subprocess.Popen([BIN, "-pcap", "-"] + COMMON + args, stdin=subprocess.PIPE,
                                  stdout=open(self.out, "wb"), stderr=open(self.err, "wb"))
        self.z = zlib.compressobj(6, zlib.DEFLATED, 31) if compress else None
        self.sent = 0
        self.write(HEADER)

    def write(self, b):
        if self.z:
            b = self.z.compress(b) + self.z.flush(zlib.Z_SYNC_FLUSH)
        try:
            self.p.stdin.write(b)
            self.p.stdin.flush()
        except BrokenPipeError:
            pass  # pdnslog is gone: the checks say so

    def send(self, n, per=4, gap=0.01):
        """n more packets, per at a time, gap seconds apart."""
        end = min(self.sent + n, len(PACKETS))
        while self.sent < end:
            k = min(per, end - self.sent)
            self.write(b"".join(PACKETS[self.sent:self.sent + k]))
            self.sent += k
            time.sleep(gap)

    def close(self):
        try:
            if self.z:
                self.p.stdin.write(self.z.flush())
            self.p.stdin.close()
        except BrokenPipeError:
            pass

    def signal(self, sig):
        if self.alive():
            self.p.send_signal(sig)

    def wait(self, timeout):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None

    def alive(self):
        return self.p.poll() is None

    def errors(self):
        """Standard error but the stats records."""
        return [l for l in lines(self.err) if not l.startswith('{"type":"stats"')]


ALL = reference(len(PACKETS))

# SIGHUP, logrotate-style, twice: every record once across the files.
log = os.path.join(tmp, "dns.log")
f = Feed("hup", ["-quiet", "-logfile", log, "-stats_interval", "0"])
f.send(40)
time.sleep(0.3)
os.rename(log, log + ".1")
f.signal(signal.SIGHUP)
time.sleep(0.3)
expect("pipe, SIGHUP: pdnslog carries on", f.alive())
expect("pipe, SIGHUP: the log is reopened", wait_for(lambda: os.path.exists(log), 1.0) is not None)
f.send(50)
if os.path.exists(log):
    os.rename(log, log + ".2")
if f.alive():
    f.signal(signal.SIGHUP)
time.sleep(0.3)
f.send(len(PACKETS))
f.close()
rc = f.wait(10)
expect("pipe, SIGHUP twice: status 0", rc == 0, str(rc))
expect("pipe, SIGHUP: no error", f.errors() == [], str(f.errors()))
got = lines(log + ".1") + lines(log + ".2") + lines(log)
expect("pipe, SIGHUP: every record exactly once across the rotated files", sorted(got) == ALL,
       "%d records, want %d" % (len(got), len(ALL)))
expect("pipe, SIGHUP: every record whole", whole_json(got))

# SIGUSR1 during an idle pause: stats within a second; the capture goes on.
f = Feed("usr1", ["-stats_interval", "0"])
f.send(60)
time.sleep(0.5)
before = len(stats_lines(f.err))
f.signal(signal.SIGUSR1)
took = wait_for(lambda: len(stats_lines(f.err)) > before, 1.0)
expect("pipe, SIGUSR1 while idle: a stats record within 1 s", took is not None, str(took))
expect("pipe, SIGUSR1: pdnslog carries on", f.alive())
f.send(len(PACKETS))
f.close()
rc = f.wait(10)
expect("pipe, SIGUSR1: status 0", rc == 0, str(rc))
expect("pipe, SIGUSR1: no error", f.errors() == [], str(f.errors()))
expect("pipe, SIGUSR1: every record", sorted(lines(f.out)) == ALL)

# -stats_interval 1s: records keep coming while the pipe is idle.
f = Feed("interval", ["-stats_interval", "1s"])
f.send(30)
time.sleep(0.2)
before = len(stats_lines(f.err))
time.sleep(3.1)
during = len(stats_lines(f.err)) - before
expect("pipe, -stats_interval 1s: stats records during a 3 s idle pause (%d)" % during,
       2 <= during <= 4)
f.send(len(PACKETS))
f.close()
rc = f.wait(10)
expect("pipe, -stats_interval: status 0", rc == 0, str(rc))


def stop_while_idle(name, sig, partial=False, compress=False):
    f = Feed(name, ["-stats_interval", "0"], compress=compress)
    f.send(70)
    if partial:  # half a packet: the writer was cut off mid-record
        f.write(PACKETS[f.sent][:20])
    time.sleep(0.5)
    start = time.monotonic()
    f.signal(sig)
    rc = f.wait(5)
    took = time.monotonic() - start
    what = "pipe%s, %s while idle%s" % (", gzip" if compress else "", signal.Signals(sig).name,
                                         ", half a packet sent" if partial else "")
    expect(what + ": status 0", rc == 0, str(rc))
    expect(what + ": stops at once (%.2f s)" % took, took < 1.5)
    expect(what + ": no error", f.errors() == [], str(f.errors()))
    want = reference(70)
    expect(what + ": every record of what was sent", sorted(lines(f.out)) == want,
           "%d records, want %d" % (len(lines(f.out)), len(want)))
    f.close()


stop_while_idle("term", signal.SIGTERM)
stop_while_idle("int", signal.SIGINT)
stop_while_idle("term-partial", signal.SIGTERM, partial=True)
stop_while_idle("term-gzip", signal.SIGTERM, compress=True)
stop_while_idle("int-gzip-partial", signal.SIGINT, partial=True, compress=True)

# Before the first byte: standard input waiting for its writer.
f = subprocess.Popen([BIN, "-pcap", "-", "-quiet"], stdin=subprocess.PIPE,
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
time.sleep(0.5)
f.send_signal(signal.SIGTERM)
try:
    rc = f.wait(3)
except subprocess.TimeoutExpired:
    f.kill()
    rc = None
err = f.stderr.read().decode()
expect("pipe, SIGTERM before any byte: status 0", rc == 0, "%s %s" % (rc, err[:200]))
try:
    f.stdin.close()
except BrokenPipeError:
    pass

# A regular file, held back by a slow reader of standard output (one
# worker: records are written from the capture thread).
big = os.path.join(tmp, "big.pcap")
with open(big, "wb") as out:
    out.write(HEADER)
    for k in range(150):
        for p in PACKETS:
            sec, usec, incl, orig = struct.unpack("<IIII", p[:16])
            out.write(struct.pack("<IIII", sec + 1000 * k, usec, incl, orig) + p[16:])
big_ref = sorted(subprocess.run([BIN, "-pcap", big] + COMMON, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, timeout=60).stdout.decode().splitlines())


class SlowReader(threading.Thread):
    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream, self.chunks, self.fast = stream, [], threading.Event()

    def run(self):
        while True:
            b = self.stream.read1(16384) if not self.fast.is_set() else self.stream.read1(1 << 20)
            if not b:
                return
            self.chunks.append(b)
            if not self.fast.is_set():
                time.sleep(0.02)

    def lines(self):
        return b"".join(self.chunks).decode().splitlines()


def slow_file(name, args):
    err = os.path.join(tmp, name + ".err")
    p = subprocess.Popen([BIN, "-pcap", big, "-numprocs", "1"] + COMMON + args,
                         stdout=subprocess.PIPE, stderr=open(err, "wb"))
    r = SlowReader(p.stdout)
    r.start()
    return p, r, err


flog, fstats = os.path.join(tmp, "file.log"), os.path.join(tmp, "file.stats")
p, r, err = slow_file("file", ["-logfile", flog, "-stats_file", fstats, "-stats_interval", "0"])
time.sleep(0.4)
os.rename(flog, flog + ".1")
p.send_signal(signal.SIGHUP)
time.sleep(0.2)
p.send_signal(signal.SIGUSR1)
took = wait_for(lambda: len(stats_lines(fstats)) >= 1, 1.0)
expect("file, SIGUSR1 while reading: a stats record within 1 s", took is not None, str(took))
expect("file, SIGHUP and SIGUSR1: still reading", p.poll() is None)
r.fast.set()
rc = p.wait(60)
r.join(10)
expect("file, SIGHUP and SIGUSR1: status 0", rc == 0, str(rc))
expect("file: no error", [l for l in lines(err) if not l.startswith("{")] == [], str(lines(err)[:3]))
got = lines(flog + ".1") + lines(flog)
expect("file, SIGHUP: every record exactly once across the rotated files", sorted(got) == big_ref,
       "%d records, want %d" % (len(got), len(big_ref)))
expect("file, SIGHUP: the old file had records, the new one too",
       lines(flog + ".1") != [] and lines(flog) != [])
expect("file: standard output had every record", sorted(r.lines()) == big_ref)

for sig in (signal.SIGTERM, signal.SIGINT):
    name = signal.Signals(sig).name
    p, r, err = slow_file("file-" + name, ["-stats_interval", "0"])
    time.sleep(0.4)
    p.send_signal(sig)
    r.fast.set()
    rc = p.wait(30)
    r.join(10)
    expect("file, %s: status 0" % name, rc == 0, str(rc))
    st = [json.loads(l) for l in stats_lines(err)]
    out = r.lines()
    expect("file, %s: stopped before the end" % name, len(out) < len(big_ref), str(len(out)))
    built = st[-1].get("records_built", st[-1].get("records_written")) if st else None
    expect("file, %s: every record built was written, whole" % name,
           built == len(out) and whole_json(out), "%s built, %d written" % (built, len(out)))

# Live capture on an idle interface (root only): periodic stats, SIGUSR1,
# SIGHUP, SIGTERM.
if os.geteuid() == 0:
    llog, lstats = os.path.join(tmp, "live.log"), os.path.join(tmp, "live.stats")
    p = subprocess.Popen([BIN, "-dev", "lo", "-ports", "5396", "-quiet", "-logfile", llog,
                          "-stats_file", lstats, "-stats_interval", "1s"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.3)
    n0 = len(stats_lines(lstats))
    time.sleep(2.1)
    expect("live, idle: -stats_interval 1s keeps coming", len(stats_lines(lstats)) - n0 >= 1)
    os.rename(llog, llog + ".1")
    p.send_signal(signal.SIGHUP)
    expect("live, SIGHUP: the log is reopened", wait_for(lambda: os.path.exists(llog), 1.0) is not None)
    n1 = len(stats_lines(lstats))
    p.send_signal(signal.SIGUSR1)
    expect("live, SIGUSR1: a stats record within 1 s",
           wait_for(lambda: len(stats_lines(lstats)) > n1, 1.0) is not None)
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = None
    expect("live, SIGTERM: status 0", rc == 0, "%s %s" % (rc, p.stderr.read()[:300]))

checks.finish("signals", "" if os.geteuid() == 0 else ", live capture skipped (needs root)")
