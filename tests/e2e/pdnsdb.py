#!/usr/bin/python3
"""End-to-end: the -pdns_db store and `pdnslog query`.

1. Every corpus capture (tests/corpus/*.list, -ports from ports.tsv) read by
   `pdnslog -numprocs 1 -format cof -pdns_db STORE`, all into one store, with
   the default sandbox.  The facts the COF lines of those same runs give,
   summed per (rrname, rrtype, rdata) (counts added, earliest time_first,
   latest time_last), must be exactly the store's rows, read with Python's
   sqlite3 module; and `pdnslog query` must give back, for a sample of names,
   suffixes and rdata values, exactly the facts that match (no more, no
   less), as COF lines and as a table.
2. The query command's usage errors and its refusal of files that are no
   store: exit status 2 with one clear line; 1 when nothing is found.
3. kill -9 while writing: a capture fed slowly through a pipe, the writer
   killed mid-run three times; each time PRAGMA integrity_check says ok, the
   store is readable by `pdnslog query`, and no count exceeds what the runs
   so far could have put there.  Then a complete run adds exactly one full
   run's counts on top of what was there.

usage: pdnsdb.py PDNSLOG"""
import collections
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(top, "tests", "e2e"))
from checks import expect, finish, stats_of  # noqa: E402

PDNSLOG = os.path.abspath(sys.argv[1])
CORPUS = os.path.join(top, "tests", "corpus")
# The mnemonics as pdnslog writes them, from its own table.
with open(os.path.join(top, "src", "dns", "rrtype.c")) as f:
    src = f.read().split("const char *dns_type_name")[0]
TYPES = {name: int(num) for num, name in re.findall(r'\[(\d+)\] = "([^"]+)"', src)}
TYPES.update({name: int(num) for num, name in re.findall(r'\{ (\d+), "([^"]+)" \}', src)})


def type_number(t):
    if isinstance(t, int):
        return t
    if t.upper().startswith("TYPE") and t[4:].isdigit():
        return int(t[4:])
    return TYPES[t]


def cof_facts(lines, into):
    """Sum COF lines into {(rrname lower, type, rdata): [first, last, count, rrname]}."""
    for line in lines:
        if not line.strip():
            continue
        c = json.loads(line)
        key = (c["rrname"].lower(), type_number(c["rrtype"]), c["rdata"])
        cur = into.get(key)
        if cur is None:
            into[key] = [c["time_first"], c["time_last"], c["count"], c["rrname"]]
        else:
            cur[0] = min(cur[0], c["time_first"])
            cur[1] = max(cur[1], c["time_last"])
            cur[2] += c["count"]
    return into


def store_facts(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    rows = db.execute("SELECT rrname, rrtype, rdata, time_first, time_last, count FROM facts").fetchall()
    db.close()
    out = {}
    for name, t, rdata, first, last, count in rows:
        out[(name.lower(), t, rdata)] = [first, last, count, name]
    return out


def rdata_key(t, rdata):
    """What -rdata matches (store.c's rdata_key)."""
    skip = {15: 1, 18: 1, 21: 1, 36: 1, 64: 1, 65: 1, 33: 3}.get(t, 0)
    p = rdata
    if skip:
        parts = rdata.split(" ")
        p = parts[skip] if len(parts) > skip else rdata
    if len(p) > 1 and p.endswith(".") and not p.endswith("\\.") and (skip or t in (2, 5, 12, 39)):
        p = p[:-1]
    return p.lower()


def query(*args):
    return subprocess.run([PDNSLOG, "query"] + list(args), capture_output=True, text=True, timeout=60)


def query_facts(*args):
    r = query(*args)
    return r.returncode, cof_facts(r.stdout.splitlines(), {}), r


def corpus(tmp):
    store = os.path.join(tmp, "corpus.db")
    ports = {}
    with open(os.path.join(CORPUS, "ports.tsv")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, p = line.split()
                ports[name] = p
    names = []
    for lst in ("udp.list", "tcpfrag.list", "other.list"):
        with open(os.path.join(CORPUS, lst)) as f:
            names += [n.strip() for n in f if n.strip()]
    expected = {}
    bad_runs = []
    stored = 0
    for name in names:
        r = subprocess.run([PDNSLOG, "-numprocs", "1", "-name", "test", "-ports", ports.get(name, "53"),
                            "-format", "cof", "-pdns_db", store, "-pcap", os.path.join(CORPUS, "pcaps", name)],
                           capture_output=True, text=True, timeout=60)
        st = stats_of(r.stderr)
        if r.returncode != 0 or st.get("pdns_db_errors", 1) != 0 or st.get("pdns_db_facts") != st.get("cof_records"):
            bad_runs.append("%s: exit %d, %s" % (name, r.returncode, r.stderr[-300:]))
        stored += st.get("pdns_db_facts", 0)
        cof_facts(r.stdout.splitlines(), expected)
    expect("every corpus run exits 0 with every fact stored (pdns_db_facts == cof_records, no pdns_db_errors)",
           not bad_runs, "\n".join(bad_runs[:5]))
    expect("the corpus gives facts", len(expected) > 500, "%d" % len(expected))
    got = store_facts(store)
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    wrong = [(k, expected[k][:3], got[k][:3]) for k in expected if k in got and expected[k][:3] != got[k][:3]]
    expect("the store holds exactly the facts of the COF lines (%d facts, %d COF lines' worth)" %
           (len(expected), stored), not missing and not extra,
           "missing %d %s, extra %d %s" % (len(missing), missing[:3], len(extra), extra[:3]))
    expect("each fact's time_first, time_last and count are the COF lines' min, max and sum", not wrong,
           "%d wrong, e.g. %s" % (len(wrong), wrong[:3]))
    return store, expected


def queries(store, expected):
    rnd = random.Random(18)
    by_name = collections.defaultdict(dict)
    by_key = collections.defaultdict(dict)
    for k, v in expected.items():
        by_name[k[0]][k] = v
        by_key[rdata_key(k[1], k[2])][k] = v
    names = sorted(by_name)
    sample = rnd.sample(names, min(60, len(names)))
    bad = []
    for n in sample:
        want = {k: v[:3] for k, v in by_name[n].items()}
        asked = n.upper() if rnd.random() < 0.3 else n  # any case
        rc, got, r = query_facts("-pdns_db", store, "-json", "-limit", "100000", asked)
        got = {k: v[:3] for k, v in got.items()}
        if rc != 0 or got != want:
            bad.append("%s: exit %d, got %d facts, want %d %s" % (asked, rc, len(got), len(want), r.stderr[:200]))
    expect("`pdnslog query NAME` gives exactly the name's facts (%d names)" % len(sample), not bad,
           "\n".join(bad[:5]))

    # Suffixes: the parents of sampled names, each matched against a scan.
    bad = []
    suffixes = set()
    for n in sample:
        labels = n.split(".")
        if len(labels) >= 2:
            suffixes.add(".".join(labels[-2:]))
        if len(labels) >= 3:
            suffixes.add(".".join(labels[1:]))
    for s in sorted(suffixes)[:40]:
        want = {k: v[:3] for k, v in expected.items() if k[0].endswith("." + s)}
        rc, got, r = query_facts("-pdns_db", store, "-json", "-limit", "1000000", "*." + s)
        got = {k: v[:3] for k, v in got.items()}
        if got != want or rc != (0 if want else 1):
            bad.append("*.%s: exit %d, got %d facts, want %d" % (s, rc, len(got), len(want)))
    expect("`pdnslog query *.SUFFIX` gives exactly the names under it (%d suffixes)" % min(40, len(suffixes)),
           not bad, "\n".join(bad[:5]))

    # rdata: addresses and names in data, the other way round.
    bad = []
    keys = sorted(k for k in by_key if k)
    for key in rnd.sample(keys, min(60, len(keys))):
        want = {k: v[:3] for k, v in by_key[key].items()}
        rc, got, r = query_facts("-pdns_db", store, "-json", "-limit", "100000", "-rdata", key)
        got = {k: v[:3] for k, v in got.items()}
        if rc != 0 or got != want:
            bad.append("-rdata %s: exit %d, got %d facts, want %d" % (key, rc, len(got), len(want)))
    expect("`pdnslog query -rdata VALUE` gives exactly the facts with that data (60 values)", not bad,
           "\n".join(bad[:5]))

    # Order, limit, type and window on the name with the most facts.
    busiest = max(by_name, key=lambda n: len(by_name[n]))
    facts = by_name[busiest]
    rc, got, r = query_facts("-pdns_db", store, "-json", "-limit", "2", busiest)
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    lasts = sorted((v[1] for v in facts.values()), reverse=True)
    expect("-limit 2 gives the two most recently seen facts, latest first",
           rc == 0 and [x["time_last"] for x in lines] == lasts[:2], "%s vs %s" % (lines, lasts[:2]))
    t = next(iter(facts))[1]
    rc, got, r = query_facts("-pdns_db", store, "-json", "-rrtype", str(t), "-limit", "100000", busiest)
    expect("-rrtype keeps that type only", rc == 0 and set(got) == {k for k in facts if k[1] == t})
    mid = sorted(v[1] for v in facts.values())[len(facts) // 2]
    rc, got, r = query_facts("-pdns_db", store, "-json", "-since", str(mid), "-limit", "100000", busiest)
    expect("-since keeps the facts last seen from then on",
           set(got) == {k for k, v in facts.items() if v[1] >= mid}, "since %d" % mid)
    rc, got, r = query_facts("-pdns_db", store, "-json", "-until", str(mid), "-limit", "100000", busiest)
    expect("-until keeps the facts first seen until then",
           set(got) == {k for k, v in facts.items() if v[0] <= mid}, "until %d" % mid)

    # The table: a header, then one aligned row per fact.
    r = query("-pdns_db", store, "-table", "-limit", "100000", busiest)
    rows = r.stdout.splitlines()
    expect("-table: a header and a row per fact", r.returncode == 0 and len(rows) == len(facts) + 1 and
           rows[0].startswith("last seen (UTC)") and all(busiest in x for x in rows[1:]), r.stdout[:300])
    col = rows[0].index("name")
    expect("-table: the name column is aligned", all(x[col:].startswith(busiest) for x in rows[1:]))


def usage(tmp, store):
    cases = [
        (["query", "www.example.com"], "-pdns_db FILE is needed"),
        (["query", "-pdns_db", store], "give a NAME"),
        (["query", "-pdns_db", store, "a.example", "b.example"], "one name at a time"),
        (["query", "-pdns_db", store, "-rdata", "1.2.3.4", "a.example"], "not both"),
        (["query", "-pdns_db", store, "-rrtype", "BOGUS", "a.example"], "-rrtype"),
        (["query", "-pdns_db", store, "-since", "yesterday", "a.example"], "-since"),
        (["query", "-pdns_db", store, "-limit", "0", "a.example"], "-limit"),
        (["query", "-pdns_db", store, "-bogus", "a.example"], "not defined"),
        (["query", "-pdns_db", store, "*."], "wildcard"),
        (["query", "-pdns_db", os.path.join(tmp, "nonexistent.db"), "a.example"], "No such file"),
        (["query", "-pdns_db", os.path.join(CORPUS, "ports.tsv"), "a.example"], "not a pdnslog store"),
        (["query", "-pdns_db", tmp, "a.example"], "not a pdnslog store"),
    ]
    bad = []
    for args, msg in cases:
        r = subprocess.run([PDNSLOG] + args, capture_output=True, text=True, timeout=30)
        first = r.stderr.splitlines()[0] if r.stderr else ""
        if r.returncode != 2 or msg not in first or r.stdout:
            bad.append("%s: exit %d, %r" % (" ".join(args[1:]), r.returncode, r.stderr[:200]))
    expect("usage errors and files that are no store: exit 2, one clear line (%d cases)" % len(cases), not bad,
           "\n".join(bad))
    expect("a missing store is not created by a query", not os.path.exists(os.path.join(tmp, "nonexistent.db")))
    r = query("-pdns_db", store, "no-such-name.invalid")
    expect("nothing found: exit 1, no output", r.returncode == 1 and not r.stdout and not r.stderr, r.stderr)
    env = dict(os.environ, PDNS_PDNS_DB=store)
    r = subprocess.run([PDNSLOG, "query", "-h"], capture_output=True, text=True, env=env)
    expect("query -h: usage, exit 0", r.returncode == 0 and "usage: pdnslog query" in r.stdout)
    # The store is only read: its bytes do not change.
    before = open(store, "rb").read()
    query("-pdns_db", store, "*.com")
    expect("a query leaves the store's file as it was", open(store, "rb").read() == before)


def feed_slowly(store, pcap, kill_after=None, interval="1s"):
    """Run pdnslog on pcap fed through a pipe a chunk at a time; kill -9
    after kill_after seconds.  Returns (exit status, stderr)."""
    p = subprocess.Popen([PDNSLOG, "-numprocs", "2", "-quiet", "-pdns_db", store, "-cof_interval", interval,
                          "-pcap", "-"], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    start = time.monotonic()
    killed = False
    with open(pcap, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            try:
                p.stdin.write(chunk)
                p.stdin.flush()
            except BrokenPipeError:
                break
            if kill_after is not None and time.monotonic() - start >= kill_after:
                p.send_signal(signal.SIGKILL)
                killed = True
                break
            time.sleep(0.05)
    try:
        p.stdin.close()
    except BrokenPipeError:
        pass
    err = p.stderr.read().decode(errors="replace")
    rc = p.wait(timeout=120)
    return rc, err, killed


def integrity(store):
    r = subprocess.run(["sqlite3", store, "PRAGMA integrity_check"], capture_output=True, text=True, timeout=60)
    return r.stdout.strip()


def kill9(tmp):
    pcap = os.path.join(tmp, "big.pcap")
    subprocess.run(["/usr/bin/python3", os.path.join(top, "bench", "gen_bench_capture.py"), pcap,
                    "--packets", "400000"], check=True, capture_output=True, timeout=120)
    full = os.path.join(tmp, "full.db")
    rc, err, _ = feed_slowly(full, pcap)
    st = stats_of(err)
    expect("a complete run through a pipe stores every fact", rc == 0 and st.get("pdns_db_errors") == 0 and
           st.get("pdns_db_facts") == st.get("cof_records") and st.get("pdns_db_commits", 0) > 1, err[-300:])
    expect("the closed store's -wal and -shm are gone (the sandbox let SQLite clean up)",
           not os.path.exists(full + "-wal") and not os.path.exists(full + "-shm"))
    ref = store_facts(full)
    store = os.path.join(tmp, "killed.db")
    rnd = random.Random(9)
    sample = rnd.sample(sorted(ref), 20)
    for i in range(1, 4):
        rc, err, killed = feed_slowly(store, pcap, kill_after=rnd.uniform(0.8, 2.0))
        expect("run %d was killed mid-run (exit -9)" % i, killed and rc == -signal.SIGKILL, "exit %d" % rc)
        # Read first as it was left (a -wal to recover), then check.
        n = sample[i]
        r = query("-pdns_db", store, "-json", n[0])
        expect("after kill %d: pdnslog query reads the store (exit 0 or 1)" % i, r.returncode in (0, 1),
               "exit %d %s" % (r.returncode, r.stderr))
        expect("after kill %d: PRAGMA integrity_check says ok" % i, integrity(store) == "ok")
        got = store_facts(store)
        over = [k for k, v in got.items() if k not in ref or v[2] > i * ref[k][2]]
        expect("after kill %d: %d facts stored, none unknown or counted more than %d runs could" %
               (i, len(got), i), not over and len(got) > 0, "%s" % over[:3])
    before = store_facts(store)
    rc, err, _ = feed_slowly(store, pcap)
    st = stats_of(err)
    after = store_facts(store)
    wrong = [k for k in ref if after.get(k, [0, 0, -1])[2] != before.get(k, [0, 0, 0])[2] + ref[k][2]]
    expect("a complete run after the kills adds exactly one run's counts to every fact",
           rc == 0 and not wrong and set(after) == set(ref), "exit %d, %d wrong %s" % (rc, len(wrong), wrong[:3]))
    expect("and the times stay the full run's (the same capture)",
           all(after[k][:2] == ref[k][:2] for k in ref))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        store, expected = corpus(tmp)
        queries(store, expected)
        usage(tmp, store)
        kill9(tmp)
    finish("pdnsdb")


main()
