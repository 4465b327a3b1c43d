/* rrtype: mnemonic tables for DNS types, classes, rcodes and opcodes.
 *
 * Types follow the IANA "Resource Record (RR) TYPEs" registry; where
 * dnspython 2.3 knows a type its spelling is the same (tests/unit checks every
 * one).  Types below 256 sit in a direct table; the few above in a short sorted
 * table searched by bisection. */
#include "dns/rrtype.h"

#include <stddef.h>

static const char *const low_types[256] = {
	[1] = "A",          [2] = "NS",          [3] = "MD",
	[4] = "MF",         [5] = "CNAME",       [6] = "SOA",
	[7] = "MB",         [8] = "MG",          [9] = "MR",
	[10] = "NULL",      [11] = "WKS",        [12] = "PTR",
	[13] = "HINFO",     [14] = "MINFO",      [15] = "MX",
	[16] = "TXT",       [17] = "RP",         [18] = "AFSDB",
	[19] = "X25",       [20] = "ISDN",       [21] = "RT",
	[22] = "NSAP",      [23] = "NSAP-PTR",   [24] = "SIG",
	[25] = "KEY",       [26] = "PX",         [27] = "GPOS",
	[28] = "AAAA",      [29] = "LOC",        [30] = "NXT",
	[31] = "EID",       [32] = "NIMLOC",     [33] = "SRV",
	[34] = "ATMA",      [35] = "NAPTR",      [36] = "KX",
	[37] = "CERT",      [38] = "A6",         [39] = "DNAME",
	[40] = "SINK",      [41] = "OPT",        [42] = "APL",
	[43] = "DS",        [44] = "SSHFP",      [45] = "IPSECKEY",
	[46] = "RRSIG",     [47] = "NSEC",       [48] = "DNSKEY",
	[49] = "DHCID",     [50] = "NSEC3",      [51] = "NSEC3PARAM",
	[52] = "TLSA",      [53] = "SMIMEA",     /* 54 unassigned */
	[55] = "HIP",       [56] = "NINFO",      [57] = "RKEY",
	[58] = "TALINK",    [59] = "CDS",        [60] = "CDNSKEY",
	[61] = "OPENPGPKEY", [62] = "CSYNC",     [63] = "ZONEMD",
	[64] = "SVCB",      [65] = "HTTPS",      [66] = "DSYNC",
	[67] = "HHIT",      [68] = "BRID",
	[99] = "SPF",       [100] = "UINFO",     [101] = "UID",
	[102] = "GID",      [103] = "UNSPEC",    [104] = "NID",
	[105] = "L32",      [106] = "L64",       [107] = "LP",
	[108] = "EUI48",    [109] = "EUI64",
	[128] = "NXNAME",
	[249] = "TKEY",     [250] = "TSIG",      [251] = "IXFR",
	[252] = "AXFR",     [253] = "MAILB",     [254] = "MAILA",
	[255] = "ANY",      /* IANA writes "*"; dnspython and dig write ANY */
};

struct type_name {
	uint16_t type;
	const char *name;
};

/* Sorted by type. */
static const struct type_name high_types[] = {
	{ 256, "URI" },      { 257, "CAA" },      { 258, "AVC" },
	{ 259, "DOA" },      { 260, "AMTRELAY" }, { 261, "RESINFO" },
	{ 262, "WALLET" },   { 263, "CLA" },      { 264, "IPN" },
	{ 32768, "TA" },     { 32769, "DLV" },
};

const char *dns_type_name(uint16_t type)
{
	if (type < 256)
		return low_types[type];
	size_t lo = 0, hi = sizeof high_types / sizeof high_types[0];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (high_types[mid].type == type)
			return high_types[mid].name;
		if (high_types[mid].type < type)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Append name, or prefix followed by the decimal number. */
static void put_name_or_number(struct strbuf *sb, const char *name,
			       const char *prefix, unsigned n)
{
	if (name) {
		strbuf_put_word(sb, name);
	} else {
		strbuf_puts(sb, prefix);
		strbuf_put_u64(sb, n);
	}
}

void dns_type_print(struct strbuf *sb, uint16_t type)
{
	put_name_or_number(sb, dns_type_name(type), "TYPE", type);
}

/* Decimal digits only, at most 65535. */
static int parse_u16(const char *s, size_t n, uint16_t *v)
{
	uint32_t x = 0;
	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint32_t)(s[i] - '0');
	}
	if (x > 65535)
		return -1;
	*v = (uint16_t)x;
	return 0;
}

static int same_word(const char *name, const char *s, size_t n)
{
	size_t i = 0;
	for (; i < n && name[i]; i++) {
		char c = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 32) : s[i];
		if (c != name[i])
			return 0;
	}
	return i == n && !name[i];
}

int dns_type_parse(const char *s, size_t n, uint16_t *type)
{
	if (n > 4 && same_word("TYPE", s, 4) && s[4] >= '0' && s[4] <= '9')
		return parse_u16(s + 4, n - 4, type);
	if (n && s[0] >= '0' && s[0] <= '9')
		return parse_u16(s, n, type);
	if (n == 0 || n > 16)
		return -1;
	for (unsigned t = 0; t < 256; t++) {
		if (low_types[t] && same_word(low_types[t], s, n)) {
			*type = (uint16_t)t;
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof high_types / sizeof high_types[0]; i++) {
		if (same_word(high_types[i].name, s, n)) {
			*type = high_types[i].type;
			return 0;
		}
	}
	return -1;
}

const char *dns_class_name(uint16_t rclass)
{
	switch (rclass) {
	case 1: return "IN";
	case 3: return "CH";
	case 4: return "HS";
	case 254: return "NONE";
	case 255: return "ANY";
	default: return NULL;
	}
}

void dns_class_print(struct strbuf *sb, uint16_t rclass)
{
	put_name_or_number(sb, dns_class_name(rclass), "CLASS", rclass);
}

static const char *const rcodes[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
	NULL, NULL, NULL, NULL,
	"BADVERS", /* 16 is also BADSIG inside TSIG (RFC 8945) */
	"BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG", "BADTRUNC",
	"BADCOOKIE",
};

const char *dns_rcode_name(uint16_t rcode)
{
	return rcode < sizeof rcodes / sizeof rcodes[0] ? rcodes[rcode] : NULL;
}

void dns_rcode_print(struct strbuf *sb, uint16_t rcode)
{
	put_name_or_number(sb, dns_rcode_name(rcode), "RCODE", rcode);
}

static const char *const opcodes[16] = {
	[0] = "QUERY", [1] = "IQUERY", [2] = "STATUS",
	[4] = "NOTIFY", [5] = "UPDATE", [6] = "DSO",
};

const char *dns_opcode_name(uint8_t opcode)
{
	return opcode < 16 ? opcodes[opcode] : NULL;
}

void dns_opcode_print(struct strbuf *sb, uint8_t opcode)
{
	put_name_or_number(sb, dns_opcode_name(opcode), "OPCODE", opcode);
}
