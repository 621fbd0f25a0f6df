/* SPDX-License-Identifier: MIT */
/* The preview protocol between booth-camera and booth-ui: frame buffers passed once as fds over a
 * Unix SOCK_SEQPACKET socket, then each frame announced by buffer index (docs/camera.md). */
#ifndef BOOTH_PREVIEW_PROTO_H
#define BOOTH_PREVIEW_PROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * One message per packet, fixed layout, native byte order (the socket is local). The server
 * speaks first:
 *
 *   server -> client  HELLO             once on connect and again whenever the buffer set changes
 *                                       (camera plugged, unplugged, reconfigured): forget every
 *                                       buffer of the previous set and close its fds
 *   server -> client  BUFFER x n        one per buffer of the set, with one fd per plane attached
 *                                       as SCM_RIGHTS (memfd from the simulated camera, dmabuf
 *                                       from libcamera); mmap it or import it into DRM
 *   server -> client  FRAME ...         buffer INDEX now holds frame SEQUENCE; the client holds
 *                                       that buffer until it sends RELEASE for it
 *   client -> server  RELEASE           done with a buffer
 *
 * A client holds at most PREVIEW_MAX_HELD buffers: while it holds that many, or while its socket
 * is full, frames are dropped for it (and counted), never waited for. The server does not write
 * into a held buffer while another one is free; if every buffer is held it takes back the one
 * announced longest ago. A client that never sends RELEASE thus gets PREVIEW_MAX_HELD frames and
 * then none. At most PREVIEW_MAX_CLIENTS clients: a further connection is closed at once.
 */

#define PREVIEW_PROTO_VERSION 1
#define PREVIEW_MAX_CLIENTS   4
#define PREVIEW_MAX_BUFFERS   8
#define PREVIEW_MAX_PLANES    3
#define PREVIEW_MAX_HELD      2

/* DRM fourcc codes (the same values as <drm_fourcc.h>, which this header does not need). */
#define PREVIEW_FOURCC(a, b, c, d)                                                                 \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define PREVIEW_FMT_XRGB8888 PREVIEW_FOURCC('X', 'R', '2', '4') /* bytes B G R X */
#define PREVIEW_FMT_XBGR8888 PREVIEW_FOURCC('X', 'B', '2', '4') /* bytes R G B X */
#define PREVIEW_FMT_RGB888   PREVIEW_FOURCC('R', 'G', '2', '4') /* bytes B G R */
#define PREVIEW_FMT_BGR888   PREVIEW_FOURCC('B', 'G', '2', '4') /* bytes R G B */
#define PREVIEW_FMT_YUYV     PREVIEW_FOURCC('Y', 'U', 'Y', 'V')
#define PREVIEW_FMT_UYVY     PREVIEW_FOURCC('U', 'Y', 'V', 'Y')
#define PREVIEW_FMT_NV12     PREVIEW_FOURCC('N', 'V', '1', '2')
#define PREVIEW_FMT_NV21     PREVIEW_FOURCC('N', 'V', '2', '1')
#define PREVIEW_FMT_YUV420   PREVIEW_FOURCC('Y', 'U', '1', '2')

enum preview_msg_type {
	PREVIEW_MSG_HELLO = 1,
	PREVIEW_MSG_BUFFER = 2,
	PREVIEW_MSG_FRAME = 3,
	PREVIEW_MSG_RELEASE = 16,
};

/* Server -> client, 16 bytes. */
struct preview_hello {
	uint32_t type;	     /* PREVIEW_MSG_HELLO */
	uint32_t version;    /* PREVIEW_PROTO_VERSION */
	uint32_t generation; /* names this buffer set; changes with every HELLO */
	uint32_t n_buffers;  /* BUFFER messages that follow; 0 = no camera now */
};

struct preview_plane {
	uint32_t offset; /* of the plane's first byte in its fd */
	uint32_t stride; /* bytes per line */
	uint32_t length; /* bytes of the plane from offset: map [0, offset + length) */
};

/* Server -> client, 72 bytes, with N_PLANES fds (plane i's is the i-th) in SCM_RIGHTS. Planes of
 * one buffer may come from the same dmabuf: then their fds refer to the same file. */
struct preview_buffer {
	uint32_t type;	 /* PREVIEW_MSG_BUFFER */
	uint32_t index;	 /* 0 .. n_buffers - 1 */
	uint32_t width;	 /* pixels */
	uint32_t height; /* lines */
	uint32_t fourcc; /* DRM fourcc, PREVIEW_FMT_* */
	uint32_t n_planes;
	struct preview_plane planes[PREVIEW_MAX_PLANES];
	uint32_t reserved; /* 0 */
	uint64_t modifier; /* DRM format modifier; 0 = linear */
};

/* Server -> client, 24 bytes. */
struct preview_frame {
	uint32_t type; /* PREVIEW_MSG_FRAME */
	uint32_t index;
	uint32_t generation;
	uint32_t sequence; /* frame number, wraps; the simulated camera draws it in the picture */
	uint64_t timestamp_ns; /* when it was captured, CLOCK_MONOTONIC */
};

/* Client -> server, 16 bytes. */
struct preview_release {
	uint32_t type; /* PREVIEW_MSG_RELEASE */
	uint32_t index;
	uint32_t generation; /* of the FRAME; releases of an older generation are ignored */
	uint32_t reserved;   /* 0 */
};

_Static_assert(sizeof(struct preview_hello) == 16, "preview_hello layout");
_Static_assert(sizeof(struct preview_buffer) == 72, "preview_buffer layout");
_Static_assert(sizeof(struct preview_frame) == 24, "preview_frame layout");
_Static_assert(sizeof(struct preview_release) == 16, "preview_release layout");

/* Check a packet of N bytes a client sent (BUF) against the current GENERATION and N_BUFFERS.
 * Returns 0 and fills *ret for a valid release, -ESTALE for a release of an older generation
 * (to be ignored), or -EBADMSG for anything else (wrong size, type, reserved bits, or an index
 * out of range): a protocol error. */
int preview_parse_release(const void *buf, size_t n, uint32_t generation, uint32_t n_buffers,
			  struct preview_release *ret);

#endif
