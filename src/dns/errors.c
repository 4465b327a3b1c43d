/* errors: the short stable names of the DNS_E* codes, used as counter names. */
#include "dns/errors.h"

const char *dns_strerror(int code)
{
	static const char *const names[DNS_ERROR_KINDS] = {
		"ok", "short", "label", "namelen", "pointer",
		"rdlen", "rdata", "trail", "count", "opt",
	};
	if (code > 0 || code <= -DNS_ERROR_KINDS)
		return "unknown";
	return names[-code];
}
