/* errors: one code per kind of malformed DNS input, so every kind can be counted. */
#ifndef PDNSLOG_DNS_ERRORS_H
#define PDNSLOG_DNS_ERRORS_H

enum dns_error {
	DNS_OK = 0,
	DNS_ESHORT = -1,      /* message or field ends early */
	DNS_ELABEL = -2,      /* label longer than 63, or a reserved label type */
	DNS_ENAMELEN = -3,    /* name longer than 255 */
	DNS_EPOINTER = -4,    /* compression pointer forward, to itself or past the end */
	DNS_ERDLEN = -5,      /* rdlength runs past the message */
	DNS_ERDATA = -6,      /* rdata does not fit its type's format */
	DNS_ETRAIL = -7,      /* bytes left after the last record (counted, not fatal) */
	DNS_ECOUNT = -8,      /* a section count larger than the message can hold */
	DNS_EOPT = -9,        /* OPT record misplaced, repeated or with a non-root owner */
};
#define DNS_ERROR_KINDS 10

/* Short stable name of an error, used as a stats counter name ("short", "pointer", ...). */
const char *dns_strerror(int code);

#endif
