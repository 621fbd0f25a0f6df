/* SPDX-License-Identifier: MIT */
/* Unit tests for the guest session state machine: every transition and every error path. */
#include "harness.h"
#include "session.h"

#include <errno.h>

static const struct session_params params = {
	.shots = 4,
	.countdown_ms = 3000,
	.between_ms = 1000,
	.capture_ms = 5000,
	.compose_ms = 10000,
	.review_ms = 20000,
	.print_ms = 15000,
	.done_ms = 3000,
	.error_ms = 5000,
	.printing = true,
	.review_prints = true,
	.max_retakes = 1,
};

static struct session_actions act;

static int feed(struct session *s, enum session_event_type type, int shot, uint64_t now)
{
	struct session_event ev = { .type = type, .shot = shot, .error = NULL };

	return session_handle(s, &ev, now, &act);
}

/* Start a session and take every shot; leaves it in COMPOSE at time *now. */
static void shoot_all(struct session *s, uint64_t *now)
{
	CHECK_INT(feed(s, SESSION_EV_START, 0, *now), ==, 1);
	for (int shot = 1; shot <= s->params.shots; shot++) {
		CHECK_INT(s->state, ==, SESSION_COUNTDOWN);
		CHECK_INT(s->shot, ==, shot);
		*now = s->deadline;
		CHECK_INT(feed(s, SESSION_EV_TIMEOUT, 0, *now), ==, 1);
		CHECK_INT(s->state, ==, SESSION_CAPTURE);
		CHECK(act.flags & SESSION_ACT_CAPTURE);
		CHECK_INT(act.shot, ==, shot);
		*now += 100;
		CHECK_INT(feed(s, SESSION_EV_PHOTO_STORED, shot, *now), ==, 1);
	}
	CHECK_INT(s->state, ==, SESSION_COMPOSE);
	CHECK_INT(act.flags, ==, SESSION_ACT_COMPOSE);
	CHECK_INT(s->stored, ==, s->params.shots);
}

static void test_init_checks(void)
{
	struct session s;
	struct session_params p = params;

	CHECK_INT(session_init(&s, &p), ==, 0);
	CHECK_INT(s.state, ==, SESSION_IDLE);
	p.shots = 0;
	CHECK_INT(session_init(&s, &p), ==, -EINVAL);
	p.shots = 7;
	CHECK_INT(session_init(&s, &p), ==, -EINVAL);
	p = params;
	p.capture_ms = 0;
	CHECK_INT(session_init(&s, &p), ==, -EINVAL);
}

static void test_happy_path_print(void)
{
	struct session s;
	uint64_t now = 1000;

	REQUIRE(session_init(&s, &params) == 0);
	shoot_all(&s, &now);
	/* The first countdown is the long one. */
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now), ==, 1);
	CHECK_INT(s.state, ==, SESSION_REVIEW);
	CHECK_INT(s.deadline, ==, now + params.review_ms);
	CHECK_INT(feed(&s, SESSION_EV_PRINT, 0, now + 10), ==, 1);
	CHECK_INT(s.state, ==, SESSION_PRINT);
	CHECK_INT(act.flags, ==, SESSION_ACT_PRINT);
	CHECK_INT(feed(&s, SESSION_EV_PRINT_ACCEPTED, 0, now + 20), ==, 1);
	CHECK_INT(s.state, ==, SESSION_DONE);
	CHECK(act.flags & SESSION_ACT_END);
	CHECK_INT(act.outcome, ==, SESSION_OUTCOME_PRINTED);
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, now + 20 + params.done_ms), ==, 1);
	CHECK_INT(s.state, ==, SESSION_IDLE);
	CHECK_INT(s.deadline, ==, 0);
}

static void test_countdown_lengths(void)
{
	struct session s;

	REQUIRE(session_init(&s, &params) == 0);
	CHECK_INT(feed(&s, SESSION_EV_START, 0, 100), ==, 1);
	CHECK_INT(s.deadline, ==, 100 + params.countdown_ms);
	/* An early timer does nothing. */
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, 100 + params.countdown_ms - 1), ==, 0);
	CHECK_INT(s.state, ==, SESSION_COUNTDOWN);
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, 100 + params.countdown_ms), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, 1, 5000), ==, 1);
	CHECK_INT(s.deadline, ==, 5000 + params.between_ms);
}

static void test_stale_and_duplicate_photos(void)
{
	struct session s;

	REQUIRE(session_init(&s, &params) == 0);
	CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, 1, 10), ==, 0); /* idle */
	CHECK_INT(feed(&s, SESSION_EV_START, 0, 10), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, 1, 20), ==, 0); /* still counting down */
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, 10 + params.countdown_ms), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, 2, 4000), ==, 0); /* wrong shot */
	CHECK_INT(s.state, ==, SESSION_CAPTURE);
	CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, 1, 4000), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, 1, 4001), ==, 0); /* duplicate */
	CHECK_INT(s.shot, ==, 2);
	CHECK_INT(s.stored, ==, 1);
}

static void test_capture_failures(void)
{
	struct session s;
	struct session_event ev = { SESSION_EV_CAPTURE_FAILED, 1, "disk full" };

	REQUIRE(session_init(&s, &params) == 0);
	CHECK_INT(feed(&s, SESSION_EV_START, 0, 0), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, params.countdown_ms), ==, 1);
	CHECK_INT(session_handle(&s, &ev, 3500, &act), ==, 1);
	CHECK_INT(s.state, ==, SESSION_ERROR);
	CHECK_STR(s.error, "disk full");
	CHECK_INT(act.outcome, ==, SESSION_OUTCOME_FAILED);
	CHECK(act.flags & SESSION_ACT_END);
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, 3500 + params.error_ms), ==, 1);
	CHECK_INT(s.state, ==, SESSION_IDLE);

	/* The camera never answers. */
	CHECK_INT(feed(&s, SESSION_EV_START, 0, 10000), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, 10000 + params.countdown_ms), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, 10000 + params.countdown_ms + params.capture_ms),
		  ==, 1);
	CHECK_INT(s.state, ==, SESSION_ERROR);
	CHECK_STR(s.error, "the camera did not deliver the photo in time");
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, 50000), ==, 1);

	/* The camera vanishes during the countdown. */
	CHECK_INT(feed(&s, SESSION_EV_START, 0, 60000), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_CAMERA_LOST, 0, 60001), ==, 1);
	CHECK_INT(s.state, ==, SESSION_ERROR);
	CHECK_STR(s.error, "the camera was disconnected");
	/* ...and losing it again while showing the error changes nothing. */
	CHECK_INT(feed(&s, SESSION_EV_CAMERA_LOST, 0, 60002), ==, 0);
}

static void test_compose_failures(void)
{
	struct session s;
	struct session_event ev = { SESSION_EV_COMPOSE_FAILED, 0, "corrupt photo" };
	uint64_t now = 0;

	REQUIRE(session_init(&s, &params) == 0);
	shoot_all(&s, &now);
	CHECK_INT(session_handle(&s, &ev, now, &act), ==, 1);
	CHECK_INT(s.state, ==, SESSION_ERROR);
	CHECK_STR(s.error, "corrupt photo");
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, now + params.error_ms), ==, 1);
	now += params.error_ms;
	shoot_all(&s, &now);
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, now + params.compose_ms), ==, 1);
	CHECK_INT(s.state, ==, SESSION_ERROR);
	CHECK_STR(s.error, "the strip could not be made in time");
	/* A composer answer after the timeout is ignored. */
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now + params.compose_ms + 1), ==, 0);
}

static void test_review_timeout_default(void)
{
	struct session s;
	struct session_params p = params;
	uint64_t now = 0;

	REQUIRE(session_init(&s, &p) == 0);
	shoot_all(&s, &now);
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, now + p.review_ms), ==, 1);
	CHECK_INT(s.state, ==, SESSION_PRINT);
	CHECK_INT(act.flags, ==, SESSION_ACT_PRINT);
	/* The printer process never confirms: the job stays recorded, the guest moves on. */
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, now + p.review_ms + p.print_ms), ==, 1);
	CHECK_INT(s.state, ==, SESSION_DONE);
	CHECK_INT(act.outcome, ==, SESSION_OUTCOME_PRINTED);

	/* With review_prints off, a timeout keeps without printing. */
	p.review_prints = false;
	REQUIRE(session_init(&s, &p) == 0);
	now = 0;
	shoot_all(&s, &now);
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, now + p.review_ms), ==, 1);
	CHECK_INT(s.state, ==, SESSION_DONE);
	CHECK_INT(act.outcome, ==, SESSION_OUTCOME_KEPT);
	CHECK(!(act.flags & SESSION_ACT_PRINT));
}

static void test_printing_off(void)
{
	struct session s;
	struct session_params p = params;
	uint64_t now = 0;

	p.printing = false;
	REQUIRE(session_init(&s, &p) == 0);
	shoot_all(&s, &now);
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_PRINT, 0, now), ==, 1);
	CHECK_INT(s.state, ==, SESSION_DONE);
	CHECK_INT(act.outcome, ==, SESSION_OUTCOME_KEPT);
	CHECK(!(act.flags & SESSION_ACT_PRINT));
}

static void test_print_failed(void)
{
	struct session s;
	struct session_event ev = { SESSION_EV_PRINT_FAILED, 0, "printer queue full" };
	uint64_t now = 0;

	REQUIRE(session_init(&s, &params) == 0);
	shoot_all(&s, &now);
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_PRINT, 0, now), ==, 1);
	CHECK_INT(session_handle(&s, &ev, now, &act), ==, 1);
	CHECK_INT(s.state, ==, SESSION_DONE);
	CHECK_INT(act.outcome, ==, SESSION_OUTCOME_KEPT);
	CHECK_STR(s.error, "printer queue full");
	/* A late acceptance does not end the session twice. */
	CHECK_INT(feed(&s, SESSION_EV_PRINT_ACCEPTED, 0, now), ==, 0);
}

static void test_retake_and_discard(void)
{
	struct session s;
	uint64_t now = 0;

	REQUIRE(session_init(&s, &params) == 0);
	shoot_all(&s, &now);
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_RETAKE, 0, now), ==, 1);
	CHECK_INT(act.flags, ==, SESSION_ACT_DISCARD_PHOTOS);
	CHECK_INT(s.state, ==, SESSION_COUNTDOWN);
	CHECK_INT(s.shot, ==, 1);
	CHECK_INT(s.stored, ==, 0);
	/* Shoot again (shoot_all starts a session, so walk it by hand). */
	for (int shot = 1; shot <= params.shots; shot++) {
		now = s.deadline;
		CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, now), ==, 1);
		CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, shot, now), ==, 1);
	}
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now), ==, 1);
	/* Only one retake allowed. */
	CHECK_INT(feed(&s, SESSION_EV_RETAKE, 0, now), ==, -EINVAL);
	CHECK_STR(session_refusal(&s, SESSION_EV_RETAKE), "no retakes left for this session");
	CHECK_INT(feed(&s, SESSION_EV_DISCARD, 0, now), ==, 1);
	CHECK_INT(s.state, ==, SESSION_DONE);
	CHECK(act.flags & SESSION_ACT_DELETE);
	CHECK(act.flags & SESSION_ACT_END);
	CHECK_INT(act.outcome, ==, SESSION_OUTCOME_DELETED);
}

static void test_refusals(void)
{
	struct session s;

	REQUIRE(session_init(&s, &params) == 0);
	CHECK_INT(feed(&s, SESSION_EV_PRINT, 0, 0), ==, -EINVAL);
	CHECK_STR(session_refusal(&s, SESSION_EV_PRINT), "there is nothing to review now");
	CHECK_INT(feed(&s, SESSION_EV_DISCARD, 0, 0), ==, -EINVAL);
	CHECK_INT(feed(&s, SESSION_EV_CANCEL, 0, 0), ==, -EINVAL);
	CHECK_STR(session_refusal(&s, SESSION_EV_CANCEL), "no session is running");
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, 999999), ==, 0); /* idle: no deadline */
	CHECK_INT(feed(&s, SESSION_EV_START, 0, 0), ==, 1);
	/* A double tap starts one session. */
	CHECK_INT(feed(&s, SESSION_EV_START, 0, 1), ==, -EINVAL);
	CHECK_STR(session_refusal(&s, SESSION_EV_START), "a session is already running");
	CHECK_INT(feed(&s, SESSION_EV_PRINT_ACCEPTED, 0, 1), ==, 0);
}

static void test_cancel(void)
{
	struct session s;
	uint64_t now = 0;

	REQUIRE(session_init(&s, &params) == 0);
	CHECK_INT(feed(&s, SESSION_EV_START, 0, 0), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_CANCEL, 0, 1), ==, 1);
	CHECK_INT(s.state, ==, SESSION_IDLE);
	CHECK_INT(act.outcome, ==, SESSION_OUTCOME_CANCELLED);
	CHECK(act.flags & SESSION_ACT_END);
	shoot_all(&s, &now);
	CHECK_INT(feed(&s, SESSION_EV_CANCEL, 0, now), ==, 1);
	CHECK_INT(s.state, ==, SESSION_IDLE);
}

static void test_one_shot(void)
{
	struct session s;
	struct session_params p = params;
	uint64_t now = 0;

	p.shots = 1;
	REQUIRE(session_init(&s, &p) == 0);
	shoot_all(&s, &now);
	CHECK_INT(s.stored, ==, 1);
}

static void test_recover_and_names(void)
{
	enum session_state st;

	CHECK_INT(session_recover(SESSION_IDLE, false), ==, SESSION_OUTCOME_NONE);
	CHECK_INT(session_recover(SESSION_COUNTDOWN, false), ==, SESSION_OUTCOME_ABANDONED);
	CHECK_INT(session_recover(SESSION_CAPTURE, false), ==, SESSION_OUTCOME_ABANDONED);
	CHECK_INT(session_recover(SESSION_COMPOSE, false), ==, SESSION_OUTCOME_ABANDONED);
	CHECK_INT(session_recover(SESSION_REVIEW, false), ==, SESSION_OUTCOME_ABANDONED);
	CHECK_INT(session_recover(SESSION_PRINT, true), ==, SESSION_OUTCOME_PRINTED);
	CHECK_INT(session_recover(SESSION_PRINT, false), ==, SESSION_OUTCOME_ABANDONED);
	CHECK_INT(session_recover(SESSION_DONE, false), ==, SESSION_OUTCOME_NONE);
	for (int i = 0; i < SESSION_STATE_COUNT; i++) {
		CHECK_INT(session_state_from_name(session_state_name((enum session_state)i), &st),
			  ==, 0);
		CHECK_INT(st, ==, i);
	}
	CHECK_INT(session_state_from_name("dancing", &st), ==, -EINVAL);
	CHECK_STR(session_outcome_name(SESSION_OUTCOME_DELETED), "deleted");
	CHECK(!session_active(SESSION_IDLE));
	CHECK(session_active(SESSION_REVIEW));
}

/* Take every shot at its frame (the JPEGs come later); leaves the session in COMPOSE at *NOW
 * with no JPEG stored. */
static void shoot_frames(struct session *s, uint64_t *now)
{
	unsigned flags = 0;

	CHECK_INT(feed(s, SESSION_EV_START, 0, *now), ==, 1);
	for (int shot = 1; shot <= s->params.shots; shot++) {
		*now = s->deadline;
		CHECK_INT(feed(s, SESSION_EV_TIMEOUT, 0, *now), ==, 1);
		CHECK_INT(s->state, ==, SESSION_CAPTURE);
		*now += 10;
		/* A frame of another shot moves nothing. */
		CHECK_INT(feed(s, SESSION_EV_FRAME_READY, shot + 1, *now), ==, 0);
		CHECK_INT(feed(s, SESSION_EV_FRAME_READY, shot, *now), ==, 1);
		flags = act.flags;
		CHECK_INT(feed(s, SESSION_EV_FRAME_READY, shot, *now), ==, 0); /* again */
	}
	CHECK_INT(s->state, ==, SESSION_COMPOSE);
	CHECK_INT(flags, ==, SESSION_ACT_COMPOSE);
	CHECK_INT(s->stored, ==, 0);
}

/* Pipelining: the next countdown and composing start at each shot's frame; review waits for
 * the strip and every JPEG, in either order. */
static void test_frames_then_stored(void)
{
	struct session s;
	uint64_t now = 0;

	REQUIRE(session_init(&s, &params) == 0);
	shoot_frames(&s, &now);
	/* JPEGs of the first three, then the strip: still composing (the last JPEG is not safe). */
	for (int shot = 1; shot <= 3; shot++)
		CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, shot, now), ==, 0);
	CHECK_INT(s.stored, ==, 3);
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now), ==, 0);
	CHECK_INT(s.state, ==, SESSION_COMPOSE);
	CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, 3, now), ==, 0); /* duplicate */
	CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, 4, now + 5), ==, 1);
	CHECK_INT(s.state, ==, SESSION_REVIEW);
	CHECK_INT(s.deadline, ==, now + 5 + params.review_ms);
	CHECK_INT(s.stored, ==, 4);
	CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, 4, now + 6), ==, 0);

	/* The other order: every JPEG stored while composing, then the strip. */
	REQUIRE(session_init(&s, &params) == 0);
	now = 0;
	shoot_frames(&s, &now);
	for (int shot = 4; shot >= 1; shot--)
		CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, shot, now), ==, 0);
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now), ==, 1);
	CHECK_INT(s.state, ==, SESSION_REVIEW);

	/* Mixed: a JPEG stored before the next countdown ended, others after. */
	REQUIRE(session_init(&s, &params) == 0);
	now = 0;
	CHECK_INT(feed(&s, SESSION_EV_START, 0, now), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, s.deadline), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_FRAME_READY, 1, s.deadline), ==, 1);
	CHECK_INT(s.state, ==, SESSION_COUNTDOWN);
	CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, 1, s.deadline), ==, 0);
	CHECK_INT(s.state, ==, SESSION_COUNTDOWN);
	CHECK_INT(s.shot, ==, 2);
	CHECK_INT(s.stored, ==, 1);
}

/* Storing fails after the session moved on at the frame: the session fails, whatever it was
 * doing, and never shows a strip whose photos are not all kept. */
static void test_store_fails_after_frame(void)
{
	struct session s;
	struct session_event ev = { SESSION_EV_CAPTURE_FAILED, 1, "the photo store is full" };
	uint64_t now = 0;

	REQUIRE(session_init(&s, &params) == 0);
	CHECK_INT(feed(&s, SESSION_EV_START, 0, now), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, s.deadline), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_FRAME_READY, 1, s.deadline), ==, 1);
	CHECK_INT(s.state, ==, SESSION_COUNTDOWN);
	CHECK_INT(session_handle(&s, &ev, 5000, &act), ==, 1);
	CHECK_INT(s.state, ==, SESSION_ERROR);
	CHECK_STR(s.error, "the photo store is full");
	CHECK(act.flags & SESSION_ACT_END);
	CHECK_INT(act.outcome, ==, SESSION_OUTCOME_FAILED);

	/* While composing, after the strip is made. */
	REQUIRE(session_init(&s, &params) == 0);
	shoot_frames(&s, &now);
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now), ==, 0);
	ev.shot = 4;
	CHECK_INT(session_handle(&s, &ev, now, &act), ==, 1);
	CHECK_INT(s.state, ==, SESSION_ERROR);

	/* A failure of a shot already stored, or after review, changes nothing. */
	REQUIRE(session_init(&s, &params) == 0);
	shoot_frames(&s, &now);
	for (int shot = 1; shot <= 4; shot++)
		feed(&s, SESSION_EV_PHOTO_STORED, shot, now);
	ev.shot = 2;
	CHECK_INT(session_handle(&s, &ev, now, &act), ==, 0);
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now), ==, 1);
	CHECK_INT(session_handle(&s, &ev, now, &act), ==, 0);
	CHECK_INT(s.state, ==, SESSION_REVIEW);

	/* The JPEG never comes: the composing deadline says so. */
	REQUIRE(session_init(&s, &params) == 0);
	shoot_frames(&s, &now);
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now), ==, 0);
	CHECK_INT(feed(&s, SESSION_EV_TIMEOUT, 0, s.deadline), ==, 1);
	CHECK_STR(s.error, "the photos could not be stored in time");

	/* The camera goes away with JPEGs still to store. */
	REQUIRE(session_init(&s, &params) == 0);
	shoot_frames(&s, &now);
	CHECK_INT(feed(&s, SESSION_EV_CAMERA_LOST, 0, now), ==, 1);
	CHECK_INT(s.state, ==, SESSION_ERROR);

	/* A retake forgets the frames of the first try. */
	REQUIRE(session_init(&s, &params) == 0);
	shoot_frames(&s, &now);
	for (int shot = 1; shot <= 4; shot++)
		feed(&s, SESSION_EV_PHOTO_STORED, shot, now);
	CHECK_INT(feed(&s, SESSION_EV_COMPOSED, 0, now), ==, 1);
	CHECK_INT(feed(&s, SESSION_EV_RETAKE, 0, now), ==, 1);
	CHECK_INT(s.framed | s.stored_shots, ==, 0);
	CHECK_INT(feed(&s, SESSION_EV_PHOTO_STORED, 1, now), ==, 0);
	CHECK_INT(feed(&s, SESSION_EV_CAMERA_LOST, 0, now), ==, 1); /* counting down: fails */
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "init_checks", test_init_checks },
		{ "happy_path_print", test_happy_path_print },
		{ "countdown_lengths", test_countdown_lengths },
		{ "stale_and_duplicate_photos", test_stale_and_duplicate_photos },
		{ "capture_failures", test_capture_failures },
		{ "compose_failures", test_compose_failures },
		{ "review_timeout_default", test_review_timeout_default },
		{ "printing_off", test_printing_off },
		{ "print_failed", test_print_failed },
		{ "retake_and_discard", test_retake_and_discard },
		{ "refusals", test_refusals },
		{ "cancel", test_cancel },
		{ "one_shot", test_one_shot },
		{ "recover_and_names", test_recover_and_names },
		{ "frames_then_stored", test_frames_then_stored },
		{ "store_fails_after_frame", test_store_fails_after_frame },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
