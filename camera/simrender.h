/* SPDX-License-Identifier: MIT */
/* The simulated camera's picture: a moving, textured, noisy scene with a large frame counter,
 * drawn into XRGB8888 memory. No I/O: runs and is tested anywhere. */
#ifndef BOOTH_SIMRENDER_H
#define BOOTH_SIMRENDER_H

#include <stddef.h>
#include <stdint.h>

/* Digits of the counter (it shows COUNTER modulo 10^SIMRENDER_DIGITS). */
#define SIMRENDER_DIGITS 8

/* Draw the scene at time T_NS (nanoseconds; the motion depends only on it, so a preview frame
 * and a still taken at the same time look alike at any size) into PX: W x H pixels of XRGB8888
 * (bytes B G R X), STRIDE bytes per line (>= 4 * W). COUNTER is drawn in large seven-segment
 * digits at the top left; *RNG (any non-zero seed; updated) drives the per-pixel noise.
 * W >= 64 and H >= 48. */
void simrender_draw(void *px, int w, int h, size_t stride, uint64_t t_ns, uint32_t counter,
		    uint32_t *rng);

/* Read the counter back from a picture drawn by simrender_draw(). Returns it (>= 0), or
 * -EINVAL if a digit cannot be read. */
long simrender_read_counter(const void *px, int w, int h, size_t stride);

/* The rectangle the counter occupies (for tests that look elsewhere). */
void simrender_counter_box(int w, int h, int *x, int *y, int *bw, int *bh);

#endif
