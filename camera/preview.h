/* SPDX-License-Identifier: MIT */
/* The preview server: hands frame buffers to booth-ui over a Unix socket (preview-proto.h). */
#ifndef BOOTH_PREVIEW_H
#define BOOTH_PREVIEW_H

#include "loop.h"
#include "preview-proto.h"

#include <stdbool.h>
#include <stdint.h>

struct preview;

/* One buffer of the ring, as the producer describes it. The fds are borrowed: the producer keeps
 * them open until it replaces the set with preview_set_buffers(). */
struct preview_buffer_desc {
	int fds[PREVIEW_MAX_PLANES];
	uint32_t width, height, fourcc, n_planes;
	struct preview_plane planes[PREVIEW_MAX_PLANES];
};

/* Counters, for logs and tests. */
struct preview_stats {
	unsigned clients;   /* connected now */
	uint64_t frames;    /* announced by the producer */
	uint64_t sent;	    /* FRAME messages delivered, all clients */
	uint64_t dropped;   /* frames not delivered to a client that was slow or held too much */
	uint64_t refused;   /* connections closed because PREVIEW_MAX_CLIENTS were connected */
	uint64_t reclaimed; /* buffers taken back from clients because every buffer was held */
};

/* Called when no client holds buffer INDEX any more (after RELEASE, a client leaving, or a
 * reclaim), so a producer that waits for buffers (libcamera) can reuse it. */
typedef void (*preview_release_fn)(struct preview *p, unsigned index, void *userdata);

/* Listen on PATH (SOCK_SEQPACKET, mode 0660; the parent directory is created; a stale socket
 * left by a dead server is replaced, a live one or any other file is not: -EADDRINUSE / -EEXIST).
 * Returns 0 and *ret, or -errno. */
int preview_new(struct loop *l, const char *path, struct preview **ret);

/* Disconnect every client, remove the socket file, free. Accepts NULL, returns NULL. */
struct preview *preview_free(struct preview *p);

void preview_set_release_handler(struct preview *p, preview_release_fn fn, void *userdata);

/* Replace the buffer set with the N (<= PREVIEW_MAX_BUFFERS) buffers of BUFS (0: no camera):
 * a new generation, announced to every client with HELLO and BUFFER messages. Returns 0,
 * -EINVAL for a bad description. */
int preview_set_buffers(struct preview *p, const struct preview_buffer_desc *bufs, unsigned n);

/* The buffer a producer that may choose (the simulated camera) should draw the next frame into:
 * the next one in ring order that no client holds, else the one announced longest ago, taken
 * back from its holders. Returns the index, or -ENODEV without buffers. */
int preview_acquire(struct preview *p);

/* Whether any client holds buffer INDEX. */
bool preview_held(const struct preview *p, unsigned index);

/* Take buffer INDEX back from every client that holds it (counted as reclaimed). */
void preview_reclaim(struct preview *p, unsigned index);

/* Buffer INDEX now holds frame SEQUENCE taken at TIMESTAMP_NS (CLOCK_MONOTONIC): tell every
 * client that can take it, drop it (and count) for the others. Never blocks. */
void preview_frame(struct preview *p, unsigned index, uint32_t sequence, uint64_t timestamp_ns);

void preview_get_stats(const struct preview *p, struct preview_stats *ret);

#endif
