/* test_rdata: the rdata printer and the rrtype tables.
 *
 * Reference texts come from dnspython (tests/unit/gen_rdata_vectors.py writes
 * rdata_vectors.txt and rrtype_names.txt); they are compared after the same
 * normalization as the project's compare_flat.py.  Exact-string tests cover
 * the hot types and the generic form; a deterministic fuzz pass feeds every
 * type number random and truncated rdata.
 *
 * usage: test_rdata [VECTOR_DIR]   (or PDNSLOG_VECTORS=DIR; default tests/unit) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/errors.h"
#include "dns/message.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"
#include "util/strbuf.h"

static const char *vector_dir = "tests/unit";

/* ---- helpers ---- */

/* compare_flat.py's norm_rdata: split on whitespace, strip '"' from both
 * ends of each token and '.' from its end, lower-case, join. */
static char *normalize(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n + 1), *o = out;
	assert_non_null(out);
	const char *p = s;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f')
			p++;
		if (!*p)
			break;
		const char *b = p;
		while (*p && !(*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f'))
			p++;
		const char *e = p;
		while (b < e && *b == '"')
			b++;
		while (e > b && e[-1] == '"')
			e--;
		while (e > b && e[-1] == '.')
			e--;
		for (; b < e; b++)
			*o++ = (char)((*b >= 'A' && *b <= 'Z') ? *b + 32 : *b);
	}
	*o = 0;
	return out;
}

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (; h[0] && h[1]; h += 2) {
		unsigned v;
		assert_true(sscanf(h, "%2x", &v) == 1);
		assert_true(n < cap);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* Print rdata placed at offset `at` of msg, as a string (caller frees). */
static char *print_at(const uint8_t *msg, size_t msglen, size_t at, size_t rdlen,
		      uint16_t type, uint16_t rclass, unsigned flags, int *rc)
{
	struct dns_rr rr = { .rdata = (uint32_t)at, .rdlen = (uint16_t)rdlen,
			     .type = type, .rclass = rclass };
	struct strbuf sb;
	strbuf_init(&sb);
	int r = dns_rdata_print(&sb, msg, msglen, &rr, flags);
	if (rc)
		*rc = r;
	char *s = malloc(sb.len + 1);
	assert_non_null(s);
	if (sb.len)
		memcpy(s, sb.p, sb.len);
	s[sb.len] = 0;
	strbuf_free(&sb);
	return s;
}

/* Rdata after a 12-byte header, alone in the message. */
static char *print_rdata(const uint8_t *rd, size_t n, uint16_t type, uint16_t rclass,
			 unsigned flags, int *rc)
{
	uint8_t msg[12 + 65535] = { 0 };
	memcpy(msg + 12, rd, n);
	return print_at(msg, 12 + n, 12, n, type, rclass, flags, rc);
}

static void expect(const uint8_t *rd, size_t n, uint16_t type, unsigned flags,
		   const char *want, int want_rc)
{
	int rc;
	char *got = print_rdata(rd, n, type, 1, flags, &rc);
	assert_string_equal(got, want);
	assert_int_equal(rc, want_rc);
	free(got);
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

/* ---- dnspython vectors ---- */

struct vector {
	unsigned type;
	uint8_t *wire;
	size_t len;
	char *text;
};

static struct vector *vectors;
static size_t nvectors;

static FILE *open_vectors(const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", vector_dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (pass the directory as argv[1] or PDNSLOG_VECTORS)", path);
	return f;
}

static void load_vectors(void)
{
	if (vectors)
		return;
	FILE *f = open_vectors("rdata_vectors.txt");
	static char line[1 << 17];
	size_t cap = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *t1 = strchr(line, '\t');
		assert_non_null(t1);
		char *t2 = strchr(t1 + 1, '\t');
		assert_non_null(t2);
		*t1 = *t2 = 0;
		if (nvectors == cap) {
			cap = cap ? 2 * cap : 256;
			vectors = realloc(vectors, cap * sizeof *vectors);
			assert_non_null(vectors);
		}
		struct vector *v = &vectors[nvectors++];
		v->type = (unsigned)strtoul(line, NULL, 10);
		v->wire = malloc(strlen(t1 + 1) / 2 + 1);
		v->len = unhex(t1 + 1, v->wire, strlen(t1 + 1) / 2 + 1);
		v->text = strdup(t2 + 1);
	}
	fclose(f);
	assert_true(nvectors > 150);
}

static void test_dnspython_vectors(void **state)
{
	(void)state;
	load_vectors();
	size_t bad = 0;
	for (size_t i = 0; i < nvectors; i++) {
		struct vector *v = &vectors[i];
		char *want = normalize(v->text);
		for (unsigned flags = 0; flags <= DNS_RDATA_FQDN; flags++) {
			int rc;
			char *got = print_rdata(v->wire, v->len, (uint16_t)v->type, 1, flags, &rc);
			char *norm = normalize(got);
			if (strcmp(norm, want) != 0 || rc != DNS_OK || !printable(got)) {
				print_error("type %u rdata #%zu flags %u rc %d\n  dnspython: %s\n  ours:      %s\n",
					    v->type, i, flags, rc, v->text, got);
				bad++;
			}
			free(norm);
			free(got);
		}
		free(want);
	}
	assert_int_equal(bad, 0);
}

/* Every type dnspython's vectors cover: rdata cut short at every length
 * must fall back to the generic form, or still be well-formed, never crash. */
static void test_truncated_vectors(void **state)
{
	(void)state;
	load_vectors();
	for (size_t i = 0; i < nvectors; i++) {
		struct vector *v = &vectors[i];
		for (size_t n = 0; n < v->len; n++) {
			int rc;
			char *got = print_rdata(v->wire, n, (uint16_t)v->type, 1, 0, &rc);
			assert_true(printable(got));
			if (rc != DNS_OK) {
				assert_int_equal(rc, DNS_ERDATA);
				assert_memory_equal(got, "\\# ", 3);
			}
			free(got);
		}
	}
}

/* ---- rrtype tables ---- */

static void test_type_names_match_dnspython(void **state)
{
	(void)state;
	FILE *f = open_vectors("rrtype_names.txt");
	char line[256];
	size_t n = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *tab = strchr(line, '\t');
		assert_non_null(tab);
		unsigned type = (unsigned)strtoul(line, NULL, 10);
		const char *name = dns_type_name((uint16_t)type);
		if (!name || strcmp(name, tab + 1) != 0)
			fail_msg("type %u: dnspython %s, ours %s", type, tab + 1, name ? name : "(none)");
		n++;
	}
	fclose(f);
	assert_true(n > 70);
}

static void test_type_names_iana(void **state)
{
	(void)state;
	static const struct { unsigned type; const char *name; } iana[] = {
		{ 31, "EID" }, { 32, "NIMLOC" }, { 34, "ATMA" }, { 40, "SINK" },
		{ 57, "RKEY" }, { 58, "TALINK" }, { 66, "DSYNC" }, { 67, "HHIT" },
		{ 68, "BRID" }, { 100, "UINFO" }, { 101, "UID" }, { 102, "GID" },
		{ 128, "NXNAME" }, { 259, "DOA" }, { 261, "RESINFO" }, { 262, "WALLET" },
		{ 263, "CLA" }, { 264, "IPN" }, { 32768, "TA" }, { 32769, "DLV" },
		{ 255, "ANY" }, { 23, "NSAP-PTR" }, { 1, "A" }, { 65, "HTTPS" },
	};
	for (size_t i = 0; i < sizeof iana / sizeof iana[0]; i++)
		assert_string_equal(dns_type_name((uint16_t)iana[i].type), iana[i].name);
	static const unsigned unassigned[] = { 0, 54, 69, 98, 110, 127, 129, 248, 265, 32767, 32770, 65280, 65535 };
	for (size_t i = 0; i < sizeof unassigned / sizeof unassigned[0]; i++)
		assert_null(dns_type_name((uint16_t)unassigned[i]));

	struct strbuf sb;
	strbuf_init(&sb);
	dns_type_print(&sb, 28);
	strbuf_putc(&sb, ' ');
	dns_type_print(&sb, 65534);
	strbuf_putc(&sb, ' ');
	dns_type_print(&sb, 0);
	strbuf_putc(&sb, 0);
	assert_string_equal(sb.p, "AAAA TYPE65534 TYPE0");
	strbuf_free(&sb);
}

static void test_class_rcode_opcode(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb);
	static const uint16_t classes[] = { 1, 3, 4, 254, 255, 0, 2, 32769 };
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
		dns_class_print(&sb, classes[i]);
		strbuf_putc(&sb, ' ');
	}
	for (uint16_t r = 0; r <= 24; r++) {
		dns_rcode_print(&sb, r);
		strbuf_putc(&sb, ' ');
	}
	dns_rcode_print(&sb, 4095);
	strbuf_putc(&sb, ' ');
	for (uint8_t o = 0; o < 16; o++) {
		dns_opcode_print(&sb, o);
		strbuf_putc(&sb, ' ');
	}
	strbuf_putc(&sb, 0);
	assert_string_equal(sb.p,
		"IN CH HS NONE ANY CLASS0 CLASS2 CLASS32769 "
		"NOERROR FORMERR SERVFAIL NXDOMAIN NOTIMP REFUSED YXDOMAIN YXRRSET "
		"NXRRSET NOTAUTH NOTZONE DSOTYPENI RCODE12 RCODE13 RCODE14 RCODE15 "
		"BADVERS BADKEY BADTIME BADMODE BADNAME BADALG BADTRUNC BADCOOKIE "
		"RCODE24 RCODE4095 "
		"QUERY IQUERY STATUS OPCODE3 NOTIFY UPDATE DSO OPCODE7 OPCODE8 "
		"OPCODE9 OPCODE10 OPCODE11 OPCODE12 OPCODE13 OPCODE14 OPCODE15 ");
	strbuf_free(&sb);
	assert_null(dns_class_name(2));
	assert_null(dns_rcode_name(12));
	assert_null(dns_opcode_name(3));
}

static void test_strerror(void **state)
{
	(void)state;
	static const char *const want[] = {
		"ok", "short", "label", "namelen", "pointer", "rdlen", "rdata", "trail", "count", "opt",
	};
	for (int i = 0; i < DNS_ERROR_KINDS; i++)
		assert_string_equal(dns_strerror(-i), want[i]);
	assert_string_equal(dns_strerror(DNS_ERDATA), "rdata");
	assert_string_equal(dns_strerror(-100), "unknown");
	assert_string_equal(dns_strerror(5), "unknown");
}

/* ---- exact strings for the hot types ---- */

#define RD(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define NONE (const uint8_t[]){ 0 }, 0

static void test_exact_a_aaaa(void **state)
{
	(void)state;
	expect(RD(192, 0, 2, 1), 1, 0, "192.0.2.1", DNS_OK);
	expect(RD(10, 0, 0, 255), 1, DNS_RDATA_FQDN, "10.0.0.255", DNS_OK);
	expect(RD(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), 28, 0,
	       "2001:db8::1", DNS_OK);
	expect(RD(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1), 28, 0,
	       "2001:db8::1:0:0:1", DNS_OK); /* RFC 5952 4.2.3: first longest run */
	expect(RD(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1), 28, 0,
	       "2001:db8:0:1:1:1:1:1", DNS_OK); /* 4.2.2: no "::" for one word */
	expect(RD(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1), 28, 0,
	       "::ffff:192.0.2.1", DNS_OK);
	expect(RD(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 28, 0, "fe80::", DNS_OK);
	expect(RD(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 28, 0, "::", DNS_OK);
}

static void test_exact_names(void **state)
{
	(void)state;
	static const uint8_t ns[] = { 3, 'n', 's', '1', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	expect(ns, sizeof ns, 2, 0, "ns1.example.com", DNS_OK);
	expect(ns, sizeof ns, 2, DNS_RDATA_FQDN, "ns1.example.com.", DNS_OK);
	expect(ns, sizeof ns, 5, DNS_RDATA_FQDN, "ns1.example.com.", DNS_OK);
	expect(ns, sizeof ns, 12, 0, "ns1.example.com", DNS_OK);
	expect(RD(0), 2, 0, ".", DNS_OK);
	expect(RD(0), 2, DNS_RDATA_FQDN, ".", DNS_OK);
	expect(RD(3, 'a', '.', 'b', 1, ' ', 0), 5, DNS_RDATA_FQDN, "a\\.b.\\032.", DNS_OK);
}

/* A response to example.com MX with the owner at 12 and names compressed. */
static const uint8_t resp[] = {
	0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
	/* 12: question example.com MX IN */
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 15, 0, 1,
	/* 29: answer: pointer, type, class, ttl, rdlen */
	0xc0, 12, 0, 15, 0, 1, 0, 0, 0x0e, 0x10, 0, 7,
	/* 41: rdata: 10 mx.<ptr 12> */
	0, 10, 2, 'm', 'x', 0xc0, 12,
	/* 48: an SOA rdata: ns1.<ptr 12> hostmaster.<ptr 12> + 5 numbers */
	3, 'n', 's', '1', 0xc0, 12,
	10, 'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r', 0xc0, 12,
	0x78, 0xa3, 0xf1, 0x75, 0, 0, 0x1c, 0x20, 0, 0, 0x0e, 0x10, 0, 0x12, 0x75, 0, 0, 0, 1, 0x2c,
	/* 87: a CNAME rdata: www.<ptr 48> (ns1.example.com) */
	3, 'w', 'w', 'w', 0xc0, 48,
	/* 93: a CNAME rdata that is only a pointer to the owner */
	0xc0, 12,
};

static void test_compressed_names(void **state)
{
	(void)state;
	int rc;
	char *s = print_at(resp, sizeof resp, 41, 7, 15, 1, 0, &rc);
	assert_string_equal(s, "10 mx.example.com");
	assert_int_equal(rc, DNS_OK);
	free(s);
	s = print_at(resp, sizeof resp, 41, 7, 15, 1, DNS_RDATA_FQDN, &rc);
	assert_string_equal(s, "10 mx.example.com.");
	free(s);
	s = print_at(resp, sizeof resp, 48, 39, 6, 1, DNS_RDATA_FQDN, &rc);
	assert_string_equal(s, "ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300");
	assert_int_equal(rc, DNS_OK);
	free(s);
	s = print_at(resp, sizeof resp, 87, 6, 5, 1, 0, &rc);
	assert_string_equal(s, "www.ns1.example.com");
	free(s);
	s = print_at(resp, sizeof resp, 93, 2, 5, 1, 0, &rc);
	assert_string_equal(s, "example.com");
	assert_int_equal(rc, DNS_OK);
	free(s);
}

static void test_exact_soa_txt_srv_caa(void **state)
{
	(void)state;
	expect(RD(0, 0, 0x78, 0xa3, 0xf1, 0x75, 0, 0, 0x1c, 0x20, 0, 0, 0x0e, 0x10, 0, 0x12, 0x75, 0,
		  0xff, 0xff, 0xff, 0xff), 6, 0, ". . 2024010101 7200 3600 1209600 4294967295", DNS_OK);
	/* TXT: '"' and '\' escaped with a backslash, others outside 0x20-0x7e as \DDD */
	expect(RD(11, 'a', '"', 'b', '\\', 'c', 9, 0, 0xff, 0x7f, ' ', ';', 0), 16, 0,
	       "\"a\\\"b\\\\c\\009\\000\\255\\127 ;\" \"\"", DNS_OK);
	expect(RD(0), 16, 0, "\"\"", DNS_OK);
	expect(NONE, 16, 0, "\"\"", DNS_OK);
	expect(RD(5, 'h', 'e', 'l', 'l', 'o', 5, 'w', 'o', 'r', 'l', 'd'), 99, 0,
	       "\"hello\" \"world\"", DNS_OK);
	expect(RD(0, 0, 0, 5, 0x13, 0xc4, 3, 's', 'i', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0),
	       33, DNS_RDATA_FQDN, "0 5 5060 sip.example.", DNS_OK);
	expect(RD(0, 5, 'i', 's', 's', 'u', 'e', 'l', 'e', 't', 's', 'e', 'n', 'c', 'r', 'y', 'p',
		  't', '.', 'o', 'r', 'g'), 257, 0, "0 issue \"letsencrypt.org\"", DNS_OK);
	expect(RD(128, 3, 't', 'b', 's', '"'), 257, 0, "128 tbs \"\\\"\"", DNS_OK);
}

static void test_exact_misc(void **state)
{
	(void)state;
	/* RFC 4034 5.4 DS example */
	expect(RD(0xec, 0x45, 5, 1, 0x2b, 0xb1, 0x83, 0xaf, 0x5f, 0x22, 0x58, 0x81, 0x79, 0xa5,
		  0x3b, 0x0a, 0x98, 0x63, 0x1f, 0xad, 0x1a, 0x29, 0x21, 0x18), 43, 0,
	       "60485 5 1 2bb183af5f22588179a53b0a98631fad1a292118", DNS_OK);
	/* RRSIG times and type covered */
	expect(RD(0, 1, 8, 2, 0, 0, 0x0e, 0x10, 0x65, 0xf3, 0x8f, 0x80, 0x65, 0xe1, 0x1a, 0x80,
		  0x30, 0x39, 0, 1, 2, 3), 46, 0,
	       "A 8 2 3600 20240315000000 20240301000000 12345 . AQID", DNS_OK);
	/* NSEC3 with empty salt and a bitmap */
	expect(RD(1, 0, 0, 10, 0, 5, 1, 2, 3, 4, 5, 0, 2, 0x40, 0x01), 50, 0,
	       "1 0 10 - 04106105 A MX", DNS_OK);
	/* LOC, RFC 1876 example shape, default sizes left out */
	expect(RD(0, 0x12, 0x16, 0x13, 0x89, 0x17, 0x2d, 0xd0, 0x70, 0xbe, 0x15, 0xf0, 0x00,
		  0x98, 0x8d, 0x20), 29, 0, "42 21 54.000 N 71 6 18.000 W -24.00m", DNS_OK);
	/* HINFO, MX to root, CH-class A (octal address), A outside IN */
	expect(RD(3, 'P', 'D', 'P', 4, 'T', 'O', 'P', 'S'), 13, 0, "\"PDP\" \"TOPS\"", DNS_OK);
	int rc;
	char *s = print_rdata(RD(3, 'f', 'o', 'o', 0, 0x0a, 0x0b), 1, 3, DNS_RDATA_FQDN, &rc);
	assert_string_equal(s, "foo. 5013");
	assert_int_equal(rc, DNS_OK);
	free(s);
	s = print_rdata(RD(192, 0, 2, 1), 1, 4, 0, &rc);
	assert_string_equal(s, "\\# 4 c0000201"); /* dnspython: A is IN-only */
	assert_int_equal(rc, DNS_OK);
	free(s);
	s = print_rdata(RD(0, 1, 0, 2, 0, 3, 0), 33, 0x8001, 0, &rc); /* mDNS cache flush */
	assert_string_equal(s, "1 2 3 .");
	assert_int_equal(rc, DNS_OK);
	free(s);
	s = print_rdata(RD(192, 0, 2, 1), 1, 0x8001, 0, &rc);
	assert_string_equal(s, "192.0.2.1");
	assert_int_equal(rc, DNS_OK);
	free(s);
	s = print_rdata(RD(0, 1, 0, 2, 0, 3, 0), 33, 254, 0, &rc);
	assert_string_equal(s, "\\# 7 00010002000300");
	assert_int_equal(rc, DNS_OK);
	free(s);
	s = print_rdata(RD(0, 1, 0), 15, 0x8001, 0, &rc); /* MX is decoded in any class */
	assert_string_equal(s, "1 .");
	assert_int_equal(rc, DNS_OK);
	free(s);
}

static void test_generic(void **state)
{
	(void)state;
	expect(RD(0xde, 0xad, 0xbe, 0xef), 65280, 0, "\\# 4 deadbeef", DNS_OK);
	expect(NONE, 65280, 0, "\\# 0", DNS_OK);
	expect(NONE, 10, 0, "\\# 0", DNS_OK);                 /* NULL */
	expect(RD(0, 10, 0, 2, 1, 2), 41, 0, "\\# 6 000a00020102", DNS_OK); /* OPT */
}

/* Types dnspython writes generically but dig decodes: dig's form (RFC 1035
 * 3.3 for the mail types, RFC 2535 for SIG/KEY, RFC 4034 5.3 for TA as DS). */
static void test_exact_dig_forms(void **state)
{
	(void)state;
	for (unsigned type = 3; type <= 9; type++) {
		if (type == 5 || type == 6)
			continue;
		expect(RD(3, 'f', 'o', 'o', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0), (uint16_t)type,
		       0, "foo.example", DNS_OK);
	}
	expect(RD(1, 'a', 0, 1, 'b', 0), 14, DNS_RDATA_FQDN, "a. b.", DNS_OK); /* MINFO */
	expect(RD(0, 1, 8, 2, 0, 0, 0x0e, 0x10, 0x65, 0xf3, 0xf9, 0x00, 0x65, 0xe1, 0x84, 0x00,
		  0x30, 0x39, 0, 0xaa, 0xbb, 0xcc), 24, 0,
	       "A 8 2 3600 20240315073008 20240301073008 12345 . qrvM", DNS_OK); /* SIG */
	expect(RD(1, 0, 3, 8, 1, 2, 3, 4), 25, 0, "256 3 8 AQIDBA==", DNS_OK); /* KEY */
	expect(RD(0xec, 0x45, 5, 1, 0x2b, 0xb1, 0x83, 0xaf, 0x5f, 0x22, 0x58, 0x81, 0x79, 0xa5,
		  0x3b, 0x0a, 0x98, 0x63, 0x1f, 0xad, 0x1a, 0x29, 0x21, 0x18), 32768, 0,
	       "60485 5 1 2bb183af5f22588179a53b0a98631fad1a292118", DNS_OK); /* TA */
	expect(RD(0, 0, 0, 1, 0, 0, 0, 2, 1, 10, 't', 'e', 'x', 't', '/', 'p', 'l', 'a', 'i', 'n',
		  'a', 'b', 'c'), 259, 0, "1 2 1 \"text/plain\" YWJj", DNS_OK); /* DOA */
	expect(RD(0, 0, 0, 7), 101, 0, "7", DNS_OK); /* UID */
	expect(RD(1, 'a', 0), 14, 0, "\\# 3 016100", DNS_ERDATA); /* MINFO needs two names */
}

static void test_malformed(void **state)
{
	(void)state;
	expect(RD(192, 0, 2), 1, 0, "\\# 3 c00002", DNS_ERDATA);
	expect(RD(192, 0, 2, 1, 5), 1, 0, "\\# 5 c000020105", DNS_ERDATA);
	expect(NONE, 1, 0, "\\# 0", DNS_ERDATA);
	expect(RD(0, 10, 0, 0), 15, 0, "\\# 4 000a0000", DNS_ERDATA);   /* trailing byte */
	expect(RD(0, 10, 2, 'm', 'x'), 15, 0, "\\# 5 000a026d78", DNS_ERDATA); /* name cut */
	expect(RD(0, 10, 0x40, 0), 15, 0, "\\# 4 000a4000", DNS_ERDATA); /* label type 01 */
	expect(RD(5, 'a', 'b'), 16, 0, "\\# 3 056162", DNS_ERDATA);      /* string overrun */
	expect(RD(0xc0, 12), 2, 0, "\\# 2 c00c", DNS_ERDATA);           /* pointer to itself */
	expect(RD(0xc0, 14, 0), 2, 0, "\\# 3 c00e00", DNS_ERDATA);      /* forward pointer */
	expect(RD(0, 0, 0, 0, 0), 6, 0, "\\# 5 0000000000", DNS_ERDATA); /* SOA short */
	expect(RD(0, 0, 0, 0x20, 0), 47, 0, "\\# 5 0000002000", DNS_ERDATA); /* 32-byte window cut */
	expect(RD(0, 1, 0x80, 0, 1, 0x80), 47, 0, "\\# 6 000180000180", DNS_ERDATA); /* windows out of order */
	expect(RD(1, 0, 0), 29, 0, "\\# 3 010000", DNS_ERDATA);          /* LOC version 1 */
	expect(RD(0, 0, 1, 0), 257, 0, "\\# 4 00000100", DNS_ERDATA);    /* CAA empty tag */
	expect(RD(0, 1, 0, 0, 1, 0, 3, 1, 2, 3), 64, 0,
	       "\\# 10 00010000010003010203", DNS_ERDATA);               /* ALPN id overruns */

	/* The name's bytes must lie inside the rdata even where the message goes on. */
	static const uint8_t msg[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				       0, 10, 3, 'f', 'o', 'o', 0 };
	int rc;
	char *s = print_at(msg, sizeof msg, 12, 6, 15, 1, 0, &rc);
	assert_string_equal(s, "\\# 6 000a03666f6f");
	assert_int_equal(rc, DNS_ERDATA);
	free(s);
	s = print_at(msg, sizeof msg, 12, 7, 15, 1, 0, &rc);
	assert_string_equal(s, "10 foo");
	free(s);
	/* rdata running past the message */
	s = print_at(msg, sizeof msg, 12, 100, 15, 1, 0, &rc);
	assert_int_equal(rc, DNS_ERDLEN);
	assert_true(printable(s));
	free(s);

	/* What was in the buffer before stays; only this rdata's text is rolled back. */
	struct strbuf sb;
	strbuf_init(&sb);
	strbuf_puts(&sb, "a=");
	struct dns_rr rr = { .rdata = 12, .rdlen = 6, .type = 15, .rclass = 1 };
	assert_int_equal(dns_rdata_print(&sb, msg, sizeof msg, &rr, 0), DNS_ERDATA);
	strbuf_putc(&sb, 0);
	assert_string_equal(sb.p, "a=\\# 6 000a03666f6f");
	strbuf_free(&sb);
}

/* ---- fuzz ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void fuzz_one(uint8_t *msg, size_t hdr, uint16_t type, uint16_t rclass, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t r = next_rand();
		/* bias towards small numbers, name-like bytes and pointers */
		uint8_t b = (uint8_t)(r >> 8);
		switch (r & 7) {
		case 0: b = (uint8_t)(r >> 8 & 7); break;
		case 1: b = 0xc0; break;
		case 2: b = (uint8_t)(12 + (r >> 8) % 20); break;
		case 3: b = 0; break;
		default: break;
		}
		msg[hdr + i] = b;
	}
	for (unsigned flags = 0; flags <= DNS_RDATA_FQDN; flags++) {
		int rc;
		char *s = print_at(msg, hdr + n, hdr, n, type, rclass, flags, &rc);
		assert_true(printable(s));
		assert_true(rc == DNS_OK || rc == DNS_ERDATA);
		if (rc == DNS_ERDATA)
			assert_memory_equal(s, "\\# ", 3);
		free(s);
	}
}

static void test_fuzz(void **state)
{
	(void)state;
	static uint8_t msg[12 + 17 + 65535];
	/* a header and a question name for pointers to land on */
	memcpy(msg, resp, 29);
	const size_t hdr = 29;
	for (uint32_t t = 0; t < 65536; t++)
		fuzz_one(msg, hdr, (uint16_t)t, 1, next_rand() % 24);
	static const uint16_t classes[] = { 1, 1, 1, 3, 4, 255, 0x8001 };
	for (int i = 0; i < 20000; i++) {
		uint16_t t = (uint16_t)(next_rand() % 270);
		if (i % 10 == 0)
			t = (uint16_t)(32768 + next_rand() % 2);
		fuzz_one(msg, hdr, t, classes[next_rand() % 7], next_rand() % 300);
	}
	/* dnspython vectors with random bytes flipped */
	load_vectors();
	for (int i = 0; i < 20000; i++) {
		struct vector *v = &vectors[next_rand() % nvectors];
		memcpy(msg + hdr, v->wire, v->len);
		size_t n = v->len;
		if (n) {
			for (int k = 0; k < 2; k++)
				msg[hdr + next_rand() % n] ^= (uint8_t)(1u << (next_rand() % 8));
		}
		for (unsigned flags = 0; flags <= DNS_RDATA_FQDN; flags++) {
			int rc;
			char *s = print_at(msg, hdr + n, hdr, n, (uint16_t)v->type, 1, flags, &rc);
			assert_true(printable(s));
			free(s);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc > 1)
		vector_dir = argv[1];
	else if (getenv("PDNSLOG_VECTORS"))
		vector_dir = getenv("PDNSLOG_VECTORS");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names_match_dnspython),
		cmocka_unit_test(test_type_names_iana),
		cmocka_unit_test(test_class_rcode_opcode),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_exact_a_aaaa),
		cmocka_unit_test(test_exact_names),
		cmocka_unit_test(test_compressed_names),
		cmocka_unit_test(test_exact_soa_txt_srv_caa),
		cmocka_unit_test(test_exact_misc),
		cmocka_unit_test(test_exact_dig_forms),
		cmocka_unit_test(test_generic),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_dnspython_vectors),
		cmocka_unit_test(test_truncated_vectors),
		cmocka_unit_test(test_fuzz),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	for (size_t i = 0; i < nvectors; i++) {
		free(vectors[i].wire);
		free(vectors[i].text);
	}
	free(vectors);
	return rc;
}
