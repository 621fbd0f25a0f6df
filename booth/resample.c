/* SPDX-License-Identifier: MIT */
/* The resampler: per-axis filter weights, a horizontal pass per source row into a small ring of
 * rows, and a vertical pass per output row. */
#include "resample.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LANCZOS_A 3.0

/* The taps of one output pixel along one axis: source indices start..start+n-1. */
struct axis {
	int *start, *n;
	float *w; /* maxtaps weights per output pixel */
	int maxtaps;
};

static double sinc(double x)
{
	x *= M_PI;
	return x == 0 ? 1 : sin(x) / x;
}

static double lanczos(double x)
{
	if (x <= -LANCZOS_A || x >= LANCZOS_A)
		return 0;
	return sinc(x) * sinc(x / LANCZOS_A);
}

static void axis_free(struct axis *a)
{
	free(a->start);
	free(a->n);
	free(a->w);
}

/* Weights mapping [S0, S0 + SLEN) of a source axis of LEN pixels onto DLEN pixels. Taps that fall
 * outside the source are dropped and the rest renormalised, so start[] never decreases. */
static int axis_init(struct axis *a, double s0, double slen, int len, int dlen)
{
	double scale = slen / dlen, f = scale > 1 ? scale : 1, radius = LANCZOS_A * f;

	a->maxtaps = (int)ceil(2 * radius) + 2;
	a->start = calloc((size_t)dlen, sizeof(int));
	a->n = calloc((size_t)dlen, sizeof(int));
	a->w = calloc((size_t)dlen * (size_t)a->maxtaps, sizeof(float));
	if (!a->start || !a->n || !a->w) {
		axis_free(a);
		*a = (struct axis){ 0 };
		return -ENOMEM;
	}
	for (int i = 0; i < dlen; i++) {
		double center = s0 + (i + 0.5) * scale, sum = 0;
		int lo = (int)floor(center - radius), hi = (int)ceil(center + radius);
		float *w = a->w + (size_t)i * (size_t)a->maxtaps;
		int n = 0;

		if (lo < 0)
			lo = 0;
		if (hi > len - 1)
			hi = len - 1;
		if (hi - lo + 1 > a->maxtaps)
			hi = lo + a->maxtaps - 1;
		for (int j = lo; j <= hi; j++) {
			double v = lanczos((j + 0.5 - center) / f);

			w[n++] = (float)v;
			sum += v;
		}
		/* Trim zero taps at both ends: less work in the inner loops. */
		while (n > 1 && w[n - 1] == 0)
			n--;
		if (sum == 0) {
			/* Only possible far outside the kernel: take the nearest pixel. */
			int c = (int)floor(center);

			lo = c < 0 ? 0 : c >= len ? len - 1 : c;
			w[0] = 1;
			n = 1;
			sum = 1;
		}
		for (int k = 0; k < n; k++)
			w[k] = (float)(w[k] / sum);
		a->start[i] = lo;
		a->n[i] = n;
	}
	return 0;
}

/* One source row through the horizontal filter into OUT (dw * ch floats). LINE is scratch for
 * the row's pixels as floats. */
static void filter_row(const struct resample_src *src, const struct axis *ax, int y, int x0, int x1,
		       float *line, int dw, float *out)
{
	const uint8_t *p = src->base + (ptrdiff_t)y * src->ystep + (ptrdiff_t)x0 * src->xstep;
	int ch = src->channels;
	float *l = line;

	for (int x = x0; x <= x1; x++, p += src->xstep)
		for (int c = 0; c < ch; c++)
			*l++ = p[c];
	for (int i = 0; i < dw; i++) {
		const float *w = ax->w + (size_t)i * (size_t)ax->maxtaps;
		const float *s = line + (size_t)(ax->start[i] - x0) * (size_t)ch;
		float *o = out + (size_t)i * (size_t)ch;
		int n = ax->n[i];

		if (ch == 3) {
			float a0 = 0, a1 = 0, a2 = 0;

			for (int k = 0; k < n; k++, s += 3) {
				a0 += w[k] * s[0];
				a1 += w[k] * s[1];
				a2 += w[k] * s[2];
			}
			o[0] = a0;
			o[1] = a1;
			o[2] = a2;
		} else {
			for (int c = 0; c < ch; c++) {
				float a = 0;

				for (int k = 0; k < n; k++)
					a += w[k] * s[(size_t)k * (size_t)ch + (size_t)c];
				o[c] = a;
			}
		}
	}
}

int resample(const struct resample_src *src, double sx, double sy, double sw, double sh, int dw,
	     int dh, resample_row_fn emit, void *ctx)
{
	struct axis ax = { 0 }, ay = { 0 };
	float *ring = NULL, *line = NULL, *out = NULL;
	size_t rowlen;
	int x0, x1, next = 0, r;

	if (dw < 1 || dh < 1 || sw <= 0 || sh <= 0 || sx < 0 || sy < 0 || sx + sw > src->w + 1e-6 ||
	    sy + sh > src->h + 1e-6 || src->channels < 1 || src->channels > 4)
		return -EINVAL;
	rowlen = (size_t)dw * (size_t)src->channels;
	r = axis_init(&ax, sx, sw, src->w, dw);
	if (r < 0)
		return r;
	r = axis_init(&ay, sy, sh, src->h, dh);
	if (r < 0)
		goto out;
	x0 = ax.start[0];
	x1 = ax.start[dw - 1] + ax.n[dw - 1] - 1;
	for (int i = 0; i < dw; i++)
		if (ax.start[i] + ax.n[i] - 1 > x1)
			x1 = ax.start[i] + ax.n[i] - 1;
	r = -ENOMEM;
	if (ay.maxtaps < 1 || x1 < x0)
		goto out;
	ring = malloc(rowlen * (size_t)ay.maxtaps * sizeof(float));
	line = malloc((size_t)(x1 - x0 + 1) * (size_t)src->channels * sizeof(float));
	out = malloc(rowlen * sizeof(float));
	if (!ring || !line || !out)
		goto out;

	for (int y = 0; y < dh; y++) {
		const float *w = ay.w + (size_t)y * (size_t)ay.maxtaps;
		int start = ay.start[y], n = ay.n[y];

		/* Rows before START are no longer needed; filter the ones not yet done. */
		if (next < start)
			next = start;
		for (; next < start + n; next++)
			filter_row(src, &ax, next, x0, x1, line, dw,
				   ring + (size_t)(next % ay.maxtaps) * rowlen);
		memset(out, 0, rowlen * sizeof(float));
		for (int k = 0; k < n; k++) {
			const float *in = ring + (size_t)((start + k) % ay.maxtaps) * rowlen;
			float wk = w[k];

			for (size_t i = 0; i < rowlen; i++)
				out[i] += wk * in[i];
		}
		emit(ctx, y, out);
	}
	r = 0;
out:
	free(ring);
	free(line);
	free(out);
	axis_free(&ax);
	axis_free(&ay);
	return r;
}
