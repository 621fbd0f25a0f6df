/* SPDX-License-Identifier: MIT */
/* The client of booth-camera's preview socket (camera/preview-proto.h): the buffers' fds kept,
 * frames announced by index, the newest one held for drawing and the previous one released; a
 * frame's pixels are mapped only while it is drawn, so the camera's buffers cost booth-ui no
 * resident memory while the preview is not on screen. */
#ifndef BOOTH_UI_PREVIEW_CLIENT_H
#define BOOTH_UI_PREVIEW_CLIENT_H

#include "canvas.h"
#include "loop.h"
#include "preview-proto.h"

#include <stdbool.h>
#include <stdint.h>

struct preview_client;

/* Called on the loop when a new frame is ready to draw (preview_client_frame()). */
typedef void (*preview_frame_fn)(void *userdata);

/* Connect to the socket at PATH now and whenever the connection is lost, retrying every
 * second while nobody listens. Returns 0 and *ret, or -errno (-ENAMETOOLONG, -ENOMEM). */
int preview_client_new(struct loop *l, const char *path, preview_frame_fn fn, void *userdata,
		       struct preview_client **ret);
/* Disconnect, unmap, free. Accepts NULL, returns NULL. */
struct preview_client *preview_client_free(struct preview_client *c);

/* The newest frame, mapped now if it is not yet (valid until the next callback,
 * preview_client_unmap() or free), or NULL: no camera, not connected, the mapping failed, or a
 * pixel format the software path does not read (it reads XRGB8888, and RGB888 / BGR888, which
 * are widened into a copy). */
const struct canvas_xrgb *preview_client_frame(struct preview_client *c);
/* The newest frame's buffer as the camera described it, for a hardware plane: its fds in *FDS
 * (one per plane, -1 where none came) and its set's generation in *GENERATION, all valid until
 * the next callback or free; NULL when no frame is held. Nothing is mapped. */
const struct preview_buffer *preview_client_buffer(const struct preview_client *c, const int **fds,
						   uint32_t *generation);
/* The buffers (bit = index) the display still reads: held until a later call leaves them out,
 * even after newer frames came (the protocol lets a client hold two); the others but the
 * newest are released. */
void preview_client_set_busy(struct preview_client *c, uint32_t mask);
/* Unmap the frame preview_client_frame() mapped (and free its widened copy); it stays held until
 * the next frame. Call it once the preview is off the screen. */
void preview_client_unmap(struct preview_client *c);

/* Counters since the client was made, for booth-ui's figures (docs/performance.md). */
struct preview_client_stats {
	uint64_t frames; /* frames announced to us */
	uint64_t
		missed; /* frames the camera numbered but never announced to us (it dropped them) */
	uint64_t unseen; /* frames announced, then replaced by a newer one before being shown */
};

/* The frame preview_client_frame() gave was presented to the guest. Returns whether it was a
 * new one (not marked before). */
bool preview_client_shown(struct preview_client *c);
void preview_client_get_stats(const struct preview_client *c, struct preview_client_stats *ret);

#endif
