/* SPDX-License-Identifier: MIT */
/* booth-telemetry: opt-in anonymized health reports to the fleet operator. It keeps the owner's
 * decision in its own database, reads only coarse health figures on the local bus, answers the
 * owner's telemetry requests, and, only while the owner has accepted the current schema, sends
 * one report a day at a random time over a connection of its own. */
#define _GNU_SOURCE 1
#include "boothconf.h"
#include "bus.h"
#include "codec.h"
#include "fleet.h"
#include "log.h"
#include "loop.h"
#include "report.h"
#include "tdb.h"
#include "util.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

#ifndef BOOTH_VERSION
#define BOOTH_VERSION "0.0.0"
#endif

#define TICK_US	   (60 * 1000000ull)
#define RETRY_S	   3600
#define HEALTH_MAX 4096

struct telemetry {
	struct booth_config cfg;
	struct loop *loop;
	struct bus *bus;
	struct tdb *db;
	struct consent consent;
	struct report_counts counts; /* gathered for the next report */
	struct report_base base;
	int avail[REPORT_PROCS]; /* 0 unknown, 1 online, -1 offline */
	char camera[8], printer[8];
	struct loop_source *timer;
	struct fleet *fleet;	      /* a report on its way */
	struct report_counts sending; /* the counts it carries */
	char *sending_payload;
	int64_t next_at;  /* when the next report is due, s since 1970 */
	int64_t last_day; /* the day of the last report, -1: never */
};

static int64_t now_s(void)
{
	return wall_msec() / 1000;
}

static uint32_t random_u32(void)
{
	uint32_t v = 0;

	random_bytes(&v, sizeof(v));
	return v;
}

static bool fleet_configured(const struct telemetry *t)
{
	return t->cfg.telemetry.fleet_host[0] != '\0';
}

/* Reports go only while the owner has accepted this very schema and a fleet broker exists. */
static bool reporting(const struct telemetry *t)
{
	return t->consent.decision == CONSENT_ACCEPTED && t->consent.schema == REPORT_SCHEMA &&
	       fleet_configured(t);
}

static const char *working(const char *health_value)
{
	if (!health_value[0])
		return "unknown";
	return strcmp(health_value, "error") == 0 ? "fault" : health_value;
}

/* The report as it would be sent now: previews and reports both come from here. */
static int make_report(struct telemetry *t, char **ret, size_t *len)
{
	struct report_input in = {
		.counts = t->counts,
		.software = BOOTH_VERSION,
		.camera = working(t->camera),
		.printer = working(t->printer),
		.display = t->avail[REPORT_UI] > 0   ? "ok"
			   : t->avail[REPORT_UI] < 0 ? "fault"
						     : "unknown",
	};
	struct sysinfo si;

	if (sysinfo(&si) == 0)
		in.uptime_s = si.uptime;
	return report_build(&in, ret, len);
}

static json_object *day_or_null(int64_t day)
{
	char buf[16];

	if (day < 0)
		return NULL;
	report_day_string(day, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static json_object *state_json(const struct telemetry *t)
{
	const struct consent *c = &t->consent;
	json_object *o = json_object_new_object();
	bool decided = c->decision != CONSENT_UNDECIDED;

	json_object_object_add(o, "consent", json_object_new_string(tdb_consent_name(c->decision)));
	json_object_object_add(o, "schema", json_object_new_int(REPORT_SCHEMA));
	json_object_object_add(o, "accepted_schema",
			       c->decision == CONSENT_ACCEPTED ? json_object_new_int(c->schema)
							       : NULL);
	json_object_object_add(o, "decided",
			       decided ? day_or_null(c->decided_ms / 86400000) : NULL);
	json_object_object_add(o, "how",
			       decided && c->how[0] ? json_object_new_string(c->how) : NULL);
	json_object_object_add(o, "fleet", json_object_new_boolean(fleet_configured(t)));
	json_object_object_add(o, "reporting", json_object_new_boolean(reporting(t)));
	json_object_object_add(o, "last_report", day_or_null(t->last_day));
	return o;
}

static void publish_state(struct telemetry *t)
{
	json_object *o = state_json(t);

	bus_publish(t->bus, "booth/{booth}/telemetry/state", o);
	json_object_put(o);
}

static void save_period(struct telemetry *t)
{
	int r = tdb_period_save(t->db, &t->counts, &t->base);

	if (r < 0)
		log_warning_errno(r, "Could not record the telemetry counts: %m");
}

/* Drop a report on its way: opting out stops at once. */
static void abandon_report(struct telemetry *t)
{
	if (t->fleet)
		log_info("The report on its way was abandoned");
	t->fleet = fleet_free(t->fleet);
	free(t->sending_payload);
	t->sending_payload = NULL;
}

static void schedule(struct telemetry *t)
{
	t->next_at = report_next_time(now_s(), t->last_day, random_u32());
	if (reporting(t) && !t->cfg.telemetry.test_interval_s)
		log_debug("Next report in %lld s", (long long)(t->next_at - now_s()));
}

static void on_sent(struct fleet *f, int result, void *userdata)
{
	struct telemetry *t = userdata;
	int64_t day = now_s() / 86400;
	int r;

	(void)f;
	t->fleet = fleet_free(t->fleet);
	if (result < 0) {
		log_warning_errno(result, "The health report could not be sent (%m); trying again "
					  "later");
		t->next_at = now_s() + RETRY_S + random_u32() % RETRY_S;
	} else {
		/* What was counted while the report was on its way stays for the next one. */
		for (size_t i = 0; i < REPORT_COUNTERS; i++)
			t->counts.counter[i] -= t->sending.counter[i];
		for (size_t i = 0; i < REPORT_PROCS; i++)
			t->counts.restarts[i] -= t->sending.restarts[i];
		r = tdb_report_sent(t->db, day, REPORT_SCHEMA, t->sending_payload, &t->counts,
				    &t->base);
		if (r < 0)
			log_warning_errno(r, "Could not record the report sent: %m");
		t->last_day = day;
		log_info("Sent the health report (schema %d) to the fleet broker", REPORT_SCHEMA);
		schedule(t);
		publish_state(t);
	}
	free(t->sending_payload);
	t->sending_payload = NULL;
}

static void send_report(struct telemetry *t)
{
	size_t len;
	int r = make_report(t, &t->sending_payload, &len);

	if (r == 0)
		r = fleet_send(t->loop, &t->cfg, t->sending_payload, len, on_sent, t, &t->fleet);
	if (r < 0) {
		log_warning_errno(r, "Could not start sending the health report: %m");
		free(t->sending_payload);
		t->sending_payload = NULL;
		t->next_at = now_s() + RETRY_S + random_u32() % RETRY_S;
		return;
	}
	t->sending = t->counts;
}

static int on_tick(struct loop_source *s, void *userdata)
{
	struct telemetry *t = userdata;
	int64_t now = now_s();

	(void)s;
	if (!reporting(t) || t->fleet)
		return 0;
	/* At most one a day, at the random moment chosen; the test knob sends every tick. */
	if (t->cfg.telemetry.test_interval_s || (now >= t->next_at && now / 86400 > t->last_day))
		send_report(t);
	return 0;
}

static void answer_state(struct telemetry *t, struct bus_request *req)
{
	publish_state(t);
	bus_respond(req, state_json(t));
}

static void decide(struct telemetry *t, struct bus_request *req, enum consent_decision d,
		   int schema)
{
	struct consent c = { d, schema, wall_msec(), "mqtt" };
	int r;

	if (t->consent.decision == d && t->consent.schema == schema) {
		answer_state(t, req);
		return;
	}
	r = tdb_consent_set(t->db, &c);
	if (r < 0) {
		bus_respond_error(req, "could not record the decision: %s", strerror(-r));
		return;
	}
	t->consent = c;
	/* A new decision starts a new period: nothing gathered before it is ever sent. */
	memset(&t->counts, 0, sizeof(t->counts));
	if (d == CONSENT_ACCEPTED) {
		save_period(t);
		schedule(t);
		log_info("The owner accepted telemetry reports (schema %d)", schema);
	} else {
		abandon_report(t);
		log_info("The owner declined telemetry reports: nothing is sent");
	}
	answer_state(t, req);
}

static void cmd_preview(struct telemetry *t, struct bus_request *req)
{
	json_object *o;
	char *bytes = NULL;
	size_t len;
	int r = make_report(t, &bytes, &len);

	if (r < 0) {
		bus_respond_error(req, "could not make the report: %s", strerror(-r));
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "schema", json_object_new_int(REPORT_SCHEMA));
	json_object_object_add(o, "topic", json_object_new_string(REPORT_TOPIC));
	json_object_object_add(o, "report", json_object_new_string_len(bytes, (int)len));
	json_object_object_add(o, "fleet", json_object_new_boolean(fleet_configured(t)));
	if (!fleet_configured(t))
		json_object_object_add(
			o, "note",
			json_object_new_string(
				"telemetry is impossible: no fleet broker is "
				"configured ([telemetry] fleet_host); nothing is sent"));
	free(bytes);
	bus_respond(req, o);
}

static void cmd_last_report(struct telemetry *t, struct bus_request *req)
{
	char *payload = NULL, day[16];
	int64_t d = 0;
	int schema = 0;
	json_object *o;
	int r = tdb_last_report(t->db, &d, &schema, &payload);

	if (r <= 0) {
		bus_respond_error(req, "%s", r == 0 ? "no report has been sent" : strerror(-r));
		return;
	}
	report_day_string(d, day, sizeof(day));
	o = json_object_new_object();
	json_object_object_add(o, "day", json_object_new_string(day));
	json_object_object_add(o, "schema", json_object_new_int(schema));
	json_object_object_add(o, "report", json_object_new_string(payload));
	free(payload);
	bus_respond(req, o);
}

static void on_request(struct bus *b, struct bus_request *req, const char *command,
		       json_object *args, void *userdata)
{
	struct telemetry *t = userdata;

	(void)b;
	if (strcmp(command, "preview") == 0) {
		cmd_preview(t, req);
	} else if (strcmp(command, "accept") == 0) {
		int schema = json_object_get_int(json_object_object_get(args, "schema"));

		if (!fleet_configured(t))
			bus_respond_error(req, "telemetry is impossible: no fleet broker is "
					       "configured ([telemetry] fleet_host)");
		else if (schema != REPORT_SCHEMA)
			bus_respond_error(req,
					  "this booth sends report schema %d, not %d: preview it "
					  "and accept %d",
					  REPORT_SCHEMA, schema, REPORT_SCHEMA);
		else
			decide(t, req, CONSENT_ACCEPTED, schema);
	} else if (strcmp(command, "decline") == 0) {
		decide(t, req, CONSENT_DECLINED, 0);
	} else if (strcmp(command, "last_report") == 0) {
		cmd_last_report(t, req);
	} else {
		bus_respond_error(req, "command '%s' is not handled by booth-telemetry", command);
	}
}

static void on_health(struct bus *b, const char *topic, const void *payload, size_t len,
		      void *userdata)
{
	struct telemetry *t = userdata;
	const struct topic_def *def = topic_lookup(bus_booth(b), topic);
	json_object *o = NULL;
	char err[256];

	if (!def || codec_parse(def, payload, len, HEALTH_MAX, &o, err, sizeof(err)) < 0) {
		log_warning("Ignoring a malformed health document: %s", def ? err : topic);
		return;
	}
	report_add_health(&t->counts, &t->base, o, reporting(t));
	strscpy(t->camera, json_object_get_string(json_object_object_get(o, "camera")),
		sizeof(t->camera));
	strscpy(t->printer, json_object_get_string(json_object_object_get(o, "printer")),
		sizeof(t->printer));
	json_object_put(o);
	save_period(t);
}

/* A process that comes back online after being offline restarted. */
static void on_availability(struct bus *b, const char *topic, const void *payload, size_t len,
			    void *userdata)
{
	struct telemetry *t = userdata;
	const char *name = strrchr(topic, '/');
	int now;

	(void)b;
	if (len == 6 && memcmp(payload, "online", 6) == 0)
		now = 1;
	else if (len == 7 && memcmp(payload, "offline", 7) == 0)
		now = -1;
	else
		return;
	for (size_t i = 0; name && i < REPORT_PROCS; i++) {
		if (strcmp(name + 1, report_proc_names[i]) != 0)
			continue;
		if (now > 0 && t->avail[i] < 0 && reporting(t)) {
			t->counts.restarts[i]++;
			save_period(t);
		}
		t->avail[i] = now;
	}
}

static void on_connect(struct bus *b, void *userdata)
{
	(void)b;
	publish_state(userdata);
}

static const char *const requests[] = { "preview", "accept", "decline", "last_report" };

static int serve(struct telemetry *t)
{
	char pattern[128];
	int r;

	r = bus_set_request_handler(t->bus, "booth/{booth}/telemetry/response/", on_request, t);
	for (size_t i = 0; i < ARRAY_SIZE(requests) && r == 0; i++) {
		snprintf(pattern, sizeof(pattern), "booth/{booth}/telemetry/request/%s",
			 requests[i]);
		r = bus_serve_request_topic(t->bus, pattern, requests[i]);
	}
	if (r == 0)
		r = bus_subscribe(t->bus, "booth/{booth}/health", on_health, t);
	if (r == 0)
		r = bus_subscribe(t->bus, "booth/{booth}/availability/+", on_availability, t);
	return r;
}

int main(int argc, char **argv)
{
	struct telemetry t = { .last_day = -1 };
	struct booth_credentials cred;
	char err[CONFIG_ERR_MAX + 64], dir[PATH_MAX], *last = NULL;
	uint64_t tick;
	int schema, r;

	malloc_tune();
	r = boothconf_main(argc, argv, "booth-telemetry",
			   "The photo booth's opt-in anonymized health reports.", &t.cfg);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : r == -EINVAL ? 2 : EXIT_FAILURE;
	signal(SIGPIPE, SIG_IGN);
	r = boothconf_credentials(&t.cfg, "telemetry", &cred, err, sizeof(err));
	if (r < 0) {
		log_error("Cannot read the broker credentials: %s", err);
		return EXIT_FAILURE;
	}
	strscpy(dir, t.cfg.telemetry.database, sizeof(dir));
	r = mkdir_p(dirname(dir), 0700);
	if (r == 0)
		r = tdb_open(t.cfg.telemetry.database, &t.db);
	if (r == 0)
		r = tdb_consent(t.db, &t.consent);
	if (r == 0)
		r = tdb_period_load(t.db, &t.counts, &t.base);
	if (r == 0 && tdb_last_report(t.db, &t.last_day, &schema, &last) <= 0)
		t.last_day = -1;
	free(last);
	if (r < 0) {
		log_error_errno(r, "Cannot open the telemetry database %s: %m",
				t.cfg.telemetry.database);
		goto out;
	}
	r = loop_new(&t.loop);
	if (r == 0)
		r = loop_add_stop_signals(t.loop);
	if (r == 0)
		r = bus_new(t.loop, &t.cfg, "telemetry", &cred, &t.bus);
	if (r == 0)
		r = serve(&t);
	tick = t.cfg.telemetry.test_interval_s ? (uint64_t)t.cfg.telemetry.test_interval_s * 1000000
					       : TICK_US;
	if (r == 0)
		r = loop_add_timer(t.loop, tick, tick, on_tick, &t, &t.timer);
	if (r < 0) {
		log_error_errno(r, "Cannot start: %m");
		goto out;
	}
	explicit_bzero(&cred, sizeof(cred));
	bus_set_connect_handler(t.bus, on_connect, &t);
	schedule(&t);
	log_info("booth-telemetry %s: consent %s%s", BOOTH_VERSION,
		 tdb_consent_name(t.consent.decision),
		 reporting(&t)		? ", reporting"
		 : fleet_configured(&t) ? ""
					: ", no fleet broker configured");
	r = loop_run(t.loop);
out:
	explicit_bzero(&cred, sizeof(cred));
	abandon_report(&t);
	loop_source_remove(t.timer);
	t.bus = bus_free(t.bus);
	t.loop = loop_free(t.loop);
	t.db = tdb_close(t.db);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
