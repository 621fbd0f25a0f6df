/* SPDX-License-Identifier: MIT */
/* booth-ui's preview client: keeps booth-camera's buffers, holds the newest frame and maps it only
 * while it is drawn. */
#define _GNU_SOURCE /* MSG_CMSG_CLOEXEC */
#include "preview-client.h"
#include "preview-proto.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/dma-buf.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define RETRY_USEC 1000000

/* A buffer of the camera's set: its description and fds are kept, its pixels are mapped only
 * while the frame it holds is being drawn (see map_held()). */
struct pbuf {
	struct preview_buffer desc;
	int fds[PREVIEW_MAX_PLANES]; /* owned; -1: none */
	bool usable;		     /* a format and layout the software path reads */
	bool dmabuf;		     /* learned at the first map: reads are bracketed with syncs */
	void *map;		     /* NULL while not mapped */
	size_t map_len;
	struct canvas_xrgb img;
};

struct preview_client {
	struct loop *loop;
	char path[108];
	preview_frame_fn fn;
	void *userdata;
	int fd;
	struct loop_source *io, *retry;
	uint32_t generation, n_buffers;
	struct pbuf bufs[PREVIEW_MAX_BUFFERS];
	int held;	/* index of the newest frame, -1 none */
	int mapped;	/* index of the buffer mapped (always the held one), -1 none */
	uint32_t owned; /* buffers announced by FRAME and not released yet (bit = index) */
	uint32_t busy;	/* buffers the display still reads (a hardware plane): kept */
	/* 24-bit frames (RGB888, BGR888: vimc, some webcams) are widened into conv, which the
	 * buffer's img then shows: the canvas and a DRM plane take 32-bit pixels only. One for
	 * the whole set, made when a frame is first drawn and kept while frames are drawn; freed
	 * by preview_client_unmap() and with the set. */
	uint8_t *conv;
	size_t conv_len;
	/* Counters: the sequence last announced (valid with have_sequence: of this buffer set),
	 * and whether the held frame was shown. */
	struct preview_client_stats stats;
	uint32_t sequence;
	bool have_sequence, held_shown;
};

/* A larger jump between two frames' numbers is no run of dropped frames but a camera that
 * numbers anew. */
#define SEQUENCE_GAP_MAX (1u << 20)

/* Drop the mapping of the held buffer: its pages leave our resident memory, and the camera may
 * write the buffer again once it is released. */
static void unmap_held(struct preview_client *c)
{
	struct pbuf *p;

	if (c->mapped < 0)
		return;
	p = &c->bufs[c->mapped];
	if (p->dmabuf) {
		struct dma_buf_sync end = { DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ };

		(void)ioctl(p->fds[0], DMA_BUF_IOCTL_SYNC, &end);
	}
	munmap(p->map, p->map_len);
	p->map = NULL;
	p->img.data = NULL;
	c->mapped = -1;
}

static void free_conv(struct preview_client *c)
{
	free(c->conv);
	c->conv = NULL;
	c->conv_len = 0;
}

/* Give buffer INDEX back to the camera. */
static void release(struct preview_client *c, int index)
{
	struct preview_release m = { PREVIEW_MSG_RELEASE, (uint32_t)index, c->generation, 0 };

	if (c->mapped == index)
		unmap_held(c);
	c->owned &= ~(1u << index);
	/* A full socket only delays the camera's reuse of this buffer; it never waits for us. */
	(void)send(c->fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Release every buffer held but neither the newest frame nor still read by the display. */
static void release_idle(struct preview_client *c)
{
	for (int i = 0; i < (int)c->n_buffers; i++)
		if ((c->owned & (1u << i)) && i != c->held && !(c->busy & (1u << i)))
			release(c, i);
}

static void buffer_clear(struct pbuf *p)
{
	for (size_t i = 0; i < PREVIEW_MAX_PLANES; i++)
		if (p->fds[i] >= 0)
			close(p->fds[i]);
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < PREVIEW_MAX_PLANES; i++)
		p->fds[i] = -1;
}

static void drop_buffers(struct preview_client *c)
{
	unmap_held(c);
	free_conv(c);
	c->held = -1;
	c->owned = c->busy = 0;
	for (size_t i = 0; i < PREVIEW_MAX_BUFFERS; i++)
		buffer_clear(&c->bufs[i]);
	c->n_buffers = 0;
}

static void disconnect(struct preview_client *c)
{
	c->io = loop_source_remove(c->io);
	drop_buffers(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->retry)
		loop_timer_set(c->retry, RETRY_USEC, 0);
}

static uint32_t bytes_per_pixel(uint32_t fourcc)
{
	return fourcc == PREVIEW_FMT_XRGB8888 ? 4 : 3;
}

/* Keep buffer B's description and its fds (taken from FDS: their slots become -1); nothing is
 * mapped until a frame in it is drawn. */
static void on_buffer(struct preview_client *c, const struct preview_buffer *b, int *fds, int n_fds)
{
	struct pbuf *p;
	uint32_t bpp = bytes_per_pixel(b->fourcc);

	if (b->index >= c->n_buffers || n_fds < 1 || b->n_planes < 1 ||
	    b->n_planes > PREVIEW_MAX_PLANES)
		return;
	p = &c->bufs[b->index];
	if (c->mapped == (int)b->index)
		unmap_held(c);
	if (c->held == (int)b->index)
		c->held = -1;
	c->owned &= ~(1u << b->index);
	buffer_clear(p);
	p->desc = *b;
	for (uint32_t i = 0; i < b->n_planes && (int)i < n_fds; i++) {
		p->fds[i] = fds[i];
		fds[i] = -1;
	}
	p->usable = (b->fourcc == PREVIEW_FMT_XRGB8888 || b->fourcc == PREVIEW_FMT_RGB888 ||
		     b->fourcc == PREVIEW_FMT_BGR888) &&
		    b->modifier == 0 && b->width >= 1 && b->height >= 1 &&
		    b->width <= CANVAS_MAX_SIDE && b->height <= CANVAS_MAX_SIDE &&
		    b->planes[0].stride >= b->width * bpp &&
		    b->planes[0].length / b->planes[0].stride >= b->height;
}

/* Widen a 24-bit frame into the XRGB8888 copy C->conv. RGB888 is B G R in memory, BGR888
 * R G B. */
static void widen(struct preview_client *c, const struct pbuf *p, const uint8_t *src)
{
	bool rgb = p->desc.fourcc == PREVIEW_FMT_RGB888;

	for (int y = 0; y < p->img.h; y++) {
		const uint8_t *in = src + (size_t)y * p->desc.planes[0].stride;
		uint8_t *out = c->conv + (size_t)y * (size_t)p->img.stride;

		for (int x = 0; x < p->img.w; x++, in += 3, out += 4) {
			out[0] = rgb ? in[0] : in[2];
			out[1] = in[1];
			out[2] = rgb ? in[2] : in[0];
			out[3] = 0xff;
		}
	}
}

/* Map the held buffer for reading (populated at once: the whole picture is read), bracketed by
 * DMA_BUF_IOCTL_SYNC when it is a dmabuf. Returns 0 or -errno. */
static int map_held(struct preview_client *c)
{
	struct pbuf *p = &c->bufs[c->held];
	struct dma_buf_sync start = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	size_t len = (size_t)p->desc.planes[0].offset + p->desc.planes[0].length;
	const uint8_t *pixels;

	if (c->mapped == c->held)
		return 0;
	unmap_held(c);
	p->map = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, p->fds[0], 0);
	if (p->map == MAP_FAILED) {
		p->map = NULL;
		return -errno;
	}
	p->map_len = len;
	c->mapped = c->held;
	/* memfds answer ENOTTY: nothing to synchronize. */
	p->dmabuf = ioctl(p->fds[0], DMA_BUF_IOCTL_SYNC, &start) == 0;
	pixels = (const uint8_t *)p->map + p->desc.planes[0].offset;
	p->img.w = (int)p->desc.width;
	p->img.h = (int)p->desc.height;
	p->img.stride = (int)p->desc.planes[0].stride;
	p->img.data = pixels;
	if (bytes_per_pixel(p->desc.fourcc) == 3) {
		size_t need = (size_t)p->img.w * 4 * (size_t)p->img.h;

		p->img.stride = p->img.w * 4;
		if (c->conv_len != need) {
			free_conv(c);
			c->conv = malloc(need);
			if (!c->conv) {
				unmap_held(c);
				return -ENOMEM;
			}
			c->conv_len = need;
		}
		widen(c, p, pixels);
		p->img.data = c->conv;
	}
	return 0;
}

/* One packet. Returns 0, or -EBADMSG for a protocol error (then the connection is dropped). */
static int on_packet(struct preview_client *c, const void *buf, size_t n, int *fds, int n_fds)
{
	uint32_t type;

	if (n < sizeof(type))
		return -EBADMSG;
	memcpy(&type, buf, sizeof(type));
	if (type == PREVIEW_MSG_HELLO && n == sizeof(struct preview_hello)) {
		struct preview_hello h;

		memcpy(&h, buf, sizeof(h));
		if (h.version != PREVIEW_PROTO_VERSION || h.n_buffers > PREVIEW_MAX_BUFFERS)
			return -EBADMSG;
		drop_buffers(c);
		c->generation = h.generation;
		c->n_buffers = h.n_buffers;
		c->have_sequence = false;
		c->fn(c->userdata);
		return 0;
	}
	if (type == PREVIEW_MSG_BUFFER && n == sizeof(struct preview_buffer)) {
		struct preview_buffer b;

		memcpy(&b, buf, sizeof(b));
		on_buffer(c, &b, fds, n_fds);
		return 0;
	}
	if (type == PREVIEW_MSG_FRAME && n == sizeof(struct preview_frame)) {
		struct preview_frame f;

		memcpy(&f, buf, sizeof(f));
		if (f.generation != c->generation || f.index >= c->n_buffers)
			return -EBADMSG;
		if (c->have_sequence && f.sequence - c->sequence - 1 < SEQUENCE_GAP_MAX)
			c->stats.missed += f.sequence - c->sequence - 1;
		c->have_sequence = true;
		c->sequence = f.sequence;
		c->stats.frames++;
		c->stats.unseen += c->held >= 0 && !c->held_shown;
		if (c->mapped >= 0 && c->mapped != (int)f.index)
			unmap_held(c);
		c->held = (int)f.index;
		c->held_shown = false;
		c->owned |= 1u << f.index;
		release_idle(c);
		c->fn(c->userdata);
		return 0;
	}
	return -EBADMSG;
}

static int on_io(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	struct preview_client *c = userdata;

	(void)s;
	/* Read a bounded batch so that a fast camera cannot starve the rest of the loop. */
	for (int i = 0; i < 32; i++) {
		union {
			struct preview_buffer b;
			char raw[128];
		} buf;
		union {
			struct cmsghdr align;
			char b[CMSG_SPACE(sizeof(int) * PREVIEW_MAX_PLANES)];
		} ctl;
		struct iovec iov = { &buf, sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		int fds[PREVIEW_MAX_PLANES], n_fds = 0, r;
		ssize_t k;

		mh.msg_control = ctl.b;
		mh.msg_controllen = sizeof(ctl.b);
		k = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (k < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (k <= 0) {
			disconnect(c);
			c->fn(c->userdata);
			return 0;
		}
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			for (size_t j = 0; j < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); j++) {
				int f;

				memcpy(&f, CMSG_DATA(cm) + j * sizeof(int), sizeof(int));
				if (n_fds < PREVIEW_MAX_PLANES)
					fds[n_fds++] = f;
				else
					close(f);
			}
		}
		r = (mh.msg_flags & MSG_TRUNC) ? -EBADMSG
					       : on_packet(c, &buf, (size_t)k, fds, n_fds);
		for (int j = 0; j < n_fds; j++)
			if (fds[j] >= 0)
				close(fds[j]);
		if (r < 0) {
			disconnect(c);
			c->fn(c->userdata);
			return 0;
		}
	}
	(void)revents;
	return 0;
}

static int on_retry(struct loop_source *s, void *userdata)
{
	struct preview_client *c = userdata;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r;

	(void)s;
	if (c->fd >= 0)
		return 0;
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -errno;
	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(c->fd);
		c->fd = -1;
		loop_timer_set(c->retry, RETRY_USEC, 0);
		return 0;
	}
	r = loop_add_io(c->loop, c->fd, EPOLLIN, on_io, c, &c->io);
	if (r < 0)
		disconnect(c);
	return r;
}

int preview_client_new(struct loop *l, const char *path, preview_frame_fn fn, void *userdata,
		       struct preview_client **ret)
{
	struct preview_client *c;
	int r;

	if (strlen(path) >= sizeof(c->path))
		return -ENAMETOOLONG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->loop = l;
	c->fn = fn;
	c->userdata = userdata;
	c->fd = -1;
	c->held = c->mapped = -1;
	for (size_t i = 0; i < PREVIEW_MAX_BUFFERS; i++)
		for (size_t j = 0; j < PREVIEW_MAX_PLANES; j++)
			c->bufs[i].fds[j] = -1;
	strscpy(c->path, path, sizeof(c->path));
	/* The first attempt runs from the loop, right away. */
	r = loop_add_timer(l, 1, 0, on_retry, c, &c->retry);
	if (r < 0) {
		free(c);
		return r;
	}
	*ret = c;
	return 0;
}

struct preview_client *preview_client_free(struct preview_client *c)
{
	if (!c)
		return NULL;
	c->retry = loop_source_remove(c->retry);
	disconnect(c);
	free(c);
	return NULL;
}

const struct canvas_xrgb *preview_client_frame(struct preview_client *c)
{
	if (c->held < 0 || !c->bufs[c->held].usable || map_held(c) < 0)
		return NULL;
	return &c->bufs[c->held].img;
}

bool preview_client_shown(struct preview_client *c)
{
	bool fresh = c->held >= 0 && !c->held_shown;

	c->held_shown = c->held >= 0;
	return fresh;
}

void preview_client_get_stats(const struct preview_client *c, struct preview_client_stats *ret)
{
	*ret = c->stats;
}

const struct preview_buffer *preview_client_buffer(const struct preview_client *c, const int **fds,
						   uint32_t *generation)
{
	if (c->held < 0)
		return NULL;
	*fds = c->bufs[c->held].fds;
	*generation = c->generation;
	return &c->bufs[c->held].desc;
}

void preview_client_set_busy(struct preview_client *c, uint32_t mask)
{
	if (mask == c->busy)
		return;
	c->busy = mask;
	release_idle(c);
}

void preview_client_unmap(struct preview_client *c)
{
	unmap_held(c);
	free_conv(c);
}
