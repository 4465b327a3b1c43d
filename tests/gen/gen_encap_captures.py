#!/usr/bin/python3
"""Write the encapsulation and link-type captures: real DNS from the corpus, wrapped.

usage: gen_encap_captures.py [--refs] [--check] [OUTDIR]   (default tests/corpus/gen/encap)

Takes real DNS traffic from tests/corpus/pcaps (three Ethernet captures, the
"bases" below), strips the Ethernet header where the wrapping carries IP, and
wraps the same packets, byte for byte and with their timestamps, in every
tunnel, encapsulation and link type pdnslog decodes.  Outer headers are built
with scapy (Debian python3-scapy 2.5), link-type headers by hand; everything
is deterministic: the same bytes on every run.  Written into OUTDIR:

  base-v4.pcap, base-v6.pcap, base-tcp.pcap   the unwrapped packets used
  base-collide-a.pcap, base-collide-b.pcap    the two copies of the exchange
                                              the collision cases carry
  NAME.pcap                                   each wrapped capture
  NAME.encap.json                             the `encap` array pdnslog's
        -format json must give each message's record, keyed "src|sport|dst|dport|id"
        (the message's own addresses and ports); for a key several messages
        share (the collision cases only) {"by_answer": {RDATA: ENCAP}}: the
        encap of the tunnel whose response's first answer is RDATA
  index.tsv                                   name, bases, where the reference
                                              comes from, what the wrapping is

--refs also writes NAME.pcap.jsonl, the independent oracle's reference
(tests/tools/oracle.py: tshark + dnspython); where tshark does not decode a
wrapping by default (VXLAN on UDP 8472) the reference is the oracle's decode
of the bases instead.

--check (needs tshark) holds the oracle's decode of every wrapped capture
against its decode of the bases: the same messages (addresses, ports, ID,
question, flags, rcode, every section, length, timestamp), as multisets.
For VXLAN on 8472, which tshark does not decode by default, it runs the
same oracle with a decode-as (udp.port==8472 as VXLAN) and says so.
"""
import collections
import ipaddress
import json
import os
import struct
import subprocess
import sys
import zlib

import dns.message
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from scapy.config import conf
conf.verb = 0
from scapy.packet import Raw
from scapy.layers.inet import IP, UDP, GRE
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether, Dot1Q, GRE_PPTP
from scapy.layers.ppp import PPPoE
from scapy.layers.vxlan import VXLAN
from scapy.contrib.geneve import GENEVE, GeneveOptions
from scapy.contrib.gtp import GTP_U_Header
from scapy.contrib.mpls import MPLS
from scapy.contrib.erspan import ERSPAN_II, ERSPAN_III

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(TOP, "tests", "corpus", "pcaps")
ORACLE = os.path.join(TOP, "tests", "tools", "oracle.py")

# The real traffic: capture, 1-based frame numbers (None: all)
BASES = {
    # A/AAAA with CNAME chains, a NODATA answer whose query is not in the
    # capture (a response-only record) and an unanswered query
    "v4": ("go-dnscollector__dnsdump_udp.pcap", [1, 3, 4, 5, 14, 15, 16, 17]),
    # IPv6 (2000-era 6bone): AAAA with two answers, AAAA through a CNAME
    "v6": ("arkime__v6.pcap", [14, 15, 114, 115]),
    # one UDP exchange, then a whole TCP connection (handshake, query,
    # response, FIN) in 10 segments
    "tcp": ("go-dnscollector__dnsdump_udp+tcp.pcap", None),
}

# Tunnel endpoints: A is on the client's side, B on the server's.
A4, B4 = "203.0.113.1", "203.0.113.2"
A6, B6 = "2001:db8:e::1", "2001:db8:e::2"
SWITCH4, COLLECTOR4 = "203.0.113.10", "203.0.113.20"   # ERSPAN: both ways from the switch
SWITCH6, COLLECTOR6 = "2001:db8:e::10", "2001:db8:e::20"
MAC_A, MAC_B = "02:00:00:00:0e:01", "02:00:00:00:0e:02"

DLT_EN10MB, DLT_PPP, DLT_PPP_SERIAL, DLT_CHDLC, DLT_IEEE802_11 = 1, 9, 50, 104, 105
DLT_LOOP, DLT_ENC, DLT_PFLOG, DLT_RADIOTAP, DLT_PPI, DLT_ERF = 108, 109, 117, 127, 192, 197
DLT_IPNET, DLT_NFLOG = 226, 239


# ---------------------------------------------------------------- pcap files

def read_pcap(path):
    """Records of a classic little-endian microsecond pcap: [(sec, usec, data)]."""
    with open(path, "rb") as f:
        data = f.read()
    magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", data[:24])
    assert magic == 0xA1B2C3D4 and linktype == DLT_EN10MB, path
    out, off = [], 24
    while off < len(data):
        sec, usec, incl, _orig = struct.unpack("<IIII", data[off:off + 16])
        out.append((sec, usec, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out


def write_pcap(path, linktype, records, big_endian=False):
    e = ">" if big_endian else "<"
    with open(path, "wb") as f:
        f.write(struct.pack(e + "IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for sec, usec, data in records:
            f.write(struct.pack(e + "IIII", sec, usec, len(data), len(data)) + data)


# ---------------------------------------------------------------- the inner packets

def ntop(b):
    return str(ipaddress.ip_address(b))


class Pkt:
    """One frame of a base capture and what we need to know about it."""

    def __init__(self, sec, usec, frame):
        self.sec, self.usec, self.frame = sec, usec, frame
        self.dst_mac, self.src_mac = frame[0:6], frame[6:12]
        self.ethertype = struct.unpack("!H", frame[12:14])[0]
        l3 = frame[14:]
        if self.ethertype == 0x0800:
            self.v6 = False
            ihl = (l3[0] & 15) * 4
            total = struct.unpack("!H", l3[2:4])[0]
            self.ip = l3[:total]
            self.proto = l3[9]
            self.src, self.dst = ntop(l3[12:16]), ntop(l3[16:20])
            l4 = self.ip[ihl:]
        elif self.ethertype == 0x86DD:
            self.v6 = True
            self.ip = l3[:40 + struct.unpack("!H", l3[4:6])[0]]
            self.proto = l3[6]
            self.src, self.dst = ntop(l3[8:24]), ntop(l3[24:40])
            l4 = self.ip[40:]
        else:
            raise ValueError("base frames are plain Ethernet IPv4/IPv6")
        assert self.proto in (6, 17), "base packets are UDP or TCP without extension headers"
        self.sport, self.dport = struct.unpack("!HH", l4[:4])
        if self.proto == 17:
            self.payload = l4[8:]
        else:
            self.payload = l4[(l4[12] >> 4) * 4:]
        # client to server (the query's way) or back
        self.up = self.dport == 53

    def messages(self):
        """(src, sport, dst, dport, id) of each DNS message starting in this packet."""
        p = self.payload
        if self.proto == 17:
            return [(self.src, self.sport, self.dst, self.dport, struct.unpack("!H", p[:2])[0])] if p else []
        out, off = [], 0  # TCP: the base's segments each hold whole framed messages
        while off + 4 <= len(p):
            n = struct.unpack("!H", p[off:off + 2])[0]
            out.append((self.src, self.sport, self.dst, self.dport, struct.unpack("!H", p[off + 2:off + 4])[0]))
            off += 2 + n
        assert off == len(p), "a TCP segment of the base does not end on a message boundary"
        return out


def load_base(name):
    path, frames = BASES[name]
    recs = read_pcap(os.path.join(CORPUS, path))
    if frames is not None:
        recs = [recs[i - 1] for i in frames]
    return [Pkt(*r) for r in recs]


def rebuild_ip(p, new_payload):
    """p's IP packet with another UDP payload: lengths and checksums recomputed."""
    if p.v6:
        pkt = IPv6(p.ip)
        del pkt[UDP].len, pkt[UDP].chksum, pkt[IPv6].plen
    else:
        pkt = IP(p.ip)
        del pkt[UDP].len, pkt[UDP].chksum, pkt[IP].len, pkt[IP].chksum
    pkt[UDP].remove_payload()
    pkt[UDP].add_payload(Raw(new_payload))
    return bytes(pkt)


def collision_bases():
    """The A exchange for qa.sockets.stackexchange.com (base-v4's first two
    packets) and a copy whose answer is rewritten (dnspython): same 5-tuple,
    ID and question, other rdata, other timestamps."""
    q, r = load_base("v4")[0:2]
    assert q.up and not r.up and q.payload[:2] == r.payload[:2]
    m = dns.message.from_wire(r.payload)
    rrset = m.answer[0]
    assert rrset.rdtype == dns.rdatatype.A and len(rrset) == 1
    old = rrset[0].address
    new = old.rsplit(".", 1)[0] + "." + str(int(old.rsplit(".", 1)[1]) + 1)
    rrset.clear()
    rrset.add(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.A, new))
    r2_ip = rebuild_ip(r, m.to_wire(want_shuffle=False))

    def shifted(p, usec_later, ip=None):
        t = p.sec * 1000000 + p.usec + usec_later
        eth = p.frame[:14] + (ip if ip is not None else p.ip)
        return Pkt(t // 1000000, t % 1000000, eth)
    a = [q, r]
    b = [shifted(q, 1000), shifted(r, 5000 - (r.sec * 1000000 + r.usec - q.sec * 1000000 - q.usec), r2_ip)]
    return a, b


# ---------------------------------------------------------------- wrappers

def tag(frame, *tags):
    """Insert VLAN tags (tpid, vid) after the MAC addresses, outer first."""
    hdr = b"".join(struct.pack("!HH", tpid, vid) for tpid, vid in tags)
    return frame[:12] + hdr + frame[12:]


def outer_ip(v6, src, dst, proto, payload, ident):
    if v6:
        return IPv6(src=src, dst=dst, nh=proto, hlim=64) / payload
    return IP(src=src, dst=dst, proto=proto, id=ident, flags="DF", ttl=64) / payload


def outer_eth(p, ip_pkt, vlan=None):
    """Ethernet (and an optional 802.1Q tag) around an outer IP packet, MACs by direction."""
    src, dst = (MAC_A, MAC_B) if p.up else (MAC_B, MAC_A)
    ip_bytes = bytes(ip_pkt)
    et = 0x86DD if ip_bytes[0] >> 4 == 6 else 0x0800
    if vlan is None:
        return bytes(Ether(src=src, dst=dst, type=et) / Raw(ip_bytes))
    return bytes(Ether(src=src, dst=dst, type=0x8100) / Dot1Q(vlan=vlan, type=et) / Raw(ip_bytes))


def flow_port(p):
    """A source port from the inner flow, the same both ways (as VXLAN/Geneve/GRE-UDP senders hash)."""
    a = sorted([(p.src, p.sport), (p.dst, p.dport)])
    return 49152 + zlib.crc32(repr(a).encode()) % 16384


def ends(p, v6):
    """Outer (src, dst) by direction."""
    a, b = (A6, B6) if v6 else (A4, B4)
    return (a, b) if p.up else (b, a)


def layer(kind, src=None, dst=None, **kw):
    """One object of the expected encap array, keys in pdnslog's order."""
    d = {"type": kind}
    for k in ("id", "label", "session", "call_id", "version", "vni", "teid", "key"):
        if k in kw and kw[k] is not None:
            d[k] = kw[k]
    if kind == "erspan" and "session" in d:   # order: type, version, session, src, dst
        d = {"type": kind, "version": d["version"], "session": d["session"]}
    if src is not None:
        d["src"], d["dst"] = src, dst
    return d


class Case:
    def __init__(self, name, bases, what, linktype=DLT_EN10MB, oracle="default", big_endian=False):
        self.name, self.bases, self.what = name, bases, what
        self.linktype, self.oracle, self.big_endian = linktype, oracle, big_endian
        self.records = []          # (sec, usec, bytes)
        self.encaps = []           # (message key, encap, answer or None)
        self.ident = 0x1000        # outer IPv4 IDs

    def next_id(self):
        self.ident += 1
        return self.ident

    def add(self, p, data, encap, answer=None):
        """One wrapped frame (or several, for fragments) carrying base packet p."""
        for d in (data if isinstance(data, list) else [data]):
            self.records.append((p.sec, p.usec, d))
        for key in p.messages():
            self.encaps.append((key, encap, answer))


# Each builder: (case, packets) -> fills the case.

def l2_vlan(c, pkts):
    for p in pkts:
        c.add(p, tag(p.frame, (0x8100, 100)), [layer("vlan", id=100)])


def l2_qinq(c, pkts):
    for p in pkts:
        c.add(p, tag(p.frame, (0x88A8, 1000), (0x8100, 200)), [layer("vlan", id=1000), layer("vlan", id=200)])


def l2_pppoe(c, pkts):
    for p in pkts:
        proto = 0x0057 if p.v6 else 0x0021
        f = (Ether(dst=p.dst_mac, src=p.src_mac, type=0x8100) / Dot1Q(vlan=300, type=0x8100) /
             Dot1Q(vlan=301, type=0x8864) / PPPoE(version=1, type=1, code=0, sessionid=0x1234) /
             Raw(struct.pack("!H", proto) + p.ip))
        c.add(p, bytes(f), [layer("vlan", id=300), layer("vlan", id=301), layer("pppoe", session=0x1234)])


def l2_mpls(c, pkts):
    for p in pkts:
        f = (Ether(dst=p.dst_mac, src=p.src_mac, type=0x8100) / Dot1Q(vlan=10, type=0x8847) /
             MPLS(label=1000, cos=0, s=0, ttl=64) / MPLS(label=2000, cos=0, s=1, ttl=64) / Raw(p.ip))
        c.add(p, bytes(f), [layer("vlan", id=10), layer("mpls", label=1000), layer("mpls", label=2000)])


def gre_ip(vlan=None):
    def build(c, pkts):
        seq = {True: 0, False: 0}
        for p in pkts:
            src, dst = ends(p, p.v6)
            seq[p.up] += 1
            g = GRE(key_present=1, seqnum_present=1, key=1001, sequence_number=seq[p.up],
                    proto=0x86DD if p.v6 else 0x0800) / Raw(p.ip)
            enc = [layer("gre", src, dst, key=1001)]
            if vlan is not None:
                enc = [layer("vlan", id=vlan)] + enc
            c.add(p, outer_eth(p, outer_ip(p.v6, src, dst, 47, g, c.next_id()), vlan), enc)
    return build


def gre_eth(inner_vlan=None):
    def build(c, pkts):
        for p in pkts:
            src, dst = ends(p, p.v6)
            frame = p.frame if inner_vlan is None else tag(p.frame, (0x8100, inner_vlan))
            g = GRE(proto=0x6558) / Raw(frame)
            enc = [layer("gre", src, dst)]
            if inner_vlan is not None:
                enc.append(layer("vlan", id=inner_vlan))
            c.add(p, outer_eth(p, outer_ip(p.v6, src, dst, 47, g, c.next_id())), enc)
    return build


def pptp(c, pkts):
    """Enhanced GRE (RFC 2637): each side sends with the peer's call ID; the
    server's packets piggyback an ack of the client's last sequence number."""
    call = {True: 0x4a01, False: 0x0c02}     # to the server (PNS), to the client (PAC)
    seq = {True: 0, False: 0}
    for p in pkts:
        src, dst = A4, B4
        if not p.up:
            src, dst = dst, src
        seq[p.up] += 1
        ppp = b"\xff\x03" + struct.pack("!H", 0x0057 if p.v6 else 0x0021) + p.ip
        g = GRE_PPTP(seqnum_present=1, acknum_present=0 if p.up else 1, payload_len=len(ppp),
                     call_id=call[p.up], sequence_number=seq[p.up],
                     ack_number=None if p.up else seq[True]) / Raw(ppp)
        c.add(p, outer_eth(p, outer_ip(False, src, dst, 47, g, c.next_id())),
              [layer("pptp", src, dst, call_id=call[p.up])])


def erspan(version):
    def build(c, pkts):
        seq = 0
        for p in pkts:
            src, dst = (SWITCH6, COLLECTOR6) if p.v6 else (SWITCH4, COLLECTOR4)
            seq += 1
            if version == 1:
                g = GRE(proto=0x88BE) / Raw(p.frame)
                enc = [layer("erspan", src, dst, version=1)]
            elif version == 2:
                g = (GRE(seqnum_present=1, sequence_number=seq, proto=0x88BE) /
                     ERSPAN_II(ver=1, vlan=0, cos=0, en=0, t=0, session_id=42, index=7) / Raw(p.frame))
                enc = [layer("erspan", src, dst, version=2, session=42)]
            else:
                g = (GRE(seqnum_present=1, sequence_number=seq, proto=0x22EB) /
                     ERSPAN_III(ver=2, vlan=0, cos=0, bso=0, t=0, session_id=513,
                                timestamp=(p.sec * 10000 + p.usec // 100) & 0xFFFFFFFF,
                                sgt_other=0, p=1, ft=0, hw=5, d=0 if p.up else 1, gra=0, o=0) /
                     Raw(p.frame))
                enc = [layer("erspan", src, dst, version=3, session=513)]
            ip = outer_ip(p.v6, src, dst, 47, g, c.next_id())
            f = bytes(Ether(src=MAC_A, dst=MAC_B, type=0x86DD if p.v6 else 0x0800) / Raw(bytes(ip)))
            c.add(p, f, enc)
    return build


def vxlan(port=4789, v6_outer=None, vnis=None):
    """VXLAN; vnis: for the collision case, which VNI each packet goes in."""
    def build(c, pkts):
        for i, p in enumerate(pkts):
            v6 = p.v6 if v6_outer is None else v6_outer
            src, dst = ends(p, v6)
            vni = 5001 if vnis is None else vnis[i]
            u = UDP(sport=flow_port(p), dport=port) / VXLAN(flags=0x08, vni=vni) / Raw(p.frame)
            c.add(p, outer_eth(p, outer_ip(v6, src, dst, 17, u, c.next_id())),
                  [layer("vxlan", src, dst, vni=vni)], getattr(p, "answer", None))
    return build


def vxlan_fragmented(c, pkts):
    """VXLAN whose outer IPv4 datagram is split in two fragments (the first
    holds the UDP and VXLAN headers and 56 bytes of the frame)."""
    for p in pkts:
        src, dst = ends(p, False)
        u = UDP(sport=flow_port(p), dport=4789) / VXLAN(flags=0x08, vni=5001) / Raw(p.frame)
        whole = bytes(IP(src=src, dst=dst, proto=17, id=c.next_id(), flags=0, ttl=64) / u)
        hdr, data = IP(whole), whole[20:]
        cut = 72
        frags = []
        for off, piece, more in ((0, data[:cut], True), (cut, data[cut:], False)):
            fr = IP(src=src, dst=dst, proto=17, id=hdr.id, ttl=64, flags="MF" if more else 0,
                    frag=off // 8) / Raw(piece)
            frags.append(outer_eth(p, fr))
        c.add(p, frags, [layer("vxlan", src, dst, vni=5001)])


def geneve(eth, option):
    def build(c, pkts):
        for p in pkts:
            src, dst = ends(p, p.v6)
            opts = [GeneveOptions(classid=0x0102, type=0x01, length=1, data=b"\x00\x00\x00\x2a")] if option else []
            if eth:
                body, proto = p.frame, 0x6558
            else:
                body, proto = p.ip, 0x86DD if p.v6 else 0x0800
            gen = GENEVE(version=0, optionlen=len(opts) * 2, oam=0, critical=0, proto=proto, vni=7001,
                         options=opts) / Raw(body)
            u = UDP(sport=flow_port(p), dport=6081) / gen
            c.add(p, outer_eth(p, outer_ip(p.v6, src, dst, 17, u, c.next_id())),
                  [layer("geneve", src, dst, vni=7001)])
    return build


def gtpu(seqflag, pairs=None):
    """GTP-U G-PDUs: TEID 0x1001 on the way to the server, 0x2002 back.
    pairs: for the collision case, the outer endpoints of each packet."""
    teid = {True: 0x1001, False: 0x2002}

    def build(c, pkts):
        seq = 0
        for i, p in enumerate(pkts):
            if pairs is None:
                src, dst = ends(p, p.v6)
            else:
                a, b = pairs[i]
                src, dst = (a, b) if p.up else (b, a)
            seq += 1
            if seqflag:
                g = GTP_U_Header(version=1, PT=1, E=0, S=1, PN=0, gtp_type=255, teid=teid[p.up],
                                 seq=seq, npdu=0, next_ex=0) / Raw(p.ip)
            else:
                g = GTP_U_Header(version=1, PT=1, E=0, S=0, PN=0, gtp_type=255, teid=teid[p.up]) / Raw(p.ip)
            u = UDP(sport=2152, dport=2152) / g
            v6 = ":" in src
            c.add(p, outer_eth(p, outer_ip(v6, src, dst, 17, u, c.next_id())),
                  [layer("gtpu", src, dst, teid=teid[p.up])], getattr(p, "answer", None))
    return build


def gre_udp(key):
    def build(c, pkts):
        for p in pkts:
            src, dst = ends(p, p.v6)
            if key is None:
                g = GRE(proto=0x86DD if p.v6 else 0x0800) / Raw(p.ip)
            else:
                g = GRE(key_present=1, key=key, proto=0x86DD if p.v6 else 0x0800) / Raw(p.ip)
            u = UDP(sport=flow_port(p), dport=4754) / g
            c.add(p, outer_eth(p, outer_ip(p.v6, src, dst, 17, u, c.next_id())),
                  [layer("gre_udp", src, dst, key=key)])
    return build


def ipip(outer_v6):
    def build(c, pkts):
        for p in pkts:
            src, dst = ends(p, outer_v6)
            ip = outer_ip(outer_v6, src, dst, 41 if p.v6 else 4, Raw(p.ip), c.next_id())
            c.add(p, outer_eth(p, ip), [layer("ip", src, dst)])
    return build


# ---------------------------------------------------------------- link types (hand-built)

def nflog(c, pkts):
    """Linux NFLOG: nflog header, then TLVs (length and type little-endian as
    Linux on x86 writes them, each padded to 4 bytes; the length excludes the padding)."""
    def tlv(t, v):
        b = struct.pack("<HH", 4 + len(v), t) + v
        return b + b"\0" * (-len(b) % 4)
    for p in pkts:
        fam = 10 if p.v6 else 2
        hdr = struct.pack("!BBH", fam, 0, 5)
        body = (tlv(1, struct.pack("!HBB", 0x86DD if p.v6 else 0x0800, 3 if p.up else 1, 0)) +  # PACKET_HDR
                tlv(10, b"dnslog: \0") +                                                         # PREFIX
                tlv(5 if p.up else 4, struct.pack("!I", 2)) +                                    # IFINDEX OUT/IN
                tlv(3, struct.pack("!QQ", p.sec, p.usec)) +                                      # TIMESTAMP
                tlv(9, p.ip))                                                                    # PAYLOAD
        c.add(p, hdr + body, [])


def ppp_link(c, pkts):
    """PPP (9) and PPP in HDLC-like framing (50) alike: FF 03, then the protocol."""
    for p in pkts:
        c.add(p, b"\xff\x03" + struct.pack("!H", 0x0057 if p.v6 else 0x0021) + p.ip, [])


def chdlc(c, pkts):
    for p in pkts:
        c.add(p, struct.pack("!BBH", 0x0F, 0, 0x86DD if p.v6 else 0x0800) + p.ip, [])


def pflog(c, pkts):
    """OpenBSD pflog.  IPv4 packets: the pre-4.8 header (length byte 61, the
    header padded to BPF_WORDALIGN(61) = 64 bytes); IPv6 packets: today's
    header (rewritten, naf, saddr, daddr, sport, dport: length 100).  The
    payload starts at the length rounded up to 4 (libpcap, tcpdump, Wireshark)."""
    for p in pkts:
        af = 24 if p.v6 else 2
        ifname = b"em0".ljust(16, b"\0")
        ruleset = b"".ljust(16, b"\0")
        common = struct.pack("!BBBB", 0, af, 0, 0) + ifname + ruleset + struct.pack(
            "!IIIiIiB", 3, 0xFFFFFFFF, 0, 0, 0, 0, 1 if p.up else 2)
        assert len(common) == 61
        if not p.v6:
            hdr = common + b"\0\0\0"
            hdr = bytes([61]) + hdr[1:]
        else:
            sa = ipaddress.ip_address(p.src).packed
            da = ipaddress.ip_address(p.dst).packed
            hdr = common + struct.pack("!BBB", 0, af, 0) + sa + da + struct.pack("!HH", p.sport, p.dport)
            assert len(hdr) == 100
            hdr = bytes([100]) + hdr[1:]
        c.add(p, hdr + p.ip, [])


def ipnet(c, pkts):
    """Solaris ipnet: 24-byte header, big-endian."""
    for p in pkts:
        hdr = struct.pack("!BBHIIIII", 1, 26 if p.v6 else 2, 1 if p.up else 0, len(p.ip), 2, 0, 0, 0)
        c.add(p, hdr + p.ip, [])


def loop(c, pkts):
    """OpenBSD DLT_LOOP: the address family in network byte order (AF_INET6 is 24)."""
    for p in pkts:
        c.add(p, struct.pack("!I", 24 if p.v6 else 2) + p.ip, [])


def enc(big_endian):
    """OpenBSD enc(4): af (host order of the capturing machine), spi (network
    order), flags (host order).  The pcap file is written in that host's order."""
    e = ">" if big_endian else "<"

    def build(c, pkts):
        for p in pkts:
            hdr = struct.pack(e + "I", 24 if p.v6 else 2) + struct.pack("!I", 0x1000 + (0 if p.up else 1)) + \
                struct.pack(e + "I", 0x0400 | 0x0800)
            c.add(p, hdr + p.ip, [])
    return build


def dot11(p, qos=False, four=False):
    """An 802.11 data frame (no FCS) carrying p's IP packet in LLC/SNAP."""
    bssid = bytes.fromhex("020000000a01")
    sa, da = p.src_mac, p.dst_mac
    if four:
        flags, addrs = 0x03, [bytes.fromhex("020000000a02"), bssid, da, sa]  # RA, TA, DA, SA
    elif p.up:
        flags, addrs = 0x01, [bssid, sa, da]        # ToDS: BSSID, SA, DA
    else:
        flags, addrs = 0x02, [da, bssid, sa]        # FromDS: DA, BSSID, SA
    fc0 = 0x88 if qos else 0x08
    hdr = struct.pack("<BBH", fc0, flags, 44) + b"".join(addrs[:3]) + struct.pack("<H", 0x0100)
    if four:
        hdr += addrs[3]
    if qos:
        hdr += struct.pack("<H", 0x0000)
    llc = b"\xaa\xaa\x03\x00\x00\x00" + struct.pack("!H", 0x86DD if p.v6 else 0x0800)
    return hdr + llc + p.ip


def wifi(qos=False, four=False):
    def build(c, pkts):
        for p in pkts:
            c.add(p, dot11(p, qos, four), [])
    return build


def radiotap(fcs):
    """Radiotap: TSFT, Flags, Rate, Channel, dBm antenna signal, antenna (24
    bytes); with fcs, Flags says FCS at end and the CRC-32 follows the frame."""
    def build(c, pkts):
        for p in pkts:
            frame = dot11(p, qos=fcs)
            present = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 11)
            flags = 0x10 if fcs else 0x00
            rt = struct.pack("<BBHI", 0, 0, 24, present) + struct.pack(
                "<QBBHHbB", p.sec * 1000000 + p.usec, flags, 108, 5180, 0x0140, -52, 1)
            assert len(rt) == 24
            if fcs:
                frame += struct.pack("<I", zlib.crc32(frame) & 0xFFFFFFFF)
            c.add(p, rt + frame, [])
    return build


def ppi(c, pkts):
    """PPI: 8-byte header (dlt 105) and an 802.11-Common field."""
    for p in pkts:
        common = struct.pack("<QHHHHBBbb", p.sec * 1000000 + p.usec, 0, 108, 2437, 0x00A0, 0, 0, -60, -95)
        fields = struct.pack("<HH", 2, len(common)) + common
        hdr = struct.pack("<BBHI", 0, 0, 8 + len(fields), DLT_IEEE802_11) + fields
        c.add(p, hdr + dot11(p), [])


def erf(c, pkts):
    """ERF records of type ETH (2): 16-byte header (little-endian 64-bit
    fixed-point time; type, flags, then big-endian rlen, lctr, wlen), the
    2-byte Ethernet pad (offset, pad), the frame and its FCS (Wireshark takes
    ERF Ethernet as carrying one).  IPv6 packets also carry one extension
    header (Host ID, type 17): the type byte's top bit says one follows."""
    for p in pkts:
        frame = p.frame + struct.pack("<I", zlib.crc32(p.frame) & 0xFFFFFFFF)
        ts = (p.sec << 32) + (p.usec << 32) // 1000000
        ext = b""
        rtype = 2
        if p.v6:
            rtype |= 0x80
            ext = bytes([17, 1]) + bytes.fromhex("00005e0053aa")
        rlen = 16 + len(ext) + 2 + len(frame)
        hdr = struct.pack("<Q", ts) + struct.pack("!BBHHH", rtype, 0x04, rlen, 0, len(frame))
        c.add(p, hdr + ext + b"\x00\x00" + frame, [])


# ---------------------------------------------------------------- the cases

def cases():
    out = []

    def case(name, bases, what, build, **kw):
        out.append((Case(name, bases, what, **kw), build))

    case("vlan-v4", ["v4"], "802.1Q tag 100", l2_vlan)
    case("qinq-v6", ["v6"], "802.1ad 0x88A8 tag 1000, then 802.1Q tag 200", l2_qinq)
    case("pppoe-v4", ["v4"], "two 802.1Q tags (300, 301), PPPoE session 0x1234, PPP 0x0021", l2_pppoe)
    case("pppoe-v6", ["v6"], "two 802.1Q tags (300, 301), PPPoE session 0x1234, PPP 0x0057", l2_pppoe)
    case("mpls-v4", ["v4"], "802.1Q tag 10, MPLS labels 1000, 2000 (bottom), IPv4", l2_mpls)
    case("mpls-v6", ["v6"], "802.1Q tag 10, MPLS labels 1000, 2000 (bottom), IPv6", l2_mpls)
    case("gre-v4", ["v4"], "IPv4, GRE with key 1001 and sequence numbers, IPv4", gre_ip())
    case("gre-v6", ["v6"], "IPv6, GRE with key 1001 and sequence numbers, IPv6", gre_ip())
    case("gre-tcp", ["tcp"], "IPv4, GRE with key 1001 and sequence numbers, IPv4 (UDP and TCP DNS)", gre_ip())
    case("gre-vlan-v4", ["v4"], "802.1Q tag 20, IPv4, GRE key 1001, IPv4", gre_ip(vlan=20))
    case("gre-eth-v4", ["v4"], "IPv4, GRE 0x6558 (no key), Ethernet with 802.1Q tag 30, IPv4",
         gre_eth(inner_vlan=30))
    case("gre-eth-v6", ["v6"], "IPv6, GRE 0x6558 (no key), Ethernet, IPv6", gre_eth())
    case("pptp-v4", ["v4"], "IPv4, PPTP enhanced GRE v1 (call IDs 0x4a01 up, 0x0c02 down, sequence "
         "and ack numbers), PPP FF03 0x0021, IPv4", pptp)
    case("pptp-v6", ["v6"], "IPv4, PPTP enhanced GRE v1, PPP FF03 0x0057, IPv6", pptp)
    case("erspan1-v4", ["v4"], "IPv4, GRE 0x88BE without sequence number (ERSPAN type I), Ethernet", erspan(1))
    case("erspan1-v6", ["v6"], "IPv6, ERSPAN type I, Ethernet", erspan(1))
    case("erspan2-v4", ["v4"], "IPv4, GRE 0x88BE with sequence, ERSPAN II header session 42, Ethernet", erspan(2))
    case("erspan2-v6", ["v6"], "IPv6, ERSPAN type II session 42, Ethernet", erspan(2))
    case("erspan3-v4", ["v4"], "IPv4, GRE 0x22EB with sequence, ERSPAN III header session 513, Ethernet",
         erspan(3))
    case("erspan3-v6", ["v6"], "IPv6, ERSPAN type III session 513, Ethernet", erspan(3))
    case("vxlan-v4", ["v4"], "IPv4, UDP 4789, VXLAN VNI 5001, Ethernet", vxlan())
    case("vxlan-v6", ["v6"], "IPv6, UDP 4789, VXLAN VNI 5001, Ethernet", vxlan())
    case("vxlan-tcp", ["tcp"], "IPv4, UDP 4789, VXLAN VNI 5001, Ethernet (UDP and TCP DNS)", vxlan())
    case("vxlan-8472-v4", ["v4"], "IPv4, UDP 8472 (Linux's VXLAN port), VXLAN VNI 5001, Ethernet",
         vxlan(port=8472), oracle="base")
    case("vxlan-outerfrag-v4", ["v4"], "IPv4 in two fragments, UDP 4789, VXLAN VNI 5001, Ethernet",
         vxlan_fragmented)
    case("geneve-eth-v4", ["v4"], "IPv4, UDP 6081, Geneve VNI 7001 with one option, 0x6558 Ethernet",
         geneve(eth=True, option=True))
    case("geneve-eth-v6", ["v6"], "IPv6, UDP 6081, Geneve VNI 7001 with one option, 0x6558 Ethernet",
         geneve(eth=True, option=True))
    case("geneve-ip-v4", ["v4"], "IPv4, UDP 6081, Geneve VNI 7001 without options, 0x0800 IPv4",
         geneve(eth=False, option=False))
    case("gtpu-v4", ["v4"], "IPv4, UDP 2152, GTP-U G-PDU (TEID 0x1001 up, 0x2002 down), IPv4", gtpu(False))
    case("gtpu-v6", ["v6"], "IPv6, UDP 2152, GTP-U G-PDU with sequence numbers (S flag), IPv6", gtpu(True))
    case("greudp-v4", ["v4"], "IPv4, UDP 4754 (RFC 8086), GRE with key 7, IPv4", gre_udp(7))
    case("greudp-v6", ["v6"], "IPv6, UDP 4754, GRE without key, IPv6", gre_udp(None))
    case("ipip-4in4", ["v4"], "IPv4 protocol 4, IPv4", ipip(False))
    case("ipip-6in4", ["v6"], "IPv4 protocol 41, IPv6", ipip(False))
    case("ipip-4in6", ["v4"], "IPv6 next header 4, IPv4", ipip(True))
    case("ipip-6in6", ["v6"], "IPv6 next header 41, IPv6", ipip(True))
    case("collide-vxlan", ["collide-a", "collide-b"],
         "one exchange twice, in VXLAN VNI 100 and VNI 200 (same outer addresses and ports): the "
         "same 5-tuple, ID and question, other answers; the responses come in the other order", None)
    case("collide-gtpu", ["collide-a", "collide-b"],
         "the same two copies in GTP-U between two pairs of endpoints (same TEIDs)", None)
    case("nflog", ["v6", "v4"], "NFLOG (239): AF_INET and AF_INET6, TLVs PACKET_HDR, PREFIX, IFINDEX, "
         "TIMESTAMP, PAYLOAD", nflog, linktype=DLT_NFLOG)
    case("ppp", ["v6", "v4"], "PPP (9): FF 03, protocol 0x0021 / 0x0057", ppp_link, linktype=DLT_PPP)
    case("ppp-hdlc", ["v6", "v4"], "PPP in HDLC-like framing (50): FF 03, 0x0021 / 0x0057", ppp_link,
         linktype=DLT_PPP_SERIAL)
    case("chdlc", ["v6", "v4"], "Cisco HDLC (104): 0F 00, ethertype", chdlc, linktype=DLT_CHDLC)
    case("pflog", ["v6", "v4"], "OpenBSD pflog (117): AF_INET with the 61-byte header (padded to 64), "
         "AF_INET6 (24) with today's 100-byte header", pflog, linktype=DLT_PFLOG)
    case("ipnet", ["v6", "v4"], "Solaris ipnet (226): 24-byte header, family 2 / 26", ipnet, linktype=DLT_IPNET)
    case("loop", ["v6", "v4"], "OpenBSD loop (108): AF in network order, 2 / 24", loop, linktype=DLT_LOOP)
    case("enc", ["v6", "v4"], "OpenBSD enc (109), little-endian file and AF (2 / 24) as on amd64",
         enc(False), linktype=DLT_ENC)
    case("enc-be", ["v6", "v4"], "OpenBSD enc (109), big-endian file and AF (as on sparc64)",
         enc(True), linktype=DLT_ENC, big_endian=True)
    case("wifi", ["v4"], "802.11 (105) data frames, ToDS up, FromDS down, LLC/SNAP", wifi(),
         linktype=DLT_IEEE802_11)
    case("wifi-qos", ["v6"], "802.11 (105) QoS data frames (2-byte QoS control), LLC/SNAP", wifi(qos=True),
         linktype=DLT_IEEE802_11)
    case("wifi-4addr", ["v4"], "802.11 (105) data frames with ToDS and FromDS (4 addresses), LLC/SNAP",
         wifi(four=True), linktype=DLT_IEEE802_11)
    case("radiotap", ["v6"], "radiotap (127), 24-byte header, around 802.11 data frames", radiotap(False),
         linktype=DLT_RADIOTAP)
    case("radiotap-fcs", ["v4"], "radiotap (127) with Flags FCS-at-end, 802.11 QoS data frames + 4-byte FCS",
         radiotap(True), linktype=DLT_RADIOTAP)
    case("ppi", ["v4"], "PPI (192) with an 802.11-Common field, pph_dlt 105, 802.11 data frames", ppi,
         linktype=DLT_PPI)
    case("erf", ["v6", "v4"], "ERF (197) type ETH records, 2-byte pad, FCS; IPv6 ones with a Host ID "
         "extension header", erf, linktype=DLT_ERF)
    return out


def build_collision(c, base_a, base_b):
    """q(A), q(B), r(B), r(A): each response must pair with its own tunnel's query."""
    qa, ra = base_a
    qb, rb = base_b
    ra.answer = first_answer(ra)
    rb.answer = first_answer(rb)
    qa.answer, qb.answer = ra.answer, rb.answer
    order = sorted([qa, qb, ra, rb], key=lambda p: (p.sec, p.usec))
    assert [x is y for x, y in zip(order, [qa, qb, rb, ra])] == [True] * 4
    if c.name == "collide-vxlan":
        vxlan(vnis=[100 if p in (qa, ra) else 200 for p in order])(c, order)
    else:
        pairs = [(A4, B4) if p in (qa, ra) else ("203.0.113.3", "203.0.113.4") for p in order]
        gtpu(False, pairs=pairs)(c, order)


def first_answer(p):
    m = dns.message.from_wire(p.payload)
    return m.answer[0][0].to_text()


def sidecar(c):
    by_key = collections.OrderedDict()
    for key, enc, answer in c.encaps:
        by_key.setdefault("%s|%d|%s|%d|%d" % key, []).append((enc, answer))
    out = {}
    for k, vals in by_key.items():
        encs = {json.dumps(e) for e, _ in vals}
        if len(encs) == 1:
            out[k] = vals[0][0]
        else:
            assert all(a is not None for _, a in vals), k
            m = {}
            for e, a in vals:
                assert m.get(a, e) == e
                m[a] = e
            out[k] = {"by_answer": m}
    return out


def generate(outdir):
    os.makedirs(outdir, exist_ok=True)
    bases = {n: load_base(n) for n in BASES}
    ca, cb = collision_bases()
    bases["collide-a"], bases["collide-b"] = ca, cb
    for n, pkts in bases.items():
        write_pcap(os.path.join(outdir, "base-%s.pcap" % n), DLT_EN10MB,
                   [(p.sec, p.usec, p.frame) for p in pkts])
    index, done = [], []
    for c, build in cases():
        if c.name.startswith("collide-"):
            a, b = collision_bases()
            build_collision(c, a, b)
        else:
            pkts = []
            for b in c.bases:
                pkts += load_base(b)
            pkts.sort(key=lambda p: (p.sec, p.usec))
            build(c, pkts)
        write_pcap(os.path.join(outdir, c.name + ".pcap"), c.linktype, c.records, c.big_endian)
        with open(os.path.join(outdir, c.name + ".encap.json"), "w") as f:
            sc = sidecar(c)
            f.write("{\n" + ",\n".join(" %s: %s" % (json.dumps(k), json.dumps(v)) for k, v in sc.items()) + "\n}\n")
        index.append("\t".join([c.name, ",".join("base-%s.pcap" % b for b in c.bases), c.oracle, c.what]))
        done.append(c)
    with open(os.path.join(outdir, "index.tsv"), "w") as f:
        f.write("# name\tbases\treference (default: oracle on NAME.pcap; base: oracle on the bases)\twrapping\n")
        f.write("\n".join(index) + "\n")
    return done


# ---------------------------------------------------------------- oracle

def oracle(path, extra=()):
    """oracle.py's decode of path (optionally with extra tshark options): list of dicts."""
    if not extra:
        out = subprocess.run(["/usr/bin/python3", ORACLE, path], capture_output=True, check=True).stdout
    else:
        # oracle.py takes no options: run its main() with the options added to its tshark command
        code = ("import runpy, subprocess, sys\n"
                "extra = %r\n"
                "real = subprocess.run\n"
                "def run(cmd, *a, **k):\n"
                "    if cmd and cmd[0] == 'tshark': cmd = cmd[:1] + extra + cmd[1:]\n"
                "    return real(cmd, *a, **k)\n"
                "subprocess.run = run\n"
                "sys.argv = ['oracle.py', %r]\n"
                "runpy.run_path(%r, run_name='__main__')\n" % (list(extra), path, ORACLE))
        out = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, check=True).stdout
    return [json.loads(l) for l in out.decode().splitlines() if l.strip()]


def facts(msgs):
    keep = ("ts", "src", "sport", "dst", "dport", "proto", "id", "qr", "opcode", "rcode", "flags", "qname",
            "qtype", "qclass", "answers", "authority", "additional", "edns", "length", "undecodable")
    return collections.Counter(json.dumps([m.get(k) for k in keep]) for m in msgs)


def base_paths(outdir, bases):
    return [os.path.join(outdir, b) for b in bases.split(",")]


def read_index(outdir):
    rows = []
    for line in open(os.path.join(outdir, "index.tsv")):
        if line.startswith("#") or not line.strip():
            continue
        rows.append(line.rstrip("\n").split("\t"))
    return rows


def write_refs(outdir):
    for name, bases, ref, _ in read_index(outdir):
        if ref == "base":
            msgs = []
            for b in base_paths(outdir, bases):
                msgs += oracle(b)
        else:
            msgs = oracle(os.path.join(outdir, name + ".pcap"))
        with open(os.path.join(outdir, name + ".pcap.jsonl"), "w") as f:
            for m in msgs:
                f.write(json.dumps(m) + "\n")
        print(name + ".pcap.jsonl", len(msgs), "messages")


def check(outdir):
    bad = 0
    for name, bases, ref, _ in read_index(outdir):
        path = os.path.join(outdir, name + ".pcap")
        how = "oracle"
        if name == "vxlan-8472-v4":
            got, how = oracle(path, ["-d", "udp.port==8472,vxlan"]), "oracle with -d udp.port==8472,vxlan"
        else:
            got = oracle(path)
        want = []
        for b in base_paths(outdir, bases):
            want += oracle(b)
        fg, fw = facts(got), facts(want)
        ok = fg == fw and len(want) > 0
        # the stack tshark saw: every message must have come through DNS
        stacks = sorted({m["stack"] for m in got})
        print("%-20s %s: %d messages, base %d%s  [%s] %s" % (
            name, "ok" if ok else "DIFFERENT", sum(fg.values()), sum(fw.values()),
            "" if ok else " (missing %d, extra %d)" % (sum((fw - fg).values()), sum((fg - fw).values())),
            how, " ".join(stacks)))
        if not ok:
            bad += 1
            for x in list((fw - fg).elements())[:3]:
                print("    missing", x[:200])
            for x in list((fg - fw).elements())[:3]:
                print("    extra  ", x[:200])
        jsonl = os.path.join(outdir, name + ".pcap.jsonl")
        if os.path.exists(jsonl):
            committed = [json.loads(l) for l in open(jsonl) if l.strip()]
            if facts(committed) != (fw if ref == "base" else fg):
                print("    %s.pcap.jsonl is stale: rerun --refs" % name)
                bad += 1
    print("check: %s" % ("all wrapped captures decode as their bases" if not bad else "%d FAILED" % bad))
    return bad == 0


def main():
    args = sys.argv[1:]
    do_check = "--check" in args
    do_refs = "--refs" in args
    args = [a for a in args if a not in ("--check", "--refs")]
    outdir = args[0] if args else os.path.join(TOP, "tests", "corpus", "gen", "encap")
    if do_check and not do_refs:
        sys.exit(0 if check(outdir) else 1)
    for c in generate(outdir):
        print(c.name + ".pcap")
    if do_refs:
        write_refs(outdir)
    if do_check:
        sys.exit(0 if check(outdir) else 1)


if __name__ == "__main__":
    main()
