/* SPDX-License-Identifier: MIT */
/* The display interface: backend selection, rotation into the scanout picture, screenshots, and
 * the headless backend. */
#include "display.h"
#include "kms.h"
#include "sdl.h"

#include <errno.h>
#include <pixman.h>
#include <stdlib.h>
#include <string.h>

/* Headless: the scanout picture in memory is the screen. */
static int headless_open(struct display *d, struct loop *l)
{
	(void)d;
	(void)l;
	return 0;
}

static void headless_close(struct display *d)
{
	(void)d;
}

static int headless_present(struct display *d)
{
	(void)d;
	return 0;
}

static const struct display_backend headless_backend = {
	.name = "headless",
	.open = headless_open,
	.close = headless_close,
	.present = headless_present,
};

static const struct display_backend *const backends[] = {
	&headless_backend,
	&kms_backend,
	&sdl_backend,
	NULL,
};

int display_new(const char *name, struct loop *l, int phys_w, int phys_h, int rotation,
		struct display **ret)
{
	const struct display_backend *b = NULL;
	struct display *d;
	int r;

	if (phys_w < 1 || phys_h < 1 || phys_w > CANVAS_MAX_SIDE || phys_h > CANVAS_MAX_SIDE ||
	    (rotation != 0 && rotation != 90 && rotation != 180 && rotation != 270))
		return -EINVAL;
	for (size_t i = 0; backends[i]; i++)
		if (strcmp(backends[i]->name, name) == 0)
			b = backends[i];
	if (!b)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->backend = b;
	d->phys_w = phys_w;
	d->phys_h = phys_h;
	d->rotation = rotation;
	/* The backend may change the panel's size to the mode it found. */
	r = b->open(d, l);
	if (r < 0) {
		free(d);
		return r;
	}
	d->width = rotation % 180 ? d->phys_h : d->phys_w;
	d->height = rotation % 180 ? d->phys_w : d->phys_h;
	d->scanout = calloc((size_t)d->phys_w * (size_t)d->phys_h, 4);
	if (!d->scanout) {
		b->close(d);
		free(d);
		return -ENOMEM;
	}
	*ret = d;
	return 0;
}

struct display *display_free(struct display *d)
{
	if (d) {
		d->backend->close(d);
		free(d->scanout);
		free(d);
	}
	return NULL;
}

int display_preview(struct display *d, const struct display_frame *f, bool mirror)
{
	if (!d->backend->preview)
		return f ? -ENODEV : 0;
	return d->backend->preview(d, f, mirror);
}

uint32_t display_preview_busy(struct display *d)
{
	return d->backend->preview_busy ? d->backend->preview_busy(d) : 0;
}

void display_set_input(struct display *d, const struct display_input *in, void *userdata)
{
	d->input = in;
	d->input_data = userdata;
}

void display_dispatch(struct display *d)
{
	if (d->backend->dispatch)
		d->backend->dispatch(d);
}

void display_to_canvas(const struct display *d, int px, int py, int *x, int *y)
{
	switch (d->rotation) {
	case 90:
		*x = py;
		*y = d->phys_w - 1 - px;
		break;
	case 180:
		*x = d->phys_w - 1 - px;
		*y = d->phys_h - 1 - py;
		break;
	case 270:
		*x = d->phys_h - 1 - py;
		*y = px;
		break;
	default:
		*x = px;
		*y = py;
		break;
	}
}

int display_canvas_new(const struct display *d, struct canvas **ret)
{
	if (d->rotation == 0)
		return canvas_wrap(d->width, d->height, d->scanout, ret);
	return canvas_new(d->width, d->height, ret);
}

/* Turn canvas C into the scanout picture: pixman's nearest-neighbour rotation. */
static int rotate(struct display *d, const struct canvas *c)
{
	/* A canvas drawn for a plane over the preview keeps its alpha. */
	pixman_format_code_t fmt = c->alpha ? PIXMAN_a8r8g8b8 : PIXMAN_x8r8g8b8;
	pixman_image_t *src = pixman_image_create_bits(fmt, c->w, c->h, c->px, c->w * 4);
	pixman_image_t *dst =
		pixman_image_create_bits(fmt, d->phys_w, d->phys_h, d->scanout, d->phys_w * 4);
	pixman_fixed_t one = pixman_fixed_1, w = pixman_int_to_fixed(d->phys_w),
		       h = pixman_int_to_fixed(d->phys_h);
	/* Panel pixel centre (px, py) samples the canvas point display_to_canvas() gives: for 90°
	 * x = py, y = phys_w - px (in pixel centres). */
	pixman_transform_t t = { { { 0, one, 0 }, { -one, 0, w }, { 0, 0, one } } };
	int r = -ENOMEM;

	if (d->rotation == 180)
		t = (pixman_transform_t){ { { -one, 0, w }, { 0, -one, h }, { 0, 0, one } } };
	else if (d->rotation == 270)
		t = (pixman_transform_t){ { { 0, -one, h }, { one, 0, 0 }, { 0, 0, one } } };
	if (src && dst) {
		pixman_image_set_transform(src, &t);
		pixman_image_set_filter(src, PIXMAN_FILTER_NEAREST, NULL, 0);
		pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, 0, 0, 0, 0, 0, 0, d->phys_w,
					 d->phys_h);
		r = 0;
	}
	if (src)
		pixman_image_unref(src);
	if (dst)
		pixman_image_unref(dst);
	return r;
}

int display_present(struct display *d, const struct canvas *c)
{
	int r = 0;

	if (c->w != d->width || c->h != d->height)
		return -EINVAL;
	/* A canvas from display_canvas_new() at rotation 0 is the scanout picture itself. */
	if (c->px != d->scanout && d->rotation == 0)
		memcpy(d->scanout, c->px, (size_t)c->w * (size_t)c->h * 4);
	else if (c->px != d->scanout)
		r = rotate(d, c);
	if (r < 0)
		return r;
	r = d->backend->present(d);
	if (r >= 0)
		d->frames++;
	return r;
}

int display_screenshot(const struct display *d, const char *path)
{
	struct canvas *c = NULL;
	int r;

	if (d->frames == 0)
		return -ENODATA;
	r = canvas_wrap(d->phys_w, d->phys_h, d->scanout, &c);
	if (r < 0)
		return r;
	r = canvas_write_png(c, path);
	canvas_free(c);
	return r;
}
