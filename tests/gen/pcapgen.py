"""Small helpers for the capture generators: a pcap writer, Ethernet/IPv4/IPv6
with UDP or TCP, and the ground-truth reference lines (the format of
tests/tools/oracle.py) for the DNS messages a generator puts on the wire.

The generators know what they sent, so their reference is ground truth; for
the cases tshark can reassemble, gen_*.py --check also holds it against
oracle.py's independent decode."""
import json
import struct

import dns.flags
import dns.name
import dns.rdata
import dns.message
import dns.opcode
import dns.rdataclass
import dns.rdatatype


class Pcap:
    """Classic microsecond pcap, Ethernet link type."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))

    def frame(self, ts, data):
        sec = int(ts)
        usec = int(round((ts - sec) * 1e6))
        self.f.write(struct.pack("<IIII", sec, usec, len(data), len(data)) + data)

    def close(self):
        self.f.close()


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ether(payload, ethertype=0x0800):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + struct.pack("!H", ethertype) + payload


def ipv4(src, dst, proto, payload, ident=0, flags_frag=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags_frag, 64,
                      proto, 0, ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + payload


TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def tcp(sport, dport, seq, ack, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                       5 << 4, flags, 65535, 0, 0) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp_frame(src, sport, dst, dport, seq, ack, flags, payload=b""):
    return ether(ipv4(src, dst, 6, tcp(sport, dport, seq, ack, flags, payload)))


def framed(wire):
    """A DNS message as sent over TCP: 2-byte length prefix."""
    return struct.pack("!H", len(wire)) + wire


def ref_line(ts, src, sport, dst, dport, proto, msg):
    """One line of the reference, as oracle.py writes it, for a message we sent."""
    def rrs(section):
        out = []
        for rrset in section:
            for rd in rrset:
                out.append([rrset.name.to_text(omit_final_dot=True).lower() or ".",
                            dns.rdatatype.to_text(rrset.rdtype), rrset.ttl, rd.to_text()])
        return out
    q = msg.question[0] if msg.question else None
    return json.dumps(dict(
        ts=ts, src=src, sport=sport, dst=dst, dport=dport, proto=proto, stack="generated",
        id=msg.id, qr=bool(msg.flags & dns.flags.QR), opcode=dns.opcode.to_text(msg.opcode()),
        rcode=msg.rcode(), flags=dns.flags.to_text(msg.flags),
        qname=q.name.to_text(omit_final_dot=True).lower() or "." if q is not None else None,
        qtype=dns.rdatatype.to_text(q.rdtype) if q is not None else None,
        qclass=dns.rdataclass.to_text(q.rdclass) if q is not None else None,
        answers=rrs(msg.answer), authority=rrs(msg.authority), additional=rrs(msg.additional),
        edns=msg.edns, length=len(msg.to_wire())))


def query_and_response(qname, qid, answers, rdtype="A"):
    """A query and its response with the given answer rdata texts."""
    q = dns.message.make_query(qname, rdtype, id=qid)
    q.flags |= dns.flags.RD
    r = dns.message.make_response(q)
    r.flags |= dns.flags.RA
    if answers:
        rrset = r.find_rrset(r.answer, dns.name.from_text(qname), dns.rdataclass.IN,
                             dns.rdatatype.from_text(rdtype), create=True)
        rrset.update_ttl(300)
        for a in answers:
            rrset.add(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), a))
    return q, r


def wire(msg):
    """The message's bytes, the same on every run (dnspython shuffles RRsets by default)."""
    return msg.to_wire(want_shuffle=False)
