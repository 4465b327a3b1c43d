/* readloop: the floor pdnslog is measured against: libpcap reading every
 * packet of a capture (nanosecond timestamps, as pdnslog reads them) and
 * touching every byte, doing nothing else.
 *
 * usage: readloop [-b KIB] FILE   -> prints packets, bytes and a checksum
 * With -b the file is read through a stdio buffer of KIB KiB, as pdnslog
 * reads files (CAPTURE_FILE_BUFFER); without it, as pcap_open_offline()
 * reads them (stdio's default buffer). */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	long kib = 0;
	if (argc == 4 && strcmp(argv[1], "-b") == 0) {
		kib = strtol(argv[2], NULL, 10);
		if (kib <= 0 || kib > (1L << 20))
			argc = 0; /* a usage error */
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: readloop [-b KIB] FILE\n");
		return 2;
	}
	pcap_t *p;
	char *buf = NULL;
	if (kib) {
		FILE *fp = fopen(argv[1], "rb");
		buf = malloc((size_t)kib << 10);
		if (!fp || !buf || setvbuf(fp, buf, _IOFBF, (size_t)kib << 10) != 0) {
			fprintf(stderr, "readloop: cannot open %s with a %ld KiB buffer\n", argv[1], kib);
			return 1;
		}
		p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, err);
	} else {
		p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
	}
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
	free(buf);
	printf("packets %llu bytes %llu sum %llu\n", (unsigned long long)packets,
	       (unsigned long long)bytes, (unsigned long long)sum);
	return 0;
}
