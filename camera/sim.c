/* SPDX-License-Identifier: MIT */
/* The simulated camera: preview frames drawn into a ring of sealed memfds from a timerfd; a
 * capture stream whose frames exist at the same ticks (a zero-shutter-lag ring of their
 * timestamps), the chosen one drawn after the fact at the stream's size; full-size stills on
 * request. */
#define _GNU_SOURCE /* memfd_create */
#include "backend.h"

#include "log.h"
#include "simrender.h"
#include "util.h"
#include "zsl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SIM_BUFFERS 4

struct sim_buffer {
	int fd;
	void *map;
	size_t size;
};

/* Frames the capture stream's ring keeps (nothing but their timestamps: the scene is a function
 * of time, so the chosen frame is drawn after the fact): 3 s at 30 fps, so that a request the
 * bus or a busy machine held back for a second still finds the frame of its moment. */
#define SIM_RING 90
/* A trigger further ahead than this is taken as "now". */
#define SIM_FUTURE_MAX_US (2ull * 1000 * 1000)

struct sim {
	struct camera base;
	struct loop *loop;
	const struct booth_config *cfg;
	struct preview *pv;
	const struct camera_events *ev;
	void *ud;
	struct sim_buffer bufs[SIM_BUFFERS];
	size_t stride;
	struct loop_source *frame_timer, *still_timer;
	uint32_t sequence, rng;
	uint64_t t0, interval; /* frame K exists at t0 + K * interval */
	struct zsl ring;
	bool capturing;
	struct camera_request req;
	void *token;
};

static struct sim *to_sim(struct camera *c)
{
	return (struct sim *)c;
}

/* Pixels for a still: mapped, not malloc'd, so that they go back to the system at once and a
 * 47 MB full-resolution still never stays in the process. */
static uint8_t *pixels_new(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Draw the frame taken at FRAME_US (frame number SEQUENCE) at W x H and hand it over. */
static void deliver(struct sim *sim, int w, int h, uint64_t frame_us, uint32_t sequence,
		    bool stream)
{
	struct camera_image img = { .width = w,
				    .height = h,
				    .stride = (size_t)w * 4,
				    .frame_us = frame_us,
				    .stream = stream };
	size_t size = img.stride * (size_t)h;
	uint64_t t0 = now_usec();
	uint8_t *px;

	sim->capturing = false;
	px = pixels_new(size);
	if (!px) {
		sim->ev->still(sim->ud, sim->token, NULL, -ENOMEM,
			       "there is not enough memory for the photo");
		return;
	}
	img.taken_ms = wall_msec() - (int64_t)(t0 > frame_us ? (t0 - frame_us) / 1000 : 0);
	simrender_draw(px, w, h, img.stride, frame_us * 1000, sequence, &sim->rng);
	log_debug("Simulated frame %u (%dx%d) drawn in %llu ms", sequence, w, h,
		  (unsigned long long)((now_usec() - t0) / 1000));
	img.pixels = px;
	sim->ev->still(sim->ud, sim->token, &img, 0, NULL);
	munmap(px, size);
}

/* A stream capture waits for the frame closest to its trigger; once that is known, it is drawn. */
static void try_stream_capture(struct sim *sim)
{
	struct zsl_frame f;
	enum zsl_result r;

	if (!sim->capturing || sim->req.mode != CAMERA_MODE_STREAM)
		return;
	r = zsl_pick(&sim->ring, sim->req.trigger_us, &f);
	if (r == ZSL_WAIT)
		return;
	if (r == ZSL_STALE)
		log_warning("The capture's moment is older than the frames kept; taking the oldest "
			    "(%llu ms after it)",
			    (unsigned long long)((f.frame_us - sim->req.trigger_us) / 1000));
	deliver(sim, sim->cfg->camera.stream_width, sim->cfg->camera.stream_height, f.frame_us,
		f.sequence, true);
}

static int on_frame(struct loop_source *s, void *userdata)
{
	struct sim *sim = userdata;
	int w = sim->cfg->camera.preview_width, h = sim->cfg->camera.preview_height;
	uint64_t k = (now_usec() - sim->t0) / sim->interval, first;
	uint64_t t;
	int i;

	(void)s;
	if (k <= sim->sequence)
		return 0;
	/* Every tick since the last one is a frame of the stream, even when the loop was late. */
	first = k - sim->sequence > SIM_RING ? k - SIM_RING + 1 : sim->sequence + 1;
	for (uint64_t j = first; j <= k; j++) {
		struct zsl_frame f = { sim->t0 + j * sim->interval, (uint32_t)j, -1 }, old;

		zsl_push(&sim->ring, &f, &old);
	}
	sim->sequence = (uint32_t)k;
	t = (sim->t0 + k * sim->interval) * 1000;
	i = sim->pv ? preview_acquire(sim->pv) : (int)(sim->sequence % SIM_BUFFERS);
	if (i >= 0) {
		simrender_draw(sim->bufs[i].map, w, h, sim->stride, t, sim->sequence, &sim->rng);
		if (sim->pv)
			preview_frame(sim->pv, (unsigned)i, sim->sequence, t);
	}
	try_stream_capture(sim);
	return 0;
}

static int on_still(struct loop_source *s, void *userdata)
{
	struct sim *sim = userdata;

	(void)s;
	if (!sim->capturing)
		return 0;
	if (sim->req.mode == CAMERA_MODE_FULL)
		/* The next frame, at full size: what a mode switch to a still gives. */
		deliver(sim, sim->cfg->camera.still_width, sim->cfg->camera.still_height,
			now_usec(), sim->sequence + 1, false);
	else
		try_stream_capture(sim);
	return 0;
}

static void sim_destroy(struct camera *c)
{
	struct sim *sim = to_sim(c);

	if (sim->pv)
		preview_set_buffers(sim->pv, NULL, 0);
	loop_source_remove(sim->frame_timer);
	loop_source_remove(sim->still_timer);
	for (size_t i = 0; i < SIM_BUFFERS; i++) {
		if (sim->bufs[i].map)
			munmap(sim->bufs[i].map, sim->bufs[i].size);
		if (sim->bufs[i].fd >= 0)
			close(sim->bufs[i].fd);
	}
	free(sim);
}

static int buffer_new(struct sim_buffer *b, size_t size)
{
	b->fd = memfd_create("booth-preview", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (b->fd < 0)
		return -errno;
	if (ftruncate(b->fd, (off_t)size) < 0)
		return -errno;
	/* Clients map it: sealing its size means we can never make them fault. */
	if (fcntl(b->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		return -errno;
	b->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		return -errno;
	}
	b->size = size;
	return 0;
}

static int sim_create(struct loop *l, const struct booth_config *cfg, struct preview *pv,
		      const struct camera_events *ev, void *userdata, struct camera **ret)
{
	struct preview_buffer_desc descs[SIM_BUFFERS];
	int w = cfg->camera.preview_width, h = cfg->camera.preview_height;
	uint64_t interval = 1000000 / (uint64_t)cfg->camera.preview_fps;
	struct sim *sim;
	int r;

	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return -ENOMEM;
	sim->base.backend = &camera_backend_sim;
	sim->loop = l;
	sim->cfg = cfg;
	sim->pv = pv;
	sim->ev = ev;
	sim->ud = userdata;
	sim->stride = (size_t)w * 4;
	sim->interval = interval;
	sim->t0 = now_usec();
	r = zsl_init(&sim->ring, SIM_RING, interval);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < SIM_BUFFERS; i++)
		sim->bufs[i].fd = -1;
	r = random_bytes(&sim->rng, sizeof(sim->rng));
	if (r < 0 || sim->rng == 0)
		sim->rng = 0x2545f491u;
	for (size_t i = 0; i < SIM_BUFFERS; i++) {
		r = buffer_new(&sim->bufs[i], sim->stride * (size_t)h);
		if (r < 0)
			goto fail;
		simrender_draw(sim->bufs[i].map, w, h, sim->stride, 0, 0, &sim->rng);
		descs[i] = (struct preview_buffer_desc){
			.fds = { sim->bufs[i].fd, -1, -1 },
			.width = (uint32_t)w,
			.height = (uint32_t)h,
			.fourcc = PREVIEW_FMT_XRGB8888,
			.n_planes = 1,
			.planes = { { .offset = 0,
				      .stride = (uint32_t)sim->stride,
				      .length = (uint32_t)sim->bufs[i].size } },
		};
	}
	if (pv) {
		r = preview_set_buffers(pv, descs, SIM_BUFFERS);
		if (r < 0)
			goto fail;
	}
	r = loop_add_timer(l, interval, interval, on_frame, sim, &sim->frame_timer);
	if (r == 0)
		r = loop_add_timer(l, 0, 0, on_still, sim, &sim->still_timer);
	if (r < 0)
		goto fail;
	log_info("Simulated camera: preview %dx%d at %d fps, capture stream %dx%d, full stills "
		 "%dx%d",
		 w, h, cfg->camera.preview_fps, cfg->camera.stream_width, cfg->camera.stream_height,
		 cfg->camera.still_width, cfg->camera.still_height);
	*ret = &sim->base;
	return 0;
fail:
	sim_destroy(&sim->base);
	return r;
}

static void sim_info(struct camera *c, struct camera_info *ret)
{
	struct sim *sim = to_sim(c);

	*ret = (struct camera_info){
		.status = CAMERA_STATUS_OK,
		.preview_width = sim->cfg->camera.preview_width,
		.preview_height = sim->cfg->camera.preview_height,
		.preview_fps = sim->cfg->camera.preview_fps,
		.still_width = sim->cfg->camera.still_width,
		.still_height = sim->cfg->camera.still_height,
		.stream_width = sim->cfg->camera.stream_width,
		.stream_height = sim->cfg->camera.stream_height,
	};
	strscpy(ret->model, "Simulated camera", sizeof(ret->model));
}

static int sim_capture(struct camera *c, const struct camera_request *req, void *token)
{
	struct sim *sim = to_sim(c);
	uint64_t now = now_usec();
	int r;

	if (sim->capturing)
		return -EBUSY;
	/* Decide on the next loop iteration, so the callback never runs inside this call. */
	r = loop_timer_set(sim->still_timer, 1, 0);
	if (r < 0)
		return r;
	sim->capturing = true;
	sim->token = token;
	sim->req = *req;
	if (!sim->req.trigger_us || sim->req.trigger_us > now + SIM_FUTURE_MAX_US)
		sim->req.trigger_us = now;
	return 0;
}

const struct camera_backend camera_backend_sim = {
	.name = "sim",
	.create = sim_create,
	.destroy = sim_destroy,
	.info = sim_info,
	.capture = sim_capture,
};
