/* SPDX-License-Identifier: MIT */
/* booth-ui: every screen a guest sees, drawn from what the bus says, and the guest's taps and
 * keys turned into session commands. */
#include "boothconf.h"
#include "bus.h"
#include "canvas.h"
#include "codec.h"
#include "display.h"
#include "input.h"
#include "kms.h"
#include "log.h"
#include "loop.h"
#include "netinfo.h"
#include "owner.h"
#include "preview-client.h"
#include "presented.h"
#include "screen.h"
#include "util.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How often time-driven text (the countdown digit, the review's seconds) is brought up to date. */
#define TICK_USEC 100000
/* The copies of one strip whose print jobs are followed (settings' max 4). */
#define JOBS_MAX 4

struct ui {
	struct booth_config cfg;
	struct loop *loop;
	struct bus *bus;
	struct display *display;
	struct preview_client *preview;
	struct input *input;
	struct canvas *canvas;
	struct ui_model model;
	struct ui_status status;
	enum ui_screen screen;
	bool published;	   /* ui/state says the current screen and language */
	bool dirty;	   /* the screen must be drawn again */
	uint64_t deadline; /* when the session's phase ends (monotonic usec), 0 = never */
	char strip_path[4096];
	struct canvas *strip;
	struct ui_target targets[UI_MAX_TARGETS];
	int ntargets;
	bool warned_test_input;
	bool plane;	    /* the countdown's preview is on a hardware plane */
	bool said_software; /* the log said the display has no planes */
	int prepared; /* language and shots the countdown's words were rendered for, -1: none */
	struct owner owner;
	char pin[9];		/* ui/pin, else [ui] pin */
	int shots, countdown_s; /* settings, else [boothd] */
	int64_t session;	/* session/state id; 0: none */
	struct {
		char job[65];
		enum ui_print state;
	} jobs[JOBS_MAX];	    /* the print jobs of the session */
	struct presented presented; /* what the guest saw, for the booth's figures */
};

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static void copy_string(char *dst, size_t n, json_object *v)
{
	strscpy(dst, json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "", n);
}

static void publish_state(struct ui *u)
{
	json_object *o = json_object_new_object();

	if (!o)
		return;
	json_object_object_add(
		o, "screen",
		json_object_new_string(screen_name(screen_public(&u->model, u->screen))));
	json_object_object_add(o, "language", json_object_new_string(ui_lang_name(u->model.lang)));
	json_object_object_add(o, "frames", json_object_new_int64((int64_t)u->display->frames));
	if (bus_publish(u->bus, "booth/{booth}/ui/state", o) == 0)
		u->published = true;
	json_object_put(o);
}

static int seconds_left(const struct ui *u)
{
	uint64_t now = now_usec();

	if (!u->deadline || now >= u->deadline)
		return 0;
	return (int)((u->deadline - now + 999999) / 1000000);
}

/* While the attract screen shows, render the countdown's words for the next guest, so that
 * the countdown over the live preview costs a scale and a few blends a frame. */
static void prepare_countdown(struct ui *u, enum ui_screen s)
{
	struct ui_model m = u->model;
	int key, r;

	m.shots = u->shots;
	key = ((int)m.lang * 16 + u->countdown_s) * 16 + m.shots;
	if (s != SCREEN_ATTRACT || key == u->prepared)
		return;
	u->prepared = key;
	r = screen_prepare(u->canvas, &m, u->countdown_s);
	if (r < 0)
		log_warning_errno(r, "Cannot render the countdown's words ahead: %m");
}

/* A picture of screen S is on its way to the panel (a DRM flip shows it at the next vblank). */
static void note_presented(struct ui *u, enum ui_screen s)
{
	struct preview_client_stats st;
	bool fresh = s == SCREEN_COUNTDOWN && (u->model.preview || u->model.preview_plane) &&
		     preview_client_shown(u->preview);

	preview_client_get_stats(u->preview, &st);
	presented_picture(&u->presented, s == SCREEN_COUNTDOWN, fresh,
			  s == SCREEN_REVIEW && u->strip != NULL, now_usec(), &st);
}

/* The held camera frame as the display takes it for a plane; false if none is held. */
static bool held_frame(struct ui *u, struct display_frame *f)
{
	f->buf = preview_client_buffer(u->preview, &f->fds, &f->generation);
	return f->buf != NULL;
}

/* The countdown's live picture (ON: the countdown shows): on a hardware plane under the words
 * where the display takes the camera's buffer as it is, else mapped and drawn in software. The
 * camera's frame is mapped only while the software path draws it. */
static void show_preview(struct ui *u, bool on)
{
	struct display_frame f;
	int r = -ENODATA;

	u->model.preview = NULL;
	u->model.preview_plane = false;
	if (on && held_frame(u, &f))
		r = display_preview(u->display, &f, u->cfg.ui.mirror);
	if (r == -ENODEV && !u->said_software) {
		log_info("Preview: drawn in software (the %s display has no hardware planes)",
			 u->display->backend->name);
		u->said_software = true;
	}
	u->plane = r == 0;
	if (u->plane) {
		u->model.preview_plane = true;
		preview_client_unmap(u->preview);
	} else {
		display_preview(u->display, NULL, u->cfg.ui.mirror);
		if (on)
			u->model.preview = preview_client_frame(u->preview);
	}
	u->canvas->alpha = u->plane;
}

/* Draw the screen the model calls for and present it. */
static void redraw(struct ui *u)
{
	enum ui_screen s, was = u->screen;
	int r;

	u->model.seconds_left = seconds_left(u);
	u->model.attention = screen_attention(&u->status);
	u->model.owner.page = u->owner.page;
	u->model.owner.digits = (int)strlen(u->owner.entered);
	u->model.owner.note = u->owner.note;
	u->model.owner.locked_s = owner_locked_s(&u->owner, now_usec() / 1000);
	u->model.strip = u->strip;
	s = screen_pick(&u->model);
	show_preview(u, s == SCREEN_COUNTDOWN);
	if (s != u->screen)
		u->published = false;
	u->screen = s;
	r = screen_draw(u->canvas, s, &u->model, u->targets, &u->ntargets);
	if (r < 0)
		log_warning_errno(r, "Some text of the %s screen could not be drawn: %m",
				  screen_name(s));
	r = display_present(u->display, u->canvas);
	if (r < 0 && r != -EBUSY)
		log_warning_errno(r, "Cannot show the %s screen: %m", screen_name(s));
	else
		note_presented(u, s);
	u->dirty = false;
	if (s != SCREEN_COUNTDOWN)
		preview_client_unmap(u->preview);
	if (!u->published && bus_connected(u->bus))
		publish_state(u);
	prepare_countdown(u, s);
	/* Back to the attract screen: what the session needed (the strip, its words) is freed;
	 * give the heap's free pages back too, so booth-ui waits for the next guest small. */
	if (s == SCREEN_ATTRACT && was != SCREEN_ATTRACT)
		malloc_trim(0);
}

static void on_prepare(void *userdata)
{
	struct ui *u = userdata;

	if (u->dirty)
		redraw(u);
	/* Camera buffers go back once the screen has stopped reading them. */
	preview_client_set_busy(u->preview, display_preview_busy(u->display));
}

static int on_tick(struct loop_source *s, void *userdata)
{
	struct ui *u = userdata;

	(void)s;
	if (u->model.seconds_left != seconds_left(u))
		u->dirty = true;
	if (owner_tick(&u->owner, now_usec() / 1000)) {
		if (u->owner.page == OWNER_CLOSED)
			log_info("Owner menu closed after a minute without input");
		u->dirty = true;
	}
	if (u->owner.page == OWNER_PIN &&
	    u->model.owner.locked_s != owner_locked_s(&u->owner, now_usec() / 1000))
		u->dirty = true;
	return 0;
}

static void on_preview_frame(void *userdata)
{
	struct ui *u = userdata;
	struct display_frame f;

	/* Frames matter only while the preview is on screen; the camera never waits for us. */
	if (u->screen != SCREEN_COUNTDOWN)
		return;
	/* On the plane a new frame is one atomic commit: the words over it stay as they are. */
	if (u->plane && held_frame(u, &f) && display_preview(u->display, &f, u->cfg.ui.mirror) == 0)
		return;
	u->dirty = true;
}

static void load_strip(struct ui *u, const char *path)
{
	int w, h, r;

	if (strcmp(path, u->strip_path) == 0)
		return;
	u->strip = canvas_free(u->strip);
	strscpy(u->strip_path, path, sizeof(u->strip_path));
	if (!*path)
		return;
	screen_strip_size(u->canvas->w, u->canvas->h, &w, &h);
	r = canvas_read_jpeg(path, w, h, &u->strip);
	if (r < 0)
		log_warning_errno(r, "Cannot show the strip %s: %m", path);
}

/* Tell boothd what the guest saw of a session that is over. */
static void report_session(struct ui *u, int64_t id, const char *phase)
{
	struct preview_client_stats st;
	json_object *o;

	preview_client_get_stats(u->preview, &st);
	o = presented_phase(&u->presented, id, phase, now_usec(), &st);
	if (o && bus_publish(u->bus, "booth/{booth}/ui/session_stats", o) < 0)
		log_warning("Cannot send what the screen showed of a session to boothd");
	json_object_put(o);
}

static void on_session_state(struct ui *u, json_object *o)
{
	json_object *strip = get(o, "strip");
	int64_t remaining = json_object_get_int64(get(o, "remaining_ms"));
	char phase[16];

	copy_string(phase, sizeof(phase), get(o, "phase"));
	report_session(u, json_object_get_int64(get(o, "id")), phase);
	/* A new session starts in the language of the attract screen it left from; back at idle
	 * nothing changes. */
	strscpy(u->model.phase, phase, sizeof(u->model.phase));
	u->model.shot = json_object_get_int(get(o, "shot"));
	u->model.shots = json_object_get_int(get(o, "shots"));
	u->model.print_paused = json_object_is_type(get(o, "print_notice"), json_type_string);
	if (json_object_get_int64(get(o, "id")) != u->session) {
		/* A new session: its own print jobs, and the owner's default copies to start from. */
		u->session = json_object_get_int64(get(o, "id"));
		memset(u->jobs, 0, sizeof(u->jobs));
		u->model.print = UI_PRINT_NONE;
		u->model.copies = u->model.owner.copies > 0 ? u->model.owner.copies : 1;
	}
	u->deadline = remaining > 0 ? now_usec() + (uint64_t)remaining * 1000 : 0;
	load_strip(u, json_object_is_type(strip, json_type_string) ? json_object_get_string(strip)
								   : "");
}

static bool has_reason(json_object *reasons, const char *prefix)
{
	size_t n = json_object_is_type(reasons, json_type_array) ? json_object_array_length(reasons)
								 : 0;

	for (size_t i = 0; i < n; i++) {
		const char *r = json_object_get_string(json_object_array_get_idx(reasons, i));

		if (r && strncmp(r, prefix, strlen(prefix)) == 0)
			return true;
	}
	return false;
}

/* Tell boothd the owner's choice in the menu (settings show up in the settings document,
 * deletions in the state's counts). Consumes VALUE. Returns 0 or -errno (not sent). */
static int owner_command(struct ui *u, const char *command, const char *key, json_object *value)
{
	json_object *o = json_object_new_object();
	int r;

	if (!o) {
		json_object_put(value);
		return -ENOMEM;
	}
	json_object_object_add(o, "command", json_object_new_string(command));
	if (key)
		json_object_object_add(o, key, value);
	r = bus_publish(u->bus, "booth/{booth}/ui/owner_command", o);
	if (r < 0)
		log_warning("Cannot send the owner's '%s' to boothd now", command);
	else
		log_info("Owner menu: %s", command);
	json_object_put(o);
	return r;
}

static void show_network(struct ui *u)
{
	struct ui_owner_view *v = &u->model.owner;
	int n = netinfo_read(v->host, sizeof(v->host), v->addresses, UI_ADDRESSES_MAX);

	if (n < 0) {
		log_warning_errno(n, "Cannot read the network addresses: %m");
		n = 0;
	}
	v->n_addresses = n;
}

/* The owner menu's actions; false if A is not one. */
static bool owner_action(struct ui *u, enum ui_action a, int arg)
{
	uint64_t now = now_usec() / 1000;

	switch (a) {
	case ACT_OWNER_CORNER:
		if (owner_corner_tap(&u->owner, now))
			log_info("Owner PIN pad opened");
		break;
	case ACT_OWNER_OPEN:
		owner_open(&u->owner, now);
		break;
	case ACT_PIN_DIGIT:
		owner_digit(&u->owner, arg, now);
		break;
	case ACT_PIN_DELETE:
		owner_backspace(&u->owner, now);
		break;
	case ACT_PIN_OK:
		if (owner_submit(&u->owner, u->pin, now))
			log_info("Owner menu opened");
		else
			log_warning("Wrong owner PIN (%d in a row)", u->owner.failures);
		break;
	case ACT_OWNER_CLOSE:
		owner_close(&u->owner);
		break;
	case ACT_OWNER_BACK:
		owner_show(&u->owner, OWNER_MENU, now);
		break;
	case ACT_OWNER_LAYOUTS:
		owner_show(&u->owner, OWNER_LAYOUTS, now);
		break;
	case ACT_OWNER_NETWORK:
		show_network(u);
		owner_show(&u->owner, OWNER_NETWORK, now);
		break;
	case ACT_OWNER_PAUSE:
	case ACT_OWNER_RESUME:
	case ACT_OWNER_TEST_PRINT:
		owner_touch(&u->owner, now);
		owner_command(u,
			      a == ACT_OWNER_PAUSE    ? "pause"
			      : a == ACT_OWNER_RESUME ? "resume"
						      : "print_test",
			      NULL, NULL);
		break;
	case ACT_OWNER_COPIES:
		owner_touch(&u->owner, now);
		if (arg != u->model.owner.copies)
			owner_command(u, "copies", "copies", json_object_new_int(arg));
		break;
	case ACT_OWNER_LAYOUT:
		owner_touch(&u->owner, now);
		if (arg >= 0 && arg < u->model.owner.n_layouts)
			owner_command(u, "layout", "layout",
				      json_object_new_string(u->model.owner.layouts[arg]));
		owner_show(&u->owner, OWNER_MENU, now);
		break;
	case ACT_OWNER_DELETE_LAST:
		owner_show(&u->owner, OWNER_CONFIRM_LAST, now);
		break;
	case ACT_OWNER_PURGE_EVENT:
		owner_show(&u->owner, OWNER_CONFIRM_EVENT, now);
		break;
	case ACT_OWNER_DELETE:
		/* Only what the confirmation on screen asked about; "Deleted" only once sent. */
		if (!owner_confirm(&u->owner, (enum owner_page)arg, now))
			break;
		if (owner_command(u, arg == OWNER_CONFIRM_LAST ? "delete_last" : "purge_event",
				  NULL, NULL) < 0)
			owner_show(&u->owner, OWNER_MENU, now);
		break;
	default:
		return false;
	}
	u->dirty = true;
	return true;
}

static void do_action(struct ui *u, enum ui_action a, int arg)
{
	const char *name = screen_action_name(a);
	json_object *o;

	if (owner_action(u, a, arg))
		return;
	if (a == ACT_LANGUAGE) {
		u->model.lang = u->model.lang == UI_LANG_EN ? UI_LANG_ZH : UI_LANG_EN;
		u->published = false;
		u->dirty = true;
		return;
	}
	if (a == ACT_COPIES) {
		u->model.copies = arg;
		u->dirty = true;
		return;
	}
	if (!name)
		return;
	o = json_object_new_object();
	if (!o)
		return;
	json_object_object_add(o, "action", json_object_new_string(name));
	/* The guest's copies, when the owner lets guests choose. */
	if (a == ACT_PRINT && u->model.max_copies > 1)
		json_object_object_add(o, "copies", json_object_new_int(u->model.copies));
	if (bus_publish(u->bus, "booth/{booth}/session/command", o) < 0)
		log_warning("Cannot send '%s' to boothd now", name);
	else
		log_debug("Guest chose '%s' on the %s screen", name, screen_name(u->screen));
	json_object_put(o);
}

/* A tap at canvas point (X, Y), from the touch screen, a click or the test topic. */
static void tap_at(struct ui *u, int x, int y)
{
	/* Act on what the guest sees: draw pending changes first, so targets are current. */
	enum ui_action a;
	int arg;

	if (u->dirty)
		redraw(u);
	if (u->owner.page != OWNER_CLOSED)
		owner_touch(&u->owner, now_usec() / 1000);
	a = screen_hit(u->targets, u->ntargets, x, y, &arg);
	do_action(u, a, arg);
}

static void key_press(struct ui *u, const char *key)
{
	enum ui_action a;
	int arg;

	if (u->dirty)
		redraw(u);
	if (u->owner.page != OWNER_CLOSED)
		owner_touch(&u->owner, now_usec() / 1000);
	a = screen_key(u->screen, key, &arg);
	do_action(u, a, arg);
}

static void on_input_tap(int px, int py, void *userdata)
{
	struct ui *u = userdata;
	int x, y;

	display_to_canvas(u->display, px, py, &x, &y);
	tap_at(u, x, y);
}

static void on_input_key(const char *key, void *userdata)
{
	key_press(userdata, key);
}

static void on_window_closed(void *userdata)
{
	struct ui *u = userdata;

	log_info("The window was closed; stopping");
	loop_quit(u->loop, 0);
}

/* The SDL window's own clicks, keys and close button. */
static const struct display_input window_input = {
	.tap = on_input_tap,
	.key = on_input_key,
	.quit = on_window_closed,
};

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return false;
	return true;
}

static void screenshot(struct ui *u, const char *name)
{
	char path[PATH_MAX];
	int r;

	if (!valid_name(name)) {
		log_warning("Ignoring a screenshot name that is not [a-z0-9_-]: '%s'", name);
		return;
	}
	if (snprintf(path, sizeof(path), "%s/%s.png", u->cfg.ui.screenshot_dir, name) >=
	    (int)sizeof(path))
		return;
	/* The screenshot shows the state as it is now, not as it was last drawn. */
	redraw(u);
	r = mkdir_p(u->cfg.ui.screenshot_dir, 0750);
	if (r >= 0)
		r = display_screenshot(u->display, path);
	if (r < 0)
		log_warning_errno(r, "Cannot write the screenshot %s: %m", path);
}

static void on_test_input(struct ui *u, json_object *o)
{
	json_object *x = get(o, "x"), *y = get(o, "y"), *key = get(o, "key"),
		    *shot = get(o, "screenshot");

	if (!u->cfg.ui.test_input) {
		if (!u->warned_test_input)
			log_debug("Ignoring test input: [ui] test_input is off");
		u->warned_test_input = true;
		return;
	}
	if (x && y)
		tap_at(u, json_object_get_int(x), json_object_get_int(y));
	if (key)
		key_press(u, json_object_get_string(key));
	if (shot)
		screenshot(u, json_object_get_string(shot));
}

static void on_settings(struct ui *u, json_object *o)
{
	struct ui_owner_view *v = &u->model.owner;
	json_object *layouts = get(o, "layouts");
	size_t n = json_object_is_type(layouts, json_type_array) ? json_object_array_length(layouts)
								 : 0;

	v->paused = json_object_get_boolean(get(o, "paused"));
	v->copies = json_object_get_int(get(o, "copies"));
	v->max_copies = json_object_get_int(get(o, "max_copies"));
	u->model.max_copies = v->max_copies;
	if (u->model.copies < 1 || u->model.copies > v->max_copies)
		u->model.copies = v->copies;
	u->status.printing = json_object_get_boolean(get(o, "printing"));
	copy_string(v->layout, sizeof(v->layout), get(o, "layout"));
	v->n_layouts = 0;
	for (size_t i = 0; i < n && v->n_layouts < UI_LAYOUTS_MAX; i++)
		copy_string(v->layouts[v->n_layouts++], sizeof(v->layouts[0]),
			    json_object_array_get_idx(layouts, i));
	u->shots = json_object_get_int(get(o, "shots"));
	u->countdown_s = json_object_get_int(get(o, "countdown_s"));
}

/* The session's print as a whole: failed if a copy failed, printed when every copy is, waiting
 * while one waits for the printer, else printing. */
static void on_print_job(struct ui *u, json_object *o)
{
	static const char *const states[] = { "held",	   "queued", "processing",
					      "completed", "failed", "canceled" };
	static const enum ui_print as[] = { UI_PRINT_HELD, UI_PRINT_PRINTING, UI_PRINT_PRINTING,
					    UI_PRINT_DONE, UI_PRINT_FAILED,   UI_PRINT_FAILED };
	const char *job = json_object_get_string(get(o, "job"));
	const char *state = json_object_get_string(get(o, "state"));
	char prefix[32];
	int slot = -1;
	bool held = false, failed = false, done = true;

	snprintf(prefix, sizeof(prefix), "s%lld-", (long long)u->session);
	if (!job || !state || u->session <= 0 || strncmp(job, prefix, strlen(prefix)) != 0)
		return;
	for (int i = 0; i < JOBS_MAX && slot < 0; i++)
		if (!u->jobs[i].job[0] || strcmp(u->jobs[i].job, job) == 0)
			slot = i;
	if (slot < 0)
		return;
	strscpy(u->jobs[slot].job, job, sizeof(u->jobs[slot].job));
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(state, states[i]) == 0)
			u->jobs[slot].state = as[i];
	for (int i = 0; i < JOBS_MAX && u->jobs[i].job[0]; i++) {
		held |= u->jobs[i].state == UI_PRINT_HELD;
		failed |= u->jobs[i].state == UI_PRINT_FAILED;
		done &= u->jobs[i].state == UI_PRINT_DONE;
	}
	u->model.print = failed ? UI_PRINT_FAILED
			 : done ? UI_PRINT_DONE
			 : held ? UI_PRINT_HELD
				: UI_PRINT_PRINTING;
}

static void on_message(struct bus *b, const char *topic, const void *payload, size_t len,
		       void *userdata)
{
	struct ui *u = userdata;
	const struct topic_def *t = topic_lookup(bus_booth(b), topic);
	json_object *o = NULL;
	char err[256];

	if (!t || codec_parse(t, payload, len, (size_t)u->cfg.mqtt.max_payload, &o, err,
			      sizeof(err)) < 0) {
		log_warning("Ignoring a malformed message on %s: %s", topic, t ? err : "unknown");
		return;
	}
	if (strstr(t->pattern, "/ui/test_input")) {
		on_test_input(u, o);
		json_object_put(o);
		return;
	}
	if (strstr(t->pattern, "/session/state")) {
		on_session_state(u, o);
	} else if (strstr(t->pattern, "/settings")) {
		on_settings(u, o);
	} else if (strstr(t->pattern, "/ui/pin")) {
		copy_string(u->pin, sizeof(u->pin), get(o, "pin"));
	} else if (strstr(t->pattern, "/events/print_job")) {
		on_print_job(u, o);
	} else if (strstr(t->pattern, "/camera/state")) {
		copy_string(u->status.camera, sizeof(u->status.camera), get(o, "status"));
	} else if (strstr(t->pattern, "/printer/state")) {
		copy_string(u->status.printer, sizeof(u->status.printer), get(o, "status"));
		u->status.paper_out = has_reason(get(o, "reasons"), "media-empty") ||
				      has_reason(get(o, "reasons"), "media-needed");
		u->status.ribbon_out = has_reason(get(o, "reasons"), "marker-supply-empty");
	} else {
		json_object *ev = get(o, "event");

		json_object *blocked = NULL;

		copy_string(u->status.booth, sizeof(u->status.booth), get(o, "state"));
		/* null: guests may start ("none"); absent (an older boothd): derive it ourselves. */
		if (json_object_object_get_ex(o, "blocked", &blocked))
			strscpy(u->status.blocked,
				blocked ? json_object_get_string(blocked) : "none",
				sizeof(u->status.blocked));
		copy_string(u->model.title, sizeof(u->model.title), ev ? get(ev, "title") : NULL);
	}
	u->dirty = true;
	json_object_put(o);
}

static void on_connect(struct bus *b, void *userdata)
{
	struct ui *u = userdata;

	(void)b;
	publish_state(u);
}

static int subscribe_all(struct ui *u)
{
	static const char *const topics[] = {
		"booth/{booth}/session/state",	  "booth/{booth}/state",
		"booth/{booth}/camera/state",	  "booth/{booth}/printer/state",
		"booth/{booth}/settings",	  "booth/{booth}/ui/pin",
		"booth/{booth}/events/print_job",
	};
	int r = 0;

	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]) && r >= 0; i++)
		r = bus_subscribe(u->bus, topics[i], on_message, u);
	/* Not even subscribed unless enabled: an owner cannot drive the screen of a real booth. */
	if (r >= 0 && u->cfg.ui.test_input)
		r = bus_subscribe(u->bus, "booth/{booth}/ui/test_input", on_message, u);
	return r;
}

static int check_config(const struct booth_config *cfg)
{
	struct kms_wish w = { .width = cfg->ui.width, .height = cfg->ui.height };
	int r;

	for (const char *p = cfg->ui.pin; *p; p++)
		if (*p < '0' || *p > '9')
			return log_error_errno(-EINVAL, "[ui] pin must be 4-8 digits");
	r = kms_parse_mode(cfg->ui.mode, &w.width, &w.height, &w.refresh);
	if (r < 0)
		return log_error_errno(r,
				       "[ui] mode must be WIDTHxHEIGHT, WIDTHxHEIGHT@HZ or "
				       "preferred, not '%s'",
				       cfg->ui.mode);
	if (r == 1)
		w.width = w.height = 0;
	w.exact = r == 2;
	w.preview_plane = cfg->ui.preview_plane;
	strscpy(w.connector, cfg->ui.connector, sizeof(w.connector));
	kms_set_wish(&w);
	return 0;
}

int main(int argc, char **argv)
{
	struct ui u = { .screen = SCREEN_COUNT, .dirty = true, .prepared = -1 };
	struct booth_credentials cred;
	char err[CONFIG_ERR_MAX + 64];
	int r;

	malloc_tune();
	r = boothconf_main(argc, argv, "booth-ui", "The photo booth's screens.", &u.cfg);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : r == -EINVAL ? 2 : EXIT_FAILURE;
	signal(SIGPIPE, SIG_IGN);
	if (check_config(&u.cfg) < 0)
		return EXIT_FAILURE;
	u.model.lang = (enum ui_lang)ui_lang_parse(u.cfg.ui.language);
	u.model.no_mirror = !u.cfg.ui.mirror;
	strscpy(u.model.phase, "idle", sizeof(u.model.phase));
	u.status.printing = u.cfg.boothd.printing;
	strscpy(u.pin, u.cfg.ui.pin, sizeof(u.pin));
	u.shots = u.cfg.boothd.shots;
	u.countdown_s = u.cfg.boothd.countdown_s;
	u.model.copies = u.model.owner.copies = u.cfg.boothd.copies;
	u.model.max_copies = u.model.owner.max_copies = u.cfg.boothd.max_copies;

	r = boothconf_credentials(&u.cfg, "ui", &cred, err, sizeof(err));
	if (r < 0) {
		log_error("Cannot read the broker credentials: %s", err);
		return EXIT_FAILURE;
	}
	r = loop_new(&u.loop);
	if (r < 0) {
		log_error_errno(r, "Cannot create the event loop: %m");
		goto out;
	}
	r = display_new(u.cfg.ui.backend, u.loop, u.cfg.ui.width, u.cfg.ui.height,
			(int)strtol(u.cfg.ui.rotation, NULL, 10), &u.display);
	if (r < 0) {
		log_error_errno(r, "Cannot open the '%s' display: %m", u.cfg.ui.backend);
		goto out;
	}
	r = display_canvas_new(u.display, &u.canvas);
	if (r == 0)
		r = loop_add_stop_signals(u.loop);
	if (r == 0)
		r = loop_add_timer(u.loop, TICK_USEC, TICK_USEC, on_tick, &u, NULL);
	if (r == 0)
		r = loop_add_prepare(u.loop, on_prepare, &u);
	if (r == 0)
		r = preview_client_new(u.loop, u.cfg.camera.preview_socket, on_preview_frame, &u,
				       &u.preview);
	if (r == 0)
		r = bus_new(u.loop, &u.cfg, "ui", &cred, &u.bus);
	if (r == 0)
		r = subscribe_all(&u);
	if (r < 0) {
		log_error_errno(r, "Cannot start: %m");
		goto out;
	}
	/* Headless has no input devices (tests use the test topic) and the SDL window brings its
	 * own. Without input the booth can still show its state, so a failure here is reported,
	 * not fatal. */
	display_set_input(u.display, &window_input, &u);
	if (strcmp(u.cfg.ui.backend, "drm") == 0) {
		r = input_new(u.loop, "seat0", u.display->phys_w, u.display->phys_h, on_input_tap,
			      on_input_key, &u, &u.input);
		if (r < 0)
			log_error_errno(r, "Cannot read touch, buttons or keys (libinput): %m");
	}
	explicit_bzero(&cred, sizeof(cred));
	bus_set_connect_handler(u.bus, on_connect, &u);
	log_info("booth-ui %s on a %dx%d %s display%s", BOOTH_VERSION, u.display->phys_w,
		 u.display->phys_h, u.display->backend->name,
		 u.cfg.ui.test_input ? ", obeying test input" : "");
	r = loop_run(u.loop);
out:
	explicit_bzero(&cred, sizeof(cred));
	u.bus = bus_free(u.bus);
	u.strip = canvas_free(u.strip);
	u.preview = preview_client_free(u.preview);
	u.input = input_free(u.input);
	u.canvas = canvas_free(u.canvas);
	u.display = display_free(u.display);
	u.loop = loop_free(u.loop);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
