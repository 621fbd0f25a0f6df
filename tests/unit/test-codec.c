/* SPDX-License-Identifier: MIT */
/* Unit tests for the payload codec: parsing limits and schema checks. */
#include "codec.h"
#include "harness.h"

#include <errno.h>
#include <stdlib.h>

static const struct topic_def *req(const char *cmd)
{
	const struct topic_def *t = topic_request(cmd);

	if (!t)
		test_fail(__FILE__, __LINE__, "no request %s", cmd);
	return t;
}

static int parse(const struct topic_def *t, const char *s, char *err, size_t n)
{
	json_object *o = NULL;
	int r = codec_parse(t, s, strlen(s), 1024, &o, err, n);

	if (r == 0 && !o)
		test_fail(__FILE__, __LINE__, "success without an object");
	json_object_put(o);
	return r;
}

static void test_valid(void)
{
	const struct topic_def *t = req("event_start");
	char err[256] = "";
	json_object *o = NULL;
	const char *s = "{\"name\":\"Wedding\",\"title\":\"Anna & Ben\",\"transaction\":\"t1\"}";

	REQUIRE(t);
	CHECK_INT(codec_parse(t, s, strlen(s), 1024, &o, err, sizeof(err)), ==, 0);
	REQUIRE(o);
	CHECK_STR(json_object_get_string(json_object_object_get(o, "title")), "Anna & Ben");
	json_object_put(o);
	/* Trailing whitespace (a shell's newline) is fine; an integer transaction too. */
	CHECK_INT(parse(t, "{\"name\":\"x\",\"transaction\":42}\n", err, sizeof(err)), ==, 0);
	/* An empty payload is an empty request. */
	CHECK_INT(parse(req("state"), "", err, sizeof(err)), ==, 0);
}

static void test_bad_json(void)
{
	static const char *const bad[] = {
		"{",
		"{\"name\":}",
		"[1,2]",
		"\"text\"",
		"42",
		"null",
		"{\"name\":\"x\"} junk",
		"{\"name\":\"x\",}",
		"{'name':'x'}",
		"{\"name\":\"x\"}{}",
		"\xff\xfe",
	};
	const struct topic_def *t = req("event_start");
	char err[256];

	REQUIRE(t);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK_MSG(parse(t, bad[i], err, sizeof(err)) == -EBADMSG, "accepted: %s", bad[i]);
		CHECK_MSG(err[0] != '\0', "no message for %s", bad[i]);
	}
	CHECK_INT(parse(t, "{\"name\":", err, sizeof(err)), ==, -EBADMSG);
	CHECK_STR(err, "invalid JSON: the payload ends too early");
	CHECK_INT(parse(t, "[]", err, sizeof(err)), ==, -EBADMSG);
	CHECK_STR(err, "the payload must be a JSON object");
}

static void test_depth_and_size(void)
{
	const struct topic_def *t = req("event_start");
	char err[256];
	char deep[128] = "{\"name\":";
	json_object *o = NULL;
	char *big;

	REQUIRE(t);
	for (int i = 0; i < 20; i++)
		strcat(deep, "[");
	CHECK_INT(parse(t, deep, err, sizeof(err)), ==, -EBADMSG);

	big = malloc(2000);
	REQUIRE(big);
	memset(big, ' ', 1999);
	big[1999] = '\0';
	CHECK_INT(codec_parse(t, big, 1999, 1024, &o, err, sizeof(err)), ==, -EMSGSIZE);
	CHECK_STR(err, "payload of 1999 bytes is larger than the limit of 1024");
	CHECK(o == NULL);
	free(big);
}

static void test_schema(void)
{
	static const struct {
		const char *cmd, *payload, *msg;
	} cases[] = {
		{ "event_start", "{}", "'name' is missing" },
		{ "event_start", "{\"name\":5}", "'name' must be a string" },
		{ "event_start", "{\"name\":\"\"}", "'name' must be 1 to 64 bytes long (got 0)" },
		{ "event_start", "{\"name\":null}", "'name' must be a string, not null" },
		{ "event_start", "{\"name\":\"a\",\"colour\":1}", "unknown field 'colour'" },
		{ "event_start", "{\"name\":\"a\\u0000b\"}",
		  "'name' must not contain NUL characters" },
		{ "event_start", "{\"name\":\"a\",\"transaction\":[1]}",
		  "'transaction' must be a string or a whole number" },
		{ "event_start", "{\"name\":\"a\",\"transaction\":true}",
		  "'transaction' must be a string or a whole number" },
		{ "state", "{\"x\":1}", "unknown field 'x'" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct topic_def *t = req(cases[i].cmd);

		REQUIRE(t);
		err[0] = '\0';
		CHECK_INT(parse(t, cases[i].payload, err, sizeof(err)), ==, -EINVAL);
		CHECK_STR(err, cases[i].msg);
	}
}

/* Outgoing payloads: the state document's schema, including choices, ranges and null. */
static void test_state_schema(void)
{
	const struct topic_def *t = topic_lookup("b1", "booth/b1/state");
	char err[256];

	REQUIRE(t);
	CHECK_INT(parse(t,
			"{\"state\":\"idle\",\"event\":null,\"sessions_today\":0,"
			"\"prints_today\":0,\"sessions_event\":0,\"photos_event\":0,\"prints_"
			"event\":0,"
			"\"printer\":\"idle\",\"prints_left\":null,\"camera\":\"ok\","
			"\"storage_free_mb\":100,\"blocked\":null,\"problems\":[],"
			"\"photos_today\":0,\"version\":\"1\",\"since\":5}",
			err, sizeof(err)),
		  ==, 0);
	CHECK_INT(parse(t,
			"{\"state\":\"dancing\",\"event\":null,\"sessions_today\":0,"
			"\"prints_today\":0,\"sessions_event\":0,\"photos_event\":0,\"prints_"
			"event\":0,"
			"\"printer\":\"idle\",\"prints_left\":null,\"camera\":\"ok\","
			"\"storage_free_mb\":100,\"blocked\":null,\"problems\":[],"
			"\"photos_today\":0,\"version\":\"1\",\"since\":5}",
			err, sizeof(err)),
		  ==, -EINVAL);
	CHECK_STR(err, "'state' must be one of idle|session|paused|attention");
	CHECK_INT(parse(t,
			"{\"state\":\"idle\",\"event\":{\"id\":1},\"sessions_today\":0,"
			"\"prints_today\":0,\"sessions_event\":0,\"photos_event\":0,\"prints_"
			"event\":0,"
			"\"printer\":\"idle\",\"prints_left\":null,\"camera\":\"ok\","
			"\"storage_free_mb\":100,\"blocked\":null,\"problems\":[],"
			"\"photos_today\":0,\"version\":\"1\",\"since\":5}",
			err, sizeof(err)),
		  ==, -EINVAL);
	CHECK_STR(err, "'name' is missing");
	CHECK_INT(parse(t,
			"{\"state\":\"idle\",\"event\":null,\"sessions_today\":-1,"
			"\"prints_today\":0,\"sessions_event\":0,\"photos_event\":0,\"prints_"
			"event\":0,"
			"\"printer\":\"idle\",\"prints_left\":null,\"camera\":\"ok\","
			"\"storage_free_mb\":100,\"blocked\":null,\"problems\":[],"
			"\"photos_today\":0,\"version\":\"1\",\"since\":5}",
			err, sizeof(err)),
		  ==, -EINVAL);
	CHECK_STR(err, "'sessions_today' must be between 0 and 2147483648");
	/* The transaction field is only for requests. */
	CHECK_INT(parse(t,
			"{\"state\":\"idle\",\"event\":null,\"sessions_today\":1,"
			"\"prints_today\":0,\"sessions_event\":0,\"photos_event\":0,\"prints_"
			"event\":0,"
			"\"printer\":\"idle\",\"prints_left\":null,\"camera\":\"ok\","
			"\"storage_free_mb\":100,\"blocked\":null,\"problems\":[],"
			"\"photos_today\":0,\"version\":\"1\",\"since\":5,\"transaction\":1}",
			err, sizeof(err)),
		  ==, -EINVAL);
}

/* Numbers: whole or not, bounded, and never a string, a boolean or null unless nullable. */
static void test_number(void)
{
	static const struct field_def fields[] = {
		{ "fps", FIELD_NUMBER, true, true, 0, 1000, NULL, NULL, "A rate." },
		{ NULL, FIELD_STRING, false, false, 0, 0, NULL, NULL, NULL },
	};
	static const struct {
		const char *json;
		const char *msg; /* NULL: valid */
	} cases[] = {
		{ "{\"fps\":29.97}", NULL },
		{ "{\"fps\":30}", NULL },
		{ "{\"fps\":0}", NULL },
		{ "{\"fps\":null}", NULL },
		{ "{\"fps\":1000.5}", "'fps' must be between 0 and 1000" },
		{ "{\"fps\":-0.1}", "'fps' must be between 0 and 1000" },
		{ "{\"fps\":1e999}", "'fps' must be between 0 and 1000" },
		{ "{\"fps\":\"30\"}", "'fps' must be a number" },
		{ "{\"fps\":true}", "'fps' must be a number" },
		{ "{}", "'fps' is missing" },
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *o = json_tokener_parse(cases[i].json);
		int r;

		err[0] = '\0';
		r = o ? codec_check(fields, o, 0, err, sizeof(err)) : -EBADMSG;
		json_object_put(o);
		if (!cases[i].msg) {
			CHECK_MSG(r == 0, "%s: %s", cases[i].json, err);
			continue;
		}
		CHECK_MSG(r == -EINVAL, "%s accepted", cases[i].json);
		CHECK_STR(err, cases[i].msg);
	}
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "valid", test_valid },
		{ "bad_json", test_bad_json },
		{ "depth_and_size", test_depth_and_size },
		{ "schema", test_schema },
		{ "state_schema", test_state_schema },
		{ "number", test_number },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
