/* SPDX-License-Identifier: MIT */
/* Zero shutter lag: the ring of the capture stream's latest frames that the camera keeps, and
 * the choice of the frame closest to the moment the countdown reached zero. No I/O. */
#ifndef BOOTH_ZSL_H
#define BOOTH_ZSL_H

#include <stdbool.h>
#include <stdint.h>

#define ZSL_MAX 96 /* frames a ring can keep */

/* One frame of the capture stream. */
struct zsl_frame {
	uint64_t frame_us; /* CLOCK_MONOTONIC microseconds of its sensor timestamp */
	uint32_t sequence; /* the camera's frame number */
	int buffer;	   /* the backend's buffer holding it, or -1 (the simulated camera) */
};

/* The ring: the DEPTH newest frames, oldest first. */
struct zsl {
	unsigned depth, head, len;
	uint64_t interval_us; /* the nominal frame interval */
	struct zsl_frame frames[ZSL_MAX];
};

/* What zsl_pick() found. */
enum zsl_result {
	ZSL_WAIT,  /* a frame still to come will be closer (or the ring is empty): ask again then */
	ZSL_FOUND, /* *ret is the closest frame there will be */
	ZSL_STALE, /* the trigger is older than the ring: *ret is its oldest frame */
};

/* An empty ring keeping DEPTH (1..ZSL_MAX) frames that come every INTERVAL_US (> 0).
 * Returns 0 or -EINVAL. */
int zsl_init(struct zsl *z, unsigned depth, uint64_t interval_us);

/* Add frame F, newer than every frame in the ring. When the ring was full, its oldest frame
 * leaves it into *EVICTED (its buffer is the backend's again) and 1 is returned; else 0.
 * -EINVAL if F is not newer than the newest frame (it is not added). */
int zsl_push(struct zsl *z, const struct zsl_frame *f, struct zsl_frame *evicted);

/* Choose the frame whose timestamp is closest to TRIGGER_US. A frame that has yet to come is
 * expected one interval after the newest: while it would be closer than any frame kept, the
 * answer is ZSL_WAIT. On a tie the earlier frame wins. The ring is not changed. */
enum zsl_result zsl_pick(const struct zsl *z, uint64_t trigger_us, struct zsl_frame *ret);

/* Take the oldest frame out of the ring into *RET (to give its buffer back). Returns whether
 * there was one. */
bool zsl_pop(struct zsl *z, struct zsl_frame *ret);

/* How many frames the ring holds. */
unsigned zsl_count(const struct zsl *z);

#endif
