#!/usr/bin/python3
"""Write the generated DNS-over-TCP captures and their ground truth.

usage: gen_tcp_captures.py [--check] [OUTDIR]   (default tests/corpus/gen)

Each case NAME gives NAME.pcap and NAME.truth.jsonl: one reference line (the
format of tests/tools/oracle.py) per DNS message the receiver gets whole, so
compare_flat.py can hold pdnslog's records against it.  --check also runs the
independent oracle (tshark + dnspython) on each capture and reports whether
it recovers the same answers, for the cases tshark can reassemble.

Cases:
  tcp-split-every-offset  one exchange per connection; the response (and the
                          query) split in two segments at every byte offset
  tcp-byte-by-byte        a response sent one byte per segment
  tcp-pipelined-reverse   three queries in one segment, answered in reverse
                          order on the same connection
  tcp-reorder-dup         two exchanges whose response stream arrives
                          reordered, with duplicated and retransmitted segments
  tcp-overlap-first-wins  a retransmission overlapping received data with
                          different bytes: the first data wins
  tcp-missing-segment     three exchanges; half of the second response never
                          captured: the first and third still pair, the second
                          query is unanswered
  tcp-no-handshake        capture starts mid-connection, mid-message: the tail
                          of an earlier response is skipped, the rest pairs
  tcp-in-ip-fragments     a TCP segment carrying a whole response, itself split
                          into three IPv4 fragments sent out of order
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import (Pcap, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, ether, framed, ipv4, wire,
                     query_and_response, ref_line, tcp, tcp_frame)

CLIENT, SERVER = "192.0.2.10", "198.51.100.53"


class Conn:
    """One TCP connection between CLIENT:cport and SERVER:53."""

    def __init__(self, cap, cport, ts, handshake=True, cseq=1000, sseq=5000):
        self.cap, self.cport, self.ts = cap, cport, ts
        self.cseq, self.sseq = cseq, sseq
        if handshake:
            self.frame("c", TCP_SYN, b"", self.cseq, 0)
            self.cseq += 1
            self.frame("s", TCP_SYN | TCP_ACK, b"", self.sseq, self.cseq)
            self.sseq += 1
            self.frame("c", TCP_ACK, b"", self.cseq, self.sseq)

    def frame(self, side, flags, payload, seq, ack):
        self.ts += 0.0001
        if side == "c":
            f = tcp_frame(CLIENT, self.cport, SERVER, 53, seq, ack, flags, payload)
        else:
            f = tcp_frame(SERVER, 53, CLIENT, self.cport, seq, ack, flags, payload)
        self.cap.frame(self.ts, f)

    def send(self, side, data, at=None):
        """Send data at stream offset `at` (default: next); returns nothing."""
        if side == "c":
            seq = self.cseq if at is None else at
            self.frame("c", TCP_PSH | TCP_ACK, data, seq, self.sseq)
            if at is None:
                self.cseq += len(data)
        else:
            seq = self.sseq if at is None else at
            self.frame("s", TCP_PSH | TCP_ACK, data, seq, self.cseq)
            if at is None:
                self.sseq += len(data)

    def close(self):
        self.frame("c", TCP_FIN | TCP_ACK, b"", self.cseq, self.sseq)
        self.frame("s", TCP_FIN | TCP_ACK, b"", self.sseq, self.cseq + 1)


class Case:
    def __init__(self, outdir, name):
        self.name = name
        self.cap = Pcap(os.path.join(outdir, name + ".pcap"))
        self.truth = open(os.path.join(outdir, name + ".truth.jsonl"), "w")

    def saw(self, conn, side, msg):
        """The receiver got msg whole: a line of ground truth."""
        if side == "c":
            self.truth.write(ref_line(conn.ts, CLIENT, conn.cport, SERVER, 53, "tcp", msg) + "\n")
        else:
            self.truth.write(ref_line(conn.ts, SERVER, 53, CLIENT, conn.cport, "tcp", msg) + "\n")

    def close(self):
        self.cap.close()
        self.truth.close()


def split_every_offset(c):
    q0, r0 = query_and_response("split.example.", 1, ["192.0.2.1", "192.0.2.2", "192.0.2.3"])
    n = len(framed(wire(r0)))
    ts = 1700000000.0
    for k in range(1, n):
        q, r = query_and_response("split%d.example." % k, k, ["192.0.2.1", "192.0.2.2", "192.0.2.3"])
        fq, fr = framed(wire(q)), framed(wire(r))
        conn = Conn(c.cap, 20000 + k, ts)
        kq = k % len(fq) or 1
        conn.send("c", fq[:kq])
        conn.send("c", fq[kq:])
        c.saw(conn, "c", q)
        conn.send("s", fr[:k])
        conn.send("s", fr[k:])
        c.saw(conn, "s", r)
        conn.close()
        ts = conn.ts + 0.01


def byte_by_byte(c):
    q, r = query_and_response("bytes.example.", 77, ["2001:db8::1", "2001:db8::2"], "AAAA")
    conn = Conn(c.cap, 30000, 1700000100.0)
    conn.send("c", framed(wire(q)))
    c.saw(conn, "c", q)
    fr = framed(wire(r))
    for i in range(len(fr)):
        conn.send("s", fr[i:i + 1])
    c.saw(conn, "s", r)
    conn.close()


def pipelined_reverse(c):
    pairs = [query_and_response("%s.pipe.example." % n, 100 + i, ["192.0.2.%d" % (10 + i)])
             for i, n in enumerate(("one", "two", "three"))]
    conn = Conn(c.cap, 30001, 1700000200.0)
    conn.send("c", b"".join(framed(wire(q)) for q, _ in pairs))
    for q, _ in pairs:
        c.saw(conn, "c", q)
    for _, r in reversed(pairs):
        conn.send("s", framed(wire(r)))
        c.saw(conn, "s", r)
    conn.close()


def reorder_dup(c):
    pairs = [query_and_response("r%d.reorder.example." % i, 200 + i,
                                ["192.0.2.%d" % j for j in range(1, 6)]) for i in range(2)]
    conn = Conn(c.cap, 30002, 1700000300.0)
    for q, _ in pairs:
        conn.send("c", framed(wire(q)))
        c.saw(conn, "c", q)
    stream = b"".join(framed(wire(r)) for _, r in pairs)
    cuts = [0, 9, 30, 31, 70, 101, 150, len(stream)]
    segs = [(cuts[i], stream[cuts[i]:cuts[i + 1]]) for i in range(len(cuts) - 1)]
    base = conn.sseq
    for i in (0, 2, 1, 4, 3, 3, 1, 6, 5):   # reordered, 3 twice, 1 retransmitted late
        off, data = segs[i]
        conn.send("s", data, at=base + off)
    conn.sseq = base + len(stream)
    for _, r in pairs:
        c.saw(conn, "s", r)
    conn.close()


def overlap_first_wins(c):
    q, r = query_and_response("overlap.example.", 300, ["192.0.2.%d" % j for j in range(1, 5)])
    conn = Conn(c.cap, 30003, 1700000400.0)
    conn.send("c", framed(wire(q)))
    c.saw(conn, "c", q)
    fr = framed(wire(r))
    base = conn.sseq
    conn.send("s", fr[:40], at=base)
    bogus = bytes(b ^ 0xFF for b in fr[20:40]) + fr[40:60]
    conn.send("s", bogus, at=base + 20)          # overlaps [20, 40) with other bytes
    conn.send("s", fr[60:], at=base + 60)
    conn.sseq = base + len(fr)
    c.saw(conn, "s", r)
    conn.close()


def missing_segment(c):
    pairs = [query_and_response("m%d.missing.example." % i, 400 + i, ["192.0.2.%d" % (40 + i)])
             for i in range(3)]
    conn = Conn(c.cap, 30004, 1700000500.0)
    for q, _ in pairs:
        conn.send("c", framed(wire(q)))
        c.saw(conn, "c", q)
    f = [framed(wire(r)) for _, r in pairs]
    conn.send("s", f[0])
    c.saw(conn, "s", pairs[0][1])
    half = len(f[1]) // 2
    conn.send("s", f[1][:half])
    conn.sseq += len(f[1]) - half                # the second half is never captured
    conn.send("s", f[2])
    c.saw(conn, "s", pairs[2][1])
    conn.close()


def no_handshake(c):
    q0, r0 = query_and_response("earlier.example.", 500, ["192.0.2.50", "192.0.2.51"])
    pairs = [query_and_response("n%d.nosyn.example." % i, 501 + i, ["192.0.2.%d" % (60 + i)])
             for i in range(2)]
    conn = Conn(c.cap, 30005, 1700000600.0, handshake=False)
    fr0 = framed(wire(r0))
    conn.send("s", fr0[17:])                     # the tail of a response sent before the capture
    for q, r in pairs:
        conn.send("c", framed(wire(q)))
        c.saw(conn, "c", q)
        conn.send("s", framed(wire(r)))
        c.saw(conn, "s", r)
    conn.close()


def tcp_in_ip_fragments(c):
    q, r = query_and_response("frag.tcp.example.", 600, ["192.0.2.%d" % j for j in range(1, 40)])
    conn = Conn(c.cap, 30006, 1700000700.0)
    conn.send("c", framed(wire(q)))
    c.saw(conn, "c", q)
    segment = tcp(53, conn.cport, conn.sseq, conn.cseq, TCP_PSH | TCP_ACK, framed(wire(r)))
    conn.sseq += len(framed(wire(r)))
    whole = ipv4(SERVER, CLIENT, 6, segment, ident=4242)
    header, body = whole[:20], whole[20:]
    pieces = [(0, body[:256]), (256, body[256:512]), (512, body[512:])]
    for off, data in (pieces[1], pieces[2], pieces[0]):
        more = 0x2000 if off + len(data) < len(body) else 0
        frag = ipv4(SERVER, CLIENT, 6, data, ident=4242, flags_frag=more | off // 8)
        conn.ts += 0.0001
        c.cap.frame(conn.ts, ether(frag))
    c.saw(conn, "s", r)
    conn.close()


CASES = {
    "tcp-split-every-offset": split_every_offset,
    "tcp-byte-by-byte": byte_by_byte,
    "tcp-pipelined-reverse": pipelined_reverse,
    "tcp-reorder-dup": reorder_dup,
    "tcp-overlap-first-wins": overlap_first_wins,
    "tcp-missing-segment": missing_segment,
    "tcp-no-handshake": no_handshake,
    "tcp-in-ip-fragments": tcp_in_ip_fragments,
}


def check(outdir, name):
    """Hold the ground truth against tshark + dnspython's decode of the capture."""
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path.insert(0, os.path.join(top, "tests", "tools"))
    oracle = subprocess.run(["/usr/bin/python3", os.path.join(top, "tests/tools/oracle.py"),
                             os.path.join(outdir, name + ".pcap")],
                            capture_output=True, text=True, check=True).stdout
    path = os.path.join(outdir, name + ".oracle.tmp")
    with open(path, "w") as f:
        f.write(oracle)
    import importlib.util
    spec = importlib.util.spec_from_file_location("cf", os.path.join(top, "tests/tools/compare_flat.py"))
    src = open(spec.origin).read().split("ea, ee, undec, murky = expected")[0]
    ns = {}
    exec(compile(src, spec.origin, "exec"), ns)
    ta, te, _, _ = ns["expected"](os.path.join(outdir, name + ".truth.jsonl"))
    oa, oe, _, _ = ns["expected"](path)
    os.unlink(path)
    truth, seen = ta | te, oa | oe
    print("%-24s truth facts %4d, tshark finds %4d of them, %d others" %
          (name, len(truth), len(truth & seen), len(seen - truth)))


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    outdir = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                               "..", "corpus", "gen")
    os.makedirs(outdir, exist_ok=True)
    for name, fn in CASES.items():
        c = Case(outdir, name)
        fn(c)
        c.close()
        if "--check" in sys.argv:
            check(outdir, name)


main()
