/* SPDX-License-Identifier: MIT */
/* boothd's SQLite database: opening with WAL, foreign keys and a busy timeout, versioned
 * migrations (PRAGMA user_version), and the queries boothd runs. */
#ifndef BOOTH_DB_H
#define BOOTH_DB_H

#include <stdint.h>

struct db;

/* The schema version this build writes. */
#define DB_SCHEMA_VERSION 1

struct db_event {
	int64_t id;
	char name[65];
	char title[81];
	int64_t started; /* ms since 1970 */
	int64_t ended;	 /* 0 while running */
};

/* Open (creating if needed) the database at PATH and bring it to DB_SCHEMA_VERSION. Returns 0
 * and *ret, -EPROTO for a database newer than this build, -EBADMSG for a file that is not a
 * database or is corrupt, or -errno; the reason is logged. */
int db_open(const char *path, struct db **ret);
/* Close. Accepts NULL, returns NULL. */
struct db *db_close(struct db *db);

/* The schema version of the open database. */
int db_schema_version(struct db *db);

/* The running event into *ret: returns 1, or 0 if none runs, or -errno. */
int db_event_current(struct db *db, struct db_event *ret);
/* Start an event (committed when this returns 0). -EBUSY if one is running. */
int db_event_start(struct db *db, const char *name, const char *title, int64_t now_ms,
		   struct db_event *ret);
/* End the running event; *sessions gets its session count. -ENOENT if none runs. */
int db_event_end(struct db *db, int64_t now_ms, struct db_event *ret, int64_t *sessions);

/* Sessions started and photos kept since SINCE_MS. */
int db_counts_since(struct db *db, int64_t since_ms, int64_t *sessions, int64_t *photos);

/* PRAGMA integrity_check: 0 if "ok", -EBADMSG otherwise. */
int db_check(struct db *db);

#endif
