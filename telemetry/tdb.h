/* SPDX-License-Identifier: MIT */
/* booth-telemetry's own SQLite file: the owner's consent (what, when, how), the counts gathered
 * for the next report, and the last report sent. Only booth-telemetry opens it. */
#ifndef BOOTH_TDB_H
#define BOOTH_TDB_H

#include "report.h"

#include <stdint.h>

struct tdb;

enum consent_decision {
	CONSENT_UNDECIDED,
	CONSENT_DECLINED,
	CONSENT_ACCEPTED,
};

struct consent {
	enum consent_decision decision;
	int schema;	    /* accepted schema version; 0 unless accepted */
	int64_t decided_ms; /* 0 while undecided */
	char how[17];	    /* "mqtt"; empty while undecided */
};

/* The decision's name: undecided, declined, accepted. */
const char *tdb_consent_name(enum consent_decision d);

/* Open (creating if needed) the file at PATH. Returns 0 and *ret, or -errno (logged). */
int tdb_open(const char *path, struct tdb **ret);
/* Accepts NULL, returns NULL. */
struct tdb *tdb_close(struct tdb *s);

/* The recorded consent (undecided in a new file). */
int tdb_consent(struct tdb *s, struct consent *ret);
/* Record C. Unless C accepts, the counts gathered for the next report are dropped in the same
 * transaction. Returns 0 or -errno. */
int tdb_consent_set(struct tdb *s, const struct consent *c);

/* The counts gathered for the next report and the last health counters seen (zero in a new
 * file). */
int tdb_period_load(struct tdb *s, struct report_counts *counts, struct report_base *base);
int tdb_period_save(struct tdb *s, const struct report_counts *counts,
		    const struct report_base *base);

/* Record that PAYLOAD (schema SCHEMA) was sent on DAY (days since 1970), replacing the last
 * report, together with the counts LEFT for the next one and BASE. Returns 0 or -errno. */
int tdb_report_sent(struct tdb *s, int64_t day, int schema, const char *payload,
		    const struct report_counts *left, const struct report_base *base);
/* The last report sent: returns 1 with *day, *schema and *payload (caller frees), 0 if none has
 * been sent, or -errno. */
int tdb_last_report(struct tdb *s, int64_t *day, int *schema, char **payload);

#endif
