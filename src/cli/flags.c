/* flags: parsing of Go-style flags and durations. */
#include "cli/flags.h"

#include <errno.h>
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

static int set_value(struct flag *f, const char *v, char *err, size_t errlen)
{
	char *end;
	switch (f->kind) {
	case FLAG_STRING:
		*(const char **)f->value = v;
		return 0;
	case FLAG_BOOL:
		if (parse_bool(v, f->value) == 0)
			return 0;
		snprintf(err, errlen, "invalid boolean value \"%s\" for flag -%s", v, f->name);
		return -1;
	case FLAG_INT: {
		errno = 0;
		long long n = strtoll(v, &end, 0);
		if (*v && !*end && !errno) {
			*(long long *)f->value = n;
			return 0;
		}
		snprintf(err, errlen, "invalid value \"%s\" for flag -%s: not an integer", v, f->name);
		return -1;
	}
	case FLAG_DURATION:
		if (parse_duration(v, f->value) == 0)
			return 0;
		snprintf(err, errlen, "invalid value \"%s\" for flag -%s: not a duration (e.g. 90s, 1m, 1h30m)", v, f->name);
		return -1;
	}
	return -1;
}

int flags_parse(struct flag *table, int argc, char **argv, char *err, size_t errlen)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
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
		if (set_value(f, v, err, errlen) < 0)
			return -1;
	}
	return 0;
}

void flags_usage(const struct flag *table, FILE *out)
{
	fprintf(out, "Usage: pdnslog [flags]\n\nFlags (-flag or --flag; -flag=value or -flag value):\n");
	for (const struct flag *f = table; f->name; f++) {
		const char *kind = f->kind == FLAG_STRING ? " string" : f->kind == FLAG_INT ? " int" :
				   f->kind == FLAG_DURATION ? " duration" : "";
		fprintf(out, "  -%s%s\n    \t%s", f->name, kind, f->help);
		if (f->defval && *f->defval)
			fprintf(out, " (default %s)", f->defval);
		fputc('\n', out);
	}
}
