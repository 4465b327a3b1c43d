#!/usr/bin/python3
"""Hold pdnslog's flat records against the independent reference decode.

usage: compare_flat.py ORACLE.jsonl PDNSLOG.jsonl
Facts compared are sets, so query/response pairing choices do not matter
(what pdnslog salvages from a message the reference could not decode is ignored
unless the reference holds it too):
  answer facts  (client, sport, server, id, qname, qtype, atype, rdata, ttl) from every response RR
  error facts   (client, sport, server, id, qname, rcode) from every response with rcode != 0
Prints recall (reference facts found in pdnslog's output) and precision, then
a few misses of each kind.  Exit 0 when recall and precision are both 1.0.
"""
import json, sys

def norm_name(s):
    return (s or "").rstrip(".").lower() or "."

def norm_rdata(s):
    toks = [t.strip('"').rstrip(".").lower() for t in str(s).split()]
    return "".join(toks)

def ip(s):
    import ipaddress
    try:
        return ipaddress.ip_address(s).compressed
    except ValueError:
        return s

def expected(path):
    ans, err, undecodable, murky = set(), set(), 0, set()
    for line in open(path):
        m = json.loads(line)
        if "undecodable" in m:
            # the reference could not decode it: whatever pdnslog salvages from it is neither hit nor miss
            undecodable += 1
            murky.add((ip(m["src"]), int(m["sport"]), ip(m["dst"]), m.get("id")))
            murky.add((ip(m["dst"]), int(m["dport"]), ip(m["src"]), m.get("id")))
            continue
        if not m["qr"] or m["qname"] is None:
            continue
        key = (ip(m["dst"]), int(m["dport"]), ip(m["src"]), int(m["id"]), norm_name(m["qname"]), m["qtype"])
        if m["rcode"] != 0:
            err.add(key + (m["rcode"],))
        else:
            for name, rtype, ttl, rdata in m["answers"]:
                ans.add(key + (rtype, norm_rdata(rdata), int(ttl)))
    return ans, err, undecodable, murky

def ours(path):
    ans, err, bad = set(), set(), 0
    for raw in open(path, "rb"):
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            bad += 1
            continue
        if not line.startswith("{"):
            continue
        try:
            r = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if "q" not in r:
            continue
        try:
            key = (ip(r["src"]), int(r["sport"]), ip(r["dst"]), int(r["query_id"]), norm_name(r["q"]), r["qtype"])
        except (KeyError, TypeError, ValueError):
            bad += 1
            continue
        if r.get("rcode") not in (0, None):
            err.add(key + (r["rcode"],))
        elif r.get("atype"):
            ans.add(key + (r["atype"], norm_rdata(r.get("a", "")), int(r.get("ttl", -1))))
    return ans, err, bad

ea, ee, undec, murky = expected(sys.argv[1])
oa, oe, bad = ours(sys.argv[2])
# pdnslog's facts on a flow whose message the reference could not decode are
# excused when extra, but still count when the reference holds them too (the
# other message of that exchange may be decodable: a TSIG query the reference
# rejects for want of the key, answered by a plain response).
oa = {f for f in oa if f[:4] not in murky or f in ea}
oe = {f for f in oe if f[:4] not in murky or f in ee}
exp, got = ea | ee, oa | oe
hit = exp & got
recall = len(hit) / len(exp) if exp else 1.0
precision = len(hit) / len(got) if got else (1.0 if not exp else 0.0)
print("reference facts %d (answers %d, errors %d), undecodable messages %d" % (len(exp), len(ea), len(ee), undec))
print("pdnslog facts %d, unparsable lines %d" % (len(got), bad))
for tag, miss in (("missing", sorted(exp - got, key=str)[:5]), ("extra", sorted(got - exp, key=str)[:5])):
    for m in miss:
        print(tag, m)
print("recall %.4f precision %.4f" % (recall, precision))
sys.exit(0 if recall == 1.0 and precision == 1.0 and bad == 0 else 1)
