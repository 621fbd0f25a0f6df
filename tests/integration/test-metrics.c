/* SPDX-License-Identifier: MIT */
/* The booth measures itself, against the real broker, boothd, the simulated camera, booth-ui
 * (headless), booth-printer and the virtual printer: every session's figures and the retained
 * summary are there, plausible and consistent with each other and with what the camera said,
 * and survive a restart of boothd; malformed reports never bring boothd down. And print
 * pipelining: the next guest's session runs while the printer still prints the previous strip. */
#include "env.h"
#include "harness.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#define T(x)	    "booth/" ENV_BOOTH "/" x
#define SHOTS	    4  /* 4x6-two-strips */
#define PREVIEW_FPS 10 /* env.c's [camera] preview_fps */
#define SESSIONS    3
#define MAX_ID	    8

static struct env env;
static pid_t printer, camera, boothd, ui;

/* What the camera said of each shot (events/photo_stored), by session and shot. */
static struct {
	bool seen, timed;
	double ms; /* frame_us - trigger_us, in ms, when timed */
} shots[MAX_ID][SHOTS + 1];

static json_object *get(json_object *o, const char *key)
{
	return env_json_get(o, key);
}

static bool start(bool with_ui, const char *review_s)
{
	if (env_start_conf(&env, 5,
			   "[boothd]\nlayout = 4x6-two-strips\n"
			   "[ui]\nbackend = headless\nwidth = 640\nheight = 400\n") < 0 ||
	    env_conf_set(&env, "countdown_s", "1") < 0 ||
	    env_conf_set(&env, "between_s", "1") < 0 ||
	    env_conf_set(&env, "review_s", review_s) < 0 || env_printer_start(&env) < 0)
		return false;
	memset(shots, 0, sizeof(shots));
	printer = env_spawn(&env, "booth-printer");
	camera = env_spawn(&env, "booth-camera");
	boothd = env_spawn(&env, "boothd");
	ui = with_ui ? env_spawn(&env, "booth-ui") : 0;
	return printer > 0 && camera > 0 && boothd > 0 && (!with_ui || ui > 0);
}

static void stop(void)
{
	CHECK(env_alive(boothd));
	/* Stopped cleanly, so that the sanitizers' leak check runs (make check). */
	if (ui > 0)
		env_kill_daemon(&env, ui, SIGTERM);
	env_kill_daemon(&env, boothd, SIGTERM);
	env_kill_daemon(&env, camera, SIGTERM);
	env_kill_daemon(&env, printer, SIGTERM);
	ui = boothd = camera = printer = 0;
	env_stop(&env);
}

static int command(struct tclient *c, const char *action)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "{\"action\":\"%s\"}", action);

	return tclient_publish(c, T("session/command"), buf, n, NULL, NULL);
}

/* A guest session from the screen's commands (C is the ui user, subscribed to session/state):
 * start, then at review ACTION ("print", "discard"; NULL lets the review time out), back to
 * idle. Returns its number, or 0. */
static int64_t session(struct tclient *c, const char *action)
{
	json_object *o;
	int64_t id;

	if (command(c, "start") != 0)
		return 0;
	o = tclient_wait_phase(c, "review", 60000);
	if (!o)
		return 0;
	id = json_object_get_int64(get(o, "id"));
	json_object_put(o);
	if (action && command(c, action) != 0)
		return 0;
	o = tclient_wait_phase(c, "idle", 90000);
	json_object_put(o);
	return o ? id : 0;
}

/* Read what the camera announced (CAM is the boothd user, subscribed to photo_stored). */
static void collect_photos(struct tclient *cam)
{
	struct tmsg *m;

	while ((m = tclient_wait(cam, T("events/photo_stored"), 300))) {
		json_object *o = json_tokener_parse(m->payload);
		int64_t id = json_object_get_int64(get(o, "session"));
		int shot = json_object_get_int(get(o, "shot"));
		json_object *t = get(o, "trigger_us"), *f = get(o, "frame_us");

		if (id > 0 && id < MAX_ID && shot >= 1 && shot <= SHOTS) {
			shots[id][shot].seen = true;
			shots[id][shot].timed = t && f;
			if (t && f)
				shots[id][shot].ms = (double)(json_object_get_int64(f) -
							      json_object_get_int64(t)) /
						     1000.0;
		}
		json_object_put(o);
		tmsg_free(m);
	}
}

/* The first message on TOPIC within MS whose member KEY (or KEY's member SUB) is WANT. */
static json_object *wait_json(struct tclient *c, const char *topic, const char *key,
			      const char *sub, int64_t want, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, topic, 200);
		json_object *o, *v;

		if (!m)
			continue;
		o = json_tokener_parse(m->payload);
		tmsg_free(m);
		v = sub ? get(get(o, key), sub) : get(o, key);
		if (o && json_object_get_int64(v) == want)
			return o;
		json_object_put(o);
	}
	return NULL;
}

/* The figures of session ID (events/session_stats), waiting up to MS. */
static json_object *wait_stats(struct tclient *owner, int64_t id, int ms)
{
	return wait_json(owner, T("events/session_stats"), "session", NULL, id, ms);
}

static bool is_int(json_object *v)
{
	return v && json_object_is_type(v, json_type_int);
}

/* A session's figures: every one there, each plausible, together consistent. */
static void check_session(json_object *ev, int64_t id, const char *outcome, bool printed)
{
	json_object *ttf = get(ev, "trigger_to_frame_ms");
	json_object *c2s = get(ev, "capture_to_strip_ms"), *p2a = get(ev, "print_to_accepted_ms");
	json_object *a2p = get(ev, "accepted_to_printed_ms"), *fps = get(ev, "preview_fps");
	json_object *frames = get(ev, "preview_frames"), *ms = get(ev, "preview_ms");
	json_object *dropped = get(ev, "preview_dropped");

	CHECK_INT(json_object_get_int64(get(ev, "session")), ==, id);
	CHECK_STR(env_json_str(ev, "outcome"), outcome);
	REQUIRE(id > 0 && id < MAX_ID);
	/* One entry per shot, exactly what the camera said: its times, or null, never a guess. */
	REQUIRE(json_object_is_type(ttf, json_type_array));
	CHECK_INT(json_object_array_length(ttf), ==, SHOTS);
	for (int i = 0; i < SHOTS && i < (int)json_object_array_length(ttf); i++) {
		json_object *v = json_object_array_get_idx(ttf, (size_t)i);

		CHECK_MSG(shots[id][i + 1].seen, "session %lld shot %d: no photo_stored",
			  (long long)id, i + 1);
		if (!shots[id][i + 1].timed)
			CHECK_MSG(v == NULL, "session %lld shot %d: a time the camera never gave",
				  (long long)id, i + 1);
		else
			CHECK_MSG(
				v && fabs(json_object_get_double(v) - shots[id][i + 1].ms) < 0.051,
				"session %lld shot %d: %s, the camera said %.3f ms", (long long)id,
				i + 1, json_object_to_json_string(v), shots[id][i + 1].ms);
	}
	/* booth-ui presented the strip some time after the last shot's trigger. */
	CHECK_MSG(is_int(c2s) && json_object_get_int64(c2s) > 0 &&
			  json_object_get_int64(c2s) < 600000,
		  "capture_to_strip_ms %s", json_object_to_json_string(c2s));
	/* The preview: four countdowns of a second on screen, and no more frames presented than
	 * the camera made meanwhile (in each countdown, at most one more than its length at the
	 * camera's rate); the rate is their quotient. */
	REQUIRE(is_int(frames) && is_int(ms) && is_int(dropped) && fps);
	CHECK_INT(json_object_get_int64(frames), >, 0);
	CHECK_INT(json_object_get_int64(ms), >=, 500);
	CHECK_INT(json_object_get_int64(dropped), >=, 0);
	CHECK_INT(json_object_get_int64(frames), <=,
		  json_object_get_int64(ms) * PREVIEW_FPS / 1000 + SHOTS + 1);
	CHECK_MSG(fabs(json_object_get_double(fps) -
		       (double)json_object_get_int64(frames) * 1000.0 /
			       (double)json_object_get_int64(ms)) < 0.051,
		  "preview_fps %s of %lld frames in %lld ms", json_object_to_json_string(fps),
		  (long long)json_object_get_int64(frames), (long long)json_object_get_int64(ms));
	/* Printing: times only for what happened. */
	CHECK(json_object_get_boolean(get(ev, "printed")) == printed);
	if (printed) {
		CHECK_MSG(is_int(p2a) && json_object_get_int64(p2a) >= 0, "print_to_accepted %s",
			  json_object_to_json_string(p2a));
		CHECK_MSG(is_int(a2p) && json_object_get_int64(a2p) >= 0, "accepted_to_printed %s",
			  json_object_to_json_string(a2p));
	} else {
		CHECK(a2p == NULL);
		CHECK(p2a == NULL);
	}
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* PERIOD's figure NAME against the N values the sessions' events gave (V, sorted here). */
static void check_figure(json_object *period, const char *name, double *v, int n)
{
	json_object *f = get(period, name), *median = get(f, "median"), *worst = get(f, "worst");
	double want_median, want_worst;

	REQUIRE(f);
	CHECK_MSG(json_object_get_int(get(f, "count")) == n, "%s: count %d, want %d", name,
		  json_object_get_int(get(f, "count")), n);
	if (n == 0) {
		CHECK(!median && !worst && json_object_object_get_ex(f, "median", NULL));
		return;
	}
	qsort(v, (size_t)n, sizeof(*v), compare);
	want_median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	want_worst = strcmp(name, "preview_fps") == 0 ? v[0] : v[n - 1];
	if (strcmp(name, "trigger_to_frame_ms") == 0 && -v[0] > v[n - 1])
		want_worst = v[0];
	CHECK_MSG(median && fabs(json_object_get_double(median) - want_median) < 0.51,
		  "%s: median %s, want %.1f", name, json_object_to_json_string(median),
		  want_median);
	CHECK_MSG(worst && fabs(json_object_get_double(worst) - want_worst) < 0.51,
		  "%s: worst %s, want %.1f", name, json_object_to_json_string(worst), want_worst);
}

/* A period of the summary against the sessions' events EVS. */
static void check_period(json_object *period, json_object **evs, int n)
{
	static const char *const names[] = { "trigger_to_frame_ms",  "capture_to_strip_ms",
					     "print_to_accepted_ms", "accepted_to_printed_ms",
					     "preview_fps",	     "preview_dropped" };
	double v[SESSIONS * SHOTS];

	REQUIRE(period);
	CHECK_INT(json_object_get_int(get(period, "sessions")), ==, n);
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		int count = 0;

		for (int i = 0; i < n; i++) {
			json_object *x = get(evs[i], names[k]);

			if (json_object_is_type(x, json_type_array)) {
				for (size_t j = 0; j < json_object_array_length(x); j++)
					if (json_object_array_get_idx(x, j))
						v[count++] = json_object_get_double(
							json_object_array_get_idx(x, j));
			} else if (x) {
				v[count++] = json_object_get_double(x);
			}
		}
		check_figure(period, names[k], v, count);
	}
}

/* The retained summary once it counts N sessions today. */
static json_object *wait_summary(struct tclient *owner, int n, int ms)
{
	return wait_json(owner, T("stats"), "today", "sessions", n, ms);
}

static json_object *request(struct tclient *owner, const char *what)
{
	char buf[64];
	json_object *r, *data;

	snprintf(buf, sizeof(buf), "{\"what\":\"%s\"}", what);
	r = tclient_request(owner, "get", buf, 5000);
	CHECK_MSG(r && json_object_get_boolean(get(r, "ok")), "get %s failed", what);
	data = json_object_get(get(r, "data"));
	json_object_put(r);
	return data;
}

static const char *plain(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

/* Sessions printed, deleted, printed: each one's figures and the summary of them, today's and
 * the event's; then boothd restarts and still has them all. */
static void test_figures(void)
{
	static const struct {
		const char *action, *outcome;
		bool printed;
	} plan[SESSIONS] = {
		{ "print", "printed", true },
		{ "discard", "deleted", false },
		{ "print", "printed", true },
	};
	struct tclient *owner, *screen, *cam, *late;
	json_object *evs[SESSIONS] = { NULL }, *sum, *o, *before, *after, *list_before, *list_after;
	struct tmsg *m;
	int64_t ids[SESSIONS], event;

	REQUIRE(start(true, "60"));
	owner = tclient_new(&env, "owner", NULL, false, NULL);
	screen = tclient_new(&env, "ui", NULL, false, NULL);
	cam = tclient_new(&env, "boothd", NULL, false, NULL);
	REQUIRE(owner && screen && cam);
	tclient_subscribe(owner, T("state"));
	tclient_subscribe(owner, T("ui/state"));
	tclient_subscribe(owner, T("events/session_stats"));
	tclient_subscribe(owner, T("stats"));
	tclient_subscribe(owner, T("response/#"));
	tclient_subscribe(screen, T("session/state"));
	tclient_subscribe(cam, T("events/photo_stored"));
	REQUIRE(tclient_wait_booth_state(owner, "idle", 20000));
	REQUIRE(tclient_got(owner, T("ui/state"), 10000));
	o = tclient_request(owner, "event_start", "{\"name\":\"figures\"}", 5000);
	REQUIRE(o && json_object_get_boolean(get(o, "ok")));
	event = json_object_get_int64(get(get(o, "data"), "id"));
	json_object_put(o);

	for (int i = 0; i < SESSIONS; i++) {
		ids[i] = session(screen, plan[i].action);
		REQUIRE(ids[i] > 0 && ids[i] < MAX_ID);
	}
	collect_photos(cam);
	for (int i = 0; i < SESSIONS; i++) {
		evs[i] = wait_stats(owner, ids[i], 60000);
		CHECK_MSG(evs[i], "no figures for session %lld", (long long)ids[i]);
		if (evs[i])
			check_session(evs[i], ids[i], plan[i].outcome, plan[i].printed);
	}
	REQUIRE(evs[0] && evs[1] && evs[2]);

	/* The retained summary: today's and the event's are these three sessions. */
	sum = wait_summary(owner, SESSIONS, 20000);
	REQUIRE(sum);
	check_period(get(sum, "today"), evs, SESSIONS);
	check_period(get(sum, "event"), evs, SESSIONS);
	CHECK_INT(json_object_get_int64(get(sum, "event_id")), ==, event);
	json_object_put(sum);
	CHECK_INT(env_db_int(&env, "SELECT count(*) FROM session_stats WHERE complete IS NOT NULL"),
		  ==, SESSIONS);

	/* Owners ask for them; boothd restarts and still has them (SQLite). */
	before = request(owner, "stats");
	list_before = request(owner, "session_stats");
	REQUIRE(before && list_before);
	CHECK_INT(json_object_array_length(get(list_before, "sessions")), ==, SESSIONS);
	for (int i = 0; i < SESSIONS; i++)
		CHECK_STR(plain(json_object_array_get_idx(get(list_before, "sessions"),
							  (size_t)(SESSIONS - 1 - i))),
			  plain(evs[i]));
	tclient_subscribe(owner, T("availability/boothd"));
	CHECK(tclient_wait_text(owner, T("availability/boothd"), "online", 5000));
	env_kill_daemon(&env, boothd, SIGTERM);
	CHECK(tclient_wait_text(owner, T("availability/boothd"), "offline", 5000));
	boothd = env_spawn(&env, "boothd");
	REQUIRE(boothd > 0);
	CHECK(tclient_wait_text(owner, T("availability/boothd"), "online", 20000));
	after = request(owner, "stats");
	list_after = request(owner, "session_stats");
	REQUIRE(after && list_after);
	CHECK_STR(plain(get(after, "today")), plain(get(before, "today")));
	CHECK_STR(plain(get(after, "event")), plain(get(before, "event")));
	CHECK_STR(plain(list_after), plain(list_before));
	/* And publishes the summary again when it connects; it is retained for whoever comes
	 * later. */
	sum = wait_summary(owner, SESSIONS, 10000);
	CHECK(sum && json_object_get_int64(get(sum, "updated")) >=
			     json_object_get_int64(get(before, "updated")));
	json_object_put(sum);
	late = tclient_new(&env, "owner", NULL, false, NULL);
	REQUIRE(late);
	tclient_subscribe(late, T("stats"));
	m = tclient_wait(late, T("stats"), 5000);
	CHECK(m && m->retain);
	sum = m ? json_tokener_parse(m->payload) : NULL;
	CHECK_STR(plain(get(sum, "today")), plain(get(before, "today")));
	json_object_put(sum);
	tmsg_free(m);
	tclient_free(late);
	json_object_put(before);
	json_object_put(after);
	json_object_put(list_before);
	json_object_put(list_after);
	for (int i = 0; i < SESSIONS; i++)
		json_object_put(evs[i]);
	tclient_free(owner);
	tclient_free(screen);
	tclient_free(cam);
	stop();
}

static void publish(struct tclient *c, const char *topic, const char *payload)
{
	CHECK_INT(tclient_publish(c, topic, payload, (int)strlen(payload), NULL, NULL), ==, 0);
}

static long long mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Malformed or untimely reports from the other processes: boothd stays up, ignores what does
 * not fit, and takes the one report that does. The test plays booth-ui. */
static void test_bad_input(void)
{
	static const char *const bad_ui[] = {
		"not json",
		"[1,2]",
		"{}",
		"{\"session\":\"x\"}",
		"{\"session\":1e99,\"review_shown_us\":5,\"preview_frames\":1,"
		"\"preview_dropped\":0,\"preview_ms\":1}",
		"{\"session\":1,\"review_shown_us\":-1,\"preview_frames\":1,\"preview_dropped\":0,"
		"\"preview_ms\":1}",
		"{\"session\":1,\"review_shown_us\":5,\"preview_frames\":1,\"preview_dropped\":0,"
		"\"preview_ms\":1,\"extra\":[[[[[[[[[[1]]]]]]]]]]}",
		"{\"session\":424242,\"review_shown_us\":5,\"preview_frames\":1,"
		"\"preview_dropped\":0,\"preview_ms\":1000}",
	};
	struct tclient *owner, *screen, *cam, *prn;
	json_object *ev, *o;
	char buf[256];
	long long t0, elapsed_ms;
	int64_t id;

	REQUIRE(start(false, "60"));
	owner = tclient_new(&env, "owner", NULL, false, NULL);
	screen = tclient_new(&env, "ui", NULL, false, NULL);
	cam = tclient_new(&env, "camera", NULL, false, NULL);
	prn = tclient_new(&env, "printer", NULL, false, NULL);
	REQUIRE(owner && screen && cam && prn);
	tclient_subscribe(owner, T("state"));
	tclient_subscribe(owner, T("events/session_stats"));
	tclient_subscribe(owner, T("response/#"));
	tclient_subscribe(screen, T("session/state"));
	REQUIRE(tclient_wait_booth_state(owner, "idle", 20000));
	for (size_t i = 0; i < sizeof(bad_ui) / sizeof(bad_ui[0]); i++)
		publish(screen, T("ui/session_stats"), bad_ui[i]);
	publish(cam, T("events/photo_stored"), "garbage");
	publish(cam, T("events/photo_stored"),
		"{\"id\":\"1-1-0\",\"session\":1,\"shot\":1,\"trigger_us\":\"soon\"}");
	publish(prn, T("events/print_job"),
		"{\"job\":\"s99999999999999999999-1-c1\",\"state\":\"completed\",\"ipp_job\":"
		"null}");
	publish(prn, T("events/print_job"),
		"{\"job\":\"s-5-c1\",\"state\":\"queued\",\"ipp_job\":1}");

	/* A session; a report while it runs is too early. */
	t0 = mono_us();
	REQUIRE(command(screen, "start") == 0);
	o = tclient_wait_phase(screen, "review", 60000);
	REQUIRE(o);
	id = json_object_get_int64(get(o, "id"));
	json_object_put(o);
	snprintf(buf, sizeof(buf),
		 "{\"session\":%lld,\"review_shown_us\":%lld,\"preview_frames\":1,"
		 "\"preview_dropped\":0,\"preview_ms\":1000}",
		 (long long)id, mono_us());
	publish(screen, T("ui/session_stats"), buf);
	REQUIRE(command(screen, "print") == 0);
	o = tclient_wait_phase(screen, "idle", 60000);
	REQUIRE(o);
	json_object_put(o);
	/* Ended: a strip on screen before the trigger, and more frames than milliseconds, do not
	 * fit; then the right report, then one more that comes too late. */
	snprintf(buf, sizeof(buf),
		 "{\"session\":%lld,\"review_shown_us\":1,\"preview_frames\":10,"
		 "\"preview_dropped\":0,\"preview_ms\":1000}",
		 (long long)id);
	publish(screen, T("ui/session_stats"), buf);
	snprintf(buf, sizeof(buf),
		 "{\"session\":%lld,\"review_shown_us\":null,\"preview_frames\":5000,"
		 "\"preview_dropped\":0,\"preview_ms\":10}",
		 (long long)id);
	publish(screen, T("ui/session_stats"), buf);
	snprintf(buf, sizeof(buf),
		 "{\"session\":%lld,\"review_shown_us\":%lld,\"preview_frames\":20,"
		 "\"preview_dropped\":1,\"preview_ms\":2000}",
		 (long long)id, mono_us());
	elapsed_ms = (mono_us() - t0) / 1000 + 1;
	publish(screen, T("ui/session_stats"), buf);
	snprintf(buf, sizeof(buf),
		 "{\"session\":%lld,\"review_shown_us\":%lld,\"preview_frames\":99,"
		 "\"preview_dropped\":9,\"preview_ms\":3000}",
		 (long long)id, mono_us());
	publish(screen, T("ui/session_stats"), buf);

	ev = wait_stats(owner, id, 30000);
	REQUIRE(ev);
	CHECK_INT(json_object_get_int64(get(ev, "preview_frames")), ==, 20);
	CHECK_INT(json_object_get_int64(get(ev, "preview_dropped")), ==, 1);
	CHECK_INT(json_object_get_int64(get(ev, "preview_ms")), ==, 2000);
	CHECK(fabs(json_object_get_double(get(ev, "preview_fps")) - 10.0) < 0.01);
	/* From the last trigger to the report's time: within the test's own span. */
	CHECK(is_int(get(ev, "capture_to_strip_ms")));
	CHECK_INT(json_object_get_int64(get(ev, "capture_to_strip_ms")), >=, 0);
	CHECK_INT(json_object_get_int64(get(ev, "capture_to_strip_ms")), <=, elapsed_ms);
	CHECK(json_object_get_boolean(get(ev, "printed")));
	json_object_put(ev);
	CHECK(env_alive(boothd));
	o = tclient_request(owner, "state", "{}", 5000);
	CHECK(o && json_object_get_boolean(get(o, "ok")));
	json_object_put(o);
	tclient_free(owner);
	tclient_free(screen);
	tclient_free(cam);
	tclient_free(prn);
	stop();
}

/* The printer is busy with the first guest's strip (processing, for as long as the test holds
 * it) while the next guest's whole session runs. The next strip goes to booth-printer as the
 * review times out; this printer takes one job at a time, so booth-printer holds it and sends it
 * as soon as the printer is free. */
static void test_pipelining(void)
{
	struct tclient *owner, *screen;
	json_object *o, *ev;
	int64_t s1, s2;
	int photos = 0;
	bool s1_processing = false, s2_held = false, s2_strip = false;
	char prefix1[32], prefix2[32];
	long long deadline;

	REQUIRE(start(true, "2"));
	owner = tclient_new(&env, "owner", NULL, false, NULL);
	screen = tclient_new(&env, "ui", NULL, false, NULL);
	REQUIRE(owner && screen);
	tclient_subscribe(owner, T("state"));
	tclient_subscribe(owner, T("events/#"));
	tclient_subscribe(screen, T("session/state"));
	REQUIRE(tclient_wait_booth_state(owner, "idle", 20000));
	REQUIRE(env_printer_control(&env, "hold", "1") == 0);

	s1 = session(screen, "print");
	REQUIRE(s1 > 0);
	snprintf(prefix1, sizeof(prefix1), "\"s%lld-", (long long)s1);
	/* The printer has the first strip and is printing it. */
	deadline = env_ms() + 20000;
	while (!s1_processing && env_ms() < deadline) {
		struct tmsg *m = tclient_wait(owner, T("events/print_job"), 200);

		s1_processing = m && strstr(m->payload, prefix1) &&
				strstr(m->payload, "\"state\":\"processing\"");
		tmsg_free(m);
	}
	REQUIRE(s1_processing);

	/* The next guest: the whole session while the first strip is still being printed. */
	REQUIRE(command(screen, "start") == 0);
	o = tclient_wait_phase(screen, "countdown", 20000);
	REQUIRE(o);
	s2 = json_object_get_int64(get(o, "id"));
	json_object_put(o);
	CHECK_INT(s2, ==, s1 + 1);
	snprintf(prefix2, sizeof(prefix2), "\"s%lld-", (long long)s2);
	deadline = env_ms() + 90000;
	while (!s2_held && env_ms() < deadline) {
		struct tmsg *m = tclient_wait(owner, T("events/#"), 200);
		char session[32];

		if (!m)
			continue;
		snprintf(session, sizeof(session), "\"session\":%lld", (long long)s2);
		if (strstr(m->topic, "/photo_taken") && strstr(m->payload, session))
			photos++;
		s2_strip |= strstr(m->topic, "/strip_ready") && strstr(m->payload, session);
		/* The first strip is never done meanwhile. */
		CHECK_MSG(!strstr(m->topic, "/print_done"), "%s during the next session",
			  m->payload);
		s2_held = strstr(m->topic, "/print_job") && strstr(m->payload, prefix2) &&
			  strstr(m->payload, "\"state\":\"held\"");
		tmsg_free(m);
	}
	CHECK_INT(photos, ==, SHOTS);
	CHECK(s2_strip);
	CHECK_MSG(s2_held, "booth-printer did not get the next strip while the first printed");
	/* The next guest is done and gone; the first strip is still being printed. */
	o = tclient_wait_phase(screen, "idle", 30000);
	CHECK(o);
	json_object_put(o);
	CHECK_INT(env_printer_received(&env), ==, 0);

	/* The printer finishes: both strips come out, and both sessions' figures are final. */
	REQUIRE(env_printer_control(&env, "hold", NULL) == 0);
	ev = wait_stats(owner, s1, 60000);
	CHECK(ev && json_object_get_boolean(get(ev, "printed")));
	CHECK(ev && is_int(get(ev, "accepted_to_printed_ms")));
	json_object_put(ev);
	ev = wait_stats(owner, s2, 60000);
	/* Printed at the review's timeout: the press is the timeout. */
	CHECK(ev && json_object_get_boolean(get(ev, "printed")));
	CHECK(ev && is_int(get(ev, "print_to_accepted_ms")));
	json_object_put(ev);
	CHECK_INT(env_printer_received(&env), ==, 2);
	tclient_free(owner);
	tclient_free(screen);
	stop();
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "figures", test_figures },
		{ "bad_input", test_bad_input },
		{ "pipelining", test_pipelining },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
