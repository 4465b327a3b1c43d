/* timefmt: capture timestamps as RFC 3339 UTC text. */
#ifndef PDNSLOG_TIMEFMT_H
#define PDNSLOG_TIMEFMT_H

#include <stdint.h>

#include "util/strbuf.h"

/* "2024-01-02T03:04:05.123456Z": digits is the sub-second precision (0, 3, 6 or 9). */
void format_rfc3339(struct strbuf *sb, int64_t ts_ns, int digits);

#endif
