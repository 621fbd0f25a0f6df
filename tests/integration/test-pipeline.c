/* SPDX-License-Identifier: MIT */
/* boothd's pipelining on the real broker: each shot's raw frame (events/frame_ready) moves the
 * session on, the strip is composed from the raw frames while no JPEG is stored yet, review
 * waits for every JPEG, a JPEG that cannot be stored fails the session, and raw frames are
 * deleted once composed and when the session ends. The test plays booth-camera on the bus (as
 * the camera user), so that it decides when each JPEG is stored; test-guest runs the same
 * session with the real booth-camera. */
#include "digest.h"
#include "env.h"
#include "harness.h"
#include "layout.h"
#include "rawframe.h"
#include "util.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <turbojpeg.h>
#include <unistd.h>

#define T(x) "booth/" ENV_BOOTH "/" x
#define FW   96
#define FH   64

static struct env env;

/* Each shot's frame is one solid colour; the stored JPEGs are something else entirely. */
static const uint8_t colours[4][3] = {
	{ 220, 30, 30 }, { 30, 200, 40 }, { 40, 60, 220 }, { 230, 210, 20 }
};

struct cap {
	char id[65];
	long long session, trigger;
	int shot;
	char mode[16];
};

/* Wait for boothd's next camera/capture request. */
static bool next_capture(struct tclient *cam, struct cap *c)
{
	struct tmsg *m = tclient_wait(cam, T("camera/capture"), 10000);
	json_object *o;

	if (!m)
		return false;
	o = json_tokener_parse(m->payload);
	tmsg_free(m);
	if (!o)
		return false;
	strscpy(c->id, env_json_str(o, "id"), sizeof(c->id));
	strscpy(c->mode, env_json_str(o, "mode"), sizeof(c->mode));
	c->session = json_object_get_int64(env_json_get(o, "session"));
	c->shot = json_object_get_int(env_json_get(o, "shot"));
	c->trigger = json_object_get_int64(env_json_get(o, "trigger_us"));
	json_object_put(o);
	return c->shot >= 1 && c->shot <= 4;
}

/* Write capture C's raw frame into the frames directory and announce it. */
static int hand_frame(struct tclient *cam, const struct cap *c)
{
	uint8_t *buf = malloc(RAWFRAME_HEADER + (size_t)FW * FH * 3);
	char path[512], payload[1024];
	int r = -1;

	if (!buf || rawframe_header(buf, FW, FH, (size_t)FW * 3, (uint64_t)c->trigger) < 0)
		goto out;
	for (size_t i = 0; i < (size_t)FW * FH; i++)
		memcpy(buf + RAWFRAME_HEADER + 3 * i, colours[c->shot - 1], 3);
	snprintf(path, sizeof(path), "%s/frames/s%lld-%d-%s.rgb", env.dir, c->session, c->shot,
		 c->id);
	if (write_file_atomic(path, buf, RAWFRAME_HEADER + (size_t)FW * FH * 3, 0640) < 0)
		goto out;
	snprintf(payload, sizeof(payload),
		 "{\"id\":\"%s\",\"session\":%lld,\"shot\":%d,\"path\":\"%s\",\"width\":%d,"
		 "\"height\":%d,\"trigger_us\":%lld,\"frame_us\":%lld}",
		 c->id, c->session, c->shot, path, FW, FH, c->trigger, c->trigger + 1000);
	r = tclient_publish(cam, T("events/frame_ready"), payload, (int)strlen(payload), NULL,
			    NULL);
out:
	free(buf);
	return r;
}

/* Store capture C's JPEG in the photo store as booth-camera would, and announce it. */
static int store_photo(struct tclient *cam, const struct cap *c)
{
	char dir[400], path[512], payload[1400], sha[65], day[16];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	snprintf(dir, sizeof(dir), "%s/photos/%s", env.dir, day);
	snprintf(path, sizeof(path), "%s/s%lld-%d-%s.jpg", dir, c->session, c->shot, c->id);
	if (mkdir_p(dir, 0770) < 0 || env_make_jpeg(path, 320, 240) <= 0 ||
	    sha256_file(path, sha) < 0)
		return -1;
	snprintf(payload, sizeof(payload),
		 "{\"id\":\"%s\",\"session\":%lld,\"shot\":%d,\"path\":\"%s\",\"sha256\":\"%s\","
		 "\"width\":320,\"height\":240,\"taken\":%lld,\"trigger_us\":%lld,"
		 "\"frame_us\":%lld}",
		 c->id, c->session, c->shot, path, sha, (long long)now * 1000, c->trigger,
		 c->trigger + 1000);
	return tclient_publish(cam, T("events/photo_stored"), payload, (int)strlen(payload), NULL,
			       NULL);
}

static int count_frames(void)
{
	char dir[400];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/frames", env.dir);
	d = opendir(dir);
	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* The session phase boothd reports to an owner right now. */
static const char *phase_now(struct tclient *owner, char *buf, size_t n)
{
	json_object *o = tclient_request(owner, "get", "{\"what\":\"session\"}", 10000);

	strscpy(buf, o ? env_json_str(env_json_get(o, "data"), "phase") : "", n);
	json_object_put(o);
	return buf;
}

#define NEED(cond)                                                                                 \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			test_fail(__FILE__, __LINE__, "required: %s", #cond);                      \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

static void test_pipeline(void)
{
	struct tclient *cam = NULL, *ui = NULL, *owner = NULL;
	struct cap caps[4];
	json_object *o = NULL;
	char phase[32], frames[400];
	long long since = 0;
	struct layout l;
	char err[LAYOUT_ERR_MAX];
	pid_t boothd;

	NEED(env_start_conf(&env, 5, "[boothd]\nprinting = no\n") == 0);
	snprintf(frames, sizeof(frames), "%s/frames", env.dir);
	NEED(mkdir_p(frames, 0770) == 0);
	cam = tclient_new(&env, "camera", NULL, false, NULL);
	ui = tclient_new(&env, "ui", NULL, false, NULL);
	owner = tclient_new(&env, "owner", NULL, false, NULL);
	NEED(cam && ui && owner);
	NEED(tclient_subscribe(cam, T("camera/capture")) >= 0);
	NEED(tclient_subscribe(ui, T("session/state")) >= 0);
	NEED(tclient_subscribe(owner, T("events/#")) >= 0);
	NEED(tclient_subscribe(owner, T("response/#")) >= 0);
	boothd = env_spawn(&env, "boothd");
	NEED(boothd > 0);
	o = tclient_wait_phase(ui, "idle", 10000);
	NEED(o);
	o = (json_object_put(o), NULL);
	{
		const char *st = "{\"status\":\"ok\",\"backend\":\"sim\",\"model\":\"Test camera\","
				 "\"preview\":null,\"still\":null}";
		const char *start = "{\"action\":\"start\"}";

		NEED(tclient_publish(cam, T("camera/state"), st, (int)strlen(st), NULL, NULL) == 0);
		since = env_us();
		NEED(tclient_publish(ui, T("session/command"), start, (int)strlen(start), NULL,
				     NULL) == 0);
	}

	/* Every shot moves on at its frame: the next capture is asked for while no JPEG is
	 * stored, with the moment the countdown ended and the layout's mode. */
	for (int i = 0; i < 4; i++) {
		NEED(next_capture(cam, &caps[i]));
		CHECK_INT(caps[i].shot, ==, i + 1);
		CHECK_STR(caps[i].mode, "stream");
		/* On our monotonic clock: after the session started (or the previous frame was
		 * handed over), before the request arrived. */
		CHECK_INT(caps[i].trigger, >=, since);
		CHECK_INT(caps[i].trigger, <=, env_us());
		since = env_us();
		NEED(hand_frame(cam, &caps[i]) == 0);
	}
	/* The strip is composed from the frames alone: not one JPEG exists yet. The frames are
	 * deleted before strip_ready is announced. */
	o = NULL;
	{
		struct tmsg *m = tclient_wait(owner, T("events/strip_ready"), 30000);

		NEED(m);
		tmsg_free(m);
	}
	CHECK_INT(count_frames(), ==, 0);
	/* Review waits for the JPEGs. */
	CHECK_STR(phase_now(owner, phase, sizeof(phase)), "compose");
	for (int i = 0; i < 3; i++)
		NEED(store_photo(cam, &caps[i]) == 0);
	CHECK_STR(phase_now(owner, phase, sizeof(phase)), "compose");
	NEED(store_photo(cam, &caps[3]) == 0);
	o = tclient_wait_phase(ui, "review", 10000);
	NEED(o);
	/* The strip shows the frames' colours, not the stored JPEGs' pattern. */
	{
		char path[PATH_MAX + 64];
		const char *strip = env_json_str(o, "strip");
		char *data = NULL;
		long n = read_file_all(strip, &data);
		tjhandle tj = tjInitDecompress();
		int w = 0, h = 0, sub, cs;
		unsigned char *px = NULL;

		snprintf(path, sizeof(path), "layouts/4x6-two-strips.layout");
		NEED(layout_load(path, &l, err, sizeof(err)) == 0);
		if (n > 0 && tj &&
		    tjDecompressHeader3(tj, (unsigned char *)data, (unsigned long)n, &w, &h, &sub,
					&cs) == 0 &&
		    (px = malloc((size_t)w * (size_t)h * 3)) &&
		    tjDecompress2(tj, (unsigned char *)data, (unsigned long)n, px, w, 0, h,
				  TJPF_RGB, 0) == 0) {
			for (size_t c = 0; c < l.ncells; c++) {
				struct layout_px p = layout_rect_px(&l.cells[c].r, l.dpi);
				const uint8_t *want = colours[l.cells[c].photo];
				const unsigned char *got =
					px + ((size_t)((p.y0 + p.y1) / 2) * (size_t)w +
					      (size_t)((p.x0 + p.x1) / 2)) *
						     3;

				for (int k = 0; k < 3; k++)
					CHECK_MSG(abs(got[k] - want[k]) <= 6,
						  "cell %zu channel %d: %d, want %d", c, k, got[k],
						  want[k]);
			}
		} else {
			test_fail(__FILE__, __LINE__, "cannot decode the strip %s", strip);
		}
		if (tj)
			tjDestroy(tj);
		free(px);
		free(data);
	}
	o = (json_object_put(o), NULL);
	{
		const char *discard = "{\"action\":\"discard\"}";

		NEED(tclient_publish(ui, T("session/command"), discard, (int)strlen(discard), NULL,
				     NULL) == 0);
	}
	o = tclient_wait_phase(ui, "idle", 10000);
	NEED(o);
	o = (json_object_put(o), NULL);
	{
		struct tmsg *m = tclient_wait(owner, T("events/session_ended"), 10000);

		NEED(m);
		CHECK(strstr(m->payload, "\"deleted\"") != NULL);
		tmsg_free(m);
	}

	/* Second session: a JPEG that cannot be stored after its frame was used fails the session
	 * cleanly, and the frames already handed over are deleted. */
	{
		const char *start = "{\"action\":\"start\"}";
		char failed[512];
		struct tmsg *m;

		NEED(tclient_publish(ui, T("session/command"), start, (int)strlen(start), NULL,
				     NULL) == 0);
		NEED(next_capture(cam, &caps[0]));
		NEED(hand_frame(cam, &caps[0]) == 0);
		NEED(next_capture(cam, &caps[1]));
		NEED(hand_frame(cam, &caps[1]) == 0);
		NEED(next_capture(cam, &caps[2]));
		CHECK_INT(count_frames(), ==, 2);
		snprintf(failed, sizeof(failed),
			 "{\"id\":\"%s\",\"session\":%lld,\"shot\":1,"
			 "\"error\":\"the photo store is full\"}",
			 caps[0].id, caps[0].session);
		NEED(tclient_publish(cam, T("events/capture_failed"), failed, (int)strlen(failed),
				     NULL, NULL) == 0);
		o = tclient_wait_phase(ui, "error", 10000);
		NEED(o);
		CHECK_STR(env_json_str(o, "error"), "the photo store is full");
		o = (json_object_put(o), NULL);
		m = tclient_wait(owner, T("events/session_ended"), 10000);
		NEED(m);
		CHECK(strstr(m->payload, "\"failed\"") != NULL);
		tmsg_free(m);
		CHECK_INT(count_frames(), ==, 0);
		CHECK(!tclient_got(owner, T("events/strip_ready"), 0));
	}
	CHECK(env_alive(boothd));
out:
	json_object_put(o);
	tclient_free(cam);
	tclient_free(ui);
	tclient_free(owner);
	env_stop(&env);
}

/* boothd deletes raw frames nobody will compose when it starts. */
static void test_frames_deleted_at_start(void)
{
	struct tclient *ui = NULL;
	json_object *o = NULL;
	char path[512];

	NEED(env_start(&env, 5) == 0);
	snprintf(path, sizeof(path), "%s/frames", env.dir);
	NEED(mkdir_p(path, 0770) == 0);
	snprintf(path, sizeof(path), "%s/frames/s3-2-3-2-0.rgb", env.dir);
	NEED(write_file_atomic(path, "BOOTHRAW", 8, 0640) == 0);
	ui = tclient_new(&env, "ui", NULL, false, NULL);
	NEED(ui && tclient_subscribe(ui, T("session/state")) >= 0);
	NEED(env_spawn(&env, "boothd") > 0);
	/* The frames go before boothd connects. */
	o = tclient_wait_phase(ui, "idle", 10000);
	NEED(o);
	CHECK_INT(access(path, F_OK), ==, -1);
out:
	json_object_put(o);
	tclient_free(ui);
	env_stop(&env);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "pipeline", test_pipeline },
		{ "frames_deleted_at_start", test_frames_deleted_at_start },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
