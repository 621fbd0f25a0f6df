/* SPDX-License-Identifier: MIT */
/* The DRM/KMS backend: legacy modeset, two dumb buffers, page flips paced by drmHandleEvent. */
#include "kms.h"
#include "display.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

int kms_pick_mode(const struct kms_mode *modes, int n, int want_w, int want_h)
{
	int best = -1;

	for (int i = 0; i < n; i++)
		if (modes[i].width == want_w && modes[i].height == want_h &&
		    (best < 0 || modes[i].refresh > modes[best].refresh))
			best = i;
	if (best >= 0)
		return best;
	for (int i = 0; i < n; i++)
		if (modes[i].preferred)
			return i;
	for (int i = 0; i < n; i++) {
		long area = (long)modes[i].width * modes[i].height;
		long barea = best < 0 ? -1 : (long)modes[best].width * modes[best].height;

		if (area > barea || (area == barea && modes[i].refresh > modes[best].refresh))
			best = i;
	}
	return best < 0 ? -ENOENT : best;
}

struct kms_buf {
	uint32_t handle, fb_id, pitch;
	uint64_t size;
	uint8_t *map;
};

struct kms {
	int fd;
	uint32_t conn_id, crtc_id;
	drmModeModeInfo mode;
	drmModeCrtc *saved; /* the CRTC as we found it, restored at close */
	struct kms_buf bufs[2];
	int front;	   /* the buffer on screen */
	bool flipping;	   /* a flip is queued; its event has not come yet */
	bool pending;	   /* a newer picture waits for the flip to finish */
	bool modeset_done; /* the first picture went up with drmModeSetCrtc */
	struct loop_source *io;
};

static int buf_create(struct kms *k, struct kms_buf *b, int w, int h)
{
	struct drm_mode_create_dumb create = { .width = (uint32_t)w,
					       .height = (uint32_t)h,
					       .bpp = 32 };
	struct drm_mode_map_dumb map = { 0 };
	void *p;

	if (drmIoctl(k->fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) < 0)
		return -errno;
	b->handle = create.handle;
	b->pitch = create.pitch;
	b->size = create.size;
	if (drmModeAddFB(k->fd, (uint32_t)w, (uint32_t)h, 24, 32, b->pitch, b->handle, &b->fb_id) <
	    0)
		return -errno;
	map.handle = b->handle;
	if (drmIoctl(k->fd, DRM_IOCTL_MODE_MAP_DUMB, &map) < 0)
		return -errno;
	p = mmap(NULL, (size_t)b->size, PROT_READ | PROT_WRITE, MAP_SHARED, k->fd,
		 (off_t)map.offset);
	if (p == MAP_FAILED)
		return -errno;
	b->map = p;
	memset(b->map, 0, (size_t)b->size);
	return 0;
}

static void buf_destroy(struct kms *k, struct kms_buf *b)
{
	struct drm_mode_destroy_dumb d = { .handle = b->handle };

	if (b->map)
		munmap(b->map, (size_t)b->size);
	if (b->fb_id)
		drmModeRmFB(k->fd, b->fb_id);
	if (b->handle)
		drmIoctl(k->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	memset(b, 0, sizeof(*b));
}

/* The first connected connector with modes, its mode, and a CRTC its encoder can drive. */
static int find_output(struct kms *k, int want_w, int want_h)
{
	drmModeRes *res = drmModeGetResources(k->fd);
	int r = -ENODEV;

	if (!res)
		return -ENODEV;
	for (int i = 0; i < res->count_connectors && r < 0; i++) {
		drmModeConnector *c = drmModeGetConnector(k->fd, res->connectors[i]);
		struct kms_mode modes[64];
		int n = 0, pick;

		if (!c)
			continue;
		if (c->connection == DRM_MODE_CONNECTED && c->count_modes > 0) {
			for (int m = 0; m < c->count_modes && n < 64; m++, n++)
				modes[n] = (struct kms_mode){
					c->modes[m].hdisplay, c->modes[m].vdisplay,
					(int)c->modes[m].vrefresh,
					(c->modes[m].type & DRM_MODE_TYPE_PREFERRED) != 0
				};
			pick = kms_pick_mode(modes, n, want_w, want_h);
			for (int e = 0; pick >= 0 && e < c->count_encoders && r < 0; e++) {
				drmModeEncoder *enc = drmModeGetEncoder(k->fd, c->encoders[e]);

				for (int j = 0; enc && j < res->count_crtcs; j++)
					if (enc->possible_crtcs & (1u << j)) {
						k->crtc_id = res->crtcs[j];
						k->conn_id = c->connector_id;
						k->mode = c->modes[pick];
						r = 0;
						break;
					}
				drmModeFreeEncoder(enc);
			}
		}
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);
	return r;
}

static int show(struct display *d);

static void on_flip(int fd, unsigned int seq, unsigned int sec, unsigned int usec, void *data)
{
	struct display *d = data;
	struct kms *k = d->priv;

	(void)fd;
	(void)seq;
	(void)sec;
	(void)usec;
	k->flipping = false;
	k->front ^= 1;
	if (k->pending)
		show(d);
}

static int on_drm(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	drmEventContext ev = { .version = 2, .page_flip_handler = on_flip };

	(void)s;
	(void)revents;
	(void)userdata;
	/* The flip handler gets the display as its user data, passed with the flip. */
	return drmHandleEvent(fd, &ev) < 0 ? -EIO : 0;
}

/* Copy the scanout picture into the back buffer and flip to it (or set the mode, the first
 * time). While a flip is queued the picture waits: on_flip() shows the newest one. */
static int show(struct display *d)
{
	struct kms *k = d->priv;
	struct kms_buf *b = &k->bufs[k->front ^ 1];

	if (k->flipping) {
		k->pending = true;
		return -EBUSY;
	}
	k->pending = false;
	for (int y = 0; y < d->phys_h; y++)
		memcpy(b->map + (size_t)y * b->pitch, d->scanout + (size_t)y * (size_t)d->phys_w,
		       (size_t)d->phys_w * 4);
	if (!k->modeset_done) {
		if (drmModeSetCrtc(k->fd, k->crtc_id, b->fb_id, 0, 0, &k->conn_id, 1, &k->mode) < 0)
			return -errno;
		k->modeset_done = true;
		k->front ^= 1;
		return 0;
	}
	if (drmModePageFlip(k->fd, k->crtc_id, b->fb_id, DRM_MODE_PAGE_FLIP_EVENT, d) < 0)
		return -errno;
	k->flipping = true;
	return 0;
}

static void kms_close(struct display *d)
{
	struct kms *k = d->priv;

	if (!k)
		return;
	k->io = loop_source_remove(k->io);
	if (k->saved) {
		drmModeSetCrtc(k->fd, k->saved->crtc_id, k->saved->buffer_id, k->saved->x,
			       k->saved->y, &k->conn_id, 1, &k->saved->mode);
		drmModeFreeCrtc(k->saved);
	}
	for (int i = 0; i < 2; i++)
		buf_destroy(k, &k->bufs[i]);
	if (k->fd >= 0)
		close(k->fd);
	free(k);
	d->priv = NULL;
}

static int kms_open(struct display *d, struct loop *l)
{
	struct kms *k = calloc(1, sizeof(*k));
	int r = -ENODEV;

	if (!k)
		return -ENOMEM;
	k->fd = -1;
	d->priv = k;
	for (int i = 0; i < 8 && r < 0; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		k->fd = open(path, O_RDWR | O_CLOEXEC);
		if (k->fd < 0)
			continue;
		r = find_output(k, d->phys_w, d->phys_h);
		if (r < 0) {
			close(k->fd);
			k->fd = -1;
		}
	}
	if (r < 0)
		goto fail;
	d->phys_w = k->mode.hdisplay;
	d->phys_h = k->mode.vdisplay;
	k->saved = drmModeGetCrtc(k->fd, k->crtc_id);
	for (int i = 0; i < 2 && r >= 0; i++)
		r = buf_create(k, &k->bufs[i], d->phys_w, d->phys_h);
	if (r >= 0 && l)
		r = loop_add_io(l, k->fd, EPOLLIN, on_drm, d, &k->io);
	if (r < 0)
		goto fail;
	return 0;
fail:
	kms_close(d);
	return r;
}

const struct display_backend kms_backend = {
	.name = "drm",
	.open = kms_open,
	.close = kms_close,
	.present = show,
};
