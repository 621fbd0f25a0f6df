/* SPDX-License-Identifier: MIT */
/* The guest session driver: the I/O around the session state machine. It stores every
 * transition, asks the camera for photos, runs the composer, sends print jobs, and publishes the
 * session for the screen. */
#ifndef BOOTH_GUEST_H
#define BOOTH_GUEST_H

#include "boothconf.h"
#include "bus.h"
#include "db.h"
#include "loop.h"
#include "metrics.h"
#include "session.h"
#include "settings.h"

#include <stdbool.h>
#include <stdint.h>

struct guest;

/* Called after every transition that changes what boothd's state document says. */
typedef void (*guest_changed_fn)(void *userdata);

/* Create the driver (borrows L, B, DB and CFG, which outlive it), settle sessions left unfinished
 * by a previous run, and subscribe to the camera, printer and screen. Returns 0 and *ret, or
 * -errno (-EINVAL: settings out of range). */
int guest_new(struct loop *l, struct bus *b, struct db *db, const struct booth_config *cfg,
	      const struct booth_settings *settings, guest_changed_fn changed, void *userdata,
	      struct guest **ret);
/* Accepts NULL, returns NULL. */
struct guest *guest_free(struct guest *g);

/* The session state document (booth/{booth}/session/state). */
json_object *guest_state_json(const struct guest *g);
/* Keep every photo in the photo store (today's and yesterday's) that the camera stored but
 * boothd never recorded, because its announcement was lost (boothd or the broker restarted):
 * with its session, or deleted if the guest discarded that session. After every (re)connection
 * and after a failed session. */
void guest_adopt_photos(struct guest *g);
/* Publish the session state (after every (re)connection). */
void guest_publish(struct guest *g);

/* Feed a guest's or owner's command (START, PRINT, RETAKE, DISCARD, CANCEL). Returns 0, or
 * -EINVAL/-EBUSY with *why saying why not, in words. */
int guest_command(struct guest *g, enum session_event_type ev, const char **why);

/* Whether a session runs, and its number (0 if none). */
bool guest_active(const struct guest *g);
int64_t guest_session_id(const struct guest *g);
/* The owner changed the settings (borrowed at guest_new()): the printing switch holds from now
 * on, the rest (layout, shots, countdown, copies) from the next session. */
void guest_settings_changed(struct guest *g);
/* Why no session may start now (a static sentence for the guest's screen and the owner), or
 * NULL. A running session finishes. */
void guest_set_blocked(struct guest *g, const char *why);
/* Why strips would not print now (a sentence for the guest, borrowed until the next call), or
 * NULL; published in session/state so the screen says it before a session starts. */
void guest_set_print_notice(struct guest *g, const char *notice);
/* Whether the camera reported itself ready. */
bool guest_camera_ready(const struct guest *g);
/* Tell M (borrowed, outlives G; NULL: nobody) the sessions' moments that make their figures. */
void guest_set_metrics(struct guest *g, struct metrics *m);

#endif
