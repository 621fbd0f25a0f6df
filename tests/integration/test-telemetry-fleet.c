/* SPDX-License-Identifier: MIT */
/* booth-telemetry against a test fleet broker (a second Mosquitto with TLS and a CA made for the
 * run) that logs every connection and records every message, while guest sessions, prints and
 * faults run: no connection at all while undecided or declined; with consent, reports that
 * match the schema exactly and carry none of the identifying values planted in the booth; two
 * booths with the same activity send the same bytes; opting out stops the next report. */
#define _GNU_SOURCE 1
#include "env.h"
#include "harness.h"
#include "report.h"
#include "util.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#define INTERVAL_S 2

static struct env env;

struct booth {
	pid_t pids[5]; /* booth-printer, booth-camera, boothd, booth-telemetry, spare */
	struct tclient *owner, *ui;
	char topic[160];
};

static const char *topic(struct booth *b, const char *suffix)
{
	snprintf(b->topic, sizeof(b->topic), "booth/%s/%s", env.booth, suffix);
	return b->topic;
}

/* A request on REQ_PREFIX/COMMAND, answered on RESP_PREFIX/COMMAND (subscribed). */
static json_object *request(struct booth *b, const char *kind, const char *command,
			    const char *payload)
{
	char req[192], resp[192];
	struct tmsg *m;
	json_object *o;

	snprintf(req, sizeof(req), "booth/%s/%srequest/%s", env.booth, kind, command);
	snprintf(resp, sizeof(resp), "booth/%s/%sresponse/%s", env.booth, kind, command);
	while ((m = tclient_wait(b->owner, resp, 0)))
		tmsg_free(m);
	if (tclient_publish(b->owner, req, payload, (int)strlen(payload), NULL, NULL) != 0)
		return NULL;
	m = tclient_wait(b->owner, resp, 10000);
	o = m ? json_tokener_parse(m->payload) : NULL;
	tmsg_free(m);
	return o;
}

static bool ok(json_object *o)
{
	return o && json_object_get_boolean(env_json_get(o, "ok"));
}

/* Request and return data (new reference), failing the test on an error. */
static json_object *must(struct booth *b, const char *kind, const char *command,
			 const char *payload)
{
	json_object *o = request(b, kind, command, payload), *data;

	CHECK_MSG(ok(o), "%s%s: %s", kind, command, o ? env_json_str(o, "error") : "no answer");
	data = json_object_get(env_json_get(o, "data"));
	json_object_put(o);
	return data;
}

static json_object *wait_phase(struct booth *b, const char *phase, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(b->ui, topic(b, "session/state"), 200);
		json_object *o = m ? json_tokener_parse(m->payload) : NULL;

		tmsg_free(m);
		if (o && strcmp(env_json_str(o, "phase"), phase) == 0)
			return o;
		json_object_put(o);
	}
	return NULL;
}

/* One guest session, printed (or not kept, with DISCARD). */
static void guest_session(struct booth *b, bool discard)
{
	const char *cmd = discard ? "{\"action\":\"discard\"}" : "{\"action\":\"print\"}";
	json_object *o = must(b, "", "session_start", "{}");

	json_object_put(o);
	o = wait_phase(b, "review", 60000);
	CHECK(o != NULL);
	json_object_put(o);
	CHECK_INT(tclient_publish(b->ui, topic(b, "session/command"), cmd, (int)strlen(cmd), NULL,
				  NULL),
		  ==, 0);
	o = wait_phase(b, "idle", 60000);
	CHECK(o != NULL);
	json_object_put(o);
}

/* A booth named BOOTH with an event, reporting every INTERVAL_S s to a fresh fleet broker. */
static int booth_start(struct booth *b, const char *booth, const char *title)
{
	char extra[256];

	memset(b, 0, sizeof(*b));
	snprintf(extra, sizeof(extra), "[boothd]\ntitle = %s\n", title);
	if (env_start_booth(&env, 10, booth, extra) != 0 ||
	    env_fleet_start(&env, INTERVAL_S) != 0 || env_printer_start(&env) != 0)
		return -1;
	b->pids[0] = env_spawn(&env, "booth-printer");
	b->pids[1] = env_spawn(&env, "booth-camera");
	b->pids[2] = env_spawn(&env, "boothd");
	b->pids[3] = env_spawn(&env, "booth-telemetry");
	b->owner = tclient_new_tls(&env, "owner", NULL, true, NULL);
	b->ui = tclient_new(&env, "ui", NULL, false, NULL);
	if (!b->owner || !b->ui)
		return test_fail(__FILE__, __LINE__, "clients"), -1;
	tclient_subscribe(b->owner, topic(b, "response/#"));
	tclient_subscribe(b->owner, topic(b, "telemetry/response/#"));
	tclient_subscribe(b->owner, topic(b, "telemetry/state"));
	tclient_subscribe(b->owner, topic(b, "health"));
	tclient_subscribe(b->ui, topic(b, "session/state"));
	/* Everything is up when the camera is ready and booth-telemetry has said its state. */
	if (!tclient_got(b->owner, topic(b, "telemetry/state"), 20000))
		return test_fail(__FILE__, __LINE__, "booth-telemetry did not start"), -1;
	for (long long end = env_ms() + 20000; env_ms() < end;) {
		struct tmsg *m = tclient_wait(b->owner, topic(b, "health"), 500);
		bool ready = m && strstr(m->payload, "\"camera\":\"ok\"");

		tmsg_free(m);
		if (ready)
			return 0;
	}
	return test_fail(__FILE__, __LINE__, "the camera did not become ready"), -1;
}

static void booth_stop(struct booth *b)
{
	tclient_free(b->owner);
	tclient_free(b->ui);
	for (int i = 4; i >= 0; i--)
		if (b->pids[i] > 0)
			env_kill_daemon(&env, b->pids[i], SIGTERM);
	env_stop(&env);
}

/* The reports that reached the fleet broker within MS, appended to OUT (up to MAX). */
static int collect(struct tclient *rec, char out[][1024], int n, int max, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline && n < max) {
		struct tmsg *m = tclient_wait(rec, "#", 200);

		if (!m)
			continue;
		CHECK_STR(m->topic, REPORT_TOPIC);
		CHECK_MSG(!m->retain, "a report was retained");
		snprintf(out[n++], 1024, "%s", m->payload);
		tmsg_free(m);
	}
	return n;
}

/* The identifying values planted in the booth, none of which may reach the fleet broker. */
static int planted(const char *booth, char values[][128], int max)
{
	static const char *const fixed[] = {
		"Smith-Jones wedding",		    /* event name */
		"Margaret Whitfield",		    /* the owner, in the event title */
		"SN00000000c0ffee42",		    /* a fake serial number */
		"5f1e2d3c4b5a69788796a5b4c3d2e1f0", /* a fake machine-id */
		"Villa Serenade",		    /* the guest-facing title setting */
		"booth-test-printer",		    /* the printer's name */
		"Simulated camera",		    /* the camera's model */
	};
	char host[128] = "";
	int n = 0;
	char *mid = NULL;

	snprintf(values[n++], 128, "%s", booth);
	if (gethostname(host, sizeof(host)) == 0 && host[0])
		snprintf(values[n++], 128, "%s", host);
	/* The machine's real machine-id, if it has one. */
	if (read_file_all("/etc/machine-id", &mid) > 8) {
		mid[strcspn(mid, "\n")] = '\0';
		snprintf(values[n++], 128, "%s", mid);
	}
	free(mid);
	for (size_t i = 0; i < ARRAY_SIZE(fixed) && n < max; i++)
		snprintf(values[n++], 128, "%s", fixed[i]);
	return n;
}

/* Nothing planted appears in the reports or anywhere in the fleet broker's log (topics, client
 * ids, user names of every connection and message). */
static void check_anonymous(const char *booth, char reports[][1024], int n)
{
	char values[16][128], path[400], *log = NULL;
	int k = planted(booth, values, 16);

	snprintf(path, sizeof(path), "%s/fleet.log", env.fleet_dir);
	REQUIRE(read_file_all(path, &log) > 0);
	for (int i = 0; i < k; i++) {
		CHECK_MSG(!strcasestr(log, values[i]), "'%s' reached the fleet broker", values[i]);
		for (int j = 0; j < n; j++)
			CHECK_MSG(!strcasestr(reports[j], values[i]), "'%s' is in a report",
				  values[i]);
	}
	/* No user name is ever sent (the log shows "u'NAME'" for clients that log in). */
	for (const char *p = log; (p = strstr(p, "New client connected from")); p++) {
		const char *end = strchr(p, '\n');

		CHECK_MSG(!memmem(p, end ? (size_t)(end - p) : strlen(p), "u'", 2), "%.120s", p);
	}
	free(log);
}

static void plant_event(struct booth *b)
{
	json_object *o = must(b, "", "event_start",
			      "{\"name\":\"Smith-Jones wedding\",\"title\":\"Margaret Whitfield "
			      "SN00000000c0ffee42 5f1e2d3c4b5a69788796a5b4c3d2e1f0\"}");

	json_object_put(o);
}

/* An event with planted names, a printed session, one not kept, and a camera fault
 * (booth-camera killed and started again). */
static void activity(struct booth *b)
{
	plant_event(b);
	guest_session(b, false);
	guest_session(b, true);
	env_kill_daemon(&env, b->pids[1], SIGKILL);
	b->pids[1] = env_spawn(&env, "booth-camera");
}

/* Undecided (the default) and declined: not even a connection reaches the fleet broker, while
 * sessions, prints and a camera fault run. */
static void test_no_consent_no_connection(void)
{
	struct booth b;
	struct tclient *rec;
	json_object *o;
	char err[256];

	REQUIRE(booth_start(&b, "kiosk-7f3a9c2e", "Villa Serenade") == 0);
	rec = tclient_new_fleet(&env);
	REQUIRE(rec != NULL);
	CHECK_INT(tclient_subscribe(rec, "#"), ==, 1);
	o = must(&b, "telemetry/", "preview", "{}");
	CHECK(o && json_object_get_boolean(env_json_get(o, "fleet")));
	CHECK_STR(o ? env_json_str(o, "topic") : NULL, REPORT_TOPIC);
	CHECK(o && report_validate(env_json_str(o, "report"), strlen(env_json_str(o, "report")),
				   err, sizeof(err)) == 0);
	json_object_put(o);
	o = request(&b, "telemetry/", "last_report", "{}");
	CHECK_STR(o ? env_json_str(o, "error") : NULL, "no report has been sent");
	json_object_put(o);

	activity(&b);
	CHECK(!tclient_got(rec, "#", 3 * INTERVAL_S * 1000));

	o = must(&b, "telemetry/", "decline", "{}");
	CHECK_STR(o ? env_json_str(o, "consent") : NULL, "declined");
	CHECK(o && !json_object_get_boolean(env_json_get(o, "reporting")));
	CHECK(o && env_json_get(o, "decided") != NULL);
	json_object_put(o);
	guest_session(&b, false);
	/* A restart of booth-telemetry keeps the decision. */
	while (tclient_got(b.owner, topic(&b, "telemetry/state"), 0))
		;
	env_kill_daemon(&env, b.pids[3], SIGTERM);
	b.pids[3] = env_spawn(&env, "booth-telemetry");
	{
		struct tmsg *m = tclient_wait(b.owner, topic(&b, "telemetry/state"), 10000);

		CHECK_MSG(m && strstr(m->payload, "\"consent\":\"declined\""), "%s",
			  m ? m->payload : "no state");
		tmsg_free(m);
	}
	CHECK(!tclient_got(rec, "#", 3 * INTERVAL_S * 1000));
	o = must(&b, "telemetry/", "preview", "{}");
	json_object_put(o);

	/* The recorder's own connection is in the log (it logs connections), the booth's are
	 * not there at all. */
	CHECK_INT(env_fleet_connections(&env), ==, 0);
	{
		char path[400], *log = NULL;

		snprintf(path, sizeof(path), "%s/fleet.log", env.fleet_dir);
		CHECK(read_file_all(path, &log) > 0 && strstr(log, "New client connected from"));
		free(log);
	}
	tclient_free(rec);
	booth_stop(&b);
}

/* Accepted: reports go, each exactly the schema, nothing identifying in them or in how they
 * arrive; a wrong schema cannot be accepted; opting out stops the next report. */
static void test_accepted_reports(void)
{
	char reports[32][1024], err[256];
	struct tclient *rec;
	struct booth b;
	json_object *o;
	int n, conns;

	REQUIRE(booth_start(&b, "kiosk-7f3a9c2e", "Villa Serenade") == 0);
	rec = tclient_new_fleet(&env);
	REQUIRE(rec != NULL);
	CHECK_INT(tclient_subscribe(rec, "#"), ==, 1);
	o = request(&b, "telemetry/", "accept", "{\"schema\":2}");
	CHECK_STR(o ? env_json_str(o, "error") : NULL,
		  "this booth sends report schema 1, not 2: preview it and accept 1");
	json_object_put(o);
	o = must(&b, "telemetry/", "accept", "{\"schema\":1}");
	CHECK_STR(o ? env_json_str(o, "consent") : NULL, "accepted");
	CHECK(o && json_object_get_boolean(env_json_get(o, "reporting")));
	CHECK_STR(o ? env_json_str(o, "how") : NULL, "mqtt");
	json_object_put(o);

	activity(&b);
	n = collect(rec, reports, 0, 32, 6 * INTERVAL_S * 1000);
	CHECK_INT(n, >=, 2);
	for (int i = 0; i < n; i++)
		CHECK_MSG(report_validate(reports[i], strlen(reports[i]), err, sizeof(err)) == 0,
			  "%s: %s", reports[i], err);
	/* What happened shows, in buckets, in some report. */
	{
		bool sessions = false, camera = false;

		for (int i = 0; i < n; i++) {
			sessions |= strstr(reports[i], "\"sessions\":\"1-9\"") != NULL;
			camera |= strstr(reports[i], "\"camera\":\"1\"") != NULL;
		}
		CHECK_MSG(sessions, "no report counted the sessions");
		CHECK_MSG(camera, "no report counted booth-camera's restart");
	}
	check_anonymous("kiosk-7f3a9c2e", reports, n);
	/* The last report is kept on the booth, as sent. */
	o = must(&b, "telemetry/", "last_report", "{}");
	{
		bool found = false;

		for (int i = 0; o && i < n; i++)
			found |= strcmp(reports[i], env_json_str(o, "report")) == 0;
		CHECK(found);
	}
	json_object_put(o);
	/* Each report came on its own connection with its own random client id. */
	conns = env_fleet_connections(&env);
	CHECK_INT(conns, >=, n);

	/* Opting out stops the next report, and no connection is made any more. */
	o = must(&b, "telemetry/", "decline", "{}");
	json_object_put(o);
	/* At most a report already published before the decline arrived may still come in. */
	tclient_pump(rec, 1000);
	CHECK_INT(collect(rec, reports, 0, 32, 100), <=, 1);
	conns = env_fleet_connections(&env);
	CHECK_INT(collect(rec, reports, 0, 32, 3 * INTERVAL_S * 1000), ==, 0);
	CHECK_INT(env_fleet_connections(&env), ==, conns);
	/* Nothing was retained on the fleet broker. */
	tclient_free(rec);
	rec = tclient_new_fleet(&env);
	REQUIRE(rec != NULL);
	tclient_subscribe(rec, "#");
	CHECK(!tclient_got(rec, "#", 1500));
	tclient_free(rec);
	booth_stop(&b);
}

/* The first report of a booth after the activity, which happened while booth-telemetry (with
 * consent) was stopped: its counts come from boothd's health counters. */
static int one_booth(const char *booth, const char *title, char *report, size_t n)
{
	char reports[4][1024];
	struct tclient *rec;
	struct booth b;
	json_object *o;
	int k = 0;

	if (booth_start(&b, booth, title) != 0)
		return -1;
	o = must(&b, "telemetry/", "accept", "{\"schema\":1}");
	json_object_put(o);
	env_kill_daemon(&env, b.pids[3], SIGTERM);
	b.pids[3] = 0;
	plant_event(&b);
	guest_session(&b, false);
	guest_session(&b, false);
	guest_session(&b, true);
	rec = tclient_new_fleet(&env);
	if (rec) {
		tclient_subscribe(rec, "#");
		b.pids[3] = env_spawn(&env, "booth-telemetry");
		k = collect(rec, reports, 0, 1, 10 * INTERVAL_S * 1000);
		check_anonymous(booth, reports, k);
	}
	if (k == 1)
		snprintf(report, n, "%s", reports[0]);
	tclient_free(rec);
	booth_stop(&b);
	return k == 1 ? 0 : -1;
}

/* Two booths with different identities and the same activity send the same bytes. */
static void test_two_booths(void)
{
	char a[1024], b[1024], err[256];

	REQUIRE(one_booth("kiosk-7f3a9c2e", "Villa Serenade", a, sizeof(a)) == 0);
	REQUIRE(one_booth("hall-0d41b7aa", "Casa Lumiere", b, sizeof(b)) == 0);
	fprintf(stderr, "report: %s\n", a);
	CHECK_STR(a, b);
	CHECK_INT(report_validate(a, strlen(a), err, sizeof(err)), ==, 0);
	CHECK_MSG(strstr(a, "\"sessions\":\"1-9\"") && strstr(a, "\"prints\":\"1-9\""), "%s", a);
	CHECK(!strstr(a, "Casa Lumiere") && !strstr(a, "hall-0d41b7aa"));
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "no_consent_no_connection", test_no_consent_no_connection },
		{ "accepted_reports", test_accepted_reports },
		{ "two_booths", test_two_booths },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
