/* SPDX-License-Identifier: MIT */
/* The booth measures itself: boothd's side. What the running session measured is kept here and
 * stored in one commit when it ends (nothing is written while a guest waits); booth-ui's report
 * and the print jobs complete it; then the figures are final, published and summed up. */
#include "metrics.h"
#include "codec.h"
#include "figures.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TICK_US	   1000000
#define OPEN_BATCH 64
/* Sessions summed up per period at most (a busy day has a few hundred). */
#define PERIOD_MAX 10000

struct metrics {
	struct loop *loop;
	struct bus *bus;
	struct db *db;
	struct loop_source *timer;
	bool open;		     /* some session's figures may be open: the timer looks */
	int64_t day;		     /* the local midnight of the summary last published */
	struct db_session_stats cur; /* the running session's; session 0: none */
};

void metrics_session_started(struct metrics *m, int64_t session, int shots)
{
	if (!m)
		return;
	memset(&m->cur, 0, sizeof(m->cur));
	m->cur.session = session;
	m->cur.shots = shots < DB_SHOTS_MAX ? shots : DB_SHOTS_MAX;
	for (int i = 0; i < DB_SHOTS_MAX; i++)
		m->cur.trigger_to_frame_us[i] = DB_UNKNOWN;
	m->cur.trigger_us = DB_UNKNOWN;
	m->cur.print_pressed = DB_UNKNOWN;
}

void metrics_trigger(struct metrics *m, int64_t session)
{
	/* The last one before the strip is the one the strip's time counts from. */
	if (m && session == m->cur.session)
		m->cur.trigger_us = (int64_t)now_usec();
}

void metrics_print_pressed(struct metrics *m, int64_t session, int64_t wall_ms)
{
	if (m && session == m->cur.session)
		m->cur.print_pressed = wall_ms;
}

static void publish_session(struct metrics *m, const struct db_session_stats *s)
{
	json_object *o = figures_session_json(s);

	bus_publish(m->bus, "booth/{booth}/events/session_stats", o);
	json_object_put(o);
}

/* Make SESSION's figures final if nothing more is to come: booth-ui reported (or had its time)
 * and every copy of its strip is finished (or had its time). */
static void check(struct metrics *m, int64_t session)
{
	struct db_session_stats s;
	int64_t now = wall_msec();

	if (db_stats_get(m->db, session, &s) <= 0 || s.complete || !s.ended)
		return;
	if (!s.ui_reported && now < s.ended + METRICS_UI_WAIT_MS)
		return;
	if (s.copies_finished < s.copies && now < s.ended + METRICS_PRINT_WAIT_MS)
		return;
	figures_settle(&s);
	if (db_stats_complete(m->db, &s, now) <= 0)
		return;
	s.complete = now;
	log_debug("Session %lld: its figures are complete", (long long)session);
	publish_session(m, &s);
	metrics_publish_summary(m);
}

void metrics_session_ended(struct metrics *m, int64_t session)
{
	int r;

	if (!m || session <= 0)
		return;
	if (session == m->cur.session) {
		r = db_stats_record(m->db, &m->cur);
		if (r < 0)
			log_warning_errno(r, "Could not record session %lld's figures: %m",
					  (long long)session);
		m->cur.session = 0;
	}
	m->open = true;
	check(m, session);
}

static void on_photo(struct metrics *m, json_object *o)
{
	int64_t session = json_object_get_int64(json_object_object_get(o, "session"));
	int shot = json_object_get_int(json_object_object_get(o, "shot"));
	int64_t ttf = 0;
	int r;

	if (session != m->cur.session || shot < 1 || shot > m->cur.shots)
		return;
	r = figures_trigger_to_frame(o, &ttf);
	if (r < 0)
		log_warning(
			"Session %lld, shot %d: the camera's trigger and frame times do not fit "
			"together; its trigger-to-frame time stays unknown",
			(long long)session, shot);
	m->cur.trigger_to_frame_us[shot - 1] = r > 0 ? ttf : DB_UNKNOWN;
}

static int64_t member(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int)
		       ? json_object_get_int64(v)
		       : DB_UNKNOWN;
}

/* booth-ui's report of a finished session: when the review appeared, what the preview showed. A
 * report that does not fit what boothd knows is ignored, so that a right one can still come. */
static void on_ui_report(struct metrics *m, json_object *o)
{
	struct db_session_stats s, rep;
	int64_t session = member(o, "session");

	if (db_stats_get(m->db, session, &s) <= 0 || s.complete || !s.ended || s.ui_reported) {
		log_debug("Ignoring booth-ui's figures of session %lld: not awaited",
			  (long long)session);
		return;
	}
	memset(&rep, 0, sizeof(rep));
	rep.session = session;
	rep.review_shown_us = member(o, "review_shown_us");
	rep.preview_frames = member(o, "preview_frames");
	rep.preview_dropped = member(o, "preview_dropped");
	rep.preview_ms = member(o, "preview_ms");
	if ((rep.review_shown_us != DB_UNKNOWN && s.trigger_us != DB_UNKNOWN &&
	     (rep.review_shown_us < s.trigger_us ||
	      rep.review_shown_us - s.trigger_us > FIGURES_SPAN_MAX_US)) ||
	    rep.preview_frames == DB_UNKNOWN || rep.preview_dropped == DB_UNKNOWN ||
	    rep.preview_ms == DB_UNKNOWN || rep.preview_frames > rep.preview_ms) {
		log_warning(
			"Ignoring booth-ui's figures of session %lld: they do not fit its times",
			(long long)session);
		return;
	}
	if (db_stats_ui(m->db, &rep) > 0)
		check(m, session);
}

static void on_print_job(struct metrics *m, json_object *o)
{
	const char *key = json_object_get_string(json_object_object_get(o, "job"));
	char *end = NULL;
	long long session = key && key[0] == 's' ? strtoll(key + 1, &end, 10) : 0;

	/* The driver recorded the job's state already (it subscribed first). */
	if (end && *end == '-' && session > 0)
		check(m, session);
}

static void on_message(struct bus *b, const char *topic, const void *payload, size_t len,
		       void *userdata)
{
	struct metrics *m = userdata;
	const struct topic_def *t = topic_lookup(bus_booth(b), topic);
	json_object *o = NULL;
	char err[256];

	if (!t || codec_parse(t, payload, len, 65536, &o, err, sizeof(err)) < 0) {
		/* The driver says so for the camera's and the printer's messages. */
		if (t && strstr(t->pattern, "/ui/session_stats"))
			log_warning("Ignoring malformed figures from booth-ui: %s", err);
		return;
	}
	if (strstr(t->pattern, "/photo_stored"))
		on_photo(m, o);
	else if (strstr(t->pattern, "/ui/session_stats"))
		on_ui_report(m, o);
	else if (strstr(t->pattern, "/print_job"))
		on_print_job(m, o);
	json_object_put(o);
}

static void add_session(const struct db_session_stats *s, void *userdata)
{
	if (figures_summary_add(userdata, s) < 0)
		log_warning("Out of memory summing up the figures of session %lld",
			    (long long)s->session);
}

/* The figures of the sessions started since SINCE_MS (0: any) in EVENT (0: any). */
static int period_json(struct metrics *m, int64_t since_ms, int64_t event, json_object **ret)
{
	struct figures_summary sum;
	int r;

	memset(&sum, 0, sizeof(sum));
	r = db_stats_list(m->db, since_ms, event, PERIOD_MAX, add_session, &sum);
	if (r >= 0)
		*ret = figures_summary_json(&sum);
	figures_summary_clear(&sum);
	return r < 0 ? r : 0;
}

int metrics_summary_json(struct metrics *m, json_object **ret)
{
	json_object *o, *today = NULL, *event = NULL;
	struct db_event ev;
	int r = db_event_current(m->db, &ev);

	if (r >= 0)
		r = period_json(m, local_midnight_msec(), 0, &today) < 0 ? -EIO : r;
	if (r > 0)
		r = period_json(m, 0, ev.id, &event) < 0 ? -EIO : r;
	if (r < 0) {
		json_object_put(today);
		return r;
	}
	o = json_object_new_object();
	json_object_object_add(o, "today", today);
	json_object_object_add(o, "event", event);
	json_object_object_add(o, "event_id", event ? json_object_new_int64(ev.id) : NULL);
	json_object_object_add(o, "updated", json_object_new_int64(wall_msec()));
	*ret = o;
	return 0;
}

void metrics_publish_summary(struct metrics *m)
{
	json_object *o;

	if (!m)
		return;
	m->day = local_midnight_msec();
	if (metrics_summary_json(m, &o) < 0)
		return;
	bus_publish(m->bus, "booth/{booth}/stats", o);
	json_object_put(o);
}

static void list_session(const struct db_session_stats *s, void *userdata)
{
	json_object_array_add(userdata, figures_session_json(s));
}

int metrics_sessions_json(struct metrics *m, int limit, json_object **ret)
{
	json_object *list = json_object_new_array(), *o;
	int r = db_stats_list(m->db, 0, 0, limit, list_session, list);

	if (r < 0) {
		json_object_put(list);
		return r;
	}
	o = json_object_new_object();
	json_object_object_add(o, "sessions", list);
	*ret = o;
	return 0;
}

static int on_tick(struct loop_source *src, void *userdata)
{
	struct metrics *m = userdata;
	int64_t ids[OPEN_BATCH];
	int n;

	(void)src;
	if (m->open) {
		n = db_stats_open(m->db, ids, OPEN_BATCH);
		for (int i = 0; i < n; i++)
			check(m, ids[i]);
		m->open = n != 0;
	}
	/* "today" starts again at midnight. */
	if (local_midnight_msec() != m->day)
		metrics_publish_summary(m);
	return 0;
}

int metrics_new(struct loop *l, struct bus *b, struct db *db, struct metrics **ret)
{
	static const char *const topics[] = {
		"booth/{booth}/events/photo_stored",
		"booth/{booth}/ui/session_stats",
		"booth/{booth}/events/print_job",
	};
	struct metrics *m = calloc(1, sizeof(*m));
	int r;

	if (!m)
		return -ENOMEM;
	m->loop = l;
	m->bus = b;
	m->db = db;
	m->open = true; /* sessions a previous run left open, or abandoned at start */
	r = loop_add_timer(l, TICK_US, TICK_US, on_tick, m, &m->timer);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(topics); i++)
		r = bus_subscribe(b, topics[i], on_message, m);
	if (r < 0) {
		metrics_free(m);
		return r;
	}
	*ret = m;
	return 0;
}

struct metrics *metrics_free(struct metrics *m)
{
	if (m) {
		loop_source_remove(m->timer);
		free(m);
	}
	return NULL;
}
