/* SPDX-License-Identifier: MIT */
/* booth-ui's screens, drawn headless in English and Chinese and compared with golden PNGs in
 * tests/golden/ (UI_GOLDEN_WRITE=1 rewrites them); touch targets, keys, rotation and mirroring. */
#include "canvas.h"
#include "display.h"
#include "harness.h"
#include "screen.h"
#include "strings.h"

#include <errno.h>
#include <stdlib.h>
#include <turbojpeg.h>
#include <time.h>
#include <unistd.h>

#define W 640
#define H 400
/* Anti-aliased text may land a little differently with another FreeType or font version: a
 * pixel counts as different beyond TOLERANCE per channel, and at most MAX_SHARE may differ. */
#define TOLERANCE 40
#define MAX_SHARE 0.004

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
		[SCREEN_ATTRACT] = "idle",   [SCREEN_COUNTDOWN] = "countdown",
		[SCREEN_FLASH] = "capture",  [SCREEN_PROCESSING] = "compose",
		[SCREEN_REVIEW] = "review",  [SCREEN_PRINTING] = "print",
		[SCREEN_DONE] = "done",	     [SCREEN_FAILED] = "error",
		[SCREEN_ATTENTION] = "idle",
	};

	memset(m, 0, sizeof(*m));
	m->lang = lang;
	snprintf(m->phase, sizeof(m->phase), "%s", phases[s]);
	m->shot = 2;
	m->shots = 4;
	m->seconds_left = s == SCREEN_REVIEW ? 15 : 3;
	m->preview = &frame;
	m->strip = strip;
	m->attention = s == SCREEN_ATTENTION ? ATT_PAPER : ATT_NONE;
}

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

/* Screens must not all look alike: a golden test over a blank renderer would pass otherwise. */
static void test_screens_differ(void)
{
	struct canvas *a = NULL, *b = NULL;
	struct ui_target t[UI_MAX_TARGETS];
	struct ui_model m;
	int n;

	make_frame();
	REQUIRE(canvas_new(W, H, &a) == 0 && canvas_new(W, H, &b) == 0);
	model_for(SCREEN_ATTRACT, UI_LANG_EN, &m, NULL);
	screen_draw(a, SCREEN_ATTRACT, &m, t, &n);
	model_for(SCREEN_ATTRACT, UI_LANG_ZH, &m, NULL);
	screen_draw(b, SCREEN_ATTRACT, &m, t, &n);
	CHECK(canvas_diff(a, b, 40) > 0.005);
	canvas_free(a);
	canvas_free(b);
}

static void test_targets_and_keys(void)
{
	struct ui_target t[UI_MAX_TARGETS];
	struct ui_model m;
	struct canvas *c = NULL;
	int n;

	REQUIRE(canvas_new(W, H, &c) == 0);
	model_for(SCREEN_ATTRACT, UI_LANG_EN, &m, NULL);
	screen_draw(c, SCREEN_ATTRACT, &m, t, &n);
	CHECK_INT(screen_hit(t, n, W / 2, H / 2), ==, ACT_START);
	CHECK_INT(screen_hit(t, n, 5, 5), ==, ACT_START);
	CHECK_INT(screen_hit(t, n, W * 85 / 100, H * 9 / 10), ==, ACT_LANGUAGE);
	model_for(SCREEN_REVIEW, UI_LANG_EN, &m, NULL);
	screen_draw(c, SCREEN_REVIEW, &m, t, &n);
	CHECK_INT(n, ==, 3);
	CHECK_INT(screen_hit(t, n, W * 3 / 4, H * 29 / 100), ==, ACT_PRINT);
	CHECK_INT(screen_hit(t, n, W * 3 / 4, H * 52 / 100), ==, ACT_RETAKE);
	CHECK_INT(screen_hit(t, n, W * 3 / 4, H * 72 / 100), ==, ACT_DISCARD);
	CHECK_INT(screen_hit(t, n, W / 4, H / 2), ==, ACT_NONE);
	/* Large targets: every button at least a tenth of the screen's height. */
	for (int i = 0; i < n; i++)
		CHECK(t[i].box.y1 - t[i].box.y0 >= H / 10);
	model_for(SCREEN_COUNTDOWN, UI_LANG_EN, &m, &(struct canvas){ 0 });
	screen_draw(c, SCREEN_COUNTDOWN, &m, t, &n);
	CHECK_INT(n, ==, 0);
	CHECK_INT(screen_key(SCREEN_ATTRACT, "enter"), ==, ACT_START);
	CHECK_INT(screen_key(SCREEN_ATTRACT, "l"), ==, ACT_LANGUAGE);
	CHECK_INT(screen_key(SCREEN_REVIEW, "enter"), ==, ACT_PRINT);
	CHECK_INT(screen_key(SCREEN_REVIEW, "2"), ==, ACT_RETAKE);
	CHECK_INT(screen_key(SCREEN_REVIEW, "escape"), ==, ACT_DISCARD);
	CHECK_INT(screen_key(SCREEN_COUNTDOWN, "escape"), ==, ACT_CANCEL);
	CHECK_INT(screen_key(SCREEN_PROCESSING, "enter"), ==, ACT_NONE);
	CHECK_STR(screen_action_name(ACT_DISCARD), "discard");
	CHECK(screen_action_name(ACT_LANGUAGE) == NULL);
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
}

static void test_attention(void)
{
	struct ui_status st = { "idle", "ok", "idle", false, false, true };

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
	CHECK_INT(display_screenshot(d, "build/test-logs/ui-rot.png"), ==, -ENODATA);
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
	CHECK_INT(display_screenshot(d, "build/test-logs/ui-rot.png"), ==, 0);
	REQUIRE(canvas_read_png("build/test-logs/ui-rot.png", &shot) == 0);
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

/* A strip-sized JPEG is decoded small (DCT scaling) and fitted inside the box asked for. */
static void test_read_jpeg(void)
{
	const char *path = "build/test-logs/ui-strip.jpg";
	unsigned char *rgb = malloc((size_t)1200 * 1800 * 3), *jpeg = NULL;
	unsigned long size = 0;
	struct canvas *c = NULL;
	tjhandle tj = tjInitCompress();
	uint8_t p[3];
	FILE *f;

	if (!rgb || !tj) {
		free(rgb);
		if (tj)
			tjDestroy(tj);
		REQUIRE(false);
	}
	/* Left half red, right half blue. */
	for (size_t i = 0; i < (size_t)1200 * 1800; i++) {
		bool left = i % 1200 < 600;

		rgb[i * 3] = left ? 220 : 10;
		rgb[i * 3 + 1] = 20;
		rgb[i * 3 + 2] = left ? 10 : 230;
	}
	CHECK_INT(tjCompress2(tj, rgb, 1200, 0, 1800, TJPF_RGB, &jpeg, &size, TJSAMP_444, 90, 0),
		  ==, 0);
	tjDestroy(tj);
	free(rgb);
	f = fopen(path, "wbe");
	if (f) {
		CHECK_INT(fwrite(jpeg, 1, size, f), ==, size);
		fclose(f);
	}
	tjFree(jpeg);
	REQUIRE(canvas_read_jpeg(path, 400, 400, &c) == 0);
	CHECK_INT(c->w, ==, 266);
	CHECK_INT(c->h, ==, 400);
	canvas_get_rgb(c, 60, 200, p);
	CHECK(p[0] > 180 && p[2] < 60);
	canvas_get_rgb(c, 200, 200, p);
	CHECK(p[0] < 60 && p[2] > 180);
	c = canvas_free(c);
	/* Smaller than the box: kept as it is. */
	REQUIRE(canvas_read_jpeg(path, 4000, 4000, &c) == 0);
	CHECK_INT(c->w, ==, 1200);
	CHECK_INT(c->h, ==, 1800);
	canvas_free(c);
	CHECK_INT(canvas_read_jpeg("tests/golden/ui-done-en.png", 400, 400, &c), ==, -EBADMSG);
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
		{ "screens_differ", test_screens_differ },
		{ "targets_and_keys", test_targets_and_keys },
		{ "pick", test_pick },
		{ "attention", test_attention },
		{ "mirror", test_mirror },
		{ "rotation", test_rotation },
		{ "format", test_format },
		{ "read_jpeg", test_read_jpeg },
		{ "frame_time", test_frame_time },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
