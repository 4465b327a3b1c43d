/* capture/internal: what capture.c and the -pcap_dir follower (pcapdir.c,
 * or a platform's stand-in for it) share, and nothing else uses. */
#ifndef PDNSLOG_CAPTURE_INTERNAL_H
#define PDNSLOG_CAPTURE_INTERNAL_H

#include "capture/capture.h"

/* A warning or debug line (capture_hooks.note). */
void capture_note(const struct capture *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Open one input for reading: its stream, its precision, libpcap on it,
 * then the `opened` hook.  0, or -1 with a message (or c->stopped set). */
/* c emptied for a new start: no input yet, these hooks, debug lines or not. */
void capture_start(struct capture *c, const struct capture_hooks *hooks, bool debug);
int capture_open_input(struct capture *c, struct capture_input *in, char *err);

/* The follower's side (pcapdir.c): the next input opened is the growing
 * file it chose; open the next file of the directory; free its state. */
void capture_dir_follow_next(struct capture *c);
int capture_dir_open_next(struct capture *c, char *err);
void capture_dir_free(struct capture *c);

#endif
