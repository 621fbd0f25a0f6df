/* SPDX-License-Identifier: MIT */
/* A separable windowed-sinc (Lanczos-3) resampler over 8-bit pixels, streaming rows out. */
#ifndef BOOTH_RESAMPLE_H
#define BOOTH_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

/* A borrowed view of 8-bit pixels of CHANNELS interleaved channels: pixel (x, y) starts at
 * base + x * xstep + y * ystep (steps in bytes, possibly negative, which is how a view turns or
 * mirrors an image without copying it). */
struct resample_src {
	const uint8_t *base;
	ptrdiff_t xstep, ystep;
	int w, h;
	int channels; /* 1..4 */
};

/* Called once per output row Y (0..dh-1, in order) with DW * channels values in 0..255 (not
 * clamped: a sharp filter overshoots a little). ROW is valid only during the call. */
typedef void (*resample_row_fn)(void *ctx, int y, const float *row);

/* Resample the region (SX, SY, SW, SH) of SRC, in source pixels, to DW x DH pixels, with
 * Lanczos-3 widened by the scale factor when reducing (so every source pixel counts). Keeps only
 * a few rows in memory. Returns 0, -EINVAL for an empty or out-of-bounds region, or -ENOMEM. */
int resample(const struct resample_src *src, double sx, double sy, double sw, double sh, int dw,
	     int dh, resample_row_fn emit, void *ctx);

#endif
