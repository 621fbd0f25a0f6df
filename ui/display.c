/* SPDX-License-Identifier: MIT */
/* The display interface: backend selection, rotation into the scanout picture, screenshots, and
 * the headless backend. */
#include "display.h"
#include "kms.h"
#include "sdl.h"

#include <errno.h>
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

/* The panel point showing canvas point (X, Y). */
static void canvas_to_panel(const struct display *d, int x, int y, int *px, int *py)
{
	switch (d->rotation) {
	case 90:
		*px = d->phys_w - 1 - y;
		*py = x;
		break;
	case 180:
		*px = d->phys_w - 1 - x;
		*py = d->phys_h - 1 - y;
		break;
	case 270:
		*px = y;
		*py = d->phys_h - 1 - x;
		break;
	default:
		*px = x;
		*py = y;
		break;
	}
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

int display_present(struct display *d, const struct canvas *c)
{
	int r;

	if (c->w != d->width || c->h != d->height)
		return -EINVAL;
	for (int y = 0; y < c->h; y++) {
		const uint8_t *s = c->rgb + (size_t)y * (size_t)c->w * 3;

		for (int x = 0; x < c->w; x++, s += 3) {
			int px, py;

			canvas_to_panel(d, x, y, &px, &py);
			d->scanout[(size_t)py * (size_t)d->phys_w + (size_t)px] =
				0xff000000u | (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
		}
	}
	r = d->backend->present(d);
	if (r >= 0)
		d->frames++;
	return r;
}

int display_screenshot(const struct display *d, const char *path)
{
	struct canvas *c;
	int r;

	if (d->frames == 0)
		return -ENODATA;
	r = canvas_new(d->phys_w, d->phys_h, &c);
	if (r < 0)
		return r;
	for (size_t i = 0; i < (size_t)d->phys_w * (size_t)d->phys_h; i++) {
		c->rgb[i * 3] = (uint8_t)(d->scanout[i] >> 16);
		c->rgb[i * 3 + 1] = (uint8_t)(d->scanout[i] >> 8);
		c->rgb[i * 3 + 2] = (uint8_t)d->scanout[i];
	}
	r = canvas_write_png(c, path);
	canvas_free(c);
	return r;
}
