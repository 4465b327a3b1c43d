/* apireq: an HTTP API request's path and parameters into a store query.
 *
 * Everything here comes from whoever can reach -pdns_api, so each byte is
 * checked: percent-encoding must be well formed, the decoded text valid
 * UTF-8 without NUL or control characters, a name at most 255 octets in
 * wire form with labels of at most 63, parameters known, given once and in
 * range.  Names are put in the store's spelling (what dns_name_print
 * writes, in lower case, no final dot) so that "WWW.Example.COM." finds
 * "www.example.com"; addresses in inet_ntop's canonical form, so that
 * "2001:DB8:0::1" finds "2001:db8::1".  A refusal is a status (400, 404)
 * and a one-line reason. */
#ifndef PDNSLOG_PDNS_APIREQ_H
#define PDNSLOG_PDNS_APIREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdns/store.h"

/* The longest name or rdata text a request may carry, decoded. */
#define API_TEXT_MAX 8192

struct api_request {
	struct pdns_query q;   /* q.name or q.rdata points into text */
	char text[API_TEXT_MAX + 8];
	unsigned seen;         /* parameters given so far (bits) */
};

/* The path of the URL as it came (still percent-encoded, without the
 * query string): /query/NAME or /rdata/VALUE.  Sets up r with the
 * defaults (any rrtype, no time window, PDNS_API_DEFAULT_LIMIT).  0, or
 * 400/404 with the reason in err.  suffix_labels: the fewest labels a
 * suffix query "*.x.y" must name after "*.". */
int api_request_path(struct api_request *r, const char *path, unsigned suffix_labels,
		     char *err, size_t errlen);
/* One query-string parameter as it came (value NULL: no '=').  0, or 400. */
int api_request_param(struct api_request *r, const char *key, const char *value,
		      char *err, size_t errlen);
/* After the parameters: the checks between them.  0, or 400. */
int api_request_finish(struct api_request *r, char *err, size_t errlen);

/* Percent-decode n bytes of in into out (outcap bytes, NUL-terminated),
 * then check it is UTF-8 without NUL or control characters.  0, or -1 with
 * the reason in err; *outlen the decoded length. */
int api_decode(const char *in, size_t n, char *out, size_t outcap, size_t *outlen,
	       char *err, size_t errlen);

#endif
