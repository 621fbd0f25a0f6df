/* SPDX-License-Identifier: MIT */
/* The DRM/KMS backend: atomic or legacy modeset, two dumb buffers, page flips paced by
 * drmHandleEvent, and hot-plug recovery from udev's drm events. */
#include "kms.h"
#include "display.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <libudev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
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

struct kms_buf {
	uint32_t handle, fb_id, pitch;
	int w, h;
	uint64_t size;
	uint8_t *map;
};

/* Property ids of the objects an atomic commit touches. */
struct kms_props {
	uint32_t conn_crtc_id;
	uint32_t crtc_mode_id, crtc_active;
	uint32_t fb_id, crtc_id, src_x, src_y, src_w, src_h, crtc_x, crtc_y, crtc_w, crtc_h;
};

struct kms {
	int fd;
	bool atomic;			     /* the driver takes atomic commits */
	bool active;			     /* a screen is connected and set up */
	uint32_t conn_id, crtc_id, plane_id; /* plane: the CRTC's primary (atomic) */
	uint32_t preview_plane;		     /* an overlay plane that takes XRGB8888, or 0 */
	uint32_t mode_blob;
	char name[32]; /* the connector's */
	drmModeModeInfo mode;
	drmModeCrtc *saved; /* the CRTC as we found it, restored at close */
	struct kms_props props;
	struct kms_buf bufs[2];
	int front;	   /* the buffer on screen */
	bool flipping;	   /* a flip is queued; its event has not come yet */
	bool pending;	   /* a newer picture waits for the flip to finish */
	bool modeset_done; /* the first picture went up with a modeset */
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

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name, uint64_t *value)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0;

	for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && strcmp(p->name, name) == 0) {
			id = p->prop_id;
			if (value)
				*value = props->prop_values[i];
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

/* The primary plane of the CRTC at INDEX, and an overlay plane that can show XRGB8888 (the
 * preview's format) on it. */
static void find_planes(struct kms *k, int index)
{
	drmModePlaneRes *res = drmModeGetPlaneResources(k->fd);

	k->plane_id = k->preview_plane = 0;
	for (uint32_t i = 0; res && i < res->count_planes; i++) {
		drmModePlane *p = drmModeGetPlane(k->fd, res->planes[i]);
		uint64_t type = 0;

		if (p && (p->possible_crtcs & (1u << index)) &&
		    prop_id(k->fd, p->plane_id, DRM_MODE_OBJECT_PLANE, "type", &type)) {
			if (type == DRM_PLANE_TYPE_PRIMARY && !k->plane_id)
				k->plane_id = p->plane_id;
			for (uint32_t f = 0; type == DRM_PLANE_TYPE_OVERLAY && !k->preview_plane &&
					     f < p->count_formats;
			     f++)
				if (p->formats[f] == DRM_FORMAT_XRGB8888)
					k->preview_plane = p->plane_id;
		}
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(res);
}

static bool atomic_props(struct kms *k)
{
	struct kms_props *p = &k->props;
	const struct {
		uint32_t obj, type;
		const char *name;
		uint32_t *id;
	} want[] = {
		{ k->conn_id, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", &p->conn_crtc_id },
		{ k->crtc_id, DRM_MODE_OBJECT_CRTC, "MODE_ID", &p->crtc_mode_id },
		{ k->crtc_id, DRM_MODE_OBJECT_CRTC, "ACTIVE", &p->crtc_active },
		{ k->plane_id, DRM_MODE_OBJECT_PLANE, "FB_ID", &p->fb_id },
		{ k->plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_ID", &p->crtc_id },
		{ k->plane_id, DRM_MODE_OBJECT_PLANE, "SRC_X", &p->src_x },
		{ k->plane_id, DRM_MODE_OBJECT_PLANE, "SRC_Y", &p->src_y },
		{ k->plane_id, DRM_MODE_OBJECT_PLANE, "SRC_W", &p->src_w },
		{ k->plane_id, DRM_MODE_OBJECT_PLANE, "SRC_H", &p->src_h },
		{ k->plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_X", &p->crtc_x },
		{ k->plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_Y", &p->crtc_y },
		{ k->plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_W", &p->crtc_w },
		{ k->plane_id, DRM_MODE_OBJECT_PLANE, "CRTC_H", &p->crtc_h },
	};
	bool all = k->plane_id != 0;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]) && all; i++) {
		*want[i].id = prop_id(k->fd, want[i].obj, want[i].type, want[i].name, NULL);
		all = *want[i].id != 0;
	}
	return all;
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

static int atomic_commit(struct kms *k, const struct kms_buf *b, bool modeset, void *data)
{
	const struct kms_props *p = &k->props;
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	uint32_t flags = modeset ? DRM_MODE_ATOMIC_ALLOW_MODESET
				 : DRM_MODE_PAGE_FLIP_EVENT | DRM_MODE_ATOMIC_NONBLOCK;
	int r;

	if (!req)
		return -ENOMEM;
	if (modeset) {
		drmModeAtomicAddProperty(req, k->conn_id, p->conn_crtc_id, k->crtc_id);
		drmModeAtomicAddProperty(req, k->crtc_id, p->crtc_mode_id, k->mode_blob);
		drmModeAtomicAddProperty(req, k->crtc_id, p->crtc_active, 1);
		drmModeAtomicAddProperty(req, k->plane_id, p->crtc_id, k->crtc_id);
		drmModeAtomicAddProperty(req, k->plane_id, p->src_x, 0);
		drmModeAtomicAddProperty(req, k->plane_id, p->src_y, 0);
		drmModeAtomicAddProperty(req, k->plane_id, p->src_w, (uint64_t)b->w << 16);
		drmModeAtomicAddProperty(req, k->plane_id, p->src_h, (uint64_t)b->h << 16);
		drmModeAtomicAddProperty(req, k->plane_id, p->crtc_x, 0);
		drmModeAtomicAddProperty(req, k->plane_id, p->crtc_y, 0);
		drmModeAtomicAddProperty(req, k->plane_id, p->crtc_w, (uint64_t)b->w);
		drmModeAtomicAddProperty(req, k->plane_id, p->crtc_h, (uint64_t)b->h);
	}
	drmModeAtomicAddProperty(req, k->plane_id, p->fb_id, b->fb_id);
	r = drmModeAtomicCommit(k->fd, req, flags, data) < 0 ? -errno : 0;
	drmModeAtomicFree(req);
	return r;
}

/* Copy the scanout picture into the back buffer and flip to it (or set the mode, the first
 * time). While a flip is queued the picture waits: on_flip() shows the newest one. Without a
 * screen the picture waits in d->scanout for one. */
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
	fill(d, b);
	if (!k->modeset_done) {
		r = k->atomic ? atomic_commit(k, b, true, d) : -EOPNOTSUPP;
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
		k->front ^= 1;
		return 0;
	}
	if (k->atomic)
		r = atomic_commit(k, b, false, d);
	else
		r = drmModePageFlip(k->fd, k->crtc_id, b->fb_id, DRM_MODE_PAGE_FLIP_EVENT, d) < 0
			    ? -errno
			    : 0;
	if (r < 0)
		return r;
	k->flipping = true;
	return 0;
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
}

/* Set up the connected screen: buffers of its mode and the atomic state; with SHOW, show the
 * picture. */
static int activate(struct display *d, bool show_now)
{
	struct kms *k = d->priv;
	int r = 0;

	for (int i = 0; i < 2 && r >= 0; i++)
		r = buf_create(k, &k->bufs[i], k->mode.hdisplay, k->mode.vdisplay);
	if (r >= 0 && k->atomic &&
	    (!atomic_props(k) ||
	     drmModeCreatePropertyBlob(k->fd, &k->mode, sizeof(k->mode), &k->mode_blob) < 0)) {
		log_info("%s: no usable atomic state; using legacy modesetting", k->name);
		k->atomic = false;
	}
	if (r < 0) {
		deactivate(k);
		return r;
	}
	k->active = true;
	log_info("Screen %s: %dx%d@%u (%s modesetting%s)", k->name, k->mode.hdisplay,
		 k->mode.vdisplay, k->mode.vrefresh, k->atomic ? "atomic" : "legacy",
		 k->preview_plane ? ", an overlay plane for the preview" : "");
	r = show_now ? show(d) : 0;
	return r == -EBUSY ? 0 : r;
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
	.present = show,
};
