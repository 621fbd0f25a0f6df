/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the raw frame file parser (common/rawframe.c), which booth-compose runs on
 * files it finds in the frames directory. */
#include "rawframe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rawframe f;
	uint8_t head[RAWFRAME_HEADER];
	int r = rawframe_parse(data, size, &f);
	volatile uint8_t sink = 0;

	if (r != 0 && r != -EBADMSG)
		abort();
	if (r < 0)
		return 0;
	/* Accepted: every row of pixels is inside the data, and the header it would write for the
	 * same frame is the one it read. */
	if (f.width < 1 || f.height < 1 || f.stride < (size_t)f.width * 3 ||
	    f.pixels != data + RAWFRAME_HEADER ||
	    (size_t)(f.pixels - data) + f.stride * (size_t)f.height != size)
		abort();
	for (int y = 0; y < f.height; y++)
		sink ^= f.pixels[(size_t)y * f.stride + (size_t)f.width * 3 - 1];
	(void)sink;
	if (rawframe_header(head, f.width, f.height, f.stride, f.frame_us) != 0 ||
	    memcmp(head, data, RAWFRAME_HEADER) != 0)
		abort();
	return 0;
}
