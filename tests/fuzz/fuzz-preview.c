/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the preview server's parser of client packets (RELEASE messages). The first
 * byte picks how many buffers the server has; the rest is the packet. */
#include "preview-proto.h"

#include <errno.h>

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct preview_release r;
	uint32_t n_buffers;
	int k;

	if (size < 1)
		return 0;
	n_buffers = data[0] % (PREVIEW_MAX_BUFFERS + 1);
	k = preview_parse_release(data + 1, size - 1, 7, n_buffers, &r);
	/* Accepted means exactly one well-formed release of a buffer that exists. */
	if (k == 0 && (size - 1 != sizeof(r) || r.type != PREVIEW_MSG_RELEASE ||
		       r.generation != 7 || r.index >= n_buffers || r.reserved != 0))
		abort();
	if (k != 0 && k != -EBADMSG && k != -ESTALE)
		abort();
	return 0;
}
