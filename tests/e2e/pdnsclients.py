#!/usr/bin/python3
"""End-to-end: -pdns_clients (who asked) and SIGHUP's commit of the store.

1. Every corpus capture (tests/corpus/*.list, -ports from ports.tsv) read by
   `pdnslog -pdns_db STORE -pdns_clients`, one store per capture, in two
   ways: one worker with the defaults, and three workers with
   -cof_max_entries 2 -cof_interval 1s (rows evicted and written again all
   the time).  The store's client table, read with Python's sqlite3 module,
   must be exactly what the reference decode (tests/corpus/ref/NAME.jsonl,
   tshark + dnspython, made by tests/tools/oracle.py) says, computed here
   without pdnslog: every response (qr true) with a question counts once for
   (its destination address, its question name in lower case, its question
   type), first/last = min/max of floor(ts).  The one allowance, as in
   cof_check.py: messages the reference could not decode, which pdnslog may
   salvage.  The stats record's pdns_clients_records must equal the rows
   the store was given.
2. `pdnslog query -client ADDR` and `-clients NAME` (exact and *.suffix),
   on one store filled from every capture: exactly the matching rows, as
   JSON lines and as a table; an address written another way finds the
   same rows.
3. Usage errors: -pdns_clients without -pdns_db or with -kafka_consume;
   query -clients with -rdata or without a name; -client that is no
   address.  Exit status 2, one line.  A store without -pdns_clients
   answers -client with status 1 (nothing found).
4. A capture fed through a pipe that stays open (one worker, three): every
   fact and client row reaches the store within a few seconds without a
   signal; after kill -HUP the store holds all of the capture's counts, as
   a complete run stores them, while pdnslog still runs.

usage: pdnsclients.py PDNSLOG"""
import collections
import ipaddress
import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(top, "tests", "e2e"))
from checks import expect, finish, stats_of  # noqa: E402
from cof_check import norm_name  # noqa: E402
import dns.rdatatype  # noqa: E402  (dnspython: the reference's own type table)


def type_number(t):
    return int(dns.rdatatype.from_text(t)) if isinstance(t, str) else t

PDNSLOG = os.path.abspath(sys.argv[1])
CORPUS = os.path.join(top, "tests", "corpus")


def corpus_names():
    names = []
    for lst in ("udp.list", "tcpfrag.list", "other.list"):
        names += [l.strip() for l in open(os.path.join(CORPUS, lst)) if l.strip()]
    ports = {}
    for line in open(os.path.join(CORPUS, "ports.tsv")):
        if line.strip() and not line.startswith("#"):
            name, p = line.split()[:2]
            ports[name] = p
    return names, ports


def reference(name):
    """({(client, qname, qtype): [count, first, last]}, undecodable messages)."""
    rows, undecodable = {}, 0
    for line in open(os.path.join(CORPUS, "ref", name + ".jsonl")):
        m = json.loads(line)
        if "undecodable" in m:
            undecodable += 1
            continue
        if not m["qr"] or m.get("qname") is None:
            continue
        key = (str(ipaddress.ip_address(m["dst"])), norm_name(m["qname"]), type_number(m["qtype"]))
        sec = math.floor(m["ts"])
        r = rows.get(key)
        if r is None:
            rows[key] = [1, sec, sec]
        else:
            r[0] += 1
            r[1] = min(r[1], sec)
            r[2] = max(r[2], sec)
    return rows, undecodable


def store_clients(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    rows = {}
    for client, rrname, rrtype, first, last, count in db.execute(
            "SELECT client, rrname, rrtype, time_first, time_last, count FROM clients"):
        key = (client, norm_name(rrname), rrtype)
        if key in rows:
            rows[key] = None  # twice: a broken upsert key
        else:
            rows[key] = [count, first, last]
    db.close()
    return rows


def compare(ref, got, undecodable):
    bad = []
    for k, v in ref.items():
        g = got.get(k)
        if g is None:
            bad.append("missing %s %s" % (k, v))
        elif g != v and not (undecodable and 0 < g[0] - v[0] <= undecodable and g[1] <= v[1] and g[2] >= v[2]):
            bad.append("differs %s: reference %s, store %s" % (k, v, g))
    for k, g in got.items():
        if k not in ref and not (undecodable and g and g[0] <= undecodable):
            bad.append("extra %s %s" % (k, g))
    return bad


MODES = [("one worker", []),
         ("three workers, 2 entries, 1 s", ["-numprocs", "3", "-cof_max_entries", "2", "-cof_interval", "1s"])]


def per_capture(tmp):
    names, ports = corpus_names()
    failed, rows_total, evicted = [], 0, 0
    for name in names:
        ref, undecodable = reference(name)
        rows_total += len(ref)
        for mode, extra in MODES:
            store = os.path.join(tmp, "c.db")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(store + suffix):
                    os.unlink(store + suffix)
            p = subprocess.run([PDNSLOG, "-quiet", "-name", "t", "-ports", ports.get(name, "53"),
                                "-pdns_db", store, "-pdns_clients", "-pcap", os.path.join(CORPUS, "pcaps", name)]
                               + (extra or ["-numprocs", "1"]), capture_output=True, timeout=120)
            err = p.stderr.decode(errors="replace")
            if p.returncode != 0:
                failed.append("%s (%s): exit %d: %s" % (name, mode, p.returncode, err[:300]))
                continue
            st = stats_of(err)
            evicted += st.get("pdns_clients_evicted", 0)
            got = store_clients(store)
            bad = compare(ref, got, undecodable)
            if bad:
                failed.append("%s (%s): %s" % (name, mode, "; ".join(bad[:4])))
            if st.get("pdns_db_facts") != st.get("cof_records", 0) + st.get("pdns_clients_records", 0):
                failed.append("%s (%s): pdns_db_facts %s is not cof_records %s + pdns_clients_records %s"
                              % (name, mode, st.get("pdns_db_facts"), st.get("cof_records"),
                                 st.get("pdns_clients_records")))
    for f in failed[:10]:
        print("    " + f)
    expect("client rows of %d captures x %d ways equal the reference's (%d rows)" % (len(names), len(MODES), rows_total),
           not failed)
    expect("-cof_max_entries 2 evicted client rows (%d)" % evicted, evicted > 0)
    return names, ports


def fill_all(tmp, names, ports):
    store = os.path.join(tmp, "all.db")
    for name in names:
        p = subprocess.run([PDNSLOG, "-quiet", "-numprocs", "1", "-ports", ports.get(name, "53"),
                            "-pdns_db", store, "-pdns_clients", "-pcap", os.path.join(CORPUS, "pcaps", name)],
                           capture_output=True, timeout=120)
        if p.returncode != 0:
            expect("filling one store: %s exit %d" % (name, p.returncode), False)
            return store, []
    db = sqlite3.connect("file:%s?mode=ro" % store, uri=True)
    rows = list(db.execute("SELECT client, rrname, rrtype, time_first, time_last, count FROM clients"))
    db.close()
    return store, rows


def query(*args):
    return subprocess.run([PDNSLOG, "query"] + list(args), capture_output=True, text=True, timeout=60)


def queries(store, rows):
    by_client = collections.defaultdict(list)
    by_name = collections.defaultdict(list)
    for r in rows:
        by_client[r[0]].append(r)
        by_name[r[1].lower()].append(r)
    clients = sorted(by_client, key=lambda c: -len(by_client[c]))
    sample = clients[:3] + [c for c in clients if ":" in c][:2]
    ok = True
    for c in sample:
        q = query("-pdns_db", store, "-client", c, "-limit", "100000", "-json")
        got = sorted((j["client"], j["rrname"], type_number(j["rrtype"]), j["time_first"], j["time_last"], j["count"])
                     for j in map(json.loads, q.stdout.splitlines()))
        want = sorted((r[0], r[1], r[2], r[3], r[4], r[5]) for r in by_client[c])
        if q.returncode != 0 or got != want:
            print("    -client %s: exit %d, %d rows, want %d" % (c, q.returncode, len(got), len(want)))
            ok = False
        times = [j["time_last"] for j in map(json.loads, q.stdout.splitlines())]
        if times != sorted(times, reverse=True):
            print("    -client %s: not most recently seen first" % c)
            ok = False
    expect("query -client: exactly each sampled client's rows (%s)" % ", ".join(sample), ok)
    v6 = [c for c in clients if ":" in c]
    if v6:
        spelt = ipaddress.ip_address(v6[0]).exploded.upper()
        a = query("-pdns_db", store, "-client", v6[0], "-limit", "100000", "-json").stdout
        b = query("-pdns_db", store, "-client", spelt, "-limit", "100000", "-json").stdout
        expect("query -client %s finds what %s does" % (spelt, v6[0]), a == b and a)
    names = sorted(by_name, key=lambda n: -len(by_name[n]))[:3]
    ok = True
    for n in names:
        q = query("-pdns_db", store, "-clients", n, "-limit", "100000", "-json")
        got = sorted(tuple(j[k] for k in ("client", "rrname", "time_first", "time_last", "count"))
                     for j in map(json.loads, q.stdout.splitlines()))
        want = sorted((r[0], r[1], r[3], r[4], r[5]) for r in by_name[n])
        if q.returncode != 0 or got != want:
            print("    -clients %s: exit %d, %d rows, want %d" % (n, q.returncode, len(got), len(want)))
            ok = False
    expect("query -clients NAME: exactly the rows of %s" % ", ".join(names), ok)
    # A suffix: every row whose name is under it, not the name itself.
    suffix = "in-addr.arpa" if any(n.endswith(".in-addr.arpa") for n in by_name) else names[0].split(".", 1)[-1]
    q = query("-pdns_db", store, "-clients", "*." + suffix, "-limit", "100000", "-json")
    got = sorted((j["client"], j["rrname"], j["count"]) for j in map(json.loads, q.stdout.splitlines()))
    want = sorted((r[0], r[1], r[5]) for r in rows if r[1].lower().endswith("." + suffix))
    expect("query -clients *.%s: the %d rows under it" % (suffix, len(want)), q.returncode == 0 and got == want and want)
    q = query("-pdns_db", store, "-client", sample[0], "-table")
    lines = q.stdout.splitlines()
    expect("query -client -table: a header with a client column and one line per row",
           q.returncode == 0 and lines and lines[0].split()[-1] == "client" and len(lines) == 1 + min(100, len(by_client[sample[0]])))
    q = query("-pdns_db", store, "-client", "192.0.2.254")
    expect("query -client of an address never seen: status 1, nothing", q.returncode == 1 and not q.stdout)


def usage(tmp, store):
    mx = os.path.join(CORPUS, "pcaps", "dqy__mx.pcap")
    cases = [
        ([PDNSLOG, "-pcap", mx, "-pdns_clients"], "-pdns_clients needs -pdns_db"),
        ([PDNSLOG, "-kafka_consume", "-kafka_brokers", "127.0.0.1:1", "-kafka_topic", "t", "-pdns_db",
          os.path.join(tmp, "x.db"), "-pdns_clients"], "-pdns_clients cannot be used with -kafka_consume"),
        ([PDNSLOG, "query", "-pdns_db", store, "-clients"], "-clients needs a NAME"),
        ([PDNSLOG, "query", "-pdns_db", store, "-clients", "-rdata", "1.2.3.4"], "-clients takes a NAME"),
        ([PDNSLOG, "query", "-pdns_db", store, "-client", "1.2.3.4", "example.com"], "give -client ADDR alone"),
        ([PDNSLOG, "query", "-pdns_db", store, "-client", "not-an-address"], "a client is an IPv4 or IPv6 address"),
    ]
    for argv, want in cases:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        first = p.stderr.splitlines()[0] if p.stderr else ""
        expect("%s: status 2, '%s'" % (" ".join(argv[1:])[:90], want),
               p.returncode == 2 and want in first and not p.stdout, "exit %d: %s" % (p.returncode, p.stderr[:200]))
    # A store written without -pdns_clients: no rows for anyone.
    plain = os.path.join(tmp, "plain.db")
    subprocess.run([PDNSLOG, "-quiet", "-pcap", mx, "-pdns_db", plain], capture_output=True, timeout=60)
    q = query("-pdns_db", plain, "-client", "127.0.0.1")
    expect("a store without -pdns_clients: -client finds nothing (status 1)", q.returncode == 1, q.stderr[:200])


def counts_in(store):
    try:
        db = sqlite3.connect("file:%s?mode=ro" % store, uri=True, timeout=10)
        f = db.execute("SELECT count(*), coalesce(sum(count), 0) FROM facts").fetchone()
        c = db.execute("SELECT count(*), coalesce(sum(count), 0) FROM clients").fetchone()
        db.close()
        return f, c
    except sqlite3.Error:
        return None, None


def sighup(tmp, workers):
    """The capture fed through a pipe left open; SIGHUP; the store must
    reach what a complete run stores while pdnslog still runs."""
    pcap = os.path.join(CORPUS, "pcaps", "dnscap__dns.pcap")
    ref_store = os.path.join(tmp, "hup-ref-%d.db" % workers)
    subprocess.run([PDNSLOG, "-quiet", "-numprocs", str(workers), "-pdns_db", ref_store, "-pdns_clients",
                    "-pcap", pcap], capture_output=True, timeout=60)
    want = counts_in(ref_store)
    store = os.path.join(tmp, "hup-%d.db" % workers)
    p = subprocess.Popen([PDNSLOG, "-quiet", "-numprocs", str(workers), "-pdns_db", store, "-pdns_clients",
                          "-pcap", "-"], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(open(pcap, "rb").read())
    p.stdin.flush()
    # Without a signal: every fact and row is in the store within about a
    # second (first sightings; the rest waits for -cof_interval).
    deadline = time.monotonic() + 5
    before = None
    while time.monotonic() < deadline:
        before = counts_in(store)
        if before[0] and before[0][0] == want[0][0] and before[1][0] == want[1][0]:
            break
        time.sleep(0.1)
    expect("%d worker(s), a quiet pipe: every fact and client row reaches the store without a signal (%s)"
           % (workers, before), before[0] and before[0][0] == want[0][0] and before[1][0] == want[1][0])
    p.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 5
    got = None
    while time.monotonic() < deadline:
        got = counts_in(store)
        if got == want:
            break
        time.sleep(0.1)
    running = p.poll() is None
    p.stdin.close()
    p.wait(timeout=60)
    expect("SIGHUP, %d worker(s): the store holds every fact and client row while pdnslog runs "
           "(%s; before the signal %s)" % (workers, got, before),
           want[0] and want[0][0] > 0 and want[1][0] > 0 and got == want and running)
    expect("SIGHUP, %d worker(s): nothing committed twice by the exit after it" % workers,
           counts_in(store) == want, "%s vs %s" % (counts_in(store), want))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        names, ports = per_capture(tmp)
        store, rows = fill_all(tmp, names, ports)
        queries(store, rows)
        usage(tmp, store)
        sighup(tmp, 1)
        sighup(tmp, 3)
    return finish("pdnsclients")


if __name__ == "__main__":
    sys.exit(main())
