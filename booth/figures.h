/* SPDX-License-Identifier: MIT */
/* The booth's figures about itself, without I/O: a session's final figures from what was
 * measured, their JSON (events/session_stats), and the median and worst of each figure over many
 * sessions (the retained summary booth/{booth}/stats). docs/performance.md explains them. */
#ifndef BOOTH_FIGURES_H
#define BOOTH_FIGURES_H

#include "db.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* Two monotonic readings of one session further apart than this are not believed. */
#define FIGURES_SPAN_MAX_US (600LL * 1000000)
/* A trigger-to-frame time beyond plus or minus this is not believed. */
#define FIGURES_TTF_MAX_US (10LL * 1000000)
/* With less live preview on screen than this, a session has no frame rate. */
#define FIGURES_PREVIEW_MIN_MS 500

enum figure {
	FIGURE_TRIGGER_TO_FRAME,
	FIGURE_CAPTURE_TO_STRIP,
	FIGURE_PRINT_TO_ACCEPTED,
	FIGURE_ACCEPTED_TO_PRINTED,
	FIGURE_PREVIEW_FPS,
	FIGURE_PREVIEW_DROPPED,
	FIGURE_COUNT,
};

/* Figure F's name on the bus: "trigger_to_frame_ms", "capture_to_strip_ms", ... */
const char *figure_name(enum figure f);

/* A shot's trigger-to-frame time in microseconds from a photo_stored announcement (borrowed):
 * frame_us - trigger_us. Returns 1 and *ret; 0 when the camera did not say (either field absent
 * or null: the figure is unknown, never guessed); -ERANGE when the values are not believable
 * (not whole numbers, negative, or further apart than FIGURES_TTF_MAX_US). */
int figures_trigger_to_frame(json_object *photo_stored, int64_t *ret);

/* Work out S's final figures from what was measured: capture_to_strip_ms, print_to_accepted_ms,
 * accepted_to_printed_ms (DB_UNKNOWN where something is missing or not believable) and
 * printed. */
void figures_settle(struct db_session_stats *s);

/* S's live-preview frame rate (frames per second), or -1 when unknown: booth-ui did not report,
 * or showed the preview for less than FIGURES_PREVIEW_MIN_MS. */
double figures_fps(const struct db_session_stats *s);

/* The payload of events/session_stats for S (settled). Returns a new object. */
json_object *figures_session_json(const struct db_session_stats *s);

/* The values of one figure over many sessions. */
struct figures_series {
	double *v;
	size_t n, cap;
};

/* Many sessions' figures: zero it before the first figures_summary_add(). */
struct figures_summary {
	int64_t sessions;
	struct figures_series series[FIGURE_COUNT];
};

/* Count S and add its known values. Returns 0, or -ENOMEM (S is counted, some of its values
 * are not). */
int figures_summary_add(struct figures_summary *sum, const struct db_session_stats *s);
/* The median and worst of VALUES (N of them, sorted here) for figure F into *median and *worst.
 * Worst is the largest time or count, the lowest frame rate, the trigger-to-frame time furthest
 * from 0. Returns false when N is 0. */
bool figures_median_worst(enum figure f, double *values, size_t n, double *median, double *worst);
/* {"sessions": N, FIGURE: {"median", "worst", "count"}, ...}. Returns a new object. */
json_object *figures_summary_json(struct figures_summary *sum);
/* Free the values; the summary can be used again. */
void figures_summary_clear(struct figures_summary *sum);

#endif
