/* SPDX-License-Identifier: MIT */
/* The UI's drawing surface: an RGB picture in memory (3 bytes per pixel, rows of w * 3), with
 * rectangles, shading, text (booth/text.c), scaled images (pixman) and PNG files (libpng). */
#ifndef BOOTH_UI_CANVAS_H
#define BOOTH_UI_CANVAS_H

#include "layout.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CANVAS_MAX_SIDE 8192

struct canvas {
	int w, h;
	uint8_t *rgb; /* w * h * 3 bytes */
};

/* A picture to draw from: 4 bytes per pixel, bytes B G R X (DRM XRGB8888), rows of STRIDE. */
struct canvas_xrgb {
	int w, h, stride;
	const uint8_t *data;
};

/* Create a W x H canvas, black. Returns 0 and *ret, -EINVAL (size out of 1..CANVAS_MAX_SIDE) or
 * -ENOMEM. */
int canvas_new(int w, int h, struct canvas **ret);
/* Free C. Accepts NULL, returns NULL. */
struct canvas *canvas_free(struct canvas *c);

/* Fill BOX (clipped to the canvas) with COLOR (R, G, B). */
void canvas_fill(struct canvas *c, const struct layout_px *box, const uint8_t color[3]);
/* Darken (or with WHITE lighten) BOX by ALPHA (0..255) towards black or white. */
void canvas_shade(struct canvas *c, const struct layout_px *box, int alpha, bool white);
/* Draw UTF-8 TEXT in COLOR, as large as fits BOX's height, centred (or ALIGN) in BOX, with the
 * font fontconfig picks for "sans-serif" that covers every character. Returns 0 or -errno. */
int canvas_text(struct canvas *c, const struct layout_px *box, const char *text,
		const uint8_t color[3], enum layout_align align);
/* Scale SRC to fill BOX (centre-cropped, aspect kept), mirrored left-right if MIRROR, with
 * pixman's bilinear filter. Returns 0, -EINVAL (empty source) or -ENOMEM. */
int canvas_blit_xrgb(struct canvas *c, const struct layout_px *box, const struct canvas_xrgb *src,
		     bool mirror);
/* Scale the RGB picture SRC (SW x SH, rows of SW * 3) to fit inside BOX (letterboxed, aspect
 * kept, centred). Returns 0, -EINVAL or -ENOMEM. */
int canvas_blit_rgb_fit(struct canvas *c, const struct layout_px *box, const uint8_t *src, int sw,
			int sh);

/* Write C as an 8-bit RGB PNG at PATH, atomically (temporary file, fsync, rename). Returns 0 or
 * -errno. */
int canvas_write_png(const struct canvas *c, const char *path);
/* Read the PNG at PATH into a new RGB canvas *ret. Returns 0 or -errno (-EBADMSG: not a PNG). */
int canvas_read_png(const char *path, struct canvas **ret);

/* Decode the JPEG at PATH (at most 64 MiB) into a new RGB canvas *ret, using libjpeg-turbo's
 * DCT scaling to the smallest size that still covers MAX_W x MAX_H. Returns 0 or -errno
 * (-EBADMSG: not a JPEG, -E2BIG: too large). */
int canvas_read_jpeg(const char *path, int max_w, int max_h, struct canvas **ret);

/* Compare A and B: the share (0..1) of pixels where some channel differs by more than
 * TOLERANCE. Returns 1.0 when the sizes differ. */
double canvas_diff(const struct canvas *a, const struct canvas *b, int tolerance);

#endif
