#!/usr/bin/python3
"""End-to-end: pdnslog's -fluentd_socket sink against a real Forward protocol
server, the OpenTelemetry Collector's fluentforward receiver
(tests/fluentd/main.go, built here with Go from the module proxy, once, into
build/fluentd/fwdserver), which writes every record it receives as a JSON
line with its tag and time.

- Corpus, over a Unix socket: every record of every test capture arrives
  exactly once and in order, tag "<name>.service", time in whole seconds of
  the run, fields and their types equal to the flat JSON line (-format json
  too, on some); pdnslog counts each delivered.
- Over TCP (tcp://127.0.0.1:PORT, and [::1]), with three workers: every
  record once, each client/server pair's records in their worker's order.
- The wire itself, read by a server of this test that reads one message and
  hangs up without acknowledging it: PackedForward, [tag, bin, {size,
  chunk}], entries [integer time, map] with the line's keys in order; the
  real server then gets everything once, the resent records counted.
- A restart of the server in the middle of a live run (standard input fed
  meanwhile): nothing lost, duplicates only of what was not acknowledged and
  counted in fluentd_retried, each pair in order, said once on stderr each
  way.
- No server at start: pdnslog runs, says so once, delivers when it comes.
- The queue's bound: what does not fit is dropped and counted, what is
  queued at the end counted undelivered, exit status 1.
- -fluentd_ack=false; gopassivedns's command line, environment and config
  names; bad addresses.

usage: fluentd_sink.py PDNSLOG"""
import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(top, "tests", "e2e"))
sys.path.insert(0, os.path.join(top, "tests", "gen"))
import pcapgen  # noqa: E402
from checks import expect, finish, stats_of  # noqa: E402

import msgpack  # noqa: E402  (python3-msgpack)

PDNSLOG = os.path.abspath(sys.argv[1])
SANITIZED = bool(os.environ.get("PDNSLOG_SANITIZED"))
GO_DIR = os.path.join(top, "tests", "fluentd")
SERVER = os.path.join(top, "build", "fluentd", "fwdserver")
PCAPS = os.path.join(top, "tests", "corpus", "pcaps")


def build_server():
    """Build the Go server unless the binary is newer than its sources."""
    srcs = [os.path.join(GO_DIR, n) for n in ("main.go", "go.mod", "go.sum")]
    if os.path.exists(SERVER) and os.path.getmtime(SERVER) >= max(os.path.getmtime(s) for s in srcs):
        return True
    os.makedirs(os.path.dirname(SERVER), exist_ok=True)
    go = shutil.which("go") or "/usr/local/go/bin/go"
    env = dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=readonly", CGO_ENABLED="0")
    p = subprocess.run([go, "build", "-trimpath", "-o", SERVER + ".tmp", "."], cwd=GO_DIR, env=env,
                       capture_output=True, text=True, timeout=900)
    if p.returncode != 0:
        print("go build of tests/fluentd failed:\n" + p.stdout[-1000:] + p.stderr[-3000:])
        return False
    os.replace(SERVER + ".tmp", SERVER)
    return True


class Server:
    """The fluentforward receiver on a Unix socket path or HOST:PORT,
    appending what it receives to `out`."""

    def __init__(self, listen, out, tmp):
        self.listen, self.out = listen, out
        self.ready = os.path.join(tmp, "ready-%d" % id(self))
        self.log = open(os.path.join(tmp, "server-%d.log" % id(self)), "a")
        self.p = None

    def start(self):
        if os.path.exists(self.ready):
            os.unlink(self.ready)
        self.p = subprocess.Popen([SERVER, "-listen", self.listen, "-out", self.out,
                                   "-ready", self.ready, "-lifetime", "15m"],
                                  stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline and not os.path.exists(self.ready):
            if self.p.poll() is not None:
                raise RuntimeError("fwdserver exited: status %d" % self.p.returncode)
            time.sleep(0.05)
        if not os.path.exists(self.ready):
            raise RuntimeError("fwdserver did not start")
        return self

    def stop(self, hung=False):
        """As a crash looks to clients (connections dropped), without losing
        what the server acknowledged (main.go drains before exiting).
        hung: it had stopped answering (SIGSTOP) before, and still holds
        what it was sent meanwhile, unacknowledged."""
        if self.p and self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            if hung:
                self.p.send_signal(signal.SIGCONT)
            try:
                self.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.p = None

    def records(self):
        try:
            with open(self.out) as f:
                return [json.loads(l) for l in f if l.endswith("\n")]
        except FileNotFoundError:
            return []

    def wait_count(self, n, timeout=20):
        deadline = time.time() + timeout
        got = self.records()
        while len(got) < n and time.time() < deadline:
            time.sleep(0.05)
            got = self.records()
        return got

    def __enter__(self):
        return self.start()

    def __exit__(self, *a):
        self.stop()
        self.log.close()


def fl(st):
    return {k: v for k, v in st.items() if k.startswith("fluentd")}


def same(a, b):
    """Equal values of equal types (json: True is not 1, 1 is not 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def run(args, env=None, timeout=120):
    p = subprocess.run([PDNSLOG] + args, capture_output=True, text=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def corpus_names(every=1):
    names = []
    for lst in ("udp.list", "tcpfrag.list"):
        with open(os.path.join(top, "tests", "corpus", lst)) as f:
            names += [n.strip() for n in f if n.strip() and not n.startswith("#")]
    return names[::every]


def canon(r):
    return json.dumps(r, sort_keys=True)


def pair_orders(records):
    """Each client/server pair's records in order, first occurrences only:
    one pair's exchanges are all one worker's."""
    seen, by = set(), {}
    for r in records:
        c = canon(r)
        if c in seen:
            continue
        seen.add(c)
        by.setdefault((r.get("src"), r.get("dst")), []).append(c)
    return by


# ---- the corpus ------------------------------------------------------------

def corpus(tmp, srv, address, names, fmt="flat", numprocs=1, label="unix"):
    """Every capture through pdnslog to the server at address; per capture
    the records that arrive are checked against the -logfile lines."""
    bad = {"status": [], "count": [], "fields": [], "tag": [], "time": [], "order": []}
    total = 0
    for n in names:
        log = os.path.join(tmp, "corpus.log")
        if os.path.exists(log):
            os.unlink(log)
        before = len(srv.records())
        t0 = time.time()
        rc, out, err = run(["-pcap", os.path.join(PCAPS, n), "-format", fmt, "-quiet", "-logfile", log,
                            "-numprocs", str(numprocs), "-name", "sensor-" + label,
                            "-fluentd_socket", address, "-stats_interval", "0"])
        t1 = time.time()
        try:
            with open(log) as f:
                lines = [json.loads(l) for l in f]
        except FileNotFoundError:
            bad["status"].append((n, rc, "no -logfile written", err[-300:]))
            continue
        total += len(lines)
        st = stats_of(err)
        if rc != 0 or st.get("fluentd_delivered") != len(lines) or \
           st.get("records_written") != len(lines) or st.get("fluentd_dropped") or \
           st.get("fluentd_undelivered") or st.get("fluentd_errors") or st.get("fluentd_retried"):
            bad["status"].append((n, rc, fl(st), len(lines), err[-300:]))
        got = srv.wait_count(before + len(lines))[before:]
        if len(got) != len(lines):
            bad["count"].append((n, len(got), len(lines)))
            continue
        recs = [g["record"] for g in got]
        if numprocs == 1:
            if not all(same(a, b) for a, b in zip(recs, lines)):
                i = next(i for i, (a, b) in enumerate(zip(recs, lines)) if not same(a, b))
                bad["fields"].append((n, recs[i], lines[i]))
        else:
            if sorted(canon(r) for r in recs) != sorted(canon(r) for r in lines):
                bad["fields"].append((n, "multisets differ"))
            if pair_orders(recs) != pair_orders(lines):
                bad["order"].append(n)
        if any(g["tag"] != "sensor-%s.service" % label for g in got):
            bad["tag"].append((n, got[0]["tag"]))
        if any(g["time_ns"] % 1000000000 or not int(t0) - 1 <= g["time_ns"] // 1000000000 <= t1 + 1
               for g in got):
            bad["time"].append((n, [g["time_ns"] for g in got[:3]], t0, t1))
    what = "%s, -format %s, %d worker(s)" % (label, fmt, numprocs)
    expect("%s: %d captures, %d records: each counted delivered, exit 0" % (what, len(names), total),
           not bad["status"], str(bad["status"][:3]))
    expect("%s: every record arrives exactly once" % what, not bad["count"], str(bad["count"][:3]))
    expect("%s: fields and types equal to the JSON line's%s" %
           (what, " in the same order" if numprocs == 1 else ""), not bad["fields"], str(bad["fields"][:2]))
    if numprocs > 1:
        expect("%s: each client/server pair in its worker's order" % what, not bad["order"],
               str(bad["order"][:3]))
    expect("%s: tag <name>.service" % what, not bad["tag"], str(bad["tag"][:3]))
    expect("%s: time in whole seconds, during the run" % what, not bad["time"], str(bad["time"][:3]))
    return total


# ---- a DNS stream for standard input ---------------------------------------

def pcap_header():
    return struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)


def frame(ts, src, dst, sport, dport, payload):
    data = pcapgen.ether(pcapgen.ipv4(src, dst, 17, pcapgen.udp(sport, dport, payload)))
    sec, usec = int(ts), int(round((ts - int(ts)) * 1e6))
    return struct.pack("<IIII", sec, usec, len(data), len(data)) + data


def qname_wire(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"


def exchange(i, ts=1700000000.0):
    """Query and answer i: 64 clients, a distinct name each."""
    ts += i * 0.001
    client, server = "10.7.0.%d" % (i % 64 + 1), "10.7.255.53"
    qid, port = i & 0xffff, 1024 + i % 60000
    q = qname_wire("n%d.fluentd.test" % i)
    query = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)
    ans = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + q + struct.pack("!HH", 1, 1) + \
        b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("192.0.2.%d" % (i % 250 + 1))
    return frame(ts, client, server, port, 53, query) + frame(ts + 0.0005, server, client, 53, port, ans)


def write_pcap(path, n):
    with open(path, "wb") as f:
        f.write(pcap_header())
        for i in range(n):
            f.write(exchange(i))


class Fed:
    """pdnslog reading standard input, stderr to a file."""

    def __init__(self, tmp, name, args):
        self.errpath = os.path.join(tmp, name + ".err")
        self.log = os.path.join(tmp, name + ".log")
        self.errf = open(self.errpath, "w")
        self.p = subprocess.Popen([PDNSLOG, "-pcap", "-", "-quiet", "-logfile", self.log,
                                   "-stats_interval", "0"] + args,
                                  stdin=subprocess.PIPE, stderr=self.errf)
        self.p.stdin.write(pcap_header())
        self.n = 0

    def feed(self, count, seconds=0.0):
        """count more exchanges, spread over `seconds`."""
        step = max(1, count // 20)
        for start in range(0, count, step):
            for i in range(self.n + start, self.n + min(count, start + step)):
                self.p.stdin.write(exchange(i))
            self.p.stdin.flush()
            if seconds:
                time.sleep(seconds / 20)
        self.n += count

    def stderr(self):
        with open(self.errpath) as f:
            return f.read()

    def close(self, timeout=120):
        self.p.stdin.close()
        rc = self.p.wait(timeout=timeout)
        self.errf.close()
        with open(self.log) as f:
            lines = [json.loads(l) for l in f]
        return rc, lines, self.stderr()


def restart(tmp):
    sock = os.path.join(tmp, "restart.sock")
    out = os.path.join(tmp, "restart.out")
    srv = Server(sock, out, tmp).start()
    p = Fed(tmp, "restart", ["-numprocs", "2", "-name", "r", "-fluentd_socket", sock,
                             "-fluentd_flush_timeout", "60s"])
    n1, n2, n3 = 3000, 3000, 3000
    p.feed(n1, 2.0)
    # In the middle: the server hangs a while (what pdnslog sends meanwhile
    # waits unacknowledged), then goes; records flow on.
    srv.p.send_signal(signal.SIGSTOP)
    p.feed(n1 // 3, 1.0)
    srv.stop(hung=True)
    p.feed(n2 - n1 // 3, 1.5)
    srv.start()
    p.feed(n3, 2.0)
    rc, lines, err = p.close()
    got = srv.wait_count(len(lines), 30)
    time.sleep(0.5)
    got = srv.records()
    srv.stop()
    st = stats_of(err)
    recs = [g["record"] for g in got]
    want = {canon(l) for l in lines}
    have = [canon(r) for r in recs]
    dups = len(have) - len(set(have))
    expect("restart: pdnslog ran through it, exit 0, every record in the log (%d)" % len(lines),
           rc == 0 and len(lines) == n1 + n2 + n3, "rc=%d %s" % (rc, err[-400:]))
    expect("restart: nothing lost (%d of %d arrived, %d duplicates)" % (len(set(have) & want), len(want), dups),
           want <= set(have) and set(have) <= want)
    expect("restart: what the hung server had not acknowledged was sent again (fluentd_retried %d)" %
           st.get("fluentd_retried", -1), st.get("fluentd_retried", 0) > 0, str(fl(st)))
    expect("restart: duplicates (%d) only of records sent again, counted (fluentd_retried %d)" %
           (dups, st.get("fluentd_retried", -1)), dups <= st.get("fluentd_retried", -1), str(fl(st)))
    expect("restart: every record counted delivered, none dropped or undelivered",
           st.get("fluentd_delivered") == len(lines) and not st.get("fluentd_dropped") and
           not st.get("fluentd_undelivered") and st.get("fluentd_errors", 0) >= 1, str(fl(st)))
    expect("restart: each client/server pair in its worker's order",
           pair_orders(recs) == pair_orders(lines))
    expect("restart: the loss said once, the return once",
           err.count("fluentd: connection to") == 1 and err.count("answers again") == 1, err[-800:])


# ---- a server that reads one message and hangs up ---------------------------

def mute_server(path, result):
    """Accept once, read one whole message, keep it, close without an ack."""
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(path)
    ls.listen(4)
    ls.settimeout(30)
    try:
        c, _ = ls.accept()
        c.settimeout(30)
        up = msgpack.Unpacker(raw=False, strict_map_key=False)
        while "msg" not in result:
            data = c.recv(65536)
            if not data:
                break
            up.feed(data)
            for m in up:
                result["msg"] = m
                break
        c.close()
    except OSError as e:
        result["error"] = str(e)
    ls.close()
    os.unlink(path)


def wire(tmp):
    pcap = os.path.join(tmp, "wire.pcap")
    write_pcap(pcap, 400)
    sock = os.path.join(tmp, "wire.sock")
    out = os.path.join(tmp, "wire.out")
    log = os.path.join(tmp, "wire.log")
    result = {}
    t = threading.Thread(target=mute_server, args=(sock, result))
    t.start()
    while not os.path.exists(sock):
        time.sleep(0.01)
    t0 = time.time()
    p = subprocess.Popen([PDNSLOG, "-pcap", pcap, "-quiet", "-logfile", log, "-numprocs", "1",
                          "-name", "wire", "-fluentd_socket", "unix://" + sock, "-stats_interval", "0",
                          "-fluentd_flush_timeout", "60s"], stderr=subprocess.PIPE, text=True)
    t.join(60)
    srv = Server(sock, out, tmp).start()  # the real one, on the same path
    err = p.communicate(timeout=120)[1]
    t1 = time.time()
    with open(log) as f:
        raw_lines = f.read().splitlines()
    lines = [json.loads(l) for l in raw_lines]
    got = srv.wait_count(len(lines))
    time.sleep(0.3)
    got = srv.records()
    srv.stop()
    st = stats_of(err)
    m = result.get("msg")
    ok = isinstance(m, list) and len(m) == 3
    expect("wire: a message arrived, [tag, entries, option]", ok, str(result)[:300])
    if not ok:
        return
    tag, entries, opt = m
    expect("wire: tag is <name>.service, a str", tag == "wire.service")
    expect("wire: entries are bin (PackedForward)", isinstance(entries, bytes), str(type(entries)))
    up = msgpack.Unpacker(raw=False, strict_map_key=False)
    up.feed(entries)
    ents = list(up)
    expect("wire: option has size = the number of entries (%d)" % len(ents),
           isinstance(opt, dict) and opt.get("size") == len(ents) and len(ents) > 0, str(opt))
    chunk = opt.get("chunk") if isinstance(opt, dict) else None
    try:
        cid = base64.b64decode(chunk, validate=True) if isinstance(chunk, str) else b""
    except ValueError:
        cid = b""
    expect("wire: option chunk is base64 of 16 bytes", len(cid) == 16, str(chunk))
    times_ok = all(isinstance(e, list) and len(e) == 2 and type(e[0]) is int and
                   int(t0) - 1 <= e[0] <= t1 + 1 for e in ents)
    expect("wire: each entry [time, record], time an integer of seconds now (not EventTime)", times_ok,
           str(ents[:1])[:300])
    firsts = [e[1] for e in ents if isinstance(e, list) and len(e) == 2]
    order_ok = all(list(r.keys()) == list(l.keys()) and same(r, l) for r, l in zip(firsts, lines))
    expect("wire: records are maps of the line's keys, in its order, same values and types",
           order_ok and len(firsts) <= len(lines), str(firsts[:1])[:300])
    have = [canon(g["record"]) for g in got]
    expect("wire: the real server then got every record exactly once (%d of %d)" % (len(have), len(lines)),
           sorted(have) == sorted(canon(l) for l in lines))
    expect("wire: what the first server swallowed was sent again, counted (retried %d >= %d)" %
           (st.get("fluentd_retried", -1), len(ents)),
           st.get("fluentd_retried", -1) >= len(ents) and st.get("fluentd_delivered") == len(lines) and
           p.returncode == 0, str(fl(st)) + err[-300:])


def absent(tmp):
    sock = os.path.join(tmp, "absent.sock")
    out = os.path.join(tmp, "absent.out")
    p = Fed(tmp, "absent", ["-numprocs", "1", "-name", "a", "-fluentd_socket", sock])
    p.feed(500, 0.5)
    time.sleep(1.5)
    early = p.stderr()
    expect("absent at start: pdnslog runs and says so once",
           p.p.poll() is None and early.count("fluentd: cannot connect to %s" % sock) == 1, early[-500:])
    srv = Server(sock, out, tmp).start()
    p.feed(500, 0.5)
    rc, lines, err = p.close()
    got = srv.wait_count(len(lines))
    time.sleep(0.3)
    got = srv.records()
    srv.stop()
    st = stats_of(err)
    expect("absent at start: every record delivered exactly once when it came (%d of %d)" %
           (len(got), len(lines)),
           rc == 0 and len(lines) == 1000 and
           sorted(canon(g["record"]) for g in got) == sorted(canon(l) for l in lines), err[-300:])
    expect("absent at start: counted (errors for the failed connects, delivered all)",
           st.get("fluentd_errors", 0) >= 1 and st.get("fluentd_delivered") == 1000 and
           not st.get("fluentd_dropped") and not st.get("fluentd_undelivered"), str(fl(st)))
    expect("absent at start: its coming said once",
           err.count("fluentd: %s answers; delivering" % sock) == 1 and err.count("cannot connect") == 1,
           err[-500:])


def bounded(tmp):
    pcap = os.path.join(tmp, "bounded.pcap")
    write_pcap(pcap, 300)
    sock = os.path.join(tmp, "nobody.sock")
    rc, out, err = run(["-pcap", pcap, "-numprocs", "1", "-fluentd_socket", sock, "-fluentd_queue", "50",
                        "-fluentd_flush_timeout", "1s"])
    st = stats_of(err)
    n = len(out.splitlines())
    expect("queue of 50, no server: %d records: 250 dropped, 50 undelivered, none delivered" % n,
           n == 300 and st.get("fluentd_dropped") == 250 and st.get("fluentd_undelivered") == 50 and
           st.get("fluentd_delivered") == 0, str(fl(st)))
    expect("queue of 50, no server: exit 1, said on stderr",
           rc == 1 and "fluentd_dropped" in err and "300 records not delivered" in err, "rc=%d %s" % (rc, err[-500:]))
    expect("queue of 50, no server: stdout still got every record (records_written %d)" %
           st.get("records_written", -1), st.get("records_written") == 300 and st.get("stdout_records") == 300)


def misc(tmp):
    sock = os.path.join(tmp, "misc.sock")
    out = os.path.join(tmp, "misc.out")
    pcap = os.path.join(PCAPS, "dnscap__dns.pcap")
    with Server(sock, out, tmp) as srv:
        # -fluentd_ack=false: written counts delivered; everything arrives.
        rc, o, err = run(["-pcap", pcap, "-fluentd_socket", sock, "-fluentd_ack=false", "-name", "na"])
        n = len(o.splitlines())
        got = srv.wait_count(n)
        st = stats_of(err)
        expect("-fluentd_ack=false: every record once (%d)" % n,
               rc == 0 and n > 0 and st.get("fluentd_delivered") == n and
               sorted(canon(g["record"]) for g in got) == sorted(canon(json.loads(l)) for l in o.splitlines()),
               str(fl(st)))
        # Fluentd the only output: records_written counts what it delivered.
        before = len(srv.records())
        rc, o, err = run(["-pcap", pcap, "-quiet", "-fluentd_socket", sock])
        st = stats_of(err)
        expect("Fluentd the only output: records_written = fluentd_delivered = records_built",
               rc == 0 and 0 < st.get("records_written", 0) == st.get("fluentd_delivered") ==
               st.get("records_built"), str(st)[-500:])
        srv.wait_count(before + st.get("records_built", 0))
        # gopassivedns's README: -fluentd_socket [socket], PDNS_FLUENTD_SOCKET; its config name.
        cases = [
            ("gopassivedns command line", ["-pcap", pcap, "-fluentd_socket", sock, "-quiet", "-name", "gp1"], None, "gp1"),
            ("-fluentd_socket=PATH", ["-pcap=" + pcap, "-fluentd_socket=" + sock, "-quiet", "-name=gp2"], None, "gp2"),
            ("gopassivedns environment", [], {"PDNS_PCAP_FILE": pcap, "PDNS_FLUENTD_SOCKET": sock,
                                              "PDNS_QUIET": "true", "PDNS_NAME": "gp3"}, "gp3"),
        ]
        conf = os.path.join(tmp, "pdnslog.conf")
        with open(conf, "w") as f:
            f.write("pcap = %s\nfluentd_socket = %s\nquiet = true\nname = gp4\n" % (pcap, sock))
        cases.append(("config file", ["-config", conf], None, "gp4"))
        for what, args, env, name in cases:
            before = len(srv.records())
            e = dict(os.environ, **env) if env else None
            rc, o, err = run(args, env=e)
            st = stats_of(err)
            n = st.get("records_built", 0)
            got = srv.wait_count(before + n)[before:]
            expect("%s runs unchanged: %d records to %s.service" % (what, n, name),
                   rc == 0 and n > 0 and st.get("fluentd_delivered") == n and len(got) == n and
                   all(g["tag"] == name + ".service" for g in got), "rc=%d %s %s" % (rc, fl(st), err[-300:]))
        before = len(srv.records())
        rc, o, err = run(["-pcap", pcap, "-fluentd_socket", sock, "-fluentd_tag", "dns.passive", "-quiet"])
        n = stats_of(err).get("records_built", 0)
        got = srv.wait_count(before + n)[before:]
        expect("-fluentd_tag dns.passive", rc == 0 and n > 0 and len(got) == n and
               all(g["tag"] == "dns.passive" for g in got))
    for addr, why in (("udp://127.0.0.1:24224", "tcp://HOST"), ("tcp://127.0.0.1:0", "1 to 65535"),
                      ("tcp://::1", "brackets")):
        rc, o, err = run(["-pcap", pcap, "-fluentd_socket", addr])
        expect("-fluentd_socket %s: exit 2, says why" % addr,
               rc == 2 and "-fluentd_socket" in err and why in err, "rc=%d %s" % (rc, err))
    rc, o, err = run(["-pcap", pcap, "-fluentd_socket", "tcp://no-such-host.invalid"])
    expect("-fluentd_socket tcp://no-such-host.invalid: exit 1, one line", rc == 1 and
           err.startswith("pdnslog: fluentd: no-such-host.invalid:") and err.count("\n") == 1, err)
    env = dict(os.environ, PDNS_FLUENTD_SOCKET="http://x")
    rc, o, err = run(["-pcap", pcap], env=env)
    expect("PDNS_FLUENTD_SOCKET checked too", rc == 2 and "environment PDNS_FLUENTD_SOCKET" in err, err)


def free_port(family=socket.AF_INET, host="127.0.0.1"):
    s = socket.socket(family)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    if not expect("the Forward protocol server builds (tests/fluentd, Go)", build_server()):
        finish("fluentd")
    every = 8 if SANITIZED else 1
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "fluent.sock")
        with Server(sock, os.path.join(tmp, "unix.out"), tmp) as srv:
            corpus(tmp, srv, sock, corpus_names(every))
            corpus(tmp, srv, "unix://" + sock, corpus_names(every * 8), fmt="json", label="json")
        port = free_port()
        with Server("127.0.0.1:%d" % port, os.path.join(tmp, "tcp.out"), tmp) as srv:
            corpus(tmp, srv, "tcp://127.0.0.1:%d" % port, corpus_names(every * 3), numprocs=3, label="tcp")
        try:
            socket.socket(socket.AF_INET6).bind(("::1", 0))
            v6 = True
        except OSError:
            v6 = False
        if v6:
            port = free_port(socket.AF_INET6, "::1")
            with Server("[::1]:%d" % port, os.path.join(tmp, "tcp6.out"), tmp) as srv:
                corpus(tmp, srv, "tcp://[::1]:%d" % port, corpus_names(every * 16), label="tcp6")
        wire(tmp)
        restart(tmp)
        absent(tmp)
        bounded(tmp)
        misc(tmp)
    finish("fluentd")


if __name__ == "__main__":
    main()
