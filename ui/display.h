/* SPDX-License-Identifier: MIT */
/* The display behind one interface (kmscube style: a table of function pointers per backend):
 * headless (memory, PNG screenshots; for tests), DRM/KMS (kms.c) and an SDL2 window (sdl.c). */
#ifndef BOOTH_UI_DISPLAY_H
#define BOOTH_UI_DISPLAY_H

#include "canvas.h"
#include "loop.h"
#include "preview-proto.h"

struct display;

/* Input that arrives through the display itself (the SDL window's clicks, keys and close
 * button); the drm and headless backends have none (libinput and the test topic bring theirs). */
struct display_input {
	/* A tap at panel coordinates (what display_to_canvas() takes). */
	void (*tap)(int px, int py, void *userdata);
	/* A key, by the names screen_key() takes. */
	void (*key)(const char *name, void *userdata);
	/* The window was closed: the process should stop. */
	void (*quit)(void *userdata);
};

/* A camera frame for a hardware plane: a buffer of booth-camera's preview socket
 * (camera/preview-proto.h) with its fds, all borrowed. */
struct display_frame {
	uint32_t generation;		  /* the buffer set's */
	const struct preview_buffer *buf; /* its index, size, format, planes and modifier */
	const int *fds;			  /* one per plane (-1: the first one's) */
};

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
	/* Deliver pending input to d->input now (NULL: the backend has no input of its own). */
	void (*dispatch)(struct display *d);
	/* Show frame F on a hardware plane under the picture, which must then be transparent
	 * where the preview shows (a canvas with alpha), cover-cropped to the screen and mirrored
	 * if MIRROR, from now on (NULL: take it down, from the next present). Returns 0 when it
	 * is shown so, or -errno: the caller draws the preview in software (NULL: no planes). */
	int (*preview)(struct display *d, const struct display_frame *f, bool mirror);
	/* The buffers of the preview's set (bit = index) the screen still reads or is about to:
	 * they must not go back to the camera yet (NULL: none ever). */
	uint32_t (*preview_busy)(struct display *d);
};

struct display {
	const struct display_backend *backend;
	int width, height;    /* the canvas the screens draw on (after rotation) */
	int rotation;	      /* 0, 90, 180, 270 clockwise */
	int phys_w, phys_h;   /* the panel */
	uint32_t *scanout;    /* phys_w * phys_h XRGB8888 pixels: the picture last presented */
	unsigned long frames; /* presented so far */
	void *priv;	      /* the backend's */
	const struct display_input *input; /* borrowed; NULL until display_set_input() */
	void *input_data;
};

/* Open display backend NAME ("headless", "drm", "sdl") for a panel of PHYS_W x PHYS_H (drm:
 * the wanted mode; the panel's own size wins) turned by ROTATION degrees clockwise. Returns 0
 * and *ret, -EINVAL (bad name, size or rotation), -EOPNOTSUPP (the backend is not built in) or
 * the backend's error (-ENODEV: no display). */
int display_new(const char *name, struct loop *l, int phys_w, int phys_h, int rotation,
		struct display **ret);
/* Close and free. Accepts NULL, returns NULL. */
struct display *display_free(struct display *d);

/* A canvas of the display's logical size to draw the screens on, into *ret: at rotation 0 the
 * scanout picture itself (nothing to copy when presenting), else a canvas of its own. Free it
 * with canvas_free() before the display. Returns 0 or -errno. */
int display_canvas_new(const struct display *d, struct canvas **ret);

/* Rotate canvas C (d->width x d->height) into the scanout picture and present it. Returns 0 or
 * -errno. */
int display_present(struct display *d, const struct canvas *c);

/* Put frame F (NULL: none) on a hardware plane under the picture, as the backend's preview()
 * says; -ENODEV for a backend without planes. While it returns 0 the canvas must be drawn with
 * alpha, transparent where the preview shows. */
int display_preview(struct display *d, const struct display_frame *f, bool mirror);
/* The preview buffers the screen still reads (bit = index; see preview_busy()), 0 if none. */
uint32_t display_preview_busy(struct display *d);

/* Send the display's own input (SDL window) to IN's callbacks with USERDATA; IN is borrowed and
 * must outlive D. */
void display_set_input(struct display *d, const struct display_input *in, void *userdata);
/* Deliver the input the backend has queued now (the backend also does so from the loop). */
void display_dispatch(struct display *d);

/* Map a point on the panel (as touch panels report it) to the canvas. */
void display_to_canvas(const struct display *d, int px, int py, int *x, int *y);

/* Write the picture last presented, as the panel shows it, to PATH as a PNG. Returns 0, -ENODATA
 * (nothing presented yet) or -errno. */
int display_screenshot(const struct display *d, const char *path);

#endif
