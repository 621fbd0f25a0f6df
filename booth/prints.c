/* SPDX-License-Identifier: MIT */
/* Print jobs on boothd's side: re-sending unfinished jobs, and the owner's print commands. */
#include "prints.h"
#include "codec.h"
#include "layout.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANCEL_MAX 256

/* A stored setting as a number in [MIN, MAX], or -1. */
static long setting_number(const char *value, long min, long max)
{
	char *end = NULL;
	long v = strtol(value, &end, 10);

	return end != value && !*end && v >= min && v <= max ? v : -1;
}

struct prints {
	struct bus *bus;
	struct db *db;
	const struct booth_config *cfg;
	const struct booth_settings *settings;
	int64_t printer_started; /* booth-printer's start time last seen; 0: none yet */
	const char *notice;	 /* a static sentence, or NULL */
	json_object *state;	 /* the last printer/state document, or NULL */
	prints_changed_fn changed;
	void *changed_data;
};

/* What stops printing now, from a printer/state document, for the guest. */
static const char *printer_notice(json_object *o)
{
	const char *status = json_object_get_string(json_object_object_get(o, "status"));
	json_object *reasons = json_object_object_get(o, "reasons");
	json_object *left = json_object_object_get(o, "prints_left");

	if (strcmp(status, "none") == 0)
		return NULL;
	if (strcmp(status, "offline") == 0)
		return "The printer is not answering: your photos are kept and printed when it is "
		       "back.";
	for (size_t i = 0; i < json_object_array_length(reasons); i++) {
		const char *r = json_object_get_string(json_object_array_get_idx(reasons, i));

		if (strncmp(r, "media-empty", 11) == 0 || strncmp(r, "media-needed", 12) == 0)
			return "The printer is out of paper: your photos are kept and printed when "
			       "it is refilled.";
		if (strncmp(r, "marker-supply-empty", 19) == 0)
			return "The printer is out of ink: your photos are kept and printed when "
			       "it "
			       "is refilled.";
		if (strncmp(r, "media-jam", 9) == 0 || strncmp(r, "cover-open", 10) == 0 ||
		    strncmp(r, "door-open", 9) == 0)
			return "The printer needs attention: your photos are kept and printed when "
			       "it is fixed.";
	}
	if (left && json_object_get_int(left) == 0)
		return "The printer is out of paper: your photos are kept and printed when it is "
		       "refilled.";
	return NULL;
}

bool prints_layout_cut(const struct booth_config *cfg, const char *layout)
{
	char err[LAYOUT_ERR_MAX];
	struct layout *l = malloc(sizeof(*l));
	bool cut = false;

	if (!l)
		return false;
	if (layout_load_named(layout, cfg->boothd.layouts_dir[0] ? cfg->boothd.layouts_dir : NULL,
			      l, err, sizeof(err)) < 0)
		log_warning(
			"Cannot read the layout '%s' to know whether to cut its strips; printing "
			"them uncut: %s",
			layout, err);
	else
		cut = l->cut;
	free(l);
	return cut;
}

int prints_send(struct prints *p, const char *key, const char *path, int64_t session, bool cut)
{
	json_object *o = json_object_new_object();
	int r;

	json_object_object_add(o, "job", json_object_new_string(key));
	json_object_object_add(o, "path", json_object_new_string(path));
	if (session > 0)
		json_object_object_add(o, "session", json_object_new_int64(session));
	json_object_object_add(o, "cut", json_object_new_boolean(cut));
	r = bus_publish(p->bus, "booth/{booth}/printer/print", o);
	json_object_put(o);
	return r;
}

static void resend_one(const char *key, const char *path, const char *layout, int64_t session,
		       void *userdata)
{
	struct prints *p = userdata;

	log_info("Print %s is not known to be finished: sending it to booth-printer again", key);
	prints_send(p, key, path, session, prints_layout_cut(p->cfg, layout));
}

/* Tell booth-printer about the paper the owner loaded and what was printed since. */
static void send_paper(struct prints *p)
{
	char value[32];
	int64_t since = 0, printed = 0;
	json_object *o;

	long loaded;

	if (db_setting_get(p->db, "paper_loaded", value, sizeof(value), &since) <= 0 ||
	    db_print_jobs_since(p->db, since, &printed) < 0)
		return;
	loaded = setting_number(value, 0, 100000);
	if (loaded < 0)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "loaded", json_object_new_int((int)loaded));
	json_object_object_add(o, "printed", json_object_new_int64(printed));
	bus_publish(p->bus, "booth/{booth}/printer/paper", o);
	json_object_put(o);
}

static void on_printer_state(struct bus *b, const char *topic, const void *payload, size_t len,
			     void *userdata)
{
	struct prints *p = userdata;
	const struct topic_def *t = topic_lookup(bus_booth(b), topic);
	json_object *o = NULL;
	char err[256];
	const char *notice;
	int64_t started;

	if (!t || codec_parse(t, payload, len, 65536, &o, err, sizeof(err)) < 0) {
		log_warning("Ignoring a malformed printer state: %s", t ? err : "unknown topic");
		return;
	}
	started = json_object_get_int64(json_object_object_get(o, "started"));
	notice = printer_notice(o);
	json_object_put(p->state);
	p->state = o;
	if (notice != p->notice) {
		p->notice = notice;
		if (notice)
			log_notice("Printing: %s", notice);
	}
	if (p->changed)
		p->changed(p->changed_data);
	if (started == p->printer_started)
		return;
	/* booth-printer (re)started, or boothd did: booth-printer keeps no state across restarts,
	 * so every job the database does not know to be finished goes to it again. It follows a
	 * job the printer already has instead of sending it twice (docs/architecture.md). */
	p->printer_started = started;
	if (db_print_jobs_unfinished(p->db, resend_one, p) < 0)
		log_warning("Could not read the unfinished print jobs");
	send_paper(p);
}

int prints_paper_loaded(struct prints *p, int n)
{
	char value[32];
	int r;

	snprintf(value, sizeof(value), "%d", n);
	r = db_setting_set(p->db, "paper_loaded", value, wall_msec());
	if (r < 0)
		return r;
	log_info("The owner loaded paper for %d prints", n);
	send_paper(p);
	return 0;
}

struct cancel_ctx {
	char keys[CANCEL_MAX][65];
	int n;
};

static void collect(const char *key, const char *path, const char *layout, int64_t session,
		    void *userdata)
{
	struct cancel_ctx *c = userdata;

	(void)path;
	(void)layout;
	(void)session;
	if (c->n < CANCEL_MAX)
		strscpy(c->keys[c->n++], key, sizeof(c->keys[0]));
}

int prints_cancel(struct prints *p)
{
	struct cancel_ctx *c = calloc(1, sizeof(*c));
	json_object *o;
	int r;

	if (!c)
		return -ENOMEM;
	r = db_print_jobs_unfinished(p->db, collect, c);
	/* Recorded first: a job canceled here is never sent again, even if booth-printer does not
	 * hear about it now. */
	for (int i = 0; r >= 0 && i < c->n; i++)
		r = db_print_job_update(p->db, c->keys[i], "canceled", 0, "canceled by the owner",
					wall_msec());
	if (r >= 0) {
		r = c->n;
		log_info("The owner canceled the print queue (%d jobs)", r);
		o = json_object_new_object();
		bus_publish(p->bus, "booth/{booth}/printer/cancel", o);
		json_object_put(o);
	}
	free(c);
	return r;
}

int prints_reprint(struct prints *p, int64_t session, char *key)
{
	char path[PATH_MAX], layout[65];
	int64_t strip = 0;
	int r;

	r = db_strip_latest(p->db, session, &strip, path, sizeof(path), layout, sizeof(layout));
	if (r <= 0)
		return r < 0 ? r : -ENOENT;
	/* The key counts the reprints, so that each request makes one job. */
	for (int n = 1; n < 1000; n++) {
		snprintf(key, 65, "s%lld-%lld-r%d", (long long)session, (long long)strip, n);
		r = db_print_job_add(p->db, key, session, strip, wall_msec());
		if (r != -EEXIST)
			break;
	}
	if (r < 0)
		return r;
	log_info("Reprint of session %lld's strip as %s", (long long)session, key);
	prints_send(p, key, path, session, prints_layout_cut(p->cfg, layout));
	return 0;
}

void prints_set_changed(struct prints *p, prints_changed_fn fn, void *userdata)
{
	p->changed = fn;
	p->changed_data = userdata;
}

const char *prints_notice(const struct prints *p)
{
	return p->settings->printing ? p->notice : NULL;
}

json_object *prints_state(const struct prints *p)
{
	return p->state;
}

const char *prints_status(const struct prints *p, int *prints_left)
{
	json_object *left = p->state ? json_object_object_get(p->state, "prints_left") : NULL;

	*prints_left = left ? json_object_get_int(left) : -1;
	return p->state ? json_object_get_string(json_object_object_get(p->state, "status"))
			: "offline";
}

int prints_test(struct prints *p, const char *path, bool cut, char *key)
{
	int r;

	snprintf(key, 65, "t%lld", (long long)wall_msec());
	r = db_print_job_add(p->db, key, 0, 0, wall_msec());
	if (r < 0)
		return r;
	log_info("Test print %s", key);
	prints_send(p, key, path, 0, cut);
	return 0;
}

int prints_new(struct bus *b, struct db *db, const struct booth_config *cfg,
	       const struct booth_settings *settings, struct prints **ret)
{
	struct prints *p;
	int r;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->bus = b;
	p->db = db;
	p->cfg = cfg;
	p->settings = settings;
	r = bus_subscribe(b, "booth/{booth}/printer/state", on_printer_state, p);
	if (r < 0) {
		free(p);
		return r;
	}
	*ret = p;
	return 0;
}

struct prints *prints_free(struct prints *p)
{
	if (p)
		json_object_put(p->state);
	free(p);
	return NULL;
}
