/* SPDX-License-Identifier: MIT */
/* boothd killed with SIGKILL in the middle of writes: the database stays intact and every
 * write it acknowledged is there. */
#include "env.h"
#include "harness.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#define ROUNDS	   4
#define REQUESTS   1500
#define KILL_AFTER 100

static struct env env;

struct acked {
	long long id;
	bool start; /* event_start (else event_end) */
	char name[32];
};

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/* Note an answer; successful ones are writes boothd said it committed. Consumes M. */
static void record(struct tmsg *m, struct acked *acks, int *nacks)
{
	json_object *o = json_tokener_parse(m->payload);
	json_object *data = get(o, "data");

	if (json_object_get_boolean(get(o, "ok")) && data) {
		struct acked *a = &acks[(*nacks)++];

		a->id = json_object_get_int64(get(data, "id"));
		a->start = strstr(m->topic, "event_start") != NULL;
		snprintf(a->name, sizeof(a->name), "%s", json_object_get_string(get(data, "name")));
	}
	json_object_put(o);
	tmsg_free(m);
}

/* Check every acknowledged write against the database file. */
static void verify(const struct acked *acks, int n)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	REQUIRE(sqlite3_open_v2(env.database, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
	REQUIRE(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	REQUIRE(sqlite3_prepare_v2(db, "SELECT name, ended IS NOT NULL FROM events WHERE id = ?",
				   -1, &st, NULL) == SQLITE_OK);
	for (int i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, acks[i].id);
		if (sqlite3_step(st) != SQLITE_ROW) {
			CHECK_MSG(false, "acknowledged event %lld is missing", acks[i].id);
			continue;
		}
		if (acks[i].start)
			CHECK_STR((const char *)sqlite3_column_text(st, 0), acks[i].name);
		else
			CHECK_MSG(sqlite3_column_int(st, 1) == 1, "event %lld lost its end",
				  acks[i].id);
	}
	sqlite3_finalize(st);
	/* At most one event runs, whatever happened. */
	REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM events WHERE ended IS NULL", -1, &st,
				   NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(st, 0), <=, 1);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_sigkill_during_writes(void)
{
	static struct acked acks[ROUNDS * REQUESTS];
	struct tclient *owner;
	int nacks = 0, seq = 0;
	pid_t pid;

	REQUIRE(env_start(&env, 5) == 0);
	owner = tclient_new(&env, "owner", NULL, false, NULL);
	REQUIRE(owner);
	tclient_subscribe(owner, "booth/" ENV_BOOTH "/availability/boothd");
	tclient_subscribe(owner, "booth/" ENV_BOOTH "/response/#");
	for (int round = 0; round < ROUNDS; round++) {
		int answered = 0, before = nacks;
		struct tmsg *m;

		pid = env_spawn(&env, "boothd");
		REQUIRE(tclient_wait_text(owner, "booth/" ENV_BOOTH "/availability/boothd",
					  "online", 10000));
		/* Queue a burst of writes, then kill boothd while it works through them. */
		for (int i = 0; i < REQUESTS; i++, seq++) {
			char payload[128];

			if (i % 2 == 0) {
				snprintf(payload, sizeof(payload),
					 "{\"name\":\"e%d\",\"transaction\":%d}", seq, seq);
				tclient_publish_nowait(
					owner, "booth/" ENV_BOOTH "/request/event_start", payload);
			} else {
				snprintf(payload, sizeof(payload), "{\"transaction\":%d}", seq);
				tclient_publish_nowait(
					owner, "booth/" ENV_BOOTH "/request/event_end", payload);
			}
		}
		while (answered < KILL_AFTER &&
		       (m = tclient_wait(owner, "booth/+/response/+", 10000))) {
			answered++;
			record(m, acks, &nacks);
		}
		CHECK_INT(answered, ==, KILL_AFTER);
		env_kill_daemon(&env, pid, SIGKILL);
		/* Answers already on their way count as acknowledged too. */
		while ((m = tclient_wait(owner, "booth/+/response/+", 300))) {
			record(m, acks, &nacks);
		}
		tclient_wait_text(owner, "booth/" ENV_BOOTH "/availability/boothd", "offline",
				  5000);
		fprintf(stderr, "round %d: killed with %d of %d writes acknowledged\n", round,
			nacks - before, REQUESTS);
		/* Killed mid-burst, not after it: otherwise this tests nothing. */
		CHECK_INT(nacks - before, <, REQUESTS);
		verify(acks, nacks);
	}
	fprintf(stderr, "%d acknowledged writes checked over %d kills\n", nacks, ROUNDS);
	CHECK_INT(nacks, >=, ROUNDS * KILL_AFTER / 2);
	tclient_free(owner);
	env_stop(&env);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "sigkill_during_writes", test_sigkill_during_writes },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
