/* SPDX-License-Identifier: MIT */
/* The DRM/KMS backend: atomic or legacy modeset, two dumb buffers, page flips paced by
 * drmHandleEvent, and hot-plug recovery from udev's drm events. */
#define _GNU_SOURCE /* F_GET_SEALS */
#include "kms.h"
#include "display.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <libudev.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

/* While no screen is connected, connectors are also looked at this often (in case udev does
 * not run, as in a container). */
#define PROBE_USEC  2000000
#define MODES_MAX   64
#define OUTPUTS_MAX 16

static struct kms_wish wish;

void kms_set_wish(const struct kms_wish *w)
{
	wish = *w;
}

int kms_parse_mode(const char *s, int *w, int *h, int *refresh)
{
	char *end;
	long a, b, r = 0;

	if (!*s)
		return 0;
	if (strcmp(s, "preferred") == 0)
		return 1;
	a = strtol(s, &end, 10);
	if (end == s || *end != 'x')
		return -EINVAL;
	s = end + 1;
	b = strtol(s, &end, 10);
	if (end == s)
		return -EINVAL;
	if (*end == '@') {
		s = end + 1;
		r = strtol(s, &end, 10);
		if (end == s || r < 1 || r > 1000)
			return -EINVAL;
	}
	if (*end || a < 1 || b < 1 || a > 16384 || b > 16384)
		return -EINVAL;
	*w = (int)a;
	*h = (int)b;
	*refresh = (int)r;
	return 2;
}

int kms_pick_mode(const struct kms_mode *modes, int n, const struct kms_wish *want)
{
	int best = -1;

	for (int i = 0; i < n; i++)
		if (modes[i].width == want->width && modes[i].height == want->height &&
		    (!want->refresh || modes[i].refresh == want->refresh) &&
		    (best < 0 || modes[i].refresh > modes[best].refresh))
			best = i;
	if (best >= 0 || (want->exact && want->width > 0))
		return best >= 0 ? best : -ENOENT;
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

void kms_connector_name(uint32_t type, uint32_t type_id, char *buf, int len)
{
	static const char *const names[] = {
		[DRM_MODE_CONNECTOR_Unknown] = "Unknown",
		[DRM_MODE_CONNECTOR_VGA] = "VGA",
		[DRM_MODE_CONNECTOR_DVII] = "DVI-I",
		[DRM_MODE_CONNECTOR_DVID] = "DVI-D",
		[DRM_MODE_CONNECTOR_DVIA] = "DVI-A",
		[DRM_MODE_CONNECTOR_Composite] = "Composite",
		[DRM_MODE_CONNECTOR_SVIDEO] = "SVIDEO",
		[DRM_MODE_CONNECTOR_LVDS] = "LVDS",
		[DRM_MODE_CONNECTOR_Component] = "Component",
		[DRM_MODE_CONNECTOR_9PinDIN] = "DIN",
		[DRM_MODE_CONNECTOR_DisplayPort] = "DP",
		[DRM_MODE_CONNECTOR_HDMIA] = "HDMI-A",
		[DRM_MODE_CONNECTOR_HDMIB] = "HDMI-B",
		[DRM_MODE_CONNECTOR_TV] = "TV",
		[DRM_MODE_CONNECTOR_eDP] = "eDP",
		[DRM_MODE_CONNECTOR_VIRTUAL] = "Virtual",
		[DRM_MODE_CONNECTOR_DSI] = "DSI",
		[DRM_MODE_CONNECTOR_DPI] = "DPI",
		[DRM_MODE_CONNECTOR_WRITEBACK] = "Writeback",
	};
	const char *name =
		type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "Unknown";

	snprintf(buf, (size_t)len, "%s-%u", name, type_id);
}

static bool built_in(uint32_t type)
{
	return type == DRM_MODE_CONNECTOR_DSI || type == DRM_MODE_CONNECTOR_DPI ||
	       type == DRM_MODE_CONNECTOR_eDP || type == DRM_MODE_CONNECTOR_LVDS;
}

int kms_pick_connector(const struct kms_output *outputs, int n, const char *want)
{
	int first = -1;

	for (int i = 0; i < n; i++) {
		if (!outputs[i].connected || outputs[i].n_modes < 1)
			continue;
		if (*want) {
			if (strcmp(outputs[i].name, want) == 0)
				return i;
			continue;
		}
		if (built_in(outputs[i].type))
			return i;
		if (first < 0)
			first = i;
	}
	return first >= 0 ? first : -ENOENT;
}

uint64_t kms_rotation(int degrees_cw, bool mirror)
{
	uint64_t r;

	/* DRM's rotations are counter-clockwise. */
	switch (degrees_cw) {
	case 0:
		r = DRM_MODE_ROTATE_0;
		break;
	case 90:
		r = DRM_MODE_ROTATE_270;
		break;
	case 180:
		r = DRM_MODE_ROTATE_180;
		break;
	case 270:
		r = DRM_MODE_ROTATE_90;
		break;
	default:
		return 0;
	}
	return mirror ? r | DRM_MODE_REFLECT_X : r;
}

void kms_cover_crop(int src_w, int src_h, int dst_w, int dst_h, int *x, int *y, int *w, int *h)
{
	/* Compare aspect ratios in integers: src_w / src_h against dst_w / dst_h. */
	if ((long long)src_w * dst_h > (long long)dst_w * src_h) {
		*h = src_h;
		*w = (int)((long long)src_h * dst_w / dst_h);
	} else {
		*w = src_w;
		*h = (int)((long long)src_w * dst_h / dst_w);
	}
	*x = (src_w - *w) / 2;
	*y = (src_h - *h) / 2;
}

int kms_preview_check(const struct kms_preview_caps *c, bool mirror, const char **why)
{
	*why = !c->enabled	       ? "[ui] preview_plane is off"
	       : !c->atomic	       ? "the driver has no atomic modesetting"
	       : c->rotated	       ? "the screen is rotated"
	       : !c->overlay	       ? "no overlay plane takes ARGB8888 for the words over it"
	       : !c->format	       ? "the primary plane cannot scan out the camera's format"
	       : mirror && !c->reflect ? "the primary plane cannot mirror ([ui] mirror is on)"
	       : c->memfd && !c->udmabuf
		       ? "the camera's buffers are memfds and there is no /dev/udmabuf"
	       : !c->dmabuf && !c->memfd ? "the camera's buffers are neither dmabufs nor memfds"
					 : NULL;
	return *why ? -EOPNOTSUPP : 0;
}

struct kms_buf {
	uint32_t handle, fb_id, pitch;
	uint32_t fb_argb; /* the same buffer as ARGB8888, for the overlay plane; 0: none */
	int w, h;
	uint64_t size;
	uint8_t *map;
};

/* Property ids of a plane an atomic commit touches. */
struct kms_plane_props {
	uint32_t fb_id, crtc_id, src_x, src_y, src_w, src_h, crtc_x, crtc_y, crtc_w, crtc_h;
	uint32_t rotation, zpos; /* 0: the plane has none */
};

/* Property ids of the objects an atomic commit touches. */
struct kms_props {
	uint32_t conn_crtc_id;
	uint32_t crtc_mode_id, crtc_active;
	struct kms_plane_props primary, overlay;
};

/* A camera buffer imported as a framebuffer (PRIME), kept while its set lasts. */
struct kms_import {
	uint32_t generation, index;
	uint32_t fb; /* 0: a free slot */
	uint32_t handles[PREVIEW_MAX_PLANES];
	int w, h;
};

struct kms {
	int fd;
	bool atomic;			     /* the driver takes atomic commits */
	bool active;			     /* a screen is connected and set up */
	uint32_t conn_id, crtc_id, plane_id; /* plane: the CRTC's primary (atomic) */
	uint32_t overlay_id;		     /* an overlay plane above it taking ARGB8888, or 0 */
	bool reflect;			     /* the primary plane can mirror (reflect-x) */
	uint64_t overlay_zpos;		     /* the zpos to give the overlay, if it has one */
	uint32_t mode_blob;
	char name[32]; /* the connector's */
	drmModeModeInfo mode;
	drmModeCrtc *saved; /* the CRTC as we found it, restored at close */
	struct kms_props props;
	struct kms_buf bufs[2];
	int front;	   /* the buffer on screen */
	bool flipping;	   /* a flip is queued; its event has not come yet */
	bool pending;	   /* a newer picture or preview frame waits for the flip to finish */
	bool fresh;	   /* the scanout picture changed since it was last committed */
	bool flip_back;	   /* the commit in flight shows the back buffer */
	bool modeset_done; /* the first picture went up with a modeset */
	/* The preview plane. */
	int udmabuf; /* /dev/udmabuf, -1: not opened yet, -2: none */
	struct kms_import imports[PREVIEW_MAX_BUFFERS];
	uint32_t generation; /* of the frames wanted now */
	int tested;	     /* this generation's plane setup: 1 works, 0 refused, -1 untested */
	struct kms_import *want, *shown, *queued; /* next, on screen, in the commit in flight */
	bool mirror;
	bool on_plane;	 /* the log last said the preview is on the plane */
	const char *why; /* the reason last logged for not using the plane */
	struct udev *udev;
	struct udev_monitor *monitor;
	struct loop_source *io, *hotplug, *probe;
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
	b->w = w;
	b->h = h;
	if (drmModeAddFB(k->fd, (uint32_t)w, (uint32_t)h, 24, 32, b->pitch, b->handle, &b->fb_id) <
	    0)
		return -errno;
	/* The same pixels with their alpha, for the words over the preview. */
	if (k->overlay_id) {
		uint32_t handles[4] = { b->handle }, pitches[4] = { b->pitch }, offsets[4] = { 0 };

		if (drmModeAddFB2(k->fd, (uint32_t)w, (uint32_t)h, DRM_FORMAT_ARGB8888, handles,
				  pitches, offsets, &b->fb_argb, 0) < 0)
			b->fb_argb = 0;
	}
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
	if (b->fb_argb)
		drmModeRmFB(k->fd, b->fb_argb);
	if (b->fb_id)
		drmModeRmFB(k->fd, b->fb_id);
	if (b->handle)
		drmIoctl(k->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	memset(b, 0, sizeof(*b));
}

static drmModePropertyRes *find_prop(int fd, uint32_t obj, uint32_t type, const char *name,
				     uint64_t *value)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj, type);
	drmModePropertyRes *found = NULL;

	for (uint32_t i = 0; props && i < props->count_props && !found; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && strcmp(p->name, name) == 0) {
			found = p;
			if (value)
				*value = props->prop_values[i];
		} else {
			drmModeFreeProperty(p);
		}
	}
	drmModeFreeObjectProperties(props);
	return found;
}

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name, uint64_t *value)
{
	drmModePropertyRes *p = find_prop(fd, obj, type, name, value);
	uint32_t id = p ? p->prop_id : 0;

	drmModeFreeProperty(p);
	return id;
}

/* Whether plane ID's rotation property offers reflect-x. */
static bool plane_reflects(int fd, uint32_t id)
{
	drmModePropertyRes *p = find_prop(fd, id, DRM_MODE_OBJECT_PLANE, "rotation", NULL);
	bool yes = false;

	for (int i = 0; p && i < p->count_enums; i++)
		yes |= strcmp(p->enums[i].name, "reflect-x") == 0;
	drmModeFreeProperty(p);
	return yes;
}

/* The overlay's zpos when it is above the primary plane: the planes' own (immutable) order, or
 * one above the primary's when it can be set; -1 if the overlay would be under it. Planes
 * without zpos stack in the order KMS gives them: overlays over the primary. */
static long long overlay_zpos(int fd, uint32_t primary, uint32_t overlay)
{
	uint64_t pz = 0, oz = 0;
	drmModePropertyRes *p = find_prop(fd, primary, DRM_MODE_OBJECT_PLANE, "zpos", &pz);
	drmModePropertyRes *o = find_prop(fd, overlay, DRM_MODE_OBJECT_PLANE, "zpos", &oz);
	long long z = (long long)oz;

	if (p && o && (o->flags & DRM_MODE_PROP_IMMUTABLE) && oz <= pz)
		z = -1;
	else if (p && o && !(o->flags & DRM_MODE_PROP_IMMUTABLE) && oz <= pz)
		z = (o->flags & DRM_MODE_PROP_RANGE) && o->count_values == 2 &&
				    pz + 1 <= o->values[1]
			    ? (long long)pz + 1
			    : -1;
	drmModeFreeProperty(p);
	drmModeFreeProperty(o);
	return z;
}

/* The primary plane of the CRTC at INDEX, and an overlay plane above it that can show ARGB8888
 * (the screen's words over the preview). */
static void find_planes(struct kms *k, int index)
{
	drmModePlaneRes *res = drmModeGetPlaneResources(k->fd);
	uint32_t overlays[8];
	int n = 0;

	k->plane_id = k->overlay_id = 0;
	for (uint32_t i = 0; res && i < res->count_planes; i++) {
		drmModePlane *p = drmModeGetPlane(k->fd, res->planes[i]);
		uint64_t type = 0;

		if (p && (p->possible_crtcs & (1u << index)) &&
		    prop_id(k->fd, p->plane_id, DRM_MODE_OBJECT_PLANE, "type", &type)) {
			if (type == DRM_PLANE_TYPE_PRIMARY && !k->plane_id)
				k->plane_id = p->plane_id;
			for (uint32_t f = 0;
			     type == DRM_PLANE_TYPE_OVERLAY && n < 8 && f < p->count_formats; f++)
				if (p->formats[f] == DRM_FORMAT_ARGB8888) {
					overlays[n++] = p->plane_id;
					break;
				}
		}
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(res);
	for (int i = 0; i < n && k->plane_id && !k->overlay_id; i++) {
		long long z = overlay_zpos(k->fd, k->plane_id, overlays[i]);

		if (z >= 0) {
			k->overlay_id = overlays[i];
			k->overlay_zpos = (uint64_t)z;
		}
	}
	k->reflect = k->plane_id && plane_reflects(k->fd, k->plane_id);
}

static bool plane_props(struct kms *k, uint32_t plane, struct kms_plane_props *p)
{
	const struct {
		const char *name;
		uint32_t *id;
	} want[] = {
		{ "FB_ID", &p->fb_id },	  { "CRTC_ID", &p->crtc_id }, { "SRC_X", &p->src_x },
		{ "SRC_Y", &p->src_y },	  { "SRC_W", &p->src_w },     { "SRC_H", &p->src_h },
		{ "CRTC_X", &p->crtc_x }, { "CRTC_Y", &p->crtc_y },   { "CRTC_W", &p->crtc_w },
		{ "CRTC_H", &p->crtc_h },
	};
	bool all = plane != 0;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]) && all; i++) {
		*want[i].id = prop_id(k->fd, plane, DRM_MODE_OBJECT_PLANE, want[i].name, NULL);
		all = *want[i].id != 0;
	}
	if (all) {
		p->rotation = prop_id(k->fd, plane, DRM_MODE_OBJECT_PLANE, "rotation", NULL);
		p->zpos = prop_id(k->fd, plane, DRM_MODE_OBJECT_PLANE, "zpos", NULL);
	}
	return all;
}

static bool atomic_props(struct kms *k)
{
	struct kms_props *p = &k->props;

	p->conn_crtc_id = prop_id(k->fd, k->conn_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", NULL);
	p->crtc_mode_id = prop_id(k->fd, k->crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID", NULL);
	p->crtc_active = prop_id(k->fd, k->crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", NULL);
	if (k->overlay_id && !plane_props(k, k->overlay_id, &p->overlay))
		k->overlay_id = 0;
	return p->conn_crtc_id && p->crtc_mode_id && p->crtc_active &&
	       plane_props(k, k->plane_id, &p->primary);
}
/* The connector to use (the wish's, or the best connected one), its mode, and a CRTC its
 * encoders can drive. Returns 0, or -ENOENT when no screen is connected. */
static int find_output(struct kms *k)
{
	drmModeRes *res = drmModeGetResources(k->fd);
	drmModeConnector *conns[OUTPUTS_MAX] = { NULL };
	struct kms_output outs[OUTPUTS_MAX];
	int n = 0, pick, r = -ENOENT;

	if (!res)
		return -ENODEV;
	for (int i = 0; i < res->count_connectors && n < OUTPUTS_MAX; i++) {
		drmModeConnector *c = drmModeGetConnector(k->fd, res->connectors[i]);

		if (!c)
			continue;
		conns[n] = c;
		kms_connector_name(c->connector_type, c->connector_type_id, outs[n].name,
				   sizeof(outs[n].name));
		outs[n].type = c->connector_type;
		outs[n].connected = c->connection == DRM_MODE_CONNECTED;
		outs[n].n_modes = c->count_modes;
		n++;
	}
	pick = kms_pick_connector(outs, n, wish.connector);
	if (pick >= 0) {
		drmModeConnector *c = conns[pick];
		struct kms_mode modes[MODES_MAX];
		int m = 0, mode;

		for (; m < c->count_modes && m < MODES_MAX; m++)
			modes[m] = (struct kms_mode){ c->modes[m].hdisplay, c->modes[m].vdisplay,
						      (int)c->modes[m].vrefresh,
						      (c->modes[m].type &
						       DRM_MODE_TYPE_PREFERRED) != 0 };
		mode = kms_pick_mode(modes, m, &wish);
		if (mode < 0)
			log_warning("%s has no %dx%d mode", outs[pick].name, wish.width,
				    wish.height);
		for (int e = 0; mode >= 0 && e < c->count_encoders && r < 0; e++) {
			drmModeEncoder *enc = drmModeGetEncoder(k->fd, c->encoders[e]);

			for (int j = 0; enc && j < res->count_crtcs; j++)
				if (enc->possible_crtcs & (1u << j)) {
					k->crtc_id = res->crtcs[j];
					k->conn_id = c->connector_id;
					k->mode = c->modes[mode];
					snprintf(k->name, sizeof(k->name), "%s", outs[pick].name);
					if (k->atomic)
						find_planes(k, j);
					r = 0;
					break;
				}
			drmModeFreeEncoder(enc);
		}
	}
	for (int i = 0; i < n; i++)
		drmModeFreeConnector(conns[i]);
	drmModeFreeResources(res);
	return r;
}

static void import_free(struct kms *k, struct kms_import *imp)
{
	if (imp->fb)
		drmModeRmFB(k->fd, imp->fb);
	for (int i = 0; i < PREVIEW_MAX_PLANES; i++) {
		bool dup = false;

		for (int j = 0; j < i; j++)
			dup |= imp->handles[j] == imp->handles[i];
		if (imp->handles[i] && !dup)
			drmCloseBufferHandle(k->fd, imp->handles[i]);
	}
	memset(imp, 0, sizeof(*imp));
}

/* Free the imports of sets other than the current one that the screen no longer reads. */
static void retire(struct kms *k)
{
	for (int i = 0; i < PREVIEW_MAX_BUFFERS; i++) {
		struct kms_import *imp = &k->imports[i];

		if (imp->fb && imp->generation != k->generation && imp != k->shown &&
		    imp != k->queued && imp != k->want)
			import_free(k, imp);
	}
}

/* A dmabuf for plane fd FD of LEN bytes: FD itself (borrowed, *OWNED -1) for a dmabuf, or one
 * /dev/udmabuf makes of a memfd (*OWNED: to close). Returns the fd or -errno. */
static int as_dmabuf(struct kms *k, int fd, uint64_t len, int *owned)
{
	struct udmabuf_create c = { .memfd = (uint32_t)fd, .flags = UDMABUF_FLAGS_CLOEXEC };
	long page = sysconf(_SC_PAGESIZE);
	int r;

	*owned = -1;
	if (fcntl(fd, F_GET_SEALS) < 0)
		return fd; /* not a memfd: a dmabuf, or PRIME refuses it */
	if (k->udmabuf == -2)
		return -ENODEV;
	c.size = (len + (uint64_t)page - 1) / (uint64_t)page * (uint64_t)page;
	r = ioctl(k->udmabuf, UDMABUF_CREATE, &c);
	if (r < 0)
		return -errno;
	*owned = r;
	return r;
}

/* Import frame F as a framebuffer into IMP. Returns 0 or -errno. */
static int import(struct kms *k, const struct display_frame *f, struct kms_import *imp)
{
	const struct preview_buffer *b = f->buf;
	uint32_t pitches[4] = { 0 }, offsets[4] = { 0 }, handles[4] = { 0 };
	uint64_t mods[4] = { 0 };
	int r = 0;

	memset(imp, 0, sizeof(*imp));
	for (uint32_t i = 0; i < b->n_planes && i < PREVIEW_MAX_PLANES && r >= 0; i++) {
		int fd = f->fds[i] >= 0 ? f->fds[i] : f->fds[0], owned, dmabuf;

		dmabuf = as_dmabuf(k, fd, (uint64_t)b->planes[i].offset + b->planes[i].length,
				   &owned);
		r = dmabuf;
		if (dmabuf >= 0)
			r = drmPrimeFDToHandle(k->fd, dmabuf, &imp->handles[i]) < 0 ? -errno : 0;
		/* The GEM object holds the dmabuf from here. */
		if (owned >= 0)
			close(owned);
		handles[i] = imp->handles[i];
		pitches[i] = b->planes[i].stride;
		offsets[i] = b->planes[i].offset;
		mods[i] = b->modifier;
	}
	if (r >= 0)
		r = drmModeAddFB2WithModifiers(k->fd, b->width, b->height, b->fourcc, handles,
					       pitches, offsets, mods, &imp->fb,
					       b->modifier ? DRM_MODE_FB_MODIFIERS : 0) < 0
			    ? -errno
			    : 0;
	if (r < 0) {
		import_free(k, imp);
		return r;
	}
	imp->generation = f->generation;
	imp->index = b->index;
	imp->w = (int)b->width;
	imp->h = (int)b->height;
	return 0;
}

static void add_plane(drmModeAtomicReq *req, uint32_t plane, const struct kms_plane_props *p,
		      uint32_t crtc, uint32_t fb, const int src[4], int w, int h)
{
	drmModeAtomicAddProperty(req, plane, p->fb_id, fb);
	drmModeAtomicAddProperty(req, plane, p->crtc_id, fb ? crtc : 0);
	drmModeAtomicAddProperty(req, plane, p->src_x, (uint64_t)src[0] << 16);
	drmModeAtomicAddProperty(req, plane, p->src_y, (uint64_t)src[1] << 16);
	drmModeAtomicAddProperty(req, plane, p->src_w, (uint64_t)src[2] << 16);
	drmModeAtomicAddProperty(req, plane, p->src_h, (uint64_t)src[3] << 16);
	drmModeAtomicAddProperty(req, plane, p->crtc_x, 0);
	drmModeAtomicAddProperty(req, plane, p->crtc_y, 0);
	drmModeAtomicAddProperty(req, plane, p->crtc_w, (uint64_t)w);
	drmModeAtomicAddProperty(req, plane, p->crtc_h, (uint64_t)h);
}

/* One atomic commit of the whole picture: UI buffer B, and preview frame PV (NULL: none) on the
 * primary plane under B on the overlay. FLAGS: DRM_MODE_ATOMIC_* (a modeset also sets the
 * connector and CRTC). */
static int atomic_commit(struct kms *k, const struct kms_buf *b, const struct kms_import *pv,
			 uint32_t flags, void *data)
{
	const struct kms_props *p = &k->props;
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	int full[4] = { 0, 0, b->w, b->h }, crop[4];
	int r;

	if (!req)
		return -ENOMEM;
	if (flags & DRM_MODE_ATOMIC_ALLOW_MODESET) {
		drmModeAtomicAddProperty(req, k->conn_id, p->conn_crtc_id, k->crtc_id);
		drmModeAtomicAddProperty(req, k->crtc_id, p->crtc_mode_id, k->mode_blob);
		drmModeAtomicAddProperty(req, k->crtc_id, p->crtc_active, 1);
	}
	if (pv) {
		kms_cover_crop(pv->w, pv->h, b->w, b->h, &crop[0], &crop[1], &crop[2], &crop[3]);
		add_plane(req, k->plane_id, &p->primary, k->crtc_id, pv->fb, crop, b->w, b->h);
		add_plane(req, k->overlay_id, &p->overlay, k->crtc_id, b->fb_argb, full, b->w,
			  b->h);
		if (p->overlay.zpos)
			drmModeAtomicAddProperty(req, k->overlay_id, p->overlay.zpos,
						 k->overlay_zpos);
	} else {
		add_plane(req, k->plane_id, &p->primary, k->crtc_id, b->fb_id, full, b->w, b->h);
		if (k->overlay_id)
			add_plane(req, k->overlay_id, &p->overlay, k->crtc_id, 0, full, b->w, b->h);
	}
	if (p->primary.rotation)
		drmModeAtomicAddProperty(req, k->plane_id, p->primary.rotation,
					 kms_rotation(0, pv && k->mirror));
	r = drmModeAtomicCommit(k->fd, req, flags, data) < 0 ? -errno : 0;
	drmModeAtomicFree(req);
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
	if (!k->flipping)
		return;
	k->flipping = false;
	if (k->flip_back)
		k->front ^= 1;
	k->shown = k->queued;
	k->queued = NULL;
	retire(k);
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

/* Copy the scanout picture into B, centred (a mode of another size than the picture, after a
 * different screen was plugged in, gets black borders or a centred crop). */
static void fill(const struct display *d, struct kms_buf *b)
{
	int w = d->phys_w < b->w ? d->phys_w : b->w, h = d->phys_h < b->h ? d->phys_h : b->h;
	int dx = (b->w - w) / 2, dy = (b->h - h) / 2, sx = (d->phys_w - w) / 2,
	    sy = (d->phys_h - h) / 2;

	for (int y = 0; y < h; y++)
		memcpy(b->map + (size_t)(y + dy) * b->pitch + (size_t)dx * 4,
		       d->scanout + (size_t)(y + sy) * (size_t)d->phys_w + sx, (size_t)w * 4);
}

/* Put the newest picture (copied into the back buffer if it changed) and preview frame up: a
 * modeset the first time, then flips. While a flip is queued they wait: on_flip() shows the
 * newest. Without a screen the picture waits in d->scanout for one. */
static int show(struct display *d)
{
	struct kms *k = d->priv;
	struct kms_buf *b = &k->bufs[k->front ^ 1];
	int r;

	if (!k->active)
		return 0;
	if (k->flipping) {
		k->pending = true;
		return -EBUSY;
	}
	k->pending = false;
	if (!k->modeset_done) {
		fill(d, b);
		r = k->atomic ? atomic_commit(k, b, NULL, DRM_MODE_ATOMIC_ALLOW_MODESET, d)
			      : -EOPNOTSUPP;
		if (r < 0 && k->atomic)
			/* Some drivers announce atomic but refuse our commit: fall back. */
			log_info("%s: the atomic modeset failed (%s); using legacy modesetting",
				 k->name, strerror(-r));
		if (r < 0) {
			k->atomic = false;
			r = drmModeSetCrtc(k->fd, k->crtc_id, b->fb_id, 0, 0, &k->conn_id, 1,
					   &k->mode) < 0
				    ? -errno
				    : 0;
		}
		if (r < 0)
			return r;
		k->modeset_done = true;
		k->fresh = false;
		k->front ^= 1;
		return 0;
	}
	if (!k->fresh && k->want == k->shown)
		return 0;
	/* Only a new preview frame: the words on screen stay, in the same buffer. */
	k->flip_back = k->fresh;
	if (!k->fresh)
		b = &k->bufs[k->front];
	else
		fill(d, b);
	if (k->atomic)
		r = atomic_commit(k, b, k->want,
				  DRM_MODE_PAGE_FLIP_EVENT | DRM_MODE_ATOMIC_NONBLOCK, d);
	else
		r = drmModePageFlip(k->fd, k->crtc_id, b->fb_id, DRM_MODE_PAGE_FLIP_EVENT, d) < 0
			    ? -errno
			    : 0;
	if (r < 0)
		return r;
	k->fresh = false;
	k->queued = k->want;
	k->flipping = true;
	return 0;
}

static int kms_present(struct display *d)
{
	struct kms *k = d->priv;

	k->fresh = true;
	return show(d);
}

/* Forget the screen we had (unplugged, or about to be set up again). */
static void deactivate(struct kms *k)
{
	for (int i = 0; i < 2; i++)
		buf_destroy(k, &k->bufs[i]);
	if (k->mode_blob)
		drmModeDestroyPropertyBlob(k->fd, k->mode_blob);
	k->mode_blob = 0;
	k->active = k->modeset_done = k->flipping = k->pending = false;
	k->front = 0;
	/* Nothing is on screen any more: every import can go. */
	k->want = k->shown = k->queued = NULL;
	for (int i = 0; i < PREVIEW_MAX_BUFFERS; i++)
		import_free(k, &k->imports[i]);
	k->tested = -1;
}

/* Set up the connected screen: buffers of its mode and the atomic state; with SHOW, show the
 * picture. */
static int activate(struct display *d, bool show_now)
{
	struct kms *k = d->priv;
	int r = 0;

	if (k->atomic &&
	    (!atomic_props(k) ||
	     drmModeCreatePropertyBlob(k->fd, &k->mode, sizeof(k->mode), &k->mode_blob) < 0)) {
		log_info("%s: no usable atomic state; using legacy modesetting", k->name);
		k->atomic = false;
	}
	if (!k->atomic)
		k->overlay_id = 0;
	for (int i = 0; i < 2 && r >= 0; i++)
		r = buf_create(k, &k->bufs[i], k->mode.hdisplay, k->mode.vdisplay);
	if (r < 0) {
		deactivate(k);
		return r;
	}
	k->active = true;
	k->fresh = true;
	log_info("Screen %s: %dx%d@%u (%s modesetting%s)", k->name, k->mode.hdisplay,
		 k->mode.vdisplay, k->mode.vrefresh, k->atomic ? "atomic" : "legacy",
		 k->overlay_id && k->bufs[0].fb_argb
			 ? ", an overlay plane for the words over a preview plane"
			 : "");
	r = show_now ? show(d) : 0;
	return r == -EBUSY ? 0 : r;
}

/* What booth-ui is told when the preview stays in software: logged when the reason changes. */
static int refuse(struct kms *k, const char *why)
{
	if (why != k->why)
		log_info("Preview: drawn in software (%s)", why);
	k->why = why;
	k->on_plane = false;
	k->want = NULL;
	return -EOPNOTSUPP;
}

/* The import of frame F, made now if need be; NULL (and *R) if it cannot be. */
static struct kms_import *import_for(struct kms *k, const struct display_frame *f, int *r)
{
	struct kms_import *free_slot = NULL;

	*r = 0;
	for (int i = 0; i < PREVIEW_MAX_BUFFERS; i++) {
		struct kms_import *imp = &k->imports[i];

		if (imp->fb && imp->generation == f->generation && imp->index == f->buf->index)
			return imp;
		if (!imp->fb && !free_slot)
			free_slot = imp;
	}
	*r = free_slot ? import(k, f, free_slot) : -ENOSPC;
	return *r < 0 ? NULL : free_slot;
}

static bool primary_takes(struct kms *k, uint32_t fourcc, uint64_t modifier)
{
	drmModePlane *p = drmModeGetPlane(k->fd, k->plane_id);
	bool yes = false;

	/* Linear buffers only: a modifier needs IN_FORMATS, which the preview's cameras here
	 * do not use. */
	for (uint32_t i = 0; p && modifier == 0 && i < p->count_formats; i++)
		yes |= p->formats[i] == fourcc;
	drmModeFreePlane(p);
	return yes;
}

/* Whether frame F can go on the primary plane under the words (the first frame of a set is
 * checked, the ones after it go the same way): 0, or -EOPNOTSUPP with the reason in *WHY. */
static int check(struct display *d, const struct display_frame *f, bool mirror, const char **why)
{
	struct kms *k = d->priv;
	struct kms_preview_caps caps = { .enabled = wish.preview_plane, .atomic = k->atomic };

	caps.overlay = k->overlay_id && k->bufs[0].fb_argb && k->bufs[1].fb_argb;
	caps.format = primary_takes(k, f->buf->fourcc, f->buf->modifier);
	caps.reflect = k->reflect;
	caps.memfd = fcntl(f->fds[0], F_GET_SEALS) >= 0;
	caps.dmabuf = !caps.memfd;
	if (caps.memfd && k->udmabuf == -1) {
		k->udmabuf = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
		k->udmabuf = k->udmabuf < 0 ? -2 : k->udmabuf;
	}
	caps.udmabuf = k->udmabuf >= 0;
	caps.rotated = d->rotation != 0;
	return kms_preview_check(&caps, mirror, why);
}

static int kms_preview(struct display *d, const struct display_frame *f, bool mirror)
{
	struct kms *k = d->priv;
	struct kms_import *imp;
	const char *why;
	int r;

	if (!f || !k->active || !k->modeset_done) {
		/* Down from the plane: the next present puts the picture on the primary. */
		k->want = NULL;
		return f ? -EAGAIN : 0;
	}
	if (f->generation != k->generation) {
		k->generation = f->generation;
		k->tested = -1;
		retire(k);
	}
	if (k->tested == 0)
		return refuse(k, k->why);
	if (k->tested < 0 && check(d, f, mirror, &why) < 0) {
		k->tested = 0;
		return refuse(k, why);
	}
	imp = import_for(k, f, &r);
	if (!imp) {
		k->tested = 0;
		log_info("Preview: the camera's buffer cannot be imported: %s", strerror(-r));
		return refuse(k, "the camera's buffers cannot be imported");
	}
	k->mirror = mirror;
	if (k->tested < 0) {
		/* The driver has the last word (scaling, crop, formats, bandwidth). */
		r = atomic_commit(k, &k->bufs[k->front], imp, DRM_MODE_ATOMIC_TEST_ONLY, NULL);
		k->tested = r == 0;
		if (r < 0) {
			log_info("Preview: the driver refuses %.4s %dx%d on the primary plane of a "
				 "%dx%d screen: %s",
				 (const char *)&f->buf->fourcc, imp->w, imp->h, k->bufs[0].w,
				 k->bufs[0].h, strerror(-r));
			return refuse(k, "the driver refuses the planes' configuration");
		}
		if (!k->on_plane)
			log_info("Preview: on the primary plane without a copy (%s, %.4s %dx%d, "
				 "%s), "
				 "the words on an overlay plane",
				 fcntl(f->fds[0], F_GET_SEALS) >= 0
					 ? "the camera's memfds made dmabufs by /dev/udmabuf"
					 : "the camera's dmabufs",
				 (const char *)&f->buf->fourcc, imp->w, imp->h,
				 mirror ? "mirrored" : "not mirrored");
		k->on_plane = true;
		k->why = NULL;
	}
	if (imp == k->want && (k->shown || k->queued))
		return 0;
	k->want = imp;
	/* Coming from the software path, the picture on screen has no hole for the preview: the
	 * next present brings one, with this frame. */
	if (!k->shown && !k->queued)
		return 0;
	r = show(d);
	return r == -EBUSY ? 0 : r;
}

static uint32_t kms_preview_busy(struct display *d)
{
	struct kms *k = d->priv;
	const struct kms_import *on[3] = { k->shown, k->queued, k->want };
	uint32_t mask = 0;

	for (int i = 0; i < 3; i++)
		if (on[i] && on[i]->generation == k->generation)
			mask |= 1u << on[i]->index;
	return mask;
}

/* Connectors changed (or may have): follow the screen going away, coming back, or changing. */
static void probe(struct display *d)
{
	struct kms *k = d->priv;
	drmModeModeInfo old = k->mode;
	uint32_t old_conn = k->conn_id;
	bool was = k->active;
	int r = find_output(k);

	if (r < 0) {
		if (was)
			log_warning("Screen %s disconnected; waiting for a screen", k->name);
		deactivate(k);
		loop_timer_set(k->probe, PROBE_USEC, PROBE_USEC);
		return;
	}
	if (was && old_conn == k->conn_id && memcmp(&old, &k->mode, sizeof(old)) == 0)
		return;
	deactivate(k);
	r = activate(d, true);
	if (r < 0) {
		log_warning("Cannot show the screen on %s: %s", k->name, strerror(-r));
		deactivate(k);
	}
	loop_timer_set(k->probe, k->active ? 0 : PROBE_USEC, k->active ? 0 : PROBE_USEC);
}

static int on_hotplug(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	struct display *d = userdata;
	struct kms *k = d->priv;
	struct udev_device *dev;
	bool hotplug = false;

	(void)s;
	(void)fd;
	(void)revents;
	while ((dev = udev_monitor_receive_device(k->monitor))) {
		const char *v = udev_device_get_property_value(dev, "HOTPLUG");

		hotplug |= v && strcmp(v, "1") == 0;
		udev_device_unref(dev);
	}
	if (hotplug)
		probe(d);
	return 0;
}

static int on_probe(struct loop_source *s, void *userdata)
{
	(void)s;
	probe(userdata);
	return 0;
}

static void kms_close(struct display *d)
{
	struct kms *k = d->priv;

	if (!k)
		return;
	k->io = loop_source_remove(k->io);
	k->hotplug = loop_source_remove(k->hotplug);
	k->probe = loop_source_remove(k->probe);
	if (k->monitor)
		udev_monitor_unref(k->monitor);
	if (k->udev)
		udev_unref(k->udev);
	if (k->saved && k->active) {
		drmModeSetCrtc(k->fd, k->saved->crtc_id, k->saved->buffer_id, k->saved->x,
			       k->saved->y, &k->conn_id, 1, &k->saved->mode);
	}
	if (k->saved)
		drmModeFreeCrtc(k->saved);
	deactivate(k);
	if (k->udmabuf >= 0)
		close(k->udmabuf);
	if (k->fd >= 0)
		close(k->fd);
	free(k);
	d->priv = NULL;
}

/* The udev monitor for drm hot-plug events; without udev the probe timer does the work. */
static void watch_hotplug(struct display *d, struct loop *l)
{
	struct kms *k = d->priv;

	k->udev = udev_new();
	if (k->udev)
		k->monitor = udev_monitor_new_from_netlink(k->udev, "udev");
	if (!k->monitor ||
	    udev_monitor_filter_add_match_subsystem_devtype(k->monitor, "drm", NULL) < 0 ||
	    udev_monitor_enable_receiving(k->monitor) < 0 ||
	    loop_add_io(l, udev_monitor_get_fd(k->monitor), EPOLLIN, on_hotplug, d, &k->hotplug) <
		    0)
		log_info("No udev hot-plug events; looking for screens every %d s",
			 PROBE_USEC / 1000000);
}

static int kms_open(struct display *d, struct loop *l)
{
	struct kms *k = calloc(1, sizeof(*k));
	int r = -ENODEV;

	if (!k)
		return -ENOMEM;
	k->fd = -1;
	k->udmabuf = -1;
	k->tested = -1;
	d->priv = k;
	/* The first card that has connectors (a render-only GPU has none). */
	for (int i = 0; i < 8 && r == -ENODEV; i++) {
		char path[32];
		drmModeRes *res;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		k->fd = open(path, O_RDWR | O_CLOEXEC);
		if (k->fd < 0)
			continue;
		res = drmModeGetResources(k->fd);
		if (res && res->count_connectors > 0 && res->count_crtcs > 0)
			r = 0;
		drmModeFreeResources(res);
		if (r < 0) {
			close(k->fd);
			k->fd = -1;
		}
	}
	if (r < 0)
		goto fail;
	k->atomic = drmSetClientCap(k->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) == 0 &&
		    drmSetClientCap(k->fd, DRM_CLIENT_CAP_ATOMIC, 1) == 0;
	r = find_output(k);
	if (r == 0) {
		/* The picture is the mode's size from the start. */
		d->phys_w = k->mode.hdisplay;
		d->phys_h = k->mode.vdisplay;
		k->saved = drmModeGetCrtc(k->fd, k->crtc_id);
	} else if (r == -ENOENT) {
		log_warning("No screen connected; waiting for one (the picture is %dx%d)",
			    d->phys_w, d->phys_h);
	} else {
		goto fail;
	}
	r = 0;
	if (l) {
		r = loop_add_io(l, k->fd, EPOLLIN, on_drm, d, &k->io);
		if (r >= 0)
			r = loop_add_timer(l, k->conn_id ? 0 : PROBE_USEC,
					   k->conn_id ? 0 : PROBE_USEC, on_probe, d, &k->probe);
		if (r >= 0)
			watch_hotplug(d, l);
	}
	/* The first picture goes up with the first present. */
	if (r >= 0 && k->conn_id)
		r = activate(d, false);
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
	.present = kms_present,
	.preview = kms_preview,
	.preview_busy = kms_preview_busy,
};
