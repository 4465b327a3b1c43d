/* Unit tests: the default filter's text and its C shortcut, held against
 * libpcap itself.
 *
 * dnsfilter_accepts() lets packets skip the BPF interpreter, so it must
 * never say yes where the compiled filter says no.  Every packet of every
 * test capture, and many damaged copies of each (cut short, fragment bits,
 * header lengths, protocols, ports, ethertypes changed), is run through
 * both.  Run from the top of the tree (make check does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glob.h>
#include <pcap/pcap.h>
#include <string.h>

#include "capture/dnsfilter.h"

struct verdicts {
	unsigned long packets;   /* frames tried */
	unsigned long shortcut;  /* dnsfilter_accepts() said yes */
	unsigned long filter;    /* the compiled filter said yes */
};

static void try_frame(const struct dnsfilter *df, const struct bpf_program *prog,
		      const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
		      struct verdicts *v)
{
	struct pcap_pkthdr h = { .caplen = caplen, .len = wirelen };
	bool fast = dnsfilter_accepts(df, frame, caplen);
	bool bpf = pcap_offline_filter(prog, &h, frame) != 0;
	v->packets++;
	v->shortcut += fast;
	v->filter += bpf;
	if (fast && !bpf)
		fail_msg("shortcut accepts a frame the filter rejects (caplen %u)", caplen);
}

/* The frame as it is and damaged in the places the shortcut reads. */
static void try_variants(const struct dnsfilter *df, const struct bpf_program *prog,
			 const uint8_t *data, uint32_t caplen, uint32_t wirelen,
			 struct verdicts *v)
{
	uint8_t f[256];
	uint32_t n = caplen < sizeof f ? caplen : sizeof f;
	memcpy(f, data, n);
	try_frame(df, prog, f, n, wirelen, v);
	for (uint32_t cut = 0; cut < n; cut += 1 + cut / 16)
		try_frame(df, prog, f, cut, wirelen, v);
	if (n < 14 + 40)
		return;
	static const struct { size_t at; uint8_t values[6]; } edits[] = {
		{ 12, { 0x08, 0x86, 0x81, 0x88, 0x00, 0x91 } },  /* ethertype high byte */
		{ 13, { 0x00, 0xDD, 0x47, 0x64, 0xA8, 0x06 } },  /* ethertype low byte */
		{ 14, { 0x45, 0x46, 0x4F, 0x44, 0x40, 0x60 } },  /* version / header length */
		{ 20, { 0x00, 0x20, 0x3F, 0x40, 0x80, 0x01 } },  /* v4 flags+offset, v6 next header */
		{ 21, { 0x00, 0x01, 0xFF, 0x06, 0x11, 0x2B } },  /* v4 offset low byte */
		{ 23, { 0x06, 0x11, 0x84, 0x01, 0x04, 0x29 } },  /* v4 protocol */
		{ 34, { 0x00, 0x35, 0x14, 0xE9, 0xFF, 0x01 } },  /* v4 ports (20-byte header) */
		{ 35, { 0x35, 0x00, 0xE9, 0x14, 0x01, 0xFF } },
		{ 37, { 0x35, 0x00, 0xE9, 0x14, 0x01, 0xFF } },
		{ 54, { 0x00, 0x35, 0x14, 0xE9, 0xFF, 0x01 } },  /* v6 ports */
		{ 55, { 0x35, 0x00, 0xE9, 0x14, 0x01, 0xFF } },
		{ 57, { 0x35, 0x00, 0xE9, 0x14, 0x01, 0xFF } },
	};
	for (size_t e = 0; e < sizeof edits / sizeof edits[0]; e++) {
		if (edits[e].at >= n)
			continue;
		for (size_t k = 0; k < 6; k++) {
			uint8_t g[256];
			memcpy(g, f, n);
			g[edits[e].at] = edits[e].values[k];
			try_frame(df, prog, g, n, wirelen, v);
			try_frame(df, prog, g, 14 + 40 + 2, wirelen, v); /* v6 ports half there */
			try_frame(df, prog, g, 14 + 20 + 3, wirelen, v); /* v4 ports half there */
		}
	}
}

static void check_capture(const char *path, const struct portset *ports, struct verdicts *v)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	if (!p)
		return; /* not every file there is a capture libpcap reads */
	struct dnsfilter df = { .linktype = pcap_datalink(p), .ports = ports };
	static struct tunnel_ports tunnels;
	tunnel_ports_default(&tunnels);
	char expr[8192];
	assert_true(dnsfilter_expr(expr, sizeof expr, ports, &tunnels, df.linktype));
	struct bpf_program prog;
	assert_int_equal(pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN), 0);
	struct pcap_pkthdr *h;
	const u_char *d;
	while (pcap_next_ex(p, &h, &d) == 1)
		try_variants(&df, &prog, d, h->caplen, h->len, v);
	pcap_freecode(&prog);
	pcap_close(p);
}

static void shortcut_never_overrules(void **state)
{
	glob_t g;
	assert_int_equal(glob("tests/corpus/pcaps/*.pcap*", 0, NULL, &g), 0);
	assert_int_equal(glob("tests/corpus/gen/*.pcap", GLOB_APPEND, NULL, &g), 0);
	static struct portset dns, several;
	portset_clear(&dns);
	portset_add(&dns, 53);
	portset_clear(&several);
	for (unsigned p = 5300; p <= 5310; p++)
		portset_add(&several, (uint16_t)p);
	portset_add(&several, 53);
	portset_add(&several, 5353);
	struct verdicts v = { 0 };
	for (size_t i = 0; i < g.gl_pathc; i++) {
		check_capture(g.gl_pathv[i], &dns, &v);
		check_capture(g.gl_pathv[i], &several, &v);
	}
	globfree(&g);
	print_message("%lu frames: filter accepts %lu, shortcut %lu of them\n",
		      v.packets, v.filter, v.shortcut);
	/* The shortcut must also be worth having: most real DNS packets take it. */
	assert_true(v.packets > 100000);
	assert_true(v.shortcut > v.filter / 4);
}

/* A UDP/IPv4 frame from port 40000 to `port`. */
static uint32_t udp_frame(uint8_t *f, uint16_t port)
{
	memset(f, 0, 64);
	f[12] = 0x08;                    /* IPv4 */
	f[14] = 0x45;
	f[23] = 17;                      /* UDP */
	f[34] = 40000 >> 8;
	f[35] = 40000 & 0xFF;
	f[36] = (uint8_t)(port >> 8);
	f[37] = (uint8_t)port;
	return 64;
}

/* The filter's text names exactly the ports of the set: no more, no fewer
 * (it used to be built from the -ports text, where "053" is octal to
 * libpcap and decimal to the decoder). */
static void expr_is_the_port_set(void **state)
{
	static struct portset sets[4];
	for (int i = 0; i < 4; i++)
		portset_clear(&sets[i]);
	portset_add(&sets[0], 53);
	portset_add(&sets[1], 1);
	portset_add(&sets[1], 65535);
	for (unsigned p = 5300; p <= 5310; p++)
		portset_add(&sets[1], (uint16_t)p);
	for (unsigned p = 1; p <= 65535; p++)
		portset_add(&sets[2], (uint16_t)p);
	for (unsigned p = 1000; p < 3000; p += 2) /* too many to list: all UDP and TCP */
		portset_add(&sets[3], (uint16_t)p);
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	for (int i = 0; i < 4; i++) {
		char expr[8192];
		assert_true(dnsfilter_expr(expr, sizeof expr, &sets[i], NULL, DLT_EN10MB));
		struct bpf_program prog;
		assert_int_equal(pcap_compile(dead, &prog, expr, 1, PCAP_NETMASK_UNKNOWN), 0);
		for (unsigned p = 1; p <= 65535; p++) {
			uint8_t f[64];
			struct pcap_pkthdr h = { .caplen = udp_frame(f, (uint16_t)p), .len = 64 };
			bool want = i == 3 || portset_has(&sets[i], (uint16_t)p);
			if ((pcap_offline_filter(&prog, &h, f) != 0) != want)
				fail_msg("set %d, port %u: filter says %d", i, p, !want);
		}
		pcap_freecode(&prog);
	}
	pcap_close(dead);
}

/* With the UDP tunnels, their ports pass too, and no other. */
static void expr_has_the_tunnel_ports(void **state)
{
	static struct portset dns;
	static struct tunnel_ports tunnels;
	portset_clear(&dns);
	portset_add(&dns, 53);
	tunnel_ports_default(&tunnels);
	tunnels.kind[4789] = TUNNEL_NONE;
	tunnels.kind[9999] = TUNNEL_VXLAN;
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	char expr[8192];
	assert_true(dnsfilter_expr(expr, sizeof expr, &dns, &tunnels, DLT_EN10MB));
	struct bpf_program prog;
	assert_int_equal(pcap_compile(dead, &prog, expr, 1, PCAP_NETMASK_UNKNOWN), 0);
	for (unsigned p = 1; p <= 65535; p++) {
		uint8_t f[64];
		struct pcap_pkthdr h = { .caplen = udp_frame(f, (uint16_t)p), .len = 64 };
		bool want = p == 53 || tunnels.kind[p] != TUNNEL_NONE;
		if ((pcap_offline_filter(&prog, &h, f) != 0) != want)
			fail_msg("port %u: filter says %d", p, !want);
	}
	pcap_freecode(&prog);
	pcap_close(dead);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shortcut_never_overrules),
		cmocka_unit_test(expr_is_the_port_set),
		cmocka_unit_test(expr_has_the_tunnel_ports),
	};
	return cmocka_run_group_tests_name("dnsfilter", tests, NULL, NULL);
}
