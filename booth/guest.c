/* SPDX-License-Identifier: MIT */
/* The guest session driver. Order at every transition: the state machine decides, the database
 * commits, then the actions run and the new state is published. */
#define _GNU_SOURCE 1
#include "guest.h"
#include "codec.h"
#include "digest.h"
#include "frames.h"
#include "layout.h"
#include "log.h"
#include "prints.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COMPOSE_ERR_MAX 512
#define STRIP_IMAGE_MAX (8 << 20) /* below the broker's max_packet_size */
#define COPIES_MAX	4	  /* of each strip, as the settings allow */

struct guest {
	struct loop *loop;
	struct bus *bus;
	struct db *db;
	const struct booth_config *cfg;
	const struct booth_settings *settings;
	guest_changed_fn changed;
	void *userdata;

	struct session s;
	int64_t id;	  /* the session's row; 0 when idle */
	int64_t strip_id; /* its strip's row, once composed */
	char strip[PATH_MAX];
	const char *print_notice; /* borrowed from boothd's prints, or NULL */
	const char *blocked;	  /* why no session may start (static), or NULL */
	char layout[65];	  /* of the running (or last) session */
	unsigned copies_sent;	  /* bit N-1: booth-printer has copy N of this session's strip */
	int copies;		  /* of each strip: the owner's setting or the guest's choice */
	bool camera_ready;
	struct loop_source *timer;
	struct metrics *metrics; /* borrowed, or NULL */

	/* Raw frames of the shots (camera's frame_ready), composed from when all are there. */
	char frames[6][PATH_MAX];

	/* The composer child. */
	pid_t compose_pid;
	int compose_pidfd;
	int compose_err; /* read end of its stderr */
	struct loop_source *compose_src;
	char compose_out[PATH_MAX];
};

static uint64_t now_ms(void)
{
	return now_usec() / 1000u;
}

bool guest_active(const struct guest *g)
{
	return session_active(g->s.state);
}

int64_t guest_session_id(const struct guest *g)
{
	return g->id;
}

void guest_settings_changed(struct guest *g)
{
	g->s.params.printing = g->settings->printing && g->cfg->printer.destination[0];
	if (!session_active(g->s.state)) {
		g->copies = g->settings->copies;
		g->s.params.shots = g->settings->shots;
		g->s.params.countdown_ms = (uint32_t)g->settings->countdown_s * 1000u;
		strscpy(g->layout, g->settings->layout, sizeof(g->layout));
		guest_publish(g);
	}
}

void guest_set_blocked(struct guest *g, const char *why)
{
	g->blocked = why;
}

void guest_set_print_notice(struct guest *g, const char *notice)
{
	if (notice == g->print_notice)
		return;
	g->print_notice = notice;
	guest_publish(g);
}

bool guest_camera_ready(const struct guest *g)
{
	return g->camera_ready;
}

void guest_set_metrics(struct guest *g, struct metrics *m)
{
	g->metrics = m;
}

json_object *guest_state_json(const struct guest *g)
{
	json_object *o = json_object_new_object();
	uint64_t now = now_ms();
	bool review_on = g->s.state == SESSION_REVIEW || g->s.state == SESSION_PRINT ||
			 (g->s.state == SESSION_DONE && g->strip[0]);

	json_object_object_add(o, "id", g->id ? json_object_new_int64(g->id) : NULL);
	json_object_object_add(o, "phase", json_object_new_string(session_state_name(g->s.state)));
	json_object_object_add(o, "shot", json_object_new_int(g->id ? g->s.shot : 0));
	json_object_object_add(o, "shots", json_object_new_int(g->s.params.shots));
	json_object_object_add(
		o, "remaining_ms",
		json_object_new_int64(g->s.deadline > now ? (int64_t)(g->s.deadline - now) : 0));
	json_object_object_add(o, "layout", json_object_new_string(g->layout));
	json_object_object_add(o, "strip", review_on ? json_object_new_string(g->strip) : NULL);
	json_object_object_add(o, "error",
			       g->s.error[0] && g->s.state == SESSION_ERROR
				       ? json_object_new_string(g->s.error)
				       : NULL);
	json_object_object_add(o, "outcome",
			       json_object_new_string(session_outcome_name(g->s.outcome)));
	json_object_object_add(o, "print_notice",
			       g->print_notice && g->s.params.printing
				       ? json_object_new_string(g->print_notice)
				       : NULL);
	return o;
}

void guest_publish(struct guest *g)
{
	json_object *o = guest_state_json(g);

	bus_publish(g->bus, "booth/{booth}/session/state", o);
	json_object_put(o);
}

static void publish_session_event(struct guest *g, const char *topic, int shot)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "session", json_object_new_int64(g->id));
	if (shot > 0)
		json_object_object_add(o, "shot", json_object_new_int(shot));
	bus_publish(g->bus, topic, o);
	json_object_put(o);
}

static void arm_timer(struct guest *g)
{
	uint64_t now = now_ms();

	if (!g->s.deadline)
		loop_timer_set(g->timer, 0, 0);
	else
		/* A deadline already passed still fires (1 us), never disarms. */
		loop_timer_set(g->timer, g->s.deadline > now ? (g->s.deadline - now) * 1000u : 1,
			       0);
}

static void unlink_path(const char *path, void *userdata)
{
	const struct guest *g = userdata;
	size_t n = strlen(g->cfg->general.photo_dir);

	/* Only ever delete inside the photo store. */
	if (strncmp(path, g->cfg->general.photo_dir, n) != 0 || path[n] != '/' ||
	    strstr(path, "/../")) {
		log_warning("Not deleting a file outside the photo store");
		return;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		log_warning_errno(errno, "Could not delete a photo of session %lld: %m",
				  (long long)g->id);
}

static void start_compose(struct guest *g);
static void send_prints(struct guest *g, int64_t wall);

/* Frames of the running session are guests' faces: gone once composed or the session ends. */
static void forget_frames(struct guest *g)
{
	int r = g->id > 0 ? frames_remove(g->cfg->general.frames_dir, g->id) : 0;

	if (r < 0)
		log_warning_errno(r, "Could not delete session %lld's raw frames: %m",
				  (long long)g->id);
	memset(g->frames, 0, sizeof(g->frames));
}

/* What the layout asks of the camera: "full" stills or frames of the "stream". */
static const char *capture_mode(const struct guest *g)
{
	const char *dir = g->cfg->boothd.layouts_dir[0] ? g->cfg->boothd.layouts_dir : NULL;

	return layout_full_stills(g->layout, dir) ? "full" : "stream";
}

static void feed(struct guest *g, const struct session_event *ev);

/* Store the transition just made, then carry out ACT. */
static void after_transition(struct guest *g, enum session_state before,
			     const struct session_actions *act)
{
	int64_t wall = wall_msec();
	int r;

	/* The moments the guest feels, taken before anything is written. */
	if (act->flags & SESSION_ACT_CAPTURE)
		metrics_trigger(g->metrics, g->id);
	if (act->flags & SESSION_ACT_PRINT)
		metrics_print_pressed(g->metrics, g->id, wall);
	if (g->id) {
		if (act->flags & SESSION_ACT_END)
			r = db_session_end(g->db, g->id, session_state_name(g->s.state),
					   session_outcome_name(act->outcome), wall);
		else if (g->s.state != SESSION_IDLE && !(act->flags & SESSION_ACT_PRINT))
			/* (A print's state is recorded with its jobs, in one commit.) */
			r = db_session_set_state(g->db, g->id, session_state_name(g->s.state),
						 wall);
		else
			r = 0;
		if (r < 0)
			log_error_errno(r, "Could not record session %lld: %m", (long long)g->id);
	}
	if (act->flags & (SESSION_ACT_DELETE | SESSION_ACT_DISCARD_PHOTOS | SESSION_ACT_END))
		forget_frames(g);
	if (act->flags & (SESSION_ACT_DELETE | SESSION_ACT_DISCARD_PHOTOS)) {
		r = db_session_forget(g->db, g->id, !!(act->flags & SESSION_ACT_DELETE),
				      unlink_path, g);
		if (r < 0)
			log_error_errno(r, "Could not delete session %lld's photos: %m",
					(long long)g->id);
		g->strip[0] = '\0';
		g->strip_id = 0;
		if (act->flags & SESSION_ACT_DELETE)
			log_info("Session %lld: the guest chose not to keep the photos; deleted",
				 (long long)g->id);
	}
	if (act->flags & SESSION_ACT_CAPTURE) {
		json_object *o = json_object_new_object();
		char key[64];

		snprintf(key, sizeof(key), "%lld-%d-%d", (long long)g->id, act->shot, g->s.retakes);
		json_object_object_add(o, "id", json_object_new_string(key));
		json_object_object_add(o, "session", json_object_new_int64(g->id));
		json_object_object_add(o, "shot", json_object_new_int(act->shot));
		/* The countdown reached zero now: the camera takes the frame of this moment. */
		json_object_object_add(o, "trigger_us", json_object_new_int64((int64_t)now_usec()));
		json_object_object_add(o, "mode", json_object_new_string(capture_mode(g)));
		if (bus_publish(g->bus, "booth/{booth}/camera/capture", o) < 0)
			log_warning("Could not ask the camera for shot %d", act->shot);
		json_object_put(o);
	}
	if (act->flags & SESSION_ACT_COMPOSE)
		start_compose(g);
	if (act->flags & SESSION_ACT_PRINT)
		send_prints(g, wall);
	if (act->flags & SESSION_ACT_END) {
		json_object *o = json_object_new_object();

		log_info("Session %lld ended: %s", (long long)g->id,
			 session_outcome_name(act->outcome));
		json_object_object_add(o, "session", json_object_new_int64(g->id));
		json_object_object_add(o, "outcome",
				       json_object_new_string(session_outcome_name(act->outcome)));
		if (act->outcome == SESSION_OUTCOME_FAILED && g->s.error[0])
			json_object_object_add(o, "error", json_object_new_string(g->s.error));
		bus_publish(g->bus, "booth/{booth}/events/session_ended", o);
		json_object_put(o);
		/* A photo whose announcement was lost (the broker restarted, or boothd was not
		 * subscribed yet) is in the store all the same: keep it with its session. */
		if (act->outcome == SESSION_OUTCOME_FAILED)
			guest_adopt_photos(g);
		metrics_session_ended(g->metrics, g->id);
	}
	if (g->s.state == SESSION_IDLE) {
		g->id = 0;
		g->strip[0] = '\0';
		g->strip_id = 0;
	}
	arm_timer(g);
	guest_publish(g);
	if (session_active(before) != session_active(g->s.state) && g->changed)
		g->changed(g->userdata);
}

static void feed(struct guest *g, const struct session_event *ev)
{
	enum session_state before = g->s.state;
	struct session_actions act;

	if (session_handle(&g->s, ev, now_ms(), &act) == 1)
		after_transition(g, before, &act);
}

static int on_timer(struct loop_source *s, void *userdata)
{
	struct guest *g = userdata;
	struct session_event ev = { .type = SESSION_EV_TIMEOUT };

	(void)s;
	feed(g, &ev);
	return 0;
}

static int session_params(const struct booth_config *cfg, const struct booth_settings *set,
			  struct session_params *p)
{
	const typeof(cfg->boothd) *c = &cfg->boothd;

	memset(p, 0, sizeof(*p));
	p->shots = set->shots;
	p->countdown_ms = (uint32_t)set->countdown_s * 1000u;
	p->between_ms = (uint32_t)c->between_s * 1000u;
	p->capture_ms = (uint32_t)c->capture_timeout_s * 1000u;
	p->compose_ms = (uint32_t)c->compose_timeout_s * 1000u;
	p->review_ms = (uint32_t)c->review_s * 1000u;
	p->print_ms = (uint32_t)c->print_timeout_s * 1000u;
	p->done_ms = (uint32_t)c->done_s * 1000u;
	p->error_ms = (uint32_t)c->error_s * 1000u;
	p->printing = set->printing && cfg->printer.destination[0];
	p->review_prints = c->review_prints;
	p->max_retakes = c->max_retakes;
	return 0;
}

int guest_command(struct guest *g, enum session_event_type type, const char **why)
{
	struct session_event ev = { .type = type };
	enum session_state before = g->s.state;
	struct session_actions act;
	int64_t id = 0;
	int r;

	if (type == SESSION_EV_START) {
		if (session_active(g->s.state)) {
			*why = session_refusal(&g->s, type);
			return -EBUSY;
		}
		if (!g->camera_ready) {
			*why = "the camera is not ready";
			return -EBUSY;
		}
		if (g->blocked) {
			*why = g->blocked;
			return -EBUSY;
		}
		/* What the owner set now holds for this session. */
		guest_settings_changed(g);
		/* The row first: a session exists only once it is recorded. */
		r = db_session_create(g->db, g->s.params.shots, g->layout, wall_msec(), &id);
		if (r < 0) {
			*why = "the session could not be recorded";
			return r;
		}
	}
	r = session_handle(&g->s, &ev, now_ms(), &act);
	if (r < 0) {
		*why = session_refusal(&g->s, type);
		return r;
	}
	if (type == SESSION_EV_START) {
		g->id = id;
		g->strip[0] = '\0';
		g->strip_id = 0;
		g->copies_sent = 0;
		metrics_session_started(g->metrics, id, g->s.params.shots);
		log_info("Session %lld started", (long long)id);
		publish_session_event(g, "booth/{booth}/events/session_started", 0);
	}
	if (r == 1)
		after_transition(g, before, &act);
	return 0;
}

/* Whether PATH is a file directly inside the photo store (not a symlink out of it). */
static bool in_photo_store(const struct guest *g, const char *path)
{
	char real[PATH_MAX], store[PATH_MAX];

	if (!realpath(path, real) || !realpath(g->cfg->general.photo_dir, store))
		return false;
	return strncmp(real, store, strlen(store)) == 0 && real[strlen(store)] == '/';
}

/* Keep a photo the camera stored. The shot the running session waits for moves it on. A photo
 * that comes too late for that (the session timed out, or boothd restarted and abandoned it) is
 * kept with its session all the same, unless the guest discarded that session: then it is
 * deleted. */
static void keep_photo(struct guest *g, int64_t session, int shot, const char *path,
		       const char *sha, int width, int height, int64_t taken)
{
	struct session_event ev = { .type = SESSION_EV_PHOTO_STORED, .shot = shot };
	/* The shot asked for, or one the session moved on from at its frame. */
	bool awaited = session == g->id && shot >= 1 && shot <= 6 &&
		       ((g->s.state == SESSION_CAPTURE && shot == g->s.shot) ||
			(g->s.framed & ~g->s.stored_shots & (1u << (shot - 1))));
	char outcome[16];
	int r;

	if (!in_photo_store(g, path)) {
		ev.type = SESSION_EV_CAPTURE_FAILED;
		ev.error = "the photo was not stored in the photo store";
		if (awaited)
			feed(g, &ev);
		return;
	}
	if (!awaited) {
		r = db_session_outcome(g->db, session, outcome, sizeof(outcome));
		if (r <= 0)
			return; /* not a session of ours */
		if (strcmp(outcome, "deleted") == 0) {
			unlink_path(path, g);
			return;
		}
	}
	r = db_photo_add(g->db, session, shot, path, sha, width, height, taken);
	if (r < 0 && r != -EEXIST) {
		ev.type = SESSION_EV_CAPTURE_FAILED;
		ev.error = r == -ENOSPC ? "the booth's storage is full"
					: "the photo could not be recorded";
		if (awaited)
			feed(g, &ev);
		return;
	}
	if (!awaited) {
		if (r == 0)
			log_notice("Session %lld: shot %d came after the session moved on, or its "
				   "announcement was lost; kept",
				   (long long)session, shot);
		return;
	}
	publish_session_event(g, "booth/{booth}/events/photo_taken", shot);
	feed(g, &ev);
}

/* The frame of the awaited shot is ready as raw pixels: the session moves on at once. */
static void on_frame_ready(struct guest *g, json_object *o)
{
	struct session_event ev = { .type = SESSION_EV_FRAME_READY };
	int64_t session = json_object_get_int64(json_object_object_get(o, "session"));
	const char *path = json_object_get_string(json_object_object_get(o, "path"));
	struct stat st;

	ev.shot = json_object_get_int(json_object_object_get(o, "shot"));
	if (session != g->id || g->s.state != SESSION_CAPTURE || ev.shot != g->s.shot)
		return; /* its JPEG will do */
	if (!frames_path_ok(g->cfg->general.frames_dir, path, session, ev.shot) ||
	    lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_warning("Session %lld shot %d: the raw frame is not in the frames directory; "
			    "waiting for the photo",
			    (long long)session, ev.shot);
		return;
	}
	strscpy(g->frames[ev.shot - 1], path, sizeof(g->frames[0]));
	feed(g, &ev);
}

static void on_photo_stored(struct guest *g, json_object *o)
{
	keep_photo(g, json_object_get_int64(json_object_object_get(o, "session")),
		   json_object_get_int(json_object_object_get(o, "shot")),
		   json_object_get_string(json_object_object_get(o, "path")),
		   json_object_get_string(json_object_object_get(o, "sha256")),
		   json_object_get_int(json_object_object_get(o, "width")),
		   json_object_get_int(json_object_object_get(o, "height")),
		   json_object_get_int64(json_object_object_get(o, "taken")));
}

/* Whether NAME is a photo's file name as the camera writes it, sSESSION-SHOT-ID.jpg (strips are
 * sSESSION-strip-N.jpg, files being written end in .tmp.PID), and which. */
static bool photo_file_name(const char *name, long long *session, int *shot)
{
	size_t len = strlen(name);
	char *end;
	long v;

	if (name[0] != 's' || len < 4 || strcmp(name + len - 4, ".jpg") != 0)
		return false;
	*session = strtoll(name + 1, &end, 10);
	if (end == name + 1 || *end != '-' || *session < 1)
		return false;
	name = end + 1;
	v = strtol(name, &end, 10);
	if (end == name || *end != '-' || v < 1 || v > 6)
		return false;
	*shot = (int)v;
	return true;
}

void guest_adopt_photos(struct guest *g)
{
	time_t now = time(NULL);

	/* Today's and yesterday's folders (store.c names them by the local date of the shot): a
	 * session that is still of interest spans midnight at most. */
	for (int day = 0; day < 2; day++) {
		time_t t = now - (time_t)day * 86400;
		char dir[PATH_MAX], path[PATH_MAX], sha[65];
		struct dirent *de;
		struct stat st;
		struct tm tm;
		DIR *d;

		localtime_r(&t, &tm);
		if (snprintf(dir, sizeof(dir), "%s/%04d-%02d-%02d", g->cfg->general.photo_dir,
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) >= (int)sizeof(dir))
			continue;
		d = opendir(dir);
		while (d && (de = readdir(d))) {
			long long session;
			int shot;

			if (!photo_file_name(de->d_name, &session, &shot) ||
			    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
				    (int)sizeof(path) ||
			    db_photo_known(g->db, path) != 0 || lstat(path, &st) < 0 ||
			    !S_ISREG(st.st_mode) || sha256_file(path, sha) < 0)
				continue;
			/* Its size stays unknown (0): boothd never parses images itself, so that a
			 * broken file cannot crash the process that owns the database. */
			keep_photo(g, session, shot, path, sha, 0, 0,
				   (int64_t)st.st_mtim.tv_sec * 1000 +
					   st.st_mtim.tv_nsec / 1000000);
		}
		if (d)
			closedir(d);
	}
}

static void on_capture_failed(struct guest *g, json_object *o)
{
	struct session_event ev = {
		.type = SESSION_EV_CAPTURE_FAILED,
		.shot = json_object_get_int(json_object_object_get(o, "shot")),
		.error = json_object_get_string(json_object_object_get(o, "error")),
	};

	if (json_object_get_int64(json_object_object_get(o, "session")) != g->id)
		return;
	feed(g, &ev);
}

static void set_camera_ready(struct guest *g, bool ready)
{
	if (ready != g->camera_ready)
		log_info("Camera %s", ready ? "ready" : "not ready");
	g->camera_ready = ready;
	if (!ready) {
		struct session_event ev = { .type = SESSION_EV_CAMERA_LOST };

		feed(g, &ev);
	}
	if (g->changed)
		g->changed(g->userdata);
}

static void on_camera_state(struct guest *g, json_object *o)
{
	const char *status = json_object_get_string(json_object_object_get(o, "status"));

	set_camera_ready(g, strcmp(status, "ok") == 0);
}

/* A strip came out of the printer (once per job: a repeated report changes no row). */
static void publish_print_done(struct guest *g, const char *key)
{
	json_object *o = json_object_new_object();
	char *end = NULL;
	long long session = key[0] == 's' ? strtoll(key + 1, &end, 10) : 0;

	if (!end || *end != '-')
		session = 0;
	json_object_object_add(o, "session", session > 0 ? json_object_new_int64(session) : NULL);
	json_object_object_add(o, "job", json_object_new_string(key));
	bus_publish(g->bus, "booth/{booth}/events/print_done", o);
	json_object_put(o);
	if (g->changed)
		g->changed(g->userdata); /* the print counts */
}

static void on_print_job(struct guest *g, json_object *o)
{
	const char *key = json_object_get_string(json_object_object_get(o, "job"));
	const char *state = json_object_get_string(json_object_object_get(o, "state"));
	json_object *err = json_object_object_get(o, "error");
	char prefix[48];
	int r;

	r = db_print_job_update(g->db, key, state,
				json_object_get_int(json_object_object_get(o, "ipp_job")),
				err ? json_object_get_string(err) : NULL, wall_msec());
	if (r < 0)
		log_warning_errno(r, "Could not record print job %s: %m", key);
	if (r > 0 && strcmp(state, "completed") == 0)
		publish_print_done(g, key);
	if (g->s.state != SESSION_PRINT)
		return;
	snprintf(prefix, sizeof(prefix), "s%lld-", (long long)g->id);
	if (strncmp(key, prefix, strlen(prefix)) != 0)
		return;
	if (strcmp(state, "failed") == 0) {
		struct session_event ev = { .type = SESSION_EV_PRINT_FAILED,
					    .error = err ? json_object_get_string(err) : NULL };

		feed(g, &ev);
	} else if (strcmp(state, "canceled") != 0) {
		/* Held counts: booth-printer has the job and sends it when the printer can. Each copy
		 * counts once, however often its state is reported (re-sends are answered too). */
		struct session_event ev = { .type = SESSION_EV_PRINT_ACCEPTED };
		const char *c = strrchr(key, '-');
		char *end = NULL;
		long copy = c && c[1] == 'c' ? strtol(c + 2, &end, 10) : 0;

		if (!end || *end || copy < 1 || copy > 16)
			return; /* not one of the session's copies (a reprint) */
		g->copies_sent |= 1u << (copy - 1);
		if (__builtin_popcount(g->copies_sent) >= g->copies)
			feed(g, &ev);
	}
}

static void on_screen_command(struct guest *g, json_object *o)
{
	static const struct {
		const char *name;
		enum session_event_type ev;
	} actions[] = {
		{ "start", SESSION_EV_START },	 { "print", SESSION_EV_PRINT },
		{ "retake", SESSION_EV_RETAKE }, { "discard", SESSION_EV_DISCARD },
		{ "cancel", SESSION_EV_CANCEL },
	};
	const char *action = json_object_get_string(json_object_object_get(o, "action"));
	json_object *copies = json_object_object_get(o, "copies");
	const char *why = NULL;

	if (copies && strcmp(action, "print") == 0 && g->s.state == SESSION_REVIEW) {
		int n = json_object_get_int(copies);

		g->copies = n < g->settings->max_copies ? n : g->settings->max_copies;
	}

	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (strcmp(actions[i].name, action) == 0 &&
		    guest_command(g, actions[i].ev, &why) < 0)
			log_debug("Screen command %s ignored: %s", action, why);
}

static void on_message(struct bus *b, const char *topic, const void *payload, size_t len,
		       void *userdata)
{
	struct guest *g = userdata;
	const struct topic_def *t = topic_lookup(bus_booth(b), topic);
	json_object *o = NULL;
	char err[256];

	if (t && t->kind == TOPIC_AVAILABILITY) {
		/* A camera that died keeps its retained "ok": its last will says otherwise. */
		if (len == 7 && memcmp(payload, "offline", 7) == 0)
			set_camera_ready(g, false);
		return;
	}
	if (!t || codec_parse(t, payload, len, 65536, &o, err, sizeof(err)) < 0) {
		log_warning("Ignoring a malformed message on %s: %s", topic, t ? err : "unknown");
		return;
	}
	if (strstr(t->pattern, "/photo_stored"))
		on_photo_stored(g, o);
	else if (strstr(t->pattern, "/frame_ready"))
		on_frame_ready(g, o);
	else if (strstr(t->pattern, "/capture_failed"))
		on_capture_failed(g, o);
	else if (strstr(t->pattern, "/camera/state"))
		on_camera_state(g, o);
	else if (strstr(t->pattern, "/print_job"))
		on_print_job(g, o);
	else if (strstr(t->pattern, "/session/command"))
		on_screen_command(g, o);
	json_object_put(o);
}

/* The owner chose to see each strip on a dashboard: send it, never retained. */
static void publish_strip_image(struct guest *g)
{
	char *data = NULL;
	long n = read_file(g->strip, STRIP_IMAGE_MAX, &data);

	if (n < 0)
		log_warning("The strip is not published: %s",
			    n == -EFBIG ? "it is too large" : strerror((int)-n));
	else if (bus_publish_bytes(g->bus, "booth/{booth}/strip/last", data, (size_t)n) < 0)
		log_warning("The strip could not be published");
	free(data);
}

/* Composition runs in a child process (booth-compose): a broken photo can crash it, never
 * boothd, and the event loop keeps serving meanwhile. */
static void compose_done(struct guest *g, int status)
{
	struct session_event ev = { .type = SESSION_EV_COMPOSE_FAILED };
	char msg[COMPOSE_ERR_MAX] = "";
	char sha[65];
	ssize_t n;
	int r;

	n = read(g->compose_err, msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	g->compose_src = loop_source_remove(g->compose_src);
	close(g->compose_pidfd);
	close(g->compose_err);
	g->compose_pid = 0;
	if (g->s.state != SESSION_COMPOSE) {
		unlink(g->compose_out); /* too late: the session moved on */
		return;
	}
	forget_frames(g);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* The composer's message may name a photo: keep it out of the normal log. */
		log_error("Composing session %lld's strip failed%s", (long long)g->id,
			  WIFEXITED(status) ? "" : ": the composer crashed");
		log_debug("The composer said: %s", msg);
		ev.error = "the strip could not be made";
		feed(g, &ev);
		return;
	}
	r = sha256_file(g->compose_out, sha);
	if (r == 0)
		r = db_strip_add(g->db, g->id, g->layout, g->compose_out, sha, wall_msec(),
				 &g->strip_id);
	if (r < 0) {
		log_error_errno(r, "Could not record session %lld's strip: %m", (long long)g->id);
		ev.error = r == -ENOSPC ? "the booth's storage is full"
					: "the strip could not be recorded";
		feed(g, &ev);
		return;
	}
	strscpy(g->strip, g->compose_out, sizeof(g->strip));
	publish_session_event(g, "booth/{booth}/events/strip_ready", 0);
	if (g->settings->last_strip_image)
		publish_strip_image(g);
	ev.type = SESSION_EV_COMPOSED;
	feed(g, &ev);
}

static int on_compose_exit(struct loop_source *s, int fd, uint32_t revents, void *userdata)
{
	struct guest *g = userdata;
	int status = 0;

	(void)s;
	(void)fd;
	(void)revents;
	if (waitpid(g->compose_pid, &status, WNOHANG) <= 0)
		return 0;
	compose_done(g, status);
	return 0;
}

static void compose_failed_now(struct guest *g, const char *why)
{
	struct session_event ev = { .type = SESSION_EV_COMPOSE_FAILED, .error = why };

	feed(g, &ev);
}

static void start_compose(struct guest *g)
{
	char paths[6][4096], exe[PATH_MAX], bin[PATH_MAX], dir[PATH_MAX], day[16];
	char *argv[20];
	int argc = 0, n, errpipe[2] = { -1, -1 };
	bool raw;
	posix_spawn_file_actions_t fa;
	struct db_event ev;
	const char *title = g->cfg->boothd.title;
	time_t now = time(NULL);
	struct tm tm;
	ssize_t k;
	int r;

	/* The raw frames when the camera handed every one (no JPEG to decode, and their JPEGs
	 * may still be being stored); else the stored JPEGs (full-resolution stills). */
	for (n = 0; n < g->s.params.shots && g->frames[n][0]; n++)
		strscpy(paths[n], g->frames[n], sizeof(paths[n]));
	raw = n == g->s.params.shots;
	if (!raw)
		n = db_photo_paths(g->db, g->id, paths, 6);
	if (n != g->s.params.shots) {
		compose_failed_now(g, "the photos of this session are not all there");
		return;
	}
	if (db_event_current(g->db, &ev) > 0 && ev.title[0])
		title = ev.title;
	localtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	if (snprintf(dir, sizeof(dir), "%s/%s", g->cfg->general.photo_dir, day) >=
		    (int)sizeof(dir) ||
	    mkdir_p(dir, 0770) < 0) {
		compose_failed_now(g, "the booth's storage is not writable");
		return;
	}
	if (snprintf(g->compose_out, sizeof(g->compose_out), "%s/s%lld-strip-%d.jpg", dir,
		     (long long)g->id, g->s.retakes) >= (int)sizeof(g->compose_out)) {
		compose_failed_now(g, "the photo store's path is too long");
		return;
	}
	/* booth-compose lives beside boothd, installed or in the build tree. */
	k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[k > 0 ? k : 0] = '\0';
	*(strrchr(exe, '/') ? strrchr(exe, '/') : exe) = '\0';
	if (snprintf(bin, sizeof(bin), "%s/booth-compose", exe) >= (int)sizeof(bin)) {
		compose_failed_now(g, "the composer could not be found");
		return;
	}

	argv[argc++] = bin;
	argv[argc++] = "-l";
	argv[argc++] = g->layout;
	if (g->cfg->boothd.layouts_dir[0]) {
		argv[argc++] = "--layouts";
		argv[argc++] = (char *)g->cfg->boothd.layouts_dir;
	}
	argv[argc++] = "-o";
	argv[argc++] = g->compose_out;
	if (title[0]) {
		argv[argc++] = "--title";
		argv[argc++] = (char *)title;
	}
	for (int i = 0; i < n; i++)
		argv[argc++] = paths[i];
	argv[argc] = NULL;

	if (pipe2(errpipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		compose_failed_now(g, "the composer could not be started");
		return;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, errpipe[1], STDERR_FILENO);
	r = posix_spawn(&g->compose_pid, bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(errpipe[1]);
	if (r != 0) {
		log_error_errno(r, "Cannot run %s: %m", bin);
		close(errpipe[0]);
		compose_failed_now(g, "the composer could not be started");
		return;
	}
	g->compose_err = errpipe[0];
	log_info("Composing session %lld's strip from %s", (long long)g->id,
		 raw ? "the camera's raw frames" : "its stored photos");
	g->compose_pidfd = (int)syscall(SYS_pidfd_open, g->compose_pid, 0);
	if (g->compose_pidfd < 0 || loop_add_io(g->loop, g->compose_pidfd, EPOLLIN, on_compose_exit,
						g, &g->compose_src) < 0) {
		int status = 0;

		/* No pidfd (old kernel): wait here; composing is bounded by its timeout. */
		waitpid(g->compose_pid, &status, 0);
		if (g->compose_pidfd < 0)
			g->compose_pidfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		compose_done(g, status);
	}
}

/* The guest pressed Print (or the review timed out): the print state and a job per copy are
 * recorded in one commit, then every copy goes to booth-printer at once. */
static void send_prints(struct guest *g, int64_t wall)
{
	char keys[COPIES_MAX][64];
	const char *k[COPIES_MAX];
	bool cut = prints_layout_cut(g->cfg, g->layout);
	int n = g->copies < COPIES_MAX ? g->copies : COPIES_MAX;

	for (int i = 0; i < n; i++) {
		/* The key names the session, strip and copy: a repeated command is one job. */
		snprintf(keys[i], sizeof(keys[i]), "s%lld-%lld-c%d", (long long)g->id,
			 (long long)g->strip_id, i + 1);
		k[i] = keys[i];
	}
	if (db_session_print(g->db, g->id, session_state_name(g->s.state), g->strip_id, k, n,
			     wall) < 0) {
		struct session_event ev = { .type = SESSION_EV_PRINT_FAILED,
					    .error = "the print could not be recorded" };

		feed(g, &ev);
		return;
	}
	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "job", json_object_new_string(keys[i]));
		json_object_object_add(o, "path", json_object_new_string(g->strip));
		json_object_object_add(o, "session", json_object_new_int64(g->id));
		json_object_object_add(o, "cut", json_object_new_boolean(cut));
		if (bus_publish(g->bus, "booth/{booth}/printer/print", o) < 0)
			log_warning("Print %s recorded; the printer process will get it later",
				    keys[i]);
		json_object_put(o);
	}
}

struct recover_ctx {
	struct guest *g;
	int n;
};

static void recover_one(const struct db_session *row, void *userdata)
{
	struct recover_ctx *c = userdata;
	enum session_state state = SESSION_IDLE;
	enum session_outcome outcome;
	int printed;

	session_state_from_name(row->state, &state);
	printed = db_print_job_exists(c->g->db, row->id);
	outcome = session_recover(state, printed > 0);
	if (outcome == SESSION_OUTCOME_NONE)
		outcome = SESSION_OUTCOME_ABANDONED;
	if (db_session_end(c->g->db, row->id, row->state, session_outcome_name(outcome),
			   wall_msec()) == 0)
		c->n++;
	log_notice("Session %lld was left unfinished (%s): %s", (long long)row->id, row->state,
		   session_outcome_name(outcome));
}

int guest_new(struct loop *l, struct bus *b, struct db *db, const struct booth_config *cfg,
	      const struct booth_settings *settings, guest_changed_fn changed, void *userdata,
	      struct guest **ret)
{
	static const char *const topics[] = {
		"booth/{booth}/events/photo_stored", "booth/{booth}/events/capture_failed",
		"booth/{booth}/camera/state",	     "booth/{booth}/events/print_job",
		"booth/{booth}/session/command",     "booth/{booth}/availability/camera",
		"booth/{booth}/events/frame_ready",
	};
	struct session_params p;
	struct recover_ctx rc;
	struct guest *g;
	int r;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->loop = l;
	g->bus = b;
	g->db = db;
	g->cfg = cfg;
	g->settings = settings;
	g->changed = changed;
	g->userdata = userdata;
	g->compose_pidfd = -1;
	g->compose_err = -1;
	g->copies = settings->copies;
	strscpy(g->layout, settings->layout, sizeof(g->layout));
	session_params(cfg, settings, &p);
	r = session_init(&g->s, &p);
	if (r < 0)
		goto fail;
	rc.g = g;
	rc.n = 0;
	r = db_sessions_unfinished(db, recover_one, &rc);
	/* No session runs yet: every raw frame is one nobody will compose. */
	if (r >= 0 && frames_remove(cfg->general.frames_dir, 0) > 0)
		log_info("Deleted the raw frames of unfinished sessions");
	if (r < 0)
		goto fail;
	r = loop_add_timer(l, 0, 0, on_timer, g, &g->timer);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(topics); i++)
		r = bus_subscribe(b, topics[i], on_message, g);
	if (r < 0)
		goto fail;
	*ret = g;
	return 0;
fail:
	guest_free(g);
	return r;
}

struct guest *guest_free(struct guest *g)
{
	if (!g)
		return NULL;
	if (g->compose_pid > 0) {
		kill(g->compose_pid, SIGKILL);
		waitpid(g->compose_pid, NULL, 0);
	}
	loop_source_remove(g->compose_src);
	if (g->compose_pidfd >= 0)
		close(g->compose_pidfd);
	if (g->compose_err >= 0)
		close(g->compose_err);
	loop_source_remove(g->timer);
	free(g);
	return NULL;
}
