/* SPDX-License-Identifier: MIT */
/* The camera backends behind one table of function pointers: the simulated camera (sim.c) and
 * libcamera (libcam.c). The daemon only talks to this interface. */
#ifndef BOOTH_BACKEND_H
#define BOOTH_BACKEND_H

#include "boothconf.h"
#include "loop.h"
#include "preview.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum camera_status {
	CAMERA_STATUS_NONE,  /* no camera (still looking) */
	CAMERA_STATUS_OK,    /* streaming, ready for stills */
	CAMERA_STATUS_ERROR, /* a camera is there but cannot be used; see error */
};

/* What the camera state on MQTT says. Sizes are 0 when there is no such mode. */
struct camera_info {
	enum camera_status status;
	char model[65];
	int preview_width, preview_height, preview_fps;
	int still_width, still_height;	 /* full-resolution stills */
	int stream_width, stream_height; /* the capture stream (zero shutter lag) */
	char error[257];
};

enum camera_mode {
	CAMERA_MODE_STREAM, /* a frame of the reduced-size capture stream, closest to the trigger */
	CAMERA_MODE_FULL,   /* a full-resolution still, taken after the request */
};

/* What the daemon asks of a capture. */
struct camera_request {
	uint64_t trigger_us; /* CLOCK_MONOTONIC: the frame closest to this moment */
	enum camera_mode mode;
};

/* A still frame handed to the daemon: XRGB8888 (bytes B G R X), borrowed for the callback. */
struct camera_image {
	const uint8_t *pixels;
	int width, height;
	size_t stride;
	int64_t taken_ms;  /* wall clock, when the frame was exposed */
	uint64_t frame_us; /* CLOCK_MONOTONIC, the frame's sensor timestamp */
	bool stream;	   /* a frame of the capture stream (else a full-resolution still) */
};

/* The daemon's callbacks; a backend calls them from the event loop, never from inside one of
 * its own entry points. */
struct camera_events {
	/* The camera_info changed (camera found, lost, failed): republish the state. */
	void (*changed)(void *userdata);
	/* The capture started with TOKEN is done: IMG on success (R == 0), or R < 0 and a sentence
	 * for a person in MSG. Called exactly once per accepted capture. */
	void (*still)(void *userdata, void *token, const struct camera_image *img, int r,
		      const char *msg);
};

struct camera;

struct camera_backend {
	const char *name; /* as in [camera] backend */
	/* Start the backend on L with CFG (borrowed for its lifetime). Preview frames go to PV (may
	 * be NULL); EV and USERDATA receive events. Returns 0 and *ret, or -errno. A backend that
	 * finds no camera still succeeds and reports CAMERA_STATUS_NONE. */
	int (*create)(struct loop *l, const struct booth_config *cfg, struct preview *pv,
		      const struct camera_events *ev, void *userdata, struct camera **ret);
	/* Stop and free. A capture in flight is dropped without a callback. */
	void (*destroy)(struct camera *c);
	void (*info)(struct camera *c, struct camera_info *ret);
	/* Start a capture of REQ (copied); the result comes through events->still with TOKEN.
	 * Returns 0, or -ENODEV without a camera, -EBUSY while a capture is in flight, or -errno. */
	int (*capture)(struct camera *c, const struct camera_request *req, void *token);
};

/* Every backend embeds this first. */
struct camera {
	const struct camera_backend *backend;
};

extern const struct camera_backend camera_backend_sim;
extern const struct camera_backend camera_backend_libcamera;

/* The backend called NAME, or NULL. */
const struct camera_backend *camera_backend_find(const char *name);

/* The backend named in CFG ([camera] backend), started as camera_backend.create. */
int camera_new(struct loop *l, const struct booth_config *cfg, struct preview *pv,
	       const struct camera_events *ev, void *userdata, struct camera **ret);
/* Accepts NULL, returns NULL. */
struct camera *camera_free(struct camera *c);
void camera_get_info(struct camera *c, struct camera_info *ret);
int camera_capture(struct camera *c, const struct camera_request *req, void *token);

#endif
