/* SPDX-License-Identifier: MIT */
/* Cutting strips: booth-printer asks a real printer (ippeveprinter, and a private cupsd queue) for
 * the configured cut exactly when the strip's layout wants it, and prints uncut what the printer
 * says it cannot cut. */
#include "env.h"
#include "harness.h"

#include <cups/cups.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#define T(x) "booth/" ENV_BOOTH "/" x

/* A printer that can cut: finishings 'trim' (11) besides 'none'. */
#define CUTTING_PRINTER "ATTR enum finishings-supported 3,11\nATTR enum finishings-default 3\n"

static struct env env;
static char photo[400];

/* Start the broker with EXTRA in booth.conf, the virtual printer (with ATTRS, may be NULL) and a
 * client (as boothd) subscribed to the printer's state and jobs. Returns the client, or NULL. */
static struct tclient *setup(const char *extra, const char *attrs)
{
	struct tclient *c = NULL;

	if (env_start_conf(&env, 5, extra) == 0 && env_printer_start_attrs(&env, attrs) == 0) {
		snprintf(photo, sizeof(photo), "%s/strip.jpg", env.dir);
		if (env_make_jpeg(photo, 48, 32) > 0)
			c = tclient_new(&env, "boothd", NULL, true, NULL);
	}
	if (!c) {
		env_stop(&env);
		return NULL;
	}
	tclient_subscribe(c, T("printer/state"));
	tclient_subscribe(c, T("events/print_job"));
	return c;
}

/* setup(), then booth-printer (its pid in *PID). */
static struct tclient *start(const char *extra, const char *attrs, pid_t *pid)
{
	struct tclient *c = setup(extra, attrs);

	*pid = c ? env_spawn(&env, "booth-printer") : -1;
	return c;
}

static void finish(struct tclient *c, pid_t pid)
{
	tclient_free(c);
	env_kill_daemon(&env, pid, SIGTERM);
	env_stop(&env);
}

/* Wait for a printer/state whose cut is CUT; returns whether it came. */
static bool wait_cut(struct tclient *c, const char *cut, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline) {
		struct tmsg *m = tclient_wait(c, T("printer/state"), 200);
		json_object *o = m ? json_tokener_parse(m->payload) : NULL;
		bool match = o && strcmp(env_json_str(o, "cut"), cut) == 0;

		tmsg_free(m);
		json_object_put(o);
		if (match)
			return true;
	}
	return false;
}

/* Ask for KEY with CUT ("true", "false", or NULL: no cut field) and wait until it completed.
 * Returns the printer's job id, or -1. */
static int print_completed(struct tclient *c, const char *key, const char *cut)
{
	char payload[700];
	long long deadline = env_ms() + 30000;
	int id = -1;

	snprintf(payload, sizeof(payload), "{\"job\":\"%s\",\"path\":\"%s\"%s%s}", key, photo,
		 cut ? ",\"cut\":" : "", cut ? cut : "");
	CHECK_INT(tclient_publish(c, T("printer/print"), payload, (int)strlen(payload), NULL, NULL),
		  ==, 0);
	while (env_ms() < deadline && id < 0) {
		struct tmsg *m = tclient_wait(c, T("events/print_job"), 200);
		json_object *o = m ? json_tokener_parse(m->payload) : NULL;

		if (o && strcmp(env_json_str(o, "job"), key) == 0) {
			CHECK_MSG(strcmp(env_json_str(o, "state"), "failed") != 0, "%s failed: %s",
				  key, env_json_str(o, "error"));
			if (strcmp(env_json_str(o, "state"), "completed") == 0)
				id = json_object_get_int(env_json_get(o, "ipp_job"));
			else if (strcmp(env_json_str(o, "state"), "failed") == 0)
				deadline = 0;
		}
		tmsg_free(m);
		json_object_put(o);
	}
	CHECK_MSG(id > 0, "%s did not complete", key);
	return id;
}

/* The job attributes the virtual printer's print command saw for the job named booth-KEY (its
 * IPP_* environment, one per line), or NULL. Caller frees. */
static char *printed_attrs(const char *key)
{
	char cmd[600], path[500], *text = NULL;
	size_t n;
	FILE *p;

	/* received/job-NNNN-booth-KEY.jpg goes with received/job-NNNN.attrs. */
	snprintf(
		cmd, sizeof(cmd),
		"cd '%s/received' && ls | sed -n 's/^\\(job-[0-9]*\\)-booth-%s\\.jpg$/\\1.attrs/p'",
		env.printer_dir, key);
	n = (size_t)snprintf(path, sizeof(path), "%s/received/", env.printer_dir);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	if (!fgets(path + n, (int)(sizeof(path) - n), p))
		path[n] = '\0';
	pclose(p);
	path[strcspn(path, "\n")] = '\0';
	if (path[n] == '\0' || read_file_all(path, &text) < 0)
		return NULL;
	return text;
}

/* Whether the printed job named booth-KEY carried LINE among its attributes: a whole line
 * ("IPP_FINISHINGS=trim"), or any value when LINE ends with '=' ("IPP_FINISHINGS="). */
static bool printed_with(const char *key, const char *line)
{
	char *text = printed_attrs(key), *hit;
	size_t n = strlen(line);
	bool found = false;

	CHECK_MSG(text != NULL, "the printer did not print %s", key);
	for (hit = text; text && (hit = strstr(hit, line)); hit += n) {
		if ((hit == text || hit[-1] == '\n') &&
		    (line[n - 1] == '=' || hit[n] == '\n' || hit[n] == '\0')) {
			found = true;
			break;
		}
	}
	free(text);
	return found;
}

/* One case against the virtual printer: booth.conf lines, the printer's extra attributes, what
 * printer/state must say about cutting, and prints with the attribute line each must (or must
 * not) have carried. */
struct cut_case {
	const char *conf, *attrs, *state;
	struct {
		const char *key, *cut; /* cut: "true", "false" or NULL (no field) */
		const char *line;
		bool carried;
	} prints[4];
};

static void run_case(const struct cut_case *t)
{
	pid_t pid;
	struct tclient *c = start(t->conf, t->attrs, &pid);
	int n = 0;

	REQUIRE(c);
	CHECK_MSG(wait_cut(c, t->state, 10000), "printer/state never said cut: %s", t->state);
	for (; n < 4 && t->prints[n].key; n++)
		print_completed(c, t->prints[n].key, t->prints[n].cut);
	for (int i = 0; i < n; i++)
		CHECK_MSG(printed_with(t->prints[i].key, t->prints[i].line) == t->prints[i].carried,
			  "%s: %s %s", t->prints[i].key, t->prints[i].line,
			  t->prints[i].carried ? "missing" : "present");
	/* Each once, none lost, and booth-printer still serving. */
	CHECK_INT(env_printer_received(&env), ==, n);
	CHECK(env_alive(pid));
	finish(c, pid);
}

/* An IPP Everywhere printer that can cut: finishings trim exactly on strips that want it, and the
 * printer's own default is not mistaken for the job's finishings. */
static void test_finishings(void)
{
	static const struct cut_case t = {
		"cut = finishings\n",
		CUTTING_PRINTER,
		"supported",
		{ { "s1-1-c1", "true", "IPP_FINISHINGS=trim", true },
		  { "s2-2-c1", "false", "IPP_FINISHINGS=", false },
		  { "s3-3-c1", NULL, "IPP_FINISHINGS=", false },
		  { "s4-4-c1", "false", "IPP_FINISHINGS_DEFAULT=none", true } },
	};

	run_case(&t);
}

/* Another finishings value from booth.conf is sent as it is. */
static void test_finishings_value(void)
{
	static const struct cut_case t = {
		"cut = finishings\ncut_finishings = 60\n",
		"ATTR enum finishings-supported 3,11,60\nATTR enum finishings-default 3\n",
		"supported",
		{ { "s1-1-c1", "true", "IPP_FINISHINGS=trim-after-pages", true } },
	};

	run_case(&t);
}

/* A printer whose finishings-supported is only 'none': the strip prints, uncut, and printer/state
 * says so. Nothing is lost and nothing fails. */
static void test_finishings_unsupported(void)
{
	static const struct cut_case t = {
		"cut = finishings\n",
		NULL,
		"unsupported",
		{ { "s1-1-c1", "true", "IPP_FINISHINGS=", false } },
	};

	run_case(&t);
}

/* With no cut configured (the default), a strip that wants one is printed as it is. */
static void test_no_cut_configured(void)
{
	static const struct cut_case t = {
		NULL,
		CUTTING_PRINTER,
		"none",
		{ { "s1-1-c1", "true", "IPP_FINISHINGS=", false } },
	};

	run_case(&t);
}

/* The cupsd job's attribute NAME as text ("" when the job has none). */
static void cupsd_job_attr(int job_id, const char *name, char *buf, size_t n)
{
	char uri[128];
	ipp_t *req, *resp;
	ipp_attribute_t *a;

	buf[0] = '\0';
	snprintf(uri, sizeof(uri), "ipp://127.0.0.1:%d/printers/booth", env.cupsd_port);
	req = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
	ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", NULL, "all");
	resp = cupsDoRequest(CUPS_HTTP_DEFAULT, req, "/");
	CHECK_MSG(resp && cupsLastError() <= IPP_STATUS_OK_CONFLICTING, "Get-Job-Attributes: %s",
		  cupsLastErrorString());
	a = resp ? ippFindAttribute(resp, name, IPP_TAG_ZERO) : NULL;
	if (a)
		ippAttributeString(a, buf, n);
	ippDelete(resp);
}

/* Point booth.conf's [printer] destination at the private cupsd's queue instead of the printer
 * (env_start_conf() sets it, and a key may be set once). */
static int use_queue(void)
{
	char *text = NULL, *at;
	FILE *f;
	int r = -1;

	if (read_file_all(env.conf, &text) > 0 && (at = strstr(text, "destination = ")) &&
	    (f = fopen(env.conf, "w"))) {
		fprintf(f, "%.*sdestination = booth%s", (int)(at - text), text, strchr(at, '\n'));
		r = fclose(f) == 0 ? 0 : -1;
	}
	free(text);
	return r;
}

/* A CUPS queue (its driver's options are not reported over IPP): the named options reach the job
 * exactly when the strip wants cutting. */
static void test_option_through_cupsd(void)
{
	static const struct {
		bool cut;
		const char *name, *value; /* "": the job has no such attribute */
	} want[] = {
		{ true, "job-name", "booth-s1-1-c1" },
		{ true, "PageSize", "w288h432-div2" },
		{ true, "StpNoCutWaste", "true" },
		{ false, "job-name", "booth-s2-2-c1" },
		{ false, "PageSize", "" },
		{ false, "StpNoCutWaste", "" },
	};
	struct tclient *c;
	char value[128];
	pid_t pid;
	int cut, uncut;

	c = setup("cut = option\ncut_option = PageSize=w288h432-div2 StpNoCutWaste=True\n", NULL);
	REQUIRE(c);
	REQUIRE(env_cupsd_start(&env) == 0);
	REQUIRE(use_queue() == 0);
	pid = env_spawn(&env, "booth-printer");
	CHECK_MSG(wait_cut(c, "unknown", 10000), "printer/state never said cut: unknown");
	cut = print_completed(c, "s1-1-c1", "true");
	uncut = print_completed(c, "s2-2-c1", "false");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cupsd_job_attr(want[i].cut ? cut : uncut, want[i].name, value, sizeof(value));
		CHECK_MSG(strcmp(value, want[i].value) == 0, "%s job: %s = '%s', expected '%s'",
			  want[i].cut ? "cut" : "uncut", want[i].name, value, want[i].value);
	}
	finish(c, pid);
}

/* Wait until the virtual printer has received N documents. */
static bool wait_received(int n, int ms)
{
	long long deadline = env_ms() + ms;

	while (env_ms() < deadline && env_printer_received(&env) < n)
		usleep(100000);
	return env_printer_received(&env) == n;
}

/* The whole booth: boothd sends cut = true for strips of the 4x6-two-strips layout (its
 * [page] cut = yes) and false for the 2x6 strip, and the printer gets finishings accordingly. */
static void guest_session(const char *layout, bool want_cut)
{
	char extra[200];
	struct tclient *ui, *owner, *c;
	pid_t pids[3];
	json_object *o;
	bool done = false;
	long long deadline;

	snprintf(extra, sizeof(extra), "cut = finishings\n[boothd]\nlayout = %s\n", layout);
	c = setup(extra, CUTTING_PRINTER);
	REQUIRE(c);
	ui = tclient_new(&env, "ui", NULL, true, NULL);
	owner = tclient_new(&env, "owner", NULL, true, NULL);
	REQUIRE(ui && owner);
	tclient_subscribe(owner, T("response/#"));
	tclient_subscribe(ui, T("session/state"));
	pids[0] = env_spawn(&env, "booth-printer");
	pids[1] = env_spawn(&env, "booth-camera");
	pids[2] = env_spawn(&env, "boothd");
	CHECK(wait_cut(c, "supported", 10000));

	/* Start a session once the camera is ready, and print at review. */
	deadline = env_ms() + 20000;
	while (!done && env_ms() < deadline) {
		o = tclient_request(owner, "session_start", "{}", 5000);
		done = o && json_object_get_boolean(env_json_get(o, "ok"));
		json_object_put(o);
		if (!done)
			usleep(200000);
	}
	REQUIRE(done);
	deadline = env_ms() + 60000;
	done = false;
	while (env_ms() < deadline && !done) {
		struct tmsg *m = tclient_wait(ui, T("session/state"), 200);

		if (m && strstr(m->payload, "\"phase\":\"review\"")) {
			CHECK_INT(tclient_publish(ui, T("session/command"),
						  "{\"action\":\"print\"}", 18, NULL, NULL),
				  ==, 0);
			done = true;
		}
		tmsg_free(m);
	}
	CHECK_MSG(done, "the session never reached review");
	CHECK(wait_received(1, 30000));
	/* A reprint looks the strip's layout up again (boothd's prints.c, not the session). */
	o = tclient_request(owner, "reprint", "{\"session\":1}", 5000);
	CHECK(o && json_object_get_boolean(env_json_get(o, "ok")));
	json_object_put(o);
	CHECK(wait_received(2, 30000));
	CHECK(printed_with("s1-1-c1", "IPP_FINISHINGS=trim") == want_cut);
	CHECK(printed_with("s1-1-r1", "IPP_FINISHINGS=trim") == want_cut);
	CHECK(printed_with("s1-1-c1", "IPP_FINISHINGS=") == want_cut);
	CHECK(printed_with("s1-1-r1", "IPP_FINISHINGS=") == want_cut);
	tclient_free(ui);
	tclient_free(owner);
	tclient_free(c);
	for (int i = 0; i < 3; i++)
		env_kill_daemon(&env, pids[i], SIGTERM);
	env_stop(&env);
}

static void test_session_two_strips(void)
{
	guest_session("4x6-two-strips", true);
}

static void test_session_2x6(void)
{
	guest_session("2x6-strip", false);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		{ "finishings", test_finishings },
		{ "finishings_value", test_finishings_value },
		{ "finishings_unsupported", test_finishings_unsupported },
		{ "no_cut_configured", test_no_cut_configured },
		{ "option_through_cupsd", test_option_through_cupsd },
		{ "session_two_strips", test_session_two_strips },
		{ "session_2x6", test_session_2x6 },
		{ NULL, NULL },
	};

	signal(SIGPIPE, SIG_IGN);
	return test_main(argc, argv, tests);
}
