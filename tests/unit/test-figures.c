/* SPDX-License-Identifier: MIT */
/* Unit tests for the booth's figures about itself: what is believed, what stays unknown, and the
 * median and worst over many sessions. */
#include "codec.h"
#include "figures.h"
#include "harness.h"

#include <errno.h>
#include <math.h>

static json_object *parse(const char *s)
{
	json_object *o = json_tokener_parse(s);

	if (!o)
		test_fail(__FILE__, __LINE__, "not JSON: %s", s);
	return o;
}

static int ttf(const char *json, int64_t *us)
{
	json_object *o = parse(json);
	int r = o ? figures_trigger_to_frame(o, us) : -EINVAL;

	json_object_put(o);
	return r;
}

/* Only what the camera said: both readings, believable ones. */
static void test_trigger_to_frame(void)
{
	int64_t us = 42;

	CHECK_INT(ttf("{\"session\":1,\"shot\":1}", &us), ==, 0);
	CHECK_INT(ttf("{\"trigger_us\":1000}", &us), ==, 0);
	CHECK_INT(ttf("{\"trigger_us\":null,\"frame_us\":2000}", &us), ==, 0);
	CHECK_INT(us, ==, 42);
	CHECK_INT(ttf("{\"trigger_us\":1000000,\"frame_us\":1033400}", &us), ==, 1);
	CHECK_INT(us, ==, 33400);
	/* Zero shutter lag may pick a frame from just before the trigger. */
	CHECK_INT(ttf("{\"trigger_us\":1000000,\"frame_us\":990000}", &us), ==, 1);
	CHECK_INT(us, ==, -10000);
	CHECK_INT(ttf("{\"trigger_us\":1000000,\"frame_us\":20000000}", &us), ==, -ERANGE);
	CHECK_INT(ttf("{\"trigger_us\":30000000,\"frame_us\":1000}", &us), ==, -ERANGE);
	CHECK_INT(ttf("{\"trigger_us\":-5,\"frame_us\":10}", &us), ==, -ERANGE);
	CHECK_INT(ttf("{\"trigger_us\":\"5\",\"frame_us\":10}", &us), ==, -ERANGE);
	CHECK_INT(ttf("{\"trigger_us\":5.5,\"frame_us\":10}", &us), ==, -ERANGE);
	CHECK_INT(ttf("{\"trigger_us\":9223372036854775807,\"frame_us\":9223372036854775807}", &us),
		  ==, -ERANGE);
	CHECK_INT(ttf("{\"trigger_us\":1,\"frame_us\":99999999999999999999}", &us), ==, -ERANGE);
}

/* A session of two copies, all measured. */
static void measured(struct db_session_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->session = 7;
	s->ended = 5000;
	snprintf(s->outcome, sizeof(s->outcome), "printed");
	s->shots = 2;
	s->trigger_to_frame_us[0] = 30000;
	s->trigger_to_frame_us[1] = DB_UNKNOWN;
	s->trigger_us = 10000000;
	s->review_shown_us = 10850400;
	s->ui_reported = true;
	s->preview_frames = 60;
	s->preview_dropped = 2;
	s->preview_ms = 2000;
	s->print_pressed = 3000;
	s->copies = 2;
	s->copies_accepted = 2;
	s->copies_finished = 2;
	s->copies_printed = 2;
	s->accepted_at = 3040;
	s->printed_at = 9000;
}

static void test_settle(void)
{
	struct db_session_stats s;

	measured(&s);
	figures_settle(&s);
	CHECK_INT(s.capture_to_strip_ms, ==, 850);
	CHECK_INT(s.print_to_accepted_ms, ==, 40);
	CHECK_INT(s.accepted_to_printed_ms, ==, 5960);
	CHECK(s.printed);
	CHECK(fabs(figures_fps(&s) - 30.0) < 1e-9);

	/* One copy failed: accepted, not printed; how long printing took stays unknown. */
	measured(&s);
	s.copies_printed = 1;
	figures_settle(&s);
	CHECK(!s.printed);
	CHECK_INT(s.print_to_accepted_ms, ==, 40);
	CHECK_INT(s.accepted_to_printed_ms, ==, DB_UNKNOWN);

	/* A copy the printer never had. */
	measured(&s);
	s.copies_accepted = 1;
	s.copies_printed = 1;
	figures_settle(&s);
	CHECK_INT(s.print_to_accepted_ms, ==, DB_UNKNOWN);
	CHECK_INT(s.accepted_to_printed_ms, ==, DB_UNKNOWN);
	CHECK(!s.printed);

	/* Nothing printed at all (kept, deleted, printing off). */
	measured(&s);
	s.copies = s.copies_accepted = s.copies_finished = s.copies_printed = 0;
	s.accepted_at = s.printed_at = DB_UNKNOWN;
	figures_settle(&s);
	CHECK_INT(s.print_to_accepted_ms, ==, DB_UNKNOWN);
	CHECK_INT(s.accepted_to_printed_ms, ==, DB_UNKNOWN);
	CHECK(!s.printed);

	/* The press was not seen (boothd restarted meanwhile); the clock went back. */
	measured(&s);
	s.print_pressed = DB_UNKNOWN;
	figures_settle(&s);
	CHECK_INT(s.print_to_accepted_ms, ==, DB_UNKNOWN);
	CHECK_INT(s.accepted_to_printed_ms, ==, 5960);
	measured(&s);
	s.print_pressed = 4000;
	s.printed_at = 3000;
	figures_settle(&s);
	CHECK_INT(s.print_to_accepted_ms, ==, DB_UNKNOWN);
	CHECK_INT(s.accepted_to_printed_ms, ==, DB_UNKNOWN);

	/* The strip on screen before the trigger, or an hour later, or never reported. */
	measured(&s);
	s.review_shown_us = s.trigger_us - 1;
	figures_settle(&s);
	CHECK_INT(s.capture_to_strip_ms, ==, DB_UNKNOWN);
	measured(&s);
	s.review_shown_us = s.trigger_us + 3600LL * 1000000;
	figures_settle(&s);
	CHECK_INT(s.capture_to_strip_ms, ==, DB_UNKNOWN);
	measured(&s);
	s.ui_reported = false;
	figures_settle(&s);
	CHECK_INT(s.capture_to_strip_ms, ==, DB_UNKNOWN);
	CHECK(figures_fps(&s) < 0);
	measured(&s);
	s.review_shown_us = DB_UNKNOWN;
	figures_settle(&s);
	CHECK_INT(s.capture_to_strip_ms, ==, DB_UNKNOWN);

	/* Too little preview for a rate. */
	measured(&s);
	s.preview_ms = FIGURES_PREVIEW_MIN_MS - 1;
	CHECK(figures_fps(&s) < 0);
}

static void test_session_json(void)
{
	struct db_session_stats s;
	const struct topic_def *t = topic_lookup("b1", "booth/b1/events/session_stats");
	json_object *o;
	char err[256];

	REQUIRE(t);
	measured(&s);
	figures_settle(&s);
	o = figures_session_json(&s);
	CHECK_INT(codec_check(t->fields, o, 0, err, sizeof(err)), ==, 0);
	CHECK_STR(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		  "{\"session\":7,\"outcome\":\"printed\",\"trigger_to_frame_ms\":[30.0,null],"
		  "\"capture_to_strip_ms\":850,\"print_to_accepted_ms\":40,"
		  "\"accepted_to_printed_ms\":5960,\"printed\":true,\"preview_fps\":30.0,"
		  "\"preview_frames\":60,\"preview_dropped\":2,\"preview_ms\":2000}");
	json_object_put(o);
	/* Without booth-ui's report the preview is unknown, not zero. */
	s.ui_reported = false;
	s.preview_frames = s.preview_dropped = s.preview_ms = DB_UNKNOWN;
	o = figures_session_json(&s);
	CHECK_INT(codec_check(t->fields, o, 0, err, sizeof(err)), ==, 0);
	CHECK(json_object_object_get_ex(o, "preview_fps", NULL));
	CHECK(json_object_object_get(o, "preview_fps") == NULL);
	CHECK(json_object_object_get(o, "preview_dropped") == NULL);
	json_object_put(o);
}

static void test_median_worst(void)
{
	double v1[] = { 5, 1, 3 }, v2[] = { 4, 1, 3, 2 }, v3[] = { 20, -30, 10 }, v4[] = { 30, 12 };
	double median = 0, worst = 0;

	CHECK(!figures_median_worst(FIGURE_CAPTURE_TO_STRIP, NULL, 0, &median, &worst));
	CHECK(figures_median_worst(FIGURE_CAPTURE_TO_STRIP, v1, 3, &median, &worst));
	CHECK(median == 3 && worst == 5);
	CHECK(figures_median_worst(FIGURE_PREVIEW_DROPPED, v2, 4, &median, &worst));
	CHECK(median == 2.5 && worst == 4);
	/* Trigger-to-frame: furthest from 0, either side. */
	CHECK(figures_median_worst(FIGURE_TRIGGER_TO_FRAME, v3, 3, &median, &worst));
	CHECK(median == 10 && worst == -30);
	/* The frame rate's worst is its lowest. */
	CHECK(figures_median_worst(FIGURE_PREVIEW_FPS, v4, 2, &median, &worst));
	CHECK(median == 21 && worst == 12);
}

static void test_summary(void)
{
	const struct topic_def *t = topic_lookup("b1", "booth/b1/stats");
	struct figures_summary sum;
	struct db_session_stats s;
	json_object *o, *stats, *fig;
	char err[256];

	REQUIRE(t);
	memset(&sum, 0, sizeof(sum));
	o = figures_summary_json(&sum);
	CHECK_STR(json_object_to_json_string_ext(json_object_object_get(o, "capture_to_strip_ms"),
						 JSON_C_TO_STRING_PLAIN),
		  "{\"median\":null,\"worst\":null,\"count\":0}");
	json_object_put(o);
	for (int i = 0; i < 3; i++) {
		measured(&s);
		s.review_shown_us += (int64_t)i * 100000;
		s.preview_dropped = i;
		if (i == 2) {
			s.copies = s.copies_accepted = s.copies_finished = s.copies_printed = 0;
			s.ui_reported = false;
		}
		figures_settle(&s);
		CHECK_INT(figures_summary_add(&sum, &s), ==, 0);
	}
	o = figures_summary_json(&sum);
	CHECK_INT(json_object_get_int(json_object_object_get(o, "sessions")), ==, 3);
	fig = json_object_object_get(o, "capture_to_strip_ms");
	CHECK_INT(json_object_get_int(json_object_object_get(fig, "count")), ==, 2);
	CHECK_INT(json_object_get_int(json_object_object_get(fig, "median")), ==, 900);
	CHECK_INT(json_object_get_int(json_object_object_get(fig, "worst")), ==, 950);
	fig = json_object_object_get(o, "trigger_to_frame_ms");
	CHECK_INT(json_object_get_int(json_object_object_get(fig, "count")), ==, 3);
	fig = json_object_object_get(o, "print_to_accepted_ms");
	CHECK_INT(json_object_get_int(json_object_object_get(fig, "count")), ==, 2);
	fig = json_object_object_get(o, "preview_dropped");
	CHECK_INT(json_object_get_int(json_object_object_get(fig, "count")), ==, 2);
	CHECK_INT(json_object_get_int(json_object_object_get(fig, "worst")), ==, 1);
	/* It fits the retained document's contract. */
	stats = json_object_new_object();
	json_object_object_add(stats, "today", o);
	json_object_object_add(stats, "event", NULL);
	json_object_object_add(stats, "event_id", NULL);
	json_object_object_add(stats, "updated", json_object_new_int64(1));
	CHECK_INT(codec_check(t->fields, stats, 0, err, sizeof(err)), ==, 0);
	json_object_put(stats);
	figures_summary_clear(&sum);
	CHECK_INT(sum.sessions, ==, 0);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "trigger_to_frame", test_trigger_to_frame },
		{ "settle", test_settle },
		{ "session_json", test_session_json },
		{ "median_worst", test_median_worst },
		{ "summary", test_summary },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
