/* SPDX-License-Identifier: MIT */
/* The topic table: the one place that defines the bus contract (documented in docs/mqtt-api.md,
 * which tests compare with this table). */
#include "topics.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define END_FIELDS                                                                                 \
	{                                                                                          \
		NULL, FIELD_STRING, false, false, 0, 0, NULL, NULL, NULL                           \
	}
#define AVAILABILITY(proc)                                                                         \
	{                                                                                          \
		"booth/{booth}/availability/" proc, TOPIC_AVAILABILITY, proc,                      \
			"owner boothd ui telemetry", true, 1, PAYLOAD_TEXT, "online|offline",      \
			NULL, "Whether " proc " is connected; set to offline by its last will."    \
	}

const char *const topic_users[] = {
	"boothd", "camera", "ui", "printer", "telemetry", "owner", NULL
};

static const struct field_def event_fields[] = {
	{ "id", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL, "Event number." },
	{ "name", FIELD_STRING, true, false, 1, 64, NULL, NULL, "Short name, for the owner." },
	{ "title", FIELD_STRING, true, false, 0, 80, NULL, NULL, "Title printed on strips." },
	{ "started", FIELD_INT, true, false, 0, 1LL << 53, NULL, NULL,
	  "Start, milliseconds since 1970 (UTC)." },
	END_FIELDS,
};

#define BLOCKED_REASONS "paused|camera|storage|printer|error"

static const struct field_def state_fields[] = {
	{ "state", FIELD_STRING, true, false, 1, 16, "idle|session|paused|attention", NULL,
	  "What the booth is doing: attention when something needs the owner." },
	{ "blocked", FIELD_STRING, true, true, 1, 16, BLOCKED_REASONS, NULL,
	  "Why a guest cannot start a session now, or null: paused by the owner, camera missing, "
	  "storage full, printer required but impossible, error (out of order)." },
	{ "problems", FIELD_ARRAY, true, false, 0, 0, NULL, NULL,
	  "Faults the owner should know about: camera, printer, storage (empty when none)." },
	{ "event", FIELD_OBJECT, true, true, 0, 0, NULL, event_fields,
	  "The running event, or null." },
	{ "sessions_today", FIELD_INT, true, false, 0, 1LL << 31, NULL, NULL,
	  "Guest sessions started since local midnight." },
	{ "photos_today", FIELD_INT, true, false, 0, 1LL << 31, NULL, NULL,
	  "Photos kept since local midnight." },
	{ "prints_today", FIELD_INT, true, false, 0, 1LL << 31, NULL, NULL,
	  "Prints completed since local midnight." },
	{ "sessions_event", FIELD_INT, true, false, 0, 1LL << 31, NULL, NULL,
	  "Guest sessions of the running event (0 without one)." },
	{ "photos_event", FIELD_INT, true, false, 0, 1LL << 31, NULL, NULL,
	  "Photos kept in the running event." },
	{ "prints_event", FIELD_INT, true, false, 0, 1LL << 31, NULL, NULL,
	  "Prints completed in the running event." },
	{ "printer", FIELD_STRING, true, false, 1, 16, "none|idle|printing|stopped|offline", NULL,
	  "The printer's status (printer/state's status)." },
	{ "prints_left", FIELD_INT, true, true, 0, 1 << 20, NULL, NULL,
	  "Prints the paper left makes (printer/state's estimate), null if unknown." },
	{ "camera", FIELD_STRING, true, false, 1, 16, "none|ok|error", NULL,
	  "The camera's status (camera/state's status)." },
	{ "storage_free_mb", FIELD_INT, true, false, 0, 1LL << 40, NULL, NULL,
	  "Free space in the photo store, MiB." },
	{ "version", FIELD_STRING, true, false, 1, 32, NULL, NULL, "Software version." },
	{ "since", FIELD_INT, true, false, 0, 1LL << 53, NULL, NULL,
	  "When the state last changed, milliseconds since 1970 (UTC)." },
	END_FIELDS,
};

/* The owner's settings: the settings document, and every field optional in settings/set. */
#define SETTINGS_FIELDS(req)                                                                       \
	{ "paused", FIELD_BOOL, req,                                                               \
	  false,    0,		0,                                                                 \
	  NULL,	    NULL,	"No new sessions start (the screen says the booth is paused)." },  \
		{ "printing", FIELD_BOOL, req,                                                     \
		  false,      0,	  0,                                                       \
		  NULL,	      NULL,	  "Whether guests' strips are printed." },                 \
		{ "copies", FIELD_INT, req,                                                        \
		  false,    1,	       4,                                                          \
		  NULL,	    NULL,      "Copies of each strip printed by default." },               \
		{ "max_copies",                                                                    \
		  FIELD_INT,                                                                       \
		  req,                                                                             \
		  false,                                                                           \
		  1,                                                                               \
		  4,                                                                               \
		  NULL,                                                                            \
		  NULL,                                                                            \
		  "The most copies a guest may choose at review (at least copies)." },             \
		{ "layout",                                                                        \
		  FIELD_STRING,                                                                    \
		  req,                                                                             \
		  false,                                                                           \
		  1,                                                                               \
		  64,                                                                              \
		  NULL,                                                                            \
		  NULL,                                                                            \
		  "The layout of the strips (one of layouts)." },                                  \
		{ "shots",                                                                         \
		  FIELD_INT,                                                                       \
		  req,                                                                             \
		  false,                                                                           \
		  1,                                                                               \
		  6,                                                                               \
		  NULL,                                                                            \
		  NULL,                                                                            \
		  "Photos per session, at most as many as the layout takes (fewer repeat)." },     \
		{ "countdown_s", FIELD_INT, req,                                                   \
		  false,	 0,	    10,                                                    \
		  NULL,		 NULL,	    "Seconds of countdown before the first photo." },      \
		{ "retention_days",                                                                \
		  FIELD_INT,                                                                       \
		  req,                                                                             \
		  false,                                                                           \
		  0,                                                                               \
		  3650,                                                                            \
		  NULL,                                                                            \
		  NULL,                                                                            \
		  "Photos older than this many days are deleted; 0 keeps them until deleted." },   \
		{ "print_required",                                                                \
		  FIELD_BOOL,                                                                      \
		  req,                                                                             \
		  false,                                                                           \
		  0,                                                                               \
		  0,                                                                               \
		  NULL,                                                                            \
		  NULL,                                                                            \
		  "Stop taking guests while printing is impossible (else: photos only)." },        \
	{                                                                                          \
		"last_strip_image", FIELD_BOOL, req, false, 0, 0, NULL, NULL,                      \
			"Publish each new strip on strip/last (never retained) for a dashboard."   \
	}

static const struct field_def settings_fields[] = {
	SETTINGS_FIELDS(true),
	{ "layouts", FIELD_ARRAY, true, false, 0, 0, NULL, NULL, "The layouts to choose from." },
	{ "pin_set", FIELD_BOOL, true, false, 0, 0, NULL, NULL,
	  "Whether the owner menu's PIN was set over MQTT (else [ui] pin)." },
	END_FIELDS,
};

static const struct field_def settings_set_fields[] = {
	SETTINGS_FIELDS(false),
	{ "pin", FIELD_STRING, false, false, 4, 8, NULL, NULL,
	  "The on-screen owner menu's PIN, 4 to 8 digits." },
	END_FIELDS,
};

static const struct field_def ui_pin_fields[] = {
	{ "pin", FIELD_STRING, true, false, 4, 8, NULL, NULL, "The owner menu's PIN." },
	END_FIELDS,
};

static const struct field_def ui_owner_fields[] = {
	{ "command", FIELD_STRING, true, false, 1, 16,
	  "pause|resume|copies|layout|print_test|delete_last|purge_event", NULL,
	  "The owner's choice in the on-screen menu." },
	{ "copies", FIELD_INT, false, false, 1, 4, NULL, NULL, "With copies." },
	{ "layout", FIELD_STRING, false, false, 1, 64, NULL, NULL, "With layout." },
	END_FIELDS,
};

static const struct field_def get_fields[] = {
	{ "what", FIELD_STRING, true, false, 1, 16,
	  "state|settings|printer|camera|session|sessions|events|stats|session_stats", NULL,
	  "Which document." },
	END_FIELDS,
};

static const struct field_def session_id_fields[] = {
	{ "session", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL, "Session number." },
	END_FIELDS,
};

static const struct field_def event_id_fields[] = {
	{ "event", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL, "Event number." },
	END_FIELDS,
};

static const struct field_def print_done_fields[] = {
	{ "session", FIELD_INT, true, true, 1, 1LL << 53, NULL, NULL,
	  "Session number, null for a test print." },
	{ "job", FIELD_STRING, true, false, 1, 64, NULL, NULL, "The print's key." },
	END_FIELDS,
};

static const struct field_def problem_fields[] = {
	{ "problem", FIELD_STRING, true, false, 1, 16, "camera|printer|storage", NULL, "What." },
	{ "active", FIELD_BOOL, true, false, 0, 0, NULL, NULL,
	  "true: it started; false: it is over." },
	{ "message", FIELD_STRING, true, false, 1, 256, NULL, NULL, "In words, for the owner." },
	END_FIELDS,
};

static const struct field_def no_fields[] = { END_FIELDS };

static const struct field_def event_start_fields[] = {
	{ "name", FIELD_STRING, true, false, 1, 64, NULL, NULL, "Short name of the event." },
	{ "title", FIELD_STRING, false, false, 0, 80, NULL, NULL,
	  "Title printed on strips (default: none)." },
	END_FIELDS,
};

static const struct field_def event_ended_fields[] = {
	{ "id", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL, "Event number." },
	{ "name", FIELD_STRING, true, false, 1, 64, NULL, NULL, "Short name." },
	{ "sessions", FIELD_INT, true, false, 0, 1LL << 31, NULL, NULL,
	  "Guest sessions during the event." },
	END_FIELDS,
};

static const struct field_def camera_fields[] = {
	{ "status", FIELD_STRING, true, false, 1, 16, "none|ok|error", NULL,
	  "none: no camera found (still looking); ok: ready; error: see error." },
	{ "backend", FIELD_STRING, true, false, 1, 16, "libcamera|sim", NULL, "Which backend." },
	{ "model", FIELD_STRING, true, false, 0, 64, NULL, NULL,
	  "The camera's model, empty when none." },
	{ "preview", FIELD_OBJECT, true, true, 0, 0, NULL, NULL,
	  "Preview mode: width, height, fps; null when none." },
	{ "still", FIELD_OBJECT, true, true, 0, 0, NULL, NULL,
	  "Full-resolution still mode: width, height; null when none." },
	{ "stream", FIELD_OBJECT, false, true, 0, 0, NULL, NULL,
	  "The capture stream photos are taken from by default: width, height; null when none." },
	{ "error", FIELD_STRING, false, false, 1, 256, NULL, NULL, "What went wrong." },
	END_FIELDS,
};

static const struct field_def capture_fields[] = {
	{ "id", FIELD_STRING, true, false, 1, 64, NULL, NULL,
	  "Key of this capture, echoed in the answer (boothd uses SESSION-SHOT)." },
	{ "session", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL, "Session number." },
	{ "shot", FIELD_INT, true, false, 1, 6, NULL, NULL, "Shot number in the session." },
	{ "trigger_us", FIELD_INT, false, false, 0, 1LL << 53, NULL, NULL,
	  "CLOCK_MONOTONIC microseconds of the moment the countdown reached zero: the camera uses "
	  "the frame closest to it (default: when the request arrives)." },
	{ "mode", FIELD_STRING, false, false, 1, 8, "stream|full", NULL,
	  "stream (default): a frame of the reduced-size capture stream, zero shutter lag; full: a "
	  "full-resolution still taken after the request." },
	END_FIELDS,
};

static const struct field_def frame_ready_fields[] = {
	{ "id", FIELD_STRING, true, false, 1, 64, NULL, NULL, "The capture's key." },
	{ "session", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL, "Session number." },
	{ "shot", FIELD_INT, true, false, 1, 6, NULL, NULL, "Shot number." },
	{ "path", FIELD_STRING, true, false, 1, 4096, NULL, NULL,
	  "The raw frame file in the frames directory (absolute)." },
	{ "width", FIELD_INT, true, false, 1, 65535, NULL, NULL, "Pixels." },
	{ "height", FIELD_INT, true, false, 1, 65535, NULL, NULL, "Pixels." },
	{ "trigger_us", FIELD_INT, false, false, 0, 1LL << 53, NULL, NULL,
	  "The request's trigger_us, echoed." },
	{ "frame_us", FIELD_INT, true, false, 0, 1LL << 53, NULL, NULL,
	  "CLOCK_MONOTONIC microseconds of the sensor timestamp of the frame used." },
	END_FIELDS,
};

static const struct field_def photo_stored_fields[] = {
	{ "id", FIELD_STRING, true, false, 1, 64, NULL, NULL, "The capture's key." },
	{ "session", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL, "Session number." },
	{ "shot", FIELD_INT, true, false, 1, 6, NULL, NULL, "Shot number." },
	{ "path", FIELD_STRING, true, false, 1, 4096, NULL, NULL,
	  "Where the JPEG is in the photo store (absolute)." },
	{ "sha256", FIELD_STRING, true, false, 64, 64, NULL, NULL, "Checksum, lower-case hex." },
	{ "width", FIELD_INT, true, false, 1, 65535, NULL, NULL, "Pixels." },
	{ "height", FIELD_INT, true, false, 1, 65535, NULL, NULL, "Pixels." },
	{ "taken", FIELD_INT, true, false, 0, 1LL << 53, NULL, NULL, "When, ms since 1970 UTC." },
	{ "trigger_us", FIELD_INT, false, false, 0, 1LL << 53, NULL, NULL,
	  "The request's trigger_us, echoed." },
	{ "frame_us", FIELD_INT, false, false, 0, 1LL << 53, NULL, NULL,
	  "CLOCK_MONOTONIC microseconds of the sensor timestamp of the frame used (absent when a "
	  "photo stored earlier is announced again)." },
	END_FIELDS,
};

static const struct field_def capture_failed_fields[] = {
	{ "id", FIELD_STRING, true, false, 1, 64, NULL, NULL, "The capture's key." },
	{ "session", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL, "Session number." },
	{ "shot", FIELD_INT, true, false, 1, 6, NULL, NULL, "Shot number." },
	{ "error", FIELD_STRING, true, false, 1, 256, NULL, NULL, "What went wrong." },
	END_FIELDS,
};

static const struct field_def printer_fields[] = {
	{ "status", FIELD_STRING, true, false, 1, 16, "none|idle|printing|stopped|offline", NULL,
	  "none: no printer configured; offline: it does not answer." },
	{ "destination", FIELD_STRING, true, false, 0, 1023, NULL, NULL,
	  "The configured queue or IPP URI." },
	{ "model", FIELD_STRING, true, false, 0, 256, NULL, NULL,
	  "printer-make-and-model, empty if unknown." },
	{ "reasons", FIELD_ARRAY, true, false, 0, 0, NULL, NULL,
	  "printer-state-reasons other than none, e.g. media-empty-error." },
	{ "message", FIELD_STRING, true, false, 0, 256, NULL, NULL, "printer-state-message." },
	{ "jobs", FIELD_INT, true, false, 0, 1 << 20, NULL, NULL,
	  "Jobs sent and not yet finished." },
	{ "accepting", FIELD_BOOL, true, false, 0, 0, NULL, NULL, "printer-is-accepting-jobs." },
	{ "marker_level", FIELD_INT, true, true, 0, 100, NULL, NULL,
	  "Lowest marker-levels in percent (ink, ribbon), null if not reported." },
	{ "media_left", FIELD_INT, true, true, 0, 1 << 20, NULL, NULL,
	  "Sheets the printer reports in its tray, null if not reported." },
	{ "paper_loaded", FIELD_INT, true, true, 0, 100000, NULL, NULL,
	  "Prints the owner last said were loaded (paper_loaded), null if never." },
	{ "printed", FIELD_INT, true, false, 0, 1 << 30, NULL, NULL,
	  "Prints completed since then." },
	{ "prints_left", FIELD_INT, true, true, 0, 1 << 20, NULL, NULL,
	  "Estimate: the lower of media_left and paper_loaded - printed; null if unknown." },
	{ "started", FIELD_INT, true, false, 0, 1LL << 53, NULL, NULL,
	  "When booth-printer started, ms since 1970 UTC." },
	{ "cut", FIELD_STRING, true, false, 1, 16, "none|unknown|supported|unsupported", NULL,
	  "Whether strips that want cutting are cut; unsupported: printed uncut." },
	END_FIELDS,
};

static const struct field_def paper_fields[] = {
	{ "loaded", FIELD_INT, true, false, 0, 100000, NULL, NULL,
	  "Prints the owner last loaded." },
	{ "printed", FIELD_INT, true, false, 0, 1 << 30, NULL, NULL,
	  "Prints completed since they were loaded." },
	END_FIELDS,
};

static const struct field_def print_fields[] = {
	{ "job", FIELD_STRING, true, false, 1, 64, NULL, NULL,
	  "Key of this print ([a-z0-9_-]); becomes the IPP job-name booth-KEY." },
	{ "path", FIELD_STRING, true, false, 1, 4096, NULL, NULL, "The JPEG to print (absolute)." },
	{ "session", FIELD_INT, false, false, 1, 1LL << 53, NULL, NULL, "Session number." },
	{ "cut", FIELD_BOOL, false, false, 0, 0, NULL, NULL,
	  "Whether the strip's layout wants the page cut ([printer] cut says how); absent: no." },
	END_FIELDS,
};

static const struct field_def printer_cancel_fields[] = {
	{ "jobs", FIELD_ARRAY, false, false, 0, 0, NULL, NULL,
	  "Only these jobs (their keys; a deleted session's); absent: every job." },
	END_FIELDS,
};

static const struct field_def print_job_fields[] = {
	{ "job", FIELD_STRING, true, false, 1, 64, NULL, NULL, "The print's key." },
	{ "state", FIELD_STRING, true, false, 1, 16,
	  "held|queued|processing|completed|failed|canceled", NULL,
	  "held: waiting for the printer; queued: the printer accepted it; completed: printed." },
	{ "ipp_job", FIELD_INT, true, true, 1, 1LL << 31, NULL, NULL,
	  "The printer's job-id, null before it has one." },
	{ "error", FIELD_STRING, false, false, 1, 256, NULL, NULL, "What went wrong (failed)." },
	END_FIELDS,
};

#define SESSION_PHASES	 "idle|countdown|capture|compose|review|print|done|error"
#define SESSION_OUTCOMES "none|printed|kept|deleted|failed|cancelled|abandoned"

static const struct field_def session_state_fields[] = {
	{ "id", FIELD_INT, true, true, 1, 1LL << 53, NULL, NULL,
	  "The session's number; null when idle." },
	{ "phase", FIELD_STRING, true, false, 1, 16, SESSION_PHASES, NULL, "Where it is." },
	{ "shot", FIELD_INT, true, false, 0, 6, NULL, NULL, "The shot counted down to or taken." },
	{ "shots", FIELD_INT, true, false, 1, 6, NULL, NULL, "Shots in this session." },
	{ "remaining_ms", FIELD_INT, true, false, 0, 1LL << 31, NULL, NULL,
	  "Time left in this phase (the countdown), 0 when it does not end by itself." },
	{ "layout", FIELD_STRING, true, false, 1, 64, NULL, NULL, "The layout of the strip." },
	{ "strip", FIELD_STRING, true, true, 1, 4096, NULL, NULL,
	  "Path of the composed strip, during review and after; else null." },
	{ "error", FIELD_STRING, true, true, 1, 256, NULL, NULL,
	  "Why the session failed, in words; else null." },
	{ "outcome", FIELD_STRING, true, false, 1, 16, SESSION_OUTCOMES, NULL, "How it ended." },
	{ "print_notice", FIELD_STRING, false, true, 1, 256, NULL, NULL,
	  "Why strips would not print now (out of paper, printer not answering), for the screen "
	  "to tell the guest before a session starts; null when printing is fine or off." },
	END_FIELDS,
};

static const struct field_def session_command_fields[] = {
	{ "action", FIELD_STRING, true, false, 1, 16, "start|print|retake|discard|cancel", NULL,
	  "What the guest chose." },
	{ "copies", FIELD_INT, false, false, 1, 4, NULL, NULL,
	  "With print: copies the guest chose (at most settings' max_copies)." },
	END_FIELDS,
};

static const struct field_def session_fields[] = {
	{ "session", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL, "Session number." },
	END_FIELDS,
};

static const struct field_def photo_taken_fields[] = {
	{ "session", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL, "Session number." },
	{ "shot", FIELD_INT, true, false, 1, 6, NULL, NULL, "Shot number." },
	END_FIELDS,
};

static const struct field_def session_ended_fields[] = {
	{ "session", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL, "Session number." },
	{ "outcome", FIELD_STRING, true, false, 1, 16, SESSION_OUTCOMES, NULL, "How it ended." },
	{ "error", FIELD_STRING, false, false, 1, 256, NULL, NULL, "Why it failed." },
	END_FIELDS,
};

static const struct field_def reprint_fields[] = {
	{ "session", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL,
	  "The session whose strip to print." },
	END_FIELDS,
};

static const struct field_def paper_loaded_fields[] = {
	{ "prints", FIELD_INT, true, false, 0, 100000, NULL, NULL,
	  "Prints the loaded paper (and ribbon) make." },
	END_FIELDS,
};

static const struct field_def printing_fields[] = {
	{ "on", FIELD_BOOL, true, false, 0, 0, NULL, NULL, "Whether guests' strips are printed." },
	END_FIELDS,
};

static const struct field_def copies_fields[] = {
	{ "copies", FIELD_INT, true, false, 1, 4, NULL, NULL, "Copies of each strip." },
	END_FIELDS,
};

static const struct field_def response_fields[] = {
	{ "ok", FIELD_BOOL, true, false, 0, 0, NULL, NULL, "Whether the command was carried out." },
	{ "error", FIELD_STRING, false, false, 1, 512, NULL, NULL,
	  "What was wrong (only when ok is false)." },
	{ "data", FIELD_OBJECT, false, false, 0, 0, NULL, NULL,
	  "The command's result (only when ok is true)." },
	{ "transaction", FIELD_TXN, false, false, 0, 64, NULL, NULL,
	  "The request's transaction, echoed." },
	END_FIELDS,
};

/* --- telemetry --- */
static const struct field_def health_fields[] = {
	{ "started", FIELD_INT, true, false, 0, 1LL << 53, NULL, NULL,
	  "When boothd started; the counts below count from then." },
	{ "sessions", FIELD_INT, true, false, 0, 1LL << 40, NULL, NULL, "Guest sessions started." },
	{ "captures", FIELD_INT, true, false, 0, 1LL << 40, NULL, NULL, "Photos taken." },
	{ "capture_errors", FIELD_INT, true, false, 0, 1LL << 40, NULL, NULL,
	  "Photos the camera could not take." },
	{ "prints", FIELD_INT, true, false, 0, 1LL << 40, NULL, NULL, "Prints completed." },
	{ "print_errors", FIELD_INT, true, false, 0, 1LL << 40, NULL, NULL, "Prints that failed." },
	{ "camera_problems", FIELD_INT, true, false, 0, 1LL << 40, NULL, NULL,
	  "Times the camera problem started." },
	{ "printer_problems", FIELD_INT, true, false, 0, 1LL << 40, NULL, NULL,
	  "Times the printer problem started." },
	{ "storage_problems", FIELD_INT, true, false, 0, 1LL << 40, NULL, NULL,
	  "Times the storage problem started." },
	{ "camera", FIELD_STRING, true, false, 1, 8, "none|ok|error", NULL,
	  "The camera now: none, ok or error." },
	{ "printer", FIELD_STRING, true, false, 1, 8, "none|ok|fault", NULL,
	  "The printer now: none (not configured), ok, or fault (printing impossible)." },
	END_FIELDS,
};

static const struct field_def telemetry_state_fields[] = {
	{ "consent", FIELD_STRING, true, false, 1, 16, "undecided|declined|accepted", NULL,
	  "The owner's decision." },
	{ "schema", FIELD_INT, true, false, 1, 1000, NULL, NULL,
	  "The report schema this software sends." },
	{ "accepted_schema", FIELD_INT, true, true, 1, 1000, NULL, NULL,
	  "The schema the owner accepted, or null." },
	{ "decided", FIELD_STRING, true, true, 10, 10, NULL, NULL,
	  "The day of the decision (YYYY-MM-DD, UTC), or null." },
	{ "how", FIELD_STRING, true, true, 1, 16, NULL, NULL,
	  "How it was decided (mqtt), or null." },
	{ "fleet", FIELD_BOOL, true, false, 0, 0, NULL, NULL,
	  "Whether a fleet broker is configured ([telemetry] fleet_host)." },
	{ "reporting", FIELD_BOOL, true, false, 0, 0, NULL, NULL,
	  "Whether reports are sent: accepted, for this schema, with a fleet broker." },
	{ "last_report", FIELD_STRING, true, true, 10, 10, NULL, NULL,
	  "The day the last report was sent (YYYY-MM-DD, UTC), or null." },
	END_FIELDS,
};

static const struct field_def telemetry_accept_fields[] = {
	{ "schema", FIELD_INT, true, false, 1, 1000, NULL, NULL,
	  "The report schema version the owner accepts (as preview shows)." },
	END_FIELDS,
};
/* --- end telemetry --- */

/* --- ui --- */
#define UI_SCREENS "attract|countdown|flash|processing|review|printing|done|failed|attention"

static const struct field_def ui_state_fields[] = {
	{ "screen", FIELD_STRING, true, false, 1, 16, UI_SCREENS, NULL, "The screen shown." },
	{ "language", FIELD_STRING, true, false, 2, 2, "en|zh", NULL, "The guests' language." },
	{ "frames", FIELD_INT, true, false, 0, 1LL << 53, NULL, NULL,
	  "Pictures presented since booth-ui started." },
	END_FIELDS,
};

static const struct field_def ui_test_input_fields[] = {
	{ "x", FIELD_INT, false, false, 0, 8191, NULL, NULL, "A tap: canvas x (with y)." },
	{ "y", FIELD_INT, false, false, 0, 8191, NULL, NULL, "A tap: canvas y (with x)." },
	{ "key", FIELD_STRING, false, false, 1, 8, "enter|space|escape|1|2|3|l", NULL,
	  "A key press." },
	{ "screenshot", FIELD_STRING, false, false, 1, 64, NULL, NULL,
	  "Write the screen as NAME.png ([a-z0-9_-]) into [ui] screenshot_dir." },
	END_FIELDS,
};
/* --- end ui --- */

/* --- metrics --- */
static const struct field_def figure_fields[] = {
	{ "median", FIELD_NUMBER, true, true, -(1LL << 40), 1LL << 40, NULL, NULL,
	  "The median, or null without any value." },
	{ "worst", FIELD_NUMBER, true, true, -(1LL << 40), 1LL << 40, NULL, NULL,
	  "The worst value (the longest time, most drops, lowest frame rate), or null." },
	{ "count", FIELD_INT, true, false, 0, 1LL << 40, NULL, NULL, "How many values there are." },
	END_FIELDS,
};

static const struct field_def period_fields[] = {
	{ "sessions", FIELD_INT, true, false, 0, 1LL << 40, NULL, NULL,
	  "Sessions whose figures are final." },
	{ "trigger_to_frame_ms", FIELD_OBJECT, true, false, 0, 0, NULL, figure_fields,
	  "Every shot's trigger-to-frame time." },
	{ "capture_to_strip_ms", FIELD_OBJECT, true, false, 0, 0, NULL, figure_fields,
	  "Last capture to the strip on screen." },
	{ "print_to_accepted_ms", FIELD_OBJECT, true, false, 0, 0, NULL, figure_fields,
	  "Print pressed to the printer having the job." },
	{ "accepted_to_printed_ms", FIELD_OBJECT, true, false, 0, 0, NULL, figure_fields,
	  "The printer having the job to the print done." },
	{ "preview_fps", FIELD_OBJECT, true, false, 0, 0, NULL, figure_fields,
	  "Live-preview frames per second guests saw." },
	{ "preview_dropped", FIELD_OBJECT, true, false, 0, 0, NULL, figure_fields,
	  "Live-preview frames dropped per session." },
	END_FIELDS,
};

static const struct field_def stats_fields[] = {
	{ "today", FIELD_OBJECT, true, false, 0, 0, NULL, period_fields,
	  "Sessions started since local midnight." },
	{ "event", FIELD_OBJECT, true, true, 0, 0, NULL, period_fields,
	  "Sessions of the running event, or null." },
	{ "event_id", FIELD_INT, true, true, 1, 1LL << 53, NULL, NULL,
	  "The running event's number, or null." },
	{ "updated", FIELD_INT, true, false, 0, 1LL << 53, NULL, NULL,
	  "When this was worked out, ms since 1970 UTC." },
	END_FIELDS,
};

static const struct field_def session_stats_fields[] = {
	{ "session", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL, "Session number." },
	{ "outcome", FIELD_STRING, true, false, 1, 16, SESSION_OUTCOMES, NULL, "How it ended." },
	{ "trigger_to_frame_ms", FIELD_ARRAY, true, false, 0, 0, NULL, NULL,
	  "Per shot: from the trigger to the frame taken, ms; null where the camera did not say." },
	{ "capture_to_strip_ms", FIELD_INT, true, true, 0, 600000, NULL, NULL,
	  "From the last shot's trigger to the strip on screen, ms; null if unknown." },
	{ "print_to_accepted_ms", FIELD_INT, true, true, 0, 1LL << 40, NULL, NULL,
	  "From Print (or the review's timeout) to the printer having every copy, ms." },
	{ "accepted_to_printed_ms", FIELD_INT, true, true, 0, 1LL << 40, NULL, NULL,
	  "From the printer having every copy to every copy printed, ms; null unless printed." },
	{ "printed", FIELD_BOOL, true, false, 0, 0, NULL, NULL,
	  "Whether every copy came out of the printer." },
	{ "preview_fps", FIELD_NUMBER, true, true, 0, 1000, NULL, NULL,
	  "Live-preview frames per second booth-ui presented; null if unknown." },
	{ "preview_frames", FIELD_INT, true, true, 0, 1LL << 40, NULL, NULL,
	  "Live-preview frames booth-ui presented." },
	{ "preview_dropped", FIELD_INT, true, true, 0, 1LL << 40, NULL, NULL,
	  "Live-preview frames the camera or booth-ui dropped." },
	{ "preview_ms", FIELD_INT, true, true, 0, 1LL << 40, NULL, NULL,
	  "How long the live preview was on screen, ms." },
	END_FIELDS,
};

static const struct field_def ui_session_stats_fields[] = {
	{ "session", FIELD_INT, true, false, 1, 1LL << 53, NULL, NULL, "Session number." },
	{ "review_shown_us", FIELD_INT, true, true, 0, 1LL << 53, NULL, NULL,
	  "When the review screen with the strip was presented (its last time), CLOCK_MONOTONIC "
	  "microseconds; null if it never was." },
	{ "preview_frames", FIELD_INT, true, false, 0, 1LL << 32, NULL, NULL,
	  "Live-preview frames presented." },
	{ "preview_dropped", FIELD_INT, true, false, 0, 1LL << 32, NULL, NULL,
	  "Live-preview frames the camera numbered but never sent, or sent but never presented." },
	{ "preview_ms", FIELD_INT, true, false, 0, 1LL << 32, NULL, NULL,
	  "How long the live preview was on screen, ms." },
	END_FIELDS,
};
/* --- end metrics --- */

const struct topic_def topic_table[] = {
	AVAILABILITY("boothd"),
	AVAILABILITY("camera"),
	AVAILABILITY("ui"),
	AVAILABILITY("printer"),
	AVAILABILITY("telemetry"),
	{ "booth/{booth}/state", TOPIC_STATE, "boothd", "owner ui printer", true, 1, PAYLOAD_JSON,
	  NULL, state_fields, "The booth's state, counts and running event." },
	{ "booth/{booth}/request/+", TOPIC_REQUEST, "owner", "boothd", false, 1, PAYLOAD_JSON, NULL,
	  NULL, "Any command to boothd; unknown commands are answered with an error." },
	{ "booth/{booth}/request/state", TOPIC_REQUEST, "owner", "boothd", false, 1, PAYLOAD_JSON,
	  NULL, no_fields, "Answer with the state document in data." },
	{ "booth/{booth}/request/event_start", TOPIC_REQUEST, "owner", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, event_start_fields,
	  "Start an event; fails while another is running. data: the event." },
	{ "booth/{booth}/request/event_end", TOPIC_REQUEST, "owner", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, no_fields, "End the running event. data: the ended event." },
	{ "booth/{booth}/request/session_start", TOPIC_REQUEST, "owner", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, no_fields,
	  "Start a guest session as if a guest tapped the screen. data: session." },
	{ "booth/{booth}/request/session_cancel", TOPIC_REQUEST, "owner", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, no_fields, "Abort the running session. data: session." },
	{ "booth/{booth}/request/print_cancel", TOPIC_REQUEST, "owner", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, no_fields, "Cancel every print not yet finished. data: canceled." },
	{ "booth/{booth}/request/reprint", TOPIC_REQUEST, "owner", "boothd", false, 1, PAYLOAD_JSON,
	  NULL, reprint_fields, "Print a session's strip once more. data: job." },
	{ "booth/{booth}/request/paper_loaded", TOPIC_REQUEST, "owner", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, paper_loaded_fields,
	  "The owner loaded paper for this many prints. data: prints." },
	{ "booth/{booth}/request/printing", TOPIC_REQUEST, "owner", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, printing_fields,
	  "Turn printing of guests' strips on or off. data: printing, copies." },
	{ "booth/{booth}/request/copies", TOPIC_REQUEST, "owner", "boothd", false, 1, PAYLOAD_JSON,
	  NULL, copies_fields, "Copies of each guest's strip. data: printing, copies." },
	{ "booth/{booth}/settings", TOPIC_STATE, "boothd", "owner ui", true, 1, PAYLOAD_JSON, NULL,
	  settings_fields, "The owner's settings, as the next session will use them." },
	{ "booth/{booth}/settings/set", TOPIC_REQUEST, "owner", "boothd", false, 1, PAYLOAD_JSON,
	  NULL, settings_set_fields,
	  "Change any of the settings (all or nothing); answered on response/settings_set." },
	{ "booth/{booth}/request/settings", TOPIC_REQUEST, "owner", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, settings_set_fields,
	  "The same as settings/set, as a request. data: the settings." },
	{ "booth/{booth}/request/pause", TOPIC_REQUEST, "owner", "boothd", false, 1, PAYLOAD_JSON,
	  NULL, no_fields,
	  "No new sessions until resume; a running one finishes. data: settings." },
	{ "booth/{booth}/request/resume", TOPIC_REQUEST, "owner", "boothd", false, 1, PAYLOAD_JSON,
	  NULL, no_fields, "Take guests again. data: settings." },
	{ "booth/{booth}/request/get", TOPIC_REQUEST, "owner", "boothd", false, 1, PAYLOAD_JSON,
	  NULL, get_fields, "Answer with a document in data." },
	{ "booth/{booth}/request/delete_session", TOPIC_REQUEST, "owner", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, session_id_fields,
	  "Delete a session's photos, strips and unprinted jobs. data: session, files." },
	{ "booth/{booth}/request/purge_event", TOPIC_REQUEST, "owner", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, event_id_fields,
	  "Delete the photos of every session of an event. data: event, sessions, files." },
	{ "booth/{booth}/request/print_test", TOPIC_REQUEST, "owner", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, no_fields, "Print a test page in the current layout. data: job." },
	{ "booth/{booth}/response/#", TOPIC_RESPONSE, "boothd", "owner", false, 1, PAYLOAD_JSON,
	  NULL, response_fields,
	  "Answers. Default booth/{booth}/response/COMMAND; MQTT v5 clients may name any "
	  "response topic below booth/{booth}/response/." },
	{ "booth/{booth}/events/event_started", TOPIC_EVENT, "boothd", "owner", false, 1,
	  PAYLOAD_JSON, NULL, event_fields, "An event was started." },
	{ "booth/{booth}/events/event_ended", TOPIC_EVENT, "boothd", "owner", false, 1,
	  PAYLOAD_JSON, NULL, event_ended_fields, "An event was ended." },
	{ "booth/{booth}/camera/state", TOPIC_STATE, "camera", "boothd ui owner", true, 1,
	  PAYLOAD_JSON, NULL, camera_fields, "The camera: found or not, model and modes." },
	{ "booth/{booth}/camera/capture", TOPIC_COMMAND, "boothd", "camera", false, 1, PAYLOAD_JSON,
	  NULL, capture_fields, "Take a photo now; answered by photo_stored or capture_failed." },
	{ "booth/{booth}/events/frame_ready", TOPIC_EVENT, "camera", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, frame_ready_fields,
	  "The frame of a capture is ready as raw pixels, before its JPEG is stored." },
	{ "booth/{booth}/events/photo_stored", TOPIC_EVENT, "camera", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, photo_stored_fields,
	  "A photo is safely in the photo store (written, synced, renamed)." },
	{ "booth/{booth}/events/capture_failed", TOPIC_EVENT, "camera", "boothd", false, 1,
	  PAYLOAD_JSON, NULL, capture_failed_fields, "A capture could not be made." },
	{ "booth/{booth}/printer/state", TOPIC_STATE, "printer", "boothd ui owner", true, 1,
	  PAYLOAD_JSON, NULL, printer_fields,
	  "The printer as booth-printer sees it: status, model, state reasons, jobs." },
	{ "booth/{booth}/printer/print", TOPIC_COMMAND, "boothd", "printer", false, 1, PAYLOAD_JSON,
	  NULL, print_fields, "Print this JPEG once; answered by print_job events." },
	{ "booth/{booth}/printer/paper", TOPIC_COMMAND, "boothd", "printer", false, 1, PAYLOAD_JSON,
	  NULL, paper_fields, "The paper the owner loaded and the prints made since." },
	{ "booth/{booth}/printer/cancel", TOPIC_COMMAND, "boothd", "printer", false, 1,
	  PAYLOAD_JSON, NULL, printer_cancel_fields,
	  "Cancel every print not yet finished, or only the jobs named." },
	{ "booth/{booth}/events/print_job", TOPIC_EVENT, "printer", "boothd owner ui", false, 1,
	  PAYLOAD_JSON, NULL, print_job_fields, "A print job changed state." },
	{ "booth/{booth}/session/state", TOPIC_STATE, "boothd", "ui", true, 1, PAYLOAD_JSON, NULL,
	  session_state_fields, "The guest session, for the screen." },
	{ "booth/{booth}/session/command", TOPIC_COMMAND, "ui", "boothd", false, 1, PAYLOAD_JSON,
	  NULL, session_command_fields, "A guest's choice on the screen or button." },
	{ "booth/{booth}/events/session_started", TOPIC_EVENT, "boothd", "owner", false, 1,
	  PAYLOAD_JSON, NULL, session_fields, "A guest session started." },
	{ "booth/{booth}/events/photo_taken", TOPIC_EVENT, "boothd", "owner ui", false, 1,
	  PAYLOAD_JSON, NULL, photo_taken_fields, "A photo of the session is stored." },
	{ "booth/{booth}/events/strip_ready", TOPIC_EVENT, "boothd", "owner", false, 1,
	  PAYLOAD_JSON, NULL, session_fields, "The session's strip is composed." },
	{ "booth/{booth}/events/session_ended", TOPIC_EVENT, "boothd", "owner ui", false, 1,
	  PAYLOAD_JSON, NULL, session_ended_fields, "A guest session ended." },
	{ "booth/{booth}/events/print_done", TOPIC_EVENT, "boothd", "owner", false, 1, PAYLOAD_JSON,
	  NULL, print_done_fields, "A strip came out of the printer." },
	{ "booth/{booth}/events/problem", TOPIC_EVENT, "boothd", "owner", false, 1, PAYLOAD_JSON,
	  NULL, problem_fields, "A fault started or ended (also in state's problems)." },
	{ "booth/{booth}/strip/last", TOPIC_EVENT, "boothd", "owner", false, 1, PAYLOAD_BINARY,
	  NULL, NULL,
	  "The newest strip as JPEG bytes, only with last_strip_image on; never retained." },
	{ "homeassistant/+/photobooth_{booth}/+/config", TOPIC_STATE, "boothd", "owner", true, 1,
	  PAYLOAD_JSON, NULL, NULL, "Home Assistant MQTT discovery: one entity each." },
	{ "homeassistant/status", TOPIC_EVENT, "owner", "boothd", false, 1, PAYLOAD_TEXT,
	  "online|offline", NULL,
	  "Home Assistant's birth message: online makes boothd publish discovery again." },
	/* --- telemetry --- */
	{ "booth/{booth}/health", TOPIC_STATE, "boothd", "telemetry owner", true, 1, PAYLOAD_JSON,
	  NULL, health_fields,
	  "Coarse health counters since boothd started: nothing about guests or names." },
	{ "booth/{booth}/telemetry/state", TOPIC_STATE, "telemetry", "owner", true, 1, PAYLOAD_JSON,
	  NULL, telemetry_state_fields,
	  "The owner's telemetry decision and the last report's day." },
	{ "booth/{booth}/telemetry/request/preview", TOPIC_REQUEST, "owner", "telemetry", false, 1,
	  PAYLOAD_JSON, NULL, no_fields, "The exact bytes the next report would send. data." },
	{ "booth/{booth}/telemetry/request/accept", TOPIC_REQUEST, "owner", "telemetry", false, 1,
	  PAYLOAD_JSON, NULL, telemetry_accept_fields,
	  "Opt in to reports of this schema version. data: the telemetry state." },
	{ "booth/{booth}/telemetry/request/decline", TOPIC_REQUEST, "owner", "telemetry", false, 1,
	  PAYLOAD_JSON, NULL, no_fields,
	  "Opt out: nothing more is sent, nothing queued is kept. data: the telemetry state." },
	{ "booth/{booth}/telemetry/request/last_report", TOPIC_REQUEST, "owner", "telemetry", false,
	  1, PAYLOAD_JSON, NULL, no_fields, "The last report sent, as sent. data." },
	{ "booth/{booth}/telemetry/response/#", TOPIC_RESPONSE, "telemetry", "owner", false, 1,
	  PAYLOAD_JSON, NULL, response_fields,
	  "Answers to telemetry requests: telemetry/response/COMMAND or the v5 response topic." },
	/* --- end telemetry --- */
	/* --- ui --- */
	{ "booth/{booth}/ui/state", TOPIC_STATE, "ui", "owner", true, 1, PAYLOAD_JSON, NULL,
	  ui_state_fields, "What the screen shows." },
	{ "booth/{booth}/ui/test_input", TOPIC_COMMAND, "owner", "ui", false, 1, PAYLOAD_JSON, NULL,
	  ui_test_input_fields,
	  "Tests only, obeyed only with [ui] test_input = yes: a tap, a key or a screenshot." },
	{ "booth/{booth}/ui/pin", TOPIC_STATE, "boothd", "ui", true, 1, PAYLOAD_JSON, NULL,
	  ui_pin_fields, "The owner menu's PIN when set over MQTT (only booth-ui may read it)." },
	{ "booth/{booth}/ui/owner_command", TOPIC_COMMAND, "ui", "boothd", false, 1, PAYLOAD_JSON,
	  NULL, ui_owner_fields, "The owner's choice in the on-screen menu (behind the PIN)." },
	/* --- end ui --- */
	/* --- metrics --- */
	{ "booth/{booth}/stats", TOPIC_STATE, "boothd", "owner", true, 1, PAYLOAD_JSON, NULL,
	  stats_fields,
	  "The booth's figures about itself: median and worst of each, today and this event." },
	{ "booth/{booth}/events/session_stats", TOPIC_EVENT, "boothd", "owner", false, 1,
	  PAYLOAD_JSON, NULL, session_stats_fields, "A session's figures, once they are final." },
	{ "booth/{booth}/ui/session_stats", TOPIC_EVENT, "ui", "boothd", false, 1, PAYLOAD_JSON,
	  NULL, ui_session_stats_fields,
	  "What booth-ui measured of a session that ended: the review's time, the preview." },
	/* --- end metrics --- */
	{ NULL, TOPIC_EVENT, NULL, NULL, false, 0, PAYLOAD_JSON, NULL, NULL, NULL },
};

int topic_expand(const char *pattern, const char *booth, char *buf, size_t n)
{
	const char *ph = strstr(pattern, TOPIC_BOOTH);
	int k;

	if (!ph)
		return strscpy(buf, pattern, n);
	k = snprintf(buf, n, "%.*s%s%s", (int)(ph - pattern), pattern, booth,
		     ph + strlen(TOPIC_BOOTH));
	return k < 0 || (size_t)k >= n ? -ENAMETOOLONG : 0;
}

const struct topic_def *topic_lookup(const char *booth, const char *topic)
{
	char buf[256];

	for (const struct topic_def *t = topic_table; t->pattern; t++) {
		if (strpbrk(t->pattern, "+#"))
			continue;
		if (topic_expand(t->pattern, booth, buf, sizeof(buf)) == 0 &&
		    strcmp(buf, topic) == 0)
			return t;
	}
	return NULL;
}

const struct topic_def *topic_request(const char *command)
{
	static const char prefix[] = "booth/{booth}/request/";

	for (const struct topic_def *t = topic_table; t->pattern; t++)
		if (t->kind == TOPIC_REQUEST &&
		    strncmp(t->pattern, prefix, sizeof(prefix) - 1) == 0 &&
		    strcmp(t->pattern + sizeof(prefix) - 1, command) == 0)
			return t;
	return NULL;
}

static bool has_user(const char *list, const char *user)
{
	size_t n = strlen(user);

	for (const char *p = list; (p = strstr(p, user)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

int topic_write_acl(const char *booth, FILE *f)
{
	char topic[256];

	fprintf(f, "# Generated from mqtt/topics.c: each user may use exactly its own topics.\n");
	for (const char *const *u = topic_users; *u; u++) {
		fprintf(f, "\nuser %s\n", *u);
		for (const struct topic_def *t = topic_table; t->pattern; t++) {
			bool w = strcmp(t->publisher, *u) == 0;
			bool r = has_user(t->subscribers, *u);

			if (!w && !r)
				continue;
			if (topic_expand(t->pattern, booth, topic, sizeof(topic)) < 0)
				return -ENAMETOOLONG;
			fprintf(f, "topic %s %s\n",
				w && r ? "readwrite"
				: w    ? "write"
				       : "read",
				topic);
		}
	}
	return ferror(f) ? -EIO : 0;
}
