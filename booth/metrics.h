/* SPDX-License-Identifier: MIT */
/* The booth measures itself (boothd's side): what the guest session driver tells it, the
 * camera's and booth-ui's reports and the print jobs make each session's figures; they are
 * stored, published per session once complete (events/session_stats) and summed up in the
 * retained booth/{booth}/stats. docs/performance.md says what each figure means. */
#ifndef BOOTH_METRICS_H
#define BOOTH_METRICS_H

#include "bus.h"
#include "db.h"
#include "loop.h"

#include <json-c/json.h>
#include <stdint.h>

struct metrics;

/* How long a session's figures wait for booth-ui's report, and for its prints to finish, after
 * the session ended; then they are final with what is known. */
#define METRICS_UI_WAIT_MS    10000
#define METRICS_PRINT_WAIT_MS (30LL * 60 * 1000)

/* Create (borrows L, B and DB, which outlive it) and subscribe to the camera's photos, booth-ui's
 * reports and the print jobs. Create it after the guest session driver: both follow print jobs,
 * and the driver records a job's state in the database first. Sessions whose figures were left
 * open by a previous run are settled. Returns 0 and *ret, or -errno. */
int metrics_new(struct loop *l, struct bus *b, struct db *db, struct metrics **ret);
/* Accepts NULL, returns NULL. */
struct metrics *metrics_free(struct metrics *m);

/* The guest session driver's moments. M may be NULL (nothing is measured). Session SESSION
 * started with SHOTS shots; */
void metrics_session_started(struct metrics *m, int64_t session, int shots);
/* its countdown for a shot ended: boothd asks the camera now (the trigger); */
void metrics_trigger(struct metrics *m, int64_t session);
/* the guest pressed Print, or the review timed out and prints, at WALL_MS; */
void metrics_print_pressed(struct metrics *m, int64_t session, int64_t wall_ms);
/* it ended (recorded in the database already). */
void metrics_session_ended(struct metrics *m, int64_t session);

/* Publish the retained summary (after every (re)connection, when an event starts or ends; at
 * midnight and after every session by itself). */
void metrics_publish_summary(struct metrics *m);
/* The summary document into *ret. Returns 0 or -errno. */
int metrics_summary_json(struct metrics *m, json_object **ret);
/* {"sessions": [...]}: the final figures of the LIMIT newest sessions, as events/session_stats
 * published them, into *ret. Returns 0 or -errno. */
int metrics_sessions_json(struct metrics *m, int limit, json_object **ret);

#endif
