/* SPDX-License-Identifier: MIT */
/* The screens: which one the booth's state calls for, and drawing it with its touch targets.
 * Pure drawing into a canvas, no I/O, so every screen is tested headless against a golden PNG. */
#ifndef BOOTH_UI_SCREEN_H
#define BOOTH_UI_SCREEN_H

#include "canvas.h"
#include "owner.h"
#include "strings.h"

#include <stdbool.h>

enum ui_screen {
	SCREEN_ATTRACT,
	SCREEN_COUNTDOWN, /* live preview with the countdown over it */
	SCREEN_FLASH,	  /* capture: the screen turns white */
	SCREEN_PROCESSING,
	SCREEN_REVIEW,
	SCREEN_PRINTING,
	SCREEN_DONE,
	SCREEN_FAILED,
	SCREEN_ATTENTION,
	SCREEN_PIN,	    /* the owner's PIN pad */
	SCREEN_OWNER,	    /* the owner menu */
	SCREEN_LAYOUTS,	    /* the owner menu's list of layouts */
	SCREEN_NETWORK,	    /* the owner menu's network addresses */
	SCREEN_DELETE_LAST, /* asks the owner before deleting the last guest's photos */
	SCREEN_PURGE_EVENT, /* asks the owner before deleting the running event's photos */
	SCREEN_DELETED,	    /* "Deleted", then the menu again */
	SCREEN_COUNT,
};

/* Why the booth cannot take guests (SCREEN_ATTENTION). */
enum ui_attention {
	ATT_NONE,
	ATT_PAPER,
	ATT_RIBBON,
	ATT_PRINTER_OFFLINE,
	ATT_PRINTER_STOPPED,
	ATT_CAMERA,
	ATT_DISK,
	ATT_PAUSED,
	ATT_OUT_OF_ORDER,
	ATT_PRINTER, /* printing required and impossible, no more specific reason */
};

/* What a touch or a key asks for. */
enum ui_action {
	ACT_NONE,
	ACT_START,
	ACT_PRINT,
	ACT_RETAKE,
	ACT_DISCARD,
	ACT_CANCEL,
	ACT_LANGUAGE, /* switch between English and Chinese (handled by booth-ui itself) */
	ACT_COPIES,   /* the guest's copies at review: arg */
	/* The owner menu (handled by booth-ui; some become ui/owner_command). */
	ACT_OWNER_CORNER, /* a tap in the hidden corner */
	ACT_OWNER_OPEN,	  /* the menu key */
	ACT_PIN_DIGIT,	  /* arg: the digit */
	ACT_PIN_DELETE,
	ACT_PIN_OK,
	ACT_OWNER_CLOSE,
	ACT_OWNER_BACK, /* from a page back to the menu */
	ACT_OWNER_PAUSE,
	ACT_OWNER_RESUME,
	ACT_OWNER_COPIES, /* arg: the new default copies */
	ACT_OWNER_LAYOUTS,
	ACT_OWNER_LAYOUT, /* arg: index into the layouts */
	ACT_OWNER_TEST_PRINT,
	ACT_OWNER_NETWORK,
	ACT_OWNER_DELETE_LAST, /* the menu's entry: asks for a confirmation */
	ACT_OWNER_PURGE_EVENT, /* likewise */
	ACT_OWNER_DELETE,      /* Delete on a confirmation; arg: its enum owner_page */
};

/* How the guest's print is going (booth/{booth}/events/print_job of the session's jobs). */
enum ui_print {
	UI_PRINT_NONE, /* nothing heard yet */
	UI_PRINT_HELD, /* waiting for the printer */
	UI_PRINT_PRINTING,
	UI_PRINT_DONE,
	UI_PRINT_FAILED,
};

#define UI_LAYOUTS_MAX	 8
#define UI_ADDRESSES_MAX 6

/* What the owner pages show. */
struct ui_owner_view {
	enum owner_page page;
	int digits; /* typed so far (shown as dots) */
	enum owner_pin_note note;
	int locked_s;
	/* booth/{booth}/settings */
	bool paused;
	int copies, max_copies;
	char layout[65];
	char layouts[UI_LAYOUTS_MAX][65];
	int n_layouts;
	/* the network page */
	char host[65];
	char addresses[UI_ADDRESSES_MAX][64];
	int n_addresses;
};

/* Everything a screen shows, gathered from the bus by booth-ui. */
struct ui_model {
	enum ui_lang lang;
	char title[81];	  /* the running event's title; empty: the default */
	char phase[16];	  /* session/state phase: idle, countdown, capture, ... */
	int shot, shots;  /* session/state */
	int seconds_left; /* countdown digit or review time left, rounded up */
	enum ui_attention attention;
	const struct canvas_xrgb *preview; /* the newest camera frame, or NULL */
	/* The preview is on a hardware plane under the canvas (which has alpha): the countdown
	 * leaves its place transparent instead of drawing it. */
	bool preview_plane;
	bool no_mirror; /* [ui] mirror = no: the preview as the camera sees it, not as a mirror */
	const struct canvas *strip; /* the composed strip (review), or NULL */
	bool print_paused;	/* session/state print_notice: sessions go on without printing */
	enum ui_print print;	/* the session's print, on the printing and done screens */
	int copies, max_copies; /* the guest's copies at review; -/+ when max_copies > 1 */
	struct ui_owner_view owner; /* page OWNER_CLOSED: the guests' screens */
};

#define UI_MAX_TARGETS 24

/* A touch target: BOX on the (unrotated) canvas, and what touching it does (with ARG). */
struct ui_target {
	struct layout_px box;
	enum ui_action action;
	int arg;
};

/* What the rest of the booth reports, as booth-ui last heard it ("" = not heard yet). */
struct ui_status {
	char booth[16];	  /* booth/{booth}/state "state": idle, session, paused, attention */
	char camera[16];  /* camera/state "status": none, ok, error */
	char printer[16]; /* printer/state "status": none, idle, printing, stopped, offline */
	bool paper_out;	  /* printer reasons media-empty* or media-needed* */
	bool ribbon_out;  /* printer reasons marker-supply-empty* */
	bool printing;	  /* settings' printing ([boothd] printing until heard) */
	/* state's blocked: "" = not heard (a boothd before the field), "none" = null, else the
	 * reason: paused, camera, storage, printer, error. */
	char blocked[16];
};

/* Why the booth cannot take a guest now. With boothd's blocked known: its reason (for printer,
 * the printer's own: paper, ribbon, offline, stopped, else ATT_PRINTER), or ATT_NONE when null.
 * Without it, derived as before, most important first: paused by the owner, camera, paper,
 * ribbon, printer offline, printer stopped, boothd in attention; ATT_NONE if it can. */
enum ui_attention screen_attention(const struct ui_status *st);

/* The screen model M calls for: an owner page while the owner menu is open and no session runs,
 * else what the session's phase (or the attract/attention screen) calls for. */
enum ui_screen screen_pick(const struct ui_model *m);
/* The screen's name ("attract", "countdown", ..., "pin", "owner", "layouts", "network",
 * "delete-last", "purge-event", "deleted"). */
const char *screen_name(enum ui_screen s);
/* The guest screen under the owner pages (what ui/state, whose contract knows only the guests'
 * screens, says while the owner menu is open): S itself for a guest screen. */
enum ui_screen screen_public(const struct ui_model *m, enum ui_screen s);

/* Draw screen S of model M onto C and store its touch targets (at most UI_MAX_TARGETS, earlier
 * ones win where they overlap) in TARGETS, their number in *N. Returns 0 or -errno (text that
 * could not be drawn; the rest of the screen is drawn anyway). */
int screen_draw(struct canvas *c, enum ui_screen s, const struct ui_model *m,
		struct ui_target *targets, int *n);

/* Render the countdown's words for a canvas of C's size into the text cache ahead of time: the
 * digits 1..COUNTDOWN_S and "Photo N of M" for every shot of M->shots, in M->lang, so that a
 * preview frame costs a scale and a few blends. C is not drawn on. Returns 0 or -errno. */
int screen_prepare(const struct canvas *c, const struct ui_model *m, int countdown_s);

/* The size of the largest box the review screen of a W x H canvas shows the strip in: decoding
 * the strip to fit inside it (canvas_read_jpeg()) keeps no more pixels than are shown. */
void screen_strip_size(int w, int h, int *max_w, int *max_h);

/* The action of the first target containing (X, Y), or ACT_NONE; its argument in *ARG. */
enum ui_action screen_hit(const struct ui_target *targets, int n, int x, int y, int *arg);

/* The action key KEY ("enter", "space", "escape", "backspace", "menu", "0".."9", "l") stands
 * for on screen S, its argument in *ARG: enter/space (and the big GPIO button, which arrives as
 * enter) is the screen's main action, escape goes back, 1/2/3 pick the review's Print/Retake/
 * Don't keep, l switches language; menu opens the owner's PIN pad from the attract and
 * attention screens; on the PIN pad digits type, backspace deletes, enter checks. On a
 * deletion's confirmation escape keeps (goes back) and no key deletes. */
enum ui_action screen_key(enum ui_screen s, const char *key, int *arg);

/* The name of action A ("start", "print", ...), as on session/command; NULL for ACT_NONE and
 * ACT_LANGUAGE. */
const char *screen_action_name(enum ui_action a);

#endif
