/* jsonw: the JSON writer: appends JSON tokens straight into a strbuf.
 *
 * No DOM: a record is written front to back as it is built.  The caller
 * writes separators itself through jsonw_key(), which adds the comma when the
 * object already has a member; `first` tracks that per nesting level. */
#ifndef PDNSLOG_JSONW_H
#define PDNSLOG_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "util/strbuf.h"

#define JSONW_DEPTH 16

struct jsonw {
	struct strbuf *sb;
	struct strbuf *scratch;  /* room to escape text in place; NULL: allocate when needed */
	int depth;
	bool first[JSONW_DEPTH]; /* no member written yet at this level */
};

/* Write into sb; scratch (may be NULL) is the caller's kept buffer for the
 * rare string that needs escaping after it was written. */
void jsonw_init(struct jsonw *j, struct strbuf *sb, struct strbuf *scratch);
void jsonw_object_open(struct jsonw *j);   /* { as a value */
void jsonw_object_close(struct jsonw *j);
void jsonw_array_open(struct jsonw *j);    /* [ as a value */
void jsonw_array_close(struct jsonw *j);
/* "key": — with the comma before it when needed.  Keys are string
 * literals of trusted ASCII, so their length is known when compiled. */
#define jsonw_key(j, key) jsonw_keyn((j), "\"" key "\":", sizeof(key) + 2)
void jsonw_keyn(struct jsonw *j, const char *quoted_key_colon, size_t n);
/* The same for a key only known at run time (trusted ASCII). */
void jsonw_key_str(struct jsonw *j, const char *key);
/* A string value that needs no escaping (mnemonics, numbers as text):
 * the caller appends its text between jsonw_raw_begin() and jsonw_raw_end(). */
void jsonw_raw_begin(struct jsonw *j);
void jsonw_raw_end(struct jsonw *j);
/* Values: in an array they get their comma automatically. */
void jsonw_str(struct jsonw *j, const char *s);
void jsonw_strn(struct jsonw *j, const char *s, size_t n);
void jsonw_uint(struct jsonw *j, uint64_t v);
void jsonw_int(struct jsonw *j, int64_t v);
void jsonw_bool(struct jsonw *j, bool v);
void jsonw_null(struct jsonw *j);
/* Start a string value and return the offset where its body starts; text
 * appended to j->sb after that is escaped in place by jsonw_str_end().  Lets
 * printers (names, rdata) write straight into the record. */
size_t jsonw_str_begin(struct jsonw *j);
void jsonw_str_end(struct jsonw *j, size_t begin);

/* Escape in place what was appended to sb since offset `begin`, as the body
 * of a JSON string; scratch (may be NULL) as for jsonw_init().  For records
 * written as literal fragments around their values. */
void json_escape_from(struct strbuf *sb, size_t begin, struct strbuf *scratch);

/* Escape s[0..n) as the body of a JSON string (no quotes).  Bytes that are not
 * valid UTF-8 are written as \u00XX of the byte, so the output is always valid. */
void json_escape(struct strbuf *sb, const char *s, size_t n);

#endif
