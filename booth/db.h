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
#define DB_SCHEMA_VERSION 2

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
/* Record that session ID is now in STATE with print jobs KEYS (N, state "pending") of strip
 * STRIP, in one commit: what the guest's Print writes before anything is sent. A key recorded
 * already stays as it is (a repeated command is one job). */
int db_session_print(struct db *db, int64_t id, const char *state, int64_t strip,
		     const char *const *keys, int n, int64_t now_ms);
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

/* The booth's figures about itself (docs/performance.md). A value not measured is DB_UNKNOWN
 * (NULL in the database). */
#define DB_UNKNOWN   INT64_MIN
#define DB_SHOTS_MAX 6

/* One session's figures. Names ending in _us are CLOCK_MONOTONIC microseconds (of this boot,
 * shared by the booth's processes), _ms durations in milliseconds, other times milliseconds
 * since 1970. */
struct db_session_stats {
	int64_t session, event; /* event 0: none */
	int64_t started, ended; /* ended 0: running */
	char outcome[16];	/* empty while running */
	int shots;		/* entries of trigger_to_frame_us */
	int64_t trigger_to_frame_us[DB_SHOTS_MAX];
	int64_t trigger_us;	 /* the last shot's trigger (boothd asked the camera) */
	int64_t print_pressed;	 /* the print was asked for (Print, or the review's timeout) */
	bool ui_reported;	 /* booth-ui's report came */
	int64_t review_shown_us; /* booth-ui presented the review screen with the strip */
	int64_t preview_frames;	 /* live-preview frames booth-ui presented */
	int64_t preview_dropped; /* and the ones the camera or booth-ui dropped */
	int64_t preview_ms;	 /* time the live preview was on screen */
	/* The copies of the session's strip (jobs keyed sN-STRIP-cK; reprints are not counted):
	 * how many, how many are finished, accepted by the printer, printed; when the last one
	 * was accepted and printed. Read by db_stats_get() only. */
	int copies, copies_finished, copies_accepted, copies_printed;
	int64_t accepted_at, printed_at;
	/* Settled once, by db_stats_complete(): complete is 0 before. */
	int64_t complete;
	int64_t capture_to_strip_ms, print_to_accepted_ms, accepted_to_printed_ms;
	bool printed; /* every copy came out of the printer */
};

/* Record what boothd measured of session S->session while it ran (trigger_us, print_pressed,
 * shots, trigger_to_frame_us), in one commit. Nothing changes once its figures are final. */
int db_stats_record(struct db *db, const struct db_session_stats *s);
/* Record booth-ui's report for S->session (review_shown_us, preview_*). Returns 1, or 0 when
 * there is nothing to report to (no such session, its figures are final, or booth-ui reported
 * already), or -errno. */
int db_stats_ui(struct db *db, const struct db_session_stats *s);
/* Session SESSION's figures, with its copies, into *ret. Returns 1, 0 if it has none (it
 * started before the booth measured itself), or -errno. */
int db_stats_get(struct db *db, int64_t session, struct db_session_stats *ret);
/* Make S->session's figures final at NOW_MS with S's capture_to_strip_ms, print_to_accepted_ms,
 * accepted_to_printed_ms and printed. Returns 1, 0 if they were final already, or -errno. */
int db_stats_complete(struct db *db, const struct db_session_stats *s, int64_t now_ms);
/* Up to MAX sessions that ended and whose figures are not final yet, oldest first, into IDS.
 * Returns how many, or -errno. */
int db_stats_open(struct db *db, int64_t *ids, int max);
/* Call FN with the final figures of at most LIMIT sessions, newest first: those that started at
 * or after SINCE_MS (0: any time) in event EVENT (0: any). Copies are not read. Returns how
 * many, or -errno. */
int db_stats_list(struct db *db, int64_t since_ms, int64_t event, int limit,
		  void (*fn)(const struct db_session_stats *s, void *userdata), void *userdata);

#endif
