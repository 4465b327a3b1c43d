/* Unit tests: link layers, IP headers and UDP down to the DNS payload. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pcap/dlt.h>
#include <string.h>

#include "decode/decode.h"

static struct packet got;
static int delivered;
static struct stats st;
static struct portset ports;

static struct encap got_encap;

static void on_deliver(void *ctx, const struct packet *p)
{
	got = *p;
	if (p->encap) { /* lent: keep a copy */
		got_encap = *p->encap;
		got.encap = &got_encap;
	}
	delivered++;
}

/* A frame of len bytes captured of wirelen on the wire. */
static void run_cut(int linktype, const uint8_t *frame, size_t len, size_t wirelen)
{
	memset(&st, 0, sizeof st);
	delivered = 0;
	portset_clear(&ports);
	portset_add(&ports, 53);
	struct decoder d = { .linktype = linktype, .ports = &ports, .stats = &st,
			     .deliver = on_deliver };
	decode_frame(&d, 1, 6, frame, len, wirelen);
}

static void run(int linktype, const uint8_t *frame, size_t len)
{
	run_cut(linktype, frame, len, len);
}

static const uint8_t dns_payload[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00";

/* IPv4 header (with ihl words) + UDP 1234 -> 53 + 12-byte payload at p. */
static size_t ipv4_udp(uint8_t *p, int ihl, uint16_t frag)
{
	size_t h = (size_t)ihl * 4, total = h + 8 + 12;
	memset(p, 0, h);
	p[0] = (uint8_t)(0x40 | ihl);
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	p[6] = (uint8_t)(frag >> 8);
	p[7] = (uint8_t)frag;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, "\xc0\xa8\x01\x02", 4);
	memcpy(p + 16, "\x08\x08\x08\x08", 4);
	uint8_t *u = p + h;
	u[0] = 0x04; u[1] = 0xd2; u[2] = 0; u[3] = 53; u[4] = 0; u[5] = 20; u[6] = u[7] = 0;
	memcpy(u + 8, dns_payload, 12);
	return total;
}

static void ethernet_qinq_ipv4_options_padding(void **state)
{
	uint8_t f[128] = { 0 };
	f[12] = 0x88; f[13] = 0xa8;           /* 802.1ad */
	f[16] = 0x81; f[17] = 0x00;           /* 802.1Q */
	f[20] = 0x08; f[21] = 0x00;
	size_t n = 22 + ipv4_udp(f + 22, 6, 0);
	run(DLT_EN10MB, f, n + 10);           /* 10 bytes of Ethernet padding */
	assert_int_equal(delivered, 1);
	assert_int_equal(got.len, 12);        /* padding trimmed by IP total length */
	assert_int_equal(got.sport, 1234);
	assert_int_equal(got.dport, 53);
	assert_int_equal(got.src.family, 4);
	assert_memory_equal(got.src.a, "\xc0\xa8\x01\x02", 4);
	assert_memory_equal(got.payload, dns_payload, 12);
}

static void sll_and_sll2(void **state)
{
	uint8_t f[128] = { 0 };
	f[14] = 0x08; f[15] = 0x00;
	size_t n = 16 + ipv4_udp(f + 16, 5, 0);
	run(DLT_LINUX_SLL, f, n);
	assert_int_equal(delivered, 1);
	memset(f, 0, sizeof f);
	f[0] = 0x08; f[1] = 0x00;
	n = 20 + ipv4_udp(f + 20, 5, 0);
	run(276 /* DLT_LINUX_SLL2 */, f, n);
	assert_int_equal(delivered, 1);
}

static void null_loopback_both_orders(void **state)
{
	uint8_t f[128] = { 2, 0, 0, 0 };     /* AF_INET little-endian */
	size_t n = 4 + ipv4_udp(f + 4, 5, 0);
	run(DLT_NULL, f, n);
	assert_int_equal(delivered, 1);
	f[0] = 0; f[3] = 2;                   /* network order (DLT_LOOP) */
	run(DLT_LOOP, f, n);
	assert_int_equal(delivered, 1);
}

static void ipv6_extension_headers(void **state)
{
	uint8_t f[200] = { 0 };
	uint8_t *ip = f;
	ip[0] = 0x60;
	size_t plen = 8 + 16 + 8 + 12;        /* hop-by-hop 8, dest opts 16, UDP, DNS */
	ip[4] = 0; ip[5] = (uint8_t)plen;
	ip[6] = 0;                            /* hop-by-hop */
	ip[7] = 64;
	ip[8] = 0x20; ip[9] = 0x01; ip[23] = 1;
	ip[24] = 0x20; ip[25] = 0x01; ip[39] = 2;
	uint8_t *e = ip + 40;
	e[0] = 60; e[1] = 0;                  /* -> dest opts, 8 bytes */
	e += 8;
	e[0] = 17; e[1] = 1;                  /* -> UDP, 16 bytes */
	e += 16;
	e[0] = 0x04; e[1] = 0xd2; e[3] = 53; e[5] = 20;
	memcpy(e + 8, dns_payload, 12);
	run(DLT_RAW, f, 40 + plen);
	assert_int_equal(delivered, 1);
	assert_int_equal(got.src.family, 6);
	assert_int_equal(got.src.a[15], 1);
	assert_int_equal(got.dst.a[15], 2);
	assert_int_equal(got.len, 12);
}

static void ipv6_endless_extension_chain(void **state)
{
	uint8_t f[40 + 8 * 40] = { 0 };
	f[0] = 0x60;
	f[4] = (8 * 40) >> 8;
	f[5] = (8 * 40) & 0xff;
	f[6] = 60;
	for (int i = 0; i < 40; i++)
		f[40 + 8 * i] = 60;           /* dest opts forever */
	run(DLT_RAW, f, sizeof f);
	assert_int_equal(delivered, 0);
	assert_int_equal(st.encap_too_deep, 1);
}

static void fragments_counted(void **state)
{
	uint8_t f[128];
	size_t n = ipv4_udp(f, 5, 0x2000);    /* MF */
	run(DLT_RAW, f, n);
	assert_int_equal(delivered, 0);
	assert_int_equal(st.ip_fragments, 1);
	n = ipv4_udp(f, 5, 0x4000);           /* DF only: not a fragment */
	run(DLT_RAW, f, n);
	assert_int_equal(delivered, 1);
}

static void lying_lengths(void **state)
{
	uint8_t f[128];
	size_t n = ipv4_udp(f, 5, 0);
	f[0] = 0x4f;                          /* header length 60 > packet */
	run(DLT_RAW, f, n);
	assert_int_equal(st.ip_bad, 1);
	n = ipv4_udp(f, 5, 0);
	f[3] = 10;                            /* total length 10 < header */
	run(DLT_RAW, f, n);
	assert_int_equal(st.ip_bad, 1);
	n = ipv4_udp(f, 5, 0);
	run_cut(DLT_RAW, f, n - 4, n);        /* cut by snaplen: decoded, marked */
	assert_int_equal(delivered, 1);
	assert_int_equal(st.ip_truncated, 1);
	assert_int_equal(st.ip_bad, 0);
	assert_true(got.truncated);
	assert_int_equal(got.len, 8);
	n = ipv4_udp(f, 5, 0);
	run(DLT_RAW, f, n - 4);               /* captured whole, total length lies */
	assert_int_equal(delivered, 1);       /* still decoded as far as it goes */
	assert_int_equal(st.ip_bad, 1);
	assert_int_equal(st.ip_truncated, 0);
	n = ipv4_udp(f, 5, 0);
	run_cut(DLT_RAW, f, 24, n);           /* the capture ends in the UDP header */
	assert_int_equal(delivered, 0);
	assert_int_equal(st.ip_truncated, 1); /* once, not again by UDP */
	assert_int_equal(st.udp_bad, 0);
	run_cut(DLT_RAW, f, 12, n);           /* ... or in the IP header */
	assert_int_equal(st.ip_truncated, 1);
	assert_int_equal(st.ip_bad, 0);
	n = ipv4_udp(f, 5, 0);
	f[20 + 5] = 200;                      /* UDP length beyond the IP packet */
	run(DLT_RAW, f, n);
	assert_int_equal(delivered, 1);       /* decoded as far as the bytes go */
	assert_int_equal(got.len, 12);
	assert_int_equal(st.udp_long, 1);
	assert_int_equal(st.udp_bad, 0);
}

static void other_ports_and_protocols(void **state)
{
	uint8_t f[128];
	size_t n = ipv4_udp(f, 5, 0);
	f[23] = 54;                           /* dport 54 */
	run(DLT_RAW, f, n);
	assert_int_equal(delivered, 0);
	assert_int_equal(st.not_dns_port, 1);
	n = ipv4_udp(f, 5, 0);
	f[9] = 1;                             /* ICMP */
	run(DLT_RAW, f, n);
	assert_int_equal(st.ip_other, 1);
	uint8_t e[20] = { 0 };
	e[12] = 0x08; e[13] = 0x06;           /* ARP */
	run(DLT_EN10MB, e, sizeof e);
	assert_int_equal(st.link_unknown, 1);
	run(DLT_EN10MB, e, 10);
	assert_int_equal(st.link_short, 1);
}

static void ip_in_ip_nested(void **state)
{
	enum { N = ENCAP_MAX_LAYERS + 1 };
	uint8_t f[(N + 1) * 20 + 40];
	/* N IPv4-in-IPv4 layers around the packet: one more than the limit. */
	size_t inner = ipv4_udp(f + N * 20, 5, 0);
	for (int i = N - 1; i >= 0; i--) {
		uint8_t *h = f + i * 20;
		size_t total = (size_t)(N - i) * 20 + inner;
		memset(h, 0, 20);
		h[0] = 0x45; h[2] = (uint8_t)(total >> 8); h[3] = (uint8_t)total; h[9] = 4;
		h[12] = 10; h[15] = (uint8_t)i;   /* 10.0.0.i -> 0.0.0.0 */
	}
	run(DLT_RAW, f, N * 20 + inner);
	assert_int_equal(delivered, 0);
	assert_int_equal(st.encap_too_deep, 1);
	/* One layer fewer decodes, each noted with its addresses, outermost first. */
	run(DLT_RAW, f + 20, (N - 1) * 20 + inner);
	assert_int_equal(delivered, 1);
	assert_int_equal(st.encap_ip, ENCAP_MAX_LAYERS);
	assert_non_null(got.encap);
	assert_int_equal(got.encap->n, ENCAP_MAX_LAYERS);
	for (int i = 0; i < ENCAP_MAX_LAYERS; i++) {
		assert_int_equal(got.encap->layer[i].type, ENCAP_IP);
		assert_int_equal(got.encap->layer[i].family, 4);
		assert_int_equal(got.encap->layer[i].src[3], i + 1);
	}
	assert_memory_equal(got.src.a, "\xc0\xa8\x01\x02", 4); /* the innermost header's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ethernet_qinq_ipv4_options_padding),
		cmocka_unit_test(sll_and_sll2),
		cmocka_unit_test(null_loopback_both_orders),
		cmocka_unit_test(ipv6_extension_headers),
		cmocka_unit_test(ipv6_endless_extension_chain),
		cmocka_unit_test(fragments_counted),
		cmocka_unit_test(lying_lengths),
		cmocka_unit_test(other_ports_and_protocols),
		cmocka_unit_test(ip_in_ip_nested),
	};
	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
