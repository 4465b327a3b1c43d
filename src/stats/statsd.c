/* statsd: the counters' increases as statsd lines over UDP (see statsd.h). */
#include "stats/statsd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/platform.h"
#include "stats/progress.h"

/* The longest metric: prefix, '.', a name, ':', 20 digits and "|c". */
#define STATSD_NAME_MAX 64
#define STATSD_LINE_MAX (STATSD_PREFIX_MAX + 1 + STATSD_NAME_MAX + 1 + 20 + 3)
_Static_assert(STATSD_LINE_MAX <= STATSD_DATAGRAM, "a metric must fit a datagram");
#define STATSD_NAME_FITS(name, doc) \
	_Static_assert(sizeof #name <= STATSD_NAME_MAX, "counter name too long for statsd: " #name);
STATS_COUNTERS(STATSD_NAME_FITS)
#undef STATSD_NAME_FITS

/* Split "host", "host:port", "[v6]:port", "[v6]" or a bare v6 address. */
static int split_hostport(const char *text, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *h = text, *p = NULL;
	size_t hl;
	const char *colon = strchr(text, ':');
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || (close[1] && close[1] != ':'))
			return -1;
		h = text + 1;
		hl = (size_t)(close - h);
		if (close[1] == ':')
			p = close + 2;
	} else if (colon && !strchr(colon + 1, ':')) {
		hl = (size_t)(colon - text);
		p = colon + 1;
	} else {
		hl = strlen(text); /* no colon, or an IPv6 address without its port */
	}
	if (hl == 0 || hl >= hostlen)
		return -1;
	memcpy(host, h, hl);
	host[hl] = 0;
	long n = STATSD_DEFAULT_PORT;
	if (p) {
		char *end;
		n = strtol(p, &end, 10);
		if (end == p || *end || n < 1 || n > 65535)
			return -1;
	}
	snprintf(port, portlen, "%ld", n);
	return 0;
}

static int prefix_ok(const char *prefix)
{
	for (const char *c = prefix; *c; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '_' || *c == '-' || *c == '.'))
			return 0;
	}
	return strlen(prefix) <= STATSD_PREFIX_MAX;
}

struct statsd *statsd_open(const char *hostport, const char *prefix, char *err, size_t errlen)
{
	char host[256], port[8];
	if (!prefix)
		prefix = STATSD_DEFAULT_PREFIX;
	if (strlen(hostport) >= STATSD_TARGET_MAX ||
	    split_hostport(hostport, host, sizeof host, port, sizeof port) < 0) {
		snprintf(err, errlen, "-statsd_host %.200s: not HOST, HOST:PORT or [IPV6]:PORT", hostport);
		return NULL;
	}
	if (!prefix_ok(prefix)) {
		snprintf(err, errlen, "-statsd_prefix: at most %d letters, digits, '_', '-' and '.'",
			 STATSD_PREFIX_MAX);
		return NULL;
	}
	char why[256];
	intptr_t fd = platform_udp_connect(host, port, why, sizeof why);
	if (fd < 0) {
		snprintf(err, errlen, "-statsd_host %s: %s", hostport, why);
		return NULL;
	}
	struct statsd *s = calloc(1, sizeof *s);
	if (!s) {
		platform_udp_close(fd);
		snprintf(err, errlen, "-statsd_host: out of memory");
		return NULL;
	}
	s->fd = fd;
	size_t pl = strlen(prefix);
	memcpy(s->prefix, prefix, pl);
	if (pl > 0 && prefix[pl - 1] != '.')
		s->prefix[pl++] = '.';
	s->prefix[pl] = 0;
	memcpy(s->target, hostport, strlen(hostport) + 1);
	return s;
}

/* The datagram being filled. */
struct packer {
	struct statsd *s;
	char buf[STATSD_DATAGRAM];
	size_t len;
};

static void flush(struct packer *pk)
{
	if (pk->len == 0)
		return;
	struct statsd *s = pk->s;
	char why[256];
	if (platform_udp_send(s->fd, pk->buf, pk->len, why, sizeof why) < 0) {
		/* ECONNREFUSED: an ICMP from the last datagram, nobody listens
		 * (yet).  Counted; the next interval tries again. */
		s->errors++;
		if (!s->reported) {
			s->reported = 1;
			progress_clear(); /* the progress line, if any, first */
			fprintf(stderr, "pdnslog: statsd %s: %s (counted from now on, reported once)\n",
				s->target, why);
		}
	} else {
		s->datagrams++;
	}
	pk->len = 0;
}

static void metric(struct packer *pk, const char *name, uint64_t v, const char *type)
{
	char line[STATSD_LINE_MAX + 1];
	int n = snprintf(line, sizeof line, "%s%s:%llu|%s", pk->s->prefix, name,
			 (unsigned long long)v, type);
	if (n < 0 || (size_t)n >= sizeof line)
		return; /* cannot happen: the prefix and names are bounded */
	if (pk->len > 0 && pk->len + 1 + (size_t)n > sizeof pk->buf)
		flush(pk);
	if (pk->len > 0)
		pk->buf[pk->len++] = '\n';
	memcpy(pk->buf + pk->len, line, (size_t)n);
	pk->len += (size_t)n;
}

static uint64_t delta(uint64_t now, uint64_t prev)
{
	return now >= prev ? now - prev : now;
}

void statsd_send(struct statsd *s, const struct stats *now)
{
	struct packer pk = { .s = s };
	const struct stats *prev = &s->prev;
#define STATSD_COUNTER(name, doc) metric(&pk, #name, delta(now->name, prev->name), "c");
	STATS_COUNTERS(STATSD_COUNTER)
#undef STATSD_COUNTER
	for (int code = DNS_ESHORT; code >= DNS_EOPT; code--) {
		char name[STATSD_NAME_MAX];
		snprintf(name, sizeof name, "dns_errors.%s", dns_strerror(code));
		metric(&pk, name, delta(now->dns_error[-code], prev->dns_error[-code]), "c");
	}
	metric(&pk, "pending", now->pending, "g");
	metric(&pk, "pending_peak", now->pending_peak, "g");
	flush(&pk);
	s->prev = *now;
}

void statsd_close(struct statsd *s)
{
	if (!s)
		return;
	platform_udp_close(s->fd);
	free(s);
}
