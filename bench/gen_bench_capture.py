#!/usr/bin/python3
"""Write a deterministic, realistic DNS capture for the benchmark.

usage: gen_bench_capture.py OUT.pcap [--packets N] [--seed S]

Classic pcap (microseconds, little-endian, Ethernet) of the traffic a recursive
resolver sees: thousands of IPv4 and IPv6 clients querying 4 resolver
addresses per family, over UDP and (1%) TCP, with EDNS, cookies, CNAME chains,
NXDOMAIN, SERVFAIL and unanswered queries in fixed proportions (listed in
MIX below and printed, as realised, on standard error at the end).

The same seed and N give a byte-identical file.  A few thousand query/response
pairs are built with dnspython once (templates); each exchange picks one with
the seeded RNG and only the DNS ID, addresses, ports, lengths and checksums are
patched in with struct, so a million packets take seconds.  Generation stops
once at least N packets have been made (queries plus their scheduled
responses); the file holds exactly that many.
"""
import argparse
import heapq
import os
import random
import struct
import sys
import time

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

N_TEMPLATES = 4000
N_DOMAINS = 3000
N_CLIENTS4 = 5000
N_CLIENTS6 = 1000
START = 1717243200  # 2024-06-01 12:00:00 UTC
MEAN_GAP_US = 20  # ~50,000 exchanges per second of capture time

# Proportions.  Template attributes (qtype, EDNS, rcode, CNAME) are laid out
# exactly in the template pool; exchange attributes are drawn per exchange.
QTYPES = [("A", 0.55), ("AAAA", 0.25), ("HTTPS", 0.08), ("PTR", 0.05), ("MX", 0.04), ("TXT", 0.03)]
P_EDNS = 0.30          # of queries
P_COOKIE = 0.40        # of EDNS queries
P_NXDOMAIN = 0.07      # of responses
P_SERVFAIL = 0.015     # of responses
P_CNAME = 0.20         # of NOERROR responses
P_V6 = 0.20            # of exchanges
P_UNANSWERED = 0.02    # of exchanges (UDP only)
P_TCP = 0.01           # of exchanges

WORDS = ("example acme alpha apex atlas aurora azure beacon blue bright cloud cobalt comet coral "
         "crest delta echo ember falcon fern forge galaxy garden granite harbor helix horizon "
         "indigo iris jade jet kepler lake lumen lunar maple market matrix meadow metro nebula "
         "nimbus nova oak ocean omega orbit pacific pixel polar prime quantum quartz radar rapid "
         "river rocket sage sierra signal silver solar sonic spark spring stellar stone summit "
         "swift terra tiger trail union vector velvet vertex vista wave willow wind zenith news "
         "shop travel media games sports health bank photo video music books food auto home").split()
TLDS = [("com", 50), ("net", 10), ("org", 8), ("io", 5), ("de", 5), ("co.uk", 4), ("fr", 3),
        ("nl", 3), ("jp", 2), ("com.br", 2), ("info", 2), ("eu", 2), ("app", 2), ("dev", 2)]
HOSTS = [("www", 40), ("", 8), ("api", 6), ("cdn", 5), ("static", 5), ("img", 4), ("m", 4),
         ("mail", 4), ("login", 3), ("app", 3), ("assets", 3), ("news", 2), ("shop", 2),
         ("auth", 2), ("ws", 2), ("push", 1), ("metrics", 1), ("video", 1), ("docs", 1), ("blog", 1)]
CDNS = ["edgekey.net", "akamaiedge.net", "cloudfront.net", "fastly.net", "map.fastly.net",
        "azureedge.net", "trafficmanager.net", "cdn.cloudflare.net", "herokudns.com",
        "elb.amazonaws.com", "edgesuite.net", "ghs.googlehosted.com", "azurefd.net", "b-cdn.net"]
V4_FIRST = [13, 18, 23, 31, 34, 35, 44, 52, 54, 63, 64, 66, 69, 72, 93, 104, 128, 142, 143, 151,
            157, 162, 172, 173, 176, 184, 185, 188, 192, 193, 195, 199, 204, 208, 212, 216]
V6_PREFIX = ["2606:4700", "2a00:1450", "2600:1f18", "2a03:2880", "2620:1ec", "2a02:26f0",
             "2600:9000", "2001:4860", "2a04:4e42", "2606:2800", "2a01:111", "2603:1030"]
TTLS = [(30, 4), (60, 14), (120, 6), (300, 24), (600, 8), (900, 5), (1800, 6), (3600, 18),
        (7200, 4), (14400, 4), (43200, 3), (86400, 4)]

B64 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"

ETH_Q4 = bytes.fromhex("5254001a2b3c" "00163e0a0b01" "0800")  # router -> resolver
ETH_R4 = bytes.fromhex("00163e0a0b01" "5254001a2b3c" "0800")
ETH_Q6 = ETH_Q4[:12] + b"\x86\xdd"
ETH_R6 = ETH_R4[:12] + b"\x86\xdd"

S_REC = struct.Struct("<IIII")
S_U4 = struct.Struct("!BBHHHBBH4s4sHHHHH")   # IPv4 + UDP + DNS ID
S_U6 = struct.Struct("!IHBB16s16sHHHHH")     # IPv6 + UDP + DNS ID
S_IP4 = struct.Struct("!BBHHHBBH4s4s")
S_IP6 = struct.Struct("!IHBB16s16s")
S_TCP = struct.Struct("!HHIIBBHHH")


def osum(b):
    """Ones-complement sum (unfolded) of b as 16-bit big-endian words."""
    if len(b) & 1:
        b += b"\0"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def fold(s):
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def exact(rng, n, pairs):
    """n values with exactly (rounded) the given proportions, shuffled."""
    out = []
    for v, p in pairs:
        out += [v] * int(round(p * n))
    while len(out) < n:
        out.append(pairs[0][0])
    out = out[:n]
    rng.shuffle(out)
    return out


def weighted(rng, pairs):
    return rng.choices([v for v, _ in pairs], [w for _, w in pairs])[0]


def label(rng, n, alphabet="abcdefghijklmnopqrstuvwxyz0123456789"):
    return "".join(rng.choice(alphabet) for _ in range(n))


class Names:
    def __init__(self, rng):
        self.rng = rng
        doms = set()
        while len(doms) < N_DOMAINS:
            r = rng.random()
            w = rng.choice(WORDS)
            if r < 0.35:
                base = "%s%d" % (w, rng.randrange(1, 1000))
            elif r < 0.75:
                base = w + rng.choice(WORDS)
            elif r < 0.9:
                base = "%s-%s" % (w, rng.choice(WORDS))
            else:
                base = w
            doms.add(base + "." + weighted(rng, TLDS))
        self.domains = sorted(doms)
        rng.shuffle(self.domains)

    def domain(self):
        # popular domains are asked more often
        return self.domains[int(len(self.domains) * self.rng.random() ** 2)]

    def host(self):
        d = self.domain()
        h = weighted(self.rng, HOSTS)
        return (h + "." + d if h else d), d

    def v4(self):
        r = self.rng
        return "%d.%d.%d.%d" % (r.choice(V4_FIRST), r.randrange(256), r.randrange(256), r.randrange(1, 255))

    def v6(self):
        r = self.rng
        return "%s:%x:%x::%x" % (r.choice(V6_PREFIX), r.randrange(0x10000), r.randrange(0x10000),
                                 r.randrange(1, 0x10000))

    def ttl(self):
        base = weighted(self.rng, TTLS)
        # resolvers hand out what is left of the cached TTL
        return base if self.rng.random() < 0.3 else self.rng.randint(min(30, base), base)


def reverse_name(rng, names):
    if rng.random() < 0.8:
        a = [rng.choice(V4_FIRST + [10, 192]), rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)]
        q = "%d.%d.%d.%d.in-addr.arpa." % (a[3], a[2], a[1], a[0])
        zone = "%d.%d.%d.in-addr.arpa." % (a[2], a[1], a[0])
        ptr = rng.choice(["host-%d-%d-%d-%d.dyn.%s." % (a[0], a[1], a[2], a[3], names.domain()),
                          "%s.%s." % (rng.choice(["mail", "smtp", "mx1", "ns1", "www", "vpn", "gw"]),
                                      names.domain()),
                          "ec2-%d-%d-%d-%d.compute-1.amazonaws.com." % tuple(a),
                          "%d-%d-%d-%d.static.isp-%s.net." % (a[0], a[1], a[2], a[3], label(rng, 4))])
        cname = "%d.%d-%d.%d.%d.%d.in-addr.arpa." % (a[3], a[3] & ~63, (a[3] & ~63) + 63, a[2], a[1], a[0])
    else:
        nib = "%032x" % ((0x20010db8 << 96) | rng.getrandbits(96))
        q = ".".join(reversed(nib)) + ".ip6.arpa."
        zone = ".".join(reversed(nib[:12])) + ".ip6.arpa."
        ptr = "%s%d.%s." % (rng.choice(["host", "srv", "node", "web"]), rng.randrange(1, 99), names.domain())
        cname = ".".join(reversed(nib[16:])) + ".rev." + names.domain() + "."
    return q, zone, ptr, cname


def rdatas(rng, names, qtype, domain, n):
    out = []
    if qtype == "A":
        out = [names.v4() for _ in range(n)]
    elif qtype == "AAAA":
        out = [names.v6() for _ in range(n)]
    elif qtype == "HTTPS":
        for i in range(n):
            alpn = rng.choice(['"h2,h3"', '"h2,h3"', '"h2"', '"h3,h2"'])
            hints = ",".join(names.v4() for _ in range(rng.randint(1, 2)))
            s = "%d . alpn=%s ipv4hint=%s" % (i + 1, alpn, hints)
            if rng.random() < 0.5:
                s += " ipv6hint=" + ",".join(names.v6() for _ in range(rng.randint(1, 2)))
            out.append(s)
    elif qtype == "MX":
        if rng.random() < 0.3:
            hosts = ["aspmx.l.google.com.", "alt1.aspmx.l.google.com.", "alt2.aspmx.l.google.com.",
                     "alt3.aspmx.l.google.com."]
            out = ["%d %s" % (p, h) for p, h in zip((1, 5, 5, 10), hosts[:n])]
        else:
            out = ["%d mx%d.%s." % (10 * (i + 1), i + 1, domain) for i in range(n)]
    elif qtype == "TXT":
        spf = rng.choice(['"v=spf1 include:_spf.google.com ~all"',
                          '"v=spf1 ip4:%s.0/24 include:spf.protection.outlook.com -all"'
                          % names.v4().rsplit(".", 1)[0],
                          '"v=spf1 mx a:mail.%s ~all"' % domain,
                          '"v=spf1 include:spf.%s" " include:_spf.mailhost.net -all"' % domain])
        pool = [spf,  # one SPF record per name, then verification tokens
                '"google-site-verification=%s"' % label(rng, 43, B64),
                '"MS=ms%08d"' % rng.randrange(10 ** 8),
                '"facebook-domain-verification=%s"' % label(rng, 30),
                '"apple-domain-verification=%s"' % label(rng, 16, B64[:62])]
        out = rng.sample(pool, n)
    elif qtype == "PTR":
        out = [domain]
    return out


def build_templates(rng, n):
    names = Names(rng)
    qtypes = exact(rng, n, QTYPES)
    edns = exact(rng, n, [(True, P_EDNS), (False, 1 - P_EDNS)])
    rcodes = exact(rng, n, [("NXDOMAIN", P_NXDOMAIN), ("SERVFAIL", P_SERVFAIL),
                            ("NOERROR", 1 - P_NXDOMAIN - P_SERVFAIL)])
    noerr = [i for i in range(n) if rcodes[i] == "NOERROR"]
    cn = exact(rng, len(noerr), [(True, P_CNAME), (False, 1 - P_CNAME)])
    cname = [False] * n
    for i, c in zip(noerr, cn):
        cname[i] = c
    templates = []
    for i in range(n):
        qt = qtypes[i]
        if qt == "PTR":
            qname, zone, ptr, cn_target = reverse_name(rng, names)
        elif qt in ("MX", "TXT"):
            zone = names.domain()
            qname = zone if qt == "MX" or rng.random() < 0.7 else "_dmarc." + zone
            qname += "."
            zone += "."
        else:
            qname, zone = names.host()
            qname += "."
            zone += "."
        cookie = False
        if edns[i]:
            cookie = rng.random() < P_COOKIE
            opts = [dns.edns.GenericOption(dns.edns.OptionType.COOKIE, rng.randbytes(8))] if cookie else []
            q = dns.message.make_query(qname, qt, use_edns=0, options=opts,
                                       payload=rng.choice((1232, 1232, 1232, 4096, 4096)))
        else:
            q = dns.message.make_query(qname, qt, use_edns=False)
        q.id = 0
        r = dns.message.make_response(q, recursion_available=True)
        if edns[i]:
            ropts = []
            if cookie:
                ropts.append(dns.edns.GenericOption(dns.edns.OptionType.COOKIE,
                                                    q.options[0].data + rng.randbytes(16)))
            if rcodes[i] == "SERVFAIL" and rng.random() < 0.6:
                ropts.append(dns.edns.EDEOption(rng.choice((dns.edns.EDECode.NO_REACHABLE_AUTHORITY,
                                                            dns.edns.EDECode.NETWORK_ERROR,
                                                            dns.edns.EDECode.DNSSEC_BOGUS))))
            r.use_edns(0, 0, 1232, options=ropts)
        r.set_rcode(dns.rcode.from_text(rcodes[i]))
        if rcodes[i] == "NXDOMAIN":
            apex = zone.split(".", 1)[1] if qt == "PTR" else zone
            soa = "ns1.%s hostmaster.%s %d %d %d %d %d" % (
                apex, apex, 2024050100 + rng.randrange(400), rng.choice((3600, 7200, 10800)),
                rng.choice((600, 900, 1800)), rng.choice((604800, 1209600)), rng.choice((300, 900, 3600)))
            r.authority.append(dns.rrset.from_text(zone if qt == "PTR" else apex,
                                                   rng.choice((300, 900, 3600)), "IN", "SOA", soa))
        elif rcodes[i] == "NOERROR":
            owner = qname
            if cname[i]:
                for link in range(rng.choice((1, 1, 1, 2, 2, 3))):
                    if qt == "PTR" and link == 0:
                        target = cn_target
                    elif link == 0:
                        target = "%s.%s." % (qname.rstrip("."), rng.choice(CDNS))
                    else:
                        target = "%s%s.%s." % (rng.choice(["e", "d", "a", "lb-", "edge"]),
                                               label(rng, rng.randint(4, 10)), rng.choice(CDNS))
                    r.answer.append(dns.rrset.from_text(owner, names.ttl(), "IN", "CNAME", target))
                    owner = target
            if qt == "PTR":
                count = 1 if rng.random() < 0.85 else 2
                texts = [ptr] + ([reverse_name(rng, names)[2]] if count == 2 else [])
            elif qname.startswith("_dmarc."):
                texts = ['"v=DMARC1; p=%s; rua=mailto:dmarc@%s" "; pct=100"' % (
                    rng.choice(("none", "quarantine", "reject")), zone.rstrip("."))]
            else:
                count = weighted(rng, [(1, 50), (2, 25), (3, 15), (4, 10)])
                texts = rdatas(rng, names, qt, zone.rstrip("."), count)
            r.answer.append(dns.rrset.from_text_list(owner, names.ttl(), "IN", qt, texts))
        qw = q.to_wire(want_shuffle=False)
        rw = r.to_wire(want_shuffle=False)
        if not edns[i] and len(rw) > 512:
            raise SystemExit("template %d: UDP response over 512 bytes" % i)
        templates.append(dict(q=qw, r=rw, qtype=qt, edns=edns[i], cookie=cookie, rcode=rcodes[i],
                              cname=cname[i]))
    return templates


def addresses(rng):
    c4, seen = [], set()
    while len(c4) < N_CLIENTS4:
        a = bytes((10, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255)))
        if a not in seen:
            seen.add(a)
            c4.append(a)
    c6 = []
    while len(c6) < N_CLIENTS6:
        a = bytes.fromhex("20010db8") + rng.randbytes(12)
        if a[4:6] not in (b"\x00\x53", b"\x53\x53") and a not in seen:
            seen.add(a)
            c6.append(a)
    r4 = [bytes(a) for a in ((192, 0, 2, 53), (192, 0, 2, 54), (198, 51, 100, 53), (198, 51, 100, 54))]
    r6 = [bytes.fromhex(h) for h in ("20010db8005300000000000000000053", "20010db8005300000000000000000054",
                                     "20010db8535300000000000000000053", "20010db8535300000000000000000054")]
    return [[(a, osum(a)) for a in lst] for lst in (c4, c6, r4, r6)]


def tcp_frame(v6, src, ssum, dst, dsum, sport, dport, seq, ack, flags, win, payload, opts=b"", ipid=0):
    off = (20 + len(opts)) // 4
    tlen = 20 + len(opts) + len(payload)
    hdr = S_TCP.pack(sport, dport, seq, ack, off << 4, flags, win, 0, 0) + opts
    c = fold(ssum + dsum + 6 + tlen + osum(hdr + payload))
    tcp = hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload
    to_resolver = dport == 53
    if v6:
        ip = S_IP6.pack(0x60000000 | (sport * 2654435761 + dport) & 0xFFFFF, tlen, 6, 64, src, dst)
        return (ETH_Q6 if to_resolver else ETH_R6) + ip + tcp
    total = 20 + tlen
    ipc = fold(0x4500 + total + ipid + 0x4000 + 0x4006 + ssum + dsum)
    ip = S_IP4.pack(0x45, 0, total, ipid, 0x4000, 64, 6, ipc, src, dst)
    return (ETH_Q4 if to_resolver else ETH_R4) + ip + tcp


def tcp_exchange(rng, t, v6, cli, res, sport, dnsid, tpl, push):
    """Push every packet of one DNS-over-TCP connection; returns the packet count."""
    (ca, cs), (ra, rs) = cli, res
    q = struct.pack("!H", dnsid) + tpl["q"][2:]
    r = struct.pack("!H", dnsid) + tpl["r"][2:]
    qp = struct.pack("!H", len(q)) + q
    k = rng.randrange(0, len(r) // 2 + 1)
    r1 = struct.pack("!H", len(r)) + r[:k]
    r2 = r[k:]
    ic, i_s = rng.getrandbits(32), rng.getrandbits(32)
    M = 0xFFFFFFFF
    rtt = 100 + int(rng.random() * 900)
    lat = 200 + int(rng.random() * 5000)
    mss = struct.pack("!BBH", 2, 4, 1440 if v6 else 1460)
    ipc = rng.getrandbits(16)
    def C(seq, ack, fl, pl=b"", o=b""):  # client -> resolver
        return tcp_frame(v6, ca, cs, ra, rs, sport, 53, seq & M, ack & M, fl, 64240, pl, o, ipc)

    def S(seq, ack, fl, pl=b"", o=b""):  # resolver -> client
        return tcp_frame(v6, ra, rs, ca, cs, 53, sport, seq & M, ack & M, fl, 65160, pl, o, 0)
    qn, rn = len(qp), 2 + len(r)
    t1 = t + 15                    # SYN-ACK leaves the resolver
    t2 = t1 + rtt                  # client's ACK arrives
    t3 = t2 + 8                    # query
    t4 = t3 + lat                  # response, first segment
    t5 = t4 + 3                    # response, second segment
    t6 = t5 + rtt                  # client ACKs the response
    t7 = t6 + 30                   # client closes
    t8 = t7 + 20                   # resolver closes
    t9 = t8 + rtt                  # last ACK
    pkts = [(t, C(ic, 0, 0x02, b"", mss)),
            (t1, S(i_s, ic + 1, 0x12, b"", mss)),
            (t2, C(ic + 1, i_s + 1, 0x10)),
            (t3, C(ic + 1, i_s + 1, 0x18, qp)),
            (t4, S(i_s + 1, ic + 1 + qn, 0x18, r1)),
            (t5, S(i_s + 1 + len(r1), ic + 1 + qn, 0x18, r2)),
            (t6, C(ic + 1 + qn, i_s + 1 + rn, 0x10)),
            (t7, C(ic + 1 + qn, i_s + 1 + rn, 0x11)),
            (t8, S(i_s + 1 + rn, ic + 2 + qn, 0x11)),
            (t9, C(ic + 2 + qn, i_s + 2 + rn, 0x10))]
    for ts, fr in pkts:
        push(ts, fr)
    return len(pkts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--packets", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    t_start = time.time()
    rng = random.Random(args.seed)
    tpls = build_templates(rng, N_TEMPLATES)
    c4, c6, r4, r6 = addresses(rng)

    # per template: (index, query tail, its sum, query length, response tail, its sum, response length)
    tp = []
    for i, d in enumerate(tpls):
        qt, rt = d["q"][2:], d["r"][2:]
        tp.append((i, qt, osum(qt), len(d["q"]), rt, osum(rt), len(d["r"])))
    NT = len(tp)
    uses = [0] * NT
    n_v6 = n_tcp = n_unans = n_ex = 0

    rand = rng.random
    bits = rng.getrandbits
    heap = []
    seq = 0
    out = []
    npk = 0
    t = START * 1000000
    pack_rec, pack_u4, pack_u6 = S_REC.pack, S_U4.pack, S_U6.pack
    hpush, hpop = heapq.heappush, heapq.heappop

    def push(ts, fr):
        nonlocal seq
        seq += 1
        hpush(heap, (ts, seq, fr))

    f = open(args.out, "wb")
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    while npk < args.packets:
        t += 1 + int(rand() * (2 * MEAN_GAP_US - 1))
        while heap and heap[0][0] <= t:
            ts, _, fr = hpop(heap)
            n = len(fr)
            out.append(pack_rec(ts // 1000000, ts % 1000000, n, n))
            out.append(fr)
        if len(out) > 20000:
            f.write(b"".join(out))
            out = []
        n_ex += 1
        u = rand()
        v6 = rand() < P_V6
        ti, qtail, qsum, qlen, rtail, rsum, rlen = tp[int(rand() * NT)]
        uses[ti] += 1
        dnsid = bits(16)
        sport = 1024 + int(rand() * 64512)
        if v6:
            n_v6 += 1
            ca, cs = c6[int(N_CLIENTS6 * rand() ** 2)]
            ra, rs = r6[bits(2)]
        else:
            ca, cs = c4[int(N_CLIENTS4 * rand() ** 2)]
            ra, rs = r4[bits(2)]
        if P_UNANSWERED <= u < P_UNANSWERED + P_TCP:
            n_tcp += 1
            npk += tcp_exchange(rng, t, v6, (ca, cs), (ra, rs), sport, dnsid, tpls[ti], push)
            continue
        # query
        ulen = 8 + qlen
        ck = fold(cs + rs + 17 + ulen + sport + 53 + ulen + dnsid + qsum) or 0xFFFF
        if v6:
            fr = ETH_Q6 + pack_u6(0x60000000 | bits(20), ulen, 17, 64, ca, ra,
                                  sport, 53, ulen, ck, dnsid) + qtail
        else:
            ipid = bits(16)
            ipc = fold(0x4500 + 20 + ulen + ipid + 0x4000 + 0x4011 + cs + rs)
            fr = ETH_Q4 + pack_u4(0x45, 0, 20 + ulen, ipid, 0x4000, 64, 17, ipc, ca, ra,
                                  sport, 53, ulen, ck, dnsid) + qtail
        n = len(fr)
        out.append(pack_rec(t // 1000000, t % 1000000, n, n))
        out.append(fr)
        npk += 1
        if u < P_UNANSWERED:
            n_unans += 1
            continue
        # response: most from cache, the rest after asking authorities
        lat = 200 + int(rand() * 1800) if rand() < 0.75 else 2000 + int(48000 * rand() ** 2)
        ulen = 8 + rlen
        ck = fold(cs + rs + 17 + ulen + sport + 53 + ulen + dnsid + rsum) or 0xFFFF
        if v6:
            fr = ETH_R6 + pack_u6(0x60000000 | bits(20), ulen, 17, 64, ra, ca,
                                  53, sport, ulen, ck, dnsid) + rtail
        else:
            ipc = fold(0x4500 + 20 + ulen + 0x4000 + 0x4011 + cs + rs)
            fr = ETH_R4 + pack_u4(0x45, 0, 20 + ulen, 0, 0x4000, 64, 17, ipc, ra, ca,
                                  53, sport, ulen, ck, dnsid) + rtail
        seq += 1
        hpush(heap, (t + lat, seq, fr))
        npk += 1
    while heap:
        ts, _, fr = hpop(heap)
        n = len(fr)
        out.append(pack_rec(ts // 1000000, ts % 1000000, n, n))
        out.append(fr)
    f.write(b"".join(out))
    f.close()

    # realised mix
    def share(pred):
        tot = 0
        for i, d in enumerate(tpls):
            if pred(d):
                tot += uses[i]
        return 100.0 * tot / n_ex

    pct = lambda x: "%.2f%%" % x  # noqa: E731
    ans = 100.0 - 100.0 * n_unans / n_ex
    noerr = share(lambda d: d["rcode"] == "NOERROR")
    parts = ["packets=%d" % npk, "exchanges=%d" % n_ex,
             "ipv6=" + pct(100.0 * n_v6 / n_ex), "tcp=" + pct(100.0 * n_tcp / n_ex),
             "unanswered=" + pct(100.0 * n_unans / n_ex),
             "edns=" + pct(share(lambda d: d["edns"])),
             "cookie=" + pct(share(lambda d: d["cookie"]))]
    parts += ["%s=%s" % (qt, pct(share(lambda d, qt=qt: d["qtype"] == qt))) for qt, _ in QTYPES]
    parts += ["nxdomain=" + pct(share(lambda d: d["rcode"] == "NXDOMAIN")),
              "servfail=" + pct(share(lambda d: d["rcode"] == "SERVFAIL")),
              "cname=%s(of NOERROR)" % pct(100.0 * share(lambda d: d["cname"]) / noerr),
              "(response shares are of exchanges picked, answered=%s)" % pct(ans),
              "bytes=%d" % os.path.getsize(args.out), "seconds=%.1f" % (time.time() - t_start)]
    print("gen_bench_capture: " + " ".join(parts), file=sys.stderr)


main()
