/* SPDX-License-Identifier: MIT */
/* Raw frame files: one camera frame as RGB pixels behind a small header, handed from
 * booth-camera to the composer through a RAM directory so that composing needs no JPEG decode.
 * The format and its parser; no I/O. */
#ifndef BOOTH_RAWFRAME_H
#define BOOTH_RAWFRAME_H

#include <stddef.h>
#include <stdint.h>

/* The header (little-endian, RAWFRAME_HEADER bytes), then HEIGHT rows of STRIDE bytes, each row
 * WIDTH pixels of R, G, B bytes and padding up to STRIDE:
 *   0  "BOOTHRAW"  magic
 *   8  u32 version (1)      12  u32 format (1: RGB, 3 bytes a pixel)
 *  16  u32 width            20  u32 height
 *  24  u32 stride           28  u32 reserved (0)
 *  32  u64 frame_us (CLOCK_MONOTONIC, the sensor timestamp)
 *  40  24 bytes reserved (0)
 * The file is exactly RAWFRAME_HEADER + STRIDE * HEIGHT bytes long. */
#define RAWFRAME_MAGIC	    "BOOTHRAW"
#define RAWFRAME_MAGIC_LEN  8
#define RAWFRAME_HEADER	    64
#define RAWFRAME_VERSION    1
#define RAWFRAME_FORMAT_RGB 1
#define RAWFRAME_SIDE_MAX   8192 /* pixels, either side */

struct rawframe {
	int width, height;
	size_t stride;
	uint64_t frame_us;
	const uint8_t *pixels; /* borrowed from the parsed data */
};

/* Write the header of a WIDTH x HEIGHT frame with rows of STRIDE bytes into BUF. Returns 0, or
 * -EINVAL if the geometry is out of the format's limits. */
int rawframe_header(uint8_t buf[RAWFRAME_HEADER], int width, int height, size_t stride,
		    uint64_t frame_us);

/* Whether DATA (N bytes) starts like a raw frame file (its magic). */
int rawframe_is(const void *data, size_t n);

/* Parse the whole file DATA of N bytes into *RET (pointing into DATA). Every field is checked:
 * magic, version, format, sides 1..RAWFRAME_SIDE_MAX, 3 * width <= stride <= 3 * width + 64,
 * reserved bytes zero, and N exactly the header and the rows. Returns 0 or -EBADMSG; *RET is
 * untouched on failure. */
int rawframe_parse(const void *data, size_t n, struct rawframe *ret);

#endif
