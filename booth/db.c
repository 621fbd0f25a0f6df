/* SPDX-License-Identifier: MIT */
/* boothd's SQLite database. SQLite result codes are translated to -errno here and nowhere else. */
#include "db.h"
#include "log.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct db {
	sqlite3 *sql;
};

/* Each entry brings the schema from version i to i + 1; never edit one that has shipped. */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),"
	"  title TEXT NOT NULL DEFAULT '' CHECK (length(title) <= 80),"
	"  started INTEGER NOT NULL,"
	"  ended INTEGER);"
	"CREATE UNIQUE INDEX events_one_running ON events((ended IS NULL)) WHERE ended IS NULL;"
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  event_id INTEGER REFERENCES events(id) ON DELETE SET NULL,"
	"  state TEXT NOT NULL,"
	"  shots INTEGER NOT NULL CHECK (shots BETWEEN 1 AND 6),"
	"  layout TEXT NOT NULL,"
	"  started INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  ended INTEGER,"
	"  outcome TEXT);"
	"CREATE INDEX sessions_started ON sessions(started);"
	"CREATE INDEX sessions_event ON sessions(event_id);"
	"CREATE TABLE photos ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  shot INTEGER NOT NULL,"
	"  path TEXT NOT NULL UNIQUE,"
	"  sha256 TEXT NOT NULL,"
	"  width INTEGER NOT NULL,"
	"  height INTEGER NOT NULL,"
	"  taken INTEGER NOT NULL,"
	"  UNIQUE (session_id, shot));"
	"CREATE TABLE strips ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  layout TEXT NOT NULL,"
	"  path TEXT NOT NULL UNIQUE,"
	"  sha256 TEXT NOT NULL,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE print_jobs ("
	"  id INTEGER PRIMARY KEY,"
	"  job_key TEXT NOT NULL UNIQUE,"
	"  session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,"
	"  strip_id INTEGER REFERENCES strips(id) ON DELETE CASCADE,"
	"  copies INTEGER NOT NULL DEFAULT 1 CHECK (copies BETWEEN 1 AND 10),"
	"  state TEXT NOT NULL,"
	"  ipp_job_id INTEGER,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL);"
	"CREATE TABLE settings ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL,"
	"  updated INTEGER NOT NULL);"
	"CREATE TABLE telemetry_consent ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  decision TEXT NOT NULL CHECK (decision IN ('undecided', 'declined', 'accepted')),"
	"  schema_version INTEGER,"
	"  decided INTEGER,"
	"  how TEXT);"
	"INSERT INTO telemetry_consent (id, decision) VALUES (1, 'undecided');",
	/* 1 -> 2: the booth measures itself (docs/performance.md). Times named *_us are
	 * CLOCK_MONOTONIC microseconds, durations *_ms, the rest milliseconds since 1970. */
	"ALTER TABLE print_jobs ADD COLUMN accepted INTEGER;"
	"ALTER TABLE print_jobs ADD COLUMN printed INTEGER;"
	"CREATE TABLE session_stats ("
	"  session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,"
	"  trigger_us INTEGER,"
	"  print_pressed INTEGER,"
	"  ui_reported INTEGER NOT NULL DEFAULT 0,"
	"  review_shown_us INTEGER,"
	"  preview_frames INTEGER,"
	"  preview_dropped INTEGER,"
	"  preview_ms INTEGER,"
	"  complete INTEGER,"
	"  capture_to_strip_ms INTEGER,"
	"  print_to_accepted_ms INTEGER,"
	"  accepted_to_printed_ms INTEGER,"
	"  printed INTEGER);"
	"CREATE INDEX session_stats_open ON session_stats(session_id) WHERE complete IS NULL;"
	"CREATE TABLE shot_stats ("
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  shot INTEGER NOT NULL CHECK (shot BETWEEN 1 AND 6),"
	"  trigger_to_frame_us INTEGER,"
	"  PRIMARY KEY (session_id, shot));",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == DB_SCHEMA_VERSION,
	       "one migration per schema version");

static int sql_error(struct db *db, int rc, const char *what)
{
	int ext = sqlite3_extended_errcode(db->sql);

	log_error("Database: %s: %s", what, sqlite3_errmsg(db->sql));
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return -EBADMSG;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_CONSTRAINT:
		return ext == SQLITE_CONSTRAINT_UNIQUE ? -EEXIST : -EINVAL;
	default:
		return -EIO;
	}
}

/* Step ST (prepared and bound) into IDS, its first column, at most MAX; finalize it. Returns how
 * many, or the error of WHAT. */
static int step_ids(struct db *db, sqlite3_stmt *st, int64_t *ids, int max, const char *what)
{
	int rc, n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max)
		ids[n++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_error(db, rc, what);
	return n;
}

static int exec(struct db *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->sql, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int r = sql_error(db, rc, msg ? msg : sql);

		sqlite3_free(msg);
		return r;
	}
	return 0;
}

static int prepare(struct db *db, const char *sql, sqlite3_stmt **ret)
{
	int rc = sqlite3_prepare_v2(db->sql, sql, -1, ret, NULL);

	return rc == SQLITE_OK ? 0 : sql_error(db, rc, sql);
}

static int query_int(struct db *db, const char *sql, int64_t *ret)
{
	sqlite3_stmt *st;
	int r = prepare(db, sql, &st);

	if (r < 0)
		return r;
	if (sqlite3_step(st) == SQLITE_ROW)
		*ret = sqlite3_column_int64(st, 0);
	else
		r = sql_error(db, sqlite3_errcode(db->sql), sql);
	sqlite3_finalize(st);
	return r;
}

int db_schema_version(struct db *db)
{
	int64_t v = -1;

	return query_int(db, "PRAGMA user_version", &v) < 0 ? -EIO : (int)v;
}

static int migrate(struct db *db)
{
	int version = db_schema_version(db);
	char sql[64];
	int r;

	if (version < 0)
		return -EBADMSG;
	if (version > DB_SCHEMA_VERSION) {
		log_error("The database has schema version %d; this boothd knows up to %d. "
			  "Install the newer software or restore a backup.",
			  version, DB_SCHEMA_VERSION);
		return -EPROTO;
	}
	for (; version < DB_SCHEMA_VERSION; version++) {
		r = exec(db, "BEGIN IMMEDIATE");
		if (r < 0)
			return r;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
		r = exec(db, migrations[version]);
		if (r == 0)
			r = exec(db, sql);
		if (r == 0)
			r = exec(db, "COMMIT");
		if (r < 0) {
			exec(db, "ROLLBACK");
			return r;
		}
		log_info("Database migrated to schema version %d", version + 1);
	}
	return 0;
}

int db_open(const char *path, struct db **ret)
{
	struct db *db;
	int rc, r;

	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	rc = sqlite3_open_v2(path, &db->sql,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		r = db->sql ? sql_error(db, rc, path) : -ENOMEM;
		goto fail;
	}
	sqlite3_extended_result_codes(db->sql, 1);
	r = sqlite3_busy_timeout(db->sql, 5000) == SQLITE_OK ? 0 : -EIO;
	/* WAL keeps readers off the writer's back; synchronous=FULL makes a commit survive power
	 * loss, not only a crash, which is worth its small cost for guests' photos. */
	if (r == 0)
		r = exec(db, "PRAGMA journal_mode = WAL");
	if (r == 0)
		r = exec(db, "PRAGMA synchronous = FULL");
	if (r == 0)
		r = exec(db, "PRAGMA foreign_keys = ON");
	/* Deleted rows (guests' sessions) are overwritten, not left in free pages. */
	if (r == 0)
		r = exec(db, "PRAGMA secure_delete = ON");
	/* The booth's database is small and the kernel caches its file: a 512 KiB page cache
	 * (SQLite's default is 2 MiB) keeps boothd's memory flat as the database grows. */
	if (r == 0)
		r = exec(db, "PRAGMA cache_size = -512");
	if (r == 0)
		r = migrate(db);
	if (r < 0)
		goto fail;
	*ret = db;
	return 0;
fail:
	if (r == -EBADMSG)
		log_error("%s is not a booth database or is damaged", path);
	db_close(db);
	return r;
}

struct db *db_close(struct db *db)
{
	if (!db)
		return NULL;
	sqlite3_close(db->sql);
	free(db);
	return NULL;
}

static void read_event(sqlite3_stmt *st, struct db_event *ev)
{
	const unsigned char *name = sqlite3_column_text(st, 1);
	const unsigned char *title = sqlite3_column_text(st, 2);

	memset(ev, 0, sizeof(*ev));
	ev->id = sqlite3_column_int64(st, 0);
	strscpy(ev->name, name ? (const char *)name : "", sizeof(ev->name));
	strscpy(ev->title, title ? (const char *)title : "", sizeof(ev->title));
	ev->started = sqlite3_column_int64(st, 3);
	ev->ended = sqlite3_column_int64(st, 4);
}

int db_event_current(struct db *db, struct db_event *ret)
{
	sqlite3_stmt *st;
	int r, rc;

	r = prepare(db, "SELECT id, name, title, started, ended FROM events WHERE ended IS NULL",
		    &st);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_event(st, ret);
		r = 1;
	} else if (rc != SQLITE_DONE) {
		r = sql_error(db, rc, "reading the running event");
	}
	sqlite3_finalize(st);
	return r;
}

int db_event_start(struct db *db, const char *name, const char *title, int64_t now_ms,
		   struct db_event *ret)
{
	sqlite3_stmt *st;
	int r, rc;

	r = prepare(db, "INSERT INTO events (name, title, started) VALUES (?, ?, ?)", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return -EBUSY;
	if (rc != SQLITE_DONE)
		return sql_error(db, rc, "starting an event");
	memset(ret, 0, sizeof(*ret));
	ret->id = sqlite3_last_insert_rowid(db->sql);
	strscpy(ret->name, name, sizeof(ret->name));
	strscpy(ret->title, title, sizeof(ret->title));
	ret->started = now_ms;
	return 0;
}

int db_event_end(struct db *db, int64_t now_ms, struct db_event *ret, int64_t *sessions)
{
	sqlite3_stmt *st;
	int r, rc;

	r = exec(db, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	r = db_event_current(db, ret);
	if (r == 0)
		r = -ENOENT;
	if (r < 0)
		goto rollback;
	r = prepare(db, "UPDATE events SET ended = ?1 WHERE id = ?2", &st);
	if (r < 0)
		goto rollback;
	sqlite3_bind_int64(st, 1, now_ms);
	sqlite3_bind_int64(st, 2, ret->id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		r = sql_error(db, rc, "ending the event");
		goto rollback;
	}
	r = prepare(db, "SELECT count(*) FROM sessions WHERE event_id = ?", &st);
	if (r < 0)
		goto rollback;
	sqlite3_bind_int64(st, 1, ret->id);
	*sessions = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	r = exec(db, "COMMIT");
	if (r < 0)
		goto rollback;
	ret->ended = now_ms;
	return 0;
rollback:
	exec(db, "ROLLBACK");
	return r;
}

int db_counts_since(struct db *db, int64_t since_ms, int64_t *sessions, int64_t *photos)
{
	sqlite3_stmt *st;
	int r;

	r = prepare(db,
		    "SELECT (SELECT count(*) FROM sessions WHERE started >= ?1),"
		    "       (SELECT count(*) FROM photos WHERE taken >= ?1)",
		    &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, since_ms);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*sessions = sqlite3_column_int64(st, 0);
		*photos = sqlite3_column_int64(st, 1);
	} else {
		r = sql_error(db, sqlite3_errcode(db->sql), "counting sessions");
	}
	sqlite3_finalize(st);
	return r;
}

int db_check(struct db *db)
{
	sqlite3_stmt *st;
	int r = prepare(db, "PRAGMA integrity_check", &st);

	if (r < 0)
		return r;
	if (sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0)
		r = -EBADMSG;
	sqlite3_finalize(st);
	return r;
}

/* Run SQL with the given bindings ("i" int64, "t" text: NULL binds SQL NULL, "n" int64:
 * DB_UNKNOWN binds SQL NULL) and step it once. */
static int run(struct db *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int r, rc;

	r = prepare(db, sql, &st);
	if (r < 0)
		return r;
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		switch (types[i]) {
		case 'i':
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		case 't':
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_STATIC);
			break;
		case 'n': {
			int64_t v = va_arg(ap, int64_t);

			if (v == DB_UNKNOWN)
				sqlite3_bind_null(st, i + 1);
			else
				sqlite3_bind_int64(st, i + 1, v);
			break;
		}
		default:
			assert(!"unknown binding type");
			break;
		}
	}
	va_end(ap);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return -EEXIST;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_error(db, rc, sql);
	return 0;
}

/* End the transaction begun: COMMIT if R is 0, else (or if that fails) ROLLBACK. Returns R, or
 * COMMIT's error. */
static int end_transaction(struct db *db, int r)
{
	if (r == 0)
		r = exec(db, "COMMIT");
	if (r < 0)
		exec(db, "ROLLBACK");
	return r;
}

int db_session_create(struct db *db, int shots, const char *layout, int64_t now_ms, int64_t *id)
{
	int64_t row;
	/* The session and the row its figures go in: one commit, as before there were figures. */
	int r = exec(db, "BEGIN IMMEDIATE");

	if (r < 0)
		return r;
	r = run(db,
		"INSERT INTO sessions (event_id, state, shots, layout, started, updated) "
		"VALUES ((SELECT id FROM events WHERE ended IS NULL), 'countdown', ?, ?, ?, ?)",
		"itii", (int64_t)shots, layout, now_ms, now_ms);
	row = sqlite3_last_insert_rowid(db->sql);
	if (r == 0)
		r = run(db, "INSERT INTO session_stats (session_id) VALUES (?)", "i", row);
	r = end_transaction(db, r);
	if (r == 0)
		*id = row;
	return r;
}

int db_session_set_state(struct db *db, int64_t id, const char *state, int64_t now_ms)
{
	return run(db, "UPDATE sessions SET state = ?, updated = ? WHERE id = ?", "tii", state,
		   now_ms, id);
}

int db_session_end(struct db *db, int64_t id, const char *state, const char *outcome,
		   int64_t now_ms)
{
	return run(db,
		   "UPDATE sessions SET state = ?, outcome = ?, updated = ?3, ended = ?3 "
		   "WHERE id = ?4",
		   "ttii", state, outcome, now_ms, id);
}

int db_session_outcome(struct db *db, int64_t id, char *outcome, size_t n)
{
	sqlite3_stmt *st;
	int r, rc;

	r = prepare(db, "SELECT ifnull(outcome, '') FROM sessions WHERE id = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r = strscpy(outcome, (const char *)sqlite3_column_text(st, 0), n) < 0
			    ? -ENAMETOOLONG
			    : 1;
	else
		r = rc == SQLITE_DONE ? 0 : sql_error(db, rc, "reading a session");
	sqlite3_finalize(st);
	return r;
}

int db_photo_known(struct db *db, const char *path)
{
	sqlite3_stmt *st;
	int r, rc;

	r = prepare(db, "SELECT 1 FROM photos WHERE path = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	r = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : sql_error(db, rc, "looking up a photo");
	sqlite3_finalize(st);
	return r;
}

int db_sessions_unfinished(struct db *db, void (*fn)(const struct db_session *s, void *userdata),
			   void *userdata)
{
	sqlite3_stmt *st;
	int r, rc;

	r = prepare(db,
		    "SELECT id, state, shots, layout, started FROM sessions WHERE ended IS NULL "
		    "ORDER BY id",
		    &st);
	if (r < 0)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_session s = { .id = sqlite3_column_int64(st, 0) };
		const unsigned char *state = sqlite3_column_text(st, 1);
		const unsigned char *layout = sqlite3_column_text(st, 3);

		strscpy(s.state, state ? (const char *)state : "", sizeof(s.state));
		s.shots = sqlite3_column_int(st, 2);
		strscpy(s.layout, layout ? (const char *)layout : "", sizeof(s.layout));
		s.started = sqlite3_column_int64(st, 4);
		fn(&s, userdata);
	}
	if (rc != SQLITE_DONE)
		r = sql_error(db, rc, "listing unfinished sessions");
	sqlite3_finalize(st);
	return r;
}

int db_photo_add(struct db *db, int64_t session, int shot, const char *path, const char *sha256,
		 int width, int height, int64_t taken_ms)
{
	return run(db,
		   "INSERT INTO photos (session_id, shot, path, sha256, width, height, taken) "
		   "VALUES (?, ?, ?, ?, ?, ?, ?)",
		   "iittiii", session, (int64_t)shot, path, sha256, (int64_t)width, (int64_t)height,
		   taken_ms);
}

int db_photo_paths(struct db *db, int64_t session, char (*paths)[4096], int n)
{
	sqlite3_stmt *st;
	int r, rc, count = 0;

	r = prepare(db, "SELECT path FROM photos WHERE session_id = ? ORDER BY shot", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, session);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && count < n) {
		const unsigned char *p = sqlite3_column_text(st, 0);

		strscpy(paths[count++], p ? (const char *)p : "", sizeof(paths[0]));
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = sql_error(db, rc, "listing photos");
	sqlite3_finalize(st);
	return r < 0 ? r : count;
}

int db_strip_add(struct db *db, int64_t session, const char *layout, const char *path,
		 const char *sha256, int64_t now_ms, int64_t *id)
{
	int r = run(db,
		    "INSERT INTO strips (session_id, layout, path, sha256, created) "
		    "VALUES (?, ?, ?, ?, ?)",
		    "ittti", session, layout, path, sha256, now_ms);

	if (r < 0)
		return r;
	*id = sqlite3_last_insert_rowid(db->sql);
	return 0;
}

int db_session_forget(struct db *db, int64_t session, int whole,
		      void (*fn)(const char *path, void *userdata), void *userdata)
{
	/* At most 6 photos and a few strips per session. */
	char paths[16][4096];
	sqlite3_stmt *st;
	int r, rc, n = 0;

	r = exec(db, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	r = prepare(db,
		    "SELECT path FROM photos WHERE session_id = ?1 UNION ALL "
		    "SELECT path FROM strips WHERE session_id = ?1",
		    &st);
	if (r < 0)
		goto rollback;
	sqlite3_bind_int64(st, 1, session);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < (int)ARRAY_SIZE(paths)) {
		const unsigned char *p = sqlite3_column_text(st, 0);

		strscpy(paths[n++], p ? (const char *)p : "", sizeof(paths[0]));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		r = sql_error(db, rc, "listing a session's files");
		goto rollback;
	}
	r = run(db, "DELETE FROM photos WHERE session_id = ?", "i", session);
	if (r == 0 && whole)
		r = run(db,
			"DELETE FROM print_jobs WHERE session_id = ? AND state IN "
			"('pending', 'failed')",
			"i", session);
	/* Print jobs outlive their strip: they are the print counts. */
	if (r == 0)
		r = run(db, "UPDATE print_jobs SET strip_id = NULL WHERE session_id = ?", "i",
			session);
	if (r == 0)
		r = run(db, "DELETE FROM strips WHERE session_id = ?", "i", session);
	if (r < 0)
		goto rollback;
	r = exec(db, "COMMIT");
	if (r < 0)
		goto rollback;
	for (int i = 0; i < n; i++)
		if (paths[i][0])
			fn(paths[i], userdata);
	return 0;
rollback:
	exec(db, "ROLLBACK");
	return r;
}

int db_print_job_add(struct db *db, const char *key, int64_t session, int64_t strip, int64_t now_ms)
{
	return run(db,
		   "INSERT INTO print_jobs (job_key, session_id, strip_id, copies, state, created, "
		   "updated) VALUES (?, nullif(?, 0), nullif(?, 0), 1, 'pending', ?4, ?4)",
		   "tiii", key, session, strip, now_ms);
}

int db_session_print(struct db *db, int64_t id, const char *state, int64_t strip,
		     const char *const *keys, int n, int64_t now_ms)
{
	int r = exec(db, "BEGIN IMMEDIATE");

	if (r < 0)
		return r;
	r = db_session_set_state(db, id, state, now_ms);
	for (int i = 0; r == 0 && i < n; i++) {
		r = db_print_job_add(db, keys[i], id, strip, now_ms);
		if (r == -EEXIST)
			r = 0;
	}
	return end_transaction(db, r);
}

int db_print_job_update(struct db *db, const char *key, const char *state, int ipp_job,
			const char *error, int64_t now_ms)
{
	/* When the printer first had it (queued or further) and when it came out: the figures. */
	int r = run(db,
		    "UPDATE print_jobs SET state = ?1, ipp_job_id = nullif(?2, 0), error = ?3, "
		    "updated = ?4, attempts = attempts + (?1 = 'queued'), "
		    "accepted = coalesce(accepted, CASE WHEN ?1 IN ('queued', 'processing', "
		    "'completed') THEN ?4 END), "
		    "printed = CASE WHEN ?1 = 'completed' THEN ?4 ELSE printed END "
		    "WHERE job_key = ?5 AND state <> 'completed'",
		    "titit", state, (int64_t)ipp_job, error, now_ms, key);

	return r < 0 ? r : sqlite3_changes(db->sql) > 0;
}

int db_print_jobs_unfinished(struct db *db,
			     void (*fn)(const char *key, const char *path, const char *layout,
					int64_t session, void *userdata),
			     void *userdata)
{
	sqlite3_stmt *st;
	int r, rc, n = 0;

	r = prepare(db,
		    "SELECT p.job_key, s.path, s.layout, p.session_id FROM print_jobs p "
		    "JOIN strips s ON s.id = p.strip_id "
		    "WHERE p.state IN ('pending', 'held', 'queued', 'processing') ORDER BY p.id",
		    &st);
	if (r < 0)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fn((const char *)sqlite3_column_text(st, 0),
		   (const char *)sqlite3_column_text(st, 1),
		   (const char *)sqlite3_column_text(st, 2), sqlite3_column_int64(st, 3), userdata);
		n++;
	}
	if (rc != SQLITE_DONE)
		n = sql_error(db, rc, "reading unfinished print jobs");
	sqlite3_finalize(st);
	return n;
}

int db_print_jobs_since(struct db *db, int64_t since_ms, int64_t *completed)
{
	sqlite3_stmt *st;
	int r;

	r = prepare(db,
		    "SELECT count(*) FROM print_jobs WHERE state = 'completed' AND updated >= ?",
		    &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, since_ms);
	if (sqlite3_step(st) == SQLITE_ROW)
		*completed = sqlite3_column_int64(st, 0);
	else
		r = sql_error(db, sqlite3_errcode(db->sql), "counting prints");
	sqlite3_finalize(st);
	return r;
}

int db_strip_latest(struct db *db, int64_t session, int64_t *strip, char *path, size_t n,
		    char *layout, size_t layoutlen)
{
	sqlite3_stmt *st;
	int r, rc;

	r = prepare(db,
		    "SELECT id, path, layout FROM strips WHERE session_id = ? "
		    "ORDER BY id DESC LIMIT 1",
		    &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, session);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*strip = sqlite3_column_int64(st, 0);
		r = strscpy(path, (const char *)sqlite3_column_text(st, 1), n) < 0 ||
				    strscpy(layout, (const char *)sqlite3_column_text(st, 2),
					    layoutlen) < 0
			    ? -ENAMETOOLONG
			    : 1;
	} else {
		r = rc == SQLITE_DONE ? 0 : sql_error(db, rc, "reading a strip");
	}
	sqlite3_finalize(st);
	return r;
}

int db_setting_set(struct db *db, const char *key, const char *value, int64_t now_ms)
{
	return run(db,
		   "INSERT INTO settings (key, value, updated) VALUES (?1, ?2, ?3) "
		   "ON CONFLICT (key) DO UPDATE SET value = ?2, updated = ?3",
		   "tti", key, value, now_ms);
}

int db_setting_get(struct db *db, const char *key, char *value, size_t n, int64_t *updated)
{
	sqlite3_stmt *st;
	int r, rc;

	r = prepare(db, "SELECT value, updated FROM settings WHERE key = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r = strscpy(value, (const char *)sqlite3_column_text(st, 0), n) < 0 ? -ENAMETOOLONG
										    : 1;
		if (updated)
			*updated = sqlite3_column_int64(st, 1);
	} else {
		r = rc == SQLITE_DONE ? 0 : sql_error(db, rc, "reading a setting");
	}
	sqlite3_finalize(st);
	return r;
}

int db_print_job_exists(struct db *db, int64_t session)
{
	sqlite3_stmt *st;
	int r = prepare(db, "SELECT count(*) FROM print_jobs WHERE session_id = ?", &st);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, session);
	r = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return r;
}

int db_counts_event(struct db *db, int64_t event, int64_t *sessions, int64_t *photos,
		    int64_t *prints)
{
	sqlite3_stmt *st;
	int r;

	r = prepare(
		db,
		"SELECT (SELECT count(*) FROM sessions WHERE event_id = ?1),"
		"       (SELECT count(*) FROM photos p JOIN sessions s ON s.id = p.session_id"
		"        WHERE s.event_id = ?1),"
		"       (SELECT count(*) FROM print_jobs j JOIN sessions s ON s.id = j.session_id"
		"        WHERE s.event_id = ?1 AND j.state = 'completed')",
		&st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, event);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*sessions = sqlite3_column_int64(st, 0);
		*photos = sqlite3_column_int64(st, 1);
		*prints = sqlite3_column_int64(st, 2);
	} else {
		r = sql_error(db, sqlite3_errcode(db->sql), "counting an event's sessions");
	}
	sqlite3_finalize(st);
	return r;
}

int db_sessions_with_files(struct db *db, int64_t event, int64_t before_ms, int64_t *ids, int max)
{
	sqlite3_stmt *st;
	int r;

	r = prepare(db,
		    "SELECT id FROM sessions s WHERE (?1 = 0 OR event_id = ?1) AND "
		    "(?2 = 0 OR (started < ?2 AND ended IS NOT NULL)) AND (EXISTS (SELECT 1 FROM "
		    "photos WHERE "
		    "session_id = s.id) OR EXISTS (SELECT 1 FROM strips WHERE session_id = s.id)) "
		    "ORDER BY id LIMIT ?3",
		    &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, event);
	sqlite3_bind_int64(st, 2, before_ms);
	sqlite3_bind_int(st, 3, max);
	return step_ids(db, st, ids, max, "listing sessions with photos");
}

static void column_text(sqlite3_stmt *st, int col, char *buf, size_t n)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	strscpy(buf, t ? (const char *)t : "", n);
}

int db_sessions_recent(struct db *db, int limit,
		       void (*fn)(const struct db_session_info *s, void *userdata), void *userdata)
{
	struct db_session_info s;
	sqlite3_stmt *st;
	int r, rc;

	r = prepare(db,
		    "SELECT id, coalesce(event_id, 0), state, coalesce(outcome, ''), started, "
		    "coalesce(ended, 0), (SELECT count(*) FROM photos WHERE session_id = s.id), "
		    "EXISTS (SELECT 1 FROM strips WHERE session_id = s.id) "
		    "FROM sessions s ORDER BY id DESC LIMIT ?",
		    &st);
	if (r < 0)
		return r;
	sqlite3_bind_int(st, 1, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s.id = sqlite3_column_int64(st, 0);
		s.event = sqlite3_column_int64(st, 1);
		column_text(st, 2, s.state, sizeof(s.state));
		column_text(st, 3, s.outcome, sizeof(s.outcome));
		s.started = sqlite3_column_int64(st, 4);
		s.ended = sqlite3_column_int64(st, 5);
		s.photos = sqlite3_column_int(st, 6);
		s.strip = sqlite3_column_int(st, 7) != 0;
		fn(&s, userdata);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_error(db, rc, "listing sessions");
}

int db_events_recent(struct db *db, int limit,
		     void (*fn)(const struct db_event *ev, int64_t sessions, void *userdata),
		     void *userdata)
{
	struct db_event ev;
	sqlite3_stmt *st;
	int r, rc;

	r = prepare(db,
		    "SELECT id, name, title, started, ended, (SELECT count(*) FROM sessions "
		    "WHERE event_id = e.id) FROM events e ORDER BY id DESC LIMIT ?",
		    &st);
	if (r < 0)
		return r;
	sqlite3_bind_int(st, 1, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_event(st, &ev);
		fn(&ev, sqlite3_column_int64(st, 5), userdata);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_error(db, rc, "listing events");
}

int db_event_get(struct db *db, int64_t id, struct db_event *ret)
{
	sqlite3_stmt *st;
	int r, rc;

	r = prepare(db, "SELECT id, name, title, started, ended FROM events WHERE id = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_event(st, ret);
		r = 1;
	} else if (rc != SQLITE_DONE) {
		r = sql_error(db, rc, "reading an event");
	}
	sqlite3_finalize(st);
	return r;
}

/* A column's integer, DB_UNKNOWN for NULL. */
static int64_t column_known(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? DB_UNKNOWN
							   : sqlite3_column_int64(st, col);
}

int db_stats_record(struct db *db, const struct db_session_stats *s)
{
	int r = exec(db, "BEGIN IMMEDIATE");
	bool open;

	if (r < 0)
		return r;
	r = run(db,
		"UPDATE session_stats SET trigger_us = ?, print_pressed = ? "
		"WHERE session_id = ? AND complete IS NULL",
		"nni", s->trigger_us, s->print_pressed, s->session);
	/* No row, or final figures: nothing to record. */
	open = r == 0 && sqlite3_changes(db->sql) > 0;
	if (open)
		r = run(db, "DELETE FROM shot_stats WHERE session_id = ?", "i", s->session);
	for (int i = 0; open && r == 0 && i < s->shots && i < DB_SHOTS_MAX; i++)
		r = run(db,
			"INSERT INTO shot_stats (session_id, shot, trigger_to_frame_us) "
			"VALUES (?, ?, ?)",
			"iin", s->session, (int64_t)i + 1, s->trigger_to_frame_us[i]);
	return end_transaction(db, r);
}

int db_stats_ui(struct db *db, const struct db_session_stats *s)
{
	int r = run(db,
		    "UPDATE session_stats SET ui_reported = 1, review_shown_us = ?, "
		    "preview_frames = ?, preview_dropped = ?, preview_ms = ? "
		    "WHERE session_id = ? AND complete IS NULL AND ui_reported = 0",
		    "nnnni", s->review_shown_us, s->preview_frames, s->preview_dropped,
		    s->preview_ms, s->session);

	return r < 0 ? r : sqlite3_changes(db->sql) > 0;
}

int db_stats_complete(struct db *db, const struct db_session_stats *s, int64_t now_ms)
{
	int r = run(db,
		    "UPDATE session_stats SET complete = ?, capture_to_strip_ms = ?, "
		    "print_to_accepted_ms = ?, accepted_to_printed_ms = ?, printed = ? "
		    "WHERE session_id = ? AND complete IS NULL",
		    "innnii", now_ms, s->capture_to_strip_ms, s->print_to_accepted_ms,
		    s->accepted_to_printed_ms, (int64_t)s->printed, s->session);

	return r < 0 ? r : sqlite3_changes(db->sql) > 0;
}

#define STATS_COLUMNS                                                                              \
	"s.id, coalesce(s.event_id, 0), s.started, coalesce(s.ended, 0), "                         \
	"coalesce(s.outcome, ''), st.trigger_us, st.print_pressed, st.ui_reported, "               \
	"st.review_shown_us, st.preview_frames, st.preview_dropped, st.preview_ms, "               \
	"coalesce(st.complete, 0), st.capture_to_strip_ms, st.print_to_accepted_ms, "              \
	"st.accepted_to_printed_ms, coalesce(st.printed, 0) "                                      \
	"FROM session_stats st JOIN sessions s ON s.id = st.session_id "

/* One row of STATS_COLUMNS, and the session's shots (through SHOTS, prepared). */
static int read_stats(struct db *db, sqlite3_stmt *st, sqlite3_stmt *shots,
		      struct db_session_stats *ret)
{
	int rc;

	memset(ret, 0, sizeof(*ret));
	ret->session = sqlite3_column_int64(st, 0);
	ret->event = sqlite3_column_int64(st, 1);
	ret->started = sqlite3_column_int64(st, 2);
	ret->ended = sqlite3_column_int64(st, 3);
	column_text(st, 4, ret->outcome, sizeof(ret->outcome));
	ret->trigger_us = column_known(st, 5);
	ret->print_pressed = column_known(st, 6);
	ret->ui_reported = sqlite3_column_int(st, 7) != 0;
	ret->review_shown_us = column_known(st, 8);
	ret->preview_frames = column_known(st, 9);
	ret->preview_dropped = column_known(st, 10);
	ret->preview_ms = column_known(st, 11);
	ret->complete = sqlite3_column_int64(st, 12);
	ret->capture_to_strip_ms = column_known(st, 13);
	ret->print_to_accepted_ms = column_known(st, 14);
	ret->accepted_to_printed_ms = column_known(st, 15);
	ret->printed = sqlite3_column_int(st, 16) != 0;
	ret->accepted_at = ret->printed_at = DB_UNKNOWN;
	sqlite3_reset(shots);
	sqlite3_bind_int64(shots, 1, ret->session);
	while ((rc = sqlite3_step(shots)) == SQLITE_ROW && ret->shots < DB_SHOTS_MAX)
		ret->trigger_to_frame_us[ret->shots++] = column_known(shots, 0);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_error(db, rc, "reading a session's shots");
	return 0;
}

/* The copies of SESSION's strip (not its reprints) and how far they got. */
static int read_copies(struct db *db, struct db_session_stats *ret)
{
	sqlite3_stmt *st;
	int r = prepare(db,
			"SELECT count(*), "
			"coalesce(sum(state IN ('completed', 'failed', 'canceled')), 0), "
			"count(accepted), coalesce(sum(state = 'completed'), 0), max(accepted), "
			"max(printed) FROM print_jobs WHERE session_id = ? AND "
			"job_key GLOB 's*-*-c*'",
			&st);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, ret->session);
	if (sqlite3_step(st) == SQLITE_ROW) {
		ret->copies = sqlite3_column_int(st, 0);
		ret->copies_finished = sqlite3_column_int(st, 1);
		ret->copies_accepted = sqlite3_column_int(st, 2);
		ret->copies_printed = sqlite3_column_int(st, 3);
		ret->accepted_at = column_known(st, 4);
		ret->printed_at = column_known(st, 5);
	} else {
		r = sql_error(db, sqlite3_errcode(db->sql), "reading a session's prints");
	}
	sqlite3_finalize(st);
	return r;
}

static int prepare_shots(struct db *db, sqlite3_stmt **ret)
{
	return prepare(db,
		       "SELECT trigger_to_frame_us FROM shot_stats WHERE session_id = ? "
		       "ORDER BY shot",
		       ret);
}

int db_stats_get(struct db *db, int64_t session, struct db_session_stats *ret)
{
	sqlite3_stmt *st = NULL, *shots = NULL;
	int r, rc;

	r = prepare(db, "SELECT " STATS_COLUMNS "WHERE st.session_id = ?", &st);
	if (r == 0)
		r = prepare_shots(db, &shots);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(st, 1, session);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r = read_stats(db, st, shots, ret);
		if (r == 0)
			r = read_copies(db, ret);
		if (r == 0)
			r = 1;
	} else if (rc != SQLITE_DONE) {
		r = sql_error(db, rc, "reading a session's figures");
	}
out:
	sqlite3_finalize(shots);
	sqlite3_finalize(st);
	return r;
}

int db_stats_open(struct db *db, int64_t *ids, int max)
{
	sqlite3_stmt *st;
	int r;

	r = prepare(db,
		    "SELECT st.session_id FROM session_stats st JOIN sessions s ON "
		    "s.id = st.session_id WHERE st.complete IS NULL AND s.ended IS NOT NULL "
		    "ORDER BY st.session_id LIMIT ?",
		    &st);
	if (r < 0)
		return r;
	sqlite3_bind_int(st, 1, max);
	return step_ids(db, st, ids, max, "listing sessions whose figures are open");
}

int db_stats_list(struct db *db, int64_t since_ms, int64_t event, int limit,
		  void (*fn)(const struct db_session_stats *s, void *userdata), void *userdata)
{
	struct db_session_stats s;
	sqlite3_stmt *st = NULL, *shots = NULL;
	int r, rc, n = 0;

	r = prepare(db,
		    "SELECT " STATS_COLUMNS "WHERE st.complete IS NOT NULL AND "
		    "(?1 = 0 OR s.started >= ?1) AND (?2 = 0 OR s.event_id = ?2) "
		    "ORDER BY s.id DESC LIMIT ?3",
		    &st);
	if (r == 0)
		r = prepare_shots(db, &shots);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(st, 1, since_ms);
	sqlite3_bind_int64(st, 2, event);
	sqlite3_bind_int(st, 3, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = read_stats(db, st, shots, &s);
		if (r < 0)
			goto out;
		fn(&s, userdata);
		n++;
	}
	r = rc == SQLITE_DONE ? n : sql_error(db, rc, "listing sessions' figures");
out:
	sqlite3_finalize(shots);
	sqlite3_finalize(st);
	return r;
}
