#!/usr/bin/python3
"""-pcap_dir end to end: a writer that behaves like tcpdump -C (one file at a
time, the current one growing, its header and packets written in pieces)
rotates capture files in a temporary directory while pdnslog follows it with
-pcap_state; pdnslog is stopped (SIGTERM) in the middle and started again;
then a gzip-compressed file is dropped in.  The records of both runs together
must be those of `pdnslog -pcap` on all the files at once: every exchange
exactly once, except that one split by the restart may come out as
unanswered (first run) + response_only (second run).
Usage: pcapdir.py PDNSLOG CORPUS_DIR"""
import collections, gzip, json, os, shutil, signal, struct, subprocess, sys, tempfile, time

BIN, CORPUS = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(what, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s%s" % (what, (": " + detail) if detail else ""))


def packets(path):
    data = open(path, "rb").read()
    hdr, off, out = data[:24], 24, []
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        out.append((sec, usec, data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return hdr, out


def writer(d, hdr, pkts, nfiles, pause, on_file):
    """tcpdump -C: dns.pcap, dns.pcap1, ... each a shifted copy of pkts."""
    names = []
    for k in range(nfiles):
        name = "dns.pcap" + (str(k) if k else "")
        names.append(name)
        with open(os.path.join(d, name), "wb", buffering=0) as f:
            f.write(hdr[:10])  # a header half written
            time.sleep(pause)
            f.write(hdr[10:])
            body = b"".join(struct.pack("<IIII", s + 1000 * k, u, len(p), o) + p for s, u, p, o in pkts)
            pieces = 4
            cut = [len(body) * i // pieces + 7 for i in range(pieces)] + [len(body)]
            cut[0] = 0
            for a, b in zip(cut, cut[1:]):  # packets cut anywhere
                f.write(body[a:b])
                time.sleep(pause)
                on_file(k, b)
    return names


def start(d, state, out):
    return subprocess.Popen([BIN, "-name", "s1", "-format", "json", "-numprocs", "1", "-pcap_dir", d,
                             "-pcap_state", state], stdout=open(out, "wb"), stderr=open(out + ".err", "wb"),
                            stdin=subprocess.DEVNULL)


def stop(p, what):
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = "hung"
    check(what + ": exit status 0 on SIGTERM", rc == 0, str(rc))


def records(path):
    return [json.loads(l) for l in open(path) if l.strip()]


def key(r):
    # an exchange: its query ID and flow (-format json)
    return (r.get("id"), r.get("protocol"), r.get("client"), r.get("client_port"), r.get("server"),
            r.get("server_port"))


def tstamp(r, part):
    return (r.get(part) or {}).get("tstamp")


def main():
    t = tempfile.mkdtemp(prefix="pcapdir.")
    try:
        run(t)
    finally:
        shutil.rmtree(t, ignore_errors=True)
    print("pcapdir: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


def run(t):
    d = os.path.join(t, "dir")
    os.mkdir(d)
    state = os.path.join(d, "pdnslog.state")  # in the directory: ignored
    hdr, pkts = packets(os.path.join(CORPUS, "dnscap__dns.pcap"))
    out1, out2 = os.path.join(t, "run1"), os.path.join(t, "run2")
    procs = {"p": start(d, state, out1)}

    def on_file(k, written):
        if k == 5 and "state1" not in procs:  # restart while the sixth file is being written
            time.sleep(0.3)
            stop(procs["p"], "first run")
            st = open(state).read() if os.path.exists(state) else ""
            procs["state1"] = st
            check("first run: state saved at the stop", "file=dns.pcap" in st, st)
            procs["p"] = start(d, state, out2)

    names = writer(d, hdr, pkts, 11, 0.08, on_file)
    time.sleep(1.5)
    gz = os.path.join(d, "later.pcap.gz")
    with open(os.path.join(CORPUS, "dqy__mx.pcap"), "rb") as src, gzip.open(gz + ".tmp", "wb") as dst:
        dst.write(src.read())
    os.rename(gz + ".tmp", gz)  # written as .tmp, then renamed, as tools do: the .tmp is never read
    names.append("later.pcap.gz")
    time.sleep(1.5)
    stop(procs["p"], "second run")
    check("state file written", os.path.exists(state))
    st = open(state).read() if os.path.exists(state) else ""
    check("state names the last file read", "file=later.pcap.gz" in st, st)

    ref = os.path.join(t, "ref")
    with open(ref, "wb") as f:
        rc = subprocess.call([BIN, "-name", "s1", "-format", "json", "-numprocs", "1"] +
                             ["-pcap=" + os.path.join(d, n) for n in names],
                             stdout=f, stderr=subprocess.DEVNULL, timeout=60)
    check("reference run: status 0", rc == 0)
    want, got1, got2 = records(ref), records(out1), records(out2)
    check("first run wrote records", len(got1) > 0)
    check("second run wrote records", len(got2) > 0)
    check("the gzip file was read", any("netmeister" in json.dumps(r) for r in got2))
    for e in (out1 + ".err", out2 + ".err"):
        lines = [l for l in open(e) if not l.startswith("{")]
        check("nothing but stats on stderr (%s)" % os.path.basename(e), not lines, "".join(lines)[:500])

    # The records of both runs == the reference's, but for exchanges the
    # restart split in two: unanswered in the first, response_only in the second.
    w = collections.Counter(json.dumps(r, sort_keys=True) for r in want)
    g = collections.Counter(json.dumps(r, sort_keys=True) for r in got1 + got2)
    missing, extra = w - g, g - w
    split = 0
    got1s = set(json.dumps(r, sort_keys=True) for r in got1)
    got2s = set(json.dumps(r, sort_keys=True) for r in got2)
    for m in list(missing.elements()):
        r = json.loads(m)
        k = key(r)
        un = [x for x in extra.elements() if json.loads(x).get("status") == "unanswered" and
              key(json.loads(x)) == k and tstamp(json.loads(x), "query") == tstamp(r, "query")]
        ro = [x for x in extra.elements() if json.loads(x).get("status") == "response_only" and
              key(json.loads(x)) == k and tstamp(json.loads(x), "response") == tstamp(r, "response")]
        if r.get("status") == "answered" and un and ro and un[0] in got1s and ro[0] in got2s:
            extra[un[0]] -= 1
            extra[ro[0]] -= 1
            missing[m] -= 1
            split += 1
    extra += collections.Counter()
    missing += collections.Counter()
    check("every record exactly once across the restart (%d records, %d split)" % (sum(w.values()), split),
          not missing and not extra,
          "missing %d %s; extra %d %s" % (sum(missing.values()), list(missing)[:3], sum(extra.values()), list(extra)[:3]))
    print("pcapdir: state at the restart: %s; %d records, %d + %d written, %d split" % (
        procs.get("state1", "").replace("\n", " "), len(want), len(got1), len(got2), split))
    check("at most a few exchanges split by the restart", split <= 2, str(split))

    # -pcap_dir with -pcap or -dev: a usage error.
    for extra_args in (["-pcap", os.path.join(d, "dns.pcap")], ["-dev", "lo"], [os.path.join(d, "dns.pcap")]):
        rc = subprocess.call([BIN, "-pcap_dir", d] + extra_args, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, timeout=10)
        check("-pcap_dir with %s: status 2" % extra_args[0], rc == 2, str(rc))


main()
