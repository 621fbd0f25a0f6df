/* SPDX-License-Identifier: MIT */
/* The owner's side, over the real broker's TLS listener: who may connect and what they may do,
 * an event run through every owner command, bad input that changes nothing, and Home Assistant
 * discovery. */
#include "env.h"
#include "harness.h"
#include "util.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define T(x) "booth/" ENV_BOOTH "/" x

static struct env env;

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static bool ok(json_object *o)
{
	return o && json_object_get_boolean(get(o, "ok"));
}

/* The owner over TLS, subscribed to everything it may read. */
static struct tclient *owner_tls(void)
{
	struct tclient *c = tclient_new_tls(&env, "owner", NULL, true, NULL);

	if (!c)
		return NULL;
	tclient_subscribe(c, T("response/#"));
	tclient_subscribe(c, T("events/#"));
	tclient_subscribe(c, T("state"));
	tclient_subscribe(c, T("settings"));
	return c;
}

/* Request COMMAND and return the answer's data (a new reference), failing the test on an
 * error answer. */
static json_object *must(struct tclient *c, const char *command, const char *payload)
{
	json_object *o = tclient_request(c, command, payload, 10000), *data;

	CHECK_MSG(ok(o), "%s %s: %s", command, payload,
		  o ? json_object_get_string(get(o, "error")) : "no answer");
	data = json_object_get(get(o, "data"));
	json_object_put(o);
	return data;
}

/* The error of a request that must fail. */
static void refused(struct tclient *c, const char *command, const char *payload, const char *want)
{
	json_object *o = tclient_request(c, command, payload, 10000);

	CHECK_MSG(o && !ok(o), "%s %s was not refused", command, payload);
	if (o && want)
		CHECK_STR(json_object_get_string(get(o, "error")), want);
	json_object_put(o);
}

/* The newest retained settings document, as a string. */
static char *settings_now(struct tclient *c)
{
	json_object *o = must(c, "get", "{\"what\":\"settings\"}");
	char *s = o ? strdup(json_object_to_json_string(o)) : NULL;

	json_object_put(o);
	return s;
}

/* Whether a message on TOPIC whose payload contains NEEDLE arrives within MS. */
static bool wait_payload(struct tclient *c, const char *topic, const char *needle, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, topic, 200);
		bool found = m && strstr(m->payload, needle);

		tmsg_free(m);
		if (found)
			return true;
	}
	return false;
}

static bool wait_state_field(struct tclient *c, const char *needle, int ms)
{
	return wait_payload(c, T("state"), needle, ms);
}

static void start_all(pid_t pids[3])
{
	REQUIRE(env_start(&env, 10) == 0);
	REQUIRE(env_printer_start(&env) == 0);
	pids[0] = env_spawn(&env, "booth-printer");
	pids[1] = env_spawn(&env, "booth-camera");
	pids[2] = env_spawn(&env, "boothd");
}

static void stop_all(pid_t pids[3])
{
	for (int i = 0; i < 3; i++)
		if (pids[i] > 0)
			env_kill_daemon(&env, pids[i], SIGTERM);
	env_stop(&env);
}

/* Only owners with the right password get in on the TLS listener, and only to their topics;
 * booth-telemetry cannot read anything about guests. */
static void test_security(void)
{
	struct tclient *c, *tel;
	pid_t boothd;
	int rc = -1;

	REQUIRE(env_start(&env, 10) == 0);
	c = tclient_new_tls(&env, NULL, NULL, true, &rc);
	CHECK_MSG(c == NULL, "an anonymous client got in");
	CHECK_INT(rc, ==, 135); /* not authorized */
	tclient_free(c);
	c = tclient_new_tls(&env, "owner", "not-the-password", true, &rc);
	CHECK_MSG(c == NULL, "a wrong password got in");
	CHECK_MSG(rc == 134 || rc == 135, "CONNACK %d", rc); /* bad credentials / not authorized */
	tclient_free(c);
	c = tclient_new_tls(&env, "boothd", "", false, &rc);
	CHECK(c == NULL);
	tclient_free(c);

	/* boothd publishes its retained documents, ui/pin among them. */
	boothd = env_spawn(&env, "boothd");
	c = tclient_new_tls(&env, "owner", NULL, true, &rc);
	REQUIRE(c != NULL);
	CHECK_INT(rc, ==, 0);
	tclient_subscribe(c, T("state"));
	CHECK(tclient_got(c, T("state"), 10000));
	/* Commands: yes. Anything of the processes: no (reason 135 under MQTT v5). */
	CHECK_INT(tclient_publish(c, T("request/state"), "{}", 2, NULL, NULL), ==, 0);
	CHECK_INT(tclient_publish(c, T("settings/set"), "{}", 2, NULL, NULL), ==, 0);
	CHECK_INT(tclient_publish(c, T("camera/capture"), "{}", 2, NULL, NULL), ==, 135);
	CHECK_INT(tclient_publish(c, T("printer/print"), "{}", 2, NULL, NULL), ==, 135);
	CHECK_INT(tclient_publish(c, T("state"), "{}", 2, NULL, NULL), ==, 135);
	CHECK_INT(tclient_publish(c, T("session/command"), "{}", 2, NULL, NULL), ==, 135);
	CHECK_INT(tclient_publish(c, T("ui/owner_command"), "{}", 2, NULL, NULL), ==, 135);
	CHECK_INT(tclient_publish(c, "homeassistant/sensor/x/y/config", "{}", 2, NULL, NULL), ==,
		  135);
	/* Mosquitto grants any subscription and filters on delivery: the retained PIN (booth-ui's
	 * alone) never reaches the owner, the retained settings do. */
	tclient_subscribe(c, T("ui/pin"));
	tclient_subscribe(c, T("settings"));
	CHECK(tclient_got(c, T("settings"), 5000));
	CHECK(!tclient_got(c, T("ui/pin"), 1500));
	tclient_free(c);

	/* booth-telemetry reads nothing of the booth's documents or guests' events: only the
	 * coarse health counters and who is online. */
	tel = tclient_new(&env, "telemetry", NULL, true, NULL);
	REQUIRE(tel != NULL);
	tclient_subscribe(tel, "booth/#");
	tclient_pump(tel, 2000);
	{
		struct tmsg *m;
		int health = 0;

		while ((m = tclient_wait(tel, "booth/#", 0))) {
			health += strcmp(m->topic, T("health")) == 0;
			CHECK_MSG(strcmp(m->topic, T("health")) == 0 ||
					  strncmp(m->topic, T("availability/"), 21) == 0,
				  "booth-telemetry read %s", m->topic);
			tmsg_free(m);
		}
		CHECK_INT(health, ==, 1);
	}
	tclient_free(tel);
	env_kill_daemon(&env, boothd, SIGTERM);
	env_stop(&env);
}

/* Malformed JSON, wrong types, unknown fields and out-of-range values are answered with what
 * was wrong, and change nothing. */
static void test_bad_input(void)
{
	static const struct {
		const char *command, *payload, *error;
	} cases[] = {
		{ "settings", "{\"countdown_s\":", NULL },
		{ "settings", "[1,2]", "the payload must be a JSON object" },
		{ "settings", "{\"countdown_s\":\"5\"}", "'countdown_s' must be a whole number" },
		{ "settings", "{\"countdown_s\":11}", "'countdown_s' must be between 0 and 10" },
		{ "settings", "{\"copies\":0}", "'copies' must be between 1 and 4" },
		{ "settings", "{\"colour\":\"red\"}", "unknown field 'colour'" },
		{ "settings", "{\"layout\":\"poster\"}",
		  "there is no layout 'poster' (installed: 2x6-strip, 4x6-grid, 4x6-single, "
		  "4x6-two-strips)" },
		{ "settings", "{\"layout\":\"4x6-single\",\"shots\":4}",
		  "the layout '4x6-single' takes 1 photo: 'shots' must be 1 to 1" },
		{ "settings", "{\"copies\":3,\"max_copies\":2}",
		  "'max_copies' (2) must be at least 'copies' (3)" },
		{ "settings", "{\"pin\":\"12ab\"}", "'pin' must be 4 to 8 digits" },
		{ "settings", "{\"countdown_s\":4,\"paused\":\"yes\"}",
		  "'paused' must be true or false" },
		{ "get", "{\"what\":\"passwords\"}", NULL },
		{ "get", "{}", "'what' is missing" },
		{ "delete_session", "{\"session\":\"one\"}", "'session' must be a whole number" },
		{ "purge_event", "{\"event\":99}", "there is no event 99" },
		{ "copies", "{\"copies\":5}", "'copies' must be between 1 and 4" },
	};
	pid_t pids[3] = { 0, 0, 0 };
	struct tclient *c;
	char *before, *after;
	struct tmsg *m;

	start_all(pids);
	c = owner_tls();
	REQUIRE(c != NULL);
	/* boothd serves requests once it published its state. */
	CHECK(wait_state_field(c, "\"state\":\"idle\"", 20000));
	before = settings_now(c);
	REQUIRE(before != NULL);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		refused(c, cases[i].command, cases[i].payload, cases[i].error);
	/* The dashboards' topic answers the same way. */
	CHECK_INT(tclient_publish(c, T("settings/set"), "{\"countdown_s\":-1}", 18, NULL, NULL), ==,
		  0);
	m = tclient_wait(c, T("response/settings_set"), 10000);
	CHECK(m && strstr(m->payload, "'countdown_s' must be between 0 and 10"));
	tmsg_free(m);
	after = settings_now(c);
	CHECK_STR(after, before);
	free(before);
	free(after);
	tclient_free(c);
	stop_all(pids);
}

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* One guest session: started by the owner, printed by the guest's choice of COPIES. */
static int64_t guest_session(struct tclient *owner, struct tclient *ui, int copies)
{
	json_object *o = must(owner, "session_start", "{}");
	int64_t id = o ? json_object_get_int64(get(o, "session")) : 0;
	char cmd[64];

	json_object_put(o);
	o = tclient_wait_phase(ui, "review", 60000);
	CHECK(o != NULL);
	json_object_put(o);
	snprintf(cmd, sizeof(cmd), "{\"action\":\"print\",\"copies\":%d}", copies);
	CHECK_INT(tclient_publish(ui, T("session/command"), cmd, (int)strlen(cmd), NULL, NULL), ==,
		  0);
	o = tclient_wait_phase(ui, "idle", 60000);
	CHECK(o != NULL);
	json_object_put(o);
	return id;
}

static int count_events(struct tclient *c, const char *topic, int want, int ms)
{
	long long deadline = env_ms() + ms;
	int n = 0;

	while (n < want && env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, topic, 200);

		n += m != NULL;
		tmsg_free(m);
	}
	return n;
}

/* An owner runs an event through every command, over TLS. */
static void test_event_run(void)
{
	pid_t pids[3] = { 0, 0, 0 };
	struct tclient *owner, *ui;
	json_object *o;
	int64_t s1, s2, event;
	char files[16][512];
	int n;

	start_all(pids);
	owner = owner_tls();
	REQUIRE(owner != NULL);
	ui = tclient_new(&env, "ui", NULL, false, NULL);
	REQUIRE(ui != NULL);
	tclient_subscribe(ui, T("session/state"));
	tclient_subscribe(ui, T("ui/pin"));
	CHECK(wait_state_field(owner, "\"state\":\"idle\"", 20000));

	o = must(owner, "event_start", "{\"name\":\"gala\",\"title\":\"Spring Gala\"}");
	event = o ? json_object_get_int64(get(o, "id")) : 0;
	json_object_put(o);
	CHECK(event > 0);
	o = must(owner, "settings",
		 "{\"layout\":\"2x6-strip\",\"countdown_s\":0,\"copies\":1,\"max_copies\":2,"
		 "\"retention_days\":7,\"pin\":\"4711\"}");
	CHECK_STR(o ? json_object_get_string(get(o, "layout")) : NULL, "2x6-strip");
	CHECK_INT(o ? json_object_get_int(get(o, "shots")) : 0, ==, 4);
	CHECK_INT(o ? json_object_get_int(get(o, "max_copies")) : 0, ==, 2);
	CHECK(o && json_object_get_boolean(get(o, "pin_set")));
	CHECK(o && !get(o, "pin")); /* never shown to owners */
	json_object_put(o);
	CHECK(tclient_wait_text(ui, T("ui/pin"), "{\"pin\":\"4711\"}", 5000));

	/* Shots below the layout's photos: the cells repeat them. */
	o = must(owner, "settings", "{\"shots\":2}");
	json_object_put(o);

	/* Paused: guests are refused with a reason, the state says so. */
	o = must(owner, "pause", "{}");
	CHECK(o && json_object_get_boolean(get(o, "paused")));
	json_object_put(o);
	CHECK(wait_state_field(owner, "\"blocked\":\"paused\"", 5000));
	refused(owner, "session_start", "{}", "the booth is paused by the owner");
	o = must(owner, "resume", "{}");
	json_object_put(o);
	CHECK(wait_state_field(owner, "\"blocked\":null", 5000));

	/* A guest chooses 2 copies (the most allowed), another asks for 4 and gets 2. */
	s1 = guest_session(owner, ui, 2);
	s2 = guest_session(owner, ui, 4);
	CHECK(s1 > 0 && s2 > s1);
	CHECK_INT(count_events(owner, T("events/print_done"), 4, 30000), ==, 4);
	CHECK_INT(env_printer_received(&env), ==, 4);

	o = must(owner, "reprint", "{\"session\":1}");
	json_object_put(o);
	CHECK_INT(count_events(owner, T("events/print_done"), 1, 30000), ==, 1);
	o = must(owner, "print_test", "{}");
	CHECK(o && strncmp(json_object_get_string(get(o, "job")), "t", 1) == 0);
	json_object_put(o);
	CHECK_INT(count_events(owner, T("events/print_done"), 1, 30000), ==, 1);
	CHECK_INT(env_printer_received(&env), ==, 6);
	o = must(owner, "paper_loaded", "{\"prints\":50}");
	json_object_put(o);
	o = must(owner, "print_cancel", "{}");
	CHECK_INT(o ? json_object_get_int(get(o, "canceled")) : -1, ==, 0);
	json_object_put(o);
	o = must(owner, "printing", "{\"on\":false}");
	CHECK(o && !json_object_get_boolean(get(o, "printing")));
	json_object_put(o);
	o = must(owner, "copies", "{\"copies\":2}");
	json_object_put(o);

	/* Counts, and every document on request. */
	o = must(owner, "get", "{\"what\":\"state\"}");
	CHECK_INT(o ? json_object_get_int(get(o, "sessions_event")) : 0, ==, 2);
	CHECK_INT(o ? json_object_get_int(get(o, "photos_event")) : 0, ==, 4);
	CHECK_INT(o ? json_object_get_int(get(o, "prints_event")) : 0, ==, 5);
	CHECK_INT(o ? json_object_get_int(get(o, "prints_today")) : 0, ==, 6);
	CHECK_STR(o ? json_object_get_string(get(o, "camera")) : NULL, "ok");
	CHECK(o && json_object_get_int64(get(o, "storage_free_mb")) > 0);
	json_object_put(o);
	o = must(owner, "get", "{\"what\":\"printer\"}");
	CHECK(o && get(o, "status"));
	json_object_put(o);
	o = must(owner, "get", "{\"what\":\"camera\"}");
	CHECK_STR(o ? json_object_get_string(get(o, "status")) : NULL, "ok");
	json_object_put(o);
	o = must(owner, "get", "{\"what\":\"session\"}");
	CHECK_STR(o ? json_object_get_string(get(o, "phase")) : NULL, "idle");
	json_object_put(o);
	o = must(owner, "get", "{\"what\":\"sessions\"}");
	CHECK_INT(o ? (int)json_object_array_length(get(o, "sessions")) : 0, ==, 2);
	json_object_put(o);

	/* Delete one session: its files and rows go; purge the event: the rest go. */
	n = env_session_files(&env, s1, files, 16);
	CHECK_INT(n, ==, 3); /* two photos and the strip */
	o = must(owner, "delete_session", "{\"session\":1}");
	CHECK_INT(o ? json_object_get_int(get(o, "files")) : 0, ==, 3);
	json_object_put(o);
	for (int i = 0; i < n; i++)
		CHECK_MSG(!file_exists(files[i]), "%s is still there", files[i]);
	CHECK_INT(env_session_files(&env, s1, files, 16), ==, 0);
	n = env_session_files(&env, s2, files, 16);
	CHECK_INT(n, ==, 3);
	o = must(owner, "purge_event", "{\"event\":1}");
	CHECK_INT(o ? json_object_get_int(get(o, "sessions")) : -1, ==, 1);
	json_object_put(o);
	for (int i = 0; i < n; i++)
		CHECK_MSG(!file_exists(files[i]), "%s is still there", files[i]);
	o = must(owner, "get", "{\"what\":\"state\"}");
	CHECK_INT(o ? json_object_get_int(get(o, "photos_event")) : -1, ==, 0);
	CHECK_INT(o ? json_object_get_int(get(o, "prints_event")) : -1, ==, 5); /* counts stay */
	json_object_put(o);

	o = must(owner, "event_end", "{}");
	CHECK_INT(o ? json_object_get_int(get(o, "sessions")) : 0, ==, 2);
	json_object_put(o);
	o = must(owner, "get", "{\"what\":\"events\"}");
	CHECK_INT(o ? (int)json_object_array_length(get(o, "events")) : 0, ==, 1);
	json_object_put(o);

	/* The settings survive a restart of boothd. (The retained "online" of the boothd that
	 * stops comes first: taken now, it cannot pass for the new one's.) */
	tclient_subscribe(owner, T("availability/boothd"));
	CHECK(tclient_wait_text(owner, T("availability/boothd"), "online", 5000));
	env_kill_daemon(&env, pids[2], SIGTERM);
	CHECK(tclient_wait_text(owner, T("availability/boothd"), "offline", 5000));
	pids[2] = env_spawn(&env, "boothd");
	CHECK(tclient_wait_text(owner, T("availability/boothd"), "online", 20000));
	o = must(owner, "get", "{\"what\":\"settings\"}");
	CHECK_STR(o ? json_object_get_string(get(o, "layout")) : NULL, "2x6-strip");
	CHECK_INT(o ? json_object_get_int(get(o, "copies")) : 0, ==, 2);
	CHECK(o && !json_object_get_boolean(get(o, "printing")));
	json_object_put(o);
	tclient_free(ui);
	tclient_free(owner);
	stop_all(pids);
}

/* What LATE (a new client, consumed) finds retained on the broker names no photo or strip. */
static void check_retained_names_no_file(struct tclient *late)
{
	struct tmsg *m;

	REQUIRE(late != NULL);
	tclient_subscribe(late, T("#"));
	tclient_pump(late, 1500);
	while ((m = tclient_wait(late, "#", 0))) {
		CHECK_MSG(!strstr(m->payload, "/photos/") && !strstr(m->payload, ".jpg"), "%s: %s",
			  m->topic, m->payload);
		tmsg_free(m);
	}
	tclient_free(late);
}

/* Deleting a session whose print is held (the printer is away): the files and rows go, the
 * held print is canceled and never reaches the printer, and nothing on the broker still names
 * the strip. */
static void test_delete_held_print(void)
{
	pid_t pids[3] = { 0, 0, 0 };
	struct tclient *owner, *ui;
	char files[16][512], cmd[512], out[64] = "";
	json_object *o;
	int64_t s1;
	int n;
	FILE *p;

	start_all(pids);
	owner = owner_tls();
	REQUIRE(owner != NULL);
	ui = tclient_new(&env, "ui", NULL, false, NULL);
	REQUIRE(ui != NULL);
	tclient_subscribe(ui, T("session/state"));
	tclient_subscribe(owner, T("events/print_job"));
	CHECK(wait_state_field(owner, "\"state\":\"idle\"", 20000));
	env_printer_stop(&env);
	s1 = guest_session(owner, ui, 1);
	CHECK_MSG(wait_payload(owner, T("events/print_job"), "\"state\":\"held\"", 20000),
		  "the print was not held");
	n = env_session_files(&env, s1, files, 16);
	CHECK_INT(n, ==, 5); /* four photos and the strip */

	o = must(owner, "delete_session", "{\"session\":1}");
	json_object_put(o);
	CHECK_MSG(wait_payload(owner, T("events/print_job"), "\"state\":\"canceled\"", 10000),
		  "the held print was not canceled");
	for (int i = 0; i < n; i++)
		CHECK_MSG(!file_exists(files[i]), "%s is still there", files[i]);
	CHECK_INT(env_session_files(&env, s1, files, 16), ==, 0);
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 %s \"SELECT count(*) FROM print_jobs WHERE session_id = 1 AND state IN "
		 "('pending', 'held', 'queued', 'processing')\"",
		 env.database);
	p = popen(cmd, "r");
	CHECK(p && fgets(out, sizeof(out), p));
	if (p)
		pclose(p);
	CHECK_STR(out, "0\n");
	/* booth-printer holds nothing any more. */
	{
		int jobs = -1;

		for (long long end = env_ms() + 5000; jobs != 0 && env_ms() < end;) {
			o = must(owner, "get", "{\"what\":\"printer\"}");
			jobs = o ? json_object_get_int(get(o, "jobs")) : -1;
			json_object_put(o);
			if (jobs != 0)
				tclient_pump(owner, 200);
		}
		CHECK_INT(jobs, ==, 0);
	}

	/* The printer comes back: nothing of the deleted session is printed. */
	REQUIRE(env_printer_start(&env) == 0);
	tclient_pump(owner, 4000);
	CHECK_INT(env_printer_received(&env), ==, 0);
	/* The broker keeps nothing that names the strip: what is retained for owners and for the
	 * screen names no file of the session. */
	check_retained_names_no_file(tclient_new(&env, "ui", NULL, true, NULL));
	check_retained_names_no_file(tclient_new_tls(&env, "owner", NULL, true, NULL));
	tclient_free(ui);
	tclient_free(owner);
	stop_all(pids);
}

/* The screen's owner menu (behind its PIN, in booth-ui) deletes the newest session's photos, or
 * the running event's. */
static void test_menu_delete(void)
{
	pid_t pids[3] = { 0, 0, 0 };
	struct tclient *owner, *ui;
	char files1[16][512], files2[16][512];
	json_object *o;
	int64_t s1, s2;
	int n1, n2;

	start_all(pids);
	owner = owner_tls();
	REQUIRE(owner != NULL);
	ui = tclient_new(&env, "ui", NULL, false, NULL);
	REQUIRE(ui != NULL);
	tclient_subscribe(ui, T("session/state"));
	CHECK(wait_state_field(owner, "\"state\":\"idle\"", 20000));
	o = must(owner, "event_start", "{\"name\":\"fair\"}");
	json_object_put(o);
	o = must(owner, "settings", "{\"printing\":false}");
	json_object_put(o);
	s1 = guest_session(owner, ui, 1);
	s2 = guest_session(owner, ui, 1);
	n1 = env_session_files(&env, s1, files1, 16);
	n2 = env_session_files(&env, s2, files2, 16);
	CHECK(n1 > 0 && n2 > 0);

	CHECK_INT(tclient_publish(ui, T("ui/owner_command"), "{\"command\":\"delete_last\"}", 25,
				  NULL, NULL),
		  ==, 0);
	tclient_pump(owner, 1500);
	CHECK_INT(env_session_files(&env, s2, files2, 16), ==, 0);
	CHECK_INT(env_session_files(&env, s1, files1, 16), ==, n1);
	CHECK_INT(tclient_publish(ui, T("ui/owner_command"), "{\"command\":\"purge_event\"}", 25,
				  NULL, NULL),
		  ==, 0);
	tclient_pump(owner, 1500);
	CHECK_INT(env_session_files(&env, s1, files2, 16), ==, 0);
	for (int i = 0; i < n1; i++)
		CHECK_MSG(!file_exists(files1[i]), "%s is still there", files1[i]);
	tclient_free(ui);
	tclient_free(owner);
	stop_all(pids);
}

/* What Home Assistant requires of each component's config. */
static const char *const required[][4] = {
	{ "sensor", "state_topic", NULL, NULL },
	{ "binary_sensor", "state_topic", NULL, NULL },
	{ "button", "command_topic", NULL, NULL },
	{ "switch", "command_topic", "state_topic", NULL },
	{ "select", "command_topic", "options", NULL },
	{ "number", "command_topic", "state_topic", NULL },
	{ "event", "state_topic", "event_types", NULL },
	{ "image", "image_topic", NULL, NULL },
};

/* Collect the retained discovery configs for MS milliseconds: returns how many, checking each. */
static int check_discovery(struct tclient *c, int ms, bool retained, bool *image, char ids[][96],
			   int max)
{
	long long deadline = env_ms() + ms;
	int n = 0;

	*image = false;
	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, "homeassistant/#", 200);
		char component[32];
		json_object *o, *dev;

		if (!m)
			continue;
		if (m->len == 0 || strcmp(m->topic, "homeassistant/status") == 0) {
			tmsg_free(m);
			continue;
		}
		CHECK_MSG(sscanf(m->topic, "homeassistant/%31[^/]/photobooth_" ENV_BOOTH "/",
				 component) == 1,
			  "%s", m->topic);
		o = json_tokener_parse(m->payload);
		CHECK_MSG(o && json_object_is_type(o, json_type_object), "%s: not JSON", m->topic);
		if (o) {
			bool known = false;

			for (size_t i = 0; i < ARRAY_SIZE(required); i++) {
				if (strcmp(required[i][0], component) != 0)
					continue;
				known = true;
				for (int k = 1; k < 4 && required[i][k]; k++)
					CHECK_MSG(get(o, required[i][k]), "%s: no %s", m->topic,
						  required[i][k]);
			}
			CHECK_MSG(known, "%s: unknown component", m->topic);
			CHECK_MSG(get(o, "name") && get(o, "unique_id"), "%s", m->topic);
			dev = get(o, "device");
			CHECK_MSG(dev && json_object_array_length(get(dev, "identifiers")) == 1,
				  "%s: device", m->topic);
			CHECK(m->retain == retained);
			*image |= strcmp(component, "image") == 0;
			if (n < max)
				snprintf(ids[n], 96, "%s",
					 json_object_get_string(get(o, "unique_id")));
			n++;
		}
		json_object_put(o);
		tmsg_free(m);
	}
	return n;
}

static void test_discovery(void)
{
	pid_t pids[3] = { 0, 0, 0 };
	struct tclient *ha, *owner, *ui;
	char ids[64][96], again[64][96];
	bool image;
	struct tmsg *m;
	json_object *o;
	int n, k;

	start_all(pids);
	owner = owner_tls();
	REQUIRE(owner != NULL);
	CHECK(wait_state_field(owner, "\"state\":\"idle\"", 20000));
	/* Home Assistant connects later and finds the retained configs. */
	ha = tclient_new_tls(&env, "owner", NULL, false, NULL);
	REQUIRE(ha != NULL);
	tclient_subscribe(ha, "homeassistant/#");
	n = check_discovery(ha, 2000, true, &image, ids, 64);
	CHECK_INT(n, ==, 36); /* every entity but the last-strip image */
	CHECK(!image);
	for (int i = 0; i < n && i < 64; i++) {
		CHECK_MSG(strncmp(ids[i], "photobooth_" ENV_BOOTH "_", 14) == 0, "%s", ids[i]);
		for (int j = 0; j < i; j++)
			CHECK_MSG(strcmp(ids[i], ids[j]) != 0, "%s twice", ids[i]);
	}
	/* Home Assistant restarts: it says online, the booth publishes again, with the same ids. */
	CHECK_INT(tclient_publish(ha, "homeassistant/status", "online", 6, NULL, NULL), ==, 0);
	k = check_discovery(ha, 2000, false, &image, again, 64);
	CHECK_INT(k, ==, n);
	/* The same set (the broker hands out retained messages in an order of its own). */
	for (int i = 0; i < k && i < 64; i++) {
		bool found = false;

		for (int j = 0; j < n && j < 64 && !found; j++)
			found = strcmp(again[i], ids[j]) == 0;
		CHECK_MSG(found, "%s is new", again[i]);
	}

	/* The last-strip image appears only when the owner turns it on; the strip is never
	 * retained. */
	o = must(owner, "settings", "{\"last_strip_image\":true}");
	json_object_put(o);
	check_discovery(ha, 1500, false, &image, again, 64);
	CHECK(image);
	ui = tclient_new(&env, "ui", NULL, false, NULL);
	REQUIRE(ui != NULL);
	tclient_subscribe(ui, T("session/state"));
	tclient_subscribe(owner, T("strip/last"));
	guest_session(owner, ui, 1);
	m = tclient_wait(owner, T("strip/last"), 10000);
	CHECK(m && m->len > 1000 && (unsigned char)m->payload[0] == 0xff &&
	      (unsigned char)m->payload[1] == 0xd8);
	CHECK(m && !m->retain);
	tmsg_free(m);
	o = must(owner, "settings", "{\"last_strip_image\":false}");
	json_object_put(o);
	m = tclient_wait(ha, "homeassistant/image/#", 5000);
	CHECK(m && m->len == 0); /* removed */
	tmsg_free(m);
	/* A late subscriber finds no strip and no image entity on the broker. */
	tclient_free(ha);
	ha = tclient_new_tls(&env, "owner", NULL, false, NULL);
	REQUIRE(ha != NULL);
	tclient_subscribe(ha, T("strip/last"));
	tclient_subscribe(ha, "homeassistant/image/#");
	CHECK(!tclient_got(ha, "#", 1500));
	tclient_free(ha);
	tclient_free(ui);
	tclient_free(owner);
	stop_all(pids);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "security", test_security },
		{ "bad_input", test_bad_input },
		{ "event_run", test_event_run },
		{ "discovery", test_discovery },
		{ "menu_delete", test_menu_delete },
		{ "delete_held_print", test_delete_held_print },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
