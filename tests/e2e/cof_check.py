#!/usr/bin/python3
"""Hold pdnslog's -format cof against an independent count from the reference decode.

usage: cof_check.py PDNSLOG CORPUS_DIR LIST...

For every capture of the lists (tests/corpus/*.list), pdnslog runs with one
worker and -format cof in four ways: the defaults (-cof_interval 1h),
-cof_interval 1s (facts written again and again), -cof_max_entries 2 (facts
evicted all the time), and with three workers (each aggregating its share).  Each time, the COF lines summed per (rrname, rrtype,
rdata) -- counts added, min time_first, max time_last -- must equal what the
reference decode (tests/corpus/ref/NAME.jsonl, tshark + dnspython, made by
tests/tools/oracle.py) says, computed here without pdnslog: for every
response (qr true), every distinct answer (name, type, rdata) counts once,
first = min(floor(ts)), last = max(floor(ts)).

Names and rdata are normalised as tests/tools/compare_flat.py does (its
norm_name/norm_rdata are copied below: that script runs on import).

Messages the reference could not decode ("undecodable") are the one
allowance, reported per capture: pdnslog may salvage records from them, so
in those captures its counts may exceed the reference's by at most the number
of undecodable messages, and facts only it has may count that many at most.

Also checked: every line is well-formed COF (count >= 1, time_first <=
time_last, sensor_id), cof_records equals the lines written, every fact's
first line has count 1 (written when first seen); with the default interval
on a capture shorter than an hour, at most two lines per fact (first seen,
then the rest at exit); with 1 s, some fact is written more than twice; with
2 entries, cof_evicted > 0.
"""
import json, math, os, subprocess, sys
from collections import defaultdict


# From tests/tools/compare_flat.py (the shared comparison's normalisation).
def norm_name(s):
    return (s or "").rstrip(".").lower() or "."


def norm_rdata(s):
    toks = [t.strip('"').rstrip(".").lower() for t in str(s).split()]
    return "".join(toks)


def reference(path):
    """(facts {key: [count, first, last]}, undecodable messages, time span)."""
    facts, undecodable, ts = {}, 0, []
    for line in open(path):
        m = json.loads(line)
        ts.append(m["ts"])
        if "undecodable" in m:
            undecodable += 1
            continue
        if not m["qr"]:
            continue
        sec = math.floor(m["ts"])
        for key in {(norm_name(n), t, norm_rdata(r)) for n, t, _ttl, r in m["answers"]}:
            f = facts.get(key)
            if f is None:
                facts[key] = [1, sec, sec]
            else:
                f[0] += 1
                f[1] = min(f[1], sec)
                f[2] = max(f[2], sec)
    span = max(ts) - min(ts) if ts else 0
    return facts, undecodable, span


def run(pdnslog, pcap, ports, extra):
    p = subprocess.run([pdnslog, "-numprocs", "1", "-format", "cof", "-name", "test", "-ports", ports,
                        "-pcap", pcap] + extra, capture_output=True, timeout=60)
    stats = {}
    for line in p.stderr.decode("utf-8", "replace").splitlines():
        if line.startswith("{") and '"type":"stats"' in line:
            stats = json.loads(line)
    return p.returncode, p.stdout, stats, p.stderr.decode("utf-8", "replace")


def ours(out, problems):
    """Summed facts, the per-fact lines (in order) and the line count."""
    facts, lines, n = {}, defaultdict(list), 0
    for raw in out.splitlines():
        n += 1
        try:
            r = json.loads(raw.decode("utf-8"))
            key = (norm_name(r["rrname"]), r["rrtype"], norm_rdata(r["rdata"]))
            c, a, b = int(r["count"]), int(r["time_first"]), int(r["time_last"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
            problems.append("bad line %r: %s" % (raw[:200], e))
            continue
        if c < 1 or a > b or r.get("sensor_id") != "test":
            problems.append("bad values: %s" % raw[:200].decode("utf-8", "replace"))
        lines[(r["rrname"], r["rrtype"], r["rdata"])].append((c, a, b))
        f = facts.get(key)
        if f is None:
            facts[key] = [c, a, b]
        else:
            f[0] += c
            f[1] = min(f[1], a)
            f[2] = max(f[2], b)
    return facts, lines, n


def compare(ref, got, undecodable):
    """Mismatches (strict), and how many facts the undecodable allowance covered."""
    bad, allowed = [], 0
    for k, (c, a, b) in ref.items():
        g = got.get(k)
        if g is None:
            bad.append("missing %s count %d" % (k, c))
        elif g != [c, a, b]:
            if undecodable and 0 < g[0] - c <= undecodable and g[1] <= a and g[2] >= b:
                allowed += 1
            else:
                bad.append("differs %s: reference %s, pdnslog %s" % (k, [c, a, b], g))
    for k, g in got.items():
        if k in ref:
            continue
        if undecodable and g[0] <= undecodable:
            allowed += 1
        else:
            bad.append("extra %s %s" % (k, g))
    return bad, allowed


MODES = [("default", []), ("interval1s", ["-cof_interval", "1s"]), ("entries2", ["-cof_max_entries", "2"]),
         ("workers3", ["-numprocs", "3"])]


def main():
    pdnslog, corpus, lists = sys.argv[1], sys.argv[2], sys.argv[3:]
    ports = {}
    for line in open(os.path.join(corpus, "ports.tsv")):
        if line.strip() and not line.startswith("#"):
            name, p = line.split()[:2]
            ports[name] = p
    names = []
    for lst in lists:
        names += [l.strip() for l in open(os.path.join(corpus, lst)) if l.strip()]
    failed = 0
    total = defaultdict(int)
    for name in names:
        ref, undecodable, span = reference(os.path.join(corpus, "ref", name + ".jsonl"))
        notes = []
        problems = []
        for mode, extra in MODES:
            rc, out, stats, err = run(pdnslog, os.path.join(corpus, "pcaps", name), ports.get(name, "53"), extra)
            if rc != 0:
                problems.append("%s: exit %d: %s" % (mode, rc, err[:300]))
                continue
            got, lines, n = ours(out, problems)
            if stats.get("cof_records") != n:
                problems.append("%s: cof_records %s, lines %d" % (mode, stats.get("cof_records"), n))
            bad, allowed = compare(ref, got, undecodable)
            problems += ["%s: %s" % (mode, b[:240]) for b in bad[:8]]
            if allowed:
                notes.append("%s: %d facts within the allowance for %d undecodable messages" % (mode, allowed, undecodable))
            for key, ls in lines.items():
                if ls[0][0] != 1 or ls[0][1] != ls[0][2]:
                    problems.append("%s: first line of %s is not one sighting: %s" % (mode, key, ls[0]))
                    break
            if mode == "default" and span < 3600:
                many = [k for k, ls in lines.items() if len(ls) > 2]
                if many:
                    problems.append("default: %d facts written more than twice in a capture of %d s, e.g. %s"
                                    % (len(many), span, many[0]))
            total[mode + "_lines"] += n
            total[mode + "_facts"] += len(got)
            total[mode + "_evicted"] += stats.get("cof_evicted", 0)
            total[mode + "_rewritten"] += sum(1 for ls in lines.values() if len(ls) > 2)
        total["ref_facts"] += len(ref)
        total["ref_count"] += sum(f[0] for f in ref.values())
        status = "FAIL" if problems else "ok"
        print("%s %s: reference %d facts, %d sightings%s" % (
            status, name, len(ref), sum(f[0] for f in ref.values()),
            ", %d undecodable messages" % undecodable if undecodable else ""))
        for p in problems[:12]:
            print("    " + p)
        for p in notes:
            print("    note: " + p)
        if problems:
            failed += 1
    print("overall: %d captures, %d failed; reference %d facts, %d sightings" % (
        len(names), failed, total["ref_facts"], total["ref_count"]))
    for mode, _ in MODES:
        print("  %s: %d COF lines, %d facts, %d evicted, %d facts written more than twice" % (
            mode, total[mode + "_lines"], total[mode + "_facts"], total[mode + "_evicted"],
            total[mode + "_rewritten"]))
    if total["interval1s_rewritten"] == 0:
        print("FAIL: -cof_interval 1s wrote no fact more than twice")
        failed += 1
    if total["entries2_evicted"] == 0:
        print("FAIL: -cof_max_entries 2 evicted nothing")
        failed += 1
    if total["interval1s_lines"] <= total["default_lines"]:
        print("FAIL: -cof_interval 1s wrote no more lines than 1h")
        failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
