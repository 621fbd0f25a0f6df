/* SPDX-License-Identifier: MIT */
/* booth-camera: owns the camera; serves preview frames to booth-ui over a Unix socket, takes
 * stills on request into the photo store and announces them on MQTT. */
#include "backend.h"
#include "boothconf.h"
#include "bus.h"
#include "codec.h"
#include "jpeg.h"
#include "log.h"
#include "loop.h"
#include "preview.h"
#include "digest.h"
#include "frames.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef BOOTH_VERSION
#define BOOTH_VERSION "0.0.0"
#endif

#define T_STATE	  "booth/{booth}/camera/state"
#define T_CAPTURE "booth/{booth}/camera/capture"
#define T_STORED  "booth/{booth}/events/photo_stored"
#define T_FAILED  "booth/{booth}/events/capture_failed"
#define T_FRAME	  "booth/{booth}/events/frame_ready"
/* Captures waiting behind the one in flight; more are answered with capture_failed. */
#define MAX_PENDING 8

struct capture {
	char id[65];
	long long session;
	int shot;
	uint64_t trigger_us; /* 0: none was given */
	enum camera_mode mode;
};

struct camd {
	struct booth_config cfg;
	struct loop *loop;
	struct bus *bus;
	struct preview *pv;
	struct camera *cam;
	struct capture queue[MAX_PENDING];
	unsigned head, len;
	bool busy; /* queue[head] is with the camera */
};

static const char *status_name(enum camera_status s)
{
	return s == CAMERA_STATUS_OK ? "ok" : s == CAMERA_STATUS_ERROR ? "error" : "none";
}

/* {width, height}, or NULL (JSON null) for a mode the camera does not have. */
static json_object *size_json(int width, int height)
{
	json_object *m;

	if (width <= 0)
		return NULL;
	m = json_object_new_object();
	json_object_object_add(m, "width", json_object_new_int(width));
	json_object_object_add(m, "height", json_object_new_int(height));
	return m;
}

static void publish_state(struct camd *d)
{
	struct camera_info i;
	json_object *o, *m;

	if (!d->bus || !d->cam || !bus_connected(d->bus))
		return;
	camera_get_info(d->cam, &i);
	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string(status_name(i.status)));
	json_object_object_add(o, "backend", json_object_new_string(d->cfg.camera.backend));
	json_object_object_add(o, "model", json_object_new_string(i.model));
	m = NULL;
	if (i.preview_width > 0) {
		m = json_object_new_object();
		json_object_object_add(m, "width", json_object_new_int(i.preview_width));
		json_object_object_add(m, "height", json_object_new_int(i.preview_height));
		json_object_object_add(m, "fps", json_object_new_int(i.preview_fps));
	}
	json_object_object_add(o, "preview", m);
	json_object_object_add(o, "still", size_json(i.still_width, i.still_height));
	json_object_object_add(o, "stream", size_json(i.stream_width, i.stream_height));
	if (i.status == CAMERA_STATUS_ERROR && i.error[0])
		json_object_object_add(o, "error", json_object_new_string(i.error));
	bus_publish(d->bus, T_STATE, o);
	json_object_put(o);
}

static void publish_failed(struct camd *d, const struct capture *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void publish_failed(struct camd *d, const struct capture *c, const char *fmt, ...)
{
	json_object *o;
	char msg[257];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warning("Capture '%s' failed: %s", c->id, msg);
	if (!d->bus)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "session", json_object_new_int64(c->session));
	json_object_object_add(o, "shot", json_object_new_int(c->shot));
	json_object_object_add(o, "error", json_object_new_string(msg));
	r = bus_publish(d->bus, T_FAILED, o);
	if (r < 0)
		log_warning_errno(r, "Could not announce the failure of capture '%s': %m", c->id);
	json_object_put(o);
}

static void start_next(struct camd *d);

static void pop(struct camd *d)
{
	d->head = (d->head + 1) % MAX_PENDING;
	d->len--;
}

/* The fields photo_stored and frame_ready share: the capture, its file and its times (FRAME_US
 * 0: not known). */
static json_object *capture_json(const struct capture *c, const char *path, int width, int height,
				 uint64_t frame_us)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "session", json_object_new_int64(c->session));
	json_object_object_add(o, "shot", json_object_new_int(c->shot));
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "width", json_object_new_int(width));
	json_object_object_add(o, "height", json_object_new_int(height));
	if (c->trigger_us)
		json_object_object_add(o, "trigger_us",
				       json_object_new_int64((int64_t)c->trigger_us));
	if (frame_us)
		json_object_object_add(o, "frame_us", json_object_new_int64((int64_t)frame_us));
	return o;
}

/* Tell boothd that capture C is in the store at PATH. */
static void announce(struct camd *d, const struct capture *c, const char *path, const char *sha,
		     int width, int height, int64_t taken, uint64_t frame_us)
{
	json_object *o = capture_json(c, path, width, height, frame_us);
	int r;

	json_object_object_add(o, "sha256", json_object_new_string(sha));
	json_object_object_add(o, "taken", json_object_new_int64(taken));
	r = bus_publish(d->bus, T_STORED, o);
	if (r < 0)
		log_warning_errno(r, "Could not announce session %lld shot %d: %m", c->session,
				  c->shot);
	json_object_put(o);
}

/* A capture asked for again (its announcement was lost: the broker or boothd restarted) whose
 * photo is stored already is announced again, not taken twice: the guest's photo is the one
 * taken at the countdown. Returns whether it was. */
static bool announce_again(struct camd *d, const struct capture *c)
{
	char path[PATH_MAX], sha[65], *data = NULL;
	struct stat st;
	int w = 0, h = 0;
	long n;

	if (store_find(d->cfg.general.photo_dir, wall_msec(), c->session, c->shot, c->id, path,
		       sizeof(path)) <= 0 ||
	    stat(path, &st) < 0)
		return false;
	n = read_file(path, 64u << 20, &data);
	if (n <= 0 || sha256_hex(data, (size_t)n, sha) < 0 ||
	    jpeg_size((const uint8_t *)data, (size_t)n, &w, &h) < 0) {
		free(data);
		return false; /* unreadable: take it again */
	}
	free(data);
	log_info("Capture '%s' was stored already (session %lld, shot %d): announcing it again",
		 c->id, c->session, c->shot);
	announce(d, c, path, sha, w, h,
		 (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000, 0);
	return true;
}

static void store_still(struct camd *d, const struct capture *c, const struct camera_image *img)
{
	char path[PATH_MAX], sha[65];
	uint64_t t0 = now_usec(), t1, t2;
	uint8_t *jpeg = NULL;
	size_t len = 0;
	int r;

	r = jpeg_encode_xrgb(img->pixels, img->width, img->height, img->stride,
			     d->cfg.camera.jpeg_quality, &jpeg, &len);
	if (r < 0) {
		publish_failed(d, c, "the photo could not be encoded");
		return;
	}
	t1 = now_usec();
	r = sha256_hex(jpeg, len, sha);
	if (r == 0)
		r = store_photo(d->cfg.general.photo_dir, img->taken_ms, c->session, c->shot, c->id,
				jpeg, len, path, sizeof(path));
	jpeg = jpeg_free(jpeg);
	if (r < 0) {
		log_warning_errno(r, "Cannot store capture '%s' in %s: %m", c->id,
				  d->cfg.general.photo_dir);
		publish_failed(d, c, "%s", store_strerror(r));
		return;
	}
	t2 = now_usec();
	/* Session and shot, not the path: logs outlive photos the guest deletes. */
	log_info("Stored session %lld shot %d (%dx%d, %zu bytes; encoded in %llu ms, written in "
		 "%llu ms)",
		 c->session, c->shot, img->width, img->height, len,
		 (unsigned long long)((t1 - t0) / 1000), (unsigned long long)((t2 - t1) / 1000));
	announce(d, c, path, sha, img->width, img->height, img->taken_ms, img->frame_us);
}

/* A frame of the capture stream goes to the composer as raw pixels in RAM first, before its
 * JPEG is encoded and stored: boothd can compose meanwhile. Without it (the frames directory
 * is not writable), boothd composes from the stored JPEG. */
static void hand_frame(struct camd *d, const struct capture *c, const struct camera_image *img)
{
	char path[PATH_MAX];
	json_object *o;
	int r;

	r = frames_write(d->cfg.general.frames_dir, c->session, c->shot, c->id, img->pixels,
			 img->width, img->height, img->stride, img->frame_us, path, sizeof(path));
	if (r < 0) {
		log_warning_errno(r,
				  "Cannot write the frame of session %lld shot %d for the "
				  "composer: %m",
				  c->session, c->shot);
		return;
	}
	o = capture_json(c, path, img->width, img->height, img->frame_us);
	r = bus_publish(d->bus, T_FRAME, o);
	if (r < 0)
		log_warning_errno(r, "Could not announce the frame of session %lld shot %d: %m",
				  c->session, c->shot);
	json_object_put(o);
}

static void on_still(void *userdata, void *token, const struct camera_image *img, int r,
		     const char *msg)
{
	struct camd *d = userdata;
	struct capture *c = token;

	if (!d->busy || c != &d->queue[d->head])
		return;
	d->busy = false;
	if (r < 0 || !img) {
		publish_failed(d, c, "%s", msg ? msg : "the camera could not take the photo");
	} else {
		if (c->trigger_us)
			log_info("Session %lld shot %d: frame %+lld us from the trigger",
				 c->session, c->shot,
				 (long long)img->frame_us - (long long)c->trigger_us);
		if (img->stream)
			hand_frame(d, c, img);
		store_still(d, c, img);
		/* What encoding a photo took from the heap goes back to the system: the camera's
		 * memory between photos stays what streaming needs. */
		malloc_trim(0);
	}
	pop(d);
	start_next(d);
}

static void on_changed(void *userdata)
{
	publish_state(userdata);
}

static const struct camera_events camera_events = {
	.changed = on_changed,
	.still = on_still,
};

static void start_next(struct camd *d)
{
	while (!d->busy && d->len > 0) {
		struct capture *c = &d->queue[d->head];
		struct camera_request req = { .trigger_us = c->trigger_us, .mode = c->mode };
		int r = camera_capture(d->cam, &req, c);

		if (r == 0) {
			d->busy = true;
			return;
		}
		if (r == -ENODEV)
			publish_failed(d, c, "no camera is connected");
		else
			publish_failed(d, c, "the camera could not take the photo (%s)",
				       strerror(-r));
		pop(d);
	}
}

/* Read what can be read of a capture request the schema refused, to answer it. */
static bool salvage(json_object *o, struct capture *c)
{
	json_object *id, *session, *shot;

	if (!json_object_object_get_ex(o, "id", &id) ||
	    !json_object_is_type(id, json_type_string) ||
	    !json_object_object_get_ex(o, "session", &session) ||
	    !json_object_is_type(session, json_type_int) ||
	    !json_object_object_get_ex(o, "shot", &shot) ||
	    !json_object_is_type(shot, json_type_int))
		return false;
	if (json_object_get_string_len(id) < 1 || json_object_get_string_len(id) > 64 ||
	    json_object_get_int64(session) < 1 || json_object_get_int64(shot) < 1 ||
	    json_object_get_int64(shot) > 6)
		return false;
	strscpy(c->id, json_object_get_string(id), sizeof(c->id));
	c->session = json_object_get_int64(session);
	c->shot = (int)json_object_get_int64(shot);
	return true;
}

static void on_capture(struct bus *b, const char *topic, const void *payload, size_t len,
		       void *userdata)
{
	struct camd *d = userdata;
	const struct topic_def *t = topic_lookup(bus_booth(b), topic);
	struct capture c = { .shot = 0 };
	char err[256], ignored[8];
	json_object *o = NULL;
	int r;

	if (!t)
		return;
	r = codec_parse(t, payload, len, (size_t)d->cfg.mqtt.max_payload, &o, err, sizeof(err));
	if (r < 0) {
		log_warning("Invalid capture request: %s", err);
		if (codec_decode(payload, len, (size_t)d->cfg.mqtt.max_payload, &o, ignored,
				 sizeof(ignored)) == 0 &&
		    salvage(o, &c))
			publish_failed(d, &c, "invalid capture request: %s", err);
		json_object_put(o);
		return;
	}
	salvage(o, &c);
	{
		json_object *v;

		if (json_object_object_get_ex(o, "trigger_us", &v))
			c.trigger_us = (uint64_t)json_object_get_int64(v);
		if (json_object_object_get_ex(o, "mode", &v) &&
		    strcmp(json_object_get_string(v), "full") == 0)
			c.mode = CAMERA_MODE_FULL;
	}
	json_object_put(o);
	if (d->len == MAX_PENDING) {
		publish_failed(d, &c, "too many captures are waiting");
		return;
	}
	if (announce_again(d, &c))
		return;
	log_info("Capture '%s' requested (session %lld, shot %d, %s)", c.id, c.session, c.shot,
		 c.mode == CAMERA_MODE_FULL ? "full resolution" : "from the stream");
	d->queue[(d->head + d->len) % MAX_PENDING] = c;
	d->len++;
	start_next(d);
}

static void on_connect(struct bus *b, void *userdata)
{
	(void)b;
	publish_state(userdata);
}

int main(int argc, char **argv)
{
	struct camd d = { .head = 0 };
	struct booth_credentials cred;
	char err[CONFIG_ERR_MAX + 64];
	int r;

	r = boothconf_main(argc, argv, "booth-camera", "The photo booth's camera.", &d.cfg);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : r == -EINVAL ? 2 : EXIT_FAILURE;
	signal(SIGPIPE, SIG_IGN);

	r = boothconf_credentials(&d.cfg, "camera", &cred, err, sizeof(err));
	if (r < 0) {
		log_error("Cannot read the broker credentials: %s", err);
		return EXIT_FAILURE;
	}
	/* Frames of an earlier run are guests' faces nobody will compose any more. */
	r = frames_remove(d.cfg.general.frames_dir, 0);
	if (r > 0)
		log_info("Deleted %d raw frames left by an earlier run", r);
	r = loop_new(&d.loop);
	if (r < 0) {
		log_error_errno(r, "Cannot create the event loop: %m");
		goto out;
	}
	r = loop_add_stop_signals(d.loop);
	if (r < 0) {
		log_error_errno(r, "Cannot watch signals: %m");
		goto out;
	}
	r = preview_new(d.loop, d.cfg.camera.preview_socket, &d.pv);
	if (r < 0) {
		log_error_errno(r, "Cannot listen on %s: %m", d.cfg.camera.preview_socket);
		goto out;
	}
	r = camera_new(d.loop, &d.cfg, d.pv, &camera_events, &d, &d.cam);
	if (r < 0) {
		log_error_errno(r, "Cannot start the %s camera backend: %m", d.cfg.camera.backend);
		goto out;
	}
	r = bus_new(d.loop, &d.cfg, "camera", &cred, &d.bus);
	if (r == 0)
		r = bus_subscribe(d.bus, T_CAPTURE, on_capture, &d);
	if (r < 0) {
		log_error_errno(r, "Cannot start: %m");
		goto out;
	}
	explicit_bzero(&cred, sizeof(cred));
	bus_set_connect_handler(d.bus, on_connect, &d);
	log_info("booth-camera %s serving booth '%s' with the %s backend", BOOTH_VERSION,
		 d.cfg.general.booth_id, d.cfg.camera.backend);
	r = loop_run(d.loop);
out:
	explicit_bzero(&cred, sizeof(cred));
	d.bus = bus_free(d.bus);
	d.cam = camera_free(d.cam);
	d.pv = preview_free(d.pv);
	d.loop = loop_free(d.loop);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
