/* SPDX-License-Identifier: MIT */
/* The screens, drawn from the model into a canvas, with their touch targets. */
#include "screen.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const uint8_t BG[3] = { 22, 26, 48 };
static const uint8_t FG[3] = { 255, 255, 255 };
static const uint8_t DIM[3] = { 190, 196, 220 };
static const uint8_t NOTICE[3] = { 255, 196, 64 };
static const uint8_t ACCENT[3] = { 228, 84, 60 };
static const uint8_t GREEN[3] = { 40, 160, 90 };
static const uint8_t BLUE[3] = { 50, 110, 200 };
static const uint8_t GREY[3] = { 90, 96, 116 };
static const uint8_t WARN_BG[3] = { 120, 40, 30 };

static const char *const names[SCREEN_COUNT] = {
	[SCREEN_ATTRACT] = "attract",
	[SCREEN_COUNTDOWN] = "countdown",
	[SCREEN_FLASH] = "flash",
	[SCREEN_PROCESSING] = "processing",
	[SCREEN_REVIEW] = "review",
	[SCREEN_PRINTING] = "printing",
	[SCREEN_DONE] = "done",
	[SCREEN_FAILED] = "failed",
	[SCREEN_ATTENTION] = "attention",
	[SCREEN_PIN] = "pin",
	[SCREEN_OWNER] = "owner",
	[SCREEN_LAYOUTS] = "layouts",
	[SCREEN_NETWORK] = "network",
	[SCREEN_DELETE_LAST] = "delete-last",
	[SCREEN_PURGE_EVENT] = "purge-event",
	[SCREEN_DELETED] = "deleted",
};

const char *screen_name(enum ui_screen s)
{
	return (unsigned)s < SCREEN_COUNT ? names[s] : "unknown";
}

/* The printer's own reason for a printer that cannot print, or ATT_NONE. */
static enum ui_attention printer_attention(const struct ui_status *st)
{
	if (st->paper_out)
		return ATT_PAPER;
	if (st->ribbon_out)
		return ATT_RIBBON;
	if (strcmp(st->printer, "offline") == 0)
		return ATT_PRINTER_OFFLINE;
	if (strcmp(st->printer, "stopped") == 0)
		return ATT_PRINTER_STOPPED;
	return ATT_NONE;
}

enum ui_attention screen_attention(const struct ui_status *st)
{
	static const struct {
		const char *reason;
		enum ui_attention att;
	} blocked[] = {
		{ "paused", ATT_PAUSED },      { "camera", ATT_CAMERA },   { "storage", ATT_DISK },
		{ "error", ATT_OUT_OF_ORDER }, { "printer", ATT_PRINTER },
	};

	/* boothd decides whether guests may start; the screen only says why not. */
	if (st->blocked[0]) {
		for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++)
			if (strcmp(st->blocked, blocked[i].reason) == 0) {
				enum ui_attention p = printer_attention(st);

				return blocked[i].att == ATT_PRINTER && p != ATT_NONE
					       ? p
					       : blocked[i].att;
			}
		return strcmp(st->blocked, "none") == 0 ? ATT_NONE : ATT_OUT_OF_ORDER;
	}
	if (strcmp(st->booth, "paused") == 0)
		return ATT_PAUSED;
	if (strcmp(st->camera, "none") == 0 || strcmp(st->camera, "error") == 0)
		return ATT_CAMERA;
	if (st->printing && strcmp(st->printer, "none") != 0 && printer_attention(st) != ATT_NONE)
		return printer_attention(st);
	if (strcmp(st->booth, "attention") == 0)
		return ATT_OUT_OF_ORDER;
	return ATT_NONE;
}

enum ui_screen screen_pick(const struct ui_model *m)
{
	static const struct {
		const char *phase;
		enum ui_screen screen;
	} map[] = {
		{ "countdown", SCREEN_COUNTDOWN }, { "capture", SCREEN_FLASH },
		{ "compose", SCREEN_PROCESSING },  { "review", SCREEN_REVIEW },
		{ "print", SCREEN_PRINTING },	   { "done", SCREEN_DONE },
		{ "error", SCREEN_FAILED },
	};

	/* A running session keeps its screens; attention waits until the guest is done. */
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(m->phase, map[i].phase) == 0)
			return map[i].screen;
	switch (m->owner.page) {
	case OWNER_PIN:
		return SCREEN_PIN;
	case OWNER_MENU:
		return SCREEN_OWNER;
	case OWNER_LAYOUTS:
		return SCREEN_LAYOUTS;
	case OWNER_NETWORK:
		return SCREEN_NETWORK;
	case OWNER_CONFIRM_LAST:
		return SCREEN_DELETE_LAST;
	case OWNER_CONFIRM_EVENT:
		return SCREEN_PURGE_EVENT;
	case OWNER_DELETED:
		return SCREEN_DELETED;
	default:
		break;
	}
	return m->attention != ATT_NONE ? SCREEN_ATTENTION : SCREEN_ATTRACT;
}

enum ui_screen screen_public(const struct ui_model *m, enum ui_screen s)
{
	if (s < SCREEN_PIN)
		return s;
	return m->attention != ATT_NONE ? SCREEN_ATTENTION : SCREEN_ATTRACT;
}

/* A box from fractions of the canvas. */
static struct layout_px frac_of(int w, int h, double x0, double y0, double x1, double y1)
{
	struct layout_px b = { (int)(x0 * w), (int)(y0 * h), (int)(x1 * w), (int)(y1 * h) };

	return b;
}

static struct layout_px frac(const struct canvas *c, double x0, double y0, double x1, double y1)
{
	return frac_of(c->w, c->h, x0, y0, x1, y1);
}

/* Where the review screen of a W x H canvas shows the strip (smaller on a portrait screen when
 * the guest chooses copies). */
static struct layout_px review_strip(int w, int h, bool choose)
{
	if (h > w)
		return frac_of(w, h, 0.1, 0.09, 0.9, choose ? 0.5 : 0.55);
	return frac_of(w, h, 0.03, 0.04, 0.49, 0.96);
}

/* The box text of HEIGHT (a share of BOX's height) is fitted into, inside BOX. */
static struct layout_px text_box(struct layout_px box, double height)
{
	int bh = box.y1 - box.y0, pad = (int)(bh * (1 - height) / 2);
	int bw = box.x1 - box.x0, padx = bw / 20;
	struct layout_px t = { box.x0 + padx, box.y0 + pad, box.x1 - padx, box.y1 - pad };

	return t;
}

/* Text centred in BOX at HEIGHT (a share of the box's height); keeps the first error in *R. */
static void text_in(struct canvas *c, struct layout_px box, double height, const char *s,
		    const uint8_t color[3], int *r)
{
	struct layout_px t = text_box(box, height);
	int k = canvas_text(c, &t, s, color, LAYOUT_ALIGN_CENTER);

	if (k < 0 && *r == 0)
		*r = k;
}

static void target(struct layout_px box, enum ui_action a, int arg, struct ui_target *targets,
		   int *n)
{
	if (*n < UI_MAX_TARGETS)
		targets[(*n)++] = (struct ui_target){ box, a, arg };
}

static void button_arg(struct canvas *c, struct layout_px box, const uint8_t color[3],
		       const char *s, enum ui_action a, int arg, struct ui_target *targets, int *n,
		       int *r)
{
	canvas_fill(c, &box, color);
	text_in(c, box, 0.5, s, FG, r);
	target(box, a, arg, targets, n);
}

static void button(struct canvas *c, struct layout_px box, const uint8_t color[3], const char *s,
		   enum ui_action a, struct ui_target *targets, int *n, int *r)
{
	button_arg(c, box, color, s, a, 0, targets, n, r);
}

/* The hidden way into the owner menu: the top left corner, which must win over any target
 * under it (the attract screen's start). */
static void owner_corner(const struct canvas *c, struct ui_target *targets, int *n)
{
	target(frac(c, 0, 0, 0.12, 0.15), ACT_OWNER_CORNER, 0, targets, n);
}

static void draw_attract(struct canvas *c, const struct ui_model *m, struct ui_target *targets,
			 int *n, int *r)
{
	const char *title = m->title[0] ? m->title : ui_str(m->lang, STR_DEFAULT_TITLE);
	struct layout_px all = { 0, 0, c->w, c->h };
	struct layout_px lang = frac(c, 0.74, 0.84, 0.97, 0.96);

	canvas_fill(c, &all, BG);
	text_in(c, frac(c, 0.05, 0.08, 0.95, 0.26), 0.8, title, FG, r);
	/* The corner and the language switch come first so that they win over the full-screen
	 * start target. */
	owner_corner(c, targets, n);
	canvas_fill(c, &lang, GREY);
	text_in(c, lang, 0.55, ui_str(m->lang, STR_OTHER_LANGUAGE), FG, r);
	target(lang, ACT_LANGUAGE, 0, targets, n);
	{
		struct layout_px b = frac(c, 0.2, 0.38, 0.8, 0.64);

		canvas_fill(c, &b, ACCENT);
		text_in(c, b, 0.5, ui_str(m->lang, STR_TOUCH_TO_START), FG, r);
	}
	text_in(c, frac(c, 0.2, 0.68, 0.8, 0.78), 0.7, ui_str(m->lang, STR_OR_BUTTON), DIM, r);
	/* Guests learn before they start that there will be no print (issue: printing faults). */
	if (m->print_paused)
		text_in(c, frac(c, 0.03, 0.85, 0.70, 0.95), 0.7,
			ui_str(m->lang, STR_PRINTING_PAUSED), NOTICE, r);
	target(all, ACT_START, 0, targets, n);
}

/* The countdown's boxes: the top band ("Photo N of M"), the digit, the bottom band. */
#define COUNTDOWN_TOP(c)    frac(c, 0, 0, 1, 0.12)
#define COUNTDOWN_DIGIT(c)  frac(c, 0.35, 0.25, 0.65, 0.75)
#define COUNTDOWN_BOTTOM(c) frac(c, 0, 0.86, 1, 1)

/* The live preview (or its hole over a plane, or the placeholder), then the N SHADES over it:
 * done with the scaling, band by band, when the preview is drawn here. */
static void draw_preview(struct canvas *c, const struct ui_model *m,
			 const struct canvas_shade *shades, int n, int *r)
{
	struct layout_px all = { 0, 0, c->w, c->h };

	if (!m->preview_plane && m->preview &&
	    canvas_blit_xrgb_shaded(c, &all, m->preview, !m->no_mirror, shades, n) == 0)
		return;
	if (m->preview_plane) {
		canvas_clear(c, &all);
	} else {
		canvas_fill(c, &all, GREY);
		text_in(c, frac(c, 0.1, 0.78, 0.9, 0.86), 0.8, ui_str(m->lang, STR_NO_PREVIEW), DIM,
			r);
	}
	for (int i = 0; i < n; i++)
		canvas_shade(c, &shades[i].box, shades[i].alpha, false);
}

static void draw_countdown(struct canvas *c, const struct ui_model *m, int *r)
{
	/* Shaded bands keep the words readable over any picture. */
	struct canvas_shade shades[2] = {
		{ COUNTDOWN_TOP(c), 140 },
		m->seconds_left > 0 ? (struct canvas_shade){ COUNTDOWN_DIGIT(c), 110 }
				    : (struct canvas_shade){ COUNTDOWN_BOTTOM(c), 140 }
	};
	char buf[64], digit[16];

	draw_preview(c, m, shades, 2, r);
	ui_str_format(m->lang, STR_PHOTO_N_OF_M, (const int[]){ m->shot, m->shots }, 2, buf,
		      sizeof(buf));
	text_in(c, shades[0].box, 0.7, buf, FG, r);
	if (m->seconds_left > 0) {
		snprintf(digit, sizeof(digit), "%d", m->seconds_left);
		text_in(c, shades[1].box, 0.8, digit, FG, r);
	} else {
		text_in(c, shades[1].box, 0.7, ui_str(m->lang, STR_LOOK_HERE), FG, r);
	}
}

static void draw_message(struct canvas *c, const uint8_t bg[3], const char *big, const char *sub,
			 int *r)
{
	struct layout_px all = { 0, 0, c->w, c->h };

	canvas_fill(c, &all, bg);
	text_in(c, frac(c, 0.05, 0.3, 0.95, 0.5), 0.8, big, FG, r);
	if (sub)
		text_in(c, frac(c, 0.1, 0.56, 0.9, 0.66), 0.8, sub, DIM, r);
}

/* The guest's copies: [-] Copies: N [+] in BOX. */
static void copies_row(struct canvas *c, struct layout_px box, int copies, int lo, int hi,
		       enum ui_action a, enum ui_lang lang, struct ui_target *targets, int *n,
		       int *r)
{
	int w = box.x1 - box.x0, side = w / 5;
	struct layout_px minus = { box.x0, box.y0, box.x0 + side, box.y1 };
	struct layout_px plus = { box.x1 - side, box.y0, box.x1, box.y1 };
	struct layout_px mid = { minus.x1, box.y0, plus.x0, box.y1 };
	char buf[64];

	button_arg(c, minus, copies > lo ? BLUE : GREY, "-", a, copies > lo ? copies - 1 : copies,
		   targets, n, r);
	button_arg(c, plus, copies < hi ? BLUE : GREY, "+", a, copies < hi ? copies + 1 : copies,
		   targets, n, r);
	ui_str_format(lang, STR_COPIES, &copies, 1, buf, sizeof(buf));
	text_in(c, mid, 0.6, buf, FG, r);
}

void screen_strip_size(int w, int h, int *max_w, int *max_h)
{
	struct layout_px b = review_strip(w, h, false);

	*max_w = b.x1 - b.x0;
	*max_h = b.y1 - b.y0;
}

static void draw_review(struct canvas *c, const struct ui_model *m, struct ui_target *targets,
			int *n, int *r)
{
	struct layout_px all = { 0, 0, c->w, c->h }, strip, title, b[3], left, copies;
	bool portrait = c->h > c->w, choose = m->max_copies > 1;
	char buf[64];

	canvas_fill(c, &all, BG);
	if (portrait && choose) {
		title = frac(c, 0.05, 0.02, 0.95, 0.08);
		strip = review_strip(c->w, c->h, true);
		b[0] = frac(c, 0.08, 0.52, 0.92, 0.62);
		copies = frac(c, 0.08, 0.635, 0.92, 0.735);
		b[1] = frac(c, 0.08, 0.75, 0.92, 0.84);
		b[2] = frac(c, 0.08, 0.855, 0.92, 0.945);
		left = frac(c, 0.1, 0.95, 0.9, 0.99);
	} else if (portrait) {
		title = frac(c, 0.05, 0.02, 0.95, 0.08);
		strip = review_strip(c->w, c->h, false);
		b[0] = frac(c, 0.08, 0.58, 0.92, 0.69);
		b[1] = frac(c, 0.08, 0.715, 0.92, 0.805);
		b[2] = frac(c, 0.08, 0.83, 0.92, 0.92);
		left = frac(c, 0.1, 0.935, 0.9, 0.98);
	} else if (choose) {
		title = frac(c, 0.52, 0.04, 0.98, 0.14);
		strip = review_strip(c->w, c->h, choose);
		b[0] = frac(c, 0.54, 0.16, 0.96, 0.34);
		copies = frac(c, 0.54, 0.37, 0.96, 0.49);
		b[1] = frac(c, 0.54, 0.52, 0.96, 0.66);
		b[2] = frac(c, 0.54, 0.69, 0.96, 0.83);
		left = frac(c, 0.54, 0.86, 0.96, 0.94);
	} else {
		title = frac(c, 0.52, 0.04, 0.98, 0.14);
		strip = review_strip(c->w, c->h, choose);
		b[0] = frac(c, 0.54, 0.18, 0.96, 0.40);
		b[1] = frac(c, 0.54, 0.44, 0.96, 0.60);
		b[2] = frac(c, 0.54, 0.64, 0.96, 0.80);
		left = frac(c, 0.54, 0.85, 0.96, 0.94);
	}
	text_in(c, title, 0.8, ui_str(m->lang, STR_REVIEW_TITLE), FG, r);
	canvas_fill(c, &strip, GREY);
	if (m->strip)
		canvas_blit_fit(c, &strip, m->strip);
	button(c, b[0], GREEN, ui_str(m->lang, STR_PRINT), ACT_PRINT, targets, n, r);
	button(c, b[1], BLUE, ui_str(m->lang, STR_RETAKE), ACT_RETAKE, targets, n, r);
	button(c, b[2], GREY, ui_str(m->lang, STR_DISCARD), ACT_DISCARD, targets, n, r);
	if (choose)
		copies_row(c, copies, m->copies, 1, m->max_copies, ACT_COPIES, m->lang, targets, n,
			   r);
	if (m->seconds_left > 0) {
		ui_str_format(m->lang, STR_REVIEW_SECONDS, &m->seconds_left, 1, buf, sizeof(buf));
		text_in(c, left, 0.8, buf, DIM, r);
	}
}

/* The owner's PIN pad: what was typed (as dots), what the last try said, the keys. */
static void draw_pin(struct canvas *c, const struct ui_model *m, struct ui_target *targets, int *n,
		     int *r)
{
	static const char *const keys[12] = { "1", "2", "3", "4",  "5", "6",
					      "7", "8", "9", NULL, "0", NULL };
	const struct ui_owner_view *o = &m->owner;
	struct layout_px all = { 0, 0, c->w, c->h }, title, dots, note, close, pad;
	bool portrait = c->h > c->w;
	char buf[64];

	canvas_fill(c, &all, BG);
	if (portrait) {
		title = frac(c, 0.05, 0.02, 0.95, 0.09);
		dots = frac(c, 0.1, 0.1, 0.9, 0.17);
		note = frac(c, 0.05, 0.18, 0.95, 0.24);
		pad = frac(c, 0.05, 0.26, 0.95, 0.86);
		close = frac(c, 0.25, 0.88, 0.75, 0.98);
	} else {
		title = frac(c, 0.03, 0.06, 0.45, 0.2);
		dots = frac(c, 0.03, 0.26, 0.45, 0.4);
		note = frac(c, 0.02, 0.46, 0.46, 0.58);
		pad = frac(c, 0.48, 0.04, 0.98, 0.96);
		close = frac(c, 0.08, 0.78, 0.4, 0.94);
	}
	text_in(c, title, 0.8, ui_str(m->lang, STR_OWNER_PIN), FG, r);
	if (o->digits > 0) {
		int k = 0;

		/* Dots, never the digits: someone may be watching. */
		for (int i = 0; i < o->digits && i < OWNER_PIN_MAX; i++)
			k += snprintf(buf + k, sizeof(buf) - (size_t)k, "%s", i ? " ●" : "●");
		text_in(c, dots, 0.7, buf, FG, r);
	}
	if (o->note == OWNER_NOTE_LOCKED && o->locked_s > 0) {
		ui_str_format(m->lang, STR_PIN_LOCKED, &o->locked_s, 1, buf, sizeof(buf));
		text_in(c, note, 0.7, buf, NOTICE, r);
	} else if (o->note == OWNER_NOTE_WRONG) {
		text_in(c, note, 0.7, ui_str(m->lang, STR_PIN_WRONG), NOTICE, r);
	}
	for (int i = 0; i < 12; i++) {
		int pw = pad.x1 - pad.x0, ph = pad.y1 - pad.y0, col = i % 3, row = i / 3;
		struct layout_px k = { pad.x0 + pw * col / 3 + pw / 60,
				       pad.y0 + ph * row / 4 + ph / 60,
				       pad.x0 + pw * (col + 1) / 3 - pw / 60,
				       pad.y0 + ph * (row + 1) / 4 - ph / 60 };

		if (keys[i])
			button_arg(c, k, BLUE, keys[i], ACT_PIN_DIGIT, keys[i][0] - '0', targets, n,
				   r);
		else if (i == 9)
			button(c, k, GREY, ui_str(m->lang, STR_DELETE), ACT_PIN_DELETE, targets, n,
			       r);
		else
			button(c, k, GREEN, ui_str(m->lang, STR_OK), ACT_PIN_OK, targets, n, r);
	}
	button(c, close, GREY, ui_str(m->lang, STR_CLOSE), ACT_OWNER_CLOSE, targets, n, r);
}

static void draw_owner(struct canvas *c, const struct ui_model *m, struct ui_target *targets,
		       int *n, int *r)
{
	const struct ui_owner_view *o = &m->owner;
	struct layout_px all = { 0, 0, c->w, c->h };
	char buf[160];

	/* Rows of 0.105 of the screen: just over the tenth a button needs, so that seven fit; the
	 * deletions sit apart from the rest, in full rows so that their words stay large. */
	canvas_fill(c, &all, BG);
	text_in(c, frac(c, 0.05, 0.01, 0.95, 0.10), 0.8, ui_str(m->lang, STR_OWNER_MENU), FG, r);
	if (o->paused)
		button(c, frac(c, 0.05, 0.11, 0.95, 0.215), GREEN,
		       ui_str(m->lang, STR_RESUME_BOOTH), ACT_OWNER_RESUME, targets, n, r);
	else
		button(c, frac(c, 0.05, 0.11, 0.95, 0.215), ACCENT,
		       ui_str(m->lang, STR_PAUSE_BOOTH), ACT_OWNER_PAUSE, targets, n, r);
	copies_row(c, frac(c, 0.05, 0.23, 0.95, 0.335), o->copies, 1,
		   o->max_copies > 1 ? o->max_copies : 4, ACT_OWNER_COPIES, m->lang, targets, n, r);
	snprintf(buf, sizeof(buf), "%s: %s", ui_str(m->lang, STR_LAYOUT),
		 o->layout[0] ? o->layout : "-");
	button(c, frac(c, 0.05, 0.35, 0.95, 0.455), BLUE, buf, ACT_OWNER_LAYOUTS, targets, n, r);
	button(c, frac(c, 0.05, 0.47, 0.48, 0.575), BLUE, ui_str(m->lang, STR_TEST_PRINT),
	       ACT_OWNER_TEST_PRINT, targets, n, r);
	button(c, frac(c, 0.52, 0.47, 0.95, 0.575), BLUE, ui_str(m->lang, STR_NETWORK),
	       ACT_OWNER_NETWORK, targets, n, r);
	button(c, frac(c, 0.05, 0.605, 0.95, 0.71), WARN_BG, ui_str(m->lang, STR_DELETE_LAST),
	       ACT_OWNER_DELETE_LAST, targets, n, r);
	button(c, frac(c, 0.05, 0.725, 0.95, 0.83), WARN_BG, ui_str(m->lang, STR_PURGE_EVENT),
	       ACT_OWNER_PURGE_EVENT, targets, n, r);
	button(c, frac(c, 0.3, 0.86, 0.7, 0.965), GREY, ui_str(m->lang, STR_CLOSE), ACT_OWNER_CLOSE,
	       targets, n, r);
}

/* A deletion's confirmation, in plain words: what goes, that it cannot be undone; Keep (the
 * safe choice, blue) beside Delete (dark red). */
static void draw_confirm(struct canvas *c, const struct ui_model *m, bool event,
			 struct ui_target *targets, int *n, int *r)
{
	struct layout_px all = { 0, 0, c->w, c->h };

	canvas_fill(c, &all, BG);
	text_in(c, frac(c, 0.05, 0.06, 0.95, 0.22), 0.8,
		ui_str(m->lang, event ? STR_PURGE_EVENT_Q : STR_DELETE_LAST_Q), FG, r);
	text_in(c, frac(c, 0.05, 0.28, 0.95, 0.38), 0.8,
		ui_str(m->lang, event ? STR_PURGE_EVENT_WHAT : STR_DELETE_LAST_WHAT), DIM, r);
	text_in(c, frac(c, 0.05, 0.42, 0.95, 0.52), 0.8, ui_str(m->lang, STR_CANNOT_UNDO), NOTICE,
		r);
	button(c, frac(c, 0.05, 0.64, 0.47, 0.9), BLUE, ui_str(m->lang, STR_KEEP), ACT_OWNER_BACK,
	       targets, n, r);
	button_arg(c, frac(c, 0.53, 0.64, 0.95, 0.9), WARN_BG, ui_str(m->lang, STR_CONFIRM_DELETE),
		   ACT_OWNER_DELETE, event ? OWNER_CONFIRM_EVENT : OWNER_CONFIRM_LAST, targets, n,
		   r);
}

static void draw_layouts(struct canvas *c, const struct ui_model *m, struct ui_target *targets,
			 int *n, int *r)
{
	const struct ui_owner_view *o = &m->owner;
	struct layout_px all = { 0, 0, c->w, c->h };

	canvas_fill(c, &all, BG);
	text_in(c, frac(c, 0.05, 0.02, 0.95, 0.13), 0.8, ui_str(m->lang, STR_CHOOSE_LAYOUT), FG, r);
	for (int i = 0; i < o->n_layouts && i < UI_LAYOUTS_MAX; i++) {
		int row = i / 2;
		double x0 = i % 2 ? 0.52 : 0.05, y0 = 0.16 + 0.165 * row;
		bool current = strcmp(o->layouts[i], o->layout) == 0;

		button_arg(c, frac(c, x0, y0, x0 + 0.43, y0 + 0.145), current ? GREEN : BLUE,
			   o->layouts[i], ACT_OWNER_LAYOUT, i, targets, n, r);
	}
	button(c, frac(c, 0.3, 0.84, 0.7, 0.97), GREY, ui_str(m->lang, STR_BACK), ACT_OWNER_BACK,
	       targets, n, r);
}

static void draw_network(struct canvas *c, const struct ui_model *m, struct ui_target *targets,
			 int *n, int *r)
{
	const struct ui_owner_view *o = &m->owner;
	struct layout_px all = { 0, 0, c->w, c->h };
	char buf[160];

	canvas_fill(c, &all, BG);
	text_in(c, frac(c, 0.05, 0.02, 0.95, 0.13), 0.8, ui_str(m->lang, STR_NETWORK), FG, r);
	snprintf(buf, sizeof(buf), "%s: %s", ui_str(m->lang, STR_HOST_NAME),
		 o->host[0] ? o->host : "-");
	text_in(c, frac(c, 0.05, 0.16, 0.95, 0.27), 0.8, buf, FG, r);
	if (o->n_addresses == 0)
		text_in(c, frac(c, 0.05, 0.32, 0.95, 0.42), 0.8, ui_str(m->lang, STR_NO_ADDRESS),
			NOTICE, r);
	for (int i = 0; i < o->n_addresses && i < UI_ADDRESSES_MAX; i++) {
		double y0 = 0.30 + 0.09 * i;

		text_in(c, frac(c, 0.05, y0, 0.95, y0 + 0.08), 0.85, o->addresses[i], DIM, r);
	}
	button(c, frac(c, 0.3, 0.84, 0.7, 0.97), GREY, ui_str(m->lang, STR_BACK), ACT_OWNER_BACK,
	       targets, n, r);
}

/* The words for how the guest's print is going. */
static enum ui_str print_str(enum ui_print p)
{
	switch (p) {
	case UI_PRINT_HELD:
		return STR_PRINT_WAITING;
	case UI_PRINT_DONE:
		return STR_PRINT_PRINTED;
	case UI_PRINT_FAILED:
		return STR_PRINT_FAILED;
	default:
		return STR_PRINTING;
	}
}

static enum ui_str attention_str(enum ui_attention a)
{
	switch (a) {
	case ATT_PAPER:
		return STR_ATT_PAPER;
	case ATT_RIBBON:
		return STR_ATT_RIBBON;
	case ATT_PRINTER_OFFLINE:
		return STR_ATT_PRINTER_OFFLINE;
	case ATT_PRINTER_STOPPED:
		return STR_ATT_PRINTER_STOPPED;
	case ATT_CAMERA:
		return STR_ATT_CAMERA;
	case ATT_DISK:
		return STR_ATT_DISK;
	case ATT_PAUSED:
		return STR_ATT_PAUSED;
	case ATT_PRINTER:
		return STR_ATT_PRINTER;
	default:
		return STR_ATT_OUT_OF_ORDER;
	}
}

int screen_draw(struct canvas *c, enum ui_screen s, const struct ui_model *m,
		struct ui_target *targets, int *n)
{
	struct layout_px all = { 0, 0, c->w, c->h };
	int r = 0;

	*n = 0;
	switch (s) {
	case SCREEN_ATTRACT:
		draw_attract(c, m, targets, n, &r);
		break;
	case SCREEN_COUNTDOWN:
		draw_countdown(c, m, &r);
		break;
	case SCREEN_FLASH:
		canvas_fill(c, &all, FG);
		text_in(c, frac(c, 0.1, 0.4, 0.9, 0.6), 0.8, ui_str(m->lang, STR_SMILE), GREY, &r);
		break;
	case SCREEN_PROCESSING:
		draw_message(c, BG, ui_str(m->lang, STR_PROCESSING),
			     ui_str(m->lang, STR_PROCESSING_SUB), &r);
		break;
	case SCREEN_REVIEW:
		draw_review(c, m, targets, n, &r);
		break;
	case SCREEN_PRINTING:
		draw_message(c, m->print == UI_PRINT_FAILED ? WARN_BG : BG,
			     ui_str(m->lang, print_str(m->print)),
			     ui_str(m->lang,
				    m->print == UI_PRINT_FAILED ? STR_ATT_SUB : STR_PRINTING_SUB),
			     &r);
		break;
	case SCREEN_DONE:
		/* The strip may still be on its way: say how it is going. */
		draw_message(c, BG, ui_str(m->lang, STR_DONE),
			     ui_str(m->lang,
				    m->print == UI_PRINT_NONE ? STR_DONE_SUB : print_str(m->print)),
			     &r);
		break;
	case SCREEN_FAILED:
		draw_message(c, WARN_BG, ui_str(m->lang, STR_FAILED),
			     ui_str(m->lang, STR_FAILED_SUB), &r);
		break;
	case SCREEN_PIN:
		draw_pin(c, m, targets, n, &r);
		break;
	case SCREEN_OWNER:
		draw_owner(c, m, targets, n, &r);
		break;
	case SCREEN_LAYOUTS:
		draw_layouts(c, m, targets, n, &r);
		break;
	case SCREEN_NETWORK:
		draw_network(c, m, targets, n, &r);
		break;
	case SCREEN_DELETE_LAST:
	case SCREEN_PURGE_EVENT:
		draw_confirm(c, m, s == SCREEN_PURGE_EVENT, targets, n, &r);
		break;
	case SCREEN_DELETED:
		/* Back to the menu by itself; a tap anywhere goes back at once. */
		draw_message(c, BG, ui_str(m->lang, STR_DELETED), NULL, &r);
		target(all, ACT_OWNER_BACK, 0, targets, n);
		break;
	case SCREEN_ATTENTION:
	default:
		draw_message(c, WARN_BG, ui_str(m->lang, attention_str(m->attention)),
			     ui_str(m->lang, STR_ATT_SUB), &r);
		owner_corner(c, targets, n);
		break;
	}
	return r;
}

int screen_prepare(const struct canvas *c, const struct ui_model *m, int countdown_s)
{
	struct layout_px top = text_box(COUNTDOWN_TOP(c), 0.7);
	struct layout_px mid = text_box(COUNTDOWN_DIGIT(c), 0.8);
	struct layout_px low = text_box(COUNTDOWN_BOTTOM(c), 0.7);
	char buf[64];
	int r = canvas_text_prepare(&low, ui_str(m->lang, STR_LOOK_HERE), LAYOUT_ALIGN_CENTER);

	for (int i = 1; r >= 0 && i <= countdown_s; i++) {
		snprintf(buf, sizeof(buf), "%d", i);
		r = canvas_text_prepare(&mid, buf, LAYOUT_ALIGN_CENTER);
	}
	for (int i = 1; r >= 0 && i <= m->shots; i++) {
		ui_str_format(m->lang, STR_PHOTO_N_OF_M, (const int[]){ i, m->shots }, 2, buf,
			      sizeof(buf));
		r = canvas_text_prepare(&top, buf, LAYOUT_ALIGN_CENTER);
	}
	return r;
}

enum ui_action screen_hit(const struct ui_target *targets, int n, int x, int y, int *arg)
{
	*arg = 0;
	for (int i = 0; i < n; i++)
		if (x >= targets[i].box.x0 && x < targets[i].box.x1 && y >= targets[i].box.y0 &&
		    y < targets[i].box.y1) {
			*arg = targets[i].arg;
			return targets[i].action;
		}
	return ACT_NONE;
}

enum ui_action screen_key(enum ui_screen s, const char *key, int *arg)
{
	bool enter = strcmp(key, "enter") == 0 || strcmp(key, "space") == 0;
	bool back = strcmp(key, "escape") == 0;
	bool menu = strcmp(key, "menu") == 0;

	*arg = 0;
	switch (s) {
	case SCREEN_ATTRACT:
		if (enter)
			return ACT_START;
		if (strcmp(key, "l") == 0)
			return ACT_LANGUAGE;
		return menu ? ACT_OWNER_OPEN : ACT_NONE;
	case SCREEN_ATTENTION:
		return menu ? ACT_OWNER_OPEN : ACT_NONE;
	case SCREEN_PIN:
		if (key[0] >= '0' && key[0] <= '9' && !key[1]) {
			*arg = key[0] - '0';
			return ACT_PIN_DIGIT;
		}
		if (strcmp(key, "backspace") == 0)
			return ACT_PIN_DELETE;
		if (enter)
			return ACT_PIN_OK;
		return back ? ACT_OWNER_CLOSE : ACT_NONE;
	case SCREEN_OWNER:
		return back ? ACT_OWNER_CLOSE : ACT_NONE;
	case SCREEN_LAYOUTS:
	case SCREEN_NETWORK:
	case SCREEN_DELETE_LAST: /* escape keeps; deleting takes a tap on Delete */
	case SCREEN_PURGE_EVENT:
		return back ? ACT_OWNER_BACK : ACT_NONE;
	case SCREEN_DELETED:
		return back || enter ? ACT_OWNER_BACK : ACT_NONE;
	case SCREEN_REVIEW:
		if (enter || strcmp(key, "1") == 0)
			return ACT_PRINT;
		if (strcmp(key, "2") == 0)
			return ACT_RETAKE;
		if (back || strcmp(key, "3") == 0)
			return ACT_DISCARD;
		return ACT_NONE;
	case SCREEN_COUNTDOWN:
		return back ? ACT_CANCEL : ACT_NONE;
	default:
		return ACT_NONE;
	}
}

const char *screen_action_name(enum ui_action a)
{
	switch (a) {
	case ACT_START:
		return "start";
	case ACT_PRINT:
		return "print";
	case ACT_RETAKE:
		return "retake";
	case ACT_DISCARD:
		return "discard";
	case ACT_CANCEL:
		return "cancel";
	default:
		return NULL;
	}
}
