/* SPDX-License-Identifier: MIT */
/* The payload codec: JSON (json-c) checked against the topic table's schemas, both ways. */
#ifndef BOOTH_CODEC_H
#define BOOTH_CODEC_H

#include "topics.h"

#include <json-c/json.h>
#include <stddef.h>

/* Deepest nesting accepted in a payload. */
#define CODEC_MAX_DEPTH 8

/* Parse LEN bytes of PAYLOAD as a JSON object, no schema. Returns and fails as codec_parse(),
 * minus -EINVAL. An empty payload reads as {}. */
int codec_decode(const void *payload, size_t len, size_t limit, json_object **ret, char *err,
		 size_t errlen);

/* Parse LEN bytes of PAYLOAD as a JSON object and check it against T's fields. Requests may
 * also carry "transaction". On success returns 0 and a new reference in *ret. On failure returns
 * -EMSGSIZE (longer than LIMIT), -EBADMSG (not JSON, or not an object) or -EINVAL (schema), and
 * writes a message meant for the person who sent it into ERR. */
int codec_parse(const struct topic_def *t, const void *payload, size_t len, size_t limit,
		json_object **ret, char *err, size_t errlen);

/* Check OBJ (borrowed) against FIELDS. Unknown members are errors unless ALLOW_TXN and the
 * member is "transaction". Returns 0 or -EINVAL with a message in ERR. */
int codec_check(const struct field_def *fields, json_object *obj, int allow_txn, char *err,
		size_t errlen);

/* Serialize OBJ compactly; the string belongs to OBJ. */
const char *codec_string(json_object *obj, size_t *len);

#endif
