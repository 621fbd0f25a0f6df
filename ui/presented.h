/* SPDX-License-Identifier: MIT */
/* What booth-ui presented to the guest during a session, for the booth's figures
 * (docs/performance.md): the live preview's frames, the frames dropped on the way, how long the
 * preview was on screen, and when the review screen with the strip appeared. Plain logic: booth-ui
 * feeds it the session's states and every picture it presents. */
#ifndef BOOTH_UI_PRESENTED_H
#define BOOTH_UI_PRESENTED_H

#include "preview-client.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

/* Zeroed: following no session. */
struct presented {
	int64_t session;     /* the session followed; 0: none */
	bool review_phase;   /* its phase is review */
	bool review_awaited; /* since it entered review, no review picture was presented */
	bool on_preview;     /* the live preview is on screen */
	uint64_t since_us;   /* since when */
	struct preview_client_stats at; /* the preview client's counters then */
	uint64_t preview_us;		/* time the preview was on screen before */
	uint64_t frames, dropped;	/* preview frames that came and were presented, dropped */
	uint64_t review_us;		/* the review's last first picture; 0: none */
};

/* The session state says session ID (0: none) is in PHASE ("countdown", ..., "done"), seen at
 * NOW_US (CLOCK_MONOTONIC) with the preview client's counters ST. Returns the report of the
 * session followed so far once it is over (done, error, idle, or another session), as
 * ui/session_stats carries it (a new object), else NULL. */
json_object *presented_phase(struct presented *p, int64_t id, const char *phase, uint64_t now_us,
			     const struct preview_client_stats *st);

/* A picture was presented at NOW_US: the countdown over the live preview (COUNTDOWN; FRESH when it
 * showed a preview frame not presented before), the review screen with the strip (REVIEW), or
 * another screen. ST: the preview client's counters after it. */
void presented_picture(struct presented *p, bool countdown, bool fresh, bool review,
		       uint64_t now_us, const struct preview_client_stats *st);

#endif
