/* SPDX-License-Identifier: MIT */
/* The payload codec on json-c: strict parsing, depth and size limits, schema checks. */
#include "codec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *type_name(enum field_type t)
{
	switch (t) {
	case FIELD_STRING:
		return "a string";
	case FIELD_INT:
		return "a whole number";
	case FIELD_BOOL:
		return "true or false";
	case FIELD_OBJECT:
		return "an object";
	case FIELD_ARRAY:
		return "an array";
	case FIELD_TXN:
		return "a string or a whole number";
	case FIELD_NUMBER:
		return "a number";
	}
	return "?";
}

static bool choice_ok(const char *choices, const char *s)
{
	size_t n = strlen(s);

	for (const char *p = choices; p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && strncmp(p, s, n) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

static int check_field(const struct field_def *f, json_object *v, char *err, size_t errlen)
{
	enum json_type jt = json_object_get_type(v);

	if (jt == json_type_null) {
		if (f->nullable)
			return 0;
		snprintf(err, errlen, "'%s' must be %s, not null", f->name, type_name(f->type));
		return -EINVAL;
	}
	switch (f->type) {
	case FIELD_STRING: {
		size_t len;

		if (jt != json_type_string)
			break;
		len = (size_t)json_object_get_string_len(v);
		if ((long long)len < f->min || (long long)len > f->max) {
			snprintf(err, errlen, "'%s' must be %lld to %lld bytes long (got %zu)",
				 f->name, f->min, f->max, len);
			return -EINVAL;
		}
		if (strlen(json_object_get_string(v)) != len) {
			snprintf(err, errlen, "'%s' must not contain NUL characters", f->name);
			return -EINVAL;
		}
		if (f->choices && !choice_ok(f->choices, json_object_get_string(v))) {
			snprintf(err, errlen, "'%s' must be one of %s", f->name, f->choices);
			return -EINVAL;
		}
		return 0;
	}
	case FIELD_INT: {
		int64_t n;

		if (jt != json_type_int)
			break;
		n = json_object_get_int64(v);
		/* json-c saturates values it cannot hold; treat them as out of range. */
		if (n < f->min || n > f->max || n == INT64_MAX || n == INT64_MIN) {
			snprintf(err, errlen, "'%s' must be between %lld and %lld", f->name, f->min,
				 f->max);
			return -EINVAL;
		}
		return 0;
	}
	case FIELD_BOOL:
		if (jt != json_type_boolean)
			break;
		return 0;
	case FIELD_OBJECT:
		if (jt != json_type_object)
			break;
		return f->fields ? codec_check(f->fields, v, 0, err, errlen) : 0;
	case FIELD_ARRAY:
		if (jt != json_type_array)
			break;
		return 0;
	case FIELD_NUMBER: {
		double d;

		if (jt != json_type_int && jt != json_type_double)
			break;
		d = json_object_get_double(v);
		if (!isfinite(d) || d < (double)f->min || d > (double)f->max) {
			snprintf(err, errlen, "'%s' must be between %lld and %lld", f->name, f->min,
				 f->max);
			return -EINVAL;
		}
		return 0;
	}
	case FIELD_TXN:
		if (jt == json_type_int)
			return 0;
		if (jt != json_type_string)
			break;
		if (json_object_get_string_len(v) > f->max) {
			snprintf(err, errlen, "'%s' must be at most %lld bytes long", f->name,
				 f->max);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(err, errlen, "'%s' must be %s", f->name, type_name(f->type));
	return -EINVAL;
}

static const struct field_def txn_field = { "transaction", FIELD_TXN, false, false, 0, 64,
					    NULL,	   NULL,      NULL };

int codec_check(const struct field_def *fields, json_object *obj, int allow_txn, char *err,
		size_t errlen)
{
	const struct field_def *f;
	int r;

	if (!json_object_is_type(obj, json_type_object)) {
		snprintf(err, errlen, "the payload must be a JSON object");
		return -EINVAL;
	}
	if (!fields) /* any object */
		return 0;
	json_object_object_foreach(obj, key, val)
	{
		for (f = fields; f->name; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (!f->name && allow_txn && strcmp(key, "transaction") == 0)
			f = &txn_field;
		if (!f->name) {
			snprintf(err, errlen, "unknown field '%.64s'", key);
			return -EINVAL;
		}
		r = check_field(f, val, err, errlen);
		if (r < 0)
			return r;
	}
	for (f = fields; f->name; f++) {
		if (f->required && !json_object_object_get_ex(obj, f->name, NULL)) {
			snprintf(err, errlen, "'%s' is missing", f->name);
			return -EINVAL;
		}
	}
	return 0;
}

int codec_decode(const void *payload, size_t len, size_t limit, json_object **ret, char *err,
		 size_t errlen)
{
	json_tokener *tok;
	json_object *obj;
	enum json_tokener_error jerr;
	size_t end;

	if (len > limit) {
		snprintf(err, errlen, "payload of %zu bytes is larger than the limit of %zu", len,
			 limit);
		return -EMSGSIZE;
	}
	if (len == 0) {
		/* An empty payload is an empty request: handy from the command line. */
		payload = "{}";
		len = 2;
	}
	tok = json_tokener_new_ex(CODEC_MAX_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, payload, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue) {
		json_object_put(obj);
		snprintf(err, errlen, "invalid JSON: the payload ends too early");
		return -EBADMSG;
	}
	if (!obj || jerr != json_tokener_success) {
		json_object_put(obj);
		snprintf(err, errlen, "invalid JSON at byte %zu: %s", end,
			 json_tokener_error_desc(jerr));
		return -EBADMSG;
	}
	while (end < len && ((const char *)payload)[end] != '\0' &&
	       strchr(" \t\r\n", ((const char *)payload)[end]))
		end++;
	if (end != len) {
		json_object_put(obj);
		snprintf(err, errlen, "invalid JSON: unexpected data at byte %zu", end);
		return -EBADMSG;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		snprintf(err, errlen, "the payload must be a JSON object");
		return -EBADMSG;
	}
	*ret = obj;
	return 0;
}

int codec_parse(const struct topic_def *t, const void *payload, size_t len, size_t limit,
		json_object **ret, char *err, size_t errlen)
{
	json_object *obj;
	int r;

	r = codec_decode(payload, len, limit, &obj, err, errlen);
	if (r < 0)
		return r;
	r = codec_check(t->fields, obj, t->kind == TOPIC_REQUEST, err, errlen);
	if (r < 0) {
		json_object_put(obj);
		return r;
	}
	*ret = obj;
	return 0;
}

const char *codec_string(json_object *obj, size_t *len)
{
	return json_object_to_json_string_length(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
}
