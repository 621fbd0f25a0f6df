/* SPDX-License-Identifier: MIT */
/* Raw frame files: the header and its parser. */
#include "rawframe.h"

#include <errno.h>
#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int geometry_ok(uint64_t w, uint64_t h, uint64_t stride)
{
	return w >= 1 && w <= RAWFRAME_SIDE_MAX && h >= 1 && h <= RAWFRAME_SIDE_MAX &&
	       stride >= 3 * w && stride <= 3 * w + 64;
}

int rawframe_header(uint8_t buf[RAWFRAME_HEADER], int width, int height, size_t stride,
		    uint64_t frame_us)
{
	if (width < 1 || height < 1 || !geometry_ok((uint64_t)width, (uint64_t)height, stride))
		return -EINVAL;
	memset(buf, 0, RAWFRAME_HEADER);
	for (size_t i = 0; i < RAWFRAME_MAGIC_LEN; i++)
		buf[i] = (uint8_t)RAWFRAME_MAGIC[i];
	put32(buf + 8, RAWFRAME_VERSION);
	put32(buf + 12, RAWFRAME_FORMAT_RGB);
	put32(buf + 16, (uint32_t)width);
	put32(buf + 20, (uint32_t)height);
	put32(buf + 24, (uint32_t)stride);
	put32(buf + 32, (uint32_t)frame_us);
	put32(buf + 36, (uint32_t)(frame_us >> 32));
	return 0;
}

int rawframe_is(const void *data, size_t n)
{
	return n >= RAWFRAME_MAGIC_LEN && memcmp(data, RAWFRAME_MAGIC, RAWFRAME_MAGIC_LEN) == 0;
}

int rawframe_parse(const void *data, size_t n, struct rawframe *ret)
{
	const uint8_t *p = data;
	uint64_t w, h, stride;

	if (n < RAWFRAME_HEADER || !rawframe_is(data, n) || get32(p + 8) != RAWFRAME_VERSION ||
	    get32(p + 12) != RAWFRAME_FORMAT_RGB || get32(p + 28) != 0)
		return -EBADMSG;
	for (size_t i = 40; i < RAWFRAME_HEADER; i++)
		if (p[i])
			return -EBADMSG;
	w = get32(p + 16);
	h = get32(p + 20);
	stride = get32(p + 24);
	if (!geometry_ok(w, h, stride) || n - RAWFRAME_HEADER != stride * h)
		return -EBADMSG;
	ret->width = (int)w;
	ret->height = (int)h;
	ret->stride = (size_t)stride;
	ret->frame_us = (uint64_t)get32(p + 32) | (uint64_t)get32(p + 36) << 32;
	ret->pixels = p + RAWFRAME_HEADER;
	return 0;
}
