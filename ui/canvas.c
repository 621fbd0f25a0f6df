/* SPDX-License-Identifier: MIT */
/* The UI's RGB drawing surface: rectangles, shading, text, pixman scaling and PNG files. */
#include "canvas.h"
#include "text.h"
#include "util.h"

#include <errno.h>
#include <pixman.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <turbojpeg.h>

int canvas_new(int w, int h, struct canvas **ret)
{
	struct canvas *c;

	if (w < 1 || h < 1 || w > CANVAS_MAX_SIDE || h > CANVAS_MAX_SIDE)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->rgb = calloc((size_t)w * (size_t)h, 3);
	if (!c->rgb) {
		free(c);
		return -ENOMEM;
	}
	c->w = w;
	c->h = h;
	*ret = c;
	return 0;
}

struct canvas *canvas_free(struct canvas *c)
{
	if (c) {
		free(c->rgb);
		free(c);
	}
	return NULL;
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

void canvas_fill(struct canvas *c, const struct layout_px *box, const uint8_t color[3])
{
	struct layout_px b;

	if (!clip(c, box, &b))
		return;
	for (int y = b.y0; y < b.y1; y++) {
		uint8_t *p = c->rgb + ((size_t)y * (size_t)c->w + (size_t)b.x0) * 3;

		for (int x = b.x0; x < b.x1; x++, p += 3) {
			p[0] = color[0];
			p[1] = color[1];
			p[2] = color[2];
		}
	}
}

void canvas_shade(struct canvas *c, const struct layout_px *box, int alpha, bool white)
{
	struct layout_px b;
	int target = white ? 255 : 0;

	if (!clip(c, box, &b))
		return;
	for (int y = b.y0; y < b.y1; y++) {
		uint8_t *p = c->rgb + ((size_t)y * (size_t)c->w + (size_t)b.x0) * 3;

		for (int x = b.x0; x < b.x1; x++)
			for (int k = 0; k < 3; k++, p++)
				*p = (uint8_t)((*p * (255 - alpha) + target * alpha + 127) / 255);
	}
}

int canvas_text(struct canvas *c, const struct layout_px *box, const char *text,
		const uint8_t color[3], enum layout_align align)
{
	struct layout_text t = { .kind = LAYOUT_TEXT_TITLE, .align = align };
	char err[256];

	memcpy(t.color, color, 3);
	strscpy(t.font, "sans-serif", sizeof(t.font));
	return text_draw(c->rgb, c->w, c->h, box, &t, text, err, sizeof(err));
}

/* Copy the x8r8g8b8 pixman image IMG (BOX's size) into BOX of C. */
static void put_xrgb(struct canvas *c, const struct layout_px *box, pixman_image_t *img)
{
	const uint8_t *src = (const uint8_t *)pixman_image_get_data(img);
	int stride = pixman_image_get_stride(img);

	for (int y = box->y0; y < box->y1; y++) {
		const uint8_t *s;
		uint8_t *d;
		int x0 = box->x0;

		if (y < 0 || y >= c->h)
			continue;
		s = src + (size_t)(y - box->y0) * (size_t)stride;
		d = c->rgb + (size_t)y * (size_t)c->w * 3;
		for (int x = x0; x < box->x1; x++, s += 4) {
			uint8_t *p = d + (size_t)x * 3;

			if (x < 0 || x >= c->w)
				continue;
			p[0] = s[2];
			p[1] = s[1];
			p[2] = s[0];
		}
	}
}

/* Scale SRC (pixman) by S into a BOX-sized x8r8g8b8 image, offset by (OX, OY) in destination
 * pixels, mirrored if MIRROR; the area SRC does not cover is black. */
static int scale_into(struct canvas *c, const struct layout_px *box, pixman_image_t *src, int sw,
		      double s, double ox, double oy, bool mirror)
{
	int bw = box->x1 - box->x0, bh = box->y1 - box->y0;
	pixman_image_t *dst;
	pixman_transform_t t;

	dst = pixman_image_create_bits(PIXMAN_x8r8g8b8, bw, bh, NULL, 0);
	if (!dst)
		return -ENOMEM;
	/* Destination pixel (x, y) samples source ((x + ox) / s, (y + oy) / s), or mirrored
	 * (sw - (x + ox) / s, ...). */
	pixman_transform_init_identity(&t);
	if (mirror) {
		t.matrix[0][0] = pixman_double_to_fixed(-1.0 / s);
		t.matrix[0][2] = pixman_double_to_fixed(sw - ox / s);
	} else {
		t.matrix[0][0] = pixman_double_to_fixed(1.0 / s);
		t.matrix[0][2] = pixman_double_to_fixed(ox / s);
	}
	t.matrix[1][1] = pixman_double_to_fixed(1.0 / s);
	t.matrix[1][2] = pixman_double_to_fixed(oy / s);
	pixman_image_set_transform(src, &t);
	pixman_image_set_filter(src, PIXMAN_FILTER_BILINEAR, NULL, 0);
	pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, 0, 0, 0, 0, 0, 0, bw, bh);
	put_xrgb(c, box, dst);
	pixman_image_unref(dst);
	return 0;
}

int canvas_blit_xrgb(struct canvas *c, const struct layout_px *box, const struct canvas_xrgb *src,
		     bool mirror)
{
	int bw = box->x1 - box->x0, bh = box->y1 - box->y0, r;
	pixman_image_t *img;
	uint32_t *bits;
	double s;

	if (src->w < 1 || src->h < 1 || bw < 1 || bh < 1 || src->stride < src->w * 4)
		return -EINVAL;
	/* pixman does not write through a source image; the copy only drops const. */
	memcpy(&bits, &src->data, sizeof(bits));
	img = pixman_image_create_bits(PIXMAN_x8r8g8b8, src->w, src->h, bits, src->stride);
	if (!img)
		return -ENOMEM;
	s = (double)bw / src->w > (double)bh / src->h ? (double)bw / src->w : (double)bh / src->h;
	r = scale_into(c, box, img, src->w, s, (src->w * s - bw) / 2, (src->h * s - bh) / 2,
		       mirror);
	pixman_image_unref(img);
	return r;
}

int canvas_blit_rgb_fit(struct canvas *c, const struct layout_px *box, const uint8_t *src, int sw,
			int sh)
{
	int bw = box->x1 - box->x0, bh = box->y1 - box->y0, r;
	pixman_image_t *img;
	uint32_t *tmp;
	double s;

	if (sw < 1 || sh < 1 || bw < 1 || bh < 1 || sw > CANVAS_MAX_SIDE * 2 ||
	    sh > CANVAS_MAX_SIDE * 2)
		return -EINVAL;
	tmp = malloc((size_t)sw * (size_t)sh * 4);
	if (!tmp)
		return -ENOMEM;
	for (size_t i = 0; i < (size_t)sw * (size_t)sh; i++)
		tmp[i] = 0xff000000u | (uint32_t)src[i * 3] << 16 | (uint32_t)src[i * 3 + 1] << 8 |
			 src[i * 3 + 2];
	img = pixman_image_create_bits(PIXMAN_x8r8g8b8, sw, sh, tmp, sw * 4);
	if (!img) {
		free(tmp);
		return -ENOMEM;
	}
	s = (double)bw / sw < (double)bh / sh ? (double)bw / sw : (double)bh / sh;
	{
		struct layout_px fit = { box->x0 + (int)((bw - sw * s) / 2),
					 box->y0 + (int)((bh - sh * s) / 2), 0, 0 };

		fit.x1 = fit.x0 + (int)(sw * s);
		fit.y1 = fit.y0 + (int)(sh * s);
		r = scale_into(c, &fit, img, sw, s, 0, 0, false);
	}
	pixman_image_unref(img);
	free(tmp);
	return r;
}

int canvas_write_png(const struct canvas *c, const char *path)
{
	png_image png = { .version = PNG_IMAGE_VERSION };
	png_alloc_size_t n = 0;
	void *buf;
	int r;

	png.width = (png_uint_32)c->w;
	png.height = (png_uint_32)c->h;
	png.format = PNG_FORMAT_RGB;
	if (!png_image_write_to_memory(&png, NULL, &n, 0, c->rgb, 0, NULL))
		return -EIO;
	buf = malloc(n);
	if (!buf)
		return -ENOMEM;
	if (!png_image_write_to_memory(&png, buf, &n, 0, c->rgb, 0, NULL)) {
		free(buf);
		return -EIO;
	}
	r = write_file_atomic(path, buf, n, 0644);
	free(buf);
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
	png.format = PNG_FORMAT_RGB;
	r = canvas_new((int)png.width, (int)png.height, &c);
	if (r < 0)
		goto out;
	if (!png_image_finish_read(&png, NULL, c->rgb, 0, NULL)) {
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

int canvas_read_jpeg(const char *path, int max_w, int max_h, struct canvas **ret)
{
	struct canvas *c = NULL;
	unsigned char *data = NULL;
	tjhandle tj = NULL;
	tjscalingfactor *sf, best = { 1, 1 };
	int w, h, sub, cs, nsf, r;
	struct stat st;
	FILE *f;

	f = fopen(path, "rbe");
	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) < 0 || st.st_size <= 0 || st.st_size > (64 << 20)) {
		r = st.st_size > 0 ? -E2BIG : -EBADMSG;
		goto out;
	}
	data = malloc((size_t)st.st_size);
	if (!data) {
		r = -ENOMEM;
		goto out;
	}
	if (fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		r = -EIO;
		goto out;
	}
	tj = tjInitDecompress();
	if (!tj) {
		r = -ENOMEM;
		goto out;
	}
	if (tjDecompressHeader3(tj, data, (unsigned long)st.st_size, &w, &h, &sub, &cs) < 0) {
		r = -EBADMSG;
		goto out;
	}
	/* The smallest factor that still covers the box (factors come largest first). */
	sf = tjGetScalingFactors(&nsf);
	for (int i = 0; sf && i < nsf; i++)
		if (sf[i].num <= sf[i].denom && TJSCALED(w, sf[i]) >= max_w &&
		    TJSCALED(h, sf[i]) >= max_h &&
		    (double)sf[i].num / sf[i].denom < (double)best.num / best.denom)
			best = sf[i];
	r = canvas_new(TJSCALED(w, best), TJSCALED(h, best), &c);
	if (r < 0) {
		r = r == -EINVAL ? -E2BIG : r;
		goto out;
	}
	if (tjDecompress2(tj, data, (unsigned long)st.st_size, c->rgb, c->w, 0, c->h, TJPF_RGB, 0) <
	    0) {
		c = canvas_free(c);
		r = -EBADMSG;
		goto out;
	}
	*ret = c;
	r = 0;
out:
	if (tj)
		tjDestroy(tj);
	free(data);
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
		for (int k = 0; k < 3; k++)
			if (abs(a->rgb[i * 3 + k] - b->rgb[i * 3 + k]) > tolerance) {
				bad++;
				break;
			}
	return (double)bad / (double)n;
}
