/* SPDX-License-Identifier: MIT */
/* booth-ui's DRM/KMS choices that need no device: the mode, the connector, the plane rotation,
 * the preview plane's crop, [ui] mode parsing; and the no-device path of the backend. */
#include "display.h"
#include "harness.h"
#include "kms.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <xf86drmMode.h>

static const struct kms_mode modes[] = {
	{ 1920, 1080, 60, true },
	{ 1280, 800, 50, false },
	{ 1280, 800, 60, false },
	{ 3840, 2160, 30, false },
};

static int pick(const struct kms_mode *m, int n, int w, int h, int hz, bool exact)
{
	struct kms_wish wish = { .width = w, .height = h, .refresh = hz, .exact = exact };

	return kms_pick_mode(m, n, &wish);
}

static void test_mode(void)
{
	static const struct kms_mode no_preferred[] = {
		{ 800, 480, 60, false },
		{ 1024, 600, 50, false },
		{ 1024, 600, 60, false },
	};

	/* The configured size at its fastest refresh, or at the refresh asked for. */
	CHECK_INT(pick(modes, 4, 1280, 800, 0, false), ==, 2);
	CHECK_INT(pick(modes, 4, 1280, 800, 50, true), ==, 1);
	/* Otherwise the panel's preferred mode, not the largest; "preferred" asks for it. */
	CHECK_INT(pick(modes, 4, 1024, 768, 0, false), ==, 0);
	CHECK_INT(pick(modes, 4, 0, 0, 0, false), ==, 0);
	/* A mode given in [ui] mode that the screen lacks is not replaced by another. */
	CHECK_INT(pick(modes, 4, 1024, 768, 0, true), ==, -ENOENT);
	CHECK_INT(pick(modes, 4, 1280, 800, 75, true), ==, -ENOENT);
	/* Without a preferred one, the largest, then the fastest. */
	CHECK_INT(pick(no_preferred, 3, 640, 480, 0, false), ==, 2);
	CHECK_INT(pick(modes, 0, 1280, 800, 0, false), ==, -ENOENT);
}

static void test_parse_mode(void)
{
	int w = 1, h = 2, hz = 3;

	CHECK_INT(kms_parse_mode("", &w, &h, &hz), ==, 0);
	CHECK_INT(w, ==, 1);
	CHECK_INT(kms_parse_mode("preferred", &w, &h, &hz), ==, 1);
	CHECK_INT(kms_parse_mode("1920x1080", &w, &h, &hz), ==, 2);
	CHECK_INT(w, ==, 1920);
	CHECK_INT(h, ==, 1080);
	CHECK_INT(hz, ==, 0);
	CHECK_INT(kms_parse_mode("800x480@60", &w, &h, &hz), ==, 2);
	CHECK_INT(hz, ==, 60);
	CHECK_INT(kms_parse_mode("800x", &w, &h, &hz), ==, -EINVAL);
	CHECK_INT(kms_parse_mode("800*480", &w, &h, &hz), ==, -EINVAL);
	CHECK_INT(kms_parse_mode("0x480", &w, &h, &hz), ==, -EINVAL);
	CHECK_INT(kms_parse_mode("800x480@", &w, &h, &hz), ==, -EINVAL);
	CHECK_INT(kms_parse_mode("800x480 ", &w, &h, &hz), ==, -EINVAL);
}

static void test_connector(void)
{
	struct kms_output outs[] = {
		{ "HDMI-A-1", DRM_MODE_CONNECTOR_HDMIA, true, 20 },
		{ "HDMI-A-2", DRM_MODE_CONNECTOR_HDMIA, false, 0 },
		{ "DSI-1", DRM_MODE_CONNECTOR_DSI, true, 1 },
	};
	char name[32];

	kms_connector_name(DRM_MODE_CONNECTOR_HDMIA, 2, name, sizeof(name));
	CHECK_STR(name, "HDMI-A-2");
	kms_connector_name(DRM_MODE_CONNECTOR_DSI, 1, name, sizeof(name));
	CHECK_STR(name, "DSI-1");
	kms_connector_name(9999, 1, name, sizeof(name));
	CHECK_STR(name, "Unknown-1");
	/* The booth's own touch panel (DSI) before an HDMI monitor plugged in beside it. */
	CHECK_INT(kms_pick_connector(outs, 3, ""), ==, 2);
	CHECK_INT(kms_pick_connector(outs, 2, ""), ==, 0);
	/* The configured one, when connected; not another one in its place. */
	CHECK_INT(kms_pick_connector(outs, 3, "HDMI-A-1"), ==, 0);
	CHECK_INT(kms_pick_connector(outs, 3, "HDMI-A-2"), ==, -ENOENT);
	CHECK_INT(kms_pick_connector(outs, 3, "DP-1"), ==, -ENOENT);
	/* Nothing connected (unplugged): wait. */
	outs[0].connected = outs[2].connected = false;
	CHECK_INT(kms_pick_connector(outs, 3, ""), ==, -ENOENT);
	CHECK_INT(kms_pick_connector(outs, 0, ""), ==, -ENOENT);
}

static void test_rotation(void)
{
	/* DRM turns counter-clockwise; [ui] rotation is clockwise. */
	CHECK_INT(kms_rotation(0, false), ==, DRM_MODE_ROTATE_0);
	CHECK_INT(kms_rotation(90, false), ==, DRM_MODE_ROTATE_270);
	CHECK_INT(kms_rotation(180, false), ==, DRM_MODE_ROTATE_180);
	CHECK_INT(kms_rotation(270, false), ==, DRM_MODE_ROTATE_90);
	CHECK_INT(kms_rotation(0, true), ==, DRM_MODE_ROTATE_0 | DRM_MODE_REFLECT_X);
	CHECK_INT(kms_rotation(45, false), ==, 0);
}

static void test_cover_crop(void)
{
	int x, y, w, h;

	/* A 16:9 camera picture on a 16:10 panel: the sides are cropped. */
	kms_cover_crop(1280, 720, 1280, 800, &x, &y, &w, &h);
	CHECK_INT(w, ==, 1152);
	CHECK_INT(h, ==, 720);
	CHECK_INT(x, ==, 64);
	CHECK_INT(y, ==, 0);
	/* On a portrait panel, a narrow centre column. */
	kms_cover_crop(1280, 720, 480, 800, &x, &y, &w, &h);
	CHECK_INT(w, ==, 432);
	CHECK_INT(h, ==, 720);
	CHECK_INT(x, ==, 424);
	/* Taller than the panel: top and bottom are cropped. */
	kms_cover_crop(1000, 1000, 1920, 1080, &x, &y, &w, &h);
	CHECK_INT(w, ==, 1000);
	CHECK_INT(h, ==, 562);
	CHECK_INT(y, ==, 219);
	/* The same shape: nothing is cropped. */
	kms_cover_crop(1920, 1080, 1280, 720, &x, &y, &w, &h);
	CHECK_INT(w, ==, 1920);
	CHECK_INT(x, ==, 0);
}

/* What the drm backend may know about a frame and the planes, as bits for a table. */
enum {
	ENABLED = 1 << 0,
	ATOMIC = 1 << 1,
	OVERLAY = 1 << 2,
	FORMAT = 1 << 3,
	REFLECT = 1 << 4,
	DMABUF = 1 << 5,
	MEMFD = 1 << 6,
	UDMABUF = 1 << 7,
	ROTATED = 1 << 8,
	ALL = ENABLED | ATOMIC | OVERLAY | FORMAT | REFLECT,
};

/* Which way the preview goes: on the primary plane when everything allows it, else the
 * software path with the first reason that stands in the way. */
static void test_preview_check(void)
{
	static const struct {
		unsigned caps;
		bool mirror;
		const char *word; /* in the reason; NULL: on the plane */
	} cases[] = {
		/* libcamera's dmabufs, mirrored by the plane. */
		{ ALL | DMABUF, true, NULL },
		/* The simulated camera's memfds, through /dev/udmabuf; without it, software. */
		{ ALL | MEMFD | UDMABUF, true, NULL },
		{ ALL | MEMFD, true, "udmabuf" },
		/* A plane that cannot mirror serves only an unmirrored preview ([ui] mirror = no). */
		{ (ALL & ~REFLECT) | DMABUF, true, "mirror" },
		{ (ALL & ~REFLECT) | DMABUF, false, NULL },
		/* Each missing piece, with its own reason. */
		{ (ALL & ~ENABLED) | DMABUF, false, "preview_plane" },
		{ (ALL & ~ATOMIC) | DMABUF, false, "atomic" },
		{ (ALL & ~OVERLAY) | DMABUF, false, "overlay" },
		{ (ALL & ~FORMAT) | DMABUF, false, "format" },
		{ ALL | DMABUF | ROTATED, true, "rotated" },
		{ ALL, true, "neither" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned f = cases[i].caps;
		struct kms_preview_caps c = {
			.enabled = f & ENABLED,
			.atomic = f & ATOMIC,
			.overlay = f & OVERLAY,
			.format = f & FORMAT,
			.reflect = f & REFLECT,
			.dmabuf = f & DMABUF,
			.memfd = f & MEMFD,
			.udmabuf = f & UDMABUF,
			.rotated = f & ROTATED,
		};
		const char *why = "unset";
		int r = kms_preview_check(&c, cases[i].mirror, &why);

		if (!cases[i].word) {
			CHECK_MSG(r == 0 && !why, "case %zu: on the plane, not %s", i,
				  why ? why : "(null)");
			continue;
		}
		CHECK_INT(r, ==, -EOPNOTSUPP);
		CHECK_MSG(why && strstr(why, cases[i].word), "case %zu: the reason names %s: %s", i,
			  cases[i].word, why ? why : "(none)");
	}
}

/* Without a DRM device (a build machine) the drm backend fails cleanly, and says so. */
static void test_no_device(void)
{
	struct display *d = NULL;
	int r;

	if (access("/dev/dri", F_OK) == 0) {
		printf("# /dev/dri exists: not checking the no-device path\n");
		return;
	}
	r = display_new("drm", NULL, 1280, 800, 0, &d);
	CHECK_INT(r, ==, -ENODEV);
	CHECK(d == NULL);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "mode", test_mode },
		{ "parse_mode", test_parse_mode },
		{ "connector", test_connector },
		{ "rotation", test_rotation },
		{ "cover_crop", test_cover_crop },
		{ "preview_check", test_preview_check },
		{ "no_device", test_no_device },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
