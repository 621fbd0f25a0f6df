/* SPDX-License-Identifier: MIT */
/* booth-ui's preview client against a scripted server on a real SOCK_SEQPACKET socket: buffers
 * mapped from memfds, the newest frame held, the previous one released, a new buffer set. */
#define _GNU_SOURCE /* memfd_create */
#include "harness.h"
#include "loop.h"
#include "preview-proto.h"
#include "preview-client.h"

#include <errno.h>
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

static void pump(struct loop *l, int ms)
{
	for (int i = 0; i < ms / 10; i++)
		loop_iterate(l, 10);
}

static void test_frames(void)
{
	char dir[] = "/tmp/ui-preview-XXXXXX";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct preview_client *c = NULL;
	struct loop *l = NULL;
	const struct canvas_xrgb *f;
	struct preview_release rel;
	struct preview_client_stats st;
	int ls, s, fd0, fd1;

	REQUIRE(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/p.sock", dir);
	ls = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	REQUIRE(ls >= 0);
	REQUIRE(bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(ls, 4) == 0);
	REQUIRE(loop_new(&l) == 0);
	REQUIRE(preview_client_new(l, sa.sun_path, on_frame, NULL, &c) == 0);
	CHECK(preview_client_frame(c) == NULL);
	pump(l, 50);
	s = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	REQUIRE(s >= 0);

	{
		struct preview_hello h = { PREVIEW_MSG_HELLO, PREVIEW_PROTO_VERSION, 7, 2 };
		struct preview_buffer b = { PREVIEW_MSG_BUFFER,
					    0,
					    FW,
					    FH,
					    PREVIEW_FMT_XRGB8888,
					    1,
					    { { 0, FW * 4, FW * FH * 4 } },
					    0,
					    0 };
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
		f = preview_client_frame(c);
		REQUIRE(f);
		CHECK_INT(f->w, ==, FW);
		CHECK_INT(f->data[2], ==, 200);
		/* The next frame replaces it, and the first buffer is released. */
		fr.index = 1;
		fr.sequence = 2;
		CHECK(send_fd(s, &fr, sizeof(fr), -1) == 0);
		pump(l, 50);
		f = preview_client_frame(c);
		REQUIRE(f);
		CHECK_INT(f->data[0], ==, 250);
		CHECK_INT(recv(s, &rel, sizeof(rel), MSG_DONTWAIT), ==, (int)sizeof(rel));
		CHECK_INT(rel.type, ==, PREVIEW_MSG_RELEASE);
		CHECK_INT(rel.index, ==, 0);
		CHECK_INT(rel.generation, ==, 7);
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
	s = accept4(ls, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	CHECK(s >= 0);
	if (s >= 0)
		close(s);
	preview_client_free(c);
	loop_free(l);
	close(ls);
	unlink(sa.sun_path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "frames", test_frames },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
