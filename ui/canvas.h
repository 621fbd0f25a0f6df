/* SPDX-License-Identifier: MIT */
/* The UI's drawing surface: an XRGB8888 picture in memory (the scanout's own format, so a frame
 * goes to the screen without conversion), with rectangles, shading, cached text
 * (booth/text.c), scaled images (pixman) and PNG files (libpng). */
#ifndef BOOTH_UI_CANVAS_H
#define BOOTH_UI_CANVAS_H

#include "layout.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CANVAS_MAX_SIDE 8192

struct canvas {
	int w, h;
	uint32_t *px;  /* w * h pixels 0xffRRGGBB (DRM XRGB8888), rows of w */
	bool borrowed; /* px belongs to someone else (canvas_wrap()) */
	/* The pixels' top byte is alpha (DRM ARGB8888, premultiplied), kept by every drawing
	 * operation: a picture for a plane over the live preview, with holes (canvas_clear())
	 * where the preview shows. Off: XRGB8888, opaque. */
	bool alpha;
};

/* A picture to draw from: 4 bytes per pixel, bytes B G R X (DRM XRGB8888), rows of STRIDE. */
struct canvas_xrgb {
	int w, h, stride;
	const uint8_t *data;
};

/* Create a W x H canvas, black. Returns 0 and *ret, -EINVAL (size out of 1..CANVAS_MAX_SIDE) or
 * -ENOMEM. */
int canvas_new(int w, int h, struct canvas **ret);
/* A W x H canvas drawing into PX (borrowed: W * H pixels that must outlive it). Returns 0 and
 * *ret, -EINVAL or -ENOMEM. */
int canvas_wrap(int w, int h, uint32_t *px, struct canvas **ret);
/* Free C (not borrowed pixels). Accepts NULL, returns NULL. */
struct canvas *canvas_free(struct canvas *c);

/* The pixel at (X, Y) as R, G, B into RGB (for tests and checks). */
void canvas_get_rgb(const struct canvas *c, int x, int y, uint8_t rgb[3]);

/* Fill BOX (clipped to the canvas) with COLOR (R, G, B). */
void canvas_fill(struct canvas *c, const struct layout_px *box, const uint8_t color[3]);
/* Make BOX (clipped to the canvas) fully transparent: 0 in every byte (for a canvas with
 * alpha). */
void canvas_clear(struct canvas *c, const struct layout_px *box);
/* Darken (or with WHITE lighten) BOX by ALPHA (0..255) towards black or white. */
void canvas_shade(struct canvas *c, const struct layout_px *box, int alpha, bool white);
/* Draw UTF-8 TEXT in COLOR, as large as fits BOX's height, centred (or ALIGN) in BOX, with the
 * font fontconfig picks for "sans-serif" that covers every character. The rendered text (its
 * coverage, without colour) is kept in a cache bounded in entries and bytes, so text that
 * stays on screen is rasterized once per box size. Returns 0 or -errno. */
int canvas_text(struct canvas *c, const struct layout_px *box, const char *text,
		const uint8_t color[3], enum layout_align align);
/* Render TEXT for BOX's size into the text cache now, without drawing (so that a later
 * canvas_text() costs only a blend). Returns 0 or -errno. */
int canvas_text_prepare(const struct layout_px *box, const char *text, enum layout_align align);
/* Empty the text cache (memory back). */
void canvas_cache_clear(void);
/* Scale SRC to fill BOX (centre-cropped, aspect kept), mirrored left-right if MIRROR, with pixman's
 * bilinear filter. Returns 0,
 * -EINVAL (empty source) or -ENOMEM. */
int canvas_blit_xrgb(struct canvas *c, const struct layout_px *box, const struct canvas_xrgb *src,
		     bool mirror);
/* A box to darken by ALPHA (0..255) towards black, as canvas_shade() does. */
struct canvas_shade {
	struct layout_px box;
	int alpha;
};

#define CANVAS_SHADES_MAX 4

/* canvas_blit_xrgb(), and then the N (at most CANVAS_SHADES_MAX) SHADES darkened as
 * canvas_shade() would, with the same result, done band by band while the picture is in the
 * CPU's cache (the countdown's bands over the live preview). Only the parts of SHADES inside
 * BOX are darkened. Returns 0, -EINVAL or -ENOMEM. */
int canvas_blit_xrgb_shaded(struct canvas *c, const struct layout_px *box,
			    const struct canvas_xrgb *src, bool mirror,
			    const struct canvas_shade *shades, int n);
/* Scale canvas SRC to fit inside BOX (letterboxed, aspect kept, centred). Returns 0, -EINVAL or
 * -ENOMEM. */
int canvas_blit_fit(struct canvas *c, const struct layout_px *box, const struct canvas *src);

/* Write C as an 8-bit RGB PNG at PATH, atomically (temporary file, fsync, rename). Returns 0 or
 * -errno. */
int canvas_write_png(const struct canvas *c, const char *path);
/* Read the PNG at PATH into a new canvas *ret. Returns 0 or -errno (-EBADMSG: not a PNG). */
int canvas_read_png(const char *path, struct canvas **ret);

/* Decode the JPEG at PATH (at most 64 MiB) into a new canvas *ret fitted inside MAX_W x MAX_H
 * (aspect kept, never enlarged): libjpeg's DCT scaling to the smallest k/8 size that covers the
 * fitted size, then area averaging a row at a time, straight into the result: besides it, only
 * a few rows and libjpeg's own state are in memory (the file is read in small pieces). Returns 0
 * or -errno (-EBADMSG: not a JPEG, or damaged or cut short; -E2BIG: too large). */
int canvas_read_jpeg(const char *path, int max_w, int max_h, struct canvas **ret);

/* Compare A and B: the share (0..1) of pixels where some channel differs by more than
 * TOLERANCE. Returns 1.0 when the sizes differ. */
double canvas_diff(const struct canvas *a, const struct canvas *b, int tolerance);

#endif
