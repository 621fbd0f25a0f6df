/* SPDX-License-Identifier: MIT */
/* A whole guest session against the real broker, the real daemons (simulated camera) and a real
 * IPP printer: what is published, stored, composed and printed. */
#include "env.h"
#include "harness.h"
#include "layout.h"

#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <turbojpeg.h>
#include <unistd.h>

#define T(x)   "booth/" ENV_BOOTH "/" x
#define COPIES 2

static struct env env;

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

struct image {
	int w, h;
	unsigned char *rgb;
};

static int decode(const char *path, struct image *img)
{
	char *data = NULL;
	long n = read_file_all(path, &data);
	tjhandle tj = tjInitDecompress();
	int sub, cs, r = -1;

	img->rgb = NULL;
	if (n > 0 && tjDecompressHeader3(tj, (unsigned char *)data, (unsigned long)n, &img->w,
					 &img->h, &sub, &cs) == 0) {
		img->rgb = malloc((size_t)img->w * (size_t)img->h * 3);
		if (img->rgb && tjDecompress2(tj, (unsigned char *)data, (unsigned long)n, img->rgb,
					      img->w, 0, img->h, TJPF_RGB, 0) == 0)
			r = 0;
	}
	tjDestroy(tj);
	free(data);
	return r;
}

/* Mean colour of the pixel rectangle [x0,x1) x [y0,y1). */
static void mean(const struct image *img, int x0, int y0, int x1, int y1, double out[3])
{
	double sum[3] = { 0, 0, 0 };
	long n = 0;

	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++, n++)
			for (int c = 0; c < 3; c++)
				sum[c] += img->rgb[((size_t)y * (size_t)img->w + (size_t)x) * 3 +
						   (size_t)c];
	for (int c = 0; c < 3; c++)
		out[c] = n ? sum[c] / (double)n : 0;
}

/* The largest mean-colour difference between a cell of the print and its photo, over a 4x4
 * grid on the cell's central part, mapping the photo as the composer does (fill the cell,
 * centre-crop). */
static double cell_error(const struct image *page, struct layout_px cell, const struct image *ph)
{
	int cw = cell.x1 - cell.x0, ch = cell.y1 - cell.y0;
	double scale =
		(double)cw / ph->w > (double)ch / ph->h ? (double)cw / ph->w : (double)ch / ph->h;
	double ox = (ph->w * scale - cw) / 2, oy = (ph->h * scale - ch) / 2, worst = 0;

	for (int gy = 0; gy < 4; gy++) {
		for (int gx = 0; gx < 4; gx++) {
			/* Blocks in the middle 60% of the cell. */
			int bx0 = cw / 5 + gx * (cw * 3 / 5) / 4, bx1 = bx0 + (cw * 3 / 5) / 4;
			int by0 = ch / 5 + gy * (ch * 3 / 5) / 4, by1 = by0 + (ch * 3 / 5) / 4;
			double a[3], b[3];

			mean(page, cell.x0 + bx0, cell.y0 + by0, cell.x0 + bx1, cell.y0 + by1, a);
			mean(ph, (int)((bx0 + ox) / scale), (int)((by0 + oy) / scale),
			     (int)((bx1 + ox) / scale), (int)((by1 + oy) / scale), b);
			for (int c = 0; c < 3; c++)
				if (a[c] - b[c] > worst || b[c] - a[c] > worst)
					worst = a[c] > b[c] ? a[c] - b[c] : b[c] - a[c];
		}
	}
	return worst;
}

/* The first document the printer received (a JPEG), into PATH. */
static int received_doc(char *path, size_t n)
{
	char dir[400];
	struct dirent *de;
	DIR *d;
	int r = -1;

	snprintf(dir, sizeof(dir), "%s/received", env.printer_dir);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (strstr(de->d_name, "job-0001-") && !strstr(de->d_name, ".attrs")) {
			snprintf(path, n, "%s/%s", dir, de->d_name);
			r = 0;
		}
	}
	if (d)
		closedir(d);
	return r;
}

static void check_print(const char *const *photos)
{
	struct layout l;
	struct image page, ph[4];
	char doc[700], err[LAYOUT_ERR_MAX];

	REQUIRE(layout_load("layouts/4x6-two-strips.layout", &l, err, sizeof(err)) == 0);
	REQUIRE(received_doc(doc, sizeof(doc)) == 0);
	REQUIRE(decode(doc, &page) == 0);
	/* A 4x6 in page at 300 dpi. */
	CHECK_INT(page.w, ==, 1200);
	CHECK_INT(page.h, ==, 1800);
	for (int i = 0; i < 4; i++)
		REQUIRE(decode(photos[i], &ph[i]) == 0);
	for (size_t c = 0; c < l.ncells; c++) {
		struct layout_px px = layout_rect_px(&l.cells[c].r, l.dpi);
		double e = cell_error(&page, px, &ph[l.cells[c].photo]);

		CHECK_MSG(e < 20, "cell %zu (photo %d) differs from its photo by %.1f", c,
			  l.cells[c].photo + 1, e);
	}
	for (int i = 0; i < 4; i++)
		free(ph[i].rgb);
	free(page.rgb);
}

static void test_full_session(void)
{
	struct tclient *ui, *owner;
	json_object *o;
	pid_t camera, printer, boothd;
	char photos[4][4096];
	const char *photo_ptrs[4];
	const char *order[] = { "session_started", "photo_taken", "photo_taken",  "photo_taken",
				"photo_taken",	   "strip_ready", "session_ended" };
	long long deadline;

	REQUIRE(env_start_conf(&env, 5, "[boothd]\ncopies = 2\nlayout = 4x6-two-strips\n") == 0);
	REQUIRE(env_printer_start(&env) == 0);
	ui = tclient_new(&env, "ui", NULL, true, NULL);
	owner = tclient_new(&env, "owner", NULL, true, NULL);
	REQUIRE(ui && owner);
	tclient_subscribe(ui, T("session/state"));
	tclient_subscribe(owner, T("events/#"));
	tclient_subscribe(owner, T("state"));
	printer = env_spawn(&env, "booth-printer");
	camera = env_spawn(&env, "booth-camera");
	boothd = env_spawn(&env, "boothd");

	/* Once the camera is ready the booth is idle, and a tap starts a session. */
	deadline = env_ms() + 15000;
	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(owner, T("state"), 200);

		if (m && strstr(m->payload, "\"state\":\"idle\"")) {
			tmsg_free(m);
			break;
		}
		tmsg_free(m);
	}
	CHECK(env_ms() < deadline);
	CHECK_INT(
		tclient_publish(ui, T("session/command"), "{\"action\":\"start\"}", 18, NULL, NULL),
		==, 0);
	/* A double tap makes no second session. */
	CHECK_INT(
		tclient_publish(ui, T("session/command"), "{\"action\":\"start\"}", 18, NULL, NULL),
		==, 0);
	o = tclient_wait_phase(ui, "review", 60000);
	REQUIRE(o != NULL);
	CHECK_INT(json_object_get_int(get(o, "id")), ==, 1);
	CHECK(json_object_get_string(get(o, "strip")) != NULL);
	json_object_put(o);
	CHECK_INT(
		tclient_publish(ui, T("session/command"), "{\"action\":\"print\"}", 18, NULL, NULL),
		==, 0);
	o = tclient_wait_phase(ui, "done", 20000);
	CHECK(o != NULL);
	CHECK_STR(json_object_get_string(get(o, "outcome")), "printed");
	json_object_put(o);

	/* The printer receives exactly one job per copy. */
	deadline = env_ms() + 30000;
	while (env_ms() < deadline && env_printer_received(&env) < COPIES)
		usleep(100000);
	usleep(1000000);
	CHECK_INT(env_printer_received(&env), ==, COPIES);

	/* The events came in order. */
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct tmsg *m;

		do {
			m = tclient_wait(owner, T("events/#"), 5000);
			/* print_job, print_done and problem events interleave; they are checked
			 * by test-printer and test-owner. */
		} while (m && (strstr(m->topic, "print_") || strstr(m->topic, "/problem")) &&
			 (tmsg_free(m), 1));
		CHECK_MSG(m && strstr(m->topic, order[i]), "event %zu: expected %s, got %s", i,
			  order[i], m ? m->topic : "nothing");
		if (m && i == sizeof(order) / sizeof(order[0]) - 1)
			CHECK(strstr(m->payload, "\"outcome\":\"printed\""));
		tmsg_free(m);
	}

	/* The database holds the session, its photos, its strip and the jobs. */
	CHECK_INT(env_db_int(&env,
			     "SELECT count(*) FROM sessions WHERE id = 1 AND outcome = 'printed' "
			     "AND ended IS NOT NULL"),
		  ==, 1);
	CHECK_INT(env_db_int(&env, "SELECT count(*) FROM photos WHERE session_id = 1"), ==, 4);
	CHECK_INT(env_db_int(&env, "SELECT count(*) FROM strips WHERE session_id = 1"), ==, 1);
	CHECK_INT(env_db_int(&env,
			     "SELECT count(*) FROM print_jobs WHERE session_id = 1 AND state IN "
			     "('queued', 'processing', 'completed')"),
		  ==, COPIES);
	{
		sqlite3 *db;
		sqlite3_stmt *st;
		int n = 0;

		REQUIRE(sqlite3_open_v2(env.database, &db, SQLITE_OPEN_READONLY, NULL) ==
			SQLITE_OK);
		REQUIRE(sqlite3_prepare_v2(db, "SELECT path FROM photos ORDER BY shot", -1, &st,
					   NULL) == SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW && n < 4) {
			snprintf(photos[n], sizeof(photos[n]), "%s", sqlite3_column_text(st, 0));
			photo_ptrs[n] = photos[n];
			n++;
		}
		sqlite3_finalize(st);
		sqlite3_close(db);
		REQUIRE(n == 4);
	}
	/* The print shows the captured photos in the layout's cells. */
	check_print(photo_ptrs);

	CHECK(env_alive(boothd) && env_alive(camera) && env_alive(printer));
	tclient_free(ui);
	tclient_free(owner);
	env_kill_daemon(&env, boothd, SIGTERM);
	env_kill_daemon(&env, camera, SIGTERM);
	env_kill_daemon(&env, printer, SIGTERM);
	env_stop(&env);
}

/* A camera that dies keeps its retained "ok" state; its last will still makes the booth refuse
 * new sessions, and it is ready again once the camera is back. */
static void test_camera_killed(void)
{
	struct tclient *owner;
	json_object *o;
	pid_t camera, boothd;

	REQUIRE(env_start(&env, 5) == 0);
	owner = tclient_new(&env, "owner", NULL, false, NULL);
	REQUIRE(owner);
	tclient_subscribe(owner, T("state"));
	tclient_subscribe(owner, T("response/#"));
	camera = env_spawn(&env, "booth-camera");
	boothd = env_spawn(&env, "boothd");
	CHECK(tclient_wait_booth_state(owner, "idle", 15000));
	env_kill_daemon(&env, camera, SIGKILL);
	CHECK(tclient_wait_booth_state(owner, "attention", 10000));
	o = tclient_request(owner, "session_start", "{}", 5000);
	CHECK(o && !json_object_get_boolean(get(o, "ok")));
	CHECK_STR(o ? json_object_get_string(get(o, "error")) : NULL, "the camera is not ready");
	json_object_put(o);
	camera = env_spawn(&env, "booth-camera");
	CHECK(tclient_wait_booth_state(owner, "idle", 15000));
	o = tclient_request(owner, "session_start", "{}", 5000);
	CHECK(o && json_object_get_boolean(get(o, "ok")));
	json_object_put(o);
	CHECK(env_alive(boothd));
	tclient_free(owner);
	env_kill_daemon(&env, boothd, SIGTERM);
	env_kill_daemon(&env, camera, SIGTERM);
	env_stop(&env);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "full_session", test_full_session },
		{ "camera_killed", test_camera_killed },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
