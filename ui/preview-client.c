/* SPDX-License-Identifier: MIT */
/* booth-ui's preview client: maps booth-camera's buffers and holds the newest frame. */
#define _GNU_SOURCE /* MSG_CMSG_CLOEXEC */
#include "preview-client.h"
#include "preview-proto.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define RETRY_USEC 1000000

struct pbuf {
	void *map;
	size_t map_len;
	struct canvas_xrgb img; /* data == NULL: not usable */
	/* 24-bit frames (RGB888, BGR888: vimc, some webcams) are widened into conv, which img
	 * then shows: the canvas and a DRM plane take 32-bit pixels only. */
	uint32_t fourcc;
	const uint8_t *src;
	int src_stride;
	uint8_t *conv;
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
	int held; /* index of the frame held, -1 none */
	/* Counters: the sequence last announced (valid with have_sequence: of this buffer set),
	 * and whether the held frame was shown. */
	struct preview_client_stats stats;
	uint32_t sequence;
	bool have_sequence, held_shown;
};

/* A larger jump between two frames' numbers is no run of dropped frames but a camera that
 * numbers anew. */
#define SEQUENCE_GAP_MAX (1u << 20)

static void release(struct preview_client *c)
{
	struct preview_release m = { PREVIEW_MSG_RELEASE, 0, c->generation, 0 };

	if (c->held < 0)
		return;
	m.index = (uint32_t)c->held;
	c->held = -1;
	/* A full socket only delays the camera's reuse of this buffer; it never waits for us. */
	(void)send(c->fd, &m, sizeof(m), MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void drop_buffers(struct preview_client *c)
{
	c->held = -1;
	for (size_t i = 0; i < PREVIEW_MAX_BUFFERS; i++) {
		if (c->bufs[i].map)
			munmap(c->bufs[i].map, c->bufs[i].map_len);
		free(c->bufs[i].conv);
		memset(&c->bufs[i], 0, sizeof(c->bufs[i]));
	}
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

static void on_buffer(struct preview_client *c, const struct preview_buffer *b, const int *fds,
		      int n_fds)
{
	struct pbuf *p;
	size_t len;

	if (b->index >= c->n_buffers || n_fds < 1 || b->n_planes < 1)
		return;
	uint32_t bpp = b->fourcc == PREVIEW_FMT_XRGB8888 ? 4 : 3;

	p = &c->bufs[b->index];
	if (p->map)
		munmap(p->map, p->map_len);
	free(p->conv);
	memset(p, 0, sizeof(*p));
	if ((b->fourcc != PREVIEW_FMT_XRGB8888 && b->fourcc != PREVIEW_FMT_RGB888 &&
	     b->fourcc != PREVIEW_FMT_BGR888) ||
	    b->modifier != 0 || b->width < 1 || b->height < 1 || b->width > CANVAS_MAX_SIDE ||
	    b->height > CANVAS_MAX_SIDE || b->planes[0].stride < b->width * bpp ||
	    b->planes[0].length / b->planes[0].stride < b->height)
		return;
	len = (size_t)b->planes[0].offset + b->planes[0].length;
	p->map = mmap(NULL, len, PROT_READ, MAP_SHARED, fds[0], 0);
	if (p->map == MAP_FAILED) {
		p->map = NULL;
		return;
	}
	p->map_len = len;
	p->img.w = (int)b->width;
	p->img.h = (int)b->height;
	p->img.stride = (int)b->planes[0].stride;
	p->img.data = (const uint8_t *)p->map + b->planes[0].offset;
	if (bpp == 3) {
		p->fourcc = b->fourcc;
		p->src = p->img.data;
		p->src_stride = p->img.stride;
		p->img.stride = p->img.w * 4;
		p->conv = malloc((size_t)p->img.stride * (size_t)p->img.h);
		p->img.data = p->conv;
	}
}

/* Widen a 24-bit frame into its XRGB8888 copy. RGB888 is B G R in memory, BGR888 R G B. */
static void widen(struct pbuf *p)
{
	bool rgb = p->fourcc == PREVIEW_FMT_RGB888;

	for (int y = 0; y < p->img.h; y++) {
		const uint8_t *in = p->src + (size_t)y * (size_t)p->src_stride;
		uint8_t *out = p->conv + (size_t)y * (size_t)p->img.stride;

		for (int x = 0; x < p->img.w; x++, in += 3, out += 4) {
			out[0] = rgb ? in[0] : in[2];
			out[1] = in[1];
			out[2] = rgb ? in[2] : in[0];
			out[3] = 0xff;
		}
	}
}

/* One packet. Returns 0, or -EBADMSG for a protocol error (then the connection is dropped). */
static int on_packet(struct preview_client *c, const void *buf, size_t n, const int *fds, int n_fds)
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
		release(c);
		c->held = (int)f.index;
		c->held_shown = false;
		if (c->bufs[f.index].conv)
			widen(&c->bufs[f.index]);
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
	c->held = -1;
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

const struct canvas_xrgb *preview_client_frame(const struct preview_client *c)
{
	if (c->held < 0 || !c->bufs[c->held].img.data)
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
