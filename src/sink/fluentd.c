/* fluentd: the Forward protocol sink (see fluentd.h for what it promises).
 *
 * Why the records are converted from their JSON line rather than built from
 * the exchange: the line is what every other output gets, so the msgpack map
 * has its keys, order, values and types by construction (a second formatter
 * beside format/flat.c would have to be kept equal to it by hand, escaping
 * rules and all), and -format json works too.  The worker's part stays one
 * memcpy per batch (about 100 records), no per-record work nor allocation;
 * the conversion runs in the sink's own thread, a single pass over the line
 * with msgpack-c's packer writing into a buffer reused from frame to frame. */
#include "sink/fluentd.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <msgpack.h>

#include "stats/progress.h"
#include "util/clock.h"

#define FRAME_BYTES (256u << 10)   /* a message's entries, about: a few hundred records */
#define FRAME_RECORDS 4096         /* and at most this many records */
#define WINDOW 8                   /* messages sent and not yet acknowledged, at most */
#define BACKOFF_MIN_NS 100000000LL /* reconnects: 100 ms, doubling ... */
#define BACKOFF_MAX_NS 5000000000LL /* ... up to 5 s */
#define CONNECT_TIMEOUT_MS 5000
#define MAX_ADDRS 8
#define JSON_DEPTH 32

/* ---------------------------------------------------------------- JSON -> msgpack */

static int put_cb(void *data, const char *buf, size_t len)
{
	struct strbuf *sb = data;
	if (len <= 9 && sb->cap - sb->len >= 9) {
		/* A header or a number: a few bytes, cheaper than memcpy's call. */
		for (size_t i = 0; i < len; i++)
			sb->p[sb->len + i] = buf[i];
		sb->len += len;
		return 0;
	}
	strbuf_putn(sb, buf, len);
	return 0;
}

struct conv {
	const char *p, *end;
	msgpack_packer pk;
	struct strbuf *out;
	int depth;
};

static void skip_ws(struct conv *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

/* From just after an opening quote: the position of the closing one, or
 * NULL; *escaped says whether a backslash came before it.  A byte loop:
 * record strings are short, memchr's setup costs more than it saves. */
static const char *string_end(const char *p, const char *end, bool *escaped)
{
	*escaped = false;
	for (; p < end; p++) {
		if (*p == '"')
			return p;
		if (*p == '\\') {
			*escaped = true;
			p++; /* the escaped character, whatever it is */
		}
	}
	return NULL;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static long hex4(const char *p, const char *end)
{
	if (end - p < 4)
		return -1;
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

static size_t utf8_put(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decode the escaped string body [p, q) into o (at least q - p bytes: no
 * escape decodes longer than it is written).  Returns the length or -1. */
static long unescape(const char *p, const char *q, char *o)
{
	char *start = o;
	while (p < q) {
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		p++;
		switch (*p++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			long cp = hex4(p, q);
			if (cp < 0)
				return -1;
			p += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF && q - p >= 6 && p[0] == '\\' && p[1] == 'u') {
				long lo = hex4(p + 2, q);
				if (lo >= 0xDC00 && lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					p += 6;
				}
			}
			if (cp >= 0xD800 && cp <= 0xDFFF)
				cp = 0xFFFD; /* a lone surrogate: what a JSON reader makes of it, roughly */
			o += utf8_put(o, (unsigned long)cp);
			break;
		}
		default:
			return -1;
		}
	}
	return o - start;
}

static int conv_string(struct conv *c)
{
	bool escaped;
	const char *q = string_end(c->p + 1, c->end, &escaped);
	if (!q)
		return -1;
	const char *body = c->p + 1;
	size_t n = (size_t)(q - body);
	c->p = q + 1;
	if (!escaped) {
		msgpack_pack_str(&c->pk, n);
		return msgpack_pack_str_body(&c->pk, body, n);
	}
	/* Decoded in place after room for the str header, whose size depends
	 * on the decoded length: the body is moved up once the header is in. */
	struct strbuf *o = c->out;
	size_t at = o->len;
	if (!strbuf_reserve(o, n + 5))
		return -1;
	long len = unescape(body, q, o->p + at + 5);
	if (len < 0)
		return -1;
	msgpack_pack_str(&c->pk, (size_t)len); /* at `at`: 5 bytes at most, room reserved */
	memmove(o->p + o->len, o->p + at + 5, (size_t)len);
	o->len += (size_t)len;
	return 0;
}

static int conv_number(struct conv *c)
{
	const char *s = c->p, *p = s;
	bool neg = false, frac = false;
	if (p < c->end && *p == '-') {
		neg = true;
		p++;
	}
	const char *digits = p;
	uint64_t v = 0;
	bool big = false;
	while (p < c->end && *p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			big = true;
		else
			v = v * 10 + d;
		p++;
	}
	if (p == digits)
		return -1;
	if (p < c->end && *p == '.') {
		frac = true;
		p++;
		if (p >= c->end || *p < '0' || *p > '9')
			return -1;
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < c->end && (*p == 'e' || *p == 'E')) {
		frac = true;
		p++;
		if (p < c->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= c->end || *p < '0' || *p > '9')
			return -1;
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	c->p = p;
	if (!frac && !big && !neg)
		return msgpack_pack_uint64(&c->pk, v);
	if (!frac && !big && v <= (uint64_t)INT64_MAX + 1)
		return msgpack_pack_int64(&c->pk, v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v);
	char num[64];
	size_t n = (size_t)(p - s);
	if (n >= sizeof num)
		return -1;
	memcpy(num, s, n);
	num[n] = 0;
	return msgpack_pack_double(&c->pk, strtod(num, NULL));
}

static int conv_literal(struct conv *c, const char *word, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return -1;
	c->p += n;
	return 0;
}

static int conv_value(struct conv *c);

struct hdr {
	char b[8];
	size_t n;
};

static int hdr_cb(void *data, const char *buf, size_t len)
{
	struct hdr *h = data;
	if (h->n + len > sizeof h->b)
		return -1;
	memcpy(h->b + h->n, buf, len);
	h->n += len;
	return 0;
}

/* An object or an array, c->p at its bracket.  One pass: the members are
 * converted after room for a 3-byte header (16 to 65535 members: a flat
 * record has 21), which is packed once they are counted; the body moves by
 * what the header needs less or more. */
static int conv_container(struct conv *c, bool object)
{
	char close = object ? '}' : ']';
	if (++c->depth > JSON_DEPTH)
		return -1;
	struct strbuf *o = c->out;
	size_t at = o->len;
	if (!strbuf_reserve(o, 3))
		return -1;
	o->len += 3;
	c->p++;
	skip_ws(c);
	size_t n = 0;
	if (c->p < c->end && *c->p == close) {
		c->p++;
	} else {
		for (;;) {
			if (object) {
				if (c->p >= c->end || *c->p != '"' || conv_string(c) < 0)
					return -1;
				skip_ws(c);
				if (c->p >= c->end || *c->p++ != ':')
					return -1;
				skip_ws(c);
			}
			if (conv_value(c) < 0)
				return -1;
			n++;
			skip_ws(c);
			if (c->p >= c->end)
				return -1;
			char ch = *c->p++;
			if (ch == close)
				break;
			if (ch != ',')
				return -1;
			skip_ws(c);
		}
	}
	if (o->overflow)
		return -1;
	struct hdr h = { .n = 0 };
	msgpack_packer hp;
	msgpack_packer_init(&hp, &h, hdr_cb);
	if ((object ? msgpack_pack_map(&hp, n) : msgpack_pack_array(&hp, n)) < 0 || h.n > 5)
		return -1;
	size_t body = o->len - at - 3;
	if (h.n > 3 && !strbuf_reserve(o, h.n - 3))
		return -1;
	if (h.n != 3)
		memmove(o->p + at + h.n, o->p + at + 3, body);
	memcpy(o->p + at, h.b, h.n);
	o->len = at + h.n + body;
	c->depth--;
	return 0;
}

static int conv_value(struct conv *c)
{
	if (c->p >= c->end)
		return -1;
	switch (*c->p) {
	case '{':
		return conv_container(c, true);
	case '[':
		return conv_container(c, false);
	case '"':
		return conv_string(c);
	case 't':
		return conv_literal(c, "true", 4) < 0 ? -1 : msgpack_pack_true(&c->pk);
	case 'f':
		return conv_literal(c, "false", 5) < 0 ? -1 : msgpack_pack_false(&c->pk);
	case 'n':
		return conv_literal(c, "null", 4) < 0 ? -1 : msgpack_pack_nil(&c->pk);
	default:
		return conv_number(c);
	}
}

int fluentd_json_to_msgpack(struct strbuf *out, const char *json, size_t len)
{
	struct conv c = { .p = json, .end = json + len, .out = out };
	size_t mark = out->len;
	msgpack_packer_init(&c.pk, out, put_cb);
	skip_ws(&c);
	int rc = conv_value(&c);
	skip_ws(&c);
	if (rc < 0 || c.p != c.end || out->overflow) {
		out->len = mark;
		out->overflow = false;
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- addresses */

int fluentd_parse_address(const char *s, struct fluentd_address *a, char *why, size_t whylen)
{
	memset(a, 0, sizeof *a);
	const char *usage = "must be a Unix socket path, unix://PATH or tcp://HOST[:PORT]";
	if (strncmp(s, "tcp://", 6) == 0) {
		const char *h = s + 6, *hend, *port = NULL;
		if (*h == '[') {
			hend = strchr(h, ']');
			if (!hend || (hend[1] && hend[1] != ':'))
				return snprintf(why, whylen, "%s (an IPv6 address in brackets: tcp://[::1]:24224)", usage), -1;
			h++;
			if (hend[1] == ':')
				port = hend + 2;
		} else {
			const char *colon = strrchr(h, ':');
			if (colon && strchr(h, ':') != colon)
				return snprintf(why, whylen, "%s (an IPv6 address in brackets: tcp://[::1]:24224)", usage), -1;
			hend = colon ? colon : h + strlen(h);
			if (colon)
				port = colon + 1;
		}
		size_t hl = (size_t)(hend - h);
		if (hl == 0 || hl >= sizeof a->host)
			return snprintf(why, whylen, "%s (no host, or a host name too long)", usage), -1;
		memcpy(a->host, h, hl);
		if (port) {
			char *e;
			long p = strtol(port, &e, 10);
			if (!*port || *e || p < 1 || p > 65535)
				return snprintf(why, whylen, "%s: the port must be 1 to 65535", usage), -1;
			snprintf(a->port, sizeof a->port, "%ld", p);
		} else {
			snprintf(a->port, sizeof a->port, "%s", FLUENTD_DEFAULT_PORT);
		}
		a->tcp = true;
		return 0;
	}
	const char *path = s;
	if (strncmp(s, "unix://", 7) == 0)
		path = s + 7;
	else if (strstr(s, "://"))
		return snprintf(why, whylen, "%s", usage), -1;
	if (!*path)
		return snprintf(why, whylen, "%s (the path is empty)", usage), -1;
	if (strlen(path) >= sizeof a->path)
		return snprintf(why, whylen, "is a socket path of %zu bytes: at most %zu", strlen(path),
				sizeof a->path - 1), -1;
	memcpy(a->path, path, strlen(path) + 1);
	return 0;
}

/* ---------------------------------------------------------------- the sink */

/* A worker's batch as handed over: whole lines. */
struct node {
	struct node *next;
	uint32_t records, alone;
	int64_t time_s;
	size_t len;
	char text[];
};

/* One PackedForward message, kept until acknowledged. */
struct frame {
	struct frame *next;
	struct strbuf buf;     /* room for the header, the entries, the option map */
	size_t off;            /* where the message starts in buf */
	uint32_t records;      /* entries in it */
	uint32_t reserved;     /* queue places it holds (its nodes' records) */
	uint32_t alone;
	bool sent;             /* written whole on some connection */
	bool wire;             /* written whole on this connection: its ack may come */
	int64_t ack_by;        /* monotonic deadline of its ack */
	char chunk[25];        /* base64 of 16 bytes, NUL-terminated */
};

struct fluentd_sink {
	struct fluentd_address addr;
	const char *label;               /* the address as given, for messages */
	struct sockaddr_storage sa[MAX_ADDRS];
	socklen_t salen[MAX_ADDRS];
	int nsa;
	char *tag;
	size_t taglen, hdr_room;
	bool ack, debug;
	int64_t ack_timeout;
	uint64_t queue_max;
	int wake_fd;
	pthread_t thread;
	bool started;

	/* Shared with the workers, under lock. */
	pthread_mutex_t lock;
	struct node *head, *tail;        /* waiting to be packed, oldest first */
	uint64_t queued;                 /* records in nodes and frames */
	bool sleeping;                   /* the sender waits in poll: wake it */
	bool stop;
	int64_t deadline;

	/* The sender thread's own. */
	int fd;
	bool down;                       /* an outage was said on stderr */
	bool ever_up;                    /* something was delivered once */
	int64_t retry_at, backoff;
	struct frame *frames, *frames_tail, *next_send, *spare;
	int nframes;
	size_t wpos;                     /* bytes of next_send written */
	msgpack_unpacker unp;
	bool unp_ok;
	struct strbuf hdr;
	uint8_t id[16];                  /* 8 random bytes, then a counter */
	uint64_t id_next;

	atomic_uint_fast64_t delivered, retried, dropped, undelivered, errors, alone;
	atomic_bool drop_reported, bad_reported;
};

static void count(atomic_uint_fast64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	progress_eprintf("pdnslog: fluentd: %s\n", line); /* not across the progress line */
}

static void drop_said(struct fluentd_sink *f, uint64_t n, const char *why)
{
	count(&f->dropped, n);
	if (!atomic_exchange(&f->drop_reported, true))
		say("%s: records dropped (counted in fluentd_dropped; further drops only counted)", why);
}

size_t fluentd_write(struct fluentd_sink *f, const char *lines, size_t n, size_t records,
		     size_t alone)
{
	if (!records || !n)
		return 0;
	pthread_mutex_lock(&f->lock);
	uint64_t room = f->queued < f->queue_max ? f->queue_max - f->queued : 0;
	size_t take = records <= room ? records : (size_t)room;
	f->queued += take;
	pthread_mutex_unlock(&f->lock);
	if (take < records) {
		char why[96];
		snprintf(why, sizeof why, "the queue is full (-fluentd_queue %llu)",
			 (unsigned long long)f->queue_max);
		drop_said(f, records - take, why);
	}
	if (!take)
		return 0;
	size_t len = n;
	if (take < records) { /* the first `take` lines */
		const char *p = lines, *end = lines + n;
		for (size_t i = 0; i < take && p < end; i++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
		}
		len = (size_t)(p - lines);
	}
	struct node *nd = malloc(sizeof *nd + len);
	if (!nd) {
		pthread_mutex_lock(&f->lock);
		f->queued -= take;
		pthread_mutex_unlock(&f->lock);
		drop_said(f, take, "out of memory");
		return 0;
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	nd->next = NULL;
	nd->records = (uint32_t)take;
	nd->alone = (uint32_t)(alone < take ? alone : take);
	nd->time_s = now.tv_sec;
	nd->len = len;
	memcpy(nd->text, lines, len);
	pthread_mutex_lock(&f->lock);
	if (f->tail)
		f->tail->next = nd;
	else
		f->head = nd;
	f->tail = nd;
	bool wake = f->sleeping;
	f->sleeping = false;
	pthread_mutex_unlock(&f->lock);
	if (wake) {
		uint64_t one = 1;
		ssize_t w = write(f->wake_fd, &one, sizeof one);
		(void)w; /* a full counter wakes the sender all the same */
	}
	return take;
}

void fluentd_get_counters(struct fluentd_sink *f, struct fluentd_counters *c)
{
	c->delivered = atomic_load(&f->delivered);
	c->retried = atomic_load(&f->retried);
	c->dropped = atomic_load(&f->dropped);
	c->undelivered = atomic_load(&f->undelivered);
	c->errors = atomic_load(&f->errors);
	c->alone = atomic_load(&f->alone);
}

/* ---- frames */

static void chunk_id(struct fluentd_sink *f, char out[25])
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint64_t n = f->id_next++;
	for (int i = 0; i < 8; i++)
		f->id[8 + i] = (uint8_t)(n >> (56 - 8 * i));
	const uint8_t *in = f->id;
	char *o = out;
	for (int i = 0; i < 15; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*o++ = b64[v >> 18];
		*o++ = b64[v >> 12 & 63];
		*o++ = b64[v >> 6 & 63];
		*o++ = b64[v & 63];
	}
	uint32_t v = (uint32_t)in[15] << 16;
	*o++ = b64[v >> 18];
	*o++ = b64[v >> 12 & 63];
	*o++ = '=';
	*o++ = '=';
	*o = 0;
}

static struct node *pop_node(struct fluentd_sink *f)
{
	pthread_mutex_lock(&f->lock);
	struct node *nd = f->head;
	if (nd) {
		f->head = nd->next;
		if (!f->head)
			f->tail = NULL;
	}
	pthread_mutex_unlock(&f->lock);
	return nd;
}

static void release(struct fluentd_sink *f, uint64_t places)
{
	pthread_mutex_lock(&f->lock);
	f->queued -= places;
	pthread_mutex_unlock(&f->lock);
}

static void recycle(struct fluentd_sink *f, struct frame *fr)
{
	fr->next = f->spare;
	f->spare = fr;
}

/* The next message from the waiting nodes, or NULL when none wait. */
static struct frame *build_frame(struct fluentd_sink *f)
{
	struct node *nd = pop_node(f);
	if (!nd)
		return NULL;
	struct frame *fr = f->spare;
	if (fr) {
		f->spare = fr->next;
	} else if (!(fr = calloc(1, sizeof *fr))) {
		release(f, nd->records);
		drop_said(f, nd->records, "out of memory");
		free(nd);
		return NULL;
	}
	fr->next = NULL;
	fr->records = fr->reserved = fr->alone = 0;
	fr->sent = fr->wire = false;
	strbuf_reset(&fr->buf);
	if (strbuf_reserve(&fr->buf, f->hdr_room + FRAME_BYTES + (64u << 10)))
		fr->buf.len = f->hdr_room;
	msgpack_packer pk;
	msgpack_packer_init(&pk, &fr->buf, put_cb);
	uint64_t bad = 0;
	while (nd) {
		const char *p = nd->text, *end = nd->text + nd->len;
		uint32_t entries = 0;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			size_t mark = fr->buf.len;
			msgpack_pack_array(&pk, 2);
			msgpack_pack_int64(&pk, nd->time_s);
			if (n && fluentd_json_to_msgpack(&fr->buf, p, n) == 0) {
				entries++;
			} else if (n) {
				fr->buf.len = mark;
				fr->buf.overflow = false;
				bad++;
			} else {
				fr->buf.len = mark;
			}
			p += n + 1;
		}
		fr->records += entries;
		fr->reserved += nd->records;
		fr->alone += nd->alone;
		free(nd);
		nd = NULL;
		if (fr->buf.len - f->hdr_room < FRAME_BYTES && fr->records < FRAME_RECORDS)
			nd = pop_node(f);
	}
	if (fr->alone > fr->records)
		fr->alone = fr->records;
	if (bad) {
		count(&f->dropped, bad);
		if (!atomic_exchange(&f->bad_reported, true))
			say("a record that is not one JSON value was left out (counted in fluentd_dropped)");
	}
	if (fr->records == 0 || fr->buf.overflow) {
		if (fr->buf.overflow)
			drop_said(f, fr->records, "out of memory");
		release(f, fr->reserved);
		recycle(f, fr);
		return NULL;
	}
	/* The option map after the entries, then the header before them. */
	size_t entries_len = fr->buf.len - f->hdr_room;
	if (f->ack) {
		chunk_id(f, fr->chunk);
		msgpack_pack_map(&pk, 2);
		msgpack_pack_str_with_body(&pk, "size", 4);
		msgpack_pack_uint32(&pk, fr->records);
		msgpack_pack_str_with_body(&pk, "chunk", 5);
		msgpack_pack_str_with_body(&pk, fr->chunk, strlen(fr->chunk));
	} else {
		msgpack_pack_map(&pk, 1);
		msgpack_pack_str_with_body(&pk, "size", 4);
		msgpack_pack_uint32(&pk, fr->records);
	}
	strbuf_reset(&f->hdr);
	msgpack_packer hp;
	msgpack_packer_init(&hp, &f->hdr, put_cb);
	msgpack_pack_array(&hp, 3);
	msgpack_pack_str_with_body(&hp, f->tag, f->taglen);
	msgpack_pack_bin(&hp, entries_len);
	if (fr->buf.overflow || f->hdr.overflow || f->hdr.len > f->hdr_room) {
		drop_said(f, fr->records, "out of memory");
		release(f, fr->reserved);
		recycle(f, fr);
		return NULL;
	}
	fr->off = f->hdr_room - f->hdr.len;
	memcpy(fr->buf.p + fr->off, f->hdr.p, f->hdr.len);
	return fr;
}

/* A message the server has (acknowledged, or written without ack). */
static void delivered(struct fluentd_sink *f, struct frame *fr)
{
	count(&f->delivered, fr->records);
	count(&f->alone, fr->alone);
	release(f, fr->reserved);
	f->backoff = BACKOFF_MIN_NS;
	if (f->down) {
		f->down = false;
		say("%s answers%s; delivering", f->label, f->ever_up ? " again" : "");
	}
	f->ever_up = true;
}

static void unlink_frame(struct fluentd_sink *f, struct frame *fr)
{
	struct frame **pp = &f->frames, *prev = NULL;
	while (*pp && *pp != fr) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return;
	*pp = fr->next;
	if (f->frames_tail == fr)
		f->frames_tail = prev;
	if (f->next_send == fr)
		f->next_send = fr->next;
	f->nframes--;
	recycle(f, fr);
}

/* ---- the connection */

static void disconnect(struct fluentd_sink *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	f->next_send = NULL;
	f->wpos = 0;
	for (struct frame *fr = f->frames; fr; fr = fr->next)
		fr->wire = false;
}

static void backoff(struct fluentd_sink *f)
{
	f->retry_at = monotonic_ns() + f->backoff;
	f->backoff = f->backoff * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : f->backoff * 2;
}

static uint64_t unacknowledged(struct fluentd_sink *f)
{
	uint64_t n = 0;
	for (struct frame *fr = f->frames; fr; fr = fr->next)
		n += fr->sent ? fr->records : 0;
	return n;
}

/* The connection failed: everything not acknowledged goes again on the next. */
static void lost(struct fluentd_sink *f, const char *why)
{
	disconnect(f);
	count(&f->errors, 1);
	if (!f->down) {
		f->down = true;
		uint64_t again = unacknowledged(f);
		char more[96] = "";
		if (again)
			snprintf(more, sizeof more, "; the %llu sent but not acknowledged go again",
				 (unsigned long long)again);
		say("connection to %s lost: %s; records wait in the queue (at most %llu)%s", f->label,
		    why, (unsigned long long)f->queue_max, more);
	}
	backoff(f);
}

static int connect_one(struct fluentd_sink *f, const struct sockaddr *sa, socklen_t len,
		       int64_t deadline)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, sa, len) < 0) {
		if (errno != EINPROGRESS) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		int64_t left = (deadline - monotonic_ns()) / 1000000;
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int rc;
		do
			rc = poll(&p, 1, left > 0 ? (int)left : 0);
		while (rc < 0 && errno == EINTR);
		int err = 0;
		socklen_t el = sizeof err;
		if (rc == 0)
			err = ETIMEDOUT;
		else if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err) {
			close(fd);
			errno = err;
			return -1;
		}
	}
	if (sa->sa_family != AF_UNIX) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	}
	return fd;
}

static void try_connect(struct fluentd_sink *f, int64_t limit)
{
	int64_t deadline = monotonic_ns() + CONNECT_TIMEOUT_MS * 1000000LL;
	if (deadline > limit)
		deadline = limit;
	int fd = -1, e = 0;
	for (int i = 0; i < f->nsa && fd < 0; i++) {
		fd = connect_one(f, (struct sockaddr *)&f->sa[i], f->salen[i], deadline);
		e = errno;
	}
	if (fd < 0) {
		count(&f->errors, 1);
		if (!f->down) {
			f->down = true;
			say("cannot connect to %s: %s; records wait in the queue (at most %llu) until it answers",
			    f->label, strerror(e), (unsigned long long)f->queue_max);
		}
		backoff(f);
		return;
	}
	f->fd = fd;
	f->next_send = f->frames;
	f->wpos = 0;
	if (f->unp_ok)
		msgpack_unpacker_destroy(&f->unp);
	f->unp_ok = msgpack_unpacker_init(&f->unp, 1024);
	if (f->debug)
		say("debug: connected to %s", f->label);
}

static void send_more(struct fluentd_sink *f)
{
	while (f->fd >= 0 && f->next_send) {
		struct frame *fr = f->next_send;
		size_t total = fr->buf.len - fr->off;
		ssize_t w = send(f->fd, fr->buf.p + fr->off + f->wpos, total - f->wpos,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				lost(f, strerror(errno));
			return;
		}
		f->wpos += (size_t)w;
		if (f->wpos < total)
			continue;
		f->wpos = 0;
		f->next_send = fr->next;
		if (fr->sent)
			count(&f->retried, fr->records);
		fr->sent = fr->wire = true;
		if (f->ack) {
			fr->ack_by = monotonic_ns() + f->ack_timeout;
		} else {
			delivered(f, fr);
			unlink_frame(f, fr);
		}
	}
}

static bool is_key(const msgpack_object *o, const char *k)
{
	size_t n = strlen(k);
	return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n && memcmp(o->via.str.ptr, k, n) == 0;
}

static void on_ack(struct fluentd_sink *f, const msgpack_object *o)
{
	if (o->type != MSGPACK_OBJECT_MAP)
		return;
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];
		if (!is_key(&kv->key, "ack") ||
		    (kv->val.type != MSGPACK_OBJECT_STR && kv->val.type != MSGPACK_OBJECT_BIN))
			continue;
		const char *id = kv->val.via.str.ptr;
		size_t n = kv->val.via.str.size;
		for (struct frame *fr = f->frames; fr; fr = fr->next) {
			if (fr->wire && strlen(fr->chunk) == n && memcmp(fr->chunk, id, n) == 0) {
				delivered(f, fr);
				unlink_frame(f, fr);
				return;
			}
		}
	}
}

static void read_acks(struct fluentd_sink *f)
{
	for (;;) {
		if (!f->unp_ok || !msgpack_unpacker_reserve_buffer(&f->unp, 4096)) {
			lost(f, "out of memory");
			return;
		}
		ssize_t n = recv(f->fd, msgpack_unpacker_buffer(&f->unp),
				 msgpack_unpacker_buffer_capacity(&f->unp), MSG_DONTWAIT);
		if (n == 0) {
			lost(f, "closed by the server");
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				lost(f, strerror(errno));
			return;
		}
		msgpack_unpacker_buffer_consumed(&f->unp, (size_t)n);
		msgpack_unpacked res;
		msgpack_unpacked_init(&res);
		msgpack_unpack_return rc;
		while ((rc = msgpack_unpacker_next(&f->unp, &res)) == MSGPACK_UNPACK_SUCCESS)
			on_ack(f, &res.data);
		msgpack_unpacked_destroy(&res);
		if (rc == MSGPACK_UNPACK_PARSE_ERROR) {
			lost(f, "the server's answer is not msgpack");
			return;
		}
	}
}

static void *sender(void *arg)
{
	struct fluentd_sink *f = arg;
	for (;;) {
		while (f->nframes < WINDOW) {
			struct frame *fr = build_frame(f);
			if (!fr)
				break;
			if (f->frames_tail)
				f->frames_tail->next = fr;
			else
				f->frames = fr;
			f->frames_tail = fr;
			f->nframes++;
			if (f->fd >= 0 && !f->next_send)
				f->next_send = fr;
		}
		pthread_mutex_lock(&f->lock);
		bool stop = f->stop, waiting = f->head != NULL;
		int64_t deadline = f->deadline;
		pthread_mutex_unlock(&f->lock);
		int64_t now = monotonic_ns();
		if (stop && ((!waiting && !f->frames) || now >= deadline))
			break;
		if (f->fd < 0 && now >= f->retry_at)
			try_connect(f, stop ? deadline : INT64_MAX);
		if (f->fd >= 0 && f->ack && f->frames && f->frames->wire && now >= f->frames->ack_by) {
			char why[96];
			snprintf(why, sizeof why, "no ack within %lld s",
				 (long long)(f->ack_timeout / 1000000000));
			lost(f, why);
		}
		if (f->fd >= 0)
			send_more(f);

		/* Wait for the socket, a worker's batch or the next deadline. */
		now = monotonic_ns();
		int64_t until = now + 1000000000LL;
		if (f->fd < 0 && f->retry_at < until)
			until = f->retry_at;
		if (f->fd >= 0 && f->ack && f->frames && f->frames->wire && f->frames->ack_by < until)
			until = f->frames->ack_by;
		if (stop && deadline < until)
			until = deadline;
		struct pollfd p[2] = { { .fd = f->wake_fd, .events = POLLIN },
				       { .fd = f->fd, .events = POLLIN | (f->next_send ? POLLOUT : 0) } };
		pthread_mutex_lock(&f->lock);
		f->sleeping = f->nframes < WINDOW;
		bool more = f->sleeping && (f->head != NULL || f->stop != stop);
		pthread_mutex_unlock(&f->lock);
		int timeout = more ? 0 : until > now ? (int)((until - now + 999999) / 1000000) : 0;
		int rc = poll(p, f->fd >= 0 ? 2 : 1, timeout);
		pthread_mutex_lock(&f->lock);
		f->sleeping = false;
		pthread_mutex_unlock(&f->lock);
		if (rc <= 0)
			continue;
		if (p[0].revents & POLLIN) {
			uint64_t v;
			ssize_t r = read(f->wake_fd, &v, sizeof v);
			(void)r;
		}
		if (f->fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			read_acks(f);
		if (f->fd >= 0 && (p[1].revents & POLLOUT))
			send_more(f);
	}
	disconnect(f);
	/* What is left was not delivered. */
	uint64_t left = 0;
	for (struct frame *fr = f->frames; fr; fr = fr->next)
		left += fr->records;
	pthread_mutex_lock(&f->lock);
	for (struct node *nd = f->head; nd; nd = nd->next)
		left += nd->records;
	pthread_mutex_unlock(&f->lock);
	count(&f->undelivered, left);
	return NULL;
}

/* ---------------------------------------------------------------- open, close */

static void free_sink(struct fluentd_sink *f)
{
	for (struct frame *fr = f->frames, *next; fr; fr = next) {
		next = fr->next;
		strbuf_free(&fr->buf);
		free(fr);
	}
	for (struct frame *fr = f->spare, *next; fr; fr = next) {
		next = fr->next;
		strbuf_free(&fr->buf);
		free(fr);
	}
	for (struct node *nd = f->head, *next; nd; nd = next) {
		next = nd->next;
		free(nd);
	}
	if (f->unp_ok)
		msgpack_unpacker_destroy(&f->unp);
	if (f->wake_fd >= 0)
		close(f->wake_fd);
	strbuf_free(&f->hdr);
	pthread_mutex_destroy(&f->lock);
	free(f->tag);
	free(f);
}

struct fluentd_sink *fluentd_open(const struct fluentd_config *cfg, char *err, size_t errlen)
{
	struct fluentd_sink *f = calloc(1, sizeof *f);
	if (!f) {
		snprintf(err, errlen, "fluentd: out of memory");
		return NULL;
	}
	f->fd = f->wake_fd = -1;
	pthread_mutex_init(&f->lock, NULL);
	strbuf_init(&f->hdr);
	char why[256];
	if (fluentd_parse_address(cfg->address, &f->addr, why, sizeof why) < 0) {
		snprintf(err, errlen, "-fluentd_socket %s", why);
		goto fail;
	}
	f->label = cfg->address;
	f->tag = strdup(cfg->tag ? cfg->tag : "pdnslog" FLUENTD_TAG_SUFFIX);
	if (!f->tag) {
		snprintf(err, errlen, "fluentd: out of memory");
		goto fail;
	}
	f->taglen = strlen(f->tag);
	f->hdr_room = f->taglen + 16; /* array, str and bin headers: 11 bytes at most */
	f->ack = cfg->ack;
	f->debug = cfg->debug;
	f->ack_timeout = cfg->ack_timeout_ns > 0 ? cfg->ack_timeout_ns : 60000000000LL;
	f->queue_max = cfg->queue_max > 0 ? (uint64_t)cfg->queue_max : FLUENTD_DEFAULT_QUEUE;
	f->backoff = BACKOFF_MIN_NS;
	if (!f->addr.tcp) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&f->sa[0];
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, f->addr.path, strlen(f->addr.path) + 1);
		f->salen[0] = sizeof *sun;
		f->nsa = 1;
	} else {
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG };
		struct addrinfo *res = NULL;
		int rc = getaddrinfo(f->addr.host, f->addr.port, &hints, &res);
		if (rc == EAI_NONAME || rc == EAI_ADDRFAMILY) {
			hints.ai_flags = 0; /* loopback only: AI_ADDRCONFIG hides it */
			rc = getaddrinfo(f->addr.host, f->addr.port, &hints, &res);
		}
		if (rc != 0) {
			snprintf(err, errlen, "fluentd: %s: %s", f->addr.host,
				 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
			goto fail;
		}
		for (struct addrinfo *ai = res; ai && f->nsa < MAX_ADDRS; ai = ai->ai_next) {
			if (ai->ai_addrlen > sizeof f->sa[0])
				continue;
			memcpy(&f->sa[f->nsa], ai->ai_addr, ai->ai_addrlen);
			f->salen[f->nsa++] = ai->ai_addrlen;
		}
		freeaddrinfo(res);
		if (!f->nsa) {
			snprintf(err, errlen, "fluentd: %s: no address", f->addr.host);
			goto fail;
		}
	}
	if (getrandom(f->id, 8, 0) != 8) {
		uint64_t t = (uint64_t)monotonic_ns() ^ (uint64_t)getpid() << 32;
		memcpy(f->id, &t, 8);
	}
	f->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (f->wake_fd < 0) {
		snprintf(err, errlen, "fluentd: eventfd: %s", strerror(errno));
		goto fail;
	}
	/* A first connection now, before the sandbox and any chroot: a server
	 * that is there from the start is used at once. */
	try_connect(f, INT64_MAX);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old); /* signals are the main thread's */
	f->started = pthread_create(&f->thread, NULL, sender, f) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!f->started) {
		snprintf(err, errlen, "fluentd: cannot start the sender thread");
		disconnect(f);
		goto fail;
	}
	return f;
fail:
	free_sink(f);
	return NULL;
}

void fluentd_close(struct fluentd_sink *f, int64_t timeout_ns, struct fluentd_counters *final)
{
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	f->deadline = monotonic_ns() + (timeout_ns > 0 ? timeout_ns : 0);
	pthread_mutex_unlock(&f->lock);
	uint64_t one = 1;
	ssize_t w = write(f->wake_fd, &one, sizeof one);
	(void)w;
	if (f->started)
		pthread_join(f->thread, NULL);
	fluentd_get_counters(f, final);
	free_sink(f);
}
