/* SPDX-License-Identifier: MIT */
/* Resources that go away: the camera vanishing in the middle of a session (the session fails
 * with a clear message and the booth recovers when the camera is back), and the broker missing
 * when the daemons start (they keep trying and serve once it appears). Also the small-filesystem
 * helper that tests of a full disk use. */
#define _GNU_SOURCE 1
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

static struct env env;

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/* A guest taps the attract screen. */
static void tap_start(struct tclient *ui)
{
	CHECK_INT(
		tclient_publish(ui, T("session/command"), "{\"action\":\"start\"}", 18, NULL, NULL),
		==, 0);
}

/* The camera process dies during a session's countdown: the session ends failed and says why,
 * the booth asks for attention and refuses guests, and works again once the camera is back. */
static void test_camera_gone_mid_session(void)
{
	struct tclient *owner, *ui;
	json_object *o;
	pid_t camera, boothd;
	long long t0;
	char sql[128];

	REQUIRE(env_start(&env, 5) == 0);
	REQUIRE(env_conf_set(&env, "countdown_s", "3") == 0);
	owner = tclient_new(&env, "owner", NULL, false, NULL);
	ui = tclient_new(&env, "ui", NULL, true, NULL);
	REQUIRE(owner && ui);
	tclient_subscribe(owner, T("state"));
	tclient_subscribe(owner, T("response/#"));
	tclient_subscribe(ui, T("session/state"));
	camera = env_spawn(&env, "booth-camera");
	boothd = env_spawn(&env, "boothd");
	REQUIRE(tclient_wait_booth_state(owner, "idle", 15000));
	tap_start(ui);
	o = tclient_wait_phase(ui, "countdown", 5000);
	REQUIRE(o != NULL);
	json_object_put(o);

	t0 = env_ms();
	env_kill_daemon(&env, camera, SIGKILL);
	o = tclient_wait_phase(ui, "error", 10000);
	REQUIRE(o != NULL);
	fprintf(stderr, "the session failed %lld ms after the camera died\n", env_ms() - t0);
	CHECK_STR(json_object_get_string(get(o, "outcome")), "failed");
	CHECK_STR(json_object_get_string(get(o, "error")), "the camera was disconnected");
	CHECK_INT(json_object_get_int(get(o, "id")), ==, 1);
	json_object_put(o);
	o = tclient_wait_phase(ui, "idle", 5000);
	CHECK(o != NULL);
	json_object_put(o);
	CHECK(tclient_wait_booth_state(owner, "attention", 5000));
	o = tclient_request(owner, "session_start", "{}", 5000);
	CHECK(o && !json_object_get_boolean(get(o, "ok")));
	CHECK_STR(o ? json_object_get_string(get(o, "error")) : NULL, "the camera is not ready");
	json_object_put(o);
	{
		sqlite3 *db;
		sqlite3_stmt *st;

		REQUIRE(sqlite3_open_v2(env.database, &db, SQLITE_OPEN_READONLY, NULL) ==
			SQLITE_OK);
		snprintf(sql, sizeof(sql), "SELECT outcome FROM sessions WHERE id = 1");
		REQUIRE(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK);
		CHECK(sqlite3_step(st) == SQLITE_ROW);
		CHECK_STR((const char *)sqlite3_column_text(st, 0), "failed");
		sqlite3_finalize(st);
		sqlite3_close(db);
	}

	/* The camera is back: so is the booth, and the next guest gets a whole session. */
	REQUIRE(env_conf_set(&env, "countdown_s", "0") == 0);
	camera = env_spawn(&env, "booth-camera");
	CHECK(tclient_wait_booth_state(owner, "idle", 15000));
	tap_start(ui);
	o = tclient_wait_phase(ui, "review", 30000);
	CHECK(o != NULL);
	CHECK_INT(o ? json_object_get_int(get(o, "id")) : 0, ==, 2);
	json_object_put(o);
	CHECK(env_alive(boothd) && env_alive(camera));
	tclient_free(owner);
	tclient_free(ui);
	env_kill_daemon(&env, boothd, SIGTERM);
	env_kill_daemon(&env, camera, SIGTERM);
	env_stop(&env);
}

/* The daemons start before the broker: they keep trying, do not exit, and serve once it is
 * there. */
static void test_broker_late(void)
{
	static const char *const names[] = { "boothd", "booth-camera", "booth-printer",
					     "booth-ui" };
	static const char *const avail[] = { "boothd", "camera", "printer", "ui" };
	struct tclient *owner;
	pid_t pids[4];
	bool online[4] = { false };
	long long t0, deadline, worst = 0;
	json_object *o;
	int n = 0;

	REQUIRE(env_start_conf(&env, 5, "[ui]\nbackend = headless\nwidth = 320\nheight = 240\n") ==
		0);
	REQUIRE(env_printer_start(&env) == 0);
	env_broker_stop(&env, SIGTERM);
	for (int i = 0; i < 4; i++)
		pids[i] = env_spawn(&env, names[i]);
	/* Three seconds without a broker: every backoff step up to the longest is taken. */
	usleep(3000000);
	for (int i = 0; i < 4; i++)
		CHECK_MSG(env_alive(pids[i]), "%s exited without a broker", names[i]);
	REQUIRE(env_broker_start(&env) == 0);
	t0 = env_ms();
	owner = tclient_new(&env, "owner", NULL, false, NULL);
	REQUIRE(owner);
	tclient_subscribe(owner, T("availability/+"));
	tclient_subscribe(owner, T("state"));
	tclient_subscribe(owner, T("response/#"));
	deadline = t0 + 10000;
	while (n < 4 && env_ms() < deadline) {
		struct tmsg *m = tclient_wait(owner, T("availability/+"), 100);

		for (int i = 0; m && i < 4; i++) {
			if (!online[i] && strcmp(strrchr(m->topic, '/') + 1, avail[i]) == 0 &&
			    strcmp(m->payload, "online") == 0) {
				online[i] = true;
				n++;
				worst = env_ms() - t0;
			}
		}
		tmsg_free(m);
	}
	printf("# every process online %lld ms after the broker started\n", worst);
	for (int i = 0; i < 4; i++)
		CHECK_MSG(online[i], "%s did not come online", names[i]);
	/* Serving, not only connected: a guest session starts. */
	CHECK(tclient_wait_booth_state(owner, "idle", 10000));
	o = tclient_request(owner, "session_start", "{}", 5000);
	CHECK(o && json_object_get_boolean(get(o, "ok")));
	json_object_put(o);
	for (int i = 0; i < 4; i++) {
		CHECK_MSG(env_alive(pids[i]), "%s exited", names[i]);
		env_kill_daemon(&env, pids[i], SIGTERM);
	}
	tclient_free(owner);
	env_stop(&env);
}

/* The helper for full-disk tests: a tmpfs of the given size that fills up, seen only here. */
static void test_small_fs(void)
{
	char path[400], buf[4096];
	struct statvfs vfs;
	long written = 0;
	int fd, r;

	REQUIRE(env_start(&env, 5) == 0);
	snprintf(path, sizeof(path), "%s/photos", env.dir);
	r = env_small_fs(&env, path, 256);
	REQUIRE(r == 0);
	REQUIRE(statvfs(path, &vfs) == 0);
	CHECK_INT((long long)vfs.f_blocks * (long long)vfs.f_frsize, ==, 256LL * 1024);
	snprintf(path, sizeof(path), "%s/photos/fill", env.dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	REQUIRE(fd >= 0);
	memset(buf, 'x', sizeof(buf));
	while (written < 1024L * 1024) {
		ssize_t n = write(fd, buf, sizeof(buf));

		if (n < 0) {
			r = -errno;
			break;
		}
		written += n;
	}
	close(fd);
	CHECK_INT(r, ==, -ENOSPC);
	CHECK_INT(written, <=, 256L * 1024);
	/* Not in the host's mount table: the namespace is the test's own. */
	snprintf(buf, sizeof(buf), "grep -q '%s/photos' /proc/1/mountinfo", env.dir);
	CHECK(system(buf) != 0);
	env_stop(&env);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "camera_gone_mid_session", test_camera_gone_mid_session },
		{ "broker_late", test_broker_late },
		{ "small_fs", test_small_fs },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
