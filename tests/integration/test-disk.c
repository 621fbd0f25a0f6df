/* SPDX-License-Identifier: MIT */
/* A photo store that fills up (a small tmpfs of the test's own): the booth refuses new sessions
 * with a clear message on MQTT, a session caught by a full disk fails cleanly, nothing stored
 * before is damaged, and guests are welcome again once space is freed. */
#include "env.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define T(x) "booth/" ENV_BOOTH "/" x

#define STORE_KIB (48L * 1024) /* the photo store */
#define MIN_FREE  "16"	       /* [boothd] min_free_mb */

static struct env env;

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static bool wait_state(struct tclient *c, const char *needle, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, T("state"), 200);
		bool found = m && strstr(m->payload, needle);

		tmsg_free(m);
		if (found)
			return true;
	}
	return false;
}

/* Write FILE until the store has LEAVE_KIB left (0: until it is full). */
static void fill(const char *file, long leave_kib)
{
	char buf[16384];
	struct statvfs st;
	int fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	REQUIRE(fd >= 0);
	memset(buf, 0x5a, sizeof(buf));
	for (;;) {
		if (leave_kib > 0 && fstatvfs(fd, &st) == 0 &&
		    (long)((unsigned long)st.f_bavail * st.f_frsize / 1024) <= leave_kib)
			break;
		if (write(fd, buf, sizeof(buf)) < 0)
			break;
	}
	close(fd);
}

/* Every photo the database names is there with its checksum; the database is sound. */
static void check_store(void)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int n = 0;

	REQUIRE(sqlite3_open_v2(env.database, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	REQUIRE(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW &&
	      strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0);
	sqlite3_finalize(st);
	REQUIRE(sqlite3_prepare_v2(db, "SELECT path, sha256 FROM photos", -1, &st, NULL) ==
		SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char cmd[1200], out[80] = "";
		FILE *p;

		snprintf(cmd, sizeof(cmd), "sha256sum '%s' 2>/dev/null",
			 (const char *)sqlite3_column_text(st, 0));
		p = popen(cmd, "r");
		if (p) {
			if (!fgets(out, sizeof(out), p))
				out[0] = '\0';
			pclose(p);
		}
		CHECK_MSG(strncmp(out, (const char *)sqlite3_column_text(st, 1), 64) == 0,
			  "%s is damaged or gone", (const char *)sqlite3_column_text(st, 0));
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	CHECK(n > 0);
}

static void test_store_full(void)
{
	struct tclient *owner, *ui;
	char store[400], filler[420];
	json_object *o;
	pid_t camera, boothd;
	struct tmsg *m;

	REQUIRE(env_start_conf(&env, 5, "[boothd]\nprinting = no\nmin_free_mb = " MIN_FREE "\n") ==
		0);
	snprintf(store, sizeof(store), "%s/photos", env.dir);
	REQUIRE(env_small_fs(&env, store, STORE_KIB) == 0);
	snprintf(filler, sizeof(filler), "%s/filler", store);
	owner = tclient_new(&env, "owner", NULL, false, NULL);
	REQUIRE(owner != NULL);
	tclient_subscribe(owner, T("state"));
	tclient_subscribe(owner, T("events/#"));
	tclient_subscribe(owner, T("response/#"));
	ui = tclient_new(&env, "ui", NULL, false, NULL);
	REQUIRE(ui != NULL);
	tclient_subscribe(ui, T("session/state"));
	camera = env_spawn(&env, "booth-camera");
	boothd = env_spawn(&env, "boothd");
	CHECK(wait_state(owner, "\"state\":\"idle\"", 20000));

	/* One session while there is room. */
	o = tclient_request(owner, "session_start", "{}", 10000);
	CHECK(o && json_object_get_boolean(get(o, "ok")));
	json_object_put(o);
	o = tclient_wait_phase(ui, "review", 60000);
	REQUIRE(o != NULL);
	json_object_put(o);
	CHECK_INT(
		tclient_publish(ui, T("session/command"), "{\"action\":\"print\"}", 18, NULL, NULL),
		==, 0);
	o = tclient_wait_phase(ui, "idle", 30000);
	CHECK(o != NULL);
	json_object_put(o);

	/* The store fills up: within its check interval the booth says so and refuses guests. */
	fill(filler, 4L * 1024);
	CHECK(wait_state(owner, "\"blocked\":\"storage\"", 20000));
	/* The owner hears of it once (after the camera's events from the start). */
	while ((m = tclient_wait(owner, T("events/problem"), 5000)) &&
	       !strstr(m->payload, "\"problem\":\"storage\""))
		tmsg_free(m);
	CHECK(m && strstr(m->payload, "\"active\":true"));
	tmsg_free(m);
	o = tclient_request(owner, "session_start", "{}", 10000);
	CHECK(o && !json_object_get_boolean(get(o, "ok")));
	CHECK_STR(o ? json_object_get_string(get(o, "error")) : NULL,
		  "the booth's storage is full");
	json_object_put(o);
	/* A guest's tap starts nothing. */
	CHECK_INT(
		tclient_publish(ui, T("session/command"), "{\"action\":\"start\"}", 18, NULL, NULL),
		==, 0);
	CHECK(tclient_wait_phase(ui, "countdown", 2000) == NULL);

	/* Space comes back: guests are welcome again. */
	CHECK(unlink(filler) == 0);
	CHECK(wait_state(owner, "\"blocked\":null", 20000));

	/* A session that the disk fills up under fails in words, and damages nothing. */
	o = tclient_request(owner, "session_start", "{}", 10000);
	CHECK(o && json_object_get_boolean(get(o, "ok")));
	json_object_put(o);
	fill(filler, 0);
	o = tclient_wait_phase(ui, "error", 60000);
	CHECK(o != NULL);
	CHECK(o && json_object_get_string(get(o, "error")));
	if (o)
		fprintf(stderr, "the session failed with: %s\n",
			json_object_get_string(get(o, "error")));
	json_object_put(o);
	CHECK(env_alive(boothd) && env_alive(camera));
	CHECK(unlink(filler) == 0);
	CHECK(wait_state(owner, "\"blocked\":null", 20000));
	check_store();

	tclient_free(ui);
	tclient_free(owner);
	env_kill_daemon(&env, camera, SIGTERM);
	env_kill_daemon(&env, boothd, SIGTERM);
	env_stop(&env);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "store_full", test_store_full },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
