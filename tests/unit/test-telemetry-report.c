/* SPDX-License-Identifier: MIT */
/* Unit tests for booth-telemetry's report (schema, buckets, bytes, schedule, health deltas) and
 * its database (consent, counts, last report). */
#include "harness.h"
#include "report.h"
#include "tdb.h"

#include <stdlib.h>
#include <unistd.h>

static void test_buckets(void)
{
	CHECK_STR(report_bucket_count(0), "0");
	CHECK_STR(report_bucket_count(1), "1-9");
	CHECK_STR(report_bucket_count(9), "1-9");
	CHECK_STR(report_bucket_count(10), "10-49");
	CHECK_STR(report_bucket_count(199), "50-199");
	CHECK_STR(report_bucket_count(200), "200+");
	CHECK_STR(report_bucket_count(1LL << 40), "200+");
	CHECK_STR(report_bucket_count(-3), "0");
	CHECK_STR(report_bucket_errors(2), "1-2");
	CHECK_STR(report_bucket_errors(3), "3-9");
	CHECK_STR(report_bucket_errors(10), "10+");
	CHECK_STR(report_bucket_restarts(1), "1");
	CHECK_STR(report_bucket_restarts(5), "2-5");
	CHECK_STR(report_bucket_restarts(6), "6+");
	CHECK_STR(report_bucket_uptime(3599), "<1h");
	CHECK_STR(report_bucket_uptime(3600), "1-6h");
	CHECK_STR(report_bucket_uptime(86399), "6-24h");
	CHECK_STR(report_bucket_uptime(86400), "1-7d");
	CHECK_STR(report_bucket_uptime(30 * 86400LL), "7d+");
}

static void test_build(void)
{
	struct report_input in = { .software = "0.1.0",
				   .uptime_s = 7200,
				   .camera = "ok",
				   .display = "fault",
				   .printer = "none" };
	char *bytes = NULL, err[256];
	size_t len = 0;

	in.counts.counter[REPORT_SESSIONS] = 12;
	in.counts.counter[REPORT_CAPTURES] = 48;
	in.counts.counter[REPORT_PRINT_ERRORS] = 3;
	in.counts.restarts[REPORT_CAMERA] = 1;
	REQUIRE(report_build(&in, &bytes, &len) == 0);
	CHECK_INT(len, ==, strlen(bytes));
	CHECK_STR(bytes,
		  "{\"schema\":1,\"software\":\"0.1.0\",\"uptime\":\"1-6h\","
		  "\"restarts\":{\"boothd\":\"0\",\"camera\":\"1\",\"ui\":\"0\","
		  "\"printer\":\"0\",\"telemetry\":\"0\"},\"sessions\":\"10-49\","
		  "\"captures\":\"10-49\",\"prints\":\"0\",\"errors\":{\"capture\":\"0\","
		  "\"print\":\"3-9\",\"camera\":\"0\",\"printer\":\"0\",\"storage\":\"0\"},"
		  "\"working\":{\"camera\":\"ok\",\"display\":\"fault\",\"printer\":\"none\"}}");
	CHECK_INT(report_validate(bytes, len, err, sizeof(err)), ==, 0);
	free(bytes);

	/* A build's own version string, or a device state the schema does not know, is not
	 * sent as it is. */
	in.software = "0.1.0-g1234abc";
	in.camera = "Simulated camera SN 42";
	REQUIRE(report_build(&in, &bytes, &len) == 0);
	CHECK(strstr(bytes, "\"software\":\"other\"") != NULL);
	CHECK(strstr(bytes, "\"camera\":\"unknown\"") != NULL);
	CHECK(!strstr(bytes, "1234abc") && !strstr(bytes, "SN 42"));
	CHECK_INT(report_validate(bytes, len, err, sizeof(err)), ==, 0);
	free(bytes);
}

static void test_validate(void)
{
	static const char good[] =
		"{\"schema\":1,\"software\":\"0.1.0\",\"uptime\":\"<1h\",\"restarts\":{\"boothd\":"
		"\"0\",\"camera\":\"0\",\"ui\":\"0\",\"printer\":\"0\",\"telemetry\":\"0\"},"
		"\"sessions\":\"0\",\"captures\":\"0\",\"prints\":\"0\",\"errors\":{\"capture\":"
		"\"0\",\"print\":\"0\",\"camera\":\"0\",\"printer\":\"0\",\"storage\":\"0\"},"
		"\"working\":{\"camera\":\"ok\",\"display\":\"ok\",\"printer\":\"ok\"}";
	static const char *const bad[] = {
		"\"host\":\"pi\"}", /* an extra field */
		"\"errors2\":{}}",  /* another */
		"}x",		    /* trailing bytes */
	};
	char buf[1024], err[256];

	snprintf(buf, sizeof(buf), "%s}", good);
	CHECK_INT(report_validate(buf, strlen(buf), err, sizeof(err)), ==, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "%s,%s", good, bad[i]);
		CHECK_MSG(report_validate(buf, strlen(buf), err, sizeof(err)) < 0, "%s", buf);
	}
	/* A missing field, a finer figure, a nested extra and another schema are refused. */
	CHECK(report_validate("{\"schema\":1}", 12, err, sizeof(err)) < 0);
	snprintf(buf, sizeof(buf), "%s}", good);
	memcpy(strstr(buf, "\"sessions\":\"0\""), "\"sessions\": 7 ", 14);
	CHECK(report_validate(buf, strlen(buf), err, sizeof(err)) < 0);
	snprintf(buf, sizeof(buf), "%s}", good);
	memcpy(strstr(buf, "\"schema\":1"), "\"schema\":2", 10);
	CHECK(report_validate(buf, strlen(buf), err, sizeof(err)) < 0);
	snprintf(buf, sizeof(buf), "%s}", good);
	memcpy(strstr(buf, "\"ui\":\"0\""), "\"id\":\"0\"", 8);
	CHECK(report_validate(buf, strlen(buf), err, sizeof(err)) < 0);
}

static void test_schedule(void)
{
	const int64_t day = 20000, midnight = day * 86400;
	static const uint32_t rnds[] = { 0, 1, 43199, 86399, 86400, 0xffffffffu, 123456789 };

	for (size_t i = 0; i < sizeof(rnds) / sizeof(rnds[0]); i++) {
		int64_t now = midnight + 50000, t;

		/* Nothing sent today: a moment in the rest of today. */
		t = report_next_time(now, day - 1, rnds[i]);
		CHECK(t >= now && t < midnight + 86400);
		t = report_next_time(now, -1, rnds[i]);
		CHECK(t >= now && t < midnight + 86400);
		/* Sent today: tomorrow, never sooner. */
		t = report_next_time(now, day, rnds[i]);
		CHECK(t >= midnight + 86400 && t < midnight + 2 * 86400LL);
		/* At 23:59:59 the rest of the day is one second. */
		t = report_next_time(midnight + 86399, day - 1, rnds[i]);
		CHECK_INT(t, ==, midnight + 86399);
	}
	/* Different random numbers, different moments: the time of day says nothing. */
	CHECK(report_next_time(midnight, day - 1, 1) != report_next_time(midnight, day - 1, 7));
}

static json_object *health(int64_t started, int sessions, int captures)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "started", json_object_new_int64(started));
	json_object_object_add(o, "sessions", json_object_new_int(sessions));
	json_object_object_add(o, "captures", json_object_new_int(captures));
	return o;
}

static void test_health(void)
{
	struct report_counts c = { { 0 }, { 0 } };
	struct report_base b = { 0, { 0 } };
	json_object *h;

	h = health(1000, 3, 12);
	report_add_health(&c, &b, h, false); /* not counting: only the base moves */
	json_object_put(h);
	CHECK_INT(c.counter[REPORT_SESSIONS], ==, 0);
	h = health(1000, 5, 20);
	report_add_health(&c, &b, h, true);
	json_object_put(h);
	CHECK_INT(c.counter[REPORT_SESSIONS], ==, 2);
	CHECK_INT(c.counter[REPORT_CAPTURES], ==, 8);
	/* boothd restarted: its counts start again from 0. */
	h = health(2000, 1, 4);
	report_add_health(&c, &b, h, true);
	json_object_put(h);
	CHECK_INT(c.counter[REPORT_SESSIONS], ==, 3);
	CHECK_INT(c.counter[REPORT_CAPTURES], ==, 12);
	CHECK_INT(b.started, ==, 2000);
	/* The same document twice counts once. */
	h = health(2000, 1, 4);
	report_add_health(&c, &b, h, true);
	json_object_put(h);
	CHECK_INT(c.counter[REPORT_SESSIONS], ==, 3);
}

static void test_store(void)
{
	char dir[] = "/tmp/booth-tel-XXXXXX", path[64], cmd[128], *payload = NULL;
	struct report_counts c = { { 0 }, { 0 } }, c2;
	struct report_base b = { 77, { 0 } }, b2;
	struct consent k, yes = { CONSENT_ACCEPTED, 1, 1764500000000, "mqtt" };
	struct tdb *s = NULL;
	int64_t day = 0;
	int schema = 0;

	REQUIRE(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	REQUIRE(tdb_open(path, &s) == 0);
	CHECK_INT(tdb_consent(s, &k), ==, 0);
	CHECK_INT(k.decision, ==, CONSENT_UNDECIDED);
	CHECK_INT(tdb_last_report(s, &day, &schema, &payload), ==, 0);
	CHECK_INT(tdb_consent_set(s, &yes), ==, 0);
	c.counter[REPORT_PRINTS] = 9;
	c.restarts[REPORT_UI] = 2;
	b.counter[REPORT_PRINTS] = 40;
	CHECK_INT(tdb_period_save(s, &c, &b), ==, 0);
	s = tdb_close(s);

	REQUIRE(tdb_open(path, &s) == 0);
	CHECK_INT(tdb_consent(s, &k), ==, 0);
	CHECK_INT(k.decision, ==, CONSENT_ACCEPTED);
	CHECK_INT(k.schema, ==, 1);
	CHECK_INT(k.decided_ms, ==, 1764500000000);
	CHECK_STR(k.how, "mqtt");
	CHECK_INT(tdb_period_load(s, &c2, &b2), ==, 0);
	CHECK_INT(c2.counter[REPORT_PRINTS], ==, 9);
	CHECK_INT(c2.restarts[REPORT_UI], ==, 2);
	CHECK_INT(b2.counter[REPORT_PRINTS], ==, 40);
	CHECK_INT(b2.started, ==, 77);

	/* A report sent: kept as sent, with what is left for the next one. */
	c.counter[REPORT_PRINTS] = 1;
	CHECK_INT(tdb_report_sent(s, 20400, 1, "{\"schema\":1}", &c, &b), ==, 0);
	CHECK_INT(tdb_last_report(s, &day, &schema, &payload), ==, 1);
	CHECK_INT(day, ==, 20400);
	CHECK_INT(schema, ==, 1);
	CHECK_STR(payload, "{\"schema\":1}");
	free(payload);

	/* Declined: the counts gathered are gone, the health base stays. */
	yes.decision = CONSENT_DECLINED;
	yes.schema = 0;
	CHECK_INT(tdb_consent_set(s, &yes), ==, 0);
	CHECK_INT(tdb_period_load(s, &c2, &b2), ==, 0);
	CHECK_INT(c2.counter[REPORT_PRINTS], ==, 0);
	CHECK_INT(c2.restarts[REPORT_UI], ==, 0);
	CHECK_INT(b2.counter[REPORT_PRINTS], ==, 40);
	CHECK_INT(tdb_consent(s, &k), ==, 0);
	CHECK_INT(k.decision, ==, CONSENT_DECLINED);
	s = tdb_close(s);

	/* Not a database: refused, not touched. */
	snprintf(path, sizeof(path), "%s/junk.db", dir);
	{
		FILE *f = fopen(path, "w");

		REQUIRE(f);
		fputs("this is not a database, not at all, really not one at all.......\n", f);
		fclose(f);
	}
	CHECK(tdb_open(path, &s) < 0);
	CHECK(s == NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), ==, 0);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "buckets", test_buckets },
		{ "build", test_build },
		{ "validate", test_validate },
		{ "schedule", test_schedule },
		{ "health", test_health },
		{ "store", test_store },
		{ NULL, NULL },
	};

	return test_main(argc, argv, tests);
}
