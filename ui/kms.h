/* SPDX-License-Identifier: MIT */
/* The DRM/KMS display backend (libdrm): atomic modesetting where the driver has it (legacy
 * otherwise), the configured connector and mode, two dumb buffers flipped on the loop, and
 * recovery when the screen is unplugged and plugged in again; with its choices (mode,
 * connector, rotation, the preview plane's crop) kept pure for tests. */
#ifndef BOOTH_UI_KMS_H
#define BOOTH_UI_KMS_H

#include <stdbool.h>
#include <stdint.h>

struct display_backend;

/* A display mode as the connector lists it. */
struct kms_mode {
	int width, height;
	int refresh; /* Hz */
	bool preferred;
};

/* What the backend is asked for ([ui] connector, mode, width and height). */
struct kms_wish {
	char connector[32]; /* "HDMI-A-1", "DSI-1", ...; "" = choose */
	int width, height;  /* the wanted mode ([ui] mode, else [ui] width x height) */
	int refresh;	    /* Hz; 0 = the fastest */
	bool exact;	    /* [ui] mode was given: only that size, else the panel's preferred */
	bool preview_plane; /* [ui] preview_plane: try a hardware plane for the preview */
};

/* Parse [ui] mode: "" (not set: 0, *W etc. untouched), "preferred" (1: the panel's own) or
 * "WIDTHxHEIGHT" / "WIDTHxHEIGHT@HZ" (2). Returns 0, 1, 2 or -EINVAL. */
int kms_parse_mode(const char *s, int *w, int *h, int *refresh);

/* The mode to use of the N MODES for WISH: the wanted size at the wanted refresh (or the
 * fastest); then, unless WISH->exact, the panel's preferred mode, else the largest (then the
 * fastest). A WISH of 0 x 0 asks for the preferred mode. Returns its index, or -ENOENT. */
int kms_pick_mode(const struct kms_mode *modes, int n, const struct kms_wish *wish);

/* A connector as the backend sees it when choosing. */
struct kms_output {
	char name[32]; /* "HDMI-A-1" */
	uint32_t type; /* DRM_MODE_CONNECTOR_* */
	bool connected;
	int n_modes;
};

/* The connector's name as the kernel spells it: type name, '-', TYPE_ID ("HDMI-A-1"). */
void kms_connector_name(uint32_t type, uint32_t type_id, char *buf, int len);
/* The connector to use of the N OUTPUTS: the one named WANT if it is connected and has modes;
 * with WANT "", the first connected one with modes, built-in panels (DSI, DPI, eDP, LVDS)
 * before the others. Returns its index, or -ENOENT (none connected yet: wait for one). */
int kms_pick_connector(const struct kms_output *outputs, int n, const char *want);

/* The plane rotation property value (DRM_MODE_ROTATE_*, counter-clockwise) that shows a
 * picture turned DEGREES_CW clockwise, with DRM_MODE_REFLECT_X if MIRROR; 0 for a bad angle. */
uint64_t kms_rotation(int degrees_cw, bool mirror);

/* The centred crop of a SRC_W x SRC_H picture that fills a DST_W x DST_H plane with the aspect
 * kept (what the preview plane scans out), in pixels. */
void kms_cover_crop(int src_w, int src_h, int dst_w, int dst_h, int *x, int *y, int *w, int *h);

/* What the drm backend knows when deciding whether a camera frame can go on the primary plane,
 * under the screen's words on an overlay plane. */
struct kms_preview_caps {
	bool enabled; /* [ui] preview_plane */
	bool atomic;  /* atomic modesetting works (planes are set together, tested first) */
	bool overlay; /* an overlay plane above the primary takes ARGB8888: the words */
	bool format;  /* the primary plane scans out the frame's format and modifier */
	bool reflect; /* the primary plane's rotation property has reflect-x */
	bool dmabuf;  /* the frame's fds are dmabufs (libcamera) */
	bool memfd;   /* ... or memfds (the simulated camera) */
	bool udmabuf; /* /dev/udmabuf turns memfds into dmabufs */
	bool rotated; /* the screen is turned ([ui] rotation is not 0) */
};

/* Whether the preview can go on a plane given C and MIRROR ([ui] mirror): 0, or -EOPNOTSUPP with
 * the reason, in plain words for the log, in *WHY. The driver may still refuse the
 * configuration (scaling, say) when it is tested. */
int kms_preview_check(const struct kms_preview_caps *c, bool mirror, const char **why);

/* The "drm" backend for display_new(). Its open() fails with -ENODEV when there is no DRM device
 * (as on a build machine); with a device but no screen connected it waits for one. */
extern const struct display_backend kms_backend;

/* Set what the drm backend asks for (booth-ui calls it before display_new()). */
void kms_set_wish(const struct kms_wish *wish);

#endif
