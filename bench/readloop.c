/* readloop: the floor pdnslog is measured against: libpcap reading every
 * packet of a capture (nanosecond timestamps, as pdnslog reads them) and
 * touching every byte, doing nothing else.
 *
 * usage: readloop FILE   -> prints packets, bytes and a checksum of the bytes */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	if (argc != 2) {
		fprintf(stderr, "usage: readloop FILE\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fprintf(stderr, "readloop: %s\n", err);
		return 1;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t packets = 0, bytes = 0, sum = 0;
	while (pcap_next_ex(p, &h, &d) == 1) {
		packets++;
		bytes += h->caplen;
		for (uint32_t i = 0; i < h->caplen; i++)
			sum += d[i];
	}
	pcap_close(p);
	printf("packets %llu bytes %llu sum %llu\n", (unsigned long long)packets,
	       (unsigned long long)bytes, (unsigned long long)sum);
	return 0;
}
