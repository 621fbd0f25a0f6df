/* SPDX-License-Identifier: MIT */
/* booth-camera on the real broker: retained camera state, captures into the photo store, bad
 * requests, a full store, broker restarts, and the libcamera backend with no camera here. */
#define _GNU_SOURCE
#include "env.h"
#include "harness.h"
#include "preview-proto.h"
#include "digest.h"
#include "rawframe.h"
#include "simrender.h"
#include "store.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <turbojpeg.h>
#include <time.h>
#include <unistd.h>

#define T_STATE	  "booth/" ENV_BOOTH "/camera/state"
#define T_CAPTURE "booth/" ENV_BOOTH "/camera/capture"
#define T_STORED  "booth/" ENV_BOOTH "/events/photo_stored"
#define T_FAILED  "booth/" ENV_BOOTH "/events/capture_failed"
#define T_FRAME	  "booth/" ENV_BOOTH "/events/frame_ready"
#define SW	  640
#define SH	  360

static struct env env;

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static const char *get_str(json_object *o, const char *key)
{
	return json_object_get_string(get(o, key));
}

static long long get_int(json_object *o, const char *key)
{
	return (long long)json_object_get_int64(get(o, key));
}

/* Whether LINE sets a key that one of the "key = value" lines of SET also sets. */
static bool overridden(const char *line, const char *set)
{
	size_t k = strcspn(line, " =");

	for (const char *p = set; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0')) {
		if (strncmp(p, line, k) == 0 && (p[k] == ' ' || p[k] == '='))
			return true;
	}
	return false;
}

/* Rewrite booth.conf's [camera] section with BACKEND and the "key = value" lines of SET, which
 * replace whatever the environment wrote for those keys. */
static int set_camera_conf(const char *backend, const char *set)
{
	char all[2048], *line = NULL;
	size_t n = 0;
	bool in_camera = false;
	FILE *in = fopen(env.conf, "r"), *out;
	char tmp[400];

	snprintf(all, sizeof(all), "backend = %s\n%s", backend, set);
	snprintf(tmp, sizeof(tmp), "%s.new", env.conf);
	if (!in)
		return -1;
	out = fopen(tmp, "w");
	if (!out) {
		fclose(in);
		return -1;
	}
	while (getline(&line, &n, in) > 0) {
		if (line[0] == '[')
			in_camera = strncmp(line, "[camera]", 8) == 0;
		if (in_camera && line[0] != '[' && overridden(line, all))
			continue;
		fputs(line, out);
		if (in_camera && line[0] == '[')
			fputs(all, out);
	}
	free(line);
	fclose(in);
	fclose(out);
	return rename(tmp, env.conf);
}

/* Start the broker and booth-camera; BOOTHD is the test's client as the boothd user,
 * subscribed to the camera's state and events. */
static pid_t start_camera(const char *backend, const char *extra, struct tclient **boothd)
{
	pid_t pid;

	*boothd = NULL;
	if (env_start(&env, 5) < 0)
		return -1;
	if (set_camera_conf(backend, extra) < 0) {
		test_fail(__FILE__, __LINE__, "cannot rewrite %s", env.conf);
		return -1;
	}
	*boothd = tclient_new(&env, "boothd", NULL, true, NULL);
	if (!*boothd) {
		test_fail(__FILE__, __LINE__, "boothd cannot connect");
		return -1;
	}
	tclient_subscribe(*boothd, T_STORED);
	tclient_subscribe(*boothd, T_FAILED);
	tclient_subscribe(*boothd, T_FRAME);
	pid = env_spawn(&env, "booth-camera");
	return pid;
}

/* Wait for the retained camera state and parse it. */
static json_object *wait_state(struct tclient *c, int timeout_ms)
{
	struct tmsg *m;
	json_object *o;

	if (tclient_subscribe(c, T_STATE) < 0)
		return NULL;
	m = tclient_wait(c, T_STATE, timeout_ms);
	if (!m)
		return NULL;
	o = json_tokener_parse(m->payload);
	tmsg_free(m);
	return o;
}

static json_object *wait_event(struct tclient *c, const char *topic, int timeout_ms)
{
	struct tmsg *m = tclient_wait(c, topic, timeout_ms);
	json_object *o;

	if (!m)
		return NULL;
	CHECK(!m->retain);
	o = json_tokener_parse(m->payload);
	tmsg_free(m);
	return o;
}

static int capture(struct tclient *c, const char *payload)
{
	return tclient_publish(c, T_CAPTURE, payload, (int)strlen(payload), NULL, NULL);
}

/* The file of a photo_stored event exists, matches its checksum and decodes to W x H. */
static void check_photo(json_object *ev, int w, int h)
{
	const char *path = get_str(ev, "path");
	char sha[65], dir[400];
	unsigned char *data = NULL;
	struct stat st;
	int jw = 0, jh = 0, sub = 0, cs = 0;
	tjhandle tj;
	long n;

	REQUIRE(path);
	snprintf(dir, sizeof(dir), "%s/photos/", env.dir);
	CHECK_MSG(strncmp(path, dir, strlen(dir)) == 0, "%s is not in %s", path, dir);
	REQUIRE(stat(path, &st) == 0);
	CHECK_INT(st.st_mode & 0777, ==, 0640);
	n = read_file(path, 64 << 20, (char **)&data);
	REQUIRE(n > 0);
	CHECK_INT(st.st_size, ==, n);
	REQUIRE(sha256_hex(data, (size_t)n, sha) == 0);
	CHECK_STR(get_str(ev, "sha256"), sha);
	tj = tjInitDecompress();
	REQUIRE(tj);
	CHECK_INT(tjDecompressHeader3(tj, data, (unsigned long)n, &jw, &jh, &sub, &cs), ==, 0);
	CHECK_INT(jw, ==, w);
	CHECK_INT(jh, ==, h);
	CHECK_INT(get_int(ev, "width"), ==, w);
	CHECK_INT(get_int(ev, "height"), ==, h);
	/* No Exif: JFIF APP0 follows SOI, and no APP1 segment before the frame header. */
	CHECK(data[2] == 0xff && data[3] == 0xe0);
	CHECK(!memmem(data, (size_t)n < 4096 ? (size_t)n : 4096, "Exif", 4));
	tjDestroy(tj);
	free(data);
}

/* Temporary files a failed write might leave behind anywhere under DIR. */
static int count_tmp_files(const char *dir)
{
	char cmd[512], line[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "find '%s' -name '*.tmp.*' | wc -l", dir);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	pclose(p);
	return (int)strtol(line, NULL, 10);
}

/* utime + stime of PID in seconds, from /proc/PID/stat. */
static double cpu_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* Skip to the space before field 14 (utime); stime (15) follows. */
	for (int field = 3; field <= 14 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	ut = strtoul(p + 1, &p, 10);
	st = strtoul(p, NULL, 10);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Fail the test and go to its clean-up when COND is false. */
#define NEED(cond)                                                                                 \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			test_fail(__FILE__, __LINE__, "required: %s", #cond);                      \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)

/* What a test started, stopped by finish() however the test ended. */
struct run {
	pid_t pid;
	struct tclient *boothd, *other;
	char mounted[400];
};

/* Stop booth-camera with SIGTERM (a clean exit is expected), then everything else. */
static void finish(struct run *r)
{
	tclient_free(r->other);
	tclient_free(r->boothd);
	if (r->pid > 0) {
		int status = env_kill_daemon(&env, r->pid, SIGTERM);

		CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			  "booth-camera ended with status %#x", status);
	}
	if (r->mounted[0] && umount2(r->mounted, MNT_DETACH) < 0)
		fprintf(stderr, "umount %s: %s\n", r->mounted, strerror(errno));
	env_stop(&env);
	memset(r, 0, sizeof(*r));
}

static void test_state_and_capture(void)
{
	char first_sha[65] = "";
	struct run r = { 0 };
	json_object *o = NULL, *m;
	double cpu0;

	r.pid = start_camera("sim",
			     "stream_width = 640\nstream_height = 360\npreview_width = 1280\n"
			     "preview_height = 720\npreview_fps = 30\n",
			     &r.boothd);
	NEED(r.pid > 0 && r.boothd);
	/* The retained state, as a dashboard that connects later sees it. */
	r.other = tclient_new(&env, "owner", NULL, false, NULL);
	NEED(r.other);
	o = wait_state(r.other, 10000);
	NEED(o);
	CHECK_STR(get_str(o, "status"), "ok");
	CHECK_STR(get_str(o, "backend"), "sim");
	CHECK_STR(get_str(o, "model"), "Simulated camera");
	m = get(o, "preview");
	CHECK_INT(get_int(m, "width"), ==, 1280);
	CHECK_INT(get_int(m, "height"), ==, 720);
	CHECK_INT(get_int(m, "fps"), ==, 30);
	m = get(o, "stream");
	CHECK_INT(get_int(m, "width"), ==, SW);
	CHECK_INT(get_int(m, "height"), ==, SH);
	m = get(o, "still");
	CHECK_INT(get_int(m, "width"), ==, 2304);
	CHECK_INT(get_int(m, "height"), ==, 1296);
	CHECK(get(o, "error") == NULL);
	o = (json_object_put(o), NULL);

	/* What the 1280x720 30 fps preview costs. */
	cpu0 = cpu_of(r.pid);
	usleep(3000 * 1000);
	fprintf(stderr, "booth-camera (sim, 1280x720 at 30 fps): %.1f %% of one core\n",
		(cpu_of(r.pid) - cpu0) / 3.0 * 100.0);
	CHECK(cpu_of(r.pid) - cpu0 < 2.4);

	/* A capture is stored and announced. */
	CHECK_INT(capture(r.boothd, "{\"id\":\"7-1\",\"session\":7,\"shot\":1}"), ==, 0);
	o = wait_event(r.boothd, T_STORED, 10000);
	NEED(o);
	CHECK_STR(get_str(o, "id"), "7-1");
	CHECK_INT(get_int(o, "session"), ==, 7);
	CHECK_INT(get_int(o, "shot"), ==, 1);
	CHECK(strstr(get_str(o, "path"), "/s7-1-7-1.jpg") != NULL);
	CHECK(get_int(o, "taken") > 1700000000000LL);
	check_photo(o, SW, SH);
	snprintf(first_sha, sizeof(first_sha), "%s", get_str(o, "sha256"));
	o = (json_object_put(o), NULL);

	/* A request the schema refuses but whose id, session and shot can be read is answered. */
	CHECK_INT(capture(r.boothd, "{\"id\":\"7-9\",\"session\":7,\"shot\":2,\"colour\":1}"), ==,
		  0);
	o = wait_event(r.boothd, T_FAILED, 5000);
	NEED(o);
	CHECK_STR(get_str(o, "id"), "7-9");
	CHECK_INT(get_int(o, "shot"), ==, 2);
	CHECK(strstr(get_str(o, "error"), "colour") != NULL);
	o = (json_object_put(o), NULL);
	/* Garbage, and what cannot be answered within the contract (shot 9), is dropped... */
	CHECK_INT(capture(r.boothd, "not json"), ==, 0);
	CHECK_INT(capture(r.boothd, "{\"id\":\"../../etc/x\",\"session\":7}"), ==, 0);
	CHECK_INT(capture(r.boothd, "{\"id\":\"7-9\",\"session\":7,\"shot\":9}"), ==, 0);
	CHECK_INT(capture(r.boothd, "[1,2,3]"), ==, 0);
	CHECK(!tclient_got(r.boothd, T_FAILED, 500));
	/* ...and the camera carries on, with an id that is no path. */
	CHECK_INT(capture(r.boothd, "{\"id\":\"../../x y\",\"session\":7,\"shot\":2}"), ==, 0);
	o = wait_event(r.boothd, T_STORED, 10000);
	NEED(o);
	CHECK_STR(get_str(o, "id"), "../../x y");
	CHECK(strstr(get_str(o, "path"), "/s7-2-______x_y.jpg") != NULL);
	check_photo(o, SW, SH);
	o = (json_object_put(o), NULL);
	/* The same capture again (its announcement was lost) announces the photo already stored,
	 * unchanged: it is not taken twice, and nothing is overwritten. */
	CHECK_INT(capture(r.boothd, "{\"id\":\"7-1\",\"session\":7,\"shot\":1}"), ==, 0);
	o = wait_event(r.boothd, T_STORED, 10000);
	NEED(o);
	CHECK(strstr(get_str(o, "path"), "/s7-1-7-1.jpg") != NULL);
	CHECK_STR(get_str(o, "sha256"), first_sha);
	check_photo(o, SW, SH);
	o = (json_object_put(o), NULL);
	/* Several at once are all answered, in order. */
	for (int i = 1; i <= 3; i++) {
		char p[96];

		snprintf(p, sizeof(p), "{\"id\":\"8-%d\",\"session\":8,\"shot\":%d}", i, i);
		CHECK_INT(capture(r.boothd, p), ==, 0);
	}
	for (int i = 1; i <= 3; i++) {
		char id[16];

		snprintf(id, sizeof(id), "8-%d", i);
		o = wait_event(r.boothd, T_STORED, 10000);
		NEED(o);
		CHECK_STR(get_str(o, "id"), id);
		o = (json_object_put(o), NULL);
	}
	CHECK(env_alive(r.pid));
out:
	json_object_put(o);
	finish(&r);
}

/* The preview socket of the running daemon hands out buffers and frames. */
static void test_preview_socket(void)
{
	struct run r = { 0 };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct preview_hello h = { 0 };
	char path[400];
	int fd = -1, frames = 0, fds = 0;
	long long end;

	r.pid = start_camera("sim", "preview_width = 320\npreview_height = 180\n", &r.boothd);
	NEED(r.pid > 0 && r.boothd);
	json_object_put(wait_state(r.boothd, 10000));
	snprintf(path, sizeof(path), "%s/preview.sock", env.dir);
	NEED(strlen(path) < sizeof(a.sun_path));
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	NEED(fd >= 0);
	NEED(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	end = env_ms() + 5000;
	while (frames < 10 && env_ms() < end) {
		union {
			char b[CMSG_SPACE(sizeof(int) * PREVIEW_MAX_PLANES)];
			struct cmsghdr align;
		} u;
		unsigned char pkt[128] = { 0 };
		struct iovec iov = { .iov_base = pkt, .iov_len = sizeof(pkt) };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = u.b,
				     .msg_controllen = sizeof(u.b) };
		ssize_t k = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		uint32_t type;

		if (k < 4)
			break;
		memcpy(&type, pkt, 4);
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			int x;

			memcpy(&x, CMSG_DATA(c), sizeof(x));
			close(x);
			fds++;
		}
		if (type == PREVIEW_MSG_HELLO)
			memcpy(&h, pkt, sizeof(h));
		if (type == PREVIEW_MSG_FRAME) {
			struct preview_frame fr;
			struct preview_release rel = { PREVIEW_MSG_RELEASE, 0, h.generation, 0 };

			memcpy(&fr, pkt, sizeof(fr));
			rel.index = fr.index;
			CHECK_INT(send(fd, &rel, sizeof(rel), MSG_NOSIGNAL), ==, sizeof(rel));
			frames++;
		}
	}
	CHECK_INT(h.n_buffers, ==, 4);
	CHECK_INT(fds, ==, 4);
	CHECK_INT(frames, ==, 10);
	/* A clean stop removes the socket. */
	tclient_free(r.boothd);
	r.boothd = NULL;
	CHECK_INT(env_kill_daemon(&env, r.pid, SIGTERM), ==, 0);
	r.pid = 0;
	CHECK_INT(access(path, F_OK), ==, -1);
out:
	if (fd >= 0)
		close(fd);
	finish(&r);
}

static void test_full_store(void)
{
	struct run r = { 0 };
	char photos[400], filler[420];
	json_object *o = NULL;
	int fd;

	r.pid = start_camera("sim", "stream_width = 640\nstream_height = 360\n", &r.boothd);
	NEED(r.pid > 0 && r.boothd);
	json_object_put(wait_state(r.boothd, 10000));
	/* A photo store of 256 KiB, nearly all taken. */
	snprintf(photos, sizeof(photos), "%s/photos", env.dir);
	NEED(mkdir(photos, 0750) == 0);
	if (mount("tmpfs", photos, "tmpfs", MS_NOSUID | MS_NODEV, "size=256k,mode=0750") < 0) {
		test_fail(__FILE__, __LINE__, "cannot mount a tmpfs (%s): run as root",
			  strerror(errno));
		goto out;
	}
	snprintf(r.mounted, sizeof(r.mounted), "%s", photos);
	snprintf(filler, sizeof(filler), "%s/filler", photos);
	fd = open(filler, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	NEED(fd >= 0);
	{
		static char block[4096];

		while (write(fd, block, sizeof(block)) > 0)
			;
		close(fd);
	}
	CHECK_INT(capture(r.boothd, "{\"id\":\"9-1\",\"session\":9,\"shot\":1}"), ==, 0);
	o = wait_event(r.boothd, T_FAILED, 10000);
	NEED(o);
	CHECK_STR(get_str(o, "id"), "9-1");
	CHECK_INT(get_int(o, "session"), ==, 9);
	CHECK_STR(get_str(o, "error"), "the photo store is full");
	o = (json_object_put(o), NULL);
	CHECK(!tclient_got(r.boothd, T_STORED, 300));
	CHECK_INT(count_tmp_files(photos), ==, 0);
	CHECK(env_alive(r.pid));
	/* Space again: the next capture works. */
	unlink(filler);
	CHECK_INT(capture(r.boothd, "{\"id\":\"9-2\",\"session\":9,\"shot\":2}"), ==, 0);
	o = wait_event(r.boothd, T_STORED, 10000);
	NEED(o);
	check_photo(o, SW, SH);
out:
	json_object_put(o);
	finish(&r);
}

static void test_state_after_broker_restart(void)
{
	struct run r = { 0 };
	json_object *o = NULL;

	r.pid = start_camera("sim", "", &r.boothd);
	NEED(r.pid > 0 && r.boothd);
	json_object_put(wait_state(r.boothd, 10000));
	tclient_free(r.boothd);
	r.boothd = NULL;
	env_broker_stop(&env, SIGKILL);
	usleep(500 * 1000);
	CHECK(env_alive(r.pid));
	NEED(env_broker_start(&env) == 0);
	r.other = tclient_new(&env, "owner", NULL, false, NULL);
	NEED(r.other);
	/* The broker kept nothing: this is booth-camera republishing after reconnecting. */
	o = wait_state(r.other, 10000);
	NEED(o);
	CHECK_STR(get_str(o, "status"), "ok");
out:
	json_object_put(o);
	finish(&r);
}

/* The frame counter the simulated camera drew into the JPEG of a photo_stored event. */
static long photo_counter(json_object *ev)
{
	unsigned char *data = NULL;
	uint8_t *px = NULL;
	long n = read_file(get_str(ev, "path"), 64 << 20, (char **)&data), counter = -1;
	int w = 0, h = 0, sub = 0, cs = 0;
	tjhandle tj = tjInitDecompress();

	if (n > 0 && tj &&
	    tjDecompressHeader3(tj, data, (unsigned long)n, &w, &h, &sub, &cs) == 0 &&
	    (px = malloc((size_t)w * (size_t)h * 4)) &&
	    tjDecompress2(tj, data, (unsigned long)n, px, w, 0, h, TJPF_BGRX, 0) == 0)
		counter = simrender_read_counter(px, w, h, (size_t)w * 4);
	if (tj)
		tjDestroy(tj);
	free(px);
	free(data);
	return counter;
}

/* Ask for shot SHOT of session 20 at TRIGGER (MODE NULL: none given) and wait for its answer:
 * the photo_stored event into *STORED and, for a stream capture, the frame_ready before it into
 * *FRAME (else NULL). */
static void zsl_capture(struct tclient *c, int shot, long long trigger, const char *mode,
			json_object **frame, json_object **stored)
{
	char p[200];

	snprintf(p, sizeof(p),
		 "{\"id\":\"20-%d\",\"session\":20,\"shot\":%d,\"trigger_us\":%lld%s%s%s}", shot,
		 shot, trigger, mode ? ",\"mode\":\"" : "", mode ? mode : "", mode ? "\"" : "");
	*frame = *stored = NULL;
	CHECK_INT(capture(c, p), ==, 0);
	if (!mode || strcmp(mode, "stream") == 0)
		*frame = wait_event(c, T_FRAME, 10000);
	*stored = wait_event(c, T_STORED, 10000);
}

/* Zero shutter lag in the simulated camera: the frame closest to the trigger, whether the trigger
 * is now, in the past, in the future or older than the frames kept; the raw frame for the
 * composer before the JPEG; full-resolution stills on request. */
static void test_zero_shutter_lag(void)
{
	const long long iv = 1000000 / 30;
	struct run r = { 0 };
	json_object *fr = NULL, *st = NULL, *o = NULL;
	char stale[440], frames[400];
	struct rawframe raw;
	char *data = NULL;
	long long f1 = 0, f2, t;
	long c1, c2, n;

	r.pid = start_camera("sim",
			     "stream_width = 640\nstream_height = 360\nstill_width = 960\n"
			     "still_height = 540\npreview_width = 320\npreview_height = 180\n"
			     "preview_fps = 30\n",
			     &r.boothd);
	NEED(r.pid > 0 && r.boothd);
	snprintf(frames, sizeof(frames), "%s/frames", env.dir);
	snprintf(stale, sizeof(stale), "%s/s1-1-1-1.rgb", frames);
	o = wait_state(r.boothd, 10000);
	NEED(o);
	o = (json_object_put(o), NULL);
	/* The ring holds frames from the camera's start on: let it run for half a second, or the
	 * trigger 100 ms in the past below may come before its first frame. */
	usleep(500000);

	/* Now: the frame closest to this moment, within a frame interval. */
	t = env_us();
	zsl_capture(r.boothd, 1, t, "stream", &fr, &st);
	NEED(fr && st);
	CHECK_STR(get_str(fr, "id"), "20-1");
	CHECK_INT(get_int(fr, "trigger_us"), ==, t);
	CHECK_INT(get_int(st, "trigger_us"), ==, t);
	f1 = get_int(fr, "frame_us");
	CHECK_INT(get_int(st, "frame_us"), ==, f1);
	CHECK_MSG(llabs(f1 - t) <= iv, "frame %lld us from the trigger", f1 - t);
	check_photo(st, SW, SH);
	/* The raw frame: in the frames directory, the stream's size, the same timestamp. */
	CHECK_INT(get_int(fr, "width"), ==, SW);
	CHECK_INT(get_int(fr, "height"), ==, SH);
	CHECK(strncmp(get_str(fr, "path"), frames, strlen(frames)) == 0);
	n = read_file(get_str(fr, "path"), 8 << 20, &data);
	NEED(n > 0);
	NEED(rawframe_parse(data, (size_t)n, &raw) == 0);
	CHECK_INT(raw.width, ==, SW);
	CHECK_INT(raw.height, ==, SH);
	CHECK_INT(raw.frame_us, ==, f1);
	/* It is the picture that was stored: the counter drawn into it reads back from both. */
	c1 = photo_counter(st);
	CHECK_INT(c1, >, 0);
	{
		uint8_t *xrgb = malloc((size_t)SW * SH * 4);

		NEED(xrgb);
		for (size_t i = 0; i < (size_t)SW * SH; i++) {
			xrgb[4 * i] = raw.pixels[(i / SW) * raw.stride + (i % SW) * 3 + 2];
			xrgb[4 * i + 1] = raw.pixels[(i / SW) * raw.stride + (i % SW) * 3 + 1];
			xrgb[4 * i + 2] = raw.pixels[(i / SW) * raw.stride + (i % SW) * 3];
			xrgb[4 * i + 3] = 0;
		}
		CHECK_INT(simrender_read_counter(xrgb, SW, SH, (size_t)SW * 4), ==, c1);
		free(xrgb);
	}
	free(data);
	data = NULL;
	fr = (json_object_put(fr), NULL);
	st = (json_object_put(st), NULL);

	/* In the past (the countdown ended 100 ms before the request came): a frame taken then,
	 * not the next one. The counters of the two photos are as far apart as their timestamps. */
	t = env_us() - 100000;
	zsl_capture(r.boothd, 2, t, NULL, &fr, &st);
	NEED(fr && st);
	f2 = get_int(st, "frame_us");
	CHECK_MSG(llabs(f2 - t) <= iv, "frame %lld us from the trigger", f2 - t);
	c2 = photo_counter(st);
	CHECK_INT(c2 - c1, ==, llround((double)(f2 - f1) / (double)iv));
	fr = (json_object_put(fr), NULL);
	st = (json_object_put(st), NULL);

	/* In the future: the camera waits for the frame of that moment. */
	t = env_us() + 400000;
	zsl_capture(r.boothd, 3, t, "stream", &fr, &st);
	NEED(fr && st);
	f2 = get_int(st, "frame_us");
	CHECK_MSG(llabs(f2 - t) <= iv, "frame %lld us from the trigger", f2 - t);
	CHECK_INT(env_us(), >=, f2);
	fr = (json_object_put(fr), NULL);
	st = (json_object_put(st), NULL);

	/* Older than the frames kept (the simulated camera keeps 3 s): the oldest kept, still
	 * answered. */
	t = env_us() - 20000000;
	zsl_capture(r.boothd, 4, t, "stream", &fr, &st);
	NEED(fr && st);
	f2 = get_int(st, "frame_us");
	CHECK_MSG(f2 - t > 16000000, "frame %lld us from the trigger", f2 - t);
	check_photo(st, SW, SH);
	fr = (json_object_put(fr), NULL);
	st = (json_object_put(st), NULL);

	/* Full resolution: the still size, after the request; no raw frame. */
	t = env_us();
	zsl_capture(r.boothd, 5, t, "full", &fr, &st);
	NEED(st);
	check_photo(st, 960, 540);
	CHECK_INT(get_int(st, "trigger_us"), ==, t);
	CHECK_INT(get_int(st, "frame_us"), >=, t);
	CHECK(!tclient_got(r.boothd, T_FRAME, 200));
	/* Without a trigger the request's arrival is the moment. */
	CHECK_INT(capture(r.boothd, "{\"id\":\"20-6\",\"session\":20,\"shot\":6}"), ==, 0);
	o = wait_event(r.boothd, T_STORED, 10000);
	NEED(o);
	CHECK(get(o, "trigger_us") == NULL);
	CHECK_INT(get_int(o, "frame_us"), >, 0);
	o = (json_object_put(o), NULL);
	CHECK(env_alive(r.pid));
	/* A frame left behind (booth-camera was killed, boothd never composed it) is deleted when
	 * booth-camera starts again. */
	CHECK_INT(env_kill_daemon(&env, r.pid, SIGKILL), !=, 0);
	r.pid = 0;
	NEED(write_file_atomic(stale, "BOOTHRAW", 8, 0640) == 0);
	r.pid = env_spawn(&env, "booth-camera");
	NEED(r.pid > 0);
	/* It cleans up before it connects: once its state is here, the file is gone. */
	{
		struct tmsg *m = tclient_wait(r.boothd, T_STATE, 10000);

		NEED(m);
		tmsg_free(m);
	}
	CHECK_INT(access(stale, F_OK), ==, -1);
	CHECK(env_alive(r.pid));
out:
	free(data);
	json_object_put(fr);
	json_object_put(st);
	json_object_put(o);
	finish(&r);
}

/* A field of /proc/PID/status in kB, or -1. */
static long status_kb(pid_t pid, const char *field)
{
	char path[64], *text = NULL, *p;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file(path, 1 << 16, &text) > 0 && (p = strstr(text, field)))
		v = strtol(p + strlen(field) + 1, NULL, 10);
	free(text);
	return v;
}

/* Wait until booth-camera is done with everything asked before: it answers a request it must
 * refuse at once, and only after it finished what came earlier (one thread, one loop). */
static bool settled(struct tclient *c)
{
	json_object *o;

	if (capture(c, "{\"id\":\"sync\",\"session\":20,\"shot\":1,\"sync\":1}") != 0)
		return false;
	o = wait_event(c, T_FAILED, 10000);
	json_object_put(o);
	return o != NULL;
}

/* The camera's memory at the default sizes (1280x720 preview, 1920x1080 stream, 4608x2592
 * stills): a stream photo or a full-resolution still costs memory only while it is made. */
static void test_memory(void)
{
	struct run r = { 0 };
	json_object *fr = NULL, *st = NULL, *o = NULL;
	long idle, after_stream, after_full, hwm_stream, shmem;

	r.pid = start_camera("sim",
			     "stream_width = 1920\nstream_height = 1080\nstill_width = 4608\n"
			     "still_height = 2592\npreview_width = 1280\npreview_height = 720\n"
			     "preview_fps = 30\n",
			     &r.boothd);
	NEED(r.pid > 0 && r.boothd);
	o = wait_state(r.boothd, 10000);
	NEED(o);
	/* A capture first: what the libraries allocate once (the JPEG encoder) is in. */
	zsl_capture(r.boothd, 1, env_us(), "stream", &fr, &st);
	NEED(fr && st);
	fr = (json_object_put(fr), NULL);
	st = (json_object_put(st), NULL);
	NEED(settled(r.boothd));
	idle = status_kb(r.pid, "VmRSS:");
	shmem = status_kb(r.pid, "RssShmem:");
	for (int shot = 2; shot <= 5; shot++) {
		zsl_capture(r.boothd, shot, env_us(), "stream", &fr, &st);
		NEED(fr && st);
		fr = (json_object_put(fr), NULL);
		st = (json_object_put(st), NULL);
	}
	NEED(settled(r.boothd));
	after_stream = status_kb(r.pid, "VmRSS:");
	hwm_stream = status_kb(r.pid, "VmHWM:");
	zsl_capture(r.boothd, 6, env_us(), "full", &fr, &st);
	NEED(st);
	check_photo(st, 4608, 2592);
	NEED(settled(r.boothd));
	after_full = status_kb(r.pid, "VmRSS:");
	printf("# booth-camera RSS: %ld kB steady (%ld kB of it the preview buffers), %ld kB after "
	       "4 stream photos (peak %ld kB), %ld kB after a 4608x2592 still (peak %ld kB)\n",
	       idle, shmem, after_stream, hwm_stream, after_full, status_kb(r.pid, "VmHWM:"));
	fprintf(stderr,
		"booth-camera RSS: %ld kB steady, %ld kB after stream photos (peak %ld), "
		"%ld kB after a full still (peak %ld)\n",
		idle, after_stream, hwm_stream, after_full, status_kb(r.pid, "VmHWM:"));
	NEED(idle > 0 && after_stream > 0 && after_full > 0);
	/* No picture stays: not the 8 MB stream frame, not the 47 MB still. (AddressSanitizer
	 * keeps freed memory in quarantine, so its builds say nothing about that; LeakSanitizer
	 * checks leaks at exit instead, as in test-soak.) */
#if !defined(__SANITIZE_ADDRESS__)
	CHECK_MSG(after_stream < idle + 4096, "%ld kB after stream photos, %ld before",
		  after_stream, idle);
	CHECK_MSG(after_full < idle + 4096, "%ld kB after a full still, %ld before", after_full,
		  idle);
#endif
	/* A stream photo never needs the full still's memory. */
	CHECK_MSG(hwm_stream < idle + 32768, "peak %ld kB with stream photos", hwm_stream);
out:
	json_object_put(fr);
	json_object_put(st);
	json_object_put(o);
	finish(&r);
}

static void test_libcamera_without_camera(void)
{
	struct run r = { 0 };
	json_object *o = NULL;
	double cpu0, cpu;

	r.pid = start_camera("libcamera", "", &r.boothd);
	NEED(r.pid > 0 && r.boothd);
	o = wait_state(r.boothd, 10000);
	NEED(o);
	CHECK_STR(get_str(o, "status"), "none");
	CHECK_STR(get_str(o, "backend"), "libcamera");
	CHECK_STR(get_str(o, "model"), "");
	CHECK(json_object_is_type(get(o, "preview"), json_type_null));
	CHECK(json_object_is_type(get(o, "still"), json_type_null));
	CHECK(get(o, "error") == NULL);
	o = (json_object_put(o), NULL);
	/* A capture without a camera is answered, not lost. */
	CHECK_INT(capture(r.boothd, "{\"id\":\"1-1\",\"session\":1,\"shot\":1}"), ==, 0);
	o = wait_event(r.boothd, T_FAILED, 5000);
	NEED(o);
	CHECK_STR(get_str(o, "error"), "no camera is connected");
	o = (json_object_put(o), NULL);
	/* It keeps looking without spinning, and without republishing an unchanged state. */
	cpu0 = cpu_of(r.pid);
	NEED(cpu0 >= 0);
	usleep(3000 * 1000);
	cpu = cpu_of(r.pid) - cpu0;
	fprintf(stderr, "booth-camera (libcamera, no camera): %.2f s CPU in 3 s\n", cpu);
	CHECK_MSG(cpu < 0.1, "%.2f s of CPU in 3 s", cpu);
	CHECK(env_alive(r.pid));
	CHECK(!tclient_got(r.boothd, T_STATE, 100));
out:
	json_object_put(o);
	finish(&r);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "state_and_capture", test_state_and_capture },
		{ "preview_socket", test_preview_socket },
		{ "full_store", test_full_store },
		{ "state_after_broker_restart", test_state_after_broker_restart },
		{ "zero_shutter_lag", test_zero_shutter_lag },
		{ "memory", test_memory },
		{ "libcamera_without_camera", test_libcamera_without_camera },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
