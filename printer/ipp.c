/* SPDX-License-Identifier: MIT */
/* libcups: destinations, job submission, printer and job attributes. */
#include "ipp.h"
#include "util.h"

#include <cups/cups.h>
#include <errno.h>
#include <fcntl.h>
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
	*ret = p;
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
}

struct ipp_printer *ipp_printer_free(struct ipp_printer *p)
{
	if (!p)
		return NULL;
	disconnect(p);
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
	if (st == IPP_STATUS_ERROR_BUSY)
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
		snprintf(err, errlen, "the printer is busy with another job");
	else
		snprintf(err, errlen, "%s: %s", what, reason);
	return r;
}

int ipp_printer_status(struct ipp_printer *p, struct ipp_status *ret)
{
	static const char *const attrs[] = { "printer-state", "printer-state-reasons",
					     "printer-state-message", "printer-make-and-model" };
	ipp_attribute_t *a;
	ipp_t *req, *resp;

	memset(ret, 0, sizeof(*ret));
	ret->state = PRINTER_OFFLINE;
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
	ippDelete(resp);
	return 0;
}

int ipp_printer_submit(struct ipp_printer *p, const char *job_name, const char *path, int *job_id,
		       char *err, size_t errlen)
{
	char buf[65536];
	ipp_status_t st;
	int fd, id = 0, r;
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
	if (!p->info)
		p->info = cupsCopyDestInfo(p->http, p->dest);
	st = cupsCreateDestJob(p->http, p->dest, p->info, &id, job_name, 0, NULL);
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
	close(fd);
	return r;
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
	switch (a ? ippGetInteger(a, 0) : 0) {
	case IPP_JSTATE_PENDING:
	case IPP_JSTATE_HELD:
		*ret = JOB_QUEUED;
		break;
	case IPP_JSTATE_PROCESSING:
	case IPP_JSTATE_STOPPED:
		*ret = JOB_PROCESSING;
		break;
	case IPP_JSTATE_CANCELED:
		*ret = JOB_CANCELED;
		break;
	case IPP_JSTATE_ABORTED:
		*ret = JOB_ABORTED;
		break;
	case IPP_JSTATE_COMPLETED:
		*ret = JOB_COMPLETED;
		break;
	default:
		r = -EPROTO;
		break;
	}
	ippDelete(resp);
	return r;
}
