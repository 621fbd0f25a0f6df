/* SPDX-License-Identifier: MIT */
/* The guest session state machine. Every waiting state has a deadline; nothing here does I/O. */
#include "session.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const state_names[SESSION_STATE_COUNT] = {
	[SESSION_IDLE] = "idle",       [SESSION_COUNTDOWN] = "countdown",
	[SESSION_CAPTURE] = "capture", [SESSION_COMPOSE] = "compose",
	[SESSION_REVIEW] = "review",   [SESSION_PRINT] = "print",
	[SESSION_DONE] = "done",       [SESSION_ERROR] = "error",
};

static const char *const outcome_names[] = {
	[SESSION_OUTCOME_NONE] = "none",	   [SESSION_OUTCOME_PRINTED] = "printed",
	[SESSION_OUTCOME_KEPT] = "kept",	   [SESSION_OUTCOME_DELETED] = "deleted",
	[SESSION_OUTCOME_FAILED] = "failed",	   [SESSION_OUTCOME_CANCELLED] = "cancelled",
	[SESSION_OUTCOME_ABANDONED] = "abandoned",
};

const char *session_state_name(enum session_state state)
{
	return (unsigned)state < SESSION_STATE_COUNT ? state_names[state] : "unknown";
}

int session_state_from_name(const char *name, enum session_state *ret)
{
	for (unsigned i = 0; i < SESSION_STATE_COUNT; i++) {
		if (strcmp(state_names[i], name) == 0) {
			*ret = (enum session_state)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *session_outcome_name(enum session_outcome outcome)
{
	return (unsigned)outcome < ARRAY_SIZE(outcome_names) ? outcome_names[outcome] : "unknown";
}

bool session_active(enum session_state state)
{
	return state != SESSION_IDLE;
}

int session_init(struct session *s, const struct session_params *p)
{
	if (p->shots < 1 || p->shots > 6 || p->capture_ms == 0 || p->compose_ms == 0 ||
	    p->review_ms == 0 || p->print_ms == 0 || p->done_ms == 0 || p->error_ms == 0 ||
	    p->max_retakes < 0 || p->max_retakes > 10)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->state = SESSION_IDLE;
	s->params = *p;
	return 0;
}

static void enter(struct session *s, enum session_state state, uint64_t now, uint32_t wait_ms)
{
	s->state = state;
	s->deadline = wait_ms ? now + wait_ms : 0;
}

static int fail(struct session *s, uint64_t now, const char *why, struct session_actions *out)
{
	snprintf(s->error, sizeof(s->error), "%s", why ? why : "something went wrong");
	s->outcome = SESSION_OUTCOME_FAILED;
	out->flags |= SESSION_ACT_END;
	out->outcome = s->outcome;
	enter(s, SESSION_ERROR, now, s->params.error_ms);
	return 1;
}

static int finish(struct session *s, uint64_t now, enum session_outcome outcome,
		  struct session_actions *out)
{
	s->outcome = outcome;
	out->flags |= SESSION_ACT_END;
	out->outcome = outcome;
	enter(s, SESSION_DONE, now, s->params.done_ms);
	return 1;
}

static int countdown(struct session *s, uint64_t now, int shot)
{
	s->shot = shot;
	/* A zero countdown still goes through COUNTDOWN, with an immediate deadline. */
	s->state = SESSION_COUNTDOWN;
	s->deadline = now + (shot == 1 ? s->params.countdown_ms : s->params.between_ms);
	return 1;
}

static unsigned shot_bit(int shot)
{
	return 1u << (shot - 1);
}

static bool all_stored(const struct session *s)
{
	return s->stored_shots == (1u << s->params.shots) - 1;
}

/* Shots taken and not yet stored can still fail the session: until review. */
static bool storing(const struct session *s)
{
	return (s->state == SESSION_COUNTDOWN || s->state == SESSION_CAPTURE ||
		s->state == SESSION_COMPOSE) &&
	       (s->framed & ~s->stored_shots) != 0;
}

/* The awaited shot is taken (stored, or its frame ready): the next countdown, or composing. */
static int next_shot(struct session *s, uint64_t now, struct session_actions *out)
{
	if (s->shot < s->params.shots)
		return countdown(s, now, s->shot + 1);
	out->flags |= SESSION_ACT_COMPOSE;
	s->composed = false;
	enter(s, SESSION_COMPOSE, now, s->params.compose_ms);
	return 1;
}

static void forget_shots(struct session *s)
{
	s->stored = 0;
	s->framed = s->stored_shots = 0;
	s->composed = false;
}

static int print_or_keep(struct session *s, uint64_t now, bool print, struct session_actions *out)
{
	if (print && s->params.printing) {
		out->flags |= SESSION_ACT_PRINT;
		enter(s, SESSION_PRINT, now, s->params.print_ms);
		return 1;
	}
	return finish(s, now, SESSION_OUTCOME_KEPT, out);
}

const char *session_refusal(const struct session *s, enum session_event_type ev)
{
	switch (ev) {
	case SESSION_EV_START:
		return "a session is already running";
	case SESSION_EV_PRINT:
	case SESSION_EV_RETAKE:
	case SESSION_EV_DISCARD:
		if (s->state == SESSION_REVIEW && ev == SESSION_EV_RETAKE)
			return "no retakes left for this session";
		return "there is nothing to review now";
	case SESSION_EV_CANCEL:
		return "no session is running";
	default:
		return "not possible now";
	}
}

static int handle_timeout(struct session *s, uint64_t now, struct session_actions *out)
{
	if (!s->deadline || now < s->deadline)
		return 0;
	switch (s->state) {
	case SESSION_COUNTDOWN:
		out->flags |= SESSION_ACT_CAPTURE;
		out->shot = s->shot;
		enter(s, SESSION_CAPTURE, now, s->params.capture_ms);
		return 1;
	case SESSION_CAPTURE:
		return fail(s, now, "the camera did not deliver the photo in time", out);
	case SESSION_COMPOSE:
		return fail(s, now,
			    s->composed ? "the photos could not be stored in time"
					: "the strip could not be made in time",
			    out);
	case SESSION_REVIEW:
		return print_or_keep(s, now, s->params.review_prints, out);
	case SESSION_PRINT:
		/* The job is recorded; the printer process will still send it. */
		return finish(s, now, SESSION_OUTCOME_PRINTED, out);
	case SESSION_DONE:
	case SESSION_ERROR:
		enter(s, SESSION_IDLE, now, 0);
		return 1;
	default:
		return 0;
	}
}

int session_handle(struct session *s, const struct session_event *ev, uint64_t now,
		   struct session_actions *out)
{
	memset(out, 0, sizeof(*out));
	switch (ev->type) {
	case SESSION_EV_TIMEOUT:
		return handle_timeout(s, now, out);
	case SESSION_EV_START:
		if (s->state != SESSION_IDLE)
			return -EINVAL;
		forget_shots(s);
		s->retakes = 0;
		s->outcome = SESSION_OUTCOME_NONE;
		s->error[0] = '\0';
		return countdown(s, now, 1);
	case SESSION_EV_FRAME_READY:
		/* The awaited shot's frame: move on while its JPEG is stored. */
		if (s->state != SESSION_CAPTURE || ev->shot != s->shot)
			return 0;
		s->framed |= shot_bit(s->shot);
		return next_shot(s, now, out);
	case SESSION_EV_PHOTO_STORED:
		if (ev->shot < 1 || ev->shot > s->params.shots)
			return 0;
		/* The shot we asked for moves us on. */
		if (s->state == SESSION_CAPTURE && ev->shot == s->shot) {
			s->stored_shots |= shot_bit(ev->shot);
			s->stored = __builtin_popcount(s->stored_shots);
			return next_shot(s, now, out);
		}
		/* A shot we moved on from at its frame is safe now; the last one may let the
		 * composed strip be reviewed. A late duplicate changes nothing. */
		if (!storing(s) || !(s->framed & shot_bit(ev->shot)) ||
		    (s->stored_shots & shot_bit(ev->shot)))
			return 0;
		s->stored_shots |= shot_bit(ev->shot);
		s->stored = __builtin_popcount(s->stored_shots);
		if (s->state != SESSION_COMPOSE || !s->composed || !all_stored(s))
			return 0;
		enter(s, SESSION_REVIEW, now, s->params.review_ms);
		return 1;
	case SESSION_EV_CAPTURE_FAILED:
		if (s->state == SESSION_CAPTURE && ev->shot == s->shot)
			return fail(s, now,
				    ev->error ? ev->error : "the camera could not take the photo",
				    out);
		/* A shot whose frame was used could not be stored: nothing unsaved is shown. */
		if (ev->shot >= 1 && ev->shot <= s->params.shots && storing(s) &&
		    (s->framed & ~s->stored_shots & shot_bit(ev->shot)))
			return fail(s, now, ev->error ? ev->error : "the photo could not be stored",
				    out);
		return 0;
	case SESSION_EV_CAMERA_LOST:
		/* Shots not yet stored never will be. */
		if (s->state != SESSION_COUNTDOWN && s->state != SESSION_CAPTURE && !storing(s))
			return 0;
		return fail(s, now, "the camera was disconnected", out);
	case SESSION_EV_COMPOSED:
		if (s->state != SESSION_COMPOSE)
			return 0;
		s->composed = true;
		if (!all_stored(s))
			return 0; /* the last JPEGs are being stored */
		enter(s, SESSION_REVIEW, now, s->params.review_ms);
		return 1;
	case SESSION_EV_COMPOSE_FAILED:
		if (s->state != SESSION_COMPOSE)
			return 0;
		return fail(s, now, ev->error ? ev->error : "the strip could not be made", out);
	case SESSION_EV_PRINT:
		if (s->state != SESSION_REVIEW)
			return -EINVAL;
		return print_or_keep(s, now, true, out);
	case SESSION_EV_RETAKE:
		if (s->state != SESSION_REVIEW || s->retakes >= s->params.max_retakes)
			return -EINVAL;
		s->retakes++;
		forget_shots(s);
		out->flags |= SESSION_ACT_DISCARD_PHOTOS;
		return countdown(s, now, 1);
	case SESSION_EV_DISCARD:
		if (s->state != SESSION_REVIEW)
			return -EINVAL;
		out->flags |= SESSION_ACT_DELETE;
		return finish(s, now, SESSION_OUTCOME_DELETED, out);
	case SESSION_EV_PRINT_ACCEPTED:
		if (s->state != SESSION_PRINT)
			return 0;
		return finish(s, now, SESSION_OUTCOME_PRINTED, out);
	case SESSION_EV_PRINT_FAILED:
		if (s->state != SESSION_PRINT)
			return 0;
		/* The photos and strip are kept; the owner can reprint. */
		snprintf(s->error, sizeof(s->error), "%s",
			 ev->error ? ev->error : "the print could not be queued");
		return finish(s, now, SESSION_OUTCOME_KEPT, out);
	case SESSION_EV_CANCEL:
		switch (s->state) {
		case SESSION_COUNTDOWN:
		case SESSION_CAPTURE:
		case SESSION_COMPOSE:
		case SESSION_REVIEW:
			s->outcome = SESSION_OUTCOME_CANCELLED;
			out->flags |= SESSION_ACT_END;
			out->outcome = s->outcome;
			enter(s, SESSION_IDLE, now, 0);
			return 1;
		default:
			return -EINVAL;
		}
	case SESSION_EV_COUNT:
		break;
	}
	return -EINVAL;
}

enum session_outcome session_recover(enum session_state state, bool print_recorded)
{
	switch (state) {
	case SESSION_IDLE:
		return SESSION_OUTCOME_NONE;
	case SESSION_PRINT:
		/* A recorded job is the printer process's to deliver (exactly once). */
		return print_recorded ? SESSION_OUTCOME_PRINTED : SESSION_OUTCOME_ABANDONED;
	case SESSION_DONE:
	case SESSION_ERROR:
		/* The outcome was stored with the transition. */
		return SESSION_OUTCOME_NONE;
	default:
		return SESSION_OUTCOME_ABANDONED;
	}
}
