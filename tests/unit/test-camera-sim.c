/* SPDX-License-Identifier: MIT */
/* Unit tests for the simulated camera's picture and the JPEG encoder: motion, the counter, noise,
 * JPEGs that decode to the configured size and carry no Exif. */
#define _GNU_SOURCE /* memmem */
#include "harness.h"
#include "jpeg.h"
#include "loop.h"
#include "simrender.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

#define W 320
#define H 180

static uint32_t *draw(int w, int h, uint64_t t_ns, uint32_t counter, uint32_t seed)
{
	uint32_t *px = malloc((size_t)w * (size_t)h * 4);

	if (px)
		simrender_draw(px, w, h, (size_t)w * 4, t_ns, counter, &seed);
	return px;
}

static bool in_counter(int w, int h, int x, int y)
{
	int bx, by, bw, bh;

	simrender_counter_box(w, h, &bx, &by, &bw, &bh);
	return x >= bx && x < bx + bw && y >= by && y < by + bh;
}

/* Pixels outside the counter whose some channel differs by more than TOLERANCE. */
static long count_diff(const uint32_t *a, const uint32_t *b, int w, int h, int tolerance,
		       int *max_diff)
{
	long n = 0;

	*max_diff = 0;
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			uint32_t p = a[y * w + x], q = b[y * w + x];
			int d = 0;

			if (in_counter(w, h, x, y))
				continue;
			for (int s = 0; s < 24; s += 8) {
				int c = abs((int)((p >> s) & 0xff) - (int)((q >> s) & 0xff));

				d = c > d ? c : d;
			}
			*max_diff = d > *max_diff ? d : *max_diff;
			if (d > tolerance)
				n++;
		}
	}
	return n;
}

static void test_frames_differ_over_time(void)
{
	uint32_t *a = draw(W, H, 0, 1, 42), *b = draw(W, H, 500000000ull, 2, 42);
	int maxd;
	long n;

	REQUIRE(a && b);
	/* Half a second later the disks and the card have moved: beyond the noise (<= 7). */
	n = count_diff(a, b, W, H, 7, &maxd);
	CHECK_MSG(n > W * H / 50, "only %ld pixels moved", n);
	CHECK_INT(maxd, >, 100);
	free(a);
	free(b);
}

static void test_counter(void)
{
	static const uint32_t values[] = { 0, 7, 12345678, 99999999, 1234, 100000001 };
	uint32_t *a = NULL, *b = NULL;
	int bx, by, bw, bh;
	long changed = 0;

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		uint32_t *px = draw(W, H, 1000, values[i], 7);

		REQUIRE(px);
		CHECK_INT(simrender_read_counter(px, W, H, (size_t)W * 4), ==,
			  values[i] % 100000000u);
		free(px);
	}
	/* Larger pictures read the same. */
	a = draw(1280, 720, 1000, 4711, 7);
	REQUIRE(a);
	CHECK_INT(simrender_read_counter(a, 1280, 720, (size_t)1280 * 4), ==, 4711);
	free(a);

	/* Two consecutive frames differ inside the counter box. */
	a = draw(W, H, 1000, 41, 7);
	b = draw(W, H, 1000, 42, 7);
	REQUIRE(a && b);
	simrender_counter_box(W, H, &bx, &by, &bw, &bh);
	for (int y = by; y < by + bh; y++)
		for (int x = bx; x < bx + bw; x++)
			changed += a[y * W + x] != b[y * W + x];
	CHECK_INT(changed, >, 10);
	/* A picture without a counter is not read as one. */
	memset(a, 0x80, (size_t)W * H * 4);
	CHECK_INT(simrender_read_counter(a, W, H, (size_t)W * 4), <, 0);
	free(a);
	free(b);
}

static void test_noise(void)
{
	uint32_t *a = draw(W, H, 1000, 5, 1), *b = draw(W, H, 1000, 5, 2);
	int maxd;
	long n;

	REQUIRE(a && b);
	/* Same scene, same time, other noise: most pixels differ, all by a little. */
	n = count_diff(a, b, W, H, 0, &maxd);
	CHECK_MSG(n > W * H / 2, "only %ld pixels differ", n);
	CHECK_INT(maxd, <=, 7);
	CHECK_INT(maxd, >, 0);
	free(a);
	free(b);
}

/* Whether the JPEG has an APP1 segment (Exif or XMP) before the scan. */
static bool has_app1(const uint8_t *j, size_t n)
{
	size_t i = 2;

	while (i + 4 <= n && j[i] == 0xff) {
		uint8_t marker = j[i + 1];
		size_t len = ((size_t)j[i + 2] << 8) | j[i + 3];

		if (marker == 0xe1)
			return true;
		if (marker == 0xda)
			break;
		i += 2 + len;
	}
	return false;
}

static void check_jpeg(int w, int h, int quality, double *render_ms, double *encode_ms)
{
	uint32_t *px;
	uint8_t *jpeg = NULL;
	size_t len = 0;
	int jw = 0, jh = 0, sub = 0, cs = 0;
	uint64_t t0, t1, t2;
	tjhandle tj;

	t0 = now_usec();
	px = draw(w, h, 123456789, 77, 3);
	REQUIRE(px);
	t1 = now_usec();
	CHECK_INT(jpeg_encode_xrgb((uint8_t *)px, w, h, (size_t)w * 4, quality, &jpeg, &len), ==,
		  0);
	t2 = now_usec();
	free(px);
	REQUIRE(jpeg);
	*render_ms = (double)(t1 - t0) / 1000.0;
	*encode_ms = (double)(t2 - t1) / 1000.0;
	CHECK(len > 1000);
	CHECK(jpeg[0] == 0xff && jpeg[1] == 0xd8);
	/* JFIF APP0 right after SOI; no APP1 and no "Exif" anywhere in the headers. */
	CHECK(jpeg[2] == 0xff && jpeg[3] == 0xe0 && memcmp(jpeg + 6, "JFIF", 4) == 0);
	CHECK(!has_app1(jpeg, len));
	CHECK(!memmem(jpeg, len < 4096 ? len : 4096, "Exif", 4));
	tj = tjInitDecompress();
	REQUIRE(tj);
	CHECK_INT(tjDecompressHeader3(tj, jpeg, (unsigned long)len, &jw, &jh, &sub, &cs), ==, 0);
	CHECK_INT(jw, ==, w);
	CHECK_INT(jh, ==, h);
	{
		/* The whole image decodes, and the counter can still be read back from it. */
		uint8_t *out = malloc((size_t)w * (size_t)h * 4);

		REQUIRE(out);
		CHECK_INT(
			tjDecompress2(tj, jpeg, (unsigned long)len, out, w, w * 4, h, TJPF_BGRX, 0),
			==, 0);
		CHECK_INT(simrender_read_counter(out, w, h, (size_t)w * 4), ==, 77);
		free(out);
	}
	tjDestroy(tj);
	jpeg_free(jpeg);
}

static void test_jpeg(void)
{
	double r, e;

	check_jpeg(640, 360, 92, &r, &e);
	check_jpeg(W, H, 50, &r, &e);
	CHECK_INT(jpeg_encode_xrgb(NULL, 10, 10, 40, 90, NULL, NULL), ==, -EINVAL);
}

/* The default still size: how long drawing and encoding 12 MP takes on the event loop. */
static void test_full_size_still(void)
{
	double r = 0, e = 0;

	check_jpeg(4608, 2592, 92, &r, &e);
	printf("# 4608x2592 still: drawn in %.0f ms, encoded in %.0f ms\n", r, e);
	fprintf(stderr, "4608x2592 still: drawn in %.0f ms, encoded in %.0f ms\n", r, e);
}

/* What one preview frame costs at the default preview size. */
static void test_preview_cost(void)
{
	uint32_t *px = malloc((size_t)1280 * 720 * 4), seed = 9;
	uint64_t t0;
	double ms;

	REQUIRE(px);
	t0 = now_usec();
	for (int i = 0; i < 30; i++)
		simrender_draw(px, 1280, 720, (size_t)1280 * 4, (uint64_t)i * 33333333, (uint32_t)i,
			       &seed);
	ms = (double)(now_usec() - t0) / 1000.0 / 30;
	printf("# 1280x720 preview frame drawn in %.2f ms (%.0f%% of one core at 30 fps)\n", ms,
	       ms * 30 / 10);
	fprintf(stderr, "1280x720 preview frame: %.2f ms\n", ms);
	CHECK_INT(simrender_read_counter(px, 1280, 720, (size_t)1280 * 4), ==, 29);
	free(px);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "frames_differ_over_time", test_frames_differ_over_time },
		{ "counter", test_counter },
		{ "noise", test_noise },
		{ "jpeg", test_jpeg },
		{ "full_size_still", test_full_size_still },
		{ "preview_cost", test_preview_cost },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
