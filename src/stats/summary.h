/* summary: the few lines an interactive run ends with, instead of the JSON
 * stats record (which still goes to -stats_file, or to standard error when
 * that is not a terminal). */
#ifndef PDNSLOG_SUMMARY_H
#define PDNSLOG_SUMMARY_H

#include <stdint.h>

#include "stats/stats.h"
#include "util/strbuf.h"

/* Append the summary of a run of elapsed_ns: packets, DNS messages,
 * exchanges, records written, every non-zero counter of something dropped,
 * lost or malformed (by name, with what it means), and where the full
 * counters are: stats_file, or how to get them when it is NULL. */
void stats_summary(struct strbuf *sb, const struct stats *s, int64_t elapsed_ns,
		   const char *stats_file);

#endif
