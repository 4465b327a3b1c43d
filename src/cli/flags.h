/* flags: Go-style command-line flags, as gopassivedns spells them.
 *
 * "-name value", "-name=value", "--name" all work; booleans take no value
 * ("-quiet") or an explicit one ("-promisc=false").  The table of flags
 * lives in main.c; this file only parses against it. */
#ifndef PDNSLOG_FLAGS_H
#define PDNSLOG_FLAGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum flag_kind { FLAG_STRING, FLAG_BOOL, FLAG_INT, FLAG_DURATION };

struct flag {
	const char *name;
	enum flag_kind kind;
	void *value;          /* const char **, bool *, long long *, int64_t * (ns) */
	const char *defval;   /* for -h */
	const char *help;
};

/* Parse argv against the table.  Returns 0, or -1 with a message in err. */
int flags_parse(struct flag *table, int argc, char **argv, char *err, size_t errlen);
void flags_usage(const struct flag *table, FILE *out);
/* The entry for name, or NULL. */
struct flag *flags_find(struct flag *table, const char *name);

/* Go's time.ParseDuration: "1m", "-1m30s", "1.5h", "300ms", "0".  Returns 0 or -1. */
int parse_duration(const char *s, int64_t *ns);

#endif
