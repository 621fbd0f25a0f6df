/* SPDX-License-Identifier: MIT */
/* Whole guest sessions driven through booth-ui's touch input (headless, taps injected on the
 * test input topic) against the real broker, boothd, the simulated camera, booth-printer and
 * the virtual printer; and test input ignored unless the config enables it. */
#include "canvas.h"
#include "env.h"
#include "harness.h"
#include "owner.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define T(x) "booth/" ENV_BOOTH "/" x
#define W    640
#define H    400

static struct env env;
static char shots[128];

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/* Wait for ui/state showing SCREEN (and LANG if not NULL); with SETTLE, it must also stay so
 * for 700 ms (at start-up the screen changes as the daemons come up one by one). */
static bool wait_screen_ex(struct tclient *c, const char *screen, const char *lang, int ms,
			   bool settle)
{
	long long deadline = env_ms() + ms, since = 0;
	bool match = false;

	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, T("ui/state"), 100);
		json_object *o;

		if (!m) {
			if (match && (!settle || env_ms() - since >= 700))
				return true;
			continue;
		}
		o = json_tokener_parse(m->payload);
		tmsg_free(m);
		match = o && strcmp(json_object_get_string(get(o, "screen")), screen) == 0 &&
			(!lang || strcmp(json_object_get_string(get(o, "language")), lang) == 0);
		since = env_ms();
		json_object_put(o);
		if (match && !settle)
			return true;
	}
	return false;
}

static bool wait_screen(struct tclient *c, const char *screen, const char *lang, int ms)
{
	return wait_screen_ex(c, screen, lang, ms, false);
}

static void tap(struct tclient *c, int x, int y)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "{\"x\":%d,\"y\":%d}", x, y);

	CHECK_INT(tclient_publish(c, T("ui/test_input"), buf, n, NULL, NULL), ==, 0);
}

/* Ask for a screenshot NAME and read it back; NULL if it did not appear within 5 s. */
static struct canvas *screenshot(struct tclient *c, const char *name)
{
	char buf[128], path[256];
	struct canvas *img = NULL;
	long long deadline = env_ms() + 5000;
	int n = snprintf(buf, sizeof(buf), "{\"screenshot\":\"%s\"}", name);

	snprintf(path, sizeof(path), "%s/%s.png", shots, name);
	unlink(path);
	if (tclient_publish(c, T("ui/test_input"), buf, n, NULL, NULL) != 0)
		return NULL;
	while (env_ms() < deadline && canvas_read_png(path, &img) < 0)
		usleep(50000);
	return img;
}

static json_object *wait_event(struct tclient *c, const char *filter, int ms)
{
	struct tmsg *m = tclient_wait(c, filter, ms);
	json_object *o = m ? json_tokener_parse(m->payload) : NULL;

	tmsg_free(m);
	return o;
}

static bool start_booth(pid_t pids[4], bool test_input)
{
	char extra[512];

	snprintf(shots, sizeof(shots), "/tmp/booth-ui-test-%d", (int)getpid());
	snprintf(extra, sizeof(extra),
		 "[boothd]\nlayout = 4x6-two-strips\n"
		 "[ui]\nbackend = headless\nwidth = %d\nheight = %d\ntest_input = %s\n"
		 "screenshot_dir = %s\n",
		 W, H, test_input ? "yes" : "no", shots);
	if (env_start_conf(&env, 5, extra) < 0 || env_printer_start(&env) < 0)
		return false;
	pids[0] = env_spawn(&env, "booth-printer");
	pids[1] = env_spawn(&env, "booth-camera");
	pids[2] = env_spawn(&env, "boothd");
	pids[3] = env_spawn(&env, "booth-ui");
	return true;
}

static void stop_booth(pid_t pids[4])
{
	char cmd[200];

	for (int i = 3; i >= 0; i--) {
		CHECK_MSG(env_alive(pids[i]), "daemon %d died", i);
		env_kill_daemon(&env, pids[i], SIGTERM);
	}
	env_stop(&env);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", shots);
	CHECK_INT(system(cmd), ==, 0);
}

/* One session from the attract screen (shown now) to review; returns the review screenshot. */
static struct canvas *to_review(struct tclient *owner)
{
	tap(owner, W / 2, H / 2);
	if (!wait_screen(owner, "review", NULL, 60000))
		return NULL;
	return screenshot(owner, "review");
}

/* A guest session from the attract screen (shown now), ended by a tap at (X, Y) on the review
 * screen; it must end OUTCOME. Returns the session's id, 0 if it did not end. */
static int64_t session_by_tap(struct tclient *owner, int x, int y, const char *outcome)
{
	struct canvas *img = to_review(owner);
	json_object *o;
	int64_t id;

	CHECK(img != NULL);
	if (!img)
		return 0;
	canvas_free(img);
	tap(owner, x, y);
	o = wait_event(owner, T("events/session_ended"), 30000);
	CHECK(o != NULL);
	if (!o)
		return 0;
	CHECK_STR(json_object_get_string(get(o, "outcome")), outcome);
	id = json_object_get_int64(get(o, "session"));
	json_object_put(o);
	return id;
}

/* The screenshot IMG (consumed) looks like tests/golden/NAME.png, with the unit tests'
 * tolerance. */
static void check_golden(struct canvas *img, const char *name)
{
	struct canvas *golden = NULL;
	char path[128];
	double diff;

	snprintf(path, sizeof(path), "tests/golden/%s.png", name);
	CHECK_MSG(canvas_read_png(path, &golden) == 0, "cannot read %s", path);
	diff = img && golden ? canvas_diff(img, golden, 40) : 1;
	CHECK_MSG(diff < 0.004, "the screen differs from %s: %.4f", name, diff);
	canvas_free(golden);
	canvas_free(img);
}

static void sessions(struct tclient *owner)
{
	struct canvas *img, *golden = NULL;
	json_object *o;
	long long deadline;

	REQUIRE(owner);
	tclient_subscribe(owner, T("ui/state"));
	tclient_subscribe(owner, T("events/session_ended"));

	/* The attract screen, switched to Chinese by its language button, looks like its golden. */
	REQUIRE(wait_screen_ex(owner, "attract", "en", 20000, true));
	tap(owner, W * 85 / 100, H * 9 / 10);
	CHECK(wait_screen(owner, "attract", "zh", 5000));
	img = screenshot(owner, "attract-zh");
	REQUIRE(img);
	CHECK_INT(img->w, ==, W);
	CHECK_INT(img->h, ==, H);
	check_golden(img, "ui-attract-zh");
	tap(owner, W * 85 / 100, H * 9 / 10);
	CHECK(wait_screen(owner, "attract", "en", 5000));

	/* A guest taps, is counted down, photographed, reviews the strip and taps Print. */
	img = to_review(owner);
	REQUIRE(img);
	{
		/* The strip is shown: the middle of its box is not the empty box's grey. */
		uint8_t p[3];

		canvas_get_rgb(img, W / 4, H / 2, p);
		CHECK(!(p[0] == 90 && p[1] == 96 && p[2] == 116));
	}
	canvas_free(img);
	tap(owner, W * 3 / 4, H * 29 / 100);
	/* The done screen follows the print (booth-printer's print_job events) to "Printed". */
	CHECK(wait_screen(owner, "done", NULL, 20000));
	REQUIRE(canvas_read_png("tests/golden/ui-done-printed-en.png", &golden) == 0);
	{
		double diff = 1;

		for (int i = 0; i < 40 && diff >= 0.004; i++) {
			img = screenshot(owner, "done");
			diff = img ? canvas_diff(img, golden, 40) : 1;
			canvas_free(img);
		}
		CHECK_MSG(diff < 0.004, "the done screen does not say printed: %.4f", diff);
	}
	canvas_free(golden);
	o = wait_event(owner, T("events/session_ended"), 20000);
	REQUIRE(o);
	CHECK_STR(json_object_get_string(get(o, "outcome")), "printed");
	json_object_put(o);
	CHECK(wait_screen(owner, "attract", NULL, 20000));
	deadline = env_ms() + 30000;
	while (env_ms() < deadline && env_printer_received(&env) < 1)
		usleep(100000);
	CHECK_INT(env_printer_received(&env), ==, 1);

	/* The next guest does not keep the photos. */
	REQUIRE(session_by_tap(owner, W * 3 / 4, H * 72 / 100, "deleted") > 0);
	CHECK(wait_screen(owner, "attract", NULL, 20000));
	usleep(500000);
	CHECK_INT(env_printer_received(&env), ==, 1);
}

static void test_session_by_touch(void)
{
	struct tclient *owner;
	pid_t pids[4];

	REQUIRE(start_booth(pids, true));
	owner = tclient_new(&env, "owner", NULL, true, NULL);
	sessions(owner);
	tclient_free(owner);
	stop_booth(pids);
}

/* The PIN pad of a 640x400 screen: the key in COLumn, ROW (0-based; row 3: delete 0 OK). */
static void pin_key(struct tclient *c, int col, int row)
{
	tap(c, 307 + 320 * (2 * col + 1) / 6, 16 + 368 * (2 * row + 1) / 8);
}

/* Type the digits of PIN on the pad, then OK. */
static void type_pin(struct tclient *c, const char *pin)
{
	for (const char *p = pin; *p; p++) {
		int d = *p - '0';

		if (d == 0)
			pin_key(c, 1, 3);
		else
			pin_key(c, (d - 1) % 3, (d - 1) / 3);
	}
	pin_key(c, 2, 3);
}

/* Open the PIN pad (five taps in the hidden corner) and type PIN, then OK. */
static void enter_pin(struct tclient *c, const char *pin)
{
	for (int i = 0; i < 5; i++)
		tap(c, 5, 5);
	type_pin(c, pin);
}

/* Wait for a settings document with FIELD equal to VALUE (a JSON literal). */
static bool wait_setting(struct tclient *c, const char *field, const char *value, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, T("settings"), 200);
		json_object *o = m ? json_tokener_parse(m->payload) : NULL;
		bool match = o && strcmp(json_object_to_json_string(get(o, field)), value) == 0;

		tmsg_free(m);
		json_object_put(o);
		if (match)
			return true;
	}
	return false;
}

/* Is the pixel at (X, Y) of the screenshot NAME colour R, G, B? */
static bool shot_pixel(struct tclient *c, const char *name, int x, int y, int r, int g, int b)
{
	struct canvas *img = screenshot(c, name);
	uint8_t p[3] = { 0 };

	if (img)
		canvas_get_rgb(img, x, y, p);
	canvas_free(img);
	return img && p[0] == r && p[1] == g && p[2] == b;
}

/* Wait until no file SESSION had (PATHS, N of them) is there, and the database names none. */
static bool files_gone(int64_t session, char paths[][512], int n, int ms)
{
	long long deadline = env_ms() + ms;
	char now[16][512];

	while (env_ms() < deadline) {
		int left = env_session_files(&env, session, now, 16);

		for (int i = 0; i < n; i++)
			left += access(paths[i], F_OK) == 0;
		if (left == 0)
			return true;
		usleep(100000);
	}
	return false;
}

/* A guest prints a strip, then changes their mind: on the owner menu, "Delete the last guest's
 * photos" asks first (its screen as in the golden); Keep deletes nothing; Delete reaches
 * boothd (ui/owner_command delete_last, which only boothd may read: its effect is checked, the
 * session's files and rows gone) and the menu comes back. */
static void delete_last_guest(struct tclient *owner)
{
	char files[16][512], again[16][512];
	int64_t session;
	int n;

	tclient_subscribe(owner, T("events/session_ended"));
	session = session_by_tap(owner, W * 3 / 4, H * 29 / 100, "printed");
	REQUIRE(session > 0);
	REQUIRE(wait_screen(owner, "attract", NULL, 20000));
	n = env_session_files(&env, session, files, 16);
	CHECK_MSG(n >= 2, "session %lld has %d files", (long long)session, n);

	enter_pin(owner, "2580");
	tap(owner, W / 2, H * 66 / 100);
	check_golden(screenshot(owner, "delete-last"), "ui-delete-last-en");
	/* Keep: back on the menu (its Pause button), and the photos stay. */
	tap(owner, W / 4, H * 77 / 100);
	CHECK(shot_pixel(owner, "kept", 40, 60, 228, 84, 60));
	usleep(500000);
	CHECK_INT(env_session_files(&env, session, again, 16), ==, n);
	for (int i = 0; i < n; i++)
		CHECK_MSG(access(files[i], F_OK) == 0, "%s went on Keep", files[i]);
	/* Delete: gone, from the photo store and the database. */
	tap(owner, W / 2, H * 66 / 100);
	tap(owner, W * 3 / 4, H * 77 / 100);
	CHECK_MSG(files_gone(session, files, n, 10000), "session %lld's photos are still there",
		  (long long)session);
	/* "Deleted" gives way to the menu by itself. */
	usleep((OWNER_DELETED_MS + 500) * 1000);
	CHECK(shot_pixel(owner, "after-delete", 40, 60, 228, 84, 60));
	tap(owner, W / 2, H * 9 / 10);
	CHECK(wait_screen(owner, "attract", NULL, 10000));
}

/* The owner menu behind the PIN: a wrong PIN keeps it shut, the right one opens it; pausing
 * reaches boothd (settings, then the paused screen for guests), resuming and a layout too, and
 * deleting the last guest's photos. */
static void test_owner_menu(void)
{
	struct tclient *owner;
	json_object *o;
	pid_t pids[4];

	REQUIRE(start_booth(pids, true));
	owner = tclient_new(&env, "owner", NULL, true, NULL);
	REQUIRE(owner);
	tclient_subscribe(owner, T("ui/state"));
	tclient_subscribe(owner, T("settings"));
	REQUIRE(wait_screen_ex(owner, "attract", NULL, 20000, true));
	REQUIRE(wait_setting(owner, "paused", "false", 5000));

	/* A wrong PIN: the pad stays (its green OK key, away from its letters). */
	enter_pin(owner, "1111");
	CHECK(shot_pixel(owner, "pin-wrong", 530, 302, 40, 160, 90));
	pin_key(owner, 0, 0);
	/* The right one ([ui] pin, which boothd also publishes on ui/pin) opens the menu. The
	 * pad is still open: type over the "1" just typed after deleting it. */
	pin_key(owner, 0, 3);
	type_pin(owner, "2580");
	/* The menu: its Pause button (accent red) across the top. */
	CHECK(shot_pixel(owner, "menu", 40, 60, 228, 84, 60));
	tap(owner, W / 2, H * 16 / 100);
	CHECK(wait_setting(owner, "paused", "true", 10000));
	/* Closed, the guests see that the booth is paused. */
	tap(owner, W / 2, H * 9 / 10);
	CHECK(wait_screen(owner, "attention", NULL, 10000));
	check_golden(screenshot(owner, "paused"), "ui-attention-paused-en");

	/* Again: resume, and choose the first layout of the list. */
	enter_pin(owner, "2580");
	CHECK(shot_pixel(owner, "menu2", 40, 60, 40, 160, 90));
	tap(owner, W / 2, H * 16 / 100);
	CHECK(wait_setting(owner, "paused", "false", 10000));
	tap(owner, W / 2, H * 40 / 100);
	tap(owner, W / 4, H * 23 / 100);
	{
		struct tmsg *m = NULL;
		long long deadline = env_ms() + 10000;
		bool changed = false;

		while (!changed && env_ms() < deadline) {
			m = tclient_wait(owner, T("settings"), 200);
			o = m ? json_tokener_parse(m->payload) : NULL;
			changed = o && strcmp(json_object_get_string(get(o, "layout")),
					      json_object_get_string(json_object_array_get_idx(
						      get(o, "layouts"), 0))) == 0;
			json_object_put(o);
			tmsg_free(m);
		}
		CHECK_MSG(changed, "the layout did not change to the first of the list");
	}
	tap(owner, W / 2, H * 9 / 10);
	CHECK(wait_screen(owner, "attract", NULL, 10000));
	delete_last_guest(owner);
	tclient_free(owner);
	stop_booth(pids);
}

/* With test_input off, booth-ui does not act on the test topic at all. */
static void test_input_off(void)
{
	struct tclient *owner;
	struct canvas *img;
	pid_t pids[4];

	REQUIRE(start_booth(pids, false));
	owner = tclient_new(&env, "owner", NULL, true, NULL);
	REQUIRE(owner);
	tclient_subscribe(owner, T("ui/state"));
	CHECK(wait_screen_ex(owner, "attract", NULL, 20000, true));
	tap(owner, W / 2, H / 2);
	img = screenshot(owner, "off");
	CHECK(img == NULL);
	canvas_free(img);
	CHECK(!wait_screen(owner, "countdown", NULL, 2000));
	tclient_free(owner);
	stop_booth(pids);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "session_by_touch", test_session_by_touch },
		{ "owner_menu", test_owner_menu },
		{ "input_off", test_input_off },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
