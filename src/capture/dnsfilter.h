/* dnsfilter: the BPF filter pdnslog uses when -bpf is not given, and a cheap
 * C test for the packets it surely accepts.
 *
 * A capture file has no kernel to run the filter: libpcap interprets the BPF
 * program for every packet, which cost as much as a fifth of reading the
 * file.  Most packets are plain UDP or TCP on a DNS port, which the filter
 * accepts whatever else it says; dnsfilter_accepts() recognises those with
 * a few loads and compares, and the interpreter decides the rest.  The test
 * only ever says yes where the filter does, so what passes is the same. */
#ifndef PDNSLOG_DNSFILTER_H
#define PDNSLOG_DNSFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

struct dnsfilter {
	int linktype;                /* DLT_* of the capture */
	const struct portset *ports; /* -ports */
};

/* The filter's text: the ports, and what the decoder must see to find DNS
 * the ports alone would miss (IP fragments, IP-in-IP, GRE, the UDP tunnels'
 * ports, IPv6 extension headers; on Ethernet also MPLS, PPPoE and one or
 * two VLAN tags).  tunnels may be NULL.  Empty (no filter) for the link
 * types whose headers libpcap's filter language misreads (pflog, 802.11).
 * False if it does not fit in len bytes. */
bool dnsfilter_expr(char *out, size_t len, const struct portset *ports,
		    const struct tunnel_ports *tunnels, int linktype);

/* True only for frames the filter accepts: untagged Ethernet, IPv4 (not a
 * fragment) or IPv6 (UDP or TCP as the first next header), a DNS port at
 * either end, the ports within the captured bytes.  False says nothing. */
bool dnsfilter_accepts(const void *filter, const uint8_t *frame, uint32_t caplen);

#endif
