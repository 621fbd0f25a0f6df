/* SPDX-License-Identifier: MIT */
/* Logging to stderr with syslog level prefixes. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int max_level = LOG_INFO;
static const char *log_ident;

void log_set_max_level(int level)
{
	max_level = level;
}

int log_get_max_level(void)
{
	return max_level;
}

void log_set_ident(const char *ident)
{
	log_ident = ident;
}

int log_internal(int level, int err, const char *fmt, ...)
{
	int saved = errno;
	char buf[1024];
	va_list ap;

	if (err < 0)
		err = -err;
	if (level > max_level)
		goto out;

	errno = err;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One write per line keeps lines whole when several processes share stderr. */
	fprintf(stderr, "<%d>%s%s%s\n", level, log_ident ? log_ident : "", log_ident ? ": " : "",
		buf);
out:
	errno = saved;
	return -err;
}
