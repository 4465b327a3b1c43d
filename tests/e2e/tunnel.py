#!/usr/bin/python3
"""End-to-end through real tunnels, in network namespaces this test creates.

    client ns                                       server ns
    underlay  u0 10.99.0.1, fd00:99::1 --veth-- u1 10.99.0.2, fd00:99::2
    vxlan4  (VNI 4242 over IPv4)  192.168.242.1  fd00:42::1 --  .2  ::2
    vxlan6  (VNI 4243 over IPv6)  192.168.243.1  fd00:43::1 --  .2  ::2
    gre     (key 77 over IPv4)    192.168.244.1  fd00:44::1 --  .2  ::2

NSD, in the server namespace, serves a small zone on the overlay addresses;
dig, in the client namespace, asks over each tunnel (UDP and TCP, IPv4 and
IPv6 inside) from fixed source ports.  pdnslog captures live on the
underlay veth of the server namespace (-dev u1), so every DNS packet it
sees is wrapped in the tunnel.  Each query must be logged once, with the
overlay (inner) client address and port and server address, the question,
the answer dig printed (data and TTLs) and `encap` naming the tunnel and
the underlay addresses of the query packet.  One more run in the flat
format: `src`, `dst` and `sport` are the overlay's, never the underlay's.

The kernel's own VXLAN devices carry vxlan4 and vxlan6.  GRE is the
kernel's when it has it (`ip link add ... type gre`); a kernel built
without GRE (CONFIG_NET_IPGRE) gets the same wire format from this script
itself: a TUN device in each namespace and a raw IP socket (protocol 47),
each packet read from the TUN sent as GRE (K bit, key 77) to the other
side, each GRE packet received written to the TUN (see gre_helper).  A
kernel without VXLAN makes the whole test a skip, saying why.

Addresses exist only inside the namespaces, which are deleted at the end
whatever happens; every step is bounded by a timeout.

usage: tunnel.py PDNSLOG
TUNNEL_PCAPS=DIR in the environment keeps each run's underlay traffic as
DIR/TUNNEL-FORMAT.pcap (dumpcap), to see what pdnslog was given."""
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402  (tests/e2e/checks.py, beside this script)
from checks import expect  # noqa: E402

GRE_PROTO = 47
GRE_KEY = 77
VNI4, VNI6 = 4242, 4243


def gre_helper(ifname, local, remote, key):
    """Userspace GRE (RFC 2890 with the key, as `ip link add type gre key K`
    sends it): a TUN device IFNAME; what the kernel routes into it goes out
    GRE-wrapped from LOCAL to REMOTE, and GRE from REMOTE with key KEY comes
    out of it.  Runs inside a namespace (ip netns exec), until killed."""
    import ctypes
    import fcntl
    try:  # die with the test, whatever happens to it
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    tun = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tun, 0x400454CA, struct.pack("16sH22x", ifname.encode(), 0x0001 | 0x1000))  # TUNSETIFF: TUN, NO_PI
    fam = socket.AF_INET6 if ":" in local else socket.AF_INET
    raw = socket.socket(fam, socket.SOCK_RAW, GRE_PROTO)
    raw.bind((local, 0))
    print("ready", flush=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        ready, _, _ = select.select([tun, raw], [], [], 1.0)
        if tun in ready:
            pkt = os.read(tun, 65535)
            proto = {4: 0x0800, 6: 0x86DD}.get(pkt[0] >> 4) if pkt else None
            if proto:
                try:
                    raw.sendto(struct.pack("!HHI", 0x2000, proto, key) + pkt, (remote, 0))
                except OSError:  # as a link would: the packet is lost
                    pass
        if raw in ready:
            data, peer = raw.recvfrom(65535)
            if peer[0] != remote:
                continue
            if fam == socket.AF_INET:  # IPv4 raw sockets hand over the IP header too
                data = data[(data[0] & 0x0F) * 4:]
            if len(data) < 8:
                continue
            flags, proto, got_key = struct.unpack("!HHI", data[:8])
            if flags == 0x2000 and got_key == key and proto in (0x0800, 0x86DD):
                try:
                    os.write(tun, data[8:])
                except OSError:  # the TUN is not up yet
                    pass


if len(sys.argv) == 6 and sys.argv[1] == "--gre-helper":
    gre_helper(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    sys.exit(0)

BIN = os.path.abspath(sys.argv[1])
TAG = "pdt%d" % os.getpid()
NS_CLI, NS_SRV = TAG + "c", TAG + "s"
U_CLI, U_SRV = "u0", "u1"                     # the underlay veth, one end in each namespace
UL4 = ("10.99.0.1", "10.99.0.2")              # (client side, server side)
UL6 = ("fd00:99::1", "fd00:99::2")
TMP = tempfile.mkdtemp(prefix="pdnslog-tunnel-")
SAVE_PCAPS = os.environ.get("TUNNEL_PCAPS")     # a folder: keep each run's underlay traffic there (dumpcap)
SKIPPED = []                                  # (what, why)


class Tunnel:
    """One tunnel: its device name in both namespaces, its overlay subnets
    (client .1, server .2), the first of its dig source ports, and the
    `encap` every query's record must carry."""

    def __init__(self, name, dev, net4, net6, port0, encap):
        self.name, self.dev, self.port0, self.encap = name, dev, port0, encap
        self.cli4, self.srv4 = net4 + "1", net4 + "2"
        self.cli6, self.srv6 = net6 + "1", net6 + "2"
        self.how = "kernel vxlan device"


VXLAN4 = Tunnel("vxlan4", "vx0", "192.168.242.", "fd00:42::", 21000,
                [{"type": "vxlan", "vni": VNI4, "src": UL4[0], "dst": UL4[1]}])
VXLAN6 = Tunnel("vxlan6", "vx1", "192.168.243.", "fd00:43::", 22000,
                [{"type": "vxlan", "vni": VNI6, "src": UL6[0], "dst": UL6[1]}])
GRE = Tunnel("gre", "tgre", "192.168.244.", "fd00:44::", 23000,
             [{"type": "gre", "key": GRE_KEY, "src": UL4[0], "dst": UL4[1]}])

ZONE = """$ORIGIN tunnel.test.
$TTL 3600
@        SOA   ns1 hostmaster 2026120401 3600 600 86400 300
@        NS    ns1
ns1      A     192.168.242.2
www      A     192.0.2.10
www      300 AAAA  2001:db8::10
txt      TXT   "through the tunnel" "second string"
alias    120 CNAME www
"""
QUERIES = [("www.tunnel.test", "A"), ("www.tunnel.test", "AAAA"), ("txt.tunnel.test", "TXT"),
           ("alias.tunnel.test", "A")]


def sh(*cmd, ns=None, check=True, timeout=30):
    full = (["ip", "netns", "exec", ns] if ns else []) + list(cmd)
    r = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(full), r.returncode, r.stdout.strip()[-300:]))
    return r


def spawn(ns, *cmd, **kw):
    return subprocess.Popen(["ip", "netns", "exec", ns] + list(cmd), **kw)


def try_link(ns, *args):
    """ip link add ARGS in NS: None when it worked, else ip's complaint."""
    r = sh("ip", "link", "add", *args, ns=ns, check=False)
    return None if r.returncode == 0 else r.stdout.strip()


def addrs(ns, dev, a4, a6):
    sh("ip", "addr", "add", a4 + "/24", "dev", dev, ns=ns)
    sh("ip", "addr", "add", a6 + "/64", "dev", dev, "nodad", ns=ns)
    sh("ip", "link", "set", dev, "up", ns=ns)


def setup_network(procs):
    """The underlay, then the tunnels; the tunnels this kernel can make."""
    for ns in (NS_CLI, NS_SRV):
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "set", "lo", "up", ns=ns)
    sh("ip", "link", "add", U_CLI, "netns", NS_CLI, "type", "veth", "peer", "name", U_SRV, "netns", NS_SRV)
    for ns, dev, i in ((NS_CLI, U_CLI, 0), (NS_SRV, U_SRV, 1)):
        addrs(ns, dev, UL4[i], UL6[i])
    tunnels = []
    for t, ul, vni in ((VXLAN4, UL4, VNI4), (VXLAN6, UL6, VNI6)):
        for ns, dev, me, peer in ((NS_CLI, U_CLI, 0, 1), (NS_SRV, U_SRV, 1, 0)):
            err = try_link(ns, t.dev, "type", "vxlan", "id", str(vni), "remote", ul[peer], "local", ul[me],
                           "dstport", "4789", "dev", dev)
            if err and ("Unknown device type" in err or "not supported" in err):
                return None, "this kernel cannot make a vxlan device: %s (needs CONFIG_VXLAN)" % err
            if err:
                raise RuntimeError("ip link add %s type vxlan: %s" % (t.dev, err))
            addrs(ns, t.dev, (t.cli4, t.srv4)[me], (t.cli6, t.srv6)[me])
        tunnels.append(t)
    # GRE: the kernel's, else the same bytes from gre_helper on a TUN device.
    err = try_link(NS_CLI, GRE.dev, "type", "gre", "key", str(GRE_KEY), "local", UL4[0], "remote", UL4[1])
    if err is None:
        if try_link(NS_SRV, GRE.dev, "type", "gre", "key", str(GRE_KEY), "local", UL4[1], "remote", UL4[0]):
            raise RuntimeError("kernel GRE in one namespace but not the other")
        GRE.how = "kernel gre device"
    elif os.path.exists("/dev/net/tun"):
        for ns, me, peer in ((NS_CLI, 0, 1), (NS_SRV, 1, 0)):
            p = spawn(ns, sys.executable, os.path.abspath(__file__), "--gre-helper", GRE.dev, UL4[me],
                      UL4[peer], str(GRE_KEY), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            procs.append(p)
            ready, _, _ = select.select([p.stdout], [], [], 10)
            if not ready or p.stdout.readline().strip() != "ready":
                p.kill()
                raise RuntimeError("gre_helper did not start: %s" % p.stderr.read()[:300])
        GRE.how = "userspace GRE on a TUN device (kernel: %s)" % err
    else:
        SKIPPED.append(("gre", "no kernel GRE (%s) and no /dev/net/tun" % err))
        return tunnels, None
    for ns, me in ((NS_CLI, 0), (NS_SRV, 1)):
        sh("ip", "link", "set", GRE.dev, "mtu", "1400", ns=ns)
        addrs(ns, GRE.dev, (GRE.cli4, GRE.srv4)[me], (GRE.cli6, GRE.srv6)[me])
    tunnels.append(GRE)
    return tunnels, None


def nsd_conf(tunnels):
    listen = "".join("  ip-address: %s\n" % a for t in tunnels for a in (t.srv4, t.srv6))
    return """server:
%s  port: 53
  do-ip4: yes
  do-ip6: yes
  username: ""
  chroot: ""
  zonesdir: "%s"
  database: ""
  pidfile: "%s/nsd.pid"
  xfrdfile: "%s/xfrd.state"
  zonelistfile: "%s/zone.list"
  logfile: "%s/nsd.log"
  server-count: 1
remote-control:
  control-enable: no
zone:
  name: "tunnel.test."
  zonefile: "tunnel.test.zone"
""" % (listen, TMP, TMP, TMP, TMP, TMP)


def stop(p, sig=signal.SIGTERM, wait=5):
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=wait)


def cleanup(procs):
    for p in procs:
        try:
            stop(p)
        except (OSError, subprocess.SubprocessError):
            pass
    # Anything still in our namespaces (NSD's children) was started by this test.
    for ns in (NS_CLI, NS_SRV):
        pids = subprocess.run(["ip", "netns", "pids", ns], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, timeout=10).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
    for ns in (NS_CLI, NS_SRV):
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL, timeout=10)
    shutil.rmtree(TMP, ignore_errors=True)


def normalise(data):
    """Presentation data without the trailing dot of names (pdnslog writes
    none), as netns.py does it."""
    out = []
    for t in data.split(" "):
        if t.endswith(".") and t != "." and not t.startswith('"'):
            t = t[:-1]
        out.append(t)
    return " ".join(out)


def dig(t, name, qtype, port, tcp, six):
    """Ask over tunnel T from a fixed source port: (id, status, [(ttl, type, data)])."""
    server, src = (t.srv6, t.cli6) if six else (t.srv4, t.cli4)
    out = sh("dig", "@" + server, "-b", "%s#%d" % (src, port), "+tries=1", "+time=3", "+nocookie",
             "+norec", "+tcp" if tcp else "+notcp", name, qtype, ns=NS_CLI, check=False).stdout
    head = re.search(r"opcode: \w+, status: (\w+), id: (\d+)", out)
    if not head:
        return None, out.strip().splitlines()[-1:] or ["no output"], []
    answers, section = [], None
    for line in out.splitlines():
        if line.startswith(";; "):
            section = line[3:].split(" SECTION")[0] if "SECTION" in line else section
            continue
        if section == "ANSWER" and line and not line.startswith(";"):
            owner, ttl, cls, rtype, data = line.split(None, 4)
            answers.append((int(ttl), rtype, normalise(data)))
    return int(head.group(2)), head.group(1), sorted(answers)


def rx_packets(ns, dev):
    """The packets DEV in NS has received so far (the kernel's counter)."""
    info = json.loads(sh("ip", "-s", "-j", "link", "show", "dev", dev, ns=ns).stdout)[0]
    return info["stats64"]["rx"]["packets"]


def wait_for_nsd(tunnels):
    """NSD answers on every overlay address, through every tunnel, before
    pdnslog starts: nothing of this is logged."""
    for t in tunnels:
        for server in (t.srv4, t.srv6):
            for _ in range(50):
                if "status: NOERROR" in sh("dig", "@" + server, "+tries=1", "+time=1", "+norec",
                                           "tunnel.test", "SOA", ns=NS_CLI, check=False).stdout:
                    break
                time.sleep(0.2)
            else:
                return "NSD does not answer on %s through %s" % (server, t.name)
    return None


def capture(t, fmt, variants):
    """pdnslog on the server's underlay while dig asks QUERIES over tunnel T
    in every variant ((tcp, six) pairs): (asked, records, stats, rc, err,
    link counters (underlay rx, tunnel rx) during the run)."""
    log, stats = os.path.join(TMP, "%s-%s.log" % (t.name, fmt)), os.path.join(TMP, "%s-%s.stats" % (t.name, fmt))
    p = spawn(NS_SRV, BIN, "-dev", U_SRV, "-quiet", "-logfile", log, "-stats_file", stats,
              "-stats_interval", "0", "-numprocs", "1", "-name", "tunnel",
              *(["-format", fmt] if fmt != "flat" else []),  # flat: the default
              stderr=subprocess.PIPE)
    dump = None
    if SAVE_PCAPS:  # the underlay's packets as a capture file, for whoever debugs the decoder
        dump = spawn(NS_SRV, "dumpcap", "-q", "-i", U_SRV, "-w", os.path.join(SAVE_PCAPS, "%s-%s.pcap" % (
            t.name, fmt)), "-P", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)  # the capture is up
        before = rx_packets(NS_SRV, U_SRV), rx_packets(NS_SRV, t.dev)
        asked, port = [], t.port0 + (500 if fmt == "flat" else 0)
        for tcp, six in variants:
            for name, qtype in QUERIES:
                port += 1
                asked.append((name, qtype, port, tcp, six) + dig(t, name, qtype, port, tcp, six))
        after = rx_packets(NS_SRV, U_SRV), rx_packets(NS_SRV, t.dev)
        time.sleep(0.5)
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)
        if dump:
            stop(dump)
    err = p.stderr.read().decode(errors="replace")
    records = []
    if os.path.exists(log):
        for line in open(log):
            try:
                records.append(json.loads(line))
            except ValueError:
                expect("%s %s: a whole JSON line" % (t.name, fmt), False, line[:200])
    st = {}
    if os.path.exists(stats):
        lines = [x for x in open(stats).read().splitlines() if x.strip()]
        st = json.loads(lines[-1]) if lines else {}
    return asked, records, st, rc, err, (after[0] - before[0], after[1] - before[1])


VARIANTS = ((False, False), (True, False), (False, True), (True, True))  # (tcp, six)


def what(t, name, qtype, tcp, six):
    return "%s: %s %s %s%s" % (t.name, name, qtype, "tcp" if tcp else "udp", "6" if six else "4")


def plumbing(t, fmt, asked, st, rc, err, moved):
    """What must hold whatever pdnslog decodes: dig got its answers through
    the tunnel, the packets crossed the underlay, pdnslog ran and saw them."""
    expect("%s %s: pdnslog exits 0 on SIGTERM" % (t.name, fmt), rc == 0, "(%s: %s)" % (rc, err[-300:]))
    for name, qtype, port, tcp, six, qid, status, answers in asked:
        expect("%s: dig answered through the tunnel" % what(t, name, qtype, tcp, six),
               qid is not None and status == "NOERROR" and answers, "(%s %s)" % (status, answers))
    udp = sum(1 for a in asked if not a[3])
    expect("%s %s: the overlay's packets crossed the underlay (underlay rx %d >= tunnel rx %d >= %d)"
           % (t.name, fmt, moved[0], moved[1], len(asked)), moved[0] >= moved[1] >= len(asked))
    # Every query and response is one packet at least (TCP many more).
    want = 2 * udp + 4 * (len(asked) - udp)
    got = {k: st.get(k) for k in ("pcap_received", "packets", "not_dns_port", "ip_other", "dns_messages")}
    expect("%s %s: pdnslog's default filter passed the tunnel's packets (stats packets >= %d)"
           % (t.name, fmt, want), (st.get("packets") or 0) >= want, str(got))
    expect("%s %s: pdnslog decoded every DNS message (dns_messages >= %d)" % (t.name, fmt, 2 * len(asked)),
           (st.get("dns_messages") or 0) >= 2 * len(asked), str(got))
    expect("%s %s: nothing malformed, nothing dropped" % (t.name, fmt),
           st.get("dns_malformed") == 0 and st.get("pcap_dropped") == 0 and st.get("queue_drops") == 0,
           str({k: st.get(k) for k in ("dns_malformed", "pcap_dropped", "queue_drops")}))


def check_json(t):
    asked, records, st, rc, err, moved = capture(t, "json", VARIANTS)
    plumbing(t, "json", asked, st, rc, err, moved)
    underlay = set(UL4 + UL6)
    expect("%s json: one record per query, no other" % t.name, len(records) == len(asked),
           "(%d records, %d queries)" % (len(records), len(asked)))
    expect("%s json: no record between underlay addresses" % t.name,
           not [r for r in records if r.get("client") in underlay or r.get("server") in underlay])
    if not records:
        return  # failed above once, not once per query
    for name, qtype, port, tcp, six, qid, status, answers in asked:
        w = what(t, name, qtype, tcp, six)
        client, server = (t.cli6, t.srv6) if six else (t.cli4, t.srv4)
        mine = [r for r in records if r.get("client") == client and r.get("client_port") == port]
        if not expect("%s: logged once with the overlay client and port" % w, len(mine) == 1,
                      "(%d records)" % len(mine)):
            continue
        r = mine[0]
        q = ((r.get("query") or {}).get("questions") or [{}])[0]
        expect("%s: the exchange as dig saw it" % w,
               r.get("server") == server and r.get("server_port") == 53 and r.get("status") == "answered"
               and r.get("id") == qid and r.get("protocol") == ("tcp" if tcp else "udp")
               and (q.get("name", "").lower(), q.get("type")) == (name, qtype)
               and (r.get("response") or {}).get("rcode") == status, json.dumps(r)[:300])
        got = sorted((a["ttl"], a["type"], normalise(a["data"]))
                     for a in (r.get("response") or {}).get("answer", []))
        expect("%s: the answer dig printed" % w, got == answers,
               "\n  pdnslog %s\n  dig     %s" % (got, answers))
        expect("%s: encap names the tunnel and the query's underlay addresses" % w,
               r.get("encap") == t.encap,
               "\n  got  %s\n  want %s" % (json.dumps(r.get("encap")), json.dumps(t.encap)))
        # The key order is part of the format: compare the text too.
        if "encap" in r:
            text = json.dumps(r["encap"], separators=(",", ":"))
            expect("%s: encap keys in order" % w, text == json.dumps(t.encap, separators=(",", ":")), text)


def check_flat(t):
    """The flat record: overlay addresses and port, never the underlay's."""
    asked, records, st, rc, err, moved = capture(t, "flat", VARIANTS)
    plumbing(t, "flat", asked, st, rc, err, moved)
    underlay = set(UL4 + UL6)
    expect("flat: no record with an underlay address",
           not [r for r in records if r.get("src") in underlay or r.get("dst") in underlay],
           str([(r.get("src"), r.get("dst")) for r in records][:4]))
    if not expect("flat: records written", records, "(none)"):
        return
    for name, qtype, port, tcp, six, qid, status, answers in asked:
        w = "flat " + what(t, name, qtype, tcp, six)
        client, server = (t.cli6, t.srv6) if six else (t.cli4, t.srv4)
        mine = [r for r in records if r.get("sport") == str(port)]
        if not expect("%s: one line per answer" % w, len(mine) == max(1, len(answers)),
                      "(%d lines, %d answers)" % (len(mine), len(answers))):
            continue
        expect("%s: src, dst and sport are the overlay client, server and port" % w,
               all(r.get("src") == client and r.get("dst") == server for r in mine),
               str([(r.get("src"), r.get("dst"), r.get("sport")) for r in mine]))
        expect("%s: the question and the answers dig printed" % w,
               all(r.get("q") == name and r.get("qtype") == qtype and r.get("query_id") == qid for r in mine)
               and sorted((r.get("ttl"), r.get("atype"), normalise(r.get("a", ""))) for r in mine) == answers,
               "\n  pdnslog %s\n  dig     %s" % (sorted((r.get("ttl"), r.get("atype"), r.get("a")) for r in mine),
                                               answers))


def main():
    procs = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("tunnel: stopped by SIGTERM (timeout?)"))
    try:
        tunnels, skip = setup_network(procs)
        if skip:
            print("tunnel: 0 passed, 0 failed, 1 skipped (%s)" % skip)
            return 0
        open(os.path.join(TMP, "tunnel.test.zone"), "w").write(ZONE)
        open(os.path.join(TMP, "nsd.conf"), "w").write(nsd_conf(tunnels))
        sh("nsd-checkzone", "tunnel.test", os.path.join(TMP, "tunnel.test.zone"))
        procs.append(spawn(NS_SRV, "nsd", "-d", "-c", os.path.join(TMP, "nsd.conf"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        problem = wait_for_nsd(tunnels)
        if not expect("NSD answers through every tunnel before the capture", problem is None, problem or ""):
            checks.finish("tunnel")
        print("tunnels: %s" % ", ".join("%s (%s)" % (t.name, t.how) for t in tunnels))
        for t in tunnels:
            check_json(t)
        check_flat(VXLAN4)
    except (OSError, RuntimeError, ValueError, KeyError, subprocess.SubprocessError) as e:
        expect("the test ran to its end", False, "(%s: %s)" % (type(e).__name__, e))
    finally:
        cleanup(procs)
    extra = "".join(", 1 skipped (%s: %s)" % s for s in SKIPPED)
    checks.finish("tunnel", extra)


sys.exit(main())
