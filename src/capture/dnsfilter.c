/* dnsfilter: the default BPF filter, and its common case in C. */
#include "capture/dnsfilter.h"

#include <pcap/dlt.h>
#include <stdio.h>

#include "util/byteorder.h"

/* "port 53 or portrange 5300-5310 ...": the set itself, so that the filter
 * and the decoder never read -ports differently; with a tunnel set, the
 * ports of any UDP tunnel. */
static bool ports_expr(char *out, size_t len, const struct portset *ports,
		       const struct tunnel_ports *tunnels)
{
	size_t n = 0;
#define IN(p) (tunnels ? tunnels->kind[p] != TUNNEL_NONE : portset_has(ports, (uint16_t)(p)))
	for (unsigned p = 1; p <= 65535; p++) {
		if (!IN(p))
			continue;
		unsigned last = p;
		while (last < 65535 && IN(last + 1))
			last++;
		int w = last == p ? snprintf(out + n, len - n, "%sport %u", n ? " or " : "", p)
				  : snprintf(out + n, len - n, "%sportrange %u-%u", n ? " or " : "", p, last);
		if (w < 0 || (size_t)w >= len - n)
			return false;
		n += (size_t)w;
		p = last;
	}
#undef IN
	return n > 0;
}

bool dnsfilter_expr(char *out, size_t len, const struct portset *ports,
		    const struct tunnel_ports *tunnels, int linktype)
{
	/* Where libpcap's filter language misreads the headers, no filter:
	 * it takes a pflog header's IPv6 family for Linux's (10, where OpenBSD
	 * writes 24), and leaves the fourth address out of an 802.11 header
	 * (frames to and from the distribution system). */
	switch (linktype) {
	case 105: case 117: case 127: case 192: /* 802.11, pflog, radiotap, PPI */
		if (len == 0)
			return false;
		*out = 0;
		return true;
	default:
		break;
	}
	char port_expr[1024], tunnel_expr[512] = "";
	if (!ports_expr(port_expr, sizeof port_expr, ports, NULL))
		snprintf(port_expr, sizeof port_expr, "udp or tcp"); /* too many to list */
	char t[sizeof tunnel_expr - 20];
	if (tunnels && ports_expr(t, sizeof t, NULL, tunnels))
		snprintf(tunnel_expr, sizeof tunnel_expr, " or (udp and (%s))", t);
	else if (tunnels)
		for (unsigned p = 1; p <= 65535; p++)
			if (tunnels->kind[p] != TUNNEL_NONE) { /* too many to list */
				snprintf(tunnel_expr, sizeof tunnel_expr, " or udp");
				break;
			}
	/* IPv4 fragments (later ones carry no ports), IP-in-IP (4, 41), GRE
	 * (47, with PPTP and ERSPAN), the UDP tunnels' ports, and IPv6 whose
	 * first next header is an extension header (0, 43, 44, 60), a tunnel
	 * or GRE.  Everything inside a tunnel passes: libpcap cannot look into
	 * most of them, and the decoder decides. */
	char x[2048];
	int w = snprintf(x, sizeof x, "(%s or (ip[6:2] & 0x3fff != 0) or ip proto 4 or ip proto 41 or "
			 "ip proto 47 or (ip6 and (ip6[6] = 0 or ip6[6] = 43 or ip6[6] = 44 or "
			 "ip6[6] = 60 or ip6[6] = 4 or ip6[6] = 41 or ip6[6] = 47))%s)",
			 port_expr, tunnel_expr);
	if (w < 0 || (size_t)w >= sizeof x)
		return false;
	/* On Ethernet also MPLS and PPPoE sessions, untagged and inside one or
	 * two VLAN tags.  The vlan keyword moves the offsets of everything
	 * after it in the expression, and so would mpls and pppoes: hence
	 * the tagged cases last, nested, and MPLS and PPPoE by EtherType (at
	 * the offset the tags moved it to), whatever they carry. */
	if (linktype == DLT_EN10MB)
		w = snprintf(out, len, "%s or ether[12:2] = 0x8847 or ether[12:2] = 0x8864 or "
			     "(vlan and (%s or ether proto 0x8847 or ether proto 0x8864 or "
			     "(vlan and (%s or ether proto 0x8847 or ether proto 0x8864))))", x, x, x);
	else
		w = snprintf(out, len, "%s", x);
	return w >= 0 && (size_t)w < len;
}

/* What libpcap's "port N" tests, and where: the transport's first four
 * bytes at l4, both of them within the capture. */
static bool on_dns_port(const struct portset *ports, const uint8_t *frame, uint32_t caplen,
			size_t l4)
{
	return l4 + 4 <= caplen &&
	       (portset_has(ports, be16(frame + l4)) ||
		portset_has(ports, be16(frame + l4 + 2)));
}

bool dnsfilter_accepts(const void *filter, const uint8_t *frame, uint32_t caplen)
{
	const struct dnsfilter *f = filter;
	if (f->linktype != DLT_EN10MB || caplen < 14 + 40)
		return false;
	const uint8_t *ip = frame + 14;
	switch (be16(frame + 12)) {
	case 0x0800: {
		/* "ip and (tcp or udp) and not a later fragment": the ports
		 * are past the header length the packet gives. */
		size_t ihl = (size_t)(ip[0] & 0x0F) * 4;
		if (ihl < 20 || (ip[9] != 6 && ip[9] != 17) || (be16(ip + 6) & 0x1FFF) != 0)
			return false;
		return on_dns_port(f->ports, frame, caplen, 14 + ihl);
	}
	case 0x86DD:
		/* "ip6 and (tcp or udp)" as the first next header */
		if (ip[6] != 6 && ip[6] != 17)
			return false;
		return on_dns_port(f->ports, frame, caplen, 14 + 40);
	default:
		return false;
	}
}
