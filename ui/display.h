/* SPDX-License-Identifier: MIT */
/* The display behind one interface (kmscube style: a table of function pointers per backend):
 * headless (memory, PNG screenshots; for tests), DRM/KMS (kms.c), and later an SDL2 window. */
#ifndef BOOTH_UI_DISPLAY_H
#define BOOTH_UI_DISPLAY_H

#include "canvas.h"
#include "loop.h"

struct display;

/* What a backend implements. */
struct display_backend {
	const char *name;
	/* Set up D (its wanted panel size and rotation are set; it may change phys_w and phys_h to
	 * the mode it found); may add sources to L. Returns 0 or -errno. */
	int (*open)(struct display *d, struct loop *l);
	/* Release everything open() made. */
	void (*close)(struct display *d);
	/* Show the rotated picture d->scanout (d->phys_w x d->phys_h, XRGB8888). Returns 0 or
	 * -errno; a backend that flips later returns -EBUSY while a flip is pending. */
	int (*present)(struct display *d);
};

struct display {
	const struct display_backend *backend;
	int width, height;    /* the canvas the screens draw on (after rotation) */
	int rotation;	      /* 0, 90, 180, 270 clockwise */
	int phys_w, phys_h;   /* the panel */
	uint32_t *scanout;    /* phys_w * phys_h XRGB8888 pixels: the picture last presented */
	unsigned long frames; /* presented so far */
	void *priv;	      /* the backend's */
};

/* Open display backend NAME ("headless", "drm", "sdl") for a panel of PHYS_W x PHYS_H (drm:
 * the wanted mode; the panel's own size wins) turned by ROTATION degrees clockwise. Returns 0
 * and *ret, -EINVAL (bad name, size or rotation), -EOPNOTSUPP (the backend is not built in) or
 * the backend's error (-ENODEV: no display). */
int display_new(const char *name, struct loop *l, int phys_w, int phys_h, int rotation,
		struct display **ret);
/* Close and free. Accepts NULL, returns NULL. */
struct display *display_free(struct display *d);

/* Rotate canvas C (d->width x d->height) into the scanout picture and present it. Returns 0 or
 * -errno. */
int display_present(struct display *d, const struct canvas *c);

/* Map a point on the panel (as touch panels report it) to the canvas. */
void display_to_canvas(const struct display *d, int px, int py, int *x, int *y);

/* Write the picture last presented, as the panel shows it, to PATH as a PNG. Returns 0, -ENODATA
 * (nothing presented yet) or -errno. */
int display_screenshot(const struct display *d, const char *path);

#endif
