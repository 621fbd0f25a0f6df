/* SPDX-License-Identifier: MIT */
/* Text on the page: a font found with fontconfig, shaped with HarfBuzz, drawn with FreeType. */
#ifndef BOOTH_TEXT_H
#define BOOTH_TEXT_H

#include "layout.h"

#include <stddef.h>
#include <stdint.h>

/* Check that S is at most MAX bytes of valid UTF-8 without control characters. Returns 0,
 * -EINVAL (not UTF-8 or a control character) or -E2BIG. */
int text_validate(const char *s, size_t max);

/* Draw UTF-8 TEXT into the RGB page RGB (W x H pixels, stride W * 3) inside BOX, in T's colour,
 * family and alignment: as large as fits the box's height, shrunk until it fits its width,
 * vertically centred. The font is the best match fontconfig has for T's family that covers
 * every character of TEXT (preferring the language's glyphs for Chinese, Japanese or Korean).
 * Nothing outside BOX changes. Fontconfig is loaded once per process, its choice is remembered
 * per family and text (the last 32), and the last 4 fonts used stay open, so drawing the same
 * strings again costs only shaping and rasterizing. Not thread-safe (no process here has
 * threads). Returns 0, or -errno with a message in ERR (-ENOENT: no font). */
int text_draw(uint8_t *rgb, int w, int h, const struct layout_px *box, const struct layout_text *t,
	      const char *text, char *err, size_t errlen);

#endif
