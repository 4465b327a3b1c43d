#!/usr/bin/python3
"""Generate tests/unit/rdata_vectors.txt: rdata test vectors from dnspython.

Each case is a type and either a presentation-format example (turned into
wire form by dnspython) or raw wire bytes in hex.  dnspython decodes the wire
bytes and writes its own text, which is the reference the C printer is held
against (test_rdata.c compares after the same normalization as
/work/shared/tools/compare_flat.py).

Output lines: TYPE_NUMBER <TAB> WIRE_RDATA_HEX <TAB> DNSPYTHON_TEXT

It also writes rrtype_names.txt: NUMBER <TAB> MNEMONIC for every type that
dns.rdatatype.to_text() names, which the C type table must agree with.

usage: /usr/bin/python3 tests/unit/gen_rdata_vectors.py [OUTDIR]
(OUTDIR defaults to the directory of this script)
"""
import binascii
import os
import sys

import dns.rdata
import dns.rdataclass
import dns.rdatatype

IN = dns.rdataclass.IN

# (type mnemonic or number, presentation text)
TEXT_CASES = [
    ("A", "192.0.2.1"),
    ("A", "0.0.0.0"),
    ("A", "255.255.255.255"),
    ("NS", "ns1.example.com."),
    ("NS", "."),
    ("CNAME", "www.example.net."),
    ("CNAME", "a\\.b\\032c\\\"d\\(e\\)f\\;g\\@h\\$i\\\\j.example."),
    ("CNAME", "\\000\\255\\127.example."),
    ("SOA", "ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"),
    ("SOA", ". . 0 0 0 0 4294967295"),
    ("PTR", "1.2.0.192.in-addr.arpa."),
    ("HINFO", '"INTEL-386" "Unix"'),
    ("HINFO", '"" ""'),
    ("MX", "10 mx.example.com."),
    ("MX", "0 ."),
    ("TXT", '"v=spf1 -all"'),
    ("TXT", '"hello world" "second string"'),
    ("TXT", '"quote\\" backslash\\\\ semicolon; tab\\009 nul\\000 high\\255\\200 del\\127"'),
    ("TXT", '""'),
    ("TXT", '"a" "" "b"'),
    ("TXT", '"' + "x" * 255 + '"'),
    ("TXT", '"(parens) @at $dollar {brace} ~tilde"'),
    ("SPF", '"v=spf1 ip4:192.0.2.0/24 include:_spf.example.com ~all"'),
    ("RP", "admin.example.com. info.example.com."),
    ("RP", ". ."),
    ("AFSDB", "1 afsdb.example.com."),
    ("X25", '"311061700956"'),
    ("ISDN", '"150862028003217" "004"'),
    ("ISDN", '"150862028003217"'),
    ("RT", "10 relay.example.com."),
    ("NSAP", "0x47000580005a0000000001e133ffffff00016100"),
    ("NSAP-PTR", "foo.example."),
    ("PX", "10 net2.it. PRMD-net2.ADMD-p400.C-it."),
    ("GPOS", "-32.6882 116.8652 10.0"),
    ("GPOS", "+1 2. .3"),
    ("AAAA", "2001:db8::1"),
    ("AAAA", "::"),
    ("AAAA", "::1"),
    ("AAAA", "::ffff:192.0.2.1"),
    ("AAAA", "::192.0.2.1"),
    ("AAAA", "2001:db8:0:0:1:0:0:1"),
    ("AAAA", "2001:db8:0:1:1:1:1:1"),
    ("AAAA", "fe80::"),
    ("AAAA", "1:0:0:2:0:0:0:3"),
    ("AAAA", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff"),
    ("AAAA", "0:0:0:0:0:1:0:0"),
    ("LOC", "52 22 23.000 N 4 53 32.000 E -2.00m"),
    ("LOC", "42 21 54 N 71 06 18 W -24m 30m"),
    ("LOC", "42 21 43.952 N 71 5 6.344 W -24m 1m 200m 10m"),
    ("LOC", "0 0 0.000 N 0 0 0.000 E 0.00m"),
    ("LOC", "90 0 0.000 S 180 0 0.000 W 42849672.95m 90000000m 90000000m 90000000m"),
    ("LOC", "60 9 0.510 N 24 39 0.000 E 10.00m 20.00m 2000.00m 20.00m"),
    ("LOC", "35 0 0.001 S 149 7 59.999 E -100000.00m 0m 0m 0m"),
    ("LOC", "1 2 3.456 N 7 8 9.012 W 0.01m 1m 10000m 10m"),
    ("SRV", "0 5 5060 sipserver.example.com."),
    ("SRV", "65535 65535 65535 ."),
    ("NAPTR", '100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .'),
    ("NAPTR", '102 10 "S" "SIP+D2T" "" _sip._tcp.example.com.'),
    ("KX", "10 kx.example.com."),
    ("CERT", "PKIX 12345 RSASHA256 MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"),
    ("CERT", "65000 0 0 AQID"),
    ("CERT", "URI 1 253 aHR0cDovL2V4YW1wbGUuY29tLw=="),
    ("CERT", "IPGP 0 PRIVATEOID AQ=="),
    ("DNAME", "example.net."),
    ("APL", "1:192.168.32.0/21 !1:192.168.38.0/28"),
    ("APL", "1:224.0.0.0/4 2:FF00:0:0:0:0:0:0:0/8"),
    ("APL", "!2:2001:db8::/32 1:0.0.0.0/0 2:::/0"),
    ("APL", ""),
    ("DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"),
    ("DS", "20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"),
    ("SSHFP", "2 1 123456789abcdef67890123456789abcdef67890"),
    ("SSHFP", "4 2 4ce5f2a8f12e8f61fd7dbe2a97e1c1d8d1fd5f6e3c0f1a7f6c2a3e5d7b9f1c2e"),
    ("IPSECKEY", "10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=="),
    ("IPSECKEY", "10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=="),
    ("IPSECKEY", "10 3 2 mygateway.example.com. AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=="),
    ("IPSECKEY", "10 2 2 2001:0DB8:0:8002::2000:1 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ=="),
    ("RRSIG", "A 8 3 86400 20240315000000 20240301000000 12345 example.com. "
              "oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6o"),
    ("RRSIG", "TYPE65534 13 0 0 19700101000000 21060207062815 0 . AAAA"),
    ("RRSIG", "NSEC3PARAM 13 2 0 20000229235959 19991231235959 65535 example. AA=="),
    ("NSEC", "host.example.com. A MX RRSIG NSEC TYPE1234"),
    ("NSEC", "a.example. NS SOA MX TXT AAAA RRSIG NSEC DNSKEY CAA TYPE1000 TYPE65534 TYPE65535"),
    ("NSEC", "\\000.example. A"),
    ("NSEC", "example. DLV TA URI AVC AMTRELAY SPF NID EUI64 TKEY TSIG IXFR AXFR MAILB MAILA ANY"),
    ("DNSKEY", "257 3 8 AwEAAagAIKlVZrpC6Ia7gEzahOR+9W29euxhJhVVLOyQbSEW0O8gcCjFFVQUTf6v58fLjwBd0YI0EzrAcQqBGCzh/RStIoO8g0NfnfL2MTJRkxoXbfDaUeVPQuYEhg37NZWAJQ9VnMVDxP/VHL496M/QZxkjf5/Efucp2gaDX6RS6CXpoY68LsvPVjR0ZSwzz1apAzvN9dlzEheX7ICJBBtuA6G3LQpzW5hOA2hzCTMjJPJ8LbqF6dsV6DoBQzgul0sGIcGOYl7OyQdXfZ57relSQageu+ipAdTTJ25AsRTAoub8ONGcLmqrAmRLKBP1dfwhYB4N7knNnulqQxA+Uk1ihz0="),
    ("DNSKEY", "256 3 13 oJMRESz5E4gYzS/q6XDrvU1qMPYIjCWzJaOau8XNEZeqCYKD5ar0IRd8KqXXFJkqmVfRvMGPmM1x8fGAa2XhSA=="),
    ("CDNSKEY", "0 3 0 AA=="),
    ("DHCID", "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA="),
    ("NSEC3", "1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA NSEC3PARAM RRSIG"),
    ("NSEC3", "1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s"),
    ("NSEC3PARAM", "1 0 0 -"),
    ("NSEC3PARAM", "1 1 10 d399eaab"),
    ("TLSA", "3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6"),
    ("TLSA", "0 0 1 d2abde240d7cd3ee6b4b28c54df034b97983a1d16e8a410e4561cb106618e971"),
    ("SMIMEA", "3 1 1 0c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6"),
    ("HIP", "2 200100107B1A74DF365639CC39F1D578 AwEAAbdxyhNuSutc5EMzxTs9LBPCIkOFH8cIvM4p9+LrV4e19WzK00+CI6zBCQTdtWsuxKbWIy87UOoJTwkUs7lBu+Upr1gsNrut79ryra+bSRGQb1slImA8YVJyuIDsj7kwzG7jnERNqnWxZ48AWkskmdHaVDP4BcelrTI3rMXdXF5D rvs.example.com."),
    ("HIP", "2 200100107B1A74DF365639CC39F1D578 AwEAAQ== rvs1.example.com. rvs2.example.com."),
    ("HIP", "2 00 AA=="),
    ("NINFO", '"some info"'),
    ("CDS", "0 0 0 00"),
    ("CDS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"),
    ("OPENPGPKEY", "mQENBFVHm5sBCADOkw4wGSETMrEqUmJfY1B9r5Z7Ygz+7C1ZGjCG+8fK+H0E"),
    ("CSYNC", "66 3 A NS AAAA"),
    ("CSYNC", "4294967295 0"),
    ("ZONEMD", "2018031900 1 1 FEBE3D4CE2EC2FFA4BA99D46CD69D6D29711E55217057BEE7EB1A7B641A47BA7FED2DD5B97AE499FAFA4F22C6BD647DE"),
    ("ZONEMD", "2018031900 1 240 e2d523f654b9422a96c5a8f44607bbee"),
    ("SVCB", "0 foo.example.com."),
    ("SVCB", "1 ."),
    ("SVCB", "16 foo.example.com. port=53"),
    ("SVCB", "1 foo.example.com. key667=hello"),
    ("SVCB", '1 foo.example.com. key667="hello\\210qoo"'),
    ("SVCB", '1 foo.example.com. ipv6hint="2001:db8::1,2001:db8::53:1"'),
    ("SVCB", "1 example.com. ipv6hint=2001:db8:122:344::192.0.2.33"),
    ("SVCB", '16 foo.example.org. alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1'),
    ("SVCB", '16 foo.example.org. alpn="f\\\\\\\\oo\\\\,bar,h2"'),
    ("SVCB", "1 foo.example.com. mandatory=key65000,port port=8443 key65000"),
    ("SVCB", "1 . key65535 key7=/dns-query{?dns}"),
    ("SVCB", "1 svc.example. alpn=h2 no-default-alpn port=8004 ech=AEX+DQBBpQAgACBAVSg5lJbHl1Ka/X3VmdAE3+OK9zL1gYCqSJXtH5FqXgAEAAEAAQASY2xvdWRmbGFyZS1lY2guY29tAAA= ipv6hint=::1"),
    ("SVCB", "1 svc.example. alpn=\\001\\127\\255x"),
    ("SVCB", '1 svc.example. alpn="a\\"b"'),
    ("SVCB", "1 svc.example. ipv4hint=192.0.2.1,198.51.100.2,203.0.113.3"),
    ("HTTPS", "1 . alpn=h3,h2 ipv4hint=104.16.132.229,104.16.133.229 ipv6hint=2606:4700::6810:84e5,2606:4700::6810:85e5"),
    ("HTTPS", "0 svc.example.net."),
    ("HTTPS", "1 . alpn=h2"),
    ("HTTPS", "2 . ech=AEX+DQBB"),
    ("SPF", '"v=spf1" " a mx" " -all"'),
    ("NID", "10 0014:4fff:ff20:ee64"),
    ("L32", "10 10.1.2.0"),
    ("L64", "10 2001:0db8:1140:1000"),
    ("LP", "10 l64-subnet.example.com."),
    ("EUI48", "00-00-5e-00-53-2a"),
    ("EUI64", "00-00-5e-ef-10-00-00-2a"),
    ("TKEY", "gss-tsig. 1700000000 1700003600 3 0 AAECAwQFBgc= "),
    ("TKEY", "hmac-sha256. 0 4294967295 2 17 AAAA AQID"),
    ("TSIG", "hmac-sha256. 1700000000 300 32 MrjLH2GwqMzxKPi4BBH0n5ttH89dQYdiTP/LsrNcOlk= 12345 NOERROR 0"),
    ("TSIG", "hmac-md5.sig-alg.reg.int. 281474976710655 65535 16 AAECAwQFBgcICQoLDA0ODw== 0 BADSIG 6 AAAAAAAA"),
    ("TSIG", "hmac-sha1. 1 2 4 AAAAAA== 65535 BADTIME 0"),
    ("URI", '10 1 "ftp://ftp1.example.com/public"'),
    ("URI", '0 0 "http://example.com/?a=b&c=d;e"'),
    ("URI", '1 2 "quote\\"back\\\\slash"'),
    ("CAA", '0 issue "letsencrypt.org"'),
    ("CAA", '128 tbs "Unknown"'),
    ("CAA", '0 iodef "mailto:security@example.com"'),
    ("CAA", '0 issue ";"'),
    ("CAA", '0 issuewild "ca.example.net; account=230123"'),
    ("CAA", '0 issue ""'),
    ("CAA", '0 issue "quote\\"back\\\\slash\\255"'),
    ("AVC", '"app-name:WOLFGANG|app-class:OAM|business=yes"'),
    ("AMTRELAY", "0 0 0 ."),
    ("AMTRELAY", "10 1 1 203.0.113.15"),
    ("AMTRELAY", "128 0 2 2001:db8::15"),
    ("AMTRELAY", "255 1 3 amtrelays.example.com."),
    ("DLV", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"),
    ("WKS", "192.0.2.1 6 21 22 25 80 443"),
    ("WKS", "10.0.0.1 17 0 53 1023"),
    ("WKS", "192.0.2.2 6"),
    ("TYPE65534", "\\# 5 0801230001"),
    ("TYPE65534", "\\# 0"),
    ("TYPE1234", "\\# 3 abcdef"),
]

# (type, wire hex): rdata that has no text form in dnspython, or that is
# easier to give as bytes (types dnspython writes generically).  Types where
# pdnslog writes dig's form instead (MD MF MB MG MR MINFO SIG KEY DOA TA ...)
# are held to exact strings in test_rdata.c, not here.
WIRE_CASES = [
    ("NULL", "000102ff"),
    ("NULL", ""),
    ("NXT", "03666f6f0040000000"),
    ("A6", "40000000000000000100"),
    (66, "0001000102"),     # DSYNC
    (261, "0161"),          # RESINFO
    (262, "03414243"),      # WALLET
    (65280, "deadbeef"),    # private use
    (0, "00"),
    # TSIG with an empty MAC and error 16 (BADSIG), and an unnamed error
    ("TSIG", "00" "ffffffffffff" "ffff" "0000" "0000" "0010" "0006" "000000000000"),
    ("TSIG", "00" "000000000001" "0000" "0000" "0001" "000c" "0000"),
    # NSEC3 next-hashed-owner lengths that need base32 padding
    ("NSEC3", "01000000000101"),
    ("NSEC3", "0100000000020102"),
    ("NSEC3", "010000000003010203"),
    ("NSEC3", "01000000000401020304"),
    ("NSEC3", "01000000" "00" "00" "200180"),  # empty next, window 32: TYPE8192
    # registered types dnspython 2.3 does not name: TYPEnnn inside rdata
    ("NSEC", "00" "00069800c0000000" "0101f0"),
    ("CSYNC", "00000001" "0000" "0006" "000000" "01a080" "0101" "f8"),
    ("RRSIG", "0042" "08" "02" "00000e10" "65f38f80" "65e11a80" "3039" "00" "0102"),
    ("RRSIG", "0103" "08" "02" "00000e10" "65f38f80" "65e11a80" "3039" "00" "0102"),
    # NSEC with type 0 set (no text form), and a window with no bits set
    ("NSEC", "00000180"),
    ("NSEC", "00000100"),
    # TXT with no strings at all
    ("TXT", ""),
    # APL with the address bytes truncated as on the wire (RFC 3123 4.1)
    ("APL", "00011801c0"),
    ("APL", "00024003" "20010d"),
    # SVCB: an unknown key with an empty value, mandatory with no keys
    ("SVCB", "0001" "00" "0000" "0000" "fde8" "0000"),
    ("SVCB", "0001" "00" "0001" "0000"),
    # HTTPS ipv4hint/alpn empty values
    ("HTTPS", "00010000040000"),
    ("HTTPS", "00010000050000"),
    # CAA tag in capitals
    ("CAA", "0005495353554561"),
    # LOC with the minimum and maximum coordinates
    ("LOC", "00121613" + "%08x" % (0x80000000 - 90 * 3600000) + "%08x" % (0x80000000 + 180 * 3600000) + "00000000"),
    ("LOC", "00000000" + "80000000" + "80000000" + "00989680"),
    ("LOC", "00999999" + "80000001" + "7fffffff" + "ffffffff"),
]


def type_number(t):
    return t if isinstance(t, int) else int(dns.rdatatype.from_text(t))


def emit(out, rdtype, wire):
    rd = dns.rdata.from_wire(IN, rdtype, wire, 0, len(wire))
    text = rd.to_text()
    assert "\t" not in text and "\n" not in text
    out.write("%d\t%s\t%s\n" % (rdtype, binascii.hexlify(wire).decode(), text))


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(outdir, "rdata_vectors.txt"), "w") as out:
        for t, text in TEXT_CASES:
            rdtype = type_number(t)
            rd = dns.rdata.from_text(IN, rdtype, text)
            emit(out, rdtype, rd.to_wire())
        for t, hexwire in WIRE_CASES:
            emit(out, type_number(t), binascii.unhexlify(hexwire))
    with open(os.path.join(outdir, "rrtype_names.txt"), "w") as out:
        for n in range(65536):
            name = dns.rdatatype.to_text(n)
            if name != "TYPE%d" % n:
                out.write("%d\t%s\n" % (n, name))


if __name__ == "__main__":
    main()
