/* tcplog: the TCP reassembly's diagnostic lines (see tcplog.h). */
#include "decode/tcplog.h"

#include "stats/progress.h"
#include "util/ipfmt.h"
#include "util/strbuf.h"

void tcplog_snap(struct tcplog_snap *s, const struct stats *st)
{
#define TCPLOG_COPY(name) s->name = st->name;
	TCPLOG_COUNTERS(TCPLOG_COPY)
#undef TCPLOG_COPY
}

static void put_endpoint(struct strbuf *sb, uint8_t family, const uint8_t *a, uint16_t port)
{
	if (family == 6)
		strbuf_putc(sb, '[');
	strbuf_put_ip(sb, a, family);
	if (family == 6)
		strbuf_putc(sb, ']');
	strbuf_putc(sb, ':');
	strbuf_put_u64(sb, port);
}

/* " [name+delta ...]" for every counter that moved, then the line out. */
static void finish(struct strbuf *sb, const struct tcplog_snap *before, const struct stats *now)
{
	int moved = 0;
#define TCPLOG_DELTA(name) \
	if (now->name != before->name) { \
		strbuf_puts(sb, moved++ ? " " : " ["); \
		strbuf_puts(sb, #name "+"); \
		strbuf_put_u64(sb, now->name - before->name); \
	}
	TCPLOG_COUNTERS(TCPLOG_DELTA)
#undef TCPLOG_DELTA
	if (moved)
		strbuf_putc(sb, ']');
	strbuf_putc(sb, '\0');
	if (!sb->overflow)
		progress_eprintf("pdnslog: assembly: %s\n", sb->p);
	strbuf_free(sb);
}

void tcplog_segment(const struct packet *pkt, uint32_t first_seq, const char *what,
		    size_t drained, size_t waiting, bool closed, const struct tcplog_snap *before,
		    const struct stats *now)
{
	struct strbuf sb;
	strbuf_init(&sb);
	put_endpoint(&sb, pkt->src.family, pkt->src.a, pkt->sport);
	strbuf_puts(&sb, " > ");
	put_endpoint(&sb, pkt->dst.family, pkt->dst.a, pkt->dport);
	strbuf_puts(&sb, " seq ");
	strbuf_put_u64(&sb, pkt->tcp_seq);
	strbuf_puts(&sb, " (");
	int32_t rel = (int32_t)(pkt->tcp_seq - first_seq);
	strbuf_putc(&sb, rel < 0 ? '-' : '+');
	strbuf_put_u64(&sb, rel < 0 ? (uint64_t)-(int64_t)rel : (uint64_t)rel);
	strbuf_puts(&sb, ") len ");
	strbuf_put_u64(&sb, pkt->len);
	strbuf_puts(&sb, " [");
	static const char names[] = "FSRPAU";
	int any = 0;
	for (int i = 0; i < 6; i++)
		if (pkt->tcp_flags & (1u << i)) {
			strbuf_putc(&sb, names[i]);
			any = 1;
		}
	if (!any)
		strbuf_putc(&sb, '.');
	strbuf_puts(&sb, "]: ");
	strbuf_puts(&sb, what);
	if (drained) {
		strbuf_puts(&sb, ", ");
		strbuf_put_u64(&sb, drained);
		strbuf_puts(&sb, drained == 1 ? " held segment let in" : " held segments let in");
	}
	if (waiting) {
		strbuf_puts(&sb, " (");
		strbuf_put_u64(&sb, waiting);
		strbuf_puts(&sb, " waiting)");
	}
	if (closed)
		strbuf_puts(&sb, pkt->tcp_flags & 0x04 ? "; RST: stream closed" : "; FIN: stream closed");
	finish(&sb, before, now);
}

void tcplog_stream(uint8_t family, const uint8_t *src, uint16_t sport, const uint8_t *dst,
		   uint16_t dport, const char *why, const struct tcplog_snap *before,
		   const struct stats *now)
{
	struct strbuf sb;
	strbuf_init(&sb);
	put_endpoint(&sb, family, src, sport);
	strbuf_puts(&sb, " > ");
	put_endpoint(&sb, family, dst, dport);
	strbuf_puts(&sb, " stream closed: ");
	strbuf_puts(&sb, why);
	finish(&sb, before, now);
}

void tcplog_memuse(int worker, const struct tcp_memuse *m)
{
	progress_eprintf("pdnslog: assembly: memory: worker %d: tcp %zu/%zu streams, %zu/%zu bytes "
			 "(%zu segments held out of order, %zu bytes; %zu bytes unframed); "
			 "ip fragments %zu/%zu datagrams, %zu/%zu bytes\n", worker,
			 m->streams, m->max_streams, m->bytes, m->max_bytes, m->held_segments,
			 m->held_bytes, m->unframed, m->frag_datagrams, m->max_frag_datagrams,
			 m->frag_bytes, m->max_frag_bytes);
}
