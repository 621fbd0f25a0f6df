/* SPDX-License-Identifier: MIT */
/* The strip composer: photos, text and images laid out on a page and encoded as one JPEG. */
#ifndef BOOTH_COMPOSE_H
#define BOOTH_COMPOSE_H

#include "layout.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COMPOSE_TEXT_MAX 256 /* bytes of title or date */
#define COMPOSE_ERR_MAX	 (PATH_MAX + 256)

struct compose_opts {
	const char *title; /* UTF-8; NULL or "" draws no title */
	const char *date;  /* UTF-8; NULL or "" draws no date */
	int dpi;	   /* 0: the layout's */
	int quality;	   /* JPEG quality 1..100; 0: 90 */
	bool test_pattern; /* no photos: fill the cells with a test pattern */
};

/* An RGB page, 3 bytes per pixel, rows of stride w * 3. */
struct compose_page {
	int w, h;
	uint8_t *rgb;
};

/* Render layout L with the N photos at PATHS (JPEG files, N must be L->photos) into a new page
 * *RET (caller frees ret->rgb). Each photo is decoded once, with libjpeg-turbo's DCT scaling
 * down to the smallest size that still covers its largest cell, turned upright by its EXIF
 * orientation, scaled to fill each cell and centre-cropped. Returns 0, or -errno with a message
 * for people in ERR (-EINVAL: bad input such as a corrupt JPEG, a wrong photo count or invalid
 * UTF-8; -ENOENT etc.: a file could not be opened; -E2BIG: an image beyond the size limits). */
int compose_render(const struct layout *l, const char *const *paths, size_t n,
		   const struct compose_opts *opts, struct compose_page *ret, char *err,
		   size_t errlen);

/* Encode PAGE as a JPEG of QUALITY (1..100) at DPI into a new buffer *RET of *LEN bytes (caller
 * frees). Returns 0 or -errno. */
int compose_encode(const struct compose_page *page, int quality, int dpi, uint8_t **ret,
		   size_t *len);

/* compose_render() and compose_encode(), then write the JPEG to OUT atomically (temporary file,
 * fsync, rename, fsync the directory). Returns 0 or -errno with a message in ERR. */
int compose_strip(const struct layout *l, const char *const *paths, size_t n,
		  const struct compose_opts *opts, const char *out, char *err, size_t errlen);

#endif
