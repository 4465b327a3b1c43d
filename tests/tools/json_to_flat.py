#!/usr/bin/python3
"""Turn pdnslog -format json records into the flat facts compare_flat.py reads.

usage: json_to_flat.py JSON.jsonl > FLAT.jsonl
One output line per answer record (or one per exchange with an error rcode),
carrying only the fields compare_flat.py looks at, so the json format is held
against the same independent reference as the flat one.  Exits 1 if a line is
not valid JSON or lacks a field the schema promises.
"""
import json, sys

REQUIRED = ("status", "sensor", "protocol", "client", "client_port", "server",
            "server_port", "id", "elapsed", "query", "response")

def main(path):
    bad = 0
    for raw in open(path, "rb"):
        try:
            r = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            bad += 1
            continue
        if any(k not in r for k in REQUIRED):
            bad += 1
            continue
        q, resp = r["query"], r["response"]
        src = q or resp
        qs = src["questions"] if src and src["questions"] else (resp["questions"] if resp else [])
        base = dict(src=r["client"], sport=r["client_port"], dst=r["server"],
                    query_id=r["id"], q=qs[0]["name"] if qs else "", qtype=qs[0]["type"] if qs else "")
        if resp is None:
            print(json.dumps(dict(base, rcode=None, a="", atype="")))
        elif resp["rcode_value"] != 0:
            print(json.dumps(dict(base, rcode=resp["rcode_value"], a=resp["rcode"], atype="")))
        else:
            for rr in resp["answer"]:
                if rr["class"] in ("ANY", "NONE") and rr["data"] == "\\# 0":
                    continue  # UPDATE prerequisites assert no data: flat skips them too
                print(json.dumps(dict(base, rcode=0, a=rr["data"], atype=rr["type"], ttl=rr["ttl"])))
    if bad:
        print("json_to_flat: %d bad lines" % bad, file=sys.stderr)
        sys.exit(1)

main(sys.argv[1])
