/* edns: option iteration and the option and extended-error registries. */
#include "dns/edns.h"

void edns_iter_init(struct edns_iter *it, const uint8_t *rdata, size_t rdlen)
{
	it->p = rdata;
	it->left = rdlen;
	it->err = false;
}

bool edns_next(struct edns_iter *it, struct edns_option *opt)
{
	if (it->left == 0)
		return false;
	if (it->left < 4) {
		it->err = true;
		return false;
	}
	opt->code = (uint16_t)(it->p[0] << 8 | it->p[1]);
	opt->len = (uint16_t)(it->p[2] << 8 | it->p[3]);
	if (opt->len > it->left - 4) {
		it->err = true;
		return false;
	}
	opt->data = it->p + 4;
	it->p += 4 + opt->len;
	it->left -= 4 + (size_t)opt->len;
	return true;
}

const char *edns_option_name(uint16_t code)
{
	static const char *const names[] = {
		[EDNS_LLQ] = "LLQ", [EDNS_UL] = "UL", [EDNS_NSID] = "NSID",
		[EDNS_DAU] = "DAU", [EDNS_DHU] = "DHU", [EDNS_N3U] = "N3U",
		[EDNS_ECS] = "ECS", [EDNS_EXPIRE] = "EXPIRE", [EDNS_COOKIE] = "COOKIE",
		[EDNS_KEEPALIVE] = "KEEPALIVE", [EDNS_PADDING] = "PADDING",
		[EDNS_CHAIN] = "CHAIN", [EDNS_KEYTAG] = "KEY-TAG", [EDNS_EDE] = "EDE",
		[EDNS_CLIENT_TAG] = "CLIENT-TAG", [EDNS_SERVER_TAG] = "SERVER-TAG",
		[EDNS_REPORT_CHANNEL] = "REPORT-CHANNEL", [EDNS_ZONEVERSION] = "ZONEVERSION",
	};
	if (code < sizeof names / sizeof names[0])
		return names[code];
	if (code == 26946)
		return "DEVICEID";
	return NULL;
}

const char *edns_ede_name(uint16_t info)
{
	static const char *const names[] = {
		"Other Error", "Unsupported DNSKEY Algorithm", "Unsupported DS Digest Type",
		"Stale Answer", "Forged Answer", "DNSSEC Indeterminate", "DNSSEC Bogus",
		"Signature Expired", "Signature Not Yet Valid", "DNSKEY Missing",
		"RRSIGs Missing", "No Zone Key Bit Set", "NSEC Missing", "Cached Error",
		"Not Ready", "Blocked", "Censored", "Filtered", "Prohibited",
		"Stale NXDomain Answer", "Not Authoritative", "Not Supported",
		"No Reachable Authority", "Network Error", "Invalid Data",
		"Signature Expired before Valid", "Too Early",
		"Unsupported NSEC3 Iterations Value", "Unable to conform to policy",
		"Synthesized", "Invalid Query Type",
	};
	return info < sizeof names / sizeof names[0] ? names[info] : NULL;
}
