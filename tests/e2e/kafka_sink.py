#!/usr/bin/python3
"""End-to-end: pdnslog's Kafka sink against a real Apache Kafka broker (KRaft,
tests/kafka/broker.py) on 127.0.0.1, read back by two independent consumers,
kcat (librdkafka) and the pure-Python kafka-python.

- Corpus: every test capture, in both formats, with -logfile and Kafka at
  once: every record arrives exactly once and equals the file's line, keyed
  by the client address; pdnslog counts all of them delivered.
- Keys: -kafka_key server, qname and none.
- Outage: the broker stops in the middle of a run and comes back; pdnslog is
  fed through a pipe meanwhile.  Within -kafka_queue nothing is lost; past
  it exactly the excess is dropped and counted.
- SASL/PLAIN through -kafka_opt; the wrong password is counted, not hidden.
- -kafka_stats_topic gets stats records, counted apart from the records;
  records_written counts what Kafka delivered when it is the only output,
  or the only one that worked.

usage: kafka_sink.py PDNSLOG"""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(top, "tests", "kafka"))
sys.path.insert(0, os.path.join(top, "tests", "e2e"))
sys.path.insert(0, os.path.join(top, "tests", "gen"))
import pcapgen  # noqa: E402
from broker import Broker, fetch  # noqa: E402
from checks import expect, finish, stats_of  # noqa: E402

from kafka import KafkaConsumer  # noqa: E402  (python3-kafka)

PDNSLOG = os.path.abspath(sys.argv[1])
SANITIZED = bool(os.environ.get("PDNSLOG_SANITIZED"))


def run(args, **kw):
    p = subprocess.run([PDNSLOG] + args, capture_output=True, text=True, timeout=120, **kw)
    return p.returncode, p.stdout, p.stderr


def kcat_read(bootstrap, topic, extra=()):
    """Every message of the topic as (key, value), through kcat."""
    p = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e",
                        "-q", "-J"] + list(extra), capture_output=True, text=True, timeout=120)
    out = []
    for line in p.stdout.splitlines():
        m = json.loads(line)
        out.append((m.get("key"), m.get("payload")))
    return out


def python_read(bootstrap, topic, want):
    """Every message of the topic through kafka-python: read until `want`
    arrived and a quiet spell follows (more would be duplicates)."""
    c = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                      enable_auto_commit=False, consumer_timeout_ms=3000,
                      group_id=None)
    out = []
    deadline = time.time() + 60
    while time.time() < deadline:
        got = 0
        for m in c:
            out.append((m.key.decode() if m.key is not None else None, m.value.decode()))
            got += 1
        if got == 0 and len(out) >= want:
            break
    c.close()
    return out


def count_topic(bootstrap, topic):
    return len(kcat_read(bootstrap, topic))


def key_of(line, kind):
    r = json.loads(line)
    if kind == "client":
        return r.get("src", r.get("client"))
    if kind == "server":
        return r.get("dst", r.get("server"))
    if kind == "qname":
        return r.get("q")
    return None


def corpus(b, tmp):
    lists = ["udp.list", "tcpfrag.list"]
    names = []
    for lst in lists:
        with open(os.path.join(top, "tests", "corpus", lst)) as f:
            names += [n.strip() for n in f if n.strip() and not n.startswith("#")]
    if SANITIZED:
        names = names[::8]
    for fmt in ("flat", "json"):
        topic = "corpus-" + fmt
        lines = []
        bad_runs = []
        for n in names:
            pcap = os.path.join(top, "tests", "corpus", "pcaps", n)
            log = os.path.join(tmp, "log")
            if os.path.exists(log):
                os.unlink(log)
            rc, out, err = run(["-pcap", pcap, "-format", fmt, "-quiet", "-logfile", log,
                                "-numprocs", "1", "-kafka_brokers", b.bootstrap,
                                "-kafka_topic", topic])
            st = stats_of(err)
            with open(log) as f:
                mine = f.read().splitlines()
            lines += mine
            if rc not in (0, 1) or st.get("kafka_delivered") != len(mine) or \
               st.get("records_written") != len(mine) or \
               st.get("kafka_failed") or st.get("kafka_dropped") or st.get("kafka_undelivered"):
                bad_runs.append((n, rc, {k: v for k, v in st.items() if k.startswith("kafka")},
                                 len(mine), err[-300:]))
        expect("%s: every run counts each record delivered, none lost" % fmt, not bad_runs,
               str(bad_runs[:3]))
        want = sorted(("client", l) for l in lines)
        k = kcat_read(b.bootstrap, topic)
        expect("%s: kcat reads every record exactly once (%d of %d)" % (fmt, len(k), len(lines)),
               sorted(v for _, v in k) == sorted(lines))
        expect("%s: kcat: every message keyed by its client address" % fmt,
               all(key == key_of(v, "client") for key, v in k))
        p = python_read(b.bootstrap, topic, len(lines))
        expect("%s: kafka-python reads every record exactly once (%d of %d)" % (fmt, len(p), len(lines)),
               sorted(v for _, v in p) == sorted(lines))
        expect("%s: kafka-python: the same keys" % fmt, sorted(p) == sorted(k))
        del want
    return names


def keys(b, tmp):
    pcap = os.path.join(top, "tests", "corpus", "pcaps", "dnscap__dns.pcap")
    for kind in ("server", "qname", "none"):
        topic = "keys-" + kind
        rc, out, err = run(["-pcap", pcap, "-kafka_brokers", b.bootstrap, "-kafka_topic", topic,
                            "-kafka_key", kind])
        lines = out.splitlines()
        got = kcat_read(b.bootstrap, topic)
        expect("-kafka_key %s: every record once" % kind, sorted(v for _, v in got) == sorted(lines))
        expect("-kafka_key %s: keys" % kind,
               all(k == key_of(v, kind) for k, v in got) and len(got) > 0,
               str(got[:2]))


# ---- a DNS stream written to pdnslog's standard input, packet by packet ----

def pcap_header():
    return struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)


def frame(ts, src, dst, sport, dport, payload):
    """One pcap record: Ethernet, IPv4, UDP (tests/gen/pcapgen.py builds them)."""
    data = pcapgen.ether(pcapgen.ipv4(src, dst, 17, pcapgen.udp(sport, dport, payload)))
    sec, usec = int(ts), int(round((ts - int(ts)) * 1e6))
    return struct.pack("<IIII", sec, usec, len(data), len(data)) + data


def qname_wire(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"


def exchange(i, ts):
    """Query and answer i: a distinct client port and name each."""
    client, server = "10.9.%d.%d" % ((i >> 8) & 255, i & 255), "10.9.255.53"
    qid, port = i & 0xffff, 1024 + i % 60000
    q = qname_wire("n%d.outage.test" % i)
    query = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)
    ans = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + q + struct.pack("!HH", 1, 1) + \
        b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("192.0.2.%d" % (i % 250 + 1))
    return frame(ts, client, server, port, 53, query) + frame(ts + 0.001, server, client, 53, port, ans)


def wait_count(b, topic, want, timeout=60):
    deadline = time.time() + timeout
    n = -1
    while time.time() < deadline:
        n = count_topic(b.bootstrap, topic)
        if n >= want:
            return n
        time.sleep(0.5)
    return n


def outage(b, tmp, n1, n2, queue):
    """n1 exchanges with the broker up, n2 while it is down, then it comes
    back: with -kafka_queue `queue`, min(n2, queue) of the n2 survive."""
    topic = "outage-%d-%d" % (n2, queue)
    log = os.path.join(tmp, topic + ".log")
    errf = open(os.path.join(tmp, topic + ".err"), "w+")
    p = subprocess.Popen([PDNSLOG, "-pcap", "-", "-quiet", "-logfile", log, "-numprocs", "1",
                          "-kafka_brokers", b.bootstrap, "-kafka_topic", topic,
                          "-kafka_queue", str(queue), "-kafka_flush_timeout", "60s",
                          "-stats_interval", "0"],
                         stdin=subprocess.PIPE, stderr=errf)
    ts = 1700000000.0
    p.stdin.write(pcap_header())
    for i in range(n1):
        p.stdin.write(exchange(i, ts + i * 0.01))
    p.stdin.flush()
    before = wait_count(b, topic, n1)
    expect("outage: %d records delivered before the broker stops (%d)" % (n1, before), before == n1)
    time.sleep(1.5)  # their delivery reports served: the queue is empty
    b.stop()
    for i in range(n1, n1 + n2):
        p.stdin.write(exchange(i, ts + i * 0.01))
    p.stdin.flush()
    time.sleep(2)  # pdnslog takes them in while the broker is away
    b.start()
    p.stdin.close()
    rc = p.wait(timeout=120)
    errf.seek(0)
    err = errf.read()
    errf.close()
    st = stats_of(err)
    kept = min(n2, queue)
    dropped = n2 - kept
    got = kcat_read(b.bootstrap, topic)
    with open(log) as f:
        lines = f.read().splitlines()
    expect("outage (%d down, queue %d): the file has all %d records" % (n2, queue, n1 + n2),
           len(lines) == n1 + n2)
    expect("outage (%d down, queue %d): the broker said so on stderr" % (n2, queue),
           "records wait in the queue" in err, err[-500:])
    expect("outage (%d down, queue %d): %d delivered, %d dropped, counted exactly" %
           (n2, queue, n1 + kept, dropped),
           st.get("kafka_delivered") == n1 + kept and st.get("kafka_dropped") == dropped and
           not st.get("kafka_failed") and not st.get("kafka_undelivered"),
           str({k: v for k, v in st.items() if k.startswith("kafka")}))
    vals = sorted(v for _, v in got)
    expect("outage (%d down, queue %d): the topic holds each delivered record once (%d)" %
           (n2, queue, len(got)),
           len(got) == n1 + kept and len(set(vals)) == len(vals) and set(vals) <= set(lines))
    expect("outage (%d down, queue %d): exit status %d" % (n2, queue, 1 if dropped else 0),
           rc == (1 if dropped else 0), "rc=%d" % rc)
    if dropped:
        expect("outage: the drop is said on stderr", "kafka_dropped" in err and
               "%d messages not delivered" % dropped in err, err[-600:])


def sasl(b, tmp):
    pcap = os.path.join(top, "tests", "corpus", "pcaps", "dnscap__dns.pcap")
    opts = ["-kafka_opt", "security.protocol=SASL_PLAINTEXT", "-kafka_opt", "sasl.mechanisms=PLAIN",
            "-kafka_opt", "sasl.username=pdnslog"]
    rc, out, err = run(["-pcap", pcap, "-kafka_brokers", b.bootstrap_sasl, "-kafka_topic", "sasl"] +
                       opts + ["-kafka_opt", "sasl.password=secret"])
    st = stats_of(err)
    n = len(out.splitlines())
    got = kcat_read(b.bootstrap_sasl, "sasl", ["-X", "security.protocol=SASL_PLAINTEXT",
                                               "-X", "sasl.mechanisms=PLAIN",
                                               "-X", "sasl.username=pdnslog", "-X", "sasl.password=secret"])
    expect("SASL/PLAIN via -kafka_opt: all %d delivered" % n,
           rc == 0 and st.get("kafka_delivered") == n and sorted(v for _, v in got) == sorted(out.splitlines()),
           "rc=%d %s" % (rc, err[-300:]))
    rc, out, err = run(["-pcap", pcap, "-kafka_brokers", b.bootstrap_sasl, "-kafka_topic", "sasl2"] +
                       opts + ["-kafka_opt", "sasl.password=wrong", "-kafka_flush_timeout", "3s"])
    st = stats_of(err)
    n = len(out.splitlines())
    expect("SASL with a wrong password: nothing delivered, all counted, exit 1",
           rc == 1 and st.get("kafka_delivered") == 0 and
           st.get("kafka_failed", 0) + st.get("kafka_undelivered", 0) == n and n > 0,
           "rc=%d %s" % (rc, err[-300:]))
    expect("SASL with a wrong password: said on stderr", "Authentication failed" in err or
           "authentication" in err.lower(), err[-300:])


def stats_topic(b):
    pcap = os.path.join(top, "tests", "corpus", "pcaps", "dnscap__dns.pcap")
    rc, out, err = run(["-pcap", pcap, "-quiet", "-kafka_brokers", b.bootstrap, "-kafka_topic", "rec",
                        "-kafka_stats_topic", "pdnslog-stats"])
    got = kcat_read(b.bootstrap, "pdnslog-stats")
    ok = len(got) == 1 and json.loads(got[0][1]).get("type") == "stats" and \
        json.loads(got[0][1]).get("records_built") == stats_of(err).get("records_built")
    expect("-kafka_stats_topic: the final stats record arrives", ok and rc == 0, str(got)[:300])
    st = stats_of(err)
    expect("-kafka_stats_topic: counted apart from the records (kafka_stats_delivered 1)",
           st.get("kafka_stats_delivered") == 1 and st.get("kafka_stats_lost") == 0, str(st)[-400:])
    expect("Kafka the only output: records_written = kafka_delivered = records_built",
           0 < st.get("records_written", 0) == st.get("kafka_delivered") == st.get("records_built"),
           str(st)[-400:])
    # Standard output fails (/dev/full) beside Kafka: the records Kafka
    # delivered are written all the same; the failed write makes it exit 1.
    with open("/dev/full", "w") as full:
        p = subprocess.run([PDNSLOG, "-pcap", pcap, "-kafka_brokers", b.bootstrap, "-kafka_topic", "rec2"],
                           stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    st = stats_of(p.stderr)
    expect("stdout on /dev/full beside Kafka: records_written = kafka_delivered, stdout_lost all, exit 1",
           p.returncode == 1 and 0 < st.get("records_written", 0) == st.get("kafka_delivered") ==
           st.get("stdout_lost") == st.get("records_built") and st.get("stdout_records") == 0,
           "rc=%d %s" % (p.returncode, str(st)[-400:]))


def main():
    fetch(quiet=True)
    with tempfile.TemporaryDirectory() as tmp:
        with Broker(os.path.join(tmp, "broker"), sasl=True, partitions=3) as b:
            corpus(b, tmp)
            keys(b, tmp)
            stats_topic(b)
            sasl(b, tmp)
            outage(b, tmp, 200, 300, 1000)   # inside the bound: nothing lost
            outage(b, tmp, 100, 300, 120)    # past it: 180 dropped, counted
    finish("kafka")


if __name__ == "__main__":
    main()
