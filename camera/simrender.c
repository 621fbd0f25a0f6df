/* SPDX-License-Identifier: MIT */
/* The simulated camera's picture: gradient, a moving textured card, moving disks, per-pixel
 * noise, and a seven-segment frame counter. Integer work per pixel; a few sin() per frame. */
#include "simrender.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define SEG_ON	0xf0f0f0u
#define SEG_BOX 0x000000u

/* Segments a..g (bits 0..6) of each digit. */
static const uint8_t digit_segments[10] = { 0x3f, 0x06, 0x5b, 0x4f, 0x66,
					    0x6d, 0x7d, 0x07, 0x7f, 0x6f };

struct counter_geom {
	int x, y;   /* top left of the box */
	int bw, bh; /* box size */
	int dh, dw; /* digit size */
	int th;	    /* segment thickness */
	int gap;    /* between digits and around them */
};

static void counter_geom(int w, int h, struct counter_geom *g)
{
	int dh = h / 10;

	if (dh > w / 6)
		dh = w / 6;
	if (dh < 12)
		dh = 12;
	g->dh = dh;
	g->dw = dh / 2;
	g->th = dh / 8 < 2 ? 2 : dh / 8;
	g->gap = g->dw / 3 < 2 ? 2 : g->dw / 3;
	g->x = g->y = dh / 4;
	g->bw = SIMRENDER_DIGITS * (g->dw + g->gap) + g->gap;
	g->bh = dh + 2 * g->gap;
}

void simrender_counter_box(int w, int h, int *x, int *y, int *bw, int *bh)
{
	struct counter_geom g;

	counter_geom(w, h, &g);
	*x = g.x;
	*y = g.y;
	*bw = g.bw;
	*bh = g.bh;
}

static inline uint32_t *row_ptr(void *px, size_t stride, int y)
{
	return (uint32_t *)((uint8_t *)px + (size_t)y * stride);
}

static void fill_rect(void *px, int w, int h, size_t stride, int x0, int y0, int rw, int rh,
		      uint32_t color)
{
	int x1 = x0 + rw, y1 = y0 + rh;

	if (x0 < 0)
		x0 = 0;
	if (y0 < 0)
		y0 = 0;
	if (x1 > w)
		x1 = w;
	if (y1 > h)
		y1 = h;
	for (int y = y0; y < y1; y++) {
		uint32_t *p = row_ptr(px, stride, y);

		for (int x = x0; x < x1; x++)
			p[x] = color;
	}
}

/* Segment rectangles and sample points of a digit of G's size, relative to its top left. */
static void segment_rect(const struct counter_geom *g, int seg, int r[4], int sample[2])
{
	int w = g->dw, h = g->dh, t = g->th;

	switch (seg) {
	case 0: /* a */
		r[0] = 0, r[1] = 0, r[2] = w, r[3] = t;
		sample[0] = w / 2, sample[1] = t / 2;
		break;
	case 1: /* b */
		r[0] = w - t, r[1] = 0, r[2] = t, r[3] = h / 2;
		sample[0] = w - 1 - t / 2, sample[1] = h / 4;
		break;
	case 2: /* c */
		r[0] = w - t, r[1] = h / 2, r[2] = t, r[3] = h - h / 2;
		sample[0] = w - 1 - t / 2, sample[1] = 3 * h / 4;
		break;
	case 3: /* d */
		r[0] = 0, r[1] = h - t, r[2] = w, r[3] = t;
		sample[0] = w / 2, sample[1] = h - 1 - t / 2;
		break;
	case 4: /* e */
		r[0] = 0, r[1] = h / 2, r[2] = t, r[3] = h - h / 2;
		sample[0] = t / 2, sample[1] = 3 * h / 4;
		break;
	case 5: /* f */
		r[0] = 0, r[1] = 0, r[2] = t, r[3] = h / 2;
		sample[0] = t / 2, sample[1] = h / 4;
		break;
	default: /* g */
		r[0] = 0, r[1] = h / 2 - t / 2, r[2] = w, r[3] = t;
		sample[0] = w / 2, sample[1] = h / 2;
		break;
	}
}

static void draw_counter(void *px, int w, int h, size_t stride, uint32_t counter)
{
	struct counter_geom g;
	uint32_t v = counter;
	int r[4], s[2];

	counter_geom(w, h, &g);
	fill_rect(px, w, h, stride, g.x, g.y, g.bw, g.bh, SEG_BOX);
	for (int i = SIMRENDER_DIGITS - 1; i >= 0; i--) {
		int dx = g.x + g.gap + i * (g.dw + g.gap), dy = g.y + g.gap;
		uint8_t segs = digit_segments[v % 10];

		v /= 10;
		for (int seg = 0; seg < 7; seg++) {
			if (!(segs & (1u << seg)))
				continue;
			segment_rect(&g, seg, r, s);
			fill_rect(px, w, h, stride, dx + r[0], dy + r[1], r[2], r[3], SEG_ON);
		}
	}
}

long simrender_read_counter(const void *px, int w, int h, size_t stride)
{
	struct counter_geom g;
	long value = 0;
	int r[4], s[2];

	counter_geom(w, h, &g);
	if (g.x + g.bw > w || g.y + g.bh > h)
		return -EINVAL;
	for (int i = 0; i < SIMRENDER_DIGITS; i++) {
		int dx = g.x + g.gap + i * (g.dw + g.gap), dy = g.y + g.gap, digit = -1;
		uint8_t segs = 0;

		for (int seg = 0; seg < 7; seg++) {
			const uint32_t *row;

			segment_rect(&g, seg, r, s);
			row = (const uint32_t *)((const uint8_t *)px +
						 (size_t)(dy + s[1]) * stride);
			if (((row[dx + s[0]] >> 8) & 0xff) > 128)
				segs |= (uint8_t)(1u << seg);
		}
		for (int d = 0; d < 10; d++)
			if (digit_segments[d] == segs)
				digit = d;
		if (digit < 0)
			return -EINVAL;
		value = value * 10 + digit;
	}
	return value;
}

static inline uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

struct disk {
	int cx, cy, r;
	uint32_t color;
};

void simrender_draw(void *px, int w, int h, size_t stride, uint64_t t_ns, uint32_t counter,
		    uint32_t *rng)
{
	double t = (double)t_ns / 1e9;
	/* The textured card: slides left and right, its pattern scrolls. */
	int card_w = h * 2 / 5, card_h = h * 3 / 10;
	int card_x = (int)((0.5 + 0.38 * sin(t * 0.9)) * (w - card_w));
	int card_y = h / 2 + (int)(0.1 * h * sin(t * 0.5));
	int shift = 1, scroll = (int)(t * h / 6.0);
	struct disk disks[3] = {
		{ (int)(w * (0.5 + 0.35 * cos(t * 1.3))), (int)(h * (0.5 + 0.3 * sin(t * 1.7))),
		  h / 9, 0xd04030u },
		{ (int)(w * (0.5 + 0.4 * sin(t * 0.8))), (int)(h * (0.45 + 0.35 * cos(t * 1.1))),
		  h / 12, 0x30b050u },
		{ (int)(w * (0.3 + 0.2 * cos(t * 2.1))), (int)(h * (0.7 + 0.2 * sin(t * 1.4))),
		  h / 7, 0x3050d0u },
	};
	/* Background colour drifts with time. */
	uint32_t blue = 96 + (uint32_t)(64.0 * (1.0 + sin(t * 0.3)));
	uint32_t rx_step = (200u << 16) / (uint32_t)w, gy_step = (160u << 16) / (uint32_t)h;
	uint32_t seed = *rng ? *rng : 0x9e3779b9u;

	while ((h >> (shift + 6)) > 0)
		shift++;
	for (int y = 0; y < h; y++) {
		uint32_t *p = row_ptr(px, stride, y);
		uint32_t g = 40 + ((gy_step * (uint32_t)y) >> 16), rfp = 30u << 16;

		for (int x = 0; x < w; x++) {
			p[x] = ((rfp >> 16) << 16) | (g << 8) | blue;
			rfp += rx_step;
		}
		if (y >= card_y && y < card_y + card_h) {
			int ys = y - card_y;

			for (int x = card_x < 0 ? 0 : card_x; x < card_x + card_w && x < w; x++) {
				int xs = x - card_x + scroll;
				uint32_t check =
					((unsigned)(xs >> shift) ^ (unsigned)(ys >> shift)) & 1;
				uint32_t stripe = ((unsigned)(xs + ys) >> (shift - 1)) & 1;
				uint32_t v = check ? 200 : 60;

				v += stripe ? 30 : 0;
				p[x] = (v << 16) | (v << 8) | (v - v / 4);
			}
		}
		for (size_t i = 0; i < 3; i++) {
			const struct disk *d = &disks[i];
			int dy = y - d->cy, x0, x1;

			if (dy < -d->r || dy > d->r)
				continue;
			x1 = (int)sqrt((double)d->r * d->r - (double)dy * dy);
			x0 = d->cx - x1 < 0 ? 0 : d->cx - x1;
			x1 = d->cx + x1 >= w ? w - 1 : d->cx + x1;
			for (int x = x0; x <= x1; x++)
				p[x] = d->color;
		}
		/* Sensor noise: flip the low bits of each channel. */
		for (int x = 0; x < w; x++)
			p[x] ^= xorshift32(&seed) & 0x070707u;
	}
	*rng = seed;
	draw_counter(px, w, h, stride, counter);
}
