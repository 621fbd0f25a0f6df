/* SPDX-License-Identifier: MIT */
/* Unit tests for boothd's database: migrations, events, refusal of newer or damaged files. */
#include "db.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[64];
static char path[128];

static void fresh(void)
{
	strcpy(dir, "/tmp/booth-test-db-XXXXXX");
	if (!mkdtemp(dir))
		test_fail(__FILE__, __LINE__, "mkdtemp");
	snprintf(path, sizeof(path), "%s/booth.db", dir);
}

static void cleanup(void)
{
	char p[160];

	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	unlink(path);
	rmdir(dir);
}

static int64_t scalar(const char *sql)
{
	sqlite3 *s;
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_open(path, &s) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(s, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(s);
	return v;
}

static void test_migrate(void)
{
	struct db *db = NULL;

	fresh();
	REQUIRE(db_open(path, &db) == 0);
	CHECK_INT(db_schema_version(db), ==, DB_SCHEMA_VERSION);
	CHECK_INT(db_check(db), ==, 0);
	db = db_close(db);
	CHECK_INT(scalar("PRAGMA user_version"), ==, DB_SCHEMA_VERSION);
	CHECK_INT(scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
			 "('events','sessions','photos','strips','print_jobs','settings',"
			 "'telemetry_consent')"),
		  ==, 7);
	CHECK_INT(scalar("SELECT count(*) FROM telemetry_consent WHERE decision = 'undecided'"), ==,
		  1);
	/* Opening again runs no migration twice. */
	REQUIRE(db_open(path, &db) == 0);
	CHECK_INT(db_schema_version(db), ==, DB_SCHEMA_VERSION);
	db_close(db);
	CHECK_INT(scalar("SELECT count(*) FROM telemetry_consent"), ==, 1);
	cleanup();
}

static void test_pragmas(void)
{
	struct db *db = NULL;

	fresh();
	REQUIRE(db_open(path, &db) == 0);
	CHECK_INT(scalar("PRAGMA journal_mode = WAL") >= 0, ==, 1);
	db_close(db);
	{
		sqlite3 *s;
		sqlite3_stmt *st;

		REQUIRE(sqlite3_open(path, &s) == SQLITE_OK);
		REQUIRE(sqlite3_prepare_v2(s, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK);
		REQUIRE(sqlite3_step(st) == SQLITE_ROW);
		CHECK_STR((const char *)sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
		sqlite3_close(s);
	}
	cleanup();
}

static void test_events(void)
{
	struct db *db = NULL;
	struct db_event ev, cur;
	int64_t sessions = -1, photos = -1;

	fresh();
	REQUIRE(db_open(path, &db) == 0);
	CHECK_INT(db_event_current(db, &cur), ==, 0);
	CHECK_INT(db_event_end(db, 5, &ev, &sessions), ==, -ENOENT);
	CHECK_INT(db_event_start(db, "wedding", "Anna & Ben", 1000, &ev), ==, 0);
	CHECK_INT(ev.id, >, 0);
	CHECK_INT(db_event_start(db, "other", "", 1001, &cur), ==, -EBUSY);
	CHECK_INT(db_event_current(db, &cur), ==, 1);
	CHECK_STR(cur.name, "wedding");
	CHECK_STR(cur.title, "Anna & Ben");
	CHECK_INT(cur.started, ==, 1000);
	CHECK_INT(db_event_end(db, 2000, &cur, &sessions), ==, 0);
	CHECK_INT(sessions, ==, 0);
	CHECK_INT(cur.ended, ==, 2000);
	CHECK_INT(db_event_current(db, &cur), ==, 0);
	CHECK_INT(db_event_start(db, "party", "", 3000, &ev), ==, 0);
	CHECK_INT(db_counts_since(db, 0, &sessions, &photos), ==, 0);
	CHECK_INT(sessions, ==, 0);
	CHECK_INT(photos, ==, 0);
	db_close(db);
	CHECK_INT(scalar("SELECT count(*) FROM events"), ==, 2);
	cleanup();
}

static int forgotten;
static void count_path(const char *p, void *userdata)
{
	(void)userdata;
	CHECK(p[0] == '/');
	forgotten++;
}

static int unfinished;
static void count_unfinished(const struct db_session *s, void *userdata)
{
	(void)userdata;
	CHECK_STR(s->state, "capture");
	CHECK_INT(s->shots, ==, 4);
	CHECK_STR(s->layout, "2x6-strip");
	unfinished++;
}

static void test_sessions(void)
{
	struct db *db = NULL;
	struct db_event ev;
	char paths[6][4096];
	int64_t id = 0, id2 = 0, strip = 0;

	fresh();
	REQUIRE(db_open(path, &db) == 0);
	CHECK_INT(db_event_start(db, "party", "", 1, &ev), ==, 0);
	CHECK_INT(db_session_create(db, 4, "2x6-strip", 1000, &id), ==, 0);
	CHECK_INT(db_session_set_state(db, id, "capture", 1001), ==, 0);
	CHECK_INT(db_photo_add(db, id, 2, "/p/s1-2.jpg", "ab", 100, 50, 1002), ==, 0);
	CHECK_INT(db_photo_add(db, id, 1, "/p/s1-1.jpg", "cd", 100, 50, 1003), ==, 0);
	/* A repeated announcement is recognised. */
	CHECK_INT(db_photo_add(db, id, 1, "/p/s1-1b.jpg", "cd", 100, 50, 1003), ==, -EEXIST);
	CHECK_INT(db_photo_paths(db, id, paths, 6), ==, 2);
	CHECK_STR(paths[0], "/p/s1-1.jpg");
	CHECK_STR(paths[1], "/p/s1-2.jpg");
	CHECK_INT(db_strip_add(db, id, "2x6-strip", "/p/s1-strip.jpg", "ef", 1004, &strip), ==, 0);
	CHECK_INT(db_print_job_exists(db, id), ==, 0);
	CHECK_INT(db_print_job_add(db, "s1-1-c1", id, strip, 1005), ==, 0);
	CHECK_INT(db_print_job_add(db, "s1-1-c1", id, strip, 1005), ==, -EEXIST);
	CHECK_INT(db_print_job_exists(db, id), ==, 1);
	CHECK_INT(db_print_job_update(db, "s1-1-c1", "queued", 7, NULL, 1006), ==, 1);
	CHECK_INT(db_print_job_update(db, "s1-1-c1", "failed", 0, "jam", 1007), ==, 1);
	CHECK_INT(db_print_job_update(db, "nosuchjob", "failed", 0, "jam", 1007), ==, 0);
	/* Unfinished sessions are found after a restart. */
	CHECK_INT(db_session_create(db, 4, "2x6-strip", 2000, &id2), ==, 0);
	CHECK_INT(db_session_set_state(db, id2, "capture", 2001), ==, 0);
	CHECK_INT(db_session_end(db, id, "done", "printed", 3000), ==, 0);
	unfinished = 0;
	CHECK_INT(db_sessions_unfinished(db, count_unfinished, NULL), ==, 0);
	CHECK_INT(unfinished, ==, 1);
	/* Forgetting a session hands over every file, after the rows are gone. */
	forgotten = 0;
	CHECK_INT(db_session_forget(db, id, 1, count_path, NULL), ==, 0);
	CHECK_INT(forgotten, ==, 3);
	CHECK_INT(db_photo_paths(db, id, paths, 6), ==, 0);
	db_close(db);
	CHECK_INT(scalar("SELECT count(*) FROM sessions"), ==, 2);
	CHECK_INT(scalar("SELECT count(*) FROM sessions WHERE outcome = 'printed' AND ended = 3000 "
			 "AND state = 'done'"),
		  ==, 1);
	CHECK_INT(scalar("SELECT event_id FROM sessions WHERE id = 1"), ==, ev.id);
	CHECK_INT(scalar("SELECT count(*) FROM strips"), ==, 0);
	/* The failed job was not printed, so it went with the session. */
	CHECK_INT(scalar("SELECT count(*) FROM print_jobs"), ==, 0);
	cleanup();
}

/* A fresh database with one session (at 10) and its strip (at 11). */
static int fresh_with_strip(struct db **db, int64_t *id, int64_t *strip)
{
	fresh();
	if (db_open(path, db) < 0 || db_session_create(*db, 1, "4x6-single", 10, id) < 0)
		return -1;
	return db_strip_add(*db, *id, "4x6-single", "/p/x.jpg", "00", 11, strip);
}

static void test_print_job_fields(void)
{
	struct db *db = NULL;
	int64_t id = 0, strip = 0;

	REQUIRE(fresh_with_strip(&db, &id, &strip) == 0);
	CHECK_INT(db_print_job_add(db, "k1", id, strip, 12), ==, 0);
	CHECK_INT(db_print_job_update(db, "k1", "queued", 42, NULL, 13), ==, 1);
	db_close(db);
	CHECK_INT(scalar("SELECT ipp_job_id FROM print_jobs WHERE job_key = 'k1' AND state = "
			 "'queued' AND error IS NULL AND attempts = 1 AND updated = 13"),
		  ==, 42);
	cleanup();
}

static void exec_sql(const char *sql)
{
	sqlite3 *s;

	REQUIRE(sqlite3_open(path, &s) == SQLITE_OK);
	CHECK_MSG(sqlite3_exec(s, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql,
		  sqlite3_errmsg(s));
	sqlite3_close(s);
}

/* A database of schema 1, with a finished session and its print, is brought to the current
 * schema: the old session keeps its rows and simply has no figures. */
static void test_migrate_from_1(void)
{
	struct db *db = NULL;
	struct db_session_stats st;
	int64_t id = 0, strip = 0;

	REQUIRE(fresh_with_strip(&db, &id, &strip) == 0);
	CHECK_INT(db_print_job_add(db, "s1-1-c1", id, strip, 12), ==, 0);
	CHECK_INT(db_print_job_update(db, "s1-1-c1", "completed", 3, NULL, 13), ==, 1);
	CHECK_INT(db_session_end(db, id, "done", "printed", 14), ==, 0);
	db_close(db);
	/* What schema 1 was: none of the figures' tables and columns. */
	exec_sql("DROP TABLE shot_stats; DROP TABLE session_stats;"
		 "ALTER TABLE print_jobs DROP COLUMN accepted;"
		 "ALTER TABLE print_jobs DROP COLUMN printed; PRAGMA user_version = 1;");
	REQUIRE(db_open(path, &db) == 0);
	CHECK_INT(db_schema_version(db), ==, DB_SCHEMA_VERSION);
	CHECK_INT(db_check(db), ==, 0);
	CHECK_INT(db_stats_get(db, id, &st), ==, 0);
	/* Sessions from now on have figures. */
	CHECK_INT(db_session_create(db, 1, "4x6-single", 20, &id), ==, 0);
	CHECK_INT(db_stats_get(db, id, &st), ==, 1);
	db_close(db);
	CHECK_INT(scalar("SELECT count(*) FROM print_jobs WHERE state = 'completed'"), ==, 1);
	CHECK_INT(scalar("SELECT count(*) FROM session_stats"), ==, 1);
	cleanup();
}

static int listed;
static void count_listed(const struct db_session_stats *s, void *userdata)
{
	int64_t *want = userdata;

	CHECK_INT(s->session, ==, want[listed]);
	CHECK(s->complete > 0);
	listed++;
}

/* What a session's figures are made of: boothd's record, booth-ui's report, the print jobs of
 * its copies (not of its reprints), and the final figures, which change no more. */
static void test_stats(void)
{
	struct db *db = NULL;
	struct db_session_stats st, got;
	int64_t id = 0, id2 = 0, strip = 0, ids[4];
	int64_t want[2];

	fresh();
	REQUIRE(db_open(path, &db) == 0);
	CHECK_INT(db_session_create(db, 2, "2x6-strip", 1000, &id), ==, 0);
	CHECK_INT(db_stats_get(db, id, &got), ==, 1);
	CHECK_INT(got.trigger_us, ==, DB_UNKNOWN);
	CHECK_INT(got.review_shown_us, ==, DB_UNKNOWN);
	CHECK(!got.ui_reported);
	CHECK_INT(got.shots, ==, 0);
	CHECK_INT(got.copies, ==, 0);
	CHECK_INT(got.complete, ==, 0);
	/* Not ended: nothing is open yet. */
	CHECK_INT(db_stats_open(db, ids, 4), ==, 0);

	memset(&st, 0, sizeof(st));
	st.session = id;
	st.trigger_us = 5000000;
	st.print_pressed = 1100;
	st.shots = 2;
	st.trigger_to_frame_us[0] = 33000;
	st.trigger_to_frame_us[1] = DB_UNKNOWN;
	CHECK_INT(db_stats_record(db, &st), ==, 0);
	CHECK_INT(db_strip_add(db, id, "2x6-strip", "/p/s.jpg", "00", 1050, &strip), ==, 0);
	CHECK_INT(db_print_job_add(db, "s1-1-c1", id, strip, 1101), ==, 0);
	CHECK_INT(db_print_job_add(db, "s1-1-c2", id, strip, 1101), ==, 0);
	CHECK_INT(db_print_job_add(db, "s1-1-r1", id, strip, 1102), ==, 0);
	CHECK_INT(db_print_job_update(db, "s1-1-c1", "held", 0, "busy", 1110), ==, 1);
	CHECK_INT(db_print_job_update(db, "s1-1-c1", "queued", 5, NULL, 1120), ==, 1);
	CHECK_INT(db_print_job_update(db, "s1-1-c2", "queued", 6, NULL, 1130), ==, 1);
	CHECK_INT(db_print_job_update(db, "s1-1-c1", "processing", 5, NULL, 1200), ==, 1);
	CHECK_INT(db_print_job_update(db, "s1-1-c1", "completed", 5, NULL, 9000), ==, 1);
	CHECK_INT(db_print_job_update(db, "s1-1-r1", "completed", 7, NULL, 9500), ==, 1);
	CHECK_INT(db_session_end(db, id, "done", "printed", 1140), ==, 0);
	CHECK_INT(db_stats_open(db, ids, 4), ==, 1);
	CHECK_INT(ids[0], ==, id);

	CHECK_INT(db_stats_get(db, id, &got), ==, 1);
	CHECK_INT(got.ended, ==, 1140);
	CHECK_STR(got.outcome, "printed");
	CHECK_INT(got.trigger_us, ==, 5000000);
	CHECK_INT(got.print_pressed, ==, 1100);
	CHECK_INT(got.shots, ==, 2);
	CHECK_INT(got.trigger_to_frame_us[0], ==, 33000);
	CHECK_INT(got.trigger_to_frame_us[1], ==, DB_UNKNOWN);
	/* Two copies, the reprint not counted; the first accepted when it left "held". */
	CHECK_INT(got.copies, ==, 2);
	CHECK_INT(got.copies_accepted, ==, 2);
	CHECK_INT(got.copies_finished, ==, 1);
	CHECK_INT(got.copies_printed, ==, 1);
	CHECK_INT(got.accepted_at, ==, 1130);
	CHECK_INT(got.printed_at, ==, 9000);

	/* booth-ui reports once. */
	st.review_shown_us = 5900000;
	st.preview_frames = 40;
	st.preview_dropped = 1;
	st.preview_ms = 4000;
	CHECK_INT(db_stats_ui(db, &st), ==, 1);
	st.preview_frames = 99;
	CHECK_INT(db_stats_ui(db, &st), ==, 0);
	st.session = 999;
	CHECK_INT(db_stats_ui(db, &st), ==, 0);
	st.session = id;
	CHECK_INT(db_stats_get(db, id, &got), ==, 1);
	CHECK(got.ui_reported);
	CHECK_INT(got.review_shown_us, ==, 5900000);
	CHECK_INT(got.preview_frames, ==, 40);
	CHECK_INT(got.preview_dropped, ==, 1);
	CHECK_INT(got.preview_ms, ==, 4000);

	/* Final once: later records, reports and completions change nothing. */
	got.capture_to_strip_ms = 900;
	got.print_to_accepted_ms = 30;
	got.accepted_to_printed_ms = DB_UNKNOWN;
	got.printed = false;
	CHECK_INT(db_stats_complete(db, &got, 9100), ==, 1);
	got.capture_to_strip_ms = 1;
	CHECK_INT(db_stats_complete(db, &got, 9200), ==, 0);
	st.trigger_us = 1;
	st.shots = 1;
	CHECK_INT(db_stats_record(db, &st), ==, 0);
	CHECK_INT(db_stats_open(db, ids, 4), ==, 0);
	CHECK_INT(db_stats_get(db, id, &got), ==, 1);
	CHECK_INT(got.complete, ==, 9100);
	CHECK_INT(got.trigger_us, ==, 5000000);
	CHECK_INT(got.shots, ==, 2);
	CHECK_INT(got.capture_to_strip_ms, ==, 900);
	CHECK_INT(got.print_to_accepted_ms, ==, 30);
	CHECK_INT(got.accepted_to_printed_ms, ==, DB_UNKNOWN);
	CHECK(!got.printed);

	/* Listing: final figures only, newest first, by start time and event. */
	CHECK_INT(db_session_create(db, 1, "4x6-single", 5000, &id2), ==, 0);
	CHECK_INT(db_session_end(db, id2, "done", "kept", 5100), ==, 0);
	memset(&got, 0, sizeof(got));
	got.session = id2;
	got.capture_to_strip_ms = got.print_to_accepted_ms = got.accepted_to_printed_ms =
		DB_UNKNOWN;
	CHECK_INT(db_stats_complete(db, &got, 5200), ==, 1);
	want[0] = id2;
	want[1] = id;
	listed = 0;
	CHECK_INT(db_stats_list(db, 0, 0, 10, count_listed, want), ==, 2);
	CHECK_INT(listed, ==, 2);
	listed = 0;
	CHECK_INT(db_stats_list(db, 2000, 0, 10, count_listed, want), ==, 1);
	listed = 0;
	CHECK_INT(db_stats_list(db, 0, 7, 10, count_listed, want), ==, 0);
	db_close(db);
	cleanup();
}

/* Print: the session's state and a job per copy in one commit; a repeated Print makes no second
 * job. */
static void test_session_print(void)
{
	static const char *const keys[] = { "s1-1-c1", "s1-1-c2" };
	struct db *db = NULL;
	int64_t id = 0, strip = 0;

	REQUIRE(fresh_with_strip(&db, &id, &strip) == 0);
	CHECK_INT(db_session_print(db, id, "print", strip, keys, 2, 12), ==, 0);
	CHECK_INT(db_print_job_update(db, "s1-1-c1", "queued", 3, NULL, 13), ==, 1);
	CHECK_INT(db_session_print(db, id, "print", strip, keys, 2, 14), ==, 0);
	db_close(db);
	CHECK_INT(scalar("SELECT count(*) FROM sessions WHERE state = 'print' AND updated = 14"),
		  ==, 1);
	CHECK_INT(scalar("SELECT count(*) FROM print_jobs WHERE session_id = 1 AND strip_id = 1"),
		  ==, 2);
	CHECK_INT(scalar("SELECT count(*) FROM print_jobs WHERE state = 'queued'"), ==, 1);
	cleanup();
}

static void test_newer_schema_refused(void)
{
	struct db *db = NULL;
	sqlite3 *s;

	fresh();
	REQUIRE(sqlite3_open(path, &s) == SQLITE_OK);
	REQUIRE(sqlite3_exec(s, "PRAGMA user_version = 99", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(s);
	CHECK_INT(db_open(path, &db), ==, -EPROTO);
	CHECK(db == NULL);
	cleanup();
}

static void test_garbage_refused(void)
{
	struct db *db = NULL;
	int fd;

	fresh();
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	REQUIRE(fd >= 0);
	for (int i = 0; i < 64; i++)
		CHECK_INT(write(fd, "this is not a database, only text\n", 35), ==, 35);
	close(fd);
	CHECK_INT(db_open(path, &db), ==, -EBADMSG);
	CHECK(db == NULL);
	cleanup();
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "migrate", test_migrate },
		{ "migrate_from_1", test_migrate_from_1 },
		{ "stats", test_stats },
		{ "session_print", test_session_print },
		{ "pragmas", test_pragmas },
		{ "events", test_events },
		{ "sessions", test_sessions },
		{ "print_job_fields", test_print_job_fields },
		{ "newer_schema_refused", test_newer_schema_refused },
		{ "garbage_refused", test_garbage_refused },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
