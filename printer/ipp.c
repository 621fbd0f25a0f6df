/* SPDX-License-Identifier: MIT */
/* libcups: destinations, job submission, printer and job attributes. */
#include "ipp.h"
#include "log.h"
#include "tray.h"
#include "util.h"

#include <cups/cups.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ipp_printer {
	char destination[1024];
	char uri[1024];
	char resource[256];
	int timeout_ms;
	cups_dest_t *dest;
	cups_dinfo_t *info;
	http_t *http;
	enum ipp_cut_method cut;
	int cut_finishings;
	int ncut_options;
	cups_option_t *cut_options;
	int cut_support; /* enum ipp_cut_support, or -1 until asked on this connection */
	char cut_why[512];
};

int ipp_printer_new(const char *destination, int timeout_ms, struct ipp_printer **ret)
{
	struct ipp_printer *p;

	if (!destination || !*destination)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (strscpy(p->destination, destination, sizeof(p->destination)) < 0) {
		free(p);
		return -ENAMETOOLONG;
	}
	p->timeout_ms = timeout_ms;
	p->cut_support = -1;
	*ret = p;
	return 0;
}

int ipp_printer_set_cut(struct ipp_printer *p, enum ipp_cut_method method, int finishings,
			const char *options)
{
	cups_option_t *opts = NULL;
	int n = 0;

	if (method == IPP_CUT_OPTIONS) {
		n = cupsParseOptions(options, 0, &opts);
		if (n <= 0) {
			cupsFreeOptions(n, opts);
			return -EINVAL;
		}
	}
	cupsFreeOptions(p->ncut_options, p->cut_options);
	p->cut = method;
	p->cut_finishings = finishings;
	p->ncut_options = n;
	p->cut_options = opts;
	p->cut_support = -1;
	return 0;
}

static void disconnect(struct ipp_printer *p)
{
	if (p->info)
		cupsFreeDestInfo(p->info);
	p->info = NULL;
	if (p->http)
		httpClose(p->http);
	p->http = NULL;
	if (p->dest)
		cupsFreeDests(1, p->dest);
	p->dest = NULL;
	/* Another printer may answer next time: ask it again. */
	p->cut_support = -1;
}

struct ipp_printer *ipp_printer_free(struct ipp_printer *p)
{
	if (!p)
		return NULL;
	disconnect(p);
	cupsFreeOptions(p->ncut_options, p->cut_options);
	free(p);
	return NULL;
}

const char *ipp_printer_uri(const struct ipp_printer *p)
{
	return p->uri[0] ? p->uri : p->destination;
}

/* Connect if not connected. Returns 0 or -EHOSTDOWN. */
static int ensure_connected(struct ipp_printer *p)
{
	bool direct = strstr(p->destination, "://") != NULL;
	const char *uri;

	if (p->http)
		return 0;
	/* A URI is the printer itself (IPP Everywhere); a name is a queue of the CUPS server. */
	if (direct)
		p->dest = cupsGetDestWithURI(NULL, p->destination);
	else
		p->dest = cupsGetNamedDest(CUPS_HTTP_DEFAULT, p->destination, NULL);
	if (!p->dest)
		return -EHOSTDOWN;
	uri = cupsGetOption(direct ? "device-uri" : "printer-uri-supported", p->dest->num_options,
			    p->dest->options);
	strscpy(p->uri, uri ? uri : p->destination, sizeof(p->uri));
	p->http =
		cupsConnectDest(p->dest, direct ? CUPS_DEST_FLAGS_DEVICE : CUPS_DEST_FLAGS_NONE,
				p->timeout_ms, NULL, p->resource, sizeof(p->resource), NULL, NULL);
	if (!p->http) {
		disconnect(p);
		return -EHOSTDOWN;
	}
	httpSetTimeout(p->http, p->timeout_ms / 1000.0, NULL, NULL);
	return 0;
}

/* After a failed exchange: drop the connection if the printer went away. */
static int exchange_failed(struct ipp_printer *p)
{
	ipp_status_t st = cupsLastError();

	if (st == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || st == IPP_STATUS_ERROR_INTERNAL ||
	    httpGetFd(p->http) < 0 || httpError(p->http)) {
		disconnect(p);
		return -EHOSTDOWN;
	}
	/* A busy printer, or a CUPS queue rejecting jobs for now: the job waits. */
	if (st == IPP_STATUS_ERROR_BUSY || st == IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS)
		return -EBUSY;
	return st == IPP_STATUS_ERROR_NOT_FOUND ? -ENOENT : -EIO;
}

/* Describe a failed submission: unreachable, or refused with the printer's reason. */
static int refused(struct ipp_printer *p, const char *what, char *err, size_t errlen)
{
	char reason[256];
	int r;

	strscpy(reason, cupsLastErrorString() ? cupsLastErrorString() : "", sizeof(reason));
	r = exchange_failed(p);
	if (r == -EHOSTDOWN)
		snprintf(err, errlen, "the printer at %s does not answer", ipp_printer_uri(p));
	else if (r == -EBUSY)
		snprintf(err, errlen, "the printer is busy or does not accept jobs now");
	else
		snprintf(err, errlen, "%s: %s", what, reason);
	return r;
}

/* The printer's capabilities (cupsCopyDestInfo), once per connection; NULL if it has none. */
static cups_dinfo_t *dest_info(struct ipp_printer *p)
{
	if (!p->info)
		p->info = cupsCopyDestInfo(p->http, p->dest);
	/* libcups takes a connection to a queue whose host name differs from cupsServer()'s (it
	 * says localhost, CUPS_SERVER says 127.0.0.1) for one to the device, and looks for the
	 * device's URI on the scheduler: ask over its own default connection instead. */
	if (!p->info && !strstr(p->destination, "://"))
		p->info = cupsCopyDestInfo(CUPS_HTTP_DEFAULT, p->dest);
	return p->info;
}

/* Whether A (a NAME-supported attribute) holds VALUE; -1 when its kind says nothing. */
static int supported_value(ipp_attribute_t *a, const char *name, const char *value)
{
	char *end = NULL;
	long v;

	switch (ippGetValueTag(a)) {
	case IPP_TAG_INTEGER:
	case IPP_TAG_RANGE:
	case IPP_TAG_ENUM:
		v = strtol(value, &end, 10);
		if (end == value || *end)
			v = ippEnumValue(name, value);
		return v > 0 && v <= INT_MAX && ippContainsInteger(a, (int)v);
	case IPP_TAG_BOOLEAN:
		/* NAME-supported = false: the printer has no such attribute. */
		return ippGetBoolean(a, 0);
	case IPP_TAG_KEYWORD:
	case IPP_TAG_NAME:
	case IPP_TAG_NAMELANG:
	case IPP_TAG_TEXT:
	case IPP_TAG_TEXTLANG:
	case IPP_TAG_STRING:
	case IPP_TAG_MIMETYPE:
	case IPP_TAG_URI:
		return ippContainsString(a, value);
	default:
		return -1;
	}
}

/* Check the configured cut against what the printer says it supports (p->info). */
static enum ipp_cut_support check_cut(struct ipp_printer *p)
{
	cups_dinfo_t *info = dest_info(p);
	ipp_attribute_t *a;
	bool unknown = false;

	if (p->cut == IPP_CUT_NONE) {
		snprintf(p->cut_why, sizeof(p->cut_why), "no cut is configured");
		return IPP_CUT_UNSUPPORTED;
	}
	if (p->cut == IPP_CUT_FINISHINGS) {
		const char *kw = ippEnumString("finishings", p->cut_finishings);

		a = info ? cupsFindDestSupported(p->http, p->dest, info, "finishings") : NULL;
		if (!a) {
			snprintf(
				p->cut_why, sizeof(p->cut_why),
				"the printer does not say which finishings it supports; asking for "
				"finishings %d (%s) anyway",
				p->cut_finishings, kw);
			return IPP_CUT_UNKNOWN;
		}
		if (!ippContainsInteger(a, p->cut_finishings)) {
			snprintf(p->cut_why, sizeof(p->cut_why),
				 "the printer cannot cut: its finishings-supported lacks %d (%s)",
				 p->cut_finishings, kw);
			return IPP_CUT_UNSUPPORTED;
		}
		snprintf(p->cut_why, sizeof(p->cut_why), "the printer supports finishings %d (%s)",
			 p->cut_finishings, kw);
		return IPP_CUT_SUPPORTED;
	}
	for (int i = 0; i < p->ncut_options; i++) {
		const cups_option_t *o = &p->cut_options[i];
		int r;

		a = info ? cupsFindDestSupported(p->http, p->dest, info, o->name) : NULL;
		r = a ? supported_value(a, o->name, o->value) : -1;
		if (r == 0) {
			snprintf(p->cut_why, sizeof(p->cut_why),
				 "the printer cannot cut: its %s-supported lacks %s", o->name,
				 o->value);
			return IPP_CUT_UNSUPPORTED;
		}
		unknown |= r < 0;
	}
	/* A CUPS queue does not report its driver's (PPD) options. */
	snprintf(p->cut_why, sizeof(p->cut_why),
		 unknown ? "the printer does not report every cut option; sending them unchecked"
			 : "the printer supports the cut options");
	return unknown ? IPP_CUT_UNKNOWN : IPP_CUT_SUPPORTED;
}

int ipp_printer_cut_support(struct ipp_printer *p, const char **why)
{
	int r = ensure_connected(p);

	if (r < 0)
		return r;
	if (p->cut_support < 0)
		p->cut_support = (int)check_cut(p);
	if (why)
		*why = p->cut_why;
	return p->cut_support;
}

/* The job options that ask for the cut, added to *OPTS. */
static int add_cut_options(const struct ipp_printer *p, int n, cups_option_t **opts)
{
	char v[16];

	if (p->cut == IPP_CUT_FINISHINGS) {
		snprintf(v, sizeof(v), "%d", p->cut_finishings);
		return cupsAddOption("finishings", v, n, opts);
	}
	for (int i = 0; i < p->ncut_options; i++)
		n = cupsAddOption(p->cut_options[i].name, p->cut_options[i].value, n, opts);
	return n;
}

/* The sheets left in tray I of printer-input-tray, or -1 when the tray does not say. */
static int tray_sheets(ipp_attribute_t *a, int i)
{
	int len = 0;
	const void *v = ippGetOctetString(a, i, &len);

	return v && len > 0 ? tray_level(v, (size_t)len) : -1;
}

int ipp_printer_status(struct ipp_printer *p, struct ipp_status *ret)
{
	static const char *const attrs[] = { "printer-state",
					     "printer-state-reasons",
					     "printer-state-message",
					     "printer-make-and-model",
					     "marker-levels",
					     "printer-input-tray",
					     "printer-is-accepting-jobs" };
	ipp_attribute_t *a;
	ipp_t *req, *resp;

	memset(ret, 0, sizeof(*ret));
	ret->state = PRINTER_OFFLINE;
	ret->marker_level = -1;
	ret->media_left = -1;
	if (ensure_connected(p) < 0)
		return 0;
	req = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, p->uri);
	ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
		      (int)ARRAY_SIZE(attrs), NULL, attrs);
	resp = cupsDoRequest(p->http, req, p->resource);
	if (!resp || cupsLastError() > IPP_STATUS_OK_CONFLICTING) {
		ippDelete(resp);
		exchange_failed(p);
		return 0;
	}
	a = ippFindAttribute(resp, "printer-state", IPP_TAG_ENUM);
	switch (a ? ippGetInteger(a, 0) : 0) {
	case IPP_PSTATE_IDLE:
		ret->state = PRINTER_IDLE;
		break;
	case IPP_PSTATE_PROCESSING:
		ret->state = PRINTER_PRINTING;
		break;
	case IPP_PSTATE_STOPPED:
		ret->state = PRINTER_STOPPED;
		break;
	default:
		ret->state = PRINTER_OFFLINE;
		break;
	}
	a = ippFindAttribute(resp, "printer-state-reasons", IPP_TAG_KEYWORD);
	for (int i = 0; a && i < ippGetCount(a) && ret->nreasons < IPP_REASONS_MAX; i++) {
		const char *r = ippGetString(a, i, NULL);

		if (r && strcmp(r, "none") != 0)
			strscpy(ret->reasons[ret->nreasons++], r, sizeof(ret->reasons[0]));
	}
	a = ippFindAttribute(resp, "printer-state-message", IPP_TAG_TEXT);
	strscpy(ret->message, a && ippGetString(a, 0, NULL) ? ippGetString(a, 0, NULL) : "",
		sizeof(ret->message));
	a = ippFindAttribute(resp, "printer-make-and-model", IPP_TAG_TEXT);
	strscpy(ret->model, a && ippGetString(a, 0, NULL) ? ippGetString(a, 0, NULL) : "",
		sizeof(ret->model));
	a = ippFindAttribute(resp, "marker-levels", IPP_TAG_INTEGER);
	for (int i = 0; a && i < ippGetCount(a); i++) {
		int v = ippGetInteger(a, i);

		/* Negative levels mean unknown or unavailable. */
		if (v >= 0 && v <= 100 && (ret->marker_level < 0 || v < ret->marker_level))
			ret->marker_level = v;
	}
	a = ippFindAttribute(resp, "printer-input-tray", IPP_TAG_ZERO);
	for (int i = 0; a && i < ippGetCount(a) && ret->media_left < 0; i++)
		ret->media_left = tray_sheets(a, i);
	a = ippFindAttribute(resp, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN);
	ret->accepting = a ? ippGetBoolean(a, 0) : true;
	ippDelete(resp);
	return 0;
}

int ipp_printer_submit(struct ipp_printer *p, const char *job_name, const char *path, bool cut,
		       int *job_id, char *err, size_t errlen)
{
	cups_option_t *opts = NULL;
	char buf[65536];
	ipp_status_t st;
	int fd, id = 0, nopts = 0, r;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "the strip to print is missing (%s)", strerror(-r));
		return r;
	}
	r = ensure_connected(p);
	if (r < 0) {
		snprintf(err, errlen, "the printer at %s does not answer", ipp_printer_uri(p));
		goto out;
	}
	dest_info(p);
	if (cut && ipp_printer_cut_support(p, NULL) != IPP_CUT_UNSUPPORTED)
		nopts = add_cut_options(p, 0, &opts);
	st = cupsCreateDestJob(p->http, p->dest, p->info, &id, job_name, nopts, opts);
	if (nopts > 0 && st == IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES) {
		/* The printer refuses the cut it did not say it lacks: the strip matters more. */
		p->cut_support = IPP_CUT_UNSUPPORTED;
		snprintf(p->cut_why, sizeof(p->cut_why), "the printer refused the cut: %s",
			 cupsLastErrorString());
		st = cupsCreateDestJob(p->http, p->dest, p->info, &id, job_name, 0, NULL);
	}
	if (st > IPP_STATUS_OK_CONFLICTING || id <= 0) {
		r = refused(p, "the printer refused the job", err, errlen);
		goto out;
	}
	if (cupsStartDestDocument(p->http, p->dest, p->info, id, job_name, CUPS_FORMAT_JPEG, 0,
				  NULL, 1) != HTTP_STATUS_CONTINUE) {
		r = refused(p, "the printer refused the document", err, errlen);
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (cupsWriteRequestData(p->http, buf, (size_t)n) != HTTP_STATUS_CONTINUE) {
			cupsFinishDestDocument(p->http, p->dest, p->info);
			r = refused(p, "sending the strip to the printer failed", err, errlen);
			goto out;
		}
	}
	if (n < 0) {
		r = -errno;
		snprintf(err, errlen, "reading the strip failed (%s)", strerror(-r));
		cupsFinishDestDocument(p->http, p->dest, p->info);
		goto out;
	}
	if (cupsFinishDestDocument(p->http, p->dest, p->info) > IPP_STATUS_OK_CONFLICTING) {
		r = refused(p, "the printer did not accept the strip", err, errlen);
		goto out;
	}
	*job_id = id;
	r = 0;
out:
	cupsFreeOptions(nopts, opts);
	close(fd);
	return r;
}

static int map_job_state(int ipp_state, enum ipp_job_state *ret)
{
	switch (ipp_state) {
	case IPP_JSTATE_PENDING:
	case IPP_JSTATE_HELD:
		*ret = JOB_QUEUED;
		return 0;
	case IPP_JSTATE_PROCESSING:
	case IPP_JSTATE_STOPPED:
		*ret = JOB_PROCESSING;
		return 0;
	case IPP_JSTATE_CANCELED:
		*ret = JOB_CANCELED;
		return 0;
	case IPP_JSTATE_ABORTED:
		*ret = JOB_ABORTED;
		return 0;
	case IPP_JSTATE_COMPLETED:
		*ret = JOB_COMPLETED;
		return 0;
	default:
		return -EPROTO;
	}
}

static bool reason_is(const char *reason, const char *want)
{
	return reason && strcmp(reason, want) == 0;
}

static bool finished_badly(enum ipp_job_state s)
{
	return s == JOB_ABORTED || s == JOB_CANCELED;
}

int ipp_printer_job_state(struct ipp_printer *p, int job_id, enum ipp_job_state *ret)
{
	static const char *const attrs[] = { "job-state", "job-state-reasons" };
	ipp_attribute_t *a;
	ipp_t *req, *resp;
	int r;

	r = ensure_connected(p);
	if (r < 0)
		return r;
	req = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, p->uri);
	ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
	ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
		      (int)ARRAY_SIZE(attrs), NULL, attrs);
	resp = cupsDoRequest(p->http, req, p->resource);
	if (!resp || cupsLastError() > IPP_STATUS_OK_CONFLICTING) {
		ippDelete(resp);
		return exchange_failed(p);
	}
	a = ippFindAttribute(resp, "job-state", IPP_TAG_ENUM);
	r = map_job_state(a ? ippGetInteger(a, 0) : 0, ret);
	ippDelete(resp);
	return r;
}

int ipp_printer_find_job(struct ipp_printer *p, const char *job_name, int *job_id,
			 enum ipp_job_state *state)
{
	static const char *const attrs[] = { "job-id", "job-name", "job-state",
					     "job-state-reasons" };
	int best_id = 0, stale[8], nstale = 0, r;
	enum ipp_job_state best = JOB_ABORTED;
	ipp_t *req, *resp;

	r = ensure_connected(p);
	if (r < 0)
		return r;
	req = ippNewRequest(IPP_OP_GET_JOBS);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, p->uri);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL,
		     cupsUser());
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", NULL, "all");
	ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
		      (int)ARRAY_SIZE(attrs), NULL, attrs);
	resp = cupsDoRequest(p->http, req, p->resource);
	if (!resp || cupsLastError() > IPP_STATUS_OK_CONFLICTING) {
		ippDelete(resp);
		return exchange_failed(p);
	}
	/* One job per group of job attributes: job-id, job-name and job-state come in any order. */
	for (ipp_attribute_t *a = ippFirstAttribute(resp); a;) {
		const char *name = NULL;
		int id = 0, st = 0;
		bool incoming = false;
		enum ipp_job_state js;

		while (a && ippGetGroupTag(a) != IPP_TAG_JOB)
			a = ippNextAttribute(resp);
		for (; a && ippGetGroupTag(a) == IPP_TAG_JOB; a = ippNextAttribute(resp)) {
			const char *an = ippGetName(a);

			if (!an)
				continue;
			if (strcmp(an, "job-id") == 0)
				id = ippGetInteger(a, 0);
			else if (strcmp(an, "job-name") == 0)
				name = ippGetString(a, 0, NULL);
			else if (strcmp(an, "job-state") == 0)
				st = ippGetInteger(a, 0);
			else if (strcmp(an, "job-state-reasons") == 0)
				for (int i = 0; i < ippGetCount(a); i++)
					incoming |= reason_is(ippGetString(a, i, NULL),
							      "job-incoming") ||
						    reason_is(ippGetString(a, i, NULL),
							      "job-data-insufficient");
		}
		/* a is now the separator before the next job (or NULL). */
		if (!name || id <= 0 || strcmp(name, job_name) != 0 || map_job_state(st, &js) < 0)
			continue;
		/* Created, but its document never came: booth-printer died between the two steps of
		 * a submission (only one booth-printer submits, one job at a time). The strip was not
		 * printed: cancel the empty job and let the caller send it. */
		if (incoming && (st == IPP_JSTATE_PENDING || st == IPP_JSTATE_HELD)) {
			if (nstale < (int)ARRAY_SIZE(stale))
				stale[nstale++] = id;
			continue;
		}
		if (!best_id || (finished_badly(best) && !finished_badly(js)) ||
		    (finished_badly(best) == finished_badly(js) && id > best_id)) {
			best_id = id;
			best = js;
		}
	}
	ippDelete(resp);
	for (int i = 0; i < nstale; i++) {
		log_notice("Print job %d (%s) has no document: a submission was cut short; "
			   "canceling it and sending the strip again",
			   stale[i], job_name);
		ipp_printer_cancel(p, stale[i]);
	}
	if (!best_id)
		return 0;
	*job_id = best_id;
	*state = best;
	return 1;
}

int ipp_printer_cancel(struct ipp_printer *p, int job_id)
{
	ipp_t *req;
	int r;

	r = ensure_connected(p);
	if (r < 0)
		return r;
	req = ippNewRequest(IPP_OP_CANCEL_JOB);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, p->uri);
	ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL,
		     cupsUser());
	ippDelete(cupsDoRequest(p->http, req, p->resource));
	if (cupsLastError() > IPP_STATUS_OK_CONFLICTING)
		return cupsLastError() == IPP_STATUS_ERROR_NOT_POSSIBLE ? -ENOENT
									: exchange_failed(p);
	return 0;
}

/* Send a printer operation OP with no arguments. */
static int printer_op(struct ipp_printer *p, ipp_op_t op)
{
	ipp_t *req = ippNewRequest(op);
	ipp_status_t st;

	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, p->uri);
	ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL,
		     cupsUser());
	ippDelete(cupsDoRequest(p->http, req, p->resource));
	st = cupsLastError();
	if (st == IPP_STATUS_ERROR_FORBIDDEN || st == IPP_STATUS_ERROR_NOT_AUTHORIZED ||
	    st == IPP_STATUS_ERROR_NOT_AUTHENTICATED)
		return -EPERM;
	return st > IPP_STATUS_OK_CONFLICTING ? exchange_failed(p) : 0;
}

int ipp_printer_resume(struct ipp_printer *p)
{
	int r;

	r = ensure_connected(p);
	if (r < 0)
		return r;
	r = printer_op(p, IPP_OP_RESUME_PRINTER);
	if (r == 0 && strstr(p->destination, "://") == NULL)
		r = printer_op(p, IPP_OP_CUPS_ACCEPT_JOBS);
	return r;
}
