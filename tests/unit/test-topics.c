/* SPDX-License-Identifier: MIT */
/* Unit tests for the topic table, the ACL made from it, and docs/mqtt-api.md against it. */
#include "harness.h"
#include "topics.h"
#include "util.h"

#include <stdlib.h>

#define DOC "docs/mqtt-api.md"

static bool is_user(const char *name, size_t len)
{
	for (const char *const *u = topic_users; *u; u++)
		if (strlen(*u) == len && strncmp(*u, name, len) == 0)
			return true;
	return false;
}

static void test_table_sane(void)
{
	for (const struct topic_def *t = topic_table; t->pattern; t++) {
		CHECK_MSG(strncmp(t->pattern, "booth/{booth}/", 14) == 0 ||
				  strncmp(t->pattern, "homeassistant/", 14) == 0,
			  "%s", t->pattern);
		CHECK_MSG(is_user(t->publisher, strlen(t->publisher)), "%s: publisher %s",
			  t->pattern, t->publisher);
		for (const char *p = t->subscribers; *p;) {
			size_t n = strcspn(p, " ");

			CHECK_MSG(is_user(p, n), "%s: subscriber %.*s", t->pattern, (int)n, p);
			p += n + (p[n] == ' ');
		}
		/* Only state and availability are retained; events never are. */
		CHECK_MSG(t->retain == (t->kind == TOPIC_STATE || t->kind == TOPIC_AVAILABILITY),
			  "%s: retain", t->pattern);
		CHECK_MSG(t->qos == 1, "%s: commands and events use QoS 1", t->pattern);
		CHECK_MSG(t->summary && *t->summary, "%s: summary", t->pattern);
		CHECK_MSG((t->payload == PAYLOAD_TEXT) == (t->choices != NULL), "%s", t->pattern);
		for (const struct topic_def *u = t + 1; u->pattern; u++)
			CHECK_MSG(strcmp(t->pattern, u->pattern) != 0, "%s twice", t->pattern);
	}
}

static void test_lookup(void)
{
	char buf[64];

	CHECK(topic_lookup("b1", "booth/b1/state") != NULL);
	CHECK(topic_lookup("b1", "booth/b2/state") == NULL);
	CHECK(topic_lookup("b1", "booth/b1/request/+") == NULL);
	CHECK(topic_request("event_start") != NULL);
	CHECK(topic_request("+") != NULL);
	CHECK(topic_request("format_disk") == NULL);
	CHECK_INT(topic_expand("booth/{booth}/state", "hall", buf, sizeof(buf)), ==, 0);
	CHECK_STR(buf, "booth/hall/state");
	CHECK_INT(topic_expand("booth/{booth}/state", "hall", buf, 10), <, 0);
}

static void test_acl(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	REQUIRE(f);
	CHECK_INT(topic_write_acl("b1", f), ==, 0);
	fclose(f);
	REQUIRE(text);
	CHECK(strstr(text, "user boothd\n") != NULL);
	CHECK(strstr(text, "topic write booth/b1/state\n") != NULL);
	CHECK(strstr(text, "topic read booth/b1/request/+\n") != NULL);
	/* boothd announces its own availability and reads the others'. */
	CHECK(strstr(text, "topic readwrite booth/b1/availability/boothd\n") != NULL);
	CHECK(strstr(text, "topic read booth/b1/availability/camera\n") != NULL);
	CHECK(strstr(text, "user owner\n") != NULL);
	/* The camera may announce only its own availability, not another's. */
	{
		const char *cam = strstr(text, "user camera\n");
		const char *next = cam ? strstr(cam + 1, "\nuser ") : NULL;

		REQUIRE(cam && next);
		CHECK(strstr(cam, "topic write booth/b1/availability/camera\n") < next);
		CHECK(!strstr(cam, "availability/boothd") ||
		      strstr(cam, "availability/boothd") > next);
	}
	CHECK(!strstr(text, "{booth}"));
	free(text);
}

/* The other direction: every field row ("| `name` | ...") of the first table in a topic's
 * section (from SEC to END) names a field of the topic's payload. */
static void check_doc_rows(const struct topic_def *t, const char *sec, const char *end)
{
	const char *p = strstr(sec, "\n| `");

	if (!t->fields || !p || p > end)
		return;
	for (; p && p < end && strncmp(p, "\n| `", 4) == 0; p = strchr(p + 1, '\n')) {
		const char *name = p + 4, *close = strchr(name, '`');
		bool found = false;

		if (!close || close > end)
			break;
		for (const struct field_def *fd = t->fields; fd->name; fd++)
			if (strlen(fd->name) == (size_t)(close - name) &&
			    strncmp(fd->name, name, (size_t)(close - name)) == 0)
				found = true;
		CHECK_MSG(found, "%s documents field %.*s, which its schema does not have",
			  t->pattern, (int)(close - name), name);
	}
}

/* Every topic in the table has a "### `pattern`" section in the doc with its publisher,
 * retain flag and QoS; every such section names a topic in the table. */
static void test_doc_matches_table(void)
{
	char *doc = NULL;
	long n = read_file(DOC, 1 << 20, &doc);
	char want[512];

	REQUIRE(n > 0);
	for (const struct topic_def *t = topic_table; t->pattern; t++) {
		const char *sec, *end;

		snprintf(want, sizeof(want), "\n### `%s`\n", t->pattern);
		sec = strstr(doc, want);
		CHECK_MSG(sec != NULL, "%s does not document %s", DOC, t->pattern);
		if (!sec)
			continue;
		sec += strlen(want);
		end = strstr(sec, "\n#");
		if (!end)
			end = sec + strlen(sec);
		snprintf(want, sizeof(want), "- Publisher: %s\n", t->publisher);
		CHECK_MSG(strstr(sec, want) && strstr(sec, want) < end, "%s: expected '%s'",
			  t->pattern, want);
		snprintf(want, sizeof(want), "- Retained: %s\n", t->retain ? "yes" : "no");
		CHECK_MSG(strstr(sec, want) && strstr(sec, want) < end, "%s: expected '%s'",
			  t->pattern, want);
		snprintf(want, sizeof(want), "- QoS: %d\n", t->qos);
		CHECK_MSG(strstr(sec, want) && strstr(sec, want) < end, "%s: expected '%s'",
			  t->pattern, want);
		/* Every field of the payload is named in the section. */
		for (const struct field_def *fd = t->fields; fd && fd->name; fd++) {
			snprintf(want, sizeof(want), "`%s`", fd->name);
			CHECK_MSG(strstr(sec, want) && strstr(sec, want) < end,
				  "%s: field %s not documented", t->pattern, fd->name);
		}
		check_doc_rows(t, sec, end);
	}
	for (const char *p = doc; (p = strstr(p, "\n### `"));) {
		const char *start = p + 6, *close = strchr(start, '`');
		bool found = false;

		REQUIRE(close);
		for (const struct topic_def *t = topic_table; t->pattern; t++)
			if (strlen(t->pattern) == (size_t)(close - start) &&
			    strncmp(t->pattern, start, (size_t)(close - start)) == 0)
				found = true;
		CHECK_MSG(found, "%s documents %.*s, which is not in the topic table", DOC,
			  (int)(close - start), start);
		p = close;
	}
	free(doc);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "table_sane", test_table_sane },
		{ "lookup", test_lookup },
		{ "acl", test_acl },
		{ "doc_matches_table", test_doc_matches_table },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
