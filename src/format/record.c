/* record: what both formats share: status names and the escaped sensor. */
#include <string.h>

#include "format/jsonw.h"
#include "format/record.h"

const char *exchange_status_name(enum exchange_status s)
{
	switch (s) {
	case ST_ANSWERED: return "answered";
	case ST_UNANSWERED: return "unanswered";
	default: return "response_only";
	}
}

const struct strbuf *format_sensor_json(struct format_ctx *f)
{
	if (f->sensor_text.len == 0 && f->sensor) {
		strbuf_reserve(&f->sensor_text, 1); /* never a NULL buffer, even for "" */
		json_escape(&f->sensor_text, f->sensor, strlen(f->sensor));
	}
	return &f->sensor_text;
}
