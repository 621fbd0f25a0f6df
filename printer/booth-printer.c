/* SPDX-License-Identifier: MIT */
/* booth-printer: owns the connection to the printer. Prints what boothd asks, one job per copy,
 * follows each job to the end and keeps the printer's state retained on the bus. */
#include "boothconf.h"
#include "bus.h"
#include "codec.h"
#include "ipp.h"
#include "log.h"
#include "loop.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_JOBS 64
/* A job the printer aborted is sent again this many times in all, RETRY_MS apart. */
#define MAX_ATTEMPTS 3
#define RETRY_MS     2000
/* A stopped CUPS queue is started again at most this often. */
#define RESUME_MS 5000

struct job {
	char key[65];
	char path[4096]; /* kept while the job is held */
	int ipp_id;	 /* 0 while held */
	bool cut;	 /* the strip's layout wants the page cut */
	enum ipp_job_state state;
	int attempts;	   /* submissions so far */
	uint64_t retry_at; /* monotonic ms before which a held job is not sent */
};

struct printerd {
	struct booth_config cfg;
	struct loop *loop;
	struct bus *bus;
	struct ipp_printer *ipp;
	struct loop_source *poll;
	struct job jobs[MAX_JOBS];
	int njobs;
	int64_t started;  /* wall-clock ms at start: boothd re-sends unfinished jobs on a change */
	int paper_loaded; /* sheets the owner last loaded, -1: never told */
	int printed;	  /* prints completed since then */
	uint64_t next_resume;	/* monotonic ms before which a stopped queue is left alone */
	int cut;		/* enum ipp_cut_support last known, -1 before the printer said */
	char last_state[2048];	/* the printer/state document last published */
	struct ipp_status last; /* the printer's state last read */
};

static const char *job_state_name(enum ipp_job_state s)
{
	switch (s) {
	case JOB_QUEUED:
		return "queued";
	case JOB_PROCESSING:
		return "processing";
	case JOB_COMPLETED:
		return "completed";
	case JOB_CANCELED:
		return "canceled";
	case JOB_ABORTED:
		return "failed";
	}
	return "failed";
}

static void publish_job(struct printerd *d, const char *key, const char *state, int ipp_id,
			const char *error)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "job", json_object_new_string(key));
	json_object_object_add(o, "state", json_object_new_string(state));
	json_object_object_add(o, "ipp_job", ipp_id > 0 ? json_object_new_int(ipp_id) : NULL);
	if (error)
		json_object_object_add(o, "error", json_object_new_string(error));
	bus_publish(d->bus, "booth/{booth}/events/print_job", o);
	json_object_put(o);
}

static const char *status_name(const struct ipp_status *st)
{
	switch (st->state) {
	case PRINTER_IDLE:
		return "idle";
	case PRINTER_PRINTING:
		return "printing";
	case PRINTER_STOPPED:
		return "stopped";
	case PRINTER_OFFLINE:
		break;
	}
	return "offline";
}

/* What printer/state says about cutting. */
static const char *cut_name(const struct printerd *d)
{
	if (!d->ipp || strcmp(d->cfg.printer.cut, "none") == 0)
		return "none";
	switch (d->cut) {
	case IPP_CUT_SUPPORTED:
		return "supported";
	case IPP_CUT_UNSUPPORTED:
		return "unsupported";
	default:
		return "unknown";
	}
}

/* How a job that wants cutting was sent, for the log. */
static const char *cut_note(const struct printerd *d, const struct job *j)
{
	if (!j->cut)
		return "";
	if (strcmp(cut_name(d), "none") == 0)
		return ", uncut ([printer] cut = none)";
	return d->cut == IPP_CUT_UNSUPPORTED ? ", uncut: the printer cannot cut" : ", with the cut";
}

/* Learn whether the printer can do the configured cut (asked once per connection, and again
 * after a job refused for it), and say so when that changes. */
static void update_cut(struct printerd *d)
{
	const char *why = NULL;
	int r;

	if (!d->ipp || strcmp(d->cfg.printer.cut, "none") == 0)
		return;
	r = ipp_printer_cut_support(d->ipp, &why);
	if (r < 0 || r == d->cut)
		return;
	d->cut = r;
	if (r == IPP_CUT_UNSUPPORTED)
		log_warning("Strips that should be cut are printed uncut: %s", why);
	else
		log_info("Cutting strips (%s): %s", d->cfg.printer.cut, why);
}

/* The prints left: what the printer says it has (sheets in the tray), or what the owner loaded
 * less what was printed since, whichever is lower; -1 when neither is known. */
static int prints_left(const struct printerd *d, const struct ipp_status *st)
{
	int left = st->media_left;

	if (d->paper_loaded >= 0) {
		int own = d->paper_loaded > d->printed ? d->paper_loaded - d->printed : 0;

		if (left < 0 || own < left)
			left = own;
	}
	return left;
}

/* Publish the printer's state if it changed (or FORCE, after a reconnection). */
static void publish_state(struct printerd *d, const struct ipp_status *st, bool force)
{
	json_object *o = json_object_new_object(), *reasons = json_object_new_array();
	const char *s;
	int left;

	json_object_object_add(o, "status",
			       json_object_new_string(d->ipp ? status_name(st) : "none"));
	json_object_object_add(o, "destination",
			       json_object_new_string(d->cfg.printer.destination));
	json_object_object_add(o, "model", json_object_new_string(st->model));
	for (int i = 0; i < st->nreasons; i++)
		json_object_array_add(reasons, json_object_new_string(st->reasons[i]));
	json_object_object_add(o, "reasons", reasons);
	json_object_object_add(o, "message", json_object_new_string(st->message));
	json_object_object_add(o, "jobs", json_object_new_int(d->njobs));
	json_object_object_add(o, "accepting", json_object_new_boolean(st->accepting));
	json_object_object_add(o, "marker_level",
			       st->marker_level >= 0 ? json_object_new_int(st->marker_level)
						     : NULL);
	json_object_object_add(o, "media_left",
			       st->media_left >= 0 ? json_object_new_int(st->media_left) : NULL);
	json_object_object_add(o, "paper_loaded",
			       d->paper_loaded >= 0 ? json_object_new_int(d->paper_loaded) : NULL);
	json_object_object_add(o, "printed", json_object_new_int(d->printed));
	left = prints_left(d, st);
	json_object_object_add(o, "prints_left", left >= 0 ? json_object_new_int(left) : NULL);
	json_object_object_add(o, "started", json_object_new_int64(d->started));
	json_object_object_add(o, "cut", json_object_new_string(cut_name(d)));
	if (st != &d->last)
		d->last = *st;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (strcmp(s, d->last_state) != 0) {
		log_info("Printer: %s%s%s", status_name(st), st->nreasons ? ", " : "",
			 st->nreasons ? st->reasons[0] : "");
		strscpy(d->last_state, s, sizeof(d->last_state));
		force = true;
	}
	/* While disconnected this fails; on_connect() publishes again. */
	if (force)
		bus_publish(d->bus, "booth/{booth}/printer/state", o);
	json_object_put(o);
}

static bool job_finished(enum ipp_job_state s)
{
	return s == JOB_COMPLETED || s == JOB_CANCELED || s == JOB_ABORTED;
}

/* Send job J, unless the printer has it already. Returns 0 (sent, adopted, or failed for good:
 * reported either way; J->state says which) or -EBUSY/-EHOSTDOWN when it must wait (still held). */
static int send_job(struct printerd *d, struct job *j)
{
	char name[80], err[512];
	enum ipp_job_state st;
	int id = 0, r;

	if (j->retry_at && now_usec() / 1000u < j->retry_at)
		return -EBUSY;
	snprintf(name, sizeof(name), "booth-%s", j->key);
	/* Exactly once: a job this process (or its predecessor, before a crash) already sent is
	 * followed, not sent again. Only a copy the printer gave up on is sent anew. */
	r = ipp_printer_find_job(d->ipp, name, &id, &st);
	if (r == -EHOSTDOWN)
		return r;
	if (r == 1 && st != JOB_ABORTED && st != JOB_CANCELED) {
		log_info("Print %s: the printer already has it as job %d; not sending it again",
			 j->key, id);
		j->ipp_id = id;
		j->state = st;
		publish_job(d, j->key, st == JOB_QUEUED ? "queued" : job_state_name(st), id, NULL);
		return 0;
	}
	r = ipp_printer_submit(d->ipp, name, j->path, j->cut, &id, err, sizeof(err));
	if (j->cut && r == 0)
		update_cut(d);
	if (r == -EBUSY || r == -EHOSTDOWN)
		return r;
	if (r < 0) {
		log_warning("Print %s failed: %s", j->key, err);
		publish_job(d, j->key, "failed", 0, err);
		j->state = JOB_ABORTED;
		return 0;
	}
	log_info("Print %s sent as job %d%s", j->key, id, cut_note(d, j));
	j->attempts++;
	j->ipp_id = id;
	j->state = JOB_QUEUED;
	publish_job(d, j->key, "queued", id, NULL);
	return 0;
}

static void forget_job(struct printerd *d, int i)
{
	memmove(&d->jobs[i], &d->jobs[i + 1], (size_t)(d->njobs - i - 1) * sizeof(d->jobs[0]));
	d->njobs--;
}

static void poll_jobs(struct printerd *d)
{
	for (int i = 0; i < d->njobs;) {
		struct job *j = &d->jobs[i];
		enum ipp_job_state st;
		int r;

		if (j->ipp_id == 0) {
			/* Held: in order, one at a time, while the printer takes them. */
			if (send_job(d, j) < 0)
				return;
			if (job_finished(j->state))
				forget_job(d, i);
			else
				i++;
			continue;
		}
		r = ipp_printer_job_state(d->ipp, j->ipp_id, &st);

		if (r == -EHOSTDOWN)
			return; /* try again on the next poll */
		if (r < 0 && r != -ENOENT) {
			i++;
			continue;
		}
		if (r == -ENOENT || st == JOB_ABORTED) {
			/* The printer gave up on the job, or forgot it (it restarted). Send it again,
			 * a bounded number of times; send_job() first asks the printer whether it
			 * has a copy under the job's name after all. */
			if (j->attempts < MAX_ATTEMPTS) {
				char why[160];

				snprintf(why, sizeof(why),
					 "%s; sending it again (attempt %d of %d)",
					 r == -ENOENT ? "the printer lost this job"
						      : "the printer gave up on this job",
					 j->attempts + 1, MAX_ATTEMPTS);
				log_warning("Print %s: %s", j->key, why);
				j->ipp_id = 0;
				j->state = JOB_QUEUED;
				j->retry_at = now_usec() / 1000u + RETRY_MS;
				publish_job(d, j->key, "held", 0, why);
				return; /* later jobs wait behind it */
			}
			st = JOB_ABORTED;
		}
		if (st != j->state) {
			j->state = st;
			publish_job(d, j->key, job_state_name(st), j->ipp_id,
				    st == JOB_ABORTED ? "the printer gave up on this job" : NULL);
		}
		if (job_finished(st)) {
			if (st == JOB_COMPLETED)
				d->printed++;
			forget_job(d, i);
			continue;
		}
		i++;
	}
}

/* Whether the printer reports a fault that stops printing (a reason ending in -error), other than
 * the queue's own paused/stopped state. */
static bool printer_fault(const struct ipp_status *st)
{
	for (int i = 0; i < st->nreasons; i++) {
		const char *r = st->reasons[i];
		size_t n = strlen(r);

		if (strncmp(r, "paused", 6) == 0 || strncmp(r, "stopped", 7) == 0)
			continue;
		if (n > 6 && strcmp(r + n - 6, "-error") == 0)
			return true;
	}
	return false;
}

/* CUPS stops a queue (and may reject jobs) after a fault. Once no fault is left, start it again:
 * the booth's own switch for printing is boothd's, never the queue's state. At most every
 * RESUME_MS, so a queue that stops again at once is not hammered. */
static void recover_queue(struct printerd *d, const struct ipp_status *st)
{
	uint64_t now = now_usec() / 1000u;
	int r;

	if (strstr(d->cfg.printer.destination, "://") ||
	    (st->state != PRINTER_STOPPED && st->accepting) || printer_fault(st) ||
	    now < d->next_resume)
		return;
	d->next_resume = now + RESUME_MS;
	r = ipp_printer_resume(d->ipp);
	if (r < 0)
		log_warning_errno(r, "The queue '%s' is stopped and could not be started again: %m",
				  d->cfg.printer.destination);
	else
		log_notice("The queue '%s' was %s; started it again", d->cfg.printer.destination,
			   st->state == PRINTER_STOPPED ? "stopped" : "rejecting jobs");
}

static int on_poll(struct loop_source *s, void *userdata)
{
	struct printerd *d = userdata;
	struct ipp_status st;

	(void)s;
	if (!d->ipp)
		return 0;
	ipp_printer_status(d->ipp, &st);
	recover_queue(d, &st);
	if (st.state != PRINTER_OFFLINE) {
		update_cut(d);
		poll_jobs(d);
	}
	publish_state(d, &st, false);
	return 0;
}

static void on_print(struct bus *b, const char *topic, const void *payload, size_t len,
		     void *userdata)
{
	struct printerd *d = userdata;
	const struct topic_def *t = topic_lookup(bus_booth(b), topic);
	json_object *o = NULL, *v;
	char err[512];
	const char *key, *path;
	struct job *j;
	int r;

	if (!t || codec_parse(t, payload, len, 16384, &o, err, sizeof(err)) < 0) {
		log_warning("Ignoring a malformed print command: %s", t ? err : "unknown topic");
		/* Answer if the job key can be read at all, so boothd does not wait in vain. */
		if (codec_decode(payload, len, 16384, &o, err, sizeof(err)) == 0 &&
		    json_object_object_get_ex(o, "job", &v) &&
		    json_object_is_type(v, json_type_string) &&
		    valid_id(json_object_get_string(v), 64))
			publish_job(d, json_object_get_string(v), "failed", 0,
				    "the print command was malformed");
		json_object_put(o);
		return;
	}
	key = json_object_get_string(json_object_object_get(o, "job"));
	path = json_object_get_string(json_object_object_get(o, "path"));
	if (!valid_id(key, 64)) {
		log_warning("Ignoring a print command with an invalid job key");
		goto out;
	}
	for (int i = 0; i < d->njobs; i++) {
		if (strcmp(d->jobs[i].key, key) == 0) {
			/* A repeated command for a job in flight makes no second job. */
			publish_job(d, key, job_state_name(d->jobs[i].state), d->jobs[i].ipp_id,
				    NULL);
			goto out;
		}
	}
	if (!d->ipp) {
		publish_job(d, key, "failed", 0, "no printer is configured");
		goto out;
	}
	if (d->njobs >= MAX_JOBS) {
		publish_job(d, key, "failed", 0, "too many prints are waiting");
		goto out;
	}
	j = &d->jobs[d->njobs];
	memset(j, 0, sizeof(*j));
	strscpy(j->key, key, sizeof(j->key));
	v = NULL;
	j->cut = json_object_object_get_ex(o, "cut", &v) && json_object_get_boolean(v);
	if (strscpy(j->path, path, sizeof(j->path)) < 0) {
		publish_job(d, key, "failed", 0, "the strip's path is too long");
		goto out;
	}
	d->njobs++;
	/* Jobs go out in order: behind held ones, a new job waits too. */
	r = d->njobs > 1 && d->jobs[d->njobs - 2].ipp_id == 0 ? -EBUSY : send_job(d, j);
	if (r == -EBUSY || r == -EHOSTDOWN) {
		log_info("Print %s held: %s", key,
			 r == -EBUSY ? "the printer is busy" : "the printer does not answer");
		publish_job(
			d, key, "held", 0,
			r == -EBUSY
				? "waiting for the printer to take it (busy, or not accepting jobs)"
				: "the printer does not answer; it will be sent when it does");
	} else if (job_finished(j->state)) {
		if (j->state == JOB_COMPLETED)
			d->printed++;
		d->njobs--;
	}
out:
	json_object_put(o);
}

/* Parse a command from boothd on a topic of the table; logs and returns -EINVAL if malformed. */
static int parse_command(struct bus *b, const char *topic, const void *payload, size_t len,
			 json_object **ret)
{
	const struct topic_def *t = topic_lookup(bus_booth(b), topic);
	char err[256];

	if (!t || codec_parse(t, payload, len, 16384, ret, err, sizeof(err)) < 0) {
		log_warning("Ignoring a malformed command on %s: %s", topic,
			    t ? err : "unknown topic");
		return -EINVAL;
	}
	return 0;
}

/* boothd says how much paper the owner loaded and how much was printed since. */
static void on_paper(struct bus *b, const char *topic, const void *payload, size_t len,
		     void *userdata)
{
	struct printerd *d = userdata;
	json_object *o = NULL;

	if (parse_command(b, topic, payload, len, &o) < 0)
		return;
	d->paper_loaded = json_object_get_int(json_object_object_get(o, "loaded"));
	d->printed = json_object_get_int(json_object_object_get(o, "printed"));
	log_info("Paper: %d loaded, %d printed since", d->paper_loaded, d->printed);
	json_object_put(o);
	publish_state(d, &d->last, false);
}

/* Whether KEY is one of the keys in JOBS (an array; NULL: every job). */
static bool listed(json_object *jobs, const char *key)
{
	if (!jobs)
		return true;
	for (size_t i = 0; i < json_object_array_length(jobs); i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(jobs, i));

		if (k && strcmp(k, key) == 0)
			return true;
	}
	return false;
}

/* The owner cancels the queue (every job not yet finished, held ones included), or boothd the
 * jobs of a deleted session. */
static void on_cancel(struct bus *b, const char *topic, const void *payload, size_t len,
		      void *userdata)
{
	struct printerd *d = userdata;
	json_object *o = NULL, *jobs;
	int n = 0;

	if (parse_command(b, topic, payload, len, &o) < 0)
		return;
	jobs = json_object_object_get(o, "jobs");
	for (int i = 0; i < d->njobs;) {
		struct job *j = &d->jobs[i];
		int r;

		if (!listed(jobs, j->key)) {
			i++;
			continue;
		}
		r = j->ipp_id > 0 ? ipp_printer_cancel(d->ipp, j->ipp_id) : 0;
		if (r < 0 && r != -ENOENT)
			log_warning_errno(r, "Could not cancel job %d of print %s: %m", j->ipp_id,
					  j->key);
		publish_job(d, j->key, "canceled", j->ipp_id, NULL);
		forget_job(d, i);
		n++;
	}
	json_object_put(o);
	log_info("Print %s canceled: %d job%s", jobs ? "jobs" : "queue", n, n == 1 ? "" : "s");
	publish_state(d, &d->last, false);
}

static void on_connect(struct bus *b, void *userdata)
{
	struct printerd *d = userdata;
	struct ipp_status st;

	(void)b;
	st = d->last;
	if (d->ipp)
		ipp_printer_status(d->ipp, &st);
	publish_state(d, &st, true);
}

static enum ipp_cut_method cut_method(const char *name)
{
	if (strcmp(name, "finishings") == 0)
		return IPP_CUT_FINISHINGS;
	return strcmp(name, "option") == 0 ? IPP_CUT_OPTIONS : IPP_CUT_NONE;
}

int main(int argc, char **argv)
{
	struct printerd d;
	struct booth_credentials cred;
	char err[CONFIG_ERR_MAX + 64];
	uint64_t poll_us;
	int r;

	memset(&d, 0, sizeof(d));
	d.paper_loaded = -1;
	d.started = wall_msec();
	d.last.marker_level = -1;
	d.last.media_left = -1;
	d.cut = -1;
	malloc_tune();
	r = boothconf_main(argc, argv, "booth-printer", "The photo booth's printer process.",
			   &d.cfg);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : r == -EINVAL ? 2 : EXIT_FAILURE;
	signal(SIGPIPE, SIG_IGN);
	r = boothconf_credentials(&d.cfg, "printer", &cred, err, sizeof(err));
	if (r < 0) {
		log_error("Cannot read the broker credentials: %s", err);
		return EXIT_FAILURE;
	}
	if (d.cfg.printer.destination[0]) {
		r = ipp_printer_new(d.cfg.printer.destination, d.cfg.printer.timeout_ms, &d.ipp);
		if (r == 0)
			r = ipp_printer_set_cut(d.ipp, cut_method(d.cfg.printer.cut),
						d.cfg.printer.cut_finishings,
						d.cfg.printer.cut_option);
		if (r < 0) {
			log_error_errno(r, "Cannot use the printer '%s': %m",
					d.cfg.printer.destination);
			goto out;
		}
	} else {
		log_notice("No printer configured ([printer] destination): printing is off");
	}
	r = loop_new(&d.loop);
	if (r < 0)
		goto out;
	poll_us = (uint64_t)d.cfg.printer.poll_ms * 1000u;
	r = loop_add_stop_signals(d.loop);
	if (r == 0)
		r = loop_add_timer(d.loop, poll_us, poll_us, on_poll, &d, &d.poll);
	if (r == 0)
		r = bus_new(d.loop, &d.cfg, "printer", &cred, &d.bus);
	if (r == 0)
		r = bus_subscribe(d.bus, "booth/{booth}/printer/print", on_print, &d);
	if (r == 0)
		r = bus_subscribe(d.bus, "booth/{booth}/printer/paper", on_paper, &d);
	if (r == 0)
		r = bus_subscribe(d.bus, "booth/{booth}/printer/cancel", on_cancel, &d);
	if (r < 0) {
		log_error_errno(r, "Cannot start: %m");
		goto out;
	}
	explicit_bzero(&cred, sizeof(cred));
	bus_set_connect_handler(d.bus, on_connect, &d);
	log_info("booth-printer %s printing to '%s'", BOOTH_VERSION,
		 d.cfg.printer.destination[0] ? d.cfg.printer.destination : "(none)");
	r = loop_run(d.loop);
out:
	explicit_bzero(&cred, sizeof(cred));
	d.bus = bus_free(d.bus);
	d.loop = loop_free(d.loop);
	d.ipp = ipp_printer_free(d.ipp);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
