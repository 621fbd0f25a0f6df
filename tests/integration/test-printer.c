/* SPDX-License-Identifier: MIT */
/* booth-printer against the real broker and a real IPP printer (ippeveprinter). */
#include "env.h"
#include "harness.h"

#include <dirent.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#define T_STATE "booth/" ENV_BOOTH "/printer/state"
#define T_PRINT "booth/" ENV_BOOTH "/printer/print"
#define T_JOB	"booth/" ENV_BOOTH "/events/print_job"

static struct env env;

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/* Wait for the next print_job event for KEY with STATE; returns the event or NULL. */
static json_object *wait_job(struct tclient *c, const char *key, const char *state, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, T_JOB, 200);
		json_object *o;

		if (!m)
			continue;
		o = json_tokener_parse(m->payload);
		tmsg_free(m);
		if (o && strcmp(json_object_get_string(get(o, "job")), key) == 0 &&
		    strcmp(json_object_get_string(get(o, "state")), state) == 0)
			return o;
		json_object_put(o);
	}
	return NULL;
}

static json_object *wait_status(struct tclient *c, const char *status, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, T_STATE, 200);
		json_object *o;

		if (!m)
			continue;
		o = json_tokener_parse(m->payload);
		tmsg_free(m);
		if (o && strcmp(json_object_get_string(get(o, "status")), status) == 0)
			return o;
		json_object_put(o);
	}
	return NULL;
}

static void print(struct tclient *c, const char *key, const char *path)
{
	char payload[512];

	snprintf(payload, sizeof(payload), "{\"job\":\"%s\",\"path\":\"%s\",\"session\":1}", key,
		 path);
	CHECK_INT(tclient_publish(c, T_PRINT, payload, (int)strlen(payload), NULL, NULL), ==, 0);
}

/* The received document for the job named booth-KEY equals the file at PATH. */
static bool received_equals(const char *key, const char *path)
{
	char dir[400], want[128], a[700], *x = NULL, *y = NULL;
	long nx, ny;
	bool same = false;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/received", env.printer_dir);
	snprintf(want, sizeof(want), "-booth-%s.", key);
	d = opendir(dir);
	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strstr(de->d_name, want))
			break;
	if (de) {
		snprintf(a, sizeof(a), "%s/%s", dir, de->d_name);
		nx = read_file_all(a, &x);
		ny = read_file_all(path, &y);
		same = nx > 0 && nx == ny && memcmp(x, y, (size_t)nx) == 0;
	}
	closedir(d);
	free(x);
	free(y);
	return same;
}

static void test_print_and_state(void)
{
	struct tclient *owner, *boothd;
	char photo[400];
	json_object *o;
	pid_t pid;

	REQUIRE(env_start(&env, 5) == 0);
	REQUIRE(env_printer_start(&env) == 0);
	snprintf(photo, sizeof(photo), "%s/strip.jpg", env.dir);
	REQUIRE(env_make_jpeg(photo, 64, 48) > 0);
	owner = tclient_new(&env, "owner", NULL, true, NULL);
	boothd = tclient_new(&env, "boothd", NULL, true, NULL);
	REQUIRE(owner && boothd);
	tclient_subscribe(owner, T_STATE);
	tclient_subscribe(boothd, T_JOB);
	pid = env_spawn(&env, "booth-printer");

	o = wait_status(owner, "idle", 10000);
	CHECK(o != NULL);
	CHECK_STR(json_object_get_string(get(o, "model")), "Booth Virtual photo printer");
	json_object_put(o);

	print(boothd, "s1-1", photo);
	o = wait_job(boothd, "s1-1", "queued", 10000);
	CHECK(o != NULL);
	CHECK(json_object_get_int(get(o, "ipp_job")) > 0);
	json_object_put(o);
	o = wait_job(boothd, "s1-1", "completed", 20000);
	CHECK(o != NULL);
	json_object_put(o);
	CHECK_INT(env_printer_received(&env), ==, 1);
	CHECK(received_equals("s1-1", photo));

	/* A second copy is a second job. */
	print(boothd, "s1-2", photo);
	json_object_put(wait_job(boothd, "s1-2", "completed", 20000));
	CHECK_INT(env_printer_received(&env), ==, 2);

	/* Bad commands are answered and booth-printer keeps serving. */
	print(boothd, "s1-3", "/nonexistent/strip.jpg");
	o = wait_job(boothd, "s1-3", "failed", 5000);
	CHECK(o != NULL);
	CHECK_STR(json_object_get_string(get(o, "error")),
		  "the strip to print is missing (No such file or directory)");
	json_object_put(o);
	CHECK_INT(tclient_publish(boothd, T_PRINT, "{\"job\":\"s1-4\",\"path\":7}", 23, NULL, NULL),
		  ==, 0);
	o = wait_job(boothd, "s1-4", "failed", 5000);
	CHECK(o != NULL);
	CHECK_STR(json_object_get_string(get(o, "error")), "the print command was malformed");
	json_object_put(o);
	CHECK_INT(tclient_publish(boothd, T_PRINT, "not json", 8, NULL, NULL), ==, 0);
	CHECK(env_alive(pid));
	CHECK_INT(env_printer_received(&env), ==, 2);

	/* The printer goes away: the state says so, and prints are held until it returns. */
	env_printer_stop(&env);
	o = wait_status(owner, "offline", 10000);
	CHECK(o != NULL);
	json_object_put(o);
	print(boothd, "s2-1", photo);
	o = wait_job(boothd, "s2-1", "held", 10000);
	CHECK(o != NULL);
	CHECK(o && strstr(json_object_get_string(get(o, "error")), "does not answer"));
	json_object_put(o);
	print(boothd, "s2-2", photo);
	json_object_put(wait_job(boothd, "s2-2", "held", 10000));
	REQUIRE(env_printer_start(&env) == 0);
	json_object_put(wait_status(owner, "idle", 10000));
	/* Both are sent, in order, once each: this printer takes one job at a time. */
	o = wait_job(boothd, "s2-1", "completed", 30000);
	CHECK(o != NULL);
	json_object_put(o);
	o = wait_job(boothd, "s2-2", "completed", 30000);
	CHECK(o != NULL);
	json_object_put(o);
	CHECK_INT(env_printer_received(&env), ==, 4);
	CHECK(received_equals("s2-1", photo));
	CHECK(received_equals("s2-2", photo));

	tclient_free(owner);
	tclient_free(boothd);
	env_kill_daemon(&env, pid, SIGTERM);
	env_stop(&env);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "print_and_state", test_print_and_state },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
