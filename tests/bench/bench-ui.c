/* SPDX-License-Identifier: MIT */
/* Benchmark of booth-ui's busiest frame: a camera preview frame scaled to the screen, mirrored,
 * with the countdown drawn over it, presented on the headless display. The frame comes from a
 * memfd mapped for the frame and unmapped after it, as booth-ui's preview client does. Prints
 * the median and worst of N frames per screen size, the mapping's own cost, and this process's
 * peak resident memory. */
#define _GNU_SOURCE /* memfd_create, MAP_POPULATE */
#include "canvas.h"
#include "display.h"
#include "screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PREVIEW_W 1280
#define PREVIEW_H 720

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Peak resident memory of this process, in KiB (VmHWM), or -1. */
static long peak_kib(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmHWM:", 6) == 0) {
			kib = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kib;
}

#define PREVIEW_BYTES ((size_t)PREVIEW_W * PREVIEW_H * 4)

/* The preview frame in memfd FD, mapped as booth-ui maps a frame it draws; NULL on failure. */
static const uint8_t *map_frame(int fd)
{
	void *p = mmap(NULL, PREVIEW_BYTES, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Time FRAMES countdown frames at W x H over the preview in memfd FD (mapped and unmapped for
 * each frame); the digit and the shot change as in a session at 30 frames a second. Returns 0
 * or -1. */
static int run(int w, int h, int fd, int frames)
{
	struct ui_target t[UI_MAX_TARGETS];
	struct canvas_xrgb p = { PREVIEW_W, PREVIEW_H, PREVIEW_W * 4, NULL };
	struct ui_model m = { .lang = UI_LANG_EN, .shots = 4, .preview = &p };
	struct display *d = NULL;
	struct canvas *c = NULL;
	double *ms = calloc((size_t)frames, sizeof(*ms)), t0;
	int n, r = -1;

	snprintf(m.phase, sizeof(m.phase), "countdown");
	if (!ms || display_new("headless", NULL, w, h, 0, &d) < 0 || display_canvas_new(d, &c) < 0)
		goto out;
	/* What booth-ui does while the attract screen shows: the countdown's words are rendered
	 * before a guest starts. */
	t0 = now_ms();
	if (screen_prepare(c, &m, 3) < 0)
		goto out;
	printf("%dx%d: countdown words prepared in %.1f ms\n", w, h, now_ms() - t0);
	for (int i = 0; i < frames; i++) {
		m.shot = 1 + i / 90 % 4;
		m.seconds_left = 3 - i / 30 % 3;
		t0 = now_ms();
		p.data = map_frame(fd);
		if (!p.data || screen_draw(c, SCREEN_COUNTDOWN, &m, t, &n) < 0 ||
		    display_present(d, c) < 0)
			goto out;
		munmap((void *)p.data, PREVIEW_BYTES);
		ms[i] = now_ms() - t0;
	}
	qsort(ms, (size_t)frames, sizeof(*ms), cmp);
	printf("ui frame %dx%d (preview %dx%d mapped for the frame, mirrored, countdown over it; "
	       "%d frames): median %.2f ms, p99 %.2f ms, worst %.2f ms\n",
	       w, h, PREVIEW_W, PREVIEW_H, frames, ms[frames / 2], ms[frames * 99 / 100],
	       ms[frames - 1]);
	r = 0;
out:
	canvas_free(c);
	display_free(d);
	free(ms);
	return r;
}

/* What mapping a frame on demand costs alone: mmap(MAP_POPULATE) and munmap of the memfd. */
static void time_mapping(int fd, int frames)
{
	double *us = calloc((size_t)frames, sizeof(*us));

	for (int i = 0; us && i < frames; i++) {
		double t0 = now_ms();
		const uint8_t *f = map_frame(fd);

		if (!f)
			break;
		munmap((void *)f, PREVIEW_BYTES);
		us[i] = (now_ms() - t0) * 1000;
	}
	if (us) {
		qsort(us, (size_t)frames, sizeof(*us), cmp);
		printf("mapping a %dx%d frame on demand (mmap MAP_POPULATE + munmap): median %.0f "
		       "us, "
		       "p99 %.0f us\n",
		       PREVIEW_W, PREVIEW_H, us[frames / 2], us[frames * 99 / 100]);
	}
	free(us);
}

int main(int argc, char **argv)
{
	int frames = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 1000;
	int fd = memfd_create("bench-preview", MFD_CLOEXEC);
	uint8_t *data;
	unsigned seed = 1;
	int r = 0;

	if (frames < 1 || frames > 1000000 || fd < 0 || ftruncate(fd, (off_t)PREVIEW_BYTES) < 0)
		return 1;
	data = mmap(NULL, PREVIEW_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (data == MAP_FAILED)
		return 1;
	/* A picture with detail everywhere (gradients and noise), like a camera's, in a memfd as
	 * the simulated camera's. */
	for (int y = 0; y < PREVIEW_H; y++)
		for (int x = 0; x < PREVIEW_W; x++) {
			uint8_t *px = data + ((size_t)y * PREVIEW_W + (size_t)x) * 4;

			seed = seed * 1103515245u + 12345u;
			px[0] = (uint8_t)(x / 5 + (seed >> 28));
			px[1] = (uint8_t)(y / 3 + (seed >> 27));
			px[2] = (uint8_t)((x + y) / 8);
			px[3] = 0xff;
		}
	munmap(data, PREVIEW_BYTES);
	if (run(1920, 1080, fd, frames) < 0 || run(800, 480, fd, frames) < 0) {
		fprintf(stderr, "bench-ui: drawing failed\n");
		r = 1;
	} else {
		time_mapping(fd, frames);
		printf("bench-ui peak resident memory: %.1f MB\n", (double)peak_kib() / 1024);
	}
	close(fd);
	canvas_cache_clear();
	return r;
}
