/* win32/features: what the Windows build leaves out, refused with one line
 * (exit status 2) rather than ignored (platform.h).  The libraries behind
 * Kafka, Avro, Fluentd's msgpack, -metrics (libmicrohttpd), seccomp, the
 * compressed captures and the passive DNS store (SQLite) are not built for
 * Windows here; privilege drop, chroot, PACKET_FANOUT, inotify and the
 * syslog socket are Unix's. */
#include "platform/platform.h"

#include "cli/options.h"

static bool given(const char *s)
{
	return s && *s;
}

const char *platform_refuse(const struct options *o, const char **why)
{
	static const char none[] = "this build of pdnslog has no ";
	static char buf[256];
	const char *flag = NULL, *what = NULL;
	if (o->kafka_consume || given(o->pdns_db) || given(o->pdns_api))
		flag = o->kafka_consume ? "kafka_consume" : given(o->pdns_api) ? "pdns_api" : "pdns_db",
		what = "passive DNS store (SQLite is not built for Windows; -format cof works)";
	else if (o->kafka)
		flag = "kafka_brokers",
		what = "Kafka support (librdkafka is not built for Windows)";
	else if (o->fluentd)
		flag = "fluentd_socket", what = "Fluentd support (msgpack-c is not built for Windows)";
	else if (given(o->metrics))
		flag = "metrics", what = "-metrics (libmicrohttpd is not built for Windows)";
	else if (o->syslog_fac >= 0)
		flag = "syslog_facility", what = "syslog output (Windows has no syslog socket)";
	else if (given(o->user) || given(o->group) || given(o->chroot_dir))
		flag = given(o->user) ? "user" : given(o->group) ? "group" : "chroot",
		what = "privilege drop or chroot on Windows (run the service as a less privileged account)";
	else if (o->fanout > 1)
		flag = "fanout", what = "-fanout (it needs Linux's PACKET_FANOUT)";
	else if (o->pcap_dir)
		flag = "pcap_dir", what = "-pcap_dir on Windows (it follows a directory with inotify)";
	else if (o->sandbox && o->sandbox_given)
		flag = "sandbox", what = "seccomp sandbox on Windows (-sandbox=false runs without it)";
	else if (given(o->cpuprofile))
		flag = "cpuprofile", what = "-cpuprofile (gperftools is not built for Windows)";
	if (!flag) {
		*why = NULL;
		return NULL;
	}
	snprintf(buf, sizeof buf, "%s%s", none, what);
	*why = buf;
	return flag;
}
