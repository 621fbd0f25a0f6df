/* SPDX-License-Identifier: MIT */
/* Small utilities shared by every process. */
#ifndef BOOTH_UTIL_H
#define BOOTH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Copy SRC into DST of size N, always terminated. Returns -ENAMETOOLONG if it did not fit. */
int strscpy(char *dst, const char *src, size_t n);

/* Remove leading blanks and trailing blanks and CRs from S in place; returns the start. */
char *strstrip(char *s);

/* Parse a whole decimal integer within [MIN, MAX]. Returns 0, -EINVAL or -ERANGE. */
int parse_int_range(const char *s, long long min, long long max, long long *ret);

/* Parse yes/no, true/false, on/off, 1/0. Returns 0 or -EINVAL. */
int parse_bool(const char *s, bool *ret);

/* Fill BUF with N random bytes from getrandom(). Returns 0 or -errno. */
int random_bytes(void *buf, size_t n);

/* Write N bytes of DATA to PATH atomically: a temporary file, fsync, rename, fsync the
 * directory. MODE is the new file's mode. Returns 0 or -errno. */
int write_file_atomic(const char *path, const void *data, size_t n, unsigned mode);

/* Read at most MAX bytes of PATH into a new NUL-terminated buffer (caller frees *ret).
 * Returns the length, -EFBIG if larger than MAX, or -errno. */
long read_file(const char *path, size_t max, char **ret);

/* Create DIR and its parents with MODE. Returns 0 or -errno. */
int mkdir_p(const char *dir, unsigned mode);

/* Copy ID into OUT (size N) with every byte but [A-Za-z0-9_-] replaced by '_', so that it can
 * be part of a file name and never name another directory. */
void sanitize_name(const char *id, char *out, size_t n);
/* True if S is 1..MAX characters of [a-z0-9_-]. */
bool valid_id(const char *s, size_t max);

/* CLOCK_REALTIME in milliseconds. */
int64_t wall_msec(void);
/* The last local midnight, in milliseconds since 1970 (where "today" starts for counts). */
int64_t local_midnight_msec(void);

/* Tune malloc for a small long-running daemon (call first thing in main): blocks of 128 KiB and
 * more get their own mappings, given back to the kernel when freed (glibc otherwise raises
 * that threshold to the largest block freed so far, and a picture freed once then stays in
 * the heap for good), and one arena only (the booth's C code has no threads). */
void malloc_tune(void);

#endif
