/* win32/win32: what the Windows side of src/platform/ shares inside. */
#ifndef PDNSLOG_WIN32_H
#define PDNSLOG_WIN32_H

#include <stdatomic.h>
#include <stdbool.h>

/* A stop was asked for (signals.c): an input read through a pump thread
 * (input.c) ends at once, as a pipe's poll() does on POSIX. */
void win32_input_stop(void);

/* Offer pdnslog to the Service Control Manager (service.c): true when
 * the SCM started it; its stop requests then set *stop. */
bool win32_service_start(atomic_int *stop);

/* Install the hooks that choose the libpcap DLL (pcapload.c): before the
 * first libpcap call. */
void win32_pcap_hooks(void);

#endif
