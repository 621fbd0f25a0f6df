/* SPDX-License-Identifier: MIT */
/* Unit tests for the preview server with the simulated camera: fds over SCM_RIGHTS, frames whose
 * drawn counter matches their sequence, slow clients that never block, the client limit. */
#define _GNU_SOURCE
#include "backend.h"
#include "boothconf.h"
#include "config.h"
#include "harness.h"
#include "loop.h"
#include "preview.h"
#include "simrender.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define PW 320
#define PH 180

struct fixture {
	char dir[64], path[128];
	struct booth_config cfg;
	struct loop *loop;
	struct preview *pv;
	struct camera *cam;
	int changed, stills;
};

static void ev_changed(void *ud)
{
	((struct fixture *)ud)->changed++;
}

static void ev_still(void *ud, void *token, const struct camera_image *img, int r, const char *m)
{
	(void)token;
	(void)img;
	(void)r;
	(void)m;
	((struct fixture *)ud)->stills++;
}

static const struct camera_events events = { ev_changed, ev_still };

static int setup(struct fixture *f, int fps, bool with_camera)
{
	char err[CONFIG_ERR_MAX];

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/booth-pv-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/run/preview.sock", f->dir);
	if (config_defaults(boothconf_keys, &f->cfg, err, sizeof(err)) < 0)
		return -1;
	strcpy(f->cfg.camera.backend, "sim");
	f->cfg.camera.preview_width = PW;
	f->cfg.camera.preview_height = PH;
	f->cfg.camera.preview_fps = fps;
	if (loop_new(&f->loop) < 0 || preview_new(f->loop, f->path, &f->pv) < 0)
		return -1;
	if (with_camera && camera_new(f->loop, &f->cfg, f->pv, &events, f, &f->cam) < 0)
		return -1;
	return 0;
}

static void teardown(struct fixture *f)
{
	char cmd[128];

	f->cam = camera_free(f->cam);
	f->pv = preview_free(f->pv);
	f->loop = loop_free(f->loop);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (f->dir[0] && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
}

static void set_path(struct sockaddr_un *a, const char *path)
{
	size_t n = strlen(path);

	if (n >= sizeof(a->sun_path))
		n = sizeof(a->sun_path) - 1;
	memcpy(a->sun_path, path, n);
	a->sun_path[n] = '\0';
}

static int connect_client(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	set_path(&a, path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Receive one packet (running the loop until one comes, at most TIMEOUT_MS); fds go to FDS.
 * Returns its length, 0 at EOF, -1 on timeout or error. */
static ssize_t recv_packet(struct fixture *f, int fd, void *buf, size_t n, int *fds, int *n_fds,
			   int timeout_ms)
{
	uint64_t end = now_usec() + (uint64_t)timeout_ms * 1000;

	for (;;) {
		union {
			char b[CMSG_SPACE(sizeof(int) * PREVIEW_MAX_PLANES)];
			struct cmsghdr align;
		} u;
		struct iovec iov = { .iov_base = buf, .iov_len = n };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = u.b,
				     .msg_controllen = sizeof(u.b) };
		ssize_t k = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);

		if (k >= 0) {
			if (n_fds)
				*n_fds = 0;
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
				int m = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

				if (c->cmsg_type != SCM_RIGHTS)
					continue;
				if (fds && n_fds) {
					memcpy(fds, CMSG_DATA(c), sizeof(int) * (size_t)m);
					*n_fds = m;
				} else {
					for (int i = 0; i < m; i++) {
						int x;

						memcpy(&x, CMSG_DATA(c) + i * sizeof(int),
						       sizeof(x));
						close(x);
					}
				}
			}
			return k;
		}
		if (errno != EAGAIN || now_usec() > end)
			return -1;
		loop_iterate(f->loop, 5);
	}
}

struct view {
	int fd;
	uint32_t generation;
	unsigned n;
	struct preview_buffer bufs[PREVIEW_MAX_BUFFERS];
	void *maps[PREVIEW_MAX_BUFFERS];
	int fds[PREVIEW_MAX_BUFFERS];
};

static void view_close(struct view *v)
{
	for (unsigned i = 0; i < v->n; i++) {
		if (v->maps[i])
			munmap(v->maps[i], v->bufs[i].planes[0].length);
		close(v->fds[i]);
	}
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	v->n = 0;
}

/* Connect and take HELLO and every BUFFER, mapping each. */
static int view_open(struct fixture *f, struct view *v)
{
	struct preview_hello h;
	int fds[PREVIEW_MAX_PLANES], n_fds = 0;

	memset(v, 0, sizeof(*v));
	v->fd = connect_client(f->path);
	if (v->fd < 0)
		return -1;
	if (recv_packet(f, v->fd, &h, sizeof(h), NULL, NULL, 2000) != sizeof(h) ||
	    h.type != PREVIEW_MSG_HELLO || h.version != PREVIEW_PROTO_VERSION)
		return -1;
	v->generation = h.generation;
	for (unsigned i = 0; i < h.n_buffers; i++) {
		struct preview_buffer *b = &v->bufs[i];

		if (recv_packet(f, v->fd, b, sizeof(*b), fds, &n_fds, 2000) != sizeof(*b) ||
		    b->type != PREVIEW_MSG_BUFFER || b->index != i || n_fds != 1)
			return -1;
		v->fds[i] = fds[0];
		v->n = i + 1;
		v->maps[i] = mmap(NULL, b->planes[0].length, PROT_READ, MAP_SHARED, fds[0], 0);
		if (v->maps[i] == MAP_FAILED) {
			v->maps[i] = NULL;
			return -1;
		}
	}
	return 0;
}

static int next_frame(struct fixture *f, struct view *v, struct preview_frame *fr)
{
	return recv_packet(f, v->fd, fr, sizeof(*fr), NULL, NULL, 2000) == sizeof(*fr) &&
			       fr->type == PREVIEW_MSG_FRAME
		       ? 0
		       : -1;
}

static void release(struct view *v, unsigned index)
{
	struct preview_release r = { PREVIEW_MSG_RELEASE, index, v->generation, 0 };

	CHECK_INT(send(v->fd, &r, sizeof(r), MSG_NOSIGNAL), ==, sizeof(r));
}

static void test_fds_and_counter(void)
{
	struct fixture f;
	struct view v;
	struct stat st;
	uint32_t last = 0;

	REQUIRE(setup(&f, 60, true) == 0);
	REQUIRE(stat(f.path, &st) == 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_INT(st.st_mode & 0777, ==, 0660);
	REQUIRE(view_open(&f, &v) == 0);
	CHECK_INT(v.n, ==, 4);
	CHECK_INT(v.bufs[0].width, ==, PW);
	CHECK_INT(v.bufs[0].height, ==, PH);
	CHECK_INT(v.bufs[0].fourcc, ==, PREVIEW_FMT_XRGB8888);
	CHECK_INT(v.bufs[0].planes[0].stride, >=, PW * 4);
	CHECK(fcntl(v.fds[0], F_GETFD) & FD_CLOEXEC);
	/* Frames in order, each buffer showing the counter of its sequence. */
	for (int i = 0; i < 20; i++) {
		struct preview_frame fr;
		const struct preview_buffer *b;

		REQUIRE(next_frame(&f, &v, &fr) == 0);
		REQUIRE(fr.index < v.n);
		CHECK_INT(fr.generation, ==, v.generation);
		if (i > 0)
			CHECK_INT(fr.sequence, >, last);
		last = fr.sequence;
		b = &v.bufs[fr.index];
		CHECK_INT(simrender_read_counter(v.maps[fr.index], (int)b->width, (int)b->height,
						 b->planes[0].stride),
			  ==, fr.sequence);
		CHECK(fr.timestamp_ns > 0);
		release(&v, fr.index);
	}
	/* The camera going away says so: a new generation without buffers. */
	f.cam = camera_free(f.cam);
	{
		struct preview_hello h;
		struct preview_frame fr;
		ssize_t k;

		/* Frames already queued may come first. */
		do
			k = recv_packet(&f, v.fd, &h, sizeof(fr), NULL, NULL, 2000);
		while (k == sizeof(fr));
		CHECK_INT(k, ==, sizeof(h));
		CHECK_INT(h.type, ==, PREVIEW_MSG_HELLO);
		CHECK_INT(h.n_buffers, ==, 0);
		CHECK(h.generation != v.generation);
	}
	view_close(&v);
	teardown(&f);
}

static void test_slow_client_never_blocks(void)
{
	struct fixture f;
	struct view good, lazy;
	struct preview_stats st;
	uint32_t first = 0, last = 0;
	int got = 0;

	REQUIRE(setup(&f, 60, true) == 0);
	REQUIRE(view_open(&f, &lazy) == 0);
	REQUIRE(view_open(&f, &good) == 0);
	/* LAZY never reads or releases; GOOD still gets a steady stream. */
	for (int i = 0; i < 90; i++) {
		struct preview_frame fr;

		REQUIRE(next_frame(&f, &good, &fr) == 0);
		CHECK_INT(simrender_read_counter(good.maps[fr.index], PW, PH,
						 good.bufs[fr.index].planes[0].stride),
			  ==, fr.sequence);
		if (got++ == 0)
			first = fr.sequence;
		last = fr.sequence;
		release(&good, fr.index);
	}
	preview_get_stats(f.pv, &st);
	/* GOOD missed (almost) nothing; LAZY had all but PREVIEW_MAX_HELD dropped. */
	CHECK_INT(last - first + 1, <=, got + 2);
	CHECK_INT(st.clients, ==, 2);
	CHECK_INT(st.dropped, >=, got - PREVIEW_MAX_HELD - 2);
	fprintf(stderr, "frames %llu sent %llu dropped %llu reclaimed %llu\n",
		(unsigned long long)st.frames, (unsigned long long)st.sent,
		(unsigned long long)st.dropped, (unsigned long long)st.reclaimed);
	view_close(&lazy);
	view_close(&good);
	teardown(&f);
}

static void test_client_limit(void)
{
	struct fixture f;
	struct view v[PREVIEW_MAX_CLIENTS + 1];
	struct preview_stats st;
	char buf[128];
	int extra;

	REQUIRE(setup(&f, 30, true) == 0);
	for (int i = 0; i < PREVIEW_MAX_CLIENTS; i++)
		REQUIRE(view_open(&f, &v[i]) == 0);
	/* One more is accepted by the kernel, then closed by the server without a word. */
	extra = connect_client(f.path);
	REQUIRE(extra >= 0);
	CHECK_INT(recv_packet(&f, extra, buf, sizeof(buf), NULL, NULL, 2000), ==, 0);
	close(extra);
	preview_get_stats(f.pv, &st);
	CHECK_INT(st.refused, ==, 1);
	CHECK_INT(st.clients, ==, PREVIEW_MAX_CLIENTS);
	/* When one leaves, a newcomer gets in. */
	view_close(&v[0]);
	for (int i = 0; i < 5; i++)
		loop_iterate(f.loop, 10);
	CHECK(view_open(&f, &v[PREVIEW_MAX_CLIENTS]) == 0);
	for (int i = 1; i <= PREVIEW_MAX_CLIENTS; i++)
		view_close(&v[i]);
	teardown(&f);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void test_protocol_errors(void)
{
	struct fixture f;
	struct view v;
	struct preview_stats st;
	char buf[128];
	int before;

	REQUIRE(setup(&f, 30, true) == 0);
	/* A stale release is ignored; a wrong one ends the connection. */
	REQUIRE(view_open(&f, &v) == 0);
	{
		struct preview_release r = { PREVIEW_MSG_RELEASE, 0, v.generation - 1, 0 };
		struct preview_release bad = { PREVIEW_MSG_RELEASE, 99, v.generation, 0 };

		CHECK_INT(send(v.fd, &r, sizeof(r), 0), ==, sizeof(r));
		for (int i = 0; i < 5; i++)
			loop_iterate(f.loop, 10);
		preview_get_stats(f.pv, &st);
		CHECK_INT(st.clients, ==, 1);
		CHECK_INT(send(v.fd, &bad, sizeof(bad), 0), ==, sizeof(bad));
	}
	for (;;) {
		ssize_t k = recv_packet(&f, v.fd, buf, sizeof(buf), NULL, NULL, 2000);

		if (k <= 0) {
			CHECK_INT(k, ==, 0);
			break;
		}
	}
	view_close(&v);

	/* A client that sends fds is dropped and the server keeps none of them. */
	REQUIRE(view_open(&f, &v) == 0);
	before = count_fds();
	{
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct preview_release r = { PREVIEW_MSG_RELEASE, 0, v.generation, 0 };
		struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = u.b,
				     .msg_controllen = sizeof(u.b) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		int pass = open("/dev/null", O_RDONLY | O_CLOEXEC);

		REQUIRE(pass >= 0);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass, sizeof(int));
		CHECK_INT(sendmsg(v.fd, &mh, 0), ==, sizeof(r));
		close(pass);
	}
	for (;;) {
		ssize_t k = recv_packet(&f, v.fd, buf, sizeof(buf), NULL, NULL, 2000);

		if (k <= 0) {
			CHECK_INT(k, ==, 0);
			break;
		}
	}
	for (int i = 0; i < 5; i++)
		loop_iterate(f.loop, 10);
	/* The server's end of the connection is gone, and so is its copy of the fd we passed
	 * (ours was opened after counting and is closed again). */
	CHECK_INT(count_fds(), <=, before - 1);
	view_close(&v);
	teardown(&f);
}

static void test_reclaim_when_all_held(void)
{
	struct fixture f;
	struct preview_buffer_desc d[2];
	struct preview_stats st;
	struct view a, b;
	struct preview_frame fr;
	int fds[2];

	REQUIRE(setup(&f, 30, false) == 0);
	for (int i = 0; i < 2; i++) {
		fds[i] = memfd_create("t", MFD_CLOEXEC);
		REQUIRE(fds[i] >= 0 && ftruncate(fds[i], 4096) == 0);
		d[i] = (struct preview_buffer_desc){ .fds = { fds[i], -1, -1 },
						     .width = 16,
						     .height = 16,
						     .fourcc = PREVIEW_FMT_XRGB8888,
						     .n_planes = 1,
						     .planes = { { 0, 64, 1024 } } };
	}
	CHECK_INT(preview_acquire(f.pv), ==, -ENODEV);
	REQUIRE(preview_set_buffers(f.pv, d, 2) == 0);
	REQUIRE(view_open(&f, &a) == 0);
	REQUIRE(view_open(&f, &b) == 0);
	/* Both clients hold both buffers, and never release. */
	for (int i = 0; i < 2; i++) {
		int k = preview_acquire(f.pv);

		CHECK_INT(k, ==, i);
		preview_frame(f.pv, (unsigned)k, (uint32_t)i, 1);
		CHECK(next_frame(&f, &a, &fr) == 0);
		CHECK(next_frame(&f, &b, &fr) == 0);
	}
	CHECK(preview_held(f.pv, 0) && preview_held(f.pv, 1));
	/* The producer still gets a buffer: the one announced longest ago. */
	CHECK_INT(preview_acquire(f.pv), ==, 0);
	CHECK(!preview_held(f.pv, 0));
	preview_get_stats(f.pv, &st);
	CHECK_INT(st.reclaimed, ==, 1);
	/* A release makes it free again. */
	release(&a, 1);
	release(&b, 1);
	for (int i = 0; i < 5; i++)
		loop_iterate(f.loop, 10);
	CHECK(!preview_held(f.pv, 1));
	CHECK_INT(preview_set_buffers(f.pv, d, PREVIEW_MAX_BUFFERS + 1), ==, -EINVAL);
	view_close(&a);
	view_close(&b);
	preview_set_buffers(f.pv, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	teardown(&f);
}

static void test_socket_file(void)
{
	struct fixture f;
	struct preview *other = NULL;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	REQUIRE(setup(&f, 30, false) == 0);
	/* A second server on a live socket is refused. */
	CHECK_INT(preview_new(f.loop, f.path, &other), ==, -EADDRINUSE);
	f.pv = preview_free(f.pv);
	CHECK_INT(access(f.path, F_OK), ==, -1);
	/* A stale socket (bound, nobody listening) is replaced. */
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	set_path(&a, f.path);
	REQUIRE(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	close(fd);
	CHECK_INT(preview_new(f.loop, f.path, &f.pv), ==, 0);
	f.pv = preview_free(f.pv);
	/* Any other file is left alone. */
	fd = open(f.path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	close(fd);
	CHECK_INT(preview_new(f.loop, f.path, &f.pv), ==, -EEXIST);
	CHECK_INT(access(f.path, F_OK), ==, 0);
	teardown(&f);
}

static void test_parse_release(void)
{
	struct preview_release r = { PREVIEW_MSG_RELEASE, 3, 7, 0 }, out;
	char big[32] = { 0 };

	CHECK_INT(preview_parse_release(&r, sizeof(r), 7, 4, &out), ==, 0);
	CHECK_INT(out.index, ==, 3);
	CHECK_INT(preview_parse_release(&r, sizeof(r), 8, 4, &out), ==, -ESTALE);
	CHECK_INT(preview_parse_release(&r, sizeof(r), 7, 3, &out), ==, -EBADMSG);
	CHECK_INT(preview_parse_release(&r, sizeof(r) - 1, 7, 4, &out), ==, -EBADMSG);
	memcpy(big, &r, sizeof(r));
	CHECK_INT(preview_parse_release(big, sizeof(big), 7, 4, &out), ==, -EBADMSG);
	r.reserved = 1;
	CHECK_INT(preview_parse_release(&r, sizeof(r), 7, 4, &out), ==, -EBADMSG);
	r.reserved = 0;
	r.type = PREVIEW_MSG_FRAME;
	CHECK_INT(preview_parse_release(&r, sizeof(r), 7, 4, &out), ==, -EBADMSG);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "fds_and_counter", test_fds_and_counter },
		{ "slow_client_never_blocks", test_slow_client_never_blocks },
		{ "client_limit", test_client_limit },
		{ "protocol_errors", test_protocol_errors },
		{ "reclaim_when_all_held", test_reclaim_when_all_held },
		{ "socket_file", test_socket_file },
		{ "parse_release", test_parse_release },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
