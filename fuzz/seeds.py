#!/usr/bin/python3
"""Seed corpora for the fuzz targets, made from the test captures.

usage: seeds.py OUTDIR CAPTURE...
Writes OUTDIR/capture/ (the capture files themselves, when small),
OUTDIR/packets/ (each classic pcap as fuzz_packets' input: a link-type byte,
then per packet a 2-byte length, a time step byte and the frame) and
OUTDIR/dns/ (every UDP payload on port 53 or 5353 of Ethernet or raw IP
captures: one DNS message per file)."""
import hashlib
import os
import struct
import sys

# fuzz_packets.c's table, by the pcap file header's link type.
LINKTYPES = {1: 0, 101: 1, 113: 2, 276: 3, 0: 4, 108: 5, 10: 6, 228: 7, 229: 8,
             9: 9, 50: 10, 104: 11, 105: 12, 109: 13, 117: 14, 127: 15, 192: 16, 197: 17,
             226: 18, 239: 19}


def packets(data):
    """(linktype, [(ts, frame)]) of a classic pcap, or None."""
    if len(data) < 24:
        return None
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0xFFFF
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        out.append((sec + frac / 1e6, data[off:off + caplen]))
        off += caplen
    return linktype, out


def udp_payload(linktype, frame):
    if linktype == 1:
        off, etype = 14, frame[12:14]
        while etype in (b"\x81\x00", b"\x88\xa8"):
            etype, off = frame[off + 2:off + 4], off + 4
        ip = frame[off:]
    elif linktype in (101, 228, 229):
        ip = frame
    else:
        return None
    if ip[:1] and ip[0] >> 4 == 4 and len(ip) >= 28 and ip[9] == 17:
        udp = ip[(ip[0] & 15) * 4:]
    elif ip[:1] and ip[0] >> 4 == 6 and len(ip) >= 48 and ip[6] == 17:
        udp = ip[40:]
    else:
        return None
    if len(udp) < 8 or not ({53, 5353} & set(struct.unpack("!HH", udp[:4]))):
        return None
    return udp[8:]


def save(folder, blob):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, hashlib.sha1(blob).hexdigest()), "wb") as f:
        f.write(blob)


# COF lines for fuzz_cofline: as pdnslog writes them and as others might.
COF_SEEDS = [
    b'{"rrname":"www.example.com","rrtype":"A","rdata":"192.0.2.1","time_first":1700000000,'
    b'"time_last":1700000100,"count":3,"sensor_id":"s1"}\n',
    b'{"rrname":"example.com","rrtype":"MX","rdata":"10 mx.example.com","time_first":1,"time_last":2,'
    b'"count":1,"bailiwick":"example.com"}',
    b'{"count":7,"x":{"y":[1,{"z":null},[],{}],"w":"}"},"rrtype":"TYPE65280","time_last":20,'
    b'"rrname":"n\\u00e9\\ud83d\\ude00","rdata":"\\\\# 2 abcd","time_first":10,"raw":[true,false,-0.5E-3]}',
    b'{"rrname":"a","rrtype":28,"rdata":"2001:db8::1","time_first":0,"time_last":0,"bailiwick":null}',
    b'{"rrname":"a","rrtype":"A","rdata":["192.0.2.1","192.0.2.2"],"time_first":0,"time_last":0}',
]


def main():
    out = sys.argv[1]
    for line in COF_SEEDS:
        save(os.path.join(out, "cofline"), line)
    for path in sys.argv[2:]:
        data = open(path, "rb").read()
        if len(data) <= 65536:
            save(os.path.join(out, "capture"), data)
        parsed = packets(data)
        if not parsed:
            continue
        linktype, pkts = parsed
        if linktype in LINKTYPES:
            blob, last = bytearray([LINKTYPES[linktype]]), None
            for ts, frame in pkts[:200]:
                step = 0 if last is None else min(255, max(0, int((ts - last) * 1000)))
                last = ts
                blob += struct.pack("!HB", len(frame), step) + frame
            save(os.path.join(out, "packets"), bytes(blob))
            blob[0] |= 0x40  # the same packets aggregated: -format cof, -pdns_db, -pdns_clients
            save(os.path.join(out, "packets"), bytes(blob))
        for _, frame in pkts:
            payload = udp_payload(linktype, frame)
            if payload:
                save(os.path.join(out, "dns"), payload)


main()
