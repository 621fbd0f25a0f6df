/* SPDX-License-Identifier: MIT */
/* The anonymized health report: its fixed, versioned schema, the buckets that make every figure
 * coarse, the one function that writes a report's bytes (for preview and for sending), and when
 * the daily report goes. No I/O: tested and fuzzed on its own. */
#ifndef BOOTH_REPORT_H
#define BOOTH_REPORT_H

#include "topics.h"

#include <json-c/json.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The schema version this software writes. Any change to report_fields means a new version,
 * which stops reporting until the owner accepts it. */
#define REPORT_SCHEMA 1
/* The one topic reports are published on at the fleet broker. */
#define REPORT_TOPIC "booth-fleet/health"

/* The processes whose restarts are counted, in the report's order. */
enum report_proc {
	REPORT_BOOTHD,
	REPORT_CAMERA,
	REPORT_UI,
	REPORT_PRINTER,
	REPORT_TELEMETRY,
	REPORT_PROCS,
};
extern const char *const report_proc_names[REPORT_PROCS];

/* The health counters boothd publishes on booth/{booth}/health, as last seen. */
enum report_counter {
	REPORT_SESSIONS,
	REPORT_CAPTURES,
	REPORT_PRINTS,
	REPORT_CAPTURE_ERRORS,
	REPORT_PRINT_ERRORS,
	REPORT_CAMERA_PROBLEMS,
	REPORT_PRINTER_PROBLEMS,
	REPORT_STORAGE_PROBLEMS,
	REPORT_COUNTERS,
};
/* Their names in the health document. */
extern const char *const report_counter_names[REPORT_COUNTERS];

/* What one report period gathered (since the last report, or since the owner accepted). */
struct report_counts {
	int64_t counter[REPORT_COUNTERS];
	int64_t restarts[REPORT_PROCS];
};

/* The last health document's counters, to count what changed since. */
struct report_base {
	int64_t started; /* boothd's start; 0: none seen yet */
	int64_t counter[REPORT_COUNTERS];
};

/* Everything a report is made from. Strings are borrowed. */
struct report_input {
	struct report_counts counts;
	const char *software; /* the software version: only N.N.N is sent, else "other" */
	int64_t uptime_s;     /* the system's */
	const char *camera;   /* ok, fault, none, unknown */
	const char *display;
	const char *printer;
};

/* The schema of report version REPORT_SCHEMA (ends with a NULL name). */
extern const struct field_def report_fields[];

/* Buckets: the only form in which a figure leaves the booth. */
const char *report_bucket_count(int64_t n);    /* 0, 1-9, 10-49, 50-199, 200+ */
const char *report_bucket_errors(int64_t n);   /* 0, 1-2, 3-9, 10+ */
const char *report_bucket_restarts(int64_t n); /* 0, 1, 2-5, 6+ */
const char *report_bucket_uptime(int64_t s);   /* <1h, 1-6h, 6-24h, 1-7d, 7d+ */

/* Write the report for IN: a new NUL-terminated string in *ret (caller frees) and its length in
 * *len. The same function makes previews and what is sent. Returns 0 or -ENOMEM. */
int report_build(const struct report_input *in, char **ret, size_t *len);

/* Check LEN bytes against the schema: a JSON object with exactly the schema's fields, each
 * within its choices. Returns 0, or -EBADMSG / -EINVAL with the reason in ERR. */
int report_validate(const char *bytes, size_t len, char *err, size_t errlen);

/* Add what changed between BASE and the health document HEALTH (borrowed, already checked
 * against the topic table) to COUNTS when COUNTING, and make HEALTH the new base. A new
 * "started" (boothd restarted) counts its values from 0. */
void report_add_health(struct report_counts *counts, struct report_base *base, json_object *health,
		       bool counting);

/* When the next report is due, in seconds since 1970 (UTC), for a booth at NOW_S whose last
 * report went on day LAST_DAY (days since 1970; -1: never), with RND a random number: a random
 * moment in the rest of today if nothing was sent today, otherwise a random moment tomorrow. */
int64_t report_next_time(int64_t now_s, int64_t last_day, uint32_t rnd);

/* Write day DAY (days since 1970) as YYYY-MM-DD into BUF (at least 11 bytes). */
void report_day_string(int64_t day, char *buf, size_t n);

#endif
