/* SPDX-License-Identifier: MIT */
/* The picture a DRM/KMS screen shows, for the VM test: reads the framebuffer scanned out by the
 * first active CRTC of a DRM device (root: GETFB hands out its buffer) and writes it as a PNG.
 * Prints "WIDTHxHEIGHT COLOURS VIVID FB KIND" on stdout: the distinct colours among a sample of
 * pixels, how many of them (in percent) are vivid (their channels differ by more than 100): the
 * booth's own screens are mostly dark and grey, a camera's colour bars are not; the
 * framebuffer's id, and "dumb" for a dumb buffer (booth-ui's) or "prime" for a buffer imported
 * from another device (a camera's dmabuf on the preview plane).
 * With --planes, prints instead one line per plane that shows something:
 * "plane ID TYPE fb FB WIDTHxHEIGHT FOURCC" (TYPE primary, overlay or cursor).
 * Usage: fbgrab DEVICE OUT.png | fbgrab --planes DEVICE */
#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

static int write_png(const char *path, const uint8_t *px, uint32_t w, uint32_t h, uint32_t pitch)
{
	FILE *f = fopen(path, "wbe");
	png_structp png = NULL;
	png_infop info = NULL;
	uint8_t *row = malloc((size_t)w * 3);
	int r = -1;

	if (f && row)
		png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png)
		info = png_create_info_struct(png);
	/* libpng reports errors by longjmp; nothing set before this changes after it. */
	if (!info) {
		/* r stays -1 */
	} else if (setjmp(png_jmpbuf(png)) == 0) {
		png_init_io(png, f);
		png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
			     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
		png_write_info(png, info);
		for (size_t y = 0; y < h; y++) {
			const uint32_t *src = (const uint32_t *)(px + y * pitch);

			for (size_t x = 0; x < w; x++) {
				row[x * 3] = (uint8_t)(src[x] >> 16);
				row[x * 3 + 1] = (uint8_t)(src[x] >> 8);
				row[x * 3 + 2] = (uint8_t)src[x];
			}
			png_write_row(png, row);
		}
		png_write_end(png, NULL);
		r = 0;
	}
	if (png)
		png_destroy_write_struct(&png, &info);
	free(row);
	if (f && fclose(f) != 0)
		r = -1;
	return r;
}

/* Distinct colours among 4096 pixels on a grid (1 for a blank screen), and the percentage of
 * those pixels that are vivid. */
static unsigned int colours(const uint8_t *px, uint32_t w, uint32_t h, uint32_t pitch,
			    unsigned int *vivid)
{
	static uint32_t seen[4096];
	unsigned int n = 0, v = 0;

	for (uint32_t gy = 0; gy < 64; gy++)
		for (uint32_t gx = 0; gx < 64; gx++) {
			const uint32_t *row =
				(const uint32_t *)(px + (size_t)(gy * h / 64) * pitch);
			uint32_t c = row[gx * w / 64] & 0xffffff;
			int r = (int)(c >> 16), g = (int)((c >> 8) & 0xff), b = (int)(c & 0xff);
			int hi = r > g ? (r > b ? r : b) : (g > b ? g : b);
			int lo = r < g ? (r < b ? r : b) : (g < b ? g : b);
			unsigned int i;

			v += hi - lo > 100;
			for (i = 0; i < n && seen[i] != c; i++)
				;
			if (i == n)
				seen[n++] = c;
		}
	*vivid = v * 100 / 4096;
	return n;
}

/* The planes that show a framebuffer, one line each. Returns 0, or 1 if there are none. */
static int planes(int fd)
{
	drmModePlaneResPtr res;
	int n = 0;

	drmSetClientCap(fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1);
	res = drmModeGetPlaneResources(fd);
	for (uint32_t i = 0; res && i < res->count_planes; i++) {
		drmModePlanePtr p = drmModeGetPlane(fd, res->planes[i]);
		drmModeObjectPropertiesPtr props =
			p ? drmModeObjectGetProperties(fd, p->plane_id, DRM_MODE_OBJECT_PLANE)
			  : NULL;
		const char *type = "overlay";
		drmModeFB2Ptr fb;

		for (uint32_t j = 0; props && j < props->count_props; j++) {
			drmModePropertyPtr prop = drmModeGetProperty(fd, props->props[j]);

			if (prop && strcmp(prop->name, "type") == 0)
				type = props->prop_values[j] == DRM_PLANE_TYPE_PRIMARY	? "primary"
				       : props->prop_values[j] == DRM_PLANE_TYPE_CURSOR ? "cursor"
											: "overlay";
			drmModeFreeProperty(prop);
		}
		fb = p && p->fb_id ? drmModeGetFB2(fd, p->fb_id) : NULL;
		if (fb) {
			printf("plane %u %s fb %u %ux%u %.4s\n", p->plane_id, type, p->fb_id,
			       fb->width, fb->height, (const char *)&fb->pixel_format);
			n++;
		}
		drmModeFreeFB2(fb);
		drmModeFreeObjectProperties(props);
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(res);
	return n > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	drmModeResPtr res;
	drmModeFBPtr fb = NULL;
	struct drm_mode_map_dumb map;
	uint8_t *px, *copy;
	const char *kind = "dumb";
	size_t len;
	int fd, prime, rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: fbgrab DEVICE OUT.png | fbgrab --planes DEVICE\n");
		return 2;
	}
	if (strcmp(argv[1], "--planes") == 0) {
		fd = open(argv[2], O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "fbgrab: %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		rc = planes(fd);
		close(fd);
		return rc;
	}
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	res = fd >= 0 ? drmModeGetResources(fd) : NULL;
	if (!res) {
		fprintf(stderr, "fbgrab: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (int i = 0; i < res->count_crtcs && !fb; i++) {
		drmModeCrtcPtr c = drmModeGetCrtc(fd, res->crtcs[i]);

		if (c && c->mode_valid && c->buffer_id)
			fb = drmModeGetFB(fd, c->buffer_id);
		drmModeFreeCrtc(c);
	}
	drmModeFreeResources(res);
	if (!fb || !fb->handle || fb->bpp != 32) {
		fprintf(stderr, "fbgrab: no active 32-bit framebuffer to read\n");
		goto out;
	}
	memset(&map, 0, sizeof(map));
	map.handle = fb->handle;
	len = (size_t)fb->pitch * fb->height;
	/* A dumb buffer (booth-ui's) maps through the DRM device; a buffer imported from another
	 * device (the camera's, on the preview plane) through its dmabuf. */
	if (drmIoctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map) == 0) {
		px = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)map.offset);
	} else if (drmPrimeHandleToFD(fd, fb->handle, DRM_CLOEXEC, &prime) == 0) {
		px = mmap(NULL, len, PROT_READ, MAP_SHARED, prime, 0);
		close(prime);
		kind = "prime";
	} else {
		fprintf(stderr, "fbgrab: map: %s\n", strerror(errno));
		goto out;
	}
	if (px == MAP_FAILED) {
		fprintf(stderr, "fbgrab: mmap: %s\n", strerror(errno));
		goto out;
	}
	/* The buffer on screen now is drawn into again once the next flip turns it into the back
	 * buffer: one quick copy, then the slow PNG and the counting work on that. */
	copy = malloc(len);
	if (copy) {
		memcpy(copy, px, len);
		if (write_png(argv[2], copy, fb->width, fb->height, fb->pitch) == 0) {
			unsigned int vivid,
				n = colours(copy, fb->width, fb->height, fb->pitch, &vivid);

			printf("%ux%u %u %u %u %s\n", fb->width, fb->height, n, vivid, fb->fb_id,
			       kind);
			rc = 0;
		}
	}
	free(copy);
	munmap(px, len);
out:
	drmModeFreeFB(fb);
	close(fd);
	return rc;
}
