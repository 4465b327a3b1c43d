/* cofline: a fact as one line of COF JSON, and back.
 *
 * The writer makes {"rrname":...,"rrtype":"A","rdata":...,"time_first":N,
 * "time_last":N,"count":N[,"bailiwick":...][,"sensor_id":...]}\n with
 * rrtype as its mnemonic (TYPEnnn for unnamed types, RFC 3597).  The parser
 * reads what the writer makes and what other COF producers send (keys in any
 * order, unknown keys skipped, rdata given as an array of strings taken one
 * fact each is NOT supported: such a line is refused), from hostile input:
 * bounded, no allocation, every failure a message. */
#ifndef PDNSLOG_PDNS_COFLINE_H
#define PDNSLOG_PDNS_COFLINE_H

#include <stddef.h>

#include "pdns/fact.h"
#include "util/strbuf.h"

/* Append f as one COF JSON line ending in '\n'.  A client row (f->client,
 * -pdns_clients) is written {"client", "rrname", "rrtype", "time_first",
 * "time_last", "count"}: rdata is the client's address. */
void cof_line_write(struct strbuf *sb, const struct pdns_fact *f);

/* Parse one line (without or with its '\n') into *f.  Unescaped strings are
 * written into scratch (scratch_len bytes; a line's text never needs more
 * than its own length + 4), and f's pointers point there.  Returns 0, or -1
 * with a one-line reason in err. */
int cof_line_parse(const char *line, size_t len, struct pdns_fact *f,
		   char *scratch, size_t scratch_len, char *err, size_t errlen);

#endif
