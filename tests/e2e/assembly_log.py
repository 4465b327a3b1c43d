#!/usr/bin/python3
"""End-to-end: -assembly_debug_log and -assembly_memuse_log on every TCP test
capture (tests/corpus/tcpfrag.list and the generated tcp-*.pcap), read with
one worker and no filter (every frame reaches the worker).

-assembly_debug_log, one line per segment:
- the segments are the capture's own, as tshark reads them (flow, raw
  sequence number, payload length, flags), in the same order, one line each,
  as many as the stats record's tcp_segments;
- what each line says happened (in order, out of order, retransmit, overlap,
  SYN, no handshake, no data) is what a model of the reassembly written here
  from the TCP rules gives for tshark's segments (next byte expected per
  direction, held segments let in when the hole fills, FIN and RST closing);
- the counters each line shows moving add up, over all lines, to the stats
  record's tcp_* counters; the out-of-order lines are exactly
  tcp_out_of_order.
-assembly_memuse_log:
- one memory line per 10 s of capture time, as the capture's own timestamps
  (tshark) give, and one at the end; the end's count of streams is the number
  of streams the end of input then closes (their "stream closed: end of
  input" lines); its limits are the -tcp_max_streams and caps given.
Without the flags, none of these lines.

usage: assembly_log.py PDNSLOG"""
import os
import re
import subprocess
import sys

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(top, "tests", "e2e"))
from checks import expect, finish, stats_of  # noqa: E402

PDNSLOG = os.path.abspath(sys.argv[1])
COUNTERS = ["tcp_messages", "tcp_retransmits", "tcp_out_of_order", "tcp_gaps", "tcp_gap_bytes",
            "tcp_bad_length", "tcp_limit_drops", "tcp_evicted", "tcp_expired", "tcp_incomplete"]
SEG = re.compile(r"^pdnslog: assembly: (\S+):(\d+) > (\S+):(\d+) seq (\d+) \(([+-]\d+)\) len (\d+) "
                 r"\[([FSRPAU.]+)\]: (.*?)(?: \[([a-z_]+\+\d+(?: [a-z_]+\+\d+)*)\])?$")
CLOSED = re.compile(r"^pdnslog: assembly: (\S+):(\d+) > (\S+):(\d+) stream closed: (.*?)"
                    r"(?: \[([a-z_]+\+\d+(?: [a-z_]+\+\d+)*)\])?$")
MEM = re.compile(r"^pdnslog: assembly: memory: worker (\d+): tcp (\d+)/(\d+) streams, (\d+)/(\d+) bytes "
                 r"\((\d+) segments held out of order, (\d+) bytes; (\d+) bytes unframed\); "
                 r"ip fragments (\d+)/(\d+) datagrams, (\d+)/(\d+) bytes$")
FLAGS = {"F": 1, "S": 2, "R": 4, "P": 8, "A": 16, "U": 32}


def host(a):
    return a[1:-1] if a.startswith("[") else a


def tshark_segments(pcap):
    """(src, sport, dst, dport, seq, len, flags) of every TCP segment on
    port 53, and every frame's capture time."""
    p = subprocess.run(["tshark", "-r", pcap, "-o", "tcp.desegment_tcp_streams:FALSE",
                        "-T", "fields", "-E", "separator=|", "-e", "frame.time_epoch",
                        "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst",
                        "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "tcp.seq_raw", "-e", "tcp.len",
                        "-e", "tcp.flags"], capture_output=True, text=True, timeout=120)
    segs, times = [], []
    for line in p.stdout.splitlines():
        t, s4, s6, sp, d4, d6, dp, seq, ln, fl = line.split("|")
        times.append(float(t))
        if not sp or "53" not in (sp, dp):
            continue
        # The innermost addresses (tunnels list outer first).
        src = (s4 or s6).split(",")[-1]
        dst = (d4 or d6).split(",")[-1]
        segs.append((src, int(sp), dst, int(dp), int(seq), int(ln), int(fl, 16) & 0x3f))
    return segs, times


def category(what):
    for c in ("SYN", "in order", "out of order", "retransmit", "overlap", "no handshake", "no data"):
        if what.startswith(c):
            return c
    return what


class Model:
    """The reassembly's rules, from TCP's: per direction the next byte
    expected; data ahead of it held, let in when the hole fills (a hole
    given up once 32 segments wait); FIN and RST end the stream."""

    def __init__(self):
        self.streams = {}

    def close(self, key):
        self.streams.pop(key, None)

    def segment(self, key, seq, n, flags):
        s = self.streams.get(key)
        if s is None:
            if n == 0 and not flags & 2:
                return "no data"
            s = self.streams[key] = {"have": False, "next": 0, "held": []}
        what = "in order" if n else "no data"
        if flags & 2:
            s.update(have=True, next=(seq + 1) & 0xffffffff, held=[])
            seq = (seq + 1) & 0xffffffff
            what = "SYN"
        elif not s["have"] and n:
            s.update(have=True, next=seq)
            what = "no handshake"
        if n:
            d = ((seq - s["next"] + (1 << 31)) & 0xffffffff) - (1 << 31)
            if d < 0:
                if -d >= n:
                    what, n = "retransmit", 0
                else:
                    what, seq, n, d = "overlap", s["next"], n + d, 0
            if n and d == 0:
                s["next"] = (s["next"] + n) & 0xffffffff
                self.drain(s)
            elif n:
                what = "out of order"
                if len(s["held"]) >= 32:  # the hole is given up
                    s["next"] = s["held"][0][0]
                    self.drain(s)
                    d = ((seq - s["next"] + (1 << 31)) & 0xffffffff) - (1 << 31)
                    if d <= 0:
                        if -d < n:
                            s["next"] = (seq + n) & 0xffffffff
                            self.drain(s)
                        n = 0
                if n and not any(h[0] == seq and h[1] >= n for h in s["held"]):
                    s["held"].append((seq, n))
                    s["held"].sort(key=lambda h: ((h[0] - s["next"]) & 0xffffffff))
        if flags & 5:
            self.close(key)
        return what

    def drain(self, s):
        while s["held"]:
            seq, n = s["held"][0]
            d = ((seq - s["next"] + (1 << 31)) & 0xffffffff) - (1 << 31)
            if d > 0:
                return
            s["held"].pop(0)
            if -d < n:
                s["next"] = (seq + n) & 0xffffffff


def deltas(text):
    out = {}
    for item in (text or "").split():
        k, v = item.split("+")
        out[k] = int(v)
    return out


def check(pcap):
    name = os.path.basename(pcap)
    p = subprocess.run([PDNSLOG, "-pcap", pcap, "-quiet", "-numprocs", "1", "-bpf", "", "-stats_interval", "0",
                        "-assembly_debug_log", "-assembly_memuse_log", "-tcp_max_streams", "1000",
                        "-tcp_max_mb", "32"], capture_output=True, text=True, timeout=120)
    st = stats_of(p.stderr)
    lines = [l for l in p.stderr.splitlines() if l.startswith("pdnslog: assembly: ")]
    segs, times = tshark_segments(pcap)
    model = Model()
    got, sums, mismatch, unparsed, mem = [], dict.fromkeys(COUNTERS, 0), [], [], []
    end_closes = 0
    for l in lines:
        m = SEG.match(l)
        if m:
            src, sp, dst, dp, seq, rel, n, fl, what, moved = m.groups()
            flags = sum(FLAGS[c] for c in fl if c != ".")
            got.append((host(src), int(sp), host(dst), int(dp), int(seq), int(n), flags))
            key = (host(src), int(sp), host(dst), int(dp))
            want = model.segment(key, int(seq), int(n), flags)
            if category(what) != want and len(mismatch) < 3:
                mismatch.append("%s: model says %s" % (l, want))
            for k, v in deltas(moved).items():
                sums[k] += v
            continue
        m = CLOSED.match(l)
        if m:
            src, sp, dst, dp, why, moved = m.groups()
            model.close((host(src), int(sp), host(dst), int(dp)))
            end_closes += why == "end of input"
            for k, v in deltas(moved).items():
                sums[k] += v
            continue
        m = MEM.match(l)
        if m:
            mem.append(m.groups())
            continue
        unparsed.append(l)
    expect("%s: every assembly line is of a documented form" % name, not unparsed, str(unparsed[:2]))
    expect("%s: one line per segment, tcp_segments (%d)" % (name, st.get("tcp_segments", -1)),
           len(got) == st.get("tcp_segments") and len(got) > 0)
    same = got == segs
    first = next((i for i, (a, b) in enumerate(zip(got, segs)) if a != b), min(len(got), len(segs)))
    expect("%s: the segments are tshark's (flow, seq, len, flags), in order" % name, same,
           "" if same else "#%d: %s, tshark %s" % (first, got[first:first + 1], segs[first:first + 1]))
    expect("%s: what each segment did is what the TCP model says" % name, not mismatch, "\n".join(mismatch))
    bad = {k: (sums[k], st.get(k)) for k in COUNTERS if sums[k] != st.get(k)}
    expect("%s: the counters the lines show add up to the stats record's" % name, not bad, str(bad))
    ooo = sum(1 for l in lines if ": out of order" in l and "tcp_out_of_order+1" in l)
    expect("%s: out-of-order lines = tcp_out_of_order (%d)" % (name, st.get("tcp_out_of_order", -1)),
           ooo == st.get("tcp_out_of_order"))
    want_periodic = periodic(times)
    expect("%s: %d memory lines (%d periodic, the end's)" % (name, want_periodic + 1, want_periodic),
           len(mem) == want_periodic + 1, "got %d" % len(mem))
    if mem:
        last = mem[-1]
        expect("%s: the end's memory line counts the streams the end closes (%d), limits as given" %
               (name, end_closes),
               last[0] == "0" and int(last[1]) == end_closes and last[2] == "1000" and
               last[4] == str(32 << 20) and last[9] == "4096",
               str(last))
    return len(got), want_periodic


def periodic(times):
    """The memory lines before the end's: one each time a frame comes 10 s
    of capture time or more after the last line's due time was set (from
    the first frame)."""
    n, nxt = 0, None
    for t in times:
        ns = round(t * 1e9)
        if nxt is None:
            nxt = ns + 10 * 10**9
        elif ns >= nxt:
            n += 1
            nxt = ns + 10 * 10**9
    return n


def main():
    names = []
    with open(os.path.join(top, "tests", "corpus", "tcpfrag.list")) as f:
        names = [os.path.join(top, "tests", "corpus", "pcaps", n.strip())
                 for n in f if n.strip() and not n.startswith("#")]
    gen = os.path.join(top, "tests", "corpus", "gen")
    names += sorted(os.path.join(gen, n) for n in os.listdir(gen) if n.startswith("tcp-") and n.endswith(".pcap"))
    total = periodic_lines = 0
    all_times = []
    for pcap in names:
        segs, times = tshark_segments(pcap)
        all_times += times
        if segs:
            n, k = check(pcap)
            total += n
            periodic_lines += k
    expect("segments seen over the TCP captures (%d)" % total, total > 500)
    # All of them read as one capture (years apart): a line after each jump.
    p = subprocess.run([PDNSLOG, "-quiet", "-numprocs", "1", "-bpf", "", "-stats_interval", "0",
                        "-assembly_memuse_log"] + names, capture_output=True, text=True, timeout=120)
    mem = [l for l in p.stderr.splitlines() if MEM.match(l)]
    want = periodic(all_times)
    expect("the TCP captures as one: %d memory lines (%d periodic, the end's)" % (want + 1, want),
           len(mem) == want + 1 and want >= 2, "got %d" % len(mem))
    # Without the flags: not one of these lines.
    p = subprocess.run([PDNSLOG, "-pcap", os.path.join(gen, "tcp-reorder-dup.pcap"), "-quiet",
                        "-debug"], capture_output=True, text=True, timeout=60)
    expect("without the flags (even with -debug): no assembly line", "assembly:" not in p.stderr, p.stderr[-300:])
    finish("assembly")


if __name__ == "__main__":
    main()
