/* SPDX-License-Identifier: MIT */
/* booth-ui's preview client against a scripted server on a real SOCK_SEQPACKET socket: buffers
 * kept from memfds and mapped only while drawn, the newest frame held, the previous one released
 * and unmapped, 24-bit frames widened, a new buffer set. */
#define _GNU_SOURCE /* memfd_create */
#include "harness.h"
#include "loop.h"
#include "preview-proto.h"
#include "preview-client.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define FW 64
#define FH 32

static int frames_seen;

static void on_frame(void *userdata)
{
	(void)userdata;
	frames_seen++;
}

static int send_fd(int s, void *msg, size_t n, int fd)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { msg, n };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		mh.msg_control = ctl.b;
		mh.msg_controllen = sizeof(ctl.b);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(s, &mh, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* A buffer of colour B G R in a memfd. */
static int make_buffer(uint8_t b, uint8_t g, uint8_t r)
{
	int fd = memfd_create("test-frame", MFD_CLOEXEC);
	uint8_t px[FW * FH * 4];

	for (size_t i = 0; i < sizeof(px); i += 4) {
		px[i] = b;
		px[i + 1] = g;
		px[i + 2] = r;
		px[i + 3] = 0;
	}
	if (fd < 0 || write(fd, px, sizeof(px)) != (ssize_t)sizeof(px))
		return -1;
	return fd;
}

/* How many of this process's mappings, or (FDS) open descriptors, are of the test's memfds. */
static int memfd_count(bool fds)
{
	char line[512];
	int n = 0;

	if (!fds) {
		FILE *f = fopen("/proc/self/maps", "re");

		while (f && fgets(line, sizeof(line), f))
			n += strstr(line, "memfd:test-frame") != NULL;
		if (f)
			fclose(f);
		return n;
	}
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[300];
		ssize_t k;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		k = readlink(path, line, sizeof(line) - 1);
		if (k > 0) {
			line[k] = 0;
			n += strstr(line, "memfd:test-frame") != NULL;
		}
	}
	if (d)
		closedir(d);
	return n;
}

/* The BUFFER message of buffer INDEX: FW x FH XRGB8888 in one plane. */
static struct preview_buffer xrgb_buffer(uint32_t index)
{
	struct preview_buffer b = { .type = PREVIEW_MSG_BUFFER,
				    .index = index,
				    .width = FW,
				    .height = FH,
				    .fourcc = PREVIEW_FMT_XRGB8888,
				    .n_planes = 1,
				    .planes = { { 0, FW * 4, FW * FH * 4 } } };

	return b;
}

static void pump(struct loop *l, int ms)
{
	for (int i = 0; i < ms / 10; i++)
		loop_iterate(l, 10);
}

/* A scripted server: a listening socket in a fresh folder, and a client on a loop. */
struct rig {
	char dir[32];
	struct sockaddr_un sa;
	struct preview_client *c;
	struct loop *l;
	int ls;
};

/* Start the rig and accept the client's connection. Returns the server's end of it, or -1. */
static int rig_start(struct rig *r)
{
	*r = (struct rig){ .dir = "/tmp/ui-preview-XXXXXX", .sa = { .sun_family = AF_UNIX } };
	r->ls = -1;
	if (!mkdtemp(r->dir))
		return -1;
	snprintf(r->sa.sun_path, sizeof(r->sa.sun_path), "%s/p.sock", r->dir);
	r->ls = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (r->ls < 0 || bind(r->ls, (struct sockaddr *)&r->sa, sizeof(r->sa)) < 0 ||
	    listen(r->ls, 4) < 0 || loop_new(&r->l) < 0 ||
	    preview_client_new(r->l, r->sa.sun_path, on_frame, NULL, &r->c) < 0)
		return -1;
	pump(r->l, 50);
	return accept4(r->ls, NULL, NULL, SOCK_CLOEXEC);
}

static void rig_stop(struct rig *r)
{
	preview_client_free(r->c);
	loop_free(r->l);
	if (r->ls >= 0)
		close(r->ls);
	unlink(r->sa.sun_path);
	rmdir(r->dir);
}

static void test_frames(void)
{
	struct rig rig;
	struct preview_client *c;
	struct loop *l;
	const struct canvas_xrgb *f;
	struct preview_release rel;
	struct preview_client_stats st;
	int s, fd0, fd1;

	s = rig_start(&rig);
	if (s < 0) {
		rig_stop(&rig);
		REQUIRE(!"the scripted server and the client start");
	}
	c = rig.c;
	l = rig.l;
	CHECK(preview_client_frame(c) == NULL);

	{
		struct preview_hello h = { PREVIEW_MSG_HELLO, PREVIEW_PROTO_VERSION, 7, 2 };
		struct preview_buffer b = xrgb_buffer(0);
		struct preview_frame fr = { PREVIEW_MSG_FRAME, 0, 7, 1, 0 };

		fd0 = make_buffer(10, 20, 200);
		fd1 = make_buffer(250, 0, 0);
		REQUIRE(fd0 >= 0 && fd1 >= 0);
		CHECK(send_fd(s, &h, sizeof(h), -1) == 0);
		CHECK(send_fd(s, &b, sizeof(b), fd0) == 0);
		b.index = 1;
		CHECK(send_fd(s, &b, sizeof(b), fd1) == 0);
		CHECK(send_fd(s, &fr, sizeof(fr), -1) == 0);
		pump(l, 50);
		/* The client keeps its own copies of the buffers' fds, but maps nothing until a
		 * frame is drawn. */
		CHECK_INT(memfd_count(true), ==, 4);
		CHECK_INT(memfd_count(false), ==, 0);
		f = preview_client_frame(c);
		REQUIRE(f);
		CHECK_INT(f->w, ==, FW);
		CHECK_INT(f->data[2], ==, 200);
		CHECK_INT(memfd_count(false), ==, 1);
		CHECK(preview_client_frame(c) == f);
		CHECK_INT(memfd_count(false), ==, 1);
		/* The next frame replaces it, and the first buffer is released. */
		fr.index = 1;
		fr.sequence = 2;
		CHECK(send_fd(s, &fr, sizeof(fr), -1) == 0);
		pump(l, 50);
		/* The released buffer is unmapped; the new frame is not mapped until drawn. */
		CHECK_INT(memfd_count(false), ==, 0);
		f = preview_client_frame(c);
		REQUIRE(f);
		CHECK_INT(f->data[0], ==, 250);
		CHECK_INT(memfd_count(false), ==, 1);
		CHECK_INT(recv(s, &rel, sizeof(rel), MSG_DONTWAIT), ==, (int)sizeof(rel));
		CHECK_INT(rel.type, ==, PREVIEW_MSG_RELEASE);
		CHECK_INT(rel.index, ==, 0);
		CHECK_INT(rel.generation, ==, 7);
		/* Off the screen: unmapped, still held (no release sent), and mapped again when
		 * drawn again. */
		preview_client_unmap(c);
		CHECK_INT(memfd_count(false), ==, 0);
		CHECK_INT(recv(s, &rel, sizeof(rel), MSG_DONTWAIT), ==, -1);
		f = preview_client_frame(c);
		REQUIRE(f);
		CHECK_INT(f->data[0], ==, 250);
		CHECK_INT(memfd_count(false), ==, 1);
		/* The counters: frame 1 was replaced before being shown; frame 2 is shown (once);
		 * frames 3 and 4 never came. */
		CHECK(preview_client_shown(c));
		CHECK(!preview_client_shown(c));
		fr.index = 0;
		fr.sequence = 5;
		CHECK(send_fd(s, &fr, sizeof(fr), -1) == 0);
		pump(l, 50);
		CHECK_INT(recv(s, &rel, sizeof(rel), MSG_DONTWAIT), ==, (int)sizeof(rel));
		CHECK_INT(rel.index, ==, 1);
		preview_client_get_stats(c, &st);
		CHECK_INT(st.frames, ==, 3);
		CHECK_INT(st.unseen, ==, 1);
		CHECK_INT(st.missed, ==, 2);
		/* No camera: an empty buffer set, and no frame to draw. */
		h.generation = 8;
		h.n_buffers = 0;
		CHECK(send_fd(s, &h, sizeof(h), -1) == 0);
		pump(l, 50);
		CHECK(preview_client_frame(c) == NULL);
		/* The old set is forgotten: unmapped and its fds closed. */
		CHECK_INT(memfd_count(false), ==, 0);
		CHECK_INT(memfd_count(true), ==, 2);
		/* A frame for a buffer that does not exist is a protocol error: disconnected. */
		CHECK(send_fd(s, &fr, sizeof(fr), -1) == 0);
		pump(l, 50);
		CHECK_INT(recv(s, &rel, sizeof(rel), MSG_DONTWAIT), ==, 0);
	}
	CHECK_INT(frames_seen, >=, 3);
	close(fd0);
	close(fd1);
	close(s);
	/* It connects again by itself. */
	pump(l, 1200);
	s = accept4(rig.ls, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	CHECK(s >= 0);
	if (s >= 0)
		close(s);
	rig_stop(&rig);
}

/* For a hardware plane: the held frame's buffer and fds without mapping it, and buffers the
 * display still reads are kept past newer frames until it lets them go. */
static void test_busy(void)
{
	struct preview_buffer b;
	struct preview_hello h = { PREVIEW_MSG_HELLO, PREVIEW_PROTO_VERSION, 9, 3 };
	struct preview_frame fr = { PREVIEW_MSG_FRAME, 0, 9, 1, 0 };
	const struct preview_buffer *held;
	struct preview_release rel;
	const int *fds = NULL;
	uint32_t gen = 0;
	struct rig rig;
	int s, fd[3];

	s = rig_start(&rig);
	if (s < 0) {
		rig_stop(&rig);
		REQUIRE(!"the scripted server and the client start");
	}
	CHECK(send_fd(s, &h, sizeof(h), -1) == 0);
	for (int i = 0; i < 3; i++) {
		fd[i] = make_buffer((uint8_t)(10 * i), 0, 0);
		b = xrgb_buffer((uint32_t)i);
		CHECK(send_fd(s, &b, sizeof(b), fd[i]) == 0);
	}
	CHECK(send_fd(s, &fr, sizeof(fr), -1) == 0);
	pump(rig.l, 50);
	held = preview_client_buffer(rig.c, &fds, &gen);
	REQUIRE(held && fds);
	CHECK_INT(held->index, ==, 0);
	CHECK_INT(held->fourcc, ==, PREVIEW_FMT_XRGB8888);
	CHECK_INT(gen, ==, 9);
	CHECK(fds[0] >= 0 && fds[0] != fd[0]);
	CHECK_INT(fds[1], ==, -1);
	CHECK_INT(memfd_count(false), ==, 0);
	/* Buffer 0 goes on the plane: a newer frame does not release it... */
	preview_client_set_busy(rig.c, 1u << 0);
	fr.index = 1;
	CHECK(send_fd(s, &fr, sizeof(fr), -1) == 0);
	pump(rig.l, 50);
	CHECK_INT(recv(s, &rel, sizeof(rel), MSG_DONTWAIT), ==, -1);
	/* ...until the plane shows buffer 1 instead. */
	preview_client_set_busy(rig.c, 1u << 1);
	CHECK_INT(recv(s, &rel, sizeof(rel), MSG_DONTWAIT), ==, (int)sizeof(rel));
	CHECK_INT(rel.index, ==, 0);
	/* The busy buffer stays when it is no longer the newest; idle ones go at once. */
	fr.index = 2;
	CHECK(send_fd(s, &fr, sizeof(fr), -1) == 0);
	pump(rig.l, 50);
	CHECK_INT(recv(s, &rel, sizeof(rel), MSG_DONTWAIT), ==, -1);
	preview_client_set_busy(rig.c, 0);
	CHECK_INT(recv(s, &rel, sizeof(rel), MSG_DONTWAIT), ==, (int)sizeof(rel));
	CHECK_INT(rel.index, ==, 1);
	CHECK_INT(recv(s, &rel, sizeof(rel), MSG_DONTWAIT), ==, -1);
	held = preview_client_buffer(rig.c, &fds, &gen);
	CHECK(held && held->index == 2);
	for (int i = 0; i < 3; i++)
		close(fd[i]);
	close(s);
	rig_stop(&rig);
}

/* A 24-bit frame (RGB888: bytes B G R, rows padded) is widened to XRGB8888 when drawn. */
static void test_rgb888(void)
{
	enum { STRIDE = FW * 3 + 8 };
	uint8_t px[STRIDE * FH];
	const struct canvas_xrgb *f;
	struct rig rig;
	int s, fd;

	s = rig_start(&rig);
	if (s < 0) {
		rig_stop(&rig);
		REQUIRE(!"the scripted server and the client start");
	}
	memset(px, 0, sizeof(px));
	for (int y = 0; y < FH; y++)
		for (int x = 0; x < FW; x++) {
			px[y * STRIDE + x * 3] = 11;
			px[y * STRIDE + x * 3 + 1] = 22;
			px[y * STRIDE + x * 3 + 2] = 33;
		}
	fd = memfd_create("test-frame", MFD_CLOEXEC);
	REQUIRE(fd >= 0 && write(fd, px, sizeof(px)) == (ssize_t)sizeof(px));
	{
		struct preview_hello h = { PREVIEW_MSG_HELLO, PREVIEW_PROTO_VERSION, 3, 1 };
		struct preview_buffer b = { PREVIEW_MSG_BUFFER,
					    0,
					    FW,
					    FH,
					    PREVIEW_FMT_RGB888,
					    1,
					    { { 0, STRIDE, STRIDE * FH } },
					    0,
					    0 };
		struct preview_frame fr = { PREVIEW_MSG_FRAME, 0, 3, 1, 0 };

		CHECK(send_fd(s, &h, sizeof(h), -1) == 0);
		CHECK(send_fd(s, &b, sizeof(b), fd) == 0);
		CHECK(send_fd(s, &fr, sizeof(fr), -1) == 0);
	}
	pump(rig.l, 50);
	f = preview_client_frame(rig.c);
	REQUIRE(f);
	CHECK_INT(f->stride, ==, FW * 4);
	/* The last pixel of the last row: B G R X. */
	{
		const uint8_t *last = f->data + (size_t)f->stride * (FH - 1) + (size_t)(FW - 1) * 4;

		CHECK_INT(last[0], ==, 11);
		CHECK_INT(last[1], ==, 22);
		CHECK_INT(last[2], ==, 33);
	}
	CHECK_INT(f->data[3], ==, 0xff);
	/* The camera's buffer is unmapped with the copy. */
	CHECK_INT(memfd_count(false), ==, 1);
	preview_client_unmap(rig.c);
	CHECK_INT(memfd_count(false), ==, 0);
	close(fd);
	close(s);
	rig_stop(&rig);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "frames", test_frames },
		{ "rgb888", test_rgb888 },
		{ "busy", test_busy },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
