/* SPDX-License-Identifier: MIT */
/* The printer through libcups: a CUPS queue or a direct IPP URI; submit a JPEG, read printer and
 * job state. Every call is bounded by the configured timeout. IPP and HTTP codes are translated
 * to -errno here and nowhere else. */
#ifndef BOOTH_IPP_H
#define BOOTH_IPP_H

#include <stdbool.h>
#include <stddef.h>

struct ipp_printer;

enum ipp_printer_state {
	PRINTER_OFFLINE, /* does not answer */
	PRINTER_IDLE,
	PRINTER_PRINTING,
	PRINTER_STOPPED,
};

#define IPP_REASONS_MAX 16

struct ipp_status {
	enum ipp_printer_state state;
	char model[257];
	char message[257];
	char reasons[IPP_REASONS_MAX][64]; /* printer-state-reasons other than "none" */
	int nreasons;
	int marker_level; /* lowest of marker-levels in percent, -1 when not reported */
	int media_left;	  /* sheets in the first tray that reports a level, -1 when unknown */
	bool accepting;	  /* printer-is-accepting-jobs */
};

enum ipp_job_state {
	JOB_QUEUED,	/* pending or held */
	JOB_PROCESSING, /* processing or stopped */
	JOB_COMPLETED,
	JOB_CANCELED,
	JOB_ABORTED,
};

/* How the printer is asked to cut a page (booth.conf [printer] cut). */
enum ipp_cut_method {
	IPP_CUT_NONE,
	IPP_CUT_FINISHINGS, /* the IPP job attribute finishings */
	IPP_CUT_OPTIONS,    /* job options NAME=VALUE, for a CUPS driver (PPD) */
};

/* Whether the printer can cut as configured, as far as it says. */
enum ipp_cut_support {
	IPP_CUT_UNKNOWN,     /* it does not report the attribute: the cut is asked for anyway */
	IPP_CUT_SUPPORTED,   /* it lists the value among those it supports */
	IPP_CUT_UNSUPPORTED, /* it does not, or refused a job for it: pages print uncut */
};

/* Use DESTINATION (an IPP URI, or a CUPS queue name on the default CUPS server) with TIMEOUT_MS
 * for each exchange. No connection is made yet. Returns 0 and *ret, or -errno. */
int ipp_printer_new(const char *destination, int timeout_ms, struct ipp_printer **ret);
struct ipp_printer *ipp_printer_free(struct ipp_printer *p);

/* Cut pages that ask for it with METHOD: FINISHINGS is the finishings enum value, OPTIONS the
 * "NAME=VALUE ..." list (as lp -o takes them). Returns 0, or -EINVAL if OPTIONS holds none. */
int ipp_printer_set_cut(struct ipp_printer *p, enum ipp_cut_method method, int finishings,
			const char *options);

/* Whether the printer supports the configured cut: its finishings-supported, or NAME-supported
 * for each option, read once per connection. *WHY (may be NULL) gets a sentence for people,
 * valid until the next call. Returns an enum ipp_cut_support (UNSUPPORTED when no cut is
 * configured), or -EHOSTDOWN when the printer does not answer. */
int ipp_printer_cut_support(struct ipp_printer *p, const char **why);

/* Read the printer's state. When it cannot be reached, returns 0 with state OFFLINE. */
int ipp_printer_status(struct ipp_printer *p, struct ipp_status *ret);

/* Send the JPEG at PATH as one job named JOB_NAME, asking for the configured cut if CUT and the
 * printer does not say it cannot (a printer that refuses the job for the cut gets it again
 * without: ipp_printer_cut_support() then says UNSUPPORTED). Returns 0 and the printer's job id
 * in *job_id, or -errno with a sentence for people in ERR (-EHOSTDOWN: unreachable; -EBUSY: the
 * printer takes one job at a time and has one; -ENOENT: no such file; -EIO: refused). */
int ipp_printer_submit(struct ipp_printer *p, const char *job_name, const char *path, bool cut,
		       int *job_id, char *err, size_t errlen);

/* Read job JOB_ID's state into *ret. -EHOSTDOWN when unreachable, -ENOENT when the printer
 * does not know the job. */
int ipp_printer_job_state(struct ipp_printer *p, int job_id, enum ipp_job_state *ret);

/* Look for a job named JOB_NAME among all the printer's jobs, finished ones included, as far
 * back as the printer keeps them. Jobs that were aborted or canceled are ignored unless nothing
 * else matches. Returns 1 with *job_id and *state of the newest match, 0 when there is none,
 * -EHOSTDOWN when unreachable, or -EIO. */
int ipp_printer_find_job(struct ipp_printer *p, const char *job_name, int *job_id,
			 enum ipp_job_state *state);

/* Cancel job JOB_ID. Returns 0, -ENOENT if the printer does not know it (or it is finished),
 * -EHOSTDOWN or -EIO. */
int ipp_printer_cancel(struct ipp_printer *p, int job_id);

/* Resume a stopped queue and make it accept jobs again (IPP Resume-Printer, then
 * CUPS-Accept-Jobs on a CUPS queue). Returns 0, -EPERM when not authorized, -EHOSTDOWN, -EIO. */
int ipp_printer_resume(struct ipp_printer *p);

/* The printer URI in use (for messages). */
const char *ipp_printer_uri(const struct ipp_printer *p);

#endif
