/* SPDX-License-Identifier: MIT */
/* The client of booth-camera's preview socket (camera/preview-proto.h): buffers mapped once,
 * frames announced by index, the newest one held for drawing and the previous one released. */
#ifndef BOOTH_UI_PREVIEW_CLIENT_H
#define BOOTH_UI_PREVIEW_CLIENT_H

#include "canvas.h"
#include "loop.h"

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

/* The newest frame (valid until the next callback or free), or NULL: no camera, not connected,
 * or a pixel format other than XRGB8888 (the software path reads only that for now). */
const struct canvas_xrgb *preview_client_frame(const struct preview_client *c);

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
