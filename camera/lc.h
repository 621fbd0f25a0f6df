/* SPDX-License-Identifier: MIT */
/* The libcamera shim's plain C API (lc.cpp): cameras, streams, buffers and requests, with
 * libcamera's callbacks queued and signalled through an eventfd. No exception crosses it. */
#ifndef BOOTH_LC_H
#define BOOTH_LC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LC_MAX_PLANES 3

struct lc;

enum lc_event_type {
	LC_EVENT_CAMERA_ADDED,
	LC_EVENT_CAMERA_REMOVED,
	LC_EVENT_REQUEST, /* a request queued with lc_queue() came back */
};

struct lc_event {
	enum lc_event_type type;
	bool current; /* CAMERA_REMOVED: it is the open camera (which is now unusable) */
	/* LC_EVENT_REQUEST: */
	unsigned request;	     /* the request's index (= its viewfinder buffer's) */
	bool ok;		     /* the viewfinder buffer holds a good frame */
	uint32_t sequence;	     /* frame number from the camera */
	uint64_t timestamp_ns;	     /* CLOCK_MONOTONIC, when exposed */
	bool has_still;		     /* the request carried a buffer of the second stream */
	bool still_ok;		     /* ... and it holds a good frame */
	unsigned still_buffer;	     /* ... which one */
	uint64_t still_timestamp_ns; /* ... its sensor timestamp (CLOCK_MONOTONIC) */
};

enum lc_stream {
	LC_STREAM_VIEWFINDER,
	LC_STREAM_STILL, /* the second stream: the capture stream, or full-resolution stills */
};

enum lc_yuv {
	LC_YUV_BT601_LIMITED,
	LC_YUV_BT601_FULL,
	LC_YUV_BT709_LIMITED,
	LC_YUV_BT709_FULL,
};

struct lc_stream_info {
	uint32_t width, height;
	uint32_t stride; /* of the first plane */
	uint32_t fourcc; /* DRM fourcc (libcamera's PixelFormat) */
	uint64_t modifier;
	enum lc_yuv yuv;
	unsigned n_buffers;
};

struct lc_plane {
	int fd; /* borrowed: owned by libcamera until lc_close() */
	uint32_t offset, length, stride;
};

struct lc_buffer {
	unsigned n_planes;
	struct lc_plane planes[LC_MAX_PLANES];
};

/* What lc_open() asks for; libcamera may adjust it (see lc_get_stream()). */
struct lc_want {
	uint32_t preview_width, preview_height;
	/* The second stream: a reduced-size capture stream that runs with the viewfinder (role
	 * VideoRecording, else StillCapture), or with FULL a full-resolution still stream. */
	uint32_t still_width, still_height;
	bool full;
};

/* Start libcamera's CameraManager (once per process) and make the eventfd. Returns 0 and *ret,
 * -EIO if libcamera failed, or -errno. */
int lc_new(struct lc **ret);

/* Close the camera if open, stop the CameraManager, free. Accepts NULL, returns NULL. */
struct lc *lc_free(struct lc *lc);

/* The eventfd (non-blocking, close-on-exec): readable while events are queued. */
int lc_fd(const struct lc *lc);

/* Take the oldest queued event into *ret. Returns 1, or 0 when none is left (the eventfd is then
 * drained). Events of a camera that was closed since are discarded. */
int lc_next_event(struct lc *lc, struct lc_event *ret);

/* How many cameras libcamera knows now. Returns >= 0 or -EIO. */
int lc_camera_count(struct lc *lc);

/* Acquire camera INDEX, configure a viewfinder and, where the pipeline can, a second stream as
 * WANT says (else photos come from the viewfinder), allocate buffers and requests. Writes the
 * camera's model (or id) into MODEL. Returns 0, -ENODEV, -EBUSY (another process has it),
 * -EINVAL (no usable configuration), -EALREADY if one is open, or -errno. */
int lc_open(struct lc *lc, unsigned index, const struct lc_want *want, char *model, size_t n);

/* Whether a camera is open. */
bool lc_is_open(const struct lc *lc);

/* The configured stream S. Returns 0, -ENOENT (no separate still stream) or -ENODEV. */
int lc_get_stream(struct lc *lc, enum lc_stream s, struct lc_stream_info *ret);

/* Buffer INDEX of stream S. Returns 0, -ENOENT or -ENODEV. */
int lc_get_buffer(struct lc *lc, enum lc_stream s, unsigned index, struct lc_buffer *ret);

/* Start streaming at FPS (where the camera lets us choose). Queue requests with lc_queue(). */
int lc_start(struct lc *lc, int fps);

/* Queue request INDEX with its viewfinder buffer and, if STILL_BUFFER >= 0, that buffer of the
 * second stream. */
int lc_queue(struct lc *lc, unsigned index, int still_buffer);

/* Stop streaming, free buffers and requests, release the camera, drop its queued events. */
void lc_close(struct lc *lc);

#ifdef __cplusplus
}
#endif

#endif
