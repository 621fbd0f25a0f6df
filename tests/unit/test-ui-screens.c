/* SPDX-License-Identifier: MIT */
/* booth-ui's screens, drawn headless in English and Chinese and compared with golden PNGs in
 * tests/golden/ (UI_GOLDEN_WRITE=1 rewrites them); touch targets, keys, rotation and mirroring. */
#include "canvas.h"
#include "display.h"
#include "harness.h"
#include "netinfo.h"
#include "owner.h"
#include "screen.h"
#include "strings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <turbojpeg.h>
#include <time.h>
#include <unistd.h>

#define W 640
#define H 400
/* Anti-aliased text may land a little differently with another FreeType or font version: a
 * pixel counts as different beyond TOLERANCE per channel, and at most MAX_SHARE may differ. */
#define TOLERANCE 40
#define MAX_SHARE 0.004

/* This run's own folder for the pictures the tests write and read back. */
static char scratch_dir[] = "/tmp/ui-screens-XXXXXX";

/* A camera-like test frame: red on the left third, green in the middle, blue on the right. */
static uint8_t frame_data[320 * 180 * 4];
static const struct canvas_xrgb frame = { 320, 180, 320 * 4, frame_data };

static void make_frame(void)
{
	for (int y = 0; y < 180; y++)
		for (int x = 0; x < 320; x++) {
			uint8_t *p = frame_data + ((size_t)y * 320 + (size_t)x) * 4;

			p[0] = x >= 213 ? 220 : 0;		 /* B */
			p[1] = x >= 107 && x < 213 ? 200 : 0;	 /* G */
			p[2] = x < 107 ? 230 : (uint8_t)(y / 2); /* R */
			p[3] = 0;
		}
}

/* A strip-like picture: a 1:3 page with four grey cells. */
static struct canvas *make_strip(void)
{
	struct canvas *s = NULL;
	static const uint8_t white[3] = { 250, 250, 250 };

	if (canvas_new(200, 600, &s) < 0)
		return NULL;
	canvas_fill(s, &(struct layout_px){ 0, 0, 200, 600 }, white);
	for (int i = 0; i < 4; i++) {
		uint8_t c[3] = { (uint8_t)(60 * i), 120, (uint8_t)(200 - 40 * i) };

		canvas_fill(s, &(struct layout_px){ 12, 12 + 145 * i, 188, 145 * (i + 1) }, c);
	}
	return s;
}

static void model_for(enum ui_screen s, enum ui_lang lang, struct ui_model *m,
		      const struct canvas *strip)
{
	static const char *const phases[SCREEN_COUNT] = {
		[SCREEN_ATTRACT] = "idle",     [SCREEN_COUNTDOWN] = "countdown",
		[SCREEN_FLASH] = "capture",    [SCREEN_PROCESSING] = "compose",
		[SCREEN_REVIEW] = "review",    [SCREEN_PRINTING] = "print",
		[SCREEN_DONE] = "done",	       [SCREEN_FAILED] = "error",
		[SCREEN_ATTENTION] = "idle",   [SCREEN_PIN] = "idle",
		[SCREEN_OWNER] = "idle",       [SCREEN_LAYOUTS] = "idle",
		[SCREEN_NETWORK] = "idle",     [SCREEN_DELETE_LAST] = "idle",
		[SCREEN_PURGE_EVENT] = "idle", [SCREEN_DELETED] = "idle",
	};
	static const char *const layouts[] = { "2x6-strip", "4x6-grid", "4x6-single",
					       "4x6-two-strips" };

	memset(m, 0, sizeof(*m));
	m->lang = lang;
	snprintf(m->phase, sizeof(m->phase), "%s", phases[s]);
	m->shot = 2;
	m->shots = 4;
	m->seconds_left = s == SCREEN_REVIEW ? 15 : 3;
	m->preview = &frame;
	m->strip = strip;
	m->attention = s == SCREEN_ATTENTION ? ATT_PAPER : ATT_NONE;
	/* The owner pages, as an owner sees them partway through. */
	m->owner.page = s == SCREEN_PIN		  ? OWNER_PIN
			: s == SCREEN_OWNER	  ? OWNER_MENU
			: s == SCREEN_LAYOUTS	  ? OWNER_LAYOUTS
			: s == SCREEN_NETWORK	  ? OWNER_NETWORK
			: s == SCREEN_DELETE_LAST ? OWNER_CONFIRM_LAST
			: s == SCREEN_PURGE_EVENT ? OWNER_CONFIRM_EVENT
			: s == SCREEN_DELETED	  ? OWNER_DELETED
						  : OWNER_CLOSED;
	m->owner.digits = 3;
	m->owner.note = OWNER_NOTE_WRONG;
	m->owner.copies = 2;
	m->owner.max_copies = 4;
	snprintf(m->owner.layout, sizeof(m->owner.layout), "4x6-two-strips");
	for (int i = 0; i < 4; i++)
		snprintf(m->owner.layouts[i], sizeof(m->owner.layouts[i]), "%s", layouts[i]);
	m->owner.n_layouts = 4;
	snprintf(m->owner.host, sizeof(m->owner.host), "photobooth");
	snprintf(m->owner.addresses[0], sizeof(m->owner.addresses[0]), "192.168.1.23 (wlan0)");
	snprintf(m->owner.addresses[1], sizeof(m->owner.addresses[1]), "fd00::23 (wlan0)");
	m->owner.n_addresses = 2;
}

/* Draw screen S of M at W x H and compare it with golden NAME. */
static void golden_of(enum ui_screen s, const struct ui_model *m, const char *name);

static void compare_golden(const struct canvas *c, const char *name)
{
	char path[256];
	struct canvas *g = NULL;
	double share;
	int r;

	snprintf(path, sizeof(path), "tests/golden/%s.png", name);
	if (getenv("UI_GOLDEN_WRITE")) {
		CHECK_INT(canvas_write_png(c, path), ==, 0);
		return;
	}
	r = canvas_read_png(path, &g);
	CHECK_MSG(r == 0, "%s: %s", path, strerror(-r));
	if (r < 0)
		return;
	share = canvas_diff(c, g, TOLERANCE);
	CHECK_MSG(share <= MAX_SHARE, "%s: %.4f of the pixels differ", name, share);
	if (share > MAX_SHARE) {
		snprintf(path, sizeof(path), "build/test-logs/%s.actual.png", name);
		canvas_write_png(c, path);
	}
	canvas_free(g);
}

static void test_goldens(void)
{
	struct canvas *strip = make_strip();

	make_frame();
	REQUIRE(strip);
	for (int lang = 0; lang < UI_LANG_COUNT; lang++)
		for (int s = 0; s < SCREEN_COUNT; s++) {
			struct ui_target t[UI_MAX_TARGETS];
			struct ui_model m;
			struct canvas *c = NULL;
			char name[64];
			int n;

			model_for((enum ui_screen)s, (enum ui_lang)lang, &m, strip);
			CHECK_INT(screen_pick(&m), ==, s);
			REQUIRE(canvas_new(W, H, &c) == 0);
			CHECK_INT(screen_draw(c, (enum ui_screen)s, &m, t, &n), ==, 0);
			snprintf(name, sizeof(name), "ui-%s-%s", screen_name((enum ui_screen)s),
				 ui_lang_name((enum ui_lang)lang));
			compare_golden(c, name);
			canvas_free(c);
		}
	/* A portrait screen (rotation 90 or 270) lays the review out in a column. */
	{
		struct ui_target t[UI_MAX_TARGETS];
		struct ui_model m;
		struct canvas *c = NULL;
		int n;

		model_for(SCREEN_REVIEW, UI_LANG_EN, &m, strip);
		REQUIRE(canvas_new(H, W, &c) == 0);
		CHECK_INT(screen_draw(c, SCREEN_REVIEW, &m, t, &n), ==, 0);
		compare_golden(c, "ui-review-en-portrait");
		canvas_free(c);
	}
	/* Printing impossible: the attract screen says so before the guest starts. */
	for (int lang = 0; lang < UI_LANG_COUNT; lang++) {
		struct ui_target t[UI_MAX_TARGETS];
		struct ui_model m;
		struct canvas *c = NULL, *plain = NULL;
		char name[64];
		int n;

		model_for(SCREEN_ATTRACT, (enum ui_lang)lang, &m, NULL);
		REQUIRE(canvas_new(W, H, &plain) == 0);
		CHECK_INT(screen_draw(plain, SCREEN_ATTRACT, &m, t, &n), ==, 0);
		m.print_paused = true;
		REQUIRE(canvas_new(W, H, &c) == 0);
		CHECK_INT(screen_draw(c, SCREEN_ATTRACT, &m, t, &n), ==, 0);
		CHECK(canvas_diff(c, plain, 40) > 0.002);
		snprintf(name, sizeof(name), "ui-attract-print-paused-%s",
			 ui_lang_name((enum ui_lang)lang));
		compare_golden(c, name);
		canvas_free(c);
		canvas_free(plain);
	}
	canvas_free(strip);
}

static void golden_of(enum ui_screen s, const struct ui_model *m, const char *name)
{
	struct ui_target t[UI_MAX_TARGETS];
	struct canvas *c = NULL;
	int n;

	REQUIRE(canvas_new(W, H, &c) == 0);
	CHECK_INT(screen_draw(c, s, m, t, &n), ==, 0);
	compare_golden(c, name);
	canvas_free(c);
}

/* Every reason the booth stops taking guests, the print's progress, the guest's copies and a
 * locked PIN pad, each in both languages. */
static void test_goldens_states(void)
{
	static const struct {
		enum ui_attention att;
		const char *name;
	} reasons[] = {
		{ ATT_DISK, "storage" },  { ATT_PAUSED, "paused" },
		{ ATT_RIBBON, "ribbon" }, { ATT_PRINTER_OFFLINE, "printer-offline" },
		{ ATT_CAMERA, "camera" }, { ATT_OUT_OF_ORDER, "out-of-order" },
	};
	struct canvas *strip = make_strip();
	struct ui_model m;
	char name[64];

	make_frame();
	REQUIRE(strip);
	for (int lang = 0; lang < UI_LANG_COUNT; lang++) {
		const char *l = ui_lang_name((enum ui_lang)lang);

		for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
			model_for(SCREEN_ATTENTION, (enum ui_lang)lang, &m, NULL);
			m.attention = reasons[i].att;
			snprintf(name, sizeof(name), "ui-attention-%s-%s", reasons[i].name, l);
			golden_of(SCREEN_ATTENTION, &m, name);
		}
		model_for(SCREEN_PRINTING, (enum ui_lang)lang, &m, NULL);
		m.print = UI_PRINT_HELD;
		snprintf(name, sizeof(name), "ui-printing-held-%s", l);
		golden_of(SCREEN_PRINTING, &m, name);
		model_for(SCREEN_DONE, (enum ui_lang)lang, &m, NULL);
		m.print = UI_PRINT_DONE;
		snprintf(name, sizeof(name), "ui-done-printed-%s", l);
		golden_of(SCREEN_DONE, &m, name);
		model_for(SCREEN_REVIEW, (enum ui_lang)lang, &m, strip);
		m.copies = 2;
		m.max_copies = 3;
		snprintf(name, sizeof(name), "ui-review-copies-%s", l);
		golden_of(SCREEN_REVIEW, &m, name);
		model_for(SCREEN_PIN, (enum ui_lang)lang, &m, NULL);
		m.owner.note = OWNER_NOTE_LOCKED;
		m.owner.locked_s = 30;
		m.owner.digits = 0;
		snprintf(name, sizeof(name), "ui-pin-locked-%s", l);
		golden_of(SCREEN_PIN, &m, name);
	}
	canvas_free(strip);
}

/* The share of pixels in which screen SA in LA and screen SB in LB differ (1: not drawn). */
static double screens_diff(enum ui_screen sa, enum ui_lang la, enum ui_screen sb, enum ui_lang lb)
{
	struct canvas *a = NULL, *b = NULL;
	struct ui_target t[UI_MAX_TARGETS];
	struct ui_model m;
	double share = 1;
	int n;

	make_frame();
	if (canvas_new(W, H, &a) == 0 && canvas_new(W, H, &b) == 0) {
		model_for(sa, la, &m, NULL);
		screen_draw(a, sa, &m, t, &n);
		model_for(sb, lb, &m, NULL);
		screen_draw(b, sb, &m, t, &n);
		share = canvas_diff(a, b, 40);
	}
	canvas_free(a);
	canvas_free(b);
	return share;
}

/* Screens must not all look alike: a golden test over a blank renderer would pass otherwise. */
static void test_screens_differ(void)
{
	CHECK(screens_diff(SCREEN_ATTRACT, UI_LANG_EN, SCREEN_ATTRACT, UI_LANG_ZH) > 0.005);
}

static void test_targets_and_keys(void)
{
	struct ui_target t[UI_MAX_TARGETS];
	struct ui_model m;
	struct canvas *c = NULL;
	int n, arg;

	REQUIRE(canvas_new(W, H, &c) == 0);
	model_for(SCREEN_ATTRACT, UI_LANG_EN, &m, NULL);
	screen_draw(c, SCREEN_ATTRACT, &m, t, &n);
	CHECK_INT(screen_hit(t, n, W / 2, H / 2, &arg), ==, ACT_START);
	CHECK_INT(screen_hit(t, n, W / 2, 5, &arg), ==, ACT_START);
	/* The hidden corner wins over the start target under it. */
	CHECK_INT(screen_hit(t, n, 5, 5, &arg), ==, ACT_OWNER_CORNER);
	CHECK_INT(screen_hit(t, n, W * 85 / 100, H * 9 / 10, &arg), ==, ACT_LANGUAGE);
	model_for(SCREEN_REVIEW, UI_LANG_EN, &m, NULL);
	screen_draw(c, SCREEN_REVIEW, &m, t, &n);
	CHECK_INT(n, ==, 3);
	CHECK_INT(screen_hit(t, n, W * 3 / 4, H * 29 / 100, &arg), ==, ACT_PRINT);
	CHECK_INT(screen_hit(t, n, W * 3 / 4, H * 52 / 100, &arg), ==, ACT_RETAKE);
	CHECK_INT(screen_hit(t, n, W * 3 / 4, H * 72 / 100, &arg), ==, ACT_DISCARD);
	CHECK_INT(screen_hit(t, n, W / 4, H / 2, &arg), ==, ACT_NONE);
	/* Large targets: every button at least a tenth of the screen's height. */
	for (int i = 0; i < n; i++)
		CHECK(t[i].box.y1 - t[i].box.y0 >= H / 10);
	model_for(SCREEN_COUNTDOWN, UI_LANG_EN, &m, &(struct canvas){ 0 });
	screen_draw(c, SCREEN_COUNTDOWN, &m, t, &n);
	CHECK_INT(n, ==, 0);
	CHECK_INT(screen_key(SCREEN_ATTRACT, "enter", &arg), ==, ACT_START);
	CHECK_INT(screen_key(SCREEN_ATTRACT, "l", &arg), ==, ACT_LANGUAGE);
	CHECK_INT(screen_key(SCREEN_REVIEW, "enter", &arg), ==, ACT_PRINT);
	CHECK_INT(screen_key(SCREEN_REVIEW, "2", &arg), ==, ACT_RETAKE);
	CHECK_INT(screen_key(SCREEN_REVIEW, "escape", &arg), ==, ACT_DISCARD);
	CHECK_INT(screen_key(SCREEN_COUNTDOWN, "escape", &arg), ==, ACT_CANCEL);
	CHECK_INT(screen_key(SCREEN_PROCESSING, "enter", &arg), ==, ACT_NONE);
	/* The owner's way in and the PIN pad's keys. */
	CHECK_INT(screen_key(SCREEN_ATTRACT, "menu", &arg), ==, ACT_OWNER_OPEN);
	CHECK_INT(screen_key(SCREEN_ATTENTION, "menu", &arg), ==, ACT_OWNER_OPEN);
	CHECK_INT(screen_key(SCREEN_REVIEW, "menu", &arg), ==, ACT_NONE);
	CHECK_INT(screen_key(SCREEN_PIN, "7", &arg), ==, ACT_PIN_DIGIT);
	CHECK_INT(arg, ==, 7);
	CHECK_INT(screen_key(SCREEN_PIN, "backspace", &arg), ==, ACT_PIN_DELETE);
	CHECK_INT(screen_key(SCREEN_PIN, "enter", &arg), ==, ACT_PIN_OK);
	CHECK_INT(screen_key(SCREEN_PIN, "escape", &arg), ==, ACT_OWNER_CLOSE);
	CHECK_INT(screen_key(SCREEN_LAYOUTS, "escape", &arg), ==, ACT_OWNER_BACK);
	/* The PIN pad: big keys that type their digit. */
	model_for(SCREEN_PIN, UI_LANG_EN, &m, NULL);
	screen_draw(c, SCREEN_PIN, &m, t, &n);
	CHECK_INT(n, ==, 13);
	for (int i = 0; i < n; i++)
		CHECK(t[i].box.y1 - t[i].box.y0 >= H / 10);
	{
		int digits = 0;

		for (int i = 0; i < n; i++)
			if (t[i].action == ACT_PIN_DIGIT) {
				CHECK_INT(screen_hit(t, n, (t[i].box.x0 + t[i].box.x1) / 2,
						     (t[i].box.y0 + t[i].box.y1) / 2, &arg),
					  ==, ACT_PIN_DIGIT);
				CHECK_INT(arg, ==, t[i].arg);
				digits |= 1 << arg;
			}
		CHECK_INT(digits, ==, 0x3ff);
	}
	/* The review's copies: -/+ only when guests may choose, within 1..max. */
	model_for(SCREEN_REVIEW, UI_LANG_EN, &m, NULL);
	m.copies = 1;
	m.max_copies = 2;
	screen_draw(c, SCREEN_REVIEW, &m, t, &n);
	CHECK_INT(n, ==, 5);
	CHECK_INT(screen_hit(t, n, W * 95 / 100, H * 43 / 100, &arg), ==, ACT_COPIES);
	CHECK_INT(arg, ==, 2);
	CHECK_INT(screen_hit(t, n, W * 56 / 100, H * 43 / 100, &arg), ==, ACT_COPIES);
	CHECK_INT(arg, ==, 1);
	/* The menu: pause, copies, layout, test print, network, the two deletions, close; every
	 * button large. */
	model_for(SCREEN_OWNER, UI_LANG_EN, &m, NULL);
	screen_draw(c, SCREEN_OWNER, &m, t, &n);
	CHECK_INT(n, ==, 9);
	for (int i = 0; i < n; i++)
		CHECK_MSG(t[i].box.y1 - t[i].box.y0 >= H / 10, "menu target %d is %d px high", i,
			  t[i].box.y1 - t[i].box.y0);
	CHECK_INT(screen_hit(t, n, W / 2, H * 16 / 100, &arg), ==, ACT_OWNER_PAUSE);
	m.owner.paused = true;
	screen_draw(c, SCREEN_OWNER, &m, t, &n);
	CHECK_INT(screen_hit(t, n, W / 2, H * 16 / 100, &arg), ==, ACT_OWNER_RESUME);
	CHECK_INT(screen_hit(t, n, W * 90 / 100, H * 28 / 100, &arg), ==, ACT_OWNER_COPIES);
	CHECK_INT(arg, ==, 3);
	CHECK_INT(screen_hit(t, n, W / 2, H * 40 / 100, &arg), ==, ACT_OWNER_LAYOUTS);
	CHECK_INT(screen_hit(t, n, W / 4, H * 52 / 100, &arg), ==, ACT_OWNER_TEST_PRINT);
	CHECK_INT(screen_hit(t, n, W * 3 / 4, H * 52 / 100, &arg), ==, ACT_OWNER_NETWORK);
	CHECK_INT(screen_hit(t, n, W / 2, H * 66 / 100, &arg), ==, ACT_OWNER_DELETE_LAST);
	CHECK_INT(screen_hit(t, n, W / 2, H * 78 / 100, &arg), ==, ACT_OWNER_PURGE_EVENT);
	/* Between the two deletions nothing: a tap that misses one must not hit the other. */
	CHECK_INT(screen_hit(t, n, W / 2, H * 717 / 1000, &arg), ==, ACT_NONE);
	CHECK_INT(screen_hit(t, n, W / 2, H * 9 / 10, &arg), ==, ACT_OWNER_CLOSE);
	model_for(SCREEN_LAYOUTS, UI_LANG_EN, &m, NULL);
	screen_draw(c, SCREEN_LAYOUTS, &m, t, &n);
	CHECK_INT(screen_hit(t, n, W * 3 / 4, H * 40 / 100, &arg), ==, ACT_OWNER_LAYOUT);
	CHECK_INT(arg, ==, 3);
	CHECK_STR(screen_action_name(ACT_DISCARD), "discard");
	CHECK(screen_action_name(ACT_LANGUAGE) == NULL);
	canvas_free(c);
}

/* A deletion's confirmation: Keep goes back, Delete names the confirmation it belongs to, both
 * large; no key deletes; "Deleted" goes back on a tap or a key. */
static void test_confirm_targets(void)
{
	static const struct {
		enum ui_screen screen;
		enum owner_page page;
	} confirms[] = {
		{ SCREEN_DELETE_LAST, OWNER_CONFIRM_LAST },
		{ SCREEN_PURGE_EVENT, OWNER_CONFIRM_EVENT },
	};
	static const char *const keys[] = { "enter", "space", "1", "backspace", "menu", "l" };
	struct ui_target t[UI_MAX_TARGETS];
	struct canvas *c = NULL;
	struct ui_model m;
	int n, arg;

	REQUIRE(canvas_new(W, H, &c) == 0);
	for (size_t i = 0; i < sizeof(confirms) / sizeof(confirms[0]); i++) {
		enum ui_screen s = confirms[i].screen;

		model_for(s, UI_LANG_EN, &m, NULL);
		CHECK_INT(screen_pick(&m), ==, s);
		CHECK_INT(screen_draw(c, s, &m, t, &n), ==, 0);
		CHECK_INT(n, ==, 2);
		for (int k = 0; k < n; k++) {
			CHECK(t[k].box.y1 - t[k].box.y0 >= H / 10);
			CHECK(t[k].box.x1 - t[k].box.x0 >= W / 4);
		}
		CHECK_INT(screen_hit(t, n, W / 4, H * 77 / 100, &arg), ==, ACT_OWNER_BACK);
		CHECK_INT(screen_hit(t, n, W * 3 / 4, H * 77 / 100, &arg), ==, ACT_OWNER_DELETE);
		CHECK_INT(arg, ==, confirms[i].page);
		/* The words above the buttons are not a target. */
		CHECK_INT(screen_hit(t, n, W / 2, H * 3 / 10, &arg), ==, ACT_NONE);
		CHECK_INT(screen_key(s, "escape", &arg), ==, ACT_OWNER_BACK);
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			CHECK_MSG(screen_key(s, keys[k], &arg) == ACT_NONE, "%s deletes on %s",
				  keys[k], screen_name(s));
		/* The owner pages are not a guest's screen: ui/state says what is under them. */
		CHECK_INT(screen_public(&m, s), ==, SCREEN_ATTRACT);
	}
	/* The two confirmations say different things. */
	CHECK(screens_diff(SCREEN_DELETE_LAST, UI_LANG_EN, SCREEN_PURGE_EVENT, UI_LANG_EN) > 0.005);
	model_for(SCREEN_DELETED, UI_LANG_EN, &m, NULL);
	CHECK_INT(screen_draw(c, SCREEN_DELETED, &m, t, &n), ==, 0);
	CHECK_INT(screen_hit(t, n, W / 2, H / 2, &arg), ==, ACT_OWNER_BACK);
	CHECK_INT(screen_key(SCREEN_DELETED, "enter", &arg), ==, ACT_OWNER_BACK);
	CHECK_STR(screen_name(SCREEN_DELETE_LAST), "delete-last");
	CHECK_STR(screen_name(SCREEN_PURGE_EVENT), "purge-event");
	canvas_free(c);
}

static void test_pick(void)
{
	struct ui_model m = { 0 };

	snprintf(m.phase, sizeof(m.phase), "idle");
	CHECK_INT(screen_pick(&m), ==, SCREEN_ATTRACT);
	m.attention = ATT_CAMERA;
	CHECK_INT(screen_pick(&m), ==, SCREEN_ATTENTION);
	/* A guest in the middle of a session finishes it before attention is shown. */
	snprintf(m.phase, sizeof(m.phase), "review");
	CHECK_INT(screen_pick(&m), ==, SCREEN_REVIEW);
	/* The owner menu shows only between guests, and ui/state names the screen under it. */
	m.owner.page = OWNER_PIN;
	CHECK_INT(screen_pick(&m), ==, SCREEN_REVIEW);
	snprintf(m.phase, sizeof(m.phase), "idle");
	CHECK_INT(screen_pick(&m), ==, SCREEN_PIN);
	CHECK_INT(screen_public(&m, SCREEN_PIN), ==, SCREEN_ATTENTION);
	m.attention = ATT_NONE;
	CHECK_INT(screen_public(&m, SCREEN_NETWORK), ==, SCREEN_ATTRACT);
	CHECK_INT(screen_public(&m, SCREEN_DONE), ==, SCREEN_DONE);
}

/* The owner menu's way in, PIN, back-off and closing by itself. */
static void test_owner(void)
{
	struct owner o = { 0 };
	uint64_t t = 1000000;

	/* Five taps in the corner within 4 s open the pad; slower ones start counting again. */
	for (int i = 0; i < 4; i++)
		CHECK(!owner_corner_tap(&o, t += 500));
	CHECK(!owner_corner_tap(&o, t += 5000));
	for (int i = 0; i < 3; i++)
		CHECK(!owner_corner_tap(&o, t += 100));
	CHECK(owner_corner_tap(&o, t += 100));
	CHECK_INT(o.page, ==, OWNER_PIN);
	/* A wrong PIN says so; digits beyond 8 are ignored; delete removes the last. */
	for (int i = 0; i < 10; i++)
		owner_digit(&o, 1, t);
	CHECK_STR(o.entered, "11111111");
	owner_backspace(&o, t);
	CHECK_STR(o.entered, "1111111");
	CHECK(!owner_submit(&o, "2580", t));
	CHECK_INT(o.note, ==, OWNER_NOTE_WRONG);
	CHECK_STR(o.entered, "");
	CHECK_INT(owner_locked_s(&o, t), ==, 0);
	/* The third wrong PIN locks the pad for 30 s; even the right one is refused then. */
	owner_digit(&o, 9, t);
	CHECK(!owner_submit(&o, "2580", t));
	owner_digit(&o, 9, t);
	CHECK(!owner_submit(&o, "2580", t));
	CHECK_INT(o.note, ==, OWNER_NOTE_LOCKED);
	CHECK_INT(owner_locked_s(&o, t), ==, 30);
	owner_digit(&o, 2, t + 1000);
	CHECK_STR(o.entered, "");
	CHECK(!owner_submit(&o, "2580", t + 1000));
	/* After it, another wrong one locks for twice as long. */
	t += 31000;
	owner_digit(&o, 1, t);
	CHECK(!owner_submit(&o, "2580", t));
	CHECK_INT(owner_locked_s(&o, t), ==, 60);
	t += 61000;
	for (const char *p = "2580"; *p; p++)
		owner_digit(&o, *p - '0', t);
	CHECK(owner_submit(&o, "2580", t));
	CHECK_INT(o.page, ==, OWNER_MENU);
	CHECK_INT(o.failures, ==, 0);
	/* Pages, then closing by itself a minute after the last input. */
	owner_show(&o, OWNER_NETWORK, t);
	CHECK_INT(o.page, ==, OWNER_NETWORK);
	CHECK(!owner_tick(&o, t + OWNER_IDLE_MS - 1));
	owner_touch(&o, t + 30000);
	CHECK(!owner_tick(&o, t + OWNER_IDLE_MS + 1000));
	CHECK(owner_tick(&o, t + 30000 + OWNER_IDLE_MS));
	CHECK_INT(o.page, ==, OWNER_CLOSED);
	/* Pages open only from the menu. */
	owner_show(&o, OWNER_MENU, t);
	CHECK_INT(o.page, ==, OWNER_CLOSED);
	owner_open(&o, t);
	owner_show(&o, OWNER_MENU, t);
	CHECK_INT(o.page, ==, OWNER_PIN);
	owner_close(&o);
	CHECK_INT(o.page, ==, OWNER_CLOSED);
}

/* A deletion: the menu asks first; Keep goes back; Delete counts only on the confirmation that
 * is showing; "Deleted" returns to the menu by itself. */
static void test_owner_delete(void)
{
	struct owner o = { 0 };
	uint64_t t = 1000000;

	/* Not behind the PIN: no confirmation opens, none is accepted. */
	owner_show(&o, OWNER_CONFIRM_LAST, t);
	CHECK_INT(o.page, ==, OWNER_CLOSED);
	CHECK(!owner_confirm(&o, OWNER_CONFIRM_LAST, t));
	owner_open(&o, t);
	owner_show(&o, OWNER_CONFIRM_EVENT, t);
	CHECK_INT(o.page, ==, OWNER_PIN);
	CHECK(!owner_confirm(&o, OWNER_CONFIRM_EVENT, t));
	CHECK_INT(o.page, ==, OWNER_PIN);
	for (const char *p = "2580"; *p; p++)
		owner_digit(&o, *p - '0', t);
	REQUIRE(owner_submit(&o, "2580", t));

	/* Keep: back to the menu, nothing confirmed. */
	owner_show(&o, OWNER_CONFIRM_LAST, t);
	CHECK_INT(o.page, ==, OWNER_CONFIRM_LAST);
	owner_show(&o, OWNER_MENU, t);
	CHECK_INT(o.page, ==, OWNER_MENU);
	/* Delete from the menu itself, or for the other confirmation, does nothing. */
	CHECK(!owner_confirm(&o, OWNER_CONFIRM_LAST, t));
	CHECK(!owner_confirm(&o, OWNER_MENU, t));
	owner_show(&o, OWNER_CONFIRM_EVENT, t);
	CHECK(!owner_confirm(&o, OWNER_CONFIRM_LAST, t));
	CHECK_INT(o.page, ==, OWNER_CONFIRM_EVENT);
	/* "Deleted" is reached only by confirming. */
	owner_show(&o, OWNER_DELETED, t);
	CHECK_INT(o.page, ==, OWNER_CONFIRM_EVENT);
	CHECK(owner_confirm(&o, OWNER_CONFIRM_EVENT, t));
	CHECK_INT(o.page, ==, OWNER_DELETED);
	/* A second Delete (a double tap) deletes nothing more. */
	CHECK(!owner_confirm(&o, OWNER_CONFIRM_EVENT, t + 100));
	CHECK(!owner_tick(&o, t + OWNER_DELETED_MS - 1));
	CHECK_INT(o.page, ==, OWNER_DELETED);
	CHECK(owner_tick(&o, t + OWNER_DELETED_MS));
	CHECK_INT(o.page, ==, OWNER_MENU);
	/* A tap on "Deleted" goes back at once. */
	owner_show(&o, OWNER_CONFIRM_LAST, t);
	CHECK(owner_confirm(&o, OWNER_CONFIRM_LAST, t));
	owner_show(&o, OWNER_MENU, t + 10);
	CHECK_INT(o.page, ==, OWNER_MENU);
	/* A confirmation left alone closes with the menu after a minute. */
	owner_show(&o, OWNER_CONFIRM_LAST, t + 20);
	CHECK(owner_tick(&o, t + 20 + OWNER_IDLE_MS));
	CHECK_INT(o.page, ==, OWNER_CLOSED);
	CHECK(!owner_confirm(&o, OWNER_CONFIRM_LAST, t + 20 + OWNER_IDLE_MS));
}

static void test_netinfo(void)
{
	char host[65], addrs[8][NETINFO_ADDR_MAX];
	int n = netinfo_read(host, sizeof(host), addrs, 8);

	CHECK_INT(n, >=, 0);
	CHECK(host[0] != '\0');
	for (int i = 0; i < n; i++) {
		printf("# %s\n", addrs[i]);
		CHECK(strncmp(addrs[i], "127.", 4) != 0);
		CHECK(strncmp(addrs[i], "::1 ", 4) != 0);
	}
	/* A short buffer is never overrun. */
	CHECK_INT(netinfo_read(host, sizeof(host), addrs, 0), ==, 0);
}

static void test_attention(void)
{
	struct ui_status st = { "idle", "ok", "idle", false, false, true, "" };

	CHECK_INT(screen_attention(&st), ==, ATT_NONE);
	st.paper_out = true;
	CHECK_INT(screen_attention(&st), ==, ATT_PAPER);
	/* Printer faults do not matter when the booth does not print. */
	st.printing = false;
	CHECK_INT(screen_attention(&st), ==, ATT_NONE);
	st.printing = true;
	st.paper_out = false;
	snprintf(st.printer, sizeof(st.printer), "offline");
	CHECK_INT(screen_attention(&st), ==, ATT_PRINTER_OFFLINE);
	snprintf(st.camera, sizeof(st.camera), "none");
	CHECK_INT(screen_attention(&st), ==, ATT_CAMERA);
	snprintf(st.booth, sizeof(st.booth), "paused");
	CHECK_INT(screen_attention(&st), ==, ATT_PAUSED);
	/* Not heard from yet is not a fault. */
	memset(&st, 0, sizeof(st));
	CHECK_INT(screen_attention(&st), ==, ATT_NONE);
	snprintf(st.booth, sizeof(st.booth), "attention");
	CHECK_INT(screen_attention(&st), ==, ATT_OUT_OF_ORDER);
	/* boothd's blocked, when it says it, decides: the booth works while it is null ... */
	snprintf(st.blocked, sizeof(st.blocked), "none");
	CHECK_INT(screen_attention(&st), ==, ATT_NONE);
	snprintf(st.printer, sizeof(st.printer), "offline");
	CHECK_INT(screen_attention(&st), ==, ATT_NONE);
	/* ... and otherwise says why, with the printer's own reason when it has one. */
	snprintf(st.blocked, sizeof(st.blocked), "printer");
	CHECK_INT(screen_attention(&st), ==, ATT_PRINTER_OFFLINE);
	st.paper_out = true;
	CHECK_INT(screen_attention(&st), ==, ATT_PAPER);
	st.paper_out = false;
	snprintf(st.printer, sizeof(st.printer), "idle");
	CHECK_INT(screen_attention(&st), ==, ATT_PRINTER);
	snprintf(st.blocked, sizeof(st.blocked), "storage");
	CHECK_INT(screen_attention(&st), ==, ATT_DISK);
	snprintf(st.blocked, sizeof(st.blocked), "paused");
	CHECK_INT(screen_attention(&st), ==, ATT_PAUSED);
	snprintf(st.blocked, sizeof(st.blocked), "camera");
	CHECK_INT(screen_attention(&st), ==, ATT_CAMERA);
	snprintf(st.blocked, sizeof(st.blocked), "error");
	CHECK_INT(screen_attention(&st), ==, ATT_OUT_OF_ORDER);
}

/* The preview is mirrored: the camera's left (red) shows on the right of the screen. */
static void test_mirror(void)
{
	struct canvas *c = NULL;
	uint8_t left[3], right[3];

	make_frame();
	REQUIRE(canvas_new(320, 180, &c) == 0);
	REQUIRE(canvas_blit_xrgb(c, &(struct layout_px){ 0, 0, 320, 180 }, &frame, true) == 0);
	canvas_get_rgb(c, 20, 90, left);
	canvas_get_rgb(c, 300, 90, right);
	CHECK_INT(right[0], >, 200);
	CHECK_INT(right[2], <, 30);
	CHECK_INT(left[2], >, 200);
	CHECK_INT(left[0], <, 100);
	/* A box partly off the canvas shows the same part of the same mirrored picture. */
	{
		struct canvas *off = NULL;
		uint8_t a[3], b[3];
		int bad = 0;

		REQUIRE(canvas_new(200, 180, &off) == 0);
		REQUIRE(canvas_blit_xrgb(off, &(struct layout_px){ -40, 0, 280, 180 }, &frame,
					 true) == 0);
		for (int y = 0; y < 180; y += 7)
			for (int x = 0; x < 200; x++) {
				canvas_get_rgb(off, x, y, a);
				canvas_get_rgb(c, x + 40, y, b);
				bad += memcmp(a, b, 3) != 0;
			}
		CHECK_INT(bad, ==, 0);
		canvas_free(off);
	}
	/* Odd and small widths: the mirrored picture is the plain one reversed, pixel for pixel. */
	for (int w = 1; w <= 23; w += 2) {
		struct canvas *plain = NULL, *mirrored = NULL;
		uint8_t a[3], b[3];
		int bad = 0;

		REQUIRE(canvas_new(w, 9, &plain) == 0 && canvas_new(w, 9, &mirrored) == 0);
		canvas_blit_xrgb(plain, &(struct layout_px){ 0, 0, w, 9 }, &frame, false);
		canvas_blit_xrgb(mirrored, &(struct layout_px){ 0, 0, w, 9 }, &frame, true);
		for (int y = 0; y < 9; y++)
			for (int x = 0; x < w; x++) {
				canvas_get_rgb(plain, x, y, a);
				canvas_get_rgb(mirrored, w - 1 - x, y, b);
				bad += memcmp(a, b, 3) != 0;
			}
		CHECK_MSG(bad == 0, "width %d: %d pixels differ", w, bad);
		canvas_free(plain);
		canvas_free(mirrored);
	}
	canvas_free(c);
}

static void test_rotation(void)
{
	struct display *d = NULL;
	struct canvas *c = NULL, *shot = NULL;
	int x, y;
	static const uint8_t red[3] = { 255, 0, 0 };

	REQUIRE(display_new("headless", NULL, 64, 32, 90, &d) == 0);
	CHECK_INT(d->width, ==, 32);
	CHECK_INT(d->height, ==, 64);
	char rot[sizeof(scratch_dir) + 16];

	snprintf(rot, sizeof(rot), "%s/ui-rot.png", scratch_dir);
	CHECK_INT(display_screenshot(d, rot), ==, -ENODATA);
	/* A red pixel at the canvas's top left shows at the panel's top right. */
	REQUIRE(canvas_new(32, 64, &c) == 0);
	canvas_fill(c, &(struct layout_px){ 0, 0, 1, 1 }, red);
	CHECK_INT(display_present(d, c), ==, 0);
	CHECK_INT(d->scanout[63], ==, 0xffff0000u);
	display_to_canvas(d, 63, 0, &x, &y);
	CHECK_INT(x, ==, 0);
	CHECK_INT(y, ==, 0);
	display_to_canvas(d, 0, 31, &x, &y);
	CHECK_INT(x, ==, 31);
	CHECK_INT(y, ==, 63);
	CHECK_INT(display_screenshot(d, rot), ==, 0);
	REQUIRE(canvas_read_png(rot, &shot) == 0);
	CHECK_INT(shot->w, ==, 64);
	{
		uint8_t p[3];

		canvas_get_rgb(shot, 63, 0, p);
		CHECK_INT(p[0], ==, 255);
		canvas_get_rgb(shot, 0, 0, p);
		CHECK_INT(p[0], ==, 0);
	}
	CHECK_INT(display_new("fbdev", NULL, 64, 32, 0, &(struct display *){ NULL }), ==, -EINVAL);
	CHECK_INT(display_new("headless", NULL, 64, 32, 45, &(struct display *){ NULL }), ==,
		  -EINVAL);
	canvas_free(shot);
	canvas_free(c);
	display_free(d);
}

static void test_format(void)
{
	char buf[64], small[8];

	CHECK_STR(ui_str_format(UI_LANG_EN, STR_PHOTO_N_OF_M, (const int[]){ 2, 4 }, 2, buf,
				sizeof(buf)),
		  "Photo 2 of 4");
	CHECK_STR(ui_str_format(UI_LANG_ZH, STR_PHOTO_N_OF_M, (const int[]){ 1, 3 }, 2, buf,
				sizeof(buf)),
		  "第 1 张，共 3 张");
	/* Truncation never splits a character: "第 1 " is 5 bytes, the next one is 3. */
	ui_str_format(UI_LANG_ZH, STR_PHOTO_N_OF_M, (const int[]){ 1, 3 }, 2, small, sizeof(small));
	CHECK_STR(small, "第 1 ");
	CHECK_INT(ui_lang_parse("zh"), ==, UI_LANG_ZH);
	CHECK_INT(ui_lang_parse("fr"), ==, -EINVAL);
}

/* Compress W x H PIXELS (RGB, or grey when GREY) at quality 100 (4:4:4) into the file PATH.
 * Returns its size, or 0 on failure. */
static unsigned long write_jpeg(const char *path, const unsigned char *pixels, int w, int h,
				bool grey)
{
	unsigned char *jpeg = NULL;
	unsigned long size = 0;
	tjhandle tj = tjInitCompress();
	FILE *f = NULL;

	if (tj && tjCompress2(tj, pixels, w, 0, h, grey ? TJPF_GRAY : TJPF_RGB, &jpeg, &size,
			      grey ? TJSAMP_GRAY : TJSAMP_444, 100, 0) == 0)
		f = fopen(path, "wbe");
	if (!f || fwrite(jpeg, 1, size, f) != size)
		size = 0;
	if (f && fclose(f) != 0)
		size = 0;
	if (tj)
		tjDestroy(tj);
	tjFree(jpeg);
	return size;
}

/* A strip-sized JPEG is decoded small (DCT scaling) and fitted inside the box asked for. */
static void test_read_jpeg(void)
{
	char path[sizeof(scratch_dir) + 16];
	unsigned char *rgb = malloc((size_t)1200 * 1800 * 3);
	unsigned long size;
	struct canvas *c = NULL;
	uint8_t p[3];

	REQUIRE(rgb);
	/* Left half red, right half blue. */
	for (size_t i = 0; i < (size_t)1200 * 1800; i++) {
		bool left = i % 1200 < 600;

		rgb[i * 3] = left ? 220 : 10;
		rgb[i * 3 + 1] = 20;
		rgb[i * 3 + 2] = left ? 10 : 230;
	}
	snprintf(path, sizeof(path), "%s/ui-strip.jpg", scratch_dir);
	size = write_jpeg(path, rgb, 1200, 1800, false);
	free(rgb);
	REQUIRE(size > 0);
	/* Into a 400 box (1/4 = 300x450, then averaged down), and into a 1000 box (5/8 =
	 * 750x1125, then averaged down): red left of the middle, blue right of it. */
	for (int i = 0; i < 2; i++) {
		static const int want[2][5] = { { 400, 266, 400, 130, 135 },
						{ 1000, 666, 1000, 330, 335 } };
		const int *k = want[i];

		REQUIRE(canvas_read_jpeg(path, k[0], k[0], &c) == 0);
		CHECK_INT(c->w, ==, k[1]);
		CHECK_INT(c->h, ==, k[2]);
		canvas_get_rgb(c, k[3], k[2] / 2, p);
		CHECK(p[0] > 180 && p[2] < 60);
		canvas_get_rgb(c, k[4], k[2] / 2, p);
		CHECK(p[0] < 60 && p[2] > 180);
		canvas_get_rgb(c, k[1] - 1, k[2] - 1, p);
		CHECK(p[0] < 60 && p[2] > 180);
		c = canvas_free(c);
	}
	/* Smaller than the box: kept as it is. */
	REQUIRE(canvas_read_jpeg(path, 4000, 4000, &c) == 0);
	CHECK_INT(c->w, ==, 1200);
	CHECK_INT(c->h, ==, 1800);
	canvas_free(c);
	CHECK_INT(canvas_read_jpeg("tests/golden/ui-done-en.png", 400, 400, &c), ==, -EBADMSG);
	/* A strip cut short (a damaged file) is refused, not shown half grey. */
	CHECK_INT(truncate(path, (off_t)size / 2), ==, 0);
	CHECK_INT(canvas_read_jpeg(path, 400, 400, &c), ==, -EBADMSG);
}

/* The shading done band by band with the scaling is, pixel for pixel, the scaling and then
 * canvas_shade(): mirrored or not, with boxes that cross band edges and the canvas's edge. */
static void test_shaded_blit(void)
{
	const struct canvas_shade shades[3] = {
		{ { 0, 0, 333, 37 }, 140 },
		{ { 100, 45, 260, 171 }, 110 },
		{ { 250, 150, 400, 250 }, 200 },
	};
	struct layout_px all = { 0, 0, 333, 187 };

	make_frame();
	for (int mirror = 0; mirror < 2; mirror++) {
		struct canvas *a = NULL, *b = NULL;
		int bad = 0;

		REQUIRE(canvas_new(333, 187, &a) == 0);
		if (canvas_new(333, 187, &b) < 0) {
			canvas_free(a);
			REQUIRE(false);
		}
		CHECK_INT(canvas_blit_xrgb_shaded(a, &all, &frame, mirror, shades, 3), ==, 0);
		CHECK_INT(canvas_blit_xrgb(b, &all, &frame, mirror), ==, 0);
		for (int i = 0; i < 3; i++)
			canvas_shade(b, &shades[i].box, shades[i].alpha, false);
		for (int i = 0; i < 333 * 187; i++)
			bad += (a->px[i] & 0xffffff) != (b->px[i] & 0xffffff);
		CHECK_MSG(bad == 0, "%d pixels differ (mirror %d)", bad, mirror);
		canvas_free(a);
		canvas_free(b);
	}
}

/* The countdown over a preview on a hardware plane: the picture has alpha, a hole where the
 * preview shows, the shaded band half covering it (premultiplied black) and the words opaque;
 * rotated for a turned panel, the alpha stays. With [ui] mirror = no the software preview is the
 * camera's picture as it is. */
static void test_plane_countdown(void)
{
	struct ui_target t[UI_MAX_TARGETS];
	struct display *d = NULL;
	struct canvas *c = NULL;
	struct ui_model m;
	uint8_t left[3], right[3];
	int n, words = 0;

	make_frame();
	REQUIRE(canvas_new(640, 400, &c) == 0);
	model_for(SCREEN_COUNTDOWN, UI_LANG_EN, &m, NULL);
	m.preview_plane = true;
	c->alpha = true;
	CHECK_INT(screen_draw(c, SCREEN_COUNTDOWN, &m, t, &n), ==, 0);
	/* Beside the digit, under no band: nothing but the preview. */
	CHECK_INT(c->px[200 * 640 + 40], ==, 0);
	CHECK_INT(c->px[200 * 640 + 600], ==, 0);
	/* The top band's corner: black at 140/255 over the preview. */
	CHECK_INT(c->px[2 * 640 + 2], ==, 0x8c000000u);
	/* The words are opaque white somewhere in the band. */
	for (int x = 0; x < 640; x++)
		words += c->px[24 * 640 + x] == 0xffffffffu;
	CHECK_INT(words, >, 0);
	/* A panel turned 90 degrees gets the same alpha. */
	REQUIRE(display_new("headless", NULL, 400, 640, 90, &d) == 0);
	CHECK_INT(display_present(d, c), ==, 0);
	CHECK_INT(d->scanout[40 * 400 + 200], ==, 0);
	CHECK_INT(d->scanout[2 * 400 + 397], ==, 0x8c000000u);
	display_free(d);
	/* The software preview not mirrored: red on the left as the camera has it. */
	c->alpha = false;
	m.preview_plane = false;
	m.no_mirror = true;
	CHECK_INT(screen_draw(c, SCREEN_COUNTDOWN, &m, t, &n), ==, 0);
	canvas_get_rgb(c, 20, 200, left);
	canvas_get_rgb(c, 620, 200, right);
	CHECK_INT(left[0], >, 200);
	CHECK_INT(right[2], >, 200);
	canvas_free(c);
}

/* Where the top left corner of picture S is drawn on C (its first two pixels of the first row
 * and the first of the second); false if nowhere. */
static bool find_picture(const struct canvas *c, const struct canvas *s, int *x0, int *y0)
{
	for (int y = 0; y + 1 < c->h; y++)
		for (int x = 0; x + 1 < c->w; x++)
			if (c->px[y * c->w + x] == s->px[0] &&
			    c->px[y * c->w + x + 1] == s->px[1] &&
			    c->px[(y + 1) * c->w + x] == s->px[s->w]) {
				*x0 = x;
				*y0 = y;
				return true;
			}
	return false;
}

/* The strip decoded at screen_strip_size() is shown pixel for pixel, not scaled again, on a
 * landscape and a portrait screen. */
static void test_strip_size(void)
{
	static const int sizes[][2] = { { 1920, 1080 }, { 800, 1280 } };
	struct ui_target t[UI_MAX_TARGETS];
	struct ui_model m;
	int n;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct canvas *c = NULL, *strip = NULL;
		int w, h, sw, x0 = 0, y0 = 0;
		bool found;

		screen_strip_size(sizes[i][0], sizes[i][1], &w, &h);
		CHECK(w > sizes[i][0] / 3 && w < sizes[i][0] && h > sizes[i][1] / 3 &&
		      h < sizes[i][1]);
		/* A 1:3 strip fitted inside, as canvas_read_jpeg() fits it: as tall as the box. */
		sw = h / 3;
		REQUIRE(sw <= w);
		REQUIRE(canvas_new(sizes[i][0], sizes[i][1], &c) == 0);
		if (canvas_new(sw, h, &strip) < 0) {
			canvas_free(c);
			REQUIRE(false);
		}
		for (int y = 0; y < strip->h; y++)
			for (int x = 0; x < strip->w; x++)
				strip->px[y * strip->w + x] =
					0xff000000u | (uint32_t)(x * 7 % 256) << 16 |
					(uint32_t)(y * 5 % 256) << 8 | (uint32_t)((x + y) % 256);
		model_for(SCREEN_REVIEW, UI_LANG_EN, &m, strip);
		m.max_copies = 1; /* (with copies to choose, a portrait strip is shown smaller) */
		CHECK_INT(screen_draw(c, SCREEN_REVIEW, &m, t, &n), ==, 0);
		/* Find the strip's top left pixel on screen, then compare every pixel. */
		found = find_picture(c, strip, &x0, &y0);
		CHECK_MSG(found, "the strip's first pixels are on the %dx%d screen", c->w, c->h);
		for (int y = 0; found && y < strip->h; y += 7)
			for (int x = 0; x < strip->w; x += 3)
				if (c->px[(y0 + y) * c->w + x0 + x] !=
				    strip->px[y * strip->w + x]) {
					CHECK_MSG(false, "strip pixel %d,%d differs on %dx%d", x, y,
						  c->w, c->h);
					y = strip->h;
					break;
				}
		canvas_free(strip);
		canvas_free(c);
	}
}

/* A steep triangle wave: 16 levels a pixel, period 32, 0..127. */
static int wave(int x)
{
	int k = x % 32 < 16 ? x % 32 : 32 - x % 32;

	return k * 8 > 127 ? 127 : k * 8;
}

/* The exact average of wave() over output pixel X's span of source pixels (800 -> 750). */
static double wave_average(int x)
{
	double a = x * 800.0 / 750, b = (x + 1) * 800.0 / 750, sum = 0;

	for (int i = (int)a; i < b && i < 800; i++)
		sum += wave(i) * ((i + 1 < b ? i + 1 : b) - (i > a ? i : a));
	return sum / (b - a);
}

/* A grey JPEG shrunk by a ratio that is no DCT scale (800 -> 750: decoded whole, then area
 * averaging, row by row) matches the exact area average of its pixels, across and down: no
 * shift, no blur beyond the box. */
static void test_read_jpeg_average(void)
{
	char path[sizeof(scratch_dir) + 16];
	unsigned char *grey = malloc((size_t)800 * 800);
	unsigned long size;
	struct canvas *c = NULL;
	int worst = 0;

	REQUIRE(grey);
	for (int y = 0; y < 800; y++)
		for (int x = 0; x < 800; x++)
			grey[y * 800 + x] = (unsigned char)(wave(x) + wave(y));
	snprintf(path, sizeof(path), "%s/ui-wave.jpg", scratch_dir);
	size = write_jpeg(path, grey, 800, 800, true);
	free(grey);
	REQUIRE(size > 0);
	REQUIRE(canvas_read_jpeg(path, 750, 750, &c) == 0);
	REQUIRE(c->w == 750 && c->h == 750);
	for (int y = 0; y < c->h; y++)
		for (int x = 0; x < c->w; x++) {
			int want = (int)(wave_average(x) + wave_average(y) + 0.5), off;
			uint8_t p[3];

			canvas_get_rgb(c, x, y, p);
			off = abs(p[0] - want);
			worst = off > worst ? off : worst;
		}
	CHECK_MSG(worst <= 3, "off the exact area average by up to %d", worst);
	canvas_free(c);
}

/* Time to draw the countdown over a preview at 1280x800 (printed, not checked: it varies). */
static void test_frame_time(void)
{
	struct ui_target t[UI_MAX_TARGETS];
	struct canvas *c = NULL;
	struct display *d = NULL;
	struct ui_model m;
	struct timespec a, b;
	int n, frames = 20;
	double ms;

	make_frame();
	REQUIRE(canvas_new(1280, 800, &c) == 0);
	REQUIRE(display_new("headless", NULL, 1280, 800, 0, &d) == 0);
	model_for(SCREEN_COUNTDOWN, UI_LANG_EN, &m, NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < frames; i++) {
		CHECK_INT(screen_draw(c, SCREEN_COUNTDOWN, &m, t, &n), ==, 0);
		CHECK_INT(display_present(d, c), ==, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6) / frames;
	printf("# countdown over preview at 1280x800: %.1f ms per frame (draw + present)\n", ms);
	CHECK_INT(d->frames, ==, frames);
	display_free(d);
	canvas_free(c);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "goldens", test_goldens },
		{ "goldens_states", test_goldens_states },
		{ "owner", test_owner },
		{ "owner_delete", test_owner_delete },
		{ "confirm_targets", test_confirm_targets },
		{ "netinfo", test_netinfo },
		{ "screens_differ", test_screens_differ },
		{ "targets_and_keys", test_targets_and_keys },
		{ "pick", test_pick },
		{ "attention", test_attention },
		{ "mirror", test_mirror },
		{ "rotation", test_rotation },
		{ "format", test_format },
		{ "read_jpeg", test_read_jpeg },
		{ "read_jpeg_average", test_read_jpeg_average },
		{ "strip_size", test_strip_size },
		{ "plane_countdown", test_plane_countdown },
		{ "shaded_blit", test_shaded_blit },
		{ "frame_time", test_frame_time },
		{ NULL, NULL },
	};

	static const char *const scratch_files[] = { "ui-rot.png", "ui-strip.jpg", "ui-wave.jpg" };
	char path[sizeof(scratch_dir) + 16];
	int r;

	/* A failed golden's actual picture goes to build/test-logs/, made here when the test runs
	 * alone (make arm64-test, or by hand); the pictures the tests write and read back go to a
	 * folder of this run's own (make test and make check may run side by side). */
	(void)mkdir("build", 0755);
	(void)mkdir("build/test-logs", 0755);
	if (!mkdtemp(scratch_dir)) {
		perror("mkdtemp");
		return 1;
	}
	r = test_main(argc, argv, tests);
	for (size_t i = 0; i < sizeof(scratch_files) / sizeof(scratch_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", scratch_dir, scratch_files[i]);
		unlink(path);
	}
	rmdir(scratch_dir);
	return r;
}
