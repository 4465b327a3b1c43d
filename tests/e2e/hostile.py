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
from pcapgen import (Pcap, TCP_ACK, TCP_PSH, TCP_SYN, checksum, ether, framed, ip4, ipv4,  # noqa: E402
                     query_and_response, tcp_frame, udp, wire)
import checks  # noqa: E402  (tests/e2e/checks.py, beside this script)
from checks import expect  # noqa: E402

BIN = sys.argv[1]
TMP = tempfile.mkdtemp()


PEAK_KIB = [0]  # the largest peak RSS of any run, as GNU time measures it


def run(path, *args):
    rss = os.path.join(TMP, "rss.txt")
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss, BIN, "-pcap", path, "-numprocs", "1"]
                       + list(args), capture_output=True, timeout=60)
    PEAK_KIB[0] = max(PEAK_KIB[0], int(open(rss).read().split()[-1]))
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


def cut_capture(name, frames):
    """A pcap of (frame, kept) pairs: each record holds the frame's first kept
    bytes and says the packet on the wire was whole, as a snaplen cut writes it."""
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (frame, kept) in enumerate(frames):
            kept = min(kept, len(frame))
            f.write(struct.pack("<IIII", 1700000000, i * 1000, kept, len(frame)) + frame[:kept])
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

# The list of hostile inputs, each case below labelled with its item
# number; the ones above are items 7 (short payloads), 1 (self-pointer),
# 9 (zero TCP length prefix) and 16 (pcapng unknown blocks).  The DNS ones
# are responses to loop.example A: the question, one good A record, then
# the hostile bytes at offset AFTER_GOOD, each exchange from its own port.
AFTER_GOOD = 12 + len(question) + len(good_rr)
NO_DNS_ERRORS = dict.fromkeys(st["dns_errors"], 0)


def followed(lines):
    """The good exchange after the hostile input is logged."""
    return any(x["q"] == "after.hostile.example" for x in lines)


def rr(owner, rtype=1, rdata=b"\x01\x02\x03\x04"):
    return owner + struct.pack("!HHIH", rtype, 1, 60, len(rdata)) + rdata


def dns_cases(name, cases, extra=()):
    """cases: (ancount, nscount, arcount, bytes after the good answer) for one
    exchange each; extra: more frames.  Then the good exchange; run it."""
    frames = []
    for i, (an, ns, ar, rest) in enumerate(cases):
        qid, port = 100 + i, 5100 + i
        frames += [udp_frame("10.0.0.3", port, "10.0.0.53", 53,
                             struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question),
                   udp_frame("10.0.0.53", 53, "10.0.0.3", port,
                             struct.pack("!HHHHHH", qid, 0x8180, 1, an, ns, ar) + question + good_rr + rest)]
    return run(capture(name, frames + list(extra) + good))


def expect_dns_case(what, result, ncases, errors, rdata_malformed=0):
    """Survived; counted exactly as errors says (by kind) and nothing else;
    every exchange's good answer logged, and the exchange after them too."""
    rc, lines, st = result
    expect(what + ": survived", rc == 0, str(rc))
    expect(what + ": counted", st["dns_errors"] == dict(NO_DNS_ERRORS, **errors)
           and st["dns_malformed"] == sum(errors.values()) and st["rdata_malformed"] == rdata_malformed,
           "%s malformed %d rdata_malformed %d" % (st["dns_errors"], st["dns_malformed"],
                                                   st["rdata_malformed"]))
    expect(what + ": the answer before it logged",
           sum(x["q"] == "loop.example" and x["a"] == "192.0.2.1" and x["status"] == "answered"
               for x in lines) == ncases, str(lines[:3]))
    expect(what + ": what follows is logged", followed(lines))


# Item 1, the loops the self-pointer above does not make: two owners pointing
# at each other, a label followed by a pointer back to its own start
# (a.a.a...), and a CNAME whose rdata is a pointer to itself (logged as \#).
first = struct.pack("!H", 0xC000 | AFTER_GOOD)
second = struct.pack("!H", 0xC000 | (AFTER_GOOD + len(rr(first))))
cname = rr(b"\xc0\x0c", 5, struct.pack("!H", 0xC000 | (AFTER_GOOD + 2 + 10)))
result = dns_cases("pointer-loops.pcap", [(3, 0, 0, rr(second) + rr(first)),
                                          (2, 0, 0, rr(b"\x01a" + first)),
                                          (2, 0, 0, cname)])
expect_dns_case("pointer loops", result, 3, {"pointer": 2}, rdata_malformed=1)
expect("pointer loops: the looping CNAME logged as unknown data",
       any(x["atype"] == "CNAME" and x["a"].startswith("\\# 2 ") for x in result[1]), str(result[1]))

# Item 2: a pointer forward, one past the end of the message (0x3fff), and a
# pointer cut in half by the end of the message.
result = dns_cases("pointer-forward.pcap", [(2, 0, 0, rr(struct.pack("!H", 0xC000 | (AFTER_GOOD + 20)))),
                                            (2, 0, 0, rr(b"\xff\xff")),
                                            (2, 0, 0, b"\xc0")])
expect_dns_case("pointers forward and past the end", result, 3, {"pointer": 2, "short": 1})

# Item 3: labels of 64 (with its 64 bytes), 100 and 191 (the reserved label
# types 01 and 10), and a query whose question has a label of 64.
long_label = b"\x40" + b"a" * 64 + b"\x00\x00\x01\x00\x01"
result = dns_cases("labels.pcap", [(2, 0, 0, rr(b"\x40" + b"a" * 64 + b"\x00")),
                                   (2, 0, 0, rr(b"\x64" + b"b" * 100 + b"\x00")),
                                   (2, 0, 0, rr(b"\xbf" + b"c" * 191 + b"\x00"))],
                   [udp_frame("10.0.0.3", 5199, "10.0.0.53", 53,
                              struct.pack("!HHHHHH", 199, 0x0100, 1, 0, 0, 0) + long_label)])
expect_dns_case("labels over 63", result, 3, {"label": 4})

# Item 4: a name of four 63-byte labels (257 bytes), and one that reaches 257
# only through a pointer: a 63-byte label in front of a valid 193-byte name.
label63 = b"\x3f" + b"x" * 63
result = dns_cases("namelen.pcap", [(2, 0, 0, rr(label63 * 4 + b"\x00")),
                                    (3, 0, 0, rr(label63 * 3 + b"\x00") + rr(b"\x3f" + b"y" * 63 + first))])
expect_dns_case("names over 255", result, 2, {"namelen": 2})

# Item 5: rdlength 400 and 65535 with 4 bytes of rdata in the message.
rdlen = [b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, n) + b"\x01\x02\x03\x04" for n in (400, 65535)]
result = dns_cases("rdlength.pcap", [(2, 0, 0, rdlen[0]), (2, 0, 0, rdlen[1])])
expect_dns_case("rdlength past the message", result, 2, {"rdlen": 2})

# Item 6: a response that says 1000 authority and 60000 additional records
# after its one answer, and a header-only query whose four counts are 65535.
result = dns_cases("counts.pcap", [(1, 1000, 60000, b"")],
                   [udp_frame("10.0.0.3", 5198, "10.0.0.53", 53,
                              struct.pack("!HHHHHH", 198, 0x0100, 65535, 65535, 65535, 65535))])
expect_dns_case("section counts larger than the message", result, 1, {"count": 2})

# Item 8: 65535 records.  The most that fit in a 65535-byte message are 5956
# minimal ones (root owner, NULL, no rdata), carried over TCP: with ANCOUNT
# 65535 (counted, all 5956 logged), with ANCOUNT 65535 and only 3 records
# (counted), and with ANCOUNT 5956 (whole, not counted).
root_q = b"\x00\x00\x0a\x00\x01"
minimal = root_q + b"\x00\x00\x00\x3c\x00\x00"
most = (65535 - 12 - len(root_q)) // len(minimal)
responses = [struct.pack("!HHHHHH", 50, 0x8180, 1, 65535, 0, 0) + root_q + minimal * most,
             struct.pack("!HHHHHH", 51, 0x8180, 1, 65535, 0, 0) + root_q + minimal * 3,
             struct.pack("!HHHHHH", 52, 0x8180, 1, most, 0, 0) + root_q + minimal * most]
queries = b"".join(framed(struct.pack("!HHHHHH", i, 0x0100, 1, 0, 0, 0) + root_q) for i in (50, 51, 52))
stream = b"".join(framed(x) for x in responses)
c, s = ("10.0.0.8", 6001), ("10.0.0.53", 53)
frames = [tcp_frame(c[0], c[1], s[0], s[1], 100, 0, TCP_SYN),
          tcp_frame(s[0], s[1], c[0], c[1], 900, 101, TCP_SYN | TCP_ACK),
          tcp_frame(c[0], c[1], s[0], s[1], 101, 901, TCP_PSH | TCP_ACK, queries)]
frames += [tcp_frame(s[0], s[1], c[0], c[1], 901 + i, 101 + len(queries), TCP_ACK, stream[i:i + 1400])
           for i in range(0, len(stream), 1400)]
rc, lines, st = run(capture("65535-records.pcap", frames + good))
logged = {qid: sum(x["query_id"] == qid and x["atype"] == "NULL" for x in lines) for qid in (50, 51, 52)}
expect("65535 records: survived", rc == 0, str(rc))
expect("65535 records: the two that lie counted as count",
       st["dns_errors"] == dict(NO_DNS_ERRORS, count=2) and st["tcp_messages"] == 6,
       "%s tcp_messages %d" % (st["dns_errors"], st["tcp_messages"]))
expect("65535 records: every record there is logged", logged == {50: most, 51: 3, 52: most}, str(logged))
expect("65535 records: what follows is logged", followed(lines))


# IP-level cases, run with -bpf "" so every frame reaches the decoder (the
# default filter looks for port 53 where the header says it is).
def ip_query(name, qid):
    q, _ = query_and_response(name, qid, [])
    return wire(q)


def ipv4_raw(first_byte, total, payload, proto=17, src="10.0.0.5", dst="10.0.0.53"):
    """An IPv4 header with its version/IHL byte and total length as given."""
    hdr = struct.pack("!BBHHHBBH4s4s", first_byte, 0, total, 0, 0, 64, proto, 0, ip4(src), ip4(dst))
    return hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:] + payload


# Item 10: IPv4 header lengths that lie: IHL 15 (60 bytes) in a 45-byte packet,
# IHL 4 and IHL 0; then, in a frame captured whole, a total length 100 bytes
# beyond the packet: a header that lies, not a capture cut short.
tiny = udp(4010, 53, struct.pack("!HHHHHH", 10, 0x0100, 1, 0, 0, 0) + b"\x00\x00\x01\x00\x01")
rc, lines, st = run(capture("ihl.pcap", [ether(ipv4_raw(0x4F, 20 + len(tiny), tiny)),
                                         ether(ipv4_raw(0x44, 20 + len(tiny), tiny)),
                                         ether(ipv4_raw(0x40, 20 + len(tiny), tiny))] + good), "-bpf", "")
expect("IHL too big and too small: survived", rc == 0, str(rc))
expect("IHL too big and too small: counted as ip_bad", st["ip_bad"] == 3 and st["dns_messages"] == 2,
       "ip_bad %d dns_messages %d" % (st["ip_bad"], st["dns_messages"]))
expect("IHL too big and too small: what follows is logged", followed(lines))
body = udp(4011, 53, ip_query("total.hostile.example.", 11))
rc, lines, st = run(capture("total-length.pcap", [ether(ipv4_raw(0x45, 20 + len(body) + 100, body))] + good),
                    "-bpf", "")
expect("IP total length beyond the packet: survived", rc == 0, str(rc))
expect("IP total length beyond the packet: counted as ip_bad, not as cut by the capture",
       st["ip_bad"] == 1 and st["ip_truncated"] == 0,
       "ip_bad %d ip_truncated %d dns_truncated_capture %d" % (st["ip_bad"], st["ip_truncated"],
                                                              st["dns_truncated_capture"]))
expect("IP total length beyond the packet: what follows is logged", followed(lines))

# Item 11: IPv6 extension header chains: 16 (the most followed; logged), 16 of
# 2048 bytes each (logged), 17 and 40 (counted as too deep), and one header
# whose length runs past the packet (ip_bad).
SRC6, DST6 = b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x01", b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x35"


def ext_chain(n, payload, size=8):
    """An IPv6 packet with n option headers of size bytes (hop-by-hop, then
    destination options, padded with Pad1) in front of UDP payload."""
    types = [0] + [60] * (n - 1) + [17]
    chain = b"".join(bytes([types[i + 1], size // 8 - 1]) + b"\0" * (size - 2) for i in range(n))
    data = chain + payload
    return ether(struct.pack("!IHBB", 0x60000000, len(data), types[0], 64) + SRC6 + DST6 + data, 0x86DD)


chains = [ext_chain(16, udp(4116, 53, ip_query("ext16.hostile.example.", 16))),
          ext_chain(16, udp(4117, 53, ip_query("ext16-2k.hostile.example.", 17)), 2048),
          ext_chain(17, udp(4118, 53, ip_query("ext17.hostile.example.", 18))),
          ext_chain(40, udp(4119, 53, ip_query("ext40.hostile.example.", 19))),
          ether(struct.pack("!IHBB", 0x60000000, 8, 0, 64) + SRC6 + DST6 + b"\x11\xff" + b"\0" * 6, 0x86DD)]
path = capture("ipv6-chains.pcap", chains + good)
rc, lines, st = run(path, "-bpf", "")
names = sorted(x["q"] for x in lines if x["q"].startswith("ext"))
expect("IPv6 extension chains: survived", rc == 0, str(rc))
expect("IPv6 extension chains: too long counted", st["encap_too_deep"] == 2 and st["ip_bad"] == 1,
       "encap_too_deep %d ip_bad %d" % (st["encap_too_deep"], st["ip_bad"]))
expect("IPv6 extension chains: those within the limit logged",
       names == ["ext16-2k.hostile.example", "ext16.hostile.example"], str(names))
expect("IPv6 extension chains: what follows is logged", followed(lines))
rc, lines, st = run(path)
expect("IPv6 extension chains, default filter: they reach the decoder and are counted",
       rc == 0 and st["encap_too_deep"] == 2 and st["ip_bad"] == 1,
       "packets %d encap_too_deep %d ip_bad %d" % (st["packets"], st["encap_too_deep"], st["ip_bad"]))


# Item 12: IP-in-IP nested 12 levels (the most followed: the one nesting
# limit for every wrapping; logged), 13 and 60 levels (counted as too deep),
# IPv4 and IPv6 layers alternating.
def nested(levels, name, qid):
    p, proto = ipv4("10.0.0.9", "10.0.0.53", 17, udp(4200 + levels, 53, ip_query(name, qid))), 4
    for i in range(levels):
        if i % 2:
            p, proto = ipv4("192.0.2.%d" % (i + 1), "198.51.100.%d" % (i + 1), proto, p), 4
        else:
            p, proto = struct.pack("!IHBB", 0x60000000, len(p), proto, 64) + SRC6 + DST6 + p, 41
    return ether(p, 0x86DD if proto == 41 else 0x0800)


path = capture("ip-in-ip.pcap", [nested(12, "nest12.hostile.example.", 12),
                                 nested(13, "nest13.hostile.example.", 13),
                                 nested(60, "nest60.hostile.example.", 60)] + good)
rc, lines, st = run(path, "-bpf", "")
names = sorted(x["q"] for x in lines if x["q"].startswith("nest"))
expect("IP-in-IP nesting: survived", rc == 0, str(rc))
expect("IP-in-IP nesting: too deep counted", st["encap_too_deep"] == 2, str(st["encap_too_deep"]))
expect("IP-in-IP nesting: 12 levels logged", names == ["nest12.hostile.example"], str(names))
expect("IP-in-IP nesting: what follows is logged", followed(lines))
rc, lines, st = run(path)
expect("IP-in-IP nesting, default filter: it reaches the decoder and is counted",
       rc == 0 and st["encap_too_deep"] == 2,
       "packets %d encap_too_deep %d" % (st["packets"], st["encap_too_deep"]))

# Item 13: packets cut by the snaplen.  A response cut in its third answer:
# counted, the answers before the cut logged and paired.  Then cuts inside
# the UDP header, the TCP header and the IPv4 header: each packet counted
# once as ip_truncated, and as nothing else.
qc, rcut = query_and_response("cut.hostile.example.", 31, ["192.0.2.31", "192.0.2.32", "192.0.2.33"])
resp = udp_frame("10.0.0.53", 53, "10.0.0.6", 4006, wire(rcut))
query_frame = udp_frame("10.0.0.6", 4006, "10.0.0.53", 53, wire(qc))
rc, lines, st = run(cut_capture("cut-dns.pcap", [(query_frame, 65535), (resp, len(resp) - 6)]
                                + [(f, 65535) for f in good]))
expect("snaplen cut in the DNS message: survived", rc == 0, str(rc))
expect("snaplen cut in the DNS message: counted",
       st["ip_truncated"] == 1 and st["dns_truncated_capture"] == 1
       and st["dns_errors"] == dict(NO_DNS_ERRORS, short=1) and st["ip_bad"] == 0,
       "ip_truncated %d dns_truncated_capture %d %s" % (st["ip_truncated"], st["dns_truncated_capture"],
                                                       st["dns_errors"]))
expect("snaplen cut in the DNS message: the answers before the cut logged",
       [x["a"] for x in lines if x["q"] == "cut.hostile.example" and x["status"] == "answered"]
       == ["192.0.2.31", "192.0.2.32"], str(lines))
expect("snaplen cut in the DNS message: what follows is logged", followed(lines))
query_frame = udp_frame("10.0.0.6", 4007, "10.0.0.53", 53, ip_query("cut2.hostile.example.", 32))
tcp_query = tcp_frame("10.0.0.7", 4008, "10.0.0.53", 53, 1, 1, TCP_PSH | TCP_ACK,
                      framed(ip_query("cut3.hostile.example.", 33)))
for what, frame, kept in (("in the UDP header", query_frame, 14 + 20 + 4),
                          ("in the TCP header", tcp_query, 14 + 20 + 10),
                          ("in the IPv4 header", query_frame, 14 + 10)):
    rc, lines, st = run(cut_capture("cut.pcap", [(frame, kept)] + [(f, 65535) for f in good]), "-bpf", "")
    expect("snaplen cut %s: survived" % what, rc == 0, str(rc))
    expect("snaplen cut %s: counted once, as ip_truncated" % what,
           st["ip_truncated"] == 1 and st["ip_bad"] == 0 and st["udp_bad"] == 0,
           "ip_truncated %d ip_bad %d udp_bad %d" % (st["ip_truncated"], st["ip_bad"], st["udp_bad"]))
    expect("snaplen cut %s: what follows is logged" % what, followed(lines))

# Memory: no input above made any run grow past 64 MiB (a sanitizer build's
# shadow memory makes the number meaningless there).
peak_kib = PEAK_KIB[0]
if not os.environ.get("PDNSLOG_SANITIZED"):
    expect("memory bounded: every run under 64 MiB", peak_kib < 64 * 1024, "(%d KiB)" % peak_kib)
checks.finish("hostile", " (largest peak RSS %d KiB)" % peak_kib)
