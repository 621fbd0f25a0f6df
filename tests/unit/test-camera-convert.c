/* SPDX-License-Identifier: MIT */
/* Unit tests for the conversion of camera frames to XRGB8888 (the libcamera still path, which
 * cannot capture on a machine without cameras, converts through this). */
#include "convert.h"
#include "harness.h"
#include "preview-proto.h"

#include <errno.h>
#include <string.h>

/* Channel C (16 red, 8 green, 0 blue) of pixel P. */
static int ch(uint32_t p, int c)
{
	return (int)((p >> c) & 0xff);
}

static int convert(uint32_t fourcc, const uint8_t *p0, size_t l0, uint32_t s0, int w, int h,
		   enum convert_yuv yuv, uint32_t *out)
{
	struct convert_src s = { .fourcc = fourcc,
				 .width = w,
				 .height = h,
				 .n_planes = 1,
				 .planes = { p0 },
				 .lengths = { l0 },
				 .strides = { s0 },
				 .yuv = yuv };

	return convert_frame(&s, (uint8_t *)out, (size_t)w * 4);
}

static void test_rgb_formats(void)
{
	const uint8_t bgrx[] = { 1, 2, 3, 0, 4, 5, 6, 0 }, bgr[] = { 1, 2, 3, 4, 5, 6 };
	uint32_t out[2];

	CHECK_INT(convert(PREVIEW_FMT_XRGB8888, bgrx, sizeof(bgrx), 8, 2, 1, 0, out), ==, 0);
	CHECK_INT(out[0], ==, 0x030201);
	CHECK_INT(out[1], ==, 0x060504);
	CHECK_INT(convert(PREVIEW_FMT_XBGR8888, bgrx, sizeof(bgrx), 8, 2, 1, 0, out), ==, 0);
	CHECK_INT(out[0], ==, 0x010203);
	CHECK_INT(convert(PREVIEW_FMT_RGB888, bgr, sizeof(bgr), 6, 2, 1, 0, out), ==, 0);
	CHECK_INT(out[1], ==, 0x060504);
	CHECK_INT(convert(PREVIEW_FMT_BGR888, bgr, sizeof(bgr), 6, 2, 1, 0, out), ==, 0);
	CHECK_INT(out[1], ==, 0x040506);
}

static void test_packed_yuv(void)
{
	/* White and black in BT.601 limited range. */
	const uint8_t yuyv[] = { 235, 128, 16, 128 }, uyvy[] = { 128, 235, 128, 16 };
	const uint8_t full[] = { 255, 128, 0, 128 };
	uint32_t out[2];

	CHECK_INT(convert(PREVIEW_FMT_YUYV, yuyv, 4, 4, 2, 1, CONVERT_BT601_LIMITED, out), ==, 0);
	CHECK_INT(out[0], ==, 0xffffff);
	CHECK_INT(out[1], ==, 0x000000);
	CHECK_INT(convert(PREVIEW_FMT_UYVY, uyvy, 4, 4, 2, 1, CONVERT_BT601_LIMITED, out), ==, 0);
	CHECK_INT(out[0], ==, 0xffffff);
	CHECK_INT(out[1], ==, 0x000000);
	CHECK_INT(convert(PREVIEW_FMT_YUYV, full, 4, 4, 2, 1, CONVERT_BT601_FULL, out), ==, 0);
	CHECK_INT(out[0], ==, 0xffffff);
	CHECK_INT(out[1], ==, 0x000000);
}

/* Red is Y 81, Cb 90, Cr 240 in BT.601 limited range. */
static void check_red(const uint32_t *out, int n)
{
	for (int i = 0; i < n; i++) {
		CHECK_INT(ch(out[i], 16), >=, 250);
		CHECK_INT(ch(out[i], 8), <=, 5);
		CHECK_INT(ch(out[i], 0), <=, 5);
	}
}

static void test_planar_yuv(void)
{
	/* 2x2: Y plane (stride 4), then chroma. */
	const uint8_t nv12[] = { 81, 81, 0, 0, 81, 81, 0, 0, 90, 240, 0, 0 };
	const uint8_t nv21[] = { 81, 81, 0, 0, 81, 81, 0, 0, 240, 90, 0, 0 };
	const uint8_t y[] = { 81, 81, 81, 81 }, u[] = { 90 }, v[] = { 240 };
	struct convert_src s = { .fourcc = PREVIEW_FMT_YUV420,
				 .width = 2,
				 .height = 2,
				 .n_planes = 3,
				 .planes = { y, u, v },
				 .lengths = { 4, 1, 1 },
				 .strides = { 2, 1, 1 } };
	uint32_t out[4];

	CHECK_INT(convert(PREVIEW_FMT_NV12, nv12, sizeof(nv12), 4, 2, 2, 0, out), ==, 0);
	check_red(out, 4);
	CHECK_INT(convert(PREVIEW_FMT_NV21, nv21, sizeof(nv21), 4, 2, 2, 0, out), ==, 0);
	check_red(out, 4);
	memset(out, 0, sizeof(out));
	CHECK_INT(convert_frame(&s, (uint8_t *)out, 8), ==, 0);
	check_red(out, 4);
	/* BT.709 reads the same bytes as another red-ish colour, not the same one. */
	s.yuv = CONVERT_BT709_LIMITED;
	CHECK_INT(convert_frame(&s, (uint8_t *)out, 8), ==, 0);
	CHECK(ch(out[0], 16) > 200 && ch(out[0], 8) > 5);
}

static void test_refused(void)
{
	const uint8_t b[16] = { 0 };
	uint32_t out[8];

	/* Planes smaller than the geometry, unknown formats, nonsense sizes. */
	CHECK_INT(convert(PREVIEW_FMT_XRGB8888, b, 16, 8, 2, 3, 0, out), ==, -EINVAL);
	CHECK_INT(convert(PREVIEW_FMT_NV12, b, 8, 4, 2, 2, 0, out), ==, -EINVAL);
	CHECK_INT(convert(PREVIEW_FMT_YUYV, b, 16, 2, 2, 1, 0, out), ==, -EINVAL);
	CHECK_INT(convert(PREVIEW_FOURCC('M', 'J', 'P', 'G'), b, 16, 4, 2, 1, 0, out), ==,
		  -EOPNOTSUPP);
	CHECK_INT(convert(PREVIEW_FMT_XRGB8888, b, 16, 8, 0, 1, 0, out), ==, -EINVAL);
	CHECK(!convert_supported(PREVIEW_FOURCC('M', 'J', 'P', 'G')));
	CHECK(convert_supported(PREVIEW_FMT_NV12));
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "rgb_formats", test_rgb_formats },
		{ "packed_yuv", test_packed_yuv },
		{ "planar_yuv", test_planar_yuv },
		{ "refused", test_refused },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
