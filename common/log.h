/* SPDX-License-Identifier: MIT */
/* Logging to stderr with syslog "<N>" level prefixes, which journald turns into priorities. */
#ifndef BOOTH_LOG_H
#define BOOTH_LOG_H

#include <errno.h>
#include <stdlib.h>
#include <syslog.h>

/* Messages above this level (numerically) are dropped. Default LOG_INFO. */
void log_set_max_level(int level);
int log_get_max_level(void);

/* Prefix every line with "IDENT: " (for interactive runs; journald adds its own). */
void log_set_ident(const char *ident);

/* Log at LEVEL. If ERR is non-zero, errno is set to |ERR| while formatting so "%m" prints it.
 * Returns -|ERR|, so that "return log_error_errno(r, ...)" logs and returns in one step. */
int log_internal(int level, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_full_errno(level, err, ...) log_internal((level), (err), __VA_ARGS__)
#define log_debug(...)			log_internal(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)			log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)			log_internal(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...)		log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)			log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(err, ...)	log_internal(LOG_DEBUG, (err), __VA_ARGS__)
#define log_info_errno(err, ...)	log_internal(LOG_INFO, (err), __VA_ARGS__)
#define log_warning_errno(err, ...)	log_internal(LOG_WARNING, (err), __VA_ARGS__)
#define log_error_errno(err, ...)	log_internal(LOG_ERR, (err), __VA_ARGS__)

#endif
