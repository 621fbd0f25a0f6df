/* SPDX-License-Identifier: MIT */
/* Unit tests for what booth-ui reports of a session: the live preview's frames, drops and time
 * on screen, and when the review with the strip was presented. */
#include "harness.h"
#include "presented.h"

static int64_t num(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		test_fail(__FILE__, __LINE__, "no %s", key);
	return v ? json_object_get_int64(v) : -1;
}

static void test_session(void)
{
	struct presented p = { 0 };
	struct preview_client_stats st = { 0 };
	uint64_t t = 1000000;
	json_object *o;

	CHECK(presented_phase(&p, 0, "idle", t, &st) == NULL);
	/* Pictures of no session count for nothing. */
	presented_picture(&p, true, true, false, t, &st);
	CHECK(presented_phase(&p, 5, "countdown", t, &st) == NULL);
	/* One second of preview at 10 frames a second (the first one was waiting when the
	 * countdown came on screen: it does not count); two frames come late and are replaced
	 * before being shown, one is never sent. */
	for (int i = 0; i < 10; i++) {
		st.frames++;
		presented_picture(&p, true, true, false, t + (uint64_t)i * 100000, &st);
	}
	st.unseen += 2;
	st.missed += 1;
	/* The same frame again (the digit changed) is not a new one. */
	presented_picture(&p, true, false, false, t + 950000, &st);
	CHECK(presented_phase(&p, 5, "capture", t + 1000000, &st) == NULL);
	presented_picture(&p, false, false, false, t + 1000000, &st);
	/* Drops while the preview is off screen do not count. */
	st.unseen += 7;
	CHECK(presented_phase(&p, 5, "countdown", t + 2000000, &st) == NULL);
	presented_picture(&p, true, true, false, t + 2000000, &st);
	presented_picture(&p, true, true, false, t + 2100000, &st);
	CHECK(presented_phase(&p, 5, "compose", t + 2500000, &st) == NULL);
	presented_picture(&p, false, false, false, t + 2500000, &st);
	CHECK(presented_phase(&p, 5, "review", t + 3000000, &st) == NULL);
	/* The review without its strip (it could not be read) is not the strip on screen. */
	presented_picture(&p, false, false, false, t + 3000000, &st);
	presented_picture(&p, false, false, true, t + 3100000, &st);
	/* Published again (a notice changed): the review's time stays. */
	CHECK(presented_phase(&p, 5, "review", t + 3200000, &st) == NULL);
	presented_picture(&p, false, false, true, t + 3300000, &st);
	CHECK(presented_phase(&p, 5, "print", t + 4000000, &st) == NULL);
	o = presented_phase(&p, 5, "done", t + 5000000, &st);
	REQUIRE(o);
	CHECK_INT(num(o, "session"), ==, 5);
	CHECK_INT(num(o, "review_shown_us"), ==, t + 3100000);
	CHECK_INT(num(o, "preview_frames"), ==, 10);
	CHECK_INT(num(o, "preview_dropped"), ==, 3);
	CHECK_INT(num(o, "preview_ms"), ==, 1500);
	json_object_put(o);
	/* Reported once: done again, then idle, say nothing more. */
	CHECK(presented_phase(&p, 5, "done", t + 5100000, &st) == NULL);
	CHECK(presented_phase(&p, 0, "idle", t + 6000000, &st) == NULL);
}

/* A retake brings a new strip: the last review counts. */
static void test_retake(void)
{
	struct presented p = { 0 };
	struct preview_client_stats st = { 0 };
	json_object *o;

	CHECK(presented_phase(&p, 2, "review", 100, &st) == NULL);
	presented_picture(&p, false, false, true, 200, &st);
	CHECK(presented_phase(&p, 2, "countdown", 300, &st) == NULL);
	CHECK(presented_phase(&p, 2, "review", 400, &st) == NULL);
	presented_picture(&p, false, false, true, 500, &st);
	presented_picture(&p, false, false, true, 600, &st);
	o = presented_phase(&p, 2, "error", 700, &st);
	REQUIRE(o);
	CHECK_INT(num(o, "review_shown_us"), ==, 500);
	json_object_put(o);
}

/* Cancelled while the preview shows: it counts until the session state says so. Never reviewed:
 * no review time. */
static void test_cancelled(void)
{
	struct presented p = { 0 };
	struct preview_client_stats st = { 0 };
	json_object *o, *v = (json_object *)1;

	CHECK(presented_phase(&p, 9, "countdown", 1000, &st) == NULL);
	presented_picture(&p, true, true, false, 1000, &st);
	st.missed = 4;
	o = presented_phase(&p, 0, "idle", 801000, &st);
	REQUIRE(o);
	CHECK_INT(num(o, "session"), ==, 9);
	CHECK_INT(num(o, "preview_ms"), ==, 800);
	/* A frozen camera: its one picture is no frame rate. */
	CHECK_INT(num(o, "preview_frames"), ==, 0);
	CHECK_INT(num(o, "preview_dropped"), ==, 4);
	CHECK(json_object_object_get_ex(o, "review_shown_us", &v) && v == NULL);
	json_object_put(o);
	/* A new session straight after another: the old one's report, then the new one. */
	CHECK(presented_phase(&p, 10, "countdown", 2000, &st) == NULL);
	o = presented_phase(&p, 11, "countdown", 3000, &st);
	REQUIRE(o);
	CHECK_INT(num(o, "session"), ==, 10);
	json_object_put(o);
	CHECK_INT(p.session, ==, 11);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "session", test_session },
		{ "retake", test_retake },
		{ "cancelled", test_cancelled },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
