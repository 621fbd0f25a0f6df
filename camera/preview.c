/* SPDX-License-Identifier: MIT */
/* The preview server: a SOCK_SEQPACKET listener, at most PREVIEW_MAX_CLIENTS clients, buffer fds
 * passed with SCM_RIGHTS, frames announced without ever waiting for a client. */
#define _GNU_SOURCE /* accept4, MSG_CMSG_CLOEXEC */
#include "preview.h"

#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct client {
	struct preview *p;
	int fd; /* -1: slot free */
	struct loop_source *src;
	uint32_t held; /* bit i: buffer i announced and not released */
	uint64_t sent, dropped;
};

struct pbuf {
	struct preview_buffer_desc desc;
	uint64_t announced; /* producer frame count when last announced; for reclaim order */
};

struct preview {
	struct loop *loop;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	struct loop_source *listen_src;
	struct client clients[PREVIEW_MAX_CLIENTS];
	struct pbuf bufs[PREVIEW_MAX_BUFFERS];
	unsigned n_buffers;
	unsigned next;
	uint32_t generation;
	preview_release_fn release_fn;
	void *release_ud;
	struct preview_stats stats;
};

static unsigned held_count(uint32_t mask)
{
	return (unsigned)__builtin_popcount(mask);
}

/* Forget what C holds; tell the producer about buffers nobody holds any more. */
static void client_unhold(struct client *c, uint32_t mask)
{
	struct preview *p = c->p;

	mask &= c->held;
	c->held &= ~mask;
	for (unsigned i = 0; i < p->n_buffers; i++)
		if ((mask & (1u << i)) && !preview_held(p, i) && p->release_fn)
			p->release_fn(p, i, p->release_ud);
}

static void client_drop(struct client *c, const char *why)
{
	if (c->fd < 0)
		return;
	log_info("Preview client %d left (%s) after %llu frames, %llu dropped", c->fd, why,
		 (unsigned long long)c->sent, (unsigned long long)c->dropped);
	c->src = loop_source_remove(c->src);
	close(c->fd);
	c->fd = -1;
	c->p->stats.clients--;
	client_unhold(c, UINT32_MAX);
	c->held = 0;
}

static int send_packet(int fd, const void *msg, size_t n, const int *fds, unsigned n_fds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * PREVIEW_MAX_PLANES)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t k;

	if (n_fds > 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * n_fds);
	}
	do
		k = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return -errno;
	return (size_t)k == n ? 0 : -EIO;
}

/* HELLO and every BUFFER of the current set. */
static int client_announce(struct preview *p, struct client *c)
{
	struct preview_hello h = { .type = PREVIEW_MSG_HELLO,
				   .version = PREVIEW_PROTO_VERSION,
				   .generation = p->generation,
				   .n_buffers = p->n_buffers };
	int r;

	c->held = 0;
	r = send_packet(c->fd, &h, sizeof(h), NULL, 0);
	for (unsigned i = 0; r == 0 && i < p->n_buffers; i++) {
		const struct preview_buffer_desc *d = &p->bufs[i].desc;
		struct preview_buffer b = { .type = PREVIEW_MSG_BUFFER,
					    .index = i,
					    .width = d->width,
					    .height = d->height,
					    .fourcc = d->fourcc,
					    .n_planes = d->n_planes };

		memcpy(b.planes, d->planes, sizeof(b.planes));
		r = send_packet(c->fd, &b, sizeof(b), d->fds, d->n_planes);
	}
	return r;
}

static void client_read(struct client *c)
{
	struct preview *p = c->p;

	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * 8)];
			struct cmsghdr align;
		} u;
		struct preview_release rel;
		unsigned char pkt[64];
		struct iovec iov = { .iov_base = pkt, .iov_len = sizeof(pkt) };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = u.buf,
				     .msg_controllen = sizeof(u.buf) };
		ssize_t k;
		int r;

		k = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (k <= 0) {
			client_drop(c, k == 0 ? "closed" : "receive error");
			return;
		}
		/* Clients have no business sending fds: close any, then refuse the packet. */
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
				size_t nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

				for (size_t i = 0; i < nfd; i++) {
					int fd;

					memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
					close(fd);
				}
				k = -1;
			}
		}
		if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
			k = -1;
		r = k < 0 ? -EBADMSG
			  : preview_parse_release(pkt, (size_t)k, p->generation, p->n_buffers,
						  &rel);
		if (r == -ESTALE)
			continue;
		if (r < 0) {
			client_drop(c, "protocol error");
			return;
		}
		client_unhold(c, 1u << rel.index);
	}
}

static int on_client(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	struct client *c = userdata;

	(void)s;
	(void)fd;
	if (revents & EPOLLIN)
		client_read(c);
	if (c->fd >= 0 && (revents & (EPOLLHUP | EPOLLERR)))
		client_drop(c, "hung up");
	return 0;
}

static int on_listen(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	struct preview *p = userdata;

	(void)s;
	(void)revents;
	for (;;) {
		struct client *c = NULL;
		int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		int r;

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_debug_errno(errno, "Preview accept failed: %m");
			return 0;
		}
		for (size_t i = 0; i < ARRAY_SIZE(p->clients) && !c; i++)
			if (p->clients[i].fd < 0)
				c = &p->clients[i];
		if (!c) {
			p->stats.refused++;
			log_info("Preview client refused: %d clients are connected",
				 PREVIEW_MAX_CLIENTS);
			close(cfd);
			continue;
		}
		*c = (struct client){ .p = p, .fd = cfd };
		p->stats.clients++;
		r = loop_add_io(p->loop, cfd, EPOLLIN, on_client, c, &c->src);
		if (r == 0)
			r = client_announce(p, c);
		if (r < 0) {
			client_drop(c, "set-up failed");
			continue;
		}
		log_info("Preview client %d connected", cfd);
	}
}

/* A socket file at PATH that nobody accepts on is stale. */
static int remove_stale(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strscpy(a.sun_path, path, sizeof(a.sun_path));
	r = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ? -EADDRINUSE : 0;
	close(fd);
	if (r == 0 && unlink(path) < 0 && errno != ENOENT)
		r = -errno;
	return r;
}

int preview_new(struct loop *l, const char *path, struct preview **ret)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char dir[PATH_MAX];
	struct preview *p;
	int r;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->loop = l;
	p->listen_fd = -1;
	p->generation = 1;
	for (size_t i = 0; i < ARRAY_SIZE(p->clients); i++)
		p->clients[i].fd = -1;
	strscpy(a.sun_path, path, sizeof(a.sun_path));

	strscpy(dir, path, sizeof(dir));
	r = mkdir_p(dirname(dir), 0755);
	if (r < 0)
		goto fail;
	r = remove_stale(path);
	if (r < 0)
		goto fail;
	p->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (p->listen_fd < 0) {
		r = -errno;
		goto fail;
	}
	if (bind(p->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		r = -errno;
		goto fail;
	}
	/* From here on the file is ours to remove. */
	strscpy(p->path, path, sizeof(p->path));
	if (chmod(path, 0660) < 0 || listen(p->listen_fd, 8) < 0) {
		r = -errno;
		goto fail;
	}
	r = loop_add_io(l, p->listen_fd, EPOLLIN, on_listen, p, &p->listen_src);
	if (r < 0)
		goto fail;
	*ret = p;
	return 0;
fail:
	preview_free(p);
	return r;
}

struct preview *preview_free(struct preview *p)
{
	if (!p)
		return NULL;
	p->release_fn = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(p->clients); i++)
		client_drop(&p->clients[i], "server stopping");
	loop_source_remove(p->listen_src);
	if (p->listen_fd >= 0)
		close(p->listen_fd);
	if (p->path[0])
		unlink(p->path);
	free(p);
	return NULL;
}

void preview_set_release_handler(struct preview *p, preview_release_fn fn, void *userdata)
{
	p->release_fn = fn;
	p->release_ud = userdata;
}

int preview_set_buffers(struct preview *p, const struct preview_buffer_desc *bufs, unsigned n)
{
	if (n > PREVIEW_MAX_BUFFERS)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (bufs[i].n_planes < 1 || bufs[i].n_planes > PREVIEW_MAX_PLANES)
			return -EINVAL;
		for (unsigned j = 0; j < bufs[i].n_planes; j++)
			if (bufs[i].fds[j] < 0)
				return -EINVAL;
	}
	memset(p->bufs, 0, sizeof(p->bufs));
	for (unsigned i = 0; i < n; i++)
		p->bufs[i].desc = bufs[i];
	p->n_buffers = n;
	p->next = 0;
	p->generation++;
	for (size_t i = 0; i < ARRAY_SIZE(p->clients); i++) {
		struct client *c = &p->clients[i];

		if (c->fd >= 0 && client_announce(p, c) < 0)
			client_drop(c, "could not send the buffers");
	}
	return 0;
}

bool preview_held(const struct preview *p, unsigned index)
{
	for (size_t i = 0; i < ARRAY_SIZE(p->clients); i++)
		if (p->clients[i].fd >= 0 && (p->clients[i].held & (1u << index)))
			return true;
	return false;
}

void preview_reclaim(struct preview *p, unsigned index)
{
	bool any = false;

	for (size_t i = 0; i < ARRAY_SIZE(p->clients); i++) {
		if (p->clients[i].held & (1u << index)) {
			p->clients[i].held &= ~(1u << index);
			any = true;
		}
	}
	if (any)
		p->stats.reclaimed++;
}

int preview_acquire(struct preview *p)
{
	unsigned oldest = 0;

	if (p->n_buffers == 0)
		return -ENODEV;
	for (unsigned k = 0; k < p->n_buffers; k++) {
		unsigned i = (p->next + k) % p->n_buffers;

		if (!preview_held(p, i)) {
			p->next = (i + 1) % p->n_buffers;
			return (int)i;
		}
		if (p->bufs[i].announced < p->bufs[oldest].announced)
			oldest = i;
	}
	preview_reclaim(p, oldest);
	p->next = (oldest + 1) % p->n_buffers;
	return (int)oldest;
}

void preview_frame(struct preview *p, unsigned index, uint32_t sequence, uint64_t timestamp_ns)
{
	struct preview_frame f = { .type = PREVIEW_MSG_FRAME,
				   .index = index,
				   .generation = p->generation,
				   .sequence = sequence,
				   .timestamp_ns = timestamp_ns };

	if (index >= p->n_buffers)
		return;
	p->stats.frames++;
	p->bufs[index].announced = p->stats.frames;
	for (size_t i = 0; i < ARRAY_SIZE(p->clients); i++) {
		struct client *c = &p->clients[i];
		int r;

		if (c->fd < 0)
			continue;
		/* A buffer reused while this client still held it (reclaim) is its again. */
		c->held &= ~(1u << index);
		if (held_count(c->held) >= PREVIEW_MAX_HELD) {
			c->dropped++;
			p->stats.dropped++;
			continue;
		}
		r = send_packet(c->fd, &f, sizeof(f), NULL, 0);
		if (r == -EAGAIN || r == -EWOULDBLOCK || r == -ENOBUFS) {
			c->dropped++;
			p->stats.dropped++;
		} else if (r < 0) {
			client_drop(c, "send error");
		} else {
			c->held |= 1u << index;
			c->sent++;
			p->stats.sent++;
		}
	}
}

void preview_get_stats(const struct preview *p, struct preview_stats *ret)
{
	*ret = p->stats;
}
