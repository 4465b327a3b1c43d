/* wlan: 802.11 data frames, bare or behind the radiotap or PPI headers that
 * monitor-mode captures put in front, down to the LLC/SNAP EtherType. */
#include "decode/decode.h"
#include "util/byteorder.h"

enum { LT_EN10MB = 1, LT_IEEE802_11 = 105, LT_IEEE802_11_RADIO = 127, LT_PPI = 192 };

enum {
	RADIOTAP_FCS = 0x10,     /* the frame ends in its 4-byte FCS */
	RADIOTAP_DATAPAD = 0x20, /* padding after the 802.11 header to 32 bits */
};

static bool fail(bool short_, struct stats *st)
{
	if (st) {
		if (short_)
			st->link_short++;
		else
			st->link_unknown++;
	}
	return false;
}

/* An 802.11 frame: only unprotected, unfragmented data frames carry an
 * LLC/SNAP header that can be read. */
static bool ieee80211(const uint8_t **p, size_t *len, uint16_t *type, bool datapad,
		      struct stats *st)
{
	const uint8_t *q = *p;
	size_t n = *len;
	if (n < 24)
		return fail(true, st);
	uint8_t fc0 = q[0], fc1 = q[1];
	unsigned ftype = (fc0 >> 2) & 3, subtype = fc0 >> 4;
	/* Version 0, a data frame with data (not a null function), not
	 * encrypted, not a fragment (more-fragments flag, fragment number). */
	if ((fc0 & 3) != 0 || ftype != 2 || (subtype & 4) || (fc1 & 0x40) || (fc1 & 0x04) ||
	    (le16(q + 22) & 0x0F) != 0)
		return fail(false, st);
	size_t hlen = 24;
	if ((fc1 & 3) == 3)
		hlen += 6;              /* to and from the distribution system: a 4th address */
	if (subtype & 8) {              /* QoS data */
		if (n < hlen + 2)
			return fail(true, st);
		if (q[hlen] & 0x80)
			return fail(false, st); /* an A-MSDU aggregate */
		hlen += 2;
		if (fc1 & 0x80)
			hlen += 4;      /* HT control */
	}
	if (datapad)
		hlen = (hlen + 3) & ~(size_t)3;
	if (n < hlen + 8)
		return fail(true, st);
	if (q[hlen] != 0xAA || q[hlen + 1] != 0xAA || q[hlen + 2] != 0x03)
		return fail(false, st);
	*type = be16(q + hlen + 6);
	*p = q + hlen + 8;
	*len = n - hlen - 8;
	return true;
}

/* Radiotap: its length, and from its first fields (TSFT, then Flags) whether
 * the frame ends in an FCS or has its header padded. */
static bool radiotap(const uint8_t **p, size_t *len, uint16_t *type, struct stats *st)
{
	const uint8_t *q = *p;
	size_t n = *len;
	if (n < 8 || q[0] != 0)
		return fail(n < 8, st);
	size_t rlen = le16(q + 2);
	if (rlen < 8 || rlen > n)
		return fail(true, st);
	uint32_t present = le32(q + 4);
	size_t at = 8;
	for (uint32_t word = present; word & 0x80000000u; at += 4) {
		if (at + 4 > rlen)
			return fail(true, st);
		word = le32(q + at);
	}
	uint8_t flags = 0;
	if (present & 1)
		at = ((at + 7) & ~(size_t)7) + 8; /* TSFT, 8-byte aligned */
	if (present & 2) {
		if (at >= rlen)
			return fail(true, st);
		flags = q[at];
	}
	*p = q + rlen;
	*len = n - rlen;
	if ((flags & RADIOTAP_FCS) && *len >= 4)
		*len -= 4;
	return ieee80211(p, len, type, flags & RADIOTAP_DATAPAD, st);
}

/* PPI: version, flags, length and the link type of the frame that follows
 * (802.11, or Ethernet). */
static bool ppi(const uint8_t **p, size_t *len, uint16_t *type, struct stats *st)
{
	const uint8_t *q = *p;
	size_t n = *len;
	if (n < 8 || q[0] != 0)
		return fail(n < 8, st);
	size_t plen = le16(q + 2);
	uint32_t dlt = le32(q + 4);
	if (plen < 8 || plen > n)
		return fail(true, st);
	*p = q + plen;
	*len = n - plen;
	if (dlt == LT_IEEE802_11)
		return ieee80211(p, len, type, false, st);
	if (dlt == LT_EN10MB && *len >= 14) {
		*type = be16(*p + 12);
		*p += 14;
		*len -= 14;
		return true;
	}
	return fail(dlt == LT_EN10MB, st);
}

bool wlan_payload(int linktype, const uint8_t **p, size_t *len, uint16_t *type,
		  struct stats *st)
{
	switch (linktype) {
	case LT_IEEE802_11_RADIO:
		return radiotap(p, len, type, st);
	case LT_PPI:
		return ppi(p, len, type, st);
	default:
		return ieee80211(p, len, type, false, st);
	}
}
