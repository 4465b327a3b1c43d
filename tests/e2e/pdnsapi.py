#!/usr/bin/python3
"""The passive DNS HTTP API end to end, over real HTTP on loopback.

A store is built by pdnslog itself (-pdns_db on every corpus capture), then
`pdnslog serve` answers:
  - every fact of the store through /query/<rrname> (compared with Python's
    own sqlite3 reading of the file), and through /rdata/<value> for every
    address and name the facts point to (compared with sqlite3 and,
    byte for byte, with `pdnslog query`);
  - suffix queries, rrtype, limit, since and until, HEAD;
  - hostile requests, each a clear 4xx: 10 KB names, 300 labels, long
    labels, wildcards on the root and on a TLD, bad UTF-8 and
    percent-encoding, NUL bytes (encoded and raw), other methods, huge URLs
    and headers, unknown paths and parameters;
  - 200 concurrent clients, and 200 idle half-open connections, after which
    a normal query still answers, with the server's RSS bounded;
  - SIGTERM: exit 0.
A second server on a store of 400,000 generated facts (rows added with
sqlite3 to a file pdnslog created, following store.c's schema) shows the
time bound (-pdns_api_timeout: 503) and -pdns_api_suffix_labels 1; a third
serves the limit's 10,000 facts.  Last, -pdns_api alongside collection: a
capture fed through a pipe, SIGHUP commits, the API answers what was read,
and the final stats record counts the requests.
Usage: pdnsapi.py PDNSLOG CORPUS_DIR"""
import atexit, http.client, ipaddress, json, os, shutil, signal, socket, sqlite3, subprocess, sys
import tempfile, threading, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import expect, finish  # noqa: E402

import dns.rdatatype  # noqa: E402

BIN, CORPUS = sys.argv[1], sys.argv[2]
SANITIZED = bool(os.environ.get("PDNSLOG_SANITIZED")) or "asan" in BIN
TMP = tempfile.mkdtemp(prefix="pdnsapi.")
capture_file = os.path.join(CORPUS, "dnscap__dns.pcap")
STARTED = []  # every pdnslog this test starts, stopped whatever happens


def cleanup():
    for proc in STARTED:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    shutil.rmtree(TMP, ignore_errors=True)


atexit.register(cleanup)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # `timeout` ends the test: clean up too
PCAPS = sorted(os.path.join(CORPUS, f) for f in os.listdir(CORPUS) if f.endswith(".pcap"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, db, *extra, host="127.0.0.1"):
        self.host, self.port = host, free_port()
        addr = ("[%s]" % host if ":" in host else host) + ":%d" % self.port
        self.err = open(os.path.join(TMP, "serve.%d.err" % self.port), "w+")
        self.proc = subprocess.Popen([BIN, "serve", "-pdns_db", db, "-pdns_api", addr, "-debug"] + list(extra),
                                     stdout=subprocess.DEVNULL, stderr=self.err)
        STARTED.append(self.proc)
        self.conn = None
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection((host, self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        raise SystemExit("pdnslog serve did not start: " + self.stderr())

    def stderr(self):
        self.err.flush()
        self.err.seek(0)
        return self.err.read()

    def get(self, path, method="GET", headers=None, body=None):
        """(status, headers, body) on a kept-alive connection."""
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                self.conn.request(method, path, body=body, headers=headers or {})
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, r, data
            except (http.client.HTTPException, OSError):
                self.conn = None
                if attempt:
                    raise

    def rss_kb(self):
        for line in open("/proc/%d/status" % self.proc.pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self):
        if self.conn:
            self.conn.close()
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "hung"


def raw(server, data, timeout=10):
    """Send bytes as they are; the first line of the answer ('' if none)."""
    s = socket.create_connection((server.host, server.port), timeout=timeout)
    try:
        s.sendall(data)
        got = b""
        while b"\r\n" not in got:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
        return got.split(b"\r\n")[0].decode("latin-1")
    except OSError as e:
        return "error: %s" % e
    finally:
        s.close()


def lines(body):
    return [json.loads(x) for x in body.decode().splitlines()]


def q(s):
    return urllib.parse.quote(s, safe="")


def labels(name):
    """A presentation name's labels ('\\.' is no separator), lower case."""
    out, cur, i = [], "", 0
    while i < len(name):
        c = name[i]
        if c == "\\":
            cur += name[i:i + 2]
            i += 2
            continue
        if c == ".":
            out.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    out.append(cur)
    return [x.lower() for x in out if x != ""]


def is_address(text):
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


# --- the store, by pdnslog itself ------------------------------------------
DB = os.path.join(TMP, "corpus.db")
run = subprocess.run([BIN, "-numprocs", "1", "-quiet", "-stats_interval", "0", "-pdns_db", DB] + PCAPS,
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
expect("pdnslog -pdns_db builds the store", os.path.exists(DB), run.stderr.decode()[-500:])
con = sqlite3.connect("file:%s?mode=ro" % DB, uri=True)
FACTS = [dict(zip(("rrname", "rrtype", "rdata", "rdata_key", "time_first", "time_last", "count"), r))
         for r in con.execute("SELECT rrname, rrtype, rdata, rdata_key, time_first, time_last, count FROM facts")]
expect("the store holds facts", len(FACTS) > 1000, str(len(FACTS)))


def key(f):
    """A fact as the API's line and the store's row both tell it."""
    t = f["rrtype"]
    if not isinstance(t, int):
        t = RESERVED.get(t) or int(dns.rdatatype.from_text(t))
    return (f["rrname"].lower(), t, f["rdata"],
            f["time_first"], f["time_last"], f["count"])


# Mnemonics pdnslog knows and dnspython does not (IANA's reserved 100-103).
RESERVED = {"UINFO": 100, "UID": 101, "GID": 102, "UNSPEC": 103}


def check_order(what, got):
    tl = [f["time_last"] for f in got]
    expect(what + ": most recently seen first", tl == sorted(tl, reverse=True))


S = Server(DB)
status, r, body = S.get("/query/example.com")
expect("a first query answers 200", status == 200, "%s %r" % (status, body[:200]))
expect("Content-Type application/x-ndjson", r.getheader("Content-Type") == "application/x-ndjson")
rss_start = S.rss_kb()

# --- every fact by its name ------------------------------------------------
by_name = {}
for f in FACTS:
    by_name.setdefault(f["rrname"].lower(), []).append(f)
names_ok = names_bad = 0
for name, facts in sorted(by_name.items()):
    if is_address(name):
        continue  # an address given to /query/ is an rdata lookup (CIRCL)
    status, r, body = S.get("/query/%s?limit=10000" % q(name))
    got = lines(body) if status == 200 else []
    if status == 200 and sorted(map(key, got)) == sorted(map(key, facts)):
        names_ok += 1
        check_order("/query/" + name, got)
    else:
        names_bad += 1
        if names_bad <= 5:
            print("FAIL: /query/%s: %s, %d facts, %d expected" % (name, status, len(got), len(facts)))
expect("every fact of the store comes back through /query/<its rrname>", names_bad == 0,
       "%d names right, %d wrong" % (names_ok, names_bad))
print("names: %d queried, every fact of %d returned" % (names_ok, len(FACTS)))

# --- by rdata: every address and every name the facts point to -------------
values = sorted({f["rdata_key"] for f in FACTS if f["rrtype"] in (1, 28, 2, 5, 12, 15, 39)})
rdata_bad = cli_bad = 0
for i, v in enumerate(values):
    want = [f for f in FACTS if f["rdata_key"] == v]
    status, r, body = S.get("/rdata/%s?limit=10000" % q(v))
    got = lines(body) if status == 200 else []
    if status != 200 or sorted(map(key, got)) != sorted(map(key, want)):
        rdata_bad += 1
        if rdata_bad <= 5:
            print("FAIL: /rdata/%s: %s, %d facts, %d expected" % (v, status, len(got), len(want)))
    if i % 4 == 0:  # and byte for byte as `pdnslog query` writes them
        cli = subprocess.run([BIN, "query", "-pdns_db", DB, "-rdata", v, "-limit", "10000", "-json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        if cli.stdout != body:
            cli_bad += 1
            if cli_bad <= 3:
                print("FAIL: /rdata/%s differs from pdnslog query: %r vs %r" % (v, body[:200], cli.stdout[:200]))
expect("/rdata/<value> returns every fact pointing there (%d values)" % len(values),
       rdata_bad == 0 and len(values) > 100, "%d wrong of %d" % (rdata_bad, len(values)))
expect("/rdata answers are pdnslog query's, byte for byte", cli_bad == 0, "%d differ" % cli_bad)
for name in ["example.com", "www.google.com", "google.com"]:
    cli = subprocess.run([BIN, "query", "-pdns_db", DB, name, "-limit", "10000", "-json"],
                         stdout=subprocess.PIPE, timeout=30)
    status, r, body = S.get("/query/%s?limit=10000" % name)
    expect("/query/%s equals pdnslog query's output" % name, body == cli.stdout and status == 200,
           "%r vs %r" % (body[:120], cli.stdout[:120]))

# An address given to /query/ (CIRCL's convention), addresses in any spelling.
addr = next(f for f in FACTS if f["rrtype"] == 28)["rdata"]
status, r, body = S.get("/query/" + q(addr))
s2, r2, body2 = S.get("/rdata/" + q(ipaddress.ip_address(addr).exploded.upper()))
expect("/query/<address> looks it up in the rdata, in any spelling", status == 200 and body and body == body2,
       "%s %s" % (status, s2))

# --- suffixes, types, limits, time windows ----------------------------------
suffixes = set()
for name in by_name:
    lab = labels(name)
    if len(lab) >= 3:
        suffixes.add(".".join(lab[-2:]))
    if len(lab) >= 4:
        suffixes.add(".".join(lab[-3:]))
suffix_bad = 0
for suf in sorted(suffixes)[:60]:
    sl = labels(suf)
    want = [f for f in FACTS if len(labels(f["rrname"])) > len(sl) and labels(f["rrname"])[-len(sl):] == sl]
    status, r, body = S.get("/query/*.%s?limit=10000" % q(suf))
    got = lines(body) if status == 200 else []
    if status != 200 or sorted(map(key, got)) != sorted(map(key, want)):
        suffix_bad += 1
        print("FAIL: /query/*.%s: %s, %d facts, %d expected" % (suf, status, len(got), len(want)))
expect("suffix queries *.NAME return every fact under NAME and none at it (%d suffixes)" % min(60, len(suffixes)),
       suffix_bad == 0 and len(suffixes) >= 10)

busiest = max(by_name, key=lambda n: len(by_name[n]))
facts = by_name[busiest]
types = sorted({f["rrtype"] for f in facts})
for t in types:
    mn = dns.rdatatype.to_text(t)
    status, r, body = S.get("/query/%s?rrtype=%s&limit=10000" % (q(busiest), mn.lower()))
    expect("rrtype=%s on %s" % (mn, busiest),
           status == 200 and sorted(map(key, lines(body))) == sorted(key(f) for f in facts if f["rrtype"] == t))
order = sorted((f["time_last"] for f in facts), reverse=True)
fact_keys = set(map(key, facts))
for lim in sorted({1, 2, 3, 7, 10, len(facts) // 2, len(facts) - 1, len(facts), len(facts) + 1} - {0}):
    status, r, body = S.get("/query/%s?limit=%d" % (q(busiest), lim))
    got = lines(body)
    expect("limit=%d on %s" % (lim, busiest), status == 200 and len(got) == min(lim, len(facts)) and
           [f["time_last"] for f in got] == order[:lim] and all(key(f) in fact_keys for f in got))
print("busiest name: %s, %d facts" % (busiest, len(facts)))
mid = order[len(order) // 2]
for param, keep in (("since", lambda f: f["time_last"] >= mid), ("until", lambda f: f["time_first"] <= mid)):
    status, r, body = S.get("/query/%s?%s=%d&limit=10000" % (q(busiest), param, mid))
    want = sorted(key(f) for f in facts if keep(f))
    expect("%s=%d on %s" % (param, mid, busiest), status == 200 and sorted(map(key, lines(body))) == want and want)
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mid))
    s2, r2, body2 = S.get("/query/%s?%s=%s&limit=10000" % (q(busiest), param, iso))
    expect("%s as RFC 3339 is the same" % param, s2 == 200 and body2 == body)
status, r, body = S.get("/query/%s?since=%d&until=%d" % (q(busiest), order[-1] - 10, order[-1] - 5))
expect("a window before every fact: 200 and no line", status == 200 and body == b"")
status, r, body = S.get("/query/no-such-name.invalid")
expect("no fact: 200 with an empty body (CIRCL's answer)", status == 200 and body == b"")
status, r, body = S.get("/query/%s" % q(busiest), method="HEAD")
expect("HEAD: 200 without a body", status == 200 and body == b"")
status, r, body = S.get("/query/%s.?limit=10000" % busiest.upper())
expect("names in any case and with their final dot", status == 200 and
       sorted(map(key, lines(body))) == sorted(map(key, facts)))

# --- the same with curl, as users will ask -------------------------------------
def curl(*args):
    pr = subprocess.run(["curl", "-sS", "--path-as-is", "-o", "-", "-w", "\n%{http_code}"] + list(args),
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    out, _, code = pr.stdout.rpartition(b"\n")
    return int(code or 0), out


base = "http://127.0.0.1:%d" % S.port
cli = subprocess.run([BIN, "query", "-pdns_db", DB, "example.com", "-limit", "1000", "-json"],
                     stdout=subprocess.PIPE, timeout=30).stdout
code, out = curl(base + "/query/example.com")
expect("curl /query/example.com: pdnslog query's lines", code == 200 and out == cli and cli, "%s" % code)
cli = subprocess.run([BIN, "query", "-pdns_db", DB, "*.example.org", "-rrtype", "A", "-limit", "5", "-json"],
                     stdout=subprocess.PIPE, timeout=30).stdout
code, out = curl("-g", base + "/query/*.example.org?rrtype=A&limit=5")
expect("curl suffix query with rrtype and limit: pdnslog query's lines", code == 200 and out == cli and cli,
       "%s %r %r" % (code, out[:100], cli[:100]))
for args, want, what in [(["-X", "POST", "-d", "x=1"], 405, "curl -X POST"), (["-X", "PUT"], 405, "curl -X PUT"),
                         (["-X", "DELETE"], 405, "curl -X DELETE"), ([], 400, "curl /query/*")]:
    code, out = curl(*(args + ["-g", base + ("/query/*" if want == 400 else "/query/example.com")]))
    expect(what + ": %d" % want, code == want, "%s %r" % (code, out[:100]))
code, out = curl(base + "/query/" + "a" * 10240)
expect("curl with a 10 KB name: 400", code == 400 and b"longer than" in out, "%s %r" % (code, out[:100]))
code, out = curl(base + "/query/%C3%28.example")
expect("curl with invalid UTF-8: 400", code == 400 and b"UTF-8" in out, "%s %r" % (code, out[:100]))

# --- hostile requests --------------------------------------------------------
hostile = [
    ("a 10 KB name", "/query/" + "a" * 10240, 400),
    ("300 labels", "/query/" + "a." * 300 + "com", 400),
    ("a 64-octet label", "/query/" + "a" * 64 + ".com", 400),
    ("a 256-octet name", "/query/" + ".".join(["a" * 63] * 4), 400),
    ("*", "/query/*", 400),
    ("*.", "/query/*.", 400),
    ("*.com", "/query/*.com", 400),
    ("*.*", "/query/*.*", 400),
    ("%2A alone", "/query/%2A", 400),
    ("invalid UTF-8", "/query/%ff%fe.example", 400),
    ("overlong UTF-8", "/query/%c0%ae.example", 400),
    ("a UTF-16 surrogate", "/query/%ed%a0%80.example", 400),
    ("a lone %", "/query/a%.example", 400),
    ("%zz", "/query/a%zz.example", 400),
    ("a cut %4", "/query/a%4", 400),
    ("an encoded NUL", "/query/a%00.example", 400),
    ("an encoded NUL in rdata", "/rdata/1.2.3.4%00", 400),
    ("a control character", "/query/a%0a.example", 400),
    ("an empty label", "/query/a..example", 400),
    ("a dot first", "/query/.example", 400),
    ("a lone backslash", "/query/a%5c", 400),
    ("\\DDD above 255", "/query/%5c999.example", 400),
    ("no name", "/query/", 400),
    ("no rdata", "/rdata/", 400),
    ("the root path", "/", 404),
    ("an unknown path", "/api/v1/query/example.com", 404),
    ("an unknown parameter", "/query/example.com?foo=1", 400),
    ("a parameter twice", "/query/example.com?limit=1&limit=2", 400),
    ("limit=0", "/query/example.com?limit=0", 400),
    ("limit past 10000", "/query/example.com?limit=10001", 400),
    ("limit of 30 digits", "/query/example.com?limit=" + "9" * 30, 400),
    ("limit=abc", "/query/example.com?limit=abc", 400),
    ("a bad rrtype", "/query/example.com?rrtype=NOPE", 400),
    ("a bad since", "/query/example.com?since=-1", 400),
    ("until before since", "/query/example.com?since=200&until=100", 400),
    ("a parameter without a value", "/query/example.com?rrtype", 400),
    ("invalid UTF-8 in a parameter", "/query/example.com?rrtype=%ff", 400),
]
for what, path, want in hostile:
    status, r, body = S.get(path)
    text = body.decode("utf-8", "replace")
    expect("%s: %d with a one-line reason" % (what, want), status == want and text.endswith("\n") and
           text.count("\n") == 1 and len(text) > 10, "%s %r" % (status, text[:200]))
for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
    status, r, body = S.get("/query/example.com", method=method, body=b"x" * 100000 if method != "OPTIONS" else None)
    expect("%s: 405 with Allow: GET, HEAD" % method, status == 405 and r.getheader("Allow") == "GET, HEAD",
           str(status))
status, r, body = S.get("/query/" + "a" * 100000)
expect("a 100 KB URL: 414", status == 414, str(status))
status, r, body = S.get("/query/example.com", headers={"X-Big": "b" * 100000})
expect("a 100 KB header: 431", status == 431, str(status))
status, r, body = S.get("/query/example.com", headers={"X-H%d" % i: "v" * 60 for i in range(1000)})
expect("1000 headers: 431", status == 431, str(status))
first = raw(S, b"GET /query/a\x00b.example HTTP/1.1\r\nHost: x\r\n\r\n")
expect("a raw NUL in the request line: 400", first.startswith("HTTP/1.1 400"), first)
first = raw(S, b"GET /query/a\xff\xfe.example HTTP/1.1\r\nHost: x\r\n\r\n")
expect("raw invalid UTF-8 in the request line: 400", first.startswith("HTTP/1.1 400"), first)
t0 = time.time()
first = raw(S, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(200), timeout=20)
expect("a TLS hello (or any garbage): a 4xx, or closed by the 10 s idle timeout",
       first.startswith("HTTP/1.1 4") or (first == "" and time.time() - t0 < 15), first)

# --- 200 concurrent clients ----------------------------------------------------
sample = [n for n in sorted(by_name) if not is_address(n)][:150]
expected = {n: sorted(map(key, by_name[n])) for n in sample}
barrier = threading.Barrier(200)
results = [None] * 200


def client(i):
    if i % 4 == 3:
        path, want = "/query/%s" % ("x" * 5000), None
    else:
        n = sample[i % len(sample)]
        path, want = "/query/%s?limit=10000" % q(n), expected[n]
    try:
        c = http.client.HTTPConnection(S.host, S.port, timeout=60)
        c.connect()
        barrier.wait(timeout=30)
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        c.close()
        if want is None:
            results[i] = r.status == 400
        else:
            results[i] = r.status == 200 and sorted(map(key, lines(body))) == want
        if not results[i]:
            results[i] = "%s %r" % (r.status, body[:100])
    except Exception as e:  # noqa: BLE001
        results[i] = "error %r" % e


threads = [threading.Thread(target=client, args=(i,)) for i in range(200)]
t0 = time.time()
for t in threads:
    t.start()
for t in threads:
    t.join(90)
wrong = [r for r in results if r is not True]
expect("200 concurrent clients: each a correct answer or a 400", not wrong, "%d wrong, e.g. %s" %
       (len(wrong), wrong[:3]))
print("200 concurrent clients answered in %.2f s" % (time.time() - t0))

# 200 connections that never finish their request (slowloris): the API still answers.
idle = []
for i in range(200):
    s = socket.create_connection((S.host, S.port), timeout=5)
    s.sendall(b"GET /query/example.com HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    idle.append(s)
time.sleep(0.3)
t0 = time.time()
status, r, body = S.get("/query/%s?limit=10000" % q(busiest))
expect("with 200 half-open connections a query answers at once", status == 200 and time.time() - t0 < 2 and
       sorted(map(key, lines(body))) == sorted(map(key, facts)), "%s in %.2f s" % (status, time.time() - t0))
for s in idle:
    s.close()

# Many large answers at once, then memory.
big = [n for n in suffixes if len(labels(n)) == 2]


def big_client(i):
    c = http.client.HTTPConnection(S.host, S.port, timeout=60)
    for k in range(10):
        c.request("GET", "/query/*.%s?limit=10000" % q(big[(i + k) % len(big)]))
        c.getresponse().read()
    c.close()


threads = [threading.Thread(target=big_client, args=(i,)) for i in range(50)]
for t in threads:
    t.start()
for t in threads:
    t.join(120)
rss_end = S.rss_kb()
status, r, body = S.get("/query/%s?limit=10000" % q(busiest))
expect("a normal query answers after all that", status == 200 and
       sorted(map(key, lines(body))) == sorted(map(key, facts)))
print("RSS: %d KB after the first query, %d KB at the end" % (rss_start, rss_end))
if not SANITIZED:
    expect("RSS bounded: grew less than 64 MB, below 160 MB", rss_end - rss_start < 65536 and rss_end < 163840,
           "%d -> %d KB" % (rss_start, rss_end))
rc = S.stop()
expect("SIGTERM: exit 0", rc == 0, str(rc))
err = S.stderr()
expect("the sandbox was on", SANITIZED or "seccomp sandbox installed" in err, err[-300:])
served = [l for l in err.splitlines() if "served" in l]
expect("the exit line counts requests and errors", served and " 0 errors" not in served[-1], str(served))

# --- the time bound and short suffixes on a big store ------------------------
BIG = os.path.join(TMP, "big.db")
subprocess.run([BIN, "-numprocs", "1", "-quiet", "-stats_interval", "0", "-pdns_db", BIG, PCAPS[0]],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
big_con = sqlite3.connect(BIG)
N = 400000
big_con.executemany(
    "INSERT INTO facts(rrname, rrname_rev, rrtype, rdata, rdata_key, bailiwick, time_first, time_last, count)"
    " VALUES(?, ?, 1, ?, ?, NULL, ?, ?, 1)",
    (("h%d.big.test" % i, "test.big.h%d." % i, "10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255),
      "10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255), 1000000 + i, 1000000 + i) for i in range(N)))
big_con.commit()
big_con.close()
S2 = Server(BIG, "-pdns_api_timeout", "5ms", "-pdns_api_suffix_labels", "1")
t0 = time.time()
status, r, body = S2.get("/query/*.big.test?rrtype=AAAA")
elapsed = time.time() - t0
expect("a query past -pdns_api_timeout: 503 with the reason, nothing in part", status == 503 and
       b"longer than 5 ms" in body and b"rrname" not in body, "%s %r" % (status, body[:200]))
expect("and it was stopped promptly", elapsed < 1.5, "%.2f s" % elapsed)
status, r, body = S2.get("/query/h12345.big.test")
expect("an exact query on the big store: 200", status == 200 and len(lines(body)) == 1 and
       lines(body)[0]["rdata"] == "10.0.48.57", "%s %r" % (status, body[:200]))
status, r, body = S2.get("/query/*.com")
expect("-pdns_api_suffix_labels 1 lets *.com through", status == 200, "%s %r" % (status, body[:200]))
status, r, body = S2.get("/query/*")
expect("but never a wildcard on the root", status == 400)
expect("SIGTERM: exit 0 (second server)", S2.stop() == 0)

S3 = Server(BIG)
status, r, body = S3.get("/query/*.big.test")
got = lines(body)
expect("a suffix query answers the default limit, 1000, most recent first", status == 200 and len(got) == 1000 and
       got[0]["rrname"] == "h%d.big.test" % (N - 1) and got[-1]["time_last"] == 1000000 + N - 1000,
       "%s %d" % (status, len(got)))
status, r, body = S3.get("/query/*.big.test?limit=10000")
expect("limit=10000: 10,000 facts", status == 200 and len(lines(body)) == 10000)
expect("SIGTERM: exit 0 (third server)", S3.stop() == 0)

# IPv6 loopback, when the host has it.
try:
    socket.socket(socket.AF_INET6).bind(("::1", 0))
    S6 = Server(DB, host="::1")
    status, r, body = S6.get("/query/%s?limit=10000" % q(busiest))
    expect("[::1]:PORT serves", status == 200 and sorted(map(key, lines(body))) == sorted(map(key, facts)))
    expect("SIGTERM: exit 0 (IPv6)", S6.stop() == 0)
except OSError:
    print("no IPv6 loopback: [::1] not tried")

# --- another process writing into the store while it is served ----------------
SHARED = os.path.join(TMP, "shared.db")
src = sqlite3.connect(DB)
dst = sqlite3.connect(SHARED)
src.backup(dst)
src.close()
dst.close()
S4 = Server(SHARED)
g = [f["count"] for f in FACTS if f["rrname"] == "google.com" and f["rdata"] == "216.58.218.206"]
ok = True
for round_ in range(1, 4):
    w = subprocess.run([BIN, "-numprocs", "1", "-quiet", "-stats_interval", "0", "-pdns_db", SHARED,
                        os.path.join(CORPUS, "dnscap__dns.pcap")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status, r, body = S4.get("/rdata/216.58.218.206?rrtype=A")
    got = [f["count"] for f in lines(body)] if status == 200 else []
    ok = ok and w.returncode == 0 and status == 200 and got == [g[0] + 24 * round_]
expect("a store another pdnslog writes into meanwhile: each answer has its latest commit (sandboxed reader)",
       ok and g, "%s %s %s" % (status, got, g))
expect("SIGTERM: exit 0 (shared store)", S4.stop() == 0)

# --- serve's own usage ---------------------------------------------------------
for args, want, what in [
        (["-pdns_api", "127.0.0.1:1"], 2, "no -pdns_db"),
        (["-pdns_db", DB], 2, "no -pdns_api"),
        (["-pdns_db", DB, "-pdns_api", "localhost"], 2, "an address without a port"),
        (["-pdns_db", DB, "-pdns_api", "127.0.0.1:8081", "-pdns_api_timeout", "0"], 2, "a zero timeout"),
        (["-pdns_db", DB, "-pdns_api", "127.0.0.1:8081", "-pdns_api_suffix_labels", "0"], 2, "suffix labels 0"),
        (["-pdns_db", DB, "-pdns_api", "127.0.0.1:8081", "-dev", "eth0"], 2, "a capture flag"),
        (["-pdns_db", os.path.join(TMP, "missing.db"), "-pdns_api", "127.0.0.1:%d" % free_port()], 1, "no store"),
        (["-pdns_db", capture_file, "-pdns_api", "127.0.0.1:%d" % free_port()], 1, "a file that is no store")]:
    pr = subprocess.run([BIN, "serve"] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    err = pr.stderr.decode()
    expect("serve with %s: status %d, one line" % (what, want), pr.returncode == want and err.count("\n") == 1 and
           err.startswith("pdnslog serve: "), "%s %r" % (pr.returncode, err))
busy_sock = socket.socket()
busy_sock.bind(("127.0.0.1", 0))
busy_sock.listen(1)
pr = subprocess.run([BIN, "serve", "-pdns_db", DB, "-pdns_api", "127.0.0.1:%d" % busy_sock.getsockname()[1]],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
expect("serve on a port taken: status 1, said", pr.returncode == 1 and b"cannot listen" in pr.stderr, pr.stderr)
busy_sock.close()
pr = subprocess.run([BIN, "serve", "-h"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
expect("serve -h lists its flags", pr.returncode == 0 and b"-pdns_api_timeout" in pr.stdout and
       pr.stdout.startswith(b"Usage: pdnslog serve"))
pr = subprocess.run([BIN, "-pcap", capture_file, "-pdns_api", "127.0.0.1:8081"], stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, timeout=30)
expect("-pdns_api without -pdns_db: status 2", pr.returncode == 2 and b"needs -pdns_db" in pr.stderr, pr.stderr)

# --- alongside collection -------------------------------------------------------
# The sensor's store already holds the corpus (a copy); a capture comes in
# through a pipe that stays open, so the sensor runs while the API answers.
# (Facts of the running capture reach the store in the workers' batches and
# at exit, so what is asserted while it runs is the store's earlier content.)
LIVE = os.path.join(TMP, "live.db")
src = sqlite3.connect(DB)
dst = sqlite3.connect(LIVE)
src.backup(dst)
src.close()
dst.close()
port = free_port()
stats_path = os.path.join(TMP, "live.stats")
p = subprocess.Popen([BIN, "-numprocs", "1", "-quiet", "-pcap", "-", "-pdns_db", LIVE,
                      "-pdns_api", "127.0.0.1:%d" % port, "-stats_interval", "0", "-stats_file", stats_path],
                     stdin=subprocess.PIPE, stderr=subprocess.PIPE)
STARTED.append(p)
capture = os.path.join(CORPUS, "dnscap__dns.pcap")
p.stdin.write(open(capture, "rb").read())
p.stdin.flush()
LS = Server.__new__(Server)
LS.host, LS.port, LS.conn, LS.proc = "127.0.0.1", port, None, p
status, got = None, []
deadline = time.time() + 10
while time.time() < deadline:
    try:
        status, r, body = LS.get("/query/%s?limit=10000" % q(busiest))
        got = lines(body) if status == 200 else []
        break
    except OSError:
        time.sleep(0.1)
expect("-pdns_api alongside collection answers from the sensor's store", status == 200 and
       sorted(map(key, got)) == sorted(map(key, facts)), "%s, %d facts" % (status, len(got)))
status, r, body = LS.get("/query/*")
expect("and refuses what it should", status == 400)
expect("the sensor is still running", p.poll() is None)
p.stdin.close()
rc = p.wait(timeout=30)
expect("collection with -pdns_api: exit 0 at the end of input", rc == 0, "%s %s" % (rc, p.stderr.read()[-300:]))
live = sqlite3.connect(LIVE)
n = live.execute("SELECT count FROM facts WHERE rrname = 'google.com' AND rdata = '216.58.218.206'").fetchall()
old = [f["count"] for f in FACTS if f["rrname"] == "google.com" and f["rdata"] == "216.58.218.206"]
expect("and the capture's facts went into the store meanwhile", n and old and n[0][0] > old[0], "%s %s" % (n, old))
rec = [json.loads(line) for line in open(stats_path) if line.startswith("{")]
expect("the stats record counts the API's requests and errors", rec and rec[-1]["pdns_api_requests"] == 2 and
       rec[-1]["pdns_api_errors"] == 1, str(rec[-1:])[:300])

shutil.rmtree(TMP, ignore_errors=True)
finish("pdnsapi")
