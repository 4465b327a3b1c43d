/* rdata: presentation format of record data, driven by a table of formats.
 *
 * Most types are a fixed sequence of field kinds (a name, a 16-bit number, a
 * character-string, base64 to the end, ...): adding such a type is one line in
 * `formats`.  Types whose layout depends on their own contents have a custom
 * printer (rdata_misc.c, rdata_svcb.c).  Rdata that does not fit its format is
 * written in the RFC 3597 generic form "\# LEN HEX".
 *
 * The reference for the text is dnspython 2.3's to_text() (what the project's
 * oracle writes), compared after splitting on whitespace and dropping quotes
 * at token ends, final dots and case; where that still differs from dig the
 * table or printer says so. */
#include "dns/rdata.h"

#include "dns/rdata_impl.h"
#include "util/ipfmt.h"
#include "dns/rrtype.h"

enum field {
	F_END = 0,
	F_NAME,        /* domain name, may be compressed */
	F_U8,
	F_U16,
	F_U32,
	F_U48,         /* TSIG time signed */
	F_IPV4,
	F_IPV6,
	F_STR,         /* <character-string>, quoted */
	F_STR_OPT,     /* a last <character-string> that may be absent (ISDN) */
	F_STRS_REST,   /* <character-string>s to the end (TXT) */
	F_QSTR_REST,   /* the rest as one quoted string (CAA value) */
	F_URI_REST,    /* the rest quoted, '"' and '\' left as they are (URI) */
	F_B64_REST,    /* base64 of the rest, nothing when empty */
	F_HEX_REST,    /* hex of the rest, nothing when empty */
	F_NSAP_REST,   /* "0x" and hex of the rest */
	F_HEX_LEN8,    /* 8-bit length, hex; "-" when empty (NSEC3 salt) */
	F_B32_LEN8,    /* 8-bit length, base32hex (NSEC3 next owner) */
	F_B64_LEN16,   /* 16-bit length, base64; nothing when empty (TKEY) */
	F_LEN_B64_16,  /* 16-bit length written, then base64 (TSIG MAC, other) */
	F_BITMAP,      /* type bitmap windows to the end */
	F_TIME,        /* 32-bit seconds as YYYYMMDDHHmmSS */
	F_TYPE,        /* 16-bit type as a mnemonic */
	F_EUI48,       /* 6 bytes, hex pairs joined by '-' */
	F_EUI64,       /* 8 bytes, the same */
	F_LOC64,       /* 8 bytes as four hex groups joined by ':' (NID, L64) */
	F_CERT_TYPE,   /* 16-bit CERT type, mnemonic when known */
	F_SECALG,      /* 8-bit DNSSEC algorithm, mnemonic when known (CERT) */
	F_CAA_TAG,     /* 8-bit length, alphanumeric tag */
	F_TSIG_ERR,    /* 16-bit TSIG error as an rcode mnemonic */
};

#define MAX_FIELDS 9

typedef void rd_custom_fn(struct rdctx *c);

struct rdata_format {
	uint8_t fields[MAX_FIELDS]; /* F_END-terminated unless full */
	bool in_only;               /* dnspython decodes it in class IN only */
	rd_custom_fn *custom;       /* instead of fields */
};

#define IN_ONLY .in_only = true
#define FIELDS(...) .fields = { __VA_ARGS__ }

/* Types not listed here are written in the generic form: NULL (as dig does),
 * and those whose format we do not print: NXT (its pre-NSEC bitmap), A6,
 * ATMA, OPT, DSYNC, HHIT, BRID, UNSPEC, RESINFO, WALLET, CLA, IPN.
 * dnspython 2.3 (the reference) also writes MD MF MB MG MR MINFO SIG KEY EID
 * NIMLOC SINK RKEY TALINK UINFO UID GID DOA and TA generically; for those we
 * write dig's presentation format, as no capture in the corpus holds them. */
static const struct rdata_format formats[] = {
	[1] = { FIELDS(F_IPV4), IN_ONLY },                          /* A */
	[2] = { FIELDS(F_NAME) },                                   /* NS */
	[3] = { FIELDS(F_NAME) },                                   /* MD */
	[4] = { FIELDS(F_NAME) },                                   /* MF */
	[5] = { FIELDS(F_NAME) },                                   /* CNAME */
	[6] = { FIELDS(F_NAME, F_NAME, F_U32, F_U32, F_U32, F_U32, F_U32) }, /* SOA */
	[7] = { FIELDS(F_NAME) },                                   /* MB */
	[8] = { FIELDS(F_NAME) },                                   /* MG */
	[9] = { FIELDS(F_NAME) },                                   /* MR */
	[11] = { .custom = rd_print_wks, IN_ONLY },                 /* WKS */
	[12] = { FIELDS(F_NAME) },                                  /* PTR */
	[13] = { FIELDS(F_STR, F_STR) },                            /* HINFO */
	[14] = { FIELDS(F_NAME, F_NAME) },                          /* MINFO */
	[15] = { FIELDS(F_U16, F_NAME) },                           /* MX */
	[16] = { FIELDS(F_STRS_REST) },                             /* TXT */
	[17] = { FIELDS(F_NAME, F_NAME) },                          /* RP */
	[18] = { FIELDS(F_U16, F_NAME) },                           /* AFSDB */
	[19] = { FIELDS(F_STR) },                                   /* X25 */
	[20] = { FIELDS(F_STR, F_STR_OPT) },                        /* ISDN */
	[21] = { FIELDS(F_U16, F_NAME) },                           /* RT */
	[22] = { FIELDS(F_NSAP_REST), IN_ONLY },                    /* NSAP */
	[23] = { FIELDS(F_NAME), IN_ONLY },                         /* NSAP-PTR */
	[26] = { FIELDS(F_U16, F_NAME, F_NAME), IN_ONLY },          /* PX */
	/* GPOS: dnspython writes the three strings unquoted, dig quoted; the
	 * comparison drops the quotes, so we write dig's form. */
	[24] = { FIELDS(F_TYPE, F_U8, F_U8, F_U32, F_TIME, F_TIME, F_U16, F_NAME,
			F_B64_REST) },                              /* SIG */
	[25] = { FIELDS(F_U16, F_U8, F_U8, F_B64_REST) },           /* KEY */
	[27] = { FIELDS(F_STR, F_STR, F_STR) },                     /* GPOS */
	[28] = { FIELDS(F_IPV6), IN_ONLY },                         /* AAAA */
	[29] = { .custom = rd_print_loc },                          /* LOC */
	[31] = { FIELDS(F_HEX_REST) },                              /* EID */
	[32] = { FIELDS(F_HEX_REST) },                              /* NIMLOC */
	[33] = { FIELDS(F_U16, F_U16, F_U16, F_NAME), IN_ONLY },    /* SRV */
	[35] = { FIELDS(F_U16, F_U16, F_STR, F_STR, F_STR, F_NAME), IN_ONLY }, /* NAPTR */
	[36] = { FIELDS(F_U16, F_NAME), IN_ONLY },                  /* KX */
	[37] = { FIELDS(F_CERT_TYPE, F_U16, F_SECALG, F_B64_REST) }, /* CERT */
	[39] = { FIELDS(F_NAME) },                                  /* DNAME */
	[40] = { FIELDS(F_U8, F_U8, F_B64_REST) },                  /* SINK */
	[42] = { .custom = rd_print_apl, IN_ONLY },                 /* APL */
	[43] = { FIELDS(F_U16, F_U8, F_U8, F_HEX_REST) },           /* DS */
	[44] = { FIELDS(F_U8, F_U8, F_HEX_REST) },                  /* SSHFP */
	[45] = { .custom = rd_print_ipseckey, IN_ONLY },            /* IPSECKEY */
	[46] = { FIELDS(F_TYPE, F_U8, F_U8, F_U32, F_TIME, F_TIME, F_U16, F_NAME,
			F_B64_REST) },                              /* RRSIG */
	[47] = { FIELDS(F_NAME, F_BITMAP) },                        /* NSEC */
	[48] = { FIELDS(F_U16, F_U8, F_U8, F_B64_REST) },           /* DNSKEY */
	[49] = { FIELDS(F_B64_REST), IN_ONLY },                     /* DHCID */
	[50] = { FIELDS(F_U8, F_U8, F_U16, F_HEX_LEN8, F_B32_LEN8, F_BITMAP) }, /* NSEC3 */
	[51] = { FIELDS(F_U8, F_U8, F_U16, F_HEX_LEN8) },           /* NSEC3PARAM */
	[52] = { FIELDS(F_U8, F_U8, F_U8, F_HEX_REST) },            /* TLSA */
	[53] = { FIELDS(F_U8, F_U8, F_U8, F_HEX_REST) },            /* SMIMEA */
	[55] = { .custom = rd_print_hip },                          /* HIP */
	[56] = { FIELDS(F_STRS_REST) },                             /* NINFO */
	[57] = { FIELDS(F_U16, F_U8, F_U8, F_B64_REST) },           /* RKEY */
	[58] = { FIELDS(F_NAME, F_NAME) },                          /* TALINK */
	[59] = { FIELDS(F_U16, F_U8, F_U8, F_HEX_REST) },           /* CDS */
	[60] = { FIELDS(F_U16, F_U8, F_U8, F_B64_REST) },           /* CDNSKEY */
	[61] = { FIELDS(F_B64_REST) },                              /* OPENPGPKEY */
	[62] = { FIELDS(F_U32, F_U16, F_BITMAP) },                  /* CSYNC */
	[63] = { FIELDS(F_U32, F_U8, F_U8, F_HEX_REST) },           /* ZONEMD */
	[64] = { .custom = rd_print_svcb, IN_ONLY },                /* SVCB */
	[65] = { .custom = rd_print_svcb, IN_ONLY },                /* HTTPS */
	[99] = { FIELDS(F_STRS_REST) },                             /* SPF */
	[100] = { FIELDS(F_STR) },                                  /* UINFO */
	[101] = { FIELDS(F_U32) },                                  /* UID */
	[102] = { FIELDS(F_U32) },                                  /* GID */
	[104] = { FIELDS(F_U16, F_LOC64) },                         /* NID */
	[105] = { FIELDS(F_U16, F_IPV4) },                          /* L32 */
	[106] = { FIELDS(F_U16, F_LOC64) },                         /* L64 */
	[107] = { FIELDS(F_U16, F_NAME) },                          /* LP */
	[108] = { FIELDS(F_EUI48) },                                /* EUI48 */
	[109] = { FIELDS(F_EUI64) },                                /* EUI64 */
	/* TKEY and TSIG: dnspython's layout (dig writes TKEY times as dates). */
	[249] = { FIELDS(F_NAME, F_U32, F_U32, F_U16, F_U16, F_B64_LEN16,
			 F_B64_LEN16) },                            /* TKEY */
	[250] = { FIELDS(F_NAME, F_U48, F_U16, F_LEN_B64_16, F_U16, F_TSIG_ERR,
			 F_LEN_B64_16) },                           /* TSIG */
	[256] = { FIELDS(F_U16, F_U16, F_URI_REST) },               /* URI */
	[257] = { FIELDS(F_U8, F_CAA_TAG, F_QSTR_REST) },           /* CAA */
	[258] = { FIELDS(F_STRS_REST) },                            /* AVC */
	[259] = { FIELDS(F_U32, F_U32, F_U8, F_STR, F_B64_REST) },  /* DOA */
	[260] = { .custom = rd_print_amtrelay },                    /* AMTRELAY */
};

#define NFORMATS (sizeof formats / sizeof formats[0])

/* DLV and TA: the DS layout. */
static const struct rdata_format dlv_format = { FIELDS(F_U16, F_U8, F_U8, F_HEX_REST) };

static const struct rdata_format *format_of(uint16_t type)
{
	if (type < NFORMATS) {
		const struct rdata_format *f = &formats[type];
		return f->fields[0] != F_END || f->custom ? f : NULL;
	}
	if (type == 32769 || type == 32768) /* DLV, TA */
		return &dlv_format;
	return NULL;
}

static const char *cert_type_name(unsigned t)
{
	static const char *const names[9] = {
		NULL, "PKIX", "SPKI", "PGP", "IPKIX", "ISPKI", "IPGP", "ACPKIX", "IACPKIX",
	};
	if (t < 9)
		return names[t];
	return t == 253 ? "URI" : t == 254 ? "OID" : NULL;
}

/* Mnemonics as dnspython's dns.dnssectypes.Algorithm writes them. */
static const char *secalg_name(unsigned a)
{
	static const char *const names[17] = {
		NULL, "RSAMD5", "DH", "DSA", "ECC", "RSASHA1", "DSANSEC3SHA1",
		"RSASHA1NSEC3SHA1", "RSASHA256", NULL, "RSASHA512", NULL, "ECCGOST",
		"ECDSAP256SHA256", "ECDSAP384SHA384", "ED25519", "ED448",
	};
	if (a < 17)
		return names[a];
	return a == 252 ? "INDIRECT" : a == 253 ? "PRIVATEDNS" : a == 254 ? "PRIVATEOID" : NULL;
}

static void put_name_or_u64(struct strbuf *sb, const char *name, uint64_t v)
{
	if (name)
		strbuf_puts(sb, name);
	else
		strbuf_put_u64(sb, v);
}

/* Bytes as hex groups of `group` bytes joined by `sep`. */
static void put_hex_groups(struct strbuf *sb, const uint8_t *p, size_t n,
			   size_t group, char sep)
{
	for (size_t i = 0; i < n; i += group) {
		if (i)
			strbuf_putc(sb, sep);
		strbuf_put_hex(sb, p + i, n - i < group ? n - i : group);
	}
}

static void put_uri(struct strbuf *sb, const uint8_t *p, size_t n)
{
	/* dnspython writes the target bytes as they are, without escaping '"'
	 * or '\' (dig escapes them); only unprintable bytes become \DDD here. */
	strbuf_putc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f)
			strbuf_putc(sb, (char)p[i]);
		else
			rd_put_escaped(sb, p + i, 1);
	}
	strbuf_putc(sb, '"');
}

static void print_field(struct rdctx *c, enum field f)
{
	struct wire *w = &c->w;
	struct strbuf *sb = c->sb;
	const uint8_t *p;
	size_t n;

	switch (f) {
	case F_END:
		break;
	case F_NAME:
		rd_name(c);
		break;
	case F_U8:
		rd_sep(c);
		strbuf_put_u64(sb, wire_u8(w));
		break;
	case F_U16:
		rd_sep(c);
		strbuf_put_u64(sb, wire_u16(w));
		break;
	case F_U32:
		rd_sep(c);
		strbuf_put_u64(sb, wire_u32(w));
		break;
	case F_U48: {
		uint64_t hi = wire_u16(w);
		rd_sep(c);
		strbuf_put_u64(sb, hi << 32 | wire_u32(w));
		break;
	}
	case F_IPV4:
		if ((p = wire_bytes(w, 4))) {
			rd_sep(c);
			strbuf_put_ipv4(sb, p);
		}
		break;
	case F_IPV6:
		if ((p = wire_bytes(w, 16))) {
			rd_sep(c);
			strbuf_put_ipv6(sb, p);
		}
		break;
	case F_STR_OPT:
		if (wire_left(w) == 0)
			break;
		/* fall through */
	case F_STR:
		n = wire_u8(w);
		if ((p = wire_bytes(w, n))) {
			rd_sep(c);
			rd_put_quoted(sb, p, n);
		}
		break;
	case F_STRS_REST:
		if (wire_left(w) == 0) {
			rd_sep(c);
			strbuf_putn(sb, "\"\"", 2);
		}
		while (wire_left(w) > 0) {
			n = wire_u8(w);
			if (!(p = wire_bytes(w, n)))
				break;
			rd_sep(c);
			rd_put_quoted(sb, p, n);
		}
		break;
	case F_QSTR_REST:
		n = wire_left(w);
		p = wire_bytes(w, n);
		rd_sep(c);
		rd_put_quoted(sb, p, n);
		break;
	case F_URI_REST:
		n = wire_left(w);
		if (n == 0) { /* RFC 7553: the target is not empty */
			rd_fail(c);
			break;
		}
		p = wire_bytes(w, n);
		rd_sep(c);
		put_uri(sb, p, n);
		break;
	case F_B64_REST:
	case F_HEX_REST:
	case F_NSAP_REST:
		n = wire_left(w);
		p = wire_bytes(w, n);
		if (f == F_NSAP_REST) {
			rd_sep(c);
			strbuf_putn(sb, "0x", 2);
			strbuf_put_hex(sb, p, n);
		} else if (n) {
			rd_sep(c);
			if (f == F_B64_REST)
				strbuf_put_base64(sb, p, n);
			else
				strbuf_put_hex(sb, p, n);
		}
		break;
	case F_HEX_LEN8:
		n = wire_u8(w);
		if ((p = wire_bytes(w, n))) {
			rd_sep(c);
			if (n)
				strbuf_put_hex(sb, p, n);
			else
				strbuf_putc(sb, '-');
		}
		break;
	case F_B32_LEN8:
		n = wire_u8(w);
		if ((p = wire_bytes(w, n))) {
			rd_sep(c);
			rd_put_base32hex(sb, p, n);
		}
		break;
	case F_B64_LEN16:
		n = wire_u16(w);
		if ((p = wire_bytes(w, n)) && n) {
			rd_sep(c);
			strbuf_put_base64(sb, p, n);
		}
		break;
	case F_LEN_B64_16:
		n = wire_u16(w);
		if ((p = wire_bytes(w, n))) {
			rd_sep(c);
			strbuf_put_u64(sb, n);
			if (n) {
				strbuf_putc(sb, ' ');
				strbuf_put_base64(sb, p, n);
			}
		}
		break;
	case F_BITMAP:
		rd_bitmap(c);
		break;
	case F_TIME:
		rd_sep(c);
		rd_put_sigtime(sb, wire_u32(w));
		break;
	case F_TYPE:
		rd_sep(c);
		rd_put_type(sb, wire_u16(w));
		break;
	case F_EUI48:
	case F_EUI64:
		n = f == F_EUI48 ? 6 : 8;
		if ((p = wire_bytes(w, n))) {
			rd_sep(c);
			put_hex_groups(sb, p, n, 1, '-');
		}
		break;
	case F_LOC64:
		if ((p = wire_bytes(w, 8))) {
			rd_sep(c);
			put_hex_groups(sb, p, 8, 2, ':');
		}
		break;
	case F_CERT_TYPE: {
		unsigned t = wire_u16(w);
		rd_sep(c);
		put_name_or_u64(sb, cert_type_name(t), t);
		break;
	}
	case F_SECALG: {
		unsigned a = wire_u8(w);
		rd_sep(c);
		put_name_or_u64(sb, secalg_name(a), a);
		break;
	}
	case F_CAA_TAG:
		n = wire_u8(w);
		if (!(p = wire_bytes(w, n)))
			break;
		if (n == 0) { /* RFC 8659 4.1: tags are 1 to 15 letters and digits */
			rd_fail(c);
			break;
		}
		for (size_t i = 0; i < n; i++) {
			uint8_t ch = p[i];
			if (!((ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z'))) {
				rd_fail(c);
				return;
			}
		}
		rd_sep(c);
		strbuf_putn(sb, p, n);
		break;
	case F_TSIG_ERR: {
		unsigned e = wire_u16(w);
		rd_sep(c);
		/* Inside TSIG 16 is BADSIG (RFC 8945), and dnspython writes
		 * unnamed values as bare numbers. */
		put_name_or_u64(sb, e == 16 ? "BADSIG" : dns_rcode_name((uint16_t)e), e);
		break;
	}
	}
}

static void print_generic(struct strbuf *sb, const uint8_t *p, size_t n)
{
	strbuf_putn(sb, "\\# ", 3);
	strbuf_put_u64(sb, n);
	if (n) {
		strbuf_putc(sb, ' ');
		strbuf_put_hex(sb, p, n);
	}
}

int dns_rdata_print(struct strbuf *sb, const uint8_t *msg, size_t msglen,
		    const struct dns_rr *rr, unsigned flags)
{
	size_t start = rr->rdata, end = start + rr->rdlen;
	if (start > msglen || end > msglen) {
		/* Not from a parsed message: show what there is. */
		print_generic(sb, msg + (start < msglen ? start : msglen),
			      start < msglen ? msglen - start : 0);
		return DNS_ERDLEN;
	}

	/* Addresses are most of what is printed: straight to the text. */
	if (dns_rdata_is_address(rr)) {
		if (rr->type == 1)
			strbuf_put_ipv4(sb, msg + start);
		else
			strbuf_put_ipv6(sb, msg + start);
		return DNS_OK;
	}

	struct rdctx c = { .sb = sb, .msg = msg, .msglen = msglen,
			   .start = sb->len, .flags = flags };
	wire_init(&c.w, msg, start, end);

	const struct rdata_format *f = format_of(rr->type);
	if (rr->type == 1 && rr->rclass == 3) {
		rd_print_ch_a(&c); /* Chaosnet A: a domain and an octal address */
	} else if (!f || (f->in_only && (rr->rclass & 0x7FFF) != 1)) {
		/* Class IN, with or without mDNS's cache-flush bit (RFC 6762
		 * 10.2): dnspython sees 0x8001 as an unknown class, but an mDNS
		 * A record is an address all the same. */
		/* dnspython decodes the IN-only types (A, AAAA, SRV, SVCB, ...) in
		 * class IN alone and writes them generically elsewhere (also in
		 * mDNS's cache-flush class 0x8001); we do the same. */
		print_generic(sb, msg + start, rr->rdlen);
		return DNS_OK;
	} else if (f->custom) {
		f->custom(&c);
	} else {
		for (size_t i = 0; i < MAX_FIELDS && f->fields[i] != F_END && !c.w.err; i++)
			print_field(&c, (enum field)f->fields[i]);
	}

	if (!c.w.err && c.w.pos == c.w.end)
		return DNS_OK;
	sb->len = c.start;
	print_generic(sb, msg + start, rr->rdlen);
	return DNS_ERDATA;
}
