/* syslog_names: syslog's facility and severity names (-syslog_facility,
 * -syslog_priority, the flat record's level), apart from the socket sink
 * so that every build has them. */
#include "sink/syslog.h"

#include <stddef.h>
#include <strings.h>

static const char *const facilities[24] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", NULL, NULL, NULL, NULL,
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};

static const char *const severities[8] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

int syslog_parse_facility(const char *name)
{
	/* In any case, as gopassivedns took them ("LOCAL0", "Daemon"). */
	for (int i = 0; i < 24; i++)
		if (facilities[i] && strcasecmp(name, facilities[i]) == 0)
			return i;
	return -1;
}

int syslog_parse_severity(const char *name)
{
	/* In any case, as gopassivedns took them ("INFO", "Warning"). */
	for (int i = 0; i < 8; i++)
		if (strcasecmp(name, severities[i]) == 0)
			return i;
	/* The spellings syslog.conf and logger(1) accept too. */
	if (strcasecmp(name, "error") == 0)
		return 3;
	if (strcasecmp(name, "warn") == 0)
		return 4;
	return -1;
}

const char *syslog_severity_name(int severity)
{
	return severity >= 0 && severity < 8 ? severities[severity] : NULL;
}
