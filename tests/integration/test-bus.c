/* SPDX-License-Identifier: MIT */
/* boothd on the real broker: retained state, last will, reconnect, ACL, bad requests. */
#include "env.h"
#include "harness.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#define T_AVAIL	  "booth/" ENV_BOOTH "/availability/boothd"
#define T_STATE	  "booth/" ENV_BOOTH "/state"
#define T_RESP	  "booth/" ENV_BOOTH "/response/#"
#define KEEPALIVE 5

static struct env env;

/* Start the broker and boothd; wait until boothd says it is online. */
static pid_t start_boothd(struct tclient **owner)
{
	pid_t pid;

	if (env_start(&env, KEEPALIVE) < 0)
		return -1;
	*owner = tclient_new(&env, "owner", NULL, false, NULL);
	if (!*owner) {
		test_fail(__FILE__, __LINE__, "owner cannot connect");
		return -1;
	}
	tclient_subscribe(*owner, T_AVAIL);
	tclient_subscribe(*owner, T_RESP);
	pid = env_spawn(&env, "boothd");
	if (!tclient_wait_text(*owner, T_AVAIL, "online", 10000)) {
		test_fail(__FILE__, __LINE__, "boothd never said online");
		return -1;
	}
	return pid;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static void test_retained_state(void)
{
	struct tclient *owner = NULL, *late = NULL;
	struct tmsg *m;
	json_object *o;
	pid_t pid = start_boothd(&owner);

	REQUIRE(pid > 0);
	/* A dashboard that connects after boothd published still gets the state. */
	late = tclient_new(&env, "owner", NULL, true, NULL);
	REQUIRE(late);
	CHECK_INT(tclient_subscribe(late, T_STATE), ==, 1);
	m = tclient_wait(late, T_STATE, 5000);
	CHECK(m != NULL);
	if (m) {
		CHECK(m->retain);
		o = json_tokener_parse(m->payload);
		/* No camera runs in this test: the booth needs attention. */
		CHECK_STR(json_object_get_string(get(o, "state")), "attention");
		CHECK(json_object_is_type(get(o, "event"), json_type_null));
		CHECK_STR(json_object_get_string(get(o, "version")), "0.1.0");
		json_object_put(o);
		tmsg_free(m);
	}
	/* And the availability, retained too. */
	CHECK_INT(tclient_subscribe(late, T_AVAIL), ==, 1);
	CHECK(tclient_wait_text(late, T_AVAIL, "online", 5000));
	tclient_free(late);
	tclient_free(owner);
	env_kill_daemon(&env, pid, SIGTERM);
	env_stop(&env);
}

static void test_will_on_sigkill(void)
{
	struct tclient *owner = NULL;
	pid_t pid = start_boothd(&owner);
	long long t0;

	REQUIRE(pid > 0);
	t0 = env_ms();
	env_kill_daemon(&env, pid, SIGKILL);
	/* The last will says offline within the keepalive (1.5x is the broker's grace). */
	CHECK(tclient_wait_text(owner, T_AVAIL, "offline", KEEPALIVE * 1500));
	fprintf(stderr, "offline after %lld ms\n", env_ms() - t0);
	tclient_free(owner);
	env_stop(&env);
}

/* A boothd that hangs (SIGSTOP: its socket stays open but silent) is declared offline by the
 * broker once 1.5 keepalives pass without a ping; Mosquitto 2.0 notices on a periodic check,
 * which took 11 s with a 5 s keepalive here, so allow 3 keepalives. */
static void test_will_on_hang(void)
{
	struct tclient *owner = NULL;
	pid_t pid = start_boothd(&owner);
	long long t0;

	REQUIRE(pid > 0);
	t0 = env_ms();
	kill(pid, SIGSTOP);
	CHECK(tclient_wait_text(owner, T_AVAIL, "offline", KEEPALIVE * 3000));
	fprintf(stderr, "offline after %lld ms\n", env_ms() - t0);
	kill(pid, SIGCONT);
	/* Once it runs again it notices, reconnects and says online. */
	CHECK(tclient_wait_text(owner, T_AVAIL, "online", 15000));
	tclient_free(owner);
	env_kill_daemon(&env, pid, SIGTERM);
	env_stop(&env);
}

static void test_clean_stop_says_offline(void)
{
	struct tclient *owner = NULL;
	pid_t pid = start_boothd(&owner);
	int status;

	REQUIRE(pid > 0);
	status = env_kill_daemon(&env, pid, SIGTERM);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(tclient_wait_text(owner, T_AVAIL, "offline", 2000));
	tclient_free(owner);
	env_stop(&env);
}

static void test_reconnect_after_broker_restart(void)
{
	struct tclient *owner = NULL, *again;
	json_object *o;
	pid_t pid = start_boothd(&owner);

	REQUIRE(pid > 0);
	tclient_free(owner);
	env_broker_stop(&env, SIGKILL);
	/* boothd keeps running while the broker is away. */
	usleep(1500 * 1000);
	CHECK(env_alive(pid));
	REQUIRE(env_broker_start(&env) == 0);
	again = tclient_new(&env, "owner", NULL, false, NULL);
	REQUIRE(again);
	tclient_subscribe(again, T_AVAIL);
	tclient_subscribe(again, T_STATE);
	tclient_subscribe(again, T_RESP);
	/* The broker kept nothing (no persistence): all of this is boothd republishing. */
	CHECK(tclient_wait_text(again, T_AVAIL, "online", 10000));
	tmsg_free(tclient_wait(again, T_STATE, 5000));
	o = tclient_request(again, "state", "{}", 5000);
	CHECK(o && json_object_get_boolean(get(o, "ok")));
	json_object_put(o);
	tclient_free(again);
	env_kill_daemon(&env, pid, SIGTERM);
	env_stop(&env);
}

static void test_acl(void)
{
	struct tclient *owner = NULL, *camera, *spy;
	char denied[] = "{\"state\":\"idle\"}";
	struct tmsg *m;
	int rc = -1;
	pid_t pid = start_boothd(&owner);

	REQUIRE(pid > 0);
	camera = tclient_new(&env, "camera", NULL, true, NULL);
	REQUIRE(camera);
	tclient_subscribe(owner, T_STATE);
	tmsg_free(tclient_wait(owner, T_STATE, 3000));

	/* Under v5 the broker says "not authorized" (135) to a publish outside the ACL... */
	CHECK_INT(tclient_publish(camera, T_STATE, denied, (int)strlen(denied), NULL, NULL), ==,
		  135);
	CHECK_INT(tclient_publish(camera, "booth/" ENV_BOOTH "/availability/boothd", "offline", 7,
				  NULL, NULL),
		  ==, 135);
	CHECK_INT(tclient_publish(camera, "booth/" ENV_BOOTH "/request/event_end", "{}", 2, NULL,
				  NULL),
		  ==, 135);
	/* ...and the message never arrives. */
	CHECK(!tclient_got(owner, T_STATE, 500));
	CHECK(!tclient_got(owner, "booth/" ENV_BOOTH "/response/event_end", 300));
	/* Its own topic is fine. */
	CHECK_INT(tclient_publish(camera, "booth/" ENV_BOOTH "/availability/camera", "online", 6,
				  NULL, NULL),
		  ==, 0);
	/* Mosquitto grants any subscription but delivers only what the ACL lets the user read:
	 * the camera sees neither the retained state nor the owner's commands. */
	CHECK(tclient_subscribe(camera, "#") >= 0);
	CHECK(tclient_subscribe(camera, "booth/" ENV_BOOTH "/request/+") >= 0);
	CHECK_INT(tclient_publish(owner, "booth/" ENV_BOOTH "/request/state", "{}", 2, NULL, NULL),
		  ==, 0);
	tmsg_free(tclient_wait(owner, "booth/" ENV_BOOTH "/response/state", 3000));
	m = tclient_wait(camera, "#", 1000);
	CHECK_MSG(m == NULL, "camera read %s", m ? m->topic : "");
	tmsg_free(m);
	/* Owners cannot forge the booth's state or another process's availability... */
	spy = tclient_new(&env, "owner", NULL, true, NULL);
	REQUIRE(spy);
	CHECK_INT(tclient_publish(spy, T_STATE, denied, (int)strlen(denied), NULL, NULL), ==, 135);
	CHECK_INT(tclient_publish(spy, "booth/" ENV_BOOTH "/availability/printer", "online", 6,
				  NULL, NULL),
		  ==, 135);
	/* ...nor read another booth's topics. */
	CHECK(tclient_subscribe(spy, "booth/#") >= 0);
	CHECK(tclient_got(spy, "booth/" ENV_BOOTH "/state", 3000));
	CHECK(!tclient_got(spy, "booth/other/#", 300));
	tclient_free(spy);
	/* No anonymous clients, no wrong passwords. */
	CHECK(tclient_new(&env, "owner", "wrong-password-123", true, &rc) == NULL);
	CHECK_INT(rc, ==, 135);
	CHECK(tclient_new(&env, "nobody", "wrong-password-123", false, &rc) == NULL);
	CHECK(env_alive(pid));
	tclient_free(camera);
	tclient_free(owner);
	env_kill_daemon(&env, pid, SIGTERM);
	env_stop(&env);
}

static void check_error(struct tclient *owner, const char *command, const char *payload,
			const char *want)
{
	json_object *o = tclient_request(owner, command, payload, 5000);

	CHECK_MSG(o != NULL, "no answer to %s", command);
	if (!o)
		return;
	CHECK_MSG(!json_object_get_boolean(get(o, "ok")), "%s accepted", payload);
	CHECK_STR(json_object_get_string(get(o, "error")), want);
	json_object_put(o);
}

static void test_bad_requests(void)
{
	struct tclient *owner = NULL, *v5;
	json_object *o;
	struct tmsg *m;
	char *big;
	pid_t pid = start_boothd(&owner);

	REQUIRE(pid > 0);
	check_error(owner, "event_start", "{\"name\":", "invalid JSON: the payload ends too early");
	check_error(owner, "event_start", "{\"name\" \"x\"}",
		    "invalid JSON at byte 8: object property name separator ':' expected");
	check_error(owner, "event_start", "[1]", "the payload must be a JSON object");
	check_error(owner, "event_start", "{\"name\":42}", "'name' must be a string");
	check_error(owner, "event_start", "{\"name\":\"\"}",
		    "'name' must be 1 to 64 bytes long (got 0)");
	check_error(owner, "event_start", "{\"title\":\"x\"}", "'name' is missing");
	check_error(owner, "event_start", "{\"name\":\"x\",\"colour\":\"red\"}",
		    "unknown field 'colour'");
	check_error(owner, "reboot", "{}",
		    "unknown command 'reboot' (known: state, event_start, event_end, "
		    "session_start, session_cancel, print_cancel, reprint, paper_loaded, "
		    "printing, copies, settings, pause, resume, get, delete_session, "
		    "purge_event, print_test)");
	check_error(owner, "event_end", "{}", "no event is running");

	/* Oversize payloads (below the broker's packet limit) are answered too. */
	big = malloc(20001);
	REQUIRE(big);
	memset(big, ' ', 20000);
	big[0] = '{';
	big[19999] = '}';
	big[20000] = '\0';
	check_error(owner, "event_start", big,
		    "payload of 20000 bytes is larger than the limit of 16384");
	free(big);

	/* The transaction comes back, also with errors. */
	o = tclient_request(owner, "event_start", "{\"name\":7,\"transaction\":\"t-77\"}", 5000);
	CHECK(o != NULL);
	CHECK_STR(json_object_get_string(get(o, "transaction")), "t-77");
	json_object_put(o);

	/* MQTT v5: answers go to the response topic with the correlation data. */
	v5 = tclient_new(&env, "owner", NULL, true, NULL);
	REQUIRE(v5);
	CHECK_INT(tclient_subscribe(v5, "booth/" ENV_BOOTH "/response/me/#"), ==, 1);
	CHECK_INT(tclient_publish(v5, "booth/" ENV_BOOTH "/request/event_start",
				  "{\"name\":\"gala\"}", 15, "booth/" ENV_BOOTH "/response/me/1",
				  "corr-1"),
		  ==, 0);
	m = tclient_wait(v5, "booth/" ENV_BOOTH "/response/me/1", 5000);
	CHECK(m != NULL);
	if (m) {
		o = json_tokener_parse(m->payload);
		CHECK(json_object_get_boolean(get(o, "ok")));
		CHECK_STR(json_object_get_string(get(get(o, "data"), "name")), "gala");
		CHECK_STR(m->correlation, "corr-1");
		json_object_put(o);
		tmsg_free(m);
	}
	/* A response topic the booth may not publish to is refused on the default topic. */
	CHECK_INT(tclient_subscribe(v5, "booth/" ENV_BOOTH "/response/state"), ==, 1);
	CHECK_INT(tclient_publish(v5, "booth/" ENV_BOOTH "/request/state", "{}", 2, "elsewhere/x",
				  NULL),
		  ==, 0);
	m = tclient_wait(v5, "booth/" ENV_BOOTH "/response/state", 5000);
	CHECK(m &&
	      strstr(m->payload, "the response topic must be below booth/" ENV_BOOTH "/response/"));
	tmsg_free(m);
	tclient_free(v5);

	/* After all that, boothd still serves. (Let the owner receive the error above first.) */
	CHECK(env_alive(pid));
	tclient_pump(owner, 300);
	o = tclient_request(owner, "state", "", 5000);
	CHECK_MSG(o && json_object_get_boolean(get(o, "ok")), "%s",
		  o ? json_object_get_string(o) : "no answer");
	CHECK_STR(json_object_get_string(get(get(get(o, "data"), "event"), "name")), "gala");
	json_object_put(o);
	check_error(owner, "event_start", "{\"name\":\"two\"}",
		    "the event 'gala' is running; end it first");
	tclient_free(owner);
	env_kill_daemon(&env, pid, SIGTERM);
	env_stop(&env);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "retained_state", test_retained_state },
		{ "will_on_sigkill", test_will_on_sigkill },
		{ "will_on_hang", test_will_on_hang },
		{ "clean_stop_says_offline", test_clean_stop_says_offline },
		{ "reconnect_after_broker_restart", test_reconnect_after_broker_restart },
		{ "acl", test_acl },
		{ "bad_requests", test_bad_requests },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
