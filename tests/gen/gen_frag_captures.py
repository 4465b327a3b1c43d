#!/usr/bin/python3
"""Write the generated IP-fragment captures: DNS over UDP in IPv4 and IPv6 fragments.

usage: gen_frag_captures.py [OUTDIR]   (default tests/corpus/gen)

Needs only python3 and dnspython; the pcap bytes are built here by hand
(classic microsecond pcap, Ethernet link type, correct IPv4 header and UDP
checksums).  Everything is deterministic: the same bytes on every run.
The references (NAME.pcap.jsonl) come from the independent oracle:
    /usr/bin/python3 tests/tools/oracle.py tests/corpus/gen/NAME.pcap > tests/corpus/gen/NAME.pcap.jsonl

Cases (each exchange has its own client port, DNS ID and IP ID):
  frag-v4-inorder  a TXT query and its ~3000-byte response (EDNS, 4096) in
                   1480-byte IPv4 fragments, sent in order
  frag-v4-reverse  an A query and its ~3000-byte response (185 A records),
                   the fragments sent last first
  frag-v4-dup      a TXT exchange; the response's middle fragment is sent
                   twice (an exact repeat) and the first once more at the end
  frag-v6          an AAAA query and its ~3000-byte response over IPv6, split
                   with fragment headers into 1232-byte pieces (the 1280 MTU),
                   sent second, third, first
  frag-v4-overlap  two exchanges whose responses have overlapping fragments:
                   (a) the second fragment starts 80 bytes early and repeats
                   the same bytes; (b) it starts 8 bytes early with different
                   bytes there (inside a TXT string, so either reading
                   parses).  pdnslog discards both responses (RFC 5722
                   policy): only the queries, unanswered.  tshark reassembles
                   them anyway; see README.md.
  frag-flood       5000 orphan first fragments (distinct IP IDs, distinct
                   sources, a UDP header from port 53 and the first 248 bytes
                   of a ~3200-byte DNS response, the rest never sent; short
                   to keep the file small) over half a second, then
                   one good fragmented exchange at the end: more datagrams
                   than pdnslog's default cap (4096), the good one must still
                   come out whole.
"""
import os
import socket
import struct
import sys

import dns.flags
import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

CLIENT4, SERVER4 = "192.0.2.10", "198.51.100.53"
CLIENT6, SERVER6 = "2001:db8::10", "2001:db8:5::53"
T0 = 1700000000.0


class Pcap:
    """Classic microsecond pcap, Ethernet link type."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))

    def frame(self, ts, data):
        usec_total = int(round(ts * 1e6))
        self.f.write(struct.pack("<IIII", usec_total // 1000000, usec_total % 1000000,
                                 len(data), len(data)) + data)

    def close(self):
        self.f.close()


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def addr(a):
    return socket.inet_pton(socket.AF_INET6 if ":" in a else socket.AF_INET, a)


def ether(payload, v6=False):
    return (b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" +
            struct.pack("!H", 0x86DD if v6 else 0x0800) + payload)


def udp(src, dst, sport, dport, payload):
    """A whole UDP datagram with its checksum (over the IPv4 or IPv6 pseudo-header)."""
    length = 8 + len(payload)
    if ":" in src:
        pseudo = addr(src) + addr(dst) + struct.pack("!IxxxB", length, 17)
    else:
        pseudo = addr(src) + addr(dst) + struct.pack("!xBH", 17, length)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    c = checksum(pseudo + hdr + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, c) + payload


def ipv4(src, dst, payload, ident, offset=0, more=False, proto=17):
    assert offset % 8 == 0
    ff = (0x2000 if more else 0) | (offset // 8)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, ff, 64, proto, 0,
                      addr(src), addr(dst))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return ether(hdr + payload)


def ipv6(src, dst, payload, nh=17):
    return ether(struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64,
                             addr(src), addr(dst)) + payload, v6=True)


def ipv6_frag(src, dst, payload, ident, offset, more, nh=17):
    assert offset % 8 == 0
    fh = struct.pack("!BBHI", nh, 0, offset | (1 if more else 0), ident)
    return ipv6(src, dst, fh + payload, nh=44)


def pieces(datagram, size):
    """Cut a datagram into (offset, bytes) pieces of `size` bytes (a multiple of 8)."""
    return [(o, datagram[o:o + size]) for o in range(0, len(datagram), size)]


def exchange(qname, qid, rdtype, rdatas):
    """A query (RD, EDNS 4096) and its response holding rdatas."""
    q = dns.message.make_query(qname, rdtype, id=qid, use_edns=0, payload=4096)
    q.flags |= dns.flags.RD
    r = dns.message.make_response(q)
    r.flags |= dns.flags.RA
    rrset = r.find_rrset(r.answer, dns.name.from_text(qname), dns.rdataclass.IN,
                         dns.rdatatype.from_text(rdtype), create=True)
    rrset.update_ttl(300)
    for t in rdatas:
        rrset.add(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), t))
    return q.to_wire(), r.to_wire(want_shuffle=False)  # dnspython shuffles by default


def txt_rdatas(tag, n=20):
    return ['"%s record %02d %s"' % (tag, i, "x" * (120 + i)) for i in range(n)]


def a_rdatas(n=185):
    return ["198.51.%d.%d" % (100 + i // 250, 1 + i % 250) for i in range(n)]


def aaaa_rdatas(n=100):
    return ["2001:db8:%x::%x" % (0xa000 + i, i + 1) for i in range(n)]


def send_v4(cap, ts, src, dst, sport, dport, ident, msg, frags=None, order=None, size=1480):
    """Send msg in UDP over IPv4, whole or in fragments; return the time after."""
    dgram = udp(src, dst, sport, dport, msg)
    if frags is None and len(dgram) + 20 <= 1500:
        cap.frame(ts, ipv4(src, dst, dgram, ident))
        return ts + 0.0001
    ps = frags if frags is not None else pieces(dgram, size)
    for i in (order if order is not None else range(len(ps))):
        off, data = ps[i]
        cap.frame(ts, ipv4(src, dst, data, ident, off, off + len(data) < len(dgram)))
        ts += 0.0001
    return ts


def case_inorder(cap):
    q, r = exchange("big.example.com", 0x1001, "TXT", txt_rdatas("inorder"))
    ts = send_v4(cap, T0 + 1.0, CLIENT4, SERVER4, 40001, 53, 0x0101, q)
    send_v4(cap, ts + 0.012, SERVER4, CLIENT4, 53, 40001, 0x2101, r)


def case_reverse(cap):
    q, r = exchange("many.example.com", 0x1002, "A", a_rdatas())
    ts = send_v4(cap, T0 + 2.0, CLIENT4, SERVER4, 40002, 53, 0x0102, q)
    n = len(pieces(udp(SERVER4, CLIENT4, 53, 40002, r), 1480))
    send_v4(cap, ts + 0.015, SERVER4, CLIENT4, 53, 40002, 0x2102, r, order=range(n - 1, -1, -1))


def case_dup(cap):
    q, r = exchange("dup.example.com", 0x1003, "TXT", txt_rdatas("dup"))
    ts = send_v4(cap, T0 + 3.0, CLIENT4, SERVER4, 40003, 53, 0x0103, q)
    send_v4(cap, ts + 0.010, SERVER4, CLIENT4, 53, 40003, 0x2103, r, order=[0, 1, 1, 2, 0])


def case_v6(cap):
    q, r = exchange("six.example.com", 0x1004, "AAAA", aaaa_rdatas())
    ts = T0 + 4.0
    cap.frame(ts, ipv6(CLIENT6, SERVER6, udp(CLIENT6, SERVER6, 40004, 53, q)))
    dgram = udp(SERVER6, CLIENT6, 53, 40004, r)
    ps = pieces(dgram, 1232)
    assert len(ps) == 3
    ts += 0.020
    for i in (1, 2, 0):
        off, data = ps[i]
        cap.frame(ts, ipv6_frag(SERVER6, CLIENT6, data, 0x6004, off, off + len(data) < len(dgram)))
        ts += 0.0001


def case_overlap(cap):
    # (a) the second fragment starts 80 bytes early, carrying the same bytes
    q, r = exchange("overlap-same.example.com", 0x1005, "TXT", txt_rdatas("same"))
    ts = send_v4(cap, T0 + 5.0, CLIENT4, SERVER4, 40005, 53, 0x0105, q)
    d = udp(SERVER4, CLIENT4, 53, 40005, r)
    frags = [(0, d[0:1480]), (1400, d[1400:2960]), (2960, d[2960:])]
    send_v4(cap, ts + 0.011, SERVER4, CLIENT4, 53, 40005, 0x2105, r, frags=frags)

    # (b) the second fragment starts 8 bytes early with other bytes there
    # ("OVERLAP!" instead of "xxxxxxxx", inside a TXT string): first-wins and last-wins give two readings that
    # both parse (different text in one record).
    q, r = exchange("overlap-diff.example.com", 0x1006, "TXT", txt_rdatas("diff"))
    ts = send_v4(cap, T0 + 6.0, CLIENT4, SERVER4, 40006, 53, 0x0106, q)
    d = udp(SERVER4, CLIENT4, 53, 40006, r)
    b = next(b for b in range(1480, 1400, -8) if d[b - 8:b] == b"x" * 8)
    frags = [(0, d[0:b]), (b - 8, b"OVERLAP!" + d[b:2960]), (2960, d[2960:])]
    send_v4(cap, ts + 0.011, SERVER4, CLIENT4, 53, 40006, 0x2106, r, frags=frags)


def case_flood(cap):
    _, junk = exchange("flood.example.net", 0, "TXT", txt_rdatas("flood"))
    ts = T0 + 7.0
    for i in range(5000):
        src = "10.%d.%d.%d" % (1 + i // 62500, (i // 250) % 250, 1 + i % 250)
        resp = bytearray(junk)
        resp[0:2] = struct.pack("!H", i)
        d = udp(src, CLIENT4, 53, 20000 + i, bytes(resp))
        cap.frame(ts, ipv4(src, CLIENT4, d[:256], 0x8000 + i, 0, True))
        ts += 0.0001
    q, r = exchange("after-flood.example.com", 0x1007, "TXT", txt_rdatas("good"))
    ts = send_v4(cap, ts + 0.1, CLIENT4, SERVER4, 40007, 53, 0x0107, q)
    send_v4(cap, ts + 0.013, SERVER4, CLIENT4, 53, 40007, 0x2107, r)


CASES = {
    "frag-v4-inorder": case_inorder,
    "frag-v4-reverse": case_reverse,
    "frag-v4-dup": case_dup,
    "frag-v6": case_v6,
    "frag-v4-overlap": case_overlap,
    "frag-flood": case_flood,
}


def main():
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, "tests", "corpus", "gen")
    os.makedirs(outdir, exist_ok=True)
    for name, fn in CASES.items():
        cap = Pcap(os.path.join(outdir, name + ".pcap"))
        fn(cap)
        cap.close()
        print(name + ".pcap")


if __name__ == "__main__":
    main()
