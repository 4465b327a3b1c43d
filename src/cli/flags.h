/* flags: Go-style command-line flags, as gopassivedns spells them.
 *
 * "-name value", "-name=value", "--name" all work; booleans take no value
 * ("-quiet") or an explicit one ("-promisc=false").  The table of flags
 * lives in options.c; this file only parses against it.
 *
 * A flag can also come from the environment (PDNS_NAME, upper case, or the
 * name gopassivedns gave it) and from a config file of "name = value" lines.
 * Flags beat the environment, which beats the file: parse the file first,
 * then the environment, then argv; a later source overrides an earlier one.
 *
 * Every value is checked as it is read, against the flag's kind, its range
 * (min, max) and its check function, so a bad value is an error wherever it
 * is, naming where it came from: "-format must be flat or json", "environment
 * PDNS_FORMAT: -format must be ...", "/etc/pdnslog.conf:3: format must be ...".
 * Each flag remembers where its value came from (source, file, line), so
 * checks that involve several flags can say so too (flags_origin). */
#ifndef PDNSLOG_FLAGS_H
#define PDNSLOG_FLAGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum flag_kind { FLAG_STRING, FLAG_BOOL, FLAG_INT, FLAG_DURATION, FLAG_LIST };

/* A flag that may be given several times (-kafka_opt a=1 -kafka_opt b=2). */
#define FLAG_LIST_MAX 64
struct flag_list {
	const char *v[FLAG_LIST_MAX];
	size_t n;
};

struct flag {
	const char *name;
	enum flag_kind kind;
	void *value;          /* const char **, bool *, long long *, int64_t * (ns), struct flag_list * */
	const char *defval;   /* for -h */
	const char *help;
	const char *env;      /* gopassivedns's variable where it differs from
			       * PDNS_<NAME>; "" for none at all (-h, -version) */
	/* The values allowed, checked as each is read (the defaults are not):
	 * FLAG_INT and FLAG_DURATION (in ns) between min and max when max is
	 * not 0 (-h shows an int's range); then check, if any, which gets the
	 * value as written (each item of a FLAG_LIST) and returns NULL, or
	 * why it is refused ("must be flat or json"). */
	long long min, max;
	const char *(*check)(const char *value);
	/* Where the value came from, set as it is read. */
	int source;           /* which source set it last (FLAG_FROM_*), 0 for none */
	const char *file;     /* FLAG_FROM_FILE: the file (as flags_parse_file got it) */
	int line;             /* FLAG_FROM_FILE: its line; FLAG_FROM_ENV: which of flags_env_names */
};

enum { FLAG_FROM_FILE = 1, FLAG_FROM_ENV, FLAG_FROM_ARGS };

/* Parse argv against the table.  Returns 0, or -1 with a message in err. */
int flags_parse(struct flag *table, int argc, char **argv, char *err, size_t errlen);
/* The same, but the flags may be followed by arguments (capture files): the
 * first argument that is not a flag ("-" is one) or follows "--" ends them;
 * *first_arg is its index (argc when there is none). */
int flags_parse_args(struct flag *table, int argc, char **argv, int *first_arg, char *err, size_t errlen);
/* The environment: PDNS_<NAME> and the flag's gopassivedns variable. */
int flags_parse_env(struct flag *table, char *err, size_t errlen);
/* A config file of settings, one a line: "name = value" ('-' before the
 * name allowed), blank lines and comments.  A '#' at the start of a line,
 * after a space or tab, or where the value would start begins a comment, to
 * the end of the line ("pass#word" keeps its '#').  A value in
 * double or single quotes is taken as it is between them (spaces and '#'
 * included, no escapes), else from the first non-blank after '=' to the
 * last one before the comment.  Values are kept for the life of the process. */
int flags_parse_file(struct flag *table, const char *path, char *err, size_t errlen);
/* The variables flag f reads, in the order looked at: up to two. */
void flags_env_names(const struct flag *f, char names[2][64]);
void flags_usage(const struct flag *table, FILE *out);
/* The entry for name, or NULL. */
struct flag *flags_find(struct flag *table, const char *name);
/* How a message about f's value starts, naming where the value came from:
 * "-format" (the command line, or the default), "environment PDNS_FORMAT:
 * -format", "/etc/pdnslog.conf:3: format".  Returns buf. */
const char *flags_origin(const struct flag *f, char *buf, size_t len);

/* Go's time.ParseDuration: "1m", "-1m30s", "1.5h", "300ms", "0".  Returns 0 or -1. */
int parse_duration(const char *s, int64_t *ns);

#endif
