/* SPDX-License-Identifier: MIT */
/* The booth's figures about itself: plain arithmetic on what boothd, booth-ui, the camera and
 * the printer reported. Nothing here guesses a value that was not measured. */
#include "figures.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	int decimals; /* as published */
} figures[FIGURE_COUNT] = {
	[FIGURE_TRIGGER_TO_FRAME] = { "trigger_to_frame_ms", 1 },
	[FIGURE_CAPTURE_TO_STRIP] = { "capture_to_strip_ms", 0 },
	[FIGURE_PRINT_TO_ACCEPTED] = { "print_to_accepted_ms", 0 },
	[FIGURE_ACCEPTED_TO_PRINTED] = { "accepted_to_printed_ms", 0 },
	[FIGURE_PREVIEW_FPS] = { "preview_fps", 1 },
	[FIGURE_PREVIEW_DROPPED] = { "preview_dropped", 0 },
};

const char *figure_name(enum figure f)
{
	return (unsigned)f < FIGURE_COUNT ? figures[f].name : "unknown";
}

int figures_trigger_to_frame(json_object *photo_stored, int64_t *ret)
{
	json_object *t = NULL, *f = NULL;
	int64_t trigger, frame;

	json_object_object_get_ex(photo_stored, "trigger_us", &t);
	json_object_object_get_ex(photo_stored, "frame_us", &f);
	if (!t || !f)
		return 0;
	if (!json_object_is_type(t, json_type_int) || !json_object_is_type(f, json_type_int))
		return -ERANGE;
	trigger = json_object_get_int64(t);
	frame = json_object_get_int64(f);
	/* Both are CLOCK_MONOTONIC readings: never negative; json-c saturates what it cannot
	 * hold, which the bound below catches. */
	if (trigger < 0 || frame < 0 || trigger == INT64_MAX || frame == INT64_MAX ||
	    frame - trigger > FIGURES_TTF_MAX_US || trigger - frame > FIGURES_TTF_MAX_US)
		return -ERANGE;
	*ret = frame - trigger;
	return 1;
}

static int64_t ms_of_us(int64_t us)
{
	return (us + 500) / 1000;
}

void figures_settle(struct db_session_stats *s)
{
	bool accepted =
		s->copies > 0 && s->copies_accepted == s->copies && s->accepted_at != DB_UNKNOWN;

	s->capture_to_strip_ms = DB_UNKNOWN;
	if (s->ui_reported && s->trigger_us != DB_UNKNOWN && s->review_shown_us != DB_UNKNOWN &&
	    s->review_shown_us >= s->trigger_us &&
	    s->review_shown_us - s->trigger_us <= FIGURES_SPAN_MAX_US)
		s->capture_to_strip_ms = ms_of_us(s->review_shown_us - s->trigger_us);
	/* The print counts as accepted once the printer has every copy the guest asked for, and as
	 * printed once every copy came out: the guest's whole order. */
	s->print_to_accepted_ms = DB_UNKNOWN;
	if (accepted && s->print_pressed != DB_UNKNOWN && s->accepted_at >= s->print_pressed)
		s->print_to_accepted_ms = s->accepted_at - s->print_pressed;
	s->printed = s->copies > 0 && s->copies_printed == s->copies;
	s->accepted_to_printed_ms = DB_UNKNOWN;
	if (s->printed && accepted && s->printed_at != DB_UNKNOWN &&
	    s->printed_at >= s->accepted_at)
		s->accepted_to_printed_ms = s->printed_at - s->accepted_at;
}

double figures_fps(const struct db_session_stats *s)
{
	if (!s->ui_reported || s->preview_frames == DB_UNKNOWN || s->preview_ms == DB_UNKNOWN ||
	    s->preview_ms < FIGURES_PREVIEW_MIN_MS || s->preview_frames < 0)
		return -1;
	return (double)s->preview_frames * 1000.0 / (double)s->preview_ms;
}

/* V rounded to DECIMALS places: a JSON integer for 0, else a number written with them. */
static json_object *rounded(double v, int decimals)
{
	char buf[32];

	if (decimals == 0)
		return json_object_new_int64(llround(v));
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(strtod(buf, NULL), buf);
}

static json_object *known(int64_t v)
{
	return v == DB_UNKNOWN ? NULL : json_object_new_int64(v);
}

json_object *figures_session_json(const struct db_session_stats *s)
{
	json_object *o = json_object_new_object(), *shots = json_object_new_array();
	double fps = figures_fps(s);

	json_object_object_add(o, "session", json_object_new_int64(s->session));
	json_object_object_add(o, "outcome",
			       json_object_new_string(s->outcome[0] ? s->outcome : "none"));
	for (int i = 0; i < s->shots && i < DB_SHOTS_MAX; i++)
		json_object_array_add(shots,
				      s->trigger_to_frame_us[i] == DB_UNKNOWN
					      ? NULL
					      : rounded((double)s->trigger_to_frame_us[i] / 1000.0,
							figures[FIGURE_TRIGGER_TO_FRAME].decimals));
	json_object_object_add(o, "trigger_to_frame_ms", shots);
	json_object_object_add(o, "capture_to_strip_ms", known(s->capture_to_strip_ms));
	json_object_object_add(o, "print_to_accepted_ms", known(s->print_to_accepted_ms));
	json_object_object_add(o, "accepted_to_printed_ms", known(s->accepted_to_printed_ms));
	json_object_object_add(o, "printed", json_object_new_boolean(s->printed));
	json_object_object_add(o, "preview_fps",
			       fps < 0 ? NULL : rounded(fps, figures[FIGURE_PREVIEW_FPS].decimals));
	json_object_object_add(o, "preview_frames",
			       s->ui_reported ? known(s->preview_frames) : NULL);
	json_object_object_add(o, "preview_dropped",
			       s->ui_reported ? known(s->preview_dropped) : NULL);
	json_object_object_add(o, "preview_ms", s->ui_reported ? known(s->preview_ms) : NULL);
	return o;
}

static int series_add(struct figures_series *s, double v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		double *p = realloc(s->v, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n++] = v;
	return 0;
}

int figures_summary_add(struct figures_summary *sum, const struct db_session_stats *s)
{
	struct figures_series *f = sum->series;
	double fps = figures_fps(s);
	int r = 0;

	sum->sessions++;
	for (int i = 0; i < s->shots && i < DB_SHOTS_MAX; i++)
		if (s->trigger_to_frame_us[i] != DB_UNKNOWN)
			r |= series_add(&f[FIGURE_TRIGGER_TO_FRAME],
					(double)s->trigger_to_frame_us[i] / 1000.0);
	if (s->capture_to_strip_ms != DB_UNKNOWN)
		r |= series_add(&f[FIGURE_CAPTURE_TO_STRIP], (double)s->capture_to_strip_ms);
	if (s->print_to_accepted_ms != DB_UNKNOWN)
		r |= series_add(&f[FIGURE_PRINT_TO_ACCEPTED], (double)s->print_to_accepted_ms);
	if (s->accepted_to_printed_ms != DB_UNKNOWN)
		r |= series_add(&f[FIGURE_ACCEPTED_TO_PRINTED], (double)s->accepted_to_printed_ms);
	if (fps >= 0)
		r |= series_add(&f[FIGURE_PREVIEW_FPS], fps);
	if (s->ui_reported && s->preview_dropped != DB_UNKNOWN)
		r |= series_add(&f[FIGURE_PREVIEW_DROPPED], (double)s->preview_dropped);
	return r < 0 ? -ENOMEM : 0;
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

bool figures_median_worst(enum figure f, double *values, size_t n, double *median, double *worst)
{
	if (n == 0)
		return false;
	qsort(values, n, sizeof(*values), compare);
	*median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
	/* The lowest frame rate; a frame from further before the trigger than the latest one
	 * after it; else the largest. */
	if (f == FIGURE_PREVIEW_FPS || (f == FIGURE_TRIGGER_TO_FRAME && -values[0] > values[n - 1]))
		*worst = values[0];
	else
		*worst = values[n - 1];
	return true;
}

json_object *figures_summary_json(struct figures_summary *sum)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "sessions", json_object_new_int64(sum->sessions));
	for (int i = 0; i < FIGURE_COUNT; i++) {
		struct figures_series *s = &sum->series[i];
		json_object *fig = json_object_new_object();
		double median, worst;
		bool any = figures_median_worst((enum figure)i, s->v, s->n, &median, &worst);

		json_object_object_add(fig, "median",
				       any ? rounded(median, figures[i].decimals) : NULL);
		json_object_object_add(fig, "worst",
				       any ? rounded(worst, figures[i].decimals) : NULL);
		json_object_object_add(fig, "count", json_object_new_int64((int64_t)s->n));
		json_object_object_add(o, figures[i].name, fig);
	}
	return o;
}

void figures_summary_clear(struct figures_summary *sum)
{
	for (int i = 0; i < FIGURE_COUNT; i++)
		free(sum->series[i].v);
	memset(sum, 0, sizeof(*sum));
}
