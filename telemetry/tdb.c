/* SPDX-License-Identifier: MIT */
/* booth-telemetry's SQLite file. SQLite result codes become -errno here. */
#include "tdb.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TDB_SCHEMA 1

struct tdb {
	sqlite3 *sql;
};

static const char schema_v1[] =
	"CREATE TABLE consent ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  decision TEXT NOT NULL CHECK (decision IN ('undecided', 'declined', 'accepted')),"
	"  schema_version INTEGER,"
	"  decided INTEGER,"
	"  how TEXT);"
	"INSERT INTO consent (id, decision) VALUES (1, 'undecided');"
	"CREATE TABLE period (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"CREATE TABLE last_report ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  day INTEGER NOT NULL,"
	"  schema_version INTEGER NOT NULL,"
	"  payload TEXT NOT NULL);"
	"PRAGMA user_version = 1;";

static const char *const decisions[] = { "undecided", "declined", "accepted" };

const char *tdb_consent_name(enum consent_decision d)
{
	return decisions[d];
}

static int fail(struct tdb *s, const char *what)
{
	log_error("Telemetry database: %s: %s", what, sqlite3_errmsg(s->sql));
	switch (sqlite3_errcode(s->sql)) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return -EBADMSG;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_BUSY:
		return -EBUSY;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	default:
		return -EIO;
	}
}

static int exec(struct tdb *s, const char *sql)
{
	return sqlite3_exec(s->sql, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(s, sql);
}

static int prepare(struct tdb *s, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v2(s->sql, sql, -1, st, NULL) == SQLITE_OK ? 0 : fail(s, sql);
}

/* Step ST once to its end and finalize it. */
static int done(struct tdb *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(s, what);
}

int tdb_open(const char *path, struct tdb **ret)
{
	struct tdb *s = calloc(1, sizeof(*s));
	sqlite3_stmt *st = NULL;
	int r, version = -1;

	if (!s)
		return -ENOMEM;
	if (sqlite3_open_v2(path, &s->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		r = fail(s, path);
		goto fail;
	}
	sqlite3_busy_timeout(s->sql, 5000);
	/* Overwrite what is deleted (a declined consent's counts), and survive power loss. */
	r = exec(s, "PRAGMA secure_delete = ON; PRAGMA journal_mode = WAL; "
		    "PRAGMA synchronous = FULL");
	if (r == 0)
		r = prepare(s, "PRAGMA user_version", &st);
	if (r < 0)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version == 0)
		r = exec(s, "BEGIN IMMEDIATE");
	if (r == 0 && version == 0) {
		r = exec(s, schema_v1);
		r = r < 0 ? r : exec(s, "COMMIT");
		if (r < 0)
			exec(s, "ROLLBACK");
		version = r < 0 ? -1 : TDB_SCHEMA;
	}
	if (r == 0 && version != TDB_SCHEMA) {
		log_error("%s: telemetry database version %d, not %d: not touched", path, version,
			  TDB_SCHEMA);
		r = -EPROTO;
	}
	if (r < 0)
		goto fail;
	*ret = s;
	return 0;
fail:
	tdb_close(s);
	return r;
}

struct tdb *tdb_close(struct tdb *s)
{
	if (!s)
		return NULL;
	sqlite3_close(s->sql);
	free(s);
	return NULL;
}

int tdb_consent(struct tdb *s, struct consent *ret)
{
	struct consent c = { CONSENT_UNDECIDED, 0, 0, "" };
	sqlite3_stmt *st;
	int r = prepare(s, "SELECT decision, schema_version, decided, how FROM consent", &st);

	if (r < 0)
		return r;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 0);
		const char *how = (const char *)sqlite3_column_text(st, 3);

		for (size_t i = 0; d && i < ARRAY_SIZE(decisions); i++)
			if (strcmp(d, decisions[i]) == 0)
				c.decision = (enum consent_decision)i;
		c.schema = sqlite3_column_int(st, 1);
		c.decided_ms = sqlite3_column_int64(st, 2);
		strscpy(c.how, how ? how : "", sizeof(c.how));
	}
	sqlite3_finalize(st);
	*ret = c;
	return 0;
}

int tdb_consent_set(struct tdb *s, const struct consent *c)
{
	sqlite3_stmt *st;
	int r = exec(s, "BEGIN IMMEDIATE");

	if (r < 0)
		return r;
	r = prepare(s,
		    "UPDATE consent SET decision = ?, schema_version = nullif(?, 0), "
		    "decided = ?, how = ? WHERE id = 1",
		    &st);
	if (r == 0) {
		sqlite3_bind_text(st, 1, decisions[c->decision], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, c->schema);
		sqlite3_bind_int64(st, 3, c->decided_ms);
		sqlite3_bind_text(st, 4, c->how, -1, SQLITE_STATIC);
		r = done(s, st, "recording the consent");
	}
	/* Declined: nothing gathered for a report is kept. */
	if (r == 0 && c->decision != CONSENT_ACCEPTED)
		r = exec(s, "DELETE FROM period WHERE name NOT LIKE 'base.%'");
	if (r == 0)
		r = exec(s, "COMMIT");
	if (r < 0)
		exec(s, "ROLLBACK");
	return r;
}

/* The period's values, by name: counts and restarts for the report, base.* for the health. */
static void period_names(char names[][40], int64_t **vals, struct report_counts *counts,
			 struct report_base *base, size_t *n)
{
	size_t k = 0;

	for (size_t i = 0; i < REPORT_COUNTERS; i++) {
		snprintf(names[k], 40, "count.%s", report_counter_names[i]);
		vals[k++] = &counts->counter[i];
		snprintf(names[k], 40, "base.%s", report_counter_names[i]);
		vals[k++] = &base->counter[i];
	}
	for (size_t i = 0; i < REPORT_PROCS; i++) {
		snprintf(names[k], 40, "restarts.%s", report_proc_names[i]);
		vals[k++] = &counts->restarts[i];
	}
	snprintf(names[k], 40, "base.started");
	vals[k++] = &base->started;
	*n = k;
}

#define PERIOD_MAX (2 * REPORT_COUNTERS + REPORT_PROCS + 1)

int tdb_period_load(struct tdb *s, struct report_counts *counts, struct report_base *base)
{
	char names[PERIOD_MAX][40];
	int64_t *vals[PERIOD_MAX];
	sqlite3_stmt *st;
	size_t n;
	int r;

	memset(counts, 0, sizeof(*counts));
	memset(base, 0, sizeof(*base));
	period_names(names, vals, counts, base, &n);
	r = prepare(s, "SELECT name, value FROM period", &st);
	if (r < 0)
		return r;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		for (size_t i = 0; name && i < n; i++)
			if (strcmp(name, names[i]) == 0)
				*vals[i] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return 0;
}

/* Write the period's values; inside a transaction. */
static int period_write(struct tdb *s, const struct report_counts *counts,
			const struct report_base *base)
{
	struct report_counts c = *counts;
	struct report_base b = *base;
	char names[PERIOD_MAX][40];
	int64_t *vals[PERIOD_MAX];
	sqlite3_stmt *st;
	size_t n;
	int r;

	period_names(names, vals, &c, &b, &n);
	for (size_t i = 0; i < n; i++) {
		r = prepare(s, "INSERT OR REPLACE INTO period (name, value) VALUES (?, ?)", &st);
		if (r < 0)
			return r;
		sqlite3_bind_text(st, 1, names[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, *vals[i]);
		r = done(s, st, "recording the counts");
		if (r < 0)
			return r;
	}
	return 0;
}

int tdb_period_save(struct tdb *s, const struct report_counts *counts,
		    const struct report_base *base)
{
	int r = exec(s, "BEGIN IMMEDIATE");

	if (r < 0)
		return r;
	r = period_write(s, counts, base);
	if (r == 0)
		r = exec(s, "COMMIT");
	if (r < 0)
		exec(s, "ROLLBACK");
	return r;
}

int tdb_report_sent(struct tdb *s, int64_t day, int schema, const char *payload,
		    const struct report_counts *left, const struct report_base *base)
{
	sqlite3_stmt *st;
	int r = exec(s, "BEGIN IMMEDIATE");

	if (r < 0)
		return r;
	r = prepare(s,
		    "INSERT OR REPLACE INTO last_report (id, day, schema_version, payload) "
		    "VALUES (1, ?, ?, ?)",
		    &st);
	if (r == 0) {
		sqlite3_bind_int64(st, 1, day);
		sqlite3_bind_int(st, 2, schema);
		sqlite3_bind_text(st, 3, payload, -1, SQLITE_STATIC);
		r = done(s, st, "recording the report");
	}
	if (r == 0)
		r = period_write(s, left, base);
	if (r == 0)
		r = exec(s, "COMMIT");
	if (r < 0)
		exec(s, "ROLLBACK");
	return r;
}

int tdb_last_report(struct tdb *s, int64_t *day, int *schema, char **payload)
{
	sqlite3_stmt *st;
	int r = prepare(s, "SELECT day, schema_version, payload FROM last_report", &st);

	if (r < 0)
		return r;
	r = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 2);

		*day = sqlite3_column_int64(st, 0);
		*schema = sqlite3_column_int(st, 1);
		*payload = strdup(p ? p : "");
		r = *payload ? 1 : -ENOMEM;
	}
	sqlite3_finalize(st);
	return r;
}
