/* timefmt: RFC 3339 timestamps without strftime on the hot path.
 *
 * Consecutive packets mostly fall in the same second, so the date and time
 * text of the last second is cached per thread. */
#include "format/timefmt.h"

#include <stdio.h>
#include <time.h>

void format_rfc3339(struct strbuf *sb, int64_t ts_ns, int digits)
{
	static _Thread_local int64_t cached_sec = INT64_MIN;
	static _Thread_local char cached[24];
	static _Thread_local size_t cached_len;

	int64_t sec = ts_ns / 1000000000;
	int64_t frac = ts_ns % 1000000000;
	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	if (sec != cached_sec) {
		time_t t = (time_t)sec;
		struct tm tm;
		/* By hand rather than strftime(), which looks at the time
		 * zone files on every call (and the sandbox forbids opening
		 * them). */
		int n;
		if (!gmtime_r(&t, &tm) ||
		    (n = snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d",
				  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
				  tm.tm_min, tm.tm_sec)) < 0 || (size_t)n >= sizeof cached) {
			cached_len = 0;
			strbuf_puts(sb, "1970-01-01T00:00:00Z");
			return;
		}
		cached_len = (size_t)n;
		cached_sec = sec;
	}
	strbuf_putn(sb, cached, cached_len);
	if (digits > 0) {
		/* All nine digits of the nanoseconds, written two at a time
		 * from the right, then as many as the capture has. */
		static const char pairs[201] =
			"0001020304050607080910111213141516171819202122232425262728293031323334353637383940"
			"4142434445464748495051525354555657585960616263646566676869707172737475767778798081"
			"828384858687888990919293949596979899";
		char f[10];
		f[0] = '.';
		uint32_t v = (uint32_t)frac;
		for (int i = 9; i >= 3; i -= 2) {
			unsigned d = v % 100 * 2;
			v /= 100;
			f[i] = pairs[d + 1];
			f[i - 1] = pairs[d];
		}
		f[1] = (char)('0' + v);
		strbuf_putn(sb, f, 1 + (size_t)(digits > 9 ? 9 : digits));
	}
	strbuf_putc(sb, 'Z');
}
