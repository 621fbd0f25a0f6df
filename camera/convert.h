/* SPDX-License-Identifier: MIT */
/* Pixel conversion of camera frames (YUYV, UYVY, NV12, NV21, YUV420, RGB888, BGR888, XRGB8888,
 * XBGR8888) into XRGB8888 for JPEG encoding. No I/O. */
#ifndef BOOTH_CONVERT_H
#define BOOTH_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONVERT_MAX_PLANES 3

/* How YCbCr is to be read. */
enum convert_yuv {
	CONVERT_BT601_LIMITED, /* the default when the camera does not say */
	CONVERT_BT601_FULL,    /* sYCC / JPEG */
	CONVERT_BT709_LIMITED,
	CONVERT_BT709_FULL,
};

/* A frame in camera memory. Multi-planar formats whose planes came as one (N_PLANES 1) are
 * split by convert_frame() from STRIDES[0] and HEIGHT. */
struct convert_src {
	uint32_t fourcc; /* PREVIEW_FMT_* (DRM fourcc) */
	int width, height;
	unsigned n_planes;
	const uint8_t *planes[CONVERT_MAX_PLANES];
	size_t lengths[CONVERT_MAX_PLANES]; /* bytes readable from planes[i] */
	uint32_t strides[CONVERT_MAX_PLANES];
	enum convert_yuv yuv;
};

/* Whether FOURCC can be converted. */
bool convert_supported(uint32_t fourcc);

/* Convert SRC into DST (width x height XRGB8888, DST_STRIDE bytes per line). Returns 0,
 * -EOPNOTSUPP for an unknown format, or -EINVAL when the planes are too small for the
 * geometry. */
int convert_frame(const struct convert_src *src, uint8_t *dst, size_t dst_stride);

#endif
