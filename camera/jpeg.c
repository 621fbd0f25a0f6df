/* SPDX-License-Identifier: MIT */
/* JPEG encoding of stills with libturbojpeg. */
#include "jpeg.h"

#include "log.h"

#include <errno.h>
#include <limits.h>
#include <turbojpeg.h>

int jpeg_encode_xrgb(const uint8_t *px, int w, int h, size_t stride, int quality, uint8_t **ret,
		     size_t *len)
{
	unsigned char *out = NULL;
	unsigned long size = 0;
	tjhandle tj;
	int r = 0;

	if (!px || w <= 0 || h <= 0 || stride < (size_t)w * 4 || stride > INT_MAX || quality < 1 ||
	    quality > 100)
		return -EINVAL;
	tj = tjInitCompress();
	if (!tj)
		return -ENOMEM;
	/* TurboJPEG writes a JFIF APP0 header and nothing else: no Exif, no maker notes. */
	if (tjCompress2(tj, px, w, (int)stride, h, TJPF_BGRX, &out, &size, TJSAMP_420, quality,
			0) != 0) {
		log_debug("JPEG encoding failed: %s", tjGetErrorStr2(tj));
		r = -EIO;
		tjFree(out);
		out = NULL;
	}
	tjDestroy(tj);
	if (r < 0)
		return r;
	*ret = out;
	*len = size;
	return 0;
}

uint8_t *jpeg_free(uint8_t *buf)
{
	tjFree(buf);
	return NULL;
}

int jpeg_size(const uint8_t *data, size_t n, int *w, int *h)
{
	tjhandle tj = tjInitDecompress();
	int sub = 0, cs = 0, r;

	if (!tj)
		return -ENOMEM;
	r = tjDecompressHeader3(tj, data, (unsigned long)n, w, h, &sub, &cs) == 0 ? 0 : -EBADMSG;
	tjDestroy(tj);
	return r;
}
