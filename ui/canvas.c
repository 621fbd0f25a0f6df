/* SPDX-License-Identifier: MIT */
/* The UI's XRGB8888 drawing surface: rectangles, shading, cached text, pixman scaling and PNG
 * files. */
#include "canvas.h"
#include "text.h"
#include "util.h"

#include <errno.h>
#include <pixman.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
/* jpeglib.h needs FILE and size_t first. */
#include <jpeglib.h>

/* The text cache: rendered coverage per (text, box size, alignment), least recently used out. */
#define TEXT_CACHE_ENTRIES 64
#define TEXT_CACHE_BYTES   ((size_t)6 << 20)
#define TEXT_KEY_MAX	   256

struct text_entry {
	char text[TEXT_KEY_MAX];
	int bw, bh;
	enum layout_align align;
	int x, y, w, h, stride; /* the inked part of the box, and its mask's row length */
	uint8_t *mask;		/* w * h coverage (rows of stride); NULL: nothing inked */
	unsigned long used;	/* when last drawn (cache clock); 0: free slot */
};

static struct {
	struct text_entry e[TEXT_CACHE_ENTRIES];
	size_t bytes;
	unsigned long clock;
} cache;

int canvas_new(int w, int h, struct canvas **ret)
{
	struct canvas *c;

	if (w < 1 || h < 1 || w > CANVAS_MAX_SIDE || h > CANVAS_MAX_SIDE)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->px = malloc((size_t)w * (size_t)h * 4);
	if (!c->px) {
		free(c);
		return -ENOMEM;
	}
	c->w = w;
	c->h = h;
	pixman_fill(c->px, w, 32, 0, 0, w, h, 0xff000000u);
	*ret = c;
	return 0;
}

int canvas_wrap(int w, int h, uint32_t *px, struct canvas **ret)
{
	struct canvas *c;

	if (w < 1 || h < 1 || w > CANVAS_MAX_SIDE || h > CANVAS_MAX_SIDE || !px)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->w = w;
	c->h = h;
	c->px = px;
	c->borrowed = true;
	*ret = c;
	return 0;
}

struct canvas *canvas_free(struct canvas *c)
{
	if (c) {
		if (!c->borrowed)
			free(c->px);
		free(c);
	}
	return NULL;
}

void canvas_get_rgb(const struct canvas *c, int x, int y, uint8_t rgb[3])
{
	uint32_t p = c->px[(size_t)y * (size_t)c->w + (size_t)x];

	rgb[0] = (uint8_t)(p >> 16);
	rgb[1] = (uint8_t)(p >> 8);
	rgb[2] = (uint8_t)p;
}

/* C as a pixman image (it draws into c->px). */
static pixman_image_t *image_of(const struct canvas *c)
{
	return pixman_image_create_bits(c->alpha ? PIXMAN_a8r8g8b8 : PIXMAN_x8r8g8b8, c->w, c->h,
					c->px, c->w * 4);
}

/* BOX clipped to the canvas; false when nothing is left. */
static bool clip(const struct canvas *c, const struct layout_px *box, struct layout_px *out)
{
	out->x0 = box->x0 < 0 ? 0 : box->x0;
	out->y0 = box->y0 < 0 ? 0 : box->y0;
	out->x1 = box->x1 > c->w ? c->w : box->x1;
	out->y1 = box->y1 > c->h ? c->h : box->y1;
	return out->x0 < out->x1 && out->y0 < out->y1;
}

static uint32_t xrgb(const uint8_t color[3])
{
	return 0xff000000u | (uint32_t)color[0] << 16 | (uint32_t)color[1] << 8 | color[2];
}

void canvas_fill(struct canvas *c, const struct layout_px *box, const uint8_t color[3])
{
	struct layout_px b;

	if (clip(c, box, &b))
		pixman_fill(c->px, c->w, 32, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0, xrgb(color));
}

void canvas_clear(struct canvas *c, const struct layout_px *box)
{
	struct layout_px b;

	if (clip(c, box, &b))
		pixman_fill(c->px, c->w, 32, b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0, 0);
}

/* Composite SRC (with MASK, may be NULL) OVER C at BOX; pixman clips to the canvas. */
static int over(struct canvas *c, pixman_image_t *src, pixman_image_t *mask,
		const struct layout_px *box)
{
	pixman_image_t *dst = image_of(c);

	if (!dst)
		return -ENOMEM;
	pixman_image_composite32(PIXMAN_OP_OVER, src, mask, dst, 0, 0, 0, 0, box->x0, box->y0,
				 box->x1 - box->x0, box->y1 - box->y0);
	pixman_image_unref(dst);
	return 0;
}

void canvas_shade(struct canvas *c, const struct layout_px *box, int alpha, bool white)
{
	uint16_t a = (uint16_t)(alpha * 257), v = white ? a : 0;
	pixman_color_t color = { v, v, v, a }; /* premultiplied */
	pixman_image_t *solid = pixman_image_create_solid_fill(&color);
	struct layout_px b;

	if (solid && clip(c, box, &b))
		over(c, solid, NULL, &b);
	if (solid)
		pixman_image_unref(solid);
}

static void entry_drop(struct text_entry *e)
{
	cache.bytes -= (size_t)e->stride * (size_t)e->h;
	free(e->mask);
	memset(e, 0, sizeof(*e));
}

void canvas_cache_clear(void)
{
	for (int i = 0; i < TEXT_CACHE_ENTRIES; i++)
		if (cache.e[i].used)
			entry_drop(&cache.e[i]);
}

/* Render TEXT into a BW x BH box as coverage: drawn white on black with the composer's
 * text_draw(), its red channel is the coverage; only the inked part is kept. */
static int render(struct text_entry *e, const char *text)
{
	struct layout_text t = { .kind = LAYOUT_TEXT_TITLE,
				 .align = e->align,
				 .color = { 255, 255, 255 } };
	struct layout_px box = { 0, 0, e->bw, e->bh };
	int x0 = e->bw, y0 = e->bh, x1 = 0, y1 = 0, r;
	uint8_t *rgb = calloc((size_t)e->bw * (size_t)e->bh, 3);
	char err[256];

	if (!rgb)
		return -ENOMEM;
	strscpy(t.font, "sans-serif", sizeof(t.font));
	r = text_draw(rgb, e->bw, e->bh, &box, &t, text, err, sizeof(err));
	for (int y = 0; r == 0 && y < e->bh; y++)
		for (int x = 0; x < e->bw; x++)
			if (rgb[((size_t)y * (size_t)e->bw + (size_t)x) * 3]) {
				x0 = x < x0 ? x : x0;
				x1 = x + 1 > x1 ? x + 1 : x1;
				y0 = y < y0 ? y : y0;
				y1 = y + 1;
			}
	if (r == 0 && x1 > x0) {
		e->x = x0;
		e->y = y0;
		e->w = x1 - x0;
		e->h = y1 - y0;
		e->stride = (e->w + 3) & ~3; /* pixman's a8 rows are 4-byte aligned */
		e->mask = calloc((size_t)e->stride * (size_t)e->h, 1);
		if (!e->mask)
			r = -ENOMEM;
		for (int y = 0; e->mask && y < e->h; y++)
			for (int x = 0; x < e->w; x++)
				e->mask[(size_t)y * (size_t)e->stride + (size_t)x] =
					rgb[((size_t)(y0 + y) * (size_t)e->bw + (size_t)(x0 + x)) *
					    3];
	}
	free(rgb);
	if (!e->mask)
		e->w = e->h = e->stride = 0;
	return r;
}

/* The cache entry for TEXT in a BW x BH box, rendered if new; NULL on failure (*R says why). */
static struct text_entry *lookup(const char *text, int bw, int bh, enum layout_align align, int *r)
{
	struct text_entry *e = NULL, *victim = &cache.e[0];

	*r = 0;
	if (strlen(text) >= TEXT_KEY_MAX) {
		*r = -E2BIG;
		return NULL;
	}
	for (int i = 0; i < TEXT_CACHE_ENTRIES; i++) {
		struct text_entry *c = &cache.e[i];

		if (c->used && c->bw == bw && c->bh == bh && c->align == align &&
		    strcmp(c->text, text) == 0) {
			e = c;
			break;
		}
		if (c->used < victim->used)
			victim = c;
	}
	if (!e) {
		if (victim->used)
			entry_drop(victim);
		e = victim;
		strscpy(e->text, text, sizeof(e->text));
		e->bw = bw;
		e->bh = bh;
		e->align = align;
		*r = render(e, text);
		if (*r < 0) {
			free(e->mask);
			memset(e, 0, sizeof(*e));
			return NULL;
		}
		cache.bytes += (size_t)e->stride * (size_t)e->h;
		/* Over budget: drop the least recently used others. */
		while (cache.bytes > TEXT_CACHE_BYTES) {
			struct text_entry *old = NULL;

			for (int i = 0; i < TEXT_CACHE_ENTRIES; i++)
				if (cache.e[i].used && &cache.e[i] != e &&
				    (!old || cache.e[i].used < old->used))
					old = &cache.e[i];
			if (!old)
				break;
			entry_drop(old);
		}
	}
	e->used = ++cache.clock;
	return e;
}

int canvas_text_prepare(const struct layout_px *box, const char *text, enum layout_align align)
{
	int r;

	if (!text || !*text || box->x1 <= box->x0 || box->y1 <= box->y0)
		return 0;
	lookup(text, box->x1 - box->x0, box->y1 - box->y0, align, &r);
	return r;
}

int canvas_text(struct canvas *c, const struct layout_px *box, const char *text,
		const uint8_t color[3], enum layout_align align)
{
	pixman_color_t pc = { (uint16_t)(color[0] * 257), (uint16_t)(color[1] * 257),
			      (uint16_t)(color[2] * 257), 0xffff };
	pixman_image_t *solid, *mask;
	struct text_entry *e;
	struct layout_px b;
	int r;

	if (!text || !*text || !clip(c, box, &b))
		return 0;
	e = lookup(text, b.x1 - b.x0, b.y1 - b.y0, align, &r);
	if (!e || !e->mask)
		return r;
	solid = pixman_image_create_solid_fill(&pc);
	mask = pixman_image_create_bits(PIXMAN_a8, e->w, e->h, (uint32_t *)(void *)e->mask,
					e->stride);
	r = -ENOMEM;
	if (solid && mask)
		r = over(c, solid, mask,
			 &(struct layout_px){ b.x0 + e->x, b.y0 + e->y, b.x0 + e->x + e->w,
					      b.y0 + e->y + e->h });
	if (solid)
		pixman_image_unref(solid);
	if (mask)
		pixman_image_unref(mask);
	return r;
}

/* Mirror row Y of C between columns X0 and X1 in place. */
static void mirror_row(struct canvas *c, int y, int x0, int x1)
{
	typedef uint32_t v4 __attribute__((vector_size(16)));
	uint32_t *a = c->px + (size_t)y * (size_t)c->w + x0, *b = a + (x1 - x0) - 1;

	/* Four pixels at a time from both ends (SSE2 or NEON shuffles), then the middle. */
	while (b - a >= 7) {
		v4 va, vb;

		memcpy(&va, a, sizeof(va));
		memcpy(&vb, b - 3, sizeof(vb));
#ifdef __clang__
		va = __builtin_shufflevector(va, va, 3, 2, 1, 0);
		vb = __builtin_shufflevector(vb, vb, 3, 2, 1, 0);
#else
		va = __builtin_shuffle(va, (v4){ 3, 2, 1, 0 });
		vb = __builtin_shuffle(vb, (v4){ 3, 2, 1, 0 });
#endif
		memcpy(a, &vb, sizeof(vb));
		memcpy(b - 3, &va, sizeof(va));
		a += 4;
		b -= 4;
	}
	for (; a < b; a++, b--) {
		uint32_t t = *a;

		*a = *b;
		*b = t;
	}
}

/* Rows scaled at a time when mirroring: a band small enough to be mirrored while it is still
 * in the CPU's cache. */
#define BAND_ROWS 16

/* Darken the part of each of the N SHADES (solid fills of SOLID) that lies in rows Y0..Y1 of IN
 * on DST, while those rows are still in the CPU's cache. */
static void shade_rows(pixman_image_t *dst, pixman_image_t *const *solid,
		       const struct canvas_shade *shades, int n, const struct layout_px *in, int y0,
		       int y1)
{
	for (int i = 0; i < n; i++) {
		const struct layout_px *b = &shades[i].box;
		int x0 = b->x0 > in->x0 ? b->x0 : in->x0, x1 = b->x1 < in->x1 ? b->x1 : in->x1;
		int top = b->y0 > y0 ? b->y0 : y0, bottom = b->y1 < y1 ? b->y1 : y1;

		if (x0 < x1 && top < bottom && solid[i])
			pixman_image_composite32(PIXMAN_OP_OVER, solid[i], NULL, dst, 0, 0, 0, 0,
						 x0, top, x1 - x0, bottom - top);
	}
}

/* Scale SRC by S into BOX of C, offset by (OX, OY) in destination pixels, mirrored left to
 * right if MIRROR; the part of BOX that SRC does not cover is black. The N SHADES (within BOX)
 * are darkened band by band as the picture is drawn. */
static int scale_into(struct canvas *c, const struct layout_px *box, pixman_image_t *src, double s,
		      double ox, double oy, bool mirror, const struct canvas_shade *shades, int n)
{
	int bw = box->x1 - box->x0, bh = box->y1 - box->y0;
	pixman_image_t *dst = image_of(c), *solid[CANVAS_SHADES_MAX] = { NULL };
	pixman_transform_t t;
	struct layout_px in;

	if (!dst)
		return -ENOMEM;
	/* Destination pixel (x, y) of the box samples source ((x + ox) / s, (y + oy) / s). */
	pixman_transform_init_identity(&t);
	t.matrix[0][0] = pixman_double_to_fixed(1.0 / s);
	t.matrix[0][2] = pixman_double_to_fixed(ox / s);
	t.matrix[1][1] = pixman_double_to_fixed(1.0 / s);
	t.matrix[1][2] = pixman_double_to_fixed(oy / s);
	pixman_image_set_transform(src, &t);
	pixman_image_set_filter(src, PIXMAN_FILTER_BILINEAR, NULL, 0);
	if (!mirror && n == 0) {
		pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, 0, 0, 0, 0, box->x0,
					 box->y0, bw, bh);
		pixman_image_unref(dst);
		return 0;
	}
	for (int i = 0; i < n && i < CANVAS_SHADES_MAX; i++) {
		uint16_t a = (uint16_t)(shades[i].alpha * 257);
		pixman_color_t black = { 0, 0, 0, a }; /* premultiplied */

		solid[i] = pixman_image_create_solid_fill(&black);
	}
	/* pixman's fast bilinear paths need a positive x scale: the part of the unmirrored
	 * picture that shows on the canvas once mirrored is scaled into the visible part of the
	 * box, a band at a time, and each band reversed in place while it is in the cache; the
	 * shading over it (the countdown's bands) is done then too, which costs a fraction of a
	 * separate pass over the picture in memory. */
	if (clip(c, box, &in)) {
		int from = mirror ? box->x1 - in.x1 : in.x0 - box->x0; /* box column of the first */

		for (int y = in.y0; y < in.y1; y += BAND_ROWS) {
			int rows = in.y1 - y < BAND_ROWS ? in.y1 - y : BAND_ROWS;

			pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, from, y - box->y0,
						 0, 0, in.x0, y, in.x1 - in.x0, rows);
			for (int k = y; mirror && k < y + rows; k++)
				mirror_row(c, k, in.x0, in.x1);
			shade_rows(dst, solid, shades,
				   n < CANVAS_SHADES_MAX ? n : CANVAS_SHADES_MAX, &in, y, y + rows);
		}
	}
	for (int i = 0; i < CANVAS_SHADES_MAX; i++)
		if (solid[i])
			pixman_image_unref(solid[i]);
	pixman_image_unref(dst);
	return 0;
}

int canvas_blit_xrgb_shaded(struct canvas *c, const struct layout_px *box,
			    const struct canvas_xrgb *src, bool mirror,
			    const struct canvas_shade *shades, int n)
{
	int bw = box->x1 - box->x0, bh = box->y1 - box->y0, r;
	pixman_image_t *img;
	uint32_t *bits;
	double s;

	if (src->w < 1 || src->h < 1 || bw < 1 || bh < 1 || src->stride < src->w * 4 || n < 0 ||
	    n > CANVAS_SHADES_MAX)
		return -EINVAL;
	/* pixman does not write through a source image; the copy only drops const. */
	memcpy(&bits, &src->data, sizeof(bits));
	img = pixman_image_create_bits(PIXMAN_x8r8g8b8, src->w, src->h, bits, src->stride);
	if (!img)
		return -ENOMEM;
	s = (double)bw / src->w > (double)bh / src->h ? (double)bw / src->w : (double)bh / src->h;
	r = scale_into(c, box, img, s, (src->w * s - bw) / 2, (src->h * s - bh) / 2, mirror, shades,
		       n);
	pixman_image_unref(img);
	return r;
}

int canvas_blit_xrgb(struct canvas *c, const struct layout_px *box, const struct canvas_xrgb *src,
		     bool mirror)
{
	return canvas_blit_xrgb_shaded(c, box, src, mirror, NULL, 0);
}

int canvas_blit_fit(struct canvas *c, const struct layout_px *box, const struct canvas *src)
{
	int bw = box->x1 - box->x0, bh = box->y1 - box->y0, sw = src->w, sh = src->h, r;
	pixman_image_t *img;
	double s;

	if (bw < 1 || bh < 1)
		return -EINVAL;
	img = image_of(src);
	if (!img)
		return -ENOMEM;
	s = (double)bw / sw < (double)bh / sh ? (double)bw / sw : (double)bh / sh;
	{
		struct layout_px fit = { box->x0 + (int)((bw - sw * s) / 2),
					 box->y0 + (int)((bh - sh * s) / 2), 0, 0 };

		fit.x1 = fit.x0 + (int)(sw * s);
		fit.y1 = fit.y0 + (int)(sh * s);
		r = scale_into(c, &fit, img, s, 0, 0, false, NULL, 0);
	}
	pixman_image_unref(img);
	return r;
}

int canvas_write_png(const struct canvas *c, const char *path)
{
	png_image png = { .version = PNG_IMAGE_VERSION };
	png_alloc_size_t n = 0;
	size_t count = (size_t)c->w * (size_t)c->h;
	uint8_t *rgb = malloc(count * 3);
	void *buf = NULL;
	int r = -EIO;

	if (!rgb)
		return -ENOMEM;
	/* PNGs are RGB: the files stay small and readable by anything. */
	for (size_t i = 0; i < count; i++) {
		rgb[i * 3] = (uint8_t)(c->px[i] >> 16);
		rgb[i * 3 + 1] = (uint8_t)(c->px[i] >> 8);
		rgb[i * 3 + 2] = (uint8_t)c->px[i];
	}
	png.width = (png_uint_32)c->w;
	png.height = (png_uint_32)c->h;
	png.format = PNG_FORMAT_RGB;
	if (!png_image_write_to_memory(&png, NULL, &n, 0, rgb, 0, NULL))
		goto out;
	buf = malloc(n);
	r = -ENOMEM;
	if (!buf)
		goto out;
	r = -EIO;
	if (!png_image_write_to_memory(&png, buf, &n, 0, rgb, 0, NULL))
		goto out;
	r = write_file_atomic(path, buf, n, 0644);
out:
	free(buf);
	free(rgb);
	return r;
}

int canvas_read_png(const char *path, struct canvas **ret)
{
	png_image png = { .version = PNG_IMAGE_VERSION };
	struct canvas *c = NULL;
	FILE *f;
	int r;

	f = fopen(path, "rbe");
	if (!f)
		return -errno;
	if (!png_image_begin_read_from_stdio(&png, f)) {
		r = -EBADMSG;
		goto out;
	}
	/* B, G, R, A bytes are the little-endian 0xAARRGGBB of XRGB8888 (A is 255: opaque). */
	png.format = PNG_FORMAT_BGRA;
	r = canvas_new((int)png.width, (int)png.height, &c);
	if (r < 0)
		goto out;
	if (!png_image_finish_read(&png, NULL, c->px, 0, NULL)) {
		c = canvas_free(c);
		r = -EBADMSG;
		goto out;
	}
	*ret = c;
	r = 0;
out:
	png_image_free(&png);
	fclose(f);
	return r;
}

/* libjpeg reports errors through a callback that must not return: jump back to the reader. */
struct jpeg_fail {
	struct jpeg_error_mgr mgr;
	jmp_buf jump;
};

static void jpeg_fail_exit(j_common_ptr ci)
{
	longjmp(((struct jpeg_fail *)(void *)ci->err)->jump, 1);
}

/* A warning (a truncated or damaged file) is a failure too: the grey box shows instead. */
static void jpeg_fail_warn(j_common_ptr ci, int level)
{
	if (level < 0)
		jpeg_fail_exit(ci);
}

/* Area-averaging resampler from SW x SH to DW x DH (never enlarging), fed one source row at a
 * time: each source pixel adds to the output pixels its area overlaps, so only one row of sums
 * is kept, whatever the ratio. */
struct shrink {
	int sw, sh, dw, dh;
	int y;	    /* the output row being summed */
	float *row; /* the current source row, shrunk horizontally: dw * 3 */
	float *acc; /* the output row's sums: dw * 3 */
	float wsum; /* the weight summed into acc */
};

/* Source row IN (SW pixels, bytes B G R X) shrunk to DW pixels into S->row. */
static void shrink_row(struct shrink *s, const uint8_t *in)
{
	double step = (double)s->sw / s->dw;

	for (int x = 0; x < s->dw; x++) {
		double a = x * step, b = a + step;
		float sum[3] = { 0, 0, 0 }, ws = 0;

		for (int i = (int)a; i < s->sw && i < b; i++) {
			float w = (float)((i + 1 < b ? i + 1 : b) - (i > a ? i : a));

			for (int k = 0; k < 3; k++)
				sum[k] += w * (float)in[(size_t)i * 4 + (size_t)k];
			ws += w;
		}
		for (int k = 0; k < 3; k++)
			s->row[x * 3 + k] = ws > 0 ? sum[k] / ws : 0;
	}
}

static void shrink_emit(struct shrink *s, struct canvas *c)
{
	uint32_t *out = c->px + (size_t)s->y * (size_t)c->w;

	for (int x = 0; x < s->dw; x++) {
		uint32_t v[3];

		for (int k = 0; k < 3; k++) {
			float f = s->wsum > 0 ? s->acc[x * 3 + k] / s->wsum + 0.5f : 0;

			v[k] = f >= 255 ? 255 : (uint32_t)f;
		}
		out[x] = 0xff000000u | v[2] << 16 | v[1] << 8 | v[0];
	}
	memset(s->acc, 0, (size_t)s->dw * 3 * sizeof(float));
	s->wsum = 0;
	s->y++;
}

/* Source row J (IN) into the output rows its height overlaps; full rows are written to C. */
static void shrink_add(struct shrink *s, struct canvas *c, int j, const uint8_t *in)
{
	double step = (double)s->sh / s->dh, lo = j, hi = j + 1;

	shrink_row(s, in);
	while (lo < hi && s->y < s->dh) {
		double end = (s->y + 1) * step;
		float w = (float)((hi < end ? hi : end) - lo);

		for (int x = 0; x < s->dw * 3; x++)
			s->acc[x] += w * s->row[x];
		s->wsum += w;
		lo += w;
		if (hi < end - 1e-9)
			break;
		shrink_emit(s, c);
	}
}

/* Decode with CI (header read, scaled, started) into canvas C: straight into its rows when the
 * sizes agree, else (S) through the area-averaging resampler, a row of LINE at a time. */
static void jpeg_rows(struct jpeg_decompress_struct *ci, struct canvas *c, uint8_t *line,
		      struct shrink *s)
{
	while (ci->output_scanline < ci->output_height) {
		int j = (int)ci->output_scanline;
		JSAMPROW row = s ? line : (JSAMPROW)(c->px + (size_t)j * (size_t)c->w);

		jpeg_read_scanlines(ci, &row, 1);
		if (s)
			shrink_add(s, c, j, line);
	}
	/* Rounding may leave the last output row short of its full height. */
	while (s && s->y < s->dh)
		shrink_emit(s, c);
}

/* What a decode allocates, on the heap so that it survives libjpeg's longjmp intact. */
struct jpeg_job {
	struct jpeg_decompress_struct ci;
	struct jpeg_fail err;
	struct canvas *c;
	uint8_t *line;
	struct shrink s;
};

/* The size a W x H picture has fitted inside MAX_W x MAX_H (aspect kept, never enlarged). */
static void fit_size(int w, int h, int max_w, int max_h, int *fit_w, int *fit_h)
{
	double sc = (double)max_w / w < (double)max_h / h ? (double)max_w / w : (double)max_h / h;

	*fit_w = w;
	*fit_h = h;
	if (w > max_w || h > max_h) {
		*fit_w = (int)(w * sc) > 0 ? (int)(w * sc) : 1;
		*fit_h = (int)(h * sc) > 0 ? (int)(h * sc) : 1;
	}
}

int canvas_read_jpeg(const char *path, int max_w, int max_h, struct canvas **ret)
{
	struct jpeg_job *j;
	struct jpeg_decompress_struct *ci;
	volatile int r = -EBADMSG;
	int fit_w, fit_h;
	struct stat st;
	FILE *f;

	f = fopen(path, "rbe");
	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) < 0 || st.st_size <= 0 || st.st_size > (64 << 20)) {
		fclose(f);
		return st.st_size > 0 ? -E2BIG : -EBADMSG;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		fclose(f);
		return -ENOMEM;
	}
	ci = &j->ci;
	ci->err = jpeg_std_error(&j->err.mgr);
	j->err.mgr.error_exit = jpeg_fail_exit;
	j->err.mgr.emit_message = jpeg_fail_warn;
	jpeg_create_decompress(ci);
	if (setjmp(j->err.jump))
		goto out;
	jpeg_stdio_src(ci, f);
	jpeg_read_header(ci, TRUE);
	/* The smallest DCT scaling (k/8) that still covers the fitted size: a 12 MP photo is
	 * never decoded whole to be shown at a fraction of that. Then the rest of the way by
	 * area averaging, a row at a time: no picture but the result is ever whole in memory,
	 * and the file is read in small pieces. */
	fit_size((int)ci->image_width, (int)ci->image_height, max_w, max_h, &fit_w, &fit_h);
	ci->scale_denom = 8;
	for (ci->scale_num = 1; ci->scale_num < 8; ci->scale_num++) {
		jpeg_calc_output_dimensions(ci);
		if ((int)ci->output_width >= fit_w && (int)ci->output_height >= fit_h)
			break;
	}
	ci->out_color_space = JCS_EXT_BGRX; /* the bytes of little-endian XRGB8888, X = 0xff */
	jpeg_start_decompress(ci);
	r = canvas_new(fit_w, fit_h, &j->c);
	if (r < 0) {
		r = r == -EINVAL ? -E2BIG : r;
		goto out;
	}
	if ((int)ci->output_width != fit_w || (int)ci->output_height != fit_h) {
		j->s = (struct shrink){ .sw = (int)ci->output_width,
					.sh = (int)ci->output_height,
					.dw = fit_w,
					.dh = fit_h };
		j->line = malloc((size_t)ci->output_width * 4);
		j->s.row = calloc((size_t)fit_w * 3, sizeof(float));
		j->s.acc = calloc((size_t)fit_w * 3, sizeof(float));
		r = -ENOMEM;
		if (!j->line || !j->s.row || !j->s.acc)
			goto out;
	}
	r = -EBADMSG;
	jpeg_rows(ci, j->c, j->line, j->line ? &j->s : NULL);
	jpeg_finish_decompress(ci);
	*ret = j->c;
	j->c = NULL;
	r = 0;
out:
	jpeg_destroy_decompress(ci);
	canvas_free(j->c);
	free(j->line);
	free(j->s.row);
	free(j->s.acc);
	free(j);
	fclose(f);
	return r;
}

double canvas_diff(const struct canvas *a, const struct canvas *b, int tolerance)
{
	size_t n, bad = 0;

	if (a->w != b->w || a->h != b->h)
		return 1.0;
	n = (size_t)a->w * (size_t)a->h;
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 24; k += 8)
			if (abs((int)(a->px[i] >> k & 0xff) - (int)(b->px[i] >> k & 0xff)) >
			    tolerance) {
				bad++;
				break;
			}
	return (double)bad / (double)n;
}
