/* SPDX-License-Identifier: MIT */
/* boothd: owns the database and the photo store, runs guest sessions, publishes the booth's state
 * and settings (and Home Assistant discovery), answers owner commands, and deletes photos past
 * their retention. */
#define _GNU_SOURCE 1
#include "boothconf.h"
#include "bus.h"
#include "codec.h"
#include "db.h"
#include "discovery.h"
#include "guest.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "prints.h"
#include "settings.h"
#include "util.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <spawn.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef BOOTH_VERSION
#define BOOTH_VERSION "0.0.0"
#endif

#define STORAGE_CHECK_US   (10 * 1000000ull)
#define RETENTION_CHECK_US (3600 * 1000000ull)
#define LIST_MAX	   50
#define PURGE_BATCH	   256

enum problem {
	PROBLEM_CAMERA = 1 << 0,
	PROBLEM_PRINTER = 1 << 1,
	PROBLEM_STORAGE = 1 << 2,
};

static const struct {
	enum problem bit;
	const char *name;
	const char *started, *ended;
} problems[] = {
	{ PROBLEM_CAMERA, "camera", "The camera is not ready: no new sessions until it is back.",
	  "The camera is back." },
	{ PROBLEM_PRINTER, "printer",
	  "Printing is impossible now: strips are kept and printed later.",
	  "The printer is ready again." },
	{ PROBLEM_STORAGE, "storage",
	  "The photo store is almost full: no new sessions until space is freed.",
	  "The photo store has space again." },
};

struct boothd {
	struct booth_config cfg;
	struct booth_settings settings;
	struct loop *loop;
	struct bus *bus;
	struct db *db;
	struct guest *guest;
	struct prints *prints;
	struct metrics *metrics;
	struct loop_source *storage_timer, *retention_timer;
	json_object *camera; /* the last camera/state document, or NULL */
	const char *state;
	unsigned problems;
	int64_t free_mb;
	int64_t since;
	/* Health counters since start (booth/{booth}/health), for booth-telemetry. */
	int64_t started, captures, capture_errors, print_errors, problem_starts[3];
};

static void free_space(struct boothd *d)
{
	struct statvfs st;

	if (statvfs(d->cfg.general.photo_dir, &st) == 0) {
		d->free_mb = (int64_t)((uint64_t)st.f_bavail * st.f_frsize >> 20);
	} else {
		if (d->free_mb != 0)
			log_error("The photo store cannot be read: %m");
		d->free_mb = 0; /* a photo store that is gone has no room */
	}
}

static unsigned current_problems(struct boothd *d)
{
	const char *notice = prints_notice(d->prints);
	unsigned p = 0;

	if (d->guest && !guest_camera_ready(d->guest))
		p |= PROBLEM_CAMERA;
	if (notice && d->settings.printing && d->cfg.printer.destination[0])
		p |= PROBLEM_PRINTER;
	if (d->free_mb < d->cfg.boothd.min_free_mb)
		p |= PROBLEM_STORAGE;
	return p;
}

/* Why a guest cannot start now: the state's "blocked" and the sentence for the guest. */
static const char *blocked(const struct boothd *d, const char **why)
{
	const char *name = NULL;

	*why = NULL;
	if (d->settings.paused) {
		name = "paused";
		*why = "the booth is paused by the owner";
	} else if (d->problems & PROBLEM_STORAGE) {
		name = "storage";
		*why = "the booth's storage is full";
	} else if (d->problems & PROBLEM_CAMERA) {
		name = "camera";
		*why = "the camera is not ready";
	} else if ((d->problems & PROBLEM_PRINTER) && d->settings.print_required) {
		name = "printer";
		*why = "printing is impossible now and the owner requires it";
	}
	return name;
}

/* What the booth is doing, as owners see it. */
static const char *booth_state(const struct boothd *d)
{
	const char *why;

	if (d->guest && guest_active(d->guest))
		return "session";
	if (d->settings.paused)
		return "paused";
	if (d->problems || blocked(d, &why))
		return "attention";
	return "idle";
}

static json_object *event_json(const struct db_event *ev)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(ev->id));
	json_object_object_add(o, "name", json_object_new_string(ev->name));
	json_object_object_add(o, "title", json_object_new_string(ev->title));
	json_object_object_add(o, "started", json_object_new_int64(ev->started));
	return o;
}

static void add_int(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

/* The state document, read from the database so that it is always what is committed. */
static int state_json(struct boothd *d, json_object **ret)
{
	struct db_event ev;
	int64_t sessions = 0, photos = 0, prints = 0, es = 0, ep = 0, epr = 0;
	const char *why, *b = blocked(d, &why), *printer, *camera = "none";
	json_object *o, *list;
	int r, left;

	r = db_event_current(d->db, &ev);
	if (r > 0)
		r = db_counts_event(d->db, ev.id, &es, &ep, &epr) < 0 ? -EIO : 1;
	if (r >= 0 && (db_counts_since(d->db, local_midnight_msec(), &sessions, &photos) < 0 ||
		       db_print_jobs_since(d->db, local_midnight_msec(), &prints) < 0))
		r = -EIO;
	if (r < 0)
		return r;
	o = json_object_new_object();
	json_object_object_add(o, "state", json_object_new_string(booth_state(d)));
	json_object_object_add(o, "blocked", b ? json_object_new_string(b) : NULL);
	list = json_object_new_array();
	for (size_t i = 0; i < ARRAY_SIZE(problems); i++)
		if (d->problems & problems[i].bit)
			json_object_array_add(list, json_object_new_string(problems[i].name));
	json_object_object_add(o, "problems", list);
	json_object_object_add(o, "event", r > 0 ? event_json(&ev) : NULL);
	add_int(o, "sessions_today", sessions);
	add_int(o, "photos_today", photos);
	add_int(o, "prints_today", prints);
	add_int(o, "sessions_event", es);
	add_int(o, "photos_event", ep);
	add_int(o, "prints_event", epr);
	printer = d->cfg.printer.destination[0] ? prints_status(d->prints, &left) : "none";
	if (!d->cfg.printer.destination[0])
		left = -1;
	json_object_object_add(o, "printer", json_object_new_string(printer));
	json_object_object_add(o, "prints_left", left >= 0 ? json_object_new_int(left) : NULL);
	if (d->camera)
		camera = json_object_get_string(json_object_object_get(d->camera, "status"));
	json_object_object_add(o, "camera", json_object_new_string(camera));
	add_int(o, "storage_free_mb", d->free_mb);
	json_object_object_add(o, "version", json_object_new_string(BOOTH_VERSION));
	add_int(o, "since", d->since);
	*ret = o;
	return 0;
}

/* Coarse counters only: nothing about guests, events or names (booth-telemetry reads it). */
static void publish_health(struct boothd *d)
{
	int64_t sessions = 0, photos = 0, prints = 0;
	const char *camera = "none", *printer = "none";
	json_object *o;

	if (db_counts_since(d->db, d->started, &sessions, &photos) < 0 ||
	    db_print_jobs_since(d->db, d->started, &prints) < 0)
		return;
	if (d->camera)
		camera = json_object_get_string(json_object_object_get(d->camera, "status"));
	if (d->cfg.printer.destination[0])
		printer = prints_notice(d->prints) ? "fault" : "ok";
	o = json_object_new_object();
	add_int(o, "started", d->started);
	add_int(o, "sessions", sessions);
	add_int(o, "captures", d->captures);
	add_int(o, "capture_errors", d->capture_errors);
	add_int(o, "prints", prints);
	add_int(o, "print_errors", d->print_errors);
	for (size_t i = 0; i < ARRAY_SIZE(problems); i++) {
		char key[32];

		snprintf(key, sizeof(key), "%s_problems", problems[i].name);
		add_int(o, key, d->problem_starts[i]);
	}
	json_object_object_add(o, "camera", json_object_new_string(camera));
	json_object_object_add(o, "printer", json_object_new_string(printer));
	bus_publish(d->bus, "booth/{booth}/health", o);
	json_object_put(o);
}

static void publish_state(struct boothd *d)
{
	json_object *o;

	if (state_json(d, &o) < 0)
		return;
	bus_publish(d->bus, "booth/{booth}/state", o);
	json_object_put(o);
	publish_health(d);
}

static void publish_settings(struct boothd *d)
{
	json_object *o = settings_json(&d->settings, &d->cfg), *pin;

	bus_publish(d->bus, "booth/{booth}/settings", o);
	json_object_put(o);
	pin = json_object_new_object();
	json_object_object_add(pin, "pin", json_object_new_string(d->settings.pin));
	bus_publish(d->bus, "booth/{booth}/ui/pin", pin);
	json_object_put(pin);
}

/* Something that decides the booth's state changed: work out problems and what blocks guests,
 * tell the owner about problems that started or ended, and publish. */
static void update(struct boothd *d)
{
	unsigned now, changed;
	const char *why, *state;

	free_space(d);
	now = current_problems(d);
	changed = now ^ d->problems;
	d->problems = now;
	for (size_t i = 0; i < ARRAY_SIZE(problems); i++) {
		json_object *o;

		if (!(changed & problems[i].bit))
			continue;
		d->problem_starts[i] += (now & problems[i].bit) != 0;
		o = json_object_new_object();
		json_object_object_add(o, "problem", json_object_new_string(problems[i].name));
		json_object_object_add(o, "active",
				       json_object_new_boolean((now & problems[i].bit) != 0));
		json_object_object_add(o, "message",
				       json_object_new_string(now & problems[i].bit
								      ? problems[i].started
								      : problems[i].ended));
		log_notice("%s", now & problems[i].bit ? problems[i].started : problems[i].ended);
		bus_publish(d->bus, "booth/{booth}/events/problem", o);
		json_object_put(o);
	}
	blocked(d, &why);
	if (d->guest)
		guest_set_blocked(d->guest, why);
	state = booth_state(d);
	if (strcmp(state, d->state) != 0) {
		d->state = state;
		d->since = wall_msec();
	}
	publish_state(d);
}

static void on_connect(struct bus *b, void *userdata)
{
	struct boothd *d = userdata;

	(void)b;
	if (d->guest)
		guest_adopt_photos(d->guest);
	publish_state(d);
	publish_settings(d);
	if (d->guest)
		guest_publish(d->guest);
	metrics_publish_summary(d->metrics);
	discovery_publish(d->bus, &d->cfg, &d->settings);
}

/* The guest session or the printer changed what the state document says. */
static void on_changed(void *userdata)
{
	struct boothd *d = userdata;

	if (d->guest)
		guest_set_print_notice(d->guest, prints_notice(d->prints));
	update(d);
}

static int on_storage_timer(struct loop_source *s, void *userdata)
{
	struct boothd *d = userdata;
	int64_t before = d->free_mb;

	(void)s;
	free_space(d);
	if (before != d->free_mb)
		update(d);
	return 0;
}

static void cmd_session(struct boothd *d, struct bus_request *req, enum session_event_type ev)
{
	const char *why = NULL;
	int64_t id = guest_session_id(d->guest);
	json_object *o;

	if (guest_command(d->guest, ev, &why) < 0) {
		bus_respond_error(req, "%s", why);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(
		o, "session",
		json_object_new_int64(ev == SESSION_EV_START ? guest_session_id(d->guest) : id));
	bus_respond(req, o);
}

static void cmd_event_start(struct boothd *d, struct bus_request *req, json_object *args)
{
	json_object *name = json_object_object_get(args, "name");
	json_object *title = json_object_object_get(args, "title");
	struct db_event ev, cur;
	json_object *o;
	int r;

	r = db_event_start(d->db, json_object_get_string(name),
			   title ? json_object_get_string(title) : "", wall_msec(), &ev);
	if (r == -EBUSY && db_event_current(d->db, &cur) > 0) {
		bus_respond_error(req, "the event '%s' is running; end it first", cur.name);
		return;
	}
	if (r < 0) {
		bus_respond_error(req, "could not record the event: %s", strerror(-r));
		return;
	}
	log_info("Event %lld started", (long long)ev.id);
	o = event_json(&ev);
	bus_publish(d->bus, "booth/{booth}/events/event_started", o);
	publish_state(d);
	metrics_publish_summary(d->metrics);
	bus_respond(req, o);
}

static void cmd_event_end(struct boothd *d, struct bus_request *req)
{
	struct db_event ev;
	int64_t sessions = 0;
	json_object *o;
	int r;

	r = db_event_end(d->db, wall_msec(), &ev, &sessions);
	if (r == -ENOENT) {
		bus_respond_error(req, "no event is running");
		return;
	}
	if (r < 0) {
		bus_respond_error(req, "could not end the event: %s", strerror(-r));
		return;
	}
	log_info("Event %lld ended", (long long)ev.id);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(ev.id));
	json_object_object_add(o, "name", json_object_new_string(ev.name));
	json_object_object_add(o, "sessions", json_object_new_int64(sessions));
	bus_publish(d->bus, "booth/{booth}/events/event_ended", o);
	publish_state(d);
	metrics_publish_summary(d->metrics);
	bus_respond(req, o);
}

/* Apply the settings in ARGS (all or nothing). Returns 0, or -errno with ERR. */
static int apply_settings(struct boothd *d, json_object *args, char *err, size_t n)
{
	struct booth_settings before = d->settings;
	int r = settings_apply(d->db, &d->cfg, args, &d->settings, err, n);

	if (r < 0)
		return r;
	if (d->settings.paused != before.paused)
		log_info("The owner %s the booth", d->settings.paused ? "paused" : "resumed");
	guest_settings_changed(d->guest);
	publish_settings(d);
	if (d->settings.last_strip_image != before.last_strip_image)
		discovery_publish(d->bus, &d->cfg, &d->settings);
	on_changed(d);
	return 0;
}

static void respond_settings(struct boothd *d, struct bus_request *req, json_object *args)
{
	char err[512];

	if (apply_settings(d, args, err, sizeof(err)) < 0)
		bus_respond_error(req, "%s", err);
	else
		bus_respond(req, settings_json(&d->settings, &d->cfg));
}

/* A one-field settings change, as the older requests and the screen's menu make. */
static void set_one(struct boothd *d, struct bus_request *req, const char *key, json_object *v)
{
	json_object *args = json_object_new_object();

	json_object_object_add(args, key, json_object_get(v));
	respond_settings(d, req, args);
	json_object_put(args);
}

static void unlink_file(const char *path, void *userdata)
{
	int *n = userdata;

	if (unlink(path) == 0 || errno == ENOENT)
		(*n)++;
	else
		log_warning("A deleted session's file could not be removed: %m");
}

/* Delete SESSION's photos, strips and unprinted jobs. Returns the files removed, or -errno. */
static int forget_session(struct boothd *d, int64_t session)
{
	int files = 0;
	/* Its prints not yet made go first, while the rows still say which they are. */
	int r = prints_cancel_session(d->prints, session);

	if (r >= 0)
		r = db_session_forget(d->db, session, 1, unlink_file, &files);
	return r < 0 ? r : files;
}

static void cmd_delete_session(struct boothd *d, struct bus_request *req, json_object *args)
{
	int64_t session = json_object_get_int64(json_object_object_get(args, "session"));
	json_object *o;
	int r;

	if (session == guest_session_id(d->guest)) {
		bus_respond_error(req, "session %lld is running; cancel it first",
				  (long long)session);
		return;
	}
	r = forget_session(d, session);
	if (r < 0) {
		bus_respond_error(req, "could not delete session %lld: %s", (long long)session,
				  strerror(-r));
		return;
	}
	log_info("The owner deleted session %lld (%d files)", (long long)session, r);
	o = json_object_new_object();
	add_int(o, "session", session);
	add_int(o, "files", r);
	publish_state(d);
	bus_respond(req, o);
}

/* Forget every session with files of EVENT (0: any) started before BEFORE (0: any), except the
 * running one. Returns how many sessions, with the files removed in *files, or -errno. */
static int forget_sessions(struct boothd *d, int64_t event, int64_t before, int *files)
{
	int64_t ids[PURGE_BATCH], running = guest_session_id(d->guest);
	int n, done = 0, skipped;

	*files = 0;
	do {
		n = db_sessions_with_files(d->db, event, before, ids, PURGE_BATCH);
		skipped = 0;
		for (int i = 0; i < n; i++) {
			int r;

			if (ids[i] == running) {
				skipped++;
				continue;
			}
			r = forget_session(d, ids[i]);
			if (r < 0)
				return r;
			*files += r;
			done++;
		}
	} while (n == PURGE_BATCH && skipped < n);
	return n < 0 ? n : done;
}

static void cmd_purge_event(struct boothd *d, struct bus_request *req, json_object *args)
{
	int64_t event = json_object_get_int64(json_object_object_get(args, "event"));
	struct db_event ev;
	json_object *o;
	int r, files = 0;

	r = db_event_get(d->db, event, &ev);
	if (r == 0) {
		bus_respond_error(req, "there is no event %lld", (long long)event);
		return;
	}
	if (r > 0)
		r = forget_sessions(d, event, 0, &files);
	if (r < 0) {
		bus_respond_error(req, "could not purge event %lld: %s", (long long)event,
				  strerror(-r));
		return;
	}
	log_info("The owner purged event %lld: %d sessions, %d files", (long long)event, r, files);
	o = json_object_new_object();
	add_int(o, "event", event);
	add_int(o, "sessions", r);
	add_int(o, "files", files);
	publish_state(d);
	bus_respond(req, o);
}

/* Photos older than the retention period go, once an hour. */
static int on_retention_timer(struct loop_source *s, void *userdata)
{
	struct boothd *d = userdata;
	int64_t cutoff;
	int n, files = 0;

	(void)s;
	if (d->settings.retention_days <= 0)
		return 0;
	cutoff = wall_msec() - (int64_t)d->settings.retention_days * 86400000LL;
	n = forget_sessions(d, 0, cutoff, &files);
	if (n > 0) {
		log_info("Retention: deleted the photos of %d sessions older than %d days (%d "
			 "files)",
			 n, d->settings.retention_days, files);
		publish_state(d);
	} else if (n < 0) {
		log_error_errno(n, "Retention: could not delete old sessions: %m");
	}
	return 0;
}

static void list_session(const struct db_session_info *s, void *userdata)
{
	json_object *o = json_object_new_object();

	add_int(o, "id", s->id);
	json_object_object_add(o, "event", s->event ? json_object_new_int64(s->event) : NULL);
	json_object_object_add(o, "state", json_object_new_string(s->state));
	json_object_object_add(o, "outcome", json_object_new_string(s->outcome));
	add_int(o, "started", s->started);
	json_object_object_add(o, "ended", s->ended ? json_object_new_int64(s->ended) : NULL);
	add_int(o, "photos", s->photos);
	json_object_object_add(o, "strip", json_object_new_boolean(s->strip));
	json_object_array_add(userdata, o);
}

static void list_event(const struct db_event *ev, int64_t sessions, void *userdata)
{
	json_object *o = event_json(ev);

	json_object_object_add(o, "ended", ev->ended ? json_object_new_int64(ev->ended) : NULL);
	add_int(o, "sessions", sessions);
	json_object_array_add(userdata, o);
}

static void cmd_get(struct boothd *d, struct bus_request *req, json_object *args)
{
	const char *what = json_object_get_string(json_object_object_get(args, "what"));
	json_object *o = NULL, *list;
	int r = 0;

	if (strcmp(what, "state") == 0) {
		r = state_json(d, &o);
	} else if (strcmp(what, "settings") == 0) {
		o = settings_json(&d->settings, &d->cfg);
	} else if (strcmp(what, "printer") == 0 || strcmp(what, "camera") == 0) {
		json_object *doc = what[0] == 'p' ? prints_state(d->prints) : d->camera;

		if (!doc) {
			bus_respond_error(req, "booth-%s has not reported yet", what);
			return;
		}
		o = json_object_get(doc);
	} else if (strcmp(what, "session") == 0) {
		o = guest_state_json(d->guest);
	} else if (strcmp(what, "stats") == 0) {
		r = metrics_summary_json(d->metrics, &o);
	} else if (strcmp(what, "session_stats") == 0) {
		r = metrics_sessions_json(d->metrics, LIST_MAX, &o);
	} else {
		list = json_object_new_array();
		r = what[1] == 'e' ? db_sessions_recent(d->db, LIST_MAX, list_session, list)
				   : db_events_recent(d->db, LIST_MAX, list_event, list);
		o = json_object_new_object();
		json_object_object_add(o, what, list);
	}
	if (r < 0) {
		json_object_put(o);
		bus_respond_error(req, "could not read the %s: %s", what, strerror(-r));
		return;
	}
	bus_respond(req, o);
}

/* Compose a test page of the current layout (no photos: a test pattern) into PATH. */
static int compose_test(struct boothd *d, char *path, size_t n)
{
	char exe[PATH_MAX], bin[PATH_MAX + 16], dir[PATH_MAX];
	char *argv[12];
	int argc = 0, status = 0, r;
	pid_t pid;
	ssize_t k;

	if (snprintf(dir, sizeof(dir), "%s/test", d->cfg.general.photo_dir) >= (int)sizeof(dir) ||
	    mkdir_p(dir, 0770) < 0 ||
	    snprintf(path, n, "%s/test-%s.jpg", dir, d->settings.layout) >= (int)n)
		return -ENAMETOOLONG;
	k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[k > 0 ? k : 0] = '\0';
	*(strrchr(exe, '/') ? strrchr(exe, '/') : exe) = '\0';
	snprintf(bin, sizeof(bin), "%s/booth-compose", exe);
	argv[argc++] = bin;
	argv[argc++] = "--test";
	argv[argc++] = "-l";
	argv[argc++] = d->settings.layout;
	if (d->cfg.boothd.layouts_dir[0]) {
		argv[argc++] = "--layouts";
		argv[argc++] = d->cfg.boothd.layouts_dir;
	}
	argv[argc++] = "--title";
	argv[argc++] = "Test print";
	argv[argc++] = "-o";
	argv[argc++] = path;
	argv[argc] = NULL;
	/* A test page takes a fraction of a second; the owner waits for the answer anyway. */
	r = posix_spawn(&pid, bin, NULL, NULL, argv, environ);
	if (r != 0)
		return -r;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static void cmd_print_test(struct boothd *d, struct bus_request *req)
{
	char path[PATH_MAX], key[65];
	json_object *o;
	int r;

	if (!d->cfg.printer.destination[0]) {
		if (req)
			bus_respond_error(req, "no printer is configured ([printer] destination)");
		return;
	}
	r = compose_test(d, path, sizeof(path));
	if (r == 0)
		r = prints_test(d->prints, path, prints_layout_cut(&d->cfg, d->settings.layout),
				key);
	if (r < 0) {
		log_error_errno(r, "The test print could not be made: %m");
		if (req)
			bus_respond_error(req, "could not make the test print: %s", strerror(-r));
		return;
	}
	if (!req)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "job", json_object_new_string(key));
	bus_respond(req, o);
}

/* The owner's print commands. Returns 0 if COMMAND was one of them. */
static int cmd_print(struct boothd *d, struct bus_request *req, const char *command,
		     json_object *args)
{
	json_object *o;
	char key[65];
	int r;

	if (strcmp(command, "print_cancel") == 0) {
		r = prints_cancel(d->prints);
		if (r < 0) {
			bus_respond_error(req, "could not cancel the prints: %s", strerror(-r));
			return 0;
		}
		o = json_object_new_object();
		json_object_object_add(o, "canceled", json_object_new_int(r));
		bus_respond(req, o);
	} else if (strcmp(command, "reprint") == 0) {
		int64_t session = json_object_get_int64(json_object_object_get(args, "session"));

		r = prints_reprint(d->prints, session, key);
		if (r == -ENOENT) {
			bus_respond_error(req, "session %lld has no strip to print",
					  (long long)session);
			return 0;
		}
		if (r < 0) {
			bus_respond_error(req, "could not record the print: %s", strerror(-r));
			return 0;
		}
		o = json_object_new_object();
		json_object_object_add(o, "job", json_object_new_string(key));
		bus_respond(req, o);
	} else if (strcmp(command, "paper_loaded") == 0) {
		int n = json_object_get_int(json_object_object_get(args, "prints"));

		r = prints_paper_loaded(d->prints, n);
		if (r < 0) {
			bus_respond_error(req, "could not record the paper: %s", strerror(-r));
			return 0;
		}
		o = json_object_new_object();
		json_object_object_add(o, "prints", json_object_new_int(n));
		bus_respond(req, o);
	} else if (strcmp(command, "print_test") == 0) {
		cmd_print_test(d, req);
	} else if (strcmp(command, "printing") == 0) {
		set_one(d, req, "printing", json_object_object_get(args, "on"));
	} else if (strcmp(command, "copies") == 0) {
		set_one(d, req, "copies", json_object_object_get(args, "copies"));
	} else {
		return -ENOENT;
	}
	return 0;
}

static void on_request(struct bus *b, struct bus_request *req, const char *command,
		       json_object *args, void *userdata)
{
	struct boothd *d = userdata;
	json_object *o;
	int r;

	(void)b;
	if (strcmp(command, "state") == 0) {
		r = state_json(d, &o);
		if (r < 0)
			bus_respond_error(req, "could not read the state: %s", strerror(-r));
		else
			bus_respond(req, o);
	} else if (strcmp(command, "get") == 0) {
		cmd_get(d, req, args);
	} else if (strcmp(command, "settings") == 0 || strcmp(command, "settings_set") == 0) {
		respond_settings(d, req, args);
	} else if (strcmp(command, "pause") == 0 || strcmp(command, "resume") == 0) {
		json_object *v = json_object_new_boolean(command[0] == 'p');

		set_one(d, req, "paused", v);
		json_object_put(v);
	} else if (strcmp(command, "event_start") == 0) {
		cmd_event_start(d, req, args);
	} else if (strcmp(command, "event_end") == 0) {
		cmd_event_end(d, req);
	} else if (strcmp(command, "session_start") == 0) {
		cmd_session(d, req, SESSION_EV_START);
	} else if (strcmp(command, "session_cancel") == 0) {
		cmd_session(d, req, SESSION_EV_CANCEL);
	} else if (strcmp(command, "delete_session") == 0) {
		cmd_delete_session(d, req, args);
	} else if (strcmp(command, "purge_event") == 0) {
		cmd_purge_event(d, req, args);
	} else if (cmd_print(d, req, command, args) == 0) {
		return;
	} else {
		bus_respond_error(req, "command '%s' is not handled by boothd", command);
	}
}

static void newest_with_files(const struct db_session_info *s, void *userdata)
{
	int64_t *id = userdata;

	if (id[0] == 0 && s->ended && (s->photos > 0 || s->strip))
		id[0] = s->id;
}

/* The screen's menu deletes the newest finished session (LAST) or the running event's photos. */
static void menu_delete(struct boothd *d, bool last)
{
	struct db_event ev;
	int64_t id = 0;
	int r, files = 0;

	if (last) {
		r = db_sessions_recent(d->db, LIST_MAX, newest_with_files, &id);
		if (r == 0 && id > 0)
			r = files = forget_session(d, id);
		if (r >= 0)
			log_info("Owner menu: deleted session %lld (%d files)", (long long)id,
				 files);
	} else {
		r = db_event_current(d->db, &ev);
		if (r > 0)
			r = forget_sessions(d, ev.id, 0, &files);
		if (r >= 0)
			log_info("Owner menu: purged the running event (%d sessions, %d files)", r,
				 files);
	}
	if (r < 0)
		log_error_errno(r, "Owner menu: could not delete: %m");
	publish_state(d);
}

/* The owner's choice in the screen's menu (behind the PIN). */
static void on_ui_owner(struct bus *b, const char *topic, const void *payload, size_t len,
			void *userdata)
{
	struct boothd *d = userdata;
	const struct topic_def *t = topic_lookup(bus_booth(b), topic);
	json_object *o = NULL, *args;
	const char *command;
	char err[512];

	if (!t || codec_parse(t, payload, len, 4096, &o, err, sizeof(err)) < 0) {
		log_warning("Ignoring a malformed owner menu command: %s", t ? err : "unknown");
		return;
	}
	command = json_object_get_string(json_object_object_get(o, "command"));
	args = json_object_new_object();
	if (strcmp(command, "pause") == 0 || strcmp(command, "resume") == 0)
		json_object_object_add(args, "paused", json_object_new_boolean(command[0] == 'p'));
	else if (strcmp(command, "copies") == 0 || strcmp(command, "layout") == 0)
		json_object_object_add(args, command,
				       json_object_get(json_object_object_get(o, command)));
	if (strcmp(command, "print_test") == 0)
		cmd_print_test(d, NULL);
	else if (strcmp(command, "delete_last") == 0 || strcmp(command, "purge_event") == 0)
		menu_delete(d, command[0] == 'd');
	else if (json_object_object_length(args) != 1)
		log_warning("The owner menu's %s came without its value", command);
	else if (apply_settings(d, args, err, sizeof(err)) < 0)
		log_warning("The owner menu's %s was refused: %s", command, err);
	else
		log_info("Owner menu: %s", command);
	json_object_put(args);
	json_object_put(o);
}

static void on_camera_state(struct bus *b, const char *topic, const void *payload, size_t len,
			    void *userdata)
{
	struct boothd *d = userdata;
	const struct topic_def *t = topic_lookup(bus_booth(b), topic);
	json_object *o = NULL;
	char err[256];

	if (!t || codec_parse(t, payload, len, 65536, &o, err, sizeof(err)) < 0)
		return; /* guest.c says so */
	json_object_put(d->camera);
	d->camera = o;
	update(d);
}

/* Photos taken, captures and prints that failed: counted for the health document. */
static void on_health_event(struct bus *b, const char *topic, const void *payload, size_t len,
			    void *userdata)
{
	struct boothd *d = userdata;
	json_object *o = NULL;
	char err[256];
	bool failed;

	(void)b;
	if (strstr(topic, "/events/photo_stored")) {
		d->captures++;
	} else if (strstr(topic, "/events/capture_failed")) {
		d->capture_errors++;
	} else {
		if (codec_decode(payload, len, 4096, &o, err, sizeof(err)) < 0)
			return;
		failed = strcmp(json_object_get_string(json_object_object_get(o, "state")) ?: "",
				"failed") == 0;
		json_object_put(o);
		if (!failed)
			return;
		d->print_errors++;
	}
	publish_health(d);
}

static void on_ha_status(struct bus *b, const char *topic, const void *payload, size_t len,
			 void *userdata)
{
	struct boothd *d = userdata;

	(void)b;
	(void)topic;
	if (len == 6 && memcmp(payload, "online", 6) == 0)
		discovery_publish(d->bus, &d->cfg, &d->settings);
}

static const char *const health_events[] = {
	"booth/{booth}/events/photo_stored",
	"booth/{booth}/events/capture_failed",
	"booth/{booth}/events/print_job",
};

int main(int argc, char **argv)
{
	struct boothd d = { .state = "attention" };
	struct booth_credentials cred;
	char err[CONFIG_ERR_MAX + 64];
	char dir[PATH_MAX];
	int r;

	malloc_tune();
	r = boothconf_main(argc, argv, "boothd", "The photo booth's coordinator.", &d.cfg);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : r == -EINVAL ? 2 : EXIT_FAILURE;
	signal(SIGPIPE, SIG_IGN);

	r = boothconf_credentials(&d.cfg, "boothd", &cred, err, sizeof(err));
	if (r < 0) {
		log_error("Cannot read the broker credentials: %s", err);
		return EXIT_FAILURE;
	}
	strscpy(dir, d.cfg.boothd.database, sizeof(dir));
	r = mkdir_p(dirname(dir), 0750);
	if (r < 0) {
		log_error_errno(r, "Cannot create the database directory for %s: %m",
				d.cfg.boothd.database);
		goto out;
	}
	r = db_open(d.cfg.boothd.database, &d.db);
	if (r < 0)
		goto out;
	d.since = wall_msec();
	d.started = d.since;
	settings_load(d.db, &d.cfg, &d.settings);
	/* boothd owns the photo store; its free space decides whether guests may start. */
	r = mkdir_p(d.cfg.general.photo_dir, 0770);
	if (r < 0)
		log_error_errno(r, "Cannot create the photo store %s: %m", d.cfg.general.photo_dir);
	free_space(&d);

	r = loop_new(&d.loop);
	if (r < 0) {
		log_error_errno(r, "Cannot create the event loop: %m");
		goto out;
	}
	r = loop_add_stop_signals(d.loop);
	if (r == 0)
		r = bus_new(d.loop, &d.cfg, "boothd", &cred, &d.bus);
	if (r == 0)
		r = bus_serve_requests(d.bus, on_request, &d);
	if (r == 0)
		r = bus_serve_request_topic(d.bus, "booth/{booth}/settings/set", "settings_set");
	if (r == 0)
		r = prints_new(d.bus, d.db, &d.cfg, &d.settings, &d.prints);
	if (r == 0)
		r = guest_new(d.loop, d.bus, d.db, &d.cfg, &d.settings, on_changed, &d, &d.guest);
	/* After the driver: both follow print jobs, and the driver records them first. */
	if (r == 0)
		r = metrics_new(d.loop, d.bus, d.db, &d.metrics);
	if (r == 0)
		guest_set_metrics(d.guest, d.metrics);
	if (r == 0)
		r = bus_subscribe(d.bus, "booth/{booth}/ui/owner_command", on_ui_owner, &d);
	if (r == 0)
		r = bus_subscribe(d.bus, "booth/{booth}/camera/state", on_camera_state, &d);
	if (r == 0)
		r = bus_subscribe(d.bus, "homeassistant/status", on_ha_status, &d);
	for (size_t i = 0; i < ARRAY_SIZE(health_events) && r == 0; i++)
		r = bus_subscribe(d.bus, health_events[i], on_health_event, &d);
	if (r == 0)
		r = loop_add_timer(d.loop, STORAGE_CHECK_US, STORAGE_CHECK_US, on_storage_timer, &d,
				   &d.storage_timer);
	if (r == 0)
		r = loop_add_timer(d.loop, 1000000, RETENTION_CHECK_US, on_retention_timer, &d,
				   &d.retention_timer);
	if (r < 0) {
		log_error_errno(r, "Cannot start: %m");
		goto out;
	}
	explicit_bzero(&cred, sizeof(cred));
	prints_set_changed(d.prints, on_changed, &d);
	d.problems = current_problems(&d);
	update(&d);
	bus_set_connect_handler(d.bus, on_connect, &d);
	log_info("boothd %s serving booth '%s'", BOOTH_VERSION, d.cfg.general.booth_id);
	r = loop_run(d.loop);
out:
	explicit_bzero(&cred, sizeof(cred));
	loop_source_remove(d.storage_timer);
	loop_source_remove(d.retention_timer);
	json_object_put(d.camera);
	d.guest = guest_free(d.guest);
	d.metrics = metrics_free(d.metrics);
	d.prints = prints_free(d.prints);
	d.bus = bus_free(d.bus);
	d.loop = loop_free(d.loop);
	d.db = db_close(d.db);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
