/* SPDX-License-Identifier: MIT */
/* Unit tests for the real libcamera shim and backend on a machine without cameras: start,
 * enumerate nothing, report "none", stay idle, stop cleanly (and leak nothing under ASan). */
#include "backend.h"
#include "boothconf.h"
#include "config.h"
#include "harness.h"
#include "lc.h"
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void test_shim_no_camera(void)
{
	struct lc *lc = NULL, *second = NULL;
	struct lc_want want = { 640, 480, 1280, 960, false };
	struct lc_stream_info si;
	struct lc_buffer b;
	struct lc_event ev;
	struct pollfd p;
	char model[65] = "x";

	REQUIRE(lc_new(&lc) == 0);
	/* One CameraManager per process: libcamera would abort on a second. */
	CHECK_INT(lc_new(&second), ==, -EBUSY);
	CHECK(second == NULL);
	CHECK(lc_fd(lc) >= 0);
	CHECK(fcntl(lc_fd(lc), F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(lc_fd(lc), F_GETFL) & O_NONBLOCK);
	CHECK_INT(lc_camera_count(lc), ==, 0);
	/* Nothing happens, so nothing is signalled. */
	p = (struct pollfd){ .fd = lc_fd(lc), .events = POLLIN };
	CHECK_INT(poll(&p, 1, 200), ==, 0);
	CHECK_INT(lc_next_event(lc, &ev), ==, 0);
	CHECK_INT(lc_open(lc, 0, &want, model, sizeof(model)), ==, -ENODEV);
	CHECK(!lc_is_open(lc));
	CHECK_INT(lc_get_stream(lc, LC_STREAM_VIEWFINDER, &si), ==, -ENODEV);
	CHECK_INT(lc_get_buffer(lc, LC_STREAM_VIEWFINDER, 0, &b), ==, -ENODEV);
	CHECK_INT(lc_start(lc, 30), ==, -ENODEV);
	CHECK_INT(lc_queue(lc, 0, false), ==, -ENODEV);
	lc_close(lc);
	CHECK(lc_free(lc) == NULL);
	CHECK(lc_free(NULL) == NULL);
	/* And it starts again (booth-camera restarts it if it ever failed). */
	REQUIRE(lc_new(&lc) == 0);
	CHECK_INT(lc_camera_count(lc), ==, 0);
	lc_free(lc);
}

struct seen {
	int changed, stills;
};

static void ev_changed(void *ud)
{
	((struct seen *)ud)->changed++;
}

static void ev_still(void *ud, void *token, const struct camera_image *img, int r, const char *m)
{
	(void)token;
	(void)img;
	(void)r;
	(void)m;
	((struct seen *)ud)->stills++;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void test_backend_reports_none_and_idles(void)
{
	static const struct camera_events events = { ev_changed, ev_still };
	struct booth_config cfg;
	struct camera_info info;
	struct camera *cam = NULL;
	struct loop *l = NULL;
	struct seen seen = { 0, 0 };
	char err[CONFIG_ERR_MAX];
	uint64_t end;
	double cpu;
	int wakeups = 0;

	REQUIRE(config_defaults(boothconf_keys, &cfg, err, sizeof(err)) == 0);
	CHECK_STR(cfg.camera.backend, "libcamera");
	REQUIRE(loop_new(&l) == 0);
	REQUIRE(camera_new(l, &cfg, NULL, &events, &seen, &cam) == 0);
	/* The first look happens from the loop, not inside camera_new(). */
	CHECK_INT(seen.changed, ==, 0);
	for (int i = 0; i < 10 && seen.changed == 0; i++)
		loop_iterate(l, 50);
	CHECK_INT(seen.changed, ==, 1);
	camera_get_info(cam, &info);
	CHECK_INT(info.status, ==, CAMERA_STATUS_NONE);
	CHECK_STR(info.model, "");
	CHECK_INT(info.preview_width, ==, 0);
	CHECK_INT(info.still_width, ==, 0);
	CHECK_INT(camera_capture(cam, &(struct camera_request){ 0 }, &seen), ==, -ENODEV);

	/* Over 2.5 s it looks again (once, after 2 s), reports nothing new, and sleeps. */
	cpu = cpu_seconds();
	end = now_usec() + 2500000;
	while (now_usec() < end)
		wakeups += loop_iterate(l, (int)((end - now_usec()) / 1000) + 1) > 0;
	cpu = cpu_seconds() - cpu;
	fprintf(stderr, "idle: %d wake-ups, %.3f s CPU in 2.5 s\n", wakeups, cpu);
	CHECK_INT(wakeups, <=, 3);
	CHECK_MSG(cpu < 0.2, "%.3f s of CPU while idle", cpu);
	CHECK_INT(seen.changed, ==, 1);
	CHECK_INT(seen.stills, ==, 0);
	cam = camera_free(cam);
	l = loop_free(l);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "shim_no_camera", test_shim_no_camera },
		{ "backend_reports_none_and_idles", test_backend_reports_none_and_idles },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
