/* SPDX-License-Identifier: MIT */
/* What booth-ui presented during a session: counted between the pictures it presents, so that
 * what it reports is what the guest saw, not what was drawn or asked for. */
#include "presented.h"

#include <string.h>

/* The preview went off screen at NOW_US: count its time and the frames dropped meanwhile. */
static void preview_off(struct presented *p, uint64_t now_us, const struct preview_client_stats *st)
{
	if (!p->on_preview)
		return;
	p->on_preview = false;
	p->preview_us += now_us > p->since_us ? now_us - p->since_us : 0;
	p->dropped += (st->missed - p->at.missed) + (st->unseen - p->at.unseen);
}

static json_object *report(const struct presented *p)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "session", json_object_new_int64(p->session));
	json_object_object_add(o, "review_shown_us",
			       p->review_us ? json_object_new_int64((int64_t)p->review_us) : NULL);
	json_object_object_add(o, "preview_frames", json_object_new_int64((int64_t)p->frames));
	json_object_object_add(o, "preview_dropped", json_object_new_int64((int64_t)p->dropped));
	json_object_object_add(o, "preview_ms",
			       json_object_new_int64((int64_t)(p->preview_us / 1000)));
	return o;
}

json_object *presented_phase(struct presented *p, int64_t id, const char *phase, uint64_t now_us,
			     const struct preview_client_stats *st)
{
	bool over = strcmp(phase, "done") == 0 || strcmp(phase, "error") == 0 ||
		    strcmp(phase, "idle") == 0;
	bool review = strcmp(phase, "review") == 0;
	json_object *o = NULL;

	if (p->session && (id != p->session || over)) {
		preview_off(p, now_us, st);
		o = report(p);
		memset(p, 0, sizeof(*p));
	}
	if (id > 0 && id != p->session && !over) {
		memset(p, 0, sizeof(*p));
		p->session = id;
	}
	if (!p->session)
		return o;
	/* The review's first picture counts, each time the session enters review (a retake
	 * brings a new strip); the same state published again changes nothing. */
	if (review && !p->review_phase)
		p->review_awaited = true;
	p->review_phase = review;
	return o;
}

void presented_picture(struct presented *p, bool countdown, bool fresh, bool review,
		       uint64_t now_us, const struct preview_client_stats *st)
{
	if (!p->session)
		return;
	if (countdown && !p->on_preview) {
		/* The frame that was waiting when the preview came on screen arrived before: the
		 * rate counts the frames that arrived while it was on screen (a camera that froze
		 * shows one picture, at 0 frames per second). */
		p->on_preview = true;
		p->since_us = now_us;
		p->at = *st;
	} else if (countdown) {
		p->frames += fresh;
	} else {
		preview_off(p, now_us, st);
	}
	if (review && p->review_awaited) {
		p->review_awaited = false;
		p->review_us = now_us;
	}
}
