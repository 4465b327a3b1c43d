/* flags: parsing of Go-style flags and durations. */
#include "cli/flags.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct flag *flags_find(struct flag *table, const char *name)
{
	for (struct flag *f = table; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "t", "true", "yes", "on", NULL };
	static const char *const no[] = { "0", "f", "false", "no", "off", NULL };
	for (int i = 0; yes[i]; i++)
		if (strcasecmp(s, yes[i]) == 0)
			return *out = true, 0;
	for (int i = 0; no[i]; i++)
		if (strcasecmp(s, no[i]) == 0)
			return *out = false, 0;
	return -1;
}

int parse_duration(const char *s, int64_t *ns)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 },
		{ "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
	};
	int neg = 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0)
		return *ns = 0, 0;
	if (*s == 0)
		return -1;
	double total = 0;
	while (*s) {
		char *end;
		errno = 0;
		if (!((*s >= '0' && *s <= '9') || *s == '.'))
			return -1;
		double v = strtod(s, &end);
		if (end == s || errno)
			return -1;
		s = end;
		size_t best = 0;
		double mult = 0;
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
			size_t n = strlen(units[i].unit);
			if (strncmp(s, units[i].unit, n) == 0 && n > best) {
				best = n;
				mult = units[i].ns;
			}
		}
		if (!best)
			return -1; /* a unit is required, as in Go */
		s += best;
		total += v * mult;
	}
	if (total > 9.2e18)
		return -1;
	*ns = (int64_t)(neg ? -total : total);
	return 0;
}

/* Values copied from the environment and config files live as long as the
 * process; kept here, they stay reachable when a stronger source replaces
 * them (LeakSanitizer would call them leaks otherwise). */
static char **kept;
static size_t nkept, kept_cap;

static char *keep(const char *v)
{
	if (nkept == kept_cap) {
		size_t cap = kept_cap ? 2 * kept_cap : 64;
		char **grown = realloc(kept, cap * sizeof *grown);
		if (!grown)
			return NULL;
		kept = grown;
		kept_cap = cap;
	}
	char *copy = strdup(v);
	if (copy)
		kept[nkept++] = copy;
	return copy;
}

const char *flags_origin(const struct flag *f, char *buf, size_t len)
{
	if (f->source == FLAG_FROM_FILE) {
		snprintf(buf, len, "%s:%d: %s", f->file, f->line, f->name);
	} else if (f->source == FLAG_FROM_ENV) {
		char names[2][64];
		flags_env_names(f, names);
		snprintf(buf, len, "environment %s: -%s", names[f->line == 1], f->name);
	} else {
		snprintf(buf, len, "-%s", f->name);
	}
	return buf;
}

/* Why n is outside f's range, or NULL.  A duration's range is either "not
 * negative" (min 0) or "positive" (min 1 ns), up to any length. */
static const char *out_of_range(const struct flag *f, long long n, char *buf, size_t len)
{
	if (!f->max || (n >= f->min && n <= f->max))
		return NULL;
	if (f->kind == FLAG_DURATION)
		snprintf(buf, len, f->min > 0 ? "must be a positive duration" : "must not be negative");
	else if (f->max == LLONG_MAX)
		snprintf(buf, len, "must be at least %lld", f->min);
	else
		snprintf(buf, len, "must be between %lld and %lld", f->min, f->max);
	return buf;
}

/* Set f from source (file and line: see struct flag), checking the value. */
static int set_value(struct flag *f, const char *v, int source, const char *file, int line,
		     char *err, size_t errlen)
{
	char *end;
	long long n = 0;
	/* A list from a stronger source replaces the weaker one's. */
	if (f->kind == FLAG_LIST && source > f->source)
		((struct flag_list *)f->value)->n = 0;
	f->source = source;
	f->file = file;
	f->line = line;
	switch (f->kind) {
	case FLAG_STRING:
		*(const char **)f->value = v;
		break;
	case FLAG_BOOL:
		if (parse_bool(v, f->value) == 0)
			break;
		snprintf(err, errlen, "invalid boolean value \"%s\" for flag -%s", v, f->name);
		return -1;
	case FLAG_INT:
		errno = 0;
		n = strtoll(v, &end, 0);
		if (*v && !*end && !errno) {
			*(long long *)f->value = n;
			break;
		}
		snprintf(err, errlen, "invalid value \"%s\" for flag -%s: not an integer", v, f->name);
		return -1;
	case FLAG_LIST: {
		struct flag_list *l = f->value;
		if (l->n < FLAG_LIST_MAX) {
			l->v[l->n++] = v;
			break;
		}
		snprintf(err, errlen, "flag -%s given more than %d times", f->name, FLAG_LIST_MAX);
		return -1;
	}
	case FLAG_DURATION: {
		int64_t ns;
		if (parse_duration(v, &ns) == 0) {
			*(int64_t *)f->value = ns;
			n = ns;
			break;
		}
		snprintf(err, errlen, "invalid value \"%s\" for flag -%s: not a duration (e.g. 90s, 1m, 1h30m)", v, f->name);
		return -1;
	}
	}
	char range[96];
	const char *why = f->kind == FLAG_INT || f->kind == FLAG_DURATION ? out_of_range(f, n, range, sizeof range) : NULL;
	if (!why && f->check)
		why = f->check(v);
	if (!why)
		return 0;
	/* Named as the source spells it: "format" in a file, else "-format". */
	snprintf(err, errlen, "%s%s %s", source == FLAG_FROM_FILE ? "" : "-", f->name, why);
	return -1;
}

int flags_parse(struct flag *table, int argc, char **argv, char *err, size_t errlen)
{
	return flags_parse_args(table, argc, argv, NULL, err, errlen);
}

int flags_parse_args(struct flag *table, int argc, char **argv, int *first_arg, char *err, size_t errlen)
{
	if (first_arg)
		*first_arg = argc;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (first_arg && (arg[0] != '-' || arg[1] == 0 || strcmp(arg, "--") == 0)) {
			*first_arg = i + (strcmp(arg, "--") == 0); /* as Go's flag package */
			return 0;
		}
		if (arg[0] != '-' || arg[1] == 0) {
			snprintf(err, errlen, "unexpected argument \"%s\" (flags start with -)", arg);
			return -1;
		}
		arg += arg[1] == '-' ? 2 : 1;
		if (*arg == 0) {
			snprintf(err, errlen, "unexpected argument \"--\"");
			return -1;
		}
		char name[64];
		const char *eq = strchr(arg, '=');
		size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
		if (n >= sizeof name) {
			snprintf(err, errlen, "flag provided but not defined: -%.60s", arg);
			return -1;
		}
		memcpy(name, arg, n);
		name[n] = 0;
		struct flag *f = flags_find(table, name);
		if (!f) {
			snprintf(err, errlen, "flag provided but not defined: -%s", name);
			return -1;
		}
		const char *v;
		if (eq) {
			v = eq + 1;
		} else if (f->kind == FLAG_BOOL) {
			v = "true";
		} else if (i + 1 < argc) {
			v = argv[++i];
		} else {
			snprintf(err, errlen, "flag needs an argument: -%s", name);
			return -1;
		}
		if (set_value(f, v, FLAG_FROM_ARGS, NULL, 0, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void flags_env_names(const struct flag *f, char names[2][64])
{
	names[0][0] = names[1][0] = 0;
	if (f->env && !*f->env)
		return;
	char *n = names[f->env ? 1 : 0];
	size_t i = snprintf(n, 64, "PDNS_");
	for (const char *p = f->name; *p && i < 63; p++)
		n[i++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
	n[i] = 0;
	if (f->env)
		snprintf(names[0], 64, "%s", f->env);
	if (strcmp(names[0], names[1]) == 0)
		names[1][0] = 0;
}

int flags_parse_env(struct flag *table, char *err, size_t errlen)
{
	for (struct flag *f = table; f->name; f++) {
		char names[2][64];
		flags_env_names(f, names);
		for (int i = 0; i < 2; i++) {
			const char *v = *names[i] ? getenv(names[i]) : NULL;
			if (!v)
				continue;
			if (f->kind != FLAG_LIST) {
				if (set_value(f, v, FLAG_FROM_ENV, NULL, i, err, errlen) < 0)
					goto bad;
				break;
			}
			/* A list: its values separated by spaces. */
			char *copy = keep(v), *save = NULL;
			if (!copy) {
				snprintf(err, errlen, "too many values or out of memory");
				return -1;
			}
			for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save))
				if (set_value(f, t, FLAG_FROM_ENV, NULL, i, err, errlen) < 0)
					goto bad;
			break;
		bad:;
			char why[256];
			snprintf(why, sizeof why, "%s", err);
			snprintf(err, errlen, "environment %s: %s", names[i], why);
			return -1;
		}
	}
	return 0;
}

static char *skip_blanks(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static char *trim(char *s)
{
	s = skip_blanks(s);
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = 0;
	return s;
}

/* Split one config line in place (see flags_parse_file): 0 with *name and
 * *value, both NULL for a blank or comment line; or -1 with why. */
static int split_setting(char *line, char **name, char **value, const char **why)
{
	char *s = trim(line);
	*name = *value = NULL;
	if (*s == 0 || *s == '#')
		return 0;
	char *eq = strchr(s, '=');
	if (!eq)
		return *why = "expected name = value", -1;
	*eq = 0;
	*name = trim(s);
	char *v = skip_blanks(eq + 1);
	if (*v == '"' || *v == '\'') {
		char *close = strchr(v + 1, *v);
		if (!close)
			return *why = *v == '"' ? "no closing \" for the value" : "no closing ' for the value", -1;
		*close = 0;
		char *rest = skip_blanks(close + 1);
		if (*rest && *rest != '#')
			return *why = "text after the value's closing quote (a comment starts with #)", -1;
		*value = v + 1;
		return 0;
	}
	for (char *p = v; *p; p++)
		if (*p == '#' && (p == v || p[-1] == ' ' || p[-1] == '\t')) {
			*p = 0;
			break;
		}
	*value = trim(v);
	return 0;
}

int flags_parse_file(struct flag *table, const char *path, char *err, size_t errlen)
{
	FILE *in = fopen(path, "r");
	if (!in) {
		snprintf(err, errlen, "-config %s: %s", path, strerror(errno));
		return -1;
	}
	const char *file = keep(path);
	char line[4096], why[512];
	int lineno = 0, rc = 0;
	if (!file) {
		snprintf(err, errlen, "-config %s: out of memory", path);
		rc = -1;
	}
	while (rc == 0 && fgets(line, sizeof line, in)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(in)) {
			snprintf(err, errlen, "%s:%d: line longer than %zu bytes", path, lineno, sizeof line - 2);
			rc = -1;
			break;
		}
		char *name, *value;
		const char *bad;
		if (split_setting(line, &name, &value, &bad) < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, bad);
			rc = -1;
			break;
		}
		if (!name)
			continue;
		while (*name == '-')
			name++;
		struct flag *f = flags_find(table, name);
		if (!f || (f->env && !*f->env) || strcmp(name, "config") == 0) {
			snprintf(err, errlen, "%s:%d: unknown setting \"%s\"", path, lineno, name);
			rc = -1;
			break;
		}
		char *kept_value = keep(value);
		if (!kept_value) {
			snprintf(err, errlen, "%s:%d: out of memory", path, lineno);
			rc = -1;
			break;
		}
		if (set_value(f, kept_value, FLAG_FROM_FILE, file, lineno, why, sizeof why) < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			rc = -1;
		}
	}
	if (rc == 0 && ferror(in)) {
		snprintf(err, errlen, "-config %s: %s", path, strerror(errno));
		rc = -1;
	}
	fclose(in);
	return rc;
}

void flags_usage(const struct flag *table, FILE *out)
{
	fprintf(out, "Usage: pdnslog [flags] [capture file ...]\n\nFlags (-flag or --flag; -flag=value or -flag value):\n");
	for (const struct flag *f = table; f->name; f++) {
		const char *kind = f->kind == FLAG_STRING ? " string" : f->kind == FLAG_INT ? " int" :
				   f->kind == FLAG_DURATION ? " duration" :
				   f->kind == FLAG_LIST ? " value (repeatable)" : "";
		fprintf(out, "  -%s%s\n    \t%s", f->name, kind, f->help);
		if (f->kind == FLAG_INT && f->max == LLONG_MAX)
			fprintf(out, " (at least %lld)", f->min);
		else if (f->kind == FLAG_INT && f->max)
			fprintf(out, " (%lld to %lld)", f->min, f->max);
		if (f->defval && *f->defval)
			fprintf(out, " (default %s)", f->defval);
		char names[2][64];
		flags_env_names(f, names);
		if (*names[0])
			fprintf(out, " [$%s%s%s]", names[0], *names[1] ? ", $" : "", names[1]);
		fputc('\n', out);
	}
}
