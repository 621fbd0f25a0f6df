/* SPDX-License-Identifier: MIT */
/* Pixel conversion of camera frames into XRGB8888, in 16.16 fixed point. */
#include "convert.h"

#include "preview-proto.h"

#include <errno.h>

struct coef {
	int y, y_off; /* luma scale, offset */
	int rv, gu, gv, bu;
};

/* Coefficients * 65536. */
static const struct coef coefs[] = {
	[CONVERT_BT601_LIMITED] = { 76309, 16, 104597, 25675, 53279, 132201 },
	[CONVERT_BT601_FULL] = { 65536, 0, 91881, 22554, 46802, 116130 },
	[CONVERT_BT709_LIMITED] = { 76309, 16, 117489, 13975, 34925, 138438 },
	[CONVERT_BT709_FULL] = { 65536, 0, 103206, 12276, 30679, 121609 },
};

static inline uint32_t clamp8(int v)
{
	return v < 0 ? 0u : v > 255 ? 255u : (uint32_t)v;
}

static inline uint32_t yuv_pixel(const struct coef *c, int y, int u, int v)
{
	int yy = (y - c->y_off) * c->y;
	int r, g, b;

	u -= 128;
	v -= 128;
	r = (yy + c->rv * v + 32768) >> 16;
	g = (yy - c->gu * u - c->gv * v + 32768) >> 16;
	b = (yy + c->bu * u + 32768) >> 16;
	return (clamp8(r) << 16) | (clamp8(g) << 8) | clamp8(b);
}

bool convert_supported(uint32_t fourcc)
{
	switch (fourcc) {
	case PREVIEW_FMT_XRGB8888:
	case PREVIEW_FMT_XBGR8888:
	case PREVIEW_FMT_RGB888:
	case PREVIEW_FMT_BGR888:
	case PREVIEW_FMT_YUYV:
	case PREVIEW_FMT_UYVY:
	case PREVIEW_FMT_NV12:
	case PREVIEW_FMT_NV21:
	case PREVIEW_FMT_YUV420:
		return true;
	default:
		return false;
	}
}

/* Bytes a plane must hold: ROWS lines of ROWBYTES, STRIDE apart. */
static bool fits(size_t length, uint32_t stride, int rows, size_t rowbytes)
{
	if (rows <= 0)
		return true;
	if (stride < rowbytes)
		return false;
	return length >= (size_t)stride * (size_t)(rows - 1) + rowbytes;
}

static int packed_bpp(uint32_t fourcc)
{
	switch (fourcc) {
	case PREVIEW_FMT_XRGB8888:
	case PREVIEW_FMT_XBGR8888:
		return 4;
	case PREVIEW_FMT_RGB888:
	case PREVIEW_FMT_BGR888:
		return 3;
	case PREVIEW_FMT_YUYV:
	case PREVIEW_FMT_UYVY:
		return 2;
	default:
		return 0;
	}
}

static void convert_packed(const struct convert_src *s, uint8_t *dst, size_t dst_stride)
{
	const struct coef *c = &coefs[s->yuv];

	for (int y = 0; y < s->height; y++) {
		const uint8_t *in = s->planes[0] + (size_t)y * s->strides[0];
		uint32_t *out = (uint32_t *)(dst + (size_t)y * dst_stride);

		switch (s->fourcc) {
		case PREVIEW_FMT_XRGB8888: /* B G R X */
			for (int x = 0; x < s->width; x++, in += 4)
				out[x] = ((uint32_t)in[2] << 16) | ((uint32_t)in[1] << 8) | in[0];
			break;
		case PREVIEW_FMT_XBGR8888: /* R G B X */
			for (int x = 0; x < s->width; x++, in += 4)
				out[x] = ((uint32_t)in[0] << 16) | ((uint32_t)in[1] << 8) | in[2];
			break;
		case PREVIEW_FMT_RGB888: /* B G R */
			for (int x = 0; x < s->width; x++, in += 3)
				out[x] = ((uint32_t)in[2] << 16) | ((uint32_t)in[1] << 8) | in[0];
			break;
		case PREVIEW_FMT_BGR888: /* R G B */
			for (int x = 0; x < s->width; x++, in += 3)
				out[x] = ((uint32_t)in[0] << 16) | ((uint32_t)in[1] << 8) | in[2];
			break;
		default: { /* YUYV: Y0 U Y1 V; UYVY: U Y0 V Y1 */
			int yo = s->fourcc == PREVIEW_FMT_YUYV ? 0 : 1, uo = 1 - yo;

			for (int x = 0; x < s->width; x++) {
				const uint8_t *m = in + (size_t)(x & ~1) * 2;

				out[x] = yuv_pixel(c, m[yo + 2 * (x & 1)], m[uo], m[uo + 2]);
			}
			break;
		}
		}
	}
}

int convert_frame(const struct convert_src *s, uint8_t *dst, size_t dst_stride)
{
	const struct coef *c;
	const uint8_t *yp, *up, *vp;
	size_t ylen, ulen, vlen;
	uint32_t ys, cs;
	int bpp, cw, ch;

	if (s->width <= 0 || s->height <= 0 || s->n_planes < 1 ||
	    s->n_planes > CONVERT_MAX_PLANES ||
	    (unsigned)s->yuv >= sizeof(coefs) / sizeof(coefs[0]) ||
	    dst_stride < (size_t)s->width * 4)
		return -EINVAL;
	if (!convert_supported(s->fourcc))
		return -EOPNOTSUPP;
	bpp = packed_bpp(s->fourcc);
	if (bpp > 0) {
		if (!fits(s->lengths[0], s->strides[0], s->height, (size_t)s->width * (size_t)bpp))
			return -EINVAL;
		convert_packed(s, dst, dst_stride);
		return 0;
	}

	/* 4:2:0, semi-planar (NV12, NV21) or planar (YUV420). */
	c = &coefs[s->yuv];
	cw = (s->width + 1) / 2;
	ch = (s->height + 1) / 2;
	ys = s->strides[0];
	yp = s->planes[0];
	ylen = s->lengths[0];
	if (s->fourcc == PREVIEW_FMT_YUV420) {
		if (s->n_planes >= 3) {
			cs = s->strides[1];
			up = s->planes[1], ulen = s->lengths[1];
			vp = s->planes[2], vlen = s->lengths[2];
		} else {
			size_t ysize = (size_t)ys * (size_t)s->height;
			size_t csize = (size_t)(ys / 2) * (size_t)ch;

			if (ylen < ysize + 2 * csize)
				return -EINVAL;
			cs = ys / 2;
			up = yp + ysize, ulen = csize;
			vp = up + csize, vlen = csize;
			ylen = ysize;
		}
		if (!fits(ulen, cs, ch, (size_t)cw) || !fits(vlen, cs, ch, (size_t)cw))
			return -EINVAL;
	} else {
		if (s->n_planes >= 2) {
			cs = s->strides[1];
			up = s->planes[1], ulen = s->lengths[1];
		} else {
			size_t ysize = (size_t)ys * (size_t)s->height;

			if (ylen < ysize)
				return -EINVAL;
			cs = ys;
			up = yp + ysize, ulen = ylen - ysize;
			ylen = ysize;
		}
		if (!fits(ulen, cs, ch, (size_t)cw * 2))
			return -EINVAL;
		/* Interleaved: U V (NV12) or V U (NV21). */
		vp = up + (s->fourcc == PREVIEW_FMT_NV12 ? 1 : 0);
		up = up + (s->fourcc == PREVIEW_FMT_NV12 ? 0 : 1);
		vlen = ulen;
	}
	(void)vlen;
	if (!fits(ylen, ys, s->height, (size_t)s->width))
		return -EINVAL;
	for (int y = 0; y < s->height; y++) {
		const uint8_t *yr = yp + (size_t)y * ys;
		const uint8_t *ur = up + (size_t)(y / 2) * cs, *vr = vp + (size_t)(y / 2) * cs;
		uint32_t *out = (uint32_t *)(dst + (size_t)y * dst_stride);
		int step = s->fourcc == PREVIEW_FMT_YUV420 ? 1 : 2;

		for (int x = 0; x < s->width; x++)
			out[x] = yuv_pixel(c, yr[x], ur[(size_t)(x / 2) * (size_t)step],
					   vr[(size_t)(x / 2) * (size_t)step]);
	}
	return 0;
}
