/* SPDX-License-Identifier: MIT */
/* The preview protocol's only parser of outside input: a client's RELEASE message. */
#include "preview-proto.h"

#include <errno.h>
#include <string.h>

int preview_parse_release(const void *buf, size_t n, uint32_t generation, uint32_t n_buffers,
			  struct preview_release *ret)
{
	struct preview_release m;

	if (n != sizeof(m))
		return -EBADMSG;
	memcpy(&m, buf, sizeof(m));
	if (m.type != PREVIEW_MSG_RELEASE || m.reserved != 0)
		return -EBADMSG;
	if (m.generation != generation)
		return -ESTALE;
	if (m.index >= n_buffers)
		return -EBADMSG;
	*ret = m;
	return 0;
}
