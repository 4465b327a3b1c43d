#!/usr/bin/python3
"""End-to-end: -kafka_consume, the central passive DNS store fed from Kafka,
against a real Apache Kafka broker (tests/kafka/broker.py) on 127.0.0.1.

- Sensors: pdnslog -format cof sends the COF lines of corpus captures to a
  topic of 3 partitions; many more lines (some messages holding several)
  are added with kcat so that consuming takes a while.
- Exactly once: the consumer is killed (SIGKILL) twice in the middle and
  restarted; each restart takes every partition up from the offset the store
  kept; at the end the store holds exactly the aggregate of every line in the
  topic (count summed, earliest time_first, latest time_last), computed here
  from the messages read back with kcat.  A new consumer group on the same
  store (the group's offsets lost, as after a crash between the store's
  commit and the group's) adds nothing; more lines later are added once.
  SIGTERM stops it with status 0; the group's committed offsets equal the
  store's.
- Bad lines (garbage, a fact without rdata, inside a message of several
  lines): counted in pdns_consume_bad, said with partition and offset, the
  rest stored.
- Usage errors.

usage: pdns_consume.py PDNSLOG"""
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(top, "tests", "kafka"))
sys.path.insert(0, os.path.join(top, "tests", "e2e"))
from broker import Broker, fetch  # noqa: E402
from checks import expect, finish, stats_of  # noqa: E402

import dns.rdatatype  # noqa: E402  (python3-dnspython)
from kafka import KafkaConsumer, TopicPartition  # noqa: E402  (python3-kafka)

PDNSLOG = os.path.abspath(sys.argv[1])
SANITIZED = bool(os.environ.get("PDNSLOG_SANITIZED"))
BOOTSTRAP = None  # the broker's, once it runs
# Facts added with kcat besides the sensors' (fewer under the sanitizers).
BULK = 60000 if SANITIZED else 250000
# A dead member stays in the group until its session times out: short, so
# that a restart after SIGKILL gets its partitions back soon.
SESSION = ["-kafka_opt", "session.timeout.ms=6000", "-kafka_opt", "heartbeat.interval.ms=500"]


def kcat_read(bootstrap, topic):
    """Every message of the topic: [(partition, offset, payload)]."""
    p = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q",
                        "-J"], capture_output=True, text=True, timeout=120)
    out = []
    for line in p.stdout.splitlines():
        m = json.loads(line)
        out.append((m["partition"], m["offset"], m.get("payload") or ""))
    return out


def kcat_write(bootstrap, topic, messages):
    """Messages (text, may hold '\\n') to the topic, spread over its partitions."""
    data = "\x1e".join(messages).encode()
    p = subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", topic, "-D", "\\x1e", "-z", "lz4"],
                       input=data, capture_output=True, timeout=120)
    return p.returncode == 0


def aggregate(messages):
    """The store's contents as the COF lines of the messages say: per
    (rrname, rrtype, rdata) summed count, min time_first, max time_last."""
    want = {}
    for _, _, payload in messages:
        for line in payload.split("\n"):
            if not line.strip():
                continue
            f = json.loads(line)
            k = fact_key(f["rrname"], f["rrtype"], f["rdata"])
            c, first, last = want.get(k, (0, None, None))
            want[k] = (c + f["count"], f["time_first"] if first is None else min(first, f["time_first"]),
                       f["time_last"] if last is None else max(last, f["time_last"]))
    return want


def read_store(path):
    """{(rrname, rrtype, rdata): (count, time_first, time_last)} from the
    store with python's sqlite3, read-only."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    try:
        rows = db.execute("SELECT rrname, rrtype, rdata, count, time_first, time_last FROM facts").fetchall()
    finally:
        db.close()
    return {fact_key(n, t, r): (c, f, l) for n, t, r, c, f, l in rows}


def store_offsets(path, topic):
    """{partition: next offset} the store kept for topic ({} before the first commit)."""
    if not os.path.exists(path):
        return {}
    try:
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
        try:
            rows = db.execute("SELECT key, value FROM meta WHERE key LIKE ?",
                              ("kafka:%s:%%" % topic,)).fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return {}  # not created yet
    return {int(k.rsplit(":", 1)[1]): v for k, v in rows}


def fact_key(rrname, rrtype, rdata):
    """A fact's identity as the store has it: names without regard to ASCII
    case (DNS's rule), the type as its number, rdata exact."""
    if isinstance(rrtype, str):
        rrtype = int(rrtype[4:]) if rrtype.startswith("TYPE") else int(dns.rdatatype.from_text(rrtype))
    return (rrname.encode().lower(), rrtype, rdata)


def consumer(args, store, topic, group, log):
    cmd = [PDNSLOG, "-kafka_consume", "-kafka_brokers", BOOTSTRAP, "-kafka_topic", topic, "-kafka_group", group,
           "-pdns_db", store, "-stats_interval", "0", "-name", "central"] + SESSION + args
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(log, "w"))


def wait_offsets(store, topic, pred, timeout, proc=None):
    """Poll the store's offsets until pred(total) holds; the last total."""
    deadline = time.time() + timeout
    total = 0
    while time.time() < deadline:
        total = sum(store_offsets(store, topic).values())
        if pred(total):
            return total
        if proc is not None and proc.poll() is not None:
            return total
        time.sleep(0.02)
    return total


def stop(proc, sig=signal.SIGTERM, timeout=30):
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def sensors(b, topic):
    """pdnslog -format cof on corpus captures, to Kafka; the captures used."""
    names = []
    for lst in ("udp.list", "tcpfrag.list"):
        with open(os.path.join(top, "tests", "corpus", lst)) as f:
            names += [n.strip() for n in f if n.strip() and not n.startswith("#")]
    names = names[::12 if SANITIZED else 4]
    bad = []
    for n in names:
        p = subprocess.run([PDNSLOG, "-numprocs", "1", "-format", "cof", "-quiet", "-kafka_brokers",
                            b.bootstrap, "-kafka_topic", topic, "-pcap",
                            os.path.join(top, "tests", "corpus", "pcaps", n)],
                           capture_output=True, text=True, timeout=120)
        st = stats_of(p.stderr)
        if p.returncode not in (0, 1) or st.get("kafka_failed") or st.get("kafka_dropped") or \
           st.get("kafka_undelivered"):
            bad.append((n, p.returncode, p.stderr[-300:]))
    expect("sensors: %d captures sent as COF lines to Kafka" % len(names), not bad, str(bad[:3]))
    return names


def bulk_messages(n, seed):
    """n messages of COF lines over a pool of facts that repeat (so counts
    add up in the store); one message in 40 holds three lines."""
    rng = random.Random(seed)
    pool = []
    for i in range(n // 8):
        t = rng.choice(["A", "AAAA", "CNAME", "TXT", "TYPE65280"])
        rd = {"A": "192.0.2.%d" % (i % 250), "AAAA": "2001:db8::%x" % i, "CNAME": "c%d.example.net" % i,
              "TXT": '"text \\"%d\\" \\\\ here"' % i, "TYPE65280": "\\# 2 %04x" % (i & 0xffff)}[t]
        name = "n%d.bulk%d.example" % (i, seed) if i % 97 else "we\\032ird\\.%d.example" % i
        pool.append((name, t, rd))
    out = []
    for i in range(n):
        lines = []
        for _ in range(3 if i % 40 == 0 else 1):
            name, t, rd = rng.choice(pool)
            first = 1700000000 + rng.randrange(86400)
            f = {"rrname": name, "rrtype": t, "rdata": rd, "time_first": first,
                 "time_last": first + rng.randrange(3600), "count": rng.randrange(1, 50)}
            if i % 5 == 0:
                f["sensor_id"] = "s%d" % (i % 3)
            if i % 7 == 0:
                f["bailiwick"] = "example"
            lines.append(json.dumps(f))
        out.append("\n".join(lines))
    return out


def exactly_once(b, tmp):
    topic, group = "cof", "store1"
    store = os.path.join(tmp, "central.db")
    sensors(b, topic)
    t0 = time.time()
    expect("bulk lines produced with kcat", kcat_write(b.bootstrap, topic, bulk_messages(BULK, 1)))
    msgs = kcat_read(b.bootstrap, topic)
    total = len(msgs)
    parts = {p for p, _, _ in msgs}
    print("topic %s: %d messages on partitions %s (%.1f s to produce and read back)"
          % (topic, total, sorted(parts), time.time() - t0))
    expect("the topic's messages are on several partitions", len(parts) >= 2, str(parts))

    # Killed twice in the middle, then left to finish.
    kills = []
    for run in range(2):
        log = os.path.join(tmp, "kill%d.log" % run)
        before = sum(store_offsets(store, topic).values())
        p = consumer([], store, topic, group, log)
        # At least one batch committed past where this run began, not all.
        got = wait_offsets(store, topic, lambda t: t > before, 90, p)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        kept = store_offsets(store, topic)
        kills.append((sum(kept.values()), kept))
        print("run %d: SIGKILL with %d of %d messages in the store" % (run, sum(kept.values()), total))
        err = read(log)
        expect("run %d: consuming had begun and was not over when killed (%d of %d messages kept)"
               % (run, sum(kept.values()), total), before < sum(kept.values()) < total, err[-500:])
        del got
    # A restart takes each partition up from the offset the store kept.
    log = os.path.join(tmp, "final.log")
    p = consumer([], store, topic, group, log)
    done = wait_offsets(store, topic, lambda t: t >= total, 120, p)
    expect("after the restart every message is in the store (%d of %d)" % (done, total), done == total)
    time.sleep(1.5)  # a little while for anything wrong to show
    rc = stop(p)
    err = read(log)
    st = stats_of(err)
    expect("SIGTERM: exit status 0", rc == 0, "status %s: %s" % (rc, err[-800:]))
    expect("the final stats record counts the messages read after the last kill",
           st.get("pdns_consume_messages") == total - kills[-1][0] and st.get("pdns_consume_bad") == 0,
           "%s (expected %d)" % ({k: v for k, v in st.items() if k.startswith("pdns")}, total - kills[-1][0]))
    kept = kills[-1][1]
    said = [l for l in err.splitlines() if "assigned partition" in l]
    expect("the restart took every partition up from the store's offset",
           all(("%d from %d" % (part, off)) in " ".join(said) for part, off in kept.items()) and kept,
           "store had %s; said %s" % (kept, said))
    want = aggregate(msgs)
    have = read_store(store)
    expect("store == aggregate of every line in the topic (%d facts, %d counted): no loss, no double count"
           % (len(want), sum(c for c, _, _ in want.values())), have == want, diff(have, want))

    # The group's offsets, committed after the store's commit, agree.
    c = KafkaConsumer(bootstrap_servers=b.bootstrap, group_id=group, enable_auto_commit=False)
    committed = {tp: c.committed(TopicPartition(topic, tp)) for tp in parts}
    c.close()
    expect("the group's committed offsets equal the store's", committed == store_offsets(store, topic),
           "%s vs %s" % (committed, store_offsets(store, topic)))

    # The group's offsets lost (a crash between the two commits; here a new
    # group): the store's offsets win, nothing is read twice.
    log = os.path.join(tmp, "newgroup.log")
    p = consumer([], store, topic, "store1-fresh", log)
    time.sleep(8)
    rc = stop(p)
    st = stats_of(read(log))
    expect("a new group on the same store reads nothing again", rc == 0 and
           st.get("pdns_consume_messages") == 0 and read_store(store) == want,
           "status %s, %s" % (rc, read(log)[-500:]))

    # Later lines are added once.
    expect("more lines produced", kcat_write(b.bootstrap, topic, bulk_messages(2000, 2)))
    msgs = kcat_read(b.bootstrap, topic)
    log = os.path.join(tmp, "more.log")
    p = consumer([], store, topic, group, log)
    done = wait_offsets(store, topic, lambda t: t >= len(msgs), 60, p)
    rc = stop(p)
    st = stats_of(read(log))
    want = aggregate(msgs)
    expect("later lines: each read once (%d messages)" % (len(msgs) - total),
           rc == 0 and st.get("pdns_consume_messages") == len(msgs) - total, read(log)[-500:])
    expect("later lines: store == aggregate of the whole topic", read_store(store) == want,
           diff(read_store(store), want))


def diff(have, want):
    missing = [k for k in want if k not in have][:3]
    extra = [k for k in have if k not in want][:3]
    wrong = [(k, have[k], want[k]) for k in want if k in have and have[k] != want[k]][:3]
    return "missing %s extra %s wrong %s (%d vs %d facts)" % (missing, extra, wrong, len(have), len(want))


def bad_lines(b, tmp):
    topic, store = "cofbad", os.path.join(tmp, "bad.db")
    good = [{"rrname": "a.example", "rrtype": "A", "rdata": "192.0.2.1", "time_first": 10,
             "time_last": 20, "count": 3},
            {"rrname": "b.example", "rrtype": "AAAA", "rdata": "2001:db8::1", "time_first": 5,
             "time_last": 6, "count": 1, "sensor_id": "x"},
            {"rrname": "a.example", "rrtype": "A", "rdata": "192.0.2.1", "time_first": 2,
             "time_last": 15, "count": 4}]
    lines = [json.dumps(f) for f in good]
    messages = [lines[0], "garbage \x01 not json at all",
                '{"rrname":"c.example","rrtype":"A","time_first":1,"time_last":2,"count":1}',
                lines[1] + "\n{\n" + lines[2] + "\n"]
    expect("bad lines produced", kcat_write(b.bootstrap, topic, messages))
    log = os.path.join(tmp, "bad.log")
    p = consumer(["-debug"], store, topic, "bad", log)
    wait_offsets(store, topic, lambda t: t >= len(messages), 60, p)
    rc = stop(p)
    err = read(log)
    st = stats_of(err)
    expect("bad lines: exit 0", rc == 0, err[-500:])
    if not SANITIZED:  # (a sanitizer's runtime needs calls the sandbox refuses: none there)
        expect("the consumer runs in the seccomp sandbox (and stores under it)",
               "debug: seccomp sandbox installed" in err, err[-500:])
    expect("bad lines: 3 counted in pdns_consume_bad, 3 facts, 4 messages",
           (st.get("pdns_consume_bad"), st.get("pdns_consume_facts"), st.get("pdns_consume_messages"))
           == (3, 3, 4), str(st)[:300])
    said = [l for l in err.splitlines() if "bad COF line" in l]
    expect("bad lines: the first said with its partition and offset, once",
           len(said) == 1 and "partition" in said[0] and "offset" in said[0], err[-800:])
    expect("bad lines: the good ones stored",
           read_store(store) == {fact_key("a.example", "A", "192.0.2.1"): (7, 2, 20),
                                 fact_key("b.example", "AAAA", "2001:db8::1"): (1, 5, 6)},
           str(read_store(store)))


def usage(tmp):
    cases = [
        (["-kafka_consume"], "-pdns_db"),
        (["-kafka_consume", "-pdns_db", os.path.join(tmp, "u.db"), "-pcap", "x.pcap"], "-kafka_consume"),
        (["-kafka_group", "g", "-pcap", "x.pcap"], "-kafka_consume"),
        (["-kafka_consume", "-pdns_db", os.path.join(tmp, "u.db"), "-kafka_group", ""], "kafka_group"),
        (["-kafka_consume", "-pdns_db", os.path.join(tmp, "u.db"), "-kafka_topic", "^pdns.*"], "pattern"),
        (["-kafka_consume", "-pdns_db", os.path.join(tmp, "u.db"), "-kafka_avro"], "-kafka_avro"),
        (["-kafka_consume", "-pdns_db", os.path.join(tmp, "u.db"), "-kafka_opt", "no.such.property=1"],
         "no.such.property"),
        (["-kafka_consume", "-pdns_db", os.path.join(tmp, "u.db"), "-logfile", os.path.join(tmp, "l")], "-logfile"),
        (["-kafka_consume", "-pdns_db", os.path.join(tmp, "u.db"), "-user", "nobody"], "-user"),
        (["-kafka_consume", "-pdns_db", os.path.join(tmp, "u.db"), "-metrics", "127.0.0.1:9"], "-metrics"),
    ]
    for args, word in cases:
        p = subprocess.run([PDNSLOG] + args, capture_output=True, text=True, timeout=30)
        expect("usage error: %s" % " ".join(args), p.returncode == 2 and word in p.stderr and
               len(p.stderr.strip().splitlines()) == 1, "status %d: %s" % (p.returncode, p.stderr))


def not_a_store(tmp):
    """A -pdns_db that is not a store: status 1, one line, the file untouched."""
    path = os.path.join(tmp, "notes.txt")
    with open(path, "w") as f:
        f.write("not a database\n" * 100)
    p = subprocess.run([PDNSLOG, "-kafka_consume", "-kafka_brokers", "127.0.0.1:1", "-pdns_db", path],
                       capture_output=True, text=True, timeout=30)
    expect("-pdns_db that is not a store: status 1, one line, file untouched",
           p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1 and read(path) == "not a database\n" * 100,
           "status %d: %s" % (p.returncode, p.stderr))


def main():
    fetch(quiet=True)
    with tempfile.TemporaryDirectory() as tmp:
        usage(tmp)
        not_a_store(tmp)
        with Broker(os.path.join(tmp, "broker"), partitions=3) as b:
            global BOOTSTRAP
            BOOTSTRAP = b.bootstrap
            t0 = time.time()
            bad_lines(b, tmp)
            exactly_once(b, tmp)
            print("kafka part: %.1f s" % (time.time() - t0))
    finish("pdnsconsume")


if __name__ == "__main__":
    main()
