/* SPDX-License-Identifier: MIT */
/* Printing under faults, against the real broker, the real daemons and a real IPP printer
 * (ippeveprinter): aborted jobs, paper running out mid-job, the printer dying mid-job, and
 * booth-printer and boothd killed at each step of a job. Every strip asked for is printed exactly
 * once, counted in what the printer received. */
#include "db.h"
#include "env.h"
#include "harness.h"
#include "ipp.h"
#include "util.h"

#include <cups/cups.h>
#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <turbojpeg.h>
#include <unistd.h>

#define T(x) "booth/" ENV_BOOTH "/" x

static struct env env;
static char photo[400];

static json_object *field(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static const char *str(json_object *o, const char *key)
{
	const char *s = json_object_get_string(field(o, key));

	return s ? s : "";
}

/* A small real JPEG at PATH. */
static int write_jpeg(const char *path)
{
	unsigned char px[32 * 24 * 3], *jpeg = NULL;
	unsigned long size = 0;
	tjhandle tj = tjInitCompress();
	FILE *f;
	int r = -1;

	for (size_t i = 0; i < sizeof(px); i++)
		px[i] = (unsigned char)(i * 13);
	if (tjCompress2(tj, px, 32, 0, 24, TJPF_RGB, &jpeg, &size, TJSAMP_420, 85, 0) == 0) {
		f = fopen(path, "wb");
		if (f) {
			r = fwrite(jpeg, 1, size, f) == size ? 0 : -1;
			fclose(f);
		}
	}
	tjFree(jpeg);
	tjDestroy(tj);
	return r;
}

/* Start the broker and the printer, and make the strip to print. */
static void setup(void)
{
	REQUIRE(env_start(&env, 5) == 0);
	REQUIRE(env_printer_start(&env) == 0);
	snprintf(photo, sizeof(photo), "%s/strip.jpg", env.dir);
	REQUIRE(write_jpeg(photo) == 0);
}

/* Wait for a print_job event for KEY in STATE (any job when KEY is NULL); returns it or NULL. */
static json_object *wait_job(struct tclient *c, const char *key, const char *state, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, T("events/print_job"), 200);
		json_object *o;

		if (!m)
			continue;
		o = json_tokener_parse(m->payload);
		tmsg_free(m);
		if (o && (!key || strcmp(str(o, "job"), key) == 0) &&
		    strcmp(str(o, "state"), state) == 0)
			return o;
		json_object_put(o);
	}
	return NULL;
}

/* Wait for a printer/state document for which MATCH(doc, arg) holds. */
static json_object *wait_state(struct tclient *c, bool (*match)(json_object *, const void *),
			       const void *arg, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, T("printer/state"), 200);
		json_object *o;

		if (!m)
			continue;
		o = json_tokener_parse(m->payload);
		tmsg_free(m);
		if (o && match(o, arg))
			return o;
		json_object_put(o);
	}
	return NULL;
}

static bool has_reason(json_object *o, const void *prefix)
{
	json_object *a = field(o, "reasons");

	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		if (strncmp(json_object_get_string(json_object_array_get_idx(a, i)), prefix,
			    strlen(prefix)) == 0)
			return true;
	return false;
}

static bool lacks_reason(json_object *o, const void *prefix)
{
	return !has_reason(o, prefix);
}

static bool status_is(json_object *o, const void *status)
{
	return strcmp(str(o, "status"), status) == 0;
}

static bool prints_left_is(json_object *o, const void *n)
{
	json_object *v = field(o, "prints_left");

	return v && json_object_get_int(v) == *(const int *)n;
}

static void print(struct tclient *c, const char *key)
{
	char payload[600];

	snprintf(payload, sizeof(payload), "{\"job\":\"%s\",\"path\":\"%s\"}", key, photo);
	CHECK_INT(tclient_publish(c, T("printer/print"), payload, (int)strlen(payload), NULL, NULL),
		  ==, 0);
}

/* How many documents the printer received for the job named booth-KEY. */
static int received_for(const char *key)
{
	char dir[400], want[100];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/received", env.printer_dir);
	snprintf(want, sizeof(want), "-booth-%s.", key);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)))
		n += strstr(de->d_name, want) != NULL;
	closedir(d);
	return n;
}

static bool wait_received(int n, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline) {
		if (env_printer_received(&env) >= n)
			return env_printer_received(&env) == n;
		usleep(50000);
	}
	return false;
}

/* What booth-printer would have done before being killed right after submitting: the printer has
 * the job named booth-KEY. Returns the printer's job id. */
static int submit_directly(const char *key)
{
	struct ipp_printer *p = NULL;
	char uri[128], name[80], err[256];
	int id = 0;

	snprintf(uri, sizeof(uri), "ipp://localhost:%d/ipp/print", env.printer_port);
	snprintf(name, sizeof(name), "booth-%s", key);
	if (ipp_printer_new(uri, 5000, &p) < 0)
		return -1;
	if (ipp_printer_submit(p, name, photo, false, &id, err, sizeof(err)) < 0)
		id = -1;
	ipp_printer_free(p);
	return id;
}

static struct tclient *owner_client(void)
{
	struct tclient *c = tclient_new(&env, "owner", NULL, true, NULL);

	if (c) {
		tclient_subscribe(c, T("events/print_job"));
		tclient_subscribe(c, T("printer/state"));
		tclient_subscribe(c, T("response/#"));
	}
	return c;
}

/* A print the printer already has is followed, never sent again; repeated commands and a double
 * tap make one job. */
static void test_repeat_and_adopt(void)
{
	struct tclient *boothd, *owner;
	json_object *o;
	int id;

	setup();
	owner = owner_client();
	REQUIRE(owner != NULL);
	boothd = tclient_new(&env, "boothd", NULL, true, NULL);
	REQUIRE(boothd != NULL);
	env_spawn(&env, "booth-printer");
	json_object_put(wait_state(owner, status_is, "idle", 10000));

	id = submit_directly("k1");
	CHECK(id > 0);
	CHECK(wait_received(1, 10000));
	print(boothd, "k1");
	o = wait_job(owner, "k1", "completed", 10000);
	CHECK(o != NULL);
	CHECK_INT(json_object_get_int(field(o, "ipp_job")), ==, id);
	json_object_put(o);

	print(boothd, "k2");
	print(boothd, "k2");
	json_object_put(wait_job(owner, "k2", "completed", 10000));
	print(boothd, "k2"); /* after it printed */
	json_object_put(wait_job(owner, "k2", "completed", 10000));
	tclient_pump(owner, 1000);
	CHECK_INT(env_printer_received(&env), ==, 2);
	CHECK_INT(received_for("k1"), ==, 1);
	CHECK_INT(received_for("k2"), ==, 1);

	tclient_free(boothd);
	tclient_free(owner);
	env_stop(&env);
}

/* A job the printer aborts is sent again, a bounded number of times, then reported failed. */
static void test_retry_then_fail(void)
{
	struct tclient *boothd, *owner;
	json_object *o;

	setup();
	owner = owner_client();
	REQUIRE(owner != NULL);
	boothd = tclient_new(&env, "boothd", NULL, true, NULL);
	REQUIRE(boothd != NULL);
	env_spawn(&env, "booth-printer");
	json_object_put(wait_state(owner, status_is, "idle", 10000));

	REQUIRE(env_printer_control(&env, "fault", "media-jam") == 0);
	print(boothd, "r1");
	o = wait_job(owner, "r1", "held", 10000);
	CHECK(o != NULL);
	CHECK(o && strstr(str(o, "error"), "attempt 2 of 3"));
	json_object_put(o);
	o = wait_state(owner, has_reason, "media-jam", 5000);
	CHECK(o != NULL);
	json_object_put(o);
	/* The jam is cleared: the next attempt prints, and the reason goes away. */
	env_printer_control(&env, "fault", NULL);
	json_object_put(wait_job(owner, "r1", "completed", 15000));
	o = wait_state(owner, lacks_reason, "media-jam", 5000);
	CHECK(o != NULL);
	json_object_put(o);
	CHECK_INT(received_for("r1"), ==, 1);

	/* A fault that stays: three attempts, then failed. */
	env_printer_control(&env, "fault", "media-jam");
	print(boothd, "r2");
	o = wait_job(owner, "r2", "failed", 20000);
	CHECK(o != NULL);
	CHECK(o && strstr(str(o, "error"), "gave up"));
	json_object_put(o);
	CHECK_INT(received_for("r2"), ==, 0);
	CHECK_INT(env_printer_received(&env), ==, 1);

	tclient_free(boothd);
	tclient_free(owner);
	env_stop(&env);
}

/* Paper runs out while a job prints, then is refilled: the state tells the truth throughout and
 * the strip prints once. */
static void test_media_empty_mid_job(void)
{
	struct tclient *boothd, *owner;
	json_object *o;

	setup();
	owner = owner_client();
	REQUIRE(owner != NULL);
	boothd = tclient_new(&env, "boothd", NULL, true, NULL);
	REQUIRE(boothd != NULL);
	env_spawn(&env, "booth-printer");
	o = wait_state(owner, status_is, "idle", 10000);
	CHECK(o && json_object_get_int(field(o, "media_left")) == 100);
	json_object_put(o);

	env_printer_control(&env, "delay", "2");
	print(boothd, "m1");
	json_object_put(wait_job(owner, "m1", "processing", 10000));
	CHECK_INT(env_printer_media(&env, 0), ==, 0);
	o = wait_state(owner, has_reason, "media-empty", 5000);
	CHECK(o != NULL);
	CHECK(o && json_object_get_int(field(o, "prints_left")) == 0);
	json_object_put(o);
	CHECK_INT(env_printer_media(&env, 250), ==, 0);
	o = wait_state(owner, lacks_reason, "media-empty", 5000);
	CHECK(o && json_object_get_int(field(o, "media_left")) == 250);
	json_object_put(o);
	o = wait_job(owner, "m1", "completed", 15000);
	CHECK(o != NULL);
	json_object_put(o);
	CHECK_INT(received_for("m1"), ==, 1);
	CHECK_INT(env_printer_received(&env), ==, 1);

	tclient_free(boothd);
	tclient_free(owner);
	env_stop(&env);
}

/* The printer dies in the middle of a job and comes back without it: the strip is sent again and
 * printed once. */
static void test_printer_killed_mid_job(void)
{
	struct tclient *boothd, *owner;
	json_object *o;

	setup();
	owner = owner_client();
	REQUIRE(owner != NULL);
	boothd = tclient_new(&env, "boothd", NULL, true, NULL);
	REQUIRE(boothd != NULL);
	env_spawn(&env, "booth-printer");
	json_object_put(wait_state(owner, status_is, "idle", 10000));

	env_printer_control(&env, "delay", "2");
	print(boothd, "p1");
	json_object_put(wait_job(owner, "p1", "processing", 10000));
	env_printer_stop(&env);
	o = wait_state(owner, status_is, "offline", 10000);
	CHECK(o != NULL);
	json_object_put(o);
	env_printer_control(&env, "delay", NULL);
	/* Unreachable when a job is submitted: held, and sent once it is back. */
	print(boothd, "p2");
	json_object_put(wait_job(owner, "p2", "held", 10000));
	REQUIRE(env_printer_start(&env) == 0);
	o = wait_job(owner, "p1", "completed", 20000);
	CHECK(o != NULL);
	json_object_put(o);
	o = wait_job(owner, "p2", "completed", 20000);
	CHECK(o != NULL);
	json_object_put(o);
	CHECK_INT(received_for("p1"), ==, 1);
	CHECK_INT(received_for("p2"), ==, 1);
	CHECK_INT(env_printer_received(&env), ==, 2);

	tclient_free(boothd);
	tclient_free(owner);
	env_stop(&env);
}

/* Database helpers: what boothd records, written and read directly. */
static int64_t record_session(int64_t *strip)
{
	struct db *db = NULL;
	char dir[400];
	int64_t id = 0, now = wall_msec();

	snprintf(dir, sizeof(dir), "%s/state", env.dir);
	mkdir(dir, 0750);
	if (db_open(env.database, &db) < 0)
		return 0;
	/* Today: a session older than the retention period is deleted, and its prints with it. */
	if (db_session_create(db, 4, "strip", now, &id) < 0 ||
	    db_strip_add(db, id, "strip", photo,
			 "0000000000000000000000000000000000000000000000000000000000000000", now,
			 strip) < 0 ||
	    db_session_end(db, id, "done", "printed", now + 1) < 0)
		id = 0;
	db_close(db);
	return id;
}

static int record_job(const char *key, int64_t session, int64_t strip)
{
	struct db *db = NULL;
	int r;

	if (db_open(env.database, &db) < 0)
		return -1;
	r = db_print_job_add(db, key, session, strip, 3000);
	db_close(db);
	return r;
}

static void job_state(const char *key, char *state, size_t n)
{
	sqlite3 *sql = NULL;
	sqlite3_stmt *st = NULL;

	state[0] = '\0';
	if (sqlite3_open_v2(env.database, &sql, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(sql, "SELECT state FROM print_jobs WHERE job_key = ?", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(sql, 2000);
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(state, n, "%s", (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	sqlite3_close(sql);
}

static bool wait_db_state(const char *key, const char *want, int ms)
{
	long long deadline = env_ms() + ms;
	char state[32] = "";

	while (env_ms() < deadline) {
		job_state(key, state, sizeof(state));
		if (strcmp(state, want) == 0)
			return true;
		usleep(50000);
	}
	fprintf(stderr, "job %s is '%s', not '%s'\n", key, state, want);
	return false;
}

/* Only the first step of a submission: Create-Job named booth-KEY, no document (booth-printer
 * killed between the two steps). Returns the job id or -1. */
static int create_job_only(const char *key)
{
	char uri[128], name[80];
	http_t *http;
	ipp_t *req, *resp;
	ipp_attribute_t *a;
	int id = -1;

	snprintf(uri, sizeof(uri), "ipp://localhost:%d/ipp/print", env.printer_port);
	snprintf(name, sizeof(name), "booth-%s", key);
	http = httpConnect2("localhost", env.printer_port, NULL, AF_UNSPEC,
			    HTTP_ENCRYPTION_IF_REQUESTED, 1, 5000, NULL);
	if (!http)
		return -1;
	req = ippNewRequest(IPP_OP_CREATE_JOB);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL,
		     cupsUser());
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", NULL, name);
	resp = cupsDoRequest(http, req, "/ipp/print");
	a = resp ? ippFindAttribute(resp, "job-id", IPP_TAG_INTEGER) : NULL;
	if (a)
		id = ippGetInteger(a, 0);
	ippDelete(resp);
	httpClose(http);
	return id;
}

/* booth-printer died between creating a job and sending its document: the empty job is not taken
 * for the print. It is canceled, and the strip is sent and printed once. */
static void test_sigkill_between_create_and_send(void)
{
	int64_t session, strip = 0;
	pid_t printerd, boothd;
	int empty;

	setup();
	session = record_session(&strip);
	REQUIRE(session > 0);
	CHECK_INT(record_job("s1-1-c1", session, strip), ==, 0);
	empty = create_job_only("s1-1-c1");
	CHECK(empty > 0);
	printerd = env_spawn(&env, "booth-printer");
	boothd = env_spawn(&env, "boothd");
	CHECK(wait_db_state("s1-1-c1", "completed", 20000));
	CHECK(wait_received(1, 10000));
	usleep(500000);
	CHECK_INT(received_for("s1-1-c1"), ==, 1);
	env_kill_daemon(&env, printerd, SIGTERM);
	env_kill_daemon(&env, boothd, SIGTERM);
	env_stop(&env);
}

/* booth-printer and boothd are killed with SIGKILL at each step of a job; after they restart,
 * every recorded print is printed exactly once. */
static void test_sigkill_each_step(void)
{
	struct tclient *owner;
	int64_t session, strip = 0;
	pid_t printerd, boothd;

	setup();
	session = record_session(&strip);
	REQUIRE(session > 0);
	owner = owner_client();
	REQUIRE(owner != NULL);

	/* 1. Recorded, never sent (boothd died before publishing, or booth-printer was down). */
	CHECK_INT(record_job("s1-1-c1", session, strip), ==, 0);
	printerd = env_spawn(&env, "booth-printer");
	boothd = env_spawn(&env, "boothd");
	CHECK(wait_db_state("s1-1-c1", "completed", 15000));
	CHECK_INT(received_for("s1-1-c1"), ==, 1);

	/* 2. Sent, but booth-printer died before it could say so: the printer has the job. */
	env_kill_daemon(&env, printerd, SIGKILL);
	env_kill_daemon(&env, boothd, SIGKILL);
	CHECK_INT(record_job("s1-1-c2", session, strip), ==, 0);
	CHECK(submit_directly("s1-1-c2") > 0);
	CHECK(wait_received(2, 10000));
	boothd = env_spawn(&env, "boothd");
	printerd = env_spawn(&env, "booth-printer");
	CHECK(wait_db_state("s1-1-c2", "completed", 15000));

	/* 3. Queued, then both die before it completed. */
	env_printer_control(&env, "delay", "2");
	env_kill_daemon(&env, printerd, SIGKILL);
	CHECK_INT(record_job("s1-1-c3", session, strip), ==, 0);
	printerd = env_spawn(&env, "booth-printer");
	CHECK(wait_db_state("s1-1-c3", "queued", 10000) ||
	      wait_db_state("s1-1-c3", "processing", 2000));
	env_kill_daemon(&env, printerd, SIGKILL);
	env_kill_daemon(&env, boothd, SIGKILL);
	env_printer_control(&env, "delay", NULL);
	printerd = env_spawn(&env, "booth-printer");
	boothd = env_spawn(&env, "boothd");
	CHECK(wait_db_state("s1-1-c3", "completed", 15000));

	/* 4. Restarting again changes nothing: finished jobs are not sent again. */
	env_kill_daemon(&env, printerd, SIGKILL);
	printerd = env_spawn(&env, "booth-printer");
	tclient_pump(owner, 2000);
	CHECK_INT(received_for("s1-1-c1"), ==, 1);
	CHECK_INT(received_for("s1-1-c2"), ==, 1);
	CHECK_INT(received_for("s1-1-c3"), ==, 1);
	CHECK_INT(env_printer_received(&env), ==, 3);

	tclient_free(owner);
	env_kill_daemon(&env, printerd, SIGTERM);
	env_kill_daemon(&env, boothd, SIGTERM);
	env_stop(&env);
}

/* Wait for a session/state whose print_notice starts with TEXT (is null when TEXT is NULL). */
static bool wait_notice(struct tclient *c, const char *text, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, T("session/state"), 100);
		json_object *o, *v;
		bool match;

		if (!m)
			continue;
		o = json_tokener_parse(m->payload);
		tmsg_free(m);
		v = field(o, "print_notice");
		match = text ? v && strncmp(json_object_get_string(v), text, strlen(text)) == 0
			     : v == NULL;
		json_object_put(o);
		if (match)
			return true;
	}
	return false;
}

static bool paper_loaded_is(json_object *o, const void *n)
{
	json_object *v = field(o, "paper_loaded");

	return v && json_object_get_int(v) == *(const int *)n;
}

/* The owner's print commands: paper loaded, reprint, cancel the queue, printing, copies. */
static void test_owner_commands(void)
{
	struct tclient *owner, *ui;
	int64_t session, strip = 0;
	json_object *o;
	int ten = 10, nine = 9;

	setup();
	session = record_session(&strip);
	REQUIRE(session > 0);
	owner = owner_client();
	REQUIRE(owner != NULL);
	ui = tclient_new(&env, "ui", NULL, true, NULL);
	REQUIRE(ui != NULL);
	tclient_subscribe(ui, T("session/state"));
	env_spawn(&env, "booth-printer");
	env_spawn(&env, "boothd");
	json_object_put(wait_state(owner, status_is, "idle", 10000));

	o = tclient_request(owner, "paper_loaded", "{\"prints\":10}", 5000);
	CHECK(o && json_object_get_boolean(field(o, "ok")));
	json_object_put(o);
	o = wait_state(owner, paper_loaded_is, &ten, 5000);
	CHECK(o && json_object_get_int(field(o, "prints_left")) == 10);
	json_object_put(o);

	o = tclient_request(owner, "reprint", "{\"session\":1}", 5000);
	CHECK(o && json_object_get_boolean(field(o, "ok")));
	CHECK_STR(o ? str(field(o, "data"), "job") : "", "s1-1-r1");
	json_object_put(o);
	json_object_put(wait_job(owner, "s1-1-r1", "completed", 10000));
	o = wait_state(owner, prints_left_is, &nine, 5000);
	CHECK(o != NULL);
	json_object_put(o);
	o = tclient_request(owner, "reprint", "{\"session\":99}", 5000);
	CHECK(o && !json_object_get_boolean(field(o, "ok")));
	CHECK_STR(o ? str(o, "error") : "", "session 99 has no strip to print");
	json_object_put(o);

	/* Cancel while the printer is away: nothing is printed when it returns. The screen is told
	 * (before any session starts) that strips will wait. */
	CHECK(wait_notice(ui, NULL, 3000));
	env_printer_stop(&env);
	json_object_put(wait_state(owner, status_is, "offline", 10000));
	CHECK(wait_notice(ui, "The printer is not answering", 5000));
	o = tclient_request(owner, "reprint", "{\"session\":1}", 5000);
	CHECK_STR(o ? str(field(o, "data"), "job") : "", "s1-1-r2");
	json_object_put(o);
	json_object_put(wait_job(owner, "s1-1-r2", "held", 10000));
	o = tclient_request(owner, "print_cancel", "{}", 5000);
	CHECK(o && json_object_get_int(field(field(o, "data"), "canceled")) == 1);
	json_object_put(o);
	o = wait_job(owner, "s1-1-r2", "canceled", 5000);
	CHECK(o != NULL);
	json_object_put(o);
	REQUIRE(env_printer_start(&env) == 0);
	json_object_put(wait_state(owner, status_is, "idle", 10000));
	CHECK(wait_notice(ui, NULL, 5000));
	tclient_pump(owner, 1500);
	CHECK_INT(received_for("s1-1-r2"), ==, 0);
	CHECK_INT(env_printer_received(&env), ==, 1);

	o = tclient_request(owner, "copies", "{\"copies\":2}", 5000);
	CHECK(o && json_object_get_int(field(field(o, "data"), "copies")) == 2);
	json_object_put(o);
	o = tclient_request(owner, "printing", "{\"on\":false}", 5000);
	CHECK(o && !json_object_get_boolean(field(field(o, "data"), "printing")));
	CHECK(o && json_object_get_int(field(field(o, "data"), "copies")) == 2);
	json_object_put(o);
	o = tclient_request(owner, "copies", "{\"copies\":5}", 5000);
	CHECK(o && !json_object_get_boolean(field(o, "ok")));
	json_object_put(o);

	tclient_free(ui);
	tclient_free(owner);
	env_stop(&env);
}

/* Make booth.conf print to the private cupsd's queue "booth" instead of the printer itself. */
static int use_queue(void)
{
	char *conf = NULL, *at, *eol;
	long n = read_file_all(env.conf, &conf);
	FILE *f;
	int r = -1;

	at = n > 0 ? strstr(conf, "destination = ") : NULL;
	eol = at ? strchr(at, '\n') : NULL;
	f = eol ? fopen(env.conf, "w") : NULL;
	if (f) {
		fprintf(f, "%.*sdestination = booth%s", (int)(at - conf), conf, eol);
		r = fclose(f) == 0 ? 0 : -1;
	}
	free(conf);
	return r;
}

static int cups_command(const char *cmd)
{
	char line[300];

	snprintf(line, sizeof(line), "%s -h 127.0.0.1:%d booth", cmd, env.cupsd_port);
	return system(line);
}

static bool stopped_or_rejecting(json_object *o, const void *arg)
{
	(void)arg;
	return strcmp(str(o, "status"), "stopped") == 0 ||
	       !json_object_get_boolean(field(o, "accepting"));
}

static bool ready(json_object *o, const void *arg)
{
	(void)arg;
	return strcmp(str(o, "status"), "idle") == 0 &&
	       json_object_get_boolean(field(o, "accepting"));
}

/* Through a real CUPS queue: the queue is stopped and set to reject jobs (as CUPS does after a
 * fault); booth-printer starts it again, and the strip prints once. */
static void test_cups_queue_stopped(void)
{
	struct tclient *boothd, *owner;
	json_object *o;

	setup();
	REQUIRE(env_cupsd_start(&env) == 0);
	REQUIRE(use_queue() == 0);
	owner = owner_client();
	REQUIRE(owner != NULL);
	boothd = tclient_new(&env, "boothd", NULL, true, NULL);
	REQUIRE(boothd != NULL);
	env_spawn(&env, "booth-printer");
	o = wait_state(owner, ready, NULL, 10000);
	CHECK(o != NULL);
	CHECK_STR(o ? str(o, "destination") : "", "booth");
	json_object_put(o);

	CHECK_INT(cups_command("cupsreject"), ==, 0);
	CHECK_INT(cups_command("cupsdisable"), ==, 0);
	print(boothd, "q1");
	o = wait_state(owner, stopped_or_rejecting, NULL, 5000);
	CHECK(o != NULL);
	json_object_put(o);
	o = wait_state(owner, ready, NULL, 15000);
	CHECK(o != NULL);
	json_object_put(o);
	o = wait_job(owner, "q1", "completed", 30000);
	CHECK(o != NULL);
	json_object_put(o);
	CHECK(wait_received(1, 10000));
	CHECK_INT(received_for("q1"), ==, 1);

	/* The printer behind the queue is away when the job is submitted: CUPS keeps it and sends
	 * it when the printer is back. (A printer killed in the middle of a job it got through CUPS
	 * is another matter: CUPS's ipp backend reports such a job completed; see
	 * docs/architecture.md.) */
	tclient_free(boothd);
	boothd = tclient_new(&env, "boothd", NULL, true, NULL);
	REQUIRE(boothd != NULL);
	env_printer_stop(&env);
	print(boothd, "q2");
	json_object_put(wait_job(owner, "q2", "queued", 10000));
	usleep(1000000);
	REQUIRE(env_printer_start(&env) == 0);
	o = wait_job(owner, "q2", "completed", 60000);
	CHECK(o != NULL);
	json_object_put(o);
	CHECK(wait_received(2, 10000));
	CHECK_INT(received_for("q2"), ==, 1);

	tclient_free(boothd);
	tclient_free(owner);
	env_stop(&env);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "repeat_and_adopt", test_repeat_and_adopt },
		{ "retry_then_fail", test_retry_then_fail },
		{ "media_empty_mid_job", test_media_empty_mid_job },
		{ "printer_killed_mid_job", test_printer_killed_mid_job },
		{ "sigkill_each_step", test_sigkill_each_step },
		{ "sigkill_between_create_and_send", test_sigkill_between_create_and_send },
		{ "owner_commands", test_owner_commands },
		{ "cups_queue_stopped", test_cups_queue_stopped },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
