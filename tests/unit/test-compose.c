/* SPDX-License-Identifier: MIT */
/* Unit tests for the strip composer and booth-compose, on JPEGs and PNGs made by the test. */
#include "compose.h"
#include "harness.h"
#include "layout.h"
#include "rawframe.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <png.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <turbojpeg.h>
#include <unistd.h>

static char tmpdir[64];
static char layouts_dir[PATH_MAX];
static char compose_bin[PATH_MAX];

struct rgb {
	int r, g, b;
};

static const struct rgb colours[] = {
	{ 220, 30, 30 },
	{ 30, 200, 40 },
	{ 40, 60, 220 },
	{ 230, 210, 20 },
};

/* A decoded JPEG. */
struct image {
	int w, h;
	uint8_t *px;
};

static char *tmp(const char *name)
{
	static char paths[16][PATH_MAX];
	static int next;
	char *p = paths[next++ % 16];

	snprintf(p, PATH_MAX, "%s/%s", tmpdir, name);
	return p;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

/* Make a W x H JPEG at PATH: FILL(x, y) gives each pixel. ORIENTATION > 1 adds an EXIF APP1
 * segment with that orientation. */
static int write_jpeg(const char *path, int w, int h, struct rgb (*fill)(int, int, const void *),
		      const void *arg, int orientation)
{
	uint8_t *px = malloc((size_t)w * (size_t)h * 3), *jpeg = NULL;
	unsigned long len = 0;
	tjhandle tj = tjInitCompress();
	int r = -1;

	if (!px || !tj)
		goto out;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			struct rgb c = fill(x, y, arg);
			uint8_t *p = px + ((size_t)y * (size_t)w + (size_t)x) * 3;

			p[0] = (uint8_t)c.r;
			p[1] = (uint8_t)c.g;
			p[2] = (uint8_t)c.b;
		}
	if (tjCompress2(tj, px, w, 0, h, TJPF_RGB, &jpeg, &len, TJSAMP_444, 95, 0) < 0)
		goto out;
	{
		/* Big-endian TIFF, one IFD entry: Orientation (0x0112), SHORT, 1 value. */
		uint8_t exif[] = { 0xff, 0xe1, 0, 34, 'E', 'x', 'i', 'f', 0, 0,
				   'M',	 'M',  0, 42, 0,   0,	0,   8,	  0, 1,
				   0x01, 0x12, 0, 3,  0,   0,	0,   1,	  0, (uint8_t)orientation,
				   0,	 0,    0, 0,  0,   0 };
		FILE *f = fopen(path, "we");

		if (!f)
			goto out;
		fwrite(jpeg, 1, 2, f);
		if (orientation > 1)
			fwrite(exif, 1, sizeof(exif), f);
		fwrite(jpeg + 2, 1, len - 2, f);
		r = fclose(f) == 0 ? 0 : -1;
	}
out:
	if (tj)
		tjDestroy(tj);
	tjFree(jpeg);
	free(px);
	return r;
}

static struct rgb fill_solid(int x, int y, const void *arg)
{
	(void)x;
	(void)y;
	return *(const struct rgb *)arg;
}

/* Left quarter red, middle half green, right quarter blue (of width *ARG). */
static struct rgb fill_bands(int x, int y, const void *arg)
{
	int w = *(const int *)arg;

	(void)y;
	return x < w / 4 ? colours[0] : x < 3 * w / 4 ? colours[1] : colours[2];
}

/* Left half red, right half blue (of width *ARG). */
static struct rgb fill_halves(int x, int y, const void *arg)
{
	(void)y;
	return x < *(const int *)arg / 2 ? colours[0] : colours[2];
}

static int read_image(const char *path, struct image *img)
{
	char *data = NULL;
	long n = read_file(path, 64 << 20, &data);
	tjhandle tj = tjInitDecompress();
	int sub, cs, r = -1;

	img->px = NULL;
	if (n <= 0 || !tj)
		goto out;
	if (tjDecompressHeader3(tj, (unsigned char *)data, (unsigned long)n, &img->w, &img->h, &sub,
				&cs) < 0)
		goto out;
	img->px = malloc((size_t)img->w * (size_t)img->h * 3);
	if (!img->px)
		goto out;
	r = tjDecompress2(tj, (unsigned char *)data, (unsigned long)n, img->px, img->w, 0, img->h,
			  TJPF_RGB, 0);
out:
	if (tj)
		tjDestroy(tj);
	free(data);
	return r;
}

/* The mean colour of the rectangle [x0, x1) x [y0, y1). */
static struct rgb mean(const struct image *img, int x0, int y0, int x1, int y1)
{
	long long s[3] = { 0, 0, 0 }, n = 0;

	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++, n++)
			for (int c = 0; c < 3; c++)
				s[c] += img->px[((size_t)y * (size_t)img->w + (size_t)x) * 3 + c];
	if (n == 0)
		return (struct rgb){ -1, -1, -1 };
	return (struct rgb){ (int)(s[0] / n), (int)(s[1] / n), (int)(s[2] / n) };
}

static bool near(struct rgb a, struct rgb b, int tol)
{
	return abs(a.r - b.r) <= tol && abs(a.g - b.g) <= tol && abs(a.b - b.b) <= tol;
}

#define CHECK_RGB(got, want, tol)                                                                  \
	do {                                                                                       \
		struct rgb g_ = (got), w_ = (want);                                                \
		CHECK_MSG(near(g_, w_, tol), "%s: got (%d,%d,%d), want (%d,%d,%d)", #got, g_.r,    \
			  g_.g, g_.b, w_.r, w_.g, w_.b);                                           \
	} while (0)

/* The middle half of pixel rectangle P. */
static struct rgb centre(const struct image *img, const struct layout_px *p)
{
	int w = p->x1 - p->x0, h = p->y1 - p->y0;

	return mean(img, p->x0 + w / 4, p->y0 + h / 4, p->x1 - w / 4, p->y1 - h / 4);
}

static int load_layout(const char *path, struct layout *l)
{
	char err[LAYOUT_ERR_MAX] = "";
	int r = layout_load(path, l, err, sizeof(err));

	CHECK_MSG(r == 0, "%s: %s", path, err);
	return r;
}

/* Compose LAYOUT with PHOTOS into OUT and decode the result into IMG. */
static int compose(const struct layout *l, const char *const *photos, size_t n,
		   const struct compose_opts *o, struct image *img)
{
	char err[COMPOSE_ERR_MAX] = "";
	const char *out = tmp("out.jpg");
	int r = compose_strip(l, photos, n, o, out, err, sizeof(err));

	CHECK_MSG(r == 0, "compose_strip: %d %s", r, err);
	if (r < 0)
		return r;
	r = read_image(out, img);
	CHECK_MSG(r == 0, "cannot decode %s", out);
	return r;
}

static void make_photos(const char **paths, int w, int h)
{
	static const char *names[] = { "p1.jpg", "p2.jpg", "p3.jpg", "p4.jpg" };

	for (int i = 0; i < 4; i++) {
		paths[i] = tmp(names[i]);
		CHECK_INT(write_jpeg(paths[i], w, h, fill_solid, &colours[i], 1), ==, 0);
	}
}

/* Every shipped layout: the page size at its dpi, each cell showing its photo, white margins. */
static void test_shipped(void)
{
	static const struct {
		const char *name;
		int w, h, cells;
	} cases[] = {
		{ "2x6-strip", 600, 1800, 4 },
		{ "4x6-two-strips", 1200, 1800, 8 },
		{ "4x6-grid", 1800, 1200, 4 },
		{ "4x6-single", 1800, 1200, 1 },
	};
	const char *photos[4];

	make_photos(photos, 640, 480);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char path[PATH_MAX + 64];
		struct layout l;
		struct image img;

		snprintf(path, sizeof(path), "%s/%s.layout", layouts_dir, cases[i].name);
		if (load_layout(path, &l) < 0)
			continue;
		CHECK_INT(l.ncells, ==, cases[i].cells);
		if (compose(&l, photos, (size_t)l.photos, NULL, &img) < 0)
			continue;
		CHECK_MSG(img.w == cases[i].w && img.h == cases[i].h, "%s: %dx%d", cases[i].name,
			  img.w, img.h);
		for (size_t c = 0; c < l.ncells && img.w == cases[i].w && img.h == cases[i].h;
		     c++) {
			struct layout_px p = layout_rect_px(&l.cells[c].r, l.dpi);

			CHECK_RGB(centre(&img, &p), colours[l.cells[c].photo], 4);
			/* Right up to the cell's edges (cover fit: no bars). */
			CHECK_RGB(mean(&img, p.x0, p.y0, p.x0 + 2, p.y1), colours[l.cells[c].photo],
				  6);
			CHECK_RGB(mean(&img, p.x0, p.y1 - 2, p.x1, p.y1), colours[l.cells[c].photo],
				  6);
		}
		CHECK_RGB(mean(&img, 0, 0, 10, 10), ((struct rgb){ 255, 255, 255 }), 1);
		free(img.px);
	}
}

/* The two-strip print holds two identical strips, and each photo reaches the cell it is for. */
static void test_two_strips(void)
{
	char path[PATH_MAX + 64];
	struct layout l;
	struct image img;
	const char *photos[4];
	int w = 900, diff = 0;

	snprintf(path, sizeof(path), "%s/4x6-two-strips.layout", layouts_dir);
	REQUIRE(load_layout(path, &l) == 0);
	make_photos(photos, 300, 200);
	photos[1] = tmp("bands.jpg");
	REQUIRE(write_jpeg(photos[1], w, 500, fill_bands, &w, 1) == 0);
	REQUIRE(compose(&l, photos, 4, &(struct compose_opts){ .title = "Left & right" }, &img) ==
		0);
	for (int y = 0; y < img.h; y++)
		for (int x = 0; x < 600; x++)
			for (int c = 0; c < 3; c++)
				if (abs(img.px[((size_t)y * 1200 + (size_t)x) * 3 + c] -
					img.px[((size_t)y * 1200 + (size_t)x + 600) * 3 + c]) > 2)
					diff++;
	CHECK_INT(diff, ==, 0);
	free(img.px);
}

/* Write a W x H raw frame file (camera/frames.c's format) at PATH, FILL giving each pixel;
 * STRIDE 0 means 3 * W. */
static int write_raw(const char *path, int w, int h, size_t stride,
		     struct rgb (*fill)(int, int, const void *), const void *arg)
{
	size_t n = RAWFRAME_HEADER + (stride ? stride : (size_t)w * 3) * (size_t)h;
	uint8_t *buf = calloc(1, n);
	int r = -1;

	if (!stride)
		stride = (size_t)w * 3;
	if (!buf || rawframe_header(buf, w, h, stride, 12345) < 0)
		goto out;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			struct rgb c = fill(x, y, arg);
			uint8_t *p = buf + RAWFRAME_HEADER + (size_t)y * stride + (size_t)x * 3;

			p[0] = (uint8_t)c.r;
			p[1] = (uint8_t)c.g;
			p[2] = (uint8_t)c.b;
		}
	r = write_file_atomic(path, buf, n, 0600);
out:
	free(buf);
	return r;
}

/* Raw frames from the camera compose like JPEGs (no decoding), mixed with JPEGs, reduced by an
 * area average when large, copied when already the cell's size; broken frames are refused. */
static void test_raw_frames(void)
{
	char path[PATH_MAX + 64], err[COMPOSE_ERR_MAX];
	const char *photos[4], *cover = tmp("cover.layout");
	struct layout l;
	struct image img;
	struct compose_page page;
	int w = 1920, cw = 540, small = 960;

	snprintf(path, sizeof(path), "%s/4x6-two-strips.layout", layouts_dir);
	REQUIRE(load_layout(path, &l) == 0);
	make_photos(photos, 300, 200);
	/* Shot 2: a 1920x1080 stream frame in bands (reduced by 3); shot 4: a 960x540 solid one
	 * with padded rows (no reduction). Shots 1 and 3 stay JPEGs. */
	photos[1] = tmp("bands.raw");
	REQUIRE(write_raw(photos[1], w, 1080, 0, fill_bands, &w) == 0);
	photos[3] = tmp("solid.raw");
	REQUIRE(write_raw(photos[3], small, 540, (size_t)small * 3 + 5, fill_solid, &colours[3]) ==
		0);
	REQUIRE(compose(&l, photos, 4, NULL, &img) == 0);
	for (size_t c = 0; c < l.ncells; c++) {
		struct layout_px p = layout_rect_px(&l.cells[c].r, l.dpi);
		int pw = p.x1 - p.x0;

		if (l.cells[c].photo == 1) {
			/* The 16:9 frame is cropped to 3:2: its middle 1620 columns, of which the
			 * green band holds the middle 960 (about 320 of the cell's 540). */
			CHECK_RGB(mean(&img, p.x0 + pw / 2 - 100, p.y0 + 20, p.x0 + pw / 2 + 100,
				       p.y1 - 20),
				  colours[1], 4);
			CHECK_RGB(mean(&img, p.x0, p.y0 + 20, p.x0 + 60, p.y1 - 20), colours[0], 6);
			CHECK_RGB(mean(&img, p.x1 - 60, p.y0 + 20, p.x1, p.y1 - 20), colours[2], 6);
		} else {
			CHECK_RGB(centre(&img, &p), colours[l.cells[c].photo], 4);
		}
	}
	free(img.px);

	/* A frame exactly the cell's size is copied: every pixel as it was (the JPEG's 4:4:4
	 * quality-90 round trip aside). */
	write_text(cover, "[page]\nwidth = 5.4\nheight = 3.6\ndpi = 100\nphotos = 1\n"
			  "[photo]\nphoto = 1\nx = 0\ny = 0\nwidth = 5.4\nheight = 3.6\n");
	REQUIRE(load_layout(cover, &l) == 0);
	photos[0] = tmp("exact.raw");
	REQUIRE(write_raw(photos[0], cw, 360, 0, fill_halves, &cw) == 0);
	REQUIRE(compose(&l, photos, 1, NULL, &img) == 0);
	CHECK_INT(img.w, ==, 540);
	CHECK_RGB(mean(&img, 0, 0, 268, 360), colours[0], 3);
	CHECK_RGB(mean(&img, 272, 0, 540, 360), colours[2], 3);
	free(img.px);

	/* A header that lies about the size, a truncated file, a bad version: refused. */
	{
		char *data = NULL;
		long n = read_file(photos[0], 8 << 20, &data);
		const char *bad = tmp("bad.raw");

		REQUIRE(n > RAWFRAME_HEADER);
		REQUIRE(write_file_atomic(bad, data, (size_t)n - 1, 0600) == 0);
		CHECK_INT(compose_render(&l, &bad, 1, NULL, &page, err, sizeof(err)), ==, -EINVAL);
		CHECK(strstr(err, "not a valid raw frame") != NULL);
		data[16] = (char)0xff; /* width */
		REQUIRE(write_file_atomic(bad, data, (size_t)n, 0600) == 0);
		CHECK_INT(compose_render(&l, &bad, 1, NULL, &page, err, sizeof(err)), ==, -EINVAL);
		data[16] = (char)(cw & 0xff);
		data[8] = 2; /* version */
		REQUIRE(write_file_atomic(bad, data, (size_t)n, 0600) == 0);
		CHECK_INT(compose_render(&l, &bad, 1, NULL, &page, err, sizeof(err)), ==, -EINVAL);
		free(data);
	}
}

/* Cover fit: a wide photo in a square cell shows its middle, cropped left and right. */
static void test_cover(void)
{
	const char *layout = tmp("square.layout");
	const char *photo = tmp("wide.jpg");
	struct layout l;
	struct image img;
	int w = 1600;

	write_text(layout, "[page]\nwidth = 2\nheight = 2\ndpi = 100\nphotos = 1\n"
			   "[photo]\nphoto = 1\nx = 0.5\ny = 0.5\nwidth = 1\nheight = 1\n");
	REQUIRE(write_jpeg(photo, w, 800, fill_bands, &w, 1) == 0);
	REQUIRE(load_layout(layout, &l) == 0);
	REQUIRE(compose(&l, &photo, 1, NULL, &img) == 0);
	CHECK_INT(img.w, ==, 200);
	/* The middle half of the photo is green: the square crop is all green. */
	CHECK_RGB(mean(&img, 50, 50, 53, 150), colours[1], 6);
	CHECK_RGB(mean(&img, 147, 50, 150, 150), colours[1], 6);
	CHECK_RGB(mean(&img, 0, 0, 50, 200), ((struct rgb){ 255, 255, 255 }), 1);
	free(img.px);
}

/* A photo stored sideways with EXIF orientation 6 (turn 90 degrees clockwise to view). */
static void test_orientation(void)
{
	const char *layout = tmp("tall.layout");
	const char *photo = tmp("sideways.jpg");
	struct layout l;
	struct image img;
	int w = 800;

	write_text(layout, "[page]\nwidth = 1\nheight = 2\ndpi = 100\nphotos = 1\n"
			   "[photo]\nphoto = 1\nx = 0\ny = 0\nwidth = 1\nheight = 2\n");
	REQUIRE(load_layout(layout, &l) == 0);
	/* Stored: left half red, right half blue. Upright: top red, bottom blue. */
	REQUIRE(write_jpeg(photo, w, 400, fill_halves, &w, 6) == 0);
	REQUIRE(compose(&l, &photo, 1, NULL, &img) == 0);
	CHECK_RGB(mean(&img, 10, 10, 90, 80), colours[0], 6);
	CHECK_RGB(mean(&img, 10, 120, 90, 190), colours[2], 6);
	free(img.px);
	/* Orientation 8 (90 degrees anticlockwise): top blue, bottom red. */
	REQUIRE(write_jpeg(photo, w, 400, fill_halves, &w, 8) == 0);
	REQUIRE(compose(&l, &photo, 1, NULL, &img) == 0);
	CHECK_RGB(mean(&img, 10, 10, 90, 80), colours[2], 6);
	CHECK_RGB(mean(&img, 10, 120, 90, 190), colours[0], 6);
	free(img.px);
	/* Orientation 3 (upside down) of a horizontally split photo in the tall cell: the crop
	 * shows the middle, where the halves meet; red must now be on the right. */
	REQUIRE(write_jpeg(photo, 400, 800, fill_halves, &(int){ 400 }, 3) == 0);
	REQUIRE(compose(&l, &photo, 1, NULL, &img) == 0);
	CHECK_RGB(mean(&img, 5, 50, 40, 150), colours[2], 6);
	CHECK_RGB(mean(&img, 60, 50, 95, 150), colours[0], 6);
	free(img.px);
}

/* The pixels where two composed pages differ, and whether any lie outside BOX. */
static int count_diff(const struct image *a, const struct image *b, const struct layout_px *box,
		      int *outside)
{
	int n = 0;

	*outside = 0;
	for (int y = 0; y < a->h; y++)
		for (int x = 0; x < a->w; x++) {
			size_t i = ((size_t)y * (size_t)a->w + (size_t)x) * 3;

			if (abs(a->px[i] - b->px[i]) + abs(a->px[i + 1] - b->px[i + 1]) +
				    abs(a->px[i + 2] - b->px[i + 2]) <=
			    24)
				continue;
			n++;
			/* JPEG blocks bleed a little: allow one 8x8 block around the box. */
			if (x < box->x0 - 8 || x >= box->x1 + 8 || y < box->y0 - 8 ||
			    y >= box->y1 + 8)
				(*outside)++;
		}
	return n;
}

/* The title changes pixels in its box and nowhere else, in Latin and in Chinese. */
static void test_title(void)
{
	const char *layout = tmp("title.layout");
	const char *photo = tmp("p1.jpg");
	static const char *titles[] = { "Anna & Ben", "婚礼快乐",
					"A very long title that has to "
					"shrink a lot to fit its box" };
	struct layout_px box;
	struct layout l;
	struct image plain, titled;
	int outside, n;

	write_text(layout, "[page]\nwidth = 4\nheight = 3\ndpi = 100\nphotos = 1\n"
			   "[photo]\nphoto = 1\nx = 0\ny = 0\nwidth = 4\nheight = 2\n"
			   "[title]\nx = 0.5\ny = 2.2\nwidth = 3\nheight = 0.5\ncolor = #000000\n");
	REQUIRE(write_jpeg(photo, 400, 200, fill_solid, &colours[0], 1) == 0);
	REQUIRE(load_layout(layout, &l) == 0);
	box = layout_rect_px(&l.texts[0].r, 100);
	REQUIRE(compose(&l, &photo, 1, NULL, &plain) == 0);
	for (size_t i = 0; i < ARRAY_SIZE(titles); i++) {
		if (compose(&l, &photo, 1, &(struct compose_opts){ .title = titles[i] }, &titled) <
		    0)
			continue;
		n = count_diff(&plain, &titled, &box, &outside);
		CHECK_MSG(n > 200, "'%s': only %d pixels changed", titles[i], n);
		CHECK_MSG(outside == 0, "'%s': %d pixels changed outside the box", titles[i],
			  outside);
		free(titled.px);
	}
	/* A date box that the layout lacks draws nothing. */
	REQUIRE(compose(&l, &photo, 1, &(struct compose_opts){ .date = "2024-05-01" }, &titled) ==
		0);
	CHECK_INT(count_diff(&plain, &titled, &box, &outside), ==, 0);
	free(titled.px);
	free(plain.px);
}

static int write_png(const char *path, int w, int h, const uint8_t *rgba)
{
	png_image png = { .version = PNG_IMAGE_VERSION,
			  .width = (png_uint_32)w,
			  .height = (png_uint_32)h,
			  .format = PNG_FORMAT_RGBA };

	return png_image_write_to_file(&png, path, 0, rgba, 0, NULL) ? 0 : -1;
}

/* An overlay with alpha: transparent on the left, half-transparent black on the right; a logo
 * fitted and centred in its box. */
static void test_overlay_logo(void)
{
	const char *layout = tmp("overlay.layout");
	const char *photo = tmp("p1.jpg");
	uint8_t *rgba = calloc((size_t)100 * 100, 4);
	struct layout l;
	struct image img;

	REQUIRE(rgba);
	for (int y = 0; y < 100; y++)
		for (int x = 50; x < 100; x++)
			rgba[(y * 100 + x) * 4 + 3] = 128;
	REQUIRE(write_png(tmp("frame.png"), 100, 100, rgba) == 0);
	for (int i = 0; i < 100 * 100; i++)
		memcpy(rgba + (size_t)4 * i, (const uint8_t[]){ 0, 160, 0, 255 }, 4);
	REQUIRE(write_png(tmp("logo.png"), 20, 20, rgba) == 0);
	free(rgba);
	write_text(layout, "[page]\nwidth = 2\nheight = 3\ndpi = 100\nphotos = 1\n"
			   "[photo]\nphoto = 1\nx = 0\ny = 0\nwidth = 2\nheight = 2\n"
			   "[overlay]\nfile = frame.png\nx = 0\ny = 0\nwidth = 2\nheight = 2\n"
			   "[logo]\nfile = logo.png\nx = 0\ny = 2.2\nwidth = 2\nheight = 0.6\n");
	REQUIRE(write_jpeg(photo, 200, 200, fill_solid, &colours[0], 1) == 0);
	REQUIRE(load_layout(layout, &l) == 0);
	REQUIRE(compose(&l, &photo, 1, NULL, &img) == 0);
	CHECK_RGB(mean(&img, 10, 10, 80, 190), colours[0], 4);
	CHECK_RGB(mean(&img, 120, 10, 190, 190),
		  ((struct rgb){ colours[0].r * 127 / 255, colours[0].g * 127 / 255,
				 colours[0].b * 127 / 255 }),
		  4);
	/* The logo is square: 60x60 px in the middle of the 200x60 box at y 220. */
	CHECK_RGB(mean(&img, 75, 225, 125, 275), ((struct rgb){ 0, 160, 0 }), 6);
	CHECK_RGB(mean(&img, 0, 220, 65, 280), ((struct rgb){ 255, 255, 255 }), 2);
	CHECK_RGB(mean(&img, 135, 220, 200, 280), ((struct rgb){ 255, 255, 255 }), 2);
	free(img.px);
}

/* A dpi override scales the page, and the JPEG carries the dpi; nothing but OUT is left. */
static void test_dpi(void)
{
	const char *layout = tmp("dpi.layout");
	const char *photo = tmp("p1.jpg");
	char *data = NULL;
	struct layout l;
	struct image img;
	struct dirent *e;
	DIR *d;
	int others = 0;

	write_text(layout, "[page]\nwidth = 2\nheight = 3\nphotos = 1\n"
			   "[photo]\nphoto = 1\nx = 0\ny = 0\nwidth = 2\nheight = 2\n");
	REQUIRE(write_jpeg(photo, 200, 200, fill_solid, &colours[0], 1) == 0);
	REQUIRE(load_layout(layout, &l) == 0);
	REQUIRE(compose(&l, &photo, 1, &(struct compose_opts){ .dpi = 150, .quality = 80 }, &img) ==
		0);
	CHECK_INT(img.w, ==, 300);
	CHECK_INT(img.h, ==, 450);
	free(img.px);
	/* JFIF APP0: units at byte 13 (1: dots per inch), X density at 14..15. */
	REQUIRE(read_file(tmp("out.jpg"), 1 << 20, &data) > 20);
	CHECK(memcmp(data + 6, "JFIF", 4) == 0);
	CHECK_INT(data[13], ==, 1);
	CHECK_INT((uint8_t)data[14] << 8 | (uint8_t)data[15], ==, 150);
	free(data);
	d = opendir(tmpdir);
	REQUIRE(d);
	while ((e = readdir(d)))
		others += strstr(e->d_name, ".tmp") != NULL;
	closedir(d);
	CHECK_INT(others, ==, 0);
}

/* Bad input fails with a message that says what and where. */
static void test_errors(void)
{
	char layout[PATH_MAX], good[PATH_MAX], bad[PATH_MAX], cut[PATH_MAX], missing[PATH_MAX];
	char err[COMPOSE_ERR_MAX], want[PATH_MAX + 128], *data = NULL;
	const char *photos[2];
	struct layout l;
	long n;

	strscpy(layout, tmp("one.layout"), sizeof(layout));
	strscpy(good, tmp("good.jpg"), sizeof(good));
	strscpy(bad, tmp("garbage.jpg"), sizeof(bad));
	strscpy(cut, tmp("cut.jpg"), sizeof(cut));
	strscpy(missing, tmp("missing.jpg"), sizeof(missing));
	write_text(layout, "[page]\nwidth = 2\nheight = 2\ndpi = 100\nphotos = 1\n"
			   "[photo]\nphoto = 1\nx = 0\ny = 0\nwidth = 2\nheight = 1\n"
			   "[title]\nx = 0\ny = 1\nwidth = 2\nheight = 1\n");
	REQUIRE(load_layout(layout, &l) == 0);
	REQUIRE(write_jpeg(good, 300, 200, fill_solid, &colours[1], 1) == 0);
	write_text(bad, "GIF89a this is not a JPEG at all");
	n = read_file(good, 1 << 20, &data);
	REQUIRE(n > 100);
	REQUIRE(write_file_atomic(cut, data, (size_t)n / 2, 0644) == 0);
	free(data);

	photos[0] = photos[1] = good;
	CHECK_INT(compose_strip(&l, photos, 2, NULL, tmp("e.jpg"), err, sizeof(err)), ==, -EINVAL);
	CHECK_STR(err, "the layout takes 1 photo, got 2");
	CHECK_INT(compose_strip(&l, photos, 0, NULL, tmp("e.jpg"), err, sizeof(err)), ==, -EINVAL);
	CHECK_STR(err, "the layout takes 1 photo, got 0");

	photos[0] = missing;
	CHECK_INT(compose_strip(&l, photos, 1, NULL, tmp("e.jpg"), err, sizeof(err)), ==, -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", photos[0]);
	CHECK_STR(err, want);

	photos[0] = bad;
	CHECK_INT(compose_strip(&l, photos, 1, NULL, tmp("e.jpg"), err, sizeof(err)), ==, -EINVAL);
	snprintf(want, sizeof(want),
		 "%s: not a valid JPEG image (Not a JPEG file: starts with 0x47 0x49)", bad);
	CHECK_STR(err, want);

	photos[0] = cut;
	CHECK_INT(compose_strip(&l, photos, 1, NULL, tmp("e.jpg"), err, sizeof(err)), ==, -EINVAL);
	snprintf(want, sizeof(want), "%s: corrupt or truncated JPEG (Premature end of JPEG file)",
		 cut);
	CHECK_STR(err, want);

	photos[0] = good;
	CHECK_INT(compose_strip(&l, photos, 1, &(struct compose_opts){ .title = "bad \xff utf-8" },
				tmp("e.jpg"), err, sizeof(err)),
		  ==, -EINVAL);
	CHECK_STR(err, "the title is not valid UTF-8 text");
	CHECK_INT(compose_strip(&l, photos, 1, &(struct compose_opts){ .title = "two\nlines" },
				tmp("e.jpg"), err, sizeof(err)),
		  ==, -EINVAL);
	CHECK_STR(err, "the title is not valid UTF-8 text");
	CHECK_INT(compose_strip(&l, photos, 1, &(struct compose_opts){ .date = "\xc0\x80" },
				tmp("e.jpg"), err, sizeof(err)),
		  ==, -EINVAL);
	CHECK_STR(err, "the date is not valid UTF-8 text");
	{
		char title[COMPOSE_TEXT_MAX + 2];

		memset(title, 'a', sizeof(title) - 1);
		title[sizeof(title) - 1] = '\0';
		CHECK_INT(compose_strip(&l, photos, 1, &(struct compose_opts){ .title = title },
					tmp("e.jpg"), err, sizeof(err)),
			  ==, -EINVAL);
		CHECK_STR(err, "the title is longer than 256 bytes");
	}
	CHECK(access(tmp("e.jpg"), F_OK) < 0);

	/* A layout whose overlay is missing or is not a PNG. */
	write_text(layout, "[page]\nwidth = 2\nheight = 2\ndpi = 100\nphotos = 1\n"
			   "[photo]\nphoto = 1\nx = 0\ny = 0\nwidth = 2\nheight = 1\n"
			   "[overlay]\nfile = nothere.png\n");
	REQUIRE(load_layout(layout, &l) == 0);
	CHECK_INT(compose_strip(&l, photos, 1, NULL, tmp("e.jpg"), err, sizeof(err)), ==, -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", tmp("nothere.png"));
	CHECK_STR(err, want);
	write_text(tmp("nothere.png"), "not a png");
	CHECK_INT(compose_strip(&l, photos, 1, NULL, tmp("e.jpg"), err, sizeof(err)), ==, -EINVAL);
	CHECK(strstr(err, "nothere.png: not a valid PNG image (") != NULL);
	CHECK(access(tmp("e.jpg"), F_OK) < 0);
}

/* Run booth-compose with ARGS; its stdout and stderr together go into OUT. Returns the exit
 * status, or -1. */
static int run(const char *const *args, char *out, size_t outlen)
{
	const char *argv[24] = { compose_bin };
	char log[PATH_MAX];
	int fd, status;
	size_t n = 1;
	pid_t pid;

	for (; args[n - 1] && n < ARRAY_SIZE(argv) - 1; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	snprintf(log, sizeof(log), "%s/cli.log", tmpdir);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		execv(compose_bin, (char *const *)argv);
		_exit(127);
	}
	close(fd);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	out[0] = '\0';
	fd = open(log, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t k = read(fd, out, outlen - 1);

		out[k > 0 ? k : 0] = '\0';
		close(fd);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_cli(void)
{
	const char *photos[4];
	char out[2048], want[PATH_MAX * 2];
	struct image img;

	make_photos(photos, 320, 240);
	write_text(tmp("garbage.jpg"), "garbage");

	/* Success prints nothing at all. */
	CHECK_INT(run((const char *[]){ "-L", layouts_dir, "-l", "4x6-two-strips", "-o",
					tmp("cli.jpg"), "--title", "Hello", photos[0], photos[1],
					photos[2], photos[3], NULL },
		      out, sizeof(out)),
		  ==, 0);
	CHECK_STR(out, "");
	if (read_image(tmp("cli.jpg"), &img) == 0) {
		CHECK_INT(img.w, ==, 1200);
		CHECK_INT(img.h, ==, 1800);
		free(img.px);
	} else {
		CHECK_MSG(false, "no output");
	}
	/* A layout by path, and options. */
	snprintf(want, sizeof(want), "%s/4x6-single.layout", layouts_dir);
	CHECK_INT(run((const char *[]){ "-l", want, "-o", tmp("cli.jpg"), "--dpi", "100",
					"--quality", "70", "--date", "", photos[0], NULL },
		      out, sizeof(out)),
		  ==, 0);
	CHECK_STR(out, "");
	if (read_image(tmp("cli.jpg"), &img) == 0) {
		CHECK_INT(img.w, ==, 600);
		free(img.px);
	}

	CHECK_INT(run((const char *[]){ "-L", layouts_dir, "-l", "nope", "-o", tmp("x.jpg"),
					photos[0], NULL },
		      out, sizeof(out)),
		  ==, 1);
	snprintf(want, sizeof(want),
		 "booth-compose: unknown layout 'nope' (no nope.layout in %s)\n", layouts_dir);
	CHECK_STR(out, want);

	CHECK_INT(
		run((const char *[]){ "-L", layouts_dir, "-l", "4x6-grid", "-o", tmp("x.jpg"),
				      photos[0], photos[0], photos[0], photos[0], photos[0], NULL },
		    out, sizeof(out)),
		==, 1);
	CHECK_STR(out, "booth-compose: layout '4x6-grid' takes 4 photos, got 5\n");
	CHECK_INT(run((const char *[]){ "-L", layouts_dir, "-l", "4x6-grid", "--test", "-o",
					tmp("x.jpg"), photos[0], NULL },
		      out, sizeof(out)),
		  ==, 2);
	CHECK_STR(out, "booth-compose: --test takes no photos (see --help)\n");

	CHECK_INT(run((const char *[]){ "-L", layouts_dir, "-l", "4x6-single", "-o", tmp("x.jpg"),
					tmp("missing.jpg"), NULL },
		      out, sizeof(out)),
		  ==, 1);
	snprintf(want, sizeof(want), "booth-compose: %s: No such file or directory\n",
		 tmp("missing.jpg"));
	CHECK_STR(out, want);

	CHECK_INT(run((const char *[]){ "-L", layouts_dir, "-l", "4x6-single", "-o", tmp("x.jpg"),
					tmp("garbage.jpg"), NULL },
		      out, sizeof(out)),
		  ==, 1);
	snprintf(want, sizeof(want),
		 "booth-compose: %s: not a valid JPEG image (Not a JPEG file: starts with 0x67 "
		 "0x61)\n",
		 tmp("garbage.jpg"));
	CHECK_STR(out, want);
	CHECK(access(tmp("x.jpg"), F_OK) < 0);

	write_text(tmp("broken.layout"), "[page]\nwidth = 4\nheight = 6\nphotos = 0\n");
	CHECK_INT(run((const char *[]){ "-l", tmp("broken.layout"), "-o", tmp("x.jpg"), photos[0],
					NULL },
		      out, sizeof(out)),
		  ==, 1);
	snprintf(want, sizeof(want),
		 "booth-compose: %s:4: 'photos' must be between 1 and 8 (got 0)\n",
		 tmp("broken.layout"));
	CHECK_STR(out, want);

	/* Usage errors: exit status 2. */
	CHECK_INT(run((const char *[]){ "-o", tmp("x.jpg"), photos[0], NULL }, out, sizeof(out)),
		  ==, 2);
	CHECK_STR(out, "booth-compose: -l LAYOUT is required (see --help)\n");
	CHECK_INT(run((const char *[]){ "-l", "4x6-single", photos[0], NULL }, out, sizeof(out)),
		  ==, 2);
	CHECK_STR(out, "booth-compose: -o OUT.jpg is required (see --help)\n");
	CHECK_INT(run((const char *[]){ "-l", "4x6-single", "-o", tmp("x.jpg"), NULL }, out,
		      sizeof(out)),
		  ==, 2);
	CHECK_STR(out, "booth-compose: no photos given (see --help)\n");
	CHECK_INT(run((const char *[]){ "-l", "4x6-single", "-o", tmp("x.jpg"), "-q", "101",
					photos[0], NULL },
		      out, sizeof(out)),
		  ==, 2);
	CHECK_STR(out, "booth-compose: --quality must be 1 to 100 (got '101') (see --help)\n");
	CHECK_INT(run((const char *[]){ "--bogus", NULL }, out, sizeof(out)), ==, 2);
	CHECK(strstr(out, "bogus") != NULL);
	CHECK_INT(run((const char *[]){ "--help", NULL }, out, sizeof(out)), ==, 0);
	CHECK(strncmp(out, "Usage: booth-compose -l LAYOUT -o OUT.jpg", 41) == 0);
}

/* The repository's layouts/ (up from BUILD/tests/test-compose) and BUILD/booth-compose. */
static int find_paths(void)
{
	char exe[PATH_MAX - 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n < 0)
		return -1;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	snprintf(compose_bin, sizeof(compose_bin), "%s/booth-compose", exe);
	*slash = '/';
	while ((slash = strrchr(exe, '/')) && slash != exe) {
		*slash = '\0';
		snprintf(layouts_dir, sizeof(layouts_dir), "%s/layouts", exe);
		if (access(layouts_dir, F_OK) == 0)
			return 0;
	}
	return -1;
}

static void cleanup(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			unlink(tmp(e->d_name));
	closedir(d);
	rmdir(tmpdir);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "shipped", test_shipped },
		{ "two_strips", test_two_strips },
		{ "cover", test_cover },
		{ "orientation", test_orientation },
		{ "title", test_title },
		{ "overlay_logo", test_overlay_logo },
		{ "dpi", test_dpi },
		{ "errors", test_errors },
		{ "cli", test_cli },
		{ "raw_frames", test_raw_frames },
		{ NULL, NULL },
	};
	int r;

	if (find_paths() < 0) {
		fprintf(stderr, "cannot find layouts/ above %s\n", argv[0]);
		return 1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/booth-test-compose-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	r = test_main(argc, argv, tests);
	cleanup();
	return r;
}
