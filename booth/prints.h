/* SPDX-License-Identifier: MIT */
/* boothd's side of printing: the print jobs in the database are the source of truth. Unfinished
 * jobs are sent to booth-printer again whenever it (re)starts, and the owner's print commands
 * (cancel the queue, reprint, paper loaded, test print) are carried out here. */
#ifndef BOOTH_PRINTS_H
#define BOOTH_PRINTS_H

#include "boothconf.h"
#include "bus.h"
#include "db.h"
#include "settings.h"

#include <stdbool.h>
#include <stdint.h>

struct prints;

/* Create (borrows B, DB, CFG and SETTINGS, which outlive it) and subscribe to the printer's
 * state. Returns 0 and *ret, or -errno. */
int prints_new(struct bus *b, struct db *db, const struct booth_config *cfg,
	       const struct booth_settings *settings, struct prints **ret);
/* Accepts NULL, returns NULL. */
struct prints *prints_free(struct prints *p);

/* Whether strips of layout LAYOUT ask the printer to cut the page ([page] cut = yes in the
 * layout file, found where booth-compose finds it). A layout that cannot be read now prints
 * uncut; that is logged. */
bool prints_layout_cut(const struct booth_config *cfg, const char *layout);

/* Ask booth-printer to print job KEY (recorded already) from the strip at PATH, cut if CUT.
 * Returns 0 or -errno (not connected: the job is sent again when booth-printer next starts). */
int prints_send(struct prints *p, const char *key, const char *path, int64_t session, bool cut);

/* The owner loaded N prints' worth of paper: recorded, then booth-printer is told. */
int prints_paper_loaded(struct prints *p, int n);
/* Cancel every unfinished job: recorded as canceled, then booth-printer is told. Returns how
 * many jobs were canceled, or -errno. */
int prints_cancel(struct prints *p);
/* Print SESSION's strip once more. Returns 0 with the job's key in KEY (65 bytes), -ENOENT if the
 * session has no strip, or -errno. */
int prints_reprint(struct prints *p, int64_t session, char *key);

/* Called when the printer's readiness for guests changes (see prints_notice()). */
typedef void (*prints_changed_fn)(void *userdata);
void prints_set_changed(struct prints *p, prints_changed_fn fn, void *userdata);
/* Why a guest's strip would not print now, in words for the screen, or NULL when the printer is
 * ready (or printing is off, or nothing is known yet). Valid until the next printer state. */
const char *prints_notice(const struct prints *p);

/* The last printer/state document (borrowed until the next), or NULL before the first. */
json_object *prints_state(const struct prints *p);
/* The printer's status ("offline" before booth-printer said anything) and *PRINTS_LEFT (-1:
 * unknown). */
const char *prints_status(const struct prints *p, int *prints_left);
/* Print the test page at PATH (no session), CUT as its layout wants. Returns 0 with the job's
 * key in KEY (65 bytes). */
int prints_test(struct prints *p, const char *path, bool cut, char *key);

#endif
