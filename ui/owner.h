/* SPDX-License-Identifier: MIT */
/* The owner menu's logic, pure and timed by the caller's clock: the hidden way in (five taps in
 * the top left corner, or the menu key), the PIN pad with a back-off after wrong PINs, the
 * menu's pages, and closing by itself after a minute without input. */
#ifndef BOOTH_UI_OWNER_H
#define BOOTH_UI_OWNER_H

#include <stdbool.h>
#include <stdint.h>

#define OWNER_PIN_MAX	  8
#define OWNER_CORNER_TAPS 5	 /* taps in the corner that open the PIN pad */
#define OWNER_CORNER_MS	  4000	 /* ... within this long */
#define OWNER_IDLE_MS	  60000	 /* the PIN pad and the menu close after this without input */
#define OWNER_FREE_TRIES  3	 /* wrong PINs before the pad locks */
#define OWNER_LOCK_MS	  30000	 /* the first lock; it doubles with every further wrong PIN */
#define OWNER_LOCK_MAX_MS 300000 /* ... up to this */
#define OWNER_DELETED_MS  2000	 /* "Deleted" shows this long, then the menu again */

enum owner_page {
	OWNER_CLOSED,
	OWNER_PIN,	     /* the PIN pad */
	OWNER_MENU,	     /* pause, copies, layout, test print, network, deletions */
	OWNER_LAYOUTS,	     /* the list of layouts */
	OWNER_NETWORK,	     /* the booth's addresses */
	OWNER_CONFIRM_LAST,  /* asks before deleting the last guest's photos */
	OWNER_CONFIRM_EVENT, /* asks before deleting the running event's photos */
	OWNER_DELETED,	     /* "Deleted", for OWNER_DELETED_MS, then the menu */
};

/* What the last PIN attempt said, for the pad to show. */
enum owner_pin_note {
	OWNER_NOTE_NONE,
	OWNER_NOTE_WRONG,  /* wrong PIN, try again */
	OWNER_NOTE_LOCKED, /* too many wrong PINs: wait owner_locked_s() */
};

struct owner {
	enum owner_page page;
	char entered[OWNER_PIN_MAX + 1]; /* digits typed so far */
	enum owner_pin_note note;
	int failures;	       /* wrong PINs in a row */
	uint64_t locked_until; /* ms; no PIN is checked before this */
	uint64_t last_input;   /* ms; for closing by itself */
	int corner_taps;       /* taps in the corner so far ... */
	uint64_t first_corner; /* ... since this time (ms) */
	uint64_t deleted_at;   /* ms; when OWNER_DELETED was shown */
};

/* A tap in the hidden corner at NOW (ms). Returns true when it opens the PIN pad. */
bool owner_corner_tap(struct owner *o, uint64_t now);
/* Open the PIN pad (the menu key). */
void owner_open(struct owner *o, uint64_t now);
/* Close everything (the Close button, escape on the menu, inactivity). */
void owner_close(struct owner *o);

/* Type digit D (0..9) on the pad; ignored past OWNER_PIN_MAX digits or while locked. */
void owner_digit(struct owner *o, int d, uint64_t now);
/* Remove the last digit. */
void owner_backspace(struct owner *o, uint64_t now);
/* Check the typed digits against PIN: right opens the menu; wrong counts a failure, and from the
 * OWNER_FREE_TRIES-th on locks the pad for OWNER_LOCK_MS, doubling each time up to
 * OWNER_LOCK_MAX_MS. Returns true when the menu opened. */
bool owner_submit(struct owner *o, const char *pin, uint64_t now);
/* Whole seconds the pad stays locked after NOW (0: not locked). */
int owner_locked_s(const struct owner *o, uint64_t now);

/* Go to page P of the menu (OWNER_MENU, OWNER_LAYOUTS, OWNER_NETWORK, OWNER_CONFIRM_LAST,
 * OWNER_CONFIRM_EVENT); only from the menu or one of its pages. */
void owner_show(struct owner *o, enum owner_page p, uint64_t now);
/* The owner chose Delete on confirmation page SEEN (what the screen showed) at NOW. Only when
 * SEEN is the confirmation page still open does it turn to OWNER_DELETED and return true: the
 * caller then deletes what SEEN asked about. */
bool owner_confirm(struct owner *o, enum owner_page seen, uint64_t now);
/* Note input at NOW (any tap or key while open keeps it open). */
void owner_touch(struct owner *o, uint64_t now);
/* Time passes: close after OWNER_IDLE_MS without input, and go from OWNER_DELETED back to the
 * menu after OWNER_DELETED_MS. Returns true if the page changed now. */
bool owner_tick(struct owner *o, uint64_t now);

#endif
