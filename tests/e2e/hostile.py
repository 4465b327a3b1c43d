#!/usr/bin/python3
"""Hostile inputs through the whole binary: each is written here, run, and
must be survived (exit 0), counted in the stats record, and not stop what
follows it from being logged.

usage: hostile.py PDNSLOG"""
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen"))
from pcapgen import (Pcap, TCP_ACK, TCP_PSH, TCP_SYN, ether, framed, ipv4, query_and_response,  # noqa: E402
                     tcp_frame, udp, wire)

BIN = sys.argv[1]
TMP = tempfile.mkdtemp()
passes = failures = 0


def expect(what, ok, detail=""):
    global passes, failures
    if ok:
        passes += 1
    else:
        failures += 1
        print("FAIL: %s %s" % (what, detail))


def run(path):
    p = subprocess.run([BIN, "-pcap", path, "-numprocs", "1"], capture_output=True, timeout=60)
    lines = [json.loads(x) for x in p.stdout.decode().splitlines()]
    stats = json.loads(p.stderr.decode().strip().splitlines()[-1])
    return p.returncode, lines, stats


def udp_frame(src, sport, dst, dport, payload):
    return ether(ipv4(src, dst, 17, udp(sport, dport, payload)))


def capture(name, frames):
    path = os.path.join(TMP, name)
    cap = Pcap(path)
    for i, f in enumerate(frames):
        cap.frame(1700000000 + i * 0.001, f)
    cap.close()
    return path


q, r = query_and_response("after.hostile.example.", 4242, ["192.0.2.9"])
good = [udp_frame("10.0.0.1", 4000, "10.0.0.53", 53, wire(q)),
        udp_frame("10.0.0.53", 53, "10.0.0.1", 4000, wire(r))]

# Empty and too-short DNS payloads, then a good exchange.
rc, lines, st = run(capture("short.pcap", [udp_frame("10.0.0.2", 1, "10.0.0.53", 53, b""),
                                           udp_frame("10.0.0.2", 2, "10.0.0.53", 53, b"\x01\x02\x03\x04\x05")]
                            + good))
expect("short payloads: survived", rc == 0)
expect("short payloads: counted", st["dns_too_short"] == 2, str(st["dns_too_short"]))
expect("short payloads: what follows is logged", any(x["q"] == "after.hostile.example" for x in lines))

# A response whose answer owner is a compression pointer to itself, and one
# with a pointer loop between two names: counted by kind, the exchange logged.
hdr = struct.pack("!HHHHHH", 7, 0x8180, 1, 2, 0, 0)
question = b"\x04loop\x07example\x00\x00\x01\x00\x01"
good_rr = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x01"
self_ptr = struct.pack("!H", 0xC000 | (12 + len(question) + len(good_rr))) + b"\x00\x01\x00\x01"
bad = hdr + question + good_rr + self_ptr + b"\x00\x00\x00\x3c\x00\x04\x01\x02\x03\x04"
qloop = struct.pack("!HHHHHH", 7, 0x0100, 1, 0, 0, 0) + question
rc, lines, st = run(capture("pointer.pcap", [udp_frame("10.0.0.3", 5000, "10.0.0.53", 53, qloop),
                                             udp_frame("10.0.0.53", 53, "10.0.0.3", 5000, bad)] + good))
expect("pointer loop: survived", rc == 0)
expect("pointer loop: counted as pointer", st["dns_errors"]["pointer"] == 1, str(st["dns_errors"]))
expect("pointer loop: the answer before it logged",
       any(x["q"] == "loop.example" and x["a"] == "192.0.2.1" for x in lines), str(lines[:2]))
expect("pointer loop: what follows is logged", any(x["q"] == "after.hostile.example" for x in lines))

# A TCP stream whose first length prefix is zero: counted, then the next
# message is found again.
qt, rt = query_and_response("tcp.hostile.example.", 77, ["192.0.2.77"])
c, s = ("10.0.0.4", 6000), ("10.0.0.53", 53)
frames = [tcp_frame(c[0], c[1], s[0], s[1], 100, 0, TCP_SYN),
          tcp_frame(s[0], s[1], c[0], c[1], 900, 101, TCP_SYN | TCP_ACK),
          tcp_frame(c[0], c[1], s[0], s[1], 101, 901, TCP_PSH | TCP_ACK, b"\x00\x00" + framed(wire(qt))),
          tcp_frame(s[0], s[1], c[0], c[1], 901, 101 + 2 + len(framed(wire(qt))), TCP_PSH | TCP_ACK,
                    framed(wire(rt)))]
rc, lines, st = run(capture("zero-prefix.pcap", frames))
expect("zero TCP length prefix: survived", rc == 0)
expect("zero TCP length prefix: counted", st["tcp_bad_length"] == 1, str(st["tcp_bad_length"]))
expect("zero TCP length prefix: the exchange after it pairs",
       any(x["q"] == "tcp.hostile.example" and x["status"] == "answered" for x in lines))

# pcapng with blocks pdnslog (and libpcap) do not know, between the packets.
def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def epb(frame, ts_us):
    return block(6, struct.pack("<IIIII", 0, ts_us >> 32, ts_us & 0xFFFFFFFF, len(frame), len(frame)) + frame)


ng = (block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
      + block(1, struct.pack("<HHI", 1, 0, 65535))
      + block(0x0BADBEEF, b"unknown block type, any content" * 3)
      + epb(good[0], 1700000000000000)
      + block(0x00000BAD, struct.pack("<I", 32473) + b"custom block, copyable")
      + block(0x40000BAD, struct.pack("<I", 32473) + b"custom block, not copyable")
      + epb(good[1], 1700000000001000))
path = os.path.join(TMP, "unknown-blocks.pcapng")
open(path, "wb").write(ng)
rc, lines, st = run(path)
expect("pcapng unknown blocks: survived", rc == 0, str(rc))
expect("pcapng unknown blocks: the packets around them pair",
       st.get("pair_answered") == 1 and st.get("packets") == 2, str(st.get("packets")))

print("hostile: %d passed, %d failed" % (passes, failures))
sys.exit(1 if failures else 0)
