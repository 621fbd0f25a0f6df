/* SPDX-License-Identifier: MIT */
/* The anonymized health report: schema, buckets, the bytes, and the daily schedule. */
#include "report.h"
#include "codec.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const report_proc_names[REPORT_PROCS] = { "boothd", "camera", "ui", "printer",
						      "telemetry" };
const char *const report_counter_names[REPORT_COUNTERS] = {
	"sessions",	"captures",	   "prints",	       "capture_errors",
	"print_errors", "camera_problems", "printer_problems", "storage_problems",
};

#define COUNT_BUCKETS	"0|1-9|10-49|50-199|200+"
#define ERROR_BUCKETS	"0|1-2|3-9|10+"
#define RESTART_BUCKETS "0|1|2-5|6+"
#define UPTIME_BUCKETS	"<1h|1-6h|6-24h|1-7d|7d+"
#define WORKING		"ok|fault|none|unknown"
#define END                                                                                        \
	{                                                                                          \
		NULL, FIELD_STRING, false, false, 0, 0, NULL, NULL, NULL                           \
	}
#define BUCKET(name, choices, doc)                                                                 \
	{                                                                                          \
		name, FIELD_STRING, true, false, 1, 8, choices, NULL, doc                          \
	}

static const struct field_def restart_fields[] = {
	BUCKET("boothd", RESTART_BUCKETS, "Restarts of boothd."),
	BUCKET("camera", RESTART_BUCKETS, "Restarts of booth-camera."),
	BUCKET("ui", RESTART_BUCKETS, "Restarts of booth-ui."),
	BUCKET("printer", RESTART_BUCKETS, "Restarts of booth-printer."),
	BUCKET("telemetry", RESTART_BUCKETS, "Restarts of booth-telemetry."),
	END,
};

static const struct field_def error_fields[] = {
	BUCKET("capture", ERROR_BUCKETS, "Photos the camera could not take."),
	BUCKET("print", ERROR_BUCKETS, "Prints that failed."),
	BUCKET("camera", ERROR_BUCKETS, "Times the camera stopped being ready."),
	BUCKET("printer", ERROR_BUCKETS, "Times printing became impossible."),
	BUCKET("storage", ERROR_BUCKETS, "Times the photo store became almost full."),
	END,
};

static const struct field_def working_fields[] = {
	BUCKET("camera", WORKING, "The camera now."),
	BUCKET("display", WORKING, "The screen's process now."),
	BUCKET("printer", WORKING, "The printer now (none: not configured)."),
	END,
};

const struct field_def report_fields[] = {
	{ "schema", FIELD_INT, true, false, REPORT_SCHEMA, REPORT_SCHEMA, NULL, NULL,
	  "The schema version." },
	{ "software", FIELD_STRING, true, false, 1, 16, NULL, NULL,
	  "The software version (N.N.N), or other." },
	BUCKET("uptime", UPTIME_BUCKETS, "How long the system has been up."),
	{ "restarts", FIELD_OBJECT, true, false, 0, 0, NULL, restart_fields,
	  "Restarts per process since the last report." },
	BUCKET("sessions", COUNT_BUCKETS, "Guest sessions since the last report."),
	BUCKET("captures", COUNT_BUCKETS, "Photos taken since the last report."),
	BUCKET("prints", COUNT_BUCKETS, "Prints since the last report."),
	{ "errors", FIELD_OBJECT, true, false, 0, 0, NULL, error_fields,
	  "Errors per kind since the last report." },
	{ "working", FIELD_OBJECT, true, false, 0, 0, NULL, working_fields,
	  "Whether each device works now." },
	END,
};

/* The name of N's bucket: LIMITS are the buckets' ascending lower bounds, the first 0. */
static const char *bucket(int64_t n, const int64_t *limits, size_t count, const char *const *names)
{
	size_t i = count - 1;

	while (i > 0 && n < limits[i])
		i--;
	return names[i];
}

const char *report_bucket_count(int64_t n)
{
	static const int64_t limits[] = { 0, 1, 10, 50, 200 };
	static const char *const names[] = { "0", "1-9", "10-49", "50-199", "200+" };

	return bucket(n, limits, ARRAY_SIZE(limits), names);
}

const char *report_bucket_errors(int64_t n)
{
	static const int64_t limits[] = { 0, 1, 3, 10 };
	static const char *const names[] = { "0", "1-2", "3-9", "10+" };

	return bucket(n, limits, ARRAY_SIZE(limits), names);
}

const char *report_bucket_restarts(int64_t n)
{
	static const int64_t limits[] = { 0, 1, 2, 6 };
	static const char *const names[] = { "0", "1", "2-5", "6+" };

	return bucket(n, limits, ARRAY_SIZE(limits), names);
}

const char *report_bucket_uptime(int64_t s)
{
	static const int64_t limits[] = { 0, 3600, 6 * 3600LL, 86400, 7 * 86400LL };
	static const char *const names[] = { "<1h", "1-6h", "6-24h", "1-7d", "7d+" };

	return bucket(s, limits, ARRAY_SIZE(limits), names);
}

/* Only a plain release number: a build's own suffix (a commit, a name) could tell booths apart. */
static bool plain_version(const char *v)
{
	size_t dots = 0, n = strlen(v);

	if (n == 0 || n > 16 || v[0] == '.' || v[n - 1] == '.')
		return false;
	for (const char *p = v; *p; p++) {
		if (*p == '.') {
			if (p[1] == '.')
				return false;
			dots++;
		} else if (*p < '0' || *p > '9') {
			return false;
		}
	}
	return dots == 2;
}

static void add_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

/* A working value from the schema's choices; anything else reads as unknown. */
static const char *working(const char *v)
{
	static const char *const ok[] = { "ok", "fault", "none" };

	for (size_t i = 0; v && i < ARRAY_SIZE(ok); i++)
		if (strcmp(v, ok[i]) == 0)
			return ok[i];
	return "unknown";
}

int report_build(const struct report_input *in, char **ret, size_t *len)
{
	static const enum report_counter errors[] = {
		REPORT_CAPTURE_ERRORS,	 REPORT_PRINT_ERRORS,	  REPORT_CAMERA_PROBLEMS,
		REPORT_PRINTER_PROBLEMS, REPORT_STORAGE_PROBLEMS,
	};
	const int64_t *c = in->counts.counter;
	json_object *o = json_object_new_object(), *sub;
	const char *s;
	char *copy;
	size_t n;

	json_object_object_add(o, "schema", json_object_new_int(REPORT_SCHEMA));
	add_str(o, "software",
		in->software && plain_version(in->software) ? in->software : "other");
	add_str(o, "uptime", report_bucket_uptime(in->uptime_s));
	sub = json_object_new_object();
	for (size_t i = 0; i < REPORT_PROCS; i++)
		add_str(sub, report_proc_names[i], report_bucket_restarts(in->counts.restarts[i]));
	json_object_object_add(o, "restarts", sub);
	add_str(o, "sessions", report_bucket_count(c[REPORT_SESSIONS]));
	add_str(o, "captures", report_bucket_count(c[REPORT_CAPTURES]));
	add_str(o, "prints", report_bucket_count(c[REPORT_PRINTS]));
	sub = json_object_new_object();
	for (size_t i = 0; i < ARRAY_SIZE(errors); i++)
		add_str(sub, error_fields[i].name, report_bucket_errors(c[errors[i]]));
	json_object_object_add(o, "errors", sub);
	sub = json_object_new_object();
	add_str(sub, "camera", working(in->camera));
	add_str(sub, "display", working(in->display));
	add_str(sub, "printer", working(in->printer));
	json_object_object_add(o, "working", sub);
	s = codec_string(o, &n);
	copy = s ? strdup(s) : NULL;
	json_object_put(o);
	if (!copy)
		return -ENOMEM;
	*ret = copy;
	*len = n;
	return 0;
}

int report_validate(const char *bytes, size_t len, char *err, size_t errlen)
{
	json_object *o = NULL;
	int r = codec_decode(bytes, len, 4096, &o, err, errlen);

	if (r < 0)
		return -EBADMSG;
	/* Every field required, nothing else allowed, every value among its choices. */
	r = codec_check(report_fields, o, 0, err, errlen);
	json_object_put(o);
	return r;
}

void report_add_health(struct report_counts *counts, struct report_base *base, json_object *health,
		       bool counting)
{
	json_object *v = NULL;
	int64_t started = 0;

	if (json_object_object_get_ex(health, "started", &v))
		started = json_object_get_int64(v);
	if (started != base->started) {
		memset(base->counter, 0, sizeof(base->counter));
		base->started = started;
	}
	for (size_t i = 0; i < REPORT_COUNTERS; i++) {
		int64_t now;

		if (!json_object_object_get_ex(health, report_counter_names[i], &v))
			continue;
		now = json_object_get_int64(v);
		/* The schema bounds each value to 2^40: sums stay far from overflowing. */
		if (counting && now > base->counter[i] && counts->counter[i] < (1LL << 50))
			counts->counter[i] += now - base->counter[i];
		base->counter[i] = now;
	}
}

int64_t report_next_time(int64_t now_s, int64_t last_day, uint32_t rnd)
{
	int64_t today = now_s / 86400, tomorrow = (today + 1) * 86400;

	if (last_day >= today)
		return tomorrow + rnd % 86400;
	return now_s + rnd % (tomorrow - now_s);
}

void report_day_string(int64_t day, char *buf, size_t n)
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%d", &tm);
}
