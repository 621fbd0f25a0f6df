/* SPDX-License-Identifier: MIT */
/* The simulated camera: preview frames drawn into a ring of sealed memfds from a timerfd, stills
 * drawn at full size on request. */
#define _GNU_SOURCE /* memfd_create */
#include "backend.h"

#include "log.h"
#include "simrender.h"
#include "util.h"

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
	bool capturing;
	void *token;
};

static struct sim *to_sim(struct camera *c)
{
	return (struct sim *)c;
}

static int on_frame(struct loop_source *s, void *userdata)
{
	struct sim *sim = userdata;
	int w = sim->cfg->camera.preview_width, h = sim->cfg->camera.preview_height;
	uint64_t t = now_usec() * 1000;
	int i;

	(void)s;
	i = sim->pv ? preview_acquire(sim->pv) : (int)(sim->sequence % SIM_BUFFERS);
	if (i < 0)
		return 0;
	simrender_draw(sim->bufs[i].map, w, h, sim->stride, t, sim->sequence, &sim->rng);
	if (sim->pv)
		preview_frame(sim->pv, (unsigned)i, sim->sequence, t);
	sim->sequence++;
	return 0;
}

static int on_still(struct loop_source *s, void *userdata)
{
	struct sim *sim = userdata;
	int w = sim->cfg->camera.still_width, h = sim->cfg->camera.still_height;
	struct camera_image img = { .width = w, .height = h, .stride = (size_t)w * 4 };
	uint64_t t0 = now_usec();
	uint8_t *px;

	(void)s;
	if (!sim->capturing)
		return 0;
	sim->capturing = false;
	px = malloc(img.stride * (size_t)h);
	if (!px) {
		sim->ev->still(sim->ud, sim->token, NULL, -ENOMEM,
			       "there is not enough memory for the photo");
		return 0;
	}
	img.taken_ms = wall_msec();
	simrender_draw(px, w, h, img.stride, t0 * 1000, sim->sequence, &sim->rng);
	log_debug("Simulated still %dx%d drawn in %llu ms", w, h,
		  (unsigned long long)((now_usec() - t0) / 1000));
	img.pixels = px;
	sim->ev->still(sim->ud, sim->token, &img, 0, NULL);
	free(px);
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
	log_info("Simulated camera: preview %dx%d at %d fps, stills %dx%d", w, h,
		 cfg->camera.preview_fps, cfg->camera.still_width, cfg->camera.still_height);
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
	};
	strscpy(ret->model, "Simulated camera", sizeof(ret->model));
}

static int sim_capture(struct camera *c, void *token)
{
	struct sim *sim = to_sim(c);
	int r;

	if (sim->capturing)
		return -EBUSY;
	/* Draw on the next loop iteration, so the callback never runs inside this call. */
	r = loop_timer_set(sim->still_timer, 1, 0);
	if (r < 0)
		return r;
	sim->capturing = true;
	sim->token = token;
	return 0;
}

const struct camera_backend camera_backend_sim = {
	.name = "sim",
	.create = sim_create,
	.destroy = sim_destroy,
	.info = sim_info,
	.capture = sim_capture,
};
