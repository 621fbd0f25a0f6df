/* SPDX-License-Identifier: MIT */
/* The client of booth-camera's preview socket (camera/preview-proto.h): buffers mapped once,
 * frames announced by index, the newest one held for drawing and the previous one released. */
#ifndef BOOTH_UI_PREVIEW_CLIENT_H
#define BOOTH_UI_PREVIEW_CLIENT_H

#include "canvas.h"
#include "loop.h"

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

#endif
