#!/usr/bin/python3
"""Floods: memory stays inside the configured limits and the counters say
exactly what was evicted.  Captures are generated into a temporary folder.

usage: floods.py PDNSLOG
Each flood runs pdnslog once with tight limits; peak RSS (ru_maxrss of the
child) is held against a run on a tiny capture plus the bytes the limits
allow, and the stats record against the numbers the flood implies."""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen"))
from pcapgen import Pcap, TCP_ACK, TCP_PSH, TCP_SYN, ether, ipv4, tcp_frame, udp  # noqa: E402
import checks  # noqa: E402  (tests/e2e/checks.py, beside this script)
from checks import expect  # noqa: E402

BIN = sys.argv[1]
TMP = tempfile.mkdtemp()


def run(args):
    """Run pdnslog; return (stats dict, records written to stdout, its peak RSS in KiB).
    GNU time measures it: a child forked straight from Python would inherit
    Python's own high-water mark in ru_maxrss."""
    out, err, rss = (os.path.join(TMP, n) for n in ("out", "err", "rss"))
    with open(out, "wb") as o, open(err, "wb") as e:
        rc = subprocess.call(["/usr/bin/time", "-f", "%M", "-o", rss, BIN] + args,
                             stdout=o, stderr=e, timeout=300)
    stderr = open(err, "rb").read()
    if rc != 0:
        raise SystemExit("pdnslog %s exited %d: %s" % (args, rc, stderr[-300:]))
    stats = json.loads(stderr.decode().strip().splitlines()[-1])
    records = open(out, "rb").read().count(b"\n")
    return stats, records, int(open(rss).read().split()[-1])


# Under AddressSanitizer freed memory sits in quarantine: RSS says nothing there.
SANITIZED = bool(os.environ.get("PDNSLOG_SANITIZED"))


def expect_rss(what, ok, detail=""):
    if not SANITIZED:
        expect(what, ok, detail)


def addr(i):
    return "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)


def query(qid, name=b"\x05flood\x07example\x00"):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + name + b"\x00\x01\x00\x01"


def write(name, frames):
    path = os.path.join(TMP, name)
    cap = Pcap(path)
    for ts, f in frames:
        cap.frame(ts, f)
    cap.close()
    return path


# A baseline: the process with nothing much to do.
tiny = write("tiny.pcap", [(1700000000.0, ether(ipv4("10.0.0.1", "10.0.0.53", 17,
                                                     udp(1234, 53, query(1)))))])
_, _, base_rss = run(["-pcap", tiny, "-quiet"])

# 1. A million queries never answered, each from its own client address,
# -max_pending 10000: every one is written (unanswered), exactly 990,000 of
# them early (evicted).
N, CAP = 1000000, 10000
frames = ((1700000000.0 + i * 1e-5, ether(ipv4(addr(i), "192.0.2.53", 17,
                                               udp(1024 + i % 60000, 53, query(i & 0xFFFF)))))
          for i in range(N))
stats, records, rss = run(["-pcap", write("unanswered.pcap", frames), "-quiet", "-numprocs", "1",
                           "-max_pending", str(CAP), "-logfile", os.path.join(TMP, "u.log")])
lines = sum(1 for _ in open(os.path.join(TMP, "u.log")))
expect("unanswered flood: every query written", lines == N, "(%d lines)" % lines)
expect("unanswered flood: evictions counted", stats["pair_evicted"] == N - CAP, str(stats["pair_evicted"]))
expect("unanswered flood: table never above the cap", stats["pending_peak"] == CAP, str(stats["pending_peak"]))
# An entry is under 512 bytes: the cap bounds the table to 5 MB.
print("unanswered flood RSS %d KiB" % rss)
expect_rss("unanswered flood: RSS bounded", rss - base_rss < CAP * 512 // 1024 + 4096,
       "(%d KiB over the baseline)" % (rss - base_rss))

# The same flood over two workers: the cap is shared out, so the total holds.
stats, _, rss = run(["-pcap", os.path.join(TMP, "unanswered.pcap"), "-quiet", "-numprocs", "2",
                     "-max_pending", str(CAP), "-logfile", os.path.join(TMP, "u2.log")])
lines = sum(1 for _ in open(os.path.join(TMP, "u2.log")))
expect("unanswered flood, 2 workers: every query written", lines == N, "(%d lines)" % lines)
expect("unanswered flood, 2 workers: the total stays under the cap", stats["pending_peak"] <= CAP,
       str(stats["pending_peak"]))
expect("unanswered flood, 2 workers: all written as unanswered, evictions counted",
       stats["pair_unanswered"] == N and stats["pair_evicted"] >= N - CAP, str(stats["pair_evicted"]))

# 2. 100,000 half-open TCP connections (SYN only) with -tcp_max_streams 1000.
N, CAP = 100000, 1000
frames = ((1700000000.0 + i * 1e-5, tcp_frame(addr(i), 1024 + i % 60000, "192.0.2.53", 53,
                                                i * 7, 0, TCP_SYN)) for i in range(N))
stats, _, rss = run(["-pcap", write("syn.pcap", frames), "-quiet", "-numprocs", "1", "-tcp_max_streams", str(CAP)])
expect("SYN flood: evictions counted", stats["tcp_evicted"] == N - CAP, str(stats["tcp_evicted"]))
print("SYN flood RSS %d KiB" % rss)
expect_rss("SYN flood: RSS bounded", rss - base_rss < 4096, "(%d KiB over the baseline)" % (rss - base_rss))

# 3. 20,000 connections each leaving a partial message (a length prefix of
# 60000 and 1000 bytes of it) with -tcp_max_mb 2: the bytes cap holds.
N = 20000
partial = struct.pack("!H", 60000) + query(7)[:12] + b"\0" * 986
frames = ((1700000000.0 + i * 1e-5, tcp_frame(addr(i), 1024 + i % 60000, "192.0.2.53", 53,
                                                1000, 1, TCP_PSH | TCP_ACK, partial))
          for i in range(N))
stats, _, rss = run(["-pcap", write("partial.pcap", frames), "-quiet", "-numprocs", "1", "-tcp_max_mb", "2"])
expect("partial-message flood: streams evicted", stats["tcp_evicted"] > N // 2, str(stats["tcp_evicted"]))
expect("partial-message flood: partial messages counted",
       stats["tcp_incomplete"] == N, str(stats["tcp_incomplete"]))
print("partial flood RSS %d KiB" % rss)
expect_rss("partial-message flood: RSS bounded", rss - base_rss < 2048 + 4096,
       "(%d KiB over the baseline)" % (rss - base_rss))

# 4. 50,000 orphan first fragments (1000 bytes each, distinct IP IDs): with
# -frag_max_datagrams 1000 exactly 49,000 are evicted and 1000 left at the
# end; with -frag_max_mb 2 the byte cap binds instead.  Either way every
# orphan is accounted for, and memory stays inside the cap.
N = 50000
orphan = udp(53, 4000, b"\0" * 992)
frames = [(1700000000.0 + i * 1e-5, ether(ipv4("192.0.2.53", addr(i), 17, orphan, ident=i & 0xFFFF,
                                                flags_frag=0x2000))) for i in range(N)]
path = write("orphans.pcap", frames)
stats, _, rss = run(["-pcap", path, "-quiet", "-numprocs", "1", "-frag_max_datagrams", "1000"])
expect("orphan fragments: evictions at the datagram cap", stats["frag_evicted"] == N - 1000,
       str(stats["frag_evicted"]))
expect("orphan fragments: the rest time out at the end", stats["frag_timeouts"] == 1000,
       str(stats["frag_timeouts"]))
stats, _, rss = run(["-pcap", path, "-quiet", "-numprocs", "1", "-frag_max_mb", "2"])
print("orphan fragment flood RSS %d KiB" % rss)
expect("orphan fragments: every one evicted or timed out",
       stats["frag_evicted"] + stats["frag_timeouts"] == N,
       "%d + %d" % (stats["frag_evicted"], stats["frag_timeouts"]))
expect("orphan fragments: the byte cap binds", stats["frag_evicted"] > N // 2, str(stats["frag_evicted"]))
expect_rss("orphan fragments: RSS bounded", rss - base_rss < 2048 + 4096,
           "(%d KiB over the baseline)" % (rss - base_rss))

print("peak RSS KiB: baseline %d" % base_rss)
checks.finish("floods")
