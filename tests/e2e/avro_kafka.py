#!/usr/bin/python3
"""End-to-end: -kafka_avro against a real Apache Kafka broker (KRaft,
tests/kafka/broker.py, as tests/e2e/kafka_sink.py starts it), every message
read back with kafka-python and decoded by Apache's own Avro library
(Debian's python3-avro), which pdnslog's C code never touches.

- The fingerprints: python3-avro parses each docs/*.avsc and gives its
  Parsing Canonical Form; the CRC-64-AVRO of that is computed here, from the
  specification's definition (checked against the specification's own test
  vectors), independently of pdnslog's C.  For gopassivedns's schema it is
  also the CRC of gopassivedns's schema text itself, as gopassivedns
  computes it.
- Both schemas, every test capture in one run each, with -logfile (flat
  JSON) and Kafka at once: every message starts with C3 01 and the schema's
  fingerprint, python3-avro decodes the rest with nothing left over, and the
  messages are exactly the JSON log's records, field by field, with the
  documented mapping for gopassivedns's schema (null rcode and elapsed are
  -1; status and sensor are not in it); keyed by the client address;
  pdnslog counts each delivered and no kafka_avro_errors.  The gopassivedns
  run has three workers (one encoder each).
- A sensor name that is not UTF-8 arrives as the JSON record shows it.
- -kafka_avro's usage errors (exit 2).
- gopassivedns command lines with Kafka, exactly as its users write them
  (its flag names, -kafka_avro, -kafka_flush_freq; its environment
  variables PDNS_KAFKA_PEERS, PDNS_KAFKA_TOPIC, PDNS_KAFKA_AVRO,
  PDNS_KAFKA_FLUSH_FREQ): every record arrives as Avro gopassivedns's
  consumers read it.

usage: avro_kafka.py PDNSLOG"""
import glob
import io
import json
import os
import subprocess
import sys
import tempfile
import time

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(top, "tests", "kafka"))
sys.path.insert(0, os.path.join(top, "tests", "e2e"))
from broker import Broker, fetch  # noqa: E402
from checks import expect, finish, stats_of  # noqa: E402

import avro.io  # noqa: E402  (python3-avro: Apache's own)
import avro.schema  # noqa: E402
from kafka import KafkaConsumer  # noqa: E402  (python3-kafka)

PDNSLOG = os.path.abspath(sys.argv[1])
SANITIZED = bool(os.environ.get("PDNSLOG_SANITIZED"))
DOCS = os.path.join(top, "docs")
SCHEMAS = {"gopassivedns": os.path.join(DOCS, "gopassivedns-dnslogentry.avsc"),
           "pdnslog": os.path.join(DOCS, "pdnslog-record.avsc")}

# ---- CRC-64-AVRO, from the specification ("Schema Fingerprints") ----

EMPTY = 0xc15d213aa4d7a795
TABLE = []
for i in range(256):
    fp = i
    for _ in range(8):
        fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
    TABLE.append(fp & 0xffffffffffffffff)


def crc64_avro(data):
    fp = EMPTY
    for b in data:
        fp = (fp >> 8) ^ TABLE[(fp ^ b) & 0xff]
    return fp


def signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def schema_of(name):
    with open(SCHEMAS[name]) as f:
        text = f.read()
    return text, avro.schema.parse(text)


def canonical_form(parsed):
    """python3-avro's Parsing Canonical Form (a property in 1.11)."""
    cf = parsed.canonical_form
    return cf() if callable(cf) else cf


def fingerprint(parsed):
    return crc64_avro(canonical_form(parsed).encode())


def check_fingerprints():
    # The specification's vectors (share/test/data/schema-tests.txt).
    for text, want in [('"null"', 7195948357588979594), ('"int"', 8247732601305521295),
                       ('{"name":"foo","type":"record","fields":[]}', -4824392279771201922),
                       ('{"name":"PigValue","type":"record","fields":[{"name":"value","type":'
                        '["null","int","long","PigValue"]}]}', -1759257747318642341)]:
        expect("CRC-64-AVRO of %s is the specification's" % text[:30],
               signed(fingerprint(avro.schema.parse(text))) == want)
    text, parsed = schema_of("gopassivedns")
    expect("gopassivedns's schema text is its own canonical form (python3-avro)",
           canonical_form(parsed) == text.strip())
    _, pd = schema_of("pdnslog")
    expect("pdnslog's schema: fields as the flat record, rcode and elapsed nullable",
           [f.name for f in pd.fields] == [f.name for f in parsed.fields] + ["status", "sensor"] and
           [f.name for f in pd.fields if f.type.type == "union"] == ["rcode", "elapsed"])
    return {n: fingerprint(schema_of(n)[1]) for n in SCHEMAS}


# ---- Kafka ----

def read_topic(bootstrap, topic, want):
    """Every message of the topic as (key, raw value): until `want` came
    and a quiet spell followed (more would be duplicates)."""
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                      enable_auto_commit=False, consumer_timeout_ms=3000, group_id=None)
    out = []
    deadline = time.time() + 90
    while time.time() < deadline:
        got = 0
        for m in c:
            out.append((m.key.decode() if m.key is not None else None, m.value))
            got += 1
        if got == 0 and len(out) >= want:
            break
    c.close()
    return out


def decode(raw, parsed, fp):
    """python3-avro's reading of a single-object message; raises on any
    fault (marker, fingerprint, bytes left over)."""
    if raw[:2] != b"\xc3\x01":
        raise ValueError("marker %r" % raw[:2])
    got = int.from_bytes(raw[2:10], "little")
    if got != fp:
        raise ValueError("fingerprint %016x, want %016x" % (got, fp))
    buf = io.BytesIO(raw[10:])
    rec = avro.io.DatumReader(parsed).read(avro.io.BinaryDecoder(buf))
    if buf.tell() != len(raw) - 10:
        raise ValueError("%d bytes left over" % (len(raw) - 10 - buf.tell()))
    return rec


def expected(line, schema):
    """The record a JSON log line becomes in the schema (the documented
    mapping for gopassivedns's)."""
    r = json.loads(line)
    if schema == "gopassivedns":
        r.pop("status")
        r.pop("sensor")
        for k in ("rcode", "elapsed"):
            if r[k] is None:
                r[k] = -1
    return r


def canon(r):
    return json.dumps(r, sort_keys=True, ensure_ascii=False)


def first_difference(got, want):
    """The first field that differs between two lists of records (sorted)."""
    for g, w in zip(sorted(got, key=canon), sorted(want, key=canon)):
        for k in list(w) + [k for k in g if k not in w]:
            if g.get(k, "<missing>") != w.get(k, "<missing>"):
                return "field %s: %r, want %r (record %s)" % (k, g.get(k, "<missing>"),
                                                             w.get(k, "<missing>"), canon(w)[:300])
    return "%d records, want %d" % (len(got), len(want))


def compare(what, messages, lines, schema, parsed, fp):
    recs, bad = [], []
    for key, raw in messages:
        try:
            recs.append((key, decode(raw, parsed, fp)))
        except Exception as e:  # noqa: BLE001 - counted and shown
            bad.append("%s: %s" % (type(e).__name__, e))
    expect("%s: python3-avro decodes all %d messages (marker C3 01, fingerprint %016x, "
           "nothing left over)" % (what, len(messages), fp), not bad and len(messages) > 0,
           str(bad[:3]))
    want = [expected(l, schema) for l in lines]
    got = [r for _, r in recs]
    same = sorted(map(canon, got)) == sorted(map(canon, want))
    expect("%s: the messages are the JSON log's %d records, field by field" % (what, len(want)),
           same, "" if same else first_difference(got, want))
    expect("%s: every message keyed by its record's client address" % what,
           all(k == r["src"] for k, r in recs))


def run(args, env=None, **kw):
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("PDNS_"):
            del e[k]
    e.update(env or {})
    p = subprocess.run([PDNSLOG] + args, capture_output=True, timeout=300, env=e, **kw)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def corpus_files():
    names = []
    for lst in ("udp.list", "tcpfrag.list", "other.list"):
        with open(os.path.join(top, "tests", "corpus", lst)) as f:
            names += [os.path.join(top, "tests", "corpus", "pcaps", n.strip())
                      for n in f if n.strip() and not n.startswith("#")]
    names += sorted(glob.glob(os.path.join(top, "tests", "corpus", "gen", "*.pcap")))
    if SANITIZED:
        names = names[::6]
    return names


def corpus(b, tmp, fps):
    files = corpus_files()
    for schema, procs in (("gopassivedns", "3"), ("pdnslog", "1")):
        topic = "avro-" + schema
        log = os.path.join(tmp, topic + ".log")
        args = ["-quiet", "-logfile", log, "-numprocs", procs, "-name", "avro-sensor",
                "-kafka_brokers", b.bootstrap, "-kafka_topic", topic, "-kafka_avro",
                "-stats_interval", "0"]
        if schema == "pdnslog":
            args += ["-kafka_avro_schema", "pdnslog"]
        rc, _, err = run(args + files)
        st = stats_of(err)
        with open(log) as f:
            lines = f.read().splitlines()
        what = "-kafka_avro_schema %s, %d captures" % (schema, len(files))
        expect("%s: exit 0, each of %d records delivered, no kafka_avro_errors" % (what, len(lines)),
               rc == 0 and len(lines) > (100 if SANITIZED else 1000) and st.get("kafka_delivered") == len(lines) and
               st.get("kafka_avro_errors") == 0 and not st.get("kafka_failed") and
               not st.get("kafka_dropped") and not st.get("kafka_undelivered"),
               "rc=%d %s %s" % (rc, {k: v for k, v in st.items() if k.startswith("kafka")}, err[-300:]))
        parsed = schema_of(schema)[1]
        compare(what, read_topic(b.bootstrap, topic, len(lines)), lines, schema, parsed, fps[schema])


def sensor_not_utf8(b, tmp, fps):
    pcap = os.path.join(top, "tests", "corpus", "pcaps", "dnscap__dns.pcap")
    log = os.path.join(tmp, "utf8.log")
    name = b"caf\xe9-\xc3\xa9"
    rc, _, err = run([b"-pcap", pcap.encode(), b"-quiet", b"-logfile", log.encode(), b"-name", name,
                      b"-kafka_brokers", b.bootstrap.encode(), b"-kafka_topic", b"avro-utf8",
                      b"-kafka_avro", b"-kafka_avro_schema", b"pdnslog"])
    with open(log) as f:
        lines = f.read().splitlines()
    expect("-name not UTF-8: the JSON log says caf\\u00e9-\u00e9", rc == 0 and lines and
           json.loads(lines[0])["sensor"] == "caf\u00e9-\u00e9", err[-300:])
    compare("-name not UTF-8", read_topic(b.bootstrap, "avro-utf8", len(lines)), lines, "pdnslog",
            schema_of("pdnslog")[1], fps["pdnslog"])


def usage_errors():
    pcap = os.path.join(top, "tests", "corpus", "pcaps", "dqy__mx.pcap")
    for args, says in (
            (["-kafka_avro"], "-kafka_avro needs -kafka_brokers or -kafka_topic"),
            (["-kafka_topic", "t", "-kafka_avro", "-format", "json"], "cannot go with -format json"),
            (["-kafka_topic", "t", "-kafka_avro", "-kafka_avro_schema", "json"],
             "-kafka_avro_schema must be gopassivedns or pdnslog"),
            (["-kafka_topic", "t", "-kafka_avro_schema", "pdnslog"], "-kafka_avro_schema needs -kafka_avro")):
        rc, _, err = run(["-pcap", pcap] + args)
        expect("%s: exit 2, \"%s\"" % (" ".join(args), says), rc == 2 and says in err, "rc=%d %s" % (rc, err))
    rc, _, err = run(["-pcap", pcap, "-kafka_topic", "t", "-kafka_avro"], env={"PDNS_FORMAT": "json"})
    expect("PDNS_FORMAT=json with -kafka_avro: exit 2 naming -kafka_avro", rc == 2 and "-kafka_avro" in err, err)


def gopassivedns_lines(b, tmp, fps):
    """Command lines as gopassivedns's users have them: its flags and its
    environment, nothing of pdnslog's own."""
    _, parsed = schema_of("gopassivedns")
    pcap = os.path.join(top, "tests", "corpus", "pcaps", "gopassivedns__100_tcp_lookups.pcap")
    ref = run(["-pcap", pcap, "-numprocs", "1", "-stats_interval", "0", "-name", "ref"])[1].splitlines()
    cases = [
        ("flags", ["-pcap", pcap, "-quiet", "-kafka_brokers", b.bootstrap, "-kafka_topic", "gp-flags",
                   "-kafka_avro", "-kafka_flush_freq", "1000", "-numprocs", "8", "-gc_age", "-1m",
                   "-gc_interval", "3m", "-name", "ref", "-bpf", "port 53"], {}, "gp-flags"),
        ("flags -flag=value", ["-pcap=" + pcap, "-quiet=true", "-kafka_brokers=" + b.bootstrap,
                               "-kafka_topic=gp-eq", "-kafka_avro=true", "-name=ref"], {}, "gp-eq"),
        ("environment", [], {"PDNS_PCAP_FILE": pcap, "PDNS_QUIET": "true", "PDNS_KAFKA_PEERS": b.bootstrap,
                             "PDNS_KAFKA_TOPIC": "gp-env", "PDNS_KAFKA_AVRO": "1",
                             "PDNS_KAFKA_FLUSH_FREQ": "1000", "PDNS_THREADS": "8", "PDNS_NAME": "ref",
                             "PDNS_GC_AGE": "-1m", "PDNS_GC_INTERVAL": "3m", "PDNS_BPF": "port 53"},
         "gp-env"),
    ]
    for what, args, env, topic in cases:
        rc, out, err = run(args, env=env)
        st = stats_of(err)
        expect("gopassivedns %s: exit 0, %d records delivered" % (what, len(ref)),
               rc == 0 and out == "" and st.get("kafka_delivered") == len(ref) and len(ref) > 50,
               "rc=%d %s" % (rc, err[-400:]))
        compare("gopassivedns %s" % what, read_topic(b.bootstrap, topic, len(ref)), ref, "gopassivedns",
                parsed, fps["gopassivedns"])
    # Without -kafka_avro: JSON on Kafka, as gopassivedns sends it.
    rc, out, err = run(["-pcap", pcap, "-quiet", "-kafka_brokers", b.bootstrap, "-kafka_topic", "gp-json",
                        "-name", "ref"])
    got = read_topic(b.bootstrap, "gp-json", len(ref))
    expect("gopassivedns without -kafka_avro: the JSON records", rc == 0 and
           sorted(v.decode() for _, v in got) == sorted(ref), "rc=%d %s" % (rc, err[-300:]))


def main():
    fps = check_fingerprints()
    fetch(quiet=True)
    with tempfile.TemporaryDirectory() as tmp:
        usage_errors()
        with Broker(os.path.join(tmp, "broker"), partitions=3) as b:
            corpus(b, tmp, fps)
            sensor_not_utf8(b, tmp, fps)
            gopassivedns_lines(b, tmp, fps)
    finish("avro")


if __name__ == "__main__":
    main()
