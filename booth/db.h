/* SPDX-License-Identifier: MIT */
/* boothd's SQLite database: opening with WAL, foreign keys and a busy timeout, versioned
 * migrations (PRAGMA user_version), and the queries boothd runs. */
#ifndef BOOTH_DB_H
#define BOOTH_DB_H

#include <stdbool.h>
#include <stddef.h>
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

/* A guest session's row. */
struct db_session {
	int64_t id;
	char state[16];
	int shots;
	char layout[65];
	int64_t started;
};

/* Record a new session (state "countdown") in the running event, if any. Returns 0 and its id. */
int db_session_create(struct db *db, int shots, const char *layout, int64_t now_ms, int64_t *id);
/* Record STATE (a session_state_name()) for session ID. */
int db_session_set_state(struct db *db, int64_t id, const char *state, int64_t now_ms);
/* Record that session ID ended in STATE with OUTCOME (a session_outcome_name()). */
int db_session_end(struct db *db, int64_t id, const char *state, const char *outcome,
		   int64_t now_ms);
/* Session ID's outcome into OUTCOME (N bytes; empty while it runs). Returns 1, 0 if there is no
 * such session, or -errno. */
int db_session_outcome(struct db *db, int64_t id, char *outcome, size_t n);
/* Call FN for every session that has not ended (found after a restart). */
int db_sessions_unfinished(struct db *db, void (*fn)(const struct db_session *s, void *userdata),
			   void *userdata);

/* Record shot SHOT of session SESSION, stored at PATH. Returns 0, -EEXIST if that shot is
 * recorded already (a repeated announcement). */
int db_photo_add(struct db *db, int64_t session, int shot, const char *path, const char *sha256,
		 int width, int height, int64_t taken_ms);
/* Whether a photo stored at PATH is recorded: 1, 0, or -errno. */
int db_photo_known(struct db *db, const char *path);
/* The paths of SESSION's photos, in shot order, into PATHS (N entries of PATH_MAX bytes).
 * Returns how many, or -errno. */
int db_photo_paths(struct db *db, int64_t session, char (*paths)[4096], int n);
/* Record the strip of SESSION. Returns 0 and its id. */
int db_strip_add(struct db *db, int64_t session, const char *layout, const char *path,
		 const char *sha256, int64_t now_ms, int64_t *id);
/* Delete the rows of SESSION's photos and strips (and, when WHOLE, its jobs not yet printed) and
 * hand every file path they named to FN once the deletion is committed, for the caller to remove
 * the files. The session's row stays, for the counts. */
int db_session_forget(struct db *db, int64_t session, int whole,
		      void (*fn)(const char *path, void *userdata), void *userdata);

/* Record print job KEY (state "pending") before it is sent; SESSION and STRIP 0 for none (a test
 * print). -EEXIST if KEY exists. */
int db_print_job_add(struct db *db, const char *key, int64_t session, int64_t strip,
		     int64_t now_ms);
/* Record job KEY's STATE, the printer's job id (0: unknown) and ERROR (may be NULL). Returns 1,
 * or 0 when nothing changed (no such job, or it completed already), or -errno. */
int db_print_job_update(struct db *db, const char *key, const char *state, int ipp_job,
			const char *error, int64_t now_ms);
/* Call FN for every print job not known to be finished (pending, held, queued, processing), in
 * the order they were recorded, with the path and layout of its strip. Returns how many, or
 * -errno. */
int db_print_jobs_unfinished(struct db *db,
			     void (*fn)(const char *key, const char *path, const char *layout,
					int64_t session, void *userdata),
			     void *userdata);
/* How many print jobs completed at or after SINCE_MS, into *completed. */
int db_print_jobs_since(struct db *db, int64_t since_ms, int64_t *completed);
/* The newest strip of SESSION: returns 1 with its id, PATH (N bytes) and the name of its LAYOUT
 * (LAYOUTLEN bytes), 0 if it has none. */
int db_strip_latest(struct db *db, int64_t session, int64_t *strip, char *path, size_t n,
		    char *layout, size_t layoutlen);

/* Store setting KEY = VALUE (committed when this returns 0). */
int db_setting_set(struct db *db, const char *key, const char *value, int64_t now_ms);
/* Read setting KEY into VALUE (N bytes) and when it was set into *updated (may be NULL).
 * Returns 1, 0 if it is not set, or -errno. */
int db_setting_get(struct db *db, const char *key, char *value, size_t n, int64_t *updated);

/* Whether session SESSION has a recorded print job. */
int db_print_job_exists(struct db *db, int64_t session);

/* Sessions, photos and completed prints of event EVENT. */
int db_counts_event(struct db *db, int64_t event, int64_t *sessions, int64_t *photos,
		    int64_t *prints);
/* Up to MAX sessions that still have photos or strips, of event EVENT (0: any) and (unless
 * BEFORE_MS is 0) ended and started before BEFORE_MS, oldest first, into IDS. Returns how many,
 * or -errno. */
int db_sessions_with_files(struct db *db, int64_t event, int64_t before_ms, int64_t *ids, int max);

/* A session as the owner sees it. */
struct db_session_info {
	int64_t id, event; /* event 0: none */
	char state[16], outcome[16];
	int64_t started, ended; /* ended 0: running */
	int photos;
	bool strip;
};
/* Call FN for the LIMIT newest sessions, newest first. */
int db_sessions_recent(struct db *db, int limit,
		       void (*fn)(const struct db_session_info *s, void *userdata), void *userdata);
/* Call FN for the LIMIT newest events with their session counts, newest first. */
int db_events_recent(struct db *db, int limit,
		     void (*fn)(const struct db_event *ev, int64_t sessions, void *userdata),
		     void *userdata);
/* Event ID into *ret: returns 1, or 0 if there is none. */
int db_event_get(struct db *db, int64_t id, struct db_event *ret);

/* PRAGMA integrity_check: 0 if "ok", -EBADMSG otherwise. */
int db_check(struct db *db);

#endif
