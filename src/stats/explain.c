/* explain: one line on why a run that read packets logged nothing, so that
 * an empty log never comes without a reason (a tunnel not opened, DNS on
 * another port, a link layer without IP). */
#include <stdio.h>
#include <stdlib.h>

#include "stats/stats.h"

struct reason {
	uint64_t n;
	const char *what;
};

static int by_count(const void *a, const void *b)
{
	const struct reason *x = a, *y = b;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

bool stats_explain_silence(const struct stats *s, const char *ports, char *out, size_t len)
{
	if (s->packets == 0 || s->records_built > 0 || len == 0)
		return false;
	char other[160] = "";
	if (s->not_dns_port)
		snprintf(other, sizeof other, "on UDP/TCP ports outside -ports %s (%u seen most)",
			 ports, (unsigned)s->other_port);
	struct reason r[] = {
		{ s->packets_filtered, "dropped by the filter (-bpf, or the default one for -ports)" },
		{ s->not_dns_port, other },
		{ s->link_unknown, "with a link layer that carries no IP (or no data pdnslog reads)" },
		{ s->link_short, "too short for their link-layer header" },
		{ s->ip_other, "IP carrying neither UDP nor TCP (nor a tunnel pdnslog opens)" },
		{ s->ip_bad + s->udp_bad, "with malformed IP or UDP headers" },
		{ s->ip_truncated, "cut short by the capture's snapshot length" },
		{ s->ip_fragments, "IP fragments (reassembled: frag_reassembled; lost: frag_*)" },
		{ s->encap_unknown, "in wrappings carrying a protocol pdnslog does not decode" },
		{ s->encap_short, "in wrappings whose headers are cut short or inconsistent" },
		{ s->encap_too_deep, "wrapped deeper than the nesting limit" },
		{ s->gtpu_no_data, "GTP-U signalling, no user data" },
		{ s->tcp_segments, "TCP segments on a DNS port (no whole DNS message in them)" },
		{ s->dns_too_short, "on a DNS port but too short for a DNS header" },
		{ s->dns_messages, "DNS messages, but no record could be written (record_overflow)" },
	};
	size_t n = sizeof r / sizeof r[0];
	qsort(r, n, sizeof r[0], by_count);
	int w = snprintf(out, len, "no DNS logged: %llu packets read", (unsigned long long)s->packets);
	for (size_t i = 0; i < n && i < 3 && r[i].n && w >= 0 && (size_t)w < len; i++)
		w += snprintf(out + w, len - (size_t)w, "%s %llu %s", i ? ";" : ",",
			      (unsigned long long)r[i].n, r[i].what);
	/* The wrappings the decoder opened, which the reasons above were in. */
	static const struct { size_t off; const char *name; } wraps[] = {
		{ offsetof(struct stats, encap_vlan), "VLAN" },
		{ offsetof(struct stats, encap_mpls), "MPLS" },
		{ offsetof(struct stats, encap_pppoe), "PPPoE" },
		{ offsetof(struct stats, encap_ip), "IP-in-IP" },
		{ offsetof(struct stats, encap_gre), "GRE" },
		{ offsetof(struct stats, encap_pptp), "PPTP" },
		{ offsetof(struct stats, encap_erspan), "ERSPAN" },
		{ offsetof(struct stats, encap_vxlan), "VXLAN" },
		{ offsetof(struct stats, encap_geneve), "Geneve" },
		{ offsetof(struct stats, encap_gtpu), "GTP-U" },
		{ offsetof(struct stats, encap_gre_udp), "GRE over UDP" },
	};
	const char *sep = " (inside:";
	for (size_t i = 0; i < sizeof wraps / sizeof wraps[0] && w >= 0 && (size_t)w < len; i++) {
		uint64_t c = *(const uint64_t *)((const char *)s + wraps[i].off);
		if (c) {
			w += snprintf(out + w, len - (size_t)w, "%s %llu %s", sep,
				      (unsigned long long)c, wraps[i].name);
			sep = ",";
		}
	}
	if (*sep == ',' && w >= 0 && (size_t)w < len)
		snprintf(out + w, len - (size_t)w, ")");
	return true;
}
