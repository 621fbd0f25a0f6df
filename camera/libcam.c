/* SPDX-License-Identifier: MIT */
/* The libcamera backend, C side: finds a camera (hot-plug events plus a slow re-check), streams
 * the viewfinder to the preview server as dmabufs, and turns a still buffer into XRGB8888. */
#include "backend.h"

#include "convert.h"
#include "lc.h"
#include "log.h"
#include "util.h"
#include "zsl.h"

#include <errno.h>
#include <linux/dma-buf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define RECHECK_USEC	   (2ull * 1000 * 1000)
#define STILL_TIMEOUT_USEC (5ull * 1000 * 1000)
/* Requests that stay queued in the camera even if preview clients hold every other buffer. */
#define MIN_QUEUED 2
/* Capture-stream buffers: at most this many, of which the ring keeps all but MIN_QUEUED. */
#define STILL_MAX 16
#define RING_MAX  4
/* A trigger further ahead than this is taken as "now". */
#define FUTURE_MAX_US (2ull * 1000 * 1000)

enum req_state {
	REQ_IDLE,
	REQ_QUEUED,
	REQ_PARKED, /* came back; waits until no preview client holds its buffer */
};

/* A buffer of the second stream. */
enum still_state {
	STILL_FREE,
	STILL_QUEUED, /* with a request in the camera */
	STILL_RING,   /* holds a frame the zero-shutter-lag ring keeps */
};

struct libcam {
	struct camera base;
	struct loop *loop;
	const struct booth_config *cfg;
	struct preview *pv;
	const struct camera_events *ev;
	void *ud;

	struct lc *lc;
	struct loop_source *lc_src, *recheck, *still_timeout;
	struct camera_info info;
	bool reported; /* info was announced at least once */

	struct lc_stream_info vf, still;
	bool separate_still;
	unsigned n_req;
	enum req_state req[PREVIEW_MAX_BUFFERS];
	uint64_t parked_at[PREVIEW_MAX_BUFFERS];
	uint64_t completions;
	unsigned queued;

	bool want_still, still_in_flight;
	struct camera_request request;
	void *token;

	/* The second stream is the capture stream (zero shutter lag), or with full_config the
	 * full-resolution still stream (a configuration switched to for one photo: want_full). */
	bool full_config, want_full;
	unsigned n_still;
	enum still_state sb[STILL_MAX];
	struct zsl ring;
	uint64_t interval_us;
	struct lc_stream_info stream_seen; /* the capture stream, when last configured */
};

static struct libcam *to_libcam(struct camera *c)
{
	return (struct libcam *)c;
}

static bool info_equal(const struct camera_info *a, const struct camera_info *b)
{
	return a->status == b->status && strcmp(a->model, b->model) == 0 &&
	       strcmp(a->error, b->error) == 0 && a->preview_width == b->preview_width &&
	       a->preview_height == b->preview_height && a->preview_fps == b->preview_fps &&
	       a->still_width == b->still_width && a->still_height == b->still_height &&
	       a->stream_width == b->stream_width && a->stream_height == b->stream_height;
}

static void set_status(struct libcam *lcam, enum camera_status status, const char *model,
		       const char *error)
{
	struct camera_info old = lcam->info;
	struct camera_info *i = &lcam->info;

	memset(i, 0, sizeof(*i));
	i->status = status;
	strscpy(i->model, model ? model : "", sizeof(i->model));
	strscpy(i->error, error ? error : "", sizeof(i->error));
	if (status == CAMERA_STATUS_OK) {
		i->preview_width = (int)lcam->vf.width;
		i->preview_height = (int)lcam->vf.height;
		i->preview_fps = lcam->cfg->camera.preview_fps;
		/* Without a second stream, both come from the viewfinder; the full still size is
		 * known once that configuration was used, asked for until then. */
		i->stream_width = (int)lcam->vf.width;
		i->stream_height = (int)lcam->vf.height;
		i->still_width = i->stream_width;
		i->still_height = i->stream_height;
		if (lcam->separate_still && lcam->full_config) {
			i->still_width = (int)lcam->still.width;
			i->still_height = (int)lcam->still.height;
		} else if (lcam->separate_still) {
			i->still_width = lcam->cfg->camera.still_width;
			i->still_height = lcam->cfg->camera.still_height;
		}
		if (lcam->stream_seen.width) {
			i->stream_width = (int)lcam->stream_seen.width;
			i->stream_height = (int)lcam->stream_seen.height;
		}
	}
	if (lcam->reported && info_equal(&old, i))
		return;
	lcam->reported = true;
	if (status == CAMERA_STATUS_NONE)
		log_info("No camera found; looking again every %d s and on hot-plug",
			 (int)(RECHECK_USEC / 1000000));
	else if (status == CAMERA_STATUS_ERROR)
		log_warning("Camera unusable: %s", i->error);
	lcam->ev->changed(lcam->ud);
}

static void fail_still(struct libcam *lcam, int r, const char *msg)
{
	if (!lcam->want_still)
		return;
	lcam->want_still = false;
	loop_timer_set(lcam->still_timeout, 0, 0);
	lcam->ev->still(lcam->ud, lcam->token, NULL, r, msg);
}

/* Map a buffer's planes for reading; dmabufs are bracketed with DMA_BUF_IOCTL_SYNC. */
struct mapping {
	void *base[LC_MAX_PLANES];
	size_t len[LC_MAX_PLANES];
	const uint8_t *ptr[LC_MAX_PLANES];
	int fd[LC_MAX_PLANES];
	unsigned n;
};

static void unmap_buffer(struct mapping *m)
{
	struct dma_buf_sync end = { .flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ };

	for (unsigned i = 0; i < m->n; i++) {
		if (!m->base[i])
			continue;
		(void)ioctl(m->fd[i], DMA_BUF_IOCTL_SYNC, &end);
		munmap(m->base[i], m->len[i]);
	}
	m->n = 0;
}

static int map_buffer(const struct lc_buffer *b, struct mapping *m)
{
	struct dma_buf_sync start = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < b->n_planes; i++) {
		size_t skew = b->planes[i].offset % page;
		off_t off = (off_t)(b->planes[i].offset - skew);

		m->len[i] = skew + b->planes[i].length;
		m->fd[i] = b->planes[i].fd;
		m->base[i] = mmap(NULL, m->len[i], PROT_READ, MAP_SHARED, m->fd[i], off);
		m->n = i + 1;
		if (m->base[i] == MAP_FAILED) {
			int r = -errno;

			m->base[i] = NULL;
			unmap_buffer(m);
			return r;
		}
		/* Not a dmabuf (ENOTTY) needs no sync. */
		(void)ioctl(m->fd[i], DMA_BUF_IOCTL_SYNC, &start);
		m->ptr[i] = (const uint8_t *)m->base[i] + skew;
	}
	return 0;
}

/* Hand the still in buffer INDEX of stream S to the daemon. */
static void deliver_still(struct libcam *lcam, enum lc_stream s, unsigned index,
			  uint64_t timestamp_ns)
{
	const struct lc_stream_info *si = s == LC_STREAM_STILL ? &lcam->still : &lcam->vf;
	struct camera_image img = { .width = (int)si->width,
				    .height = (int)si->height,
				    .frame_us = timestamp_ns / 1000,
				    .stream = s == LC_STREAM_VIEWFINDER || !lcam->full_config };
	struct convert_src src = { .fourcc = si->fourcc,
				   .width = (int)si->width,
				   .height = (int)si->height,
				   .yuv = (enum convert_yuv)si->yuv };
	struct lc_buffer b;
	struct mapping m;
	uint8_t *px = NULL;
	int64_t age_ms;
	int r;

	if (!lcam->want_still)
		return;
	lcam->want_still = false;
	loop_timer_set(lcam->still_timeout, 0, 0);
	age_ms = (int64_t)(now_usec() * 1000 - timestamp_ns) / 1000000;
	img.taken_ms = wall_msec() - (age_ms >= 0 && age_ms < 10000 ? age_ms : 0);
	if (si->modifier != 0 || !convert_supported(si->fourcc)) {
		lcam->ev->still(lcam->ud, lcam->token, NULL, -EOPNOTSUPP,
				"the camera delivers a pixel format the booth cannot read");
		return;
	}
	r = lc_get_buffer(lcam->lc, s, index, &b);
	if (r < 0) {
		lcam->ev->still(lcam->ud, lcam->token, NULL, r, "the camera's buffer is gone");
		return;
	}
	r = map_buffer(&b, &m);
	if (r < 0) {
		log_warning_errno(r, "Cannot map the still buffer: %m");
		lcam->ev->still(lcam->ud, lcam->token, NULL, r,
				"the camera's picture could not be read");
		return;
	}
	src.n_planes = b.n_planes;
	for (unsigned i = 0; i < b.n_planes; i++) {
		src.planes[i] = m.ptr[i];
		src.lengths[i] = b.planes[i].length;
		src.strides[i] = b.planes[i].stride;
	}
	img.stride = (size_t)img.width * 4;
	px = malloc(img.stride * (size_t)img.height);
	if (!px)
		r = -ENOMEM;
	else
		r = convert_frame(&src, px, img.stride);
	unmap_buffer(&m);
	if (r < 0) {
		log_warning_errno(r, "Cannot convert the still (%.4s %ux%u): %m",
				  (const char *)&si->fourcc, si->width, si->height);
		lcam->ev->still(lcam->ud, lcam->token, NULL, r,
				"the camera's picture could not be converted");
	} else {
		img.pixels = px;
		lcam->ev->still(lcam->ud, lcam->token, &img, 0, NULL);
	}
	free(px);
}

/* Stop streaming and release the camera, keeping a capture that waits (a reconfiguration). */
static void stop_camera(struct libcam *lcam)
{
	if (lcam->pv)
		preview_set_buffers(lcam->pv, NULL, 0);
	lc_close(lcam->lc);
	memset(lcam->req, 0, sizeof(lcam->req));
	memset(lcam->sb, 0, sizeof(lcam->sb));
	lcam->n_req = 0;
	lcam->n_still = 0;
	lcam->queued = 0;
	lcam->still_in_flight = false;
	lcam->separate_still = false;
}

static void close_camera(struct libcam *lcam, enum camera_status status, const char *error)
{
	fail_still(lcam, -ENODEV, error ? error : "the camera was disconnected");
	stop_camera(lcam);
	set_status(lcam, status, NULL, error);
}

/* The buffer of the second stream that request I takes along, or -1. */
static int still_for_request(struct libcam *lcam)
{
	if (!lcam->separate_still)
		return -1;
	if (lcam->full_config) /* one still, for the capture that waits */
		return lcam->want_still && !lcam->still_in_flight && lcam->sb[0] == STILL_FREE ? 0
											       : -1;
	for (unsigned b = 0; b < lcam->n_still; b++)
		if (lcam->sb[b] == STILL_FREE)
			return (int)b;
	return -1;
}

static int queue_request(struct libcam *lcam, unsigned i)
{
	int still = still_for_request(lcam);
	bool with_still = still >= 0;
	int r = lc_queue(lcam->lc, i, still);

	if (r < 0) {
		char msg[128];

		snprintf(msg, sizeof(msg), "the camera stopped accepting requests (%s)",
			 strerror(-r));
		close_camera(lcam, CAMERA_STATUS_ERROR, msg);
		return r;
	}
	lcam->req[i] = REQ_QUEUED;
	lcam->queued++;
	if (with_still) {
		lcam->sb[still] = STILL_QUEUED;
		lcam->still_in_flight = lcam->full_config;
	}
	return 0;
}

/* Give the camera back every buffer no preview client holds; and if clients hold so many that
 * the camera would starve, take back the ones parked longest. */
static void requeue(struct libcam *lcam)
{
	for (unsigned i = 0; i < lcam->n_req && lc_is_open(lcam->lc); i++)
		if (lcam->req[i] == REQ_PARKED && (!lcam->pv || !preview_held(lcam->pv, i)))
			if (queue_request(lcam, i) < 0)
				return;
	while (lcam->queued < MIN_QUEUED && lc_is_open(lcam->lc)) {
		int oldest = -1;

		for (unsigned i = 0; i < lcam->n_req; i++)
			if (lcam->req[i] == REQ_PARKED &&
			    (oldest < 0 || lcam->parked_at[i] < lcam->parked_at[oldest]))
				oldest = (int)i;
		if (oldest < 0)
			return;
		if (lcam->pv)
			preview_reclaim(lcam->pv, (unsigned)oldest);
		if (queue_request(lcam, (unsigned)oldest) < 0)
			return;
	}
}

static void on_release(struct preview *p, unsigned index, void *userdata)
{
	struct libcam *lcam = userdata;

	(void)p;
	(void)index;
	requeue(lcam);
}

/* A stream capture takes the capture stream's frame closest to its trigger, once known. */
static void try_pick(struct libcam *lcam)
{
	struct zsl_frame f;
	enum zsl_result r;

	if (!lcam->want_still || lcam->request.mode != CAMERA_MODE_STREAM ||
	    !lcam->separate_still || lcam->full_config)
		return;
	r = zsl_pick(&lcam->ring, lcam->request.trigger_us, &f);
	if (r == ZSL_WAIT)
		return;
	if (r == ZSL_STALE)
		log_warning(
			"The capture's moment is older than the frames kept; taking the oldest");
	deliver_still(lcam, LC_STREAM_STILL, (unsigned)f.buffer, f.frame_us * 1000);
}

/* A frame of the capture stream came: the ring keeps it, and gives back the oldest. */
static void keep_frame(struct libcam *lcam, const struct lc_event *e)
{
	struct zsl_frame f = { e->still_timestamp_ns / 1000, e->sequence, (int)e->still_buffer },
			 old;
	int r;

	if (e->still_buffer >= lcam->n_still)
		return;
	lcam->sb[e->still_buffer] = STILL_FREE;
	if (!e->still_ok)
		return;
	r = zsl_push(&lcam->ring, &f, &old);
	if (r < 0)
		return; /* out of order: not kept */
	lcam->sb[e->still_buffer] = STILL_RING;
	if (r == 1 && old.buffer >= 0 && (unsigned)old.buffer < lcam->n_still)
		lcam->sb[old.buffer] = STILL_FREE;
}

/* Go back to the capture-stream configuration after a full-resolution still (or switch to
 * the still configuration for one), from the loop: on_recheck. */
static void want_config(struct libcam *lcam, bool full)
{
	lcam->want_full = full;
	loop_timer_set(lcam->recheck, 1, RECHECK_USEC);
}

static void on_request(struct libcam *lcam, const struct lc_event *e)
{
	unsigned i = e->request;

	if (i >= lcam->n_req || lcam->req[i] != REQ_QUEUED)
		return;
	lcam->req[i] = REQ_PARKED;
	lcam->parked_at[i] = ++lcam->completions;
	lcam->queued--;
	if (e->has_still && lcam->full_config) {
		lcam->still_in_flight = false;
		if (e->still_buffer < lcam->n_still)
			lcam->sb[e->still_buffer] = STILL_FREE;
		if (e->still_ok)
			deliver_still(lcam, LC_STREAM_STILL, e->still_buffer,
				      e->still_timestamp_ns);
		else
			fail_still(lcam, -EIO, "the camera failed to take the photo");
		want_config(lcam, false);
	} else if (e->has_still) {
		keep_frame(lcam, e);
		try_pick(lcam);
	} else if (!lcam->separate_still && lcam->want_still && e->ok &&
		   e->timestamp_ns / 1000 + lcam->interval_us / 2 >= lcam->request.trigger_us) {
		/* One stream: its first frame that is the closest to the trigger there can
		 * still be (the preview's buffers are the clients', not a ring of ours). */
		deliver_still(lcam, LC_STREAM_VIEWFINDER, i, e->timestamp_ns);
	}
	if (e->ok && lcam->pv)
		preview_frame(lcam->pv, i, e->sequence, e->timestamp_ns);
	requeue(lcam);
}

static void try_open(struct libcam *lcam)
{
	struct preview_buffer_desc descs[PREVIEW_MAX_BUFFERS];
	const struct booth_config *cfg = lcam->cfg;
	bool full = lcam->want_full;
	struct lc_want want = {
		.preview_width = (uint32_t)cfg->camera.preview_width,
		.preview_height = (uint32_t)cfg->camera.preview_height,
		.still_width =
			(uint32_t)(full ? cfg->camera.still_width : cfg->camera.stream_width),
		.still_height =
			(uint32_t)(full ? cfg->camera.still_height : cfg->camera.stream_height),
		.full = full,
	};
	char model[65] = "", msg[200];
	int n, r;

	if (lc_is_open(lcam->lc))
		return;
	n = lc_camera_count(lcam->lc);
	if (n <= 0) {
		set_status(lcam, CAMERA_STATUS_NONE, NULL, NULL);
		return;
	}
	r = lc_open(lcam->lc, 0, &want, model, sizeof(model));
	if (r < 0) {
		snprintf(msg, sizeof(msg), "cannot open the camera: %s",
			 r == -EBUSY ? "another program is using it" : strerror(-r));
		set_status(lcam, CAMERA_STATUS_ERROR, NULL, msg);
		return;
	}
	lcam->full_config = full;
	r = lc_get_stream(lcam->lc, LC_STREAM_VIEWFINDER, &lcam->vf);
	if (r == 0) {
		lcam->separate_still = lc_get_stream(lcam->lc, LC_STREAM_STILL, &lcam->still) == 0;
		lcam->n_req = lcam->vf.n_buffers < PREVIEW_MAX_BUFFERS ? lcam->vf.n_buffers
								       : PREVIEW_MAX_BUFFERS;
		lcam->n_still = lcam->separate_still ? lcam->still.n_buffers : 0;
		if (lcam->n_still > STILL_MAX)
			lcam->n_still = STILL_MAX;
		/* A capture stream of fewer than two buffers could not keep a frame and take the
		 * next: photos come from the viewfinder then. */
		if (!full && lcam->n_still < 2)
			lcam->separate_still = false;
		if (!full && lcam->separate_still)
			lcam->stream_seen = lcam->still;
		else if (!full)
			lcam->stream_seen = lcam->vf;
		zsl_init(&lcam->ring,
			 lcam->n_still > MIN_QUEUED + RING_MAX ? RING_MAX
			 : lcam->n_still > MIN_QUEUED	       ? lcam->n_still - MIN_QUEUED
							       : 1,
			 lcam->interval_us);
	}
	for (unsigned i = 0; r == 0 && i < lcam->n_req; i++) {
		struct lc_buffer b;

		r = lc_get_buffer(lcam->lc, LC_STREAM_VIEWFINDER, i, &b);
		if (r < 0)
			break;
		descs[i] = (struct preview_buffer_desc){ .width = lcam->vf.width,
							 .height = lcam->vf.height,
							 .fourcc = lcam->vf.fourcc,
							 .n_planes = b.n_planes };
		for (unsigned j = 0; j < b.n_planes; j++) {
			descs[i].fds[j] = b.planes[j].fd;
			descs[i].planes[j] = (struct preview_plane){ .offset = b.planes[j].offset,
								     .stride = b.planes[j].stride,
								     .length = b.planes[j].length };
		}
	}
	if (r == 0 && lcam->pv)
		r = preview_set_buffers(lcam->pv, descs, lcam->n_req);
	if (r == 0)
		r = lc_start(lcam->lc, lcam->cfg->camera.preview_fps);
	if (r < 0) {
		snprintf(msg, sizeof(msg), "cannot start the camera: %s", strerror(-r));
		close_camera(lcam, CAMERA_STATUS_ERROR, msg);
		return;
	}
	for (unsigned i = 0; i < lcam->n_req; i++)
		if (queue_request(lcam, i) < 0)
			return;
	log_info("Camera '%s': preview %ux%u %.4s, %s %ux%u%s", model, lcam->vf.width,
		 lcam->vf.height, (const char *)&lcam->vf.fourcc,
		 full ? "full-resolution stills" : "capture stream",
		 lcam->separate_still ? lcam->still.width : lcam->vf.width,
		 lcam->separate_still ? lcam->still.height : lcam->vf.height,
		 lcam->separate_still ? "" : " (from the viewfinder stream)");
	set_status(lcam, CAMERA_STATUS_OK, model, NULL);
}

static int on_lc_event(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	struct libcam *lcam = userdata;
	struct lc_event e;

	(void)s;
	(void)fd;
	(void)revents;
	while (lc_next_event(lcam->lc, &e) > 0) {
		switch (e.type) {
		case LC_EVENT_CAMERA_ADDED:
			log_info("A camera was plugged in");
			try_open(lcam);
			break;
		case LC_EVENT_CAMERA_REMOVED:
			if (e.current && lc_is_open(lcam->lc)) {
				log_warning("The camera was unplugged");
				close_camera(lcam, CAMERA_STATUS_NONE, NULL);
				try_open(lcam);
			}
			break;
		case LC_EVENT_REQUEST:
			on_request(lcam, &e);
			break;
		}
	}
	return 0;
}

static int start_manager(struct libcam *lcam)
{
	int r = lc_new(&lcam->lc);

	if (r < 0)
		return r;
	r = loop_add_io(lcam->loop, lc_fd(lcam->lc), EPOLLIN, on_lc_event, lcam, &lcam->lc_src);
	if (r < 0)
		lcam->lc = lc_free(lcam->lc);
	return r;
}

static int on_recheck(struct loop_source *s, void *userdata)
{
	struct libcam *lcam = userdata;
	int r;

	(void)s;
	if (!lcam->lc) {
		r = start_manager(lcam);
		if (r < 0) {
			set_status(lcam, CAMERA_STATUS_ERROR, NULL, "libcamera failed to start");
			return 0;
		}
	}
	/* Switch configuration (full-resolution still, or back to the capture stream) when no
	 * still is in the camera. */
	if (lc_is_open(lcam->lc) && lcam->want_full != lcam->full_config &&
	    !lcam->still_in_flight) {
		log_info("Reconfiguring the camera for %s",
			 lcam->want_full ? "a full-resolution still" : "the capture stream");
		stop_camera(lcam);
	}
	try_open(lcam);
	try_pick(lcam);
	return 0;
}

static int on_still_timeout(struct loop_source *s, void *userdata)
{
	(void)s;
	struct libcam *lcam = userdata;

	fail_still(lcam, -ETIMEDOUT, "the camera did not deliver the photo in time");
	if (lcam->full_config || lcam->want_full)
		want_config(lcam, false);
	return 0;
}

static void libcam_destroy(struct camera *c)
{
	struct libcam *lcam = to_libcam(c);

	if (lcam->pv) {
		preview_set_release_handler(lcam->pv, NULL, NULL);
		preview_set_buffers(lcam->pv, NULL, 0);
	}
	loop_source_remove(lcam->recheck);
	loop_source_remove(lcam->still_timeout);
	loop_source_remove(lcam->lc_src);
	lc_free(lcam->lc);
	free(lcam);
}

static int libcam_create(struct loop *l, const struct booth_config *cfg, struct preview *pv,
			 const struct camera_events *ev, void *userdata, struct camera **ret)
{
	struct libcam *lcam = calloc(1, sizeof(*lcam));
	int r;

	if (!lcam)
		return -ENOMEM;
	lcam->base.backend = &camera_backend_libcamera;
	lcam->loop = l;
	lcam->cfg = cfg;
	lcam->pv = pv;
	lcam->ev = ev;
	lcam->ud = userdata;
	lcam->info.status = CAMERA_STATUS_NONE;
	lcam->interval_us = 1000000 / (uint64_t)cfg->camera.preview_fps;
	r = loop_add_timer(l, RECHECK_USEC, RECHECK_USEC, on_recheck, lcam, &lcam->recheck);
	if (r == 0)
		r = loop_add_timer(l, 0, 0, on_still_timeout, lcam, &lcam->still_timeout);
	if (r < 0) {
		libcam_destroy(&lcam->base);
		return r;
	}
	if (pv)
		preview_set_release_handler(pv, on_release, lcam);
	r = start_manager(lcam);
	if (r < 0) {
		/* Not fatal: reported, and retried with the re-check. */
		log_warning_errno(r, "libcamera failed to start: %m");
		strscpy(lcam->info.error, "libcamera failed to start", sizeof(lcam->info.error));
		lcam->info.status = CAMERA_STATUS_ERROR;
	} else {
		/* Not try_open(): it may call back, and create() must not. The first look is
		 * made right away, from the loop. */
		loop_timer_set(lcam->recheck, 1, RECHECK_USEC);
	}
	*ret = &lcam->base;
	return 0;
}

static void libcam_info(struct camera *c, struct camera_info *ret)
{
	*ret = to_libcam(c)->info;
}

static int libcam_capture(struct camera *c, const struct camera_request *req, void *token)
{
	struct libcam *lcam = to_libcam(c);
	uint64_t now;
	int r;

	if (!lcam->lc || !lc_is_open(lcam->lc))
		return -ENODEV;
	if (lcam->want_still)
		return -EBUSY;
	r = loop_timer_set(lcam->still_timeout, STILL_TIMEOUT_USEC, 0);
	if (r < 0)
		return r;
	lcam->want_still = true;
	lcam->token = token;
	lcam->request = *req;
	now = now_usec();
	if (!lcam->request.trigger_us || lcam->request.trigger_us > now + FUTURE_MAX_US)
		lcam->request.trigger_us = now;
	/* A full-resolution still needs the still configuration where the camera has a second
	 * stream (a mode switch: the one photo that has shutter lag); a stream capture may find
	 * its frame in the ring already. Both are decided from the loop, never in this call. */
	want_config(lcam,
		    req->mode == CAMERA_MODE_FULL && (lcam->separate_still || lcam->full_config));
	return 0;
}

const struct camera_backend camera_backend_libcamera = {
	.name = "libcamera",
	.create = libcam_create,
	.destroy = libcam_destroy,
	.info = libcam_info,
	.capture = libcam_capture,
};
