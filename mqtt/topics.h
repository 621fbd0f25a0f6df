/* SPDX-License-Identifier: MIT */
/* The bus contract: every topic, who publishes and who reads it, its retain flag and QoS, and
 * the schema of its payload. The broker's ACL and the docs check are generated from this table. */
#ifndef BOOTH_TOPICS_H
#define BOOTH_TOPICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Placeholder in patterns, replaced by the booth id. */
#define TOPIC_BOOTH "{booth}"

enum field_type {
	FIELD_STRING, /* min/max bound the length in bytes */
	FIELD_INT,    /* min/max bound the value */
	FIELD_BOOL,
	FIELD_OBJECT, /* with sub-fields */
	FIELD_ARRAY,
	FIELD_TXN,    /* a string (max chars) or an integer: the request's "transaction" */
	FIELD_NUMBER, /* a number, whole or not; min/max bound the value */
};

struct field_def {
	const char *name;
	enum field_type type;
	bool required;
	bool nullable;
	long long min, max;
	const char *choices;		/* for strings: "a|b|c", or NULL */
	const struct field_def *fields; /* for objects: ends with a NULL name; NULL = anything */
	const char *doc;
};

enum topic_kind {
	TOPIC_AVAILABILITY, /* retained "online" / "offline", set by the last will */
	TOPIC_STATE,	    /* retained JSON document */
	TOPIC_REQUEST,	    /* a command; answered on a response topic */
	TOPIC_RESPONSE,	    /* {"ok":...} answers */
	TOPIC_EVENT,	    /* something happened; never retained */
	TOPIC_COMMAND,	    /* one process asks another; answered by an event */
};

enum payload_kind {
	PAYLOAD_JSON,	/* a JSON object validated against fields */
	PAYLOAD_TEXT,	/* plain text, one of choices */
	PAYLOAD_BINARY, /* bytes (a JPEG), published with bus_publish_bytes() */
};

struct topic_def {
	const char *pattern; /* "booth/{booth}/state"; '+' and '#' allowed as in MQTT */
	enum topic_kind kind;
	const char *publisher;	 /* MQTT user that publishes it */
	const char *subscribers; /* space-separated MQTT users that read it */
	bool retain;
	int qos;
	enum payload_kind payload;
	const char *choices;		/* PAYLOAD_TEXT */
	const struct field_def *fields; /* PAYLOAD_JSON; NULL name ends; for requests: arguments */
	const char *summary;
};

/* Every topic; ends with an entry whose pattern is NULL. */
extern const struct topic_def topic_table[];

/* The MQTT users, in the order credentials are generated; ends with NULL. */
extern const char *const topic_users[];

/* The entry whose pattern, with {booth} replaced by BOOTH, equals TOPIC exactly (wildcard
 * entries are not matched), or NULL. */
const struct topic_def *topic_lookup(const char *booth, const char *topic);

/* Write PATTERN with {booth} replaced by BOOTH into BUF. Returns 0 or -ENAMETOOLONG. */
int topic_expand(const char *pattern, const char *booth, char *buf, size_t n);

/* The request entry for COMMAND, or NULL. */
const struct topic_def *topic_request(const char *command);

/* Write the Mosquitto ACL that allows each user exactly its topics to F. Returns 0 or -errno. */
int topic_write_acl(const char *booth, FILE *f);

#endif
