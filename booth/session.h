/* SPDX-License-Identifier: MIT */
/* The guest session state machine: plain C, no I/O. boothd feeds it events and the time, stores
 * the new state, then carries out the actions it returns. */
#ifndef BOOTH_SESSION_H
#define BOOTH_SESSION_H

#include <stdbool.h>
#include <stdint.h>

enum session_state {
	SESSION_IDLE,	   /* no session: the attract screen */
	SESSION_COUNTDOWN, /* counting down to shot N */
	SESSION_CAPTURE,   /* shot N asked of the camera, waiting for it to be stored */
	SESSION_COMPOSE,   /* all shots stored, the strip is being composed */
	SESSION_REVIEW,	   /* the guest sees the strip: print, retake or don't keep */
	SESSION_PRINT,	   /* the print job was recorded, waiting for the printer to take it */
	SESSION_DONE,	   /* thank-you screen, then idle */
	SESSION_ERROR,	   /* the session failed; an error screen, then idle */
	SESSION_STATE_COUNT,
};
/* (SESSION_COMPOSE starts when the last shot's frame is ready, while its JPEG is still being
 * stored; it ends when the strip is made and every shot is stored.) */

enum session_event_type {
	SESSION_EV_START,	   /* a guest tapped the screen or pressed the button */
	SESSION_EV_TIMEOUT,	   /* the deadline passed (boothd's timer) */
	SESSION_EV_PHOTO_STORED,   /* the camera stored shot `shot` */
	SESSION_EV_CAPTURE_FAILED, /* the camera could not take shot `shot` */
	SESSION_EV_COMPOSED,	   /* the strip is ready */
	SESSION_EV_COMPOSE_FAILED, /* the strip could not be made */
	SESSION_EV_PRINT,	   /* review: the guest chose Print */
	SESSION_EV_RETAKE,	   /* review: the guest chose Retake */
	SESSION_EV_DISCARD,	   /* review: the guest chose Don't keep */
	SESSION_EV_PRINT_ACCEPTED, /* the printer process took the job */
	SESSION_EV_PRINT_FAILED,   /* the job could not be queued at all */
	SESSION_EV_CAMERA_LOST,	   /* the camera went away */
	SESSION_EV_CANCEL,	   /* the owner or the guest aborted the session */
	SESSION_EV_FRAME_READY, /* the camera's frame of shot `shot` is ready, its JPEG not yet */
	SESSION_EV_COUNT,
};

/* How a session ended. */
enum session_outcome {
	SESSION_OUTCOME_NONE,	   /* not ended */
	SESSION_OUTCOME_PRINTED,   /* kept, print job queued */
	SESSION_OUTCOME_KEPT,	   /* kept, not printed (printing off, or guest chose not to) */
	SESSION_OUTCOME_DELETED,   /* the guest chose "don't keep": photos deleted */
	SESSION_OUTCOME_FAILED,	   /* camera, composer or printer failure */
	SESSION_OUTCOME_CANCELLED, /* aborted */
	SESSION_OUTCOME_ABANDONED, /* found unfinished after a restart */
};

struct session_event {
	enum session_event_type type;
	int shot;	   /* PHOTO_STORED, CAPTURE_FAILED */
	const char *error; /* *_FAILED, CAMERA_LOST: what went wrong (copied) */
};

/* Timing and choices, from the settings; all times in milliseconds. */
struct session_params {
	int shots;	       /* 1..6 */
	uint32_t countdown_ms; /* before the first shot */
	uint32_t between_ms;   /* countdown before each further shot */
	uint32_t capture_ms;   /* camera must store a shot within this */
	uint32_t compose_ms;   /* composer must finish within this */
	uint32_t review_ms;    /* review screen, then the default */
	uint32_t print_ms;     /* printer process must take the job within this */
	uint32_t done_ms;      /* thank-you screen */
	uint32_t error_ms;     /* error screen */
	bool printing;	       /* printing on */
	bool review_prints;    /* a review timeout prints (else keeps without printing) */
	int max_retakes;       /* per session */
};

/* What boothd must do after a transition (flags of enum session_action). */
enum session_action {
	SESSION_ACT_CAPTURE = 1 << 0,	     /* ask the camera for shot `shot` */
	SESSION_ACT_COMPOSE = 1 << 1,	     /* compose the strip from the stored shots */
	SESSION_ACT_PRINT = 1 << 2,	     /* record and send the print job */
	SESSION_ACT_DELETE = 1 << 3,	     /* delete the session's photos, strip and rows */
	SESSION_ACT_DISCARD_PHOTOS = 1 << 4, /* retake: delete the photos taken so far */
	SESSION_ACT_END = 1 << 5,	     /* the session ended with `outcome` */
};

struct session {
	enum session_state state;
	struct session_params params;
	int shot;   /* the shot being counted down to / captured, 1-based */
	int stored; /* shots stored so far */
	/* Bit N-1: shot N's frame is ready (the session moved on at it) / its JPEG is stored. A
	 * session never reaches review before every shot is stored. */
	unsigned framed, stored_shots;
	bool composed; /* COMPOSE: the strip is made (waiting for the last JPEGs, if any) */
	int retakes;
	uint64_t deadline; /* ms on the caller's clock; 0 = none */
	enum session_outcome outcome;
	char error[160]; /* why the session failed, for the error screen */
};

struct session_actions {
	unsigned flags;
	int shot;
	enum session_outcome outcome;
};

/* A new machine in SESSION_IDLE. PARAMS are checked: returns 0, or -EINVAL if out of range. */
int session_init(struct session *s, const struct session_params *params);

/* Feed EV at time NOW_MS. Returns 1 when the state changed (store it, then carry out *OUT, then
 * announce it), 0 when the event does not apply now (a stale photo, an early timer: nothing to
 * do), or -EINVAL when it is not allowed in this state (for a guest's or owner's command, say
 * session_refusal()). */
int session_handle(struct session *s, const struct session_event *ev, uint64_t now_ms,
		   struct session_actions *out);

/* Why EV is refused in the current state, in plain words. */
const char *session_refusal(const struct session *s, enum session_event_type ev);

/* What to do with a session found in STATE after a restart: its outcome. */
enum session_outcome session_recover(enum session_state state, bool print_recorded);

/* Whether STATE is one where a session is running (not idle). */
bool session_active(enum session_state state);

/* Names as used on MQTT and in the database ("idle", "countdown", ...). */
const char *session_state_name(enum session_state state);
int session_state_from_name(const char *name, enum session_state *ret);
const char *session_outcome_name(enum session_outcome outcome);

#endif
