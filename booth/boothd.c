/* SPDX-License-Identifier: MIT */
/* boothd: owns the database and the photo store, publishes the booth's state and answers owner
 * commands. (The guest session and composition arrive with later work.) */
#include "boothconf.h"
#include "bus.h"
#include "db.h"
#include "guest.h"
#include "log.h"
#include "loop.h"
#include "prints.h"
#include "util.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef BOOTH_VERSION
#define BOOTH_VERSION "0.0.0"
#endif

struct boothd {
	struct booth_config cfg;
	struct loop *loop;
	struct bus *bus;
	struct db *db;
	struct guest *guest;
	struct prints *prints;
	const char *state;
	int64_t since;
};

/* What the booth is doing, as owners see it. */
static const char *booth_state(const struct boothd *d)
{
	if (d->guest && guest_active(d->guest))
		return "session";
	if (d->guest && !guest_camera_ready(d->guest))
		return "attention";
	return "idle";
}

static int64_t local_midnight_ms(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_hour = 0;
	tm.tm_min = 0;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
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

/* The state document, read from the database so that it is always what is committed. */
static int state_json(struct boothd *d, json_object **ret)
{
	struct db_event ev;
	int64_t sessions = 0, photos = 0;
	json_object *o;
	int r;

	r = db_event_current(d->db, &ev);
	if (r < 0)
		return r;
	o = json_object_new_object();
	json_object_object_add(o, "state", json_object_new_string(booth_state(d)));
	json_object_object_add(o, "event", r > 0 ? event_json(&ev) : NULL);
	r = db_counts_since(d->db, local_midnight_ms(), &sessions, &photos);
	if (r < 0) {
		json_object_put(o);
		return r;
	}
	json_object_object_add(o, "sessions_today", json_object_new_int64(sessions));
	json_object_object_add(o, "photos_today", json_object_new_int64(photos));
	json_object_object_add(o, "version", json_object_new_string(BOOTH_VERSION));
	json_object_object_add(o, "since", json_object_new_int64(d->since));
	*ret = o;
	return 0;
}

static void publish_state(struct boothd *d)
{
	json_object *o;

	if (state_json(d, &o) < 0)
		return;
	bus_publish(d->bus, "booth/{booth}/state", o);
	json_object_put(o);
}

static void on_connect(struct bus *b, void *userdata)
{
	struct boothd *d = userdata;

	(void)b;
	if (d->guest)
		guest_adopt_photos(d->guest);
	publish_state(d);
	if (d->guest)
		guest_publish(d->guest);
}

/* The guest session changed what the state document says. */
static void on_guest_changed(void *userdata)
{
	struct boothd *d = userdata;
	const char *state = booth_state(d);

	if (strcmp(state, d->state) != 0) {
		d->state = state;
		d->since = wall_msec();
	}
	publish_state(d);
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
	bus_respond(req, o);
}

static void on_prints_changed(void *userdata)
{
	struct boothd *d = userdata;

	guest_set_print_notice(d->guest, prints_notice(d->prints));
}

static void respond_printing(struct boothd *d, struct bus_request *req)
{
	json_object *o = json_object_new_object();

	guest_set_printing(d->guest, prints_printing(d->prints), prints_copies(d->prints));
	guest_set_print_notice(d->guest, prints_notice(d->prints));
	json_object_object_add(o, "printing", json_object_new_boolean(prints_printing(d->prints)));
	json_object_object_add(o, "copies", json_object_new_int(prints_copies(d->prints)));
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
	} else if (strcmp(command, "printing") == 0) {
		r = prints_set_printing(
			d->prints, json_object_get_boolean(json_object_object_get(args, "on")));
		if (r < 0)
			bus_respond_error(req, "could not record the setting: %s", strerror(-r));
		else
			respond_printing(d, req);
	} else if (strcmp(command, "copies") == 0) {
		r = prints_set_copies(d->prints,
				      json_object_get_int(json_object_object_get(args, "copies")));
		if (r < 0)
			bus_respond_error(req, "could not record the setting: %s", strerror(-r));
		else
			respond_printing(d, req);
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
	} else if (strcmp(command, "event_start") == 0) {
		cmd_event_start(d, req, args);
	} else if (strcmp(command, "event_end") == 0) {
		cmd_event_end(d, req);
	} else if (strcmp(command, "session_start") == 0) {
		cmd_session(d, req, SESSION_EV_START);
	} else if (strcmp(command, "session_cancel") == 0) {
		cmd_session(d, req, SESSION_EV_CANCEL);
	} else if (cmd_print(d, req, command, args) == 0) {
		return;
	} else {
		bus_respond_error(req, "command '%s' is not handled by boothd", command);
	}
}

int main(int argc, char **argv)
{
	struct boothd d = { .state = "attention" };
	struct booth_credentials cred;
	char err[CONFIG_ERR_MAX + 64];
	char dir[PATH_MAX];
	int r;

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
		r = guest_new(d.loop, d.bus, d.db, &d.cfg, on_guest_changed, &d, &d.guest);
	if (r == 0)
		r = prints_new(d.bus, d.db, &d.cfg, &d.prints);
	if (r < 0) {
		log_error_errno(r, "Cannot start: %m");
		goto out;
	}
	explicit_bzero(&cred, sizeof(cred));
	guest_set_printing(d.guest, prints_printing(d.prints), prints_copies(d.prints));
	prints_set_changed(d.prints, on_prints_changed, &d);
	bus_set_connect_handler(d.bus, on_connect, &d);
	log_info("boothd %s serving booth '%s'", BOOTH_VERSION, d.cfg.general.booth_id);
	r = loop_run(d.loop);
out:
	explicit_bzero(&cred, sizeof(cred));
	d.prints = prints_free(d.prints);
	d.guest = guest_free(d.guest);
	d.bus = bus_free(d.bus);
	d.loop = loop_free(d.loop);
	d.db = db_close(d.db);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
